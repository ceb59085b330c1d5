"""Score: the one object between composing and writing.

A conductor (tempo map, meters, key, markers, SMPTE start) and a list of parts.
Every writer in `motifgen.io` reads a Score and nothing else.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
from msgspec import NODEFAULT, Struct, field
from msgspec.structs import astuple, force_setattr

from .errors import MotifgenError
from .motif import Array, Notes, frozen_array
from .theory import Key, bar_beats


class TempoMap(Struct, frozen=True, dict=True):
    """Tempo and meter changes over quarter-note beats.

    `tempos`: (beat, bpm) pairs, the first at beat 0; tempo is constant until the
    next change (ramps are written as steps). `meters`: (beat, (num, den)) pairs
    on bar lines, the first at beat 0. `ramps`: (start, end) beats of every gradual
    tempo change (a ritardando or accelerando written as the steps in `tempos`).
    """

    tempos: tuple[tuple[float, float], ...] = ((0.0, 120.0),)
    meters: tuple[tuple[float, tuple[int, int]], ...] = ((0.0, (4, 4)),)
    ramps: tuple[tuple[float, float], ...] = ()
    if TYPE_CHECKING:  # set by __post_init__ in the instance's dict, not fields
        _secs: ClassVar[tuple[float, ...]]
        _beats: ClassVar[tuple[float, ...]]

    def __post_init__(self) -> None:
        if not self.tempos or self.tempos[0][0] != 0:
            raise ValueError("a tempo map starts with a tempo at beat 0")
        if not self.meters or self.meters[0][0] != 0:
            raise ValueError("a tempo map starts with a meter at beat 0")
        # cumulative seconds at each tempo change, for O(log n) lookups
        secs = [0.0]
        for (b0, bpm), (b1, _) in zip(self.tempos, self.tempos[1:]):
            secs.append(secs[-1] + (b1 - b0) * 60.0 / bpm)
        # seconds and beats of each tempo change, worked out once (not fields: not
        # compared, hashed or shown)
        self.__dict__.update(_secs=tuple(secs), _beats=tuple(b for b, _ in self.tempos))

    def seconds_at(self, beat: float) -> float:
        """Seconds from the start of the cue to `beat`."""
        i = max(0, bisect.bisect_right(self._beats, beat) - 1)
        b0, bpm = self.tempos[i]
        return self._secs[i] + (beat - b0) * 60.0 / bpm

    def beat_at(self, seconds: float) -> float:
        """Beat sounding `seconds` after the start of the cue."""
        i = max(0, bisect.bisect_right(self._secs, seconds) - 1)
        b0, bpm = self.tempos[i]
        return b0 + (seconds - self._secs[i]) * bpm / 60.0

    def tempo_at(self, beat: float) -> float:
        i = max(0, bisect.bisect_right(self._beats, beat) - 1)
        return self.tempos[i][1]

    def ramp_word(self, start: float, end: float) -> str:
        """The marking of the ramp from `start` to `end`: "accel." when it speeds up,
        "rit." when it slows down; timing, the plan, the score and the cue sheet write it.

        >>> TempoMap(((0.0, 100.0), (4.0, 90.0)), ramps=((0.0, 4.0),)).ramp_word(0.0, 4.0)
        'rit.'
        """
        return "accel." if self.tempo_at(end) > self.tempo_at(start) else "rit."

    def meter_at(self, beat: float) -> tuple[int, int]:
        i = max(0, bisect.bisect_right([b for b, _ in self.meters], beat) - 1)
        return self.meters[i][1]

    def bar_lines(self, until: float) -> list[float]:
        """Beats of every bar line from 0 up to and including `until`."""
        lines: list[float] = []
        for i, (start, meter) in enumerate(self.meters):
            stop = self.meters[i + 1][0] if i + 1 < len(self.meters) else math.inf
            length = bar_beats(meter)
            beat = start
            while beat < stop - 1e-9 and beat <= until + 1e-9:
                lines.append(beat)
                beat += length
        return lines

    def position(self, beat: float, tol: float = 1e-6) -> tuple[int, float]:
        """(bar number from 1, beat within the bar from 1) of `beat`, in quarter notes.

        A beat within `tol` of a bar line counts as on it, as in `is_bar_line`.

        >>> TempoMap().position(8.0), TempoMap().position(7.9999999), TempoMap().position(9.5)
        ((3, 1.0), (3, 1.0), (3, 2.5))
        """
        lines = self.bar_lines(beat + tol)
        return len(lines), max(0.0, beat - lines[-1]) + 1

    def is_bar_line(self, beat: float, tol: float = 1e-6) -> bool:
        lines = self.bar_lines(beat + tol)
        return bool(lines) and abs(lines[-1] - beat) <= tol

    @property
    def bpms(self) -> list[float]:
        return [bpm for _, bpm in self.tempos]


class Marker(Struct, frozen=True, gc=False):
    """A named point in the cue: a hit, a section start or the cue start."""

    beat: float
    text: str
    kind: str = "section"  # "hit" | "section" | "cue"


#: MIDI channel (0-based) of the General MIDI drum kit: a drum part's channel.
DRUM_CHANNEL = 9
#: The sections of a score, top to bottom: what an `Engraving.section` names (the
#: orchestra's catalogue lists the instruments of each; the audio stems follow them).
SECTIONS: tuple[str, ...] = ("woodwinds", "brass", "percussion", "keys and harp", "choir",
                             "strings")


class Engraving(Struct, frozen=True, gc=False):
    """How a part's instrument is printed, from the orchestra's catalogue: what a
    notation writer needs so that it reads the Part and nothing else.

    `transposition`: semitones from written to sounding pitch; `clefs`: the clefs the
    instrument reads, preferred first ("grand": two staves; empty: by the range);
    `music21_class`: the music21 instrument class that names it in MusicXML;
    `section` and `rank`: its section of the score (`SECTIONS`) and its place
    in score order, top to bottom.
    """

    display: str
    abbreviation: str = ""
    transposition: int = 0
    clefs: tuple[str, ...] = ()
    music21_class: str = ""
    section: str = ""
    rank: int = 0
    #: the name of the first system where `display` is a short one (a string section:
    #: "Violins I" for "Vln I"); empty: `display`
    full: str = ""


class Message(Struct, frozen=True, gc=False):
    """What selects a sample library's articulation: a `cc` (controller `number` to
    `value`), a `keyswitch` (note `number` at `velocity`, `lead` beats early) or a
    `program`; an articulation map's entry, and what a Part's `switches` send."""

    kind: str
    number: int
    value: int = 0
    lead: float = 0.0
    velocity: int = 100


class Curve(Struct, frozen=True, eq=False, gc=False):
    """A controller curve: the beats where its value changes (float64) and the values
    (int64), as two read-only arrays in beat order. A 2-3 minute cue has thousands of
    points, which as tuples of Python numbers take four times the memory.

    Iterating gives the (beat, value) points as Python numbers; equal curves have equal
    arrays, and a pickle holds only the arrays (equal curves, equal bytes).

    >>> curve = Curve.of([(0.0, 60), (4.0, 90)])
    >>> list(curve), len(curve), curve == Curve([0, 4], [60, 90])
    ([(0.0, 60), (4.0, 90)], 2, True)
    """

    beats: Array
    values: Array

    def __post_init__(self) -> None:
        if not np.ndim(self.beats) == np.ndim(self.values) == 1 or (
                len(self.beats) != len(self.values)):
            raise MotifgenError("a controller curve's beats and values are two lists of "
                                "one length")
        beats, values = frozen_array(self.beats, np.float64), frozen_array(self.values, np.int64)
        force_setattr(self, "beats", beats)
        force_setattr(self, "values", values)

    @classmethod
    def of(cls, points: Iterable[tuple[float, int]]) -> Curve:
        """The curve through (beat, value) `points`."""
        pairs = list(points)
        return cls(np.array([b for b, _ in pairs], dtype=np.float64),
                   np.array([v for _, v in pairs], dtype=np.int64))

    def __len__(self) -> int:
        return len(self.beats)

    def __iter__(self) -> Iterator[tuple[float, int]]:
        return zip(self.beats.tolist(), self.values.tolist())

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Curve):
            return NotImplemented
        return (self.beats.tobytes() == other.beats.tobytes()
                and self.values.tobytes() == other.values.tobytes())

    def __hash__(self) -> int:
        return hash((self.beats.tobytes(), self.values.tobytes()))

    def __reduce__(self) -> tuple[type[Curve], tuple[Array, Array]]:
        """Unpickled through the constructor, so the arrays are read-only again."""
        return Curve, (self.beats, self.values)


class Part(Struct, frozen=True):
    """One instrument's line: notes on one MIDI channel plus controller curves."""

    name: str
    instrument: str
    program: int
    role: str
    notes: Notes
    channel: int = 0
    is_drum: bool = False
    volume: int = 100
    pan: int = 64
    #: controller number -> its curve, e.g. CC1 dynamics, CC11 swells
    controllers: dict[int, Curve] = field(default_factory=dict)
    #: (beat, articulation) where each section's articulation starts ("legato", "tenuto",
    #: "marcato", "staccato"): lets notation write nominal values with their marks
    articulations: tuple[tuple[float, str], ...] = ()
    #: the part's accompaniment texture ("pizzicato", "tremolo", ...; "" for none)
    texture: str = ""
    #: its job on the film's template ("melody", "doubling", "counter", ...; "" until
    #: the template has placed it: see `duty`)
    job: str = ""
    #: the catalogue's names, clefs and transposition (None: not a catalogue instrument)
    engraving: Engraving | None = None
    #: (beat, message) wherever the sample library's articulation changes, from the
    #: film's articulation map (`template.dress`); the MIDI writer sends them
    switches: tuple[tuple[float, Message], ...] = ()
    #: a track of the film's template that the cue does not play (no notes): MIDI writes
    #: its name, and its set-up only where no part that plays shares its channel
    silent: bool = False

    @property
    def duty(self) -> str:
        """The job the part does: once placed, the template's; before, its role, or
        "doubling" for a melody's octave doubling (the arranger names those "...
        (doubling)")."""
        if self.job:
            return self.job
        doubling = self.role == "melody" and self.name.endswith("(doubling)")
        return "doubling" if doubling else self.role

    @property
    def display_name(self) -> str:
        """Name printed for the part: its own name, or the catalogue's display name when
        the part is named only by its catalogue key (e.g. ``english_horn``)."""
        if self.name and self.name != self.instrument:
            return self.name
        if self.engraving is not None:
            return self.engraving.display
        return (self.name or self.instrument or "Part").replace("_", " ").title()


