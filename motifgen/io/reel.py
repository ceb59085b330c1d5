"""The reel: every composed cue at its own timecode on one timeline, as one MIDI file.

One conductor track carries every cue's tempo map, meters, keys and markers
(the cue's start, its hits and sections, each named after the cue), and the
SMPTE offset of the hour the first cue starts in. Between two cues a *gap*
of whole beats (whole 4/4 bars when it is a bar or more) at about the tempo
the last cue ended in, its last beat stretched by the microseconds the
rounding left, so the next cue's first downbeat falls on its start frame to
the microsecond: the reel's tempo map, integrated, puts every hit where the
cue's own file does. The gap starts at the next bar line after the previous
cue's ring-out, or where the ring-out ends, or where the scene ends, whichever
still comes before the next cue (off the bar lines, the cue's last bar
becomes a shorter one of whole sixteenths at a tempo that keeps its length in
seconds, so every time signature is on a bar line). Scenes that overlap on
picture cannot share one timeline and are refused.

The tracks are the film's template (every track, silent or not, plus the
guide chords): each cue comes dressed on it with every track in place
(`template.dress` with `full`), and each part it plays re-sends its set-up at
the cue's first tick, so tracks that share a channel in different cues keep
their own patch.
"""

from __future__ import annotations

import bisect
import math
import struct
from collections.abc import Sequence
from pathlib import Path

from msgspec.structs import replace

from ..errors import MotifgenError
from ..score import Marker, Score
from ..theory import bar_beats
from ..timecode import frame_rate, timecode_fields, timecode_to_seconds
from .files import atomic_write
from .midi import (
    _CONTROL,
    _SETUP,
    _TRACK_NAME,
    PPQ,
    _Events,
    _text,
    _time_signature,
    conductor_events,
    encode_tracks,
    named_track,
    parts_events,
    smpte_offset,
    tempo_event,
    tempo_us,
    to_ticks,
)

#: Longest beat a MIDI tempo can hold, in microseconds.
_LONGEST_BEAT = 0xFFFFFF
#: Gaps shorter than this many seconds are left out (the next cue simply starts).
_NO_GAP = 1e-3


class _Clock:
    """The reel's tempo map as written (whole ticks, whole microseconds): the time of a
    tick, for placing the gaps."""

    def __init__(self) -> None:
        #: (tick, order added, microseconds per quarter), by tick
        self.changes: list[tuple[int, int, int]] = []

    def add(self, tick: int, tempo: int) -> None:
        """A tempo from `tick` on (a later one at the same tick replaces it)."""
        bisect.insort(self.changes, (tick, len(self.changes), tempo))

    def tempo_at(self, tick: int) -> int:
        return next((us for at, _, us in reversed(self.changes) if at <= tick), 500_000)

    def seconds(self, tick: int) -> float:
        total, (last, tempo) = 0, (0, 500_000)
        for at, _, us in self.changes:
            if at > tick:
                break
            total += (at - last) * tempo
            last, tempo = at, us
        return (total + (tick - last) * tempo) / PPQ / 1e6

    def tempo(self) -> int:
        return self.changes[-1][2] if self.changes else 500_000


def reel_origin(first: Score) -> tuple[str, float]:
    """The timecode of the hour the first cue starts in and its seconds."""
    rate = frame_rate(first.fps)
    hours = timecode_fields(first.start_timecode, rate)[0]
    label = f"{hours:02d}:00:00{';' if rate.drop else ':'}00"
    return label, float(timecode_to_seconds(label, rate))


def _gap(seconds: float, tempo: int) -> list[int]:
    """The beats of a gap of `seconds` near `tempo` (microseconds per quarter): whole 4/4
    bars when it holds one, each beat `tempo`-ish and the last one taking the rounding."""
    us = round(seconds * 1e6)
    n = max(1, round(us / tempo), math.ceil(us / _LONGEST_BEAT))
    if n >= 4:
        n = 4 * max(1, round(n / 4), math.ceil(math.ceil(us / _LONGEST_BEAT) / 4))
    beat = us // n
    return [beat] * (n - 1) + [us - beat * (n - 1)]


def _ends(score: Score) -> list[int]:
    """Where the gap after a cue may start (ticks from its start), latest first: the bar
    line after its ring-out, the ring-out's end, the scene's end."""
    tail = max([int(to_ticks(score.length_beats))] +
               [int(to_ticks(p.notes.end)) for p in score.parts if len(p.notes)])
    start, meter = score.tempo_map.meters[-1]
    bar = bar_beats(meter)
    bars = math.ceil((tail / PPQ - start) / bar - 1e-9)
    return [int(to_ticks(start + bars * bar)), tail, int(to_ticks(score.length_beats))]


