"""The film a project file describes: its motifs, scenes, hit points and sections.

`project.load` reads and checks a project file into these types; the arranger and the
commands read them. They hold values only (nothing here reads a file).
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from pathlib import Path
from typing import Any

from msgspec import Struct, field

from .errors import ProjectError, did_you_mean
from .motif import Motif
from .theory import Key


class Leitmotif(Struct, frozen=True):
    """A character's or a theme's motif and how it likes to be dressed."""

    name: str
    kind: str  # "character" | "theme"
    motif: Motif
    instrument: str | None = None
    description: str = ""
    archetype: str | None = None
    traits: tuple[str, ...] = ()
    generated: bool = False
    key: Key | None = None  # the key the project file gives it; None: the project's
    file: Path | None = None  # the motif file it was read from, if any


class HitSpec(Struct, frozen=True):
    """A hit point: seconds from the scene start, its timecode and label."""

    seconds: Fraction
    timecode: str
    label: str
    downbeat: bool = True
    weight: float = 1.0
    kind: str = "accent"  # arrange.form.HIT_KINDS
    tempo_change: str = "sudden"  # project.TEMPO_CHANGES: how the music moves into the hit


class SectionSpec(Struct, frozen=True):
    """A mood change inside a scene, `seconds` after the scene start."""

    seconds: Fraction
    timecode: str
    mood: str
    label: str = ""
    tempo_change: str = "sudden"  # project.TEMPO_CHANGES; the scene's `tempo_changes` by default


class Scene(Struct, frozen=True):
    id: str
    title: str
    start: Fraction  # seconds of timecode from 00:00:00:00 (real time)
    end: Fraction
    start_timecode: str
    end_timecode: str
    mood: str
    featuring: tuple[str, ...]
    intensity: tuple[float, float] = (0.5, 0.5)
    hits: tuple[HitSpec, ...] = ()
    sections: tuple[SectionSpec, ...] = ()
    transform: Mapping[str, str] = field(default_factory=dict)
    ending: str = "ring"  # arrange.form.ENDINGS

    @property
    def duration(self) -> Fraction:
        return self.end - self.start

    @property
    def moods(self) -> tuple[str, ...]:
        return (self.mood,) + tuple(s.mood for s in self.sections)


class Project(Struct, frozen=True):
    path: Path
    title: str
    key: Key
    meter: tuple[int, int]
    fps: Any  # timecode.FrameRate
    seed: int
    motifs: Mapping[str, Leitmotif]
    moods: Mapping[str, Any]  # name -> moods.Mood, every mood the scenes use
    custom_moods: Mapping[str, Any]
    scenes: tuple[Scene, ...]
    #: the sample library's articulation map (`articulations.ArticulationMap`); gm if unset
    articulations: Any = None

    @property
    def sources(self) -> tuple[Path, ...]:
        """Every file the project was read from: the project file, its motif files and its
        articulation map (commands never write over these)."""
        amap = getattr(self.articulations, "path", None)
        return (self.path, *(m.file for m in self.motifs.values() if m.file is not None),
                *((amap,) if amap is not None else ()))

    def mood(self, name: str) -> Any:
        """A mood by name: one the scenes use, a custom one, or a built-in preset."""
        from .moods import resolve_mood

        if name in self.moods:
            return self.moods[name]
        try:
            return resolve_mood(name, self.custom_moods)
        except ProjectError as e:  # an unknown name: custom moods were checked on loading
            raise ProjectError(e.message, str(self.path)) from e

    def scene(self, scene_id: str) -> Scene:
        for s in self.scenes:
            if s.id == scene_id:
                return s
        known = [s.id for s in self.scenes]
        raise ProjectError(f"no scene {scene_id!r}; the project has: {', '.join(known)}"
                           + did_you_mean(scene_id, known), str(self.path))
