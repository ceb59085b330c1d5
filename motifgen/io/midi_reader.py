"""Read the notes of a Standard MIDI File with the standard library only.

Loading a project with a MIDI motif needs the notes of one track, its name and the
file's first time signature; mido's reader costs more to import than the whole parse.
This reader gives what `mido.MidiFile` gives for the same bytes (the tests compare both
on every file we write and on random files written by mido): note-on with velocity 0
ends a note, a second note-on of a sounding key restarts it, running status is kept,
track names are Latin-1, and a time signature's denominator is two to the power of its
second byte.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import NotationError

#: Data bytes after each channel status (its high nibble).
_DATA_BYTES = {0x8: 2, 0x9: 2, 0xA: 2, 0xB: 2, 0xC: 1, 0xD: 1, 0xE: 2}


@dataclass(frozen=True)
class Track:
    """One track's name (the last track-name event) and its notes as
    (start tick, length in ticks, pitch, velocity), in the order they end."""
    name: str
    notes: tuple[tuple[int, int, int, int], ...]


@dataclass(frozen=True)
class MidiNotes:
    ticks_per_beat: int
    tracks: tuple[Track, ...]
    #: The first time signature of the file, in track order: (numerator, denominator).
    meter: tuple[int, int] | None
    #: Every time signature as (tick, (numerator, denominator)), by tick (the first
    #: one in track order where two share a tick), and the tick of the last event.
    meters: tuple[tuple[int, tuple[int, int]], ...] = ()
    end: int = 0


def _vlq(data: bytes, i: int, end: int) -> tuple[int, int]:
    """A variable-length quantity at `i`: (value, next index)."""
    value = 0
    for _ in range(4):
        if i >= end:
            raise NotationError("the file ends inside a delta time or length")
        byte = data[i]
        i += 1
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            return value, i
    raise NotationError("a variable-length number runs over four bytes")


def _track(data: bytes, i: int, end: int) -> tuple[str, list, list, int]:
    """Name, notes, time signatures (tick, meter) and last tick of the track in
    data[i:end]."""
    now, status, name = 0, 0, ""
    meters: list[tuple[int, tuple[int, int]]] = []
    sounding: dict[tuple[int, int], tuple[int, int]] = {}
    notes: list[tuple[int, int, int, int]] = []
    while i < end:
        delta, i = _vlq(data, i, end)
        now += delta
        if i >= end:
            raise NotationError("the file ends inside a track event")
        byte = data[i]
        if byte in (0xFF, 0xF0, 0xF7):
            kind = data[i + 1] if byte == 0xFF and i + 1 < end else None
            length, i = _vlq(data, i + (2 if byte == 0xFF else 1), end)
            body = data[i:i + length]
            if len(body) < length or i + length > end:
                raise NotationError("the file ends inside a meta or system-exclusive event")
            i += length
            if kind == 0x03:
                name = body.decode("latin-1")
            elif kind == 0x58 and length >= 2:
                meters.append((now, (body[0], 2 ** body[1])))
            continue
        if byte & 0x80:
            status, i = byte, i + 1
        elif not status:
            raise NotationError("running status with no status byte before it")
        count = _DATA_BYTES.get(status >> 4)
        if count is None:
            raise NotationError(f"unknown event status 0x{status:02X}")
        args = data[i:i + count]
        if len(args) < count or i + count > end:
            raise NotationError("the file ends inside a channel event")
        if any(b > 0x7F for b in args):
            raise NotationError("a data byte above 127")
        i += count
        kind, channel = status >> 4, status & 0x0F
        if kind == 0x9 and args[1] > 0:
            sounding[(channel, args[0])] = (now, args[1])
        elif kind in (0x8, 0x9):
            start = sounding.pop((channel, args[0]), None)
            if start is not None and now > start[0]:
                notes.append((start[0], now - start[0], args[0], start[1]))
    return name, notes, meters, now


def read_midi_notes(data: bytes) -> MidiNotes:
    """The notes of every track of the MIDI file `data`; NotationError naming what is
    wrong when it is not one (no header, a track cut short, an unknown event)."""
    if len(data) < 14 or data[:4] != b"MThd":
        raise NotationError("no MIDI header (MThd); it is not a MIDI file"
                            if data[:4] != b"MThd" else "the file ends inside its header")
    size = int.from_bytes(data[4:8], "big")
    if size < 6:
        raise NotationError(f"its header is {size} bytes long; expected 6")
    count = int.from_bytes(data[10:12], "big")
    ppq = int.from_bytes(data[12:14], "big")
    i = 8 + size
    tracks: list[Track] = []
    meter: tuple[int, int] | None = None
    meters: dict[int, tuple[int, int]] = {}
    last = 0
    for _ in range(count):
        if i + 8 > len(data):
            raise NotationError(f"the header announces {count} tracks; the file ends "
                                f"after {len(tracks)}")
        if data[i:i + 4] != b"MTrk":
            raise NotationError(f"track {len(tracks) + 1} does not start with MTrk")
        length = int.from_bytes(data[i + 4:i + 8], "big")
        start, end = i + 8, i + 8 + length
        if end > len(data):
            raise NotationError(f"track {len(tracks) + 1} is cut short")
        name, notes, signatures, stop = _track(data, start, end)
        meter = meter or (signatures[0][1] if signatures else None)
        for tick, sig in signatures:
            meters.setdefault(tick, sig)
        last = max(last, stop)
        tracks.append(Track(name, tuple(notes)))
        i = end
    return MidiNotes(ppq, tuple(tracks), meter, tuple(sorted(meters.items())), last)
