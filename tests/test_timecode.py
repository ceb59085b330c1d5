from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from motifgen.errors import TimecodeError
from motifgen.timecode import (
    FRAME_RATES,
    FrameRate,
    frame_rate,
    frames_to_timecode,
    seconds_to_frames,
    seconds_to_timecode,
    timecode_to_frames,
    timecode_to_seconds,
)

DF = FRAME_RATES["29.97df"]
ALL_RATES = list(FRAME_RATES.values())


# --- the table -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "fps", "nominal", "drop", "code"),
    [
        ("23.976", Fraction(24000, 1001), 24, False, 0),
        ("24", Fraction(24), 24, False, 0),
        ("25", Fraction(25), 25, False, 1),
        ("29.97", Fraction(30000, 1001), 30, False, 3),
        ("29.97df", Fraction(30000, 1001), 30, True, 2),
        ("30", Fraction(30), 30, False, 3),
    ],
)
def test_frame_rate_table(name: str, fps: Fraction, nominal: int, drop: bool, code: int) -> None:
    rate = FRAME_RATES[name]
    assert (rate.name, rate.fps, rate.nominal, rate.drop, rate.smpte_code) == (
        name,
        fps,
        nominal,
        drop,
        code,
    )
    assert str(rate) == name
    assert rate.frame_seconds == 1 / fps


@pytest.mark.parametrize(
    ("value", "name"),
    [
        (23.976, "23.976"),
        ("23.976", "23.976"),
        (Fraction(24000, 1001), "23.976"),
        (24, "24"),
        ("24", "24"),
        (24.0, "24"),
        (25, "25"),
        (29.97, "29.97"),
        ("29.97", "29.97"),
        ("29.97df", "29.97df"),
        (" 29.97DF ", "29.97df"),
        (30, "30"),
        ("30", "30"),
    ],
)
def test_frame_rate_accepts_numbers_and_names(value: object, name: str) -> None:
    assert frame_rate(value).name == name  # type: ignore[arg-type]


def test_frame_rate_passes_a_frame_rate_through() -> None:
    assert frame_rate(DF) is DF


@pytest.mark.parametrize("value", [23.98, 48, "60", "29.97ndf", "fast", None, True, float("nan")])
def test_unknown_frame_rate_lists_the_valid_ones(value: object) -> None:
    with pytest.raises(TimecodeError) as info:
        frame_rate(value)  # type: ignore[arg-type]
    for name in FRAME_RATES:
        assert name in str(info.value)


# --- REFERENCE §1 checks ----------------------------------------------------------


@pytest.mark.parametrize(
    ("frames", "label"),
    [
        (0, "00:00:00;00"),
        (1799, "00:00:59;29"),
        (1800, "00:01:00;02"),
        (3597, "00:01:59;29"),
        (3598, "00:02:00;02"),
        (17981, "00:09:59;29"),
        (17982, "00:10:00;00"),
        (17983, "00:10:00;01"),
        (19782, "00:11:00;02"),
        (107892, "01:00:00;00"),
    ],
)
def test_drop_frame_reference_labels(frames: int, label: str) -> None:
    assert frames_to_timecode(frames, DF) == label
    assert timecode_to_frames(label, DF) == frames


def test_one_hour_of_23_976_timecode_is_3603_6_real_seconds() -> None:
    assert timecode_to_seconds("01:00:00:00", "23.976") == Fraction(36036, 10)


def test_one_hour_of_drop_frame_is_within_a_frame_of_an_hour() -> None:
    seconds = timecode_to_seconds("01:00:00;00", DF)
    assert abs(seconds - 3600) < Fraction(1, 30)  # 3599.9964 s


def test_non_drop_formula() -> None:
    # seconds = (((hh*60+mm)*60+ss)*nominal + ff) / real_fps
    assert timecode_to_seconds("01:02:03:04", 25) == Fraction(((1 * 60 + 2) * 60 + 3) * 25 + 4, 25)
    assert timecode_to_seconds("00:00:10:15", "29.97") == Fraction(315 * 1001, 30000)


def test_separators_colon_or_semicolon_are_accepted() -> None:
    assert timecode_to_frames("00;01;00;02", DF) == 1800
    assert timecode_to_frames("00:01:00:02", DF) == 1800
    assert timecode_to_frames("00:00:01;00", 24) == 24
    assert timecode_to_frames(" 1:00:00:00 ", 24) == 86400


