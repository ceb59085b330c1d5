"""Hit points -> tempo map: the music reaches every hit exactly on a beat.

A scene has a duration, a meter, a tempo range (one for the whole scene or one
per section) and hits: moments, in seconds from the scene start, that the
music must catch. `solve` returns a tempo map with one tempo segment per hit
(REFERENCE §2): segment k spans N_k whole counts, so its tempo is
``bpm_k = 60 * N_k * count / (t_k - t_{k-1})``. A small dynamic programme picks
every N_k so that a downbeat hit (``downbeat=True``, also every section start)
lands on a bar line and any other hit on a beat (a whole count of the meter's
note value: quarters in 4/4, eighths in 6/8), the tempo changes little from
segment to segment and stays near the middle of its range.

It looks for an answer as a composer would, in this order of preference, each
step a named cost in the units of a tempo jump (percent squared):

1. the mood's tempo range in the home meter;
2. one bar of another meter just before a downbeat hit: a 2/4, 3/4 or 5/4 bar in
   4/4 (`CHANGED_BAR_COST`, as much as a 20 % jump), or a bar counted in eighths
   such as 5/8, 7/8 or 9/8 (`EIGHTH_BAR_COST` more); the home meter returns on the
   hit's bar line, and changed bars sit nearest to the home bar length;
3. a tempo up to 10 % outside the mood's range (`EXCURSION_COST`), reported in
   `TimingPlan.excursions`;
4. any tempo from 20 to 300 bpm (`WIDE_COST`); only then may a hit that is not a
   downbeat fall on an off-beat eighth (`OFFBEAT_COST`).

What even that cannot catch (hits a few frames apart) is refused, and the message
names the hit to move, or to make ``downbeat: false`` when that would do. A hit on
the scene's first frame sits on beat 0; one on its last frame ends the music.

A hit with ``ramp=True`` is reached by a gradual tempo change: the segment before
it ends with a ritardando or accelerando into the following tempo over the last
two bars (one bar, or the whole segment, when those need too wild a start), as
one tempo event per count (`TempoMap.ramps` lists them).

Tempi are whole microseconds per quarter, the resolution of a MIDI tempo event
(``round(60e6 / bpm)``), and each segment is aimed at its hit's absolute time, so
rounding never accumulates: every hit lands far inside a quarter of a frame, and
`TimingPlan.frames_off` reports the remainder.

Two downbeat hits 5.2 s apart at 100-132 bpm: 9, 10 or 11 beats fit, never
two or three whole bars, so a 3/4 bar goes before the second hit:

>>> plan = solve(20, [Hit(4.0, "A"), Hit(9.2, "B")], (100, 132), (4, 4))
>>> plan.hit_beats, [round(bpm, 2) for bpm in plan.tempo_map.bpms]
((8.0, 19.0), [120.0, 126.92])
>>> plan.tempo_map.meters
((0.0, (4, 4)), (16.0, (3, 4)), (19.0, (4, 4)))

Two downbeat hits 1.4 s apart in 3/4 at 132-168 bpm: three beats need 128.6 bpm,
four 171.4; a bar of 7/8 at 150 catches both:

>>> plan = solve(10, [Hit(2.4, "A"), Hit(3.8, "B")], (132, 168), (3, 4))
>>> plan.tempo_map.meters[1:], round(plan.tempo_map.tempo_at(plan.hit_beats[1] - 1), 2)
(((6.0, (7, 8)), (9.5, (3, 4))), 150.0)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from fractions import Fraction
from functools import lru_cache
from numbers import Real

from msgspec import Struct

from .errors import MotifgenError, TimecodeError, TimingError
from .score import TempoMap
from .theory import parse_meter
from .timecode import FrameRate, frame_rate, offset_timecode, seconds_to_timecode

__all__ = ["Excursion", "Hit", "ReportRow", "TimingPlan", "solve"]

#: Cost of one changed-meter bar: the same as a 20 % tempo jump (more for a bar
#: further from the home bar's length).
CHANGED_BAR_COST = 20.0**2
#: Extra cost of a changed bar counted in eighths (7/8 in a 4/4 or 3/4 cue).
EIGHTH_BAR_COST = 0.5 * CHANGED_BAR_COST
#: How far outside the mood's range a tempo may go before any tempo will do.
EXCURSION = 0.10
#: Cost of a segment up to `EXCURSION` outside the mood's range (plus its distance
#: in percent, squared): dearer than any changed bar, so a bar of another meter wins.
EXCURSION_COST = 1e4
#: The widest tempi the solver ever writes, and the cost of a segment beyond the
#: excursion: dearer than any combination of jumps and bars inside it.
MIN_BPM, MAX_BPM = 20.0, 300.0
WIDE_COST = 1e7
#: Cost of a hit that is not a downbeat falling on an off-beat eighth (last resort).
OFFBEAT_COST = 1e9
#: Cost of letting the scene end fall mid-bar instead of changing the tail's tempo:
#: a 5 % tempo jump. Without hits, ending on a bar line wins whenever it can.
FREE_TAIL_COST = 5.0**2
_NO_HITS_FREE_TAIL_COST = 1e12
#: Weight of the distance from the middle of the range against tempo jumps.
CENTRE_WEIGHT = 0.1
#: Weight of a tempo jump where the tempo range changes (a new section's mood).
SECTION_JUMP_WEIGHT = 0.1
#: Bars a gradual tempo change takes at most.
RAMP_BARS = 2
#: Search width: the cheapest partial plans kept after each hit.
_BEAM = 256
#: Tolerance in counts when asking whether a tempo fits a range.
_BEAT_EPS = 1e-6


class Hit(Struct, frozen=True):
    """A moment the music must catch, `seconds` after the scene start.

    `downbeat` hits land on a bar line, others on a beat. The arranger passes
    section (mood) starts as ``kind="section", downbeat=True``. Hits that share
    a frame are caught together; the heaviest one (`weight`) sets the time.
    `ramp`: reach this hit through a gradual tempo change into the next tempo.
    """

    seconds: float | Fraction
    label: str
    downbeat: bool = True
    weight: float = 1.0
    kind: str = "hit"
    ramp: bool = False


class Excursion(Struct, frozen=True):
    """A segment whose tempo lies outside its mood's range: `percent` above (+) or
    below (-) the nearest end of `range`, on the way to the hit `label`."""

    label: str
    from_beat: float
    to_beat: float
    bpm: float
    range: tuple[float, float]
    percent: float

    def describe(self) -> str:
        return describe_excursion(self.bpm, self.label, self.range, self.percent)


def describe_excursion(bpm: float, into: str, rng: Sequence[float], percent: float) -> str:
    """"59.9 bpm into 'B' is 0.2 % below the mood's 60-80": for reports and summaries."""
    side = "above" if percent > 0 else "below"
    return (f"{bpm:.1f} bpm into {into!r} is {abs(percent):.1f} % {side} "
            f"the mood's {rng[0]:g}-{rng[1]:g}")


class ReportRow(Struct, frozen=True):
    """One hit of the timing report: the line `motifgen` prints and the hit of the plan."""

    label: str
    kind: str
    timecode: str
    seconds: float
    bar: int
    beat: float  # within the bar, from 1, counted in the meter's note value
    bpm: float  # the tempo leading into the hit
    frames_off: float
    at_beat: float = 0.0  # quarter-note beats from the cue start
    in_bar: float = 1.0  # within the bar, from 1, in quarter notes
    on_bar_line: bool = False
    downbeat: bool = True

    @property
    def bar_beat(self) -> str:
        return f"{self.bar}.{self.beat:g}"


class TimingPlan(Struct, frozen=True):
    """The solver's answer.

    `hit_beats` and `frames_off` follow the input order of the hits;
    `frames_off` is (actual - wanted) time in frames, signed. `length_beats` is
    the beat at the scene's end (a bar line when the solver could place one there).
    `excursions`: the segments played outside their mood's range.
    """

    tempo_map: TempoMap
    hit_beats: tuple[float, ...]
    frames_off: tuple[float, ...]
    length_beats: float
    hits: tuple[Hit, ...] = ()
    duration: float = 0.0
    fps: Fraction = Fraction(24)
    rate: FrameRate | None = None
    meter: tuple[int, int] = (4, 4)
    excursions: tuple[Excursion, ...] = ()

    def rows(self, start: str | None = None) -> list[ReportRow]:
        """One row per hit, in time order. `start`: the scene's start timecode,
        to show absolute timecodes instead of offsets from the scene start."""
        order = sorted(range(len(self.hits)), key=lambda i: (float(self.hits[i].seconds), i))
        return [self.row(i, start) for i in order]

    def report(self, start: str | None = None) -> str:
        """A text table: label, timecode, seconds, bar.beat, tempo, frames off."""
        meter = self.meter
        bpms = self.tempo_map.bpms
        lines = [
            f"{len(self.hits)} hits, {self.duration:.3f} s = {self.length_beats:g} beats "
            f"in {meter[0]}/{meter[1]}, tempo {min(bpms):.2f}-{max(bpms):.2f} bpm "
            f"in {len(bpms)} segment{'s' if len(bpms) != 1 else ''}"
        ]
        for beat, (num, den) in self.tempo_map.meters[1:]:
            bar, _ = self.tempo_map.position(beat)
            lines.append(f"meter {num}/{den} from bar {bar}")
        for a, b in self.tempo_map.ramps:
            word = self.tempo_map.ramp_word(a, b)
            lines.append(f"{word} from bar {self.tempo_map.position(a)[0]} "
                         f"to bar {self.tempo_map.position(b)[0]}")
        lines += [f"tempo {e.describe()}" for e in self.excursions]
        header = ("hit", "timecode", "seconds", "bar.beat", "bpm", "frames off")
        table = [header] + [
            (
                r.label,
                r.timecode,
                f"{r.seconds:.3f}",
                r.bar_beat,
                f"{r.bpm:.2f}",
                f"{r.frames_off:+.4f}",
            )
            for r in self.rows(start)
        ]
        widths = [max(len(row[c]) for row in table) for c in range(len(header))]
        for row in table:
            cells = [row[0].ljust(widths[0])] + [v.rjust(w) for v, w in zip(row[1:], widths[1:])]
            lines.append("  ".join(cells).rstrip())
        return "\n".join(lines)

    def row(self, i: int, start: str | None = None) -> ReportRow:
        """The report of hit `i` (`start`: as in `rows`)."""
        hit, beat = self.hits[i], self.hit_beats[i]
        tm = self.tempo_map
        bar, in_bar = tm.position(beat)
        unit = 4.0 / tm.meter_at(beat)[1]
        return ReportRow(
            label=hit.label,
            kind=hit.kind,
            timecode=_timecode(float(hit.seconds), self.rate, start),
            seconds=float(hit.seconds),
            bar=bar,
            beat=(in_bar - 1) / unit + 1,
            bpm=tm.tempo_at(max(0.0, beat - 1e-9)),
            frames_off=self.frames_off[i],
            at_beat=beat,
            in_bar=in_bar,
            on_bar_line=tm.is_bar_line(beat),
            downbeat=hit.downbeat,
        )


def solve(
    duration: float | Fraction,
    hits: Sequence[Hit],
    tempo_range: tuple[float, float] | Sequence[tuple[float, tuple[float, float]]],
    meter: tuple[int, int],
    fps: Fraction | float | str | FrameRate = 24,
    start: str | None = None,
) -> TimingPlan:
    """A tempo map (with any changed-meter bars) that catches every hit.

    `start`, the scene's first timecode, makes error messages give picture
    timecodes rather than offsets from the scene start.

    `duration` and hit times are seconds from the scene start. `tempo_range` is
    one ``(lo, hi)`` bpm (quarter notes per minute) for the whole scene, or
    ``[(from_seconds, (lo, hi)), ...]`` per section; a segment between two hits
    uses the range covering most of it, so pass section starts as hits (as the
    arranger does) to change the range exactly there. Raises TimingError naming
    the hit to move when no tempo from 20 to 300 bpm and no meter catches it.

    >>> plan = solve(30, [Hit(7.5, "a", downbeat=False), Hit(16, "b")], (100, 132), (4, 4))
    >>> plan.tempo_map.bpms, plan.hit_beats, plan.length_beats
    ([120.0], (15.0, 32.0), 60.0)
    """
    fps_real, rate = _frames_per_second(fps)
    num, den = _meter(meter)
    split = 2 if den <= 4 else 1  # counts of eighths (quarters in 2/2) are possible
    unit = 4.0 / den
    scene = _duration(duration)
    ranges = _Ranges(tempo_range)
    hits = tuple(hits)
    points = _points(hits, scene, fps_real, rate)
    ctx = _Context(num, den, unit, split, unit / split, fps_real, rate, ranges, start)
    on_start = [p for p in points if p.seconds * fps_real < 0.5]  # the first frame: beat 0
    points = [p for p in points if p not in on_start]

    bounds = [0.0] + [p.seconds for p in points]
    stages = []
    for k, point in enumerate(points):
        span = bounds[k + 1] - bounds[k]
        stages.append((point, span, ranges.over(bounds[k], bounds[k + 1])))

    choices, tail = _search(stages, scene - bounds[-1], ranges.over(bounds[-1], scene), ctx)
    return _build(hits, on_start, points, choices, tail, scene, ctx)


# --- inputs ---------------------------------------------------------------------


class _Point(Struct, frozen=True):
    """One time the music must reach on a beat: the hits sharing one frame."""

    seconds: float
    downbeat: bool
    members: tuple[int, ...]
    label: str
    ramp: bool = False


class _Context(Struct, frozen=True):
    num: int
    den: int
    unit: float  # the meter's note value, in quarters
    split: int  # counts per unit: 2 when bars may be counted in eighths
    count: float  # one count, in quarters
    fps: float
    rate: FrameRate | None
    ranges: _Ranges
    start: str | None = None

    @property
    def bar(self) -> int:
        """The home bar, in counts."""
        return self.num * self.split


class _Ranges:
    """Tempo range per time: one (lo, hi), or (from_seconds, (lo, hi)) steps."""

    def __init__(self, spec: object) -> None:
        if _is_pair(spec):
            self.steps = [(0.0, _range(spec))]
        elif isinstance(spec, Sequence) and not isinstance(spec, str) and spec:
            steps = []
            for item in spec:
                if not (isinstance(item, Sequence) and len(item) == 2 and _is_number(item[0])):
                    raise TimingError(
                        f"tempo range step {item!r} is not (from_seconds, (lo, hi))"
                    )
                steps.append((float(item[0]), _range(item[1])))
            self.steps = sorted(steps, key=lambda s: s[0])
        else:
            raise TimingError(
                f"tempo range {spec!r} is not (lo, hi) or [(from_seconds, (lo, hi)), ...]"
            )

    def over(self, a: float, b: float) -> tuple[float, float]:
        """The range in force for most of (a, b); before the first step, the first."""
        best, best_overlap = self.steps[0][1], -1.0
        for i, (start, rng) in enumerate(self.steps):
            begin = -math.inf if i == 0 else start
            end = self.steps[i + 1][0] if i + 1 < len(self.steps) else math.inf
            overlap = min(b, end) - max(a, begin)
            if overlap > best_overlap + 1e-9:
                best, best_overlap = rng, overlap
        return best


def _is_number(x: object) -> bool:
    return isinstance(x, Real) and not isinstance(x, bool) and math.isfinite(x)


def _is_pair(x: object) -> bool:
    return (
        isinstance(x, Sequence)
        and not isinstance(x, str)
        and len(x) == 2
        and all(_is_number(v) for v in x)
    )


def _range(x: object) -> tuple[float, float]:
    if not _is_pair(x):
        raise TimingError(f"tempo range {x!r} is not (lo, hi) in bpm")
    lo, hi = float(x[0]), float(x[1])  # type: ignore[index]
    if not 0 < lo <= hi:
        raise TimingError(f"tempo range {lo:g}-{hi:g} bpm is empty or not positive")
    return lo, hi


def _meter(meter: object) -> tuple[int, int]:
    ok = (
        isinstance(meter, Sequence)
        and len(meter) == 2
        and all(isinstance(v, int) and not isinstance(v, bool) for v in meter)
    )
    try:
        if not ok:
            raise MotifgenError("not a pair of whole numbers")
        return parse_meter(tuple(meter))  # type: ignore[arg-type]
    except MotifgenError as e:
        raise TimingError(f"meter {meter!r} is not (beats, note value) like (4, 4)") from e


def _duration(duration: object) -> float:
    if not _is_number(duration) or float(duration) <= 0:  # type: ignore[arg-type]
        raise TimingError(f"scene duration {duration!r} is not a positive number of seconds")
    return float(duration)  # type: ignore[arg-type]


def _frames_per_second(fps: object) -> tuple[float, FrameRate | None]:
    try:
        rate = frame_rate(fps)  # type: ignore[arg-type]
    except TimecodeError:
        if _is_number(fps) and float(fps) > 0:  # type: ignore[arg-type]
            return float(fps), None  # type: ignore[arg-type]
        raise
    return float(rate.fps), rate


def _points(
    hits: tuple[Hit, ...], scene: float, fps: float, rate: FrameRate | None
) -> list[_Point]:
    for hit in hits:
        if not isinstance(hit, Hit):
            raise TimingError(f"{hit!r} is not a Hit")
        if not _is_number(hit.seconds):
            raise TimingError(f"hit {hit.label!r} has no time in seconds: {hit.seconds!r}")
        t = float(hit.seconds)
        if t < 0:
            raise TimingError(
                f"hit {hit.label!r} ({_timecode(t, rate)}) is before the start of the scene"
            )
        if t > scene + 1e-9:
            raise TimingError(
                f"hit {hit.label!r} ({_timecode(t, rate)}, {t:.3f} s) is after the end of "
                f"the scene ({_timecode(scene, rate)}, {scene:.3f} s)"
            )
    order = sorted(range(len(hits)), key=lambda i: (float(hits[i].seconds), i))
    groups: list[list[int]] = []
    for i in order:
        if groups and float(hits[i].seconds) - float(hits[groups[-1][0]].seconds) < 0.5 / fps:
            groups[-1].append(i)
        else:
            groups.append([i])
    points = []
    for members in groups:
        lead = max(members, key=lambda i: (hits[i].weight, hits[i].kind != "section", -i))
        points.append(
            _Point(
                seconds=float(hits[lead].seconds),
                downbeat=any(hits[i].downbeat for i in members),
                members=tuple(members),
                label=hits[lead].label,
                ramp=any(hits[i].ramp for i in members),
            )
        )
    return points


def _counts(span: float, lo: float, hi: float, count: float) -> range:
    """Whole counts (of `count` quarters) that cover `span` seconds within lo-hi bpm."""
    counts_per_bpm = span / (60.0 * count)
    first = max(1, math.ceil(counts_per_bpm * lo - _BEAT_EPS))
    last = math.floor(counts_per_bpm * hi + _BEAT_EPS)
    return range(first, last + 1)


def _bands(rng: tuple[float, float]) -> tuple[tuple[float, float], ...]:
    """The mood's range, the range widened by `EXCURSION`, and the widest tempi."""
    lo, hi = rng
    near = (lo * (1 - EXCURSION), hi * (1 + EXCURSION))
    return rng, near, (min(MIN_BPM, near[0]), max(MAX_BPM, near[1]))


