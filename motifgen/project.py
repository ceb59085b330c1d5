"""The project file (format 1, YAML) loaded into validated, typed objects.

Every problem is reported as one `ProjectError` whose `where` is
``<file>: <field path>`` (e.g. ``film.yaml: scenes[2].hits[0].at``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Mapping, Sequence
from fractions import Fraction
from functools import lru_cache, partial
from pathlib import Path
from typing import Any, TypeVar

from .arrange.form import ENDINGS, HIT_KINDS
from .cache import cached
from .errors import MotifgenError, ProjectError, did_you_mean
from .film import HitSpec, Leitmotif, Project, Scene, SectionSpec
from .motif import Motif
from .theory import Key, parse_meter

FORMAT = 1

#: Limits that turn absurd input into one clear error instead of a long wait or a full memory.
MAX_FILE_BYTES = 5_000_000
MAX_VALUES = 100_000  # values in the YAML once its aliases are expanded (billion laughs)
MAX_SCENE_SECONDS = 30 * 60
MAX_HITS = 200  # per scene, sections included
MAX_INTEGER = 2**1023  # any integer above is beyond float range (1.8e308)
MAX_SEED = 2**63 - 1
#: A scene id becomes file names (`<id>.musicxml` the longest): at most this many bytes
#: of UTF-8, so every name stays within the 255 bytes file systems allow.
MAX_ID_BYTES = 240
#: Names Windows reserves for devices, whatever the extension (CON.mid is the console).
WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)),
                    *(f"LPT{i}" for i in range(1, 10))}

T = TypeVar("T")

_TOP = {"motifgen", "title", "key", "meter", "fps", "seed", "characters", "themes", "moods",
        "scenes", "articulations"}
_MOTIF_OWNER = {"motif", "key", "instrument", "description", "archetype", "traits"}
_SCENE = {"id", "title", "start", "end", "duration", "seconds", "mood", "featuring",
          "intensity", "hits", "sections", "transform", "ending", "tempo_changes"}
_HIT = {"at", "label", "downbeat", "weight", "kind", "tempo_change"}
_SECTION = {"at", "mood", "label", "tempo_change"}
#: How the tempo moves into a section or a hit: at once, or by a rit./accel.
TEMPO_CHANGES = {"sudden": "the new tempo starts on the bar line",
                 "gradual": "a ritardando or accelerando over the bars before it"}


class _Reader:
    """Walks the YAML tree and turns every error into `file: path: message`."""

    def __init__(self, path: Path) -> None:
        self.file = str(path)

    def fail(self, where: str, message: str) -> ProjectError:
        """The error, on one line even when the YAML's keys or values hold line breaks."""
        message, where = " ".join(message.split()), " ".join(where.split())
        return ProjectError(message, f"{self.file}: {where}" if where else self.file)

    def mapping(self, value: Any, where: str, allowed: set[str],
                required: tuple[str, ...] = ()) -> Mapping[str, Any]:
        if not isinstance(value, Mapping):
            raise self.fail(where, f"expected a mapping with fields {', '.join(sorted(allowed))}"
                            f", got {_shown(value)}")
        unknown = sorted(str(k) for k in value if k not in allowed)
        if unknown:
            raise self.fail(f"{where}.{unknown[0]}" if where else unknown[0],
                            f"unknown field; expected one of: {', '.join(sorted(allowed))}"
                            + did_you_mean(unknown[0], allowed))
        for name in required:
            if name not in value:
                raise self.fail(f"{where}.{name}" if where else name, "required field is missing")
        return value

    def convert(self, where: str, fn: Callable[[], T]) -> T:
        """`fn()`, its MotifgenError reported at `where` (a ProjectError keeps its own field
        path)."""
        try:
            return fn()
        except MotifgenError as e:
            inner = e.where if isinstance(e, ProjectError) and e.where else where
            raise self.fail(inner, e.message) from e

    def names(self, value: Any, where: str, expected: str) -> Mapping[str, Any]:
        """`value` (absent: empty) as a mapping whose keys are names: text, not numbers or
        booleans (YAML reads an unquoted no, yes, on, off as a boolean)."""
        value = value or {}
        if not isinstance(value, Mapping):
            raise self.fail(where, f"expected a mapping of {expected}, got {_shown(value)}")
        for key in value:
            if not isinstance(key, str) or not key.strip():
                raise self.fail(f"{where}.{key}", f"the name {key!r} is not text; quote it "
                                "(YAML reads an unquoted yes, no, on, off as true or false)")
        return value

    def known(self, where: str, name: object, known: Collection[object], what: str) -> None:
        """Fail unless `name` is one of `known` (a mood, a character ...)."""
        if name not in tuple(known):  # a tuple: `name` may be any YAML value, even a list
            listed = ", ".join(map(str, known)) or "(none defined)"
            raise self.fail(where, f"unknown {what} {name!r}; expected one of: {listed}"
                            + did_you_mean(name, known))


