"""MusicXML 4.0 writer (through music21) and a validator against the vendored XSD.

One score per scene: a part per `Part` with its name, instrument and MIDI
program; transposing instruments (horn, clarinet, trumpet, English horn,
piccolo, contrabass) written at written pitch with a `<transpose>` element;
time signatures, key signatures and key changes, a metronome mark at every
tempo change, rehearsal marks at section markers and boxed text at hits.

Notes are written at their nominal values with articulation marks (the played
lengths stay in the MIDI), quantised and tied by `rhythm` so that every triplet
bracket fills one beat. Overlapping notes of one part go to separate voices (at
most `MAX_VOICES`); notes crossing a bar line are split and tied. Drum parts
become a percussion part of unpitched notes.

music21 is imported inside the functions: importing this module is cheap.
"""

from __future__ import annotations

import bisect
import functools
import math
import re
from collections import defaultdict
from collections.abc import Iterable
from fractions import Fraction
from pathlib import Path
from typing import Any, Literal, cast

from msgspec import Struct, field

from ..errors import MotifgenError
from ..score import Part, Score
from ..theory import ARTICULATIONS, Key, bar_beats, dynamic_mark
from .files import atomic_write
from .rhythm import Beats, is_binary, quantise_indexed, written_values
from .spelling import (
    CLEF_LINES,
    MAJOR_MINOR,
    BarAccidentals,
    Chord,
    Speller,
    ledger_lines,
    letter_alter,
    octave_of,
    staff_step,
)

#: Where the MusicXML 4.0 schema and the two W3C schemas it imports live.
SCHEMA_DIR = Path(__file__).resolve().parent.parent / "data" / "musicxml-4.0"
#: Most voices one staff is written with (divisi in two at most); a further overlapping
#: note joins a chord or shortens the note before it.
MAX_VOICES = 2

#: GM drum keys -> (display step, octave) on a five-line percussion staff.
_DRUM_DISPLAY = {35: ("F", 4), 36: ("F", 4), 38: ("C", 5), 40: ("C", 5), 41: ("A", 4),
                 42: ("G", 5), 46: ("G", 5), 47: ("D", 5), 49: ("A", 5), 51: ("F", 5),
                 52: ("A", 5), 57: ("A", 5)}


# --------------------------------------------------------------------- voices

Group = tuple[Fraction, Fraction, list[Any]]


def _voices(groups: list[Group]) -> list[list[Group]]:
    """Spread chords (start, end, notes) over voices: a chord goes to the first voice free
    at its start; at most `MAX_VOICES`, after which the voice freeing first is cut."""
    voices: list[list[Group]] = []
    for start, end, notes in sorted(groups, key=lambda g: (g[0], g[1])):
        free = [v for v in voices if v[-1][1] <= start]
        if free:
            free[0].append((start, end, notes))
        elif len(voices) < MAX_VOICES:
            voices.append([(start, end, notes)])
        else:  # too many layers: cut the voice that frees up first
            voice = min(voices, key=lambda v: v[-1][1])
            last_start, last_end, last_notes = voice[-1]
            if last_start == start:  # same onset: join the chord, keep the shorter length
                voice[-1] = (start, min(end, last_end), last_notes + notes)
            else:
                voice[-1] = (last_start, start, last_notes)
                voice.append((start, end, notes))
    return voices


# --------------------------------------------------------------------- notated values

#: Played length / notated length at or below which a note carries a staccato dot,
#: then an accent (the marcato shortening), then a tenuto line (in tenuto moods).
STACCATO_BELOW, ACCENT_BELOW, TENUTO_BELOW = 0.62, 0.8, 0.99


def _articulation_at(part: Part, beat: float) -> str:
    name = "legato"
    for start, art in part.articulations:
        if start <= beat + 1e-6:
            name = art
    return name


def notated_rows(part: Part) -> list[tuple[float, float, int, int, str]]:
    """(onset, notated length, pitch, velocity, mark) of every note of `part`.

    The Score carries played lengths (articulation applied). A note is written at
    its nominal value: up to the part's next onset when the shortening explains the
    gap (or the note is a figure of a beat or less), else its played length undone
    by the section's articulation; the mark says how it is played.
    """
    rows = part.notes.rows()
    onsets = sorted({round(on, 6) for on, _, _, _ in rows})
    out = []
    for on, dur, pitch, vel in rows:
        i = bisect.bisect_right(onsets, round(on, 6) + 1e-6)
        gap = onsets[i] - on if i < len(onsets) else float("inf")
        art = _articulation_at(part, on)
        factor = ARTICULATIONS.get(art, 1.0)
        if dur >= gap - 1e-3:
            nominal = dur
        elif factor < 1 and dur / factor >= 0.94 * gap:
            nominal = gap
        elif gap <= 1.0 + 1e-6 and dur >= 0.3 * gap:
            nominal = gap
        else:
            nominal = min(dur / factor, gap) if factor < 1 else dur
        ratio = dur / nominal if nominal > 0 else 1.0
        mark = ""
        if part.is_drum or part.texture == "pizzicato" or int(part.program) == 45:
            mark = ""
        elif ratio <= STACCATO_BELOW or (art == "staccato" and ratio < TENUTO_BELOW):
            mark = "staccato"
        elif ratio <= ACCENT_BELOW or (art == "marcato" and ratio < TENUTO_BELOW):
            mark = "accent"
        elif ratio < TENUTO_BELOW and art == "tenuto":
            mark = "tenuto"
        out.append((on, nominal, int(pitch), int(vel), mark))
    return out


# --------------------------------------------------------------------- names

def full_name(part: Part) -> str:
    """The name of the first system: a part on the film's template has its desk's
    ("Horn in F 3-4"), another a string section's in full (Violins I)."""
    entry = part.engraving
    if part.job and entry is not None:
        return entry.display
    name = part.display_name
    return entry.full if entry is not None and entry.full and name == entry.display else name


