"""Read a motif from a Standard MIDI File (`read_midi_motif`; `midi` writes scores) with
the standard library only.

Loading a project with a MIDI motif needs the notes of one track, its name and the
file's first time signature; mido's reader costs more to import than the whole parse.
This reader gives what `mido.MidiFile` gives for the same bytes (the tests compare both
on every file we write and on random files written by mido): note-on with velocity 0
ends a note, a second note-on of a sounding key restarts it, running status is kept,
track names are Latin-1, and a time signature's denominator is two to the power of its
second byte.
"""

from __future__ import annotations

import re
from pathlib import Path

from msgspec import Struct

from ..errors import NotationError
from ..motif import Motif
from ..theory import Key, bar_beats, parse_meter
from .motif_files import read_motif_bytes

#: Data bytes after each channel status (its high nibble).
_DATA_BYTES = {0x8: 2, 0x9: 2, 0xA: 2, 0xB: 2, 0xC: 1, 0xD: 1, 0xE: 2}


class Track(Struct, frozen=True):
    """One track's name (the last track-name event) and its notes as
    (start tick, length in ticks, pitch, velocity), in the order they end; `instrument`:
    its instrument-name event's text, if any."""
    name: str
    notes: tuple[tuple[int, int, int, int], ...]
    instrument: str = ""


class MidiNotes(Struct, frozen=True):
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


def _track(data: bytes, i: int, end: int) -> tuple[tuple[str, str], list, list, int]:
    """(Name, instrument name), notes, time signatures (tick, meter) and last tick of
    the track in data[i:end]."""
    now, status, name, instrument = 0, 0, "", ""
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
            elif kind == 0x04:
                instrument = body.decode("latin-1")
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
    return (name, instrument), notes, meters, now


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
        tracks.append(Track(name[0], tuple(notes), name[1]))
        i = end
    return MidiNotes(ppq, tuple(tracks), meter, tuple(sorted(meters.items())), last)


#: The most bytes a MIDI motif file may hold: a DAW's full arrangement fits, a
#: 3-million-note file does not.
MAX_MIDI_BYTES = 1_000_000


def read_midi_motif(path: Path, key: Key, track: str | int | None = None,
                    default_meter: tuple[int, int] = (4, 4),
                    bars: tuple[int, int] | None = None) -> Motif:
    """The notes of one track of a MIDI file: the named/numbered track (`pick_track`),
    else the first with notes; with `bars` (first, last, from 1) only that passage.

    Beat 0 is the bar line at the start of the bar holding the first note (of the
    passage's first bar with `bars`), so a pickup keeps its place before the
    downbeat; the file's first time signature (the passage's) is the motif's meter.
    """
    data = read_motif_bytes(path, MAX_MIDI_BYTES)
    if len(data) >= 14 and data[:4] == b"MThd" and data[12] & 0x80:
        raise NotationError(f"cannot read MIDI file {path}: it counts time in SMPTE frames, "
                            "not beats; export it with ticks per beat (PPQ)")
    try:
        mid = read_midi_notes(data)
    except NotationError as e:
        raise NotationError(f"cannot read MIDI file {path}: {e.message}") from e
    if mid.ticks_per_beat < 1:
        raise NotationError(f"cannot read MIDI file {path}: its header gives "
                            f"{mid.ticks_per_beat} ticks per beat; expected 1 or more")
    meter = _file_meter(*mid.meter, path) if mid.meter else None
    candidates = [(index, trk.name, list(trk.notes), trk.instrument)
                  for index, trk in enumerate(mid.tracks) if trk.notes]
    if not candidates:
        raise NotationError(f"MIDI file {path} has no notes")
    chosen = candidates[0] if track is None else pick_track(candidates, str(track), path)
    ppq = mid.ticks_per_beat
    rows = sorted(chosen[2])
    if bars is not None:
        lines = _bar_ticks(mid, ppq, default_meter, path)
        first, meter, rows = _passage(rows, lines, bars, ppq, path)
        return Motif.from_notes(
            [((t - first) / ppq, d / ppq, p, v) for t, d, p, v in rows], key=key, meter=meter)
    meter = meter or default_meter
    bar = ppq * bar_beats(meter)
    # the bar the first note falls in (a note a 32nd early still counts as on the bar line)
    first = (rows[0][0] + ppq / 8) // bar * bar
    return Motif.from_notes(
        [((t - first) / ppq, d / ppq, p, v) for t, d, p, v in rows], key=key, meter=meter)


