"""The dramaturgy of a cue: its form, its endings, its hits by kind (issue 14's table is
held on the example film in test_quality.py)."""

from __future__ import annotations

import numpy as np
import pytest

import motifgen
from motifgen.arrange import compose_scene
from motifgen.arrange.chords import TURNS
from motifgen.arrange.form import RING_TAIL_SECONDS

FILM = """\
motifgen: 1
title: Endings
key: C major
fps: 25
seed: 5
characters:
  ana: {motif: "4/4 c4 e4 g4 e4 f2 d2 c1", instrument: flute}
  bo: {motif: "4/4 g4 f4 e4 d4 c1", instrument: clarinet}
scenes:
"""
SCENE = """\
  - id: {id}
    start: "01:00:{start:02d}:00"
    seconds: {seconds}
    mood: {mood}
    featuring: [ana, bo]
    intensity: [0.3, 0.7]
    ending: {ending}
{hits}"""


def _film(write_project, scenes):
    body = FILM + "".join(SCENE.format(**s) for s in scenes)
    return motifgen.load(write_project(body))


def _hits(*pairs):
    out = "    hits:\n"
    for at, kind in pairs:
        out += f'      - at: "01:00:{at:02d}:00"\n        kind: {kind}\n'
    return out


@pytest.fixture(scope="module")
def endings(tmp_path_factory):
    import textwrap

    path = tmp_path_factory.mktemp("endings") / "film.yaml"
    scenes = [dict(id=f"E{i}", start=0, mood="peaceful", ending=e, hits="", seconds=40)
              for i, e in enumerate(("ring", "button", "cold", "open"))]
    path.write_text(textwrap.dedent(FILM + "".join(SCENE.format(**s) for s in scenes)))
    project = motifgen.load(path)
    return {s.ending: compose_scene(project, s) for s in project.scenes}


def _pitched(score):
    return [p for p in score.parts if not p.is_drum]


def test_every_cue_establishes_then_states_and_returns(endings):
    for ending, score in endings.items():
        form = [f.part for f in score.plan.form]
        assert form[0] == "establish" and form[1] == "statement" and "answer" in form
        melody = [p for p in score.parts if p.role == "melody"]
        bar = 4.0
        assert min(float(p.notes.onset.min()) for p in melody) >= bar  # a bar before it
        statements = [s for s in score.plan.statements if s.part == "melody"]
        first = {}
        for s in statements:
            first.setdefault(s.motif, s)
        assert all(s.recognisability == 1.0 for s in first.values())  # prime entrances
        assert {s.motif: s.instrument for s in first.values()} == {
            "ana": "flute", "bo": "clarinet"}  # each on its own instrument
        if ending != "open":
            assert form[-1] == "tag" and "return" in form
            assert statements[-1].motif == "ana" and statements[-1].recognisability == 1.0


def _final(score):
    chords = [c for s in score.plan.sections for c in s.chords]
    mel = np.concatenate([p.notes.onset for p in score.parts if p.role == "melody"])
    return chords[-1], mel


@pytest.mark.parametrize("ending", ["ring", "button", "cold"])
def test_closed_endings_end_on_the_tonic_with_a_held_chord_tone(endings, ending):
    score = endings[ending]
    chord, _ = _final(score)
    assert chord.symbol == "I" and chord.beats >= 4  # a whole final bar
    melody = [p for p in score.parts if p.role == "melody"]
    last = max((p for p in melody), key=lambda p: p.notes.onset.max())
    i = int(np.argmax(last.notes.onset))
    assert last.notes.pitch[i] % 12 == 0 and last.notes.duration[i] >= 2
    length = score.length_beats
    assert score.tempo_map.is_bar_line(length)  # never a partial bar
    ends = np.concatenate([p.notes.onset + p.notes.duration for p in _pitched(score)])
    tail = RING_TAIL_SECONDS * score.tempo_map.tempo_at(length) / 60
    if ending == "ring":
        assert ends.max() == pytest.approx(length + tail)
    elif ending == "button":
        at_out = [p for p in _pitched(score) if np.any(np.isclose(p.notes.onset, length))]
        assert len(at_out) >= 3  # a tutti chord on the downbeat after the out-point
        assert ends.max() == pytest.approx(length + 0.5)
    else:
        assert ends.max() <= length + 1e-6  # stops exactly at the out-point


