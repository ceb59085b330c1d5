"""Measure everything in one run, print the table, write benchmarks/results.md.

    python -m benchmarks [--scenes 120] [--repeat 5] [--quick]

Times are wall-clock (`time.perf_counter`) unless a row says CPU. In-process
runs clear every `functools.lru_cache` in motifgen before each repetition, so
repetitions do not reuse the previous run's work. Child processes are started
with the same interpreter. Every target is a ratio against a baseline measured
in the same run, or a time or size; the command exits 1 when a figure misses
its target (`--quick`, a smoke run, only when a check of the output fails).
"""

from __future__ import annotations

import argparse
import filecmp
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "motifs" / "cartographer.yaml"
RESULTS = Path(__file__).resolve().parent / "results.md"
BIN = Path(sys.executable).parent

#: Runs a film in a child process and reports time, peak memory and heavy imports.
CHILD = r"""
import json, os, resource, sys, time
t0 = time.perf_counter()
from motifgen.compose import compose_film
t1 = time.perf_counter()
compose_film(sys.argv[1], sys.argv[2], progress=False, jobs=int(sys.argv[3]),
             scene_ids=sys.argv[4:])
t2 = time.perf_counter()
heavy = {"music21", "mido", "pretty_midi", "symusic", "matplotlib", "scipy", "tqdm"}
peak = max(resource.getrusage(r).ru_maxrss for r in (resource.RUSAGE_SELF,
                                                     resource.RUSAGE_CHILDREN))
print(json.dumps({"import": t1 - t0, "compose": t2 - t1, "maxrss_kb": peak,
                  "heavy": sorted(heavy & {m.split(".")[0] for m in sys.modules})}))
"""

TRANSFORM_CHAINS = ("transpose=2", "invert", "augment=2", "retrograde",
                    "fragment=3, sequence=3:+1", "step=+1, augment=3/2", "invert, retrograde",
                    "mode=dorian")
MOODS = ("heroic", "triumphant", "tender", "tragic", "melancholy", "menacing", "mysterious",
         "wonder", "playful", "action", "suspense", "peaceful")


@dataclass
class Row:
    """One line of the table; `ok` None: no target. `check`: a check of the output
    (bytes, imports) rather than a timing, so it fails a `--quick` run too."""

    name: str
    value: str
    target: str = ""
    ok: bool | None = None
    check: bool = False


def clear_caches() -> None:
    """Empty every lru_cache in motifgen's modules (a cold in-process run)."""
    for name, module in list(sys.modules.items()):
        if name.startswith("motifgen") and module is not None:
            for obj in list(vars(module).values()):
                if callable(getattr(obj, "cache_clear", None)) and hasattr(obj, "cache_info"):
                    obj.cache_clear()


def times(fn: Callable[[], object], n: int,
          before: Callable[[], None] | None = None) -> list[float]:
    out = []
    for _ in range(n):
        if before:
            before()
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


def run_child(project: Path, out: Path, jobs: int = 1, scenes: tuple[str, ...] = ()) -> dict:
    done = subprocess.run([sys.executable, "-c", CHILD, str(project), str(out), str(jobs),
                           *scenes], check=True, capture_output=True, text=True, cwd=ROOT)
    return json.loads(done.stdout.strip().splitlines()[-1])


