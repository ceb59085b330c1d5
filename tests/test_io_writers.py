"""MusicXML, WAV, PNG and cue-sheet writers on small synthetic Scores.

The slow tests run real programs (MuseScore 3, FluidSynth); they are marked
`slow` but run by default and are skipped only when the program is absent.
"""

from __future__ import annotations

import csv
import os
import shutil
import struct
import subprocess
import wave
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from motifgen.errors import MotifgenError, ToolMissingError
from motifgen.io import audio, cuesheet, musicxml, pianoroll
from motifgen.io.files import atomic_write
from motifgen.io.rhythm import quantise
from motifgen.motif import Notes
from motifgen.orchestra import engraving_of
from motifgen.score import Marker, Part, PartRow, Plan, SceneRow, Score, StatementRow, TempoMap
from motifgen.theory import Key
from tests.conftest import have_fluidsynth

MSCORE = shutil.which("mscore3") or shutil.which("mscore") or shutil.which("musescore")


def notes(rows: list[tuple[float, float, int]], velocity: int = 90) -> Notes:
    on, dur, pitch = zip(*rows)
    return Notes(on, dur, pitch, [velocity] * len(rows))


def make_score(scene_id: str = "1A", with_drums: bool = True) -> Score:
    """Horn melody (transposing, dotted/triplet/odd lengths, overlaps), string chords,
    cello triplets, optional drums; 4/4 -> 3/4 -> 4/4, 96 -> 117.55 bpm, a key change."""
    rng = np.random.default_rng(7)
    on = [float(x) for x in np.arange(0, 22, 0.5) if rng.random() > 0.2]
    lengths = rng.choice([0.5, 0.5, 1.0, 0.333, 0.75, 1.1], len(on))
    melody = notes([(o, float(d), int(60 + rng.integers(0, 14))) for o, d in zip(on, lengths)])
    chords = notes([(b, 3.0, p) for b in np.arange(0, 24, 3.0) for p in (50, 53, 57)], 70)
    cello = notes([(0, 1 / 3, 43), (1 / 3, 1 / 3, 45), (2 / 3, 1 / 3, 47), (1, 2.5, 48),
                   (4.25, 0.75, 40), (5.1, 0.4, 41)])
    parts = [Part("Horn", "horn", 60, "melody", melody, channel=0,
                  engraving=engraving_of("horn")),
             Part("Strings", "strings", 48, "harmony", chords, channel=1,
                  engraving=engraving_of("strings")),
             Part("Cello", "cello", 42, "bass", cello, channel=2, engraving=engraving_of("cello"))]
    if with_drums:
        drums = notes([(float(b), 0.25, 36 + 2 * (i % 2)) for i, b in enumerate(range(20))], 100)
        parts.append(Part("Drums", "drums", 0, "percussion", drums, channel=9, is_drum=True,
                          engraving=engraving_of("drums")))
    tm = TempoMap(tempos=((0.0, 96.0), (12.0, 117.55)),
                  meters=((0.0, (4, 4)), (8.0, (3, 4)), (14.0, (4, 4))))
    return Score(
        id=scene_id, title=f"Arrival {scene_id}", key=Key.parse("D minor"), tempo_map=tm,
        parts=tuple(parts),
        markers=(Marker(0, "A", "section"), Marker(8, "B", "section"),
                 Marker(14, "door slam", "hit")),
        key_changes=((14.0, Key.parse("F major")),), start_seconds=3600.0,
        start_timecode="01:00:00:00", fps="24", length_beats=22.0,
        plan=Plan(scene=SceneRow(scene_id, f"Arrival {scene_id}", "01:00:00:00", "01:00:12:15",
                                 12.6, "24"),
                  moods=("tense", "heroic"), featuring=("Hero",)),
    )


@pytest.fixture(scope="module")
def score() -> Score:
    return make_score()