def abbreviation(part: Part) -> str:
    """The short name of later systems: a placed part's desk ("Hn. 3-4"), else the
    catalogue's with the part's number (a condensed score's staves have their own)."""
    from .condensed import ABBREVIATIONS

    entry = part.engraving
    if part.job and entry is not None:
        return entry.abbreviation
    name = part.display_name
    if name in ABBREVIATIONS:
        return ABBREVIATIONS[name]
    if entry is None or not entry.abbreviation:
        return name
    number = re.search(r"\s(\d+)$", name)
    return entry.abbreviation + (f" {number.group(1)}" if number else "")


def score_order(parts: tuple[Part, ...] | list[Part]) -> list[Part]:
    """`parts` in score order (their engraving's rank; a part outside the catalogue
    last, each in the order given; a condensed score's staves keep theirs)."""
    from .condensed import ABBREVIATIONS

    if all(p.name in ABBREVIATIONS for p in parts):
        return list(parts)
    return sorted(parts, key=lambda p: p.engraving.rank if p.engraving else math.inf)


_INTERVALS = {-2: "M-2", -7: "P-5", -12: "P-8", 12: "P8", 24: "P15", -9: "M-6", -3: "m-3"}


def _transposition(part: Part) -> int:
    """Semitones from written to sounding pitch (a drum part is written as played)."""
    entry = part.engraving
    return 0 if entry is None or part.is_drum else int(entry.transposition)


def _instrument(part: Part, index: int) -> Any:
    """A music21 instrument with names, MIDI program and channel, and transposition."""
    from music21 import instrument, interval

    entry = part.engraving
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
    semitones = _transposition(part)
    if semitones:
        name = _INTERVALS.get(semitones)
        inst.transposition = interval.Interval(name) if name else interval.Interval(semitones)
    else:
        inst.transposition = None
    if not part.is_drum:
        inst.midiProgram = int(part.program)
    inst.instrumentName = entry.display if entry is not None else part.display_name
    inst.instrumentAbbreviation = abbreviation(part)
    inst.partName = full_name(part)
    inst.partAbbreviation = abbreviation(part)
    inst.partId = f"P{index + 1}"
    inst.instrumentId = f"P{index + 1}-I1"
    inst.midiChannel = 9 if part.is_drum else int(part.channel) % 16
    return inst


# --------------------------------------------------------------------- spelling, staves

class Ev(Struct):
    """One notated note: quantised times, written pitch and its spelling, mark."""

    start: Fraction
    end: Fraction
    midi: int  # written pitch
    letter: str
    alter: int
    octave: int
    mark: str
    velocity: int
    onset: float  # the played onset in beats


class _Harmony:
    """The key and the plan's chord at any beat of the cue."""

    def __init__(self, score: Score) -> None:
        self.keys = [(0.0, score.key)] + [(float(b), k) for b, k in score.key_changes if b > 0]
        self.chords: list[tuple[float, float, str, list[int]]] = []
        for sec in score.plan.sections:
            for c in sec.chords:
                self.chords.append((float(c.beat), float(c.beats), c.symbol,
                                    list(c.pitch_classes)))
        self.chords.sort()

    def key_at(self, beat: float) -> Key:
        key = self.keys[0][1]
        for b, k in self.keys:
            if b <= beat + 1e-6:
                key = k
        return key

    def chord_at(self, beat: float) -> Chord | None:
        for b, d, symbol, pcs in self.chords:
            if b - 1e-6 <= beat < b + d - 1e-6:
                return Chord.of(symbol, pcs)
        return None


def _events(part: Part, harmony: _Harmony, beats: Beats) -> list[Ev]:
    rows = notated_rows(part)
    quantised = quantise_indexed([(on, d, p, v) for on, d, p, v, _ in rows], beats)
    shift = _transposition(part)
    starts = sorted({a for a, _, _ in quantised})
    out = []
    for start, end, i in quantised:
        on, _, pitch, vel, mark = rows[i]
        k = bisect.bisect_right(starts, start)
        following = starts[k] if k < len(starts) else None
        if end != following and end - start >= Fraction(1, 2) and is_binary(end):
            # a release into a rest: on the eighth grid, never past the next onset
            snapped = max(start + Fraction(1, 4), Fraction(round(end * 2), 2))
            end = min(snapped, following) if following is not None and following > start \
                else snapped
        written = pitch - shift
        if part.is_drum:
            letter, alter = "C", 0
        else:
            speller = Speller.of(harmony.key_at(on), shift)
            letter, alter = speller.spell(pitch % 12, harmony.chord_at(on))
        out.append(Ev(start, end, written, letter, alter, octave_of(written, letter, alter),
                      mark, vel, on))
    return out


def _ledger_share(evs: list[Ev], clef: str) -> float:
    if not evs:
        return 0.0
    many = sum(1 for e in evs if ledger_lines(staff_step(e.letter, e.octave), clef) >= 3)
    return many / len(evs)


def _chordal(evs: list[Ev]) -> bool:
    by_start: dict[Fraction, int] = defaultdict(int)
    for e in evs:
        by_start[e.start] += 1
    return bool(by_start) and sum(1 for n in by_start.values() if n > 1) >= 0.2 * len(by_start)