def load(path: str | Path, allow: Sequence[str | Path] = (),
         raw: bytes | None = None) -> Project:
    """Read and validate a project file.

    Motif files resolve relative to the project file and must lie in its folder or in
    one of the folders in `allow` (the command line's ``--allow-path``). `raw`: bytes
    to read instead of the file's, as if the file held them (the studio's unsaved edits).
    """
    return load_data(path, project_data(path, raw), allow)


def load_data(path: str | Path, data: Any, allow: Sequence[str | Path] = ()) -> Project:
    """Validate a project file's YAML `data` (as `project_data` reads it) into a Project."""
    return _project(_Reader(Path(path)), Path(path), data, tuple(Path(a) for a in allow))


def project_data(path: str | Path, raw: bytes | None = None) -> Any:
    """The project file's YAML data as `load` reads it (from `raw` if given), before any
    check: what `with_scenes` is given back, edited."""
    return _project_data(_Reader(Path(path)), Path(path), raw)


def with_scenes(project: Project, data: Any, changed: Collection[int]) -> Project:
    """`project` with the scenes at the indices `changed` read again from `data` (the
    file's data as `project_data` gave it, those scenes edited): what `load` gives for
    that data when nothing outside those scenes changed, without reading the rest
    again. The studio's scene edits take this path."""
    from msgspec.structs import replace

    r = _Reader(project.path)
    scenes_raw = data.get("scenes") if isinstance(data, Mapping) else None
    if not isinstance(scenes_raw, list) or len(scenes_raw) != len(project.scenes):
        raise ValueError("with_scenes: the data's scenes are not the project's")
    known = [None if i in changed else s for i, s in enumerate(project.scenes)]
    scenes = _scenes(r, scenes_raw, project.fps, project.motifs, known)
    moods = _moods(r, project.custom_moods, scenes, project.moods)
    return replace(project, scenes=scenes, moods=moods)


def _project_data(r: _Reader, path: Path, raw: bytes | None = None) -> Any:
    """The YAML data of the project file (or of `raw`), every way of failing as one
    ProjectError."""
    import os
    import stat

    import yaml

    too_big = r.fail("", f"the file is larger than {MAX_FILE_BYTES // 1_000_000} MB; "
                     "expected a project file of text")
    if raw is None:
        try:  # never blocks on a FIFO, never reads a device such as /dev/zero
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
            try:
                info = os.fstat(fd)
                if stat.S_ISDIR(info.st_mode):
                    raise ProjectError("cannot read project file: it is a folder; expected a "
                                       "YAML file", str(path))
                if not stat.S_ISREG(info.st_mode):
                    raise ProjectError("cannot read project file: it is not a regular file (a "
                                       "device or FIFO); expected a YAML file", str(path))
                if info.st_size > MAX_FILE_BYTES:
                    raise too_big
                with os.fdopen(fd, "rb", closefd=False) as f:
                    raw = f.read(MAX_FILE_BYTES + 1)
            finally:
                os.close(fd)
        except OSError as e:
            raise ProjectError(f"cannot read project file: {e.strerror or e}", str(path)) from e
    if len(raw) > MAX_FILE_BYTES:
        raise too_big
    text = decode_project(r, raw)
    try:
        data = _parse_yaml(yaml, text)
    except yaml.YAMLError as e:
        data = _without_tabs(yaml, text, e)
        if data is _FAILED:
            raise r.fail(*_yaml_problem(e, text)) from e
    except RecursionError as e:
        raise r.fail("", "not valid YAML: nested too deeply") from e
    except ValueError as e:  # int("1" * 5000): Python's limit on digits
        raise r.fail("", f"a number in the file is too long: {str(e).split(';')[0]}; expected "
                     "numbers within the range of floating point") from e
    if data is None:
        raise r.fail("", "the file is empty; expected a project (motifgen: 1, scenes: ...)")
    if _expands_beyond(data, MAX_VALUES):
        raise r.fail("", f"the YAML expands to more than {MAX_VALUES} values through its aliases "
                     "(*name): an alias bomb, or an anchor used inside itself")
    found = _huge_number(data)
    if found is not None:
        where, number = found
        raise r.fail(where, f"the number {str(number)[:12]}... has {len(str(abs(number)))} "
                     "digits; expected a number within the range of floating point "
                     "(at most about 1.8e308)")
    return data


