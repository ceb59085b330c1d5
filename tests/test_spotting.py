"""A music editor's spotting lists composed end to end: eighth-note bars, tempo
excursions, hits on the first and last frame, gradual tempo changes, the click track,
the streamer list and a cue sheet that stays the film's. Every hit is checked by
integrating the tempo events mido reads back from the MIDI file."""

from __future__ import annotations

import csv
import json
from fractions import Fraction
from pathlib import Path

import mido
import pytest

from motifgen.compose import compose_film
from motifgen.errors import ProjectError
from motifgen.project import load
from motifgen.timecode import frame_rate, timecode_to_frames, timecode_to_seconds

SPOTTING = """\
motifgen: 1
title: Spotting
key: D minor
meter: 3/4
fps: {fps}
characters:
  hero:
    motif: "3/4 d4 a4 g8 f e4 f4 g8 a2"
scenes:
  - id: 1M1
    title: Rooftop chase
    start: "{start}"
    end: "{end}"
    mood: action
    featuring: [hero]
    tempo_changes: gradual
    hits:
      - {{at: "{start}", label: In}}
      - {{at: "{a}", label: Jump}}
      - {{at: "{b}", label: Land}}
      - {{at: "{end}", label: Out, kind: cut}}
    sections:
      - {{at: "{c}", mood: tender, label: Safe}}
  - id: 1M2
    title: Quiet
    start: "{q0}"
    end: "{q1}"
    mood: tender
    featuring: [hero]
    hits:
      - {{at: "{qa}", label: Look}}
      - {{at: "{qb}", label: Smile, downbeat: false}}
"""

#: 24 fps: Jump and Land 1.4 s apart in 3/4 at 132-168 (a 7/8 bar); Look and Smile
#: one second and a frame apart in tender (60-80: just below the range).
AT_24 = dict(fps=24, start="01:00:00:00", a="01:00:04:00", b="01:00:05:10",
             c="01:00:20:00", end="01:00:40:00", q0="01:01:00:00", q1="01:01:20:00",
             qa="01:01:06:00", qb="01:01:07:01")
#: The same at 29.97 drop-frame across a minute boundary (01:00:59;xx -> 01:01:00;02).
AT_DF = dict(fps="29.97df", start="01:00:40;00", a="01:00:44;00", b="01:00:45;12",
             c="01:01:00;02", end="01:01:20;00", q0="01:02:00;02", q1="01:02:20;00",
             qa="01:02:06;00", qb="01:02:07;01")


def integrated_seconds(path: Path) -> dict[str, float]:
    """Marker text -> seconds from the file's start, by mido's own tempo arithmetic."""
    midi = mido.MidiFile(str(path))
    tempo, seconds, last, found = 500000, 0.0, 0, {}
    for msg in midi.tracks[0]:
        tick = last + msg.time
        seconds += mido.tick2second(tick - last, midi.ticks_per_beat, tempo)
        last = tick
        if msg.type == "set_tempo":
            tempo = msg.tempo
        elif msg.type == "marker":
            found.setdefault(msg.text, seconds)
    return found


@pytest.fixture(params=[AT_24, AT_DF], ids=["24", "29.97df"])
def spotted(request, write_project, tmp_path):
    times = request.param
    project = write_project(SPOTTING.format(**times))
    out = tmp_path / "out"
    lines = compose_film(project, out, formats=("mid", "json", "click", "streamers"),
                         progress=False)
    return project, out, lines, times


def test_every_hit_lands_within_a_quarter_frame_by_mido(spotted):
    project, out, _, times = spotted
    film = load(project)
    rate = film.fps
    for scene in film.scenes:
        found = integrated_seconds(out / f"{scene.id}.mid")
        for hit in scene.hits:
            off = (found[hit.label] - float(hit.seconds)) * float(rate.fps)
            assert abs(off) <= 0.25, (scene.id, hit.label, off)


def test_the_chase_takes_a_bar_of_seven_eight_and_ramps_into_the_quiet(spotted):
    _, out, _, _ = spotted
    plan = json.loads((out / "1M1.json").read_text())
    meters = [m for _, m in plan["tempo_map"]["meters"]]
    assert "7/8" in meters
    ramps = plan["tempo_map"]["ramps"]
    assert [r["marking"] for r in ramps] == ["rit."]
    steps = [b for b, _ in plan["tempo_map"]["tempos"]
             if ramps[0]["start_beat"] <= b < ramps[0]["end_beat"]]
    assert len(steps) >= ramps[0]["end_beat"] - ramps[0]["start_beat"]  # every beat at least
    hits = {h["label"]: h for h in plan["hits"]}
    assert hits["In"]["beat"] == 0.0 and hits["Out"]["beat"] == plan["tempo_map"]["length_beats"]
    assert all(h["on_bar_line"] for h in plan["hits"])


def test_an_excursion_is_reported_in_the_summary_and_the_plan(spotted):
    _, out, lines, _ = spotted
    plan = json.loads((out / "1M2.json").read_text())
    [excursion] = plan["tempo_map"]["excursions"]
    assert excursion["into"] == "Smile" and -10 <= excursion["percent"] < 0
    assert excursion["mood_range"] == [60, 80]
    line = next(line for line in lines if line.startswith("1M2"))
    assert "into 'Smile' is" in line and "below the mood's 60-80" in line


