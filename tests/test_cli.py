"""The command line as a user runs it: listings, transform and vary files, usage errors."""

from __future__ import annotations

import subprocess
import sys

import mido
import pytest

from motifgen.cli import main
from tests.conftest import EXAMPLE as EXAMPLE_PATH


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "motifgen", *args], capture_output=True,
                          text=True, timeout=120)


@pytest.mark.parametrize("command, expected", [
    ("moods", ["heroic", "triumphant", "tender", "tragic", "melancholy", "menacing",
               "mysterious", "wonder", "playful", "action", "suspense", "peaceful"]),
    ("instruments", ["piccolo", "english_horn", "contrabass", "tremolo_strings", "celesta"]),
    ("transforms", ["transpose=SEMITONES", "invert=KIND:AXIS", "sequence=TIMES:STEPS",
                    "fragment=", "metre=", "ornament=", "retrograde="]),
])
def test_listings(capsys, command, expected):
    assert main([command]) == 0
    out = capsys.readouterr().out
    for word in expected:
        assert word in out


def _markers(path):
    return [m.text for m in mido.MidiFile(str(path)).tracks[0] if m.type == "marker"]


def test_vary_writes_each_variation_after_a_marker(example, tmp_path, capsys):
    out = tmp_path / "v.mid"
    assert main(["vary", str(example), "mara", "--mood", "action", "-n", "5", "--seed", "4",
                 "-o", str(out)]) == 0
    printed = capsys.readouterr().out
    markers = _markers(out)
    assert markers[0] == "original" and len(markers) == 6
    for text in markers[1:]:
        assert "(score " in text
        assert text.split(" (score ")[0] in printed
    notes = [m for t in mido.MidiFile(str(out)).tracks for m in t if m.type == "note_on"]
    assert len(notes) > 5 * 4


def test_vary_is_seeded(example, tmp_path):
    a, b, c = (tmp_path / f"{n}.mid" for n in "abc")
    for path, seed in ((a, "1"), (b, "1"), (c, "2")):
        assert main(["vary", str(example), "warden", "-n", "6", "--seed", seed,
                     "-o", str(path)]) == 0
    assert a.read_bytes() == b.read_bytes()
    assert _markers(a) != _markers(c)


def test_transform_writes_before_and_after(example, tmp_path, capsys):
    out = tmp_path / "t.mid"
    assert main(["transform", str(example), "mara", "fragment=3, sequence=3:+1, mode=phrygian",
                 "-o", str(out)]) == 0
    text = capsys.readouterr().out
    assert "before: D4/q A4/q G4/e F4/e E4/q F4/q. G4/e A4/h" in text
    assert "after:  D4/q A4/q G4/e Eb4/q Bb4/q A4/e F4/q C5/q Bb4/e" in text
    assert _markers(out) == ["original", "fragment=3, sequence=3:+1, mode=phrygian"]


def test_transform_and_vary_print_each_note_with_its_length(example, capsys):
    """A rhythm transform is no longer invisible: the lengths are printed too."""
    assert main(["transform", str(example), "mara", "diminish=2"]) == 0
    assert "after:  D4/e A4/e G4/s F4/s E4/e F4/e. G4/s A4/q" in capsys.readouterr().out
    assert main(["vary", str(example), "warden", "-n", "3"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert all("/" in word for word in lines[1].split())


@pytest.mark.parametrize("args, expected", [
    (["transform", "{example}", "mara", "fragmentize=3"], "unknown transform 'fragmentize'"),
    (["transform", "{example}", "mara", "augment=-2"], "augment"),
    (["vary", "{example}", "nobody"], "unknown character or theme 'nobody'"),
    (["vary", "{example}", "mara", "--mood", "jolly"], "unknown mood 'jolly'"),
    (["vary", "{example}", "mara", "-n", "0"], "expected a whole number >= 1"),
    (["compose", "{example}", "--format", "mid,mp3"], "unknown format 'mp3'"),
    (["compose", "{example}", "--scene", "9M9"], "no scene '9M9'"),
    (["compose", "{example}", "--scene", "2m2"], "no scene '2m2'; the project has: 1M1"),
    (["vary", "{example}", "mara", "--mood", "tragik"], "did you mean 'tragic'?"),
    (["transform", "{example}", "mara", "invrt"], "did you mean 'invert'?"),
    (["compose"], "required"),
])
def test_usage_errors_are_one_line_exit_2(example, tmp_path, args, expected):
    args = [a.replace("{example}", str(example)) for a in args]
    if args[0] == "compose":
        args += ["-o", str(tmp_path / "out")]
    result = run(*args)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and expected in lines[0], result.stderr
    assert not (tmp_path / "out").exists()


def test_compose_one_scene_from_the_command_line(example, tmp_path):
    result = run("compose", str(example), "-o", str(tmp_path), "--scene", "2M2", "--seed", "5")
    assert result.returncode == 0, result.stderr
    assert "2M2" in result.stdout and "hits within" in result.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "2M2.json", "2M2.mid", "cue_sheet.csv", "cue_sheet.md"]


def test_parallel_jobs_give_the_same_files(example, tmp_path):
    one, two = tmp_path / "one", tmp_path / "two"
    assert main(["compose", str(example), "-o", str(one), "-q", "--scene", "1M1",
                 "--scene", "1M3"]) == 0
    assert main(["compose", str(example), "-o", str(two), "-q", "--scene", "1M1",
                 "--scene", "1M3", "--jobs", "2"]) == 0
    for name in ("1M1.mid", "1M3.mid", "1M3.json", "cue_sheet.csv"):
        assert (one / name).read_bytes() == (two / name).read_bytes()


def test_the_python_api_names_what_the_readme_uses():
    """`motifgen.vary` is the function even after the module holding it is imported."""
    import motifgen
    from motifgen import development  # noqa: F401  (the package; must not shadow the function)
    from motifgen.development import vary  # noqa: F401  (the module; nor must it)

    project = motifgen.load(EXAMPLE_PATH)
    mara = project.motifs["mara"].motif
    chase = motifgen.transform(mara, "fragment=4, sequence=3:+1, mode=phrygian, diminish=2")
    assert chase.pitch.tolist() == [62, 69, 67, 65, 63, 70, 69, 67, 65, 72, 70, 69]
    assert round(motifgen.similarity(mara, chase), 2) == 0.37
    found = motifgen.vary(mara, mood="tragic", n=4, seed=7)
    assert [type(v).__name__ for v in found] == ["Variation"] * 4
    score = motifgen.compose_scene(project, project.scene("2M2"))
    assert isinstance(score, motifgen.Score) and score.note_count() > 0
