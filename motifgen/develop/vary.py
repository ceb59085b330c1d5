"""Variations of a motif suited to a mood, and how recognisable each one stays.

`vary` searches transform chains with a seeded `numpy.random.Generator`, keeps
the distinct results whose `similarity` to the source reaches a threshold, and
returns them with their chain text (the provenance). `develop` gives the scene
arranger one variation whose weight follows the scene's intensity.

The mood -> development palette is the one table `PALETTES`.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate

import numpy as np

from .errors import TransformError
from .motif import Motif
from .theory import mode_name
from .transforms import Step, apply_chain, format_chain, parse_chain

__all__ = ["PALETTES", "Palette", "Variation", "develop", "similarity", "vary"]


# --------------------------------------------------------------------------
# Similarity

_WEIGHTS = (0.5, 0.3, 0.2)  # contour, rhythm, pitch classes
_CHANCE = 0.3  # raw score of unrelated material, mapped to 0
_END_GAP = 0.5  # cost of an unmatched element at either end (a fragment, a truncation)
#: Factor per interval collapsed onto a repeated note (a semitone become a unison):
#: a signature interval lost leaves the motif hard to recognise, however long it is.
_COLLAPSE = 0.75
#: Interval classes by size in semitones: unison, step, third, fourth/fifth, larger.
_INTERVAL_CLASS = np.array([0, 1, 1, 2, 2, 3, 3, 3, 4, 4, 4, 4, 4], dtype=np.int64)


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


@dataclass(frozen=True)
class _Features:
    """What `similarity` compares, computed once per motif: interval contour
    (directions, signed and unsigned size classes), rhythm classes, and the
    pitch-class profile with its norm."""

    contour: tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...]]
    rhythm: tuple[int, ...]
    pcs: np.ndarray
    norm: float


def _features(m: Motif) -> _Features:
    steps = np.diff(m.pitch)
    sign = np.sign(steps)
    size = _INTERVAL_CLASS[np.minimum(np.abs(steps), 12)]
    # inter-onset times (the last note: its duration) in half-octave classes of the median
    ioi = np.append(np.diff(m.onset), m.duration[-1])
    ioi = np.where(ioi > 0, ioi, m.duration)
    ordered = np.sort(ioi)
    half = len(ordered) // 2
    median = ordered[half] if len(ordered) % 2 else (ordered[half - 1] + ordered[half]) / 2
    rhythm = np.rint(2 * np.log2(ioi / median)).astype(int)
    pcs = np.bincount(m.pitch % 12, weights=m.duration, minlength=12)
    return _Features((tuple(sign.tolist()), tuple((sign * size).tolist()),
                      tuple(size.tolist())), tuple(rhythm.tolist()), pcs,
                     float(np.linalg.norm(pcs)))


@lru_cache(maxsize=1024)
def _source_features(m: Motif) -> _Features:
    """Features of a source motif, kept while it is developed again and again."""
    return _features(m)


def _similarity(a: _Features, b: _Features) -> float:
    c0, c1, c2 = (_edit_similarity(x, y) for x, y in zip(a.contour, b.contour))
    contour = (c0 + c1 + c2) / 3
    rhythm = _edit_similarity(a.rhythm, b.rhythm)
    pcs = float((b.pcs[_ROTATIONS] @ a.pcs).max() / (a.norm * b.norm))
    raw = _WEIGHTS[0] * contour + _WEIGHTS[1] * rhythm + _WEIGHTS[2] * pcs
    score = min(1.0, max(0.0, (raw - _CHANCE) / (1 - _CHANCE)))
    return round(score * _COLLAPSE ** _collapsed(a, b), 4)


def _collapsed(a: _Features, b: _Features) -> int:
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
    return _similarity(_features(source), _features(variant))


# --------------------------------------------------------------------------
# Mood palettes


@dataclass(frozen=True)
class Palette:
    """How a mood develops a motif: its modes and weighted chain fragments.

    `moves` are (chain text, weight); the mode change to one of `modes` is a
    further move of weight `mode_weight`. `late` moves (the dark moods'
    inversion) join them only in heavy developments, from intensity `late_from`.
    """

    modes: tuple[str, ...]
    moves: tuple[tuple[str, float], ...]
    mode_weight: float = 3.0
    late: tuple[tuple[str, float], ...] = ()
    late_from: float = 0.8


#: Mood -> development palette (REFERENCE §4 and §5). `None` is the general palette.
PALETTES: dict[str | None, Palette] = {
    "heroic": Palette(("mixolydian", "ionian"), (
        ("rhythm=dotted", 2), ("augment=3/2", 1), ("step=+1", 1), ("dynamics=f", 1),
        ("fragment=3, sequence=3:+1", 1), ("register=60:84", 1), ("staccato=0.8", 1))),
    "triumphant": Palette(("ionian",), (
        ("augment=2", 3), ("register=67:91", 1), ("dynamics=ff", 1), ("legato", 1),
        ("step=+1", 1), ("rhythm=dotted", 1), ("sequence=2:+1", 1))),
    "tender": Palette(("ionian", "lydian"), (
        ("legato", 2), ("augment=3/2", 1), ("ornament=neighbour", 1), ("ornament=turn", 1),
        ("dynamics=mp", 1), ("metre=3/4", 1), ("ornament=passing", 1))),
    "tragic": Palette(("aeolian", "harmonic_minor"), (
        ("augment=2", 3), ("truncate", 2), ("legato", 1), ("dynamics=p", 1),
        ("register=48:72", 1), ("step=-1", 1), ("dynamics=mf..pp", 1)), mode_weight=5),
    "melancholy": Palette(("dorian",), (
        ("legato", 2), ("augment=3/2", 1), ("truncate", 1), ("dynamics=mp", 1),
        ("ornament=passing", 1), ("metre=3/4", 1), ("step=-1", 1))),
    # The dark moods develop by rhythm, register, fragmentation and harmony (the cell
    # on another degree); the inversion comes late and rarely, never as the first guise.
    "menacing": Palette(("phrygian", "aeolian"), (
        ("register=36:60", 2), ("augment=2", 1), ("rhythm=dotted", 1),
        ("staccato=0.7", 1), ("dynamics=mf..f", 1), ("fragment=3", 1),
        ("fragment=2, sequence=3:-1", 1), ("step=-1", 1)),
        late=(("invert=chromatic", 0.5),)),
    "mysterious": Palette(("lydian", "whole_tone"), (
        ("register=72:96", 1), ("augment=2", 1), ("retrograde", 1), ("invert", 1),
        ("dynamics=pp", 1), ("fragment=3", 1), ("legato", 1))),
    "wonder": Palette(("lydian",), (
        ("augment=3/2", 1), ("register=67:91", 1), ("sequence=2:+2", 1),
        ("dynamics=mp..f", 1), ("ornament=turn", 1), ("legato", 1), ("step=+2", 1))),
    "playful": Palette(("ionian",), (
        ("staccato", 2), ("diminish=2", 1), ("rhythm=dotted", 1), ("rhythm=syncopated", 1),
        ("ornament=grace", 2), ("fragment=3, sequence=2:+1", 1), ("invert", 1),
        ("metre=6/8", 1)), mode_weight=1),
    "action": Palette(("aeolian", "phrygian"), (
        ("fragment=3, sequence=3:+1", 3), ("fragment=2, sequence=4:+1", 1), ("diminish=2", 2),
        ("rhythm=syncopated", 1), ("staccato=0.7", 1), ("dynamics=f", 1),
        ("register=48:72", 1))),
    "suspense": Palette(("locrian", "octatonic"), (
        ("fragment=2", 1), ("fragment=2, sequence=3:+1", 1), ("augment=2", 1),
        ("truncate=2", 1), ("dynamics=pp..mf", 1), ("register=36:60", 1),
        ("rhythm=syncopated", 1), ("step=+1", 1)),
        late=(("invert=chromatic", 0.5),)),
    "peaceful": Palette(("ionian", "major_pentatonic"), (
        ("augment=2", 2), ("legato", 2), ("dynamics=p", 1), ("rhythm=even", 1),
        ("ornament=passing", 1), ("metre=3/4", 1))),
    None: Palette(("aeolian", "dorian", "lydian", "mixolydian"), (
        ("transpose=+2", 1), ("step=+1", 1), ("invert", 1), ("retrograde", 1),
        ("augment=2", 1), ("diminish=2", 1), ("fragment=3", 1), ("sequence=2:+1", 1),
        ("truncate", 1), ("metre=3/4", 1), ("rhythm=dotted", 1), ("rhythm=syncopated", 1),
        ("ornament=neighbour", 1), ("ornament=turn", 1), ("legato", 1), ("staccato", 1),
        ("dynamics=p..f", 1), ("fragment=3, sequence=3:+1", 1)), mode_weight=2),
}

_MOOD_ALIASES = {"romantic": "tender"}

#: Where each transform goes in a generated chain (cells first, loudness last).
_ORDER = {name: i for i, names in enumerate((
    ("fragment", "truncate"), ("sequence",), ("invert", "retrograde"),
    ("step", "transpose", "key"), ("mode",), ("ornament",), ("rhythm",), ("metre",),
    ("augment", "diminish"), ("legato", "staccato"), ("register",), ("dynamics",),
)) for name in names}


def _palette(mood: str | None) -> Palette:
    if mood is None:
        return PALETTES[None]
    name = mood.strip().lower()
    return PALETTES.get(_MOOD_ALIASES.get(name, name), PALETTES[None])


@dataclass(frozen=True)
class Variation:
    """A developed motif, the chain that made it, and its similarity to the source."""

    motif: Motif
    chain: str
    score: float


@dataclass(frozen=True)
class _Moves:
    """A palette's moves, parsed once: chains, draw weights, the modes a mode move picks."""

    moves: tuple[tuple[Step, ...], ...]
    weights: tuple[float, ...]
    modes: tuple[str, ...]
    forced_mode: str | None


