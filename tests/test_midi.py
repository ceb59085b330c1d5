"""The MIDI writer: what REFERENCE §3 asks of a DAW-ready file, read back by three parsers."""

from __future__ import annotations

import mido
import numpy as np
import pretty_midi
import pytest
import symusic

from motifgen.io import midi
from motifgen.io.midi import PPQ, tempo_us, write_midi
from motifgen.motif import Notes
from motifgen.score import Curve, Marker, Part, Score, TempoMap
from motifgen.theory import Key


def _score(**kw) -> Score:
    tmap = TempoMap(((0.0, 90.0), (8.0, 100.0)), ((0.0, (4, 4)), (8.0, (3, 4)), (14.0, (4, 4))))
    violin = Notes([0, 1, 2, 2.5, 8], [1, 1, 1, 1, 2], [67, 69, 71, 71, 74], [80, 90, 70, 75, 100])
    bass = Notes([0, 4, 8], [4, 4, 6], [38, 43, 45], [70, 70, 70])
    drums = Notes([0, 8], [0.5, 0.5], [36, 49], [100, 110])
    parts = (
        Part("Violin", "violin", 40, "melody", violin, channel=0,
             controllers={1: Curve.of([(0.0, 60), (4.0, 90)]),
                          11: Curve.of([(7.0, 80), (8.0, 127)])}),
        Part("Contrabass", "contrabass", 43, "bass", bass, channel=1),
        Part("Drums", "drums", 0, "percussion", drums, channel=9, is_drum=True),
    )
    base = dict(id="1M1", title="Dawn at the lighthouse", key=Key.parse("D minor"),
                tempo_map=tmap, parts=parts,
                markers=(Marker(0.0, "1M1 Dawn", "cue"), Marker(8.0, "Door opens", "hit")),
                start_seconds=3612.0, start_timecode="01:00:12:00", fps="24", length_beats=18.0)
    base.update(kw)
    return Score(**base)


@pytest.fixture
def written(tmp_path):
    path = tmp_path / "1M1.mid"
    write_midi(_score(), path)
    return path


def test_type1_960_conductor_track(written):
    mid = mido.MidiFile(str(written))
    assert mid.type == 1 and mid.ticks_per_beat == PPQ == 960
    assert len(mid.tracks) == 4
    conductor = mid.tracks[0]
    assert not any(m.type in ("note_on", "note_off") for m in conductor)
    names = [m.name for t in mid.tracks for m in t if m.type == "track_name"]
    assert names == ["Dawn at the lighthouse", "Violin", "Contrabass", "Drums"]
    for track in mid.tracks:
        assert track[-1].type == "end_of_track"


def test_conductor_events(written):
    conductor = mido.MidiFile(str(written)).tracks[0]
    now, events = 0, []
    for m in conductor:
        now += m.time
        events.append((now, m))
    smpte = [m for _, m in events if m.type == "smpte_offset"][0]
    assert (smpte.hours, smpte.minutes, smpte.seconds, smpte.frames, smpte.frame_rate) == (
        1, 0, 12, 0, 24)
    tempos = [(t, m.tempo) for t, m in events if m.type == "set_tempo"]
    assert tempos == [(0, tempo_us(90)), (8 * PPQ, tempo_us(100))]
    assert tempo_us(90) == 666667  # rounded, not truncated
    sigs = [(t, m.numerator, m.denominator, m.clocks_per_click, m.notated_32nd_notes_per_beat)
            for t, m in events if m.type == "time_signature"]
    assert sigs == [(0, 4, 4, 24, 8), (8 * PPQ, 3, 4, 24, 8), (14 * PPQ, 4, 4, 24, 8)]
    assert [m.key for _, m in events if m.type == "key_signature"] == ["Dm"]
    assert [(t, m.text) for t, m in events if m.type == "marker"] == [
        (0, "1M1 Dawn"), (8 * PPQ, "Door opens")]


def test_part_setup_order_and_channels(written):
    mid = mido.MidiFile(str(written))
    for track, channel, program in ((mid.tracks[1], 0, 40), (mid.tracks[2], 1, 43),
                                    (mid.tracks[3], 9, 0)):
        setup = [m for m in track if not m.is_meta][:7]
        assert all(m.time == 0 for m in setup)
        kinds = [(m.type, getattr(m, "control", None)) for m in setup]
        assert kinds == [("control_change", 0), ("control_change", 32), ("program_change", None),
                         ("control_change", 7), ("control_change", 10),
                         ("control_change", 11), ("control_change", 1)]
        assert setup[2].program == program
        assert {m.channel for m in track if not m.is_meta} == {channel}