def test_an_open_ending_has_no_tag(endings):
    score = endings["open"]
    assert score.plan.ending == "open"
    assert "tag" not in [f.part for f in score.plan.form]


def _bar_velocity(score, start, end, roles=("harmony", "bass", "melody", "counter")):
    v = [p.notes.velocity[(p.notes.onset >= start - 1e-6) & (p.notes.onset < end - 1e-6)]
         for p in score.parts if p.role in roles and not p.is_drum]
    v = np.concatenate(v)
    return float(v.mean()) if len(v) else 0.0


@pytest.fixture(scope="module")
def kinds(tmp_path_factory):
    import textwrap

    path = tmp_path_factory.mktemp("kinds") / "film.yaml"
    scenes = [dict(id=k, start=0, mood="heroic", ending="ring", hits=_hits((12, k)),
                   seconds=24)
              for k in ("accent", "sting", "swell", "cut", "turn")]
    path.write_text(textwrap.dedent(FILM + "".join(SCENE.format(**s) for s in scenes)))
    project = motifgen.load(path)
    return {s.id: compose_scene(project, s) for s in project.scenes}


def _hit(score):
    hit = score.plan.hits[0]
    return float(hit.beat), hit.kind


def test_hit_kinds_are_recorded_and_heard(kinds):
    for name, score in kinds.items():
        beat, kind = _hit(score)
        assert kind == name
    beat, _ = _hit(kinds["accent"])
    assert _bar_velocity(kinds["accent"], beat, beat + 4) >= \
        _bar_velocity(kinds["accent"], beat - 4, beat) + 12
    sting = kinds["sting"]
    beat, _ = _hit(sting)
    stab = [p.notes for p in sting.parts if p.role == "harmony"]
    assert all(np.all(n.duration[np.isclose(n.onset, beat)] <= 0.5) for n in stab)
    assert any(p.is_drum and 49 in p.notes.pitch[np.isclose(p.notes.onset, beat)].tolist()
               for p in sting.parts)  # a crash on the stab
    swell = kinds["swell"]
    beat, _ = _hit(swell)
    assert _bar_velocity(swell, beat - 4, beat - 2) < _bar_velocity(swell, beat - 2, beat)
    cut = kinds["cut"]
    beat, _ = _hit(cut)
    onsets = np.concatenate([p.notes.onset for p in cut.parts])
    assert not np.any((onsets >= beat - 1e-6) & (onsets < beat + 2 - 1e-6))  # silence
    assert np.any((onsets >= beat + 2 - 1e-6) & (onsets < beat + 4))  # and it goes on
    turn = kinds["turn"]
    beat, _ = _hit(turn)
    chord = next(c for s in turn.plan.sections for c in s.chords
                 if abs(c.beat - beat) < 1e-6)
    roots = {(off, q) for off, q in TURNS}
    assert chord.kind == "colour" and any(
        chord.pitch_classes[0] == off % 12 for off, _ in roots)
    bass = np.concatenate([p.notes.onset for p in turn.parts if p.role == "bass"])
    assert not np.any((bass >= beat - 1e-6) & (bass < beat + 4 - 1e-6))  # enters a bar late


def test_unknown_kind_or_ending_is_one_line(write_project, capsys):
    from motifgen.cli import main

    path = write_project(FILM + SCENE.format(id="X", start=0, mood="heroic", ending="fade",
                                             hits="", seconds=24))
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "scenes[0].ending" in err[0] and "ring, button" in err[0]
