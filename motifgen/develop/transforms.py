"""Motif developments: pure functions Motif -> Motif, one registry, one chain syntax.

Every transform returns a new Motif (the input is never changed), keeps onsets
sorted, durations positive and pitches inside MIDI 0..127 (out-of-range notes
are folded back by octaves).

A chain is text shared by the project file and the command line::

    "fragment=3, sequence=3:+1, mode=phrygian, augment=2"

steps separated by commas, each ``name`` or ``name=arg1:arg2``; an empty
argument keeps its default (``invert=:62``). `TRANSFORMS` is the one table of
what exists; `parse_chain`, `apply_chain` and `format_chain` read it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, fields
from fractions import Fraction
from functools import lru_cache
from typing import Any

import numpy as np

from .errors import MotifgenError, TransformError, did_you_mean
from .motif import Motif, Notes
from .theory import (
    DYNAMICS,
    MODES,
    Key,
    beat_groups,
    degrees_of,
    fold_into,
    mode_name,
    parse_meter,
    pitch_class,
    pitches_of,
    place_in_range,
    semitones_above_c,
)

__all__ = [
    "DYNAMICS",
    "TRANSFORMS",
    "Param",
    "Step",
    "Transform",
    "apply_chain",
    "apply_step",
    "augment",
    "degrees_of",
    "diminish",
    "dynamics",
    "format_chain",
    "fragment",
    "interval_classes",
    "invert",
    "key",
    "legato",
    "metre",
    "mode",
    "notes_of",
    "ornament",
    "parse_chain",
    "pitches_of",
    "register",
    "retrograde",
    "rhythm",
    "sequence",
    "staccato",
    "step",
    "transpose",
    "truncate",
    "with_notes",
]

_EPS = 1e-9
#: The most notes a chain may produce (sequence and ornament multiply them).
MAX_NOTES = 4096


_MOTIF_FIELDS = tuple(f.name for f in fields(Motif))
_ARRAY_FIELDS = ("onset", "duration", "pitch", "velocity")
_DTYPES = (np.float64, np.float64, np.int64, np.int64)


_FIELD_SET = frozenset(_MOTIF_FIELDS)
_min = np.minimum.reduce
_max = np.maximum.reduce


def _holds(on: np.ndarray, dur: np.ndarray, pit: np.ndarray, vel: np.ndarray,
           durations: bool, velocities: bool, order: bool) -> bool:
    """Whether the arrays keep the invariants `_build` relies on: positive durations,
    velocities 1..127, sorted by onset then pitch (each checked only when asked).

    A few notes are looked at as Python lists, where a plain "all positive" or
    "strictly rising" settles it; anything less clear-cut gets the array checks.
    """
    small = len(on) <= 32
    if durations:
        if not (small and min(dur.tolist()) > 0) and _min(dur) <= 0:
            return False
    if velocities:
        vl = vel.tolist() if small else None
        if vl is not None and 1 <= min(vl) and max(vl) <= 127:
            pass
        elif _min(vel) < 1 or _max(vel) > 127:
            return False
    if order:
        if small:
            ol = on.tolist()
            if min([b - a for a, b in zip(ol, ol[1:])]) > 0:
                return True
        d_on = on[1:] - on[:-1]
        least = _min(d_on)
        if least <= 0 and (least < 0 or ((pit[1:] - pit[:-1])[d_on == 0] < 0).any()):
            return False
    return True


def _build(m: Motif, onset=None, duration=None, pitch=None, velocity=None, **changes) -> Motif:
    """`m.with_notes(...)`, with a fast path for new note arrays that already hold
    every Motif invariant (equal 1-D lengths, positive durations, sorted by onset
    then pitch, velocities 1..127): then no re-validation or copy is needed.
    Anything else goes through the Motif constructor, which sorts, clips or raises.
    `changes` (key, meter) are values the constructor keeps as they are.
    """
    on = m.onset if onset is None else np.asarray(onset, dtype=np.float64)
    dur = m.duration if duration is None else np.asarray(duration, dtype=np.float64)
    pit = m.pitch if pitch is None else np.asarray(pitch, dtype=np.int64)
    vel = m.velocity if velocity is None else np.asarray(velocity, dtype=np.int64)
    n = len(on)
    if not (on.ndim == dur.ndim == pit.ndim == vel.ndim == 1
            and len(dur) == len(pit) == len(vel) == n):
        return m.with_notes(onset, duration, pitch, velocity, **changes)
    if n and not _holds(on, dur, pit, vel, duration is not None, velocity is not None,
                        n > 1 and (onset is not None or pitch is not None)):
        return m.with_notes(onset, duration, pitch, velocity, **changes)
    arrays = {}
    for name, arr, given in (("onset", on, onset), ("duration", dur, duration),
                             ("pitch", pit, pitch), ("velocity", vel, velocity)):
        if given is not None:
            if arr.flags.writeable:
                arr.setflags(write=False)
            arrays[name] = arr
    return _assemble(m, arrays, changes)


#: `Motif.with_notes` with `_build`'s fast path, for the arranger's restated motifs.
with_notes = _build


def notes_of(onset, duration, pitch, velocity, copy: bool = True) -> Notes:
    """`Notes(onset, duration, pitch, velocity)`, without the constructor's copies and
    sort when the arrays already hold every invariant (equal 1-D lengths, positive
    durations, sorted by onset then pitch, velocities 1..127); anything else goes
    through the constructor. Writable arrays the caller passes are copied unless
    `copy` is False (the caller hands them over and keeps no reference).

    >>> notes_of([0.0, 1.0], [1.0, 1.0], [62, 60], [80, 80]).rows()
    [(0.0, 1.0, 62, 80), (1.0, 1.0, 60, 80)]
    """
    given = (onset, duration, pitch, velocity)
    on, dur, pit, vel = arrays = [np.asarray(a, dtype=t) for a, t in zip(given, _DTYPES)]
    n = len(on)
    if not (on.ndim == dur.ndim == pit.ndim == vel.ndim == 1
            and len(dur) == len(pit) == len(vel) == n):
        return Notes(*given)
    if n and not _holds(on, dur, pit, vel, True, True, n > 1):
        return Notes(*given)
    new = object.__new__(Notes)
    for name, arr, a in zip(_ARRAY_FIELDS, arrays, given):
        if arr.flags.writeable:
            if copy and arr is a:
                arr = arr.copy()
            arr.setflags(write=False)
        object.__setattr__(new, name, arr)
    return new


def _assemble(m: Motif, arrays: dict[str, np.ndarray], changes: dict[str, Any]) -> Motif:
    """A Motif with `m`'s fields, then `arrays` (read-only, valid) and `changes`."""
    if changes.keys() - _FIELD_SET:
        raise TypeError(f"unknown Motif fields: {', '.join(changes.keys() - _FIELD_SET)}")
    state = vars(m)
    if len(state) != len(_MOTIF_FIELDS):  # only the dataclass fields are carried over
        state = {name: getattr(m, name) for name in _MOTIF_FIELDS}
    new = object.__new__(Motif)
    fresh = vars(new)
    fresh.update(state)
    fresh.update(arrays)
    fresh.update(changes)
    return new


