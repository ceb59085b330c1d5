"""Variations of a motif suited to a mood, and how recognisable each one stays.

`vary` searches transform chains with a seeded `numpy.random.Generator`, keeps
the distinct results whose `similarity` to the source reaches a threshold, and
returns them with their chain text (the provenance). `develop` gives the scene
arranger one variation whose weight follows the scene's intensity.

The mood -> development palette is the one table `PALETTES`.
"""

from __future__ import annotations

from bisect import bisect_right
from functools import lru_cache
from itertools import accumulate

import numpy as np
from msgspec import Struct

from ..errors import TransformError
from ..motif import Motif
from ..theory import mode_name
from .chain import Step, apply_step, format_chain, parse_chain
from .similarity import features, features_similarity, similarity, source_features


class Palette(Struct, frozen=True):
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


class Variation(Struct, frozen=True, gc=False):
    """A developed motif, the chain that made it, and its similarity to the source."""

    motif: Motif
    chain: str
    score: float


class _Moves(Struct, frozen=True):
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


def _choice_without_replacement(rng: np.random.Generator, p: tuple[float, ...],
                                size: int) -> list[int]:
    """``rng.choice(len(p), size, replace=False, p=p)`` for a few draws from a short list:
    the same random numbers and arithmetic as numpy's (cumulative sums, a search to the
    right, new indices kept in order of first appearance), without its array overhead.

    >>> p = (0.4, 0.3, 0.2, 0.05, 0.05)
    >>> for seed, size in zip(range(60), [1, 2, 3] * 20):
    ...     ours, numpy_s = np.random.default_rng(seed), np.random.default_rng(seed)
    ...     a = _choice_without_replacement(ours, p, size)
    ...     b = numpy_s.choice(5, size=size, replace=False, p=np.array(p)).tolist()
    ...     assert a == b and ours.random() == numpy_s.random(), seed
    """
    found: list[int] = []
    while len(found) < size:
        k = size - len(found)
        x = [rng.random()] if k == 1 else rng.random((k,)).tolist()
        cdf = _cdf(p, tuple(found))
        for v in x:  # never an index drawn before: its weight is out of the sums
            i = bisect_right(cdf, v)
            if i not in found:
                found.append(i)
    return found


@lru_cache(maxsize=1024)
def _cdf(p: tuple[float, ...], drawn: tuple[int, ...]) -> tuple[float, ...]:
    """The cumulative sums of `p` with the `drawn` indices' weights taken out, scaled to end
    at 1 (a palette asks for the same few again and again)."""
    left = [0.0 if i in drawn else w for i, w in enumerate(p)]
    cdf = list(accumulate(left))
    total = cdf[-1]
    return tuple(c / total for c in cdf)


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


class _Drawn(Struct, gc=False):
    """A chain drawn by a `_Search` and its text; once heard, what it makes of the search's
    motif (`variant`), its similarity and whether those are the motif's own notes. A
    search keeps thousands: as a Struct without garbage-collector tracking they cost a
    full collection nothing (none can refer back to it)."""

    steps: tuple[Step, ...]
    text: str
    variant: Motif | None = None
    score: float = 0.0
    same: bool = False

    def variation(self) -> Variation:
        """What a heard chain made, as `vary` and `develop` return it."""
        assert self.variant is not None
        return Variation(self.variant, self.text, self.score)


def _timing(m: Motif) -> bytes:
    """The onsets, lengths and pitches: what a variation's similarity depends on."""
    return b"".join(a.tobytes() for a in (m.onset, m.duration, m.pitch))


