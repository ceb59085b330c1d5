"""`--format pdf` and `--score condensed`: the short score's staves, the file names,
one clear line when MuseScore is missing, and (slow) the engraved pages."""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from motifgen.arrange import compose_scene
from motifgen.cli import main
from motifgen.io import musicxml
from motifgen.io.condensed import STAFF_INSTRUMENTS, STAVES, condense, staff_role
from motifgen.io.pdf import style_for
from motifgen.orchestra import engraving_of
from motifgen.project import load
from tests.conftest import EXAMPLE

HAVE_MSCORE = shutil.which("mscore3") is not None
#: The catalogue's engravings of the condensed staves, as `compose` gives them.
ENGRAVINGS = {name: e for name in STAFF_INSTRUMENTS if (e := engraving_of(name)) is not None}


@pytest.fixture(scope="module")
def cue():
    project = load(EXAMPLE)
    return compose_scene(project, project.scene("2M2"), None)


def test_the_condensed_score_has_one_staff_per_role_in_score_order(cue):
    short = condense(cue, ENGRAVINGS)
    names = [p.name for p in short.parts]
    assert names == [name for role, name, _, _ in STAVES
                     if any(staff_role(p) == role for p in cue.parts)]
    assert len(names) >= 4


def test_the_condensed_staves_are_printed_as_their_engravings_say(cue):
    """A staff takes the engraving it is given for its instrument, and none without one."""
    by_name = {p.name: p for p in condense(cue, ENGRAVINGS).parts}
    assert by_name["Harmony"].engraving == engraving_of("piano")
    assert by_name["Melody"].engraving is None
    bare = condense(cue, {}).parts
    assert all(p.engraving is None for p in bare)
    assert [p.notes for p in bare] == [p.notes for p in by_name.values()]


def test_the_condensed_score_keeps_every_note_but_doublings(cue):
    """Every note of the full score's parts of a role (the bass's octaves aside)."""
    short = condense(cue, ENGRAVINGS).parts
    assert sum(p.is_drum for p in short) == 1
    for part in short:
        role = staff_role(part)
        sources = {(round(on, 6), p) for q in cue.parts
                   if staff_role(q) == role and "(doubling)" not in q.name
                   for on, _, p, _ in q.notes.rows()}
        kept = {(round(on, 6), p) for on, _, p, _ in part.notes.rows()}
        if role == "bass":
            assert kept <= sources and {on for on, _ in kept} == {on for on, _ in sources}
            assert all((on, p + 12) not in kept for on, p in kept)
        else:
            assert kept == sources, role


def test_the_condensed_harmony_is_a_grand_staff_at_concert_pitch(cue, tmp_path):
    path = musicxml.write_musicxml(condense(cue, ENGRAVINGS), tmp_path / "short.musicxml")
    assert musicxml.validate_musicxml(path) == []
    root = ET.parse(path).getroot()
    names = {sp.get("id"): sp.findtext("part-name") for sp in root.iter("score-part")}
    staves = {names[p.get("id")]: int(p.findtext("measure/attributes/staves") or 1)
              for p in root.iter("part")}
    assert staves["Harmony"] == 2
    assert staves["Melody"] == staves["Bass"] == 1
    assert root.find(".//transpose") is None
    abbreviations = {sp.findtext("part-name"): sp.findtext("part-abbreviation")
                     for sp in root.iter("score-part")}
    assert abbreviations["Harmony"] == "Harm."


def test_condensed_without_a_score_format_is_one_line(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["compose", str(EXAMPLE), "-o", str(out), "--scene", "1M3", "-q",
                 "--score", "condensed"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "musicxml or pdf" in err
    assert not out.exists()


def test_pdf_without_musescore_is_one_line_and_writes_nothing(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.delenv("MOTIFGEN_MUSESCORE", raising=False)
    out = tmp_path / "out"
    assert main(["compose", str(EXAMPLE), "-o", str(out), "--scene", "1M3", "-q",
                 "--format", "mid,pdf"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "MuseScore 3 is not installed" in err
    assert "apt-get install musescore3" in err
    assert not out.exists()


def test_the_page_style_follows_the_musicxml_page(cue):
    data = musicxml.to_bytes(cue)
    style = ET.fromstring(style_for(data)).find("Style")
    root = ET.fromstring(data)
    mm = float(root.findtext("defaults/scaling/millimeters"))
    width = float(root.findtext("defaults/page-layout/page-width")) * mm / 40 / 25.4
    assert float(style.findtext("pageWidth")) == pytest.approx(width, abs=1e-3)
    assert float(style.findtext("Spatium")) == pytest.approx(mm / 4)
    staves = sum(int(p.findtext("measure/attributes/staves") or 1) for p in root.iter("part"))
    assert staves >= 10 and width == pytest.approx(297 / 25.4, abs=0.01)  # A3


@pytest.mark.slow
@pytest.mark.skipif(not HAVE_MSCORE, reason="MuseScore 3 is not installed (apt-get install "
                                            "musescore3)")
def test_pdf_full_and_condensed_are_engraved(tmp_path: Path):
    out = tmp_path / "out"
    assert main(["compose", str(EXAMPLE), "-o", str(out), "--scene", "1M3", "-q",
                 "--format", "musicxml,pdf", "--score", "condensed"]) == 0
    names = sorted(p.name for p in out.iterdir())
    assert names == ["1M3.condensed.musicxml", "1M3.condensed.pdf", "1M3.musicxml", "1M3.pdf",
                     "cue_sheet.csv", "cue_sheet.md"]
    for name in ("1M3.pdf", "1M3.condensed.pdf"):
        data = (out / name).read_bytes()
        assert data[:5] == b"%PDF-" and data.count(b"/Type /Page") >= 2
    assert "1M3.condensed.pdf" in (out / "cue_sheet.csv").read_text(encoding="utf-8")