def _outside(bpm: float, rng: tuple[float, float]) -> float:
    """Percent by which `bpm` lies above (+) or below (-) `rng`; 0 inside it."""
    lo, hi = rng
    if bpm < lo * (1 - 1e-9):
        return -100.0 * (lo - bpm) / lo
    if bpm > hi * (1 + 1e-9):
        return 100.0 * (bpm - hi) / hi
    return 0.0


def _outside_cost(bpm: float, rng: tuple[float, float]) -> float:
    """`EXCURSION_COST` or `WIDE_COST` for a tempo outside `rng`, growing with the distance."""
    percent = _outside(bpm, rng)
    if percent == 0:
        return 0.0
    base = EXCURSION_COST if abs(percent) <= 100 * EXCURSION + 1e-9 else WIDE_COST
    return base + percent**2


#: Names of the counts a meter may have, in quarters.
_NOTE_NAMES = {4.0: "whole note", 2.0: "half note", 1.0: "quarter", 0.5: "eighth",
               0.25: "sixteenth", 0.125: "thirty-second"}


def _impossible(before: _Point | None, point: _Point, span: float,
                rng: tuple[float, float], ctx: _Context) -> TimingError:
    """Why `point` cannot be caught after `before`, and what to change."""
    frames = round(span * ctx.fps)
    where = f"{point.label!r} ({_timecode(point.seconds, ctx.rate, ctx.start)})"
    if before is None:
        what = f"hit {where} is {frames} frames after the start of the scene"
    else:
        when = _timecode(before.seconds, ctx.rate, ctx.start)
        what = f"hits {before.label!r} ({when}) and {where} are {frames} frames apart"
    fastest = _bands(rng)[2][1]
    one = 60.0 * ctx.count / fastest  # the shortest count: seconds

    def needed(counts: int) -> int:
        return max(1, math.ceil((counts * one - span) * ctx.fps - 1e-9))

    shortest = 2 if point.downbeat and ctx.split > 1 else 1
    fix = f"move {point.label!r} at least {needed(shortest)} frames later"
    if point.downbeat and span >= one - 1e-9:
        fix += ", or make it `downbeat: false` (it may then fall between beats)"
    return TimingError(
        f"{what}; no tempo from {_bands(rng)[2][0]:g} to {fastest:g} bpm and no meter catches "
        f"{'both' if before else 'it'} (the mood asks {rng[0]:g}-{rng[1]:g} bpm; one "
        f"{_NOTE_NAMES.get(ctx.count, 'count')} at {fastest:g} bpm lasts "
        f"{one * ctx.fps:.1f} frames): {fix}"
    )


