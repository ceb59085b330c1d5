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
from typing import cast

import numpy as np

from ..motif import Notes
from ..theory import Chord
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
BASS_ROOM, BASS_ROOM_WEIGHT = 18, 0.35
#: Upper voices: per semitone moved, summed over the voices.
MOVE_WEIGHT = 0.12
#: Upper voices: each voice leaping more than a fourth / a fifth.
LEAP_COST = (0.5, 1.5)
#: A common tone available between two chords but held by no voice.
COMMON_TONE_LOST_COST = 2.0
#: Every upper voice moving the same way (planing).
SAME_DIRECTION_COST = 6.0
#: Bass notes tried per chord (the cheapest on their own), and voicings kept per chord
#: before moves are costed.
BASS_BEAM = 5
STATE_BEAM = 40
#: A creeping chromatic inner voice (the middle upper voice moving by a semitone), for
#: moods that ask for one: a bonus, so a negative cost.
CREEP_COST = -1.2
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
TOP_BELOW, TOP_WEIGHT = 3, 0.02
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
    known = {i: v for i, v in enumerate(out) if v is not None}
    if not known:
        return [default] * len(chords)
    return [v if v is not None else known[min(known, key=lambda k: abs(k - i))]
            for i, v in enumerate(out)]


def _recent(melody: Notes, beat: float, window: float = 1.0) -> set[int | None]:
    """Melody pitches heard in the `window` beats before `beat` (the last one at least):
    a bass move is heard against each of them, across a rest too."""
    recent = (melody.onset < beat - EPS) & (melody.onset >= beat - window - EPS)
    return set(melody.pitch[recent].tolist()) | {_melody_at(melody, beat, True)}


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


def _perfect_parallel(a0: np.ndarray, b0: np.ndarray | np.int64, a1: np.ndarray,
                      b1: np.ndarray | np.int64) -> np.ndarray:
    """Both voices move and keep a perfect fifth or unison/octave (as interval class)."""
    i0, i1 = (b0 - a0) % 12, (b1 - a1) % 12
    return (a0 != a1) & (b0 != b1) & (i0 == i1) & ((i1 == 0) | (i1 == 7))


@dataclass(frozen=True)
class _Melody:
    """What the melody does at each chord change (see `bass_line`)."""

    recent: list[set[int | None]]  # heard in the beat before the change
    at: list[int | None]  # sounding at the change
    accented: list[int | None]  # on the last strong beat before it
    before: list[int | None]  # sounding just before it (None: a rest)

    @classmethod
    def around(cls, chords: Sequence[Chord], melody: Notes,
               strong: Sequence[float]) -> _Melody:
        return cls([_recent(melody, c.beat) for c in chords],
                   [_melody_at(melody, c.beat, False) for c in chords],
                   [_melody_at(melody, max((b for b in strong if b < c.beat - EPS),
                                           default=-1.0), False) for c in chords],
                   [_sounding(melody, c.beat - EPS) for c in chords])


def _bass_options(chord: Chord, melody: Notes, low: int, high: int, centre: float,
                  pedal: int | None) -> tuple[np.ndarray, np.ndarray]:
    """Bass pitches for one chord and their costs (root, inversions, register, room)."""
    if pedal is not None:
        pitch = int(round(centre)) - (int(round(centre)) - pedal) % 12
        while pitch < low:
            pitch += 12
        return np.array([pitch], dtype=np.int64), np.zeros(1)
    floor_mel = lowest_during(melody, chord.beat, chord.end)
    pitches, costs = [], []
    for rank, pc in enumerate(chord.pitch_classes[:3]):
        for p in range(low + (pc - low) % 12, high + 1, 12):
            cost = BASS_INVERSION_COST[rank] + BASS_CENTRE_WEIGHT * abs(p - centre)
            if floor_mel is not None:
                cost += BASS_ABOVE_MELODY_COST * (p >= floor_mel - 2)
                cost += BASS_ROOM_WEIGHT * max(0, p - (floor_mel - BASS_ROOM))
            pitches.append(p)
            costs.append(cost)
    return np.array(pitches, dtype=np.int64), np.array(costs)


def _bass_move(a: np.ndarray, b: np.ndarray, i: int, mel: _Melody) -> np.ndarray:
    """Cost of the bass moving from `a` to `b` into chord i: leaps, and parallels with
    the melody heard before the change."""
    leap = np.abs(a - b)
    cost = (BASS_LEAP_WEIGHT * leap + BASS_WIDE_LEAP_COST[0] * (leap > 7)
            + BASS_WIDE_LEAP_COST[1] * (leap > 12))
    m1 = mel.at[i]
    if m1 is not None:
        for m0 in cast("set[int]", ({mel.accented[i]} | mel.recent[i]) - {None}):
            cost = cost + FORBIDDEN * _perfect_parallel(a, np.int64(m0), b, np.int64(m1))
    return cost


