"""Keys, modes and scale degrees.

Pitches are MIDI numbers. A scale degree is an absolute *step* (0 = the tonic
nearest middle C, 7 = the tonic an octave up in a seven-note mode, -1 = the
degree below the tonic) plus an *alteration* in semitones for chromatic notes.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, TypeAlias

import numpy as np
from msgspec import Struct
from msgspec.structs import force_setattr

from ..errors import MotifgenError
from .pitch import FLAT_NAMES, SHARP_NAMES, pitch_class, pitch_name

if TYPE_CHECKING:  # numpy.typing is for the type checker only
    from numpy.typing import ArrayLike, NDArray

#: An array of MIDI numbers or scale steps.
IntArray: TypeAlias = "NDArray[np.int64]"

#: Scales as semitone offsets from the tonic. One table: the CLI, validation
#: and the `mode` transform all read it.
MODES: dict[str, tuple[int, ...]] = {
    "ionian": (0, 2, 4, 5, 7, 9, 11),
    "dorian": (0, 2, 3, 5, 7, 9, 10),
    "phrygian": (0, 1, 3, 5, 7, 8, 10),
    "lydian": (0, 2, 4, 6, 7, 9, 11),
    "mixolydian": (0, 2, 4, 5, 7, 9, 10),
    "aeolian": (0, 2, 3, 5, 7, 8, 10),
    "locrian": (0, 1, 3, 5, 6, 8, 10),
    "harmonic_minor": (0, 2, 3, 5, 7, 8, 11),
    "melodic_minor": (0, 2, 3, 5, 7, 9, 11),
    "whole_tone": (0, 2, 4, 6, 8, 10),
    "octatonic": (0, 2, 3, 5, 6, 8, 9, 11),
    "octatonic_hw": (0, 1, 3, 4, 6, 7, 9, 10),
    "major_pentatonic": (0, 2, 4, 7, 9),
    "minor_pentatonic": (0, 3, 5, 7, 10),
}

MODE_ALIASES: dict[str, str] = {
    "major": "ionian",
    "minor": "aeolian",
    "natural_minor": "aeolian",
    "harmonic minor": "harmonic_minor",
    "melodic minor": "melodic_minor",
    "whole-tone": "whole_tone",
    "wholetone": "whole_tone",
    "diminished": "octatonic",
    "pentatonic": "major_pentatonic",
    "major pentatonic": "major_pentatonic",
    "minor pentatonic": "minor_pentatonic",
}

#: Offset of each diatonic mode's tonic above its relative major's tonic.
_RELATIVE_MAJOR_OFFSET = {
    "ionian": 0, "dorian": 2, "phrygian": 4, "lydian": 5,
    "mixolydian": 7, "aeolian": 9, "locrian": 11,
}


#: Tonic of step 0 is this MIDI number plus the tonic's pitch class (C4 = 60).
TONIC_OCTAVE_BASE = 60

def mode_name(name: str) -> str:
    """Canonical mode name for `name` (case-insensitive, aliases allowed)."""
    key = name.strip().lower()
    key = MODE_ALIASES.get(key, key).replace(" ", "_").replace("-", "_")
    key = MODE_ALIASES.get(key, key)
    if key not in MODES:
        known = ", ".join(sorted(MODES) + sorted(MODE_ALIASES))
        raise MotifgenError(f"unknown mode {name!r}; expected one of: {known}")
    return key


class Key(Struct, frozen=True, gc=False):
    """A tonic pitch class and a mode name from `MODES`."""

    tonic: int = 0
    mode: str = "ionian"

    def __post_init__(self) -> None:
        force_setattr(self, "tonic", self.tonic % 12)
        force_setattr(self, "mode", mode_name(self.mode))

    @classmethod
    def parse(cls, text: str) -> Key:
        """'D minor', 'F# dorian', 'Bb harmonic minor', 'C' (major by default)."""
        parts = text.strip().split(None, 1)
        if not parts:
            raise MotifgenError("empty key; expected '<tonic> <mode>', e.g. 'D minor'")
        return cls(pitch_class(parts[0]), parts[1] if len(parts) > 1 else "ionian")

    @property
    def scale(self) -> tuple[int, ...]:
        return MODES[self.mode]

    @property
    def tonic_pitch(self) -> int:
        """MIDI number of step 0."""
        return TONIC_OCTAVE_BASE + self.tonic

    @property
    def is_minor(self) -> bool:
        """True when the third above the tonic is minor (for key signatures)."""
        return 3 in self.scale and 4 not in self.scale

    def pitch_classes(self) -> frozenset[int]:
        return frozenset((self.tonic + s) % 12 for s in self.scale)

    def contains(self, pitch: int) -> bool:
        return (pitch - self.tonic) % 12 in self.scale

    def sharps(self) -> int:
        """Key-signature accidentals (+ sharps, - flats) of this key, -7..7."""
        offset = _RELATIVE_MAJOR_OFFSET.get(self.mode, 9 if self.is_minor else 0)
        major_pc = (self.tonic - offset) % 12
        sharps = (major_pc * 7) % 12  # circle of fifths position
        return sharps - 12 if sharps > 6 or (sharps == 6 and self._prefers_flats()) else sharps

    def _prefers_flats(self) -> bool:
        return self.tonic in (1, 3, 5, 8, 10)

    def note_name(self, pc: int) -> str:
        """Spell a pitch class with the key's accidentals (flats in flat keys)."""
        return (FLAT_NAMES if self.sharps() < 0 else SHARP_NAMES)[pc % 12]

    def pitch_name(self, pitch: int) -> str:
        """Spell a MIDI pitch with the key's accidentals and its octave: 'Bb4'."""
        return pitch_name(pitch, flats=self.sharps() < 0)

    @property
    def name(self) -> str:
        return f"{self.note_name(self.tonic)} {self.mode}"

    def step_to_pitch(self, step: int, alteration: int = 0) -> int:
        """MIDI pitch of absolute scale step `step`, raised by `alteration` semitones."""
        octave, index = divmod(step, len(self.scale))
        return self.tonic_pitch + 12 * octave + self.scale[index] + alteration

    def pitch_to_step(self, pitch: int) -> tuple[int, int]:
        """(step, alteration) for a MIDI pitch; chromatic notes get the nearest degree.

        Ties between a raised lower degree and a lowered upper degree follow
        common spelling: b2, b3, b6, b7 are flats; #4 and the rest are sharps.
        """
        n = len(self.scale)
        octave, rel = divmod(pitch - self.tonic_pitch, 12)
        below = max(i for i, s in enumerate(self.scale) if s <= rel)
        alt_below = rel - self.scale[below]
        if alt_below == 0:
            return octave * n + below, 0
        above = below + 1
        above_pitch = self.scale[above] if above < n else 12
        alt_above = rel - above_pitch
        prefer_above = abs(alt_above) < alt_below or (
            abs(alt_above) == alt_below and n == 7 and above in (1, 2, 5, 6)
        )
        if prefer_above:
            return octave * n + above, alt_above
        return octave * n + below, alt_below


