"""One voice-led chord sequence per section: a bass and three upper voices.

Every accompaniment part is drawn from this sequence (see `textures`), so
figures inherit its voice leading instead of planing a root-position shape.
Two passes of dynamic programming:

1. `bass_line`: one bass note per chord, root preferred over inversions, small
   leaps, no parallel fifths or octaves with the melody where both move at a
   chord change, below the melody.
2. `voice_upper`: with the bass fixed, three upper voices per chord under a
   *ceiling* (the lowest melody note sounding during the chord, so the lead is
   never covered): the third always present, the leading tone never doubled,
   common tones held, no parallel fifths or octaves between any two voices
   (bass included), no chord change with every upper voice moving the same way.

Costs are named below; a cost of `FORBIDDEN` is never chosen while any other
path exists.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ..motif import Notes
from .chords import Chord
from .line import EPS, lowest_during

#: A path through a forbidden move is taken only when nothing else exists.
FORBIDDEN = 1e4
#: Bass: cost of the third or fifth of the chord in the bass instead of the root.
BASS_INVERSION_COST = (0.0, 0.9, 2.2)
#: Bass: per semitone of distance from the centre of the bass register.
BASS_CENTRE_WEIGHT = 0.06
#: Bass: per semitone of leap, plus extra for leaps beyond a fifth and an octave.
BASS_LEAP_WEIGHT = 0.08
BASS_WIDE_LEAP_COST = (0.8, 3.0)
#: Bass: a note at or above the melody it supports.
BASS_ABOVE_MELODY_COST = 6.0
#: Bass: room the upper voices need between the bass and the melody, and the cost per
#: semitone the bass takes out of it.
BASS_ROOM, BASS_ROOM_WEIGHT = 14, 0.35
#: Upper voices: per semitone moved, summed over the voices.
MOVE_WEIGHT = 0.12
#: Upper voices: each voice leaping more than a fourth / a fifth.
LEAP_COST = (0.5, 1.5)
#: A common tone available between two chords but held by no voice.
COMMON_TONE_LOST_COST = 1.4
#: Every upper voice moving the same way (planing).
SAME_DIRECTION_COST = 3.0
#: A chord tone other than the third missing from the voicing.
MISSING_TONE_COST = 0.8
#: Doubling a tone other than the root (third, fifth, added tone).
DOUBLING_COST = {0: 0.0, 1: 0.6, 2: 0.25}
#: Upper voices this many semitones or fewer above the bass sound muddy.
CROWDING_SPACE = 3
CROWDING_COST = 0.6
#: Below this pitch close upper voices turn to mud; cost per semitone under it.
MUD_FLOOR, MUD_WEIGHT = 48, 0.08
#: Pull of the voicing's top towards `TOP_BELOW` semitones under the ceiling.
TOP_BELOW, TOP_WEIGHT = 3, 0.05
#: Widest span of the three upper voices, and widest gap between neighbours.
UPPER_SPAN, UPPER_GAP = 19, 12
#: The upper voices sit at least this far below the melody (strictly below).
CLEARANCE = 1


@dataclass(frozen=True)
class Voicing:
    """One chord in real voices: `bass` and `upper` (three pitches, low to high)."""

    beat: float
    duration: float
    bass: int
    upper: tuple[int, ...]
    chord: Chord

    @property
    def end(self) -> float:
        return self.beat + self.duration

    @property
    def pitches(self) -> tuple[int, ...]:
        return (self.bass, *self.upper)


def ceilings(chords: Sequence[Chord], melody: Notes, default: int) -> list[int]:
    """Highest pitch the upper voices may take under each chord: just below the lowest
    melody note sounding during it; chords without melody take their neighbour's."""
    out: list[int | None] = []
    for c in chords:
        low = lowest_during(melody, c.beat, c.end)
        out.append(None if low is None else low - CLEARANCE)
    known = [i for i, v in enumerate(out) if v is not None]
    if not known:
        return [default] * len(chords)
    return [out[i] if out[i] is not None else out[min(known, key=lambda k: abs(k - i))]
            for i in range(len(out))]  # type: ignore[misc]


