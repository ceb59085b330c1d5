"""Measure everything in one run, print the table, write benchmarks/results.md.

    python -m benchmarks [--scenes 120] [--repeat 5] [--quick]

Times are wall-clock (`time.perf_counter`). In-process runs clear every
`functools.lru_cache` in motifgen before each repetition, so repetitions
do not reuse the previous run's work. Child processes are started with
the same interpreter; the large film runs pinned to one CPU.
"""

from __future__ import annotations

import argparse
import filecmp
import json
import os
import platform
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
if sys.argv[3] == "pin":
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
t0 = time.perf_counter()
from motifgen.compose import compose_film
t1 = time.perf_counter()
compose_film(sys.argv[1], sys.argv[2], progress=False)
t2 = time.perf_counter()
heavy = {"music21", "mido", "pretty_midi", "symusic", "matplotlib", "scipy", "tqdm"}
print(json.dumps({"import": t1 - t0, "compose": t2 - t1,
                  "maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                  "heavy": sorted(heavy & {m.split(".")[0] for m in sys.modules})}))
"""

TRANSFORM_CHAINS = ("transpose=2", "invert", "augment=2", "retrograde",
                    "fragment=3, sequence=3:+1", "step=+1, augment=3/2", "invert, retrograde",
                    "mode=dorian")
MOODS = ("heroic", "triumphant", "tender", "tragic", "melancholy", "menacing", "mysterious",
         "wonder", "playful", "action", "suspense", "peaceful")


@dataclass
class Row:
    name: str
    value: str
    target: str = ""
    ok: bool | None = None


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


def run_child(project: Path, out: Path, pin: bool) -> dict:
    done = subprocess.run([sys.executable, "-c", CHILD, str(project), str(out),
                           "pin" if pin else "free"],
                          check=True, capture_output=True, text=True, cwd=ROOT)
    return json.loads(done.stdout.strip().splitlines()[-1])


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


def bench_example(tmp: Path, repeat: int) -> list[Row]:
    from motifgen.compose import compose_film

    first, second = tmp / "example_a", tmp / "example_b"
    compose_film(EXAMPLE, first, progress=False)  # imports and warm-up
    best = min(times(lambda: compose_film(EXAMPLE, second, progress=False), repeat,
                     before=clear_caches))
    same = all(filecmp.cmp(f, second / f.name, shallow=False) for f in first.iterdir())
    command = [str(BIN / "motifgen"), "compose", str(EXAMPLE), "-o", str(tmp / "example_cli"),
               "-q"]
    # a new process each time; bytecode cached as after an install (the first run writes it)
    cached = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run(command, check=True, env=cached)
    cli = statistics.median(times(lambda: subprocess.run(command, check=True, env=cached),
                                  repeat))

    cli_same = all(filecmp.cmp(f, tmp / "example_cli" / f.name, shallow=False)
                   for f in first.iterdir())
    help_ = statistics.median(times(lambda: subprocess.run(
        [str(BIN / "motifgen"), "--help"], check=True, capture_output=True, env=cached),
        repeat))
    child = run_child(EXAMPLE, tmp / "example_child", pin=False)
    return [
        Row(f"example film, compose in process (best of {repeat})", f"{best:.3f} s"),
        Row(f"example film, cold CLI `motifgen compose -q`, bytecode cached (median of {repeat})",
            f"{cli:.3f} s", "<= 1.0 s", cli <= 1.0),
        Row(f"`motifgen --help`, cold (median of {repeat})", f"{help_:.3f} s", "<= 0.3 s",
            help_ <= 0.3),
        Row("example film: identical bytes in two runs and from the CLI",
            "yes" if same and cli_same else "NO", "yes", same and cli_same),
        Row("modules of note imported by a compose run",
            ", ".join(child["heavy"]) or "none", "no music21", "music21" not in child["heavy"]),
    ]


def bench_large(tmp: Path, scenes: int) -> list[Row]:
    from . import synthetic

    project = synthetic.write(tmp, scenes=scenes)
    out = tmp / "large"
    child = run_child(project, out, pin=True)
    notes = midi_notes(out)
    wall = child["compose"]
    peak = child["maxrss_kb"] / 1024
    return [
        Row(f"{scenes}-scene film (2-3 min each), compose + mid/json, one CPU",
            f"{wall:.2f} s (+{child['import']:.2f} s imports)", "<= 10 s", wall <= 10),
        Row(f"{scenes}-scene film, notes written per second",
            f"{notes / wall:,.0f} ({notes:,} notes)"),
        Row(f"{scenes}-scene film, peak memory (child ru_maxrss)", f"{peak:.0f} MB",
            "<= 300 MB", peak <= 300),
    ]


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


def bench_baseline(tmp: Path, repeat: int) -> list[Row]:
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
    return [
        Row(f"transforms vs music21 ({n} ops on 8-note motifs)",
            f"ours {ours_t * 1e3:.1f} ms / music21 {theirs_t * 1e3:.0f} ms = "
            f"{theirs_t / ours_t:.0f}x faster ({per_op})", ">= 20x", theirs_t / ours_t >= 20),
        Row(f"MIDI writing vs music21 ({len(scores)} example scenes, "
            f"{sum(s.note_count() for s in scores):,} notes)",
            f"ours {ours_w * 1e3:.0f} ms / music21 {theirs_w * 1e3:.0f} ms = "
            f"{theirs_w / ours_w:.0f}x faster", ">= 20x", theirs_w / ours_w >= 20),
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
    p.add_argument("--quick", action="store_true", help="20 scenes, 2 repetitions (a smoke run)")
    p.add_argument("--no-write", action="store_true", help="do not write results.md")
    args = p.parse_args(argv)
    if args.quick:
        args.scenes, args.repeat = 20, 2
    from .studio import bench_studio

    info = machine()
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="motifgen-bench-") as folder:
        tmp = Path(folder)
        for step in (lambda: bench_example(tmp, args.repeat),
                     lambda: bench_large(tmp, args.scenes),
                     lambda: bench_transforms(1.0),
                     lambda: bench_baseline(tmp, args.repeat),
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
    return 0