class _Search:
    """Draws chains from a palette and scores what they make, keeping every chain drawn
    and what it made: a scene asks one motif for the same few again and again."""

    def __init__(self, motif: Motif, mood: str | None, mode: str | None,
                 keep_meter: bool, late: bool) -> None:
        self.motif = motif
        plan = _moves(mood, mode, motif.key.mode, keep_meter, late)
        self.forced_mode = plan.forced_mode
        self.modes = plan.modes
        self.moves = plan.moves
        self.weights = plan.weights
        self.mode_move = self.moves.index(()) if () in self.moves else -1  # the mode change
        self._drawn: dict[int, _Drawn] = {}
        self._made: dict[tuple[Step, ...], Motif] = {(): motif}
        self._timing = _timing(motif)
        self._scores: dict[bytes, float] = {}

    def chain(self, rng: np.random.Generator, size: int) -> _Drawn:
        """Up to `size` moves drawn without replacement, and a mode for the mode change."""
        size = min(size, len(self.moves))
        picked = _choice_without_replacement(rng, self.weights, size)
        mode = int(rng.integers(len(self.modes))) if self.mode_move in picked else -1
        key = mode + 1  # the moves as bits above the mode's number, one small int
        for i in picked:
            key += 64 << i
        drawn = self._drawn.get(key)
        if drawn is None:
            steps = self._steps(sorted(picked), mode)
            drawn = self._drawn[key] = _Drawn(steps, _chain_text(steps))
        return drawn

    def _steps(self, picked: list[int], mode: int) -> tuple[Step, ...]:
        steps: list[Step] = []
        if self.forced_mode and self.modes:
            steps.append(Step("mode", (self.forced_mode,)))
        for i in picked:
            steps.extend(self.moves[i] or (Step("mode", (self.modes[mode],)),))
        return _ordered(tuple(steps))

    def hear(self, drawn: _Drawn) -> _Drawn:
        """`drawn` with its variant, similarity and whether those are the motif's notes."""
        if drawn.variant is None:
            variant = self._developed(drawn.steps)
            timing = _timing(variant)
            drawn.score = self._score(variant, timing)
            drawn.same = timing == self._timing and bool(
                np.array_equal(variant.velocity, self.motif.velocity))
            drawn.variant = variant
        return drawn

    def _developed(self, steps: tuple[Step, ...]) -> Motif:
        """The motif developed by `steps`, from the longest start of them developed before
        (the chains are in `_ORDER`, so many begin alike)."""
        made = self._made.get(steps)
        if made is None:
            made = self._made[steps] = apply_step(self._developed(steps[:-1]), steps[-1])
        return made

    def _score(self, variant: Motif, timing: bytes) -> float:
        """`similarity(motif, variant)`, once for each variant's `_timing` (chains that
        change only its velocities score alike)."""
        score = self._scores.get(timing)
        if score is None:
            if len(self.motif) == 0 or len(variant) == 0:
                score = similarity(self.motif, variant)
            else:
                score = features_similarity(source_features(self.motif), features(variant))
            self._scores[timing] = score
        return score


@lru_cache(maxsize=256)
def _search(motif: Motif, mood: str | None, mode: str | None, keep_meter: bool = False,
            late: bool = True) -> _Search:
    """The search for one motif (name included) and palette, kept with what it has made."""
    return _Search(motif, mood, mode, keep_meter, late)


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
    shape: bytes = np.diff(m.pitch).tobytes() + np.round(rel / span, 9).tobytes()
    return shape


class _Found:
    """What `vary` has kept: new shapes, restatements, and what it has heard."""

    def __init__(self, motif: Motif) -> None:
        self.found: list[Variation] = []  # each with intervals or rhythm not heard before
        self.restated: list[Variation] = []  # new notes, but a shape already heard
        self.chains: set[str] = set()
        self.notes: set[bytes] = {_heard(motif)}  # a new key with the same notes is none
        self.shapes: set[bytes] = {_shape(motif)}

    def keep(self, variation: Variation, threshold: float) -> None:
        """Keep a variation that reaches `threshold` and changes pitches or onsets."""
        heard = _heard(variation.motif)
        if variation.score < threshold or heard in self.notes:
            return
        self.notes.add(heard)
        shape = _shape(variation.motif)
        if shape in self.shapes:
            self.restated.append(variation)
            return
        self.shapes.add(shape)
        self.found.append(variation)

    def collect(self, search: _Search, rng: np.random.Generator, n: int,
                threshold: float) -> list[Variation]:
        """Draw chains until `n` new shapes are found (or the draws run out); the best
        `n`, new shapes first, most recognisable first."""
        for _ in range(40 * n + 100):
            size = 1 + int(rng.choice(3, p=(0.45, 0.4, 0.15)))
            drawn = search.chain(rng, size)
            if not drawn.steps or drawn.text in self.chains:
                continue
            self.chains.add(drawn.text)
            self.keep(search.hear(drawn).variation(), threshold)
            if len(self.found) == n:
                break
        return (sorted(self.found, key=lambda v: -v.score)
                + sorted(self.restated, key=lambda v: -v.score))[:n]


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
    return _Found(motif).collect(_search(motif, mood, mode), np.random.default_rng(seed),
                                 n, threshold)


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
    search = _search(motif, mood, mode, True, intensity >= _palette(mood).late_from)
    best: _Drawn | None = None
    best_gap = float("inf")
    seen: set[str] = set()
    for _ in range(12):
        drawn = search.chain(rng, 1 + int(rng.binomial(2, intensity)))
        if drawn.text in seen:
            continue
        seen.add(drawn.text)
        search.hear(drawn)
        if drawn.score < threshold or drawn.same:
            continue
        gap = abs(drawn.score - target)
        if gap < best_gap:
            best, best_gap = drawn, gap
    return best.variation() if best else Variation(motif, "", 1.0)
