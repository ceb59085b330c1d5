"""MusicXML 4.0 writer (through music21) and a validator against the vendored XSD.

One score per scene: a part per `Part` with its name, instrument and MIDI
program; transposing instruments (horn, clarinet, trumpet, English horn,
piccolo, contrabass) written at written pitch with a `<transpose>` element;
time signatures, key signatures and key changes, a metronome mark at every
tempo change, rehearsal marks at section markers and boxed text at hits.

Notation needs durations a score can show, so times are quantised per
quarter-note beat to either a sixteenth or a triplet-eighth grid (whichever
fits that beat's onsets and releases better). Overlapping notes of one part
go to separate voices (at most `MAX_VOICES`); notes crossing a bar line are
split and tied. Drum parts become a percussion part of unpitched notes.

music21 is imported inside the functions: importing this module is cheap.
"""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from fractions import Fraction
from pathlib import Path
from typing import Any

from ..errors import MotifgenError
from ..score import Part, Score
from ..theory import Key, bar_beats
from .files import atomic_write

#: Where the MusicXML 4.0 schema and the two W3C schemas it imports live.
SCHEMA_DIR = Path(__file__).resolve().parent.parent / "data" / "musicxml-4.0"
#: Most voices one part is written with; further overlapping notes are shortened.
MAX_VOICES = 4
#: The grids a beat may be quantised to (fractions of a quarter note).
GRIDS = (Fraction(1, 4), Fraction(1, 3))

_MUSIC21_MODES = {
    "ionian": "major", "aeolian": "minor", "dorian": "dorian", "phrygian": "phrygian",
    "lydian": "lydian", "mixolydian": "mixolydian", "locrian": "locrian",
}
#: GM drum keys -> (display step, octave) on a five-line percussion staff.
_DRUM_DISPLAY = {35: ("F", 4), 36: ("F", 4), 38: ("C", 5), 40: ("C", 5), 41: ("A", 4),
                 42: ("G", 5), 46: ("G", 5), 47: ("D", 5), 49: ("A", 5), 51: ("F", 5),
                 52: ("A", 5), 57: ("A", 5)}


# --------------------------------------------------------------------- quantising

