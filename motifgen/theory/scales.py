"""Keys, modes and scale degrees: the small amount of theory the core needs.

Pitches are MIDI numbers. A scale degree is an absolute *step* (0 = the tonic
nearest middle C, 7 = the tonic an octave up in a seven-note mode, -1 = the
degree below the tonic) plus an *alteration* in semitones for chromatic notes.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .errors import MotifgenError

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

_LETTERS = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}
_SHARP_NAMES = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")
_FLAT_NAMES = ("C", "Db", "D", "Eb", "E", "F", "Gb", "G", "Ab", "A", "Bb", "B")

#: Tonic of step 0 is this MIDI number plus the tonic's pitch class (C4 = 60).
TONIC_OCTAVE_BASE = 60

#: Dynamic marks -> MIDI velocity (and CC1 level) for attacks. One table: moods,
#: the `dynamics` transform and the harmony's controller curves read it.
DYNAMICS: dict[str, int] = {
    "ppp": 16, "pp": 33, "p": 49, "mp": 64, "mf": 80, "f": 96, "ff": 112, "fff": 127,
}


def dynamic_level(mark: str) -> int:
    """MIDI velocity of a dynamic mark from `DYNAMICS`.

    >>> dynamic_level("mf")
    80
    """
    try:
        return DYNAMICS[mark]
    except KeyError as e:
        raise MotifgenError(f"unknown dynamic {mark!r}; expected one of: "
                            + ", ".join(DYNAMICS)) from e


def mode_name(name: str) -> str:
    """Canonical mode name for `name` (case-insensitive, aliases allowed)."""
    key = name.strip().lower()
    key = MODE_ALIASES.get(key, key).replace(" ", "_").replace("-", "_")
    key = MODE_ALIASES.get(key, key)
    if key not in MODES:
        known = ", ".join(sorted(MODES) + sorted(MODE_ALIASES))
        raise MotifgenError(f"unknown mode {name!r}; expected one of: {known}")
    return key


def semitones_above_c(name: str) -> int:
    """Semitones of a spelled note name above the C of its octave: 'B#' is 12, 'Cb' -1.

    Accepts '#', 'b' and music21's '-' for flat.
    """
    text = name.strip()
    if not text or text[0].upper() not in _LETTERS:
        raise MotifgenError(f"unknown note name {name!r}; expected A-G with optional # or b")
    value = _LETTERS[text[0].upper()]
    for ch in text[1:]:
        if ch == "#":
            value += 1
        elif ch in "b-":
            value -= 1
        else:
            raise MotifgenError(f"unknown note name {name!r}; expected A-G with optional # or b")
    return value


def pitch_class(name: str) -> int:
    """Pitch class of a note name such as 'D', 'F#', 'Bb', 'E-' (music21 flat)."""
    return semitones_above_c(name) % 12


@dataclass(frozen=True)
class Key:
    """A tonic pitch class and a mode name from `MODES`."""

    tonic: int = 0
    mode: str = "ionian"

    def __post_init__(self) -> None:
        object.__setattr__(self, "tonic", self.tonic % 12)
        object.__setattr__(self, "mode", mode_name(self.mode))

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
        return (_FLAT_NAMES if self.sharps() < 0 else _SHARP_NAMES)[pc % 12]

    @property
    def name(self) -> str:
        return f"{self.note_name(self.tonic)} {self.mode}"

    def signature_name(self) -> str:
        """Key name for a MIDI key signature: the relative major or minor tonic."""
        sharps = self.sharps()
        major_pc = (sharps * 7) % 12
        if self.is_minor:
            pc = (major_pc + 9) % 12
            return (_FLAT_NAMES if sharps < 0 else _SHARP_NAMES)[pc] + "m"
        return (_FLAT_NAMES if sharps < 0 else _SHARP_NAMES)[major_pc]

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


@lru_cache(maxsize=512)
def _degree_lists(key: Key) -> tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...], int]:
    """`_degree_table` as tuples, and the tonic's MIDI number, for a few notes at a time."""
    scale, steps, alts = _degree_table(key)
    return tuple(scale.tolist()), tuple(steps.tolist()), tuple(alts.tolist()), key.tonic_pitch


