"""Moods: the recipes that dress a motif (mode, tempo, dynamics, orchestra, texture).

One table, `PRESETS`, holds the built-in moods (REFERENCE §4); the CLI
(`motifgen moods`), project validation and the README all read it. A project
file can add custom moods that extend a preset:

* ``base:`` names the mood to start from (a preset or another custom mood).
  A custom mood named like a preset extends that preset when ``base`` is
  left out. Any other custom mood without ``base`` must give every required
  field (mode, tempo, dynamics, articulation, orchestra with a melody, texture).
* every other key overrides the field of the same name. ``register`` is
  *relative*: octaves added to the base mood's register. ``orchestra``
  replaces only the roles it lists. Setting ``mode`` alone makes it the only
  mode (``modes`` lists alternatives explicitly).

Errors are `ProjectError`s whose `where` is the field path, e.g.
``moods.storm.tempo``.

>>> resolve_mood("storm", {"storm": {"base": "action", "tempo": 150}}).tempo
(150.0, 150.0)
>>> PRESETS["heroic"].mode
'mixolydian'
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType
from typing import Any

from msgspec import Struct
from msgspec.structs import force_setattr, replace

from .errors import MotifgenError, ProjectError, did_you_mean
from .orchestra import INSTRUMENTS, ROLES, canonical_name
from .recipes import COLOURS, MOOD_TEXTURES
from .theory import ARTICULATIONS, DYNAMICS, mode_name

#: Accompaniment textures a mood may name, and harmonic colours (`motifgen.recipes`).
TEXTURES = MOOD_TEXTURES

_REQUIRED = ("mode", "tempo", "dynamics", "articulation", "orchestra", "texture")


class Mood(Struct, frozen=True):
    """A complete recipe. See the module docstring for how custom moods resolve.

    `tempo`: (low, high) bpm; `register`: octaves to move the melody from the
    motif's written register before fitting it to the instrument; `doubling`:
    when not 0, a second melody instrument doubles the lead that many octaves
    away; `harmonic_rhythm`: beats per chord (the harmoniser halves it where
    the melody needs); `orchestra`: role -> instrument names (every role of
    `orchestra.ROLES` present, possibly empty).
    """

    name: str
    mode: str
    tempo: tuple[float, float]
    dynamics: str
    articulation: str
    orchestra: Mapping[str, tuple[str, ...]]
    texture: str
    base: str = ""
    modes: tuple[str, ...] = ()
    dynamics_to: str | None = None
    register: int = 0
    colour: str = "none"
    harmonic_rhythm: float = 4.0
    doubling: int = 0
    description: str = ""

    def __post_init__(self) -> None:
        orch = {role: tuple(self.orchestra.get(role, ())) for role in ROLES}
        force_setattr(self, "orchestra", MappingProxyType(orch))
        modes = tuple(self.modes) or (self.mode,)
        if self.mode not in modes:
            modes = (self.mode,) + modes
        force_setattr(self, "modes", modes)
        force_setattr(self, "tempo", (float(self.tempo[0]), float(self.tempo[1])))

    def __hash__(self) -> int:
        return hash(tuple(
            tuple(getattr(self, name).items()) if name == "orchestra" else getattr(self, name)
            for name in self.__struct_fields__
        ))

    @property
    def velocity(self) -> int:
        """MIDI velocity of the starting dynamic."""
        return DYNAMICS[self.dynamics]

    @property
    def instruments(self) -> tuple[str, ...]:
        """Every instrument named in the orchestra, in role order, without repeats."""
        seen: list[str] = []
        for names in self.orchestra.values():
            seen.extend(n for n in names if n not in seen)
        return tuple(seen)


def _m(name, mode, modes, tempo, dyn, art, register, orchestra, texture, colour, hr,
       description, dynamics_to=None, doubling=0) -> Mood:
    return Mood(name=name, mode=mode, modes=modes, tempo=tempo, dynamics=dyn,
                dynamics_to=dynamics_to, articulation=art, register=register,
                orchestra=orchestra, texture=texture, colour=colour, harmonic_rhythm=hr,
                doubling=doubling, description=description)


#: The built-in moods. Emotion research ranks the cues mode > tempo > register >
#: dynamics > articulation > timbre; each preset sets all of them.
PRESETS: dict[str, Mood] = {
    m.name: m
    for m in (
        _m("heroic", "mixolydian", ("mixolydian", "ionian"), (100, 132), "f", "marcato", 0,
           {"melody": ("trumpet", "horn"), "counter": ("violin",),
            "harmony": ("strings", "brass"), "bass": ("trombone", "tuba"),
            "percussion": ("timpani",)},
           "pulse", "mixolydian_bVII", 4.0,
           "Trumpet over horns an octave down, driving brass pulse, bVII-I.", doubling=-1),
        _m("triumphant", "ionian", ("ionian",), (84, 112), "ff", "tenuto", 1,
           {"melody": ("trumpet", "horn"), "counter": ("violin",),
            "harmony": ("brass", "choir"), "bass": ("tuba",),
            "percussion": ("timpani", "cymbal")},
           "chorale", "plagal", 4.0,
           "Apotheosis: brass chorale, choir, IV-I and bVI-bVII-I, cymbal on the hits.",
           doubling=-1),
        _m("tender", "ionian", ("ionian", "lydian"), (60, 80), "mp", "legato", 0,
           {"melody": ("violin", "cello"), "counter": ("cello",),
            "harmony": ("strings", "harp"), "bass": ("contrabass",), "percussion": ()},
           "arpeggio", "added6", 4.0,
           "Romantic: violins and cello over harp arpeggios, added sixths."),
        _m("tragic", "aeolian", ("aeolian", "harmonic_minor"), (50, 70), "p", "legato", 0,
           {"melody": ("oboe", "english_horn", "cello"), "counter": ("cello",),
            "harmony": ("strings",), "bass": ("contrabass",), "percussion": ("tam_tam",)},
           "sustained", "minor_plagal", 4.0,
           "Low-mid double reeds over sustained strings, i-bVI, iv-i, a tam-tam on the hits."),
        _m("melancholy", "dorian", ("dorian",), (60, 84), "mp", "legato", 0,
           {"melody": ("clarinet", "viola"), "counter": ("oboe",),
            "harmony": ("strings",), "bass": ("cello",), "percussion": ()},
           "arpeggio", "dorian_IV", 4.0,
           "Clarinet or viola, gently broken string chords, the bright dorian IV."),
        _m("menacing", "phrygian", ("phrygian", "aeolian"), (60, 90), "mf", "marcato", -1,
           {"melody": ("trombone", "bassoon", "trumpet"), "counter": ("horn",),
            "harmony": ("tremolo_strings",), "bass": ("tuba", "contrabass"),
            "percussion": ("timpani", "bass_drum")},
           "ostinato", "hexatonic_pole", 4.0,
           "Low brass and bassoon over a tremolo-string ostinato, bII, tritone, hexatonic pole, "
           "a slow bass-drum tread.",
           dynamics_to="f"),
        _m("mysterious", "lydian", ("lydian", "whole_tone"), (56, 76), "pp", "legato", 1,
           {"melody": ("celesta", "flute"), "counter": ("clarinet",),
            "harmony": ("harp", "strings"), "bass": ("contrabass",), "percussion": ()},
           "sustained", "chromatic_mediants", 8.0,
           "High, sparse celesta and flute, chromatic-mediant shifts over a low pedal."),
        _m("wonder", "lydian", ("lydian",), (66, 92), "mp", "legato", 1,
           {"melody": ("flute", "violin", "horn"), "counter": ("horn",),
            "harmony": ("strings", "harp", "choir"), "bass": ("contrabass",),
            "percussion": ("suspended_cymbal",)},
           "arpeggio", "lydian_II", 4.0,
           "Flute and violins high over harp and choir, lydian II and mediants, mp to f, "
           "cymbal swells.",
           dynamics_to="f"),
        _m("playful", "ionian", ("ionian",), (108, 140), "mf", "staccato", 0,
           {"melody": ("clarinet", "piccolo", "bassoon"), "counter": ("bassoon",),
            "harmony": ("pizzicato_strings",), "bass": ("tuba",),
            "percussion": ("snare_drum",)},
           "pizzicato", "secondary_dominants", 2.0,
           "Staccato woodwinds, pizzicato oom-pah, secondary dominants, a light snare."),
        _m("action", "aeolian", ("aeolian", "phrygian"), (132, 168), "f", "marcato", 0,
           {"melody": ("horn", "strings"), "counter": ("trumpet",),
            "harmony": ("strings",), "bass": ("cello", "contrabass"),
            "percussion": ("timpani", "taiko")},
           "ostinato", "pedal", 4.0,
           "Horns over a string ostinato, tonic pedal, bVI-bVII-i, taiko and timpani."),
        _m("suspense", "locrian", ("locrian", "octatonic"), (50, 80), "pp", "tenuto", 0,
           {"melody": ("violin", "viola"), "counter": ("cello",),
            "harmony": ("tremolo_strings",), "bass": ("contrabass",),
            "percussion": ("suspended_cymbal",)},
           "tremolo", "diminished", 8.0,
           "Solo strings at the extremes over tremolo on a pedal, minor(maj7) colours, a creeping "
           "chromatic inner voice, pp to mf.",
           dynamics_to="mf"),
        _m("peaceful", "ionian", ("ionian", "major_pentatonic"), (60, 76), "p", "legato", 0,
           {"melody": ("flute", "oboe"), "counter": ("clarinet",),
            "harmony": ("strings", "harp"), "bass": ("cello",), "percussion": ()},
           "sustained", "plagal", 8.0,
           "Flute and oboe over slow sustained strings and harp, I-IV."),
    )
}

_FIELDS = tuple(name for name in Mood.__struct_fields__ if name != "name")


def _err(mood: str, field: str, message: str) -> ProjectError:
    return ProjectError(message, f"moods.{mood}.{field}" if field else f"moods.{mood}")


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def _parse_tempo(mood: str, value: Any) -> tuple[float, float]:
    msg = "expected a bpm number or [low, high] with 20 <= low <= high <= 300"
    if _number(value) is not None:
        lo = hi = _number(value)
    elif isinstance(value, Sequence) and not isinstance(value, str) and len(value) == 2:
        lo, hi = _number(value[0]), _number(value[1])
    else:
        raise _err(mood, "tempo", msg)
    if lo is None or hi is None or not 20 <= lo <= hi <= 300:
        raise _err(mood, "tempo", msg)
    return lo, hi


def _parse_choice(mood: str, field: str, value: Any, table: Mapping[str, Any],
                  what: str = "") -> str:
    """`value` as a key of `table` (case-insensitive); `what` names it in the message
    (default: the field's name)."""
    text = str(value).strip().lower() if isinstance(value, str) else None
    if text is None or text not in table:
        raise _err(mood, field, f"unknown {what or field} {value!r}; expected one of: "
                   + ", ".join(table) + did_you_mean(value, table))
    return text


def _parse_dynamic(mood: str, field: str, value: Any) -> str:
    return _parse_choice(mood, field, value, DYNAMICS, "dynamic")


def _parse_mode(mood: str, field: str, value: Any) -> str:
    if not isinstance(value, str):
        raise _err(mood, field, f"expected a mode name, got {value!r}")
    try:
        return mode_name(value)
    except MotifgenError as e:
        raise _err(mood, field, e.message) from e


def _parse_orchestra(mood: str, value: Any) -> dict[str, tuple[str, ...]]:
    if not isinstance(value, Mapping):
        raise _err(mood, "orchestra", "expected a mapping role -> instrument list, e.g. "
                   "{melody: [horn], harmony: [strings]}")
    out: dict[str, tuple[str, ...]] = {}
    for role, names in value.items():
        where = f"orchestra.{role}"
        if role not in ROLES:
            raise _err(mood, "orchestra", f"unknown role {role!r}; expected one of: "
                       + ", ".join(ROLES) + did_you_mean(role, ROLES))
        if isinstance(names, str):
            names = [names]
        if not isinstance(names, Sequence) or not all(isinstance(n, str) for n in names):
            raise _err(mood, where, "expected an instrument name or a list of them")
        resolved: list[str] = []
        for n in names:
            try:
                name = canonical_name(n)
            except MotifgenError as e:
                raise _err(mood, where, e.message) from e
            inst = INSTRUMENTS[name]
            if role not in inst.roles:
                raise _err(mood, where, f"{name} cannot take the {role} role; it plays: "
                           + ", ".join(inst.roles))
            resolved.append(name)
        out[role] = tuple(resolved)
    return out


def _parse_fields(mood: str, spec: Mapping[str, Any]) -> dict[str, Any]:
    """Validate the override fields of a custom mood; keys as in `Mood`."""
    unknown = sorted(str(k) for k in spec if k not in _FIELDS)
    if unknown:
        raise _err(mood, unknown[0], "unknown field; expected one of: "
                   + ", ".join(_FIELDS) + did_you_mean(unknown[0], _FIELDS))
    out: dict[str, Any] = {}
    for key, value in spec.items():
        out.update(_FIELD_PARSERS[key](mood, key, value))
    return out


def _parse_modes(mood: str, key: str, value: Any) -> dict[str, Any]:
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, Sequence) or not values:
        raise _err(mood, key, "expected a mode name or a list of them")
    return {"modes": tuple(_parse_mode(mood, key, v) for v in values)}


