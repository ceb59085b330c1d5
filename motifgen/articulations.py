"""Articulation maps: how a sample library is told which articulation a note needs.

A map (YAML, like a Cubase expression map or a Logic articulation set) says,
per instrument and articulation, which message selects it: a keyswitch note
(played `lead` beats before the note), a controller value, or a program
change. An entry names an instrument, a family of the catalogue (`strings`,
`woodwind`, `brass`, ...) or `default`; a note's instrument is looked up in
that order, so a map can tell strings apart from winds and brass; an
articulation a map lacks falls back along `FALLBACK` (spiccato to staccato,
most others to long). Built in: `gm` (no messages: patches and note lengths,
as motifgen always wrote) and `uacc` (Spitfire's UACC CC32 values). A project
names one with ``articulations: uacc`` or a file of its own.

The arranger's choice per note is `choose`: the part's texture (pizzicato,
tremolo) or its section's articulation (legato lines, marcato, staccato; short
string notes spiccato). The note's played length already carries it too.

>>> builtin("uacc").message("horn", "legato")
Message(kind='cc', number=32, value=20, lead=0.0, velocity=100)
>>> longs = ArticulationMap("longs only", {"default": {"long": Message("cc", 32, 1)}})
>>> longs.message("horn", "marcato").value, longs.message("harp", "pizzicato")
(1, None)
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
from msgspec import Struct, field

from .errors import MotifgenError
from .orchestra import INSTRUMENTS
from .score import Message, Part

#: Every articulation a map may select.
ARTICULATIONS: tuple[str, ...] = ("long", "legato", "staccato", "spiccato", "pizzicato",
                                  "tremolo", "marcato", "trill", "harmonics", "con_sordino")
#: Where an articulation a map does not list falls back to (pizzicato has no stand-in).
FALLBACK: dict[str, str] = {"spiccato": "staccato", "legato": "long", "marcato": "long",
                            "tremolo": "long", "trill": "long", "harmonics": "long",
                            "con_sordino": "long", "staccato": "long"}
#: A mood's articulation as the articulation a library plays.
FROM_MOOD: dict[str, str] = {"legato": "legato", "tenuto": "long", "staccato": "staccato",
                             "marcato": "marcato"}
#: Textures that are an articulation of their own.
FROM_TEXTURE: dict[str, str] = {"pizzicato": "pizzicato", "tremolo": "tremolo"}
#: Instruments that are one articulation whatever they play.
FROM_INSTRUMENT: dict[str, str] = {"pizzicato_strings": "pizzicato",
                                   "tremolo_strings": "tremolo"}
#: Roles whose notes have articulations.
ARTICULATED = frozenset({"melody", "counter", "harmony", "bass"})
#: Roles that play lines (legato); the others hold chords (long).
LINES = frozenset({"melody", "counter"})
#: A staccato string note this short (beats) is played spiccato.
SPICCATO_BEATS = 0.5
#: Keyswitch defaults: beats before the note, velocity.
KEYSWITCH_LEAD, KEYSWITCH_VELOCITY = 0.0625, 100
#: The catalogue's families, which a map may address as a whole.
FAMILIES: frozenset[str] = frozenset(i.family for i in INSTRUMENTS.values())
#: The built-in maps, files in motifgen/data/articulations.
BUILTIN = ("gm", "uacc")
_DATA = Path(__file__).parent / "data" / "articulations"


class ArticulationMap(Struct, frozen=True):
    """instrument, family or "default" -> articulation -> Message."""

    name: str
    instruments: Mapping[str, Mapping[str, Message]] = field(default_factory=dict)
    #: the file it was read from (a user map: never written over)
    path: Path | None = None

    def message(self, instrument: str, articulation: str) -> Message | None:
        """The message for `articulation` on `instrument` (its own entry, its family's,
        the default), through `FALLBACK`."""
        family = INSTRUMENTS[instrument].family if instrument in INSTRUMENTS else None
        while True:
            for entry in (self.instruments.get(instrument, {}),
                          self.instruments.get(family or "", {}),
                          self.instruments.get("default", {})):
                if articulation in entry:
                    return entry[articulation]
            if articulation not in FALLBACK:
                return None
            articulation = FALLBACK[articulation]


def choose(part: Part) -> list[str]:
    """The articulation of each of the part's notes (empty for percussion, which has none,
    and the guide chords, which are not played)."""
    notes = part.notes
    if part.is_drum or part.role not in ARTICULATED or not len(notes):
        return []
    fixed = FROM_INSTRUMENT.get(part.instrument) or FROM_TEXTURE.get(part.texture)
    if fixed:
        return [fixed] * len(notes)
    starts = [b for b, _ in part.articulations] or [0.0]
    marks = [a for _, a in part.articulations] or ["legato"]
    at = np.maximum(np.searchsorted(starts, notes.onset + 1e-9, side="right") - 1, 0)
    strings = INSTRUMENTS[part.instrument].family == "strings"
    out = []
    for k, d in zip(at.tolist(), notes.duration.tolist()):
        a = FROM_MOOD.get(marks[k], "long")
        if a == "legato" and part.role not in LINES:
            a = "long"
        elif a == "staccato" and strings and d <= SPICCATO_BEATS:
            a = "spiccato"
        out.append(a)
    return out


def changes(part: Part, amap: ArticulationMap) -> list[tuple[float, Message]]:
    """(beat, message) wherever the part's articulation changes (and at its first note),
    for the messages `amap` has."""
    out: list[tuple[float, Message]] = []
    if not amap.instruments:
        return out
    last: Message | None = None
    found: dict[str, Message | None] = {}
    for onset, articulation in zip(part.notes.onset.tolist(), choose(part)):
        if articulation not in found:
            found[articulation] = amap.message(part.instrument, articulation)
        msg = found[articulation]
        if msg is not None and msg != last:
            if out and out[-1][0] == onset:  # a chord: one articulation, the first note's
                continue
            out.append((onset, msg))
            last = msg
    return out


def builtin(name: str) -> ArticulationMap:
    """A built-in map by name."""
    return load_map(_DATA / f"{name}.yaml")


def resolve(value: Any, folder: Path, where: str) -> ArticulationMap:
    """A project's `articulations:` field: a built-in name or a file relative to `folder`."""
    if not isinstance(value, str) or not value.strip():
        raise MotifgenError(f"expected {' or '.join(BUILTIN)} or a YAML file, got {value!r}",
                            where)
    if value in BUILTIN:
        return builtin(value)
    path = folder / value
    if not path.is_file():
        raise MotifgenError(f"no articulation map {value!r} (expected {', '.join(BUILTIN)} "
                            "or a YAML file next to the project)", where)
    return load_map(path)