def _huge_number(data: Any, where: str = "") -> tuple[str, int] | None:
    """(field path, value) of the first integer in `data` beyond float range, if any."""
    if isinstance(data, int) and not isinstance(data, bool):
        return (where, data) if abs(data) > MAX_INTEGER else None
    items: Any = ()
    if isinstance(data, Mapping):
        items = ((f"{where}.{k}" if where else str(k), v) for k, v in data.items())
    elif isinstance(data, list):
        items = ((f"{where}[{i}]", v) for i, v in enumerate(data))
    for path, value in items:
        found = _huge_number(value, path)
        if found is not None:
            return found
    return None


_FAILED = object()


def _without_tabs(yaml: Any, text: str, error: Exception) -> Any:
    """The data of `text` read with its separating tabs as spaces (see `yamltext`), or
    `_FAILED` when that does not parse either (the first error is the one reported)."""
    from .yamltext import untab

    if "\t" not in text:
        return _FAILED
    try:
        return _parse_yaml(yaml, untab(text))
    except yaml.YAMLError:
        return _FAILED


def encoding_of(raw: bytes) -> str:
    """The codec a project file is in: UTF-16 with its byte-order mark, else UTF-8 (its
    byte-order mark, if any, dropped)."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    return "utf-8-sig"


def decode_project(r: _Reader, raw: bytes) -> str:
    """The text of a project file: UTF-8 (with or without a byte-order mark) or UTF-16
    with one; anything else is one line naming the first bad byte."""
    codec = encoding_of(raw)
    try:
        return raw.decode(codec)
    except UnicodeDecodeError as e:
        line = raw[:e.start].count(b"\n") + 1
        what = "UTF-16" if codec == "utf-16" else "UTF-8"
        raise r.fail(f"line {line}", f"not {what} text: byte 0x{raw[e.start]:02x}; save the file "
                     "as UTF-8") from e


def _yaml_problem(e: Exception, text: str) -> tuple[str, str]:
    """(field path, message) for a YAML error: the line and what the parser says."""
    from yaml.reader import ReaderError

    if isinstance(e, ReaderError):  # a character YAML does not allow
        code = e.character if isinstance(e.character, int) else ord(e.character)
        line = text.count("\n", 0, e.position) + 1
        return f"line {line}", f"not valid YAML: {e.reason} (character #x{code:04x})"
    mark, problem = getattr(e, "problem_mark", None), getattr(e, "problem", None)
    context, start = getattr(e, "context", None), getattr(e, "context_mark", None)
    if context and start:
        problem = f"{problem} ({context} at line {start.line + 1})"
    return f"line {mark.line + 1}" if mark else "", f"not valid YAML: {problem or context}"


def _expands_beyond(data: Any, limit: int) -> bool:
    """Whether `data` holds more than `limit` values when shared (aliased) parts are counted
    each time they are reached; a self-referencing anchor never ends, so it is caught too."""
    stack, count = [data], 0
    while stack:
        value = stack.pop()
        count += 1
        if count > limit:
            return True
        if isinstance(value, Mapping):
            stack.extend(value.keys())
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return False


def _parse_yaml(yaml: Any, text: str) -> Any:
    """`yaml.safe_load` (with duplicate keys refused), through libyaml's parser when PyYAML
    has it (same constructor and resolver, so the same data); any problem is reported by
    the pure-Python loader, whose messages and line numbers the error above quotes."""
    fast = getattr(yaml, "CSafeLoader", None)
    if fast is not None:
        try:
            return yaml.load(text, Loader=_unique_keys(yaml, fast))  # noqa: S506 - a safe loader
        except yaml.YAMLError:
            pass
    return yaml.load(text, Loader=_unique_keys(yaml, yaml.SafeLoader))  # noqa: S506 - safe


@lru_cache(maxsize=2)
def _unique_keys(yaml: Any, base: type) -> type:
    """`base` (a safe loader) refusing a mapping that gives one key twice, which YAML would
    otherwise resolve silently by keeping the last."""

    class Loader(base):
        def construct_mapping(self, node: Any, deep: bool = False) -> Any:
            seen: set[Any] = set()
            for key_node, _ in node.value:
                key = (key_node.tag, key_node.value)
                if isinstance(key_node, yaml.ScalarNode) and not key_node.tag.endswith(":merge"):
                    if key in seen:
                        raise yaml.constructor.ConstructorError(
                            None, None, f"duplicate key {key_node.value!r}; each key may appear "
                            "once in a mapping", key_node.start_mark)
                    seen.add(key)
            return super().construct_mapping(node, deep)

    return Loader


def _shown(value: Any, width: int = 40) -> str:
    """`repr(value)` cut to `width` characters, for messages."""
    text = repr(value)
    return text if len(text) <= width else text[:width - 3] + "..."


def _project(r: _Reader, path: Path, data: Any, allow: tuple[Path, ...]) -> Project:
    from .timecode import frame_rate

    data = r.mapping(data, "", _TOP, required=("motifgen",))
    if type(data["motifgen"]) is not int or data["motifgen"] != FORMAT:
        raise r.fail("motifgen", f"unsupported format {data['motifgen']!r}; expected {FORMAT}")
    key = r.convert("key", lambda: Key.parse(str(data.get("key", "C major"))))
    meter = r.convert("meter", lambda: parse_meter(str(data.get("meter", "4/4"))))
    fps = r.convert("fps", lambda: frame_rate(data.get("fps", 24)))
    seed = data.get("seed", 0)
    if not isinstance(seed, int) or isinstance(seed, bool) or not 0 <= seed <= MAX_SEED:
        raise r.fail("seed", f"expected a whole number from 0 to 2**63-1, got {_shown(seed)}")
    title = str(data.get("title", path.stem))

    custom = r.names(data.get("moods"), "moods", "mood name to fields")
    resolved = _moods(r, custom, (), {})
    motifs: dict[str, Leitmotif] = {}
    for section, kind in (("characters", "character"), ("themes", "theme")):
        owners = r.names(data.get(section), section, "name to motif definition")
        for name, spec in owners.items():
            where = f"{section}.{name}"
            if name in motifs:
                raise r.fail(where, f"{name!r} is already defined; names must be unique")
            motifs[name] = _leitmotif(r, where, str(name), kind, spec, key, meter, seed,
                                      (path.parent, *allow))

    scenes_raw = data.get("scenes")
    if not isinstance(scenes_raw, list) or not scenes_raw:
        raise r.fail("scenes", "expected a list of at least one scene")
    scenes = _scenes(r, scenes_raw, fps, motifs, [None] * len(scenes_raw))
    moods = _moods(r, custom, scenes, resolved)

    from .articulations import resolve

    # a map file's own mistakes are reported in that file, at their field
    articulations = resolve(data.get("articulations", "gm"), path.parent,
                            f"{path}: articulations")
    return Project(path=path, title=title, key=key, meter=meter, fps=fps, seed=seed,
                   motifs=motifs, moods=moods, custom_moods=dict(custom), scenes=scenes,
                   articulations=articulations)


def _scenes(r: _Reader, scenes_raw: list[Any], fps: Any, motifs: Mapping[str, Leitmotif],
            known: Sequence[Scene | None]) -> tuple[Scene, ...]:
    """The file's scenes, each read and checked (a `known` one is taken as it is), with
    no id used twice, even in another case or Unicode form."""
    scenes: list[Scene] = []
    by_key: dict[str, str] = {}  # each id as a case-insensitive file system sees it
    for i, raw in enumerate(scenes_raw):
        scene = known[i]
        if scene is None:
            scene = _scene(r, f"scenes[{i}]", raw, fps, motifs)
        key = _file_key(scene.id)
        twin = by_key.get(key)
        if twin == scene.id:
            raise r.fail(f"scenes[{i}].id", f"scene id {scene.id!r} is used twice")
        if twin is not None:
            raise r.fail(f"scenes[{i}].id", f"scene ids {twin!r} and {scene.id!r} differ only in "
                         "case (or Unicode form); on macOS and Windows they would be one file")
        by_key[key] = scene.id
        scenes.append(scene)
    return tuple(scenes)


def _moods(r: _Reader, custom: Mapping[str, Any], scenes: Sequence[Scene],
           resolved: Mapping[str, Any]) -> dict[str, Any]:
    """The custom moods, then every other mood the scenes use in the order they use
    them, each resolved (or taken from `resolved`, moods already resolved)."""
    from .moods import resolve_mood

    def mood(name: str, where: str) -> Any:
        found = resolved.get(name)
        return found if found is not None else r.convert(where, partial(resolve_mood, name,
                                                                         custom))

    moods = {name: mood(name, f"moods.{name}") for name in custom}
    for i, scene in enumerate(scenes):
        for j, name in enumerate(scene.moods):
            if name not in moods:
                moods[name] = mood(name, f"scenes[{i}].mood" if j == 0
                                   else f"scenes[{i}].sections[{j - 1}].mood")
    return moods


def _leitmotif(r: _Reader, where: str, name: str, kind: str, spec: Any, home: Key,
               meter: tuple[int, int], seed: int, folders: tuple[Path, ...]) -> Leitmotif:
    """A character or theme; `folders` are the project's folder and the allowed ones."""
    from .io.notation import read_motif
    from .orchestra import instrument as find_instrument

    spec = r.mapping(spec if spec is not None else {}, where, _MOTIF_OWNER)
    key = r.convert(f"{where}.key", lambda: Key.parse(str(spec["key"]))) if "key" in spec else home
    instrument = spec.get("instrument")
    if instrument is not None:  # stored by its catalogue name, aliases resolved
        instrument = r.convert(f"{where}.instrument",
                               lambda: find_instrument(str(instrument))).name
    traits = spec.get("traits", [])
    if isinstance(traits, str):
        traits = [traits]
    if not isinstance(traits, list) or not all(isinstance(t, str) for t in traits):
        raise r.fail(f"{where}.traits", "expected a list of words, e.g. [mysterious, restless]")
    archetype = spec.get("archetype")
    if archetype is not None and not isinstance(archetype, str):
        raise r.fail(f"{where}.archetype", f"expected an archetype name, got {_shown(archetype)}")
    if "motif" in spec:
        given = spec["motif"]
        field_ = ".motif.file" if isinstance(given, Mapping) and "file" in given else ".motif"
        motif = r.convert(where + field_,
                          lambda: read_motif(given, key, meter, folders[0], folders[1:]))
        generated = False
        source = folders[0] / given["file"] if field_ == ".motif.file" else None
    else:
        inputs = {"name": name, "key": str(spec["key"]) if "key" in spec else None,
                  "home": [home.tonic, home.mode], "meter": list(meter),
                  "archetype": archetype, "traits": list(traits), "seed": seed}
        key, motif = cached("motif", inputs, lambda: _generated(r, where, name, spec, key, home,
                                                                meter, archetype, traits, seed),
                            _encode_generated, _decode_generated)
        generated = True
        source = None
    return Leitmotif(name=name, kind=kind, motif=motif.with_notes(name=name),
                     instrument=str(instrument) if instrument else None,
                     description=str(spec.get("description", "")),
                     archetype=str(archetype) if archetype else None,
                     traits=tuple(traits), generated=generated,
                     key=key if "key" in spec else None, file=source)


