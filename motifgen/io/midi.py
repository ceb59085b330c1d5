"""Score -> Standard MIDI File type 1 that DAWs and notation programs accept.

Track 0 is the conductor (SMPTE offset, tempo map, meters, key, markers); one
named track per part on its own channel with bank/program/CC set-up at tick 0.
Ticks exist only here: 960 per quarter, rounded in `to_ticks` and nowhere else.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import mido
import numpy as np

from ..score import Part, Score
from ..timecode import frame_rate
from .files import atomic_write

PPQ = 960

#: mido's names for the FF 54 rate codes (0=24, 1=25, 2=29.97 drop-frame, 3=30).
_MIDO_RATE = (24, 25, 29.97, 30)

# Order of simultaneous events: names and set-up first, note-offs before note-ons.
_SETUP, _CONTROL, _NOTE_OFF, _NOTE_ON, _END = range(5)


def to_ticks(beats: float | np.ndarray) -> np.ndarray:
    """Quarter-note beats to 960-PPQ ticks, rounded to the nearest tick."""
    return np.floor(np.asarray(beats, dtype=np.float64) * PPQ + 0.5).astype(np.int64)


def tempo_us(bpm: float) -> int:
    """Microseconds per quarter note, rounded (never truncated)."""
    return int(round(60_000_000 / bpm))


def ascii_text(text: str) -> str:
    """Track names and markers as plain ASCII (accents folded), as every DAW reads them."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^\x20-\x7e]", "", folded)


def _track(events: list[tuple[int, int, mido.Message | mido.MetaMessage]],
           end_tick: int) -> mido.MidiTrack:
    """Sort (tick, order, message) events, add End of Track, convert to delta times."""
    events = sorted(events, key=lambda e: (e[0], e[1]))
    track = mido.MidiTrack()
    now = 0
    for tick, _, msg in events:
        track.append(msg.copy(time=tick - now))
        now = tick
    track.append(mido.MetaMessage("end_of_track", time=max(0, end_tick - now)))
    return track


def _smpte(score: Score) -> mido.MetaMessage:
    fields = [int(x) for x in re.split(r"[:;.]", score.start_timecode)]
    hours, minutes, seconds, frames = fields
    rate = _MIDO_RATE[frame_rate(score.fps).smpte_code]
    return mido.MetaMessage("smpte_offset", frame_rate=rate,
                            hours=hours % 24, minutes=minutes, seconds=seconds, frames=frames,
                            sub_frames=0)


def conductor_track(score: Score, end_tick: int) -> mido.MidiTrack:
    """Track 0: name, SMPTE offset, tempo map, time and key signatures, markers."""
    ev: list[tuple[int, int, mido.Message | mido.MetaMessage]] = [
        (0, _SETUP, mido.MetaMessage("track_name", name=ascii_text(score.title) or score.id)),
        (0, _SETUP, _smpte(score)),
    ]
    for beat, (num, den) in score.tempo_map.meters:
        ev.append((int(to_ticks(beat)), _CONTROL, mido.MetaMessage(
            "time_signature", numerator=num, denominator=den, clocks_per_click=24,
            notated_32nd_notes_per_beat=8)))
    for beat, key in ((0.0, score.key), *score.key_changes):
        ev.append((int(to_ticks(beat)), _CONTROL,
                   mido.MetaMessage("key_signature", key=key.signature_name())))
    for beat, bpm in score.tempo_map.tempos:
        ev.append((int(to_ticks(beat)), _CONTROL,
                   mido.MetaMessage("set_tempo", tempo=tempo_us(bpm))))
    for marker in score.markers:
        ev.append((int(to_ticks(marker.beat)), _NOTE_ON,
                   mido.MetaMessage("marker", text=ascii_text(marker.text))))
    return _track(ev, end_tick)


def part_track(part: Part, end_tick: int) -> mido.MidiTrack:
    """One part: name, set-up at tick 0 in the order DAWs expect, CC curves, notes."""
    ch = 9 if part.is_drum else part.channel
    cc = lambda control, value: mido.Message(  # noqa: E731
        "control_change", channel=ch, control=control, value=int(np.clip(value, 0, 127)))
    curves = {k: v for k, v in part.controllers.items() if v}
    start = {c: curves[c][0][1] for c in (1, 11) if c in curves and to_ticks(curves[c][0][0]) == 0}
    setup = [
        mido.MetaMessage("track_name", name=ascii_text(part.name) or part.instrument),
        cc(0, 0), cc(32, 0),
        mido.Message("program_change", channel=ch, program=int(part.program) % 128),
        cc(7, part.volume), cc(10, part.pan), cc(11, start.get(11, 127)), cc(1, start.get(1, 100)),
    ]
    ev: list[tuple[int, int, mido.Message | mido.MetaMessage]] = [
        (0, _SETUP, m) for m in setup
    ]
    for control, points in curves.items():
        for beat, value in points[1:] if control in start else points:
            ev.append((int(to_ticks(beat)), _CONTROL, cc(control, value)))
    for on, off, pitch, vel in _note_spans(part):
        ev.append((on, _NOTE_ON, mido.Message("note_on", channel=ch, note=pitch, velocity=vel)))
        ev.append((off, _NOTE_OFF, mido.Message("note_off", channel=ch, note=pitch,
                                                velocity=64)))
    return _track(ev, end_tick)


def _note_spans(part: Part) -> list[tuple[int, int, int, int]]:
    """(on, off, pitch, velocity) ticks with no two notes of one pitch overlapping.

    An earlier note ends where the next of the same pitch starts; of two notes
    starting on the same tick and pitch, the louder one is kept.
    """
    n = part.notes
    on = to_ticks(n.onset)
    off = np.maximum(to_ticks(n.onset + n.duration), on + 1)
    pitch = np.clip(n.pitch, 0, 127)
    vel = np.clip(n.velocity, 1, 127)
    spans: list[tuple[int, int, int, int]] = []
    order = np.lexsort((-vel, on, pitch))
    last: dict[int, int] = {}  # pitch -> index into spans of its latest note
    for i in order.tolist():
        p, start, stop, v = int(pitch[i]), int(on[i]), int(off[i]), int(vel[i])
        j = last.get(p)
        if j is not None:
            prev = spans[j]
            if prev[0] == start:
                continue
            if prev[1] > start:
                spans[j] = (prev[0], start, p, prev[3])
        last[p] = len(spans)
        spans.append((start, stop, p, v))
    return spans


def score_to_midi(score: Score) -> mido.MidiFile:
    """The whole Score as an in-memory type-1 MidiFile."""
    ends = [int(to_ticks(score.length_beats))]
    ends += [int(to_ticks(p.notes.end)) for p in score.parts if len(p.notes)]
    end_tick = max(ends)
    mid = mido.MidiFile(type=1, ticks_per_beat=PPQ)
    mid.tracks.append(conductor_track(score, end_tick))
    mid.tracks.extend(part_track(p, end_tick) for p in score.parts)
    return mid


def write_midi(score: Score, path: str | Path) -> Path:
    """Write `score` to `path` atomically; return the path."""
    mid = score_to_midi(score)
    with atomic_write(path) as tmp:
        mid.save(str(tmp))
    return Path(path)
