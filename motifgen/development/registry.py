"""The transform registry: every transform's name, summary and argument checks.

`TRANSFORMS` is the one table of what exists: the chain parser, the command
line (`motifgen transforms`) and the variation palettes read it. Each argument
has a parser that takes its text and returns the value, raising ValueError when
the text is not what is expected; `Transform.bind` turns that into one line.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from fractions import Fraction
from typing import Any

from msgspec import Struct

from ..errors import MotifgenError, TransformError, did_you_mean
from ..motif import Motif
from ..theory import DYNAMICS, mode_name, parse_meter, pitch_class, semitones_above_c
from .transforms import (
    augment,
    diminish,
    dynamics,
    fragment,
    invert,
    key,
    legato,
    metre,
    mode,
    ornament,
    register,
    retrograde,
    rhythm,
    sequence,
    staccato,
    step,
    transpose,
    truncate,
)

# --------------------------------------------------------------------------
# Argument parsers: each takes the text of one argument and returns the value,
# raising ValueError when the text is not what is expected.


def _int(text: str) -> int:
    """A whole number of semitones or steps, -127..127 (more leaves the MIDI range)."""
    value = int(text)
    if not -127 <= value <= 127:
        raise ValueError(text)
    return value


def _count(text: str) -> int:
    value = int(text)
    if not 1 <= value <= 64:
        raise ValueError(text)
    return value


def _natural(text: str) -> int:
    value = int(text)
    if value < 0:
        raise ValueError(text)
    return value


def _up_to(high: float) -> Callable[[str], float]:
    """A parser for numbers (or fractions such as 3/2) with 0 < value <= high."""
    def parse(text: str) -> float:
        value = Fraction(text)
        if not 0 < value <= high:
            raise ValueError(text)
        return float(value)

    return parse


_positive, _ratio, _fraction = _up_to(64), _up_to(2), _up_to(1)


#: A note name and its octave: D4, Bb3, F#5, E-4 (music21's flat). A '-' right after
#: the letter is a flat, as in `pitch_class`; octave -1 (MIDI 0..11) is given as a number.
_NOTE_OCTAVE = re.compile(r"^([A-Ga-g][#b-]*)(-?\d+)$")


def _midi(text: str) -> int:
    """A MIDI number (0..127) or a note name with octave such as D4, Bb3 or E-4."""
    text = text.strip()
    try:
        value = int(text)
    except ValueError:
        match = _NOTE_OCTAVE.match(text)
        if match is None:
            raise ValueError(text) from None
        name, octave = match.groups()
        try:
            value = 12 * (int(octave) + 1) + semitones_above_c(name)  # B#3 is C4
        except MotifgenError as e:
            raise ValueError(text) from e
    if not 0 <= value <= 127:
        raise ValueError(text)
    return value


def _choice(*options: str) -> Callable[[str], str]:
    def parse(text: str) -> str:
        if text.lower() not in options:
            raise ValueError(text)
        return text.lower()
    return parse


def _mode(text: str) -> str:
    try:
        return mode_name(text.replace("-", "_"))
    except MotifgenError as e:
        raise ValueError(text) from e


def _tonic(text: str) -> str:
    if text.lower() in ("dominant", "subdominant"):
        return text.lower()
    try:
        pitch_class(text)
    except MotifgenError as e:
        raise ValueError(text) from e
    return text


def _meter(text: str) -> tuple[int, int]:
    try:
        return parse_meter(text)
    except MotifgenError as e:
        raise ValueError(text) from e


def _level(text: str) -> int:
    if text.lower() in DYNAMICS:
        return DYNAMICS[text.lower()]
    value = int(text)
    if not 1 <= value <= 127:
        raise ValueError(text)
    return value


def _levels(text: str) -> tuple[int, int]:
    first, _, last = text.partition("..")
    return (_level(first), _level(last or first))


def _selection(text: str) -> tuple[str, int]:
    parts = text.split(":")
    if len(parts) == 1:
        return ("first", _count(parts[0]))
    if len(parts) == 2:
        where = parts[0].lower()
        if where not in ("first", "last"):
            where = str(_natural(where))
        return (where, _count(parts[1]))
    raise ValueError(text)


class Param(Struct, frozen=True):
    """One argument of a transform: its name, what it expects, its default and parser."""

    name: str
    expects: str
    default: Any
    parse: Callable[[str], Any]
    text_default: str = ""
    rest: bool = False  # takes all remaining ':'-separated parts as one value


class Transform(Struct, frozen=True):
    """A registered transform: name, function, one-line summary and its arguments."""

    name: str
    func: Callable[..., Motif]
    summary: str
    params: tuple[Param, ...] = ()
    aliases: tuple[str, ...] = ()
    #: a rule over several parsed arguments: what is wrong with them, or "" when nothing is
    check: Callable[[dict[str, Any]], str] | None = None

    @property
    def usage(self) -> str:
        """Chain syntax, e.g. ``sequence=TIMES:STEPS``."""
        if not self.params:
            return self.name
        return f"{self.name}=" + ":".join(p.name.upper() for p in self.params)

    @property
    def args(self) -> str:
        """Each argument, what it expects and its default, e.g. for `motifgen transforms`."""
        return "; ".join(f"{p.name}: {p.expects} [default {p.text_default}]"
                         for p in self.params)

    @property
    def defaults(self) -> str:
        return ", ".join(f"{p.name}={p.text_default or p.default}" for p in self.params)

    def bind(self, args: Sequence[str]) -> dict[str, Any]:
        """Parse argument texts into keyword arguments (TransformError when one of them,
        or the transform's `check` of them together, finds them wrong)."""
        values: dict[str, Any] = {}
        args = list(args)
        for i, param in enumerate(self.params):
            if param.rest:
                raw, args = ":".join(args[i:]), []
            else:
                raw = args[i] if i < len(args) else ""
            if raw.strip() == "":
                values[param.name] = param.default
                continue
            try:
                values[param.name] = param.parse(raw.strip())
            except (ValueError, ZeroDivisionError) as e:
                raise TransformError(
                    f"transform {self.name!r}: bad {param.name} {raw.strip()!r}; "
                    f"expected {param.expects} (usage: {self.usage})") from e
        if len(args) > len(self.params):
            raise TransformError(
                f"transform {self.name!r} takes at most {len(self.params)} argument(s) "
                f"({self.usage}), got {len(args)}: {':'.join(args)!r}")
        problem = self.check(values) if self.check else ""
        if problem:
            raise TransformError(f"transform {self.name!r}: {problem} (usage: {self.usage})")
        return values


def _p(name: str, expects: str, default: Any, parse: Callable[[str], Any],
       text: str = "", rest: bool = False) -> Param:
    return Param(name, expects, default, parse, text or str(default), rest)


def _octave_wide(values: dict[str, Any]) -> str:
    low, high = values["low"], values["high"]
    if high - low < 11:
        return f"range {low}..{high} is narrower than an octave; expected high >= low + 11"
    return ""


_MODES_TEXT = "a mode such as ionian, dorian, harmonic_minor, whole_tone (see theory.MODES)"

#: Every transform, in the order the CLI lists them.
TRANSFORMS: dict[str, Transform] = {t.name: t for t in (
    Transform("transpose", transpose, "move by semitones (chromatic transposition)",
              (_p("semitones", "an integer number of semitones, -127..127", 2, _int),)),
    Transform("step", step, "move by scale steps in the key (diatonic transposition)",
              (_p("steps", "an integer number of scale steps, -127..127", 1, _int),),
              aliases=("transpose_diatonic",)),
    Transform("mode", mode, "same degrees in another mode on the same tonic",
              (_p("mode", _MODES_TEXT, "aeolian", _mode),)),
    Transform("key", key, "move to another tonic (and mode), nearest octave",
              (_p("tonic", "a note name (F, F#, Bb) or dominant/subdominant", "dominant",
                  _tonic),
               _p("mode", _MODES_TEXT, None, _mode, "same"))),
    Transform("invert", invert, "mirror the intervals about an axis (default the first note)",
              (_p("kind", "diatonic or chromatic", "diatonic", _choice("diatonic", "chromatic")),
               _p("axis", "a MIDI pitch 0..127 or a note such as D4", None, _midi, "first note"))),
    Transform("retrograde", retrograde, "play backwards: pitches, rhythm or both",
              (_p("part", "pitches, rhythm or both", "both",
                  _choice("pitches", "rhythm", "both")),)),
    Transform("augment", augment, "lengthen every value by a factor",
              (_p("factor", "a positive number such as 2, 1.5 or 3/2", 2.0, _positive),),
              aliases=("augmentation",)),
    Transform("diminish", diminish, "shorten every value by a factor",
              (_p("factor", "a positive number such as 2, 1.5 or 3/2", 2.0, _positive),),
              aliases=("diminution",)),
    Transform("fragment", fragment, "keep a cell: first n notes, last n, or from note i",
              (_p("selection", "N, first:N, last:N or START:N (0-based start)", ("first", 3),
                  _selection, "3", rest=True),)),
    Transform("sequence", sequence, "repeat the motif, each copy a scale step higher",
              (_p("times", "a whole number of copies 1..64", 3, _count),
               _p("steps", "an integer number of scale steps between copies, -127..127", 1, _int))),
    Transform("truncate", truncate, "drop the last note(s): the phrase stops before its cadence",
              (_p("n", "a whole number of notes to drop, 0 or more", 1, _natural),)),
    Transform("metre", metre, "recast into another meter by stretching strong beats",
              (_p("meter", "a meter such as 3/4, 4/4 or 6/8", (3, 4), _meter, "3/4"),),
              aliases=("meter",)),
    Transform("rhythm", rhythm, "rhythmic character: dotted, syncopated or even",
              (_p("style", "dotted, syncopated or even", "dotted",
                  _choice("dotted", "syncopated", "even")),)),
    Transform("ornament", ornament, "diatonic decoration: neighbour, passing, grace or turn",
              (_p("figure", "neighbour, passing, grace or turn", "neighbour",
                  _choice("neighbour", "passing", "grace", "turn")),)),
    Transform("register", register, "place in a pitch range by octaves",
              (_p("low", "a MIDI pitch 0..127 or a note such as C4", 60, _midi),
               _p("high", "a MIDI pitch at least an octave above low", 84, _midi)),
              check=_octave_wide),
    Transform("legato", legato, "hold each note until the next",
              (_p("ratio", "a fraction of the gap to the next note, 0 < r <= 2", 1.0, _ratio),)),
    Transform("staccato", staccato, "shorten notes",
              (_p("ratio", "a fraction of the note length, 0 < r <= 1", 0.5, _fraction),)),
    Transform("dynamics", dynamics, "velocity level or a ramp (pp..ff = crescendo)",
              (_p("levels", "a mark (ppp..fff) or velocity, or FROM..TO such as pp..ff",
                  (49, 96), _levels, "p..f"),)),
)}

_ALIASES: dict[str, str] = {a: t.name for t in TRANSFORMS.values() for a in t.aliases}


def lookup(name: str) -> Transform:
    """The transform called `name` or one of its aliases (TransformError naming the known ones)."""
    canonical = _ALIASES.get(name, name)
    if canonical not in TRANSFORMS:
        known = ", ".join(TRANSFORMS)
        raise TransformError(f"unknown transform {name!r}; known transforms: {known}"
                             + did_you_mean(name, [*TRANSFORMS, *_ALIASES]))
    return TRANSFORMS[canonical]