def cpu_of(command: list[str], env: dict[str, str]) -> float:
    """CPU seconds (user + system) a child process takes to run `command`."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(command, check=True, env=env, capture_output=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def midi_notes(folder: Path) -> int:
    import symusic

    return sum(len(t.notes) for f in sorted(folder.glob("*.mid"))
               for t in symusic.Score(str(f)).tracks)


def machine() -> dict[str, str]:
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import numpy

    return {"cpus": str(os.cpu_count()), "cpu": model,
            "python": platform.python_version(), "numpy": numpy.__version__,
            "platform": platform.platform()}


def random_motifs(count: int, size: int = 8, seed: int = 0) -> list:
    import numpy as np

    from motifgen.motif import Motif
    from motifgen.theory import Key

    g = np.random.default_rng(seed)
    out = []
    for _ in range(count):
        steps = np.cumsum(g.choice([-2, -1, 1, 1, 2, 3], size)) - 1
        durations = g.choice([0.5, 1.0, 1.0, 1.5, 2.0], size)
        out.append(Motif.from_degrees(steps.tolist(), [0] * size, durations.tolist(),
                                      Key(2, "aeolian")))
    return out


# --------------------------------------------------------------------------


#: A MusicXML motif for `musicxml_film`: the map's theme, two bars in D.
MAP_MUSICXML = """<?xml version="1.0" encoding="UTF-8"?>
<score-partwise version="4.0"><part-list><score-part id="P1"><part-name>Map</part-name>
</score-part></part-list><part id="P1">
<measure number="1"><attributes><divisions>2</divisions><key><fifths>2</fifths></key>
<time><beats>4</beats><beat-type>4</beat-type></time></attributes>
{bar1}</measure><measure number="2">{bar2}</measure></part></score-partwise>
"""


def _xml_notes(notes: str) -> str:
    """`step octave duration` triples as MusicXML notes (durations in eighths)."""
    out = []
    for step, octave, length in (n.split() for n in notes.split(",")):
        out.append(f"<note><pitch><step>{step}</step><octave>{octave}</octave></pitch>"
                   f"<duration>{length}</duration></note>")
    return "".join(out)


def musicxml_film(tmp: Path) -> Path:
    """The example film with the map's theme read from a MusicXML file (the compass is
    already read from a MIDI file)."""
    folder = tmp / "musicxml_film"
    folder.mkdir()
    shutil.copy(EXAMPLE.parent / "compass.mid", folder / "compass.mid")
    (folder / "map.musicxml").write_text(MAP_MUSICXML.format(
        bar1=_xml_notes("A 4 4, D 5 2, C 5 2"), bar2=_xml_notes("G 4 4, A 4 2, F 4 2")),
        encoding="utf-8")
    text = EXAMPLE.read_text(encoding="utf-8")
    theme = 'motif: {degrees: "5 8 7 4 5 3 2 1", rhythm: "h q q h q q q q"}'
    assert theme in text, "the example's map theme changed: update musicxml_film"
    path = folder / "cartographer.yaml"
    path.write_text(text.replace(theme, "motif: {file: map.musicxml}"), encoding="utf-8")
    return path


def bench_example(tmp: Path, repeat: int, figures: dict[str, float]) -> list[Row]:
    """The example film in process and from the command line, against numpy's import."""
    from motifgen.compose import compose_film

    first, second = tmp / "example_a", tmp / "example_b"
    compose_film(EXAMPLE, first, progress=False)  # imports and warm-up
    best = min(times(lambda: compose_film(EXAMPLE, second, progress=False), repeat,
                     before=clear_caches))
    figures["compose"] = best
    same = all(filecmp.cmp(f, second / f.name, shallow=False) for f in first.iterdir())
    # a new process each time; bytecode cached as after an install (the first run writes it)
    cached = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    films = {"example": EXAMPLE, "musicxml": musicxml_film(tmp)}
    commands = {name: [str(BIN / "motifgen"), "compose", str(path), "-o",
                       str(tmp / f"{name}_cli"), "-q"] for name, path in films.items()}
    commands["numpy"] = [sys.executable, "-c", "import numpy"]
    cpu: dict[str, list[float]] = {name: [] for name in commands}
    for command in commands.values():
        subprocess.run(command, check=True, env=cached, capture_output=True)
    for _ in range(max(repeat, 3)):  # interleaved, so a busy moment hits every kind alike
        for name, command in commands.items():
            cpu[name].append(cpu_of(command, cached))
    numpy_cpu = statistics.median(cpu["numpy"])
    ratio = {name: statistics.median(cpu[name]) / numpy_cpu for name in films}
    cli_same = all(filecmp.cmp(f, tmp / "example_cli" / f.name, shallow=False)
                   for f in first.iterdir())
    help_ = statistics.median(times(lambda: subprocess.run(
        [str(BIN / "motifgen"), "--help"], check=True, capture_output=True, env=cached),
        repeat))
    child = run_child(films["musicxml"], tmp / "musicxml_child")
    n = len(cpu["numpy"])
    return [
        Row(f"example film, compose in process (best of {repeat})", f"{best:.3f} s"),
        Row(f"example film, cold CLI `motifgen compose -q` CPU / `python -c \"import numpy\"` "
            f"CPU (medians of {n}, bytecode cached)",
            f"{ratio['example']:.2f}x ({statistics.median(cpu['example']):.2f} s / "
            f"{numpy_cpu:.2f} s)", "<= 2.0x", ratio["example"] <= 2.0),
        Row("the same, the map's theme read from a MusicXML file (and the compass from MIDI)",
            f"{ratio['musicxml']:.2f}x ({statistics.median(cpu['musicxml']):.2f} s)",
            "<= 2.2x", ratio["musicxml"] <= 2.2),
        Row(f"`motifgen --help`, cold (median of {repeat})", f"{help_:.3f} s", "<= 0.3 s",
            help_ <= 0.3),
        Row("example film: identical bytes in two runs and from the CLI",
            "yes" if same and cli_same else "NO", "yes", same and cli_same, check=True),
        Row("modules of note imported composing a film with MIDI and MusicXML motifs",
            ", ".join(child["heavy"]) or "none", "none", not child["heavy"], check=True),
    ]


