"""The project file (format 1, YAML) loaded into validated, typed objects.

Every problem is reported as one `ProjectError` whose `where` is
``<file>: <field path>`` (e.g. ``film.yaml: scenes[2].hits[0].at``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any, TypeVar

from .errors import MotifgenError, ProjectError
from .motif import Motif
from .theory import Key, parse_meter

FORMAT = 1

T = TypeVar("T")

_TOP = {"motifgen", "title", "key", "meter", "fps", "seed", "characters", "themes", "moods",
        "scenes"}
_MOTIF_OWNER = {"motif", "key", "instrument", "description", "archetype", "traits"}
_SCENE = {"id", "title", "start", "end", "duration", "seconds", "mood", "featuring",
          "intensity", "hits", "sections", "transform"}
_HIT = {"at", "label", "downbeat", "weight"}
_SECTION = {"at", "mood", "label"}


@dataclass(frozen=True)
class Leitmotif:
    """A character's or a theme's motif and how it likes to be dressed."""

    name: str
    kind: str  # "character" | "theme"
    motif: Motif
    instrument: str | None = None
    description: str = ""
    archetype: str | None = None
    traits: tuple[str, ...] = ()
    generated: bool = False


@dataclass(frozen=True)
class HitSpec:
    """A hit point: seconds from the scene start, its timecode and label."""

    seconds: Fraction
    timecode: str
    label: str
    downbeat: bool = True
    weight: float = 1.0


@dataclass(frozen=True)
class SectionSpec:
    """A mood change inside a scene, `seconds` after the scene start."""

    seconds: Fraction
    timecode: str
    mood: str
    label: str = ""


@dataclass(frozen=True)
class Scene:
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

    @property
    def duration(self) -> Fraction:
        return self.end - self.start

    @property
    def moods(self) -> tuple[str, ...]:
        return (self.mood,) + tuple(s.mood for s in self.sections)


@dataclass(frozen=True)
class Project:
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

    def mood(self, name: str) -> Any:
        """A mood by name: one the scenes use, a custom one, or a built-in preset."""
        from .moods import PRESETS, resolve_mood

        if name in self.moods:
            return self.moods[name]
        if name in PRESETS or name in self.custom_moods:
            return resolve_mood(name, self.custom_moods)
        known = ", ".join(sorted(set(PRESETS) | set(self.custom_moods)))
        raise ProjectError(f"unknown mood {name!r}; expected one of: {known}", str(self.path))

    def scene(self, scene_id: str) -> Scene:
        for s in self.scenes:
            if s.id == scene_id:
                return s
        known = ", ".join(s.id for s in self.scenes)
        raise ProjectError(f"no scene {scene_id!r}; the project has: {known}", str(self.path))


class _Reader:
    """Walks the YAML tree and turns every error into `file: path: message`."""

    def __init__(self, path: Path) -> None:
        self.file = str(path)

    def fail(self, where: str, message: str) -> ProjectError:
        return ProjectError(message, f"{self.file}: {where}" if where else self.file)

    def mapping(self, value: Any, where: str, allowed: set[str],
                required: tuple[str, ...] = ()) -> Mapping[str, Any]:
        if not isinstance(value, Mapping):
            raise self.fail(where, f"expected a mapping with fields {', '.join(sorted(allowed))}")
        unknown = sorted(str(k) for k in value if k not in allowed)
        if unknown:
            raise self.fail(f"{where}.{unknown[0]}" if where else unknown[0],
                            f"unknown field; expected one of: {', '.join(sorted(allowed))}")
        for name in required:
            if name not in value:
                raise self.fail(f"{where}.{name}" if where else name, "required field is missing")
        return value

    def convert(self, where: str, fn: Callable[[], T]) -> T:
        try:
            return fn()
        except ProjectError:
            raise
        except MotifgenError as e:
            raise self.fail(where, e.message) from e


def load(path: str | Path) -> Project:
    """Read and validate a project file."""
    import yaml

    path = Path(path)
    r = _Reader(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise ProjectError(f"cannot read project file: {e.strerror or e}", str(path)) from e
    try:
        data = _parse_yaml(yaml, text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else ""
        problem = getattr(e, "problem", None) or "not valid YAML"
        raise r.fail(where, f"not valid YAML: {problem}") from e
    return _project(r, path, data)


def _parse_yaml(yaml: Any, text: str) -> Any:
    """`yaml.safe_load`, through libyaml's parser when PyYAML has it (same constructor and
    resolver, so the same data); any problem is reported by the pure-Python loader, whose
    messages and line numbers the error above quotes."""
    loader = getattr(yaml, "CSafeLoader", None)
    if loader is not None:
        try:
            return yaml.load(text, Loader=loader)  # noqa: S506 - a safe loader
        except yaml.YAMLError:
            pass
    return yaml.safe_load(text)


def _project(r: _Reader, path: Path, data: Any) -> Project:
    from .moods import PRESETS, resolve_mood
    from .timecode import frame_rate

    data = r.mapping(data, "", _TOP, required=("motifgen",))
    if data["motifgen"] != FORMAT:
        raise r.fail("motifgen", f"unsupported format {data['motifgen']!r}; expected {FORMAT}")
    key = r.convert("key", lambda: Key.parse(str(data.get("key", "C major"))))
    meter = r.convert("meter", lambda: parse_meter(str(data.get("meter", "4/4"))))
    fps = r.convert("fps", lambda: frame_rate(data.get("fps", 24)))
    seed = data.get("seed", 0)
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise r.fail("seed", f"expected a whole number >= 0, got {seed!r}")
    title = str(data.get("title", path.stem))

    custom = data.get("moods") or {}
    if not isinstance(custom, Mapping):
        raise r.fail("moods", "expected a mapping of mood name to fields")
    moods: dict[str, Any] = {}
    for name in custom:
        moods[name] = r.convert(f"moods.{name}", lambda n=name: resolve_mood(n, custom))

    motifs: dict[str, Leitmotif] = {}
    for section, kind in (("characters", "character"), ("themes", "theme")):
        owners = data.get(section) or {}
        if not isinstance(owners, Mapping):
            raise r.fail(section, "expected a mapping of name to motif definition")
        for name, spec in owners.items():
            where = f"{section}.{name}"
            if name in motifs:
                raise r.fail(where, f"{name!r} is already defined; names must be unique")
            motifs[name] = _leitmotif(r, where, str(name), kind, spec, key, meter, seed,
                                      path.parent)

    scenes_raw = data.get("scenes")
    if not isinstance(scenes_raw, list) or not scenes_raw:
        raise r.fail("scenes", "expected a list of at least one scene")
    scenes: list[Scene] = []
    for i, raw in enumerate(scenes_raw):
        scene = _scene(r, f"scenes[{i}]", raw, fps, motifs)
        if any(s.id == scene.id for s in scenes):
            raise r.fail(f"scenes[{i}].id", f"scene id {scene.id!r} is used twice")
        scenes.append(scene)

    for i, scene in enumerate(scenes):
        for j, name in enumerate(scene.moods):
            if name in moods:
                continue
            if name not in PRESETS:
                where = f"scenes[{i}].mood" if j == 0 else f"scenes[{i}].sections[{j - 1}].mood"
                known = ", ".join(sorted(set(PRESETS) | set(custom)))
                raise r.fail(where, f"unknown mood {name!r}; expected one of: {known}")
            moods[name] = resolve_mood(name, custom)

    return Project(path=path, title=title, key=key, meter=meter, fps=fps, seed=seed,
                   motifs=motifs, moods=moods, custom_moods=dict(custom), scenes=tuple(scenes))


def _leitmotif(r: _Reader, where: str, name: str, kind: str, spec: Any, home: Key,
               meter: tuple[int, int], seed: int, base_dir: Path) -> Leitmotif:
    from .notation import read_motif
    from .orchestra import instrument as find_instrument

    spec = r.mapping(spec if spec is not None else {}, where, _MOTIF_OWNER)
    key = r.convert(f"{where}.key", lambda: Key.parse(str(spec["key"]))) if "key" in spec else home
    instrument = spec.get("instrument")
    if instrument is not None:  # stored by its catalogue name, aliases resolved
        instrument = r.convert(f"{where}.instrument", lambda: find_instrument(str(instrument))).name
    traits = spec.get("traits", [])
    if isinstance(traits, str):
        traits = [traits]
    if not isinstance(traits, list) or not all(isinstance(t, str) for t in traits):
        raise r.fail(f"{where}.traits", "expected a list of words, e.g. [mysterious, restless]")
    archetype = spec.get("archetype")
    if "motif" in spec:
        motif = r.convert(f"{where}.motif",
                          lambda: read_motif(spec["motif"], key, meter, base_dir))
        generated = False
    else:
        from .generate import generate_motif

        motif = r.convert(f"{where}.archetype", lambda: generate_motif(
            name, key, meter, archetype=archetype, traits=tuple(traits), seed=seed))
        generated = True
    return Leitmotif(name=name, kind=kind, motif=motif.with_notes(name=name),
                     instrument=str(instrument) if instrument else None,
                     description=str(spec.get("description", "")),
                     archetype=str(archetype) if archetype else None,
                     traits=tuple(traits), generated=generated)


def _timecode(r: _Reader, where: str, value: Any, fps: Any) -> tuple[Fraction, str]:
    from .timecode import timecode_to_seconds

    if not isinstance(value, str):
        raise r.fail(where, f"expected a quoted SMPTE timecode \"HH:MM:SS:FF\", got {value!r}")
    return r.convert(where, lambda: timecode_to_seconds(value, fps)), value


def _scene(r: _Reader, where: str, raw: Any, fps: Any,
           motifs: Mapping[str, Leitmotif]) -> Scene:
    from .timecode import seconds_to_timecode

    raw = r.mapping(raw, where, _SCENE, required=("id", "start", "mood", "featuring"))
    scene_id = str(raw["id"])
    if not scene_id or any(c in scene_id for c in "/\\:") or scene_id.startswith("."):
        raise r.fail(f"{where}.id", "expected a cue id usable as a file name, e.g. 1M1")
    start, start_tc = _timecode(r, f"{where}.start", raw["start"], fps)
    ends = [k for k in ("end", "duration", "seconds") if k in raw]
    if len(ends) != 1:
        raise r.fail(where, "give exactly one of end, duration or seconds")
    if ends[0] == "end":
        end, end_tc = _timecode(r, f"{where}.end", raw["end"], fps)
    elif ends[0] == "duration":
        length, _ = _timecode(r, f"{where}.duration", raw["duration"], fps)
        end = start + length
        end_tc = seconds_to_timecode(end, fps)
    else:
        secs = raw["seconds"]
        if not isinstance(secs, int | float) or isinstance(secs, bool):
            raise r.fail(f"{where}.seconds", f"expected a number of seconds, got {secs!r}")
        end = start + Fraction(str(secs))
        end_tc = seconds_to_timecode(end, fps)
    if end - start < 2:
        raise r.fail(f"{where}.{ends[0]}",
                     f"the scene must end at least 2 s after its start ({start_tc})")

    mood = raw["mood"]
    if not isinstance(mood, str):
        raise r.fail(f"{where}.mood", "expected a mood name")
    featuring = raw["featuring"]
    if isinstance(featuring, str):
        featuring = [featuring]
    if not isinstance(featuring, list) or not featuring:
        raise r.fail(f"{where}.featuring", "expected a list of character or theme names")
    for j, name in enumerate(featuring):
        if name not in motifs:
            known = ", ".join(motifs) or "(none defined)"
            raise r.fail(f"{where}.featuring[{j}]",
                         f"unknown character or theme {name!r}; expected one of: {known}")

    intensity = raw.get("intensity", [0.5, 0.5])
    if isinstance(intensity, int | float) and not isinstance(intensity, bool):
        intensity = [intensity, intensity]
    if (not isinstance(intensity, list) or len(intensity) != 2
            or not all(isinstance(v, int | float) and 0 <= v <= 1 for v in intensity)):
        raise r.fail(f"{where}.intensity", "expected a number 0..1 or [from, to] within 0..1")

    hits = []
    for j, h in enumerate(raw.get("hits") or []):
        hw = f"{where}.hits[{j}]"
        h = r.mapping(h, hw, _HIT, required=("at",))
        at, tc = _timecode(r, f"{hw}.at", h["at"], fps)
        if not start < at < end:
            raise r.fail(f"{hw}.at", f"hit {tc} lies outside the scene ({start_tc} to {end_tc})")
        downbeat = h.get("downbeat", True)
        if not isinstance(downbeat, bool):
            raise r.fail(f"{hw}.downbeat", "expected true or false")
        weight = h.get("weight", 1.0)
        if not isinstance(weight, int | float) or isinstance(weight, bool) or weight <= 0:
            raise r.fail(f"{hw}.weight", "expected a positive number")
        hits.append(HitSpec(at - start, tc, str(h.get("label", f"Hit {j + 1}")), downbeat,
                            float(weight)))
    hits.sort(key=lambda h: h.seconds)

    sections = []
    for j, s in enumerate(raw.get("sections") or []):
        sw = f"{where}.sections[{j}]"
        s = r.mapping(s, sw, _SECTION, required=("at", "mood"))
        at, tc = _timecode(r, f"{sw}.at", s["at"], fps)
        if not start < at < end:
            raise r.fail(f"{sw}.at",
                         f"section {tc} lies outside the scene ({start_tc} to {end_tc})")
        if not isinstance(s["mood"], str):
            raise r.fail(f"{sw}.mood", "expected a mood name")
        sections.append(SectionSpec(at - start, tc, s["mood"], str(s.get("label", s["mood"]))))
    sections.sort(key=lambda s: s.seconds)

    transform = raw.get("transform") or {}
    if not isinstance(transform, Mapping):
        raise r.fail(f"{where}.transform", "expected a mapping of character name to chain")
    for name, chain in transform.items():
        tw = f"{where}.transform.{name}"
        if name not in featuring:
            raise r.fail(tw, f"{name!r} is not featured in this scene")
        from .transforms import parse_chain

        r.convert(tw, lambda c=chain: parse_chain(str(c)))

    return Scene(id=scene_id, title=str(raw.get("title", scene_id)), start=start, end=end,
                 start_timecode=start_tc, end_timecode=end_tc, mood=mood,
                 featuring=tuple(featuring), intensity=(float(intensity[0]), float(intensity[1])),
                 hits=tuple(hits), sections=tuple(sections),
                 transform={str(k): str(v) for k, v in transform.items()})
