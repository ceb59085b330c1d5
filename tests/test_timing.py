from __future__ import annotations

import math
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from motifgen.errors import TimingError
from motifgen.score import TempoMap
from motifgen.timecode import FRAME_RATES, timecode_to_seconds
from motifgen.timing import Hit, TimingPlan, solve

RANGES = [(60.0, 90.0), (100.0, 132.0), (132.0, 168.0)]


# --- helpers: the properties every plan must have ---------------------------------


def rounded(tm: TempoMap) -> TempoMap:
    """The tempo map a MIDI file stores: whole microseconds per quarter."""
    tempos = tuple((b, 60e6 / round(60e6 / bpm)) for b, bpm in tm.tempos)
    return TempoMap(tempos=tempos, meters=tm.meters)


Ranges = list[tuple[float, tuple[float, float]]]


def range_at(ranges: Ranges, seconds: float) -> tuple[float, float]:
    current = ranges[0][1]
    for start, rng in ranges:
        if start <= seconds + 1e-9:
            current = rng
    return current


def on_a_beat(tm: TempoMap, beat: float, unit: float) -> bool:
    last_line = max(line for line in tm.bar_lines(beat + 1e-6) if line <= beat + 1e-6)
    steps = (beat - last_line) / unit
    return abs(steps - round(steps)) < 1e-9


def check_plan(
    plan: TimingPlan,
    duration: float,
    hits: list[Hit],
    ranges: Ranges,
    meter: tuple[int, int],
    fps: float,
) -> None:
    tm = plan.tempo_map
    quarter_frame = 0.25 / fps
    assert len(plan.hit_beats) == len(plan.frames_off) == len(hits)
    for hit, beat, off in zip(hits, plan.hit_beats, plan.frames_off):
        t = float(hit.seconds)
        assert abs(tm.seconds_at(beat) - t) <= quarter_frame, hit
        assert abs(rounded(tm).seconds_at(beat) - t) <= quarter_frame, hit
        assert off == pytest.approx((tm.seconds_at(beat) - t) * fps, abs=1e-9)
        assert abs(off) <= 0.25
        if hit.downbeat:
            assert tm.is_bar_line(beat), (hit, beat, tm)
        else:
            assert on_a_beat(tm, beat, 4 / meter[1]), (hit, beat, tm)
    # hits keep their time order in beats, at least one beat apart
    ordered = sorted(zip((float(h.seconds) for h in hits), plan.hit_beats))
    for (_, a), (_, b) in zip(ordered, ordered[1:]):
        assert b - a >= 4 / meter[1] - 1e-9
    # every tempo inside the range in force where it starts (ranges change at hits)
    for beat, bpm in tm.tempos:
        lo, hi = range_at(ranges, tm.seconds_at(beat) + 1e-3)
        assert lo - 1e-9 <= bpm <= hi + 1e-9, (beat, bpm, lo, hi)
        assert round(60e6 / bpm) == pytest.approx(60e6 / bpm, abs=1e-6)  # whole microseconds
    # the scene end
    # (a bar-line ending is off by at most the microsecond rounding of its tempo)
    assert abs(tm.seconds_at(plan.length_beats) - duration) <= 1e-6 * plan.length_beats + 1e-9
    # meters: home first (unless the first bar is a changed one), bars only change
    # right before downbeat hits and the home meter comes back on the hit
    downbeats = {b for h, b in zip(hits, plan.hit_beats) if h.downbeat}
    for i, (beat, m) in enumerate(tm.meters):
        if m == meter:
            continue
        end = tm.meters[i + 1][0] if i + 1 < len(tm.meters) else math.inf
        assert end in downbeats, (tm.meters, downbeats)
        bar = m[0] * 4 / m[1]
        k = 1
        while beat + k * bar < end - 1e-9:  # consecutive changed bars each end on a hit
            assert beat + k * bar in downbeats
            k += 1
        assert beat + k * bar == pytest.approx(end)