def test_the_click_lands_on_every_count_after_a_two_bar_count_in(spotted):
    project, out, _, times = spotted
    rate = frame_rate(times["fps"])
    plan = json.loads((out / "1M1.json").read_text())
    midi = mido.MidiFile(str(out / "1M1.click.mid"))
    smpte = next(m for m in midi.tracks[0] if m.type == "smpte_offset")
    offset = f"{smpte.hours:02d}:{smpte.minutes:02d}:{smpte.seconds:02d}:{smpte.frames:02d}"
    lead_frames = timecode_to_frames(times["start"], rate) - timecode_to_frames(offset, rate)
    lead = float(Fraction(lead_frames) / rate.fps)
    tempo, seconds, last, clicks = 500000, 0.0, 0, []
    events = sorted(((t, i, m) for i, track in enumerate(midi.tracks)
                     for t, m in _absolute(track)), key=lambda e: (e[0], e[1]))
    for tick, _, msg in events:
        seconds += mido.tick2second(tick - last, midi.ticks_per_beat, tempo)
        last = tick
        if msg.type == "set_tempo":
            tempo = msg.tempo
        elif msg.type == "note_on" and msg.velocity:
            clicks.append((seconds, msg.note, msg.channel))
    assert all(channel == 9 for _, _, channel in clicks)
    fps = float(rate.fps)
    count_in = [c for c in clicks if c[0] < lead - 0.25 / fps]
    first_meter = plan["tempo_map"]["meters"][0][1]
    assert len(count_in) == 2 * int(first_meter.split("/")[0])  # two bars of 3/4
    assert [n for _, n, _ in count_in].count(76) == 2  # each bar's first count accented
    # the cue's counts from the plan's tempo map, integrated here independently
    from motifgen.io.click import clicks as counts
    from motifgen.score import TempoMap

    tm = TempoMap(tempos=tuple(tuple(t) for t in plan["tempo_map"]["tempos"]),
                  meters=tuple((b, tuple(int(x) for x in m.split("/")))
                               for b, m in plan["tempo_map"]["meters"]))
    beats, accents = counts(tm, plan["tempo_map"]["length_beats"])
    cue = [c for c in clicks if c[0] >= lead - 0.25 / fps]
    assert len(cue) == len(beats)
    for (t, note, _), beat, accent in zip(cue, beats, accents):
        assert abs((t - lead) - tm.seconds_at(beat)) * fps <= 0.25
        assert (note == 76) == bool(accent)
    assert accents.sum() == len(tm.bar_lines(plan["tempo_map"]["length_beats"] - 1e-6))


def _absolute(track):
    tick = 0
    for msg in track:
        tick += msg.time
        yield tick, msg


def test_streamers_start_two_seconds_before_each_punch(spotted):
    _, out, _, times = spotted
    rate = frame_rate(times["fps"])
    with (out / "1M1.streamers.csv").open(newline="") as f:
        rows = list(csv.DictReader(f))
    assert [r["label"] for r in rows] == ["In", "Jump", "Land", "Out"]
    assert rows[-1]["kind"] == "cut" and rows[1]["punch"] == times["a"]
    for row in rows:
        gap = timecode_to_seconds(row["punch"], rate) - timecode_to_seconds(row["streamer_start"],
                                                                             rate)
        assert abs(float(gap) - 2) <= 0.5 / float(rate.fps)


def test_composing_one_scene_keeps_the_rest_of_the_cue_sheet(spotted):
    project, out, _, _ = spotted
    before = (out / "cue_sheet.csv").read_text()
    md_before = (out / "cue_sheet.md").read_text()
    assert before.count("\n") == 3
    compose_film(project, out, scene_ids=["1M2"], formats=("mid", "json"), progress=False)
    after = (out / "cue_sheet.csv").read_text()
    assert after.count("\n") == 3
    old_rows, new_rows = before.splitlines(), after.splitlines()
    assert new_rows[1] == old_rows[1]  # 1M1 as it was, files and all
    assert new_rows[2].endswith("1M2.mid; 1M2.json")
    assert (out / "cue_sheet.md").read_text().splitlines()[4] == md_before.splitlines()[4]


def test_a_scene_never_composed_has_no_row_and_a_foreign_plan_is_ignored(spotted):
    project, out, _, _ = spotted
    (out / "1M1.json").write_text("{not json", encoding="utf-8")
    compose_film(project, out, scene_ids=["1M2"], formats=("json",), progress=False)
    rows = list(csv.DictReader((out / "cue_sheet.csv").open(newline="")))
    assert [r["id"] for r in rows] == ["1M2"]


def test_tempo_change_must_be_sudden_or_gradual(write_project):
    text = SPOTTING.format(**AT_24).replace("tempo_changes: gradual", "tempo_changes: slow")
    with pytest.raises(ProjectError, match=r"scenes\[0\]\.tempo_changes: unknown tempo change "
                                           r"'slow'; expected one of: sudden, gradual"):
        load(write_project(text))


def test_the_score_marks_a_gradual_change_and_validates(write_project, tmp_path):
    from motifgen.io.musicxml import validate_musicxml

    project = write_project(SPOTTING.format(**AT_24))
    out = tmp_path / "xml"
    compose_film(project, out, scene_ids=["1M1"], formats=("json", "musicxml"), progress=False)
    text = (out / "1M1.musicxml").read_text()
    assert text.count(">rit.</words>") == 1 and "accel." not in text
    assert validate_musicxml(out / "1M1.musicxml") == []
    plan = json.loads((out / "1M1.json").read_text())
    ramp = plan["tempo_map"]["ramps"][0]
    # one metronome mark per tempo outside the ramp, none for its steps
    outside = [b for b, _ in plan["tempo_map"]["tempos"]
               if not ramp["start_beat"] <= b < ramp["end_beat"]]
    assert text.count("<metronome") == len(outside)
