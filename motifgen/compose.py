"""A whole film: load the project, compose the scenes, write every requested file.

All scenes are composed before anything is written, and every file is written
into a hidden staging folder inside the output folder; only when all of them
are written do they replace their namesakes (one rename each). An error while
composing or writing leaves the output folder as it was, with no temporary
files; only a failure between those final renames (the disk vanishing, say)
could leave some files new and some old.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from .errors import MotifgenError
from .film import Scene
from .io import FORMATS, file_name, file_names, scene_files
from .io.files import check_folder, check_replaceable, file_id, staged_folder
from .project import Project, load
from .score import Score
from .template import Played, Template, dress, fit, played, template_of
from .timing import describe_excursion

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

Writer = Callable[[Score, Path, Template], object]


def _writer(fmt: str, soundfont: Path | None) -> Writer:
    """The writer for a `--format` name, called with (score, path, film template); tools
    the format needs are looked up now."""
    if fmt not in FORMATS:
        raise MotifgenError(f"unknown format {fmt!r}; expected one of: {', '.join(FORMATS)}")
    module, name = FORMATS[fmt]
    write = getattr(import_module(f".io.{module}", __package__), name)
    if fmt in ("wav", "stems"):
        from .io.audio import find_fluidsynth, find_soundfont

        find_fluidsynth()
        font = find_soundfont(soundfont)
        return lambda score, path, template: write(score, path, soundfont=font)
    if fmt == "pdf":
        from .io.pdf import find_musescore

        find_musescore()
    if fmt == "mid":
        return lambda score, path, template: write(dress(score, template), path)
    return lambda score, path, template: write(score, path)


#: `--template` choices: a cue's MIDI keeps the template tracks it plays, or all of them.
TEMPLATES = ("used", "full")
#: The reel's file (`reel=True`).
REEL = "reel.mid"
#: The cue sheet's files, written next to the scenes'.
CUE_SHEETS = ("cue_sheet.csv", "cue_sheet.md")


def protected_files(project: Project) -> set[tuple[int, int]]:
    """The (device, inode) of every file the project was read from: never written over."""
    return {found for path in project.sources if (found := file_id(path)) is not None}


#: Films with less music than this (seconds, all scenes together) are composed in one
#: process unless `jobs` says otherwise: starting workers, handing their scores back and
#: the processors' contention on a shared machine cost more than they save.
PARALLEL_FROM_SECONDS = 20 * 60


def default_jobs(project: Project) -> int:
    """`--jobs` when none is given: one process for a short film, else one per
    processor (at most one per scene)."""
    music = sum(float(s.end) - float(s.start) for s in project.scenes)
    scenes = len(project.scenes)
    return 1 if music < PARALLEL_FROM_SECONDS else _workers(scenes, scenes)


def _workers(jobs: int, tasks: int) -> int:
    """The processes worth starting: at most one per task and per processor, and only
    where the system can fork (workers share the loaded project and scores, nothing is
    loaded again or sent to them)."""
    if min(jobs, tasks) <= 1:
        return 1  # multiprocessing is not even imported
    import multiprocessing
    import os

    if "fork" not in multiprocessing.get_all_start_methods():
        return 1
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, min(jobs, tasks, cpus or 1))


def _worker_start() -> None:
    """In each worker: Ctrl-C is the parent's to handle (it stops the workers), SIGTERM
    ends the worker, and on Linux the worker gets SIGTERM when its parent dies."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    try:
        import ctypes

        ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _worker_loop(conn, work: Callable[[Any], Any]) -> None:
    """A forked worker: `work` each task the parent sends until it sends None."""
    _worker_start()
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        index, item = task
        try:
            reply = ("ok", index, work(item))
        except BaseException as e:  # handed to the parent, which raises it
            reply = ("error", index, e)
        try:
            conn.send(reply)
        except Exception as e:  # an exception that does not pickle
            conn.send(("error", index, RuntimeError(f"{type(reply[2]).__name__}: {e}")))


def _start_workers(count: int, work: Callable[[Any], Any]) -> tuple[list, list]:
    """`count` forked worker processes running `work`, and the parent's end of a pipe
    to each."""
    import gc
    import multiprocessing

    context = multiprocessing.get_context("fork")
    processes, pipes = [], []
    gc.freeze()  # what the workers inherit is never collected there: no copy-on-write
    try:
        for _ in range(count):
            parent, child = context.Pipe()
            process = context.Process(target=_worker_loop, args=(child, work), daemon=True)
            processes.append(process)
            process.start()
            child.close()
            pipes.append(parent)
    except BaseException:
        _stop_workers(processes)
        raise
    finally:
        gc.unfreeze()
    return processes, pipes


