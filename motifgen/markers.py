"""Marker lists from picture and sound departments -> spotted moments (`motifgen spot`).

Each reader takes the text of one export and gives `Spot`s: a point (a hit) or a
span (a region, which becomes a scene), with its timecode as written, a label, a
kind and the line it came from. The format is recognised from the text:

- Pro Tools "Export Session Info as Text": the ``M A R K E R S  L I S T I N G``
  table (tab-separated, columns named by its header: LOCATION, NAME, COMMENTS;
  a COMMENTS cell naming a hit kind gives the kind). ``TIMECODE FORMAT`` says the
  session's frame rate.
- Avid Media Composer "Export Markers" text: one marker a line, tab-separated
  user, timecode, track, colour, comment, duration in frames (a span marker,
  duration above one frame, is a region).
- Reaper's Region/Marker Manager CSV export with the time format set to
  timecode: ``#,Name,Start,End,Length``, ``M1``... markers, ``R1``... regions.
- A plain CSV with a header: ``timecode,label[,kind]``, kind a hit kind or
  ``cue_start`` / ``cue_end`` (a pair makes a region named by the start's label).
- A CMX 3600 EDL: every event's record-in is a picture cut; ``FCM:`` says drop or
  non-drop; ``* FROM CLIP NAME:`` names the shot.

A malformed row is one MotifgenError naming the file and line.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from pathlib import Path

from msgspec import Struct

from .errors import MotifgenError
from .timecode import FrameRate

#: Kinds a marker may give besides the hit kinds: the two ends of a new cue.
CUE_KINDS = ("cue_start", "cue_end")
#: Largest marker file read (a marker list is text of a few kilobytes).
MAX_BYTES = 5_000_000

_TC = r"\d{1,2}[:;]\d{2}[:;]\d{2}[:;.]\d{2}"
_IS_TC = re.compile(rf"^{_TC}$", re.ASCII)
_TC_FIELDS = re.compile(r"^(\d{1,2})[:;](\d{2})[:;](\d{2})([:;.])(\d{2})$", re.ASCII)
_EDL_EVENT = re.compile(rf"^\s*(\d{{1,6}})\s+\S+\s+\S+\s+\S+(?:\s+\d+)?\s+({_TC})\s+({_TC})\s+"
                        rf"({_TC})\s+({_TC})\s*$", re.ASCII)
#: Pro Tools' names for its timecode formats, and ours.
_PRO_TOOLS_RATES = {"23.976 frame": "23.976", "24 frame": "24", "25 frame": "25",
                    "29.97 frame": "29.97", "29.97 drop frame": "29.97df", "30 frame": "30",
                    "30 drop frame": "29.97df"}


class Spot(Struct, frozen=True):
    """One moment of a marker list: `timecode` (as written) and, for a region, `end`."""

    timecode: str
    label: str
    kind: str = ""  # a hit kind, "cut" for an EDL's picture cut, CUE_KINDS, or "" (any)
    line: int = 0
    end: str | None = None
    frames: int = 0  # a span given by its length in frames (Avid), not by its end
    downbeat: bool = True


class MarkerList(Struct, frozen=True):
    """What a marker file holds: its format, the frame rate it states (a rate's name, or
    "drop" / "non-drop" where only that is said), and its spots."""

    format: str
    rate: str | None
    spots: tuple[Spot, ...]


def read_markers(path: Path) -> MarkerList:
    """The spots of the marker file at `path`, whichever format it is in."""
    try:
        if not path.is_file():
            raise MotifgenError("cannot read the marker list: it is not a regular file",
                                str(path))
        raw = path.read_bytes()[:MAX_BYTES + 1]
    except OSError as e:
        raise MotifgenError(f"cannot read the marker list: {e.strerror or e}", str(path)) from e
    if len(raw) > MAX_BYTES:
        raise MotifgenError(f"the marker list is larger than {MAX_BYTES // 1_000_000} MB",
                            str(path))
    text = _decode(raw, path).replace("\r\n", "\n").replace("\r", "\n")
    for name, (recognise, read) in READERS.items():
        if recognise(text):
            rate, spots = read(text, str(path))
            return MarkerList(name, rate, tuple(spots))
    raise MotifgenError("not a marker list motifgen reads; expected a Pro Tools session info "
                        "text, an Avid marker export, a Reaper marker CSV, a CSV with the "
                        "header timecode,label[,kind] or a CMX 3600 EDL", str(path))


def _decode(raw: bytes, path: Path) -> str:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("latin-1")  # Pro Tools and Avid on older systems write Latin-1


def _fail(file: str, line: int, message: str) -> MotifgenError:
    return MotifgenError(message, f"{file}: line {line}")


def _timecode(cell: str, file: str, line: int, what: str = "a timecode") -> str:
    """`cell` as HH:MM:SS:FF (';' before the frames when it marks drop-frame; Reaper
    writes 1:00:04:00, some exports '.' before the frames)."""
    match = _TC_FIELDS.match(cell.strip())
    if match is None:
        raise _fail(file, line, f"expected {what} HH:MM:SS:FF, got {cell.strip()[:40]!r}")
    hh, mm, ss, sep, ff = match.groups()
    return f"{int(hh):02d}:{mm}:{ss}{';' if ';' in cell else ':'}{ff}"


# --- Pro Tools ---------------------------------------------------------------------


def _is_pro_tools(text: str) -> bool:
    return "M A R K E R S  L I S T I N G" in text


def _pro_tools(text: str, file: str) -> tuple[str | None, list[Spot]]:
    lines = text.split("\n")
    rate = None
    for line in lines:
        if line.upper().startswith("TIMECODE FORMAT:"):
            fmt = " ".join(line.split(":", 1)[1].split()).lower()
            rate = _PRO_TOOLS_RATES.get(fmt)
            if rate is None:
                raise _fail(file, lines.index(line) + 1, f"unknown timecode format {fmt!r}")
    start = next(i for i, line in enumerate(lines) if "M A R K E R S  L I S T I N G" in line)
    header_at = start + 1
    header = [c.strip().upper() for c in lines[header_at].split("\t")]
    if "LOCATION" not in header or "NAME" not in header:
        raise _fail(file, header_at + 1, "expected the markers header (# LOCATION ... NAME)")
    where, name = header.index("LOCATION"), header.index("NAME")
    comments = header.index("COMMENTS") if "COMMENTS" in header else None
    units = header.index("UNITS") if "UNITS" in header else None
    spots: list[Spot] = []
    for n, line in enumerate(lines[header_at + 1:], header_at + 2):
        if not line.strip():
            break
        cells = [c.strip() for c in line.split("\t")]
        if len(cells) <= max(where, name):
            raise _fail(file, n, "expected a marker row: number, location, time reference, "
                        "units, name (tab-separated)")
        if units is not None and len(cells) > units and not _IS_TC.match(cells[where]):
            raise _fail(file, n, f"marker location {cells[where]!r} is not a timecode; export "
                        "the session info with the main counter set to timecode")
        note = cells[comments] if comments is not None and comments < len(cells) else ""
        spots.append(Spot(_timecode(cells[where], file, n), cells[name] or f"Marker {n}",
                          _kind_word(note), n))
    return rate, spots


# --- Avid Media Composer ---------------------------------------------------------------


def _is_avid(text: str) -> bool:
    rows = [line.split("\t") for line in text.split("\n") if line.strip()]
    return bool(rows) and all(len(r) >= 5 and _IS_TC.match(r[1].strip()) for r in rows[:3])


def _avid(text: str, file: str) -> tuple[str | None, list[Spot]]:
    spots = []
    for n, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        cells = [c.strip() for c in line.split("\t")]
        if len(cells) < 5:
            raise _fail(file, n, "expected user, timecode, track, colour, comment[, duration] "
                        "separated by tabs")
        tc = _timecode(cells[1], file, n)
        label = cells[4] or f"Marker {n}"
        duration = cells[5] if len(cells) > 5 and cells[5] else "1"
        if not duration.isdigit():
            raise _fail(file, n, f"expected a duration in frames, got {duration[:20]!r}")
        length = int(duration) if int(duration) > 1 else 0
        spots.append(Spot(tc, label, "", n, frames=length))
    return None, spots


# --- CSV: Reaper and plain ------------------------------------------------------------


def _header(text: str) -> list[str]:
    first = text.lstrip("\ufeff").split("\n", 1)[0]
    return [c.strip().lower() for c in next(csv.reader([first]), [])]


def _is_reaper(text: str) -> bool:
    head = _header(text)
    return head[:3] == ["#", "name", "start"]


def _is_plain(text: str) -> bool:
    return _header(text)[:2] == ["timecode", "label"]


def _rows(text: str, file: str) -> list[tuple[int, dict[str, str]]]:
    try:
        reader = csv.DictReader(io.StringIO(text))
        return [(reader.line_num, {str(k).strip().lower(): (v or "").strip()
                                   for k, v in row.items() if k is not None})
                for row in reader if any((v or "").strip() for v in row.values())]
    except csv.Error as e:
        raise MotifgenError(f"not valid CSV: {e}", file) from e


def _reaper(text: str, file: str) -> tuple[str | None, list[Spot]]:
    spots = []
    hint = "a timecode (set Reaper's time format to hours:minutes:seconds:frames to export)"
    for n, row in _rows(text, file):
        ident = row.get("#", "")
        if ident[:1].upper() not in ("M", "R"):
            raise _fail(file, n, f"expected a marker (M1) or region (R1) number, got {ident!r}")
        tc = _timecode(row.get("start", ""), file, n, hint)
        end = _timecode(row["end"], file, n, hint) if ident[:1].upper() == "R" else None
        spots.append(Spot(tc, row.get("name") or ident, "", n, end))
    return None, spots


def _plain(text: str, file: str) -> tuple[str | None, list[Spot]]:
    spots, opened = [], None
    for n, row in _rows(text, file):
        tc = _timecode(row.get("timecode", ""), file, n)
        label = row.get("label") or f"Marker {n}"
        kind = row.get("kind", "").lower().replace("-", "_").replace(" ", "_")
        if kind and kind not in CUE_KINDS and _kind_word(kind) != kind:
            from .arrange.form import HIT_KINDS

            raise _fail(file, n, f"unknown kind {kind!r}; expected one of: "
                        + ", ".join([*HIT_KINDS, *CUE_KINDS]))
        if kind == "cue_start":
            if opened is not None:
                raise _fail(file, n, f"cue {opened.label!r} (line {opened.line}) has no cue_end")
            opened = Spot(tc, label, "", n)
        elif kind == "cue_end":
            if opened is None:
                raise _fail(file, n, "a cue_end without a cue_start before it")
            spots.append(Spot(opened.timecode, opened.label, "", opened.line, tc))
            opened = None
        else:
            spots.append(Spot(tc, label, kind, n))
    if opened is not None:
        raise _fail(file, opened.line, f"cue {opened.label!r} has no cue_end")
    return None, spots


# --- CMX 3600 EDL -------------------------------------------------------------------


def _is_edl(text: str) -> bool:
    return text.lstrip().upper().startswith("TITLE:") or any(
        _EDL_EVENT.match(line) for line in text.split("\n")[:20])


def _edl(text: str, file: str) -> tuple[str | None, list[Spot]]:
    rate: str | None = None
    spots: list[Spot] = []
    last: Spot | None = None
    for n, line in enumerate(text.split("\n"), 1):
        stripped = line.strip()
        upper = stripped.upper()
        if not stripped or upper.startswith("TITLE:"):
            continue
        if upper.startswith("FCM:"):
            rate = "non-drop" if "NON" in upper else "drop" if "DROP" in upper else rate
            continue
        if stripped.startswith("*"):
            if last is not None and upper.startswith("* FROM CLIP NAME:"):
                spots[-1] = last = Spot(last.timecode, f"{last.label}: "
                                        f"{stripped.split(':', 1)[1].strip()}", last.kind,
                                        last.line, downbeat=False)
            continue
        if upper.startswith(("M2 ", "SPLIT", ">>>", "%")):
            continue
        match = _EDL_EVENT.match(line)
        if match is None:
            raise _fail(file, n, "expected an EDL event: number, reel, track, transition, "
                        "source in, source out, record in, record out")
        if last is not None and last.label.startswith(f"Cut {match[1]}"):
            continue  # a dissolve's second line: one cut per event
        last = Spot(_timecode(match[4], file, n), f"Cut {match[1]}", "", n, downbeat=False)
        spots.append(last)
    return rate, spots


def _kind_word(text: str) -> str:
    """The hit kind a comment names (its first word), or "" when it names none."""
    from .arrange.form import HIT_KINDS

    word = text.strip().split(" ")[0].lower() if text.strip() else ""
    return word if word in HIT_KINDS else ""


#: Format name -> (recognise the text, read it); tried in this order.
READERS: dict[str, tuple[Callable[[str], bool],
                         Callable[[str, str], tuple[str | None, list[Spot]]]]] = {
    "Pro Tools session info": (_is_pro_tools, _pro_tools),
    "Reaper marker CSV": (_is_reaper, _reaper),
    "marker CSV": (_is_plain, _plain),
    "CMX 3600 EDL": (_is_edl, _edl),
    "Avid marker list": (_is_avid, _avid),
}


def check_rate(markers: MarkerList, rate: FrameRate, file: str) -> None:
    """A marker list that states a frame rate must state the project's (drop-frame and
    non-drop labels name different frames)."""
    if markers.rate in ("drop", "non-drop"):
        if (markers.rate == "drop") != rate.drop:
            raise MotifgenError(f"the {markers.format} is {markers.rate} frame but the project "
                                f"is at {rate.name}; export it at the project's rate", file)
    elif markers.rate is not None and markers.rate != rate.name:
        raise MotifgenError(f"the {markers.format} is at {markers.rate} fps but the project "
                            f"is at {rate.name}; export the markers at the project's rate",
                            file)