def _melody_at(melody: Notes, beat: float, before: bool) -> int | None:
    """The melody pitch heard last before `beat` (`before`), or sounding at it; None
    when there is none."""
    if not len(melody):
        return None
    if before:
        earlier = melody.onset < beat - EPS
        if not earlier.any():
            return None
        last = melody.onset[earlier].max()
        return int(melody.pitch[earlier & (melody.onset == last)].max())
    mask = (melody.onset <= beat + EPS) & (melody.onset + melody.duration > beat + EPS)
    return int(melody.pitch[mask].max()) if mask.any() else None


def _sounding(melody: Notes, beat: float) -> int | None:
    mask = (melody.onset <= beat) & (melody.onset + melody.duration > beat)
    return int(melody.pitch[mask].max()) if mask.any() else None


def _perfect_parallel(a0: np.ndarray, b0: np.ndarray, a1: np.ndarray,
                      b1: np.ndarray) -> np.ndarray:
    """Both voices move and keep a perfect fifth or unison/octave (as interval class)."""
    i0, i1 = (b0 - a0) % 12, (b1 - a1) % 12
    return (a0 != a1) & (b0 != b1) & (i0 == i1) & ((i1 == 0) | (i1 == 7))


def bass_line(chords: Sequence[Chord], melody: Notes, low: int, high: int, centre: float,
              pedal: int | None = None, lead_in: tuple[int, int] | None = None,
              strong: Sequence[float] = ()) -> list[int]:
    """One bass pitch per chord in low..high (see the module docstring).

    `pedal`: a pitch class held under every chord instead. `lead_in`: (bass,
    melody) sounding just before the first chord, so a line continuing another
    section avoids parallels across the join. `strong`: the strong beats; the
    melody on the last one before a chord change counts as a note the bass
    moves against, too.
    """
    if not chords:
        return []
    if pedal is not None:
        pitch = int(round(centre)) - (int(round(centre)) - pedal) % 12
        while pitch < low:
            pitch += 12
        return [pitch] * len(chords)
    before = [_melody_at(melody, c.beat, True) for c in chords]
    at = [_melody_at(melody, c.beat, False) for c in chords]
    accented = [_melody_at(melody, max((b for b in strong if b < c.beat - EPS), default=-1.0),
                           False) for c in chords]
    options: list[np.ndarray] = []
    unary: list[np.ndarray] = []
    for c in chords:
        floor_mel = lowest_during(melody, c.beat, c.end)
        pitches, costs = [], []
        for rank, pc in enumerate(c.pitch_classes[:3]):
            for p in range(low + (pc - low) % 12, high + 1, 12):
                cost = BASS_INVERSION_COST[rank] + BASS_CENTRE_WEIGHT * abs(p - centre)
                if floor_mel is not None and p >= floor_mel - 2:
                    cost += BASS_ABOVE_MELODY_COST
                if floor_mel is not None:
                    cost += BASS_ROOM_WEIGHT * max(0, p - (floor_mel - BASS_ROOM))
                pitches.append(p)
                costs.append(cost)
        options.append(np.array(pitches, dtype=np.int64))
        unary.append(np.array(costs))
    if lead_in is not None and at[0] is not None:
        b0, m0 = lead_in
        unary[0] = unary[0] + np.where(
            _perfect_parallel(np.int64(b0), np.int64(m0), options[0], np.int64(at[0])),
            FORBIDDEN, 0.0)
        unary[0] = unary[0] + BASS_LEAP_WEIGHT * np.abs(options[0] - b0)

    def trans(i: int) -> np.ndarray:
        a, b = options[i - 1][:, None], options[i][None, :]
        leap = np.abs(a - b)
        cost = (BASS_LEAP_WEIGHT * leap + np.where(leap > 7, BASS_WIDE_LEAP_COST[0], 0.0)
                + np.where(leap > 12, BASS_WIDE_LEAP_COST[1], 0.0))
        m1 = at[i]
        for m0 in {before[i], accented[i]} - {None}:
            if m1 is not None:
                cost = cost + np.where(_perfect_parallel(a, np.int64(m0), b, np.int64(m1)),
                                       FORBIDDEN, 0.0)
        return cost

    picks = _viterbi(unary, trans)
    return [int(options[i][k]) for i, k in enumerate(picks)]