@st.composite
def scenes(draw: st.DrawFn) -> tuple:
    duration = draw(st.floats(20, 180))
    count = draw(st.integers(0, 5))
    fps = draw(st.sampled_from([24, 25, Fraction(30000, 1001)]))
    times: list[float] = []
    for _ in range(count):
        t = draw(st.floats(2, duration))
        if all(abs(t - u) >= 2 for u in times):
            times.append(t)
    times.sort()
    meter = draw(st.sampled_from([(4, 4), (4, 4), (3, 4), (2, 4), (6, 8), (5, 4)]))
    rng = draw(st.sampled_from(RANGES))
    ranges = [(0.0, rng)]
    hits = []
    for i, t in enumerate(times):
        t_frames = math.floor(t * fps) / fps if draw(st.booleans()) else t  # on a frame
        if draw(st.integers(0, 3)) == 0:  # a mood change: a section with its own range
            rng = draw(st.sampled_from(RANGES))
            ranges.append((t_frames, rng))
            hits.append(Hit(t_frames, f"section {i}", downbeat=True, kind="section"))
        else:
            hits.append(Hit(t_frames, f"hit {i}", downbeat=draw(st.booleans())))
    shuffled = draw(st.permutations(hits))
    return duration, list(shuffled), ranges, meter, fps


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenes())
def test_random_scenes_catch_every_hit(scene: tuple) -> None:
    duration, hits, ranges, meter, fps = scene
    spec = ranges if len(ranges) > 1 else ranges[0][1]
    plan = solve(duration, hits, spec, meter, fps=fps)
    check_plan(plan, duration, hits, ranges, meter, float(fps))


# --- hand-made cases ---------------------------------------------------------------


def test_one_hit_one_tempo_on_a_bar_line() -> None:
    plan = solve(20.0, [Hit(8.0, "Door opens")], (60, 90), (4, 4))
    assert plan.hit_beats == (12.0,)  # 3 bars at 90 bpm (nearer the middle than 60)
    assert [round(b, 3) for b in plan.tempo_map.bpms] == [90.0]
    assert plan.tempo_map.is_bar_line(12.0)
    check_plan(plan, 20.0, [Hit(8.0, "Door opens")], [(0, (60, 90))], (4, 4), 24)


def test_steady_hits_keep_one_tempo_and_the_home_meter() -> None:
    hits = [Hit(4.0 * k, f"bar {2 * k + 1}") for k in range(1, 5)]  # every 2 bars at 120
    plan = solve(20.0, hits, (100, 132), (4, 4))
    assert plan.tempo_map.bpms == [120.0]
    assert plan.tempo_map.meters == ((0.0, (4, 4)),)
    assert plan.hit_beats == (8.0, 16.0, 24.0, 32.0)
    assert plan.length_beats == 40.0


def test_no_hits_picks_one_mid_range_tempo_ending_on_a_bar_line() -> None:
    plan = solve(30.0, [], (60, 90), (4, 4))
    (bpm,) = plan.tempo_map.bpms
    assert 60 <= bpm <= 90 and abs(bpm - 75) <= 5
    assert plan.length_beats == 36.0
    assert plan.tempo_map.is_bar_line(plan.length_beats)
    assert plan.tempo_map.seconds_at(plan.length_beats) == pytest.approx(30.0, abs=1e-4)


def test_no_hits_in_a_scene_too_short_for_a_bar_keeps_the_middle_tempo() -> None:
    plan = solve(1.0, [], (60, 90), (4, 4))
    assert plan.tempo_map.bpms == [pytest.approx(75.0, abs=1e-3)]
    assert plan.length_beats == pytest.approx(1.25, abs=1e-4)


def test_no_whole_bars_fit_so_one_changed_meter_bar_goes_before_the_hit() -> None:
    # 5.2 s at 100-132 bpm is 8.67-11.44 beats: 9, 10 or 11 beats, never 8 or 12
    hits = [Hit(4.0, "A"), Hit(9.2, "B")]
    plan = solve(20.0, hits, (100, 132), (4, 4))
    assert plan.hit_beats[0] == 8.0
    tm = plan.tempo_map
    # the odd bar ends on B's bar line, the home meter returns there
    assert tm.meters[-1] == (plan.hit_beats[1], (4, 4))
    (odd_start, odd) = tm.meters[-2]
    assert odd in {(2, 4), (3, 4), (5, 4), (6, 4), (1, 4)}
    assert odd_start + odd[0] == plan.hit_beats[1]
    assert len(tm.meters) == 3
    assert tm.is_bar_line(plan.hit_beats[1])
    assert all(100 <= bpm <= 132 for bpm in tm.bpms)
    check_plan(plan, 20.0, hits, [(0, (100, 132))], (4, 4), 24)
    assert "meter" in plan.report() and "B" in plan.report()


