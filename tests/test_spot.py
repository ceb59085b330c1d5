"""`motifgen spot`: marker lists from each department's system into the project file.

The samples in tests/data/markers follow each format's documentation: a Pro Tools
session info text, an Avid Media Composer marker export, a Reaper marker/region CSV,
a plain CSV and a CMX 3600 EDL. Each round-trips into a project that loads, keeps
its comments and composes."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from motifgen.arrange import spot
from motifgen.cli import main
from motifgen.compose import compose_film
from motifgen.markers import read_markers
from motifgen.project import load
from tests.conftest import EXAMPLE

DATA = Path(__file__).parent / "data" / "markers"

#: Sample -> (format, the hits it adds to 2M2, whether it makes scene 4M1 with 'Gull').
SAMPLES = {
    "protools_session_info.txt": ("Pro Tools session info",
                                  {"01:10:40:00": ("Boat horn", "sting"),
                                   "01:10:44:12": ("Rope snaps", "accent")}, False),
    "avid_markers.txt": ("Avid marker list", {"01:10:40:00": ("Boat horn", "accent"),
                                              "01:10:44:12": ("Rope snaps", "accent")}, True),
    "reaper_markers.csv": ("Reaper marker CSV", {"01:10:40:00": ("Boat horn", "accent"),
                                                 "01:10:44:12": ("Rope snaps", "accent")}, True),
    "markers.csv": ("marker CSV", {"01:10:40:00": ("Boat horn", "sting"),
                                   "01:10:44:12": ("Rope snaps", "accent")}, True),
    "cut.edl": ("CMX 3600 EDL", {"01:10:12:00": ("Cut 001: MARA_RUNS_WIDE.MOV", "accent"),
                                 "01:10:40:00": ("Cut 003: HARBOUR_WIDE.MOV", "accent"),
                                 "01:10:44:12": ("Cut 004", "accent")}, False),
}


@pytest.fixture
def film(tmp_path: Path) -> Path:
    for f in EXAMPLE.parent.iterdir():
        if f.is_file():
            shutil.copy(f, tmp_path / f.name)
    return tmp_path / EXAMPLE.name


@pytest.mark.parametrize("sample", SAMPLES)
def test_each_format_round_trips_into_a_project_that_solves(sample, film, capsys):
    fmt, added, region = SAMPLES[sample]
    before = film.read_text()
    assert read_markers(DATA / sample).format == fmt
    assert main(["spot", str(DATA / sample), "--into", str(film)]) == 0
    printed = capsys.readouterr().out
    assert fmt in printed
    project = load(film)
    old = {h.timecode for h in load(EXAMPLE).scene("2M2").hits}
    hits = {h.timecode: (h.label, h.kind) for h in project.scene("2M2").hits}
    assert {tc: hits[tc] for tc in set(hits) - old} == added
    if sample == "cut.edl":
        assert all(not h.downbeat for h in project.scene("2M2").hits if h.timecode in added)
    ids = [s.id for s in project.scenes]
    assert ("4M1" in ids) == region
    if region:
        new = project.scene("4M1")
        assert [h.label for h in new.hits] == ["Gull"]
        assert new.mood == "peaceful" and new.featuring == ("map", "mara")  # from 3M4
    if "Not in any cue" in (DATA / sample).read_text():
        assert "outside every scene: 01:30:00:00 'Not in any cue'" in printed
    # every comment line and every untouched line of the file is as it was
    text = film.read_text()
    for line in before.splitlines():
        assert line in text.splitlines()
    for scene in project.scenes:
        spot(project, scene)  # the tempo solver catches every hit


def test_a_spotted_film_composes_and_spotting_twice_changes_nothing(film, tmp_path, capsys):
    assert main(["spot", str(DATA / "markers.csv"), "--into", str(film)]) == 0
    once = film.read_bytes()
    assert main(["spot", str(DATA / "markers.csv"), "--into", str(film)]) == 0
    assert film.read_bytes() == once
    assert "already in the project: 01:10:40:00 'Boat horn'" in capsys.readouterr().out
    lines = compose_film(film, tmp_path / "out", scene_ids=["2M2", "4M1"], formats=("json",),
                         progress=False)
    assert any(line.startswith("2M2") and "5 hits" in line for line in lines)
    assert any(line.startswith("4M1") and "1 hit" in line for line in lines)


def test_dry_run_prints_and_writes_nothing(film, capsys):
    before = film.read_bytes()
    assert main(["spot", str(DATA / "reaper_markers.csv"), "--into", str(film),
                 "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "2M2: would add hit 01:10:40:00 'Boat horn'" in out
    assert "4M1: would add scene 01:25:00:00 to 01:25:20:00" in out
    assert "nothing written" in out
    assert film.read_bytes() == before


def test_only_the_named_scene_takes_hits(film, capsys):
    text = "timecode,label\n01:10:40:00,Boat horn\n01:13:10:00,Smoke\n"
    markers = film.parent / "two.csv"
    markers.write_text(text)
    assert main(["spot", str(markers), "--into", str(film), "--scene", "2M3"]) == 0
    out = capsys.readouterr().out
    assert "2M3: added hit 01:13:10:00 'Smoke'" in out
    assert "outside every scene: 01:10:40:00 'Boat horn' (line 2)" in out
    assert len(load(film).scene("2M2").hits) == len(load(EXAMPLE).scene("2M2").hits)


DROP = """\
motifgen: 1
fps: 29.97df
characters:
  hero:
    motif: "4/4 d4 a4 g8 f e4 f4. g8 a2"
