"""Score: the one object between composing and writing.

A conductor (tempo map, meters, key, markers, SMPTE start) and a list of parts.
Every writer in `motifgen.io` reads a Score and nothing else.
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass, field
from typing import Any

from .motif import Notes
from .theory import Key, bar_beats


@dataclass(frozen=True)
class TempoMap:
    """Tempo and meter changes over quarter-note beats.

    `tempos`: (beat, bpm) pairs, the first at beat 0; tempo is constant until the
    next change (ramps are written as steps). `meters`: (beat, (num, den)) pairs
    on bar lines, the first at beat 0. `ramps`: (start, end) beats of every gradual
    tempo change (a ritardando or accelerando written as the steps in `tempos`).
    """

    tempos: tuple[tuple[float, float], ...] = ((0.0, 120.0),)
    meters: tuple[tuple[float, tuple[int, int]], ...] = ((0.0, (4, 4)),)
    ramps: tuple[tuple[float, float], ...] = ()
    #: seconds and beats of each tempo change, worked out once (not compared or shown)
    _secs: tuple[float, ...] = field(init=False, repr=False, compare=False)
    _beats: tuple[float, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.tempos or self.tempos[0][0] != 0:
            raise ValueError("a tempo map starts with a tempo at beat 0")
        if not self.meters or self.meters[0][0] != 0:
            raise ValueError("a tempo map starts with a meter at beat 0")
        # cumulative seconds at each tempo change, for O(log n) lookups
        secs = [0.0]
        for (b0, bpm), (b1, _) in zip(self.tempos, self.tempos[1:]):
            secs.append(secs[-1] + (b1 - b0) * 60.0 / bpm)
        object.__setattr__(self, "_secs", tuple(secs))
        object.__setattr__(self, "_beats", tuple(b for b, _ in self.tempos))

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


@dataclass(frozen=True)
class Marker:
    """A named point in the cue: a hit, a section start or the cue start."""

    beat: float
    text: str
    kind: str = "section"  # "hit" | "section" | "cue"


@dataclass(frozen=True)
class Part:
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
    #: controller number -> ((beat, value), ...), e.g. CC1 dynamics, CC11 swells
    controllers: dict[int, tuple[tuple[float, int], ...]] = field(default_factory=dict)
    #: (beat, articulation) where each section's articulation starts ("legato", "tenuto",
    #: "marcato", "staccato"): lets notation write nominal values with their marks
    articulations: tuple[tuple[float, str], ...] = ()
    #: the part's accompaniment texture ("pizzicato", "tremolo", ...; "" for none)
    texture: str = ""
    #: its job on the film's template ("melody", "doubling", "counter", ...; "" until
    #: the template has placed it: see `motifgen.template.job_of`)
    job: str = ""


@dataclass(frozen=True)
class Score:
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
    plan: dict[str, Any] = field(default_factory=dict)

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
