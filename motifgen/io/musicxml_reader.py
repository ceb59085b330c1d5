"""Read a MusicXML motif (``.musicxml``, ``.xml`` or compressed ``.mxl``) with the standard
library only: `read_musicxml_motif` (`musicxml` writes scores).

Composing never goes through music21's converter, which keeps parsed files as pickles
in a shared scratch folder: a pickle someone else planted there would run as code. The
XML is parsed by expat with entity declarations and external entities refused (the
defusedxml rules: no XXE, no entity-expansion bombs; a DOCTYPE naming the MusicXML DTD
is fine, it is never fetched); a ``.mxl`` archive is unpacked in memory, at most
`MAX_MUSICXML_BYTES` of it. The notes read are those music21 gives for the same file (the
tests compare both on music21's corpus): the first part (its first staff when it has
several), each chord as its top note, grace notes left out, ties kept as separate notes,
measure offsets and a pickup bar as music21 lays them out.
"""

from __future__ import annotations

import io
import zipfile
from fractions import Fraction
from pathlib import Path
from xml.etree.ElementTree import Element, TreeBuilder
from xml.parsers import expat

from msgspec import Struct

from ..errors import NotationError
from ..motif import Motif
from ..theory import LETTER_PC, Key, bar_beats
from .motif_files import read_motif_bytes

#: The most XML one motif file may hold (a ``.mxl`` archive unpacked): a whole
#: orchestral score fits, a zip bomb does not.
MAX_MUSICXML_BYTES = 16_000_000


class _Refused(Exception):
    """Raised inside an expat handler: the file declares something we do not read."""


def parse_xml(data: bytes) -> Element:
    """The element tree of `data`; entity declarations (internal or external) and
    references to external entities are refused, nothing is fetched."""
    builder = TreeBuilder()
    parser = expat.ParserCreate()
    parser.buffer_text = True
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def refuse_entity(name: str, *args: object) -> None:
        raise _Refused(f"it declares the entity {name!r}; MusicXML motifs may not declare "
                       "entities (they can expand without bound or read other files)")

    def refuse_external(context: object, base: object, system_id: object,
                        public_id: object) -> int:
        raise _Refused(f"it refers to the external entity {system_id!r}, which is never read")

    parser.EntityDeclHandler = refuse_entity
    parser.UnparsedEntityDeclHandler = refuse_entity
    parser.ExternalEntityRefHandler = refuse_external
    parser.StartElementHandler = builder.start
    parser.EndElementHandler = builder.end
    parser.CharacterDataHandler = builder.data
    try:
        parser.Parse(data, True)
    except _Refused as e:
        raise NotationError(str(e)) from None
    except expat.ExpatError as e:
        raise NotationError(f"not well-formed XML: {expat.ErrorString(e.code)} at line "
                            f"{e.lineno}") from None
    return builder.close()


def unpack_mxl(data: bytes) -> bytes:
    """The MusicXML document inside a compressed ``.mxl`` archive: the root file that
    ``META-INF/container.xml`` names, else the first ``.musicxml``/``.xml`` entry; refused
    when it would unpack to more than `MAX_MUSICXML_BYTES`."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = archive.namelist()
        root = None
        if "META-INF/container.xml" in names:
            container = parse_xml(_member(archive, "META-INF/container.xml"))
            for item in container.iter("rootfile"):
                path = item.get("full-path", "")
                if path in names and not path.lower().endswith((".pdf", ".png", ".mid")):
                    root = path
                    break
        if root is None:
            root = next((n for n in names if not n.startswith("META-INF/")
                         and n.lower().endswith((".musicxml", ".xml"))), None)
        if root is None:
            raise NotationError("the .mxl archive holds no MusicXML document")
        return _member(archive, root)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, RuntimeError,
            EOFError, OSError, ValueError) as e:
        raise NotationError(f"not a readable .mxl (zip) archive: {e}") from None


def _member(archive: zipfile.ZipFile, name: str) -> bytes:
    """One archive member, read at most to `MAX_MUSICXML_BYTES` whatever its header claims."""
    info = archive.getinfo(name)
    too_big = NotationError(f"{name} in the .mxl archive unpacks to more than "
                            f"{MAX_MUSICXML_BYTES // 1_000_000} MB; a motif file is a few bars")
    if info.file_size > MAX_MUSICXML_BYTES:
        raise too_big
    with archive.open(info) as member:
        data = member.read(MAX_MUSICXML_BYTES + 1)
    if len(data) > MAX_MUSICXML_BYTES:
        raise too_big
    return data


class XmlNotes(Struct, frozen=True):
    """What a MusicXML file's first part holds: rows (onset, duration, MIDI pitch,
    velocity) in quarter notes from its first bar line (a pickup bar counted as
    full), and its first time signature."""

    rows: list[tuple[float, float, int, int]]
    meter: tuple[int, int] | None


def read_musicxml(data: bytes, compressed: bool) -> XmlNotes:
    """The notes of the first part of a MusicXML document (or ``.mxl`` archive)."""
    if compressed or data[:4] == b"PK\x03\x04":
        data = unpack_mxl(data)
    if len(data) > MAX_MUSICXML_BYTES:
        raise NotationError(f"the MusicXML is larger than {MAX_MUSICXML_BYTES // 1_000_000} MB")
    root = parse_xml(data)
    if root.tag != "score-partwise":
        what = ("a timewise score; save it as partwise MusicXML" if root.tag == "score-timewise"
                else f"the root element is <{root.tag}>, not <score-partwise>")
        raise NotationError(f"not a MusicXML score: {what}")
    part = root.find("part")
    if part is None:
        raise NotationError("the MusicXML score has no parts")
    software = [t for t in (s.text.strip() for s in root.iter("software") if s.text) if t]
    return _part_notes(part, finale=bool(software) and "Finale" in software[0])


def _number(el: Element | None, what: str, positive: bool = False) -> Fraction | None:
    """The number in `el`'s text (None when absent or empty)."""
    text = (el.text or "").strip() if el is not None else ""
    if not text:
        return None
    try:
        value = Fraction(text)
    except (ValueError, ZeroDivisionError):
        raise NotationError(f"bad {what} {text[:20]!r}; expected a number") from None
    if abs(value) > 10**9 or (positive and value <= 0) or value < 0:
        raise NotationError(f"bad {what} {text[:20]!r}; expected a "
                            f"{'positive' if positive else 'non-negative'} number")
    return value


