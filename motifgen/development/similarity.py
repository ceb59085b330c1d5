"""How recognisable a development of a motif stays: `similarity`, from 0 to 1."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from msgspec import Struct

from ..motif import Array, Motif

_WEIGHTS = (0.5, 0.3, 0.2)  # contour, rhythm, pitch classes
_CHANCE = 0.3  # raw score of unrelated material, mapped to 0
_END_GAP = 0.5  # cost of an unmatched element at either end (a fragment, a truncation)
#: Factor per interval collapsed onto a repeated note (a semitone become a unison):
#: a signature interval lost leaves the motif hard to recognise, however long it is.
_COLLAPSE = 0.75
#: Interval classes by size in semitones: unison, step, third, fourth/fifth, larger.
_CLASS_OF = (0, 1, 1, 2, 2, 3, 3, 3, 4, 4, 4, 4, 4)


#: Row k picks ``np.roll(profile, k)``: the 12 transpositions of a pitch-class profile.
_ROTATIONS = (np.arange(12)[None, :] - np.arange(12)[:, None]) % 12


@lru_cache(maxsize=16384)
def _edit_similarity(a: tuple[int, ...], b: tuple[int, ...]) -> float:
    """1 - edit distance / longer length, where elements left over at either end
    cost `_END_GAP` and every other insertion, deletion or change costs 1.

    Costs are counted in halves (integers) so the sums are exact; the search
    asks for the same pairs again and again, hence the cache.
    """
    if a == b:
        return 1.0
    if not a or not b:
        return 1.0 if len(a) == len(b) else 1.0 - _END_GAP
    gap = int(2 * _END_GAP)  # end gap in half units; a change costs 2
    n, m = len(a), len(b)
    prev = list(range(0, gap * (m + 1), gap))
    best_end = prev[-1] + gap * n
    for i, x in enumerate(a, 1):
        left = gap * i
        cur = [left]
        diag = prev[0]
        for j in range(1, m + 1):
            up = prev[j]
            cost = diag if x == b[j - 1] else diag + 2
            if up + 2 < cost:
                cost = up + 2
            if left + 2 < cost:
                cost = left + 2
            cur.append(cost)
            left, diag = cost, up
        tail = left + gap * (n - i)
        if tail < best_end:
            best_end = tail
        prev = cur
    best = min(best_end, min(c + gap * (m - j) for j, c in enumerate(prev)))
    return max(0.0, 1.0 - best / 2 / max(n, m))


class Features(Struct, frozen=True, gc=False):
    """What `similarity` compares, computed once per motif: interval contour
    (directions, signed and unsigned size classes), rhythm classes, and the
    pitch-class profile with its norm."""

    contour: tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...]]
    rhythm: tuple[int, ...]
    pcs: Array
    norm: float


def features(m: Motif) -> Features:
    """The features of a motif with notes, worked out on Python lists (a development has
    a few notes): the same sums in the same order as the arrays would give."""
    pitch, onset, duration = m.pitch.tolist(), m.onset.tolist(), m.duration.tolist()
    steps = [b - a for a, b in zip(pitch, pitch[1:])]
    sign = tuple((s > 0) - (s < 0) for s in steps)
    size = tuple(_CLASS_OF[min(abs(s), 12)] for s in steps)
    # inter-onset times (the last note: its duration) in half-octave classes of the median
    ioi = [b - a for a, b in zip(onset, onset[1:])] + duration[-1:]
    ioi = [t if t > 0 else d for t, d in zip(ioi, duration)]
    ordered = sorted(ioi)
    half = len(ordered) // 2
    median = ordered[half] if len(ordered) % 2 else (ordered[half - 1] + ordered[half]) / 2
    profile = [0.0] * 12
    for p, d in zip(pitch, duration):
        profile[p % 12] += d
    pcs = np.array(profile)
    return Features((sign, tuple(a * b for a, b in zip(sign, size)), size),
                    tuple(_rhythm_class(t / median) for t in ioi), pcs,
                    float(np.sqrt(pcs.dot(pcs))))


@lru_cache(maxsize=4096)
def _rhythm_class(ratio: float) -> int:
    """``round(2 log2(ratio))``, by numpy's log2 on an array as the definition has it."""
    return int(np.rint(2 * np.log2(np.array([ratio])))[0])


@lru_cache(maxsize=1024)
def source_features(m: Motif) -> Features:
    """Features of a source motif, kept while it is developed again and again."""
    return features(m)


def features_similarity(a: Features, b: Features) -> float:
    c0, c1, c2 = (_edit_similarity(x, y) for x, y in zip(a.contour, b.contour))
    contour = (c0 + c1 + c2) / 3
    rhythm = _edit_similarity(a.rhythm, b.rhythm)
    pcs = float((b.pcs[_ROTATIONS] @ a.pcs).max() / (a.norm * b.norm))
    raw = _WEIGHTS[0] * contour + _WEIGHTS[1] * rhythm + _WEIGHTS[2] * pcs
    score = min(1.0, max(0.0, (raw - _CHANCE) / (1 - _CHANCE)))
    return round(score * _COLLAPSE ** _collapsed(a, b), 4)


def _collapsed(a: Features, b: Features) -> int:
    """Intervals of `a` that are unisons in `b`, for a `b` with as many notes: note by
    note, or read backwards (a retrograde), whichever finds fewer."""
    x, y = a.contour[0], b.contour[0]
    if len(x) != len(y) or 0 not in y:
        return 0
    forwards = sum(1 for s, t in zip(x, y) if s and not t)
    return min(forwards, sum(1 for s, t in zip(x, reversed(y)) if s and not t))


def similarity(source: Motif, variant: Motif) -> float:
    """How recognisable `variant` is as `source`, from 0 (unrelated) to 1 (the same).

    ``S = clip((0.5 C + 0.3 R + 0.2 P - 0.3) / 0.7, 0, 1) * 0.75 ** k``: 0.3 is
    about what unrelated notes reach by chance. Each part is in 0..1; ``sim(x, y)`` is
    1 - edit distance / longer length between two sequences, an element left
    over at either end (a fragment, a truncation) costing 1/2:

    - C, interval contour: the mean of ``sim`` over the interval directions
      (up, same, down), the signed interval classes (unison, step, third,
      fourth/fifth, larger) and the unsigned classes (kept by inversion),
      so transposition and mode change keep it;
    - R, rhythm: ``sim`` over the inter-onset times (the last note: its
      length), each classed by ``round(2 log2(t / median))``, so tempo
      (augmentation) does not count;
    - P, pitch classes: the cosine between duration-weighted pitch-class
      profiles, best over the 12 transpositions;
    - k, collapsed intervals: for a variant with as many notes as the source,
      the source's intervals that became unisons (note by note, or backwards
      for a retrograde, whichever finds fewer); each multiplies S by 0.75, so a
      semitone collapsed to a repeated note scores below 0.8 even where the
      other intervals and the rhythm are kept.

    The result is rounded to 4 decimals; an identical motif scores 1.0.

    >>> from motifgen.theory import Key
    >>> m = Motif.from_degrees([0, 2, 1, 4], [0] * 4, [1, 0.5, 0.5, 2], Key(2, "aeolian"))
    >>> similarity(m, m), similarity(m, m.with_notes(pitch=m.pitch + 5))
    (1.0, 1.0)
    """
    if len(source) == 0 or len(variant) == 0:
        return 1.0 if len(source) == len(variant) else 0.0
    return features_similarity(features(source), features(variant))