def _timecode(seconds: float, rate: FrameRate | None, start: str | None = None) -> str:
    if rate is None or seconds < 0:
        return f"{seconds:.3f} s"
    if start is None:
        return seconds_to_timecode(seconds, rate)
    return offset_timecode(start, seconds, rate)


# --- the search -----------------------------------------------------------------


class _Choice(Struct, frozen=True):
    """One segment: `units` counts; a changed bar of `odd_bar` counts starting
    `odd_start` counts after the bar line at or before the segment start. `band`: the
    tempi its rounding may use (the mood's range, or the excursion it needed)."""

    units: int
    phase: int  # counts past the last bar line at the segment's end
    bpm: float
    rng: tuple[float, float]
    band: tuple[float, float]
    odd_bar: int = 0
    odd_start: int = 0


class _Node(Struct, frozen=True):
    cost: float
    prev: object
    choice: _Choice | None


def _jump_cost(a: float | None, b: float, same_range: bool) -> float:
    if a is None:
        return 0.0
    weight = 1.0 if same_range else SECTION_JUMP_WEIGHT
    return weight * (100.0 * math.log(b / a)) ** 2


def _centre_cost(bpm: float, rng: tuple[float, float]) -> float:
    return CENTRE_WEIGHT * (100.0 * math.log(bpm / ((rng[0] + rng[1]) / 2))) ** 2


