"""The example film composed end to end, checked the way a composer and a DAW would.

Hits land on the beat at their timecode, three independent parsers agree on
what was written, every note is playable, the harmony fits the tune, and the
same project and seed give the same bytes.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from fractions import Fraction
from pathlib import Path

import mido
import numpy as np
import pretty_midi
import pytest
import symusic

from motifgen.arrange.chords import CHROMATIC_COLOURS, parallel_perfects
from motifgen.arrange.form import RING_TAIL_SECONDS
from motifgen.compose import compose_film
from motifgen.motif import Notes
from motifgen.orchestra import INSTRUMENTS
from motifgen.project import load
from motifgen.template import GUIDE_NAME
from motifgen.theory import Key, bar_beats
from motifgen.timecode import timecode_to_seconds
from tests.conftest import EXAMPLE


@pytest.fixture(scope="module")
def film(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("film")
    compose_film(EXAMPLE, out, progress=False)
    return out


@pytest.fixture(scope="module")
def project():
    return load(EXAMPLE)


def _scenes():
    return [s.id for s in load(EXAMPLE).scenes]


def _events(track):
    now = 0
    for msg in track:
        now += msg.time
        yield now, msg


def _seconds_at(mid: mido.MidiFile, tick: int) -> float:
    """Seconds at `tick` from the conductor's tempo events (independent of our TempoMap)."""
    tempos = [(t, m.tempo) for t, m in _events(mid.tracks[0]) if m.type == "set_tempo"]
    secs, last_tick, last_tempo = 0.0, 0, 500000
    for t, tempo in tempos:
        if t >= tick:
            break
        secs += (t - last_tick) * last_tempo / 1e6 / mid.ticks_per_beat
        last_tick, last_tempo = t, tempo
    return secs + (tick - last_tick) * last_tempo / 1e6 / mid.ticks_per_beat


def _bar_lines(mid: mido.MidiFile, until: int) -> set[int]:
    sigs = [(t, m.numerator, m.denominator) for t, m in _events(mid.tracks[0])
            if m.type == "time_signature"]
    lines, ppq = set(), mid.ticks_per_beat
    for i, (t, num, den) in enumerate(sigs):
        stop = sigs[i + 1][0] if i + 1 < len(sigs) else until + 1
        length = num * 4 * ppq // den
        lines.update(range(t, stop, length))
    return lines