def _stop_workers(processes: list) -> None:
    """End every worker; one a signal interrupted before it had started is skipped."""
    started = [p for p in processes if p.pid is not None]
    for process in started:
        if process.is_alive():
            process.terminate()
    for process in started:
        process.join(1)
        if process.is_alive():
            process.kill()
            process.join(1)


def _in_workers(items: Sequence[Any], work: Callable[[Any], Any], workers: int,
                done: Callable[[Any], None], cost: Callable[[Any], float]) -> list[Any]:
    """`work` of every item in `workers` forked processes, results in the items' order;
    `done` is called with each result as it comes. The costliest items (by `cost`) are
    handed out first, so no worker is left with a long one at the end while the others
    wait. Results are read here, in the main
    thread, so an error, Ctrl-C or SIGTERM (raised where the parent waits) ends every
    worker at once: no worker outlives the run, and no helper thread is left waiting on
    a message a stopped worker had half sent."""
    from multiprocessing.connection import wait

    queue = sorted(enumerate(items), key=lambda task: -cost(task[1]))  # stable on ties
    results: list[Any] = [None] * len(queue)
    processes, idle = _start_workers(workers, work)
    busy: set = set()
    try:
        while queue or busy:
            while queue and idle:
                conn = idle.pop()
                conn.send(queue.pop(0))
                busy.add(conn)
            sentinels = {p.sentinel: p for p in processes}
            for ready in wait(list(busy) + list(sentinels)):
                if ready in sentinels:
                    if sentinels[ready].exitcode not in (None, 0):
                        raise RuntimeError(f"a worker process died (exit status "
                                           f"{sentinels[ready].exitcode})")
                    continue
                conn = cast("Connection[Any, Any]", ready)  # not a sentinel: a pipe
                try:
                    kind, index, payload = conn.recv()
                except EOFError:
                    raise RuntimeError("a worker process died") from None
                if kind == "error":
                    raise payload
                results[index] = payload
                done(payload)
                busy.discard(ready)
                idle.append(ready)
        for conn in idle:
            conn.send(None)
    finally:
        _stop_workers(processes)
    return results


def _compose_all(project: Project, scenes: Sequence[Scene], seed: int | None, jobs: int,
                 bar) -> list[Score]:
    """The `scenes` of the film composed, in order, in `jobs` processes."""
    from .arrange import compose_scene

    workers = _workers(jobs, len(scenes))

    def one(scene_id: str) -> Score:
        return compose_scene(project, project.scene(scene_id), seed)

    def done(score: Score) -> None:
        bar.set_description(f"compose {score.id}")
        bar.update(1)

    if workers > 1:
        length = {s.id: float(s.duration) for s in scenes}
        return _in_workers([s.id for s in scenes], one, workers, done, length.__getitem__)
    scores = []
    for scene in scenes:
        bar.set_description(f"compose {scene.id}")
        scores.append(one(scene.id))
        bar.update(1)
    return scores


def _check_options(formats: Sequence[str], soundfont: Path | None, condensed: bool,
                   template: str) -> tuple[dict[str, Writer], list[str]]:
    """The writer of every format and the formats that also get a condensed score; a
    bad option or a missing tool fails here, before anything is loaded."""
    from .io.condensed import SCORE_FORMATS

    if template not in TEMPLATES:
        raise MotifgenError(f"unknown template {template!r}; expected one of: "
                            f"{', '.join(TEMPLATES)}", "--template")
    writers = {fmt: _writer(fmt, soundfont) for fmt in formats}  # fail early on missing tools
    short_formats = [f for f in formats if f in SCORE_FORMATS] if condensed else []
    if condensed and not short_formats:
        raise MotifgenError("--score condensed needs a score format: add musicxml or pdf to "
                            "--format")
    return writers, short_formats


def _check_outputs(out: Path, protected: set, wanted: Sequence[str], formats: Sequence[str],
                   short_formats: Sequence[str], reel: bool) -> None:
    """Every obstacle to writing the files is found before composing."""
    from .io.condensed import condensed_name

    check_folder(out)
    extra = list(CUE_SHEETS) + ([REEL] if reel else [])
    names = [n for s in wanted for fmt in formats for n in file_names(s, fmt)]
    shorts = [condensed_name(s, fmt) for s in wanted for fmt in short_formats]
    for name in names + shorts + extra:
        check_replaceable(out / name, protected, name)