def _fold(pitch: np.ndarray) -> np.ndarray:
    """Fold pitches into MIDI 0..127 by whole octaves."""
    return fold_into(pitch, 0, 127)


@lru_cache(maxsize=256)
def _mode_map(source: str, target: str) -> np.ndarray:
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


def _remap_steps(steps: np.ndarray, source: str, target: str) -> np.ndarray:
    if source == target or len(MODES[source]) == len(MODES[target]):
        return steps
    octave, index = np.divmod(steps, len(MODES[source]))
    return octave * len(MODES[target]) + _mode_map(source, target)[index]


def interval_classes(intervals: np.ndarray) -> np.ndarray:
    """Signed size class of each interval in semitones: 0 unison, ±1 step (1–2),
    ±2 third (3–4), ±3 larger leap (5 or more). Mode and key changes keep these.

    >>> interval_classes(np.array([0, 1, -2, 3, -4, 5, 12])).tolist()
    [0, 1, -1, 2, -2, 3, 3]
    """
    size = np.abs(intervals)
    return np.sign(intervals) * ((size > 0).astype(np.int64) + (size > 2) + (size > 4))


#: Costs of `_keep_intervals` (only their order matters): changing a note outweighs any
#: distance it moves (at most `_REACH` semitones), a chromatic inflection any mode degree.
_MOVED, _CHROMATIC, _REACH = 10.0, 5.0, 4
_IMPOSSIBLE = 1e9


