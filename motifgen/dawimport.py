"""Bring a motif edited in a DAW back: quantise it, find its key, write it into a project.

A DAW file has its own resolution and a player's timing, so the track is
snapped to the grid that fits its onsets best (a small penalty keeps the
coarser grid when a finer one explains little more), made one line (the top
note of a chord), written as tinyNotation, and, with ``into``, put into the
project file without touching anything else in it.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path

import numpy as np
from msgspec import Struct

from .errors import MotifgenError
from .motif import Motif
from .projectfile import ProjectFile, key_label, motif_text
from .theory import Key, rank_keys


class Grid(Struct, frozen=True):
    """A quantisation grid: `step` beats between grid points."""

    step: Fraction
    label: str


#: The grids a DAW take is snapped to, coarsest first.
GRIDS: tuple[Grid, ...] = (
    Grid(Fraction(1, 2), "1/2 beat (eighths)"),
    Grid(Fraction(1, 3), "1/3 beat (eighth triplets)"),
    Grid(Fraction(1, 4), "1/4 beat (sixteenths)"),
    Grid(Fraction(1, 6), "1/6 beat (sixteenth triplets)"),
)

#: Cost of each grid point per beat, in beats of onset error: the preference for
#: coarser grids (a 1/4-beat grid must fit the onsets 0.02 beats better than a
#: 1/2-beat grid to win).
COARSENESS = 0.01
#: Onset error of a grid is the power mean of |error| with this exponent: above 2
#: so that one note far off a coarse grid (a single 16th among eighths) is not
#: averaged away by many notes that fit.
ERROR_POWER = 4

class Quantised(Struct, frozen=True):
    """A quantised motif, the grid chosen and what snapping did."""

    motif: Motif
    grid: Grid
    mean_error: float  # mean onset movement in beats
    max_error: float
    dropped: int  # chord notes and duplicates removed


def quantise(motif: Motif, grids: Sequence[Grid] = GRIDS, offset: float = 0.0) -> Quantised:
    """Snap onsets and ends to the best grid, one note at a time (top note of chords).

    Grid points are whole multiples of the step counted from `offset` beats before
    the motif's beat 0 (a bar line, as `read_midi_motif` gives it), so each note's
    timing error is its own and a pickup keeps its place in the bar. Every note
    keeps at least one grid step; a note that overlaps the next one is cut at the
    next onset.

    >>> m = Motif.from_notes([(0, 0.47, 62), (0.52, 0.5, 65), (0.98, 1.03, 69), (1.0, 1, 57)])
    >>> q = quantise(m)
    >>> q.grid.step, q.motif.rows()
    (Fraction(1, 2), [(0.0, 0.5, 62, 80), (0.5, 0.5, 65, 80), (1.0, 1.0, 69, 80)])
    """
    onset = motif.onset + offset
    best: tuple[float, Grid, np.ndarray] | None = None
    for grid in grids:
        step = float(grid.step)
        error = onset - np.round(onset / step) * step
        fit = float(np.mean(np.abs(error) ** ERROR_POWER) ** (1 / ERROR_POWER))
        cost = fit + COARSENESS / step
        if best is None or cost < best[0] - 1e-12:
            best = (cost, grid, error)
    assert best is not None  # grids is never empty
    _, grid, error = best
    step = float(grid.step)
    start = np.round(onset / step).astype(np.int64)
    end = np.round((onset + motif.duration) / step).astype(np.int64)
    end = np.maximum(end, start + 1)
    # one note per onset: the highest, and for the same pitch twice the longer
    order = np.lexsort((-end, -motif.pitch, start))
    keep = order[np.r_[True, np.diff(start[order]) != 0]]
    start, end = start[keep], end[keep]
    end = np.minimum(end, np.r_[start[1:], np.iinfo(np.int64).max])
    result = motif.with_notes(
        onset=[float(int(k) * grid.step) for k in start],
        duration=[float(int(k) * grid.step) for k in end - start],
        pitch=motif.pitch[keep], velocity=motif.velocity[keep])
    return Quantised(result, grid, float(np.abs(error).mean()),
                     float(np.abs(error).max()), len(motif) - len(keep))


def detect_key(motif: Motif) -> list[tuple[Key, float]]:
    """Every major and minor key with its correlation to the motif's duration-weighted
    pitch classes (`theory.rank_keys`), best first.

    >>> from motifgen.io.notation import parse_tiny
    >>> m = parse_tiny("3/4 d4 f8 e d4 a2 c#4 d2.", Key())
    >>> [k.name for k, _ in detect_key(m)[:2]]
    ['D aeolian', 'D ionian']
    """
    return rank_keys(motif.pitch, motif.duration)


def import_motif(path: str | Path, name: str, track: str | int | None = None,
                 key: str | None = None, into: str | Path | None = None,
                 bars: tuple[int, int] | None = None) -> list[str]:
    """Read a track of a MIDI file (bars `bars`, first and last from 1, or all of it) as a
    motif; with `into`, put it in that project file.

    Returns the lines to show: the key (given or detected, with the runner-up),
    the grid, the motif as tinyNotation, the note count and what was written.
    """
    from .io.midi_reader import read_midi_motif

    path = Path(path)
    if not path.is_file():
        raise MotifgenError("no such MIDI file", str(path))
    given = _parse_key(key) if key is not None else None
    project = ProjectFile(Path(into)) if into is not None else None
    meter = project.meter if project else (4, 4)
    raw = read_midi_motif(path, given or Key(), track, meter, bars)
    q = quantise(raw)
    lines = []
    if given is None:
        ranked = detect_key(q.motif)
        (found, r1), (second, r2) = ranked[0], ranked[1]
        lines.append(f"key: {key_label(found)} (detected, r={r1:.2f}; "
                     f"runner-up {key_label(second)}, r={r2:.2f})")
    else:
        found = given
        lines.append(f"key: {key_label(found)} (given)")
    motif = q.motif.with_notes(key=found, name=name)
    tiny, back = motif_text(motif)
    lines.append(f"grid: {q.grid.label}; onsets moved {q.mean_error:.3f} beats on average, "
                 f"{q.max_error:.3f} at most")
    lines.append(f"motif: {tiny}")
    dropped = f" ({q.dropped} chord or duplicate notes dropped)" if q.dropped else ""
    lines.append(f"notes: {len(motif)}{dropped}")
    if project is not None:
        lines.append(project.put(name, tiny, found, back))
    return lines


def _parse_key(text: str) -> Key:
    try:
        return Key.parse(text)
    except MotifgenError as e:
        raise MotifgenError(e.message, "--key") from e