def test_changed_bar_after_an_off_beat_hit_keeps_that_hit_on_its_beat() -> None:
    hits = [Hit(3.0, "stab", downbeat=False), Hit(4.5, "boom"), Hit(10.0, "crash")]
    plan = solve(14.0, hits, (60, 90), (3, 4))
    check_plan(plan, 14.0, hits, [(0, (60, 90))], (3, 4), 24)


def test_a_changed_bar_may_hold_the_off_beat_hit_before_it() -> None:
    # 'stab' is one beat in at 60 bpm; 'boom' 2 s later: 2 beats at 60 (a 3/4 bar from
    # the top) cost less than jumping to 90 bpm for 3 beats (a whole 4/4 bar)
    hits = [Hit(1.0, "stab", downbeat=False), Hit(3.0, "boom")]
    plan = solve(11.0, hits, (60, 90), (4, 4))
    assert plan.hit_beats == (1.0, 3.0)
    assert plan.tempo_map.meters == ((0.0, (3, 4)), (3.0, (4, 4)))
    assert plan.tempo_map.bpms == [60.0]
    check_plan(plan, 11.0, hits, [(0, (60, 90))], (4, 4), 24)


def test_long_scenes_over_wide_ranges_stay_fast() -> None:
    hits = [Hit(200, "a", downbeat=False), Hit(400, "b", downbeat=False), Hit(500, "c")]
    plan = solve(600, hits, (60, 168), (7, 16))
    check_plan(plan, 600, hits, [(0, (60, 168))], (7, 16), 24)


def test_section_ranges_apply_from_their_start() -> None:
    hits = [Hit(10.0, "Door opens"), Hit(20.0, "Storm", kind="section")]
    ranges = [(0.0, (60.0, 80.0)), (20.0, (132.0, 168.0))]
    plan = solve(40.0, hits, ranges, (4, 4))
    tm = plan.tempo_map
    assert all(60 <= tm.tempo_at(b) <= 80 for b in (0.0, plan.hit_beats[1] - 0.5))
    assert 132 <= tm.tempo_at(plan.hit_beats[1]) <= 168
    check_plan(plan, 40.0, hits, ranges, (4, 4), 24)


def test_a_section_start_and_a_hit_in_the_same_frame_share_one_bar_line() -> None:
    hits = [
        Hit(Fraction(241, 24), "Door opens", downbeat=False),
        Hit(Fraction(241, 24), "menacing", kind="section"),
    ]
    plan = solve(30.0, hits, [(0, (60, 80)), (Fraction(241, 24), (60, 90))], (4, 4))
    assert plan.hit_beats[0] == plan.hit_beats[1]
    assert plan.tempo_map.is_bar_line(plan.hit_beats[0])


def test_six_eight_hits_land_on_eighths_and_bars_of_three_quarters() -> None:
    hits = [Hit(5.0, "a", downbeat=False), Hit(9.0, "b")]
    plan = solve(16.0, hits, (60, 90), (6, 8))
    check_plan(plan, 16.0, hits, [(0, (60, 90))], (6, 8), 24)
    assert plan.hit_beats[1] % 0.5 == 0


def test_hit_at_the_scene_end_sets_the_length() -> None:
    plan = solve(12.0, [Hit(12.0, "Cut")], (100, 132), (4, 4))
    assert plan.length_beats == plan.hit_beats[0]
    assert plan.tempo_map.is_bar_line(plan.length_beats)


def test_frame_rates_with_pull_down_are_caught_to_a_quarter_frame() -> None:
    rate = FRAME_RATES["29.97df"]
    times = [timecode_to_seconds(tc, rate) for tc in ("00:00:12;03", "00:00:19;17", "00:00:31;00")]
    hits = [Hit(t, f"h{i}", downbeat=i != 1) for i, t in enumerate(times)]
    plan = solve(45.5, hits, (100, 132), (4, 4), fps="29.97df")
    check_plan(plan, 45.5, hits, [(0, (100, 132))], (4, 4), float(rate.fps))
    assert plan.rate is rate
    assert "00:00:12;03" in plan.report()


