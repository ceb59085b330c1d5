"""The project file: the example loads; every kind of mistake is one clear line, exit 2."""

from __future__ import annotations

import subprocess
import sys
from fractions import Fraction

import pytest

from motifgen.errors import ProjectError
from motifgen.project import load
from tests.conftest import MINIMAL


def test_example_film_meets_its_brief(example):
    p = load(example)
    characters = [m for m in p.motifs.values() if m.kind == "character"]
    themes = [m for m in p.motifs.values() if m.kind == "theme"]
    assert len(characters) >= 3 and len(themes) >= 2
    assert len(p.scenes) >= 8
    assert len({m for s in p.scenes for m in s.moods}) >= 6
    assert sum(1 for s in p.scenes if s.hits) >= 4
    assert any(s.sections for s in p.scenes)
    assert any(len(s.featuring) >= 2 for s in p.scenes)
    assert any(m.generated for m in p.motifs.values())


def test_fields_are_typed(write_project):
    p = load(write_project())
    scene = p.scenes[0]
    assert scene.start == 3600 and scene.duration == 30
    assert scene.hits[0].seconds == Fraction(15) and scene.hits[0].downbeat
    assert p.motifs["sea"].motif.pitch.tolist() == [62, 69, 67, 65, 64, 62]
    assert p.key.name == "D aeolian" and p.fps.name == "24"


def test_duration_and_seconds_forms(write_project):
    text = MINIMAL.replace('end: "01:00:30:00"', 'duration: "00:00:20:12"')
    assert load(write_project(text)).scenes[0].duration == Fraction(20) + Fraction(12, 24)
    text = MINIMAL.replace('end: "01:00:30:00"', "seconds: 42.5")
    assert load(write_project(text)).scenes[0].duration == Fraction(85, 2)


MISTAKES = [
    ("unknown top-level key",
     lambda t: t.replace("fps: 24", "fps: 24\ncolour: blue"), "colour: unknown field"),
    ("unknown mood", lambda t: t.replace("mood: tender", "mood: jolly"),
     "scenes[0].mood: unknown mood 'jolly'"),
    ("unknown character", lambda t: t.replace("featuring: [hero, sea]", "featuring: [villain]"),
     "scenes[0].featuring[0]: unknown character or theme 'villain'"),
    ("bad timecode", lambda t: t.replace('end: "01:00:30:00"', 'end: "01:00:30:31"'),
     "scenes[0].end:"),
    ("end before start", lambda t: t.replace('end: "01:00:30:00"', 'end: "00:59:00:00"'),
     "scenes[0].end: the scene must end at least 2 s after its start"),
    ("hit outside the scene", lambda t: t.replace('at: "01:00:15:00"', 'at: "01:02:00:00"'),
     "scenes[0].hits[0].at: hit 01:02:00:00 lies outside the scene"),
    ("unknown scene key",
     lambda t: t.replace("    mood: tender", "    mood: tender\n    tempo: 90"),
     "scenes[0].tempo: unknown field"),
    ("bad tinyNotation", lambda t: t.replace("d4 a4 g8", "d4 h4 g8"),
     "characters.hero.motif: cannot read 'h4'"),
    ("degrees and rhythm differ", lambda t: t.replace('rhythm: "h q q q q w"', 'rhythm: "h q"'),
     "themes.sea.motif: 6 degrees but 2 rhythm values"),
    ("bad transform", lambda t: t + "    transform:\n      hero: \"fragmentize=3\"\n",
     "scenes[0].transform.hero:"),
    ("bad fps", lambda t: t.replace("fps: 24", "fps: 26"), "fps:"),
    ("not yaml", lambda t: t.replace("scenes:", "scenes: [oops"), "not valid YAML"),
    ("missing format", lambda t: t.replace("motifgen: 1\n", ""), "motifgen: required field"),
]


@pytest.mark.parametrize("what, mutate, expected", MISTAKES, ids=[m[0] for m in MISTAKES])
def test_mistakes_are_one_line_with_field_path(write_project, what, mutate, expected):
    path = write_project(mutate(MINIMAL))
    with pytest.raises(ProjectError) as info:
        load(path)
    assert expected in str(info.value)
    assert str(info.value).startswith(str(path))
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("what, mutate, expected", MISTAKES[:6], ids=[m[0] for m in MISTAKES[:6]])
def test_cli_reports_mistakes_with_exit_2_and_no_output(write_project, tmp_path, what, mutate,
                                                        expected):
    path = write_project(mutate(MINIMAL))
    out = tmp_path / "out"
    for command in (["validate", str(path)], ["compose", str(path), "-o", str(out), "-q"]):
        run = subprocess.run([sys.executable, "-m", "motifgen", *command],
                             capture_output=True, text=True)
        assert run.returncode == 2
        assert run.stdout == ""
        lines = run.stderr.strip().splitlines()
        assert len(lines) == 1 and expected in lines[0]
        assert "Traceback" not in run.stderr
    assert not out.exists()


def test_missing_file_is_exit_2(tmp_path):
    run = subprocess.run([sys.executable, "-m", "motifgen", "validate",
                          str(tmp_path / "nope.yaml")], capture_output=True, text=True)
    assert run.returncode == 2 and "cannot read project file" in run.stderr


def test_instrument_aliases_are_stored_by_catalogue_name(write_project):
    text = MINIMAL.replace('    motif: "4/4 d4 a4 g8 f e4 f4. g8 a2"',
                           '    motif: "4/4 d4 a4 g8 f e4 f4. g8 a2"\n    instrument: French Horn')
    assert load(write_project(text)).motifs["hero"].instrument == "horn"


def test_moods_by_name(write_project):
    p = load(write_project())
    assert p.mood("tender") is p.moods["tender"]
    assert p.mood("heroic").name == "heroic"  # a preset no scene uses
    with pytest.raises(ProjectError, match="unknown mood 'jolly'; expected one of: action"):
        p.mood("jolly")
