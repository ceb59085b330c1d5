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
