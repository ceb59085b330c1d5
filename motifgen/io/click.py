"""Score -> <id>.click.mid: the click track a recording session plays to.

A click on every count of the tempo map (the meter's note value: quarters in 4/4,
eighths in 7/8), the bar's first count accented, after a two-bar count-in in the
cue's first meter. The count-in runs at the cue's first tempo, nudged so that it
lasts a whole number of frames, and the file's SMPTE offset is moved back by it:
bar 1 of the cue still lands on the cue's start frame. The conductor track (tempo
map, meters, markers) is the cue's, shifted by the count-in, written by
`midi.score_to_bytes`.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numpy as np
from msgspec.structs import replace

from ..motif import Notes
from ..score import Marker, Part, Score, TempoMap
from ..theory import bar_beats
from ..timecode import frame_rate, frames_to_timecode, timecode_to_frames
from .files import atomic_write
from .midi import score_to_bytes, tempo_us

#: Bars of count-in before the cue.
COUNT_IN_BARS = 2
#: GM drum keys: high wood block on the first count of a bar, low wood block elsewhere.
ACCENT_KEY, CLICK_KEY = 76, 77
ACCENT_VELOCITY, CLICK_VELOCITY = 127, 90
#: Length of one click, in quarter notes (a sixteenth).
CLICK_BEATS = 0.25


def count_in(score: Score) -> tuple[float, float, int]:
    """(count-in length in quarters, its tempo in bpm, its length in frames)."""
    tm = score.tempo_map
    rate = frame_rate(score.fps)
    beats = COUNT_IN_BARS * bar_beats(tm.meters[0][1])
    seconds = beats * 60.0 / tm.tempos[0][1]
    frames = max(1, round(seconds * float(rate.fps)))
    exact = Fraction(frames) / rate.fps
    return beats, 60 * beats / float(exact), frames


def clicks(tm: TempoMap, until: float) -> tuple[np.ndarray, np.ndarray]:
    """(beats, accented) of every count from 0 up to (not including) `until`: the
    meter's note value from each bar line, the bar line itself accented."""
    beats, accents = [], []
    for line in tm.bar_lines(until - 1e-9):
        meter = tm.meter_at(line)
        counts = np.arange(meter[0]) * (4.0 / meter[1]) + line
        counts = counts[counts < until - 1e-9]
        beats.append(counts)
        accents.append(np.arange(len(counts)) == 0)
    if not beats:
        return np.zeros(0), np.zeros(0, dtype=bool)
    return np.concatenate(beats), np.concatenate(accents)


def click_score(score: Score) -> Score:
    """The click track of `score`, count-in included, as a Score of one drum part."""
    tm = score.tempo_map
    lead, lead_bpm, frames = count_in(score)
    tempos = ((0.0, 60e6 / tempo_us(lead_bpm)),) + tuple((b + lead, t) for b, t in tm.tempos)
    meters = ((0.0, tm.meters[0][1]),) + tuple((b + lead, m) for b, m in tm.meters)
    shifted = TempoMap(tempos=tempos, meters=meters,
                       ramps=tuple((a + lead, b + lead) for a, b in tm.ramps))
    length = score.end_beats
    beats, accents = clicks(shifted, length + lead)
    notes = Notes(beats, np.full(len(beats), CLICK_BEATS),
                  np.where(accents, ACCENT_KEY, CLICK_KEY),
                  np.where(accents, ACCENT_VELOCITY, CLICK_VELOCITY))
    part = Part(name="Click", instrument="click", program=0, role="click", notes=notes,
                channel=9, is_drum=True)
    rate = frame_rate(score.fps)
    start = timecode_to_frames(score.start_timecode, rate) - frames
    markers = (Marker(0.0, "Count-in", "cue"),) + tuple(
        replace(m, beat=m.beat + lead) for m in score.markers)
    return replace(score, title=f"{score.title} click", tempo_map=shifted, parts=(part,),
                   markers=markers, key_changes=tuple((b + lead, k) for b, k in score.key_changes),
                   start_timecode=frames_to_timecode(start % rate.frames_per_day, rate),
                   length_beats=length + lead)


def write_click(score: Score, path: str | Path) -> Path:
    """Write the click track of `score` atomically; return the path."""
    data = score_to_bytes(click_score(score))
    with atomic_write(path) as tmp:
        tmp.write_bytes(data)
    return Path(path)