# --------------------------------------------------------------------------
# Vectorised scale-degree conversion (same answers as Key.pitch_to_step)


@lru_cache(maxsize=512)
def _degree_table(key: Key) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Scale offsets, and (step, alteration) of each of the 12 pitch classes above the tonic."""
    pairs = [key.pitch_to_step(key.tonic_pitch + rel) for rel in range(12)]
    scale = np.array(key.scale, dtype=np.int64)
    steps = np.array([s for s, _ in pairs], dtype=np.int64)
    alts = np.array([a for _, a in pairs], dtype=np.int64)
    return scale, steps, alts


#: Pitches and scale steps `_degree_lists` tabulates (beyond them the arithmetic runs).
_TABLED = range(-128, 256)


@lru_cache(maxsize=512)
def _degree_lists(key: Key) -> tuple[dict[int, int], dict[int, int], dict[int, int]]:
    """`_degree_table` worked out for a few notes at a time: step and alteration by MIDI
    pitch, and MIDI pitch by step (alteration 0), over `_TABLED`."""
    scale, steps, alts = (a.tolist() for a in _degree_table(key))
    size, tonic = len(scale), key.tonic_pitch
    rels = [divmod(p - tonic, 12) for p in _TABLED]
    step_of = {p: octave * size + steps[rel] for p, (octave, rel) in zip(_TABLED, rels)}
    alt_of = {p: alts[rel] for p, (_, rel) in zip(_TABLED, rels)}
    pitch_of = {s: tonic + 12 * (s // size) + scale[s % size] for s in _TABLED}
    return step_of, alt_of, pitch_of


#: Up to this many notes, degree conversions look each note up in `_degree_lists` (Python
#: integers, without per-array overhead).
_FEW = 32


def degree_of(pitch: int, key: Key) -> tuple[int, int]:
    """(step, alteration) of one MIDI pitch: `degrees_of` for a single note.

    >>> degree_of(60, Key(2, "aeolian")), degree_of(61, Key(2, "aeolian"))
    ((-1, 0), (-1, 1))
    """
    step_of, alt_of, _ = _degree_lists(key)
    if pitch in step_of:
        return step_of[pitch], alt_of[pitch]
    steps, alts = degrees_of(np.array([pitch], dtype=np.int64), key)
    return int(steps[0]), int(alts[0])


def degrees_of(pitch: ArrayLike, key: Key) -> tuple[IntArray, IntArray]:
    """(steps, alterations) of MIDI pitches in `key`: `Key.pitch_to_step` on whole arrays."""
    pitches = np.asarray(pitch, dtype=np.int64)
    if pitches.ndim == 1 and len(pitches) <= _FEW:
        step_of, alt_of, _ = _degree_lists(key)
        values = pitches.tolist()
        try:
            return (np.array([step_of[p] for p in values], dtype=np.int64),
                    np.array([alt_of[p] for p in values], dtype=np.int64))
        except KeyError:  # beyond the table: the arithmetic below
            pass
    table, table_steps, table_alts = _degree_table(key)
    octaves, rels = np.divmod(pitches - key.tonic_pitch, 12)
    return octaves * len(table) + table_steps[rels], table_alts[rels]


def pitches_of(steps: ArrayLike, alts: ArrayLike, key: Key) -> IntArray:
    """MIDI pitches of absolute scale steps plus alterations: `Key.step_to_pitch` on arrays."""
    step_arr = np.asarray(steps, dtype=np.int64)
    alt_arr = np.asarray(alts, dtype=np.int64)
    if step_arr.ndim == 1 and alt_arr.shape == step_arr.shape and len(step_arr) <= _FEW:
        pitch_of = _degree_lists(key)[2]
        try:
            return np.array([pitch_of[s] + a for s, a in zip(step_arr.tolist(), alt_arr.tolist())],
                            dtype=np.int64)
        except KeyError:  # beyond the table: the arithmetic below
            pass
    table = _degree_table(key)[0]
    octave, index = np.divmod(step_arr, len(table))
    found: IntArray = key.tonic_pitch + 12 * octave + table[index] + alt_arr
    return found
