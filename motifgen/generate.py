"""New motifs for characters defined only by an archetype and traits.

A motif is drawn as a contour of scale steps and a rhythm cell from the
archetype's table row, then shaped by the traits, and kept only if it is
memorable: it repeats its rhythm cell, has one clear high point, and ends on a
stable degree (1, 3 or 5).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .errors import MotifgenError
from .motif import Motif
from .seeds import rng as seeded_rng
from .theory import Key, bar_beats


@dataclass(frozen=True)
class Archetype:
    """How a kind of character tends to sound: leaps, rhythm cells, register."""

    leap_weight: float  # chance that a melodic move is a leap (3rd or more)
    rise: float  # bias towards rising lines (-1 falling .. 1 rising)
    cells: tuple[tuple[float, ...], ...]  # rhythm cells in beats
    start_step: int  # scale step of the first note
    summary: str


ARCHETYPES: dict[str, Archetype] = {
    "hero": Archetype(0.45, 0.6, ((1.5, 0.5, 1, 1), (1, 0.5, 0.5, 2)), 0,
                      "rising fourths and fifths, dotted march rhythm"),
    "villain": Archetype(0.3, -0.5, ((2, 1, 1), (1.5, 0.5, 2)), 0,
                         "falling, heavy, long-short rhythm"),
    "lover": Archetype(0.35, 0.2, ((1.5, 0.5, 2), (2, 1, 1)), 2,
                       "arching line, sixth leaps, lyrical rhythm"),
    "mentor": Archetype(0.2, -0.2, ((2, 2), (1, 1, 2)), 4, "stepwise, slow, settled"),
    "child": Archetype(0.25, 0.3, ((0.5, 0.5, 1), (1, 0.5, 0.5)), 4, "light, short notes"),
    "trickster": Archetype(0.5, 0.0, ((0.5, 0.5, 0.5, 0.5), (0.75, 0.25, 1)), 4,
                           "jumpy, syncopated"),
    "outsider": Archetype(0.4, 0.1, ((1.5, 0.5, 1, 1), (3, 1)), 0,
                          "wide leaps, irregular phrase"),
    "fate": Archetype(0.15, -0.3, ((0.5, 0.5, 0.5, 2.5), (1, 1, 2)), 4,
                      "repeated notes then a fall"),
}

#: Traits nudge the archetype: (extra leap weight, extra rise, chromatic chance, shorter rhythm)
TRAITS: dict[str, tuple[float, float, float, bool]] = {
    "mysterious": (0.1, 0.0, 0.25, False),
    "restless": (0.1, 0.0, 0.05, True),
    "noble": (0.1, 0.3, 0.0, False),
    "gentle": (-0.2, 0.0, 0.0, False),
    "dark": (0.0, -0.4, 0.15, False),
    "playful": (0.2, 0.0, 0.05, True),
    "sad": (-0.1, -0.4, 0.05, False),
    "brave": (0.15, 0.4, 0.0, False),
    "stubborn": (-0.1, 0.0, 0.0, False),
    "innocent": (-0.1, 0.2, 0.0, True),
}


def generate_motif(name: str, key: Key, meter: tuple[int, int], archetype: str | None = None,
                   traits: tuple[str, ...] = (), seed: int = 0) -> Motif:
    """A two-bar motif for `name`, the same for the same inputs."""
    kind = archetype or "outsider"
    if kind not in ARCHETYPES:
        raise MotifgenError(f"unknown archetype {kind!r}; expected one of: "
                            f"{', '.join(sorted(ARCHETYPES))}")
    unknown = [t for t in traits if t not in TRAITS]
    if unknown:
        raise MotifgenError(f"unknown trait {unknown[0]!r}; expected any of: "
                            f"{', '.join(sorted(TRAITS))}")
    arch = ARCHETYPES[kind]
    leap, rise, chroma, short = arch.leap_weight, arch.rise, 0.0, False
    for t in traits:
        d_leap, d_rise, d_chroma, d_short = TRAITS[t]
        leap, rise, chroma = leap + d_leap, rise + d_rise, chroma + d_chroma
        short = short or d_short
    leap, rise = float(np.clip(leap, 0.05, 0.8)), float(np.clip(rise, -0.9, 0.9))
    g = seeded_rng(seed, "generate", name, kind, *traits)
    candidates = [_draw(g, arch, key, meter, leap, rise, chroma, short) for _ in range(24)]
    return max(candidates, key=memorability).with_notes(name=name)


def _draw(g: np.random.Generator, arch: Archetype, key: Key, meter: tuple[int, int],
          leap: float, rise: float, chroma: float, short: bool) -> Motif:
    total = 2 * bar_beats(meter)
    cell = np.array(arch.cells[g.integers(len(arch.cells))], dtype=float)
    if short:
        cell = cell / 2
    held = min(2.0, total / 2)  # the final note's share of the two bars
    while cell.sum() > total - held + 1e-9:  # short bars (2/4, 3/8) take the cell faster
        cell = cell / 2
    durations: list[float] = []
    while len(durations) < 12 and sum(durations) + cell.sum() <= total - held + 1e-9:
        durations += cell.tolist()
    durations.append(total - sum(durations))  # the held final note
    steps = [arch.start_step]
    for _ in durations[1:]:
        size = int(g.integers(2, 5)) if g.random() < leap else 1
        direction = 1 if g.random() < (1 + rise) / 2 else -1
        steps.append(int(np.clip(steps[-1] + direction * size, -3, 9)))
    n = len(key.scale)
    steps[-1] = min((s for s in (0, 2, 4, n) if abs(s - steps[-2]) <= 4),
                    key=lambda s: abs(s - steps[-2]), default=0)
    alts = [int(g.random() < chroma) * (1 if g.random() < 0.5 else -1) for _ in steps]
    alts[0] = alts[-1] = 0
    return Motif.from_degrees(steps, alts, durations, key, meter)


def memorability(motif: Motif) -> float:
    """0..1: one clear high point, mostly steps with a leap or two, a stable ending."""
    pitch = motif.pitch
    if len(pitch) < 3:
        return 0.0
    peak = float(np.sum(pitch == pitch.max()) == 1)
    moves = np.abs(np.diff(pitch))
    steps = float(np.mean(moves <= 2))
    leaps = float(0 < np.sum(moves >= 5) <= 2)
    steps_arr, alts = motif.degrees()
    ending = float(alts[-1] == 0 and steps_arr[-1] % len(motif.key.scale) in (0, 2, 4))
    repeats = float(len(set(np.round(np.diff(motif.onset), 3))) <= 3)
    return (peak + steps + leaps + ending + repeats) / 5
