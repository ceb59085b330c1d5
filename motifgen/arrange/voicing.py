"""One voice-led chord sequence per section: a bass and three upper voices.

Every accompaniment part is drawn from this sequence (see `textures`), so
figures inherit its voice leading instead of planing a root-position shape.
`voice_lead` chooses the bass and the three upper voices of every chord
together, by dynamic programming over each chord's cheapest voicings
(`_voicings`: the bass's own costs, `_upper_candidates`' for the upper voices);
`bass_line` chooses a bass alone by the same moves.

* A voicing: root in the bass preferred over inversions, the bass near the
  centre of its register and below the melody with room above it; three upper
  voices under a *ceiling* (the lowest melody note sounding during the chord,
  so the lead is never covered), the third always present, the leading tone
  never doubled, missing tones and doublings costed, no mud low down.
* A move between two chords' voicings: small leaps of the bass; no parallel
  fifths or octaves of the bass with the melody where both move at the change;
  small moves of the upper voices, common tones held, no chord change with
  every upper voice moving the same way; no parallel fifths or octaves between
  any two voices, bass included; where the melody rests on one side of the
  change, none of the bass with the voice on top there; in a pizzicato texture
  none between the top voice of one chord and the lowest of the next; a
  creeping middle voice where the mood asks for one.

Costs are named below; a cost of `FORBIDDEN` is never chosen while any other
path exists. The moves are costed and the cheapest path found in one compiled
loop (`_paths.c`, see `_path`): a section has a few dozen changes of up to
`STATE_BEAM` voicings each, and every move between them counts. Its costs are
summed in the order listed there, so that equal paths tie as they always did:
the lower voicing wins.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from functools import lru_cache
from typing import cast

import numpy as np
from msgspec import Struct

from ..motif import Notes
from ..theory import Chord
from ._paths import cheapest_voicings
from .line import EPS

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


#: The costs of a move by 0, 1, 2 ... semitones, worked out once: of the bass (its leaps),
#: and of an upper voice (to be summed over the voices).
_SEMITONES = np.arange(128)
_BASS_LEAPS = (BASS_LEAP_WEIGHT * _SEMITONES + BASS_WIDE_LEAP_COST[0] * (_SEMITONES > 7)
               + BASS_WIDE_LEAP_COST[1] * (_SEMITONES > 12))
_VOICE_MOVES = (MOVE_WEIGHT * _SEMITONES + LEAP_COST[0] * (_SEMITONES > 5)
                + LEAP_COST[1] * (_SEMITONES > 7))


class Voicing(Struct, frozen=True, gc=False):
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


def _ceilings(lowest: Sequence[int | None], default: int) -> list[int]:
    """Highest pitch the upper voices may take under each chord: just below the `lowest`
    melody note sounding during it; chords without melody take their neighbour's."""
    out = [None if low is None else low - CLEARANCE for low in lowest]
    known = {i: v for i, v in enumerate(out) if v is not None}
    if not known:
        return [default] * len(out)
    return [v if v is not None else known[min(known, key=lambda k: abs(k - i))]
            for i, v in enumerate(out)]


def _highest(mask: np.ndarray, pitch: np.ndarray) -> list[int | None]:
    """The highest of `pitch` where each row of `mask` holds; None where a row holds
    nowhere."""
    top = np.where(mask, pitch, -1).max(axis=-1, initial=-1).tolist()
    return [None if p < 0 else p for p in top]