def _time_signature(el: Element) -> tuple[int, int] | None:
    """(beats, beat type) of a <time> element; composite beats such as 3+2 are added."""
    beats, kind = el.findtext("beats"), el.findtext("beat-type")
    if beats is None or kind is None:
        return None  # senza misura
    try:
        num = sum(int(b) for b in beats.strip().split("+"))
        den = int(kind.strip())
    except ValueError:
        raise NotationError(f"bad time signature {beats.strip()[:10]}/{kind.strip()[:10]}; "
                            "expected whole numbers such as 3/4") from None
    if not 1 <= num <= 32 or den not in (1, 2, 4, 8, 16, 32):
        raise NotationError(f"impossible time signature {num}/{den}; expected e.g. 3/4 or 6/8")
    return num, den


def _pitch(note: Element) -> int | None:
    """The MIDI number of a <note>'s <pitch> (None for a rest or an unpitched note)."""
    pitch = note.find("pitch")
    if pitch is None:
        return None
    step = (pitch.findtext("step") or "").strip().upper()
    if step not in LETTER_PC:
        raise NotationError(f"bad pitch step {step[:10]!r}; expected A to G")
    octave_text = (pitch.findtext("octave") or "").strip()
    try:
        octave = int(octave_text)
        alter = float(pitch.findtext("alter") or 0)
    except ValueError:
        raise NotationError(f"bad octave or alter in the pitch {step}{octave_text[:10]}") from None
    if not (-2 <= octave <= 10 and -3 <= alter <= 3):
        raise NotationError(f"pitch {step} octave {octave} alter {alter:g} is outside MIDI")
    ps = 12 * (octave + 1) + LETTER_PC[step] + alter
    midi = int(ps + 0.5) if ps >= 0 else -int(-ps + 0.5)  # music21 rounds half up
    if not 0 <= midi <= 127:
        raise NotationError(f"a note is MIDI pitch {midi}, outside 0..127")
    return midi


def _velocity(note: Element) -> int:
    """music21's velocity from the note's `dynamics` attribute (90 = velocity 80ish)."""
    text = note.get("dynamics")
    if text is None:
        return 80
    try:
        scalar = min(1.0, max(0.0, float(text) * 90 / 12700))
    except ValueError:
        return 80
    return round(scalar * 127) or 80


