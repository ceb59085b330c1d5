"""Score -> Standard MIDI File type 1 that DAWs and notation programs accept.

Track 0 is the conductor (SMPTE offset, tempo map, meters, key, markers); one
named track per part on its own channel with bank/program/CC set-up at tick 0.
Ticks exist only here: 960 per quarter, rounded in `to_ticks` and nowhere else.

The file is encoded directly from note arrays (numpy), byte for byte what
mido's writer produces for the same events: variable-length delta times,
running status for channel messages (a meta event breaks it), one End of
Track per track.
"""

from __future__ import annotations

import math
import re
import struct
import unicodedata
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np

from ..score import DRUM_CHANNEL, Part, Score
from ..theory import Key
from ..timecode import frame_rate, timecode_fields
from .files import atomic_write

PPQ = 960

# Order of simultaneous events: names and set-up first, note-offs before note-ons.
_SETUP, _CONTROL, _NOTE_OFF, _NOTE_ON, _END = range(5)

# Status nibbles and meta types used here.
_NOTE_OFF_STATUS, _NOTE_ON_STATUS, _CC_STATUS, _PROGRAM_STATUS = 0x80, 0x90, 0xB0, 0xC0
_TRACK_NAME, _INSTRUMENT_NAME, _MARKER = 0x03, 0x04, 0x06
_CHANNEL_PREFIX, _END_OF_TRACK = 0x20, 0x2F
_SET_TEMPO, _SMPTE_OFFSET, _TIME_SIGNATURE, _KEY_SIGNATURE = 0x51, 0x54, 0x58, 0x59
_MAX_DELTA = (1 << 28) - 1  # the longest delta time four VLQ bytes hold


def to_ticks(beats: float | Sequence[float] | np.ndarray) -> np.ndarray:
    """Quarter-note beats to 960-PPQ ticks, rounded to the nearest tick."""
    return np.floor(np.asarray(beats, dtype=np.float64) * PPQ + 0.5).astype(np.int64)


def tempo_us(bpm: float) -> int:
    """Microseconds per quarter note, rounded (never truncated)."""
    return int(round(60_000_000 / bpm))


@lru_cache(maxsize=4096)
def ascii_text(text: str) -> str:
    """Track names and markers as plain ASCII (accents folded), as every DAW reads them."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^\x20-\x7e]", "", folded)


# --------------------------------------------------------------------------
# Encoding


def vlq(value: int) -> bytes:
    """A MIDI variable-length quantity (delta times, meta lengths).

    >>> vlq(0), vlq(127), vlq(128), vlq(0x0FFFFFFF)
    (b'\\x00', b'\\x7f', b'\\x81\\x00', b'\\xff\\xff\\xff\\x7f')
    """
    if value < 0:
        raise ValueError(f"variable-length quantity must be non-negative, got {value}")
    out = [value & 0x7F]
    value >>= 7
    while value:
        out.append(0x80 | (value & 0x7F))
        value >>= 7
    return bytes(reversed(out))


def _meta(kind: int, data: bytes | list[int]) -> bytes:
    data = bytes(data)
    return bytes((0xFF, kind)) + vlq(len(data)) + data


def _text(kind: int, text: str) -> bytes:
    return _meta(kind, text.encode("latin-1"))


def _byte(value: int, what: str) -> int:
    if not 0 <= value <= 127:
        raise ValueError(f"{what} must be in 0..127, got {value}")
    return value


class _Events:
    """One track's events before sorting: (tick, order, status, data1, data2) rows
    plus the meta payloads.

    `status` is -1 for a meta event, whose `data1` indexes `metas`; a channel
    message has its status byte and one or two data bytes (`data2` -1 for one).
    Single events collect in a list; `add_rows` appends many laid out as rows.
    """

    def __init__(self) -> None:
        self.blocks: list[np.ndarray] = []  # (n, 5) int64 arrays, in insertion order
        self.pending: list[tuple[int, int, int, int, int]] = []
        self.metas: list[bytes] = []

    def meta(self, tick: int, order: int, payload: bytes) -> None:
        self.add(tick, order, -1, len(self.metas), -1)
        self.metas.append(payload)

    def add(self, tick: int, order: int, status: int, data1: int, data2: int = -1) -> None:
        self.pending.append((tick, order, status, data1, data2))

    def add_rows(self, rows: np.ndarray) -> None:
        """Append events already laid out as (n, 5) rows (see `parts_events`)."""
        self._flush()
        self.blocks.append(rows)

    def extend(self, other: _Events, offset: int) -> None:
        """Append `other`'s events `offset` ticks later (cues laid out on a reel)."""
        self._flush()
        other._flush()
        for block in other.blocks:
            block = block.copy()
            block[:, 0] += offset
            metas = block[:, 2] < 0
            block[metas, 3] += len(self.metas)
            self.blocks.append(block)
        self.metas += other.metas

    def _flush(self) -> None:
        if self.pending:
            self.blocks.append(np.array(self.pending, dtype=np.int64).reshape(-1, 5))
            self.pending = []

    def rows(self) -> np.ndarray:
        """Every event as a (tick, order, status, data1, data2) row, in insertion order."""
        self._flush()
        return np.concatenate(self.blocks) if self.blocks else np.zeros((0, 5), dtype=np.int64)

    def encode(self, end_tick: int) -> bytes:
        """The MTrk chunk: events sorted by (tick, order, insertion), then End of Track."""
        return encode_tracks([self], end_tick)[0]