class _Melody(Struct, frozen=True):
    """What the melody does around each chord (see `bass_line`), read for every chord of
    a section at once: rows of note masks, one row per chord."""

    recent: list[set[int | None]]  # heard in the beat before the change (the last one at least)
    at: list[int | None]  # sounding at the change
    accented: list[int | None]  # on the last strong beat before it
    before: list[int | None]  # sounding just before it (None: a rest)
    lowest: list[int | None]  # the lowest sounding at any time during the chord

    @classmethod
    def around(cls, chords: Sequence[Chord], melody: Notes,
               strong: Sequence[float]) -> _Melody:
        on, end, pitch = melody.onset, melody.onset + melody.duration, melody.pitch
        beat = np.array([c.beat for c in chords])
        # strong beats are not negative, so -1.0 stands for "none before the change"
        accent = np.where(np.array(strong)[None, :] < beat[:, None] - EPS, strong, -1.0)
        accent = accent.max(axis=1, initial=-1.0)
        # sounding at the change, on the accent before it, just before it
        times = np.concatenate([beat + EPS, accent + EPS, beat - EPS])[:, None]
        sounding = _highest((on <= times) & (end > times), pitch)
        # the notes before the change (the melody is in order of onset, then pitch) and
        # those of them in the beat before it
        first = np.searchsorted(on, beat - EPS).tolist()
        window = np.searchsorted(on, beat - 1.0 - EPS).tolist()
        heard = pitch.tolist()
        recent: list[set[int | None]] = [{heard[f - 1], *heard[w:f]} if f else {None}
                                         for f, w in zip(first, window)]
        ends = np.array([c.end for c in chords])[:, None]
        during = (on < ends - EPS) & (end > beat[:, None] + EPS)
        low = np.where(during, pitch, 128).min(axis=1, initial=128).tolist()
        n = len(chords)
        return cls(recent, sounding[:n], sounding[n:2 * n], sounding[2 * n:],
                   [None if p > 127 else p for p in low])

    def led_in(self, heard: int | None) -> _Melody:
        """These rows after one for the previous section's last chord, put before the
        first: the change from it into the first chord hears only `heard`, the melody's
        last pitch before the section."""
        return _Melody([set(), {heard}, *self.recent[1:]], [None, *self.at],
                       [None, None, *self.accented[1:]], [None, heard, *self.before[1:]],
                       [None, *self.lowest])


class _Changes(Struct, frozen=True):
    """The melody at the changes into a section's chords (all but the first) as arrays, a
    row per change (see `_path`)."""

    at: np.ndarray  # sounding at the change (0 where the melody rests there)
    exposed: np.ndarray  # a rest before the change and a note at it
    heard: np.ndarray  # heard before the change (the rows padded with zeros): where a note
    against: np.ndarray  # sounds at the change, what the bass moves against (the accented
    over: np.ndarray  # note too); where not, what it leaves (the note just before)

    @classmethod
    def of(cls, mel: _Melody) -> _Changes:
        heard, sounding = [], []
        for at, accented, before, recent in zip(mel.at[1:], mel.accented[1:], mel.before[1:],
                                                mel.recent[1:]):
            sounding.append(at is not None)
            notes = recent | {accented if at is not None else before}
            notes.discard(None)
            heard.append(sorted(cast("set[int]", notes)))
        width = max([1, *map(len, heard)])
        held = np.arange(width) < np.array([len(h) for h in heard], dtype=np.intp)[:, None]
        on = np.array(sounding, dtype=bool)
        return cls(np.array([0 if p is None else p for p in mel.at[1:]], dtype=np.int16),
                   on & np.array([p is None for p in mel.before[1:]], dtype=bool),
                   np.array([h + [0] * (width - len(h)) for h in heard],
                            dtype=np.int16).reshape(len(heard), width),
                   held & on[:, None], held & ~on[:, None])


def _stacked(arrays: Sequence[np.ndarray]) -> np.ndarray:
    """Voicings (or pitch) arrays of different lengths as one (the first axis indexes
    them), each padded with zeros to the longest; int16, what `_paths` reads."""
    out = np.zeros((len(arrays), max(len(a) for a in arrays), *arrays[0].shape[1:]),
                   dtype=np.int16)
    for i, a in enumerate(arrays):
        out[i, :len(a)] = a
    return out


@lru_cache(maxsize=4096)
def _bass_options(pcs: tuple[int, ...], floor_mel: int | None, low: int, high: int,
                  centre: float, pedal: int | None) -> tuple[np.ndarray, np.ndarray]:
    """Bass pitches for a chord of pitch classes `pcs` (root first) and their costs (root,
    inversions, register, room under the melody's lowest note `floor_mel`)."""
    if pedal is not None:
        pitch = int(round(centre)) - (int(round(centre)) - pedal) % 12
        while pitch < low:
            pitch += 12
        return _frozen(np.array([pitch], dtype=np.int64)), _frozen(np.zeros(1))
    pitches, costs = [], []
    for rank, pc in enumerate(pcs[:3]):
        for p in range(low + (pc - low) % 12, high + 1, 12):
            cost = BASS_INVERSION_COST[rank] + BASS_CENTRE_WEIGHT * abs(p - centre)
            if floor_mel is not None:
                cost += BASS_ABOVE_MELODY_COST * (p >= floor_mel - 2)
                cost += BASS_ROOM_WEIGHT * max(0, p - (floor_mel - BASS_ROOM))
            pitches.append(p)
            costs.append(cost)
    return _frozen(np.array(pitches, dtype=np.int64)), _frozen(np.array(costs))


