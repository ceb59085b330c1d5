"""Every format for every scene of the example film, opened by the real programs.

MusicXML is validated against the official 4.0 schema and opened by MuseScore
3; WAV is rendered by fluidsynth with a GM soundfont and checked for length and
loudness; PNG is checked for size. A test skips only when the program is
genuinely absent, and says which package brings it.
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import wave
from pathlib import Path

import numpy as np
import pytest

from motifgen.compose import compose_film
from motifgen.io.musicxml import validate_musicxml
from motifgen.project import load
from tests.conftest import EXAMPLE

pytestmark = pytest.mark.slow

HAVE_FLUIDSYNTH = shutil.which("fluidsynth") is not None
HAVE_SOUNDFONT = any(Path(p).is_file() for p in (
    "/usr/share/sounds/sf2/FluidR3_GM.sf2", "/usr/share/sounds/sf2/default-GM.sf2")) or bool(
    os.environ.get("MOTIFGEN_SOUNDFONT"))
HAVE_MSCORE = shutil.which("mscore3") is not None


@pytest.fixture(scope="module")
def film(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("formats")
    formats = ["mid", "json", "musicxml", "png"]
    if HAVE_FLUIDSYNTH and HAVE_SOUNDFONT:
        formats.append("wav")
    compose_film(EXAMPLE, out, formats=formats, progress=False)
    return out


SCENES = [s.id for s in load(EXAMPLE).scenes]


def test_every_scene_has_every_file(film):
    for sid in SCENES:
        for ext in ("mid", "json", "musicxml", "png"):
            assert (film / f"{sid}.{ext}").stat().st_size > 0, f"{sid}.{ext}"


@pytest.mark.parametrize("scene_id", SCENES)
def test_musicxml_is_valid_musicxml_4(film, scene_id):
    assert validate_musicxml(film / f"{scene_id}.musicxml") == []


@pytest.mark.skipif(not HAVE_MSCORE, reason="MuseScore 3 is not installed (apt-get install "
                                            "musescore3)")
def test_musescore_opens_every_score_and_exports_pdf(film, tmp_path):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    for sid in SCENES:
        pdf = tmp_path / f"{sid}.pdf"
        run = subprocess.run(["mscore3", "-o", str(pdf), str(film / f"{sid}.musicxml")],
                             env=env, capture_output=True, text=True, timeout=180)
        assert run.returncode == 0, f"{sid}: {run.stderr[-400:]}"
        assert pdf.read_bytes()[:5] == b"%PDF-"


@pytest.mark.skipif(not (HAVE_FLUIDSYNTH and HAVE_SOUNDFONT),
                    reason="fluidsynth or a GM soundfont is not installed (apt-get install "
                           "fluidsynth fluid-soundfont-gm)")
@pytest.mark.parametrize("scene_id", SCENES)
def test_audio_lasts_the_scene_and_is_not_silent(film, scene_id):
    scene = load(EXAMPLE).scene(scene_id)
    with wave.open(str(film / f"{scene_id}.wav")) as w:
        seconds = w.getnframes() / w.getframerate()
        data = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16)
    assert abs(seconds - float(scene.duration)) <= 0.5
    rms = float(np.sqrt(np.mean(data.astype(np.float64) ** 2)))
    assert rms > 300, f"{scene_id} is nearly silent (RMS {rms:.0f})"


@pytest.mark.parametrize("scene_id", SCENES)
def test_piano_roll_size(film, scene_id):
    head = (film / f"{scene_id}.png").read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", head[16:24]) == (1600, 900)