def _parse_dynamics(mood: str, key: str, value: Any) -> dict[str, Any]:
    """A dynamic mark, or a change ``p -> f`` (which sets `dynamics_to` too)."""
    text = value.replace("→", "->") if isinstance(value, str) else value
    if isinstance(text, str) and "->" in text:
        start, end = text.split("->", 1)
        return {"dynamics": _parse_dynamic(mood, key, start),
                "dynamics_to": _parse_dynamic(mood, key, end)}
    return {"dynamics": _parse_dynamic(mood, key, text)}


def _parse_octaves(mood: str, key: str, value: Any) -> dict[str, Any]:
    if isinstance(value, bool) or not isinstance(value, int) or not -3 <= value <= 3:
        raise _err(mood, key, "expected a whole number of octaves from -3 to 3")
    return {key: value}


def _parse_harmonic_rhythm(mood: str, key: str, value: Any) -> dict[str, Any]:
    num = _number(value)
    if num is None or not 0.5 <= num <= 32:
        raise _err(mood, key, "expected beats per chord, a number from 0.5 to 32")
    return {key: num}


def _parse_description(mood: str, key: str, value: Any) -> dict[str, Any]:
    if not isinstance(value, str):
        raise _err(mood, key, "expected text")
    return {key: value}


#: How each field of a custom mood is read: (mood, field, value) -> the Mood fields it
#: sets (``base`` names the mood to start from and sets none).
_FIELD_PARSERS: dict[str, Callable[[str, str, Any], dict[str, Any]]] = {
    "base": lambda mood, key, value: {},
    "mode": lambda mood, key, value: {key: _parse_mode(mood, key, value)},
    "modes": _parse_modes,
    "tempo": lambda mood, key, value: {key: _parse_tempo(mood, value)},
    "dynamics": _parse_dynamics,
    "dynamics_to": lambda mood, key, value: {
        key: None if value is None else _parse_dynamic(mood, key, value)},
    "articulation": lambda mood, key, value: {
        key: _parse_choice(mood, key, value, ARTICULATIONS)},
    "texture": lambda mood, key, value: {key: _parse_choice(mood, key, value, TEXTURES)},
    "colour": lambda mood, key, value: {key: _parse_choice(mood, key, value, COLOURS)},
    "register": _parse_octaves,
    "doubling": _parse_octaves,
    "harmonic_rhythm": _parse_harmonic_rhythm,
    "orchestra": lambda mood, key, value: {key: _parse_orchestra(mood, value)},
    "description": _parse_description,
}