scenes:
  # the chase, across a minute boundary
  - id: 1M1
    start: "01:00:40;00"
    end: "01:01:20;00"
    mood: action
    featuring: [hero]
"""


def test_drop_frame_labels_are_read_and_checked(write_project, capsys):
    project = write_project(DROP)
    assert main(["spot", str(DATA / "dropframe.csv"), "--into", str(project)]) == 0
    hits = load(project).scene("1M1").hits
    assert [h.timecode for h in hits] == ["01:00:44;00", "01:00:59;29", "01:01:00;02"]
    assert "# the chase, across a minute boundary" in project.read_text()
    bad = project.parent / "bad.csv"
    bad.write_text("timecode,label\n01:00:50;00,ok\n01:01:00;00,Dropped\n")
    assert main(["spot", str(bad), "--into", str(project)]) == 2
    err = capsys.readouterr().err
    assert f"{bad}: line 3: timecode '01:01:00;00' does not exist at 29.97df" in err
    # an EDL said to be non-drop is refused for a drop-frame project
    assert main(["spot", str(DATA / "cut.edl"), "--into", str(project)]) == 2
    assert "non-drop frame but the project is at 29.97df" in capsys.readouterr().err


@pytest.mark.parametrize(("text", "message"), [
    ("timecode,label\n01:10:40:00,ok\n1:10:4x:00,bad\n", "line 3: expected a timecode"),
    ("timecode,label,kind\n01:10:40:00,ok,boom\n", "line 2: unknown kind 'boom'"),
    ("timecode,label,kind\n01:25:00:00,4M1,cue_start\n", "line 2: cue '4M1' has no cue_end"),
    ("#,Name,Start,End,Length\nM1,Jump,1.1.00,,\n", "line 2: expected a timecode (set "
                                                     "Reaper's time format"),
    ("TITLE: X\n001  AX  V  C  00:00:00:00 00:00:01:00\n", "line 2: expected an EDL event"),
    ("just some notes\n", "not a marker list motifgen reads"),
    ("timecode,label\n01:25:00:00,4M1\n01:13:10:00,In 2M3\n",
     None),  # outside one scene, inside another: fine
])
def test_a_malformed_marker_list_is_one_line_and_changes_nothing(film, text, message):
    markers = film.parent / "m.txt"
    markers.write_text(text)
    before = film.read_bytes()
    run = subprocess.run([sys.executable, "-m", "motifgen", "spot", str(markers), "--into",
                          str(film)], capture_output=True, text=True, timeout=120)
    if message is None:
        assert run.returncode == 0, run.stderr
        return
    assert run.returncode == 2
    assert run.stderr.count("\n") == 1 and "Traceback" not in run.stderr
    assert str(markers) in run.stderr and message in run.stderr
    assert film.read_bytes() == before


def test_a_pro_tools_session_at_another_rate_is_refused(film, capsys):
    text = (DATA / "protools_session_info.txt").read_text().replace("24 Frame", "25 Frame")
    markers = film.parent / "pt.txt"
    markers.write_text(text)
    assert main(["spot", str(markers), "--into", str(film)]) == 2
    assert "is at 25 fps but the project is at 24" in capsys.readouterr().err


def test_a_project_reading_motifs_from_another_folder_spots_with_allow_path(tmp_path, capsys):
    """The example's compass.mid moved to a sibling folder: spot needs --allow-path for
    it, as compose does, and says so in one line without it."""
    proj, motifs = tmp_path / "film", tmp_path / "shared"
    proj.mkdir()
    motifs.mkdir()
    shutil.copy(EXAMPLE.parent / "compass.mid", motifs / "compass.mid")
    film = proj / EXAMPLE.name
    film.write_text(EXAMPLE.read_text(encoding="utf-8").replace(
        "compass.mid", "../shared/compass.mid"), encoding="utf-8")
    before = film.read_bytes()
    marker_list = str(DATA / "reaper_markers.csv")
    assert main(["spot", marker_list, "--into", str(film)]) == 2
    assert "shared" in capsys.readouterr().err and film.read_bytes() == before
    assert main(["spot", marker_list, "--into", str(film), "--allow-path", str(motifs)]) == 0
    assert "Boat horn" in film.read_text(encoding="utf-8")
    assert load(film, allow=[motifs]).scene("2M2")