def _on_a_count(mid: mido.MidiFile, tick: int) -> bool:
    """Whether `tick` is a whole count (the meter's note value: an eighth in 7/8) after
    the bar line before it."""
    sigs = [(t, m.numerator, m.denominator) for t, m in _events(mid.tracks[0])
            if m.type == "time_signature"]
    start, _, den = [s for s in sigs if s[0] <= tick][-1]
    line = max(t for t in _bar_lines(mid, tick) if t <= tick)
    return line >= start and (tick - line) % (4 * mid.ticks_per_beat // den) == 0


def test_one_file_per_scene_and_a_cue_sheet(film, project):
    for scene in project.scenes:
        assert (film / f"{scene.id}.mid").stat().st_size > 0
        assert json.loads((film / f"{scene.id}.json").read_text())["scene"]["id"] == scene.id
    rows = (film / "cue_sheet.csv").read_text().strip().splitlines()
    assert len(rows) == 1 + len(project.scenes)


@pytest.mark.parametrize("scene_id", _scenes())
def test_hits_land_on_the_beat_at_their_timecode(film, project, scene_id):
    scene = project.scene(scene_id)
    mid = mido.MidiFile(str(film / f"{scene_id}.mid"))
    markers = {m.text: t for t, m in _events(mid.tracks[0]) if m.type == "marker"}
    frame = 1 / float(project.fps.fps)
    onsets = {t for tr in mid.tracks[1:] if tr.name != GUIDE_NAME for t, m in _events(tr)
              if m.type == "note_on" and m.velocity > 0}
    end = max(t for tr in mid.tracks for t, _ in _events(tr))
    bars = _bar_lines(mid, end)
    for hit in scene.hits:
        tick = markers[hit.label]
        wanted = float(timecode_to_seconds(hit.timecode, project.fps) - scene.start)
        assert abs(_seconds_at(mid, tick) - wanted) <= frame / 4, hit.label
        assert _on_a_count(mid, tick), f"{hit.label} is not on a beat"
        if hit.downbeat:
            assert tick in bars, f"{hit.label} is not on a bar line"
        if hit.kind == "cut":  # the music stops dead at a cut
            assert tick not in onsets, f"a note starts on the cut at {hit.label}"
        else:
            assert tick in onsets, f"no note starts at {hit.label}"
    # the cue is as long as the scene, plus the ring of a ring ending or a button's chord
    tail = {"ring": RING_TAIL_SECONDS, "button": 0.5 * 60 / _last_bpm(mid)}.get(scene.ending, 0)
    assert _seconds_at(mid, end) == pytest.approx(float(scene.duration) + tail, abs=frame)


def _last_bpm(mid: mido.MidiFile) -> float:
    return mido.tempo2bpm([m for _, m in _events(mid.tracks[0]) if m.type == "set_tempo"][-1]
                          .tempo)


@pytest.mark.parametrize("scene_id", _scenes())
def test_three_parsers_agree(film, scene_id):
    path = str(film / f"{scene_id}.mid")
    pm = pretty_midi.PrettyMIDI(path)
    sm = symusic.Score(path, ttype="second")
    md = mido.MidiFile(path)
    ours = sorted((round(n.start, 3), round(n.end, 3), n.pitch)
                  for i in pm.instruments for n in i.notes)
    theirs = sorted((round(n.start, 3), round(n.end, 3), n.pitch)
                    for t in sm.tracks for n in t.notes)
    count = sum(1 for tr in md.tracks for m in tr if m.type == "note_on" and m.velocity > 0)
    assert len(ours) == len(theirs) == count > 0
    assert np.allclose(np.array(ours), np.array(theirs), atol=2e-3)
    times, bpms = pm.get_tempo_changes()
    qpm = [t.qpm for t in symusic.Score(path).tempos]
    mido_bpm = [mido.tempo2bpm(m.tempo) for m in md.tracks[0] if m.type == "set_tempo"]
    assert np.allclose(bpms, qpm, atol=0.01) and np.allclose(bpms, mido_bpm, atol=0.01)


def _parts(path: Path):
    """(track name, program, is_drum, Notes in beats) for every part of a file."""
    mid = mido.MidiFile(str(path))
    ppq = mid.ticks_per_beat
    for track in mid.tracks[1:]:
        name = next(m.name for m in track if m.type == "track_name")
        program = next(m.program for m in track if m.type == "program_change")
        ons, rows, drum = {}, [], False
        for t, m in _events(track):
            if m.type == "note_on" and m.velocity > 0:
                ons[m.note] = (t, m.velocity)
                drum = m.channel == 9
            elif m.type in ("note_off", "note_on") and m.note in ons:
                start, vel = ons.pop(m.note)
                rows.append((start / ppq, (t - start) / ppq, m.note, vel))
        cols = list(zip(*sorted(rows))) or [(), (), (), ()]
        yield name, program, drum, Notes(*cols)


@pytest.mark.parametrize("scene_id", _scenes())
def test_every_note_is_playable(film, scene_id):
    planned = {p["name"]: p for p in _plan(film, scene_id)["parts"]}
    for name, program, drum, notes in _parts(film / f"{scene_id}.mid"):
        inst = INSTRUMENTS[planned[name]["instrument"]]
        assert planned[name]["program"] == program or drum
        if drum:
            continue
        assert notes.pitch.min() >= inst.low and notes.pitch.max() <= inst.high, name


def _plan(film, scene_id):
    return json.loads((film / f"{scene_id}.json").read_text())


def _melody_and_bass(film, scene_id):
    parts = {p["name"]: p for p in _plan(film, scene_id)["parts"]}
    notes = {name: n for name, _, _, n in _parts(film / f"{scene_id}.mid")}
    melody = next(notes[n] for n, p in parts.items() if p["role"] == "melody")
    basses = [notes[n] for n, p in parts.items() if p["role"] == "bass"]
    return melody, basses


@pytest.mark.parametrize("scene_id", _scenes())
def test_strong_beat_melody_notes_are_chord_tones(film, scene_id):
    plan = _plan(film, scene_id)
    melody, _ = _melody_and_bass(film, scene_id)
    meter = tuple(int(x) for x in plan["meter"].split("/"))
    chords = [c for s in plan["sections"] for c in s["chords"]]
    step = bar_beats(meter) / (2 if meter[0] in (4, 6, 12) else 1)
    counted = hits = 0
    for beat in np.arange(0, plan["tempo_map"]["length_beats"], step):
        sounding = (melody.onset <= beat + 1e-6) & (melody.onset + melody.duration > beat + 1e-6)
        chord = [c for c in chords if c["beat"] <= beat + 1e-6 < c["beat"] + c["beats"]]
        if sounding.any() and chord:
            counted += 1
            hits += int(melody.pitch[sounding].max()) % 12 in chord[0]["pitch_classes"]
    assert counted > 0
    assert hits / counted >= 0.85, f"{hits}/{counted} strong-beat melody notes are chord tones"


@pytest.mark.parametrize("scene_id", _scenes())
def test_no_parallel_fifths_or_octaves_between_bass_and_melody(film, scene_id):
    plan = _plan(film, scene_id)
    meter = tuple(int(x) for x in plan["meter"].split("/"))
    melody, basses = _melody_and_bass(film, scene_id)
    for bass in basses:
        assert parallel_perfects(bass, melody, meter) == []


@pytest.mark.parametrize("scene_id", _scenes())
def test_melody_lies_in_the_mood_mode(film, project, scene_id):
    """Notes outside the section's mode come only from the motif's own chromatic notes,
    or from a mood whose harmonic colour is chromatic (suspense, menace, mystery)."""
    plan = _plan(film, scene_id)
    melody, _ = _melody_and_bass(film, scene_id)
    chromatic_sources = {name for name, m in project.motifs.items() if m.motif.degrees()[1].any()}
    for sec in plan["sections"]:
        if project.moods[sec["mood"]].colour in CHROMATIC_COLOURS:
            continue
        key = Key.parse(sec["key"])
        inside = (melody.onset >= sec["start_beat"]) & (melody.onset < sec["end_beat"])
        out = [int(p) for p in melody.pitch[inside] if not key.contains(int(p))]
        motifs = {s["motif"] for s in plan["statements"]
                  if s["part"] == "melody" and s["start_beat"] < sec["end_beat"]
                  and s["end_beat"] > sec["start_beat"]}
        if not motifs & chromatic_sources:
            assert out == [], f"{sec['label']}: {out} outside {key.name}"


def test_each_mood_has_its_own_orchestra(film, project):
    """Built-in moods differ in accompaniment (a custom mood may inherit its base's)."""
    from motifgen.moods import PRESETS

    sounds = {}
    for scene in project.scenes:
        if scene.sections or scene.mood not in PRESETS:
            continue
        names = frozenset(p["instrument"] for p in _plan(film, scene.id)["parts"]
                          if p["role"] not in ("melody", "counter"))
        sounds[scene.mood] = (names, PRESETS[scene.mood].texture)
    assert len(sounds) >= 6
    assert len(set(sounds.values())) == len(sounds), "two moods share one accompaniment"


@pytest.mark.parametrize("scene_id", _scenes())
def test_a_scene_alone_gives_the_bytes_it_has_in_the_film(film, tmp_path, scene_id):
    compose_film(EXAMPLE, tmp_path, scene_ids=[scene_id], progress=False)
    for name in (f"{scene_id}.mid", f"{scene_id}.json"):
        assert (tmp_path / name).read_bytes() == (film / name).read_bytes(), name


def test_same_seed_same_bytes_other_seed_other_music(tmp_path):
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    compose_film(EXAMPLE, a, scene_ids=["2M2", "2M3"], progress=False)
    compose_film(EXAMPLE, b, scene_ids=["2M3", "2M2"], progress=False)
    compose_film(EXAMPLE, c, scene_ids=["2M2"], seed=99, progress=False)
    for name in ("2M2.mid", "2M2.json", "2M3.mid", "2M3.json"):
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    assert (a / "2M2.mid").read_bytes() != (c / "2M2.mid").read_bytes()


def test_a_failing_scene_writes_nothing(tmp_path, write_project):
    text = Path(EXAMPLE).read_text().replace(
        '      - at: "01:10:48:12"', '      - at: "01:10:30:02"\n        label: Too close\n'
        '      - at: "01:10:48:12"')
    shutil.copy(EXAMPLE.parent / "compass.mid", tmp_path / "compass.mid")
    path = write_project(text, "film.yaml")
    out = tmp_path / "out"
    out.mkdir()
    (out / "2M2.mid").write_bytes(b"previous good file")
    from motifgen.errors import MotifgenError

    with pytest.raises(MotifgenError) as info:
        compose_film(path, out, progress=False)
    assert str(info.value).startswith(f"{path}: scenes[4] (2M2): hits 'Jump to the quay' "
                                      "(01:10:30:00) and 'Too close' (01:10:30:02)")
    assert sorted(p.name for p in out.iterdir()) == ["2M2.mid"]
    assert (out / "2M2.mid").read_bytes() == b"previous good file"


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("mscore3") is None,
                    reason="MuseScore 3 (mscore3) is not installed: apt-get install musescore3")