def _step_cost(base: float, prev: _Choice | None, bpm: float,
               rng: tuple[float, float]) -> float:
    """`base` plus the cost of playing at `bpm` in `rng` after the segment `prev`."""
    cost = base + _centre_cost(bpm, rng) + _outside_cost(bpm, rng)
    if prev is not None:
        cost += _jump_cost(prev.bpm, bpm, prev.rng == rng)
    return cost


@lru_cache(maxsize=4096)
def _changed_bar(total: int, bar: int, split: int) -> tuple[int, float] | None:
    """The changed bar (in counts, and its cost) that makes `total` counts past a bar
    line end on a bar line, for a home bar of `bar` counts of which `split` make a beat;
    None when only a bar shorter than a beat would."""
    short = total % bar
    options = [length for length in (short, short + bar)
               if split <= length <= total and (length % split == 0 or length <= 32)]
    if not options:
        return None
    best = min(options, key=lambda length: (abs(length - bar), length))
    cost = CHANGED_BAR_COST * (1 + 0.5 * (abs(best - bar) / split - 1))
    return best, cost + (EIGHTH_BAR_COST if best % split else 0.0)


class _Stage:
    """The ways to reach one point: per band of `_bands` (with off-beats allowed in the
    last), the candidate counts with their tempo and the costs that do not depend on
    the segment before, computed when first asked for."""

    def __init__(self, point: _Point, span: float, rng: tuple[float, float],
                 ctx: _Context) -> None:
        self.point, self.span, self.rng, self.ctx = point, span, rng, ctx
        bands = _bands(rng)
        self.tiers = ((bands[0], False), (bands[1], False), (bands[2], False),
                      (bands[2], True))
        self._rows: dict[tuple[float, float], list] = {}

    def rows(self, band: tuple[float, float]) -> list:
        """(count, bpm, log bpm, band used, cost of the tempo itself) per count."""
        if band not in self._rows:
            rows = []
            for n in _counts(self.span, *band, self.ctx.count):
                bpm = 60.0 * n * self.ctx.count / self.span
                inside = _outside(bpm, self.rng) == 0
                rows.append((n, bpm, math.log(bpm), self.rng if inside else band,
                             _centre_cost(bpm, self.rng) + _outside_cost(bpm, self.rng)))
            self._rows[band] = rows
        return self._rows[band]

    def options(self, prev: _Choice | None) -> list[tuple]:
        """(count, phase after, bpm, band used, changed bar, its start, cost beyond the
        node's) for every way to reach the point after `prev`, from the first tier that
        has any."""
        ctx, downbeat = self.ctx, self.point.downbeat
        bar, split = ctx.bar, ctx.split
        phase = prev.phase if prev else 0
        jump_weight, prev_log = 0.0, 0.0
        if prev is not None:
            jump_weight = 1.0 if prev.rng == self.rng else SECTION_JUMP_WEIGHT
            prev_log = math.log(prev.bpm)
        for band, offbeat in self.tiers:
            found = []
            for n, bpm, log_bpm, used, cost in self.rows(band):
                total = phase + n
                odd = odd_start = after = 0
                if downbeat:
                    if total % bar:
                        changed = _changed_bar(total, bar, split)
                        if changed is None:
                            continue
                        odd, extra = changed
                        odd_start = total - odd
                        cost += extra
                else:
                    after = total % bar
                    if after % split:
                        if not offbeat:
                            continue
                        cost += OFFBEAT_COST
                if jump_weight:
                    cost += jump_weight * (100.0 * (log_bpm - prev_log)) ** 2
                found.append((n, after, bpm, used, odd, odd_start, cost))
            if found:
                return found
        return []