def _frozen(a: np.ndarray) -> np.ndarray:
    """`a` made read-only: cached arrays are shared by every caller."""
    a.setflags(write=False)
    return a


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
    options = [_bass_options(c.pitch_classes, floor, low, high, centre, pedal)
               for c, floor in zip(chords, mel.lowest)]
    # the bass alone: upper voices that never move cost nothing and make no parallels
    rows = np.zeros((len(chords), max(len(p) for p, _ in options), 4), dtype=np.int16)
    for i, (p, _) in enumerate(options):
        rows[i, :len(p), 0] = p
    changes = np.zeros(len(chords) - 1, dtype=bool)
    picks = _path(rows, [c for _, c in options], mel, changes, changes, changes)
    return [int(options[i][0][k]) for i, k in enumerate(picks)]


@lru_cache(maxsize=4096)
def _upper_candidates(pcs: tuple[int, ...], bass: int, floor: int, ceiling: int,
                      leading: int, pedal: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Three-voice upper voicings of a chord over `bass` in floor..ceiling, as (bass,
    upper...) rows, with their costs: the third present, the leading tone (pitch class
    `leading`, or -1) at most once with the bass, missing tones and doublings costed."""
    pool = [p for p in range(max(floor, bass + 1), ceiling + 1) if p % 12 in pcs]
    under = () if pedal else (bass % 12,)  # a pedal is no chord tone
    rows, costs = [], []
    crowded, aim = bass + CROWDING_SPACE, ceiling - TOP_BELOW
    for low, mid, top in itertools.combinations(pool, 3):
        if top - low > UPPER_SPAN or mid - low > UPPER_GAP or top - mid > UPPER_GAP:
            continue
        cost = _tones_cost((*under, low % 12, mid % 12, top % 12), pcs, leading)
        if cost is None:
            continue
        if low <= crowded:
            cost += CROWDING_COST
        cost += MUD_WEIGHT * max(0, MUD_FLOOR - low)
        cost += TOP_WEIGHT * abs(aim - top)
        rows.append((bass, low, mid, top))
        costs.append(cost)
    # int16 keeps thousands of cached voicings small (and is what `_paths` reckons in)
    return _frozen(np.array(rows, dtype=np.int16).reshape(-1, 4)), _frozen(np.array(costs))


@lru_cache(maxsize=4096)
def _tones_cost(every: tuple[int, ...], pcs: tuple[int, ...], leading: int) -> float | None:
    """What sounding the pitch classes `every` costs the chord `pcs` (missing tones and
    doublings), or None without its third or with the leading tone doubled."""
    if pcs[1] not in every or (leading >= 0 and every.count(leading) > 1):
        return None
    cost = MISSING_TONE_COST * sum(1 for pc in pcs if pc not in every)
    for pc in set(every):
        if every.count(pc) > 1:
            cost += DOUBLING_COST.get(pcs.index(pc), 0.6) * (every.count(pc) - 1)
    return cost


def _leading_tone(chord: Chord, tonic: int) -> int:
    lt = (tonic + 11) % 12
    return lt if lt in chord.pitch_classes and chord.root != lt + 1 else -1


@lru_cache(maxsize=4096)
def _voicings(pcs: tuple[int, ...], leading: int, floor_mel: int | None,
              bass_range: tuple[int, int], centre: float, pedal: int | None, top: int,
              low: int) -> tuple[np.ndarray, np.ndarray]:
    """The voicings a chord of pitch classes `pcs` is costed in, (voicing, voice) int16,
    with their costs: the `STATE_BEAM` cheapest of `_states` over its `_bass_options`.
    Read-only: a film's chords meet the same melody floors and ceilings again and
    again."""
    rows, costs = _beam(*_states(pcs, leading, *_bass_options(pcs, floor_mel, *bass_range,
                                                               centre, pedal),
                                 top, low, pedal is not None))
    return _frozen(rows), _frozen(costs)


def _states(pcs: tuple[int, ...], lt: int, basses: np.ndarray, bass_costs: np.ndarray,
            top: int, low: int, pedal: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Every (bass, three upper voices) voicing of a chord under `top`, with its cost
    (`lt`: the leading tone's pitch class, or -1)."""
    rows, costs = [], []
    best = np.sort(np.argsort(bass_costs, kind="stable")[:BASS_BEAM])
    for bass, bass_cost in zip(basses[best].tolist(), bass_costs[best].tolist()):
        # widen step by step until the chord has a voicing: lower floor, then raise the top
        for floor, ceiling in ((max(low, top - 24), top), (bass + 1, top),
                               (bass + 1, top + 12), (bass + 1, top + 24)):
            voiced, cost = _upper_candidates(pcs, bass, floor, ceiling, lt, pedal)
            if len(voiced):
                break
        if not len(voiced):
            continue
        penalty = FORBIDDEN / 10 if ceiling > top else 0.0
        rows.append(voiced)
        costs.append(cost + bass_cost + penalty)
    if not rows:  # nothing fits anywhere: close position on the first bass
        bass = int(basses[0])
        r = bass + 1 + (pcs[1] - bass - 1) % 12
        return (np.array([[bass, r, r + 1 + (pcs[2] - r - 1) % 12, r + 12]], dtype=np.int16),
                np.array([FORBIDDEN]))
    return np.concatenate(rows), np.concatenate(costs)


def _beam(rows: np.ndarray, costs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The `STATE_BEAM` cheapest voicings of a chord (all of them when there are fewer),
    in a stable order: the moves between chords are costed for these only."""
    if len(costs) <= STATE_BEAM:
        return rows, costs
    keep = np.sort(np.argsort(costs, kind="stable")[:STATE_BEAM])
    return rows[keep], costs[keep]


#: What the kernel adds for planing, a common tone lost, a creeping voice (`_path`).
_WEIGHTS = (FORBIDDEN, SAME_DIRECTION_COST, COMMON_TONE_LOST_COST, CREEP_COST)


def _path(rows: np.ndarray, unary: Sequence[np.ndarray], mel: _Melody, common: np.ndarray,
          plucked: np.ndarray, creep: np.ndarray) -> list[int]:
    """The cheapest voicing of each chord (`rows`: their voicings `_stacked`, (chord,
    voicing, voice); `unary`: their own costs; `mel` read at them), every move costed
    by the rules of the module docstring in `_paths`. Per change: `common`, whether
    its chords share a tone; `plucked`, whether the texture starts each chord on its
    lowest upper voice alone (pizzicato), so that the top voice of one chord and the
    lowest of the next are heard in succession too; `creep`, whether the middle upper
    voice is drawn to move by a semitone."""
    ch = _Changes.of(mel)
    padded = np.zeros(rows.shape[:2])
    for i, u in enumerate(unary):
        padded[i, :len(u)] = u
    return cheapest_voicings(rows, np.array([len(u) for u in unary], dtype=np.int64), padded,
                             ch.at, ch.exposed.view(np.uint8), ch.heard,
                             ch.against.view(np.uint8), ch.over.view(np.uint8),
                             common.view(np.uint8), plucked.view(np.uint8),
                             creep.view(np.uint8), _VOICE_MOVES, _BASS_LEAPS, _WEIGHTS)


def voice_lead(chords: Sequence[Chord], melody: Notes, bass_range: tuple[int, int],
               bass_centre: float, upper_low: int, upper_high: int, tonic: int,
               pedal: int | None = None,
               lead_in: Voicing | None = None, melody_before: int | None = None,
               strong: Sequence[float] = (), plucked: bool = False,
               creep: bool = False) -> list[Voicing]:
    """The section's chords voiced: the bass and three upper voices chosen together, the
    upper voices under the melody (see the module docstring). `lead_in`: the previous
    section's last voicing, `melody_before` the melody's last pitch there, so the join
    is voice-led too; `plucked` and `creep` as in `_path`."""
    if not chords:
        return []
    mel = _Melody.around(chords, melody, strong)
    tops = [min(upper_high, t) for t in _ceilings(mel.lowest, upper_high)]
    states = [_voicings(c.pitch_classes, _leading_tone(c, tonic), floor, bass_range,
                        bass_centre, pedal, top, upper_low)
              for c, floor, top in zip(chords, mel.lowest, tops)]
    rows, unary = [r for r, _ in states], [costs for _, costs in states]
    before = [] if lead_in is None else [lead_in.chord]
    shared = np.array([bool(set(a.pitch_classes) & set(b.pitch_classes))
                       for a, b in itertools.pairwise([*before, *chords])], dtype=bool)
    textured = np.ones(len(shared), dtype=bool)  # the join takes no texture's moves
    if lead_in is not None:  # the previous section's last chord, voiced, leads in
        rows.insert(0, np.array([lead_in.pitches], dtype=np.int16))
        unary.insert(0, np.zeros(1))
        mel = mel.led_in(melody_before)
        textured[0] = False
    stack = _stacked(rows)
    picks = _path(stack, unary, mel, shared, textured & plucked, textured & creep)
    voiced = stack[np.arange(len(rows)), picks].tolist()[-len(chords):]
    return [Voicing(c.beat, c.duration, v[0], tuple(v[1:]), c) for c, v in zip(chords, voiced)]
