"""SMPTE timecode <-> frames <-> seconds, exact, for every frame rate we support.

Seconds are `fractions.Fraction`s: 23.976 and 29.97 run at 24000/1001 and
30000/1001 real frames per second, and floats would drift over an hour.

A timecode *label* counts at the nominal rate (24, 25 or 30 frames to the
timecode second); the real rate turns a frame count into seconds. Drop-frame
(29.97df) skips the frame *numbers* 00 and 01 at the start of every minute
except minutes divisible by ten, so its labels stay close to wall-clock time;
it is written with ';' before the frames: ``HH:MM:SS;FF``. Input accepts ':' or
';' as any separator, at any rate.

>>> rate = frame_rate("29.97df")
>>> frames_to_timecode(1800, rate), timecode_to_frames("00:10:00;00", rate)
('00:01:00;02', 17982)
>>> timecode_to_seconds("01:00:00:00", frame_rate(23.976))
Fraction(18018, 5)
>>> seconds_to_timecode(2.5, frame_rate(24))
'00:00:02:12'
"""

from __future__ import annotations

import math
import re
from decimal import Decimal
from fractions import Fraction
from numbers import Rational, Real

from msgspec import Struct

from .errors import TimecodeError

__all__ = [
    "FRAME_RATES",
    "FrameRate",
    "frame_rate",
    "frames_to_timecode",
    "seconds_to_frames",
    "seconds_to_timecode",
    "timecode_to_frames",
    "timecode_to_seconds",
]


class FrameRate(Struct, frozen=True):
    """One supported frame rate.

    `fps` is the real rate (frames per second of wall-clock time), `nominal`
    the number of timecode frames per timecode second, `drop` whether frame
    numbers are dropped, `smpte_code` the two rate bits of a MIDI SMPTE offset
    (FF 54: 0=24, 1=25, 2=29.97df, 3=30). The MIDI SMPTE offset has no code
    for the pulled-down rates, so it is written with the rate of its timecode
    labels: 23.976 writes 0 (24-frame labels) and 29.97 non-drop writes 3
    (30-frame labels); the DAW's session rate supplies the pull-down.
    """

    name: str
    fps: Fraction
    nominal: int
    drop: bool
    smpte_code: int

    def __str__(self) -> str:
        return self.name

    @property
    def frame_seconds(self) -> Fraction:
        """Length of one frame in seconds."""
        return 1 / self.fps

    @property
    def frames_per_day(self) -> int:
        """Frame count of 24 hours of timecode labels (the label space wraps there)."""
        return _DF_FRAMES_PER_10_MIN * 6 * 24 if self.drop else self.nominal * 86400


#: Every supported frame rate, by name. The project file, the CLI and the MIDI
#: writer all read this table.
FRAME_RATES: dict[str, FrameRate] = {
    r.name: r
    for r in (
        FrameRate("23.976", Fraction(24000, 1001), 24, False, 0),
        FrameRate("24", Fraction(24), 24, False, 0),
        FrameRate("25", Fraction(25), 25, False, 1),
        FrameRate("29.97", Fraction(30000, 1001), 30, False, 3),
        FrameRate("29.97df", Fraction(30000, 1001), 30, True, 2),
        FrameRate("30", Fraction(30), 30, False, 3),
    )
}

_VALID = ", ".join(FRAME_RATES)

# drop-frame bookkeeping at 30 nominal frames: a "drop" minute has 1798 labels,
# ten minutes have 9 * 1798 + 1800 = 17982 frames
_DF_FRAMES_PER_MIN = 1798
_DF_FRAMES_PER_10_MIN = 17982

#: ASCII digits only (re.ASCII): "０１:00:00:00" in full-width digits is not a timecode.
_TIMECODE = re.compile(r"^(\d{1,2})[:;](\d{2})[:;](\d{2})[:;](\d{2})$", re.ASCII)


