"""The same project and seed give the same bytes: in other processes, with other hash
seeds, with --jobs, and whether a scene is composed alone or within the whole film
(tests/test_film.py checks the last for every scene)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import EXAMPLE, ROOT

SCENES = ["2M2", "2M3", "3M1"]


def _compose(out: Path, jobs: int, hash_seed: str) -> subprocess.Popen:
    args = [sys.executable, "-m", "motifgen", "compose", str(EXAMPLE), "-o", str(out), "-q",
            "--format", "mid,json,musicxml", "--jobs", str(jobs)]
    args += [a for s in SCENES for a in ("--scene", s)]
    env = {**os.environ, "PYTHONHASHSEED": hash_seed}
    return subprocess.Popen(args, env=env, cwd=ROOT, stderr=subprocess.PIPE)


def test_two_processes_and_jobs_give_byte_identical_files(tmp_path):
    one, two = tmp_path / "one", tmp_path / "two"
    runs = [_compose(one, 1, "1"), _compose(two, 2, "2")]
    for run in runs:
        _, err = run.communicate(timeout=300)
        assert run.returncode == 0, err
    names = sorted(p.name for p in one.iterdir())
    assert names == sorted(p.name for p in two.iterdir())
    assert len(names) == 3 * len(SCENES) + 2  # and the cue sheets
    for name in names:
        assert (one / name).read_bytes() == (two / name).read_bytes(), name


def test_workers_hand_out_the_costliest_first_and_return_results_in_order(tmp_path):
    """With one worker the order work is done in is the order it was handed out."""
    from motifgen.compose import _in_workers

    log = tmp_path / "order.txt"

    def work(item: int) -> int:
        with log.open("a") as f:
            f.write(f"{item}\n")
        return item * item

    items = [3, 9, 1, 7, 7, 2]
    assert _in_workers(items, work, 1, lambda _: None, float) == [i * i for i in items]
    assert log.read_text().split() == ["9", "7", "7", "3", "2", "1"]
    log.unlink()
    both = _in_workers(list(range(20)), work, 2, lambda _: None, lambda i: i % 3)
    assert both == [i * i for i in range(20)]
    assert sorted(map(int, log.read_text().split())) == list(range(20))


def test_workers_inherit_the_parent_frozen_and_the_parent_is_collected_again():
    """What the workers are forked with is out of their collector's reach (no copy-on-write
    of every object a collection would touch), and the parent collects as before."""
    import gc

    from motifgen.compose import _in_workers

    def work(item: int) -> int:
        return gc.get_freeze_count()

    frozen = _in_workers([0, 1], work, 2, lambda _: None, float)
    assert all(count > 1000 for count in frozen)  # the loaded modules at least
    assert gc.get_freeze_count() == 0