def _generated(r: _Reader, where: str, name: str, spec: Mapping[str, Any], key: Key,
               home: Key, meter: tuple[int, int], archetype: str | None, traits: list[str],
               seed: int) -> tuple[Key, Motif]:
    """The key and motif generated for a leitmotif given by archetype and traits."""
    from .generate.constraints import key_for, trait_name
    from .generate.sampler import generate_motif

    for j, word in enumerate(traits):
        r.convert(f"{where}.traits[{j}]", partial(trait_name, word))
    if "key" not in spec:  # the project's tonic in the archetype's mode
        key = r.convert(f"{where}.archetype", lambda: key_for(home, archetype, traits))
    motif = r.convert(f"{where}.archetype", lambda: generate_motif(
        name, key, meter, archetype=archetype, traits=tuple(traits), seed=seed))
    return key, motif


def _encode_generated(value: tuple[Key, Motif]) -> dict[str, Any]:
    key, m = value
    return {"key": [key.tonic, key.mode], "motif_key": [m.key.tonic, m.key.mode],
            "meter": list(m.meter), "name": m.name,
            "rows": [m.onset.tolist(), m.duration.tolist(), m.pitch.tolist(),
                     m.velocity.tolist()]}


def _decode_generated(data: dict[str, Any]) -> tuple[Key, Motif]:
    onset, duration, pitch, velocity = data["rows"]
    motif = Motif(onset, duration, pitch, velocity, key=Key(*data["motif_key"]),
                  meter=(int(data["meter"][0]), int(data["meter"][1])), name=str(data["name"]))
    return Key(*data["key"]), motif


