"""Meter: bar lengths, beats and strong beats, and the one beat tolerance.

Time is in quarter-note beats. `beat_groups` is the one rule for where a meter's
strong beats fall; everything that accents, splits or checks on strong beats
asks it (or `strong_beats`) rather than working them out again.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from msgspec import Struct

from ..errors import MotifgenError

#: Two times closer than this (in beats) are the same time.
EPS = 1e-6


def round_beat(beat: float, places: int) -> float:
    """`round(beat, places)`, at once for a beat on the grid of 1 / 2**places (which
    has no more decimals than that): onsets are mostly such, and `round` is slow.

    >>> round_beat(0.375, 4), round_beat(1 / 3, 4)
    (0.375, 0.3333)
    """
    return beat if (beat * 2.0 ** places).is_integer() else round(beat, places)


def parse_meter(text: str | tuple[int, int]) -> tuple[int, int]:
    """'3/4' -> (3, 4); the denominator must be a power of two."""
    if isinstance(text, tuple):
        num, den = text
    else:
        try:
            num_s, den_s = str(text).strip().split("/")
            num, den = int(num_s), int(den_s)
        except ValueError as e:
            raise MotifgenError(f"bad meter {text!r}; expected e.g. '4/4' or '6/8'") from e
    if num < 1 or num > 32 or den not in (1, 2, 4, 8, 16, 32):
        raise MotifgenError(f"bad meter {text!r}; expected e.g. '4/4' or '6/8'")
    return num, den


def bar_beats(meter: tuple[int, int]) -> float:
    """Length of one bar in quarter-note beats."""
    return meter[0] * 4.0 / meter[1]


class BeatGroups(Struct, frozen=True):
    """How a meter's bar divides, in quarter-note beats (see `beat_groups`).

    `unit`: the written beat (4 / denominator: an eighth in 6/8); `beat`: the
    felt beat (a dotted `unit` in compound meters); `bar`: the bar length;
    `strong`: the strong beats' offsets from the bar line.
    """

    unit: float
    beat: float
    bar: float
    strong: tuple[float, ...]

    @property
    def compound(self) -> bool:
        """True for compound meters (6/8, 9/8, 12/8, 6/16...): dotted beats."""
        return self.beat != self.unit

    @property
    def group(self) -> float:
        """Length of a strong-beat group (from one strong beat to the next), or the
        bar when the groups differ in length (5/4 = 3 + 2)."""
        bounds = (*self.strong, self.bar)
        lengths = {b - a for a, b in zip(bounds, bounds[1:])}
        return lengths.pop() if len(lengths) == 1 else self.bar

    def is_strong(self, beat: float) -> bool:
        """Whether `beat` (from a bar line) is one of the strong beats."""
        return self.are_strong((beat,))[0]

    def are_strong(self, beats: Iterable[float]) -> list[bool]:
        """`is_strong` of every beat of `beats`, in one call: the textures ask it for
        every note they draw."""
        bar, strong = self.bar, self.strong
        out = []
        for beat in beats:
            offset = beat % bar
            hit = False
            for s in strong:  # a loop, not any(): it runs for every note
                if abs(offset - s) < EPS:
                    hit = True
                    break
            out.append(hit)
        return out

    def strong_beats(self, start: float, end: float) -> list[float]:
        """Every strong beat in [start, end), counting bars from beat 0.

        >>> beat_groups((4, 4)).strong_beats(1.0, 8.0)
        [2.0, 4.0, 6.0]
        """
        bar = (start // self.bar) * self.bar
        out: list[float] = []
        while bar < end - EPS:
            out.extend(bar + s for s in self.strong if start - EPS <= bar + s < end - EPS)
            bar += self.bar
        return out


@lru_cache(maxsize=64)
def beat_groups(meter: tuple[int, int]) -> BeatGroups:
    """Beats and strong beats of a meter: the one rule harmony and transforms share.

    A meter is compound when its denominator is 8 or more and its numerator a
    multiple of 3 above 3; its beats are then dotted. The bar line is strong;
    so is the middle beat (rounded up: 5/4 is 3 + 2) of a bar of four or more
    beats, and the second beat of a two-beat compound bar (6/8 is felt in two).

    >>> [beat_groups(m).strong for m in ((4, 4), (3, 4), (2, 4), (6, 8), (12, 8), (5, 4))]
    [(0.0, 2.0), (0.0,), (0.0,), (0.0, 1.5), (0.0, 3.0), (0.0, 3.0)]
    >>> beat_groups((6, 8)).beat, beat_groups((6, 8)).group, beat_groups((5, 4)).group
    (1.5, 1.5, 5.0)
    """
    num, den = meter
    unit = 4.0 / den
    compound = den >= 8 and num % 3 == 0 and num > 3
    beat = 3 * unit if compound else unit
    count = num // 3 if compound else num
    strong: tuple[float, ...]
    if count >= 4 or (compound and count == 2):
        strong = (0.0, (count + 1) // 2 * beat)
    else:
        strong = (0.0,)
    return BeatGroups(unit, beat, bar_beats(meter), strong)


def strong_beats(meter: tuple[int, int], length: float) -> list[float]:
    """Every strong beat of `meter` in [0, length).

    >>> strong_beats((6, 8), 6.0)
    [0.0, 1.5, 3.0, 4.5]
    """
    return list(_strong_beats(meter, length))


@lru_cache(maxsize=1024)
def _strong_beats(meter: tuple[int, int], length: float) -> tuple[float, ...]:
    """`strong_beats`, kept: a film asks again and again for the same sections' beats."""
    return tuple(beat_groups(meter).strong_beats(0.0, length))