@lru_cache(maxsize=256)
def _moves(mood: str | None, mode: str | None, key_mode: str, keep_meter: bool,
           late: bool = True) -> _Moves:
    palette = _palette(mood)
    forced_mode = mode_name(mode) if mode else None
    modes = (forced_mode,) if forced_mode else palette.modes
    modes = tuple(m for m in modes if m != key_mode)
    moves = [(parse_chain(text), w)
             for text, w in palette.moves + (palette.late if late else ())]
    if keep_meter:  # a scene's bars are fixed by its tempo map
        moves = [(steps, w) for steps, w in moves if all(s.name != "metre" for s in steps)]
    chains = [steps for steps, _ in moves]
    weights = np.array([w for _, w in moves], dtype=np.float64)
    with_mode = bool(modes) and not forced_mode
    if with_mode:
        chains.append(())  # the mode change, filled in when drawn
        weights = np.append(weights, palette.mode_weight)
    return _Moves(tuple(chains), tuple((weights / weights.sum()).tolist()), modes,
                  forced_mode)


def _choice_without_replacement(rng: np.random.Generator, p: Sequence[float],
                                size: int) -> list[int]:
    """``rng.choice(len(p), size, replace=False, p=p)`` for a few draws from a short list:
    the same random numbers and arithmetic as numpy's (cumulative sums, a search to the
    right, new indices kept in order of first appearance), without its array overhead.

    >>> p = [0.4, 0.3, 0.2, 0.05, 0.05]
    >>> for seed in range(50):
    ...     ours, numpy_s = np.random.default_rng(seed), np.random.default_rng(seed)
    ...     a = _choice_without_replacement(ours, p, 3)
    ...     b = numpy_s.choice(5, size=3, replace=False, p=np.array(p)).tolist()
    ...     assert a == b and ours.random() == numpy_s.random(), seed
    """
    p = list(p)
    found: list[int] = []
    while len(found) < size:
        x = rng.random((size - len(found),)).tolist()
        for i in found:
            p[i] = 0.0
        cdf = list(accumulate(p))
        total = cdf[-1]
        cdf = [c / total for c in cdf]
        found.extend(dict.fromkeys(bisect_right(cdf, v) for v in x))
    return found


