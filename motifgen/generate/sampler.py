"""Drawing motifs that keep their constraints, ranked by memorability.

**2. Candidates** (`propose`). Notes are drawn one scale step at a time from the
n-gram of `model` (folk songs and chorales), conditioned on the constraints:

* masks: events whose duration the rhythm profile does not allow, steps that would
  leave the ambitus or register, and last notes that would break the contour;
* weights: steps that follow the contour x1.6, favoured lengths x2, a note from
  which a due figure can start x5, a last note on the tonic x4 (third or fifth x2);
* written in: each figure where the current note allows it, from a random place on
  (at the start for a head figure), and the rhythm profile's cell, from a beat.

The first note's degree follows the corpus's start degrees. The corpus pulse lasts
the meter's written beat (`theory.beat_groups`; half of it for running and motor
rhythms); the last note is held to the next bar line. Draws that break any
constraint (`Constraints.check`) are rejected; the first `POOL` distinct valid
motifs are ranked by memorability, best first. All randomness comes from
`seeds.rng(seed, "generate", name, archetype, *traits)` (the table names, so
"The Sea" and "sea" give the same motif).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np
from msgspec import Struct

from ..errors import MotifgenError
from ..motif import Motif
from ..seeds import rng as seeded_rng
from ..theory import EPS, Key, bar_beats, beat_groups, pitches_of
from .constraints import (
    CONTOURS,
    RHYTHMS,
    Constraints,
    Figure,
    archetype_name,
    constraints_for,
    steps_for,
    trait_name,
)
from .memorability import memorability
from .model import MelodyModel, load_model

#: Valid motifs drawn before ranking (more when more candidates are asked for).
POOL = 16
#: Draws allowed per wanted candidate before giving up.
_ATTEMPTS = 40


class Candidate(Struct, frozen=True):
    """A generated motif, its memorability and the constraints it satisfies."""

    motif: Motif
    score: float
    constraints: Constraints


class _Frame(Struct, frozen=True, eq=False):
    """What every draw for one set of constraints shares."""

    constraints: Constraints
    key: Key
    meter: tuple[int, int]
    model: MelodyModel
    allowed: np.ndarray  # weight factor per event after the first: 0 barred, 2 favoured
    first: np.ndarray  # the same for first-note events
    beats: np.ndarray  # written beats of each event's duration
    lowest: int  # scale step of pitch[0]
    pitch: np.ndarray  # sounding pitch (register applied) of scale steps from `lowest`
    starts: dict[Figure, np.ndarray]  # per figure: which steps of the scale can start it
    ending: np.ndarray  # weight factor of a last note on each step of the scale


def _frame(constraints: Constraints, key: Key, meter: tuple[int, int]) -> _Frame:
    model = load_model()
    rhythm = RHYTHMS[constraints.rhythm]
    beats = model.durations * rhythm.pulse
    factor = np.where(np.isin(beats, rhythm.favour), 2.0, 1.0) * np.isin(beats, rhythm.lengths)
    size = len(key.scale)
    steps = np.arange(-4 * size, 5 * size)
    starts = {fig: np.array([any(steps_for(run, s, key) for run in fig.options)
                             for s in range(size)]) for fig in constraints.figures}
    ending = np.array([4.0 if s == 0 else 2.0 if s in (2, 4) else 1.0 for s in range(size)])
    return _Frame(constraints, key, meter, model, factor * ~model.is_start,
                  factor * model.is_start, beats, int(steps[0]),
                  pitches_of(steps, np.zeros_like(steps), key) + 12 * constraints.register,
                  starts, ending)


def _start_step(g: np.random.Generator, f: _Frame, head: tuple[int, ...] | None) -> int | None:
    """A first scale step: the corpus's start degrees, in the octave the contour
    suggests (high for falling lines, low for the others), able to start `head`."""
    scale, size = f.key.scale, len(f.key.scale)
    counts = f.model.start_degrees()
    falling = CONTOURS[f.constraints.contour].lean(0.0) < 0
    steps, weights = [], []
    for index in range(size):
        degree = round(scale[index] * 7 / 12) % 7  # nearest diatonic degree
        if falling:
            step = index or size
        else:
            step = index - size if index > size // 2 else index
        if head is None or steps_for(head, step, f.key):
            steps.append(step)
            weights.append(counts.get(degree, 0) + 1)
    pick = _sample(g, np.array(weights, dtype=np.float64))
    return None if pick is None else steps[pick]


def _sample(g: np.random.Generator, weights: np.ndarray) -> int | None:
    """An index drawn in proportion to `weights` (None when all are 0)."""
    cdf = np.cumsum(weights)
    if len(cdf) == 0 or cdf[-1] <= 0:
        return None
    return int(np.searchsorted(cdf, g.random() * cdf[-1], side="right"))


def _draw(g: np.random.Generator, f: _Frame) -> Motif | None:
    """One motif drawn from the model under the constraints (None if it dead-ends)."""
    c, key, model = f.constraints, f.key, f.model
    count = int(g.integers(c.length[0], c.length[1] + 1))
    head = next((fig for fig in c.figures if fig.head), None)
    run = head.options[int(g.integers(len(head.options)))] if head else None
    pending = {fig: int(g.integers(1, max(2, count - fig.moves() + 1)))
               for fig in c.figures if not fig.head}
    start = _start_step(g, f, run)
    if start is None:
        return None
    forced = list(steps_for(run, start, key) or ()) if run else []
    cell = RHYTHMS[c.rhythm].cell
    cell_at = int(g.integers(0, max(1, count - len(cell)))) if cell else count
    timed: list[float] = []  # lengths of the rhythm cell still to play
    steps = [start]
    lengths: list[float] = []
    history: list[str] = []
    for i in range(count):
        if i >= cell_at and sum(lengths) % 1 == 0 and len(cell) < count - i:
            timed, cell_at = list(cell), count
        if i == 0:
            weights = model.weights(history) * f.first
        else:
            if not forced:
                forced = _place(g, pending, steps[-1], i, count, key)
            weights = _condition(model.weights(history) * f.allowed, f, steps, i, count,
                                 forced[0] if forced else None, pending)
        if timed:
            weights = weights * (f.beats == timed.pop(0))
        pick = _sample(g, weights)
        if pick is None:
            return None
        if i:
            steps.append(forced.pop(0) if forced else steps[-1] + int(model.steps[pick]))
        lengths.append(float(f.beats[pick]))
        history.append(model.vocabulary[pick])
    index = np.array(steps) - f.lowest
    if index.min() < 0 or index.max() >= len(f.pitch):
        return None
    return _as_motif(f.pitch[index].tolist(), lengths, key, f.meter)


def _place(g: np.random.Generator, pending: dict[Figure, int], here: int, i: int,
           count: int, key: Key) -> list[int]:
    """The scale steps of a pending figure to write in from note `i`, once its place is
    reached and the note at step `here` can start it (empty if none); it stops pending."""
    for fig, place in pending.items():
        runs = [steps for run in fig.options if place <= i and len(run) <= count - i
                for steps in [steps_for(run, here, key)] if steps]
        if runs:
            del pending[fig]
            return list(runs[int(g.integers(len(runs)))])
    return []


def _condition(weights: np.ndarray, f: _Frame, steps: list[int], i: int, count: int,
               forced: int | None, pending: dict[Figure, int]) -> np.ndarray:
    """Mask and bias the model's weights for note `i` (see the module docstring)."""
    c, model = f.constraints, f.model
    targets = steps[-1] + model.steps
    if forced is not None:
        return weights * (targets == forced)
    pitches = np.take(f.pitch, targets - f.lowest, mode="clip")
    sounded = np.take(f.pitch, [s - f.lowest for s in steps], mode="clip").tolist()
    low, high = c.window(f.key)
    span = np.maximum(pitches, max(sounded)) - np.minimum(pitches, min(sounded))
    weights = weights * ((span <= c.ambitus) & (pitches >= low) & (pitches <= high))
    lean = CONTOURS[c.contour].lean(i / max(1, count - 1))
    if lean:
        weights = weights * np.where(model.steps * lean > 0, 1.6, 1.0)
    degree = targets % len(f.key.scale)
    for fig, place in pending.items():
        if place <= i:
            weights = weights * np.where(f.starts[fig][degree], 5.0, 1.0)
    if i == count - 1:
        shape = CONTOURS[c.contour].holds
        ends = {p: shape([*sounded, p]) for p in set(pitches.tolist())}
        weights = weights * f.ending[degree] * np.array([ends[p] for p in pitches.tolist()])
    return weights