def _faithful(m: Motif, new_key: Key, s: np.ndarray, a: np.ndarray, plain: np.ndarray
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


def _keep_intervals(m: Motif, new_key: Key, s: np.ndarray, a: np.ndarray,
                    plain: np.ndarray) -> np.ndarray:
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
    cands: list[np.ndarray] = []
    costs: list[np.ndarray] = []
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
    back: list[np.ndarray] = []
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


def _into_key(m: Motif, new_key: Key) -> np.ndarray:
    """`m`'s pitches moved degree by degree into `new_key` (the tonic's octave as
    `theory.pitches_of` places it), every interval keeping its direction and size class."""
    s, a = degrees_of(m.pitch, m.key)
    plain = pitches_of(_remap_steps(s, m.key.mode, new_key.mode), a, new_key)
    if not a.any():
        want = interval_classes(np.diff(m.pitch))
        if np.array_equal(interval_classes(np.diff(plain)), want):
            return plain
    return _keep_intervals(m, new_key, s, a, plain)


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
    return _build(m, pitch=_fold(m.pitch + semitones))


def step(m: Motif, steps: int = 1) -> Motif:
    """Move every note by `steps` scale steps in the motif's key (diatonic transposition).

    >>> m = Motif.from_degrees([0, 2, 1, 4], [0] * 4, [1, 0.5, 0.5, 2], Key(2, "aeolian"))
    >>> step(step(m, 3), -3) == m
    True
    """
    s, a = degrees_of(m.pitch, m.key)
    return _build(m, pitch=_fold(pitches_of(s + steps, a, m.key)))


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
    new_key = Key(m.key.tonic, mode_name(mode))
    return _build(m, pitch=_fold(_into_key(m, new_key)), key=new_key)


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
    return _build(m, pitch=_fold(pitch), key=new_key)


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
        return _build(m, pitch=_fold(2 * centre - m.pitch))
    s, a = degrees_of(m.pitch, m.key)
    centre_step = int(degrees_of([centre], m.key)[0][0])
    return _build(m, pitch=_fold(pitches_of(2 * centre_step - s, -a, m.key)))


def register(m: Motif, low: int = 60, high: int = 84) -> Motif:
    """Place the motif in the range low..high: best whole-motif octave, then fold outliers.

    >>> m = Motif.from_degrees([0, 2, 1, 4], [0] * 4, [1, 0.5, 0.5, 2], Key(2, "aeolian"))
    >>> register(register(m, 36, 60), 36, 60) == register(m, 36, 60)
    True
    """
    if len(m) == 0:
        return m
    return _build(m, pitch=place_in_range(m.pitch, low, high, keep_octave=False))


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
        return _build(m, pitch=m.pitch[::-1], velocity=m.velocity[::-1])
    end = m.onset + m.duration
    onset = (m.onset[0] + end.max() - end)[::-1]
    duration = m.duration[::-1]
    if part == "rhythm":
        return _build(m, onset=onset, duration=duration)
    return _build(m, onset=onset, duration=duration,
                        pitch=m.pitch[::-1], velocity=m.velocity[::-1])


def augment(m: Motif, factor: float = 2.0) -> Motif:
    """Multiply onsets and durations by `factor` (augmentation).

    >>> m = Motif.from_degrees([0, 2, 1, 4], [0] * 4, [1, 0.5, 0.5, 2], Key(2, "aeolian"))
    >>> diminish(augment(m, 3), 3) == m
    True
    """
    return _build(m, onset=m.onset * factor, duration=m.duration * factor)


def diminish(m: Motif, factor: float = 2.0) -> Motif:
    """Divide onsets and durations by `factor` (diminution).

    >>> m = Motif.from_degrees([0, 2, 1, 4], [0] * 4, [1, 0.5, 0.5, 2], Key(2, "aeolian"))
    >>> augment(diminish(m, 2), 2) == m
    True
    """
    return _build(m, onset=m.onset / factor, duration=m.duration / factor)


def _run(m: Motif, start: int, stop: int) -> Motif:
    """Notes start..stop-1: a run of consecutive notes of a motif is a valid motif as it is."""
    return _assemble(m, {"onset": m.onset[start:stop], "duration": m.duration[start:stop],
                         "pitch": m.pitch[start:stop], "velocity": m.velocity[start:stop]}, {})


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
    cell = _run(m, start, min(count, start + n))
    bar = m.bar_length
    shift = np.floor((cell.onset[0] + _EPS) / bar) * bar
    return _build(cell, onset=cell.onset - shift) if shift else cell


def truncate(m: Motif, n: int = 1) -> Motif:
    """Drop the last `n` notes (the cadence); at least one note stays.

    >>> m = Motif.from_degrees([0, 2, 1, 4], [0] * 4, [1, 0.5, 0.5, 2], Key(2, "aeolian"))
    >>> len(truncate(m)), truncate(m, 0) == m
    (3, True)
    """
    return _run(m, 0, max(min(1, len(m)), len(m) - n))


def _tile(a: np.ndarray, times: int) -> np.ndarray:
    """`np.tile` of a 1-D array, without its overhead."""
    return np.concatenate((a,) * times)


def sequence(m: Motif, times: int = 3, steps: int = 1) -> Motif:
    """Repeat the motif `times` times, each copy `steps` scale steps above the last.

    Copies follow each other at the motif's length rounded up to a whole beat.

    >>> m = Motif.from_degrees([0, 2, 1], [0] * 3, [1, 0.5, 0.5], Key(2, "aeolian"))
    >>> fragment(sequence(m, 3, 1), ("first", 3)) == m
    True
    """
    if len(m) == 0 or times == 1:
        return m
    _, unit = _group(m.meter)
    start = float(m.onset[0])
    span = np.ceil((m.end - start) / unit - _EPS) * unit
    k = np.repeat(np.arange(times), len(m))
    s, a = degrees_of(m.pitch, m.key)
    pitch = pitches_of(_tile(s, times) + k * steps, _tile(a, times), m.key)
    return _build(m, onset=_tile(m.onset, times) + k * span,
                  duration=_tile(m.duration, times), pitch=_fold(pitch),
                  velocity=_tile(m.velocity, times))


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

    def warp(t: np.ndarray) -> np.ndarray:
        group = np.floor(t / g_src + _EPS)
        r = t - group * g_src
        if strong_src < _EPS or strong_tgt < _EPS:  # a one-beat group: scale it evenly
            return group * g_tgt + r * (g_tgt / g_src)
        inner = np.where(r < strong_src - _EPS, r * (strong_tgt / strong_src),
                         strong_tgt + (r - strong_src) * (u_tgt / u_src))
        return group * g_tgt + inner

    onset = warp(m.onset)
    return _build(m, onset=onset, duration=warp(m.onset + m.duration) - onset, meter=meter)


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
        return _build(m, onset=start + length * np.arange(n), duration=np.full(n, length))
    adjacent = np.abs(onset[:-1] + dur[:-1] - onset[1:]) < _EPS
    if style == "dotted":
        grid = onset[:-1] / (2 * dur[:-1])
        on_grid = np.abs(grid - np.round(grid)) < _EPS
        exp = np.log2(dur[:-1])
        plain = np.abs(exp - np.round(exp)) < _EPS  # undotted values only: a dotted pair
        pair = adjacent & (np.abs(dur[:-1] - dur[1:]) < _EPS) & on_grid & plain
        half = np.where(pair, dur[:-1] / 2, 0.0)
        dur[:-1] += half
        onset[1:] += half
        dur[1:] -= half
        return _build(m, onset=onset, duration=dur)
    group, _ = _group(m.meter)
    position = onset[1:] / group
    strong = adjacent & (np.abs(position - np.round(position)) < _EPS)
    shift = np.where(strong, np.minimum(0.5, dur[:-1] / 2), 0.0)
    dur[:-1] -= shift
    onset[1:] -= shift
    dur[1:] += shift
    return _build(m, onset=onset, duration=dur)


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
        long = dur >= 1.0 - _EPS
        if figure == "neighbour":
            if not long.any():
                long[int(np.argmax(dur))] = True
            figures = [[(0.0, 0.5, pitch[i]), (0.5, 0.25, neighbour[1][i]),
                        (0.75, 0.25, pitch[i])] if long[i] else None for i in range(n)]
        else:  # grace
            long[0] = True
            figures = [None] * n
            for i in np.flatnonzero(long):
                g = min(0.125, dur[i] / 4) / dur[i]
                figures[i] = [(0.0, g, neighbour[1][i]), (g, 1.0 - g, pitch[i])]
    rows = []
    for i in range(n):
        for frac_on, frac_len, p in figures[i] or [(0.0, 1.0, pitch[i])]:
            rows.append((onset[i] + frac_on * dur[i], frac_len * dur[i], p, vel[i]))
    cols = list(zip(*rows))
    return _build(m, onset=cols[0], duration=cols[1], pitch=_fold(np.array(cols[2])),
                        velocity=cols[3])


def _next_onset_gap(m: Motif) -> np.ndarray:
    """Time from each note to the next later onset (inf for the last notes)."""
    nxt = np.searchsorted(m.onset, m.onset + _EPS, side="left")
    gap = np.full(len(m), np.inf)
    has = nxt < len(m)
    gap[has] = m.onset[nxt[has]] - m.onset[has]
    return gap


def legato(m: Motif, ratio: float = 1.0) -> Motif:
    """Hold each note until the next one starts (times `ratio`); the last note keeps its length.

    >>> m = Motif.from_degrees([0, 2, 1, 4], [0] * 4, [1, 0.5, 0.5, 2], Key(2, "aeolian"))
    >>> legato(m) == m
    True
    """
    gap = _next_onset_gap(m)
    return _build(m, duration=np.where(np.isfinite(gap), gap * ratio, m.duration))


def staccato(m: Motif, ratio: float = 0.5) -> Motif:
    """Shorten notes to `ratio` of their length (never past the next onset).

    >>> m = Motif.from_degrees([0, 2, 1, 4], [0] * 4, [1, 0.5, 0.5, 2], Key(2, "aeolian"))
    >>> staccato(m, 1.0) == m
    True
    """
    return _build(m, duration=np.minimum(m.duration, _next_onset_gap(m)) * ratio)


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
    accent = m.velocity / m.velocity.mean()
    return _build(m, velocity=np.clip(np.rint(accent * target), 1, 127).astype(np.int64))


# --------------------------------------------------------------------------
# Argument parsers: each takes the text of one argument and returns the value,
# raising ValueError when the text is not what is expected.


def _int(text: str) -> int:
    """A whole number of semitones or steps, -127..127 (more leaves the MIDI range)."""
    value = int(text)
    if not -127 <= value <= 127:
        raise ValueError(text)
    return value


def _count(text: str) -> int:
    value = int(text)
    if not 1 <= value <= 64:
        raise ValueError(text)
    return value


def _natural(text: str) -> int:
    value = int(text)
    if value < 0:
        raise ValueError(text)
    return value


def _up_to(high: float) -> Callable[[str], float]:
    """A parser for numbers (or fractions such as 3/2) with 0 < value <= high."""
    def parse(text: str) -> float:
        value = Fraction(text)
        if not 0 < value <= high:
            raise ValueError(text)
        return float(value)

    return parse


_positive, _ratio, _fraction = _up_to(64), _up_to(2), _up_to(1)


#: A note name and its octave: D4, Bb3, F#5, E-4 (music21's flat). A '-' right after
#: the letter is a flat, as in `pitch_class`; octave -1 (MIDI 0..11) is given as a number.
_NOTE_OCTAVE = re.compile(r"^([A-Ga-g][#b-]*)(-?\d+)$")


def _midi(text: str) -> int:
    """A MIDI number (0..127) or a note name with octave such as D4, Bb3 or E-4."""
    text = text.strip()
    try:
        value = int(text)
    except ValueError:
        match = _NOTE_OCTAVE.match(text)
        if match is None:
            raise ValueError(text) from None
        name, octave = match.groups()
        try:
            value = 12 * (int(octave) + 1) + semitones_above_c(name)  # B#3 is C4
        except MotifgenError as e:
            raise ValueError(text) from e
    if not 0 <= value <= 127:
        raise ValueError(text)
    return value


def _choice(*options: str) -> Callable[[str], str]:
    def parse(text: str) -> str:
        if text.lower() not in options:
            raise ValueError(text)
        return text.lower()
    return parse


def _mode(text: str) -> str:
    try:
        return mode_name(text.replace("-", "_"))
    except MotifgenError as e:
        raise ValueError(text) from e


def _tonic(text: str) -> str:
    if text.lower() in ("dominant", "subdominant"):
        return text.lower()
    try:
        pitch_class(text)
    except MotifgenError as e:
        raise ValueError(text) from e
    return text


def _meter(text: str) -> tuple[int, int]:
    try:
        return parse_meter(text)
    except MotifgenError as e:
        raise ValueError(text) from e


def _level(text: str) -> int:
    if text.lower() in DYNAMICS:
        return DYNAMICS[text.lower()]
    value = int(text)
    if not 1 <= value <= 127:
        raise ValueError(text)
    return value


def _levels(text: str) -> tuple[int, int]:
    first, _, last = text.partition("..")
    return (_level(first), _level(last or first))


def _selection(text: str) -> tuple[str, int]:
    parts = text.split(":")
    if len(parts) == 1:
        return ("first", _count(parts[0]))
    if len(parts) == 2:
        where = parts[0].lower()
        if where not in ("first", "last"):
            where = str(_natural(where))
        return (where, _count(parts[1]))
    raise ValueError(text)


# --------------------------------------------------------------------------
# The registry


@dataclass(frozen=True)
class Param:
    """One argument of a transform: its name, what it expects, its default and parser."""

    name: str
    expects: str
    default: Any
    parse: Callable[[str], Any]
    text_default: str = ""
    rest: bool = False  # takes all remaining ':'-separated parts as one value


@dataclass(frozen=True)
class Transform:
    """A registered transform: name, function, one-line summary and its arguments."""

    name: str
    func: Callable[..., Motif]
    summary: str
    params: tuple[Param, ...] = ()
    aliases: tuple[str, ...] = field(default=())
    #: a rule over several parsed arguments: what is wrong with them, or "" when nothing is
    check: Callable[[dict[str, Any]], str] | None = None

    @property
    def usage(self) -> str:
        """Chain syntax, e.g. ``sequence=TIMES:STEPS``."""
        if not self.params:
            return self.name
        return f"{self.name}=" + ":".join(p.name.upper() for p in self.params)

    @property
    def args(self) -> str:
        """Each argument, what it expects and its default, e.g. for `motifgen transforms`."""
        return "; ".join(f"{p.name}: {p.expects} [default {p.text_default}]"
                         for p in self.params)

    @property
    def defaults(self) -> str:
        return ", ".join(f"{p.name}={p.text_default or p.default}" for p in self.params)

    def bind(self, args: Sequence[str]) -> dict[str, Any]:
        """Parse argument texts into keyword arguments (TransformError when one of them,
        or the transform's `check` of them together, finds them wrong)."""
        values: dict[str, Any] = {}
        args = list(args)
        for i, param in enumerate(self.params):
            if param.rest:
                raw, args = ":".join(args[i:]), []
            else:
                raw = args[i] if i < len(args) else ""
            if raw.strip() == "":
                values[param.name] = param.default
                continue
            try:
                values[param.name] = param.parse(raw.strip())
            except (ValueError, ZeroDivisionError) as e:
                raise TransformError(
                    f"transform {self.name!r}: bad {param.name} {raw.strip()!r}; "
                    f"expected {param.expects} (usage: {self.usage})") from e
        if len(args) > len(self.params):
            raise TransformError(
                f"transform {self.name!r} takes at most {len(self.params)} argument(s) "
                f"({self.usage}), got {len(args)}: {':'.join(args)!r}")
        problem = self.check(values) if self.check else ""
        if problem:
            raise TransformError(f"transform {self.name!r}: {problem} (usage: {self.usage})")
        return values


def _p(name: str, expects: str, default: Any, parse: Callable[[str], Any],
       text: str = "", rest: bool = False) -> Param:
    return Param(name, expects, default, parse, text or str(default), rest)


def _octave_wide(values: dict[str, Any]) -> str:
    low, high = values["low"], values["high"]
    if high - low < 11:
        return f"range {low}..{high} is narrower than an octave; expected high >= low + 11"
    return ""


_MODES_TEXT = "a mode such as ionian, dorian, harmonic_minor, whole_tone (see theory.MODES)"

#: Every transform, in the order the CLI lists them.
TRANSFORMS: dict[str, Transform] = {t.name: t for t in (
    Transform("transpose", transpose, "move by semitones (chromatic transposition)",
              (_p("semitones", "an integer number of semitones, -127..127", 2, _int),)),
    Transform("step", step, "move by scale steps in the key (diatonic transposition)",
              (_p("steps", "an integer number of scale steps, -127..127", 1, _int),),
              aliases=("transpose_diatonic",)),
    Transform("mode", mode, "same degrees in another mode on the same tonic",
              (_p("mode", _MODES_TEXT, "aeolian", _mode),)),
    Transform("key", key, "move to another tonic (and mode), nearest octave",
              (_p("tonic", "a note name (F, F#, Bb) or dominant/subdominant", "dominant",
                  _tonic),
               _p("mode", _MODES_TEXT, None, _mode, "same"))),
    Transform("invert", invert, "mirror the intervals about an axis (default the first note)",
              (_p("kind", "diatonic or chromatic", "diatonic", _choice("diatonic", "chromatic")),
               _p("axis", "a MIDI pitch 0..127 or a note such as D4", None, _midi, "first note"))),
    Transform("retrograde", retrograde, "play backwards: pitches, rhythm or both",
              (_p("part", "pitches, rhythm or both", "both",
                  _choice("pitches", "rhythm", "both")),)),
    Transform("augment", augment, "lengthen every value by a factor",
              (_p("factor", "a positive number such as 2, 1.5 or 3/2", 2.0, _positive),),
              aliases=("augmentation",)),
    Transform("diminish", diminish, "shorten every value by a factor",
              (_p("factor", "a positive number such as 2, 1.5 or 3/2", 2.0, _positive),),
              aliases=("diminution",)),
    Transform("fragment", fragment, "keep a cell: first n notes, last n, or from note i",
              (_p("selection", "N, first:N, last:N or START:N (0-based start)", ("first", 3),
                  _selection, "3", rest=True),)),
    Transform("sequence", sequence, "repeat the motif, each copy a scale step higher",
              (_p("times", "a whole number of copies 1..64", 3, _count),
               _p("steps", "an integer number of scale steps between copies, -127..127", 1, _int))),
    Transform("truncate", truncate, "drop the last note(s): the phrase stops before its cadence",
              (_p("n", "a whole number of notes to drop, 0 or more", 1, _natural),)),
    Transform("metre", metre, "recast into another meter by stretching strong beats",
              (_p("meter", "a meter such as 3/4, 4/4 or 6/8", (3, 4), _meter, "3/4"),),
              aliases=("meter",)),
    Transform("rhythm", rhythm, "rhythmic character: dotted, syncopated or even",
              (_p("style", "dotted, syncopated or even", "dotted",
                  _choice("dotted", "syncopated", "even")),)),
    Transform("ornament", ornament, "diatonic decoration: neighbour, passing, grace or turn",
              (_p("figure", "neighbour, passing, grace or turn", "neighbour",
                  _choice("neighbour", "passing", "grace", "turn")),)),
    Transform("register", register, "place in a pitch range by octaves",
              (_p("low", "a MIDI pitch 0..127 or a note such as C4", 60, _midi),
               _p("high", "a MIDI pitch at least an octave above low", 84, _midi)),
              check=_octave_wide),
    Transform("legato", legato, "hold each note until the next",
              (_p("ratio", "a fraction of the gap to the next note, 0 < r <= 2", 1.0, _ratio),)),
    Transform("staccato", staccato, "shorten notes",
              (_p("ratio", "a fraction of the note length, 0 < r <= 1", 0.5, _fraction),)),
    Transform("dynamics", dynamics, "velocity level or a ramp (pp..ff = crescendo)",
              (_p("levels", "a mark (ppp..fff) or velocity, or FROM..TO such as pp..ff",
                  (49, 96), _levels, "p..f"),)),
)}

_ALIASES: dict[str, str] = {a: t.name for t in TRANSFORMS.values() for a in t.aliases}


def _lookup(name: str) -> Transform:
    canonical = _ALIASES.get(name, name)
    if canonical not in TRANSFORMS:
        known = ", ".join(TRANSFORMS)
        raise TransformError(f"unknown transform {name!r}; known transforms: {known}"
                             + did_you_mean(name, [*TRANSFORMS, *_ALIASES]))
    return TRANSFORMS[canonical]


# --------------------------------------------------------------------------
# Chains


@dataclass(frozen=True)
class Step:
    """One link of a chain: a registered transform name and its argument texts."""

    name: str
    args: tuple[str, ...] = ()

    def __str__(self) -> str:
        return self.name if not self.args else f"{self.name}={':'.join(self.args)}"

    @property
    def transform(self) -> Transform:
        return _lookup(self.name)

    def kwargs(self) -> dict[str, Any]:
        """The parsed arguments (TransformError when unknown or invalid)."""
        return self.transform.bind(self.args)


def parse_chain(text: str) -> tuple[Step, ...]:
    """Parse ``"name, name=a:b, ..."`` into checked Steps (aliases become registry names).

    >>> parse_chain("fragment=3, sequence=3:+1, mode=phrygian, augment=2")[1]
    Step(name='sequence', args=('3', '+1'))
    >>> format_chain(parse_chain(" invert = chromatic : 60 ,retrograde"))
    'invert=chromatic:60, retrograde'
    """
    steps = []
    for piece in text.split(","):
        piece = piece.strip()
        if not piece:
            continue
        name, eq, rest = piece.partition("=")
        name = name.strip().lower().replace("-", "_")
        args = tuple(a.strip() for a in rest.split(":")) if eq else ()
        if not name:
            raise TransformError(f"chain step {piece!r} has no transform name")
        step_ = Step(_lookup(name).name, args)
        step_.kwargs()
        steps.append(step_)
    return tuple(steps)


def format_chain(steps: Sequence[Step]) -> str:
    """The chain text of `steps`; ``parse_chain(format_chain(s)) == s``."""
    return ", ".join(str(s) for s in steps)


@lru_cache(maxsize=4096)
def _bound(step_: Step) -> tuple[Callable[..., Motif], dict[str, Any]]:
    return step_.transform.func, step_.kwargs()


def apply_step(m: Motif, step_: Step, rng: np.random.Generator | None = None) -> Motif:
    """Apply one Step. `rng` is accepted for transforms that draw random choices
    (the built-in ones are all deterministic)."""
    func, kwargs = _bound(step_)
    return func(m, **kwargs)


def apply_chain(m: Motif, chain: str | Sequence[Step],
                rng: np.random.Generator | None = None) -> Motif:
    """Apply a chain (text or Steps) left to right.

    >>> m = Motif.from_degrees([0, 2, 1, 4], [0] * 4, [1, 0.5, 0.5, 2], Key(2, "aeolian"))
    >>> apply_chain(m, "retrograde, augment=3, retrograde, diminish=3") == m
    True
    """
    steps = parse_chain(chain) if isinstance(chain, str) else chain
    for s in steps:
        m = apply_step(m, s, rng)
        if len(m) > MAX_NOTES:
            raise TransformError(f"the chain makes {len(m)} notes by {s}; a developed motif may "
                                 f"have at most {MAX_NOTES}")
    return m