def load_map(path: Path) -> ArticulationMap:
    """Read and check an articulation map file; errors name the file and the field."""
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as e:
        raise MotifgenError(f"cannot read the articulation map: {' '.join(str(e).split())}",
                            str(path)) from e

    def fail(field_: str, expected: str) -> MotifgenError:
        return MotifgenError(f"{field_}: expected {expected}", str(path))

    if not isinstance(data, dict) or set(data) - {"name", "instruments"}:
        raise fail("(top)", "a mapping with fields name, instruments")
    instruments = data.get("instruments") or {}
    if not isinstance(instruments, dict):
        raise fail("instruments", "a mapping of instrument names (or default) to articulations")
    out: dict[str, dict[str, Message]] = {}
    for inst, entries in instruments.items():
        if inst != "default" and inst not in INSTRUMENTS and inst not in FAMILIES:
            raise fail(f"instruments.{inst}", "default, a family "
                       f"({', '.join(sorted(FAMILIES))}) or a catalogue instrument name "
                       "(motifgen instruments lists them)")
        if not isinstance(entries, dict):
            raise fail(f"instruments.{inst}",
                       f"a mapping of articulations ({', '.join(ARTICULATIONS)})")
        out[inst] = {}
        for art, spec in entries.items():
            where = f"instruments.{inst}.{art}"
            if art not in ARTICULATIONS:
                raise fail(where, f"an articulation: one of {', '.join(ARTICULATIONS)}")
            out[inst][art] = _message(spec, where, fail)
    return ArticulationMap(str(data.get("name", path.stem)), out,
                           None if path.parent == _DATA else path)


def _message(spec: Any, where: str, fail) -> Message:
    kinds = [k for k in ("cc", "keyswitch", "program") if isinstance(spec, dict) and k in spec]
    allowed = {"cc": {"cc", "value"}, "keyswitch": {"keyswitch", "lead", "velocity"},
               "program": {"program"}}
    if len(kinds) != 1 or set(spec) - allowed[kinds[0]]:
        raise fail(where, "one of {cc: N, value: V}, {keyswitch: NOTE, lead: BEATS, "
                   "velocity: V} or {program: P}")
    kind = kinds[0]

    def byte(key: str, default: int | None = None) -> int:
        value = spec.get(key, default)
        if type(value) is not int or not 0 <= value <= 127:
            raise fail(f"{where}.{key}", f"a whole number from 0 to 127, got {value!r}")
        return value

    if kind == "cc":
        return Message("cc", byte("cc"), byte("value"))
    if kind == "program":
        return Message("program", byte("program"))
    lead = spec.get("lead", KEYSWITCH_LEAD)
    if isinstance(lead, bool) or not isinstance(lead, (int, float)) or not 0 <= lead <= 4:
        raise fail(f"{where}.lead", f"beats before the note from 0 to 4, got {lead!r}")
    return Message("keyswitch", byte("keyswitch"), lead=float(lead),
                   velocity=byte("velocity", KEYSWITCH_VELOCITY))