@lru_cache(maxsize=4096)
def _ordered(steps: tuple[Step, ...]) -> tuple[Step, ...]:
    """Steps with repeated transforms dropped (the first stays), in `_ORDER`."""
    seen: set[str] = set()
    unique = []
    for s in steps:
        if s.name not in seen:
            seen.add(s.name)
            unique.append(s)
    return tuple(sorted(unique, key=lambda s: _ORDER.get(s.name, len(_ORDER))))


@lru_cache(maxsize=4096)
def _chain_text(steps: tuple[Step, ...]) -> str:
    return format_chain(steps)


class _Source:
    """A motif as a cache key: equal when motif (key, meter, notes) and name are equal,
    as the pair (motif, name) would be, with the notes' bytes taken once."""

    __slots__ = ("motif", "fingerprint", "_key", "_hash")

    def __init__(self, motif: Motif) -> None:
        self.motif = motif
        self.fingerprint = motif.fingerprint()
        self._key = (motif.key, motif.meter, self.fingerprint, motif.name)
        self._hash = hash(self._key)

    def __hash__(self) -> int:
        return self._hash

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Source) and self._key == other._key


class _Search:
    """Draws chains from a palette and scores what they make."""

    def __init__(self, motif: Motif, mood: str | None, mode: str | None,
                 keep_meter: bool = False, late: bool = True) -> None:
        self.motif = motif
        self.source = _Source(motif)
        plan = _moves(mood, mode, motif.key.mode, keep_meter, late)
        self.forced_mode = plan.forced_mode
        self.modes = plan.modes
        self.moves = plan.moves
        self.weights = plan.weights

    def chain(self, rng: np.random.Generator, size: int) -> tuple[Step, ...]:
        size = min(size, len(self.moves))
        picked = _choice_without_replacement(rng, self.weights, size)
        steps: list[Step] = []
        if self.forced_mode and self.modes:
            steps.append(Step("mode", (self.forced_mode,)))
        for i in sorted(picked):
            move = self.moves[i]
            if not move:
                move = (Step("mode", (self.modes[int(rng.integers(len(self.modes)))],)),)
            steps.extend(move)
        return _ordered(tuple(steps))

    def make_heard(self, steps: tuple[Step, ...]) -> tuple[Variation, bytes]:
        """The variation and its notes' fingerprint."""
        return _develop_once(self.source, steps)