def _tail_nodes(layer: dict[object, _Node], tail: float, tail_range: tuple[float, float],
                ctx: _Context, hits: bool) -> dict[object, _Node]:
    """The best ways to play the tail after the last hit from each node of the last
    layer: a whole number of bars ("bar", n), or free time ("free") at a cost."""
    num = ctx.bar
    tail_nodes: dict[object, _Node] = {}
    free_cost = FREE_TAIL_COST if hits else _NO_HITS_FREE_TAIL_COST
    counts = _counts(tail, *tail_range, ctx.count)
    for key, node in layer.items():
        prev = node.choice
        phase = prev.phase if prev else 0
        for n in counts:
            if (phase + n) % num:
                continue
            bpm = 60.0 * n * ctx.count / tail
            cost = _step_cost(node.cost, prev, bpm, tail_range)
            if ("bar", n) not in tail_nodes or cost < tail_nodes[("bar", n)].cost:
                tail_nodes[("bar", n)] = _Node(
                    cost, key, _Choice(n, 0, bpm, tail_range, tail_range))
        lo, hi = tail_range
        bpm = (lo + hi) / 2 if prev is None else min(max(prev.bpm, lo), hi)
        cost = _step_cost(node.cost + free_cost, prev, bpm, tail_range)
        if "free" not in tail_nodes or cost < tail_nodes["free"].cost:
            tail_nodes["free"] = _Node(cost, key,
                                       _Choice(0, -1, bpm, tail_range, tail_range))
    return tail_nodes


