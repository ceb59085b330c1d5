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
from functools import lru_cache
from importlib import import_module
from pathlib import Path

from .errors import MotifgenError
from .io import FORMATS
from .io.files import check_folder, check_replaceable, file_id, staged_folder
from .project import Project, load
from .score import Score


def _writer(fmt: str, soundfont: Path | None) -> Callable[[Score, Path], object]:
    """The writer for a `--format` name; tools the format needs are looked up now."""
    if fmt not in FORMATS:
        raise MotifgenError(f"unknown format {fmt!r}; expected one of: {', '.join(FORMATS)}")
    module, name = FORMATS[fmt]
    write = getattr(import_module(f".io.{module}", __package__), name)
    if fmt == "wav":
        from .io.audio import find_fluidsynth, find_soundfont

        find_fluidsynth()
        font = find_soundfont(soundfont)
        return lambda score, path: write(score, path, soundfont=font)
    return write


#: The cue sheet's files, written next to the scenes'.
CUE_SHEETS = ("cue_sheet.csv", "cue_sheet.md")


def protected_files(project: Project) -> set[tuple[int, int]]:
    """The (device, inode) of every file the project was read from: never written over."""
    return {found for path in project.sources if (found := file_id(path)) is not None}


@lru_cache(maxsize=4)
def _load_cached(path: str, allow: tuple[str, ...]) -> Project:
    return load(path, allow)


def _compose_one(job: tuple[str, tuple[str, ...], str, int | None]) -> Score:
    from .arrange import compose_scene

    path, allow, scene_id, seed = job
    project = _load_cached(path, allow)
    return compose_scene(project, project.scene(scene_id), seed)


def compose_film(project_path: str | Path, out_dir: str | Path,
                 scene_ids: Sequence[str] = (), seed: int | None = None,
                 formats: Sequence[str] = ("mid", "json"), soundfont: Path | None = None,
                 jobs: int = 1, progress: bool = True,
                 allow: Sequence[str | Path] = ()) -> list[str]:
    """Compose and write; return one summary line per scene. `allow`: folders outside the
    project's own from which motif files may be read."""
    allowed = tuple(str(a) for a in allow)
    project = load(project_path, allowed)
    scenes = [project.scene(s) for s in scene_ids] if scene_ids else list(project.scenes)
    writers = {fmt: _writer(fmt, soundfont) for fmt in formats}  # fail early on missing tools
    out = Path(out_dir)
    protected = protected_files(project)
    check_folder(out)  # every obstacle to writing is found before composing
    for name in [f"{s.id}.{fmt}" for s in scenes for fmt in formats] + list(CUE_SHEETS):
        check_replaceable(out / name, protected, name)
    jobs_list = [(str(project.path), allowed, s.id, seed) for s in scenes]
    bar = _progress(len(scenes) * (1 + len(formats)), progress)
    scores: list[Score] = []
    if jobs > 1 and len(scenes) > 1:
        from concurrent.futures import ProcessPoolExecutor  # only here: a costly import

        with ProcessPoolExecutor(max_workers=jobs) as pool:
            for score in pool.map(_compose_one, jobs_list):
                scores.append(score)
                bar.update(1)
    else:
        from .arrange import compose_scene

        for scene in scenes:
            bar.set_description(f"compose {scene.id}")
            scores.append(compose_scene(project, scene, seed))
            bar.update(1)
    waiting = f"motifgen: waiting for another run writing into {out}" if progress else None
    with staged_folder(out, protected, waiting) as stage:
        files: dict[str, list[str]] = {}
        for score in scores:
            for fmt, write in writers.items():
                bar.set_description(f"{fmt} {score.id}")
                name = f"{score.id}.{fmt}"
                write(score, stage / name)
                files.setdefault(score.id, []).append(name)
                bar.update(1)
        bar.close()
        from .io.cuesheet import write_cue_sheet

        write_cue_sheet(scores, *(stage / name for name in CUE_SHEETS), files)
    return [_summary(score) for score in scores] + [f"wrote {len(scores)} scenes to {out}/"]


def _summary(score: Score) -> str:
    bpms = sorted({round(b) for b in score.tempo_map.bpms})
    tempo = f"{bpms[0]}" if len(bpms) == 1 else f"{bpms[0]}-{bpms[-1]}"
    hits = score.plan.get("hits", [])
    worst = max((abs(h["frames_off"]) for h in hits), default=0.0)
    caught = (f", {len(hits)} hit{'s' if len(hits) > 1 else ''} within {worst:.4f} frames"
              if hits else "")
    return (f"{score.id:6s} {score.title[:34]:34s} {score.duration_seconds:6.1f}s "
            f"{tempo:>7s} bpm  {', '.join(score.plan.get('moods', []))}{caught}")


class _NoBar:
    def update(self, n: int = 1) -> None: ...
    def set_description(self, text: str) -> None: ...
    def close(self) -> None: ...


def _progress(total: int, enabled: bool):
    if not enabled:
        return _NoBar()
    from tqdm import tqdm

    return tqdm(total=total, unit="step", leave=False, dynamic_ncols=True, disable=None)