@lru_cache(maxsize=4096)
def _develop_once(source: _Source, steps: tuple[Step, ...]) -> tuple[Variation, bytes]:
    """The source motif developed by `steps` and scored, with the result's fingerprint;
    a scene asks for the same ones often.

    The motif's name is part of the cache key (see `_Source`) because Motif
    equality ignores it.
    """
    motif = source.motif
    variant = apply_chain(motif, steps)
    if len(motif) == 0 or len(variant) == 0:
        score = similarity(motif, variant)
    else:
        score = _similarity(_source_features(motif), _features(variant))
    return Variation(variant, _chain_text(steps), score), variant.fingerprint()


def _heard(m: Motif) -> bytes:
    """The pitches and onsets: what makes a variation (not velocities or note lengths)."""
    return m.onset.tobytes() + m.pitch.tobytes()


def _shape(m: Motif) -> bytes:
    """What a variation must change: the intervals and the onsets relative to the motif's
    span. Velocities and note lengths (dynamics, articulation) are not in it, nor the
    pitch level or the tempo: a transposed or augmented copy is a restatement."""
    if len(m) < 2:
        return b"n" + m.onset.tobytes() + m.pitch.tobytes()
    rel = m.onset - m.onset[0]
    span = float(rel[-1]) or 1.0
    return np.diff(m.pitch).tobytes() + np.round(rel / span, 9).tobytes()