def test_musescore_imports_every_scene(film, tmp_path):
    import os

    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    for mid in sorted(film.glob("*.mid")):
        out = tmp_path / f"{mid.stem}.musicxml"
        run = subprocess.run(["mscore3", "-o", str(out), str(mid)], env=env,
                             capture_output=True, text=True, timeout=120)
        assert run.returncode == 0, run.stderr[-500:]
        text = out.read_text(encoding="utf-8")
        assert "<part-list>" in text and text.count("<note") > 10


def test_timecode_fraction_exactness(project):
    # scene starts are exact fractions of a second at 24 fps
    assert all(isinstance(s.start, Fraction) for s in project.scenes)


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("fluidsynth") is None
                    or not Path("/usr/share/sounds/sf2/FluidR3_GM.sf2").is_file(),
                    reason="needs fluidsynth and the GM soundfont (Debian: fluidsynth, "
                           "fluid-soundfont-gm)")
def test_the_lead_is_louder_than_the_whole_accompaniment(project, tmp_path):
    """Rendered as two stems, the melody's RMS over the time it plays is above the
    accompaniment's in every cue of the example film."""
    import wave

    from msgspec.structs import replace

    from motifgen.arrange import compose_scene
    from motifgen.io.audio import render_wav

    def windows(path):
        with wave.open(str(path)) as w:
            a = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16)
            a = a.astype(float).reshape(-1, w.getnchannels()).mean(axis=1)
            k = w.getframerate() // 2
        m = len(a) // k
        return np.sqrt((a[:m * k].reshape(m, k) ** 2).mean(axis=1))

    for scene in project.scenes:
        score = compose_scene(project, scene)
        stems = {}
        for name, keep in (("melody", True), ("rest", False)):
            parts = tuple(p for p in score.parts if (p.role == "melody") == keep)
            render_wav(replace(score, parts=parts), tmp_path / f"{name}.wav",
                       peak_dbfs=None)  # as fluidsynth plays them: their levels compared
            stems[name] = windows(tmp_path / f"{name}.wav")
        n = min(len(stems["melody"]), len(stems["rest"]))
        mel, rest = stems["melody"][:n], stems["rest"][:n]
        playing = mel > 0.05 * mel.max()
        assert np.median(mel[playing] / np.maximum(rest[playing], 1.0)) > 1.0, scene.id