def _write_scenes(stage: Path, scores: Sequence[Score], writers: dict[str, Writer],
                  short_formats: Sequence[str], film: Template, bar, jobs: int
                  ) -> dict[str, list[str]]:
    """Every scene's files written into `stage`, in `jobs` processes like composing;
    return the file names per scene."""
    from .io.condensed import STAFF_INSTRUMENTS, condense, condensed_name
    from .orchestra import engraving_of

    staves = {name: e for name in STAFF_INSTRUMENTS if (e := engraving_of(name)) is not None}

    def one(index: int) -> tuple[str, list[str]]:
        score, names = scores[index], []
        for fmt, write in writers.items():
            write(score, stage / file_name(score.id, fmt), film)
            names += file_names(score.id, fmt)
            if fmt in short_formats:
                names.append(condensed_name(score.id, fmt))
                write(condense(score, staves), stage / names[-1], film)
        return score.id, names

    def done(written: tuple[str, list[str]]) -> None:
        bar.set_description(f"write {written[0]}")
        bar.update(len(writers))

    workers = _workers(jobs, len(scores))
    if workers > 1:
        written = _in_workers(range(len(scores)), one, workers, done,
                              lambda index: scores[index].note_count())
    else:
        written = []
        for i, score in enumerate(scores):
            bar.set_description(f"write {score.id}")
            written.append(one(i))
            bar.update(len(writers))
    return dict(written)


def _write_film(stage: Path, out: Path, project: Project, scores: Sequence[Score],
                files: dict[str, list[str]], film: Template, reel: bool) -> None:
    """The cue sheet (keeping the rows of scenes not composed now) and the reel."""
    from .io.cuesheet import earlier_rows, write_cue_sheet

    film_ids = [s.id for s in project.scenes]
    composed = {score.id for score in scores}
    kept = earlier_rows(out, [i for i in film_ids if i not in composed], scene_files)
    csv_name, md_name = CUE_SHEETS
    write_cue_sheet(scores, stage / csv_name, stage / md_name, files, kept, film_ids)
    if reel:
        from .io.reel import write_reel

        write_reel([dress(score, film, full=True) for score in scores], stage / REEL)


class PlayedCache:
    """What each cue of the film plays (`template.played`), kept in the cache under
    everything composing its scene reads: the scene, the seed, the film's title, key,
    frame rate, motifs (their notes, not the files they came from) and custom moods, the
    scene's moods, and motifgen's code. A cue composed before with the same inputs counts
    in the film's template without being composed again, so `--scene` composes only the
    scenes asked for. Inputs the cache cannot name (`cache.canonical`) are never cached."""

    def __init__(self, project: Project, seed: int | None) -> None:
        from msgspec.structs import replace

        from .cache import digest

        self.project, self.seed = project, project.seed if seed is None else seed
        motifs = {name: replace(m, file=None) for name, m in project.motifs.items()}
        film = _named((project.title, project.key, project.fps, motifs, project.custom_moods))
        self.film = None if film is None else digest(film)  # shared by every scene's entry
        self._moods = {name: _named(mood) for name, mood in project.moods.items()}
        self._entries: dict[str, Path | None] = {}

    def entry(self, scene: Scene) -> Path | None:
        """The scene's entry, or None when the cache is off or cannot name its inputs."""
        from .cache import entry

        if scene.id not in self._entries:
            moods = [self._moods[name] for name in scene.moods]
            inputs = _named(scene)
            named = self.film is not None and inputs is not None and None not in moods
            self._entries[scene.id] = entry("cue", {
                "film": self.film, "seed": self.seed, "scene": inputs,
                "moods": dict(zip(scene.moods, moods))}) if named else None
        return self._entries[scene.id]

    def played(self, scene: Scene) -> tuple[Played, ...] | None:
        """What the scene's cue plays, from the cache; None if it must be composed."""
        from .cache import read

        return read(self.entry(scene), _decode_played)

    def keep(self, scores: Sequence[Score]) -> None:
        """Each composed cue's `played` into the cache (where it is not yet)."""
        from .cache import store

        for score in scores:
            store(self.entry(self.project.scene(score.id)),
                  [[*slot, volume, program, role, drum]
                   for slot, volume, program, role, drum in played(score)])


def _named(value: Any) -> Any:
    """`cache.canonical(value)`, or None for a value it has no form for."""
    from .cache import canonical

    try:
        return canonical(value)
    except TypeError:
        return None


def _decode_played(data: list[list[Any]]) -> tuple[Played, ...]:
    """`PlayedCache.keep`'s rows back as `played` gives them; a row of other types is an error."""
    out = []
    for instrument, job, desk, volume, program, role, drum in data:
        if not (isinstance(instrument, str) and isinstance(job, str) and isinstance(role, str)
                and all(type(n) is int for n in (desk, volume, program))
                and isinstance(drum, bool)):
            raise TypeError("not a cue's tracks")
        out.append(((instrument, job, desk), volume, program, role, drum))
    return tuple(out)


