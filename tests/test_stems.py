"""Stems and Broadcast WAV: one file per section, sample-aligned, as long as the mix and
adding up to it; every WAV stamped with the cue's start (read back with the stdlib's
`wave` and by hand, not with our reader)."""

from __future__ import annotations

import struct
import wave

import numpy as np
import pytest

from motifgen.compose import compose_film
from motifgen.io import audio
from motifgen.io.bwf import bwf_bytes, time_reference
from tests.conftest import have_fluidsynth

SHORT = """\
motifgen: 1
title: Short film
key: D minor
fps: 25
characters:
  hero:
    motif: "4/4 d4 a4 g8 f e4 f4. g8 a2"
    instrument: horn
scenes:
  - id: 1M1
    start: "10:00:05:10"
    seconds: 6
    mood: wonder
    featuring: [hero]
"""


def _bext(data: bytes) -> bytes:
    at = data.index(b"bext")
    size = struct.unpack("<L", data[at + 4:at + 8])[0]
    return data[at + 8:at + 8 + size]


def test_a_broadcast_wav_reads_as_a_wav_and_carries_its_time_reference(tmp_path):
    samples = (np.arange(200).reshape(100, 2) * 7 - 600).astype(np.int16)
    path = tmp_path / "x.wav"
    path.write_bytes(bwf_bytes(samples, 48000, 48000 * 3600 + 17, "1M1 Dawn (mix)", "1M1"))
    with wave.open(str(path)) as w:
        assert (w.getnchannels(), w.getsampwidth(), w.getframerate(), w.getnframes()) == \
            (2, 2, 48000, 100)
        assert np.array_equal(np.frombuffer(w.readframes(100), "<i2").reshape(100, 2), samples)
    bext = _bext(path.read_bytes())
    assert bext[:14] == b"1M1 Dawn (mix)" and bext[256:264] == b"motifgen"
    assert struct.unpack("<QH", bext[338:348]) == (48000 * 3600 + 17, 1)
    assert bext[602:].startswith(b"A=PCM,F=48000,W=16,M=stereo")
    assert time_reference(path) == 48000 * 3600 + 17


@pytest.mark.slow
@pytest.mark.skipif(not have_fluidsynth(), reason="fluidsynth or a GM soundfont is absent")
def test_stems_add_up_to_the_mix_and_all_start_at_the_cue(tmp_path):
    film = tmp_path / "film.yaml"
    film.write_text(SHORT)
    out = tmp_path / "out"
    compose_film(film, out, formats=["wav", "stems"], progress=False)
    names = [f"1M1.{s}.wav" for s in ("woodwinds", "brass", "percussion", "keys-and-harp",
                                      "choir", "strings")]
    assert sorted(p.name for p in out.glob("*.wav")) == sorted(names + ["1M1.wav"])
    start = round((10 * 3600 + 5 + 10 / 25) * 44100)

    def read(name):
        assert time_reference(out / name) == start
        with wave.open(str(out / name)) as w:
            return np.frombuffer(w.readframes(w.getnframes()), "<i2").astype(np.int64)

    mix = read("1M1.wav")
    stems = [read(n) for n in names]
    assert all(len(s) == len(mix) for s in stems)
    playing = [s for s in stems if np.abs(s).max() > 0]
    assert len(playing) >= 2  # horn (brass) over the strings, harp ...
    assert np.abs(sum(stems) - mix).max() <= (len(playing) + 1) / 2
    peak = 32767 * 10 ** (audio.PEAK_DBFS / 20)
    assert abs(np.abs(mix).max() - peak) <= 1
    assert "1M1.strings.wav" in (out / "cue_sheet.csv").read_text()


def test_the_stem_files_are_the_score_sections():
    from motifgen.io import STEM_FILES, file_names, scene_files

    assert STEM_FILES == tuple(f"{s.replace(' ', '-')}.wav" for s in audio.STEMS)
    names = [p.name for p in audio.stem_paths("out/2M2.stems").values()]
    assert names == file_names("2M2", "stems") and set(names) <= set(scene_files("2M2"))
