"""Pitch names and registers: letters and accidentals, one speller, octave folding.

Pitches are MIDI numbers (C4 = 60). `note_name` and `pitch_name` are the one
speller every module uses (a key chooses sharps or flats, see `Key.note_name`).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right

import numpy as np

from ..errors import MotifgenError

#: Pitch class of each natural note letter.
LETTER_PC: dict[str, int] = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}
SHARP_NAMES = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")
FLAT_NAMES = ("C", "Db", "D", "Eb", "E", "F", "Gb", "G", "Ab", "A", "Bb", "B")


def note_name(pc: int, flats: bool = False) -> str:
    """A pitch class spelled with sharps, or with flats.

    >>> note_name(10), note_name(10, flats=True)
    ('A#', 'Bb')
    """
    return (FLAT_NAMES if flats else SHARP_NAMES)[pc % 12]


def pitch_name(pitch: int, flats: bool = False) -> str:
    """A MIDI pitch as note name and octave (scientific pitch notation).

    >>> pitch_name(60), pitch_name(70, flats=True), pitch_name(0)
    ('C4', 'Bb4', 'C-1')
    """
    return f"{note_name(pitch, flats)}{pitch // 12 - 1}"


def semitones_above_c(name: str) -> int:
    """Semitones of a spelled note name above the C of its octave: 'B#' is 12, 'Cb' -1.

    Accepts '#', 'b' and music21's '-' for flat.
    """
    text = name.strip()
    if not text or text[0].upper() not in LETTER_PC:
        raise MotifgenError(f"unknown note name {name!r}; expected A-G with optional # or b")
    value = LETTER_PC[text[0].upper()]
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


_min = np.minimum.reduce
_sum = np.add.reduce
_max = np.maximum.reduce


def all_within(values: np.ndarray, low: float, high: float) -> bool:
    """Whether every value is in low..high (so for none): numpy's reductions called
    directly, cheaper than `.min()` and `.max()` on the short arrays checked."""
    return not len(values) or bool(_min(values) >= low and _max(values) <= high)


def fold_into(pitch: np.ndarray, low: int, high: int) -> np.ndarray:
    """Move each pitch outside low..high by whole octaves to the nearest octave inside.

    The range must span at least an octave (11 semitones), so every pitch class fits.

    >>> fold_into(np.array([10, 60, 130]), 0, 127).tolist()
    [10, 60, 118]
    """
    pitch = np.asarray(pitch, dtype=np.int64)
    if len(pitch) == 0:
        return pitch
    if len(pitch) <= 32 and pitch.ndim == 1:  # a few notes: cheaper in Python, same integers
        values = pitch.tolist()
        if min(values) >= low and max(values) <= high:
            return pitch
        out = []
        for p in values:
            if p < low:
                p += 12 * ((low - p + 11) // 12)
            if p > high:
                p -= 12 * ((p - high + 11) // 12)
            out.append(p)
        return np.array(out, dtype=np.int64)
    if all_within(pitch, low, high):
        return pitch
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
    ordered = sorted(pitch.tolist()) if n <= 64 else None
    # as pitch.mean() computes it: a sum of integers is exact either way
    mean = (sum(ordered) if ordered else float(_sum(pitch, dtype=np.float64))) / n
    base = int(round((centre - mean) / 12.0))
    shifts = range(base - 3, base + 4)
    # notes outside low..high for each shift: those below low - 12k or above high - 12k
    if ordered is not None:
        outside = [bisect_left(ordered, low - 12 * k) + n - bisect_right(ordered, high - 12 * k)
                   for k in shifts]
    else:
        sorted_pitch = np.sort(pitch)
        edges = 12 * np.arange(base - 3, base + 4)
        outside = (np.searchsorted(sorted_pitch, low - edges, side="left") + n
                   - np.searchsorted(sorted_pitch, high - edges, side="right")).tolist()

    def cost(k: int) -> tuple[int, float, float]:
        spread = abs(mean + 12 * k - centre)
        out = outside[k - base + 3]
        return (out, abs(k), spread) if keep_octave else (out, spread, abs(k))

    best = min(shifts, key=cost)
    return fold_into(pitch + 12 * best, low, high)
