"""Motif input: tinyNotation (checked against music21's parser), degrees, MIDI, MusicXML."""

from __future__ import annotations

from pathlib import Path

import mido
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from motifgen.errors import NotationError
from motifgen.io.midi_reader import read_midi_motif
from motifgen.io.notation import parse_degrees, parse_tiny, read_motif
from motifgen.theory import Key

D_MINOR = Key.parse("D minor")

note_token = st.builds(
    lambda letter, octave, acc, dur, dot: (
        (letter.upper() * octave if octave > 0 else letter + "'" * -octave) + acc + dur + dot),
    st.sampled_from("cdefgab"), st.integers(-1, 2), st.sampled_from(["", "#", "-", "n"]),
    st.sampled_from(["2", "4", "8", "16"]), st.sampled_from(["", "."]),
)


@settings(max_examples=40, deadline=None)
@given(st.lists(note_token, min_size=1, max_size=10), st.sampled_from(["4/4", "3/4", "6/8"]))
def test_tiny_notation_matches_music21(tokens, meter):
    from music21 import converter

    text = f"{meter} " + " ".join(tokens)
    ours = parse_tiny(text, D_MINOR)
    theirs = converter.parse("tinyNotation: " + text).flatten().notes
    assert [round(o, 6) for o in ours.onset.tolist()] == [round(float(n.offset), 6) for n in theirs]
    assert ours.duration.tolist() == pytest.approx([float(n.quarterLength) for n in theirs])
    assert ours.pitch.tolist() == [n.pitch.midi for n in theirs]
    assert ours.meter == tuple(int(x) for x in meter.split("/"))


def test_tiny_ties_rests_and_triplets():
    m = parse_tiny("3/4 c4~ c4 r4 trip{e8 f g} a2", Key())
    assert m.rows()[0][:3] == (0.0, 2.0, 60)  # tie merged into one note
    assert m.onset.tolist()[1:4] == pytest.approx([3.0, 3 + 1 / 3, 3 + 2 / 3])
    assert m.meter == (3, 4)


def test_degrees_with_octaves_and_chromatic_notes():
    m = parse_degrees("1 #4 5 8 -1 b3 r 1", "q q e. s h q q w", D_MINOR)
    # D G# A D(8) C(-1: the 7th below) E(b3 of D aeolian: F flat) and, after a rest, D
    assert m.pitch.tolist() == [62, 68, 69, 74, 60, 64, 62]
    assert m.onset.tolist() == [0, 1, 2, 2.75, 3, 5, 7]
    steps, alts = m.degrees()
    assert steps.tolist()[:4] == [0, 3, 4, 7] and alts.tolist()[1] == 1


@pytest.mark.parametrize("degrees, rhythm, expected", [
    ("1 2 3", "q q", "3 degrees but 2 rhythm values"),
    ("1 0 3", "q q q", "bad degree '0'"),
    ("1 x 3", "q q q", "bad degree 'x'"),
    ("1 2 3", "q z q", "bad rhythm value 'z'"),
])
def test_degree_errors(degrees, rhythm, expected):
    with pytest.raises(NotationError, match=expected):
        parse_degrees(degrees, rhythm, D_MINOR)


def test_tiny_errors_say_what_was_expected():
    with pytest.raises(NotationError, match="expected a tinyNotation note"):
        parse_tiny("4/4 c4 h4", Key())
    with pytest.raises(NotationError, match="bad duration"):
        parse_tiny("c3", Key())


def _midi_file(path, tracks):
    mid = mido.MidiFile(type=1, ticks_per_beat=480)
    for name, notes in tracks:
        t = mido.MidiTrack([mido.MetaMessage("track_name", name=name)])
        for pitch, dur in notes:
            t.append(mido.Message("note_on", note=pitch, velocity=90, time=0))
            t.append(mido.Message("note_off", note=pitch, time=dur))
        mid.tracks.append(t)
    mid.save(path)


def test_midi_motif_first_or_named_track(tmp_path):
    path = tmp_path / "m.mid"
    _midi_file(path, [("Conductor", []), ("Flute", [(72, 480), (74, 240)]),
                      ("Horn", [(60, 960)])])
    first = read_midi_motif(path, Key())
    assert first.rows() == [(0.0, 1.0, 72, 90), (1.0, 0.5, 74, 90)]
    assert read_midi_motif(path, Key(), track="Horn").pitch.tolist() == [60]
    with pytest.raises(NotationError, match="no track 'Oboe'.*1:Flute, 2:Horn"):
        read_midi_motif(path, Key(), track="Oboe")