def test_drop_frame_is_written_with_a_semicolon_and_non_drop_without() -> None:
    assert frames_to_timecode(30, DF) == "00:00:01;00"
    assert frames_to_timecode(30, "29.97") == "00:00:01:00"


def test_seconds_to_timecode_rounds_to_the_nearest_frame() -> None:
    assert seconds_to_timecode(1 / 48 - 1e-9, 24) == "00:00:00:00"
    assert seconds_to_timecode(Fraction(1, 48), 24) == "00:00:00:01"  # halves round up
    assert seconds_to_timecode(3603.6, "23.976") == "01:00:00:00"
    assert seconds_to_frames(Fraction(1001, 1000), "29.97") == 30


# --- round trips ------------------------------------------------------------------


@given(st.sampled_from(ALL_RATES), st.data())
def test_frames_round_trip_through_timecode(rate: FrameRate, data: st.DataObject) -> None:
    frames = data.draw(st.integers(0, rate.frames_per_day - 1))
    label = frames_to_timecode(frames, rate)
    assert timecode_to_frames(label, rate) == frames
    assert (";" in label) == rate.drop


@given(st.sampled_from(ALL_RATES), st.floats(0, 86000, allow_nan=False))
def test_seconds_round_trip_within_half_a_frame(rate: FrameRate, seconds: float) -> None:
    back = timecode_to_seconds(seconds_to_timecode(seconds, rate), rate)
    assert abs(back - Fraction(seconds)) <= rate.frame_seconds / 2


@given(st.sampled_from(ALL_RATES), st.data())
def test_timecode_order_matches_frame_order(rate: FrameRate, data: st.DataObject) -> None:
    a = data.draw(st.integers(0, rate.frames_per_day - 2))
    # labels of consecutive frames compare like the frames (zero-padded text)
    assert frames_to_timecode(a, rate) < frames_to_timecode(a + 1, rate)


# --- invalid input ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "rate", "needle"),
    [
        ("00:00:00:24", "24", "frames below 24"),
        ("00:00:00:24", "23.976", "frames below 24"),
        ("00:00:00:25", "25", "frames below 25"),
        ("00:00:00:30", "29.97", "frames below 30"),
        ("00:00:00;30", "29.97df", "frames below 30"),
        ("00:00:60:00", "24", "above 59"),
        ("00:60:00:00", "25", "above 59"),
        ("24:00:00:00", "24", "hours below 24"),
        ("00:01:00;00", "29.97df", "does not exist"),
        ("00:01:00;01", "29.97df", "does not exist"),
        ("00:59:00;01", "29.97df", "does not exist"),
        ("garbage", "24", "not a timecode"),
        ("", "24", "not a timecode"),
        ("00:00:00", "24", "not a timecode"),
        ("00:00:00:00:00", "24", "not a timecode"),
        ("-0:00:00:00", "24", "not a timecode"),
        ("00:00:0a:00", "24", "not a timecode"),
        ("00:00:00.00", "24", "not a timecode"),
        (12.5, "24", "not text"),
    ],
)
def test_invalid_timecodes_raise(text: object, rate: str, needle: str) -> None:
    with pytest.raises(TimecodeError) as info:
        timecode_to_frames(text, rate)  # type: ignore[arg-type]
    assert needle in str(info.value)


def test_minutes_divisible_by_ten_keep_frames_zero_and_one() -> None:
    assert timecode_to_frames("00:10:00;00", DF) == 17982
    assert timecode_to_frames("00:20:00;01", DF) == 2 * 17982 + 1


@pytest.mark.parametrize("frames", [-1, 24 * 86400, 1.5, True])
def test_frames_outside_a_day_or_not_whole_raise(frames: object) -> None:
    with pytest.raises(TimecodeError):
        frames_to_timecode(frames, 24)  # type: ignore[arg-type]


@pytest.mark.parametrize("seconds", [-0.5, float("inf"), float("nan"), "1.0", None])
def test_bad_seconds_raise(seconds: object) -> None:
    with pytest.raises(TimecodeError):
        seconds_to_timecode(seconds, 24)  # type: ignore[arg-type]