def compose_film(project_path: str | Path, out_dir: str | Path,
                 scene_ids: Sequence[str] = (), seed: int | None = None,
                 formats: Sequence[str] = ("mid", "json"), soundfont: Path | None = None,
                 jobs: int | None = 1, progress: bool = True,
                 allow: Sequence[str | Path] = (), condensed: bool = False,
                 template: str = "used", reel: bool = False,
                 articulations: str | None = None) -> list[str]:
    """Compose and write; return one summary line per scene. `allow`: folders outside the
    project's own from which motif files may be read; `condensed`: also a short score
    (`io.condensed`) in each score format asked for; `template`: "used" (each cue's MIDI
    has the film template's tracks it plays) or "full" (every track, silent ones too);
    `reel`: also write `REEL`, the written cues on one timeline; `articulations`: a
    built-in articulation map or a map file, instead of the project's; `jobs`: processes
    composing (None: `default_jobs`).

    The film's template comes from every cue, also when only some are written, so a
    cue's file is the same whichever cues are asked for: a scene not asked for is
    composed too unless an earlier run composed it from the same inputs (`PlayedCache`)."""
    writers, short_formats = _check_options(formats, soundfont, condensed, template)
    allowed = tuple(str(a) for a in allow)
    project = load(project_path, allowed)
    wanted = list(dict.fromkeys(project.scene(s).id for s in scene_ids)) if scene_ids else [
        s.id for s in project.scenes]
    amap = project.articulations
    if articulations is not None:
        from .articulations import resolve

        amap = resolve(articulations, Path.cwd(), "--articulations")
    out = Path(out_dir)
    protected = protected_files(project)
    _check_outputs(out, protected, wanted, formats, short_formats, reel)
    cues = PlayedCache(project, seed)
    known = {s.id: cue for s in project.scenes
             if s.id not in wanted and (cue := cues.played(s)) is not None}
    scenes = [s for s in project.scenes if s.id not in known]
    bar = _progress(len(scenes) + len(wanted) * len(formats), progress, len(scenes))
    jobs = default_jobs(project) if jobs is None else jobs
    scores = _compose_all(project, scenes, seed, jobs, bar)
    by_id = {score.id: score for score in scores}
    cues.keep(scores)
    film = template_of([known[s.id] if s.id in known else played(by_id[s.id])
                        for s in project.scenes],
                       full=template == "full", articulations=amap)
    scores = [fit(by_id[i], film) for i in wanted]
    waiting = f"motifgen: waiting for another run writing into {out}" if progress else None
    with staged_folder(out, protected, waiting) as stage:
        files = _write_scenes(stage, scores, writers, short_formats, film, bar, jobs)
        bar.close()
        _write_film(stage, out, project, scores, files, film, reel)
    wrote = f"wrote {len(scores)} scenes" + (f" and {REEL}" if reel else "")
    return [_summary(score) for score in scores] + [f"{wrote} to {out}/"]


def _summary(score: Score) -> str:
    bpms = sorted({round(b) for b in score.tempo_map.bpms})
    tempo = f"{bpms[0]}" if len(bpms) == 1 else f"{bpms[0]}-{bpms[-1]}"
    hits = score.plan.hits
    worst = max((abs(h.frames_off) for h in hits), default=0.0)
    caught = (f", {len(hits)} hit{'s' if len(hits) > 1 else ''} within {worst:.4f} frames"
              if hits else "")
    tmap = score.plan.tempo_map
    outside = "".join("; " + describe_excursion(e.bpm, e.into, e.mood_range, e.percent)
                      for e in (tmap.excursions if tmap is not None else ()))
    return (f"{score.id:6s} {score.title[:34]:34s} {score.duration_seconds:6.1f}s "
            f"{tempo:>7s} bpm  {', '.join(score.plan.moods)}{caught}{outside}")


class _NoBar:
    def update(self, n: int = 1) -> None: ...
    def set_description(self, text: str) -> None: ...
    def close(self) -> None: ...


class _Lines:
    """Progress for a stderr that is not a terminal (piped, logged): one line per scene
    composed and one when the files are written, flushed at once."""

    def __init__(self, scenes: int) -> None:
        self.scenes, self.composed, self.writing = scenes, 0, False

    def update(self, n: int = 1) -> None: ...

    def set_description(self, text: str) -> None:
        import sys

        if text.startswith("compose "):
            self.composed += 1
            line = f"motifgen: composed {text[8:]} ({self.composed} of {self.scenes})"
        elif not self.writing:
            self.writing = True
            line = "motifgen: writing the files"
        else:
            return
        print(line, file=sys.stderr, flush=True)

    def close(self) -> None: ...


def _progress(total: int, enabled: bool, scenes: int = 0):
    """A progress bar on a terminal, progress lines on any other stderr, or nothing."""
    import sys

    if not enabled:
        return _NoBar()
    if not sys.stderr.isatty():
        return _Lines(scenes)
    from tqdm import tqdm

    return tqdm(total=total, unit="step", leave=False, dynamic_ncols=True)