class _Measure:
    """What one <measure> holds while it is read: the time cursor, the furthest time
    reached, note and rest counts, a lone rest and the rows (top note of each chord)."""

    def __init__(self) -> None:
        self.cursor = self.highest = self.onset = Fraction(0)
        self.counts = {"note": 0, "rest": 0}
        self.lone_rest: tuple[Element, Fraction, Fraction] | None = None
        self.rows: list[list[Fraction | int]] = []
        self.chord_head: list[Fraction | int] | None = None

    def move(self, el: Element, step: Fraction, finale: bool) -> None:
        """A <backup> or <forward> of `step` quarter notes."""
        if el.tag == "backup":
            self.cursor = max(Fraction(0), self.cursor - step)
            return
        if finale:
            self.highest = max(self.highest, self.cursor + step)
        self.cursor += step

    def mark(self, el: Element, divisions: Fraction | None) -> None:
        """A <direction> or <harmony>: placed in the bar like a note."""
        shift_ = el.find("offset")
        text = (shift_.text or "").strip() if shift_ is not None else ""
        try:
            moved = Fraction(text) / _divisions(divisions) if text else Fraction(0)
        except (ValueError, ZeroDivisionError):
            moved = Fraction(0)
        self.highest = max(self.highest, self.cursor + moved)

    def note(self, el: Element, divisions: Fraction | None) -> None:
        """A <note>: a rest moves the cursor, a chord note may raise its chord's top."""
        if el.find("grace") is not None:
            return
        length = (_number(el.find("duration"), "note duration") or Fraction(0))
        length /= _divisions(divisions)
        is_rest = el.find("rest") is not None
        in_chord = el.find("chord") is not None and sum(self.counts.values()) > 0
        self.counts["rest" if is_rest else "note"] += 1
        if not in_chord:
            self.onset = self.cursor
            self.cursor += length
            self.chord_head = None
        self.highest = max(self.highest, self.onset + length)
        if is_rest:
            self.lone_rest = (el, self.onset, length)
            return
        pitch = _pitch(el)
        if pitch is None or (el.findtext("staff") or "1").strip() != "1":
            return
        if in_chord and self.chord_head is not None:
            self.chord_head[2] = max(int(self.chord_head[2]), pitch)
        elif not in_chord:
            self.chord_head = [self.onset, length, pitch, _velocity(el)]
            self.rows.append(self.chord_head)

    def length(self, bar: Fraction) -> Fraction:
        """How far the next measure starts after this one (music21's layout)."""
        if self.counts == {"note": 0, "rest": 1} and self.lone_rest is not None:
            el, start, length = self.lone_rest  # a whole-bar rest lasts the bar
            rest = el.find("rest")
            kind = (el.findtext("type") or "").strip()
            if (rest is not None and rest.get("measure") == "yes") or (
                    length != bar and kind in ("whole", "breve") and el.find("dot") is None
                    and el.find("time-modification") is None):
                self.highest = max(self.highest, start + bar)
        if self.highest > bar:  # an overfull bar: trusted when over by a round amount
            excess = self.highest - bar
            trusted = (excess > Fraction(1, 2) or (excess * 16).denominator == 1
                       or (excess * 12).denominator == 1)
            return self.highest if trusted else bar
        if self.highest == 0 and not self.counts["note"] and not self.counts["rest"]:
            return bar  # an empty measure is a bar's rest
        return self.highest


def _part_notes(part: Element, finale: bool = False) -> XmlNotes:
    """The notes of `part`; files written by Finale (`finale`) fill a <forward> with a
    hidden rest, which makes a bar longer (music21 does the same)."""
    meter: tuple[int, int] | None = None
    bar = Fraction(4)  # the last time signature's bar, quarter notes (4/4 until one is given)
    divisions: Fraction | None = None
    measure_offset, pickup = Fraction(0), Fraction(0)
    rows: list[tuple[Fraction, Fraction, int, int]] = []
    for index, measure in enumerate(part.iter("measure")):
        m = _Measure()
        for el in measure:
            if el.tag == "attributes":
                divisions = _number(el.find("divisions"), "divisions", positive=True) or divisions
                sig = next((s for s in map(_time_signature, el.findall("time")) if s), None)
                if sig is not None:
                    meter = meter or sig
                    bar = Fraction(4 * sig[0], sig[1])
            elif el.tag in ("backup", "forward"):
                length = _number(el.find("duration"), f"{el.tag} duration")
                if length is not None:
                    m.move(el, length / _divisions(divisions), finale)
            elif el.tag in ("direction", "harmony"):
                m.mark(el, divisions)
            elif el.tag == "note":
                m.note(el, divisions)
        shift = m.length(bar)
        if index == 0 and m.highest < bar and (m.highest or any(m.counts.values())):
            pickup = bar - m.highest  # a pickup: its notes end at the bar line
        rows += [(measure_offset + Fraction(o), Fraction(d), int(p), int(v))
                 for o, d, p, v in m.rows]
        measure_offset += shift
    return XmlNotes([(float(o) + float(pickup), float(d), p, v) for o, d, p, v in rows if d > 0],
                    meter)


def _divisions(divisions: Fraction | None) -> Fraction:
    if divisions is None:
        raise NotationError("a note or backup comes before <divisions>; expected "
                            "<attributes><divisions>N</divisions> first")
    return divisions


def read_musicxml_motif(path: Path, key: Key, default_meter: tuple[int, int] = (4, 4)) -> Motif:
    """The first part of a MusicXML file (``.musicxml``, ``.xml`` or compressed ``.mxl``)
    as a motif (chords give their top note), read by `read_musicxml` with the
    standard library: no music21, so no pickle cache, no entities, nothing fetched.

    As for MIDI, beat 0 is the bar line before the first note, so a pickup (a
    short first measure, or one that starts with rests) stays a pickup.
    """
    data = read_motif_bytes(path, MAX_MUSICXML_BYTES)
    try:
        found = read_musicxml(data, compressed=path.suffix.lower() == ".mxl")
    except NotationError as e:
        raise NotationError(f"cannot read MusicXML file {path}: {e.message}") from e
    except RecursionError as e:
        raise NotationError(f"cannot read MusicXML file {path}: nested too deeply") from e
    rows = found.rows
    if not rows:
        raise NotationError(f"MusicXML file {path} has no notes")
    meter = found.meter or default_meter
    bar = bar_beats(meter)
    first = (min(r[0] for r in rows) + 1 / 8) // bar * bar
    return Motif.from_notes([(o - first, d, p, v) for o, d, p, v in rows], key=key, meter=meter)