def bench_large(tmp: Path, scenes: int, repeat: int) -> tuple[list[Row], Path]:
    """The synthetic film: one process against two, peak memory, notes per second."""
    from . import synthetic

    project = synthetic.write(tmp, scenes=scenes)
    runs: dict[int, list[dict]] = {1: [], 2: []}
    for _ in range(max(1, repeat // 2)):  # interleaved, in one run
        for jobs in runs:
            runs[jobs].append(run_child(project, tmp / f"large{jobs}", jobs))
    same = not subprocess.run(["diff", "-rq", str(tmp / "large1"), str(tmp / "large2")],
                              capture_output=True).returncode
    notes = midi_notes(tmp / "large1")
    one = statistics.median(r["compose"] for r in runs[1])
    two = statistics.median(r["compose"] for r in runs[2])
    peak = max(r["maxrss_kb"] for r in runs[1] + runs[2]) / 1024
    cues = sorted(f.stem for f in (tmp / "large1").glob("*.mid"))
    cue = cues[len(cues) // 2]
    alone = run_child(project, tmp / "large_cue", 1, (cue,))  # the others' tracks: cached
    same_cue = filecmp.cmp(tmp / "large1" / f"{cue}.mid", tmp / "large_cue" / f"{cue}.mid",
                           shallow=False)
    return [
        Row(f"{scenes}-scene film (2-3 min each), compose + mid/json, `--jobs 1` "
            f"(median of {len(runs[1])})",
            f"{one:.2f} s (+{runs[1][0]['import']:.2f} s imports), {notes / one:,.0f} "
            f"notes/s ({notes:,} notes)"),
        Row(f"{scenes}-scene film, `--jobs 2` / `--jobs 1` wall (same run)",
            f"{two / one:.2f}x ({two:.2f} s)", "<= 0.6x (idle machine)", two / one <= 0.6),
        Row(f"{scenes}-scene film, peak memory (ru_maxrss, workers included)",
            f"{peak:.0f} MB", "<= 80 MB", peak <= 80),
        Row(f"{scenes}-scene film: identical bytes with `--jobs 1` and `--jobs 2`",
            "yes" if same else "NO", "yes", same, check=True),
        Row(f"one cue of that film (`--scene {cue}`) after the whole film, the others' tracks "
            "read from the cache", f"{alone['compose']:.2f} s "
            f"({one / alone['compose']:.0f}x faster than the whole film)"),
        Row("that cue: identical bytes alone and in the whole film", "yes" if same_cue else
            "NO", "yes", same_cue, check=True),
    ], project


def bench_warm(project_path: Path, figures: dict[str, float]) -> list[Row]:
    """A warm recompose: the project loaded, every scene heard once, then each scene
    composed again with a new seed (`compose_scene`, what a live front end calls)."""
    from motifgen.arrange import compose_scene
    from motifgen.project import load

    project = load(project_path)
    for scene in project.scenes:
        compose_scene(project, scene)
    spans = []
    for scene in project.scenes:
        start = time.perf_counter()
        compose_scene(project, scene, seed=7)
        spans.append(time.perf_counter() - start)
    median, worst = statistics.median(spans), max(spans)
    return [Row(f"warm recompose of one 2-3 min cue with a new seed, median / worst of the "
                f"{len(spans)} scenes", f"{median * 1e3:.0f} / {worst * 1e3:.0f} ms",
                "<= 10 / <= 20 ms", median <= 0.010 and worst <= 0.020)]


def bench_transforms(seconds: float) -> list[Row]:
    from motifgen.development.chain import apply_chain, parse_chain
    from motifgen.development.vary import vary

    motifs = random_motifs(64)
    chains = [parse_chain(c) for c in TRANSFORM_CHAINS]
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        for m in motifs:
            for steps in chains:
                apply_chain(m, steps)
        count += len(motifs) * len(chains)
    rate = count / (time.perf_counter() - start)
    fresh = random_motifs(400, seed=1)  # a new motif per call: nothing comes from a cache
    found, calls, start = 0, 0, time.perf_counter()
    while time.perf_counter() - start < seconds and calls < len(fresh):
        found += len(vary(fresh[calls], MOODS[calls % len(MOODS)], n=8, seed=calls))
        calls += 1
    elapsed = time.perf_counter() - start
    return [
        Row(f"apply_chain on 8-note motifs ({len(TRANSFORM_CHAINS)} chains of 1-2 steps)",
            f"{rate:,.0f} motifs/s", ">= 20,000/s", rate >= 20_000),
        Row("vary(n=8) on fresh 8-note motifs",
            f"{found / elapsed:,.0f} variations/s ({calls / elapsed:.1f} calls/s)"),
    ]


def bench_baseline(tmp: Path, repeat: int, figures: dict[str, float]) -> list[Row]:
    from motifgen.arrange import compose_scene
    from motifgen.development.chain import apply_chain, parse_chain
    from motifgen.io.midi import write_midi
    from motifgen.project import load

    from . import baseline

    baseline.import_music21()
    motifs = random_motifs(64, seed=2)
    ours_ops, theirs_ops = {}, {}
    streams = [baseline.motif_stream(m) for m in motifs]
    for op in baseline.OPS:
        steps = parse_chain(baseline.CHAINS[op])
        ours_ops[op] = min(times(lambda s=steps: [apply_chain(m, s) for m in motifs], repeat))
        theirs_ops[op] = min(times(lambda o=op: [baseline.apply(o, s) for s in streams],
                                   max(1, repeat // 2)))
    ours_t, theirs_t = sum(ours_ops.values()), sum(theirs_ops.values())
    project = load(EXAMPLE)
    scores = [compose_scene(project, s) for s in project.scenes]
    (tmp / "ours_mid").mkdir()
    (tmp / "m21_mid").mkdir()
    ours_w = min(times(lambda: [write_midi(s, tmp / "ours_mid" / f"{s.id}.mid")
                                for s in scores], repeat))
    theirs_w = min(times(lambda: [baseline.write_midi(s, tmp / "m21_mid" / f"{s.id}.mid")
                                  for s in scores], max(1, repeat // 3)))
    per_op = ", ".join(f"{op} {theirs_ops[op] / ours_ops[op]:.0f}x" for op in baseline.OPS)
    n = len(motifs) * len(baseline.OPS)
    whole = theirs_w / figures["compose"]
    return [
        Row(f"transforms vs music21 ({n} ops on 8-note motifs)",
            f"ours {ours_t * 1e3:.1f} ms / music21 {theirs_t * 1e3:.0f} ms = "
            f"{theirs_t / ours_t:.0f}x faster ({per_op})", ">= 20x", theirs_t / ours_t >= 20),
        Row(f"MIDI writing vs music21 ({len(scores)} example scenes, "
            f"{sum(s.note_count() for s in scores):,} notes)",
            f"ours {ours_w * 1e3:.0f} ms / music21 {theirs_w * 1e3:.0f} ms = "
            f"{theirs_w / ours_w:.0f}x faster", ">= 20x", theirs_w / ours_w >= 20),
        Row("whole compose of the example film (YAML to mid + json files) vs music21 only "
            "writing the same notes to MIDI",
            f"{figures['compose'] * 1e3:.0f} ms / {theirs_w * 1e3:.0f} ms = {whole:.1f}x faster",
            ">= 8x", whole >= 8),
    ]


def table(rows: list[Row]) -> str:
    lines = ["| Benchmark | Result | Target | Met |", "|---|---|---|---|"]
    for r in rows:
        met = "" if r.ok is None else ("yes" if r.ok else "**no**")
        lines.append(f"| {r.name} | {r.value} | {r.target} | {met} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    p.add_argument("--scenes", type=int, default=120, help="scenes in the synthetic film")
    p.add_argument("--repeat", type=int, default=5, help="repetitions of the short measurements")
    p.add_argument("--quick", action="store_true",
                   help="20 scenes, 2 repetitions: a smoke run, failing on the checks only")
    p.add_argument("--no-write", action="store_true", help="do not write results.md")
    args = p.parse_args(argv)
    if args.quick:
        args.scenes, args.repeat = 20, 2
    from .studio import bench_studio

    info = machine()
    rows: list[Row] = []
    figures: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="motifgen-bench-") as folder:
        tmp = Path(folder)
        large, project = bench_large(tmp, args.scenes, args.repeat)
        for step in (lambda: bench_example(tmp, args.repeat, figures),
                     lambda: large,
                     lambda: bench_warm(project, figures),
                     lambda: bench_transforms(1.0),
                     lambda: bench_baseline(tmp, args.repeat, figures),
                     lambda: bench_studio(tmp, args.repeat)):
            rows += step()
            print(f"  ... {rows[-1].name}", file=sys.stderr)
    head = (f"Machine: {info['cpus']} CPUs ({info['cpu']}), Python {info['python']}, "
            f"numpy {info['numpy']}, {info['platform']}")
    text = f"{head}\n\n{table(rows)}\n"
    print(text)
    if not args.no_write:
        RESULTS.write_text("# Benchmark results\n\nWritten by `python -m benchmarks` "
                           f"(see README.md in this folder).\n\n{text}")
    failed = [r for r in rows if r.ok is False and (r.check or not args.quick)]
    for r in failed:
        print(f"benchmarks: outside its target: {r.name}: {r.value} (target {r.target})",
              file=sys.stderr)
    return 1 if failed else 0
