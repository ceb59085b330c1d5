"""How memorable a motif is: `memorability`, 0..1.

**3. Memorability** (`memorability`, 0..1) is the weighted sum of the components in
`MEMORABILITY`, each 0..1 (see each function's docstring): brevity 0.10, a
distinctive head interval 0.15, a clear rhythmic cell 0.15, a tonal centre 0.15, a
singable range 0.10, a clear contour (few crossings of its range) 0.15, conjunct
motion 0.10, and familiarity (likelihood under the n-gram) 0.10. Ten famous
public-domain motifs (Beethoven, Wagner, Grieg, Mozart, Dvořák, the Dies irae) score
above random note strings and above shuffles of their own pitches
(tests/test_memorability.py).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..motif import Motif
from .model import Melody, load_model, melody_events


def brevity(motif: Motif) -> float:
    """1 for 3-8 notes, falling linearly to 0 at 16 notes: motifs that stick are short."""
    return float(np.clip((16 - len(motif)) / 8, 0, 1))


#: How distinctive a head interval is, by size in semitones: the perfect fourth, fifth,
#: sixths and octave are the signature openings; steps and repeats say little.
_HEAD = {0: 0.0, 1: 0.4, 2: 0.4, 3: 0.7, 4: 0.7, 5: 1.0, 6: 0.6, 7: 1.0, 8: 0.9, 9: 0.9,
         10: 0.6, 11: 0.5, 12: 0.9}


def head_interval(motif: Motif) -> float:
    """The first change of pitch (repeated notes skipped, as in Beethoven's Fifth):
    1 for a fourth, fifth or octave, 0.9 a sixth, 0.7 a third, 0.4 a step, 0.2 beyond an
    octave; 0 when the pitch never changes."""
    moves = [int(x) for x in np.diff(motif.pitch) if x]
    return _HEAD.get(abs(moves[0]), 0.2) if moves else 0.0


def rhythmic_cell(motif: Motif) -> float:
    """A clear rhythmic cell: half for pairs of successive lengths that recur (the share
    of pairs heard more than once), half for few distinct lengths (1 up to three,
    else 3 / count). The held last note is left out."""
    lengths = np.round(motif.duration[:-1], 3).tolist()
    if len(lengths) < 2:
        return 0.5
    pairs = list(zip(lengths, lengths[1:]))
    recurring = sum(pairs.count(p) > 1 for p in pairs) / len(pairs)
    return 0.5 * recurring + 0.5 * min(1.0, 3 / len(set(lengths)))


def tonal_centre(motif: Motif) -> float:
    """A tonal centre in the motif's key, the mean of: the first note on the tonic triad;
    the last on the tonic (1) or the third or fifth (0.6); the share of notes in the
    scale; the share of time on the tonic triad (full marks from 60 %)."""
    key = motif.key
    rel = (motif.pitch - key.tonic_pitch) % 12
    triad = [key.scale[i] for i in (0, 2, 4) if i < len(key.scale)]
    on_triad = np.isin(rel, triad)
    last = 1.0 if rel[-1] == 0 else 0.6 if on_triad[-1] else 0.0
    in_scale = float(np.mean(np.isin(rel, key.scale)))
    held = float(np.sum(motif.duration * on_triad) / np.sum(motif.duration))
    return (float(on_triad[0]) + last + in_scale + min(1.0, held / 0.6)) / 4


def singable_range(motif: Motif) -> float:
    """1 within a tenth (16 semitones: a trained voice sings it), falling to 0 at two
    octaves; halved when a single leap exceeds an octave."""
    span = int(np.ptp(motif.pitch))
    score = float(np.clip((24 - span) / 8, 0, 1)) if span > 16 else 1.0
    return score / 2 if np.any(np.abs(np.diff(motif.pitch)) > 12) else score


def contour_clarity(motif: Motif) -> float:
    """A clear shape crosses its range few times: the line's total movement divided by
    its ambitus is 1 for a straight rise or fall; the score is 1 up to one crossing,
    falling linearly to 0 at four (a zigzag through the whole range)."""
    span = int(np.ptp(motif.pitch))
    if span == 0:
        return 1.0
    crossings = float(np.abs(np.diff(motif.pitch)).sum()) / span
    return float(np.clip((4 - crossings) / 3, 0, 1))


#: Singability of a melodic interval by size, following the steep fall of interval
#: frequencies in folk song (steps and repeated notes most common).
def _conjunct(size: int) -> float:
    return 1.0 if size <= 2 else 0.8 if size <= 4 else 0.6 if size in (5, 7) else \
        0.35 if size <= 9 else 0.15 if size <= 12 else 0.0


def conjunct_motion(motif: Motif) -> float:
    """Mean singability of the intervals: 1 for steps and repeats, 0.8 thirds, 0.6
    fourths and fifths, 0.35 tritone and sixths, 0.15 sevenths and octave, 0 beyond."""
    sizes = np.abs(np.diff(motif.pitch)).tolist()
    return float(np.mean([_conjunct(s) for s in sizes])) if sizes else 0.0


def familiarity(motif: Motif) -> float:
    """How idiomatic the steps and rhythm are: the mean information per note (after the
    first) under the n-gram of `model`, 1 at 2 bits or less, 0 at 8 bits or more."""
    steps, _ = motif.degrees()
    events = melody_events(Melody(tuple(steps.tolist()), tuple(motif.duration.tolist())))
    bits = load_model().bits(events)[1:]
    return float(np.clip((8 - np.mean(bits)) / 6, 0, 1)) if bits else 0.0


#: The memorability score: component -> (weight, function). Weights sum to 1.
MEMORABILITY: dict[str, tuple[float, Callable[[Motif], float]]] = {
    "brevity": (0.10, brevity),
    "head_interval": (0.15, head_interval),
    "rhythmic_cell": (0.15, rhythmic_cell),
    "tonal_centre": (0.15, tonal_centre),
    "singable_range": (0.10, singable_range),
    "contour_clarity": (0.15, contour_clarity),
    "conjunct_motion": (0.10, conjunct_motion),
    "familiarity": (0.10, familiarity),
}


def memorability_parts(motif: Motif) -> dict[str, float]:
    """Each component of `MEMORABILITY` for `motif`, 0..1."""
    return {name: fn(motif) for name, (_, fn) in MEMORABILITY.items()}


def memorability(motif: Motif) -> float:
    """0..1: the weighted sum of `memorability_parts` (0 for fewer than two notes)."""
    if len(motif) < 2:
        return 0.0
    parts = memorability_parts(motif)
    return round(sum(w * parts[name] for name, (w, _) in MEMORABILITY.items()), 6)
