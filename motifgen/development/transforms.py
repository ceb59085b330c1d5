"""Motif developments: pure functions Motif -> Motif.

Every transform returns a new Motif (the input is never changed), keeps onsets
sorted, durations positive and pitches inside MIDI 0..127 (out-of-range notes
are folded back by octaves). `registry.TRANSFORMS` names them and checks their
arguments; `chain` applies them in the order a chain's text gives.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from functools import lru_cache

import numpy as np

from ..motif import Array, Motif
from ..theory import (
    DYNAMICS,
    EPS,
    MODES,
    Key,
    beat_groups,
    degree_of,
    degrees_of,
    fold_into,
    mode_name,
    pitch_class,
    pitches_of,
    place_in_range,
)


def _fold(pitch: Array) -> Array:
    """Fold pitches into MIDI 0..127 by whole octaves."""
    return fold_into(pitch, 0, 127)


@lru_cache(maxsize=256)
def _mode_map(source: str, target: str) -> Array:
    """Target degree index for each source degree index (may be len(target) = next octave).

    Scales of equal length keep the degree number. Otherwise each source
    degree goes to the target degree nearest in pitch above the tonic, ties
    going to the degree in the same proportional position.
    """
    src, tgt = MODES[source], MODES[target]
    if len(src) == len(tgt):
        return np.arange(len(src), dtype=np.int64)
    ext = (*tgt, 12)
    out = []
    for i, offset in enumerate(src):
        ideal = i * len(tgt) / len(src)
        out.append(min(range(len(ext)), key=lambda j: (abs(ext[j] - offset), abs(j - ideal))))
    return np.array(out, dtype=np.int64)


def _remap_steps(steps: Array, source: str, target: str) -> Array:
    if source == target or len(MODES[source]) == len(MODES[target]):
        return steps
    octave, index = np.divmod(steps, len(MODES[source]))
    return octave * len(MODES[target]) + _mode_map(source, target)[index]


def interval_classes(intervals: Array) -> Array:
    """Signed size class of each interval in semitones: 0 unison, ±1 step (1–2),
    ±2 third (3–4), ±3 larger leap (5 or more). Mode and key changes keep these.

    >>> interval_classes(np.array([0, 1, -2, 3, -4, 5, 12])).tolist()
    [0, 1, -1, 2, -2, 3, 3]
    """
    size = np.abs(intervals)
    return np.sign(intervals) * ((size > 0).astype(np.int64) + (size > 2) + (size > 4))


#: `interval_classes` of the intervals -4..4; every wider one is a leap (±3).
_CLASS_OF = dict(zip(range(-4, 5), interval_classes(np.arange(-4, 5)).tolist()))
#: Up to this many notes, shapes are compared on Python integers.
_FEW = 32


def _same_shape(a: Array, b: Array) -> bool:
    """Whether two pitch lines of one length step alike: every interval between
    consecutive notes of the same `interval_classes` class."""
    if len(a) > _FEW:
        return bool(np.array_equal(interval_classes(np.diff(a)), interval_classes(np.diff(b))))
    x, y = a.tolist(), b.tolist()
    return all(_CLASS_OF.get(q - p, 3 if q > p else -3) == _CLASS_OF.get(v - u, 3 if v > u else -3)
               for p, q, u, v in zip(x, x[1:], y, y[1:]))


#: Costs of `_keep_intervals` (only their order matters): changing a note outweighs any
#: distance it moves (at most `_REACH` semitones), a chromatic inflection any mode degree.
_MOVED, _CHROMATIC, _REACH = 10.0, 5.0, 4
_IMPOSSIBLE = 1e9


def _faithful(m: Motif, new_key: Key, s: Array, a: Array, plain: Array
              ) -> list[list[int]]:
    """Where each note may go without being changed, best first.

    A note of the scale has one place: its degree in the new mode (`plain`). A
    chromatic note keeps its distance from the tonic where that is a degree of the
    new mode, else its alteration above the degree below or under the degree above
    it, the spellings that land on a degree of the new mode first.
    """
    out: list[list[int]] = []
    src_tonic, tgt_tonic = m.key.tonic_pitch, new_key.tonic_pitch
    lower = np.where(a > 0, s, s - 1)  # the degree below a chromatic note
    lo_src = pitches_of(lower, np.zeros_like(lower), m.key)
    hi_src = pitches_of(lower + 1, np.zeros_like(lower), m.key)
    lo_tgt = pitches_of(_remap_steps(lower, m.key.mode, new_key.mode), np.zeros_like(lower),
                        new_key)
    hi_tgt = pitches_of(_remap_steps(lower + 1, m.key.mode, new_key.mode),
                        np.zeros_like(lower), new_key)
    for i, p in enumerate(m.pitch.tolist()):
        if a[i] == 0:
            out.append([int(plain[i])])
            continue
        options = [p - src_tonic + tgt_tonic, int(plain[i]),
                   int(lo_tgt[i]) + p - int(lo_src[i]), int(hi_tgt[i]) - (int(hi_src[i]) - p)]
        ranked = sorted(dict.fromkeys(options), key=lambda q: not new_key.contains(q))
        if not new_key.contains(ranked[0]):  # nothing lands on the scale: keep the alteration
            ranked = [int(plain[i])] + [q for q in ranked if q != plain[i]]
        out.append(ranked)
    return out


def _keep_intervals(m: Motif, new_key: Key, s: Array, a: Array,
                    plain: Array) -> Array:
    """`m`'s pitches in `new_key` (degrees `plain`), with every interval between
    consecutive notes keeping its direction and size class (`interval_classes`).

    Fewest notes change; one that must goes to the nearest degree of the new mode
    that keeps both its intervals, or, where no degree within a major third does, to
    the nearest chromatic note that does. A dynamic programme over each note's
    candidates finds that choice; a transposition of the original always qualifies.
    """
    places = _faithful(m, new_key, s, a, plain)
    first = np.array([p[0] for p in places], dtype=np.int64)
    want = interval_classes(np.diff(m.pitch))
    if len(first) < 2 or np.array_equal(interval_classes(np.diff(first)), want):
        return first
    shift = int(np.rint(np.median(first - m.pitch)))
    cands: list[Array] = []
    costs: list[Array] = []
    for i, faithful in enumerate(places):
        near = (f + d for f in faithful for d in range(-_REACH, _REACH + 1))
        c = np.array(list(dict.fromkeys([*faithful, *near, int(m.pitch[i]) + shift])),
                     dtype=np.int64)
        cost = np.empty(len(c))
        for j, q in enumerate(c.tolist()):
            if q in faithful:
                cost[j] = 0.1 * faithful.index(q)
            else:
                cost[j] = (_MOVED + min(abs(q - f) for f in faithful)
                           + (0.0 if new_key.contains(q) else _CHROMATIC))
        cands.append(c)
        costs.append(cost)
    total = costs[0]
    back: list[Array] = []
    for i in range(1, len(cands)):
        ok = interval_classes(cands[i][None, :] - cands[i - 1][:, None]) == want[i - 1]
        step_cost = np.where(ok, total[:, None], _IMPOSSIBLE)
        best = np.argmin(step_cost, axis=0)
        total = step_cost[best, np.arange(len(cands[i]))] + costs[i]
        back.append(best)
    j = int(np.argmin(total))
    out = [int(cands[-1][j])]
    for i in range(len(cands) - 1, 0, -1):
        j = int(back[i - 1][j])
        out.append(int(cands[i - 1][j]))
    return np.array(out[::-1], dtype=np.int64)


def _into_key(m: Motif, new_key: Key) -> Array:
    """`m`'s pitches moved degree by degree into `new_key` (the tonic's octave as
    `theory.pitches_of` places it), every interval keeping its direction and size class."""
    s, a = degrees_of(m.pitch, m.key)
    plain = pitches_of(_remap_steps(s, m.key.mode, new_key.mode), a, new_key)
    if not np.count_nonzero(a) and _same_shape(m.pitch, plain):
        return plain
    return _keep_intervals(m, new_key, s, a, plain)


@lru_cache(maxsize=512)
def _key_of(tonic: int, mode: str) -> Key:
    """`Key(tonic, mode_name(mode))`, made once per tonic and mode text."""
    return Key(tonic, mode_name(mode))


def _group(meter: tuple[int, int]) -> tuple[float, float]:
    """(strong-beat group length, written beat length) in quarter notes for a meter
    (`theory.beat_groups`)."""
    groups = beat_groups(meter)
    return groups.group, groups.unit


# --------------------------------------------------------------------------
# Pitch transforms


def transpose(m: Motif, semitones: int = 2) -> Motif:
    """Move every note by `semitones` (chromatic transposition).

    >>> m = Motif.from_degrees([0, 2, 1, 4], [0] * 4, [1, 0.5, 0.5, 2], Key(2, "aeolian"))
    >>> transpose(transpose(m, 5), -5) == m
    True
    """
    return m.transposed(semitones)


def step(m: Motif, steps: int = 1) -> Motif:
    """Move every note by `steps` scale steps in the motif's key (diatonic transposition).

    >>> m = Motif.from_degrees([0, 2, 1, 4], [0] * 4, [1, 0.5, 0.5, 2], Key(2, "aeolian"))
    >>> step(step(m, 3), -3) == m
    True
    """
    s, a = degrees_of(m.pitch, m.key)
    return m.replace(pitch=_fold(pitches_of(s + steps, a, m.key)))


def mode(m: Motif, mode: str = "aeolian") -> Motif:
    """The same degrees in another mode on the same tonic (major -> minor and so on).

    Between scales of different lengths degrees go to the nearest degree of the
    new scale. A chromatic note keeps its distance from the tonic where that is a
    degree of the new mode, else its alteration against a neighbouring degree.

    The motif keeps its signature intervals: no interval between consecutive
    notes changes direction or size class (unison, step of 1-2 semitones, third
    of 3-4, larger leap), so a semitone never becomes a unison nor a leap a step.
    Where the degree mapping would break one, the fewest notes change: each goes
    to the nearest degree of the new mode (within a major third) that keeps its
    intervals, or, where no degree does, to the nearest chromatic note that does
    (C minor C-Db-C in C phrygian stays C-Db-C, not C-C-C).

    >>> m = Motif.from_degrees([0, 2, 1, 4], [0] * 4, [1, 0.5, 0.5, 2], Key(0, "ionian"))
    >>> mode(mode(m, "dorian"), "ionian") == m
    True
    """
    new_key = _key_of(m.key.tonic, mode)
    return m.replace(pitch=_fold(_into_key(m, new_key)), key=new_key)


def key(m: Motif, tonic: str = "dominant", mode: str | None = None) -> Motif:
    """Move the motif to another key (tonic, optionally mode), in the nearest octave.

    `tonic` is a note name (F, F#, Bb) or dominant / subdominant. Degrees and
    intervals follow the rule of `mode`: no interval changes direction or size class.

    >>> m = Motif.from_degrees([0, 2, 1, 4], [0] * 4, [1, 0.5, 0.5, 2], Key(0, "ionian"))
    >>> key(key(m, "F"), "C") == m
    True
    """
    if tonic in ("dominant", "subdominant"):
        pc = m.key.tonic + (7 if tonic == "dominant" else 5)
    else:
        pc = pitch_class(tonic)
    new_key = Key(pc, mode_name(mode) if mode else m.key.mode)
    pitch = _into_key(m, new_key)
    if len(pitch):
        pitch = pitch - 12 * int(round((pitch.mean() - m.pitch.mean()) / 12))
    return m.replace(pitch=_fold(pitch), key=new_key)


def invert(m: Motif, kind: str = "diatonic", axis: int | None = None) -> Motif:
    """Mirror the intervals about `axis` (a MIDI pitch; default the first note).

    Diatonic inversion mirrors scale steps in the key (chromatic notes mirror
    their alteration too); chromatic inversion mirrors semitones.

    >>> m = Motif.from_degrees([0, 2, 1, 4], [0] * 4, [1, 0.5, 0.5, 2], Key(2, "aeolian"))
    >>> invert(invert(m)) == m
    True
    >>> invert(invert(m, "chromatic", 60), "chromatic", 60) == m
    True
    """
    if len(m) == 0:
        return m
    centre = int(m.pitch[0]) if axis is None else axis
    if kind == "chromatic":
        return m.replace(pitch=_fold(2 * centre - m.pitch))
    s, a = degrees_of(m.pitch, m.key)
    centre_step = int(s[0]) if axis is None else degree_of(centre, m.key)[0]
    return m.replace(pitch=_fold(pitches_of(2 * centre_step - s, -a, m.key)))


def register(m: Motif, low: int = 60, high: int = 84) -> Motif:
    """Place the motif in the range low..high: best whole-motif octave, then fold outliers.

    >>> m = Motif.from_degrees([0, 2, 1, 4], [0] * 4, [1, 0.5, 0.5, 2], Key(2, "aeolian"))
    >>> register(register(m, 36, 60), 36, 60) == register(m, 36, 60)
    True
    """
    if len(m) == 0:
        return m
    return m.replace(pitch=place_in_range(m.pitch, low, high, keep_octave=False))


# --------------------------------------------------------------------------
# Time transforms


def retrograde(m: Motif, part: str = "both") -> Motif:
    """Play the motif backwards: its pitches, its rhythm, or both.

    >>> m = Motif.from_degrees([0, 2, 1, 4], [0] * 4, [1, 0.5, 0.5, 2], Key(2, "aeolian"))
    >>> retrograde(retrograde(m)) == m
    True
    >>> retrograde(retrograde(m, "pitches"), "pitches") == m
    True
    """
    if len(m) == 0:
        return m
    if part == "pitches":
        return m.replace(pitch=m.pitch[::-1], velocity=m.velocity[::-1])
    end = m.onset + m.duration
    onset = (m.onset[0] + m.end - end)[::-1]
    duration = m.duration[::-1]
    if part == "rhythm":
        return m.replace(onset=onset, duration=duration)
    return m.replace(onset=onset, duration=duration,
                        pitch=m.pitch[::-1], velocity=m.velocity[::-1])


def augment(m: Motif, factor: float = 2.0) -> Motif:
    """Multiply onsets and durations by `factor` (augmentation).

    >>> m = Motif.from_degrees([0, 2, 1, 4], [0] * 4, [1, 0.5, 0.5, 2], Key(2, "aeolian"))
    >>> diminish(augment(m, 3), 3) == m
    True
    """
    return m.replace(onset=m.onset * factor, duration=m.duration * factor)


def diminish(m: Motif, factor: float = 2.0) -> Motif:
    """Divide onsets and durations by `factor` (diminution).

    >>> m = Motif.from_degrees([0, 2, 1, 4], [0] * 4, [1, 0.5, 0.5, 2], Key(2, "aeolian"))
    >>> augment(diminish(m, 2), 2) == m
    True
    """
    return m.replace(onset=m.onset / factor, duration=m.duration / factor)


def fragment(m: Motif, selection: tuple[str, int] = ("first", 3)) -> Motif:
    """Keep a cell: ("first", n), ("last", n) or (start index as text, n).

    The cell keeps its place in the bar (it is moved by whole bars only).

    >>> m = Motif.from_degrees([0, 2, 1, 4], [0] * 4, [1, 0.5, 0.5, 2], Key(2, "aeolian"))
    >>> fragment(m, ("first", 4)) == m
    True
    """
    where, n = selection
    count = len(m)
    if count == 0:
        return m
    if where == "first":
        start = 0
    elif where == "last":
        start = max(0, count - n)
    else:
        start = min(int(where), count - 1)
    cell = m.window(start, min(count, start + n))
    bar = m.bar_length
    shift = math.floor((cell.onset[0] + EPS) / bar) * bar
    return cell.replace(onset=cell.onset - shift) if shift else cell


def truncate(m: Motif, n: int = 1) -> Motif:
    """Drop the last `n` notes (the cadence); at least one note stays.

    >>> m = Motif.from_degrees([0, 2, 1, 4], [0] * 4, [1, 0.5, 0.5, 2], Key(2, "aeolian"))
    >>> len(truncate(m)), truncate(m, 0) == m
    (3, True)
    """
    return m.window(0, max(min(1, len(m)), len(m) - n))


def sequence(m: Motif, times: int = 3, steps: int = 1) -> Motif:
    """Repeat the motif `times` times, each copy `steps` scale steps above the last.

    Copies follow each other at the motif's length rounded up to a whole beat.

    >>> m = Motif.from_degrees([0, 2, 1], [0] * 3, [1, 0.5, 0.5], Key(2, "aeolian"))
    >>> fragment(sequence(m, 3, 1), ("first", 3)) == m
    True
    """
    if len(m) == 0 or times == 1:
        return m
    unit = beat_groups(m.meter).unit
    span = math.ceil((m.end - float(m.onset[0])) / unit - EPS) * unit
    s, a = degrees_of(m.pitch, m.key)
    # Python lists: the copies are a few notes each, where numpy's per-call cost dominates.
    onset, s_list = m.onset.tolist(), s.tolist()
    pitch = pitches_of([x + k * steps for k in range(times) for x in s_list],
                       a.tolist() * times, m.key)
    return m.replace(onset=[t + k * span for k in range(times) for t in onset],
                     duration=m.duration.tolist() * times, pitch=_fold(pitch),
                     velocity=m.velocity.tolist() * times)


def metre(m: Motif, meter: tuple[int, int] = (3, 4)) -> Motif:
    """Recast into another meter (march <-> waltz) by stretching strong-beat notes.

    Each strong-beat group of the old meter (half a 4/4 bar, a 3/4 bar, a
    dotted beat of 6/8, half a 12/8 bar; a 5/4 bar) becomes one group of the new
    meter (`theory.beat_groups`): the last written beat
    keeps its length and the strong part takes the rest, so 4/4 ``q q q q``
    becomes 3/4 ``h q | h q``. A one-beat meter (1/4, 1/8) has no strong part
    to stretch: its groups are scaled evenly instead.

    >>> m = Motif.from_degrees([0, 2, 1, 4], [0] * 4, [1, 0.5, 0.5, 2], Key(2, "aeolian"))
    >>> metre(metre(m, (3, 4)), (4, 4)) == m
    True
    """
    (g_src, u_src), (g_tgt, u_tgt) = _group(m.meter), _group(meter)
    strong_src, strong_tgt = g_src - u_src, g_tgt - u_tgt

    def warp(t: Array) -> Array:
        group = np.floor(t / g_src + EPS)
        r = t - group * g_src
        if strong_src < EPS or strong_tgt < EPS:  # a one-beat group: scale it evenly
            return group * g_tgt + r * (g_tgt / g_src)
        inner = np.where(r < strong_src - EPS, r * (strong_tgt / strong_src),
                         strong_tgt + (r - strong_src) * (u_tgt / u_src))
        return group * g_tgt + inner

    onset = warp(m.onset)
    return m.replace(onset=onset, duration=warp(m.onset + m.duration) - onset, meter=meter)


def rhythm(m: Motif, style: str = "dotted") -> Motif:
    """Rhythmic character: dotted (equal pairs of plain values -> long-short), syncopated
    (strong-beat notes anticipated), even (equal notes over the same span).

    >>> m = Motif.from_degrees([0, 2, 1, 4], [0] * 4, [1, 1, 1, 1], Key(2, "aeolian"))
    >>> rhythm(m, "even") == m
    True
    """
    n = len(m)
    if n < 2:
        return m
    onset, dur = m.onset.copy(), m.duration.copy()
    if style == "even":
        start = onset[0]
        length = (m.end - start) / n
        return m.replace(onset=start + length * np.arange(n), duration=np.full(n, length))
    adjacent = np.abs(onset[:-1] + dur[:-1] - onset[1:]) < EPS
    if style == "dotted":
        grid = onset[:-1] / (2 * dur[:-1])
        on_grid = np.abs(grid - np.round(grid)) < EPS
        exp = np.log2(dur[:-1])
        plain = np.abs(exp - np.round(exp)) < EPS  # undotted values only: a dotted pair
        pair = adjacent & (np.abs(dur[:-1] - dur[1:]) < EPS) & on_grid & plain
        half = np.where(pair, dur[:-1] / 2, 0.0)
        dur[:-1] += half
        onset[1:] += half
        dur[1:] -= half
        return m.replace(onset=onset, duration=dur)
    group, _ = _group(m.meter)
    position = onset[1:] / group
    strong = adjacent & (np.abs(position - np.round(position)) < EPS)
    shift = np.where(strong, np.minimum(0.5, dur[:-1] / 2), 0.0)
    dur[:-1] -= shift
    onset[1:] -= shift
    dur[1:] += shift
    return m.replace(onset=onset, duration=dur)


def ornament(m: Motif, figure: str = "neighbour") -> Motif:
    """Decorate with diatonic figures: neighbour, passing, grace or turn.

    neighbour: long notes (a beat or more, else the longest) become note -
    upper neighbour - note; passing: leaps of a third are filled; grace: a
    short upper grace note before the first and every long note; turn: the
    longest note becomes upper - note - lower - note.

    >>> m = Motif.from_degrees([0, 2, 1, 4], [0] * 4, [1, 0.5, 0.5, 2], Key(2, "aeolian"))
    >>> [len(ornament(m, f)) for f in ("neighbour", "passing", "grace", "turn")]
    [8, 5, 6, 7]
    """
    n = len(m)
    if n == 0:
        return m
    s, a = degrees_of(m.pitch, m.key)
    onset, dur, pitch, vel = m.onset, m.duration, m.pitch, m.velocity
    neighbour = {d: pitches_of(s + d, np.zeros(n, dtype=np.int64), m.key) for d in (-1, 1)}
    # Each note becomes a list of (offset as a fraction of its length, length fraction, pitch).
    if figure == "passing":
        gap = np.diff(s)
        fill = np.zeros(n, dtype=bool)
        fill[:-1] = (np.abs(gap) == 2) & (a[:-1] == 0) & (a[1:] == 0)
        middle = np.zeros(n, dtype=np.int64)
        middle[:-1] = pitches_of(s[:-1] + np.sign(gap), np.zeros(n - 1, dtype=np.int64), m.key)
        figures = [[(0.0, 0.5, pitch[i]), (0.5, 0.5, middle[i])] if fill[i] else None
                   for i in range(n)]
    elif figure == "turn":
        longest = int(np.argmax(dur))
        figures = [None] * n
        figures[longest] = [(q / 4, 0.25, p) for q, p in enumerate(
            (neighbour[1][longest], pitch[longest], neighbour[-1][longest], pitch[longest]))]
    else:
        long = dur >= 1.0 - EPS
        if figure == "neighbour":
            if not long.any():
                long[int(np.argmax(dur))] = True
            figures = [[(0.0, 0.5, pitch[i]), (0.5, 0.25, neighbour[1][i]),
                        (0.75, 0.25, pitch[i])] if long[i] else None for i in range(n)]
        else:  # grace
            long[0] = True
            figures = [None] * n
            for j in np.flatnonzero(long):
                g = min(0.125, dur[j] / 4) / dur[j]
                figures[j] = [(0.0, g, neighbour[1][j]), (g, 1.0 - g, pitch[j])]
    rows = []
    for i in range(n):
        for frac_on, frac_len, p in figures[i] or [(0.0, 1.0, pitch[i])]:
            rows.append((onset[i] + frac_on * dur[i], frac_len * dur[i], p, vel[i]))
    cols = list(zip(*rows))
    return m.replace(onset=cols[0], duration=cols[1], pitch=_fold(np.array(cols[2])),
                        velocity=cols[3])


def _next_onset_gap(m: Motif) -> Array:
    """Time from each note to the next later onset (inf for the last notes).

    On Python floats: a motif is a few notes, where a search per note costs less than
    numpy's calls (the same differences of the same onsets).
    """
    onset = m.onset.tolist()
    n = len(onset)
    gap = []
    for t in onset:
        j = bisect_left(onset, t + EPS)
        gap.append(onset[j] - t if j < n else math.inf)
    return np.array(gap, dtype=np.float64)


def legato(m: Motif, ratio: float = 1.0) -> Motif:
    """Hold each note until the next one starts (times `ratio`); the last note keeps its length.

    >>> m = Motif.from_degrees([0, 2, 1, 4], [0] * 4, [1, 0.5, 0.5, 2], Key(2, "aeolian"))
    >>> legato(m) == m
    True
    """
    gap = _next_onset_gap(m)
    return m.replace(duration=np.where(np.isfinite(gap), gap * ratio, m.duration))


def staccato(m: Motif, ratio: float = 0.5) -> Motif:
    """Shorten notes to `ratio` of their length (never past the next onset).

    >>> m = Motif.from_degrees([0, 2, 1, 4], [0] * 4, [1, 0.5, 0.5, 2], Key(2, "aeolian"))
    >>> staccato(m, 1.0) == m
    True
    """
    return m.replace(duration=np.minimum(m.duration, _next_onset_gap(m)) * ratio)


def dynamics(m: Motif, levels: tuple[int, int] = (DYNAMICS["p"], DYNAMICS["f"])) -> Motif:
    """Scale velocities to a level, or ramp from one level to another (crescendo,
    diminuendo) across the motif; accents relative to the mean survive.

    >>> m = Motif.from_degrees([0, 2, 1, 4], [0] * 4, [1, 0.5, 0.5, 2], Key(2, "aeolian"))
    >>> dynamics(m, (80, 80)) == m
    True
    """
    if len(m) == 0:
        return m
    first, last = levels
    span = m.onset[-1] - m.onset[0]
    where = (m.onset - m.onset[0]) / span if span > 0 else np.zeros(len(m))
    target = first + (last - first) * where
    accent = m.velocity / (sum(m.velocity.tolist()) / len(m))  # the mean: the sum is exact
    level = np.rint(accent * target)
    return m.replace(velocity=np.minimum(np.maximum(level, 1), 127).astype(np.int64))