def _labelled(score: Score) -> Score:
    """Hit and section markers named after their cue ("2M2 Door opens")."""
    return replace(score, markers=tuple(
        m if m.kind == "cue" else Marker(m.beat, f"{score.id} {m.text}", m.kind)
        for m in score.markers))


def reel_to_bytes(scores: Sequence[Score]) -> bytes:
    """The cues, each dressed with every track of the film's template, as one type-1
    MIDI file on one timeline."""
    cues = sorted(scores, key=lambda s: s.start_seconds)
    if not cues:
        raise MotifgenError("the reel needs at least one cue")
    if len({len(c.parts) for c in cues}) > 1:
        raise ValueError("the reel's cues must each hold every track of one template")
    label, origin = reel_origin(cues[0])
    conductor, clock = _Events(), _Clock()
    conductor.meta(0, _SETUP, _text(_TRACK_NAME, "Reel"))
    conductor.meta(0, _SETUP, smpte_offset(label, cues[0].fps))
    tracks = [named_track(part) for part in cues[0].parts]
    now, end = 0, 0
    previous: tuple[Score, int] | None = None  # the last cue placed and its first tick
    for cue in cues:
        at = cue.start_seconds - origin
        if previous is not None:
            now = _close_bar(conductor, clock, *previous, _gap_start(*previous, clock, at))
        gap = at - clock.seconds(now)
        if gap >= _NO_GAP:
            beats = _gap(gap, clock.tempo() if clock.changes else
                         tempo_us(cue.tempo_map.tempos[0][1]))
            conductor.meta(now, _CONTROL, _time_signature(*((4, 4) if len(beats) % 4 == 0
                                                            else (len(beats), 4))))
            for k, us in enumerate(beats):
                if k == 0 or us != beats[k - 1]:
                    conductor.meta(now + k * PPQ, _CONTROL, tempo_event(us))
                    clock.add(now + k * PPQ, us)
            now += len(beats) * PPQ
        previous = (cue, now)
        conductor.extend(conductor_events(_labelled(cue), heading=False), now)
        for beat, bpm in cue.tempo_map.tempos:
            clock.add(now + int(to_ticks(beat)), tempo_us(bpm))
        playing = [(track, part) for track, part in zip(tracks, cue.parts) if not part.silent]
        for (track, _), events in zip(playing, parts_events([p for _, p in playing],
                                                            named=False)):
            track.extend(events, now)
        end = max(end, now + _ends(cue)[1])
    body = encode_tracks([conductor, *tracks], end)
    header = b"MThd" + struct.pack(">Lhhh", 6, 1, len(body), PPQ)
    return header + b"".join(body)


def _gap_start(cue: Score, start: int, clock: _Clock, next_at: float) -> int:
    """The tick the gap after `cue` (placed at `start`) begins: the latest of `_ends`
    still before the next cue's start, `next_at` seconds into the reel."""
    for end in _ends(cue):
        if clock.seconds(start + end) <= next_at + 1e-9:
            return start + end
    raise MotifgenError(f"scenes {cue.id} and the next one overlap on picture; the reel "
                        "lays cues one after another", "reel.mid")


#: A closing bar is a whole number of these ticks (sixteenth notes).
_CLOSING_STEP = PPQ // 4


def _close_bar(conductor: _Events, clock: _Clock, cue: Score, start: int, end: int) -> int:
    """Where the gap after `cue` would begin off its bar lines (the cue ends mid-bar and
    the next one follows at once), its last bar becomes a short one (a 2/4, a 5/16) of
    whole sixteenths, at a tempo that keeps its length in seconds, so the next time
    signature falls on a bar line as DAWs need; returns the tick the bar ends on."""
    lines = [start + int(to_ticks(b)) for b in cue.tempo_map.bar_lines((end - start) / PPQ)]
    last = max(t for t in lines if t <= end)
    if last == end:
        return end
    length = -(-(end - last) // _CLOSING_STEP) * _CLOSING_STEP
    num, den = length // _CLOSING_STEP, 16
    while num % 2 == 0 and den > 4:
        num, den = num // 2, den // 2
    # after the cue's own time signature on that bar line, if it has one there
    conductor.meta(last, _CONTROL + 1, _time_signature(num, den))
    if length != end - last:
        tempo = round(clock.tempo_at(last) * (end - last) / length)
        conductor.meta(last, _CONTROL + 1, tempo_event(tempo))
        clock.add(last, tempo)
    return last + length


def write_reel(scores: Sequence[Score], path: str | Path) -> Path:
    """Write the reel of `scores` (see `reel_to_bytes`) to `path` atomically; return the
    path."""
    data = reel_to_bytes(scores)
    with atomic_write(path) as tmp:
        Path(tmp).write_bytes(data)
    return Path(path)
