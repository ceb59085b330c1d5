"""What the command line sets up before numpy is imported: BLAS on one thread."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).resolve().parent.parent / "motifs" / "cartographer.yaml"
#: A command run in process, then numpy's BLAS setting and this process's thread count.
CHILD = ("import os, sys\nfrom motifgen.cli import main\n"
         f"assert main(['validate', {str(EXAMPLE)!r}]) == 0\n"
         "assert 'numpy' in sys.modules\n"
         "print(os.environ.get('OPENBLAS_NUM_THREADS', '-'), len(os.listdir('/proc/self/task')))\n")


def _run(**env: str) -> list[str]:
    base = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    done = subprocess.run([sys.executable, "-c", CHILD], env={**base, **env},
                          capture_output=True, text=True, check=True)
    return done.stdout.splitlines()[-1].split()


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux's /proc")
@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="one processor: BLAS has one thread")
def test_the_command_runs_numpy_on_one_thread():
    """OpenBLAS starts a thread per processor when numpy is imported; the command asks for
    one, so the process composes on the thread it has."""
    assert _run() == ["1", "1"]


def test_a_blas_setting_of_the_users_is_kept():
    assert _run(OPENBLAS_NUM_THREADS="2")[0] == "2"