def _as_motif(pitch: list[int], lengths: list[float], key: Key, meter: tuple[int, int]
              ) -> Motif:
    """Notes end to end, each `lengths` written beats long; the last held to a bar line."""
    unit = beat_groups(meter).unit
    beats = [x * unit for x in lengths]
    onsets = np.concatenate(([0.0], np.cumsum(beats)[:-1]))
    bar = bar_beats(meter)
    end = bar * np.ceil((onsets[-1] + beats[-1]) / bar - EPS)
    beats[-1] = end - onsets[-1]
    return Motif.from_notes([(float(o), float(d), p) for o, d, p in zip(onsets, beats, pitch)],
                            key=key, meter=meter)


def propose(name: str, key: Key, meter: tuple[int, int], archetype: str | None = None,
            traits: Sequence[str] = (), seed: int = 0, n: int = 5) -> list[Candidate]:
    """`n` distinct motifs for `name` in `key`, best (most memorable) first, each
    satisfying the constraints of the archetype and traits in that key."""
    if n < 1:
        raise MotifgenError(f"expected at least one candidate, got {n}")
    words = (archetype_name(archetype) if archetype else None, tuple(map(trait_name, traits)))
    ranked = _ranked(name, key, tuple(meter), *words, seed, max(n, POOL))
    if len(ranked) < n:
        wanted = constraints_for(*words).fitted(key).describe()
        raise MotifgenError(f"found only {len(ranked)} distinct motifs for {name!r} "
                            f"({wanted}); ask for fewer")
    return list(ranked[:n])


@lru_cache(maxsize=256)
def _ranked(name: str, key: Key, meter: tuple[int, int], archetype: str | None,
            traits: tuple[str, ...], seed: int, wanted: int) -> tuple[Candidate, ...]:
    """Up to `wanted` distinct valid motifs, ranked (cached: a project loads the same
    characters again and again)."""
    constraints = constraints_for(archetype, traits).fitted(key)
    frame = _frame(constraints, key, meter)
    g = seeded_rng(seed, "generate", name, archetype or "", *traits)
    found: dict[Motif, None] = {}
    for _ in range(_ATTEMPTS * wanted):
        motif = _draw(g, frame)
        if motif is not None and not constraints.check(motif):
            found.setdefault(motif.with_notes(name=name))
            if len(found) == wanted:
                break
    scores = {m: memorability(m) for m in found}
    ranked = sorted(found, key=scores.__getitem__, reverse=True)  # stable: draw order on ties
    return tuple(Candidate(m, scores[m], constraints) for m in ranked)


def generate_motif(name: str, key: Key, meter: tuple[int, int], archetype: str | None = None,
                   traits: Sequence[str] = (), seed: int = 0) -> Motif:
    """The most memorable candidate for `name`: the same for the same inputs."""
    return propose(name, key, meter, archetype, traits, seed, n=1)[0].motif