#: Events encoded in one pass at most: small tracks share a pass (the numpy work is paid
#: once for them), a large one has its own, which bounds the arrays held at once.
ONE_PASS_EVENTS = 4096


def encode_tracks(tracks: Sequence[_Events], end_tick: int) -> list[bytes]:
    """Every track's MTrk chunk (see `_Events.encode`), neighbouring tracks encoded in
    one pass over their events while they hold `ONE_PASS_EVENTS` or fewer."""
    chunks: list[bytes] = []
    group: list[tuple[np.ndarray, list[bytes]]] = []
    for ev in tracks:
        rows = ev.rows()
        if group and sum(len(r) for r, _ in group) + len(rows) > ONE_PASS_EVENTS:
            chunks += _encode_pass(group, end_tick)
            group = []
        group.append((rows, ev.metas))
    return chunks + (_encode_pass(group, end_tick) if group else [])


def _encode_pass(tracks: Sequence[tuple[np.ndarray, list[bytes]]], end_tick: int
                 ) -> list[bytes]:
    """The MTrk chunks of tracks given as (event rows, meta payloads), in one pass."""
    lengths = [len(rows) for rows, _ in tracks]
    tick, order, status, data1, data2 = np.concatenate([rows for rows, _ in tracks]).T
    track = np.repeat(np.arange(len(tracks), dtype=np.int64), lengths)
    metas = [payload for _, payloads in tracks for payload in payloads]
    is_meta = status < 0
    if is_meta.any():  # each track's meta indexes move past the tracks' before it
        before = np.cumsum([0] + [len(payloads) for _, payloads in tracks[:-1]])
        data1 = np.where(is_meta, data1 + np.repeat(before, lengths), data1)
    if len(tick) and (tick.min() < 0 or tick.max() >= 1 << 40):
        raise ValueError("event times must be non-negative and below 2**28 ticks")
    # one sort key: track, then tick, then order (below 8: `_SETUP` .. `_END`, and the
    # reel's `_CONTROL + 1`); stable, so ties keep insertion order
    idx = np.argsort((track << 43) | (tick << 3) | order, kind="stable")
    track, tick, status, data1, data2 = track[idx], tick[idx], status[idx], data1[idx], data2[idx]
    is_meta = is_meta[idx]
    n = len(tick)
    first = np.ones(n, dtype=bool)  # the first event of its track
    first[1:] = track[1:] != track[:-1]
    delta = np.where(first, tick, tick - np.concatenate(([0], tick[:-1])))
    if n and delta.max() > _MAX_DELTA:  # ticks are sorted and not negative (above)
        raise ValueError("event times must be non-negative and below 2**28 ticks")
    # running status: a channel message repeating the previous message's status
    prev = np.where(first, -1, np.concatenate(([-1], status[:-1])))
    with_status = ~is_meta & (status != prev)
    n_data = np.where(is_meta, 0, np.where(data2 < 0, 1, 2))
    meta_len = np.zeros(n, dtype=np.int64)
    if is_meta.any():
        meta_len[is_meta] = [len(metas[i]) for i in data1[is_meta].tolist()]
    vlq_len = 1 + (delta >= 1 << 7) + (delta >= 1 << 14) + (delta >= 1 << 21)
    size = vlq_len + with_status + n_data + meta_len
    start = np.concatenate(([0], np.cumsum(size)[:-1])) if n else size
    out = np.zeros(int(size.sum()), dtype=np.uint8)
    for j in range(int(vlq_len.max()) if n else 0):
        has = vlq_len > j
        shift = 7 * (vlq_len[has] - 1 - j)
        more = np.where(vlq_len[has] - 1 > j, 0x80, 0)
        out[start[has] + j] = ((delta[has] >> shift) & 0x7F) | more
    pos = start + vlq_len
    out[pos[with_status]] = status[with_status]
    pos = pos + with_status
    chan = ~is_meta
    out[pos[chan]] = data1[chan]
    two = n_data == 2
    out[pos[two] + 1] = data2[two]
    for at, i in zip(pos[is_meta].tolist(), data1[is_meta].tolist()):
        out[at:at + len(metas[i])] = np.frombuffer(metas[i], dtype=np.uint8)
    return _chunks(out.tobytes(), start, tick, np.bincount(track, minlength=len(tracks)),
                   end_tick)


