"""Helpers for the hostile-input corpus: a small world on disk, the real command, snapshots.

Every case builds a world in its own temporary folder (a project folder, an output folder
holding yesterday's files, a home folder and a temporary folder the process is told to
use), runs ``python -m motifgen`` as a real process with a 20 s bound, and compares a
snapshot of the whole world before and after: so "nothing touched" covers the output
folder, the project, and every file the process could have left elsewhere in the world.
"""

from __future__ import annotations

import hashlib
import os
import stat
import subprocess
import sys
import tempfile
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

from tests.conftest import ROOT

TIMEOUT = 20
#: Compiled bytecode for the processes the corpus starts, kept outside every world (so the
#: snapshots do not see it) and shared by all of them: half the start-up time.
PYCACHE = Path(tempfile.gettempdir()) / f"motifgen-test-pycache-{os.getuid()}"

PROJECT = """\
motifgen: 1
title: Hostile film
key: D minor
fps: 24
characters:
  hero:
    motif: "4/4 d4 a4 g8 f e4 f4. g8 a2"
scenes:
  - id: 1M1
    start: "01:00:00:00"
    seconds: 8
    mood: tender
    featuring: [hero]
  - id: 1M2
    start: "01:00:10:00"
    seconds: 8
    mood: action
    featuring: [hero]
"""


def snapshot(folder: Path) -> dict[str, tuple]:
    """Every entry under `folder` (hidden ones too, symlinks not followed): its kind and
    mode, and the hash of a file's bytes or a link's target."""
    seen: dict[str, tuple] = {}
    for dirpath, dirnames, filenames in os.walk(folder):
        for name in dirnames + filenames:
            path = Path(dirpath) / name
            info = path.lstat()
            rel = str(path.relative_to(folder))
            if stat.S_ISLNK(info.st_mode):
                seen[rel] = ("link", os.readlink(path))
            elif stat.S_ISREG(info.st_mode):
                seen[rel] = ("file", stat.S_IMODE(info.st_mode),
                             hashlib.sha256(path.read_bytes()).hexdigest())
            else:
                seen[rel] = (stat.S_IFMT(info.st_mode), stat.S_IMODE(info.st_mode))
    return seen


@dataclass
class Run:
    status: int
    out: str
    err: str

    @property
    def lines(self) -> list[str]:
        return self.err.splitlines()


@dataclass
class World:
    """A temporary world: `project` (proj/film.yaml), `out` (holding yesterday's sketch),
    `home` and `tmp` (the process's HOME and TMPDIR)."""

    root: Path
    env: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in ("proj", "out", "home", "tmp"):
            (self.root / name).mkdir(exist_ok=True)
        self.project.write_text(PROJECT, encoding="utf-8")
        (self.out / "1M1.mid").write_bytes(b"MThd yesterday's 1M1")
        (self.out / "notes.txt").write_text("the director's notes\n", encoding="utf-8")
        self.env = {**os.environ, "HOME": str(self.home), "TMPDIR": str(self.tmp),
                    "PYTHONPATH": str(ROOT), "PYTHONPYCACHEPREFIX": str(PYCACHE)}
        for name in ("MUSIC21_SETTINGS", "PYTHONDONTWRITEBYTECODE"):
            self.env.pop(name, None)

    @property
    def proj(self) -> Path:
        return self.root / "proj"

    @property
    def project(self) -> Path:
        return self.proj / "film.yaml"

    @property
    def out(self) -> Path:
        return self.root / "out"

    @property
    def home(self) -> Path:
        return self.root / "home"

    @property
    def tmp(self) -> Path:
        return self.root / "tmp"

    def write(self, text: str, name: str = "film.yaml") -> Path:
        path = self.proj / name
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    def run(self, *args: str | Path, timeout: float = TIMEOUT) -> Run:
        done = subprocess.run([sys.executable, "-m", "motifgen", *map(str, args)],
                              capture_output=True, text=True, timeout=timeout,
                              env=self.env, cwd=self.root)
        return Run(done.returncode, done.stdout, done.stderr)

    def snapshot(self) -> dict[str, tuple]:
        return snapshot(self.root)

    def refuses(self, *args: str | Path, expect: str = "", status: int = 2) -> Run:
        """Run the command and check the contract for bad input: exit `status`, exactly
        one stderr line starting ``motifgen`` (holding `expect`), no traceback, nothing
        on stdout that claims a file was written, and the whole world as it was."""
        before = self.snapshot()
        run = self.run(*args)
        assert run.status == status, (run.status, run.err)
        assert "Traceback" not in run.err, run.err
        assert len(run.lines) == 1, run.err
        # "motifgen: FILE: ..." (a usage mistake: "motifgen COMMAND: argument ...")
        assert run.lines[0].startswith("motifgen"), run.err
        assert expect in run.lines[0], (expect, run.lines[0])
        assert "wrote" not in run.out, run.out
        assert self.snapshot() == before
        return run


def mount_tmpfs(path: Path, size: str = "1m") -> bool:
    """Mount a small tmpfs at `path` (root only); False when this machine cannot."""
    path.mkdir(exist_ok=True)
    if os.geteuid() != 0:
        return False
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs",
                           str(path)], capture_output=True)
    return done.returncode == 0


def remount_read_only(path: Path) -> None:
    subprocess.run(["mount", "-o", "remount,ro", str(path)], check=True, capture_output=True)


def unmount(path: Path) -> None:
    subprocess.run(["umount", "-l", str(path)], capture_output=True)


def film(scenes: int, seconds: int = 300, hits: int = 10) -> str:
    """A legal film of `scenes` scenes of `seconds` each with `hits` hits apiece."""
    lines = PROJECT.split("scenes:")[0].splitlines() + [
        "  foe:", '    motif: {degrees: "1 2 1 -1 -3 1", rhythm: "q. e q q h w"}', "scenes:"]
    moods = ["action", "tender", "menacing", "heroic", "mysterious"]
    for i in range(scenes):
        start = (seconds + 60) * i
        lines += [f"  - id: S{i + 1:03d}", f'    start: "{_tc(3600 + start)}"',
                  f"    seconds: {seconds}", f"    mood: {moods[i % 5]}",
                  "    featuring: [hero, foe]", "    hits:"]
        step = seconds / (hits + 1)
        lines += [f'      - {{at: "{_tc(3600 + start + round(step * k))}", label: "hit {k}"}}'
                  for k in range(1, hits + 1)]
    return "\n".join(lines) + "\n"


def _tc(seconds: int) -> str:
    h, rest = divmod(seconds, 3600)
    return f"{h:02d}:{rest // 60:02d}:{rest % 60:02d}:00"


def group_alive(pgid: int) -> list[int]:
    """The processes still in process group `pgid` (zombies aside)."""
    alive = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            alive.append(int(entry.name))
    return alive
