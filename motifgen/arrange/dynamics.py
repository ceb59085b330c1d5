"""Living dynamics: velocities a sample library plays, CC1 per part, CC11 swells.

Velocities map the written dynamic into 30..115 (`theory.velocity_of`), so a pp
passage is soft through CC1 and CC11 rather than through velocity 1. CC1 is
drawn per part: the section's dynamic (ramping to its target, e.g. mf->f),
the scene's intensity, an arch over every phrase (each role's phrase offset a
little from the others), a build into every hit and section change, and the
lead a step above the accompaniment.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from msgspec import Struct

from ..score import Curve
from ..theory import DYNAMICS, VELOCITY_RANGE

#: CC1 offset per role: the lead above the accompaniment.
ROLE_LEVEL = {"melody": 8, "counter": 0, "harmony": -6, "bass": -2, "percussion": 0}
#: CC7 (channel volume) per role: a mix in which the lead is the loudest line.
ROLE_VOLUME = {"melody": 112, "counter": 92, "harmony": 84, "bass": 80, "percussion": 96}
#: Depth of the arch over a phrase, in CC1 steps (peak minus trough).
ARCH_DEPTH = 22
#: How far each role's arch peaks after the melody's, as a share of the phrase.
ROLE_PHASE = {"melody": 0.0, "counter": 0.25, "harmony": 0.1, "bass": 0.15, "percussion": 0.0}
#: Beats of crescendo before a hit or section change, and how much it adds.
BUILD_BEATS, BUILD_DEPTH = 6.0, 18
#: Highest level before arches and builds, so an ff passage still breathes.
LEVEL_CEILING = 96
#: CC1 bounds.
CC1_RANGE = (12, 127)


def clip_velocity(v: float) -> int:
    """`v` rounded into `VELOCITY_RANGE`."""
    lo, hi = VELOCITY_RANGE
    r = round(v)
    return lo if r < lo else hi if r > hi else int(r)


class Span(Struct, frozen=True):
    """A section as the dynamics see it: its beats, dynamic (from, to) and intensity."""

    start: float
    end: float
    dynamic: str
    dynamic_to: str
    intensity: float


class _Grid(Struct, frozen=True):
    """The beats a cue's CC1 curves are drawn at (`step` apart in each section) and what
    every role's curve shares there."""

    beats: np.ndarray  # as listed (rounded to 6 places)
    phrase_at: np.ndarray  # beats from the section's start, in phrases
    level: np.ndarray  # the section's dynamic and intensity, under the ceiling
    build: np.ndarray  # the build into the next arrival


def _grid(spans: Sequence[Span], phrase: float, arrivals: Sequence[float],
          step: float) -> _Grid:
    beats, phrase_at, levels = [], [], []
    for sp in spans:
        last = sp is spans[-1]
        count = int(np.floor((sp.end - sp.start) / step + (1 + 1e-9 if last else 1 - 1e-9)))
        beat = sp.start + step * np.arange(max(count, 0))
        beat = beat[(beat < sp.end - 1e-9) | (last & (beat <= sp.end + 1e-9))]
        a, b = DYNAMICS[sp.dynamic], DYNAMICS[sp.dynamic_to]
        t = np.minimum(1.0, (beat - sp.start) / max(sp.end - sp.start, 1e-9))
        levels.append(np.minimum(LEVEL_CEILING, (a + (b - a) * t) * (0.7 + 0.6 * sp.intensity)))
        phrase_at.append((beat - sp.start) / phrase)
        beats.append(beat)
    beat = np.concatenate(beats) if beats else np.zeros(0)
    build = np.zeros(len(beat))
    for x in arrivals:
        near = (x - BUILD_BEATS < beat) & (beat <= x)
        build = np.where(near, np.maximum(build, BUILD_DEPTH * (1 - (x - beat) / BUILD_BEATS)),
                         build)
    return _Grid(np.round(beat, 6), np.concatenate(phrase_at or [beat]),
                 np.concatenate(levels or [beat]), build)


def cc1_curves(spans: Sequence[Span], roles: Sequence[str], phrase: float,
               arrivals: Sequence[float] = (), step: float = 1.0
               ) -> dict[str, Curve]:
    """The CC1 curve of each of `roles` over the cue (only changes are listed); the
    roles' curves share their beats."""
    grid = _grid(spans, phrase, arrivals, step)
    lo, hi = CC1_RANGE
    out = {}
    for role in dict.fromkeys(roles):
        u = (grid.phrase_at - ROLE_PHASE.get(role, 0.0)) % 1.0
        arch = ARCH_DEPTH * (np.sin(np.pi * u) - 0.5)
        level = np.round(grid.level + arch + grid.build + ROLE_LEVEL.get(role, 0))
        values = np.minimum(np.maximum(level, lo), hi).astype(int)
        moves = np.ones(len(values), dtype=bool)  # the first point and where the value moves
        moves[1:] = values[1:] != values[:-1]
        out[role] = Curve(grid.beats[moves], values[moves])
    return out


#: CC11 before a hit, per hit kind: (beats of the swell, the value it starts from).
#: Stings, cuts and turns arrive without warning.
SWELLS: dict[str, tuple[float, int]] = {"accent": (2.0, 90), "swell": (4.0, 56)}


def cc11_swells(length: float, hits: Sequence[tuple[float, str]]) -> Curve:
    """CC11 at 127, dipping before each (beat, kind) hit as `SWELLS` says and swelling
    back to 127 on it."""
    out: list[tuple[float, int]] = [(0.0, 127)]
    last = 0.0
    for h, kind in sorted((float(b), k) for b, k in hits):
        if not 0 < h <= length or kind not in SWELLS:
            continue
        beats, low = SWELLS[kind]
        start = max(last, h - beats)
        if h - start < 0.25:
            continue
        n = int(round((h - start) / 0.25))
        for k in range(n):
            t = start + k * 0.25
            value = int(round(low + (127 - low) * k / n))
            if out[-1][0] == t:
                out[-1] = (t, value)
            else:
                out.append((t, value))
        out.append((h, 127))
        last = h
    return Curve.of(out)