def _json(value: Any) -> Any:
    """A row, or rows, as JSON-ready values (other values as they are)."""
    if isinstance(value, PlanRow):
        return value.as_json()
    if isinstance(value, tuple | list):
        return [_json(v) for v in value]
    return value


class PlanRow(Struct, frozen=True, gc=False):
    """A row of a plan (one kind per class below): `as_json` is its JSON object, one key
    per field, an optional field (one whose default is None) left out while None."""

    def as_json(self) -> dict[str, Any]:
        out = {}
        for (name, optional), value in zip(_row_fields(type(self)), astuple(self)):
            if value is not None or not optional:
                out[name] = _json(value)
        return out


_ROW_FIELDS: dict[type[PlanRow], tuple[tuple[str, bool], ...]] = {}


def _row_fields(cls: type[PlanRow]) -> tuple[tuple[str, bool], ...]:
    """A row class's (field name, optional) pairs, in order, read once per class."""
    found = _ROW_FIELDS.get(cls)
    if found is None:
        names = cls.__struct_fields__
        defaults = (NODEFAULT,) * (len(names) - len(cls.__struct_defaults__)) + tuple(
            cls.__struct_defaults__)
        found = _ROW_FIELDS[cls] = tuple((n, d is None) for n, d in zip(names, defaults))
    return found