def test_no_same_pitch_overlap_and_real_note_offs(written):
    track = mido.MidiFile(str(written)).tracks[1]
    now, sounding, seen_off = 0, set(), False
    for m in track:
        now += m.time
        if m.type == "note_on":
            assert m.velocity > 0
            assert m.note not in sounding, f"pitch {m.note} overlaps at tick {now}"
            sounding.add(m.note)
        elif m.type == "note_off":
            sounding.discard(m.note)
            seen_off = True
    assert seen_off and not sounding


def test_three_parsers_agree(written):
    pm = pretty_midi.PrettyMIDI(str(written))
    sm = symusic.Score(str(written))
    md = mido.MidiFile(str(written))
    ours = sorted((n.start, n.end, n.pitch) for i in pm.instruments for n in i.notes)
    sec = symusic.Score(str(written), ttype="second")
    theirs = sorted((n.start, n.end, n.pitch) for t in sec.tracks for n in t.notes)
    assert len(ours) == len(theirs) == 10  # the 71 at beat 2.5 cuts the one at beat 2
    assert np.allclose(ours, theirs, atol=1e-4)
    assert np.allclose([t.qpm for t in sm.tempos], [90, 100], atol=0.01)
    times, bpms = pm.get_tempo_changes()
    assert np.allclose(bpms, [90, 100], atol=0.01)
    assert times[1] == pytest.approx(8 * 60 / 90, abs=1e-4)
    assert md.length == pytest.approx(8 * 60 / 90 + 10 * 60 / 100, abs=0.001)  # to 18 beats
    assert [i.is_drum for i in pm.instruments] == [False, False, True]


def test_deterministic_bytes(tmp_path):
    a, b = tmp_path / "a.mid", tmp_path / "b.mid"
    write_midi(_score(), a)
    write_midi(_score(), b)
    assert a.read_bytes() == b.read_bytes()


def test_failed_write_keeps_previous_file(tmp_path, monkeypatch):
    path = tmp_path / "1M1.mid"
    write_midi(_score(), path)
    before = path.read_bytes()

    def broken(data, filename):
        with open(filename, "wb") as fh:
            fh.write(b"MThd half")
        raise OSError("disk full")

    monkeypatch.setattr(midi, "_save", broken)
    with pytest.raises(OSError):
        write_midi(_score(title="Other"), path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["1M1.mid"]


@pytest.mark.parametrize("fps, code", [("25", 25), ("29.97df", 29.97), ("30", 30),
                                       ("23.976", 24)])
def test_smpte_rate_codes(tmp_path, fps, code):
    path = tmp_path / "x.mid"
    write_midi(_score(fps=fps, start_timecode="10:00:00;02" if fps == "29.97df"
                      else "10:00:00:00"), path)
    smpte = [m for m in mido.MidiFile(str(path)).tracks[0] if m.type == "smpte_offset"][0]
    assert smpte.frame_rate == code and smpte.hours == 10


def _random_score(seed: int) -> Score:
    """Dense random parts: same-pitch overlaps, equal starts, long gaps, CC curves."""
    g = np.random.default_rng(seed)
    parts = []
    for i in range(3):
        n = 400
        notes = Notes(np.round(g.uniform(0, 200, n) * 4) / 4, g.choice([0.1, 0.5, 1, 3, 40], n),
                      g.integers(36, 48, n), g.integers(1, 128, n))
        curve = Curve(np.arange(0, 200, 7), g.integers(0, 128, 29))
        parts.append(Part(f"P{i}", "violin", 40 + i, "melody", notes, channel=i,
                          is_drum=i == 2, controllers={} if i == 2 else {1: curve, 11: curve}))
    return _score(parts=tuple(parts), length_beats=260.0)


def _reference_spans(part: Part) -> list[tuple[int, int, int, int]]:
    """The per-note loop the vectorised `_note_spans` replaced."""
    n = part.notes
    on = midi.to_ticks(n.onset)
    off = np.maximum(midi.to_ticks(n.onset + n.duration), on + 1)
    pitch, vel = np.clip(n.pitch, 0, 127), np.clip(n.velocity, 1, 127)
    spans: list[tuple[int, int, int, int]] = []
    last: dict[int, int] = {}
    for i in np.lexsort((-vel, on, pitch)).tolist():
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


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_encoding_matches_mido(seed):
    """Our bytes are what mido writes for the same messages (running status, VLQ deltas)."""
    import io

    score = _random_score(seed)
    data = midi.score_to_bytes(score)
    again = io.BytesIO()
    mido.MidiFile(file=io.BytesIO(data)).save(file=again)
    assert again.getvalue() == data
    for part, spans in zip(score.parts, midi._note_spans(score.parts)):
        assert list(zip(*(a.tolist() for a in spans))) == _reference_spans(part)