def _search(
    stages: list,
    tail: float,
    tail_range: tuple[float, float],
    ctx: _Context,
) -> tuple[list[_Choice], _Choice | None]:
    """The cheapest bar count per span between hits (a beam search over the stages),
    and the tail's choice after the last hit (None when there is no tail)."""
    start = _Node(0.0, None, None)
    layer: dict[object, _Node] = {(0, 0): start}
    history: list[dict[object, _Node]] = []
    for k, (point, span, rng) in enumerate(stages):
        stage = _Stage(point, span, rng, ctx)
        nxt: dict[object, _Node] = {}
        for key, node in layer.items():
            for n, after, bpm, used, odd, odd_start, extra in stage.options(node.choice):
                cost = node.cost + extra
                new_key = (n, after)
                if new_key not in nxt or cost < nxt[new_key].cost:
                    choice = _Choice(n, after, bpm, rng, used, odd, odd_start)
                    nxt[new_key] = _Node(cost, key, choice)
        if not nxt:
            raise _impossible(stages[k - 1][0] if k else None, point, span, rng, ctx)
        if len(nxt) > _BEAM:  # long segments over wide ranges: keep the best candidates
            nxt = dict(sorted(nxt.items(), key=lambda item: item[1].cost)[:_BEAM])
        history.append(nxt)
        layer = nxt

    tail_nodes = _tail_nodes(layer, tail, tail_range, ctx, bool(stages)) if tail > 1e-9 else {}
    ends = tail_nodes or layer
    key = min(ends, key=lambda k: ends[k].cost)
    node = ends[key]
    tail_choice = None
    if tail_nodes:
        tail_choice = node.choice
        key = node.prev
    choices: list[_Choice] = []
    for nodes in reversed(history):
        node = nodes[key]
        choices.append(node.choice)  # type: ignore[arg-type]
        key = node.prev
    choices.reverse()
    return choices, tail_choice