def resolve_mood(name: str, custom: Mapping[str, Mapping[str, Any]] | None = None) -> Mood:
    """The complete Mood called `name`: a custom mood from the project file or a preset.

    Raises ProjectError (with the field path) for unknown moods, unknown or bad
    fields, unknown instruments or modes, and cycles in ``base`` chains.
    """
    custom = custom or {}
    return _resolve(str(name), custom, ())


def _resolve(name: str, custom: Mapping[str, Mapping[str, Any]], chain: tuple[str, ...]) -> Mood:
    if name not in custom:
        if name in PRESETS:
            return PRESETS[name]
        known = sorted(set(PRESETS) | set(custom))
        raise ProjectError(f"unknown mood {name!r}; expected one of: {', '.join(known)}"
                           + did_you_mean(name, known))
    if name in chain:
        cycle = " -> ".join(chain[chain.index(name):] + (name,))
        raise _err(chain[-1], "base", f"moods extend each other in a cycle: {cycle}")
    spec = custom[name]
    if not isinstance(spec, Mapping):
        raise _err(name, "", "expected a mapping of mood fields (base, mode, tempo, ...)")
    overrides = _parse_fields(name, spec)
    base_name = spec.get("base")
    if base_name is None and name in PRESETS:
        base_name = name
    if base_name is None:
        missing = [f for f in _REQUIRED if f not in overrides]
        if missing or not overrides["orchestra"].get("melody"):
            raise _err(name, "", "a mood without 'base' must give "
                       + ", ".join(_REQUIRED) + " (with a melody instrument); missing: "
                       + ", ".join(missing or ["orchestra.melody"]))
        return Mood(name=name, **overrides)
    if not isinstance(base_name, str):
        raise _err(name, "base", f"expected a mood name, got {base_name!r}")
    if base_name == name:  # a custom mood that shares a preset's name extends the preset
        if name not in PRESETS:
            raise _err(name, "base", f"mood {name!r} cannot extend itself")
        base = PRESETS[name]
    else:
        try:
            base = _resolve(base_name, custom, chain + (name,))
        except ProjectError as e:
            if e.where:
                raise
            raise _err(name, "base", e.message) from e
    if "orchestra" in overrides:
        merged = dict(base.orchestra)
        merged.update(overrides["orchestra"])
        overrides["orchestra"] = merged
    if "register" in overrides:
        overrides["register"] = base.register + overrides["register"]
    if "mode" in overrides and "modes" not in overrides:
        overrides["modes"] = (overrides["mode"],)
    elif "modes" in overrides and "mode" not in overrides:
        overrides["mode"] = overrides["modes"][0]
    if "dynamics" in overrides and "dynamics_to" not in overrides:
        overrides["dynamics_to"] = None
    mood = replace(base, name=name, base=base.name, **overrides)
    if not mood.orchestra["melody"]:
        raise _err(name, "orchestra.melody", "a mood needs at least one melody instrument")
    return mood