def test_midi_motif_meter_is_the_files_first_time_signature(tmp_path):
    path = tmp_path / "m.mid"
    mid = mido.MidiFile(type=1, ticks_per_beat=480)
    mid.tracks.append(mido.MidiTrack([
        mido.MetaMessage("time_signature", numerator=4, denominator=4),
        mido.MetaMessage("time_signature", numerator=3, denominator=4, time=1920)]))
    mid.tracks.append(mido.MidiTrack([mido.Message("note_on", note=60, velocity=80),
                                      mido.Message("note_off", note=60, time=480)]))
    mid.save(path)
    assert read_midi_motif(path, Key(), default_meter=(4, 4)).meter == (4, 4)
    assert read_midi_motif(path, Key(), default_meter=(6, 8)).meter == (4, 4)
    mid.tracks[0] = mido.MidiTrack()
    mid.save(path)
    assert read_midi_motif(path, Key(), default_meter=(6, 8)).meter == (6, 8)


def test_musicxml_motif(tmp_path):
    from music21 import converter

    path = tmp_path / "m.musicxml"
    converter.parse("tinyNotation: 3/4 g4 b-8 a g4 d'2.").write("musicxml", fp=str(path))
    m = read_motif({"file": "m.musicxml"}, Key.parse("G minor"), (4, 4), tmp_path)
    assert m.pitch.tolist() == [67, 70, 69, 67, 74]
    assert m.meter == (3, 4)


def test_bundled_midi_motif(example):
    m = read_motif({"file": "compass.mid"}, Key.parse("G minor"), (4, 4), example.parent)
    assert len(m) == 9 and m.meter == (3, 4) and m.pitch[0] == 67


def test_unknown_motif_form():
    with pytest.raises(NotationError, match="expected"):
        read_motif({"notes": "c d e"}, Key(), (4, 4), ".")
    with pytest.raises(NotationError, match="does not exist"):
        read_motif({"file": "missing.mid"}, Key(), (4, 4), Path("."))


def test_midi_motif_keeps_its_pickup(tmp_path):
    """Beat 0 is the bar line before the first note: an upbeat stays an upbeat, and a
    motif that begins in a later bar starts at 0."""
    path = tmp_path / "pickup.mid"
    # bars 3 and 4 of a 4/4 file: a pickup on beat 4, then the downbeat
    _midi_file(path, [("Horn", [])])
    mid = mido.MidiFile(path)
    track = mido.MidiTrack([mido.Message("note_on", note=57, velocity=90, time=480 * 11),
                            mido.Message("note_off", note=57, time=480),
                            mido.Message("note_on", note=62, velocity=90, time=0),
                            mido.Message("note_off", note=62, time=960)])
    mid.tracks.append(track)
    mid.save(path)
    m = read_midi_motif(path, Key())
    assert m.rows() == [(3.0, 1.0, 57, 90), (4.0, 2.0, 62, 90)]
    early = mido.MidiFile(path)
    early.tracks[1][0].time = 480 * 8 - 20  # a downbeat played 20 ticks early
    early.save(path)
    assert read_midi_motif(path, Key()).onset[0] == pytest.approx(-20 / 480)


def test_musicxml_motif_keeps_its_pickup(tmp_path):
    """A short first measure (music21's paddingLeft) or leading rests keep the upbeat."""
    from music21 import converter, meter, note, stream

    full = tmp_path / "rests.musicxml"
    converter.parse("tinyNotation: 4/4 r2. a4 d'2 f'4 a'4").write("musicxml", fp=str(full))
    part = stream.Part()
    bar0 = stream.Measure(number=0)
    bar0.append([meter.TimeSignature("4/4"), note.Note("A4", quarterLength=1)])
    bar0.paddingLeft = 3
    bar1 = stream.Measure(number=1)
    bar1.append([note.Note("D5", quarterLength=2), note.Note("F5", quarterLength=2)])
    part.append([bar0, bar1])
    short = tmp_path / "anacrusis.musicxml"
    part.write("musicxml", fp=str(short))
    assert read_motif({"file": full.name}, Key(), (4, 4), tmp_path).onset.tolist() == [
        3.0, 4.0, 6.0, 7.0]
    assert read_motif({"file": short.name}, Key(), (4, 4), tmp_path).rows() == [
        (3.0, 1.0, 69, 80), (4.0, 2.0, 74, 80), (6.0, 2.0, 77, 80)]