class SceneRow(PlanRow, frozen=True, gc=False):
    """The scene a cue was composed for: its timecodes and length in seconds."""

    id: str
    title: str
    start: str
    end: str
    duration_seconds: float
    fps: str


class RampRow(PlanRow, frozen=True, gc=False):
    """A gradual tempo change: its beats, the bar it starts in, "rit." or "accel."."""

    start_beat: float
    end_beat: float
    bar: int
    marking: str


class ExcursionRow(PlanRow, frozen=True, gc=False):
    """A stretch played outside its mood's tempo range, `percent` beyond it."""

    into: str
    start_beat: float
    end_beat: float
    bpm: float
    mood_range: tuple[float, float]
    percent: float


class TempoRow(PlanRow, frozen=True, gc=False):
    """The tempo map as the plan records it: (beat, bpm) tempos, (beat, "3/4") meters."""

    tempos: tuple[tuple[float, float], ...]
    meters: tuple[tuple[float, str], ...]
    length_beats: float
    ramps: tuple[RampRow, ...] = ()
    excursions: tuple[ExcursionRow, ...] = ()


class ChordRow(PlanRow, frozen=True, gc=False):
    """A chord of a section from `beat` for `beats`: its Roman numeral, its pitch
    classes (root first) and its kind ("diatonic", "colour", "cadence", ...)."""

    beat: float
    beats: float
    symbol: str
    pitch_classes: tuple[int, ...]
    kind: str