def staves(part: Part, evs: list[Ev]) -> list[str]:
    """The clef of each staff of `part`: one, or two (treble over bass) for harp,
    keyboards, choir and a chordal part spanning wider than one clef reads."""
    if part.is_drum:
        return ["percussion"]
    entry = part.engraving
    allowed = list(entry.clefs) if entry is not None and entry.clefs else []
    if "grand" in allowed:
        return ["treble", "bass"]
    if not allowed:
        median = sorted(e.midi for e in evs)[len(evs) // 2] if evs else 60
        allowed = ["treble", "bass"] if median >= 57 else ["bass", "treble"]
    best = min(allowed, key=lambda c: (_ledger_share(evs, c) > LEDGER_SHARE,
                                       allowed.index(c)))
    span = (max(e.midi for e in evs) - min(e.midi for e in evs)) if evs else 0
    if _chordal(evs) and (span > WIDE_SPAN or _ledger_share(evs, best) > LEDGER_SHARE):
        return ["treble", "bass"]
    return [best]


#: Roles whose legato lines are slurred (an accompaniment's figures are not).
SLURRED_ROLES = ("melody", "counter", "bass")
#: A note this long (in quarters) or longer closes a slurred phrase; a phrase this long
#: closes at the next bar line.
PHRASE_END, PHRASE_BEATS = 2, 6


def legato_phrases(voice: list[Group], part: Part, bar_lines: list[Fraction]
                   ) -> list[list[Ev]]:
    """The notes under each slur of a one-voice staff: runs of two or more single notes
    in a legato section, each joined to the next without a rest or a mark, a long note
    (`PHRASE_END`) closing the run, a bar line a run of a bar or more (`PHRASE_BEATS`)."""
    out: list[list[Ev]] = []
    run: list[Ev] = []
    end = None
    lines = set(bar_lines)
    for start, stop, group in voice:
        e = group[0]
        legato = len(group) == 1 and not e.mark and _articulation_at(part, e.onset) == "legato"
        long_enough = bool(run) and start in lines and start - run[0].start >= PHRASE_BEATS
        if not legato or start != end or long_enough:
            if len(run) >= 2:
                out.append(run)
            run = []
        if legato:
            run.append(e)
        end = stop
        if legato and stop - start >= PHRASE_END:
            if len(run) >= 2:
                out.append(run)
            run, end = [], None
    if len(run) >= 2:
        out.append(run)
    return out


#: Ledger lines above the bass staff from which a passage of a tenor-clef instrument
#: (cello, bassoon, trombone) is written in the tenor clef.
TENOR_FROM = 2


def passages(evs: list[Ev], clef: str, allowed: tuple[str, ...] = ()
             ) -> list[tuple[list[Ev], str]]:
    """Passages set apart from the staff's clef: each maximal run of onsets lying wholly
    above (below) the staff. A run of an instrument that reads the tenor clef, in bass
    clef, reaching `TENOR_FROM` ledger lines and fitting the tenor staff is 'tenor'; a
    low run reaching three ledger lines in treble clef of one that reads the bass clef
    (a horn) is 'bass'; any other run reaching three ledger lines is written an octave
    away ('8va', '8vb')."""
    if clef not in CLEF_LINES:
        return []
    low, high = CLEF_LINES[clef]
    by_start: dict[Fraction, list[Ev]] = defaultdict(list)
    for e in evs:
        by_start[e.start].append(e)
    out: list[tuple[list[Ev], str]] = []
    run: list[Ev] = []
    side = ""

    def close() -> None:
        lines = max((ledger_lines(staff_step(e.letter, e.octave), clef) for e in run),
                    default=0)
        def fits(other: str) -> bool:
            return all(ledger_lines(staff_step(e.letter, e.octave), other) < 3 for e in run)

        if (clef, side) == ("bass", "8va") and "tenor" in allowed and lines >= TENOR_FROM \
                and fits("tenor"):
            out.append((run, "tenor"))
        elif lines < 3:
            return
        elif (clef, side) == ("treble", "8vb") and "bass" in allowed and fits("bass"):
            out.append((run, "bass"))
        else:
            out.append((run, side))

    for start in sorted(by_start):
        steps = [staff_step(e.letter, e.octave) for e in by_start[start]]
        here = "8va" if min(steps) > high + 1 else "8vb" if max(steps) < low - 1 else ""
        if here != side:
            close()
            run, side = [], here
        if here:
            run.extend(by_start[start])
    close()
    return out


#: Share of notes allowed three or more ledger lines before another clef is sought.
LEDGER_SHARE = 0.02
#: Semitones a chordal part may span on one staff.
WIDE_SPAN = 26


def _clef_object(name: str) -> Any:
    from music21 import clef

    return {"treble": clef.TrebleClef, "bass": clef.BassClef, "alto": clef.AltoClef,
            "tenor": clef.TenorClef, "percussion": clef.PercussionClef}[name]()


def _key_object(k: Key, shift: int = 0) -> Any:
    from music21 import key as m21key

    speller = Speller.of(k, shift)
    sig = m21key.KeySignature(speller.signature())
    mode = MAJOR_MINOR.get(k.mode)
    if mode is not None:
        tonic_q = speller._written(speller.tonic_q)
        letter, alter = letter_alter(tonic_q)
        name = letter + ("#" * alter if alter > 0 else "-" * -alter)
        key = m21key.Key(name if mode == "major" else name.lower(), mode)
        if key.sharps == sig.sharps:
            return key
    return sig


# --------------------------------------------------------------------- building

def _note_object(group: list[Ev], length: Fraction, is_drum: bool, shown: dict) -> Any:
    from music21 import chord, note, pitch

    if is_drum:
        objs = []
        for e in group:
            step, octave = _DRUM_DISPLAY.get(e.midi, ("E", 5))
            u = note.Unpitched(displayName=f"{step}{octave}")
            u.storedInstrument = None
            objs.append(u)
        obj = objs[0] if len(objs) == 1 else _percussion_chord(objs)
    else:
        notes = []
        for e in group:
            p = pitch.Pitch(step=cast(StepName, e.letter), octave=e.octave)
            show = shown.get(id(e), False)
            # always explicit, so music21's own accidental pass leaves the spelling alone
            p.accidental = pitch.Accidental(e.alter)
            p.accidental.displayStatus = show
            n = note.Note(p)
            notes.append(n)
        obj = notes[0] if len(notes) == 1 else chord.Chord(notes)
    obj.duration = _duration(length)
    return obj


def _duration(length: Fraction) -> Any:
    """A music21 Duration of `length` quarters; a triplet value is counted in eighths
    (3 in the time of 2), so a triplet quarter and two triplet eighths share one bracket."""
    from music21 import duration

    if is_binary(length):
        return duration.Duration(length)
    d = duration.Duration(length * Fraction(3, 2))
    d.appendTuplet(duration.Tuplet(3, 2, "eighth"))
    return d


def _accidentals(evs: list[Ev], bars: list, signature_at: Any) -> dict[tuple[int, int], bool]:
    """Per (event, bar): whether its accidental is printed, by the per-bar rule."""
    shown: dict[tuple[int, int], bool] = {}
    for b, (start, end, _) in enumerate(bars):
        state = BarAccidentals(signature_at(start))
        inside = sorted((e for e in evs if e.start < end and e.end > start),
                        key=lambda e: (max(e.start, start), e.midi))
        for e in inside:
            shown[(id(e), b)] = state.show(e.letter, e.alter, e.octave, tied_in=e.start < start)
    return shown


_MARKS = {"staccato": "Staccato", "accent": "Accent", "tenuto": "Tenuto",
          "marcato": "StrongAccent"}


class _Staff(Struct):
    """What one staff's bars are written from, and what writing them placed."""

    is_drum: bool
    tremolo: bool
    beats: Beats
    shown: dict  # (id(event), bar index) -> accidental printed
    placed: dict  # played onset -> the first written object of each note there
    written: dict = field(default_factory=dict)  # id(event) -> every object it is written as


def _fill_measure(target: Any, voice: list, bar_start: Fraction, bar_end: Fraction,
                  bar: int, staff: _Staff, hide_rests: bool) -> None:
    """Put one voice's part of one bar into `target` (a Measure or a Voice)."""
    from music21 import articulations, expressions, tie

    is_drum, shown, placed, beats = staff.is_drum, staff.shown, staff.placed, staff.beats
    cursor = bar_start
    for start, end, group in voice:
        if end <= bar_start or start >= bar_end:
            continue
        seg_start, seg_end = max(start, bar_start), min(end, bar_end)
        if seg_start > cursor:
            _rests(target, cursor, seg_start, bar_start, hide_rests, beats)
        tied_in, tied_out = start < bar_start, end > bar_end
        at = seg_start
        lengths = written_values(seg_start, seg_end, beats)
        for j, length in enumerate(lengths):
            obj = _note_object(group, length, is_drum,
                               {id(e): shown.get((id(e), bar), False) and j == 0 for e in group})
            t_in, t_out = tied_in or j > 0, tied_out or j < len(lengths) - 1
            if t_in or t_out:
                kind = "continue" if t_in and t_out else "stop" if t_in else "start"
                obj.tie = tie.Tie(kind)
            if not t_in:
                mark = next((e.mark for e in group if e.mark), "")
                if mark:
                    obj.articulations.append(getattr(articulations, _MARKS[mark])())
                for e in group:
                    placed.setdefault(e.onset, []).append(obj)
            for e in group:
                staff.written.setdefault(id(e), []).append(obj)
            if staff.tremolo and not is_drum:
                strokes = expressions.Tremolo()
                strokes.numberOfMarks = 3
                obj.expressions.append(strokes)
            target.insert(at - bar_start, obj)
            at += length
        cursor = seg_end
    if cursor < bar_end:
        _rests(target, cursor, bar_end, bar_start, hide_rests, beats)


def _rests(target: Any, start: Fraction, end: Fraction, bar_start: Fraction,
           hidden: bool, beats: Beats) -> None:
    """Rests from `start` to `end`, as plain or single-dotted values."""
    from music21 import note

    at = start
    for length in written_values(start, end, beats):
        rest = note.Rest()
        rest.duration = _duration(length)
        rest.style.hideObjectOnPrint = hidden
        target.insert(at - bar_start, rest)
        at += length


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


#: A note's letter as music21 names a pitch step.
StepName = Literal["C", "D", "E", "F", "G", "A", "B"]


def _frac(beat: float | Fraction) -> Fraction:
    return Fraction(beat).limit_denominator(96)


def _bar_index(bars: list, beat: Fraction) -> int:
    for i, (start, end, _) in enumerate(bars):
        if start <= beat < end:
            return i
    return len(bars) - 1


def _tempo_mark(bpm: float, meter: tuple[int, int]) -> Any:
    """A metronome mark in the meter's beat unit, rounded for display (the MIDI and
    the `<sound>` tempo stay exact)."""
    from music21 import tempo

    compound = meter[1] == 8 and meter[0] % 3 == 0 and meter[0] > 3
    unit = 1.5 if compound else 1.0
    shown = bpm / unit
    shown = round(shown) if abs(shown - round(shown)) < 0.25 else round(shown * 2) / 2
    mark = tempo.MetronomeMark(number=shown, referent=unit, numberSounding=round(bpm / unit, 2))
    return mark


def hit_kinds(score: Score) -> dict[float, str]:
    """Beat -> the kind of every hit of the plan (accent, sting, swell, cut, turn)."""
    return {round(float(h.beat), 4): h.kind for h in score.plan.hits}


def rehearsal_text(score: Score, beat: float, letter: str) -> str:
    """'A  bar 12  01:10:30:00': the letter, bar number and SMPTE timecode of `beat`."""
    from ..timecode import offset_timecode

    bar = score.tempo_map.position(beat)[0]
    try:
        tc = offset_timecode(score.start_timecode, score.tempo_map.seconds_at(beat), score.fps)
    except Exception:  # an unreadable start timecode: the bar number alone
        return f"{letter}  bar {bar}"
    return f"{letter}  bar {bar}  {tc}"


#: Fewest bars a system ends with at a section or hit (MuseScore breaks within them).
MIN_SYSTEM_BARS = 4


def system_breaks(division_bars: list[int]) -> list[int]:
    """The bars (0-based) that start a new system: where the music divides (a section or
    a hit), unless that would leave a system of fewer than `MIN_SYSTEM_BARS`.

    >>> system_breaks([2, 4, 9, 11, 16])
    [4, 9, 16]
    """
    out: list[int] = []
    for bar in division_bars:
        if bar - (out[-1] if out else 0) >= MIN_SYSTEM_BARS:
            out.append(bar)
    return out


def _letters() -> Any:
    n = 0
    while True:
        q, r = divmod(n, 26)
        yield chr(65 + r) * (q + 1)
        n += 1


_CHORD_KINDS = {
    frozenset({0, 4, 7}): "major", frozenset({0, 3, 7}): "minor",
    frozenset({0, 3, 6}): "diminished", frozenset({0, 4, 8}): "augmented",
    frozenset({0, 4, 7, 9}): "major-sixth", frozenset({0, 3, 7, 9}): "minor-sixth",
    frozenset({0, 4, 7, 10}): "dominant-seventh", frozenset({0, 3, 7, 10}): "minor-seventh",
    frozenset({0, 4, 7, 11}): "major-seventh", frozenset({0, 3, 6, 10}): "half-diminished-seventh",
    frozenset({0, 3, 6, 9}): "diminished-seventh", frozenset({0, 5, 7}): "suspended-fourth",
    frozenset({0, 2, 7}): "suspended-second",
}


def chord_symbol(key: Key, symbol: str, pcs: list[int]) -> Any:
    """A music21 ChordSymbol (letter root, kind) for a plan chord, or None."""
    from music21 import harmony

    chord = Chord.of(symbol, pcs)
    if chord is None:
        return None
    root = chord.pitch_classes[0]
    kind = _CHORD_KINDS.get(frozenset((p - root) % 12 for p in chord.pitch_classes))
    if kind is None:
        return None
    letter, alter = Speller.of(key).spell(root, chord)
    name = letter + ("#" * alter if alter > 0 else "-" * -alter)
    try:
        return harmony.ChordSymbol(root=name, kind=kind)
    except Exception:  # music21 refuses an odd root/kind pair: leave the symbol out
        return None


class _Frame(Struct, frozen=True):
    """What every staff of a cue is written against: its bars, beat grid, key changes
    and the bars a new system starts at."""

    bars: list[tuple[Fraction, Fraction, tuple[int, int]]]
    beats: Beats
    key_changes: list[tuple[Fraction, Key]]
    section_bars: Any

    def signature_at(self, beat: Fraction, shift: int) -> int:
        """The key signature in force at `beat`, for an instrument written `shift` away."""
        k = self.key_changes[0][1]
        for b, kk in self.key_changes:
            if b <= beat:
                k = kk
        return Speller.of(k, shift).signature()


def build_stream(score: Score) -> Any:
    """The music21 Score for `score`, at written pitch."""
    from music21 import dynamics, expressions, layout

    harmony_ = _Harmony(score)
    beats = Beats(score.tempo_map, float(score.length_beats) + 64)
    ordered = score_order(score.parts)
    parts_events = [_events(p, harmony_, beats) for p in ordered]
    events_end = max((e.end for evs in parts_events for e in evs), default=Fraction(0))
    bars = _bars(score, events_end)
    q = _frac
    hits = hit_kinds(score)

    m21 = _score_stream(score)
    key_changes = [(Fraction(0), score.key)] + [(q(b), k) for b, k in score.key_changes if b > 0]
    section_bars = system_breaks(sorted({_bar_index(bars, q(m.beat)) for m in score.markers
                                         if m.kind in ("section", "hit") and m.beat > 0}))
    frame = _Frame(bars, beats, key_changes, section_bars)
    staff_count = 0
    top_staff = None
    for index, (part, evs) in enumerate(zip(ordered, parts_events)):
        inst, m21staves, placed = _part_staves(frame, part, index, evs)
        staff_count += len(m21staves)
        measures = list(m21staves[0].getElementsByClass("Measure"))

        def put(beat: Fraction | float, obj: Any, _measures: list[Any] = measures) -> None:
            i = _bar_index(bars, q(beat))
            _measures[i].insert(max(Fraction(0), q(beat) - bars[i][0]), obj)

        _expression(score, part, evs, placed, put, hits, bars, dynamics, expressions)
        for st in m21staves:
            m21.insert(0, st)
        if len(m21staves) == 2:
            group = layout.StaffGroup(m21staves, symbol="brace", barTogether=True)
            group.name = inst.partName
            m21.insert(0, group)
        if top_staff is None:
            top_staff = measures
    page = Page.for_staves(staff_count)
    m21.insert(0, layout.ScoreLayout(
        scalingMillimeters=page.staff_mm, scalingTenths=TENTHS,
        pageLayout=layout.PageLayout(pageHeight=page.height, pageWidth=page.width,
                                     leftMargin=page.margin, rightMargin=page.margin,
                                     topMargin=page.margin, bottomMargin=page.margin)))
    if top_staff:
        _conductor(score, top_staff, bars, hits, harmony_, expressions)
    return m21


def _score_stream(score: Score) -> Any:
    """An empty music21 Score with the cue's titles, written at written pitch."""
    from music21 import metadata, stream

    m21 = stream.Score()
    m21.metadata = metadata.Metadata()
    m21.metadata.title = film_title(score) or score.title or score.id
    m21.metadata.movementNumber = score.id
    m21.metadata.movementName = score.title or score.id
    m21.metadata.composer = ""
    m21.atSoundingPitch = False
    return m21


def _part_staves(frame: _Frame, part: Part, index: int,
                 evs: list[Ev]) -> tuple[Any, list[Any], dict[float, list[Any]]]:
    """The staves of one part (one, or two of a grand staff split at middle C), its
    music21 instrument, and the notes placed at each onset (for the expression marks)."""
    inst = _instrument(part, index)
    clefs = staves(part, evs)
    split = [[e for e in evs if (e.midi >= 60) == (s == 0)] for s in range(len(clefs))] \
        if len(clefs) == 2 else [evs]
    placed: dict[float, list[Any]] = {}
    m21staves = [_staff(frame, part, index, inst, s, clefs, staff_evs, placed)
                 for s, staff_evs in enumerate(split)]
    return inst, m21staves, placed


def _staff(frame: _Frame, part: Part, index: int, inst: Any, s: int, clefs: list[str],
           staff_evs: list[Ev], placed: dict[float, list[Any]]) -> Any:
    """Staff `s` of a part: its measures in voices, slurs over legato phrases, and the
    ottava signs and clef changes of passages that leave the staff."""
    from music21 import spanner, stream

    shift = _transposition(part)
    tremolo = int(part.program) == 44 or part.texture == "tremolo"
    clef_name = clefs[s]
    layer = _Staff(part.is_drum, tremolo, frame.beats,
                   _accidentals(staff_evs, frame.bars,
                                lambda beat: frame.signature_at(beat, shift)), placed)
    groups: dict[tuple[Fraction, Fraction], list[Ev]] = defaultdict(list)
    for e in staff_evs:
        if all(g.midi != e.midi for g in groups[(e.start, e.end)]):
            groups[(e.start, e.end)].append(e)
    voices = _voices([(a, b, sorted(g, key=lambda e: e.midi))
                      for (a, b), g in sorted(groups.items())]) or [[]]
    m21staff: stream.Part
    if len(clefs) == 2:
        m21staff = stream.PartStaff(id=f"P{index + 1}-Staff{s + 1}")
    else:
        m21staff = stream.Part(id=f"P{index + 1}")
    m21staff.partName = inst.partName
    m21staff.partAbbreviation = inst.partAbbreviation
    m21staff.atSoundingPitch = False
    _measures(frame, m21staff, part, index, inst if s == 0 else _instrument(part, index),
              s, clef_name, voices, layer, shift)
    if len(voices) == 1 and part.role in SLURRED_ROLES and not part.is_drum:
        for phrase in legato_phrases(voices[0], part, [b[0] for b in frame.bars]):
            m21staff.insert(0, spanner.Slur(layer.written[id(phrase[0])][0],
                                            layer.written[id(phrase[-1])][-1]))
    _passage_signs(frame, m21staff, part, staff_evs, clef_name, layer)
    return m21staff


def _measures(frame: _Frame, m21staff: Any, part: Part, index: int, inst: Any, s: int,
              clef_name: str, voices: list[list[Group]], layer: _Staff, shift: int) -> None:
    """Every bar of a staff, with the instrument, clef, meter and key where they start
    and a system break before each section on the top staff."""
    from music21 import layout, meter, stream

    bars = frame.bars
    previous_meter = None
    for number, (start, end, bar_meter) in enumerate(bars, 1):
        measure = stream.Measure(number=number)
        if number == 1:
            measure.insert(0, inst)
            measure.insert(0, _clef_object(clef_name))
        if bar_meter != previous_meter:
            measure.insert(0, meter.TimeSignature(f"{bar_meter[0]}/{bar_meter[1]}"))
            previous_meter = bar_meter
        if not part.is_drum:
            for beat, k in frame.key_changes:
                if _bar_index(bars, beat) == number - 1:
                    measure.insert(beat - start, _key_object(k, shift))
        if index == 0 and s == 0 and number - 1 in frame.section_bars:
            measure.insert(0, layout.SystemLayout(isNew=True))
        if len(voices) == 1:
            _fill_measure(measure, voices[0], start, end, number - 1, layer, False)
        else:
            for v, voice in enumerate(voices, 1):
                sub = stream.Voice(id=str(v))
                _fill_measure(sub, voice, start, end, number - 1, layer, v > 1)
                measure.insert(0, sub)
        m21staff.append(measure)


def _passage_signs(frame: _Frame, m21staff: Any, part: Part, staff_evs: list[Ev],
                   clef_name: str, layer: _Staff) -> None:
    """An ottava sign over each passage an octave off the staff, a clef change around
    each one another clef the instrument reads takes."""
    from music21 import spanner, stream

    bars = frame.bars
    readable = part.engraving.clefs if part.engraving else ("treble", "bass")
    for run, kind in passages(staff_evs, clef_name, readable):
        if kind in ("8va", "8vb"):
            sign = spanner.Ottava(type=kind, transposing=False,
                                  placement="above" if kind == "8va" else "below")
            sign.addSpannedElements([o for e in run for o in layer.written.get(id(e), [])])
            m21staff.insert(0, sign)
            continue
        staff_bars = list(m21staff.getElementsByClass(stream.Measure))
        begin, until = min(e.start for e in run), max(e.end for e in run)
        for at, name in ((begin, kind), (until, clef_name)):
            i = _bar_index(bars, at)
            if name == clef_name and at >= bars[-1][1]:
                continue  # the passage runs to the end of the cue
            staff_bars[i].insert(at - bars[i][0], _clef_object(name))


def _expression(score: Score, part: Part, evs: list[Ev], placed: dict[float, list[Any]],
                put: Any, hits: dict[float, str], bars: list[Any], dynamics: Any,
                expressions: Any) -> None:
    """Dynamics at every entry and section change, hairpins into swells and over the
    lines' phrases (from CC1), playing technique texts, an accent at a sting or accent
    hit and a caesura at a cut."""
    if not evs:
        return
    onsets = sorted(placed)
    written_at = {e.onset: e.start for e in evs}  # marks go where the note is written
    bar_len = float(bars[0][1] - bars[0][0]) if bars else 4.0
    _dynamic_marks(score, part, evs, onsets, written_at, put, bar_len, dynamics, expressions)
    _hit_marks(onsets, placed, hits)
    swells = [(beat - bar_len, beat, "crescendo") for beat, kind in sorted(hits.items())
              if kind == "swell"]
    shaped = [h for h in hairpins(part.controllers.get(1, ()))
              if all(h[1] <= a or h[0] >= b for a, b, _ in swells)
              and part.role in SHAPED_ROLES and h[1] - h[0] <= HAIRPIN_MOST_BEATS]
    for start, stop, kind in sorted(swells + shaped):
        inside = [o for o in onsets if start - 1e-3 <= o < stop - 1e-3]
        if len(inside) < 2:
            continue
        first_obj, last_obj = placed[inside[0]][0], placed[inside[-1]][0]
        if first_obj is last_obj or _staff_of(first_obj) is not _staff_of(last_obj):
            continue  # a hairpin starts and stops on one staff
        wedge = dynamics.Crescendo if kind == "crescendo" else dynamics.Diminuendo
        put(written_at[inside[0]], wedge(first_obj, last_obj))


def _dynamic_marks(score: Score, part: Part, evs: list[Ev], onsets: list[float],
                   written_at: dict[float, Fraction], put: Any, bar_len: float,
                   dynamics: Any, expressions: Any) -> None:
    """A dynamic at every entry after a bar's rest and at a section change that changes
    it; the playing technique's text (pizz., trem., aah) at the first note."""
    velocity: dict[float, list[int]] = defaultdict(list)
    ends: dict[float, float] = {}
    for e in evs:
        velocity[e.onset].append(e.velocity)
        ends[e.onset] = max(ends.get(e.onset, 0.0), e.onset + float(e.end - e.start))
    section_starts = sorted(m.beat for m in score.markers if m.kind == "section")
    last_mark, last_end, sec_i = None, -1e9, -1
    first = True
    for on in onsets:
        new_section = False
        while sec_i + 1 < len(section_starts) and section_starts[sec_i + 1] <= on + 1e-6:
            sec_i += 1
            new_section = True
        vel = sum(velocity[on]) / len(velocity[on]) if velocity.get(on) else 80
        mark = dynamic_mark(vel, part.role)
        entry = first or on - last_end >= bar_len - 1e-6
        if entry or (new_section and mark != last_mark and not part.is_drum):
            put(written_at[on], dynamics.Dynamic(mark))
            last_mark = mark
        if first:
            label = ""
            if part.texture == "pizzicato" or int(part.program) == 45:
                label = "pizz."
            elif int(part.program) == 44 or part.texture == "tremolo":
                label = "trem."
            elif (part.instrument or "") == "choir":
                label = "aah"
            if label:
                te = expressions.TextExpression(label)
                te.placement = "above"
                put(written_at[on], te)
        first = False
        last_end = max(last_end, ends.get(on, on))


def _hit_marks(onsets: list[float], placed: dict[float, list[Any]],
               hits: dict[float, str]) -> None:
    """An accent on the note at a sting or accent hit, a caesura after the last note
    before a cut."""
    from music21 import articulations

    for beat, kind in sorted(hits.items()):
        at = next((o for o in onsets if abs(o - beat) < 1e-3), None)
        objs = placed.get(at, []) if at is not None else []
        if kind in ("sting", "accent"):
            for obj in objs[:1]:
                art = articulations.Accent()
                if not any(type(a) is type(art) for a in obj.articulations):
                    obj.articulations.append(art)
        elif kind == "cut":
            before = [o for o in onsets if o < beat - 1e-3]
            if before:
                obj = placed[before[-1]][0]
                obj.articulations.append(articulations.Caesura())


#: The least rise or fall of CC1 (about one dynamic level) a hairpin is written for,
#: and the fewest beats it takes; the phrase shaping of longer ones is left unmarked.
HAIRPIN_CHANGE, HAIRPIN_BEATS, HAIRPIN_MOST_BEATS = 12, 2.0, 8.0
#: Roles whose phrases are shaped with hairpins (the accompaniment's only into a swell).
SHAPED_ROLES = ("melody", "counter")


def hairpins(curve: Iterable[tuple[float, int]]) -> list[tuple[float, float, str]]:
    """(start, end, 'crescendo' | 'diminuendo') for each steady rise or fall of a CC1
    curve of at least `HAIRPIN_CHANGE` over at least `HAIRPIN_BEATS`.

    >>> hairpins(((0, 90), (2, 100), (4, 110), (6, 110), (8, 95), (9, 94)))
    [(0, 4, 'crescendo'), (6, 9, 'diminuendo')]
    """
    plateaus: list[list] = []  # [first beat, last beat, value] of each level held
    for beat, value in curve:
        if plateaus and plateaus[-1][2] == value:
            plateaus[-1][1] = beat
        else:
            plateaus.append([beat, beat, value])
    out = []
    i = 0
    while i + 1 < len(plateaus):
        rising = plateaus[i + 1][2] > plateaus[i][2]
        j = i + 1
        while j + 1 < len(plateaus) and (plateaus[j + 1][2] > plateaus[j][2]) == rising:
            j += 1
        start, stop = plateaus[i][1], plateaus[j][0]
        if abs(plateaus[j][2] - plateaus[i][2]) >= HAIRPIN_CHANGE and \
                stop - start >= HAIRPIN_BEATS:
            out.append((start, stop, "crescendo" if rising else "diminuendo"))
        i = j
    return out


def _staff_of(obj: Any) -> Any:
    """The part or staff a note was placed in (a grand staff has two)."""
    from music21 import stream

    return obj.getContextByClass(stream.Part)


def _conductor(score: Score, measures: list, bars: list, hits: dict, harmony_: _Harmony,
               expressions: Any) -> None:
    """Tempo, rehearsal marks with bar and timecode, hit labels and chord symbols,
    above the top staff as a copyist puts them."""
    q = _frac

    def put(beat: float, obj: Any) -> None:
        i = _bar_index(bars, q(beat))
        measures[i].insert(max(Fraction(0), q(beat) - bars[i][0]), obj)

    tm = score.tempo_map
    for beat, bpm in tm.tempos:
        if not any(a - 1e-9 < beat < b - 1e-9 for a, b in tm.ramps):  # a ramp: one word
            put(beat, _tempo_mark(bpm, tm.meter_at(beat)))
    for a, b in tm.ramps:
        word = expressions.TextExpression(tm.ramp_word(a, b))
        word.placement, word.style.fontStyle = "above", "italic"
        put(a, word)
    letters = _letters()
    marked: dict[float, str] = {}
    for marker in sorted(score.markers, key=lambda m: (m.beat, m.kind, m.text)):
        if marker.kind not in ("section", "hit"):
            continue
        b = round(marker.beat, 4)
        if b not in marked:
            marked[b] = next(letters)
            put(marker.beat, expressions.RehearsalMark(rehearsal_text(score, marker.beat,
                                                                      marked[b])))
        if marker.text:
            kind = hits.get(b, "hit") if marker.kind == "hit" else "section"
            label = f"{marker.text} ({kind})" if marker.kind == "hit" else marker.text
            te = expressions.TextExpression(label)
            te.placement = "above"
            put(marker.beat, te)
    for b, _d, symbol, pcs in harmony_.chords:
        cs = chord_symbol(harmony_.key_at(b), symbol, pcs)
        if cs is not None and b < float(bars[-1][1]):
            put(b, cs)


# --------------------------------------------------------------------- page and header

#: Tenths (MusicXML's unit) in one staff height.
TENTHS = 40
#: Page sizes in millimetres (a full score of many staves on A3), and the margins.
A4_MM, A3_MM, MARGIN_MM = (210.0, 297.0), (297.0, 420.0), 12.0
#: Staves from which a score is set on A3.
A3_FROM = 10


class Page(Struct, frozen=True):
    """The page in tenths and the staff height in mm: smaller staves and a larger page
    for more of them."""

    staff_mm: float
    width: int
    height: int
    margin: int

    @classmethod
    def for_staves(cls, staves: int) -> Page:
        staff_mm = 4.5 if staves >= 8 else 5.5 if staves >= 4 else 7.0
        tenths = TENTHS / staff_mm  # per millimetre
        width, height = A3_MM if staves >= A3_FROM else A4_MM
        return cls(staff_mm, round(width * tenths), round(height * tenths),
                   round(MARGIN_MM * tenths))


def film_title(score: Score) -> str:
    """The project's title from the plan ('' when the plan has none)."""
    return score.plan.project


def header_lines(score: Score) -> dict[str, str]:
    """The header a music editor looks for: credit type -> text.

    >>> from motifgen.score import Plan, TempoMap
    >>> s = Score("2M1", "The chase", Key.parse("D minor"), TempoMap(), (),
    ...           start_timecode="01:10:00:00", fps="25", plan=Plan(project="Night Ferry"))
    >>> header_lines(s)["title"], header_lines(s)["rights"]
    ('The chase', 'Cue 2M1 · start 01:10:00:00 · 25 fps')
    """
    return {"title": score.title or score.id, "subtitle": film_title(score),
            "rights": f"Cue {score.id} · start {score.start_timecode} · {score.fps} fps"}


def _credits(score: Score, page: Page) -> bytes:
    """`<credit>` elements for the header: the cue's title centred at the top, the film
    at the left below it, cue number, start timecode and frame rate at the right."""
    from xml.sax.saxutils import escape

    top = page.height - page.margin
    right = page.width - page.margin
    places = {"title": (page.width // 2, top, 20, "center"),
              "subtitle": (page.margin, top - 170, 11, "left"),
              "rights": (right, top - 170, 10, "right")}
    out = []
    for kind, words in header_lines(score).items():
        if not words:
            continue
        x, y, size, justify = places[kind]
        out.append(f'  <credit page="1">\n    <credit-type>{kind}</credit-type>\n'
                   f'    <credit-words default-x="{x}" default-y="{y}" font-size="{size}" '
                   f'justify="{justify}" valign="top">{escape(words)}</credit-words>\n'
                   f'  </credit>\n')
    return "".join(out).encode("utf-8")


_ENCODING_DATE = re.compile(rb"\s*<encoding-date>[^<]*</encoding-date>")


def to_bytes(score: Score) -> bytes:
    """The MusicXML document for `score` (no encoding date: same score, same bytes)."""
    from music21.musicxml.m21ToXml import GeneralObjectExporter

    try:
        m21 = build_stream(score)
        data = GeneralObjectExporter(m21).parse()
    except Exception as e:  # music21 raises many types; wrap at the boundary
        raise MotifgenError(f"MusicXML export failed: {e}", where=score.id) from e
    staves = sum(1 for _ in m21.parts)
    data = data.replace(b"  <part-list>", _credits(score, Page.for_staves(staves)) +
                        b"  <part-list>", 1)
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


def _percussion_chord(objs: list) -> Any:
    from music21 import percussion

    return percussion.PercussionChord(objs)
