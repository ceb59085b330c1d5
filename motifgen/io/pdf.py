"""PDF of a Score's MusicXML, engraved by MuseScore 3 (``mscore3 -o score.pdf``).

The MusicXML writer's document goes into a temporary folder, MuseScore converts
it offscreen (no display needed), and the PDF is moved into place atomically: a
failed conversion leaves nothing behind. The program is looked up before any
work is done, so a missing MuseScore is one line and nothing written.

MuseScore 3 takes the staff size from the MusicXML but not the page, so the page
the file asks for (A3 for a full score of many staves) is handed to it as a style
file (`style_for`).

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


MM_PER_INCH = 25.4
#: Style flags: staves with nothing to play are left out after the first system, as a
#: copyist sets a full score.
HIDE_EMPTY = ("hideEmptyStaves", "dontHideStavesInFirstSystem")


def style_for(musicxml: bytes) -> str:
    """A MuseScore 3 style (.mss) giving the page size, margins and staff space of a
    MusicXML document's `<defaults>` (MuseScore reads only the staff space itself),
    and hiding empty staves after the first system."""
    import xml.etree.ElementTree as ET

    defaults = ET.fromstring(musicxml).find("defaults")
    if defaults is None:
        raise MotifgenError("the MusicXML has no <defaults> (page and scaling)", where="pdf")
    mm = float(defaults.findtext("scaling/millimeters", "7"))
    tenths = float(defaults.findtext("scaling/tenths", "40"))

    def inches(tag: str, default: float) -> float:
        return float(defaults.findtext(f"page-layout/{tag}", str(default))) * mm / tenths \
            / MM_PER_INCH

    width, height = inches("page-width", 1200), inches("page-height", 1700)
    margin = inches("page-margins/left-margin", 70)
    values = {"pageWidth": width, "pageHeight": height, "pagePrintableWidth": width - 2 * margin,
              "Spatium": mm / 4}
    for side in ("Even", "Odd"):
        for edge in ("Left", "Top", "Bottom"):
            values[f"page{side}{edge}Margin"] = margin
    body = "".join(f"    <{k}>{v:.4f}</{k}>\n" for k, v in values.items())
    flags = "".join(f"    <{k}>1</{k}>\n" for k in HIDE_EMPTY)
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<museScore version="3.01">\n  <Style>\n'
            f"    <pageTwosided>0</pageTwosided>\n{flags}{body}  </Style>\n</museScore>\n")


def _musescore(program: str, args: list[str], made: Path, where: str) -> None:
    """Run MuseScore offscreen; MotifgenError unless it made `made`."""
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    try:
        done = subprocess.run([program, *args], capture_output=True, text=True,
                              timeout=_TIMEOUT_SECONDS, env=env, stdin=subprocess.DEVNULL,
                              check=False)
    except (OSError, subprocess.TimeoutExpired) as e:
        raise MotifgenError(f"MuseScore could not run: {e}", where=where) from e
    if done.returncode != 0 or not made.is_file() or made.stat().st_size == 0:
        tail = (done.stderr or done.stdout or "").strip().splitlines()[-3:]
        raise MotifgenError(f"MuseScore failed (exit {done.returncode}): {' | '.join(tail)}",
                            where=where)


def write_pdf(score: Score, path: str | os.PathLike[str]) -> Path:
    """Engrave `score` as a PDF at `path`, atomically; return the path.

    Two MuseScore runs: the MusicXML with the page style into MuseScore's own file,
    then that into a PDF (a PDF made straight from MusicXML keeps A4 systems).
    """
    from .musicxml import write_musicxml

    program = find_musescore()
    with tempfile.TemporaryDirectory(prefix="motifgen-pdf-") as work:
        xml, style = Path(work) / "score.musicxml", Path(work) / "page.mss"
        native, pdf = Path(work) / "score.mscx", Path(work) / "score.pdf"
        write_musicxml(score, xml)
        style.write_text(style_for(xml.read_bytes()), encoding="utf-8")
        _musescore(program, ["-S", str(style), "-o", str(native), str(xml)], native, str(path))
        _musescore(program, ["-o", str(pdf), str(native)], pdf, str(path))
        if pdf.read_bytes()[:5] != b"%PDF-":
            raise MotifgenError("MuseScore wrote something that is not a PDF", where=str(path))
        with atomic_write(path) as tmp:
            shutil.copyfile(pdf, tmp)
    return Path(path)