def _chunks(data: bytes, start: np.ndarray, tick: np.ndarray, counts: np.ndarray,
            end_tick: int) -> list[bytes]:
    """The encoded events cut into MTrk chunks, `counts` events each, ended at `end_tick`."""
    chunks, event, byte = [], 0, 0
    for count in counts.tolist():
        stop = event + count
        to = int(start[stop]) if stop < len(tick) else len(data)
        last = int(tick[stop - 1]) if count else 0
        body = data[byte:to] + vlq(max(0, end_tick - last)) + _meta(_END_OF_TRACK, b"")
        chunks.append(b"MTrk" + struct.pack(">L", len(body)) + body)
        event, byte = stop, to
    return chunks


# --------------------------------------------------------------------------
# Tracks


def smpte_offset(timecode: str, fps: str) -> bytes:
    """The SMPTE Offset meta event placing tick 0 at `timecode`."""
    rate = frame_rate(fps)
    hours, minutes, seconds, frames = timecode_fields(timecode, rate)
    code = rate.smpte_code
    return _meta(_SMPTE_OFFSET, [code << 5 | hours % 24, minutes, seconds, frames, 0])


def _time_signature(num: int, den: int) -> bytes:
    power = den.bit_length() - 1
    if den < 1 or 1 << power != den:
        raise ValueError(f"time signature denominator must be a power of 2, got {den}")
    return _meta(_TIME_SIGNATURE, [num, power, 24, 8])


def _key_signature(key: Key) -> bytes:
    sharps = key.sharps()
    if not -7 <= sharps <= 7:
        raise ValueError(f"key signature of {key.name} has {sharps} sharps")
    return _meta(_KEY_SIGNATURE, [sharps & 0xFF, 1 if key.is_minor else 0])


def _set_tempo(bpm: float) -> bytes:
    return tempo_event(tempo_us(bpm))


