"""Chords: qualities and their intervals, Roman numerals, the triads a key holds.

The vocabulary the harmoniser (`motifgen.arrange.chords`) searches over and the
notation reads back: a `Chord` is a root, a quality (`QUALITIES`) and the Roman
numeral it is written as relative to the tonic's major scale.
Time is in quarter-note beats, pitch classes 0..11 from C.

>>> c = make_chord(0.0, 4.0, Key(0, "ionian"), 10, "major")
>>> c.symbol, c.pitch_classes
('bVII', (10, 2, 5))
>>> numeral_degree("bVI"), numeral_degree("V/V"), numeral_degree("N6")
((6, -1), (2, 0), None)
"""

from __future__ import annotations

import re
from functools import lru_cache

from msgspec import Struct

from .scales import Key

#: Chord qualities as semitone offsets from the root (root first).
QUALITIES: dict[str, tuple[int, ...]] = {
    "major": (0, 4, 7),
    "minor": (0, 3, 7),
    "diminished": (0, 3, 6),
    "augmented": (0, 4, 8),
    "add6": (0, 4, 7, 9),
    "minmaj7": (0, 3, 7, 11),
    "sus4": (0, 5, 7),
}

#: The numeral of a root each number of semitones above the tonic (major-scale degrees).
_NUMERALS = ("I", "bII", "II", "bIII", "III", "IV", "#IV", "V", "bVI", "VI", "bVII", "VII")
#: What a quality adds to its numeral (a lower-case numeral for the minor ones).
_SUFFIX = {"diminished": "°", "augmented": "+", "add6": "add6", "minmaj7": "(maj7)",
           "sus4": "sus4"}
_MINOR_QUALITIES = ("minor", "diminished", "minmaj7")
#: The triads a scale may hold, in the order they are listed.
TRIADS: tuple[str, ...] = ("major", "minor", "diminished", "augmented")

_NUMERAL = re.compile(r"^([b#]?)(VII|VI|IV|V|III|II|I|vii|vi|iv|v|iii|ii|i)")
_DEGREE = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5, "vi": 6, "vii": 7}


class Chord(Struct, frozen=True, gc=False):
    """A chord sounding from `beat` for `duration` beats.

    `root` and `pitch_classes` are pitch classes (root first); `symbol` is a
    Roman numeral relative to the tonic's major scale (``bVII``, ``iv``,
    ``ii°``, ``V/V``); `kind` says where it came from: "diatonic", "colour"
    (the mood's harmonic colour) or "chromatic" (borrowed for a chromatic note).
    """

    beat: float
    duration: float
    root: int
    pitch_classes: tuple[int, ...]
    symbol: str
    quality: str
    kind: str = "diatonic"

    @property
    def end(self) -> float:
        return self.beat + self.duration

    def contains(self, pitch: int) -> bool:
        return pitch % 12 in self.pitch_classes


def roman(key: Key, root: int, quality: str) -> str:
    """Roman numeral of a chord on `root` (pitch class) relative to `key`'s tonic.

    >>> roman(Key(2, "aeolian"), 0, "major"), roman(Key(0), 6, "major")
    ('bVII', 'bV')
    """
    numeral = _NUMERALS[(root - key.tonic) % 12]
    if numeral == "#IV" and quality in ("major", "augmented", "add6"):
        numeral = "bV"
    if quality in _MINOR_QUALITIES:
        numeral = numeral.lower()
    return numeral + _SUFFIX.get(quality, "")


def numeral_degree(symbol: str) -> tuple[int, int] | None:
    """(scale degree 1..7 of the root, the numeral's own accidental: -1 for bVI, +1
    for #iv) of a Roman numeral; a secondary V/x gives the degree of its root. None
    for a symbol that is not a numeral."""
    head, _, target = str(symbol).partition("/")
    m = _NUMERAL.match(head)
    if m is None:
        return None
    degree = _DEGREE[m.group(2).lower()]
    if target:
        t = _NUMERAL.match(target)
        if t is None:
            return None
        degree = (_DEGREE[t.group(2).lower()] - 1 + degree - 1) % 7 + 1
    return degree, {"b": -1, "#": 1}.get(m.group(1), 0)


@lru_cache(maxsize=512)
def chord_tones(root: int, quality: str) -> tuple[int, ...]:
    """Pitch classes of the chord of `quality` on pitch class `root`, root first."""
    return tuple((root + i) % 12 for i in QUALITIES[quality])


@lru_cache(maxsize=512)
def chord_pcs(root: int, quality: str) -> frozenset[int]:
    """The set of `chord_tones`."""
    return frozenset(chord_tones(root, quality))


def make_chord(beat: float, duration: float, key: Key, root: int, quality: str,
               symbol: str = "", kind: str = "diatonic") -> Chord:
    """A Chord on pitch class `root` of `quality` (a `QUALITIES` name), written as its
    numeral in `key` unless `symbol` is given."""
    pcs = chord_tones(int(root) % 12, quality)
    return Chord(float(beat), float(duration), root % 12, pcs,
                 symbol or roman(key, root, quality), quality, kind)


def triads_in(key: Key) -> list[tuple[int, str]]:
    """(root, quality) of every triad of `TRIADS` the key's scale holds, by degree.

    >>> triads_in(Key(0, "ionian"))[:3], len(triads_in(Key(0, "whole_tone")))
    ([(0, 'major'), (2, 'minor'), (4, 'minor')], 6)
    """
    scale = key.pitch_classes()
    out = []
    for off in sorted({(pc - key.tonic) % 12 for pc in scale}):
        root = (key.tonic + off) % 12
        for q in TRIADS:
            if chord_pcs(root, q) <= scale:
                out.append((root, q))
    return out


@lru_cache(maxsize=256)
def tonic_quality(key: Key) -> str:
    """The quality of the tonic triad the key's scale holds (major, minor, diminished).

    >>> tonic_quality(Key(0, "dorian")), tonic_quality(Key(0, "locrian"))
    ('minor', 'diminished')
    """
    for root, q in triads_in(key):
        if root == key.tonic:
            return q
    return "minor" if key.is_minor else "major"