def _timecode(r: _Reader, where: str, value: Any, fps: Any) -> tuple[Fraction, str]:
    from .timecode import timecode_to_seconds

    if not isinstance(value, str):
        raise r.fail(where, f"expected a quoted SMPTE timecode \"HH:MM:SS:FF\", got {value!r}")
    return r.convert(where, lambda: timecode_to_seconds(value, fps)), value


def _end_timecode(r: _Reader, where: str, end: Fraction, fps: Any) -> str:
    """The timecode of a scene's end, which must come before 24:00:00:00."""
    from .timecode import seconds_to_timecode

    try:
        return seconds_to_timecode(end, fps)
    except MotifgenError as e:
        raise r.fail(where, "the scene would end past 24:00:00:00 (timecode runs within one "
                     "day); end it earlier") from e


def _file_key(name: str) -> str:
    """How a case-insensitive, normalising file system (macOS, Windows) sees `name`."""
    import unicodedata

    return unicodedata.normalize("NFC", name).casefold()


def _scene_id(r: _Reader, where: str, value: Any) -> str:
    """A scene id, which names the scene's files: text (or a whole number) that is a safe
    file name on Linux, macOS and Windows alike. Ids are never rewritten, so two scenes
    cannot end up with one file name except by case (caught by the caller)."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise r.fail(where, f"expected a cue id as text, e.g. 1M1, got {_shown(value)}")
    scene_id = str(value)
    expected = ("expected a cue id usable as a file name, e.g. 1M1 (letters, digits, spaces "
                "and . _ - + ( ) ; not starting with a dot, space or dash)")
    bad = [c for c in scene_id if not c.isprintable() or c in '/\\:*?"<>|']
    if bad:
        raise r.fail(where, f"the id {_shown(scene_id)} holds the character {bad[0]!r}, "
                     f"which a file name may not; {expected}")
    if not scene_id.strip() or scene_id[0] in ". -" or scene_id[-1] in ". ":
        raise r.fail(where, f"the id {_shown(scene_id)} is not a safe file name; {expected}")
    if len(scene_id.encode("utf-8")) > MAX_ID_BYTES:
        raise r.fail(where, f"the id is {len(scene_id.encode('utf-8'))} bytes long; a cue id "
                     f"names files and may be at most {MAX_ID_BYTES} bytes of UTF-8")
    if scene_id.split(".")[0].strip().upper() in WINDOWS_RESERVED:
        raise r.fail(where, f"the id {scene_id!r} is a device name on Windows "
                     f"({', '.join(sorted(WINDOWS_RESERVED)[:4])} ...); choose another id")
    return scene_id


def _scene(r: _Reader, where: str, raw: Any, fps: Any,
           motifs: Mapping[str, Leitmotif]) -> Scene:
    """One scene of the file, checked field by field."""
    raw = r.mapping(raw, where, _SCENE, required=("id", "start", "mood", "featuring"))
    scene_id = _scene_id(r, f"{where}.id", raw["id"])
    span = _scene_span(r, where, raw, fps)
    mood = raw["mood"]
    if not isinstance(mood, str):
        raise r.fail(f"{where}.mood", "expected a mood name")
    featuring = _featuring(r, where, raw["featuring"], motifs)
    intensity = _intensity(r, where, raw.get("intensity", [0.5, 0.5]))
    hits_raw, sections_raw = raw.get("hits") or [], raw.get("sections") or []
    for name, items in (("hits", hits_raw), ("sections", sections_raw)):
        if not isinstance(items, list):
            raise r.fail(f"{where}.{name}", f"expected a list, got {_shown(items)}")
    if len(hits_raw) + len(sections_raw) > MAX_HITS:
        raise r.fail(f"{where}.hits", f"{len(hits_raw)} hits and {len(sections_raw)} sections; "
                     f"a scene may have at most {MAX_HITS} hits and sections together")
    hits = tuple(sorted((_hit(r, f"{where}.hits[{j}]", h, j, span, fps)
                         for j, h in enumerate(hits_raw)), key=lambda h: h.seconds))
    changes = _choice(r, f"{where}.tempo_changes", raw.get("tempo_changes", "sudden"),
                      TEMPO_CHANGES, "tempo change")
    sections = tuple(sorted((_section(r, f"{where}.sections[{j}]", s, span, fps, changes)
                             for j, s in enumerate(sections_raw)), key=lambda s: s.seconds))
    transform = _scene_transform(r, where, raw.get("transform"), featuring)
    ending = _choice(r, f"{where}.ending", raw.get("ending", "ring"), ENDINGS, "ending")
    start, start_tc, end, end_tc = span
    return Scene(id=scene_id, title=str(raw.get("title", scene_id)), start=start, end=end,
                 start_timecode=start_tc, end_timecode=end_tc, mood=mood,
                 featuring=featuring, intensity=intensity, hits=hits, sections=sections,
                 transform=transform, ending=ending)


#: A scene's start and end: seconds and timecode of each.
_Span = tuple[Fraction, str, Fraction, str]


def _scene_span(r: _Reader, where: str, raw: Mapping[str, Any], fps: Any) -> _Span:
    """Where the scene starts and ends: `start` and exactly one of end, duration, seconds."""
    start, start_tc = _timecode(r, f"{where}.start", raw["start"], fps)
    ends = [k for k in ("end", "duration", "seconds") if k in raw]
    if len(ends) != 1:
        raise r.fail(where, "give exactly one of end, duration or seconds")
    if ends[0] == "end":
        end, end_tc = _timecode(r, f"{where}.end", raw["end"], fps)
    elif ends[0] == "duration":
        length, _ = _timecode(r, f"{where}.duration", raw["duration"], fps)
        end = start + length
        end_tc = _end_timecode(r, f"{where}.duration", end, fps)
    else:
        secs = raw["seconds"]
        if not isinstance(secs, int | float) or isinstance(secs, bool) or not math.isfinite(secs):
            raise r.fail(f"{where}.seconds", f"expected a number of seconds, got {_shown(secs)}")
        end = start + Fraction(str(secs))
        end_tc = _end_timecode(r, f"{where}.seconds", end, fps)
    if end - start < 2:
        raise r.fail(f"{where}.{ends[0]}",
                     f"the scene must end at least 2 s after its start ({start_tc})")
    if end - start > MAX_SCENE_SECONDS:
        raise r.fail(f"{where}.{ends[0]}", f"the scene lasts {float(end - start):.0f} s; a scene "
                     f"may last at most {MAX_SCENE_SECONDS // 60} minutes (split it into cues)")
    return start, start_tc, end, end_tc


def _featuring(r: _Reader, where: str, featuring: Any,
               motifs: Mapping[str, Leitmotif]) -> tuple[str, ...]:
    """The scene's characters or themes: one name or a non-empty list of known names."""
    if isinstance(featuring, str):
        featuring = [featuring]
    if not isinstance(featuring, list) or not featuring:
        raise r.fail(f"{where}.featuring", "expected a list of character or theme names")
    for j, name in enumerate(featuring):
        r.known(f"{where}.featuring[{j}]", name, motifs, "character or theme")
    return tuple(featuring)