def tempo_event(tempo: int) -> bytes:
    """A Set Tempo meta event of `tempo` microseconds per quarter note."""
    if not 0 < tempo <= 0xFFFFFF:
        raise ValueError(f"tempo {tempo} us per quarter is out of range for a MIDI file")
    return _meta(_SET_TEMPO, tempo.to_bytes(3, "big"))


def conductor_events(score: Score, heading: bool = True) -> _Events:
    """Track 0: name, SMPTE offset, tempo map, time and key signatures, markers (without
    `heading`, no name or offset: a cue on a reel)."""
    ev = _Events()
    if heading:
        ev.meta(0, _SETUP, _text(_TRACK_NAME, ascii_text(score.title) or score.id))
        ev.meta(0, _SETUP, smpte_offset(score.start_timecode, score.fps))
    for beat, (num, den) in score.tempo_map.meters:
        ev.meta(int(to_ticks(beat)), _CONTROL, _time_signature(num, den))
    for beat, key in ((0.0, score.key), *score.key_changes):
        ev.meta(int(to_ticks(beat)), _CONTROL, _key_signature(key))
    for beat, bpm in score.tempo_map.tempos:
        ev.meta(int(to_ticks(beat)), _CONTROL, _set_tempo(bpm))
    for marker in score.markers:
        ev.meta(int(to_ticks(marker.beat)), _NOTE_ON, _text(_MARKER, ascii_text(marker.text)))
    return ev


def _channel(part: Part) -> int:
    return DRUM_CHANNEL if part.is_drum else part.channel


def named_track(part: Part) -> _Events:
    """A track holding only the part's name and a channel prefix: a silent template
    track, which sends nothing that could change the patch, volume or pan of a track
    sharing its channel."""
    ev = _Events()
    _name(ev, part)
    ev.meta(0, _SETUP, _meta(_CHANNEL_PREFIX, [_channel(part)]))
    return ev


def _name(ev: _Events, part: Part) -> None:
    """The track's name ("Hn 3-4") and, from its engraving, the instrument's name in full
    ("Horn in F 3-4"), which `import --track horn` also matches."""
    ev.meta(0, _SETUP, _text(_TRACK_NAME, ascii_text(part.name) or part.instrument))
    if part.engraving is not None and part.engraving.display:
        ev.meta(0, _SETUP, _text(_INSTRUMENT_NAME, ascii_text(part.engraving.display)))


def parts_events(parts: Sequence[Part], named: bool = True) -> list[_Events]:
    """Each part's track: name, set-up at tick 0 in the order DAWs expect, CC curves,
    notes, and its `switches` (the articulation map's message wherever the articulation
    changes). The curves and notes of all the parts are worked out together.

    Without `named`: no track names (a cue's events added to a reel's tracks that have
    them).
    """
    channels = [_channel(p) for p in parts]
    for ch in channels:
        if not 0 <= ch <= 15:
            raise ValueError(f"channel must be in 0..15, got {ch}")
    curves = _cc_rows(parts, channels)
    notes = _note_rows(parts, channels)
    tracks = []
    for part, ch, (start, blocks), block in zip(parts, channels, curves, notes):
        ev = _Events()
        if named:
            _name(ev, part)
        cc = _CC_STATUS | ch
        for status, d1, d2 in (
            (cc, 0, 0), (cc, 32, 0), (_PROGRAM_STATUS | ch, int(part.program) % 128, -1),
            (cc, 7, _cc_value(part.volume)), (cc, 10, _cc_value(part.pan)),
            (cc, 11, _cc_value(start.get(11, 127))), (cc, 1, _cc_value(start.get(1, 100))),
        ):
            ev.add(0, _SETUP, status, d1, d2)
        for rows in blocks:
            ev.add_rows(rows)
        _switch_events(ev, part, ch)
        if len(block):
            ev.add_rows(block)
        tracks.append(ev)
    return tracks