# --- gradual tempo changes ---------------------------------------------------------


def _ramp_tempo(start: float, end: float, step: int, steps: int) -> float:
    """The tempo of step `step` of `steps` from `start` to `end`, linear in beats (the
    end tempo itself belongs to what follows)."""
    return start + (end - start) * (step + 1) / (steps + 1)


def _ramp(beats: float, seconds: float, end_bpm: float, ctx: _Context,
          band: tuple[float, float]) -> tuple[float, list[float]] | None:
    """(quarters held before the ramp, the tempo of each count of the ramp) so that `beats`
    quarters last `seconds` and end by moving into `end_bpm`; the longest ramp up to
    `RAMP_BARS` bars whose starting tempo stays inside `band`. None when none does."""
    bar = ctx.num * ctx.unit
    lengths = [RAMP_BARS * bar, bar, beats]
    for ramp_beats in dict.fromkeys(b for b in lengths if b <= beats + 1e-9):
        steps = round(ramp_beats / ctx.count)
        if steps < 1:
            continue
        held = max(0.0, beats - steps * ctx.count)

        def length(s: float, steps: int = steps, held: float = held) -> float:
            ramp = sum(ctx.count * 60.0 / _ramp_tempo(s, end_bpm, j, steps)
                       for j in range(steps))
            return held * 60.0 / s + ramp

        lo, hi = band
        if not length(hi) <= seconds <= length(lo):
            continue
        for _ in range(60):  # bisection: the length falls as the starting tempo rises
            mid = (lo + hi) / 2
            lo, hi = (mid, hi) if length(mid) > seconds else (lo, mid)
        s = (lo + hi) / 2
        return held, [_ramp_tempo(s, end_bpm, j, steps) for j in range(steps)]
    return None


# --- the result -----------------------------------------------------------------


def _microseconds(seconds_per_quarter: float, rng: tuple[float, float]) -> int:
    """Whole microseconds per quarter nearest the wanted tempo, kept inside the range."""
    fastest, slowest = math.ceil(60e6 / rng[1]), math.floor(60e6 / rng[0])
    us = round(seconds_per_quarter * 1e6)
    if fastest > slowest:  # a fixed tempo no whole microsecond matches
        return us
    return min(max(us, fastest), slowest)


def _segment(tempos: list, ramps: list, at_beats: float, at_seconds: float, beats: float,
             target: float, choice: _Choice, into: float | None, ctx: _Context) -> float:
    """Append one segment's tempo events (a held tempo, or a held tempo and a ramp
    into `into` bpm); return the seconds it ends at."""
    shape = None
    if into is not None and abs(math.log(into / choice.bpm)) > 0.005:
        lo, hi = choice.rng
        shape = _ramp(beats, target - at_seconds, into, ctx,
                      (lo * (1 - EXCURSION), hi * (1 + EXCURSION)))
    if shape is None:
        us = _microseconds((target - at_seconds) / beats, choice.band)
        _append_tempo(tempos, at_beats, 60e6 / us)
        return at_seconds + beats * us / 1e6
    held, steps = shape
    step_us = [round(60e6 / bpm) for bpm in steps]
    ramp_seconds = sum(ctx.count * us / 1e6 for us in step_us)
    if held > 1e-9:
        us = round((target - at_seconds - ramp_seconds) / held * 1e6)
        _append_tempo(tempos, at_beats, 60e6 / us)
        at_seconds += held * us / 1e6
    for j, us in enumerate(step_us):
        _append_tempo(tempos, at_beats + held + j * ctx.count, 60e6 / us)
    ramps.append((at_beats + held, at_beats + beats))
    return at_seconds + ramp_seconds