def _intensity(r: _Reader, where: str, intensity: Any) -> tuple[float, float]:
    """The scene's intensity from start to end: one number or [from, to], within 0..1."""
    if isinstance(intensity, int | float) and not isinstance(intensity, bool):
        intensity = [intensity, intensity]
    if (not isinstance(intensity, list) or len(intensity) != 2
            or not all(isinstance(v, int | float) and 0 <= v <= 1 for v in intensity)):
        raise r.fail(f"{where}.intensity", "expected a number 0..1 or [from, to] within 0..1")
    return float(intensity[0]), float(intensity[1])


def _hit(r: _Reader, hw: str, h: Any, j: int, span: _Span, fps: Any) -> HitSpec:
    """The scene's `j`th hit point, at a timecode within the scene."""
    start, start_tc, end, end_tc = span
    h = r.mapping(h, hw, _HIT, required=("at",))
    at, tc = _timecode(r, f"{hw}.at", h["at"], fps)
    if not start <= at <= end:
        raise r.fail(f"{hw}.at", f"hit {tc} lies outside the scene ({start_tc} to {end_tc})")
    downbeat = h.get("downbeat", True)
    if not isinstance(downbeat, bool):
        raise r.fail(f"{hw}.downbeat", "expected true or false")
    weight = h.get("weight", 1.0)
    if (not isinstance(weight, int | float) or isinstance(weight, bool)
            or not math.isfinite(weight) or not 0 < weight <= 1000):
        raise r.fail(f"{hw}.weight", f"expected a positive number up to 1000, got "
                     f"{_shown(weight)}")
    kind = _choice(r, f"{hw}.kind", h.get("kind", "accent"), HIT_KINDS, "hit kind")
    change = _choice(r, f"{hw}.tempo_change", h.get("tempo_change", "sudden"),
                     TEMPO_CHANGES, "tempo change")
    return HitSpec(at - start, tc, str(h.get("label", f"Hit {j + 1}")), downbeat,
                   float(weight), kind, change)