class SectionRow(PlanRow, frozen=True, gc=False):
    """A section of the cue: its beats, first bar, mood, key, intensity and chords."""

    label: str
    start_beat: float
    end_beat: float
    bar: int
    mood: str
    key: str
    intensity: float
    chords: tuple[ChordRow, ...] = ()


class HitRow(PlanRow, frozen=True, gc=False):
    """A hit as it was caught: its timecode, where it falls (`beat` from the cue's start,
    `bar` and `beat_in_bar` in quarter notes), the frames it is off and its kind."""

    label: str
    timecode: str
    seconds: float
    beat: float
    bar: int
    beat_in_bar: float
    downbeat: bool
    on_bar_line: bool
    frames_off: float
    kind: str


class StatementRow(PlanRow, frozen=True, gc=False):
    """A statement of a motif: its `part` (melody, counter), the motif's own key, the
    transform chain that moved it here and its development with its recognisability
    (None: not measured), its beats and mood; `instrument` (who plays it) and `form`
    (its role: statement, answer, development, return, climax) where known."""

    part: str
    motif: str
    source_key: str
    chain: str
    development: str
    recognisability: float | None
    start_beat: float
    end_beat: float
    mood: str
    instrument: str | None = None
    form: str | None = None


class PartRow(PlanRow, frozen=True, gc=False):
    """A track: name, instrument, role, GM program, channel (1-based) and note count;
    on the film's template also its pan, CC7 and section."""

    name: str
    instrument: str
    role: str
    program: int
    channel: int
    notes: int
    pan: int | None = None
    volume: int | None = None
    section: str | None = None


class FormRow(PlanRow, frozen=True, gc=False):
    """A part of the cue's form (establish, statement, answer, ..., tag): who states
    it (empty for none) and its beats."""

    part: str
    motif: str
    start_beat: float
    end_beat: float


class Plan(Struct, frozen=True, gc=False):
    """What a cue was composed from and why, with the provenance of every statement;
    `io.plan` writes it as <id>.json, one key per field (`version` as "motifgen"),
    each row as its `as_json`. `scene` and `tempo_map` are None for a Score composed
    without a scene (a motif listing)."""

    version: str = ""
    project: str = ""
    seed: int | None = None
    scene: SceneRow | None = None
    moods: tuple[str, ...] = ()
    featuring: tuple[str, ...] = ()
    key: str = ""
    meter: str = ""
    tempo_map: TempoRow | None = None
    sections: tuple[SectionRow, ...] = ()
    hits: tuple[HitRow, ...] = ()
    statements: tuple[StatementRow, ...] = ()
    parts: tuple[PartRow, ...] = ()
    ending: str = ""
    form: tuple[FormRow, ...] = ()

    def as_json(self) -> dict[str, Any]:
        """The plan as the JSON object of <id>.json."""
        out = {name: _json(value) for name, value in zip(self.__struct_fields__, astuple(self))}
        out["motifgen"] = out.pop("version")
        for name in ("scene", "tempo_map"):  # missing: an empty object, as it always was
            out[name] = out[name] or {}
        return out


class Score(Struct, frozen=True):
    """A composed cue: everything a writer needs, nothing it must compute musically."""

    id: str
    title: str
    key: Key
    tempo_map: TempoMap
    parts: tuple[Part, ...]
    markers: tuple[Marker, ...] = ()
    #: key changes after the first, as (beat, Key)
    key_changes: tuple[tuple[float, Key], ...] = ()
    start_seconds: float = 0.0
    start_timecode: str = "00:00:00:00"
    fps: str = "24"
    length_beats: float = 0.0
    #: the plan with provenance, written as <id>.json
    plan: Plan = field(default_factory=Plan)

    @property
    def end_beats(self) -> float:
        """Where the cue ends: `length_beats`, or the end of the last note when it is unset."""
        if self.length_beats > 0:
            return self.length_beats
        return max((float(p.notes.end) for p in self.parts), default=0.0)

    @property
    def duration_seconds(self) -> float:
        return self.tempo_map.seconds_at(self.length_beats)

    def note_count(self) -> int:
        return sum(len(p.notes) for p in self.parts)