def bass_line(chords: Sequence[Chord], melody: Notes, low: int, high: int, centre: float,
              pedal: int | None = None, strong: Sequence[float] = ()) -> list[int]:
    """One bass pitch per chord in low..high on its own, without upper voices (see the
    module docstring; `voice_lead` chooses the bass and the upper voices together).

    `pedal`: a pitch class held under every chord instead. `strong`: the strong
    beats; the melody on the last one before a chord change counts as a note the
    bass moves against, too.
    """
    if not chords:
        return []
    mel = _Melody.around(chords, melody, strong)
    options = [_bass_options(c, melody, low, high, centre, pedal) for c in chords]
    picks = _viterbi([c for _, c in options], lambda i: _bass_move(
        options[i - 1][0][:, None], options[i][0][None, :], i, mel))
    return [int(options[i][0][k]) for i, k in enumerate(picks)]


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
                      leading: int, pedal: bool = False) -> tuple[np.ndarray, np.ndarray]:
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
        every = classes if pedal else [bass % 12, *classes]  # a pedal is no chord tone
        if third not in every:
            continue
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
    # int16 keeps thousands of cached voicings small; they widen to int64 in `_states`
    return np.array(rows, dtype=np.int16).reshape(-1, 3), np.array(costs)


def _leading_tone(chord: Chord, tonic: int) -> int:
    lt = (tonic + 11) % 12
    return lt if lt in chord.pitch_classes and chord.root != lt + 1 else -1


