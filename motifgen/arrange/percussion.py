"""Percussion: grooves written for the meter, fills into hits and section ends.

A groove is built on the meter's pulse groups (`pulse_groups`: 4/4 in
quarters, 6/8 in dotted quarters, 5/8 as 2+3, 7/8 as 2+2+3), accented on the
bar line. Every fourth bar varies the groove; the bar before a hit or the end
of a section carries a fill that crescendos into it. Timpani play tonic and
dominant, with a roll into each hit. Velocities stay in `theory.VELOCITY_RANGE`.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np
from msgspec import Struct

from ..motif import Notes
from ..orchestra import instrument
from ..theory import Key, bar_beats, beat_groups, round_beat
from .dynamics import clip_velocity
from .line import EPS, Row, grid, rows_to_notes

#: Beats of crescendo (roll or fill) leading into a hit.
FILL_BEATS = 2.0


@lru_cache(maxsize=64)
def pulse_groups(meter: tuple[int, int]) -> tuple[float, ...]:
    """Offsets in beats of each pulse group's start within a bar.

    >>> pulse_groups((4, 4)), pulse_groups((6, 8)), pulse_groups((7, 8)), pulse_groups((5, 8))
    ((0.0, 1.0, 2.0, 3.0), (0.0, 1.5), (0.0, 1.0, 2.0), (0.0, 1.0))
    """
    num, den = meter
    g = beat_groups(meter)
    if den >= 8 and num in (5, 7, 11):
        sizes = [2] * ((num - 3) // 2) + [3]
        starts, at = [], 0.0
        for s in sizes:
            starts.append(at)
            at += s * g.unit
        return tuple(starts)
    return tuple(float(x) for x in np.arange(0.0, g.bar - EPS, g.beat))


def _bars(meter: tuple[int, int], length: float) -> list[float]:
    return grid(0.0, length, bar_beats(meter)) if length > EPS else []


def _fill(end: float, meter: tuple[int, int], pitch: int, velocity: int,
          beats: float = FILL_BEATS) -> list[Row]:
    """A crescendo of sixteenth-note strokes over the `beats` before `end`."""
    step = 0.25
    start = max(0.0, end - beats)
    strokes = grid(start, end, step) if end > start + EPS else []
    return [(t, step, pitch, clip_velocity(velocity - 30 + 30 * (k + 1) / len(strokes)))
            for k, t in enumerate(strokes)]


def groove(pitch: int, meter: tuple[int, int], length: float, velocity: int,
           rng: np.random.Generator, busy: bool, arrivals: Sequence[float]) -> list[Row]:
    """A drum's groove over the cue, varied every fourth bar, with fills into `arrivals`."""
    groups = pulse_groups(meter)
    sub = beat_groups(meter).unit / 2
    fills = [a for a in arrivals if 0 < a <= length + EPS]
    filled = [(a - FILL_BEATS - EPS, a) for a in fills]  # where a fill sounds
    strokes = [clip_velocity(velocity + (12 if k == 0 else -6)) for k in range(len(groups))]
    pick_up = clip_velocity(velocity - 16)
    # (bar number, group, onset) of every stroke; the fill replaces the groove where it sounds
    slots = [(n, k, bar + g) for n, bar in enumerate(_bars(meter, length))
             for k, g in enumerate(groups if busy else groups[:1])]
    slots = [(n, k, t) for n, k, t in slots if not any(a <= t < b for a, b in filled)]
    # one draw per stroke that may have a pick-up, all at once (the same numbers in turn)
    draws = iter(rng.random(sum(1 for _, k, _ in slots if busy and k > 0)).tolist())
    rows: list[Row] = []
    for n, k, t in slots:
        rows.append((t, sub, pitch, strokes[k]))
        # pick-up strokes before some groups: more in a variation bar
        if busy and k > 0 and next(draws) < (0.55 if n % 4 == 3 else 0.2):
            rows.append((t - sub, sub, pitch, pick_up))
    for a in fills:
        rows.extend(_fill(a, meter, pitch, velocity))
    return rows


def _drum_pitch(pc: int, avoid: Sequence[frozenset[int]]) -> int:
    """The lowest timpani pitch of pitch class `pc` outside the first set of `avoid` that
    leaves one (the accompaniment's pitches, then the bass's: the drum doubles at the
    octave rather than copying a part), else the lowest."""
    options = _timpani_pitches(pc % 12)
    for pitches in avoid:
        free = [p for p in options if p not in pitches]
        if free:
            return free[0]
    return options[0]


