"""Hit points -> tempo map: the music reaches every hit exactly on a beat.

A scene has a duration, a meter, a tempo range (one for the whole scene or one
per section) and hits: moments, in seconds from the scene start, that the
music must catch. `solve` returns a piecewise-constant tempo map with one tempo
segment per hit (REFERENCE §2): segment k spans N_k whole beats, so its tempo is
``bpm_k = 60 * N_k * beat / (t_k - t_{k-1})``. A small dynamic programme picks
every N_k so that

- each tempo lies in its section's range,
- a downbeat hit (``downbeat=True``, also every section start) lands on a bar
  line and any other hit on a beat (a whole count of the meter's note value:
  quarters in 4/4, eighths in 6/8),
- the tempo changes little from segment to segment and stays near the middle of
  its range.

When no whole number of bars fits the range between two downbeat hits, one bar
of changed meter goes just before the hit (a 2/4, 3/4 or 5/4 bar in 4/4, as
film composers do); the home meter returns on the hit's bar line. A changed bar
costs as much as a 20 % tempo jump, so the solver also uses one when it saves a
bigger jump. Changed bars sit nearest to the home bar length (5/4 before 1/4).

Tempi are chosen as whole microseconds per quarter, the resolution of a MIDI
tempo event (``round(60e6 / bpm)``), and each segment is aimed at its hit's
absolute time, so rounding never accumulates: every hit lands far inside a
quarter of a frame, and `TimingPlan.frames_off` reports the remainder.

Two downbeat hits 5.2 s apart at 100-132 bpm: 9, 10 or 11 beats fit, never
two or three whole bars, so a 3/4 bar goes before the second hit:

>>> plan = solve(20, [Hit(4.0, "A"), Hit(9.2, "B")], (100, 132), (4, 4))
>>> plan.hit_beats, [round(bpm, 2) for bpm in plan.tempo_map.bpms]
((8.0, 19.0), [120.0, 126.92])
>>> plan.tempo_map.meters
((0.0, (4, 4)), (16.0, (3, 4)), (19.0, (4, 4)))
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from numbers import Real

from .errors import MotifgenError, TimecodeError, TimingError
from .score import TempoMap
from .theory import parse_meter
from .timecode import FrameRate, frame_rate, offset_timecode, seconds_to_timecode

__all__ = ["Hit", "ReportRow", "TimingPlan", "solve"]

#: Cost of one changed-meter bar, in the units of a tempo jump (percent squared):
#: the same as a 20 % tempo jump.
CHANGED_BAR_COST = 20.0**2
#: Cost of letting the scene end fall mid-bar instead of changing the tail's tempo:
#: a 5 % tempo jump. Without hits, ending on a bar line wins whenever it can.
FREE_TAIL_COST = 5.0**2
_NO_HITS_FREE_TAIL_COST = 1e9
#: Weight of the distance from the middle of the range against tempo jumps.
CENTRE_WEIGHT = 0.1
#: Weight of a tempo jump where the tempo range changes (a new section's mood).
SECTION_JUMP_WEIGHT = 0.1
#: Search width: the cheapest partial plans kept after each hit.
_BEAM = 256
#: Tolerance in beats when asking whether a tempo fits the range.
_BEAT_EPS = 1e-6


@dataclass(frozen=True)
class Hit:
    """A moment the music must catch, `seconds` after the scene start.

    `downbeat` hits land on a bar line, others on a beat. The arranger passes
    section (mood) starts as ``kind="section", downbeat=True``. Hits that share
    a frame are caught together; the heaviest one (`weight`) sets the time.
    """

    seconds: float | Fraction
    label: str
    downbeat: bool = True
    weight: float = 1.0
    kind: str = "hit"


@dataclass(frozen=True)
class ReportRow:
    """One line of a timing report."""

    label: str
    kind: str
    timecode: str
    seconds: float
    bar: int
    beat: float  # within the bar, from 1, counted in the meter's note value
    bpm: float  # the tempo leading into the hit
    frames_off: float

    @property
    def bar_beat(self) -> str:
        return f"{self.bar}.{self.beat:g}"


@dataclass(frozen=True)
class TimingPlan:
    """The solver's answer.

    `hit_beats` and `frames_off` follow the input order of the hits;
    `frames_off` is (actual - wanted) time in frames, signed. `length_beats` is
    the beat at the scene's end (a bar line when the solver could place one there).
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

    def rows(self, start: str | None = None) -> list[ReportRow]:
        """One row per hit, in time order. `start`: the scene's start timecode,
        to show absolute timecodes instead of offsets from the scene start."""
        order = sorted(range(len(self.hits)), key=lambda i: (float(self.hits[i].seconds), i))
        return [self._row(i, start) for i in order]

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

    def _row(self, i: int, start: str | None) -> ReportRow:
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
    the hits when no tempo in range puts two neighbouring hits on the beat.

    >>> plan = solve(30, [Hit(7.5, "a", downbeat=False), Hit(16, "b")], (100, 132), (4, 4))
    >>> plan.tempo_map.bpms, plan.hit_beats, plan.length_beats
    ([120.0], (15.0, 32.0), 60.0)
    """
    fps_real, rate = _frames_per_second(fps)
    num, den = _meter(meter)
    unit = 4.0 / den
    scene = _duration(duration)
    ranges = _Ranges(tempo_range)
    hits = tuple(hits)
    points = _points(hits, scene, fps_real, rate)
    ctx = _Context(num, den, unit, fps_real, rate, ranges, start)

    bounds = [0.0] + [p.seconds for p in points]
    stages = []
    for k, point in enumerate(points):
        lo, hi = ranges.over(bounds[k], bounds[k + 1])
        span = bounds[k + 1] - bounds[k]
        counts = _counts(span, lo, hi, unit)
        if not counts:
            raise _impossible(points[k - 1] if k else None, point, span, (lo, hi), ctx)
        stages.append((point, span, (lo, hi), counts))

    choices, tail = _search(stages, scene - bounds[-1], ranges.over(bounds[-1], scene), ctx)
    return _build(hits, points, choices, tail, scene, ctx)


# --- inputs ---------------------------------------------------------------------


@dataclass(frozen=True)
class _Point:
    """One time the music must reach on a beat: the hits sharing one frame."""

    seconds: float
    downbeat: bool
    members: tuple[int, ...]
    label: str


@dataclass(frozen=True)
class _Context:
    num: int
    den: int
    unit: float
    fps: float
    rate: FrameRate | None
    ranges: _Ranges
    start: str | None = None


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
        if t <= 0:
            raise TimingError(
                f"hit {hit.label!r} ({_timecode(t, rate)}) is not after the start of the scene"
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
            )
        )
    return points


def _counts(span: float, lo: float, hi: float, unit: float) -> range:
    """Whole beat counts (of `unit` quarters) that cover `span` seconds within lo-hi bpm."""
    beats_per_unit_bpm = span / (60.0 * unit)
    first = max(1, math.ceil(beats_per_unit_bpm * lo - _BEAT_EPS))
    last = math.floor(beats_per_unit_bpm * hi + _BEAT_EPS)
    return range(first, last + 1)


def _impossible(
    before: _Point | None,
    point: _Point,
    span: float,
    rng: tuple[float, float],
    ctx: _Context,
) -> TimingError:
    lo, hi = rng
    frames = round(span * ctx.fps)
    where = f"{point.label!r} ({_timecode(point.seconds, ctx.rate, ctx.start)})"
    if before is None:
        what = f"hit {where} is {frames} frames after the start of the scene"
        goal = "puts it on a beat"
    else:
        when = _timecode(before.seconds, ctx.rate, ctx.start)
        what = f"hits {before.label!r} ({when}) and {where} are "
        what += f"{frames} frames apart"
        goal = "puts both on the beat"
    beat_frames = 60.0 * ctx.unit / hi * ctx.fps
    n = math.floor(span * lo / (60 * ctx.unit))
    if n < 1:
        why = f"one beat at {hi:g} bpm is already {beat_frames:.1f} frames"
    else:
        fast = 60 * n * ctx.unit / span
        slow = 60 * (n + 1) * ctx.unit / span
        why = f"{n} beat{'s' if n > 1 else ''} need{'s' if n == 1 else ''} {fast:.1f} bpm, "
        why += f"{n + 1} beats need {slow:.1f} bpm"
    return TimingError(f"{what}; no tempo in {lo:g}-{hi:g} bpm {goal} ({why})")


def _timecode(seconds: float, rate: FrameRate | None, start: str | None = None) -> str:
    if rate is None or seconds < 0:
        return f"{seconds:.3f} s"
    if start is None:
        return seconds_to_timecode(seconds, rate)
    return offset_timecode(start, seconds, rate)


# --- the search -----------------------------------------------------------------


@dataclass(frozen=True)
class _Choice:
    """One segment: `units` beats; a changed bar of `odd_bar` beats starting
    `odd_start` beats after the bar line at or before the segment start."""

    units: int
    phase: int  # beats past the last bar line at the segment's end
    bpm: float
    rng: tuple[float, float]
    odd_bar: int = 0
    odd_start: int = 0


@dataclass(frozen=True)
class _Node:
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
    cost = base + _centre_cost(bpm, rng)
    if prev is not None:
        cost += _jump_cost(prev.bpm, bpm, prev.rng == rng)
    return cost


def _changed_bar(total: int, num: int) -> tuple[int, float]:
    """The changed bar that makes `total` beats past a bar line end on a bar line."""
    short = total % num
    options = [short]
    if total >= short + num:
        options.append(short + num)
    best = min(options, key=lambda length: (abs(length - num), length))
    return best, CHANGED_BAR_COST * (1 + 0.5 * (abs(best - num) - 1))


def _search(
    stages: list,
    tail: float,
    tail_range: tuple[float, float],
    ctx: _Context,
) -> tuple[list[_Choice], _Choice | None]:
    num = ctx.num
    start = _Node(0.0, None, None)
    layer: dict[object, _Node] = {(0, 0): start}
    history: list[dict[object, _Node]] = []
    for point, span, rng, counts in stages:
        nxt: dict[object, _Node] = {}
        for key, node in layer.items():
            prev = node.choice
            phase = prev.phase if prev else 0
            for n in counts:
                bpm = 60.0 * n * ctx.unit / span
                cost = _step_cost(node.cost, prev, bpm, rng)
                odd = odd_start = 0
                if point.downbeat:
                    if (phase + n) % num:
                        odd, penalty = _changed_bar(phase + n, num)
                        odd_start = phase + n - odd
                        cost += penalty
                    after = 0
                else:
                    after = (phase + n) % num
                new_key = (n, after)
                if new_key not in nxt or cost < nxt[new_key].cost:
                    choice = _Choice(n, after, bpm, rng, odd, odd_start)
                    nxt[new_key] = _Node(cost, key, choice)
        if len(nxt) > _BEAM:  # long segments over wide ranges: keep the best candidates
            nxt = dict(sorted(nxt.items(), key=lambda item: item[1].cost)[:_BEAM])
        history.append(nxt)
        layer = nxt

    tail_nodes: dict[object, _Node] = {}
    if tail > 1e-9:
        free_cost = FREE_TAIL_COST if stages else _NO_HITS_FREE_TAIL_COST
        counts = _counts(tail, *tail_range, ctx.unit)
        for key, node in layer.items():
            prev = node.choice
            phase = prev.phase if prev else 0
            for n in counts:
                if (phase + n) % num:
                    continue
                bpm = 60.0 * n * ctx.unit / tail
                cost = _step_cost(node.cost, prev, bpm, tail_range)
                if ("bar", n) not in tail_nodes or cost < tail_nodes[("bar", n)].cost:
                    tail_nodes[("bar", n)] = _Node(cost, key, _Choice(n, 0, bpm, tail_range))
            lo, hi = tail_range
            bpm = (lo + hi) / 2 if prev is None else min(max(prev.bpm, lo), hi)
            cost = _step_cost(node.cost + free_cost, prev, bpm, tail_range)
            if "free" not in tail_nodes or cost < tail_nodes["free"].cost:
                tail_nodes["free"] = _Node(cost, key, _Choice(0, -1, bpm, tail_range))

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


# --- the result -----------------------------------------------------------------


def _microseconds(seconds_per_quarter: float, rng: tuple[float, float]) -> int:
    """Whole microseconds per quarter nearest the wanted tempo, kept inside the range."""
    fastest, slowest = math.ceil(60e6 / rng[1]), math.floor(60e6 / rng[0])
    us = round(seconds_per_quarter * 1e6)
    if fastest > slowest:  # a fixed tempo no whole microsecond matches
        return us
    return min(max(us, fastest), slowest)


def _build(
    hits: tuple[Hit, ...],
    points: list[_Point],
    choices: list[_Choice],
    tail: _Choice | None,
    scene: float,
    ctx: _Context,
) -> TimingPlan:
    unit, home = ctx.unit, (ctx.num, ctx.den)
    meters: dict[int, tuple[int, int]] = {0: home}
    tempos: list[tuple[float, float]] = []
    at_units, phase, at_seconds = 0, 0, 0.0
    point_beats = []
    for point, choice in zip(points, choices):
        anchor = at_units - phase  # the bar line at or before the segment start
        if choice.odd_bar:
            meters[anchor + choice.odd_start] = (choice.odd_bar, ctx.den)
        beats = choice.units * unit
        us = _microseconds((point.seconds - at_seconds) / beats, choice.rng)
        _append_tempo(tempos, at_units * unit, 60e6 / us)
        at_seconds += beats * us / 1e6
        at_units += choice.units
        if point.downbeat:
            meters[at_units] = home
        phase = choice.phase
        point_beats.append(at_units * unit)

    length_beats = None
    if tail is not None and tail.units:
        beats = tail.units * unit
        us = _microseconds((scene - at_seconds) / beats, tail.rng)
        _append_tempo(tempos, at_units * unit, 60e6 / us)
        length_beats = (at_units + tail.units) * unit
    elif tail is not None:
        if tempos and _close(tempos[-1][1], tail.bpm):
            bpm = tempos[-1][1]  # keep the last segment's (rounded) tempo
        else:
            bpm = 60e6 / _microseconds(60.0 / tail.bpm, tail.rng)
        _append_tempo(tempos, at_units * unit, bpm)
    if not tempos:  # the last hit is the scene end and there are none: impossible
        raise TimingError("nothing to time: a scene needs a positive duration")

    meter_list: list[tuple[float, tuple[int, int]]] = []
    for beat in sorted(meters):
        if not meter_list or meter_list[-1][1] != meters[beat]:
            meter_list.append((beat * unit, meters[beat]))
    tempo_map = TempoMap(tempos=tuple(tempos), meters=tuple(meter_list))
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
    for point, beat in zip(points, point_beats):
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
    )


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-6 * max(a, b)


def _append_tempo(tempos: list[tuple[float, float]], beat: float, bpm: float) -> None:
    if not tempos or tempos[-1][1] != bpm:
        tempos.append((beat, bpm))