def _register_word(register: int) -> str:
    return {-2: "very low", -1: "low", 0: "mid", 1: "high", 2: "very high"}.get(
        register, f"{register:+d} octaves")


def mood_table(moods: Mapping[str, Mood] | None = None) -> list[dict[str, Any]]:
    """One row per mood (the presets by default) for `motifgen moods` and the README."""
    rows = []
    for mood in (moods or PRESETS).values():
        orch = mood.orchestra
        rows.append({
            "mood": mood.name,
            "mode": " / ".join(mood.modes),
            "tempo": f"{mood.tempo[0]:g}-{mood.tempo[1]:g}",
            "dynamics": mood.dynamics + (f"->{mood.dynamics_to}" if mood.dynamics_to else ""),
            "articulation": mood.articulation,
            "register": _register_word(mood.register),
            "melody": ", ".join(orch["melody"]),
            "harmony": ", ".join(orch["harmony"]),
            "bass": ", ".join(orch["bass"]),
            "percussion": ", ".join(orch["percussion"]),
            "texture": mood.texture,
            "colour": mood.colour,
            "chord every": f"{mood.harmonic_rhythm:g} beats",
            "description": mood.description,
        })
    return rows


__all__ = [
    "ARTICULATIONS", "COLOURS", "DYNAMICS", "Mood", "PRESETS", "TEXTURES",
    "mood_table", "resolve_mood",
]