def _states(chord: Chord, basses: np.ndarray, bass_costs: np.ndarray, top: int, low: int,
            tonic: int, pedal: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Every (bass, three upper voices) voicing of a chord under `top`, with its cost."""
    pcs = chord.pitch_classes
    lt = _leading_tone(chord, tonic)
    rows, costs = [], []
    best = np.sort(np.argsort(bass_costs, kind="stable")[:BASS_BEAM])
    for bass, bass_cost in zip(basses[best].tolist(), bass_costs[best].tolist()):
        # widen step by step until the chord has a voicing: lower floor, then raise the top
        for floor, ceiling in ((max(low, top - 24), top), (bass + 1, top),
                               (bass + 1, top + 12), (bass + 1, top + 24)):
            upper, cost = _upper_candidates(pcs, bass, floor, ceiling, lt, pedal)
            if len(upper):
                break
        if not len(upper):
            continue
        penalty = FORBIDDEN / 10 if ceiling > top else 0.0
        rows.append(np.column_stack([np.full(len(upper), bass), upper]))
        costs.append(cost + bass_cost + penalty)
    if not rows:  # nothing fits anywhere: close position on the first bass
        bass = int(basses[0])
        r = bass + 1 + (pcs[1] - bass - 1) % 12
        return (np.array([[bass, r, r + 1 + (pcs[2] - r - 1) % 12, r + 12]], dtype=np.int64),
                np.array([FORBIDDEN]))
    return np.concatenate(rows), np.concatenate(costs)


def _beam(rows: np.ndarray, costs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The `STATE_BEAM` cheapest voicings of a chord (all of them when there are fewer),
    in a stable order: the moves between chords are costed for these only."""
    if len(costs) <= STATE_BEAM:
        return rows, costs
    keep = np.sort(np.argsort(costs, kind="stable")[:STATE_BEAM])
    return rows[keep], costs[keep]


def _pair_cost(prev: np.ndarray, cur: np.ndarray, common: bool) -> np.ndarray:
    """Cost of the upper voices moving from every state in `prev` (rows) to every one in
    `cur`; states are (bass, upper...) rows, and parallels count the bass too. Voice by
    voice on 2-D arrays: three voices are too few for reductions over an axis to pay."""
    cost = np.zeros((len(prev), len(cur)))
    up: np.ndarray | None = None
    down: np.ndarray | None = None
    held = np.zeros(cost.shape, dtype=bool)
    for k in range(1, prev.shape[1]):
        move = cur[None, :, k] - prev[:, None, k]
        dist = np.abs(move)
        cost += MOVE_WEIGHT * dist + LEAP_COST[0] * (dist > 5) + LEAP_COST[1] * (dist > 7)
        up = move > 0 if up is None else up & (move > 0)
        down = move < 0 if down is None else down & (move < 0)
        held |= dist == 0
    assert up is not None and down is not None  # a state has upper voices
    cost += SAME_DIRECTION_COST * (up | down)
    if common:
        cost += COMMON_TONE_LOST_COST * ~held
    return cost + FORBIDDEN * _any_parallel(prev, cur)


def _any_parallel(prev: np.ndarray, cur: np.ndarray) -> np.ndarray:
    """For every pair of states, whether any two voices (the bass included) move in
    parallel fifths or octaves: `_perfect_parallel` over all voice pairs at once."""
    i, j = np.array(list(itertools.combinations(range(prev.shape[1]), 2))).T
    before = (prev[:, j] - prev[:, i]) % 12
    after = (cur[:, j] - cur[:, i]) % 12
    moved = prev[:, None, :] != cur[None, :, :]
    same = (before[:, None, :] == after[None, :, :]) & ((after == 0) | (after == 7))[None]
    return (same & moved[:, :, i] & moved[:, :, j]).any(axis=2)


def _move(prev: np.ndarray, cur: np.ndarray, i: int, mel: _Melody, common: bool,
          plucked: bool = False, creep: bool = False) -> np.ndarray:
    """Cost of every move from the states of chord i-1 to those of chord i. `plucked`:
    the texture starts each chord on its lowest upper voice alone (pizzicato), so the
    top voice of one chord and the lowest of the next are heard in succession too.
    `creep`: the middle upper voice is drawn to move by a semitone."""
    cost = _bass_move(prev[:, None, 0], cur[None, :, 0], i, mel) + _pair_cost(prev, cur,
                                                                                 common)
    if plucked:
        cost = cost + FORBIDDEN * _perfect_parallel(prev[:, None, 0], prev[:, None, -1],
                                                    cur[None, :, 0], cur[None, :, 1])
    if creep:
        cost = cost + CREEP_COST * (np.abs(cur[None, :, 2] - prev[:, None, 2]) == 1)
    m0, m1 = mel.before[i], mel.at[i]
    b0, b1 = prev[:, None, 0], cur[None, :, 0]
    # where the melody rests on one side of the change, an upper voice sounds on top there
    # (the top voice, or the lowest in a figure that starts from it)
    for k in (1, prev.shape[1] - 1):
        if m0 is None and m1 is not None:
            cost = cost + FORBIDDEN * _perfect_parallel(b0, prev[:, None, k], b1, np.int64(m1))
        if m1 is None:
            for m in cast("set[int]", ({m0} | mel.recent[i]) - {None}):
                cost = cost + FORBIDDEN * _perfect_parallel(b0, np.int64(m), b1,
                                                            cur[None, :, k])
    return cost


def voice_lead(chords: Sequence[Chord], melody: Notes, bass_range: tuple[int, int],
               bass_centre: float, upper_low: int, upper_high: int, tonic: int,
               pedal: int | None = None,
               lead_in: Voicing | None = None, melody_before: int | None = None,
               strong: Sequence[float] = (), plucked: bool = False,
               creep: bool = False) -> list[Voicing]:
    """The section's chords voiced: the bass and three upper voices chosen together, the
    upper voices under the melody (see the module docstring). `lead_in`: the previous
    section's last voicing, `melody_before` the melody's last pitch there, so the join
    is voice-led too; `plucked` and `creep` as in `_move`."""
    if not chords:
        return []
    mel = _Melody.around(chords, melody, strong)
    tops = [min(upper_high, t) for t in ceilings(chords, melody, upper_high)]
    states = [_beam(*_states(c, *_bass_options(c, melody, *bass_range, bass_centre, pedal),
                             top, upper_low, tonic, pedal is not None))
              for c, top in zip(chords, tops)]
    shared = [bool(set(a.pitch_classes) & set(b.pitch_classes))
              for a, b in zip(chords, chords[1:])]
    unary = [costs for _, costs in states]
    if lead_in is not None:
        before = _Melody([{melody_before}], [mel.at[0]], [None], [melody_before])
        prev = np.array([lead_in.pitches], dtype=np.int64)
        unary[0] = unary[0] + _move(prev, states[0][0], 0, before,
                                    bool(set(lead_in.chord.pitch_classes)
                                         & set(chords[0].pitch_classes)))[0]
    picks = _viterbi(unary, lambda i: _move(states[i - 1][0], states[i][0], i, mel,
                                            shared[i - 1], plucked, creep))
    out = []
    for c, (rows, _), k in zip(chords, states, picks):
        row = rows[k].tolist()
        out.append(Voicing(c.beat, c.duration, row[0], tuple(row[1:]), c))
    return out