def _viterbi(unary: Sequence[np.ndarray], trans) -> list[int]:
    """The cheapest path: `unary[i][k]` per state, `trans(i)[j, k]` from state j of i-1."""
    best = unary[0].copy()
    back = []
    for i in range(1, len(unary)):
        total = best[:, None] + trans(i)
        back.append(total.argmin(axis=0))
        best = total.min(axis=0) + unary[i]
    k = int(best.argmin())
    picks = [k]
    for i in range(len(unary) - 1, 0, -1):
        k = int(back[i - 1][k])
        picks.append(k)
    picks.reverse()
    return picks


@lru_cache(maxsize=4096)
def _upper_candidates(pcs: tuple[int, ...], bass: int, floor: int, ceiling: int,
                      leading: int) -> tuple[np.ndarray, np.ndarray]:
    """Three-voice upper voicings of a chord over `bass` in floor..ceiling, with their
    costs: the third present, the leading tone (pitch class `leading`, or -1) at most
    once with the bass, missing tones and doublings costed."""
    third = pcs[1]
    pool = [p for p in range(max(floor, bass + 1), ceiling + 1) if p % 12 in pcs]
    rows, costs = [], []
    for v in itertools.combinations(pool, 3):
        if v[2] - v[0] > UPPER_SPAN or v[1] - v[0] > UPPER_GAP or v[2] - v[1] > UPPER_GAP:
            continue
        classes = [p % 12 for p in v]
        if third not in classes:
            continue
        every = [bass % 12, *classes]
        if leading >= 0 and every.count(leading) > 1:
            continue
        cost = MISSING_TONE_COST * sum(1 for pc in pcs if pc not in every)
        for pc in set(every):
            if every.count(pc) > 1:
                cost += DOUBLING_COST.get(pcs.index(pc), 0.6) * (every.count(pc) - 1)
        if v[0] - bass <= CROWDING_SPACE:
            cost += CROWDING_COST
        cost += MUD_WEIGHT * max(0, MUD_FLOOR - v[0])
        cost += TOP_WEIGHT * abs(ceiling - TOP_BELOW - v[2])
        rows.append(v)
        costs.append(cost)
    return np.array(rows, dtype=np.int64).reshape(-1, 3), np.array(costs)


def _leading_tone(chord: Chord, tonic: int) -> int:
    lt = (tonic + 11) % 12
    return lt if lt in chord.pitch_classes and chord.root != lt + 1 else -1