def frame_rate(value: FrameRate | str | float | Fraction) -> FrameRate:
    """The FrameRate for a name or a number: 23.976, 24, 25, 29.97, "29.97df", 30.

    Numbers match a rate's name (29.97) or its real rate (Fraction(30000, 1001));
    a number always means non-drop. Strings may be any name, case-insensitive,
    or a number.

    >>> frame_rate(29.97).name, frame_rate("29.97DF").drop, frame_rate(Fraction(24000, 1001)).name
    ('29.97', True, '23.976')
    """
    if isinstance(value, FrameRate):
        return value
    if isinstance(value, str):
        text = value.strip().lower().replace(" ", "")
        if text in FRAME_RATES:
            return FRAME_RATES[text]
        try:
            decimal = Decimal(text)
            if not decimal.is_finite() or abs(decimal.adjusted()) > 6:  # 1e999999999: no
                raise ValueError(text)
            number = Fraction(decimal)
        except (ArithmeticError, ValueError):
            raise TimecodeError(f"unknown frame rate {value[:40]!r}; expected one of "
                                f"{_VALID}") from None
        return _rate_for_number(number, value)
    if isinstance(value, Real) and not isinstance(value, bool) and math.isfinite(value):
        return _rate_for_number(Fraction(value), value)
    raise TimecodeError(f"unknown frame rate {value!r}; expected one of {_VALID}")


def _rate_for_number(number: Fraction, shown: object) -> FrameRate:
    for rate in FRAME_RATES.values():
        if rate.drop:
            continue
        if abs(number - Fraction(Decimal(rate.name))) < Fraction(1, 10**6) or abs(
            number - rate.fps
        ) < Fraction(1, 10**6):
            return rate
    raise TimecodeError(f"unknown frame rate {shown!r}; expected one of {_VALID}")


