"""Piano-roll PNG of a Score for a director: what plays when, against picture time.

The x axis is seconds from the cue start through the tempo map, so the picture
is true to the film: the bottom ruler reads SMPTE timecode (scene start +
elapsed time), the top ruler bar numbers at the bar lines. Parts are coloured
with a legend; drum parts get their own lane underneath. Hits are red lines
labelled with their name and timecode; sections are shaded bands with names.

Rendering uses matplotlib's Agg backend without touching pyplot's global
state, and writes no timestamp or software tag: the same Score gives the same
bytes.
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any

from ..score import Score
from ..theory import pitch_name
from .files import atomic_write

DPI = 100
_COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf",
            "#bcbd22", "#7f7f7f", "#393b79", "#637939", "#8c6d31", "#843c39", "#7b4173")
_HIT = "#d62728"
#: Share of the roll's width a hit label may need before the next one is raised.
_LABEL_SPAN = 0.15
#: GM drum keys named in the percussion lane (REFERENCE §6).
_DRUM_NAMES = {35: "taiko / kick", 36: "bass drum", 38: "snare", 42: "hi-hat", 46: "open hat",
               49: "crash", 51: "susp. cymbal", 52: "tam-tam", 57: "crash 2"}
_TICK_STEPS = (0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600)


def timecode_at(score: Score, seconds: float) -> str:
    """SMPTE label `seconds` after the scene start, at the scene's frame rate."""
    from ..timecode import offset_timecode

    return offset_timecode(score.start_timecode, seconds, score.fps)


def _draw(score: Score, width: int, height: int) -> Any:
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch, Rectangle

    from .musicxml import display_name

    tm = score.tempo_map
    length = score.end_beats or 4.0  # an empty score still gets a bar
    total = tm.seconds_at(length)
    pitched = [p for p in score.parts if not p.is_drum and len(p.notes)]
    drums = [p for p in score.parts if p.is_drum and len(p.notes)]
    drum_keys = sorted({int(k) for p in drums for k in p.notes.pitch})

    fig = Figure(figsize=(width / DPI, height / DPI), dpi=DPI, layout="constrained")
    if drum_keys:
        ax, lane = fig.subplots(2, 1, sharex=True, height_ratios=(5, 1 + 0.25 * len(drum_keys)))
    else:
        ax, lane = fig.subplots(1, 1), None
    axes = [a for a in (ax, lane) if a is not None]

    legend = []
    for index, part in enumerate(score.parts):
        colour = _COLOURS[index % len(_COLOURS)]
        target = lane if part.is_drum else ax
        if target is None or not len(part.notes):
            continue
        for onset, dur, pitch, vel in part.notes.rows():
            x0, x1 = tm.seconds_at(onset), tm.seconds_at(onset + dur)
            y = drum_keys.index(int(pitch)) if part.is_drum else pitch
            alpha = 0.45 + 0.55 * vel / 127
            target.add_patch(Rectangle((x0, y - 0.4), max(x1 - x0, total / 2000), 0.8,
                                       facecolor=colour, edgecolor="black", linewidth=0.3,
                                       alpha=alpha))
        legend.append(Patch(facecolor=colour, edgecolor="black", label=display_name(part)))

    pitches = [int(p) for part in pitched for p in part.notes.pitch]
    low, high = (min(pitches) - 2, max(pitches) + 2) if pitches else (48, 84)
    ax.set_ylim(low, high)
    octave_cs = [p for p in range(low, high + 1) if p % 12 == 0]
    ax.set_yticks(octave_cs or [low], [pitch_name(p) for p in (octave_cs or [low])])
    ax.set_ylabel("pitch")
    ax.set_xlim(0, total)
    if lane is not None:
        lane.set_ylim(-0.6, len(drum_keys) - 0.4)
        labels = [_DRUM_NAMES.get(k, f"drum {k}") for k in drum_keys]
        lane.set_yticks(range(len(drum_keys)), labels, fontsize=7)

    # sections: shaded bands with names
    sections = sorted((m for m in score.markers if m.kind == "section"), key=lambda m: m.beat)
    for i, m in enumerate(sections):
        x0 = tm.seconds_at(m.beat)
        x1 = tm.seconds_at(sections[i + 1].beat) if i + 1 < len(sections) else total
        for a in axes:
            a.axvspan(x0, x1, color="#000000", alpha=0.05 if i % 2 == 0 else 0.0, linewidth=0)
        ax.text(x0, high - 0.3, f" {m.text}", va="top", ha="left", fontsize=9,
                fontweight="bold", color="#333333")

    # bar lines, bar numbers on the top ruler
    lines = tm.bar_lines(length)
    line_secs = [tm.seconds_at(b) for b in lines]
    for a in axes:
        for x in line_secs:
            a.axvline(x, color="#999999", linewidth=0.5, zorder=0)
    top = ax.secondary_xaxis("top")
    every = max(1, int(len(lines) * 45 / max(width, 1)) + 1)
    top.set_xticks([x for i, x in enumerate(line_secs) if i % every == 0],
                   [str(i + 1) for i in range(len(lines)) if i % every == 0], fontsize=7)
    top.set_xlabel("bar", fontsize=8)

    # hits: red lines with name and timecode; a label too close to the one before
    # it is raised above it instead of covering it
    level, last = 0, -math.inf
    for m in sorted((m for m in score.markers if m.kind == "hit"), key=lambda m: m.beat):
        x = tm.seconds_at(m.beat)
        for a in axes:
            a.axvline(x, color=_HIT, linewidth=1.2, linestyle="--", zorder=3)
        level = (level + 1) % 3 if x - last < total * _LABEL_SPAN else 0
        last = x
        ax.text(x, low + 0.3 + level * 3.5, f" {m.text}\n {timecode_at(score, x)}",
                color=_HIT, fontsize=8,
                va="bottom", ha="left", rotation=0, zorder=4,
                bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.7, "pad": 1})

    # timecode ruler along the bottom
    step = next((s for s in _TICK_STEPS if total / s <= max(2, width // 120)), _TICK_STEPS[-1])
    ticks = [i * step for i in range(int(total // step) + 1)]
    bottom = axes[-1]
    bottom.set_xticks(ticks, [timecode_at(score, t) for t in ticks], fontsize=7)
    bottom.set_xlabel(f"timecode ({score.fps} fps)")
    for a in axes[:-1]:
        a.tick_params(axis="x", labelbottom=False)

    tempos = ", ".join(f"{bpm:g}" for bpm in tm.bpms)
    meters = ", ".join(f"{n}/{d}" for _, (n, d) in tm.meters)
    ax.set_title(f"{score.id}  {score.title}   {timecode_at(score, 0)} - "
                 f"{timecode_at(score, total)}   {score.key.name}   {tempos} bpm   {meters}",
                 fontsize=10, loc="left")
    if legend:
        ax.legend(handles=legend, loc="upper right", fontsize=8, framealpha=0.85)
    return fig


def write_png(score: Score, path: str | os.PathLike[str], width: int = 1600,
              height: int = 900) -> Path:
    """Draw `score` as a width x height pixel PNG at `path`, atomically; return the path."""
    fig = _draw(score, int(width), int(height))
    import warnings

    with atomic_write(path) as tmp, warnings.catch_warnings():
        # a title too long for the picture (a 240-byte cue id) is only shrunk, not an error
        warnings.simplefilter("ignore", UserWarning)
        fig.savefig(str(tmp), format="png", dpi=DPI, metadata={"Software": None})
    return Path(path)
