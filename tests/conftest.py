"""Shared fixtures: the bundled example film and a writer for small project files."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "motifs" / "cartographer.yaml"

MINIMAL = """\
motifgen: 1
title: Test film
key: D minor
fps: 24
characters:
  hero:
    motif: "4/4 d4 a4 g8 f e4 f4. g8 a2"
themes:
  sea:
    motif: {degrees: "1 5 4 3 2 1", rhythm: "h q q q q w"}
scenes:
  - id: 1M1
    start: "01:00:00:00"
    end: "01:00:30:00"
    mood: tender
    featuring: [hero, sea]
    hits:
      - at: "01:00:15:00"
        label: Door
"""


@pytest.fixture
def example() -> Path:
    return EXAMPLE


@pytest.fixture
def write_project(tmp_path: Path):
    """Write YAML text (dedented) to a project file and return its path."""

    def write(text: str = MINIMAL, name: str = "film.yaml") -> Path:
        path = tmp_path / name
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    return write


@pytest.fixture
def composed_scenes(monkeypatch) -> list[str]:
    """The ids of the scenes the arranger composes during the test, in order."""
    import motifgen.arrange as arrange

    composed: list[str] = []
    real = arrange.compose_scene

    def compose_scene(project, scene, seed=None):
        composed.append(scene.id)
        return real(project, scene, seed)

    monkeypatch.setattr(arrange, "compose_scene", compose_scene)
    return composed


@pytest.fixture(autouse=True, scope="session")
def _motif_cache(tmp_path_factory):
    """Every test (and every process it starts) caches generated motifs in a folder of
    its own session, never in the user's cache."""
    from motifgen.cache import setting

    with setting(str(tmp_path_factory.mktemp("motif-cache"))):
        yield


def have_fluidsynth() -> bool:
    """Whether fluidsynth and a General MIDI soundfont are installed (audio tests skip
    without them, and say so)."""
    from motifgen.errors import ToolMissingError
    from motifgen.io import audio

    try:
        audio.find_fluidsynth()
        audio.find_soundfont()
    except ToolMissingError:
        return False
    return True