def timecode_to_frames(text: str, rate: FrameRate | str | float) -> int:
    """Frame count from 00:00:00:00 to the timecode `text` ("HH:MM:SS:FF", ':' or ';').

    >>> timecode_to_frames("00:00:01:00", 25), timecode_to_frames("01:00:00;00", "29.97df")
    (25, 107892)
    """
    rate = frame_rate(rate)
    hh, mm, ss, ff = timecode_fields(text, rate)
    if not rate.drop:
        return ((hh * 60 + mm) * 60 + ss) * rate.nominal + ff
    minutes = hh * 60 + mm
    dropped = 2 * (minutes - minutes // 10)
    return ((minutes * 60) + ss) * 30 + ff - dropped


def frames_to_timecode(frames: int, rate: FrameRate | str | float) -> str:
    """Timecode label of frame number `frames` (0 is 00:00:00:00), within 24 hours.

    >>> frames_to_timecode(107892, "29.97df"), frames_to_timecode(86399, 24)
    ('01:00:00;00', '00:59:59:23')
    """
    rate = frame_rate(rate)
    if isinstance(frames, bool) or not isinstance(frames, int):
        raise TimecodeError(f"a frame count is a whole number, not {frames!r}")
    if not 0 <= frames < rate.frames_per_day:
        raise TimecodeError(
            f"frame {frames} is outside 24 hours of timecode at {rate.name} fps "
            f"(0 to {rate.frames_per_day - 1})"
        )
    n = frames
    if rate.drop:
        tens, rest = divmod(n, _DF_FRAMES_PER_10_MIN)
        n += 18 * tens + (2 * ((rest - 2) // _DF_FRAMES_PER_MIN) if rest >= 2 else 0)
    nominal = rate.nominal
    ff = n % nominal
    ss = (n // nominal) % 60
    mm = (n // (nominal * 60)) % 60
    hh = n // (nominal * 3600)
    sep = ";" if rate.drop else ":"
    return f"{hh:02d}:{mm:02d}:{ss:02d}{sep}{ff:02d}"


def offset_timecode(start: str, seconds: float | Fraction,
                    rate: FrameRate | str | float) -> str:
    """The timecode `seconds` after the label `start` (nearest frame, wrapping at 24 h).

    >>> offset_timecode("00:59:59:12", 1.5, 24)
    '01:00:01:00'
    >>> offset_timecode("23:59:59;28", 1, "29.97df")
    '00:00:00;28'
    """
    rate = frame_rate(rate)
    frames = timecode_to_frames(start, rate) + seconds_to_frames(seconds, rate)
    return frames_to_timecode(frames % rate.frames_per_day, rate)


def timecode_to_seconds(text: str, rate: FrameRate | str | float) -> Fraction:
    """Real seconds from 00:00:00:00 to `text`, exactly.

    >>> timecode_to_seconds("00:00:01:12", 24)
    Fraction(3, 2)
    """
    rate = frame_rate(rate)
    return timecode_to_frames(text, rate) / rate.fps


def seconds_to_frames(seconds: float | Fraction, rate: FrameRate | str | float) -> int:
    """The frame nearest to `seconds` (halves round up).

    >>> seconds_to_frames(1.0, "29.97"), seconds_to_frames(Fraction(1001, 1000), "29.97")
    (30, 30)
    """
    rate = frame_rate(rate)
    value = _exact_seconds(seconds)
    return math.floor(value * rate.fps + Fraction(1, 2))


def seconds_to_timecode(seconds: float | Fraction, rate: FrameRate | str | float) -> str:
    """Timecode label of the frame nearest to `seconds`.

    >>> seconds_to_timecode(60, "29.97df")
    '00:00:59;28'
    """
    rate = frame_rate(rate)
    return frames_to_timecode(seconds_to_frames(seconds, rate), rate)


def _exact_seconds(seconds: object) -> Fraction:
    if isinstance(seconds, bool) or not isinstance(seconds, Real | Decimal):
        raise TimecodeError(f"seconds must be a number, not {seconds!r}")
    if isinstance(seconds, float) and not math.isfinite(seconds):
        raise TimecodeError(f"seconds must be finite, not {seconds!r}")
    # a Real that is neither Rational nor float (numpy's float32) goes through float
    value = Fraction(seconds) if isinstance(seconds, Rational | float | Decimal) \
        else Fraction(float(seconds))
    if value < 0:
        raise TimecodeError(f"seconds must not be negative, not {seconds!r}")
    return value


def timecode_fields(text: object, rate: FrameRate) -> tuple[int, int, int, int]:
    """(hours, minutes, seconds, frames) of a valid timecode label at `rate`."""
    sep = ";" if rate.drop else ":"
    expected = f"expected HH:MM:SS{sep}FF with frames below {rate.nominal}"
    if not isinstance(text, str):
        raise TimecodeError(f"timecode {text!r} is not text; {expected}")
    match = _TIMECODE.match(text.strip())
    if match is None:
        hint = ("; use the digits 0-9" if any(c.isdigit() and not c.isascii() for c in text)
                else "")
        raise TimecodeError(f"timecode {text[:40]!r} is not a timecode; {expected}{hint}")
    hh, mm, ss, ff = (int(g) for g in match.groups())
    if hh >= 24:
        raise TimecodeError(f"timecode {text!r} has hours {hh}; expected hours below 24")
    if mm >= 60 or ss >= 60:
        raise TimecodeError(f"timecode {text!r} has minutes or seconds above 59; {expected}")
    if ff >= rate.nominal:
        raise TimecodeError(f"timecode {text!r} at {rate.name} fps has frame {ff}; {expected}")
    if rate.drop and ss == 0 and ff < 2 and mm % 10 != 0:
        raise TimecodeError(
            f"timecode {text!r} does not exist at 29.97df: frames 00 and 01 are dropped at "
            f"the start of every minute not divisible by 10 (the next frame is "
            f"{hh:02d}:{mm:02d}:00;02)"
        )
    return hh, mm, ss, ff