def _cc_value(value: float) -> int:
    return int(min(max(value, 0), 127))


def _tick(beat: float) -> int:
    """`to_ticks` of one beat, in plain Python (the same float arithmetic)."""
    return math.floor(beat * PPQ + 0.5)


def _cc_rows(parts: Sequence[Part], channels: Sequence[int]
             ) -> list[tuple[dict[int, int], list[np.ndarray]]]:
    """Per part, the values its CC1 and CC11 start at (where a curve has a point at tick
    0, sent in the set-up) and a block of event rows per curve for the rest of it."""
    beats: list[np.ndarray] = []
    values: list[np.ndarray] = []
    spans: list[tuple[int, int, int, int]] = []  # (part, status, control, points)
    starts: list[dict[int, int]] = []
    for k, (part, ch) in enumerate(zip(parts, channels)):
        curves = {c: v for c, v in part.controllers.items() if len(v)}
        start: dict[int, int] = {c: int(curves[c].values[0]) for c in (1, 11) if c in curves
                                 and _tick(float(curves[c].beats[0])) == 0}
        starts.append(start)
        for control, curve in curves.items():
            skip = 1 if control in start else 0
            if len(curve) > skip:
                spans.append((k, _CC_STATUS | ch, _byte(int(control), "control"),
                              len(curve) - skip))
                beats.append(curve.beats[skip:])
                values.append(curve.values[skip:])
    points = np.concatenate([*beats, np.zeros(0)])
    rows = np.empty((len(points), 5), dtype=np.int64)
    rows[:, 0] = to_ticks(points)
    rows[:, 1] = _CONTROL
    counts = [n for *_, n in spans]
    rows[:, 2] = np.repeat([s for _, s, _, _ in spans], counts)
    rows[:, 3] = np.repeat([c for _, _, c, _ in spans], counts)
    rows[:, 4] = np.clip(np.concatenate([*values, np.zeros(0, dtype=np.int64)]), 0, 127)
    blocks: list[list[np.ndarray]] = [[] for _ in parts]
    at = 0
    for k, _, _, n in spans:
        blocks[k].append(rows[at:at + n])
        at += n
    return list(zip(starts, blocks))


def _note_rows(parts: Sequence[Part], channels: Sequence[int]) -> list[np.ndarray]:
    """Per part, its notes as event rows: note-on then note-off for each span of
    `_note_spans`, in its order."""
    spans = _note_spans(parts)
    n = sum(len(on) for on, *_ in spans)
    on, off, pitch, vel = (np.concatenate(a) if n else np.zeros(0, dtype=np.int64)
                           for a in zip(*spans))
    ch = np.repeat(np.asarray(channels, dtype=np.int64), [len(s[0]) for s in spans])
    rows = np.empty((2 * n, 5), dtype=np.int64)
    rows[0::2, 0], rows[1::2, 0] = on, off
    rows[0::2, 1], rows[1::2, 1] = _NOTE_ON, _NOTE_OFF
    rows[0::2, 2], rows[1::2, 2] = _NOTE_ON_STATUS | ch, _NOTE_OFF_STATUS | ch
    rows[0::2, 3] = rows[1::2, 3] = pitch
    rows[0::2, 4], rows[1::2, 4] = vel, 64
    ends = np.cumsum([2 * len(s[0]) for s in spans]).tolist()
    return [rows[a:b] for a, b in zip([0] + ends, ends)]