def vary(
    motif: Motif,
    mood: str | None = None,
    n: int = 8,
    seed: int = 0,
    threshold: float = 0.35,
    mode: str | None = None,
) -> list[Variation]:
    """`n` distinct variations of `motif` developed for `mood`, new shapes first.

    Chains are drawn from the mood's palette (`PALETTES`; an unknown or no mood
    uses the general one) by a Generator seeded with `seed`, so the same
    arguments give the same list. `mode` replaces the mood's target mode and is
    applied in every chain. Every result differs from the source and from the
    others in its pitches or onsets: chains scoring below `threshold` and
    results that change only dynamics or articulation (velocities, note lengths)
    are rejected. Results that change the intervals or the rhythm come first,
    most recognisable first; restatements (a shape already listed, or the
    source's, only moved in pitch or tempo) follow, only where the palette has
    fewer than `n` new shapes. If it runs out of distinct results, fewer are
    returned.

    >>> from motifgen.theory import Key
    >>> m = Motif.from_degrees([0, 2, 1, 4], [0] * 4, [1, 0.5, 0.5, 2], Key(2, "aeolian"))
    >>> [v.chain for v in vary(m, "tragic", n=3)] == [v.chain for v in vary(m, "tragic", n=3)]
    True
    """
    if n < 1:
        return []
    if not 0 <= threshold <= 1:
        raise TransformError(f"threshold {threshold} is outside 0..1")
    rng = np.random.default_rng(seed)
    search = _Search(motif, mood, mode)
    found: list[Variation] = []  # each with intervals or rhythm not heard before
    restated: list[Variation] = []  # new notes, but a shape already heard
    chains: set[str] = set()
    notes: set[bytes] = {_heard(motif)}  # a new key with the same notes is no variation
    shapes: set[bytes] = {_shape(motif)}
    for _ in range(40 * n + 100):
        size = 1 + int(rng.choice(3, p=(0.45, 0.4, 0.15)))
        steps = search.chain(rng, size)
        text = _chain_text(steps)
        if not steps or text in chains:
            continue
        chains.add(text)
        variation, _ = search.make_heard(steps)
        heard = _heard(variation.motif)
        if variation.score < threshold or heard in notes:
            continue
        notes.add(heard)
        shape = _shape(variation.motif)
        if shape in shapes:
            restated.append(variation)
            continue
        shapes.add(shape)
        found.append(variation)
        if len(found) == n:
            break
    return (sorted(found, key=lambda v: -v.score)
            + sorted(restated, key=lambda v: -v.score))[:n]


def develop(
    motif: Motif,
    mood: str | None,
    intensity: float,
    rng: np.random.Generator,
    threshold: float = 0.35,
    mode: str | None = None,
) -> Variation:
    """One variation for a scene: light at intensity 0, heavier towards 1.

    `mode` keeps the development in one mode (the scene's), as in `vary`; a
    development never recasts the meter, which the scene's tempo map fixes.

    Draws a dozen chains (longer ones as intensity rises) and keeps the one
    whose similarity is nearest ``1 - 0.55 * intensity``; returns the motif
    unchanged (chain "") when none reaches `threshold`. A palette's `late`
    moves (the dark moods' inversion) are drawn only from its `late_from`.

    >>> from motifgen.theory import Key
    >>> m = Motif.from_degrees([0, 2, 1, 4], [0] * 4, [1, 0.5, 0.5, 2], Key(2, "aeolian"))
    >>> light = develop(m, "tender", 0.0, np.random.default_rng(1))
    >>> heavy = develop(m, "tender", 1.0, np.random.default_rng(1))
    >>> light.score >= heavy.score
    True
    """
    intensity = min(1.0, max(0.0, float(intensity)))
    target = 1.0 - 0.55 * intensity
    search = _Search(motif, mood, mode, keep_meter=True,
                     late=intensity >= _palette(mood).late_from)
    best = Variation(motif, "", 1.0)
    best_gap = float("inf")
    seen: set[str] = set()
    for _ in range(12):
        steps = search.chain(rng, 1 + int(rng.binomial(2, intensity)))
        text = _chain_text(steps)
        if text in seen:
            continue
        seen.add(text)
        variation, fingerprint = search.make_heard(steps)
        if variation.score < threshold or fingerprint == search.source.fingerprint:
            continue
        gap = abs(variation.score - target)
        if gap < best_gap:
            best, best_gap = variation, gap
    return best
