"""Motif: an immutable array of notes with its key and meter.

Time is in quarter-note beats (float64), pitch is a MIDI number, velocity 1..127.
Notes are kept sorted by onset (then pitch), durations are positive.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields
from operator import add, lt
from typing import TYPE_CHECKING, Any, TypeAlias

import numpy as np

from .errors import MotifgenError
from .theory import Key, all_within, bar_beats, degrees_of, fold_into, pitches_of

if TYPE_CHECKING:  # numpy.typing is for the type checker only
    from numpy.typing import ArrayLike, NDArray

#: A note array: onsets and durations are float64, pitches and velocities int64.
Array: TypeAlias = "NDArray[Any]"
#: A note as (onset, duration, pitch, velocity), the order of `Notes.rows`.
Row = tuple[float, float, int, int]

#: A motif as written (text or a file) is a few bars: more is a mistake (or a whole score)
#: and would only slow composing.
MAX_WRITTEN_NOTES = 256
MAX_WRITTEN_BEATS = 256
#: The most notes a development may make (`sequence` and `ornament` multiply them).
MAX_DEVELOPED_NOTES = 4096

#: The note arrays of Notes and Motif, in field order (what `fingerprint` covers).
NOTE_ARRAYS = ("onset", "duration", "pitch", "velocity")
#: Their types: onsets and durations float64, pitches and velocities int64.
NOTE_DTYPES = (np.float64, np.float64, np.int64, np.int64)
_min = np.minimum.reduce
_max = np.maximum.reduce


def frozen_array(values: Iterable[float] | Array, dtype: type) -> Array:
    """`values` as a new read-only flat array of `dtype` that owns its data (a view would
    keep its base's header as well)."""
    arr: Array = np.array(values, dtype=dtype)
    if arr.ndim != 1:
        arr = arr.reshape(-1).copy()
    arr.setflags(write=False)
    return arr


def _holds(on: Array, dur: Array, pit: Array, vel: Array,
           durations: bool, velocities: bool, order: bool) -> bool:
    """Whether note arrays keep the invariants the trusted constructors rely on: positive
    durations, velocities 1..127, sorted by onset then pitch (each checked only when asked).

    A few notes are looked at as Python lists, where a plain "all positive" or
    "strictly rising" settles it; anything less clear-cut gets the array checks.
    """
    small = len(on) <= 32
    if durations and not (small and min(dur.tolist()) > 0) and _min(dur) <= 0:
        return False
    if velocities:
        vl = vel.tolist() if small else None
        if not (1 <= min(vl) and max(vl) <= 127 if vl is not None
                else all_within(vel, 1, 127)):
            return False
    if order:
        if small:
            ol = on.tolist()
            if all(map(lt, ol, ol[1:])):
                return True
        d_on = on[1:] - on[:-1]
        least = _min(d_on)
        if least <= 0 and (least < 0 or ((pit[1:] - pit[:-1])[d_on == 0] < 0).any()):
            return False
    return True


def _aligned(on: Array, dur: Array, pit: Array, vel: Array) -> bool:
    """Whether four arrays are 1-D and of one length."""
    n = len(on)
    return (on.ndim == dur.ndim == pit.ndim == vel.ndim == 1
            and len(dur) == len(pit) == len(vel) == n)


#: Note values by letter, in quarter-note beats (the letters of a project's rhythm and of
#: `Motif.spell`), longest first.
LENGTHS: dict[str, float] = {"w": 4.0, "h": 2.0, "q": 1.0, "e": 0.5, "s": 0.25, "t": 0.125}


def length_name(beats: float) -> str:
    """A note length as a letter (w h q e s t), dotted ('q.'), else beats ('0.7').

    >>> [length_name(b) for b in (1, 0.5, 1.5, 3, 0.375, 1.25)]
    ['q', 'e', 'q.', 'h.', 's.', '1.25']
    """
    for letter, value in LENGTHS.items():
        if abs(beats - value) < 1e-6:
            return letter
        if abs(beats - 1.5 * value) < 1e-6:
            return letter + "."
    return f"{round(beats, 3):g}"


@dataclass(frozen=True, eq=False)
class Notes:
    """Parallel note arrays: onset, duration (beats), pitch, velocity."""

    onset: Array
    duration: Array
    pitch: Array
    velocity: Array

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
            onset, duration = onset[order], duration[order]
            pitch, velocity = pitch[order], velocity[order]
        for name, arr, dtype in (
            ("onset", onset, np.float64),
            ("duration", duration, np.float64),
            ("pitch", pitch, np.int64),
            ("velocity", np.clip(velocity, 1, 127), np.int64),
        ):
            object.__setattr__(self, name, frozen_array(arr, dtype))

    def __len__(self) -> int:
        return len(self.onset)

    def __getstate__(self) -> dict[str, Any]:
        """The fields, in their order, without what is worked out once (end, fingerprint,
        hash): equal notes pickle to equal bytes, and a hash never crosses processes."""
        state = self.__dict__
        return {name: state[name] for name in _fields_of(type(self))}

    def __setstate__(self, state: dict[str, Any]) -> None:
        """Unpickled arrays are read-only again."""
        for name in NOTE_ARRAYS:
            state[name].setflags(write=False)
        self.__dict__.update(state)

    @property
    def end(self) -> float:
        """Beat where the last note stops (0 for no notes); worked out once per object."""
        found: float | None = self.__dict__.get("_end")
        if found is None:
            n = len(self)
            if n and n <= 32:  # a few notes: the same float sums, without numpy's overhead
                found = max(map(add, self.onset.tolist(), self.duration.tolist()))
            else:
                found = float(_max(self.onset + self.duration)) if n else 0.0
            object.__setattr__(self, "_end", found)
        return found

    def rows(self) -> list[tuple[float, float, int, int]]:
        """The notes as (onset, duration, pitch, velocity) tuples."""
        return list(zip(self.onset.tolist(), self.duration.tolist(),
                        self.pitch.tolist(), self.velocity.tolist()))

    def fingerprint(self) -> bytes:
        """The notes as bytes: equal exactly when two note arrays sound the same.

        Worked out once per object (the arrays are read-only).
        """
        found: bytes | None = self.__dict__.get("_fingerprint")
        if found is None:
            found = self._bytes()
            object.__setattr__(self, "_fingerprint", found)
        return found

    def _bytes(self) -> bytes:
        """`fingerprint`, worked out anew."""
        return b"".join(a.tobytes() for a in (self.onset, self.duration, self.pitch,
                                              self.velocity))

    def __eq__(self, other: object) -> bool:
        """Equal notes are equal values (`fingerprint`); a Motif is never plain Notes."""
        if not isinstance(other, Notes) or isinstance(other, Motif) or isinstance(self, Motif):
            return NotImplemented
        return self.fingerprint() == other.fingerprint()

    def __hash__(self) -> int:
        return hash(self.fingerprint())

    @classmethod
    def trusted(cls, onset: ArrayLike, duration: ArrayLike, pitch: ArrayLike,
                velocity: ArrayLike, copy: bool = True) -> Notes:
        """`Notes(onset, duration, pitch, velocity)`, without the constructor's copies and
        sort when the arrays already hold every invariant (equal 1-D lengths, positive
        durations, sorted by onset then pitch, velocities 1..127); anything else goes
        through the constructor. Writable arrays the caller passes are copied unless
        `copy` is False (the caller hands them over and keeps no reference).

        >>> Notes.trusted([0.0, 1.0], [1.0, 1.0], [62, 60], [80, 80]).rows()
        [(0.0, 1.0, 62, 80), (1.0, 1.0, 60, 80)]
        """
        given = (onset, duration, pitch, velocity)
        on, dur, pit, vel = arrays = [np.asarray(a, dtype=t) for a, t in zip(given, NOTE_DTYPES)]
        if not _aligned(on, dur, pit, vel) or (
                len(on) and not _holds(on, dur, pit, vel, True, True, len(on) > 1)):
            return cls(on, dur, pit, vel)
        for i, (arr, a) in enumerate(zip(arrays, given)):
            if arr.flags.writeable:
                if copy and arr is a:
                    arrays[i] = arr = arr.copy()
                arr.setflags(write=False)
        new = object.__new__(cls)
        vars(new).update(zip(NOTE_ARRAYS, arrays))
        return new

    @classmethod
    def from_rows(cls, rows: Sequence[Row]) -> Notes:
        """Notes from (onset, duration, pitch, velocity) rows, in any order (`trusted`: no
        sort or copy when they are already in order).

        >>> Notes.from_rows([(1.0, 1.0, 60, 80), (0.0, 1.0, 62, 80)]).rows()
        [(0.0, 1.0, 62, 80), (1.0, 1.0, 60, 80)]
        """
        columns = list(zip(*rows)) or [(), (), (), ()]
        on, dur, pit, vel = (np.array(c, dtype=t) for c, t in zip(columns, NOTE_DTYPES))
        return cls.trusted(on, dur, pit, vel, copy=False)


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
        on, du, pi, ve = (np.asarray(c, dtype=t) for c, t in zip(cols, NOTE_DTYPES))
        return cls(on, du, pi, ve, key=key or Key(), meter=meter, name=name)

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
        return cls(onset, dur, pitch, np.full(len(pitch), velocity, dtype=np.int64), key=key,
                   meter=meter, name=name)

    def degrees(self) -> tuple[Array, Array]:
        """(steps, alterations) of every note in the motif's key."""
        return degrees_of(self.pitch, self.key)

    def with_notes(self, onset: ArrayLike | None = None, duration: ArrayLike | None = None,
                   pitch: ArrayLike | None = None, velocity: ArrayLike | None = None,
                   **changes: Any) -> Motif:
        """A copy with some arrays (and/or key, meter, name) replaced, checked, sorted and
        clipped by the constructor."""
        return dataclasses.replace(
            self,
            onset=self.onset if onset is None else np.asarray(onset),
            duration=self.duration if duration is None else np.asarray(duration),
            pitch=self.pitch if pitch is None else np.asarray(pitch),
            velocity=self.velocity if velocity is None else np.asarray(velocity),
            **changes,
        )

    def replace(self, onset: ArrayLike | None = None, duration: ArrayLike | None = None,
                pitch: ArrayLike | None = None, velocity: ArrayLike | None = None,
                **changes: Any) -> Motif:
        """`with_notes`, with a fast path for new note arrays that already hold every
        invariant (equal 1-D lengths, positive durations, sorted by onset then pitch,
        velocities 1..127): then nothing is checked again or copied. `changes` (key,
        meter, name) are kept as given.

        >>> m = Motif.from_notes([(0, 1, 62), (1, 1, 64)])
        >>> m.replace(pitch=[64, 62]).rows()
        [(0.0, 1.0, 64, 80), (1.0, 1.0, 62, 80)]
        """
        state = self.__dict__
        on = state["onset"] if onset is None else np.asarray(onset, dtype=np.float64)
        dur = state["duration"] if duration is None else np.asarray(duration, dtype=np.float64)
        pit = state["pitch"] if pitch is None else np.asarray(pitch, dtype=np.int64)
        vel = state["velocity"] if velocity is None else np.asarray(velocity, dtype=np.int64)
        n = len(on)
        if not _aligned(on, dur, pit, vel) or (n and not _holds(
                on, dur, pit, vel, duration is not None, velocity is not None,
                n > 1 and (onset is not None or pitch is not None))):
            return self.with_notes(onset, duration, pitch, velocity, **changes)
        if onset is not None:
            on.setflags(write=False)
        if duration is not None:
            dur.setflags(write=False)
        if pitch is not None:
            pit.setflags(write=False)
        if velocity is not None:
            vel.setflags(write=False)
        return self._assemble(on, dur, pit, vel, changes)

    def _assemble(self, on: Array, dur: Array, pit: Array, vel: Array,
                  changes: dict[str, Any]) -> Motif:
        """A Motif of these note arrays (read-only, valid), this one's key, meter and name,
        then `changes`; nothing worked out for this one (end, hash) is carried over."""
        if changes and not _FIELD_SET.issuperset(changes):
            raise TypeError(f"unknown Motif fields: {', '.join(changes.keys() - _FIELD_SET)}")
        state = self.__dict__
        new = object.__new__(Motif)
        fresh = vars(new)
        fresh.update(onset=on, duration=dur, pitch=pit, velocity=vel, key=state["key"],
                     meter=state["meter"], name=state["name"])
        if changes:
            fresh.update(changes)
        return new

    def window(self, start: int, stop: int) -> Motif:
        """Notes start..stop-1: a run of consecutive notes of a motif is a valid motif."""
        return self._assemble(self.onset[start:stop], self.duration[start:stop],
                              self.pitch[start:stop], self.velocity[start:stop], {})

    def transposed(self, semitones: int) -> Motif:
        """Every note `semitones` higher, folded back into MIDI 0..127 by octaves."""
        return self.replace(pitch=fold_into(self.pitch + semitones, 0, 127))

    @property
    def bar_length(self) -> float:
        return bar_beats(self.meter)

    @property
    def intervals(self) -> Array:
        """Semitone steps between consecutive notes."""
        return np.diff(self.pitch)

    def spell(self) -> str:
        """Each note as name, octave and length: w h q e s t (whole to 32nd), dotted
        with '.', any other length in beats.

        >>> notes = [(0, 1.5, 62), (1.5, 0.5, 69), (2, 0.7, 70)]
        >>> Motif.from_notes(notes, Key(2, "aeolian")).spell()
        'D4/q. A4/e Bb4/0.7'
        """
        return " ".join(f"{self.key.pitch_name(p)}/{length_name(d)}"
                        for p, d in zip(self.pitch.tolist(), self.duration.tolist()))

    def __eq__(self, other: object) -> bool:
        """Equal when every field is: the notes, key, meter and name."""
        if not isinstance(other, Motif):
            return NotImplemented
        return (self.key == other.key and self.meter == other.meter and self.name == other.name
                and self.fingerprint() == other.fingerprint())

    def __hash__(self) -> int:
        """Worked out once per object (the arrays are read-only): motifs key many caches,
        which keep the number but not the fingerprint it is made from."""
        found: int | None = self.__dict__.get("_hash")
        if found is None:
            found = hash((self.key, self.meter, self.name,
                          self.__dict__.get("_fingerprint") or self._bytes()))
            object.__setattr__(self, "_hash", found)
        return found

    def __repr__(self) -> str:
        return (f"Motif({self.name + ', ' if self.name else ''}{len(self)} notes, "
                f"{self.key.name}, {self.meter[0]}/{self.meter[1]}, {self.end:g} beats)")


_FIELD_SET = frozenset(f.name for f in fields(Motif))


_FIELDS: dict[type, tuple[str, ...]] = {}


def _fields_of(cls: type) -> tuple[str, ...]:
    """The field names of a Notes class, in order."""
    found = _FIELDS.get(cls)
    if found is None:
        found = _FIELDS[cls] = tuple(f.name for f in fields(cls))
    return found

#: `Notes.trusted` and `Motif.replace` as functions, for the arranger's lines and motifs.
notes_of = Notes.trusted
with_notes = Motif.replace