@lru_cache(maxsize=12)
def _timpani_pitches(pc: int) -> tuple[int, ...]:
    """The timpani's pitches of pitch class `pc`, lowest first."""
    timp = instrument("timpani")
    return tuple(p for p in range(timp.low, timp.high + 1) if p % 12 == pc)


class Moments(Struct, frozen=True):
    """What percussion marks in a section (beats from its start): `strikes` (accent and
    sting hits), `rolls` (swell hits a roll crescendos into) and `fills` (where a groove
    fills: accent hits and the section's end)."""

    strikes: tuple[float, ...] = ()
    rolls: tuple[float, ...] = ()
    fills: tuple[float, ...] = ()


def timpani(key: Key, meter: tuple[int, int], length: float, velocity: int, busy: bool,
            moments: Moments, avoid: Sequence[frozenset[int]] = ()) -> list[Row]:
    """Tonic and dominant strokes (every bar when busy, every fourth bar otherwise), a
    stroke on every strike and a roll crescendo into every roll."""
    tonic = _drum_pitch(key.tonic, avoid)
    fifth = _drum_pitch(key.tonic + 7, avoid)
    groups = pulse_groups(meter)
    rows: list[Row] = []
    for n, bar in enumerate(_bars(meter, length)):
        if busy:
            rows.append((bar, 1.0, tonic, clip_velocity(velocity)))
            if len(groups) > 1:
                rows.append((bar + groups[len(groups) // 2], 1.0, fifth,
                             clip_velocity(velocity - 12)))
        elif n % 4 == 0:
            rows.append((bar, 2.0, tonic, clip_velocity(velocity - 10)))
    for h in moments.rolls:
        rows.extend(_fill(h, meter, tonic, velocity))
    rows.extend((h, 1.0, tonic, clip_velocity(velocity + 18)) for h in moments.strikes)
    return rows


#: The kit's drums that play grooves, with the velocity each plays them at (relative).
GROOVES: dict[str, int] = {"taiko": 0, "bass_drum": 0, "drums": 0, "snare_drum": -10}


def percussion(name: str, members: Sequence[str], meter: tuple[int, int], length: float,
               moments: Moments, rng: np.random.Generator, velocity: int, key: Key,
               busy: bool, avoid: Sequence[frozenset[int]] = ()) -> Notes:
    """The part for `name`: ``"timpani"`` or the drum kit of `members` (drum names).

    Taiko, bass drum and snare play grooves that fill into `moments.fills` and
    strike on `moments.strikes`; a crash cymbal and a tam-tam sound on the strikes;
    a suspended cymbal only swells, into `moments.rolls` (never a single ping).
    Timpani avoid the pitches in `avoid`.
    """
    if name == "timpani":
        return rows_to_notes(_clean(timpani(key, meter, length, velocity, busy, moments, avoid),
                                    length))
    rows: list[Row] = []
    for member in members:
        drum = instrument(member)
        k = int(drum.drum_key or 36)
        if member in GROOVES:
            rows += groove(k, meter, length, velocity + GROOVES[member], rng, busy,
                           [*moments.fills, *moments.rolls])
            rows += [(h, 0.5, k, clip_velocity(velocity + 20)) for h in moments.strikes]
        elif member == "suspended_cymbal":
            for h in moments.rolls:
                rows += _fill(h, meter, k, velocity, beats=2 * FILL_BEATS)
        else:  # crash cymbal, tam-tam: on the strikes
            rows += [(h, 2.0, k, clip_velocity(velocity + 15)) for h in moments.strikes]
        if member == "drums":
            rows += [(h, 1.0, 49, clip_velocity(velocity + 15)) for h in moments.strikes]
    return rows_to_notes(_clean(rows, length))


def _clean(rows: list[Row], length: float) -> list[Row]:
    """Drop duplicates (keeping the loudest), keep onsets inside the section, and cut
    same-pitch overlaps."""
    merged: dict[tuple[float, int], tuple[float, int]] = {}
    for on, du, p, v in rows:
        if on < -EPS or on >= length - EPS:
            continue
        k = (round_beat(float(on), 6), int(p))
        old = merged.get(k)
        merged[k] = (float(du), int(v)) if old is None or v > old[1] else old
    by_pitch: dict[int, list[float]] = {}
    for on, p in sorted(merged):
        by_pitch.setdefault(p, []).append(on)
    out: list[Row] = []
    for p, onsets in by_pitch.items():
        for i, on in enumerate(onsets):
            du, v = merged[(on, p)]
            limit = onsets[i + 1] if i + 1 < len(onsets) else length
            out.append((on, max(min(du, limit - on), 1e-3), p, v))
    out.sort()
    return out