#: Up to this many notes, degree conversions run on Python integers (the same arithmetic,
#: floor division and modulo, without per-array overhead).
_FEW = 32


def degrees_of(pitch: np.ndarray, key: Key) -> tuple[np.ndarray, np.ndarray]:
    """(steps, alterations) of MIDI pitches in `key`: `Key.pitch_to_step` on whole arrays."""
    pitch = np.asarray(pitch, dtype=np.int64)
    if pitch.ndim == 1 and len(pitch) <= _FEW:
        scale, table_steps, table_alts, tonic = _degree_lists(key)
        size = len(scale)
        steps, alts = [], []
        for p in pitch.tolist():
            octave, rel = divmod(p - tonic, 12)
            steps.append(octave * size + table_steps[rel])
            alts.append(table_alts[rel])
        return np.array(steps, dtype=np.int64), np.array(alts, dtype=np.int64)
    scale, table_steps, table_alts = _degree_table(key)
    octave, rel = np.divmod(pitch - key.tonic_pitch, 12)
    return octave * len(scale) + table_steps[rel], table_alts[rel]


def pitches_of(steps: np.ndarray, alts: np.ndarray, key: Key) -> np.ndarray:
    """MIDI pitches of absolute scale steps plus alterations: `Key.step_to_pitch` on arrays."""
    steps = np.asarray(steps, dtype=np.int64)
    alts = np.asarray(alts, dtype=np.int64)
    if steps.ndim == 1 and alts.shape == steps.shape and len(steps) <= _FEW:
        scale, _, _, tonic = _degree_lists(key)
        size = len(scale)
        return np.array([tonic + 12 * (s // size) + scale[s % size] + a
                         for s, a in zip(steps.tolist(), alts.tolist())], dtype=np.int64)
    scale = _degree_table(key)[0]
    octave, index = np.divmod(steps, len(scale))
    return key.tonic_pitch + 12 * octave + scale[index] + alts


def parse_meter(text: str | tuple[int, int]) -> tuple[int, int]:
    """'3/4' -> (3, 4); the denominator must be a power of two."""
    if isinstance(text, tuple):
        num, den = text
    else:
        try:
            num_s, den_s = str(text).strip().split("/")
            num, den = int(num_s), int(den_s)
        except ValueError as e:
            raise MotifgenError(f"bad meter {text!r}; expected e.g. '4/4' or '6/8'") from e
    if num < 1 or num > 32 or den not in (1, 2, 4, 8, 16, 32):
        raise MotifgenError(f"bad meter {text!r}; expected e.g. '4/4' or '6/8'")
    return num, den


def bar_beats(meter: tuple[int, int]) -> float:
    """Length of one bar in quarter-note beats."""
    return meter[0] * 4.0 / meter[1]


@dataclass(frozen=True)
class BeatGroups:
    """How a meter's bar divides, in quarter-note beats (see `beat_groups`).

    `unit`: the written beat (4 / denominator: an eighth in 6/8); `beat`: the
    felt beat (a dotted `unit` in compound meters); `bar`: the bar length;
    `strong`: the strong beats' offsets from the bar line.
    """

    unit: float
    beat: float
    bar: float
    strong: tuple[float, ...]

    @property
    def compound(self) -> bool:
        """True for compound meters (6/8, 9/8, 12/8, 6/16...): dotted beats."""
        return self.beat != self.unit

    @property
    def group(self) -> float:
        """Length of a strong-beat group (from one strong beat to the next), or the
        bar when the groups differ in length (5/4 = 3 + 2)."""
        bounds = (*self.strong, self.bar)
        lengths = {b - a for a, b in zip(bounds, bounds[1:])}
        return lengths.pop() if len(lengths) == 1 else self.bar


@lru_cache(maxsize=64)
def beat_groups(meter: tuple[int, int]) -> BeatGroups:
    """Beats and strong beats of a meter: the one rule harmony and transforms share.

    A meter is compound when its denominator is 8 or more and its numerator a
    multiple of 3 above 3; its beats are then dotted. The bar line is strong;
    so is the middle beat (rounded up: 5/4 is 3 + 2) of a bar of four or more
    beats, and the second beat of a two-beat compound bar (6/8 is felt in two).

    >>> [beat_groups(m).strong for m in ((4, 4), (3, 4), (2, 4), (6, 8), (12, 8), (5, 4))]
    [(0.0, 2.0), (0.0,), (0.0,), (0.0, 1.5), (0.0, 3.0), (0.0, 3.0)]
    >>> beat_groups((6, 8)).beat, beat_groups((6, 8)).group, beat_groups((5, 4)).group
    (1.5, 1.5, 5.0)
    """
    num, den = meter
    unit = 4.0 / den
    compound = den >= 8 and num % 3 == 0 and num > 3
    beat = 3 * unit if compound else unit
    count = num // 3 if compound else num
    if count >= 4 or (compound and count == 2):
        strong = (0.0, (count + 1) // 2 * beat)
    else:
        strong = (0.0,)
    return BeatGroups(unit, beat, bar_beats(meter), strong)


_min = np.minimum.reduce
_sum = np.add.reduce
_max = np.maximum.reduce


def fold_into(pitch: np.ndarray, low: int, high: int) -> np.ndarray:
    """Move each pitch outside low..high by whole octaves to the nearest octave inside.

    The range must span at least an octave (11 semitones), so every pitch class fits.

    >>> fold_into(np.array([10, 60, 130]), 0, 127).tolist()
    [10, 60, 118]
    """
    pitch = np.asarray(pitch, dtype=np.int64)
    if len(pitch) == 0 or (_min(pitch) >= low and _max(pitch) <= high):
        return pitch
    if len(pitch) <= 32 and pitch.ndim == 1:  # a few notes: cheaper in Python, same integers
        out = []
        for p in pitch.tolist():
            if p < low:
                p += 12 * ((low - p + 11) // 12)
            if p > high:
                p -= 12 * ((p - high + 11) // 12)
            out.append(p)
        return np.array(out, dtype=np.int64)
    pitch = np.where(pitch < low, pitch + 12 * ((low - pitch + 11) // 12), pitch)
    return np.where(pitch > high, pitch - 12 * ((pitch - high + 11) // 12), pitch)


def place_in_range(pitch: np.ndarray, low: int, high: int, keep_octave: bool = True
                   ) -> np.ndarray:
    """Shift a whole line by the octave that leaves fewest notes outside low..high, then
    fold the rest by octaves: the contour survives and nothing is clipped.

    Ties go to the smallest shift when `keep_octave` (an instrument keeps the written
    register where it can), else to the line whose mean is nearest the range's centre.

    >>> place_in_range(np.array([50, 55, 62, 74]), 55, 105).tolist()
    [62, 67, 74, 86]
    """
    pitch = np.asarray(pitch, dtype=np.int64)
    if len(pitch) == 0:
        return pitch
    if high - low < 11:
        raise MotifgenError(f"range {low}-{high} is narrower than an octave")
    n = len(pitch)
    centre = (low + high) / 2.0
    mean = float(_sum(pitch, dtype=np.float64)) / n  # as pitch.mean() computes it
    base = int(round((centre - mean) / 12.0))
    shifts = range(base - 3, base + 4)
    # notes outside low..high for each shift: those below low - 12k or above high - 12k
    if n <= 64:
        ordered = sorted(pitch.tolist())
        outside = [bisect_left(ordered, low - 12 * k) + n - bisect_right(ordered, high - 12 * k)
                   for k in shifts]
    else:
        ordered = np.sort(pitch)
        edges = 12 * np.arange(base - 3, base + 4)
        outside = (np.searchsorted(ordered, low - edges, side="left") + n
                   - np.searchsorted(ordered, high - edges, side="right")).tolist()

    def cost(k: int) -> tuple[int, float, float]:
        spread = abs(mean + 12 * k - centre)
        out = outside[k - base + 3]
        return (out, abs(k), spread) if keep_octave else (out, spread, abs(k))

    best = min(shifts, key=cost)
    return fold_into(pitch + 12 * best, low, high)
