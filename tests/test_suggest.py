"""`motifgen suggest`: candidates for a character from its archetype and traits, a MIDI
file of them with markers, and the chosen one written into the project file."""

from __future__ import annotations

import shutil
from pathlib import Path

import mido
import pytest

from motifgen.cli import main
from motifgen.io.notation import format_tiny
from motifgen.project import load
from motifgen.projectfile import same_notes
from motifgen.suggest import suggest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "motifs" / "cartographer.yaml"


@pytest.fixture
def film(tmp_path: Path) -> Path:
    """A copy of the example film that a test may write into."""
    for name in ("cartographer.yaml", "compass.mid"):
        shutil.copy(EXAMPLE.parent / name, tmp_path / name)
    return tmp_path / "cartographer.yaml"


def run(capsys, *argv: str) -> tuple[int, list[str], str]:
    status = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return status, out.splitlines(), err


def test_first_candidate_with_the_project_seed_is_the_films_motif():
    project = load(EXAMPLE)
    found = suggest(project, "finch")
    assert found.archetype == "trickster" and found.traits == ("playful", "restless")
    assert found.seed == project.seed
    assert same_notes(found.candidates[0].motif, project.motifs["finch"].motif)


def test_candidates_are_distinct_best_first_and_satisfy_their_constraints():
    found = suggest(load(EXAMPLE), "finch", n=6)
    assert len(found.candidates) == 6
    texts = [format_tiny(c.motif) for c in found.candidates]
    assert len(set(texts)) == 6
    scores = [c.score for c in found.candidates]
    assert scores == sorted(scores, reverse=True)
    for c in found.candidates:
        assert c.constraints.check(c.motif) == []


def test_same_seed_same_candidates_other_seed_other_candidates():
    project = load(EXAMPLE)
    texts = {seed: [format_tiny(c.motif) for c in suggest(project, "finch", seed=seed).candidates]
             for seed in (1, 2)}
    again = [format_tiny(c.motif) for c in suggest(project, "finch", seed=1).candidates]
    assert texts[1] == again
    assert texts[1] != texts[2]


def test_cli_lists_candidates_and_writes_them_end_to_end_with_markers(capsys, tmp_path):
    out = tmp_path / "finch.mid"
    status, lines, err = run(capsys, "suggest", EXAMPLE, "finch", "-n", "4", "-o", out)
    assert status == 0, err
    assert lines[0].startswith("finch: trickster; playful, restless")
    assert lines[1].startswith("constraints: ")
    assert sum(1 for line in lines if "memorability" in line) == 4
    midi = mido.MidiFile(out)
    markers = [m.text for t in midi.tracks for m in t if m.type == "marker"]
    assert [m.split(".")[0] for m in markers] == ["1", "2", "3", "4"]
    assert all("memorability" in m and lines[1].removeprefix("constraints: ") in m
               for m in markers)
    found = suggest(load(EXAMPLE), "finch", n=4)
    notes = sum(1 for t in midi.tracks for m in t if m.type == "note_on" and m.velocity)
    assert notes == sum(len(c.motif) for c in found.candidates)


def test_into_writes_the_picked_candidate_and_keeps_the_rest_of_the_file(capsys, film):
    before = film.read_text(encoding="utf-8")
    status, lines, err = run(capsys, "suggest", film, "finch", "--pick", "2", "--into", film)
    assert status == 0, err
    assert lines[-1].startswith(f"wrote characters.finch into {film}")
    after = film.read_text(encoding="utf-8")
    added = [line for line in after.splitlines() if line not in before.splitlines()]
    removed = [line for line in before.splitlines() if line not in after.splitlines()]
    assert removed == []
    assert all(line.strip().startswith(("motif:", "key:")) for line in added), added
    chosen = suggest(load(EXAMPLE), "finch").candidates[1].motif
    written = load(film).motifs["finch"]
    assert not written.generated
    assert same_notes(written.motif, chosen)


def test_a_new_name_with_an_archetype_becomes_a_theme(capsys, film):
    status, lines, err = run(capsys, "suggest", film, "lighthouse", "--archetype", "mentor",
                             "--traits", "stubborn", "--pick", "1", "--into", film)
    assert status == 0, err
    assert lines[0].startswith("lighthouse: mentor; stubborn")
    assert load(film).motifs["lighthouse"].kind == "theme"


@pytest.mark.parametrize(("args", "fragment"), [
    (["finch", "--pick", "1"], "--pick K and --into PROJECT go together"),
    (["finch", "--pick", "9", "--into", "FILM"], "--pick: expected a candidate number from 1 to 5"),
    (["nobody"], "unknown character or theme 'nobody'"),
    (["mara"], "'mara' has no archetype or traits"),
    (["finch", "--archetype", "herro"], "herro"),
])
def test_mistakes_are_one_line_and_leave_the_project_alone(capsys, film, args, fragment):
    before = film.read_bytes()
    argv = [str(film) if a == "FILM" else a for a in args]
    status, lines, err = run(capsys, "suggest", film, *argv)
    assert status == 2
    assert err.count("\n") == 1 and fragment in err, err
    assert film.read_bytes() == before


def test_readme_lists_every_archetype_and_trait_as_the_tables_define_them():
    from motifgen.generate.constraints import ARCHETYPES, TRAITS

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name, a in ARCHETYPES.items():
        assert f"| `{name}` | {a.constraints.mode.replace('_', ' ')} |" in readme
        assert f"| {a.summary} |" in readme
    for name, t in TRAITS.items():
        assert f"| `{name}` |" in readme and f"| {t.summary} |" in readme
