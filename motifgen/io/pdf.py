"""PDF of a Score's MusicXML, engraved by MuseScore 3 (``mscore3 -o score.pdf``).

The MusicXML writer's document goes into a temporary folder, MuseScore converts
it offscreen (no display needed), and the PDF is moved into place atomically: a
failed conversion leaves nothing behind. The program is looked up before any
work is done, so a missing MuseScore is one line and nothing written.

The PDF is the one output that is not byte-identical from run to run (MuseScore
stamps its creation date and orders its font objects as it likes); the MusicXML
it is engraved from is.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from ..errors import MotifgenError, ToolMissingError
from ..score import Score
from .files import atomic_write

#: Program names MuseScore 3 is installed under, tried in order.
MUSESCORE_NAMES = ("mscore3", "musescore3", "mscore", "musescore")
_TIMEOUT_SECONDS = 600


def find_musescore() -> str:
    """Path of MuseScore (``MOTIFGEN_MUSESCORE`` first), or ToolMissingError saying how
    to install it."""
    named = os.environ.get("MOTIFGEN_MUSESCORE")
    for name in ([named] if named else []) + list(MUSESCORE_NAMES):
        found = shutil.which(name)
        if found:
            return found
    raise ToolMissingError("MuseScore 3 is not installed (needed for --format pdf); on "
                           "Debian/Ubuntu: apt-get install musescore3", where="pdf")


def write_pdf(score: Score, path: str | os.PathLike[str]) -> Path:
    """Engrave `score` as a PDF at `path`, atomically; return the path."""
    from .musicxml import write_musicxml

    program = find_musescore()
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    with tempfile.TemporaryDirectory(prefix="motifgen-pdf-") as work:
        xml, pdf = Path(work) / "score.musicxml", Path(work) / "score.pdf"
        write_musicxml(score, xml)
        try:
            done = subprocess.run([program, "-o", str(pdf), str(xml)], capture_output=True,
                                  text=True, timeout=_TIMEOUT_SECONDS, env=env,
                                  stdin=subprocess.DEVNULL, check=False)
        except (OSError, subprocess.TimeoutExpired) as e:
            raise MotifgenError(f"MuseScore could not run: {e}", where=str(path)) from e
        if done.returncode != 0 or not pdf.is_file() or pdf.read_bytes()[:5] != b"%PDF-":
            tail = (done.stderr or done.stdout or "").strip().splitlines()[-3:]
            raise MotifgenError(f"MuseScore failed (exit {done.returncode}): "
                                f"{' | '.join(tail)}", where=str(path))
        with atomic_write(path) as tmp:
            shutil.copyfile(pdf, tmp)
    return Path(path)