def test_report_rows_follow_time_order_with_bar_beat_and_tempo() -> None:
    hits = [Hit(16.0, "late"), Hit(7.5, "early", downbeat=False)]
    plan = solve(30.0, hits, (100, 132), (4, 4))
    rows = plan.rows()
    assert [r.label for r in rows] == ["early", "late"]
    assert rows[0].timecode == "00:00:07:12"
    assert rows[1].beat == 1.0  # a downbeat hit is beat 1 of its bar
    assert rows[0].bar_beat == f"{rows[0].bar}.{rows[0].beat:g}"
    assert all(100 <= r.bpm <= 132 for r in rows)
    absolute = plan.rows(start="01:00:12:00")
    assert absolute[0].timecode == "01:00:19:12"
    text = plan.report(start="01:00:12:00")
    assert "01:00:28:00" in text and "late" in text


def test_fps_outside_the_timecode_table_still_solves() -> None:
    plan = solve(10.0, [Hit(4.0, "a")], (100, 132), (4, 4), fps=48)
    assert plan.rate is None
    assert abs(plan.frames_off[0]) <= 0.25
    assert "4.000 s" in plan.report()


# --- impossible and invalid input ------------------------------------------------


def test_hits_three_frames_apart_are_impossible_and_named() -> None:
    hits = [Hit(12 + 3 / 24, "Door slams"), Hit(12 + 6 / 24, "Glass breaks")]
    with pytest.raises(TimingError) as info:
        solve(30.0, hits, (60, 90), (4, 4))
    text = str(info.value)
    assert "'Door slams' (00:00:12:03)" in text
    assert "'Glass breaks' (00:00:12:06)" in text
    assert "3 frames apart" in text and "60-90 bpm" in text


def test_hits_too_close_for_a_downbeat_may_become_off_beat_hits() -> None:
    hits = [Hit(12 + 3 / 24, "Door slams"), Hit(12 + 6 / 24, "Glass breaks")]
    with pytest.raises(TimingError, match=r"move 'Glass breaks' at least 2 frames later, "
                                          r"or make it `downbeat: false`"):
        solve(30.0, hits, (60, 90), (4, 4))
    hits[1] = Hit(12 + 6 / 24, "Glass breaks", downbeat=False)
    plan = solve(30.0, hits, (60, 90), (4, 4))
    assert abs(plan.frames_off[1]) <= 0.25
    assert plan.hit_beats[1] - plan.hit_beats[0] == 0.5  # an eighth at 240 bpm
    assert plan.excursions and plan.excursions[-1].bpm == pytest.approx(240, rel=1e-4)


def test_hits_a_frame_apart_are_refused_naming_the_hit_to_move() -> None:
    hits = [Hit(10.0, "A"), Hit(10 + 1 / 24, "B", downbeat=False)]
    with pytest.raises(TimingError, match=r"move 'B' at least 2 frames later$"):
        solve(30.0, hits, (60, 90), (4, 4))


def test_hits_between_two_beat_counts_take_a_bar_of_eighths() -> None:
    # 1.2 s at 60-90 bpm is 1.2-1.8 beats: no whole number, but three eighths at 75
    hits = [Hit(2.0, "A"), Hit(3.2, "B")]
    plan = solve(20.0, hits, (60, 90), (3, 4))
    assert (plan.hit_beats[0], (3, 8)) in plan.tempo_map.meters
    assert not plan.excursions
    check_plan(plan, 20.0, hits, [(0, (60, 90))], (3, 4), 24)


def test_first_hit_too_close_to_the_start() -> None:
    with pytest.raises(TimingError, match=r"'Boom' \(00:00:00:03\) is 3 frames after the start"):
        solve(20.0, [Hit(3 / 24, "Boom")], (60, 90), (4, 4))