def _section(r: _Reader, sw: str, s: Any, span: _Span, fps: Any, changes: str) -> SectionSpec:
    """A section of the scene: a mood change strictly inside it (`changes`: the scene's
    default tempo change)."""
    start, start_tc, end, end_tc = span
    s = r.mapping(s, sw, _SECTION, required=("at", "mood"))
    at, tc = _timecode(r, f"{sw}.at", s["at"], fps)
    if not start < at < end:
        raise r.fail(f"{sw}.at",
                     f"section {tc} lies outside the scene ({start_tc} to {end_tc})")
    if not isinstance(s["mood"], str):
        raise r.fail(f"{sw}.mood", "expected a mood name")
    change = _choice(r, f"{sw}.tempo_change", s.get("tempo_change", changes),
                     TEMPO_CHANGES, "tempo change")
    return SectionSpec(at - start, tc, s["mood"], str(s.get("label", s["mood"])), change)


def _scene_transform(r: _Reader, where: str, raw: Any,
                     featuring: tuple[str, ...]) -> dict[str, str]:
    """The scene's transform chain per featured character, each chain parsed once here."""
    from .development.chain import parse_chain

    transform = r.names(raw, f"{where}.transform", "character name to chain")
    for name, chain in transform.items():
        tw = f"{where}.transform.{name}"
        if name not in featuring:
            raise r.fail(tw, f"{name!r} is not featured in this scene")
        r.convert(tw, partial(parse_chain, str(chain)))
    return {str(k): str(v) for k, v in transform.items()}


def _choice(r: _Reader, where: str, value: Any, table: Mapping[str, str], what: str) -> str:
    """`value` if it names an entry of `table`, else one line naming the choices."""
    if not isinstance(value, str) or value not in table:
        raise r.fail(where, f"unknown {what} {_shown(value)}; expected one of: "
                     + ", ".join(table) + did_you_mean(str(value), list(table)))
    return value