def _switch_events(ev: _Events, part: Part, ch: int) -> None:
    """The part's `switches`, each before its change of articulation: a controller or
    program at the note's tick (ahead of its note-on), a keyswitch `lead` beats earlier."""
    for beat, msg in part.switches:
        tick = int(to_ticks(beat))
        if msg.kind == "cc":
            ev.add(tick, _CONTROL, _CC_STATUS | ch, msg.number, msg.value)
        elif msg.kind == "program":
            ev.add(tick, _CONTROL, _PROGRAM_STATUS | ch, msg.number)
        else:
            lead = int(to_ticks(msg.lead))
            start = max(0, tick - lead)
            ev.add(start, _NOTE_ON, _NOTE_ON_STATUS | ch, msg.number, msg.velocity)
            ev.add(max(start + 1, start + lead), _NOTE_OFF, _NOTE_OFF_STATUS | ch, msg.number, 64)


def _note_spans(parts: Sequence[Part]
                ) -> list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]:
    """Per part, (on, off, pitch, velocity) ticks with no two notes of one pitch
    overlapping.

    An earlier note ends where the next of the same pitch starts; of two notes
    starting on the same tick and pitch, the louder one is kept. Spans come
    sorted by pitch, then start. All the parts are worked out in one pass.
    """
    counts = [len(p.notes) for p in parts]
    if not sum(counts):
        empty = np.zeros(0, dtype=np.int64)
        return [(empty, empty, empty, empty) for _ in parts]
    onset, duration, pitch, vel = (np.concatenate([getattr(p.notes, name) for p in parts])
                                   for name in ("onset", "duration", "pitch", "velocity"))
    which = np.repeat(np.arange(len(parts), dtype=np.int64), counts)
    on = to_ticks(onset)
    off = np.maximum(to_ticks(onset + duration), on + 1)
    pitch = np.clip(pitch, 0, 127).astype(np.int64)
    vel = np.clip(vel, 1, 127).astype(np.int64)
    order = np.lexsort((-vel, on, pitch, which))
    on, off, pitch, vel, which = on[order], off[order], pitch[order], vel[order], which[order]
    # of notes sharing (part, pitch, start), the first here is the loudest (then the earliest)
    keep = np.ones(len(on), dtype=bool)
    keep[1:] = (which[1:] != which[:-1]) | (pitch[1:] != pitch[:-1]) | (on[1:] != on[:-1])
    on, off, pitch, vel, which = on[keep], off[keep], pitch[keep], vel[keep], which[keep]
    # cut each note at the next start of its pitch in its part
    same = (pitch[1:] == pitch[:-1]) & (which[1:] == which[:-1])
    off[:-1] = np.where(same & (off[:-1] > on[1:]), on[1:], off[:-1])
    ends = np.cumsum(np.bincount(which, minlength=len(parts))).tolist()
    return [(on[a:b], off[a:b], pitch[a:b], vel[a:b]) for a, b in zip([0] + ends, ends)]


def score_to_bytes(score: Score) -> bytes:
    """The whole Score as the bytes of a type-1, 960-PPQ Standard MIDI File, one track per
    part; a `silent` part (a template track the cue does not play) sends its set-up only
    where no part that plays shares its channel."""
    ends = [int(to_ticks(score.length_beats))]
    ends += [int(to_ticks(p.notes.end)) for p in score.parts if len(p.notes)]
    end_tick = max(ends)
    sounding = {_channel(p) for p in score.parts if not p.silent}
    name_only = [p.silent and _channel(p) in sounding for p in score.parts]
    played = iter(parts_events([p for p, n in zip(score.parts, name_only) if not n]))
    tracks = encode_tracks([conductor_events(score)] + [
        named_track(p) if n else next(played) for p, n in zip(score.parts, name_only)],
        end_tick)
    header = b"MThd" + struct.pack(">Lhhh", 6, 1, len(tracks), PPQ)
    return header + b"".join(tracks)


def _save(data: bytes, path: Path) -> None:
    path.write_bytes(data)


def write_midi(score: Score, path: str | Path) -> Path:
    """Write `score` to `path` atomically (a cue on the film's template comes dressed by
    `template.dress`); return the path."""
    data = score_to_bytes(score)
    with atomic_write(path) as tmp:
        _save(data, tmp)
    return Path(path)