@pytest.mark.parametrize("seconds", [-1 / 24, -1.0, 20.5, float("nan"), "3"])
def test_hits_outside_the_scene_raise(seconds: object) -> None:
    with pytest.raises(TimingError, match="Bad"):
        solve(20.0, [Hit(seconds, "Bad")], (60, 90), (4, 4))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("duration", "tempo_range", "meter"),
    [
        (0, (60, 90), (4, 4)),
        (-5, (60, 90), (4, 4)),
        (10, (90, 60), (4, 4)),
        (10, (0, 60), (4, 4)),
        (10, "fast", (4, 4)),
        (10, [(0, (60, 90)), (5, 70)], (4, 4)),
        (10, (60, 90), (4, 3)),
        (10, (60, 90), (0, 4)),
        (10, (60, 90), "4/4"),
    ],
)
def test_bad_arguments_raise_timing_error(
    duration: float, tempo_range: object, meter: object
) -> None:
    with pytest.raises(TimingError):
        solve(duration, [], tempo_range, meter)  # type: ignore[arg-type]


@pytest.mark.parametrize("meter", [(40, 4), (4, 64), (4, 3), (0, 4), ("4", 4), (True, 4)])
def test_meters_the_project_file_would_reject_are_rejected(meter):
    with pytest.raises(TimingError, match="is not \\(beats, note value\\)"):
        solve(30, [], (60, 90), meter)


# --- musical answers: eighth bars, excursions, the first and last frame, ramps -------


def integrate(tm: TempoMap, beat: float) -> Fraction:
    """Seconds to `beat` summed independently of TempoMap: whole microseconds per quarter,
    as a MIDI file stores them, added up in exact fractions."""
    total, events = Fraction(0), list(tm.tempos) + [(math.inf, 0.0)]
    for (b0, bpm), (b1, _) in zip(events, events[1:]):
        if b0 >= beat:
            break
        us = round(60e6 / bpm)
        total += Fraction(min(b1, beat) - b0) * us / 10**6
    return total


def assert_caught(plan: TimingPlan, hits: list[Hit], fps: float) -> None:
    for hit, beat in zip(hits, plan.hit_beats):
        off = (integrate(plan.tempo_map, beat) - Fraction(float(hit.seconds))) * Fraction(fps)
        assert abs(off) <= Fraction(1, 4), (hit, beat, float(off))
        if hit.downbeat:
            assert plan.tempo_map.is_bar_line(beat), (hit, beat, plan.tempo_map.meters)


def test_an_action_cue_in_three_four_takes_a_bar_of_seven_eight() -> None:
    hits = [Hit(2.4, "A"), Hit(3.8, "B")]
    plan = solve(10.0, hits, (132, 168), (3, 4))
    assert (plan.hit_beats[0], (7, 8)) in plan.tempo_map.meters
    assert plan.tempo_map.tempo_at(plan.hit_beats[0]) == pytest.approx(150, rel=1e-5)
    assert not plan.excursions
    assert "meter 7/8 from bar 3" in plan.report()
    assert_caught(plan, hits, 24)


@pytest.mark.parametrize(("span", "meter", "bar"), [
    (2.5, (4, 4), (5, 8)), (3.5, (4, 4), (7, 8)), (4.5, (4, 4), (9, 8)),
    (2.0, (4, 4), (2, 4)), (5.0, (4, 4), (5, 4)), (3.5, (3, 4), (7, 8)),
])
def test_bars_of_another_meter_catch_what_whole_bars_cannot(span, meter, bar) -> None:
    # a steady 60 bpm hit every bar, then one `span` seconds later
    hits = [Hit(4.0, "A"), Hit(8.0, "B"), Hit(8.0 + span, "C")]
    plan = solve(8.0 + span + 8.0, hits, (58, 62), meter)
    assert (plan.hit_beats[1], bar) in plan.tempo_map.meters
    assert_caught(plan, hits, 24)


def test_tender_hits_a_second_apart_go_just_outside_the_range_and_say_so() -> None:
    hits = [Hit(4.0, "A"), Hit(5.0 + 1 / 600, "B", downbeat=False)]
    plan = solve(12.0, hits, (60, 80), (4, 4))
    assert len(plan.excursions) == 1
    excursion = plan.excursions[0]
    assert excursion.label == "B" and -10 <= excursion.percent < 0
    assert excursion.bpm == pytest.approx(59.9, abs=0.05)
    assert "59.9 bpm into 'B' is 0.2 % below the mood's 60-80" in plan.report()
    assert_caught(plan, hits, 24)


