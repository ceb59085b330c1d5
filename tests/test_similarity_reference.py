"""`vary.similarity` (cached features, integer edit distance) against the plain definition."""

from __future__ import annotations

import numpy as np
import pytest

from motifgen.development.chain import apply_chain
from motifgen.development.similarity import similarity
from motifgen.development.vary import develop
from motifgen.motif import Motif
from motifgen.theory import Key

_GAP = 0.5
_CLASS = np.array([0, 1, 1, 2, 2, 3, 3, 3, 4, 4, 4, 4, 4])


def _sim(a: list[int], b: list[int]) -> float:
    if not a or not b:
        return 1.0 if len(a) == len(b) else 1.0 - _GAP
    prev = [_GAP * j for j in range(len(b) + 1)]
    best_end = prev[-1] + _GAP * len(a)
    for i, x in enumerate(a, 1):
        cur = [_GAP * i]
        for j, y in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (x != y)))
        best_end = min(best_end, cur[-1] + _GAP * (len(a) - i))
        prev = cur
    best = min(best_end, min(c + _GAP * (len(b) - j) for j, c in enumerate(prev)))
    return max(0.0, 1.0 - best / max(len(a), len(b)))


def _reference(s: Motif, v: Motif) -> float:
    def intervals(m):
        steps = np.diff(m.pitch)
        sign, size = np.sign(steps), _CLASS[np.minimum(np.abs(steps), 12)]
        return sign.tolist(), (sign * size).tolist(), size.tolist()

    def rhythm(m):
        ioi = np.append(np.diff(m.onset), m.duration[-1])
        ioi = np.where(ioi > 0, ioi, m.duration)
        return np.rint(2 * np.log2(ioi / np.median(ioi))).astype(int).tolist()

    contour = float(np.mean([_sim(x, y) for x, y in zip(intervals(s), intervals(v))]))
    a = np.bincount(s.pitch % 12, weights=s.duration, minlength=12)
    b = np.bincount(v.pitch % 12, weights=v.duration, minlength=12)
    pcs = float((np.stack([np.roll(b, k) for k in range(12)]) @ a).max()
                / (np.linalg.norm(a) * np.linalg.norm(b)))
    raw = 0.5 * contour + 0.3 * _sim(rhythm(s), rhythm(v)) + 0.2 * pcs
    # k: intervals become unisons, note by note or backwards, for as many notes
    k = 0
    if len(s) == len(v):
        a, b = np.diff(s.pitch) != 0, np.diff(v.pitch) == 0
        k = min(int((a & b).sum()), int((a & b[::-1]).sum()))
    return round(min(1.0, max(0.0, (raw - 0.3) / 0.7)) * 0.75 ** k, 4)


def _random(g: np.random.Generator) -> Motif:
    n = int(g.integers(1, 14))
    dur = g.choice([0.25, 0.5, 0.75, 1, 1.5, 2, 3], n)
    on = np.concatenate(([0], np.cumsum(dur)[:-1]))
    if g.random() < 0.3:
        on = np.round(on / 2) * 2  # notes starting together
    return Motif(on, dur, g.integers(40, 90, n), g.integers(30, 120, n),
                 key=Key(int(g.integers(12)), "aeolian"))


CHAINS = ["transpose=3", "invert", "retrograde", "augment=2", "fragment=3", "sequence=3:+1",
          "truncate", "rhythm=dotted", "ornament=turn", "metre=3/4", "mode=lydian",
          "fragment=2, sequence=4:+1, diminish=2", "staccato", "dynamics=pp..ff"]


@pytest.mark.parametrize("seed", range(4))
def test_similarity_equals_the_definition(seed):
    g = np.random.default_rng(seed)
    for _ in range(150):
        a = _random(g)
        b = _random(g) if g.random() < 0.5 else apply_chain(a, str(g.choice(CHAINS)))
        assert similarity(a, b) == _reference(a, b)


def test_develop_scores_are_similarities_and_repeatable():
    g = np.random.default_rng(9)
    m = _random(g)
    for intensity in (0.0, 0.5, 1.0):
        first = develop(m, "action", intensity, np.random.default_rng(3))
        again = develop(m, "action", intensity, np.random.default_rng(3))  # from the cache
        assert first == again
        assert first.chain == "" or first.score == _reference(m, first.motif)
