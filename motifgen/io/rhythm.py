"""Rhythm for notation: beats of the bar, the grid each beat is quantised to, and
the written values a length is tied from.

A beat is a quarter note counted from the bar line; a bar of an odd number of
eighths (7/8) ends on a half beat. Each beat is quantised to a sixteenth or a
triplet-eighth grid, whichever fits its onsets and releases better (a half beat
only to sixteenths). A length is written beat by beat wherever it touches a
triplet position, so every triplet bracket fills exactly one beat and a
notation program never has to guess a tuplet's base value.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from fractions import Fraction

from ..score import TempoMap
from ..theory import bar_beats

#: The grids a beat may be quantised to (fractions of a quarter note).
SIXTEENTH, TRIPLET = Fraction(1, 4), Fraction(1, 3)
GRIDS = (SIXTEENTH, TRIPLET)


class Beats:
    """Where each quarter-note beat of a cue starts and how long it is."""

    def __init__(self, tempo_map: TempoMap | None = None, until: float = 0.0) -> None:
        tm = tempo_map or TempoMap()
        self.lines = [Fraction(b).limit_denominator(96) for b in tm.bar_lines(until)] or [
            Fraction(0)]
        self.last_bar = Fraction(bar_beats(tm.meter_at(float(self.lines[-1])))
                                 ).limit_denominator(96)

    def of(self, t: Fraction | float) -> tuple[Fraction, Fraction]:
        """(start, length) of the beat holding `t`.

        >>> Beats().of(Fraction(5, 2))
        (Fraction(2, 1), Fraction(1, 1))
        >>> Beats(TempoMap(meters=((0.0, (7, 8)),)), 8).of(Fraction(13, 4))
        (Fraction(3, 1), Fraction(1, 2))
        """
        t = Fraction(t)
        i = bisect.bisect_right(self.lines, t) - 1
        if i < 0:
            return Fraction(int(t // 1)), Fraction(1)
        bar = self.lines[i]
        bar_end = self.lines[i + 1] if i + 1 < len(self.lines) else None
        if bar_end is None:  # past the last line: bars of the last meter
            bar += (t - bar) // self.last_bar * self.last_bar
            bar_end = bar + self.last_bar
        start = bar + (t - bar) // 1
        return start, min(Fraction(1), bar_end - start)


def _grids(times: list[float], beats: Beats) -> dict[Fraction, Fraction]:
    """For each beat holding some time, the grid with the smaller total snapping error."""
    by_beat: dict[tuple[Fraction, Fraction], list[float]] = defaultdict(list)
    for t in times:
        by_beat[beats.of(Fraction(t).limit_denominator(960))].append(t)
    grids = {}
    for (start, length), ts in by_beat.items():
        errors = [sum(abs(t - float(start) - round((t - float(start)) / float(g)) * float(g))
                      for t in ts) for g in GRIDS]
        triplet = length == 1 and errors[1] + 1e-9 < errors[0]
        grids[start] = TRIPLET if triplet else SIXTEENTH
    return grids


def _snap(t: float, grids: dict[Fraction, Fraction], beats: Beats) -> Fraction:
    start, _ = beats.of(Fraction(t).limit_denominator(960))
    grid = grids.get(start, SIXTEENTH)
    return start + Fraction(round((Fraction(t).limit_denominator(960) - start) / grid)) * grid


def quantise_indexed(rows: list[tuple[float, float, int, int]], beats: Beats | None = None
                     ) -> list[tuple[Fraction, Fraction, int]]:
    """(onset, end, index into `rows`) on each beat's sixteenth or triplet grid; no note
    vanishes (one snapped to nothing keeps one step of its grid)."""
    beats = beats or Beats()
    grids = _grids([t for on, dur, _, _ in rows for t in (on, on + dur)], beats)
    out = []
    for i, (on, dur, _, _) in enumerate(rows):
        start, end = _snap(on, grids, beats), _snap(on + dur, grids, beats)
        if end <= start:
            end = start + grids.get(beats.of(start)[0], SIXTEENTH)
        out.append((start, end, i))
    return sorted(out, key=lambda r: (r[0], r[1], rows[r[2]][2]))


def quantise(rows: list[tuple[float, float, int, int]], beats: Beats | None = None
             ) -> list[tuple[Fraction, Fraction, int]]:
    """(onset, end, pitch) of (onset, length, pitch, velocity) rows, quantised.

    >>> quantise([(0.0, 0.98, 60, 80), (1.0, 0.33, 62, 80), (1.333, 0.34, 64, 80)])
    [(Fraction(0, 1), Fraction(1, 1), 60), (Fraction(1, 1), Fraction(4, 3), 62), \
(Fraction(4, 3), Fraction(5, 3), 64)]
    """
    return sorted((s, e, int(rows[i][2])) for s, e, i in quantise_indexed(rows, beats))


def is_binary(t: Fraction) -> bool:
    """Whether `t` lies on the sixteenth grid (not a triplet position)."""
    return (t * 4).denominator == 1


_SIMPLE = sorted({Fraction(x) for x in ("4", "3", "2", "3/2", "1", "3/4", "1/2", "3/8", "1/4",
                                          "1/8", "2/3", "1/3")}, reverse=True)


def pieces(length: Fraction) -> list[Fraction]:
    """`length` as tied plain or single-dotted values, longest first.

    >>> pieces(Fraction(7, 4)), pieces(Fraction(2, 3))
    ([Fraction(3, 2), Fraction(1, 4)], [Fraction(2, 3)])
    """
    out, rem = [], length
    while rem > 0:
        v = next((v for v in _SIMPLE if v <= rem and ((rem - v) * 24).denominator == 1), None)
        if v is None:
            out.append(rem)
            break
        out.append(v)
        rem -= v
    return out


def written_values(start: Fraction, end: Fraction, beats: Beats) -> list[Fraction]:
    """The values, in order, a note or rest from `start` to `end` (inside one bar) is
    written as: beat by beat around triplet positions, else plain or dotted values.

    >>> written_values(Fraction(2, 3), Fraction(5, 2), Beats())
    [Fraction(1, 3), Fraction(3, 2)]
    >>> written_values(Fraction(0), Fraction(7, 4), Beats())
    [Fraction(3, 2), Fraction(1, 4)]
    """
    cuts = [start]
    at = start
    while True:
        b, length = beats.of(at)
        nxt = b + length
        if nxt >= end:
            break
        cuts.append(nxt)
        at = nxt
    cuts.append(end)
    # merge neighbouring beats where neither edge is a triplet position
    runs: list[tuple[Fraction, Fraction]] = []
    for a, b in zip(cuts, cuts[1:]):
        if runs and is_binary(runs[-1][0]) and is_binary(a) and is_binary(b):
            runs[-1] = (runs[-1][0], b)
        else:
            runs.append((a, b))
    return [v for a, b in runs for v in pieces(b - a)]