@pytest.fixture(scope="module")
def xml_file(score: Score, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return musicxml.write_musicxml(score, tmp_path_factory.mktemp("xml") / "1A.musicxml")


def sounding_note_count(m21score) -> dict[str, int]:
    """Notes per part name read back, counting chord members, not tied continuations."""
    counts = {}
    for p in m21score.parts:
        n = 0
        for el in p.recurse().notes:
            if el.tie is not None and el.tie.type in ("stop", "continue"):
                continue
            n += len(el.notes) if el.isChord else 1
        counts[p.partName] = n
    return counts


# ------------------------------------------------------------------ MusicXML

def test_musicxml_validates_against_the_vendored_4_0_schema(xml_file: Path) -> None:
    assert musicxml.SCHEMA_DIR.joinpath("musicxml.xsd").read_text(encoding="utf-8").count(
        "Version 4.0") >= 1
    assert musicxml.validate_musicxml(xml_file) == []
    assert b'version="4.0"' in xml_file.read_bytes()[:400]


def test_validator_reports_errors(tmp_path: Path, xml_file: Path) -> None:
    bad = tmp_path / "bad.musicxml"
    bad.write_bytes(xml_file.read_bytes().replace(b"<divisions>", b"<divisionz>", 1)
                    .replace(b"</divisions>", b"</divisionz>", 1))
    assert musicxml.validate_musicxml(bad)
    garbage = tmp_path / "garbage.musicxml"
    garbage.write_text("<score-partwise>", encoding="utf-8")
    assert musicxml.validate_musicxml(garbage)


def test_musicxml_reads_back_with_names_and_notes(score: Score, xml_file: Path) -> None:
    from music21 import converter, meter, tempo

    back = converter.parse(str(xml_file))
    # in the film template's score order: brass, percussion, strings (the sections, then
    # the ensemble)
    assert [p.partName for p in back.parts] == ["Horn", "Drums", "Cello", "Strings"]
    counts = sounding_note_count(back)
    for part in score.parts:
        assert counts[part.name] == len(part.notes), part.name
    top = back.parts[0]
    # displayed rounded, sounding exact
    assert [round(m.number, 2) for m in top.recurse().getElementsByClass(tempo.MetronomeMark)] \
        == [96, 117.5]
    assert 'tempo="117.55"' in xml_file.read_text(encoding="utf-8")
    sigs = [ts.ratioString for ts in top.recurse().getElementsByClass(meter.TimeSignature)]
    assert sigs == ["4/4", "3/4", "4/4"]
    text = xml_file.read_text(encoding="utf-8")
    assert "<rehearsal" in text and ">A  bar 1  01:00:00:00</rehearsal>" in text
    assert ">B  bar 3  01:00:05:00</rehearsal>" in text
    assert "door slam" in text and ">C  bar 5  " in text
    assert "<instrument-name>Horn in F</instrument-name>" in text


def test_transposing_part_is_written_at_written_pitch(score: Score, xml_file: Path) -> None:
    from music21 import converter

    back = converter.parse(str(xml_file))
    horn = back.parts[0]
    assert "<chromatic>-7</chromatic>" in xml_file.read_text(encoding="utf-8")
    written = [p.midi for n in horn.recurse().notes for p in n.pitches if not (
        n.tie is not None and n.tie.type in ("stop", "continue"))]
    assert sorted(written) == sorted(int(p) + 7 for p in score.parts[0].notes.pitch)


def test_musicxml_is_deterministic(score: Score, xml_file: Path, tmp_path: Path) -> None:
    again = musicxml.write_musicxml(score, tmp_path / "again.musicxml")
    assert again.read_bytes() == xml_file.read_bytes()


def test_the_plan_is_written_as_one_json_key_per_field(score: Score, tmp_path: Path) -> None:
    import json

    from motifgen.io.plan import write_plan

    back = json.loads(write_plan(score, tmp_path / "A.json").read_text(encoding="utf-8"))
    assert set(back) == set(Plan.__struct_fields__) - {"version"} | {"motifgen"}
    assert back["moods"] == ["tense", "heroic"] and back["scene"] == score.plan.scene.as_json()
    assert back["hits"] == [] and back["seed"] is None


def _rounded(value):
    """The plain copy `json.dumps` is given in the reference: floats rounded to 6 places,
    tuples as lists, numpy scalars as Python numbers, keys as strings."""
    if isinstance(value, float):
        return round(value, 6)
    if isinstance(value, dict):
        return {str(k): _rounded(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_rounded(v) for v in value]
    if hasattr(value, "item"):
        return _rounded(value.item())
    return value


_JSON_LEAVES = (st.none() | st.booleans() | st.integers() | st.text()
                | st.floats(allow_nan=True, allow_infinity=True)
                | st.integers(-1000, 1000).map(np.int64) | st.floats(-1e6, 1e6).map(np.float64))
_JSON = st.recursive(_JSON_LEAVES, lambda inner: st.lists(inner, max_size=4)
                     | st.lists(inner, max_size=3).map(tuple)
                     | st.dictionaries(st.text(max_size=6) | st.integers(-5, 5), inner,
                                       max_size=4), max_leaves=30)


@given(_JSON)
def test_the_plans_json_is_what_the_standard_encoder_writes(value) -> None:
    import json

    from motifgen.io.plan import json_text

    expected = json.dumps(_rounded(value), indent=2, sort_keys=True, ensure_ascii=False)
    assert json_text(value) == expected + "\n"


@given(pan=st.none() | st.integers(0, 127), section=st.none() | st.text(max_size=8))
def test_a_plan_row_leaves_out_only_its_missing_optional_fields(pan, section) -> None:
    """A PartRow's pan and section are written whenever set (0 and "" too); a statement's
    missing recognisability is written as null, its missing instrument not at all."""
    out = PartRow("Hn 1", "horn", "melody", 60, 1, 12, pan=pan, section=section).as_json()
    assert ("pan" in out) == (pan is not None) and out.get("pan") == pan
    assert ("section" in out) == (section is not None) and out.get("section") == section
    assert "volume" not in out and out["notes"] == 12
    counter = StatementRow("counter", "a", "C major", "", "counterpoint", None, 0.0, 4.0, "x")
    assert counter.as_json()["recognisability"] is None
    assert "instrument" not in counter.as_json() and "form" not in counter.as_json()


def test_quantise_keeps_every_note_on_a_notatable_grid() -> None:
    rng = np.random.default_rng(3)
    rows = [(float(o), float(d), 60, 80) for o, d in zip(rng.uniform(0, 16, 200),
                                                         rng.uniform(0.01, 3, 200))]
    out = quantise(rows)
    assert len(out) == len(rows)
    for start, end, _ in out:
        assert end > start
        for t in (start, end):
            assert (t * 4).denominator == 1 or (t * 3).denominator == 1


@pytest.mark.slow
@pytest.mark.skipif(MSCORE is None, reason="MuseScore 3 (mscore3) is not installed")
def test_musescore_opens_and_exports_pdf(xml_file: Path, tmp_path: Path) -> None:
    pdf = tmp_path / "score.pdf"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    done = subprocess.run([MSCORE, "-o", str(pdf), str(xml_file)], env=env,
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert pdf.read_bytes()[:5] == b"%PDF-" and pdf.stat().st_size > 5000


# ------------------------------------------------------------------ WAV

@pytest.mark.slow
@pytest.mark.skipif(not have_fluidsynth(), reason="fluidsynth or a GM soundfont is absent")
def test_wav_matches_scene_length_and_is_not_silent(score: Score, tmp_path: Path) -> None:
    path = audio.render_wav(score, tmp_path / "1A.wav")
    with wave.open(str(path)) as w:
        seconds = w.getnframes() / w.getframerate()
        assert w.getframerate() == 44100 and w.getsampwidth() == 2
        data = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float64)
    assert abs(seconds - score.duration_seconds) < 0.5
    assert seconds == pytest.approx(score.duration_seconds + audio.RELEASE_SECONDS, abs=1e-3)
    assert np.sqrt(np.mean(data**2)) > 300  # well above dither/noise: music is playing
    assert data[-4:].tolist() == [0, 0, 0, 0]  # release faded out
    again = audio.render_wav(score, tmp_path / "again.wav")
    assert again.read_bytes() == path.read_bytes()


def test_soundfont_lookup_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    font = tmp_path / "x.sf2"
    font.write_bytes(b"RIFF")
    env_font = tmp_path / "env.sf2"
    env_font.write_bytes(b"RIFF")
    monkeypatch.setenv("MOTIFGEN_SOUNDFONT", str(env_font))
    assert audio.find_soundfont(font) == font
    assert audio.find_soundfont() == env_font
    monkeypatch.setenv("MOTIFGEN_SOUNDFONT", str(tmp_path / "missing.sf2"))
    with pytest.raises(ToolMissingError, match="MOTIFGEN_SOUNDFONT"):
        audio.find_soundfont()
    monkeypatch.delenv("MOTIFGEN_SOUNDFONT")
    monkeypatch.setattr(audio, "SOUNDFONT_PATHS", (str(tmp_path / "none.sf2"),))
    with pytest.raises(ToolMissingError, match="fluid-soundfont-gm"):
        audio.find_soundfont()


def test_missing_fluidsynth_names_the_package(monkeypatch: pytest.MonkeyPatch,
                                              score: Score, tmp_path: Path) -> None:
    monkeypatch.setattr(audio.shutil, "which", lambda name: None)
    with pytest.raises(ToolMissingError, match="apt-get install fluidsynth"):
        audio.render_wav(score, tmp_path / "x.wav")
    assert not (tmp_path / "x.wav").exists()


# ------------------------------------------------------------------ PNG

def test_png_size_and_determinism(score: Score, tmp_path: Path) -> None:
    a = pianoroll.write_png(score, tmp_path / "a.png", width=1200, height=700)
    b = pianoroll.write_png(score, tmp_path / "b.png", width=1200, height=700)
    head = a.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n" and head[12:16] == b"IHDR"
    assert struct.unpack(">II", head[16:24]) == (1200, 700)
    assert a.read_bytes() == b.read_bytes()
    assert b"Software" not in a.read_bytes()[:4096]


def test_png_without_drums_and_timecode_labels(tmp_path: Path) -> None:
    s = make_score(with_drums=False)
    path = pianoroll.write_png(s, tmp_path / "p.png")
    assert struct.unpack(">II", path.read_bytes()[16:24]) == (1600, 900)
    assert pianoroll.timecode_at(s, 0) == "01:00:00:00"
    assert pianoroll.timecode_at(s, 1.5) == "01:00:01:12"


# ------------------------------------------------------------------ cue sheet

def test_cue_sheet_csv_and_markdown(tmp_path: Path) -> None:
    scores = [make_score("1A"), make_score("2B", with_drums=False)]
    bare = Score(id="3C", title="Bare", key=Key.parse("C"), tempo_map=TempoMap(),
                 parts=scores[1].parts, length_beats=8.0)
    files = {"1A": ["out/1A.mid", "out/1A.wav"], "2B": "out/2B.mid"}
    csv_path, md_path = cuesheet.write_cue_sheet(scores + [bare], tmp_path / "cue_sheet.csv",
                                                 tmp_path / "cue_sheet.md", files)
    with open(csv_path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == list(cuesheet.COLUMNS)
    assert [r["id"] for r in rows] == ["1A", "2B", "3C"]
    first = rows[0]
    assert first["start"] == "01:00:00:00" and first["end"] == "01:00:12:15"
    assert float(first["duration"]) == pytest.approx(scores[0].duration_seconds, abs=1e-3)
    assert first["tempo"] == "96; 117.55" and first["meter"] == "4/4; 3/4"
    assert first["moods"] == "tense; heroic" and first["featuring"] == "Hero"
    assert first["files"] == "1A.mid; 1A.wav" and rows[1]["files"] == "2B.mid"
    # no plan: fall back to the Score
    assert rows[2]["start"] == "00:00:00:00" and rows[2]["end"] == "00:00:04:00"
    assert rows[2]["tempo"] == "120" and rows[2]["moods"] == "" and rows[2]["files"] == ""
    md = md_path.read_text(encoding="utf-8").splitlines()
    assert md[2].startswith("| id | title |") and len(md) == 4 + 3


# ------------------------------------------------------------------ atomicity

def test_atomic_write_keeps_old_file_on_failure(tmp_path: Path) -> None:
    target = tmp_path / "x.txt"
    target.write_text("old", encoding="utf-8")
    with pytest.raises(RuntimeError), atomic_write(target) as tmp:
        tmp.write_text("half", encoding="utf-8")
        raise RuntimeError("boom")
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["x.txt"]


def _boom(*args, **kwargs):
    raise RuntimeError("disk full")


@pytest.mark.parametrize("kind", ["musicxml", "png", "csv", "wav"])
def test_failing_writer_leaves_no_file_and_keeps_the_old_one(
        kind: str, score: Score, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if kind == "musicxml":
        monkeypatch.setattr(Path, "write_bytes", _boom)
        run = lambda p: musicxml.write_musicxml(score, p)  # noqa: E731
    elif kind == "png":
        from matplotlib.figure import Figure

        monkeypatch.setattr(Figure, "savefig", _boom)
        run = lambda p: pianoroll.write_png(score, p)  # noqa: E731
    elif kind == "csv":
        monkeypatch.setattr(Path, "write_text", _boom)
        run = lambda p: cuesheet.write_cue_sheet([score], p, None)  # noqa: E731
    else:
        if not have_fluidsynth():
            pytest.skip("fluidsynth or a GM soundfont is absent")
        monkeypatch.setattr(audio, "_fit_length", _boom)
        run = lambda p: audio.render_wav(score, p)  # noqa: E731
    fresh = tmp_path / "new" / f"out.{kind}"
    fresh.parent.mkdir()
    with pytest.raises(RuntimeError):
        run(fresh)
    assert list(fresh.parent.iterdir()) == []
    existing = tmp_path / f"old.{kind}"
    with open(existing, "wb") as f:  # Path.write_* may be the patched failure
        f.write(b"previous good file")
    with pytest.raises(RuntimeError):
        run(existing)
    assert existing.read_bytes() == b"previous good file"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["new", existing.name])


def test_write_musicxml_validate_flag_refuses_invalid_output(
        score: Score, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(musicxml, "to_bytes", lambda s: b"<score-partwise version='4.0'/>")
    with pytest.raises(MotifgenError, match="invalid MusicXML"):
        musicxml.write_musicxml(score, tmp_path / "v.musicxml", validate=True)
    assert list(tmp_path.iterdir()) == []