def voice_upper(chords: Sequence[Chord], basses: Sequence[int], tops: Sequence[int],
                low: int, tonic: int, lead_in: tuple[int, ...] | None = None,
                melody: Notes | None = None) -> list[tuple[int, ...]]:
    """Three upper voices per chord over `basses`, each under its ceiling in `tops`
    and at or above `low` (see the module docstring). `lead_in`: the previous
    section's last (bass, *upper), so the join is voice-led too. `melody`: where it
    rests on one side of a chord change, the top upper voice is what sounds on top
    there, and it must not move in parallel with the bass into or out of the melody."""
    options: list[np.ndarray] = []
    unary: list[np.ndarray] = []
    for c, bass, top in zip(chords, basses, tops):
        rows = np.zeros((0, 3), dtype=np.int64)
        pcs = c.pitch_classes
        lt = _leading_tone(c, tonic)
        # widen step by step until the chord has a voicing: lower floor, then raise the top
        for floor, ceiling in ((max(low, top - 24), top), (bass + 1, top),
                               (bass + 1, top + 12), (bass + 1, top + 24)):
            rows, costs = _upper_candidates(pcs, bass, floor, ceiling, lt)
            if len(rows):
                if ceiling > top:
                    costs = costs + FORBIDDEN / 10
                break
        if not len(rows):  # nothing fits even an octave above: close position on the bass
            r = bass + 1 + (pcs[1] - bass - 1) % 12
            rows = np.array([[r, r + 1 + (pcs[2] - r - 1) % 12,
                              r + 12]], dtype=np.int64)
            costs = np.array([FORBIDDEN])
        options.append(rows)
        unary.append(costs)
    shared = [bool(set(a.pitch_classes) & set(b.pitch_classes))
              for a, b in zip(chords, chords[1:])]
    if lead_in is not None:
        unary[0] = unary[0] + _pair_cost(np.array([lead_in[1:]], dtype=np.int64), options[0],
                                         lead_in[0], basses[0], True)[0]

    def trans(i: int) -> np.ndarray:
        cost = _pair_cost(options[i - 1], options[i], basses[i - 1], basses[i], shared[i - 1])
        if melody is None:
            return cost
        b0, b1 = np.int64(basses[i - 1]), np.int64(basses[i])
        m0, m1 = _sounding(melody, chords[i].beat - EPS), _sounding(melody, chords[i].beat + EPS)
        if m0 is None and m1 is not None:  # the top voice hands over to the melody
            cost = cost + FORBIDDEN * _perfect_parallel(b0, options[i - 1][:, 2], b1,
                                                        np.int64(m1))[:, None]
        elif m0 is not None and m1 is None:  # the melody hands over to the top voice
            cost = cost + FORBIDDEN * _perfect_parallel(b0, np.int64(m0), b1,
                                                        options[i][:, 2])[None, :]
        return cost

    picks = _viterbi(unary, trans)
    return [tuple(int(p) for p in options[i][k]) for i, k in enumerate(picks)]


def _pair_cost(prev: np.ndarray, cur: np.ndarray, b0: int, b1: int,
               common: bool) -> np.ndarray:
    """Cost of moving from every voicing in `prev` (rows) to every one in `cur`."""
    a = prev[:, None, :]
    b = cur[None, :, :]
    move = b - a
    dist = np.abs(move)
    cost = MOVE_WEIGHT * dist.sum(axis=2)
    cost = cost + LEAP_COST[0] * (dist > 5).sum(axis=2) + LEAP_COST[1] * (dist > 7).sum(axis=2)
    same = ((move > 0).all(axis=2) | (move < 0).all(axis=2))
    cost = cost + SAME_DIRECTION_COST * same
    if common:
        held = (dist == 0).any(axis=2)
        cost = cost + COMMON_TONE_LOST_COST * ~held
    # parallels between every pair of voices, the bass included
    shape = move.shape
    voices0 = np.concatenate([np.full(shape[:2] + (1,), b0), np.broadcast_to(a, shape)], axis=2)
    voices1 = np.concatenate([np.full(shape[:2] + (1,), b1), np.broadcast_to(b, shape)], axis=2)
    bad = np.zeros(move.shape[:2], dtype=bool)
    for i, j in itertools.combinations(range(4), 2):
        bad |= _perfect_parallel(voices0[..., i], voices0[..., j], voices1[..., i],
                                 voices1[..., j])
    return cost + FORBIDDEN * bad


def voice_lead(chords: Sequence[Chord], melody: Notes, bass_range: tuple[int, int],
               bass_centre: float, upper_low: int, upper_high: int, tonic: int,
               pedal: int | None = None,
               lead_in: Voicing | None = None, melody_before: int | None = None,
               strong: Sequence[float] = ()) -> list[Voicing]:
    """The section's chords voiced: `bass_line`, then `voice_upper` under the melody."""
    if not chords:
        return []
    join = (lead_in.bass, melody_before) if lead_in and melody_before is not None else None
    basses = bass_line(chords, melody, *bass_range, bass_centre, pedal=pedal, lead_in=join,
                       strong=strong)
    tops = [min(upper_high, t) for t in ceilings(chords, melody, upper_high)]
    upper = voice_upper(chords, basses, tops, upper_low, tonic,
                        lead_in.pitches if lead_in else None, melody)
    return [Voicing(c.beat, c.duration, b, u, c) for c, b, u in zip(chords, basses, upper)]