def test_a_bar_of_another_meter_beats_going_outside_the_range() -> None:
    # one 4/4 bar at 132-168 would need 129 bpm; a 7/8 bar at 150 is preferred
    hits = [Hit(2.4, "A"), Hit(4.0 + 0.04, "B")]
    plan = solve(10.0, hits, (132, 168), (4, 4))
    assert not plan.excursions
    assert_caught(plan, hits, 24)


def test_hits_on_the_first_and_last_frame_are_caught() -> None:
    hits = [Hit(0, "Cue start"), Hit(Fraction(1, 1), "early", downbeat=False),
            Hit(12.0, "Last frame")]
    plan = solve(12.0, hits, (100, 132), (4, 4))
    assert plan.hit_beats[0] == 0.0
    assert plan.length_beats == plan.hit_beats[2]
    assert plan.tempo_map.is_bar_line(plan.length_beats)
    assert_caught(plan, hits, 24)


def test_a_ramp_into_a_section_is_a_tempo_event_every_count_and_lands_the_hit() -> None:
    hits = [Hit(20.0, "Storm", kind="section", ramp=True)]
    ranges = [(0.0, (60.0, 70.0)), (20.0, (132.0, 150.0))]
    plan = solve(40.0, hits, ranges, (4, 4))
    tm = plan.tempo_map
    assert len(tm.ramps) == 1
    start, end = tm.ramps[0]
    assert end == plan.hit_beats[0] and end - start in (4.0, 8.0)  # one or two bars
    steps = [b for b, _ in tm.tempos if start - 1e-9 <= b < end]
    assert len(steps) >= end - start  # at least every beat
    bpms = [bpm for b, bpm in tm.tempos if start - 1e-9 <= b <= end + 1e-9]
    assert bpms == sorted(bpms)  # an accelerando
    assert 132 <= tm.tempo_at(end) <= 150
    assert "accel. from bar" in plan.report()
    assert_caught(plan, hits, 24)


@st.composite
def tight_spottings(draw: st.DrawFn) -> tuple:
    """Hits any distance apart over narrow ranges, some reached by a ramp."""
    fps = draw(st.sampled_from([24, 25, Fraction(30000, 1001)]))
    meter = draw(st.sampled_from([(4, 4), (3, 4), (6, 8), (2, 2)]))
    rng = draw(st.sampled_from([(60.0, 80.0), (132.0, 168.0), (100.0, 104.0), (72.0, 72.0)]))
    t, hits, ranges = 0.0, [], [(0.0, rng)]
    for i in range(draw(st.integers(1, 5))):
        t += draw(st.integers(1, 120)) / float(fps)
        if draw(st.integers(0, 3)) == 0:
            rng = draw(st.sampled_from([(60.0, 80.0), (132.0, 168.0)]))
            ranges.append((t, rng))
            hits.append(Hit(t, f"s{i}", kind="section", ramp=draw(st.booleans())))
        else:
            hits.append(Hit(t, f"h{i}", downbeat=draw(st.booleans()), ramp=draw(st.booleans())))
    duration = t + draw(st.floats(0, 10))
    return max(duration, 1.0), hits, ranges, meter, fps


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tight_spottings())
def test_any_spotting_is_caught_unless_hits_are_frames_apart(spotting: tuple) -> None:
    duration, hits, ranges, meter, fps = spotting
    spec = ranges if len(ranges) > 1 else ranges[0][1]
    times = [0.0] + [float(h.seconds) for h in hits]
    shortest = min(b - a for a, b in zip(times, times[1:]))
    try:
        plan = solve(duration, hits, spec, meter, fps=fps)
    except TimingError as e:
        # refused only when two hits (or the start and a hit) are closer than two
        # eighths at 300 bpm, the shortest bar line to bar line there is
        assert shortest < 2 * 60 / 300 * (4 / meter[1]) / (2 if meter[1] <= 4 else 1) + 1e-9
        assert "move" in str(e)
        return
    assert_caught(plan, hits, float(fps))
    for _beat, bpm in plan.tempo_map.tempos:
        assert 20 - 1e-6 <= bpm <= 300 + 1e-6