def _segments(points: list[_Point], choices: list[_Choice], tail: _Choice | None,
              ctx: _Context, meters: dict[int, tuple[int, int]],
              tempos: list[tuple[float, float]], ramps: list[tuple[float, float]],
              excursions: list[Excursion]) -> tuple[int, float, list[float]]:
    """Each span's tempo events, odd bar and excursion into `meters`, `tempos`, `ramps`
    and `excursions`; return the units and seconds the last span ends at and the beat
    of every point."""
    count, home = ctx.count, (ctx.num, ctx.den)
    at_units, phase, at_seconds = 0, 0, 0.0
    point_beats = []
    following = [c.bpm for c in choices[1:]] + [tail.bpm if tail is not None else None]
    for point, choice, into in zip(points, choices, following):
        anchor = at_units - phase  # the bar line at or before the segment start
        if choice.odd_bar:
            length = choice.odd_bar
            odd_meter = ((length // ctx.split, ctx.den) if length % ctx.split == 0
                         else (length, ctx.den * ctx.split))
            meters[anchor + choice.odd_start] = odd_meter
        beats = choice.units * count
        first = len(tempos)
        at_seconds = _segment(tempos, ramps, at_units * count, at_seconds, beats,
                              point.seconds, choice, into if point.ramp else None, ctx)
        bpm = tempos[first][1] if len(tempos) > first else tempos[-1][1]
        if _outside(bpm, choice.rng):
            excursions.append(Excursion(point.label, at_units * count,
                                        at_units * count + beats, bpm, choice.rng,
                                        round(_outside(bpm, choice.rng), 2)))
        at_units += choice.units
        if point.downbeat:
            meters[at_units] = home
        phase = choice.phase
        point_beats.append(at_units * count)
    return at_units, at_seconds, point_beats


def _tail_tempo(tempos: list[tuple[float, float]], tail: _Choice | None, at_units: int,
                at_seconds: float, scene: float, count: float) -> float | None:
    """The tail's tempo after the last hit: whole bars to the scene end (return where the
    cue ends), or free time at the tail's tempo (None: the scene's end decides)."""
    if tail is not None and tail.units:
        beats = tail.units * count
        us = _microseconds((scene - at_seconds) / beats, tail.rng)
        _append_tempo(tempos, at_units * count, 60e6 / us)
        return (at_units + tail.units) * count
    if tail is not None:
        if tempos and _close(tempos[-1][1], tail.bpm):
            bpm = tempos[-1][1]  # keep the last segment's (rounded) tempo
        else:
            bpm = 60e6 / _microseconds(60.0 / tail.bpm, tail.rng)
        _append_tempo(tempos, at_units * count, bpm)
    return None


def _build(
    hits: tuple[Hit, ...],
    on_start: list[_Point],
    points: list[_Point],
    choices: list[_Choice],
    tail: _Choice | None,
    scene: float,
    ctx: _Context,
) -> TimingPlan:
    """The timing plan from the search's choices: tempo and meter events, the beat of
    every hit and how many frames off it lands (refused past a quarter frame)."""
    count, home = ctx.count, (ctx.num, ctx.den)
    meters: dict[int, tuple[int, int]] = {0: home}
    tempos: list[tuple[float, float]] = []
    ramps: list[tuple[float, float]] = []
    excursions: list[Excursion] = []
    at_units, at_seconds, point_beats = _segments(points, choices, tail, ctx, meters, tempos,
                                                  ramps, excursions)
    length_beats = _tail_tempo(tempos, tail, at_units, at_seconds, scene, count)
    if not tempos:  # the last hit is the scene end and there are none: impossible
        raise TimingError("nothing to time: a scene needs a positive duration")

    meter_list: list[tuple[float, tuple[int, int]]] = []
    for unit in sorted(meters):
        if not meter_list or meter_list[-1][1] != meters[unit]:
            meter_list.append((unit * count, meters[unit]))
    tempo_map = TempoMap(tempos=tuple(tempos), meters=tuple(meter_list), ramps=tuple(ramps))
    if length_beats is None:
        length_beats = tempo_map.beat_at(scene) if tail is not None else point_beats[-1]

    beat_of_hit = [0.0] * len(hits)
    for point, beat in zip(points, point_beats):
        for i in point.members:
            beat_of_hit[i] = beat
    frames_off = tuple(
        (tempo_map.seconds_at(beat) - float(hit.seconds)) * ctx.fps
        for hit, beat in zip(hits, beat_of_hit)
    )
    for point, beat in [(p, 0.0) for p in on_start] + list(zip(points, point_beats)):
        late = (tempo_map.seconds_at(beat) - point.seconds) * ctx.fps
        if abs(late) > 0.25:
            raise TimingError(
                f"hit {point.label!r} ({_timecode(point.seconds, ctx.rate)}) would be "
                f"{late:+.2f} frames off: the scene is too long for MIDI's tempo resolution"
            )
    return TimingPlan(
        tempo_map=tempo_map,
        hit_beats=tuple(beat_of_hit),
        frames_off=frames_off,
        length_beats=length_beats,
        hits=hits,
        duration=scene,
        fps=ctx.rate.fps if ctx.rate else Fraction(ctx.fps),
        rate=ctx.rate,
        meter=home,
        excursions=tuple(excursions),
    )


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-6 * max(a, b)


def _append_tempo(tempos: list[tuple[float, float]], beat: float, bpm: float) -> None:
    if not tempos or tempos[-1][1] != bpm:
        tempos.append((beat, bpm))
