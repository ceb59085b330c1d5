"""The standard-library MIDI reader gives what mido gives for the same bytes."""

from __future__ import annotations

import io
from pathlib import Path

import mido
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from motifgen.errors import NotationError
from motifgen.io.midi_reader import read_midi_notes

ROOT = Path(__file__).resolve().parent.parent


def by_mido(data: bytes):
    """(ppq, [(name, notes)], first meter) as the pre-existing mido path read them."""
    mid = mido.MidiFile(file=io.BytesIO(data))
    meter, tracks = None, []
    for trk in mid.tracks:
        now, open_notes, notes, name = 0, {}, [], ""
        for msg in trk:
            now += msg.time
            if msg.type == "track_name":
                name = msg.name
            elif msg.type == "time_signature" and meter is None:
                meter = (msg.numerator, msg.denominator)
            elif msg.type == "note_on" and msg.velocity > 0:
                open_notes[(msg.channel, msg.note)] = (now, msg.velocity)
            elif msg.type in ("note_off", "note_on"):
                start = open_notes.pop((msg.channel, msg.note), None)
                if start is not None and now > start[0]:
                    notes.append((start[0], now - start[0], msg.note, start[1]))
        tracks.append((name, tuple(notes)))
    return mid.ticks_per_beat, tracks, meter


def by_us(data: bytes):
    got = read_midi_notes(data)
    return got.ticks_per_beat, [(t.name, t.notes) for t in got.tracks], got.meter


@pytest.fixture(scope="module")
def written_files(tmp_path_factory) -> list[Path]:
    """Every MIDI file composing the example film writes, and the shipped motif files."""
    from motifgen.compose import compose_film

    out = tmp_path_factory.mktemp("film")
    compose_film(ROOT / "motifs" / "cartographer.yaml", out, formats=("mid",))
    return sorted(out.glob("*.mid")) + sorted((ROOT / "motifs").glob("*.mid"))


def test_our_own_files_read_the_same(written_files):
    assert len(written_files) >= 10
    for path in written_files:
        data = path.read_bytes()
        assert by_us(data) == by_mido(data), path.name


events = st.lists(st.tuples(
    st.sampled_from(["on", "off", "zero", "cc", "program", "bend", "name", "meter", "sysex"]),
    st.integers(0, 15), st.integers(0, 127), st.integers(0, 127), st.integers(0, 2000)),
    max_size=60)


@given(st.lists(events, min_size=1, max_size=4), st.sampled_from([1, 96, 480, 960]))
@settings(max_examples=150, deadline=None)
def test_random_files_written_by_mido_read_the_same(tracks, ppq):
    mid = mido.MidiFile(type=1, ticks_per_beat=ppq)
    for evs in tracks:
        trk = mido.MidiTrack()
        for kind, ch, a, b, dt in evs:
            if kind == "on":
                trk.append(mido.Message("note_on", channel=ch, note=a, velocity=b, time=dt))
            elif kind == "off":
                trk.append(mido.Message("note_off", channel=ch, note=a, velocity=b, time=dt))
            elif kind == "zero":
                trk.append(mido.Message("note_on", channel=ch, note=a, velocity=0, time=dt))
            elif kind == "cc":
                trk.append(mido.Message("control_change", channel=ch, control=a, value=b,
                                        time=dt))
            elif kind == "program":
                trk.append(mido.Message("program_change", channel=ch, program=a, time=dt))
            elif kind == "bend":
                trk.append(mido.Message("pitchwheel", channel=ch, pitch=a * 64 - 8192, time=dt))
            elif kind == "name":
                trk.append(mido.MetaMessage("track_name", name="Hörn " + chr(65 + a % 26),
                                            time=dt))
            elif kind == "meter":
                trk.append(mido.MetaMessage("time_signature", numerator=1 + a % 12,
                                            denominator=2 ** (b % 5), time=dt))
            else:
                trk.append(mido.Message("sysex", data=[a, b], time=dt))
        mid.tracks.append(trk)
    buf = io.BytesIO()
    mid.save(file=buf)
    data = buf.getvalue()
    assert by_us(data) == by_mido(data)


def test_running_status_is_read():
    """Two notes written with running status (mido writes none, other programs do)."""
    body = (b"\x00\x90\x3c\x50" b"\x60\x3c\x00" b"\x00\x3e\x50" b"\x60\x3e\x00"
            b"\x00\xff\x2f\x00")
    data = (b"MThd\x00\x00\x00\x06\x00\x00\x00\x01\x00\x60" + b"MTrk"
            + len(body).to_bytes(4, "big") + body)
    assert by_us(data) == by_mido(data)
    assert by_us(data)[1][0][1] == ((0, 96, 60, 80), (96, 96, 62, 80))


@pytest.mark.parametrize(("data", "says"), [
    (b"RIFF0000", "not a MIDI file"),
    (b"MThd\x00\x00\x00\x06\x00\x00\x00\x02\x01\xe0", "announces 2 tracks"),
    (b"MThd\x00\x00\x00\x06\x00\x00\x00\x01\x01\xe0MTrk\x00\x00\x00\x09\x00\x90\x3c",
     "cut short"),
    (b"MThd\x00\x00\x00\x06\x00\x00\x00\x01\x01\xe0MTrk\x00\x00\x00\x03\x00\x3c\x50",
     "running status"),
    (b"MThd\x00\x00\x00\x06\x00\x00\x00\x01\x01\xe0MTrk\x00\x00\x00\x04\x00\x90\x3c\x90",
     "above 127"),
])
def test_damaged_files_name_what_is_wrong(data, says):
    with pytest.raises(NotationError, match=says):
        read_midi_notes(data)