def _words(name: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", name.lower())


def pick_track(candidates: list, track: str, path: Path):
    """The (index, name, notes, instrument) of `candidates` that `track` names: its
    number, its whole name, the start of its name, or the starts of words of it ("horn"
    finds "Horn in F", "vc" finds "Vc", "ii" finds "Vln II"), case-insensitive, or so
    its instrument name ("horn" finds motifgen's "Hn 1", instrument "Horn in F 1"); the
    closest kind of match wins, and two tracks matching alike is an error naming both."""
    wanted = track.strip().lower()
    words = _words(wanted)

    def rank(name: str) -> int | None:
        name = name.strip().lower()
        if name == wanted:
            return 0
        if wanted and name.startswith(wanted):
            return 1
        have = _words(name)
        if words and all(any(h.startswith(w) for h in have) for w in words):
            return 2
        return None

    by_number = [c for c in candidates if str(c[0]) == track.strip()]
    if by_number:
        return by_number[0]
    ranked = [(min(r), c) for c in candidates
              if (r := [k for k in (rank(c[1]), rank(c[3])) if k is not None])]
    best = [c for r, c in ranked if r == min(r for r, _ in ranked)] if ranked else []
    names = ", ".join(f"{c[0]}:{c[1] or '(unnamed)'}" for c in (best or candidates))
    if not best:
        raise NotationError(
            f"MIDI file {path} has no track {track!r}; tracks with notes: {names}")
    if len(best) > 1:
        raise NotationError(f"MIDI file {path}: --track {track!r} matches {len(best)} tracks "
                            f"({names}); give more of the name or the track number")
    return best[0]


def _bar_ticks(mid, ppq: int, default_meter: tuple[int, int],
               path: Path) -> list[tuple[int, tuple[int, int]]]:
    """(tick, meter) of every bar line of the file up to its last event, from its time
    signatures (`default_meter` before the first one)."""
    changes = [(tick, _file_meter(sig[0], sig[1], path)) for tick, sig in mid.meters]
    if not changes or changes[0][0] > 0:
        changes.insert(0, (0, default_meter))
    lines = []
    for k, (tick, meter) in enumerate(changes):
        stop = changes[k + 1][0] if k + 1 < len(changes) else mid.end + 1
        step = round(ppq * bar_beats(meter))
        lines += [(t, meter) for t in range(tick, max(stop, tick + 1), step)]
    return lines


def _passage(rows: list, lines: list, bars: tuple[int, int], ppq: int, path: Path):
    """The notes of bars `bars` (from 1, both included): (first tick, meter, rows cut to
    the passage). A note up to a 32nd early counts as on the bar line it anticipates."""
    a, b = bars
    if not 1 <= a <= b or a > len(lines):
        raise NotationError(f"MIDI file {path} has {len(lines)} bars; --bars {a}-{b} is not "
                            "among them")
    start, meter = lines[a - 1]
    stop = lines[b][0] if b < len(lines) else max(t + d for t, d, _, _ in rows)
    early = ppq // 8
    cut = [(max(t, start), min(t + d, stop) - max(t, start), p, v) for t, d, p, v in rows
           if start - early <= t < stop - early and min(t + d, stop) > max(t, start)]
    if not cut:
        raise NotationError(f"MIDI file {path}: the track has no notes in bars {a}-{b}")
    return start, meter, cut


def _file_meter(numerator: int, denominator: int, path: Path) -> tuple[int, int]:
    """A MIDI file's time signature, refused when no bar has it (0/4, 3/0, 4/3 ...)."""
    try:
        return parse_meter((int(numerator), int(denominator)))
    except Exception as e:
        raise NotationError(f"cannot read MIDI file {path}: impossible time signature "
                            f"{numerator}/{denominator}; expected e.g. 3/4 or 6/8") from e
