"""Motif: an immutable array of notes with its key and meter.

Time is in quarter-note beats (float64), pitch is a MIDI number, velocity 1..127.
Notes are kept sorted by onset (then pitch), durations are positive.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from .errors import MotifgenError
from .theory import Key, bar_beats, degrees_of, pitches_of


def _frozen(values: Iterable[float] | np.ndarray, dtype: type) -> np.ndarray:
    arr = np.array(values, dtype=dtype).reshape(-1)
    arr.setflags(write=False)
    return arr


#: Note values by letter, in quarter-note beats (the letters of a project's rhythm).
_LENGTHS = (("w", 4.0), ("h", 2.0), ("q", 1.0), ("e", 0.5), ("s", 0.25), ("t", 0.125))


def length_name(beats: float) -> str:
    """A note length as a letter (w h q e s t), dotted ('q.'), else beats ('0.7').

    >>> [length_name(b) for b in (1, 0.5, 1.5, 3, 0.375, 1.25)]
    ['q', 'e', 'q.', 'h.', 's.', '1.25']
    """
    for letter, value in _LENGTHS:
        if abs(beats - value) < 1e-6:
            return letter
        if abs(beats - 1.5 * value) < 1e-6:
            return letter + "."
    return f"{round(beats, 3):g}"


@dataclass(frozen=True, eq=False)
class Notes:
    """Parallel note arrays: onset, duration (beats), pitch, velocity."""

    onset: np.ndarray
    duration: np.ndarray
    pitch: np.ndarray
    velocity: np.ndarray

    def __post_init__(self) -> None:
        onset = np.asarray(self.onset, dtype=np.float64).reshape(-1)
        duration = np.asarray(self.duration, dtype=np.float64).reshape(-1)
        pitch = np.asarray(self.pitch, dtype=np.int64).reshape(-1)
        velocity = np.asarray(self.velocity, dtype=np.int64).reshape(-1)
        if not (len(onset) == len(duration) == len(pitch) == len(velocity)):
            raise MotifgenError("note arrays differ in length")
        if len(duration) and float(duration.min()) <= 0:
            raise MotifgenError("every note needs a positive duration")
        order = np.lexsort((pitch, onset))
        if not np.array_equal(order, np.arange(len(order))):
            onset, duration, pitch, velocity = (
                a[order] for a in (onset, duration, pitch, velocity))
        for name, arr, dtype in (
            ("onset", onset, np.float64),
            ("duration", duration, np.float64),
            ("pitch", pitch, np.int64),
            ("velocity", np.clip(velocity, 1, 127), np.int64),
        ):
            object.__setattr__(self, name, _frozen(arr, dtype))

    def __len__(self) -> int:
        return len(self.onset)

    @property
    def end(self) -> float:
        """Beat where the last note stops (0 for no notes)."""
        return float((self.onset + self.duration).max()) if len(self) else 0.0

    def rows(self) -> list[tuple[float, float, int, int]]:
        """The notes as (onset, duration, pitch, velocity) tuples."""
        return list(zip(self.onset.tolist(), self.duration.tolist(),
                        self.pitch.tolist(), self.velocity.tolist()))

    def fingerprint(self) -> bytes:
        """The notes as bytes: equal exactly when two note arrays sound the same."""
        return b"".join(a.tobytes() for a in (self.onset, self.duration, self.pitch,
                                              self.velocity))


@dataclass(frozen=True, eq=False)
class Motif(Notes):
    """A leitmotif or a development of one: notes plus the key and meter they live in."""

    key: Key = field(default_factory=Key)
    meter: tuple[int, int] = (4, 4)
    name: str = ""

    @classmethod
    def from_notes(
        cls,
        notes: Sequence[tuple[float, float, int, int]] | Sequence[tuple[float, float, int]],
        key: Key | None = None,
        meter: tuple[int, int] = (4, 4),
        name: str = "",
    ) -> Motif:
        """Build from (onset, duration, pitch[, velocity]) tuples; velocity defaults to 80."""
        rows = [tuple(n) + ((80,) if len(n) == 3 else ()) for n in notes]
        cols = list(zip(*rows)) if rows else [(), (), (), ()]
        return cls(*cols, key=key or Key(), meter=meter, name=name)

    @classmethod
    def from_degrees(
        cls,
        steps: Sequence[int],
        alterations: Sequence[int],
        durations: Sequence[float],
        key: Key,
        meter: tuple[int, int] = (4, 4),
        velocity: int = 80,
        name: str = "",
    ) -> Motif:
        """Build from scale steps (0-based, see `theory`) and durations laid end to end."""
        if not (len(steps) == len(alterations) == len(durations)):
            raise MotifgenError(
                f"{len(steps)} degrees but {len(durations)} rhythm values; they must match"
            )
        dur = np.asarray(durations, dtype=np.float64)
        onset = np.concatenate(([0.0], np.cumsum(dur)[:-1])) if len(dur) else dur
        pitch = pitches_of(steps, alterations, key)
        return cls(onset, dur, pitch, [velocity] * len(pitch), key=key, meter=meter, name=name)

    def degrees(self) -> tuple[np.ndarray, np.ndarray]:
        """(steps, alterations) of every note in the motif's key."""
        return degrees_of(self.pitch, self.key)

    def with_notes(self, onset=None, duration=None, pitch=None, velocity=None, **kw) -> Motif:
        """A copy with some arrays (and/or key, meter, name) replaced."""
        return replace(
            self,
            onset=self.onset if onset is None else onset,
            duration=self.duration if duration is None else duration,
            pitch=self.pitch if pitch is None else pitch,
            velocity=self.velocity if velocity is None else velocity,
            **kw,
        )

    @property
    def bar_length(self) -> float:
        return bar_beats(self.meter)

    @property
    def intervals(self) -> np.ndarray:
        """Semitone steps between consecutive notes."""
        return np.diff(self.pitch)

    def spell(self) -> str:
        """Each note as name, octave and length: w h q e s t (whole to 32nd), dotted
        with '.', any other length in beats.

        >>> notes = [(0, 1.5, 62), (1.5, 0.5, 69), (2, 0.7, 70)]
        >>> Motif.from_notes(notes, Key(2, "aeolian")).spell()
        'D4/q. A4/e Bb4/0.7'
        """
        return " ".join(f"{self.key.note_name(p % 12)}{p // 12 - 1}/{length_name(d)}"
                        for p, d in zip(self.pitch.tolist(), self.duration.tolist()))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Motif):
            return NotImplemented
        return (self.key == other.key and self.meter == other.meter
                and self.fingerprint() == other.fingerprint())

    def __hash__(self) -> int:
        return hash((self.key, self.meter, self.fingerprint()))

    def __repr__(self) -> str:
        return (f"Motif({self.name + ', ' if self.name else ''}{len(self)} notes, "
                f"{self.key.name}, {self.meter[0]}/{self.meter[1]}, {self.end:g} beats)")