def _beat_grids(times: list[float]) -> dict[int, Fraction]:
    """For each beat holding some time, the grid with the smaller total snapping error."""
    by_beat: dict[int, list[float]] = defaultdict(list)
    for t in times:
        by_beat[int(t // 1)].append(t)
    grids = {}
    for beat, ts in by_beat.items():
        errors = [sum(abs(t - round(t / float(g)) * float(g)) for t in ts) for g in GRIDS]
        grids[beat] = GRIDS[0] if errors[0] <= errors[1] + 1e-9 else GRIDS[1]
    return grids


def _snap(t: float, grids: dict[int, Fraction]) -> Fraction:
    grid = grids.get(int(t // 1), GRIDS[0])
    return Fraction(round(Fraction(t) / grid)) * grid


def quantise(rows: list[tuple[float, float, int, int]]) -> list[tuple[Fraction, Fraction, int]]:
    """(onset, end, pitch) on the per-beat sixteenth/triplet grid; no note vanishes.

    >>> quantise([(0.0, 0.98, 60, 80), (1.0, 0.33, 62, 80), (1.333, 0.34, 64, 80)])
    [(Fraction(0, 1), Fraction(1, 1), 60), (Fraction(1, 1), Fraction(4, 3), 62), \
(Fraction(4, 3), Fraction(5, 3), 64)]
    """
    times = [t for on, dur, _, _ in rows for t in (on, on + dur)]
    grids = _beat_grids(times)
    out = []
    for on, dur, pitch, _ in rows:
        start, end = _snap(on, grids), _snap(on + dur, grids)
        if end <= start:
            end = start + grids.get(int(on // 1), GRIDS[0])
        out.append((start, end, int(pitch)))
    return sorted(out)


Chord = tuple[Fraction, Fraction, list[int]]


def _voices(events: list[tuple[Fraction, Fraction, int]]) -> list[list[Chord]]:
    """Group simultaneous notes into chords and spread overlapping chords over voices."""
    chords: dict[tuple[Fraction, Fraction], list[int]] = defaultdict(list)
    for start, end, pitch in events:
        if pitch not in chords[(start, end)]:
            chords[(start, end)].append(pitch)
    voices: list[list[Chord]] = []
    for (start, end), pitches in sorted(chords.items()):
        free = [v for v in voices if v[-1][1] <= start]
        if free:
            free[0].append((start, end, sorted(pitches)))
        elif len(voices) < MAX_VOICES:
            voices.append([(start, end, sorted(pitches))])
        else:  # too many layers: cut the voice that frees up first
            voice = min(voices, key=lambda v: v[-1][1])
            last_start, last_end, last_pitches = voice[-1]
            if last_start == start:  # same onset: join the chord, keep the shorter length
                voice[-1] = (start, min(end, last_end), sorted(set(last_pitches) | set(pitches)))
            else:
                voice[-1] = (last_start, start, last_pitches)
                voice.append((start, end, sorted(pitches)))
    return voices


# --------------------------------------------------------------------- names

def _catalogue_entry(part: Part) -> Any:
    """The `motifgen.orchestra` entry of the part's instrument, or None."""
    from ..errors import MotifgenError
    from ..orchestra import instrument

    try:
        return instrument(part.instrument or "")
    except MotifgenError:
        return None


def display_name(part: Part) -> str:
    """Name printed for a part: its own name, or the catalogue's display name when
    the part is named only by its catalogue key (e.g. ``english_horn``)."""
    entry = _catalogue_entry(part)
    if part.name and part.name != part.instrument:
        return part.name
    if entry is not None:
        return entry.display
    return (part.name or part.instrument or "Part").replace("_", " ").title()


def _instrument(part: Part, index: int) -> Any:
    """A music21 instrument with names, MIDI program and channel, and transposition."""
    from music21 import instrument, interval

    entry = _catalogue_entry(part)
    inst = None
    if entry is not None:
        cls = getattr(instrument, entry.music21_class, None)
        if isinstance(cls, type) and issubclass(cls, instrument.Instrument):
            inst = cls()
    if inst is None:
        if part.is_drum:
            inst = instrument.UnpitchedPercussion()
        else:
            try:
                inst = instrument.instrumentFromMidiProgram(int(part.program))
            except Exception:  # music21 raises its own error for unmapped programs
                inst = instrument.Instrument()
    if entry is not None and not part.is_drum:
        # catalogue semitones: written -> sounding (clarinet -2)
        semitones = int(entry.transposition)
        inst.transposition = interval.Interval(semitones) if semitones else None
    if part.is_drum:
        inst.transposition = None
    else:
        inst.midiProgram = int(part.program)
    inst.instrumentName = entry.display if entry is not None else display_name(part)
    inst.instrumentAbbreviation = None
    inst.partName = display_name(part)
    inst.partAbbreviation = None
    inst.partId = f"P{index + 1}"
    inst.instrumentId = f"P{index + 1}-I1"
    inst.midiChannel = 9 if part.is_drum else int(part.channel) % 16
    return inst


def _clef(part: Part, inst: Any) -> Any:
    from music21 import clef

    if part.is_drum:
        return clef.PercussionClef()
    pitches = sorted(int(p) for p in part.notes.pitch)
    if not pitches:
        return clef.TrebleClef()
    shift = inst.transposition.semitones if inst.transposition is not None else 0
    median = pitches[len(pitches) // 2] - shift  # written pitch
    if "viola" in (part.instrument or "").lower():
        return clef.AltoClef()
    return clef.TrebleClef() if median >= 59 else clef.BassClef()


def _key_object(k: Key) -> Any:
    from music21 import key as m21key

    mode = _MUSIC21_MODES.get(k.mode)
    if mode is None:
        return m21key.KeySignature(k.sharps())
    m21 = m21key.Key(k.note_name(k.tonic).replace("b", "-"), mode)
    if m21.sharps != k.sharps():  # spelling disagreement: trust our signature
        return m21key.KeySignature(k.sharps())
    return m21


# --------------------------------------------------------------------- building

def _note_object(pitches: list[int], length: Fraction, is_drum: bool) -> Any:
    from music21 import chord, note

    if is_drum:
        objs = []
        for p in pitches:
            step, octave = _DRUM_DISPLAY.get(p, ("E", 5))
            u = note.Unpitched(displayName=f"{step}{octave}")
            u.storedInstrument = None
            objs.append(u)
        obj = objs[0] if len(objs) == 1 else chord.PercussionChord(objs)
    elif len(pitches) == 1:
        obj = note.Note(pitches[0])
    else:
        obj = chord.Chord(pitches)
    obj.duration.quarterLength = length
    return obj


def _fill_measure(target: Any, voice: list, bar_start: Fraction, bar_end: Fraction,
                  is_drum: bool, hide_rests: bool) -> None:
    """Put one voice's part of one bar into `target` (a Measure or a Voice)."""
    from music21 import note, tie

    cursor = bar_start
    for start, end, pitches in voice:
        if end <= bar_start or start >= bar_end:
            continue
        seg_start, seg_end = max(start, bar_start), min(end, bar_end)
        if seg_start > cursor:
            rest = note.Rest(quarterLength=seg_start - cursor)
            rest.style.hideObjectOnPrint = hide_rests
            target.insert(cursor - bar_start, rest)
        obj = _note_object(pitches, seg_end - seg_start, is_drum)
        tied_in, tied_out = start < bar_start, end > bar_end
        if tied_in or tied_out:
            kind = "continue" if tied_in and tied_out else "stop" if tied_in else "start"
            obj.tie = tie.Tie(kind)
        target.insert(seg_start - bar_start, obj)
        cursor = seg_end
    if cursor < bar_end:
        rest = note.Rest(quarterLength=bar_end - cursor)
        rest.style.hideObjectOnPrint = hide_rests
        target.insert(cursor - bar_start, rest)


def _bars(score: Score, events_end: Fraction) -> list[tuple[Fraction, Fraction, tuple[int, int]]]:
    """(start, end, meter) of every bar covering the scene and every note."""
    tm = score.tempo_map
    until = max(float(score.length_beats), float(events_end), 1e-9)
    lines = [_frac(b) for b in tm.bar_lines(until)]
    bars = []
    for i, start in enumerate(lines):
        meter = tm.meter_at(float(start))
        end = lines[i + 1] if i + 1 < len(lines) else start + _frac(bar_beats(meter))
        bars.append((start, end, meter))
    # bar_lines includes a line at `until` when it falls on one: drop a bar that starts there
    while len(bars) > 1 and bars[-1][0] >= _frac(until) - Fraction(1, 1000):
        bars.pop()
    return bars


def _frac(beat: float) -> Fraction:
    return Fraction(beat).limit_denominator(96)


def _bar_index(bars: list, beat: Fraction) -> int:
    for i, (start, end, _) in enumerate(bars):
        if start <= beat < end:
            return i
    return len(bars) - 1


def build_stream(score: Score) -> Any:
    """The music21 Score for `score` (sounding pitch; written pitch on export)."""
    from music21 import expressions, metadata, meter, stream, tempo

    parts_events = [quantise(p.notes.rows()) for p in score.parts]
    events_end = max((e for evs in parts_events for _, e, _ in evs), default=Fraction(0))
    bars = _bars(score, events_end)

    q = _frac
    m21 = stream.Score()
    m21.metadata = metadata.Metadata()
    m21.metadata.title = score.title or score.id
    m21.metadata.movementName = score.title or score.id
    m21.metadata.composer = ""
    m21.atSoundingPitch = True

    key_changes = [(Fraction(0), score.key)] + [(q(b), k) for b, k in score.key_changes if b > 0]
    for index, (part, events) in enumerate(zip(score.parts, parts_events)):
        inst = _instrument(part, index)
        m21part = stream.Part(id=f"P{index + 1}")
        m21part.partName = inst.partName
        m21part.atSoundingPitch = True
        voices = _voices(events) or [[]]
        previous_meter = None
        for number, (start, end, bar_meter) in enumerate(bars, 1):
            measure = stream.Measure(number=number)
            if number == 1:
                measure.insert(0, inst)
                measure.insert(0, _clef(part, inst))
            if bar_meter != previous_meter:
                measure.insert(0, meter.TimeSignature(f"{bar_meter[0]}/{bar_meter[1]}"))
                previous_meter = bar_meter
            if not part.is_drum:
                for beat, k in key_changes:
                    if _bar_index(bars, beat) == number - 1:
                        measure.insert(beat - start, _key_object(k))
            if len(voices) == 1:
                _fill_measure(measure, voices[0], start, end, part.is_drum, False)
            else:
                for v, voice in enumerate(voices, 1):
                    layer = stream.Voice(id=str(v))
                    _fill_measure(layer, voice, start, end, part.is_drum, v > 1)
                    measure.insert(0, layer)
            m21part.append(measure)
        m21.insert(0, m21part)

    # conductor directions go on the top part, as a copyist puts them above the score
    if m21.parts:
        top = m21.parts[0]
        measures = list(top.getElementsByClass(stream.Measure))

        def put(beat: float, obj: Any) -> None:
            i = _bar_index(bars, q(beat))
            measures[i].insert(q(beat) - bars[i][0], obj)

        for beat, bpm in score.tempo_map.tempos:
            mark = tempo.MetronomeMark(number=round(bpm, 2), referent=1.0)
            put(beat, mark)
        for marker in sorted(score.markers, key=lambda m: (m.beat, m.kind, m.text)):
            if not marker.text:
                continue
            if marker.kind == "section":
                put(marker.beat, expressions.RehearsalMark(marker.text))
            else:
                label = f"HIT: {marker.text}" if marker.kind == "hit" else marker.text
                text = expressions.TextExpression(label)
                text.style.enclosure = "rectangle" if marker.kind == "hit" else None
                text.placement = "above"
                put(marker.beat, text)
    return m21


_ENCODING_DATE = re.compile(rb"\s*<encoding-date>[^<]*</encoding-date>")


def to_bytes(score: Score) -> bytes:
    """The MusicXML document for `score` (no encoding date: same score, same bytes)."""
    from music21.musicxml.m21ToXml import GeneralObjectExporter

    try:
        data = GeneralObjectExporter(build_stream(score)).parse()
    except Exception as e:  # music21 raises many types; wrap at the boundary
        raise MotifgenError(f"MusicXML export failed: {e}", where=score.id) from e
    return _ENCODING_DATE.sub(b"", data)


def write_musicxml(score: Score, path: str | Path, *, validate: bool = False) -> Path:
    """Write `score` as MusicXML 4.0 (partwise) to `path`, atomically.

    With `validate=True` the document is checked against the vendored XSD
    first and a `MotifgenError` listing the problems is raised instead of
    writing an invalid file.
    """
    data = to_bytes(score)
    path = Path(path)
    with atomic_write(path) as tmp:
        tmp.write_bytes(data)
        if validate:
            errors = validate_musicxml(tmp)
            if errors:
                raise MotifgenError("invalid MusicXML: " + "; ".join(errors[:5]), where=str(path))
    return path


@functools.lru_cache(maxsize=1)
def _schema() -> Any:
    import xmlschema

    return xmlschema.XMLSchema(
        str(SCHEMA_DIR / "musicxml.xsd"),
        locations=[
            ("http://www.w3.org/XML/1998/namespace", str(SCHEMA_DIR / "xml.xsd")),
            ("http://www.w3.org/1999/xlink", str(SCHEMA_DIR / "xlink.xsd")),
        ],
        allow="local",
    )


def validate_musicxml(path: str | Path) -> list[str]:
    """Problems found validating `path` against the MusicXML 4.0 XSD ([] when valid).

    Uses the schema vendored in motifgen/data/musicxml-4.0; never the network.
    """
    import xmlschema

    try:
        schema = _schema()
    except xmlschema.XMLSchemaException as e:
        raise MotifgenError(f"cannot load the MusicXML schema: {e}", where=str(SCHEMA_DIR)) from e
    try:
        return [
            f"{err.path or '/'}: {err.reason or err.message}"
            for err in schema.iter_errors(str(path))
        ]
    except xmlschema.XMLResourceError as e:
        return [f"not readable XML: {e}"]
    except Exception as e:  # ElementTree parse errors and the like: the file is not XML
        return [f"not well-formed XML: {e}"]
