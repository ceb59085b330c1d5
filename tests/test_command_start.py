"""What the command line sets up before numpy is imported (BLAS on one thread) and how it
leaves (`cli.run`: exit handlers and flushed output, without Python's teardown)."""

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


def _command(*args: str, before: str = "") -> subprocess.CompletedProcess[str]:
    """`motifgen ARGS` as the installed command runs it (`cli.run`), after `before`, its
    output block-buffered as into any pipe (PYTHONUNBUFFERED left out)."""
    code = (f"import sys\n{before}\nfrom motifgen.cli import run\n"
            f"sys.argv = ['motifgen', *{list(args)!r}]\nrun()\n")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=env)


def test_the_command_leaves_with_mains_status():
    assert _command("validate", str(EXAMPLE)).returncode == 0
    bad = _command("validate", str(EXAMPLE.parent / "no-such-film.yaml"))
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "no-such-film" in bad.stderr


def test_what_the_command_printed_is_flushed_into_a_pipe():
    """Standard output piped (block-buffered) is flushed before the process leaves: every
    line of a listing arrives, as from `main()` and a normal exit."""
    done = _command("transforms")
    normal = subprocess.run([sys.executable, "-c", "from motifgen.cli import main\n"
                             "main(['transforms'])"], capture_output=True, text=True)
    assert done.returncode == 0 and len(done.stdout.splitlines()) > 10
    assert done.stdout == normal.stdout


def test_exit_handlers_still_run():
    """Handlers registered for the process's exit (worker pools, temporary folders) run
    before it leaves, and their output is flushed too."""
    done = _command("moods", before="import atexit\natexit.register(print, 'handlers ran')")
    assert done.returncode == 0 and done.stdout.rstrip().endswith("handlers ran")
