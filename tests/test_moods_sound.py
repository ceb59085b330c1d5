"""One sketch per built-in mood, rendered to audio and drawn: moods must sound and look
different, in the directions a composer expects (louder, faster, higher, denser)."""

from __future__ import annotations

import shutil
import wave
from pathlib import Path

import numpy as np
import pytest

from motifgen.compose import compose_film
from motifgen.moods import PRESETS

pytestmark = pytest.mark.slow

MOODS = sorted(PRESETS)


def _project(tmp: Path) -> Path:
    scenes = "\n".join(
        f"""  - id: M{i:02d}
    title: {mood}
    start: "01:{i:02d}:00:00"
    seconds: 16
    mood: {mood}
    featuring: [hero]
    intensity: 0.5"""
        for i, mood in enumerate(MOODS, 1))
    path = tmp / "moods.yaml"
    path.write_text(f"""motifgen: 1
title: Mood sampler
key: D minor
characters:
  hero:
    motif: "4/4 d4 a4 g8 f e4 f4. g8 a2"
scenes:
{scenes}
""")
    return path


@pytest.fixture(scope="module")
def sampler(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("moods")
    compose_film(_project(tmp), tmp / "out", formats=["mid", "json", "png"], progress=False)
    if shutil.which("fluidsynth") and Path("/usr/share/sounds/sf2/FluidR3_GM.sf2").is_file():
        # at fluidsynth's own level: the files compose writes are all peak-normalised
        from motifgen.arrange import compose_scene
        from motifgen.io.audio import render_wav
        from motifgen.project import load

        project = load(tmp / "moods.yaml")
        for scene in project.scenes:
            render_wav(compose_scene(project, scene), tmp / "out" / f"{scene.id}.wav",
                       peak_dbfs=None)
    return tmp / "out"


def _notes_per_second(out: Path, i: int) -> float:
    import mido

    mid = mido.MidiFile(str(out / f"M{i:02d}.mid"))
    ons = sum(1 for t in mid.tracks for m in t if m.type == "note_on" and m.velocity > 0)
    return ons / mid.length


def _audio(out: Path, i: int) -> tuple[float, float]:
    """(RMS loudness, spectral centroid in Hz) of a rendered sketch."""
    with wave.open(str(out / f"M{i:02d}.wav")) as w:
        rate = w.getframerate()
        data = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16).astype(np.float64)
    mono = data.reshape(-1, 2).mean(axis=1)
    spectrum = np.abs(np.fft.rfft(mono))
    freqs = np.fft.rfftfreq(len(mono), 1 / rate)
    return float(np.sqrt(np.mean(mono ** 2))), float((spectrum * freqs).sum() / spectrum.sum())


def index(mood: str) -> int:
    return MOODS.index(mood) + 1


def test_moods_look_different(sampler):
    pictures = {(sampler / f"M{i:02d}.png").read_bytes() for i in range(1, len(MOODS) + 1)}
    assert len(pictures) == len(MOODS)


def test_busy_moods_play_more_notes(sampler):
    density = {m: _notes_per_second(sampler, index(m)) for m in MOODS}
    for busy in ("action", "playful", "heroic"):
        for calm in ("peaceful", "tragic", "mysterious"):
            assert density[busy] > density[calm], (busy, calm, density)


@pytest.mark.skipif(shutil.which("fluidsynth") is None
                    or not Path("/usr/share/sounds/sf2/FluidR3_GM.sf2").is_file(),
                    reason="fluidsynth and fluid-soundfont-gm are not installed")
def test_moods_sound_different(sampler):
    sound = {m: _audio(sampler, index(m)) for m in MOODS}
    loud, soft = sound["triumphant"][0], sound["mysterious"][0]
    assert loud > 1.5 * soft, sound
    assert sound["action"][0] > sound["peaceful"][0], sound
    assert sound["mysterious"][1] > sound["menacing"][1], sound  # high celesta vs low brass
    distinct = {(round(r, -1), round(c, -1)) for r, c in sound.values()}
    assert len(distinct) == len(MOODS)
