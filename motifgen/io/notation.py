"""Motif text, read and written: tinyNotation and scale degrees + rhythm; `read_motif`
takes a project's ``motif:`` in any of its four forms (text, degrees, a MIDI or a
MusicXML file, read by `midi_reader` and `musicxml_reader`).

tinyNotation (music21's compact notation, e.g. ``"4/4 d4 f8 e d4 a4 g2"``) is read
by a small parser here so composing a film never waits for music21 to import;
the tests check it against music21's own parser; `format_tiny` writes it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from fractions import Fraction
from pathlib import Path
from typing import Any

from ..errors import NotationError
from ..motif import LENGTHS, MAX_WRITTEN_BEATS, MAX_WRITTEN_NOTES, Motif
from ..theory import LETTER_PC, Key, parse_meter
from .motif_files import motif_path

_TINY_NOTE = re.compile(
    r"^(?P<name>r|[a-gA-G]+)(?P<octave>'*)(?P<acc>#{1,2}|-{1,2}|n)?"
    r"(?P<dur>\d+)?(?P<dots>\.*)(?P<tie>~)?(?:_\S*)?$"
)
_TUPLET = re.compile(r"(trip|quad)\{([^}]*)\}")
_DEGREE = re.compile(r"^(?P<acc>[b#]*)(?P<deg>-?\d+)$")


def parse_tiny(text: str, key: Key, default_meter: tuple[int, int] = (4, 4),
               velocity: int = 80) -> Motif:
    """Parse tinyNotation: lowercase ``c`` is middle C, ``cc``/``c'`` higher,
    ``C``/``CC`` lower; ``#``/``-``/``n`` accidentals; ``4`` quarter, ``8.`` dotted
    eighth (a missing duration repeats the last); ``r`` rest; ``~`` tie;
    ``trip{c8 d e}`` triplets; a leading ``3/4`` sets the meter."""
    meter = default_meter
    notes: list[list] = []
    beat, last_dur, tie_open = Fraction(0), Fraction(1), False
    for token, scale in _tokens(text):
        if "/" in token:
            try:
                meter = parse_meter(token)
            except Exception as e:
                raise NotationError(f"bad time signature {token!r} in tinyNotation") from e
            continue
        m = _TINY_NOTE.match(token)
        if not m:
            raise NotationError(
                f"cannot read {token!r}: expected a tinyNotation note such as c4, f#8., r2 or C~"
            )
        if m["dur"]:
            value = int(m["dur"])
            if value not in (1, 2, 4, 8, 16, 32, 64):
                raise NotationError(f"bad duration in {token!r}: expected 1, 2, 4, 8, 16, 32 or 64")
            last_dur = Fraction(4, value)
        dur = last_dur * (2 - Fraction(1, 2 ** len(m["dots"]))) * scale
        if m["name"] != "r":
            pitch = _tiny_pitch(m["name"], m["octave"], m["acc"] or "")
            if tie_open and notes and notes[-1][2] == pitch:
                notes[-1][1] += dur
            else:
                notes.append([beat, dur, pitch, velocity])
            tie_open = bool(m["tie"])
        else:
            tie_open = False
        beat += dur
    if not notes:
        raise NotationError("tinyNotation has no notes")
    return Motif.from_notes([(float(o), float(d), p, v) for o, d, p, v in notes], key=key,
                           meter=meter)


def _tokens(text: str) -> list[tuple[str, Fraction]]:
    """Whitespace tokens with their tuplet scale (2/3 inside trip{}, 3/4 inside quad{})."""
    out: list[tuple[str, Fraction]] = []
    pos = 0
    for m in _TUPLET.finditer(text):
        out += [(t, Fraction(1)) for t in text[pos:m.start()].split()]
        scale = Fraction(2, 3) if m[1] == "trip" else Fraction(3, 4)
        out += [(t, scale) for t in m[2].split()]
        pos = m.end()
    out += [(t, Fraction(1)) for t in text[pos:].split()]
    if out and out[0][0].lower().startswith("tinynotation:"):
        first = out[0][0].split(":", 1)[1]
        out = ([(first, Fraction(1))] if first else []) + out[1:]
    return out


def _tiny_pitch(name: str, ticks: str, acc: str) -> int:
    letter = name[0].lower()
    if any(ch.lower() != letter for ch in name):
        raise NotationError(f"cannot read note {name!r}: repeat one letter for octaves (cc, CC)")
    octave = 4 + (len(name) - 1) + len(ticks) if name[0].islower() else 4 - len(name)
    alter = {"#": 1, "##": 2, "-": -1, "--": -2, "n": 0, "": 0}[acc]
    return _midi_pitch(12 * (octave + 1) + LETTER_PC[letter.upper()] + alter, f"note {name}{ticks}")


def _midi_pitch(pitch: int, what: str) -> int:
    """`pitch` when it is a MIDI note number (0..127), else a NotationError naming `what`."""
    if not 0 <= pitch <= 127:
        raise NotationError(f"{what} is MIDI pitch {pitch}, outside 0..127")
    return pitch


def parse_degrees(degrees: str, rhythm: str, key: Key, meter: tuple[int, int] = (4, 4),
                  velocity: int = 80) -> Motif:
    """Scale degrees ``1``..``7`` (``8`` up an octave, ``-1`` the 7th below),
    ``b``/``#`` prefixes for chromatic notes, ``r`` for a rest; rhythm tokens
    ``w h q e s`` with ``.`` for dotted, or a number of beats."""
    degree_tokens = str(degrees).split()
    rhythm_tokens = str(rhythm).split()
    if len(degree_tokens) != len(rhythm_tokens):
        raise NotationError(
            f"{len(degree_tokens)} degrees but {len(rhythm_tokens)} rhythm values; "
            "give one rhythm value per degree"
        )
    notes: list[tuple[float, float, int, int]] = []
    beat = 0.0
    for deg, rhy in zip(degree_tokens, rhythm_tokens):
        dur = _rhythm_value(rhy)
        if deg != "r":
            step, alt = _degree_step(deg)
            pitch = _midi_pitch(key.step_to_pitch(step, alt), f"degree {deg!r} in {key.name}")
            notes.append((beat, dur, pitch, velocity))
        beat += dur
    if not notes:
        raise NotationError("degrees give no notes")
    return Motif.from_notes(notes, key=key, meter=meter)


def _degree_step(token: str) -> tuple[int, int]:
    m = _DEGREE.match(token)
    if not m or int(m["deg"]) == 0 or len(m["deg"]) > 4:
        raise NotationError(
            f"bad degree {token!r}: expected 1..7 (8+ or -1 and below for other octaves), "
            "optionally prefixed by b or #, or r for a rest"
        )
    number = int(m["deg"])
    alt = m["acc"].count("#") - m["acc"].count("b")
    return (number - 1 if number > 0 else number), alt


def _rhythm_value(token: str) -> float:
    try:
        value = float(token)
    except ValueError:
        base = token.rstrip(".")
        if base not in LENGTHS:
            raise NotationError(
                f"bad rhythm value {token!r}: expected w h q e s (with . for dotted) "
                "or a length in beats"
            ) from None
        dots = len(token) - len(base)
        return LENGTHS[base] * (2 - 0.5 ** dots)
    if not 0 < value <= MAX_WRITTEN_BEATS:
        raise NotationError(f"bad rhythm value {token!r}: expected a length in beats above 0 "
                            f"and at most {MAX_WRITTEN_BEATS}")
    return value


def read_motif(spec: Any, key: Key, meter: tuple[int, int], base_dir: Path,
               allow: Sequence[Path] = ()) -> Motif:
    """A project-file `motif:` value in any of the four forms.

    A file is named relative to `base_dir` (the project's folder) and must lie inside
    it or inside one of the folders in `allow`. The motif may have at most
    `MAX_WRITTEN_NOTES` notes and last at most `MAX_WRITTEN_BEATS` beats.
    """
    if isinstance(spec, str):
        return _checked(parse_tiny(spec, key, meter))
    if not isinstance(spec, Mapping):
        raise NotationError(
            "expected a tinyNotation string, {degrees, rhythm}, or {file: NAME.mid|.musicxml}"
        )
    if "file" in spec:
        extra = set(spec) - {"file", "track"}
        if extra:
            raise NotationError(
                f"unknown field(s) {sorted(map(str, extra))}; expected file and optional track")
        path = motif_path(spec["file"], base_dir, allow)
        if path.suffix.lower() in (".mid", ".midi"):
            from .midi_reader import read_midi_motif

            return _checked(read_midi_motif(path, key, spec.get("track"), meter))
        if path.suffix.lower() in (".xml", ".musicxml", ".mxl"):
            from .musicxml_reader import read_musicxml_motif  # expat and zipfile: only here

            return _checked(read_musicxml_motif(path, key, meter))
        raise NotationError(f"motif file {path}: expected .mid, .midi, .musicxml, .xml or .mxl")
    if set(spec) == {"degrees", "rhythm"}:
        return _checked(parse_degrees(spec["degrees"], spec["rhythm"], key, meter))
    raise NotationError(
        f"unknown motif fields {sorted(map(str, spec))}; expected {{degrees, rhythm}} or "
        "{file[, track]}"
    )


def _checked(motif: Motif) -> Motif:
    """`motif`, refused when it has more than `MAX_WRITTEN_NOTES` notes or lasts over
    `MAX_WRITTEN_BEATS` beats."""
    if len(motif) > MAX_WRITTEN_NOTES:
        raise NotationError(f"the motif has {len(motif)} notes; a motif may have at most "
                            f"{MAX_WRITTEN_NOTES} notes")
    length = motif.end
    if not math.isfinite(length) or length > MAX_WRITTEN_BEATS:
        raise NotationError(f"the motif lasts {length:g} beats; a motif may last at most "
                            f"{MAX_WRITTEN_BEATS} beats")
    return motif


#: Time unit for writing tinyNotation: 1/24 beat, so a 32nd note (3 units) and an
#: eighth-note-triplet 32nd (2 units) are both whole numbers.
_UNITS_PER_BEAT = 24
#: Plain and dotted note values as units -> (tinyNotation value, dots).
_BINARY_VALUES = {
    int(units): (value, dots)
    for value in (1, 2, 4, 8, 16, 32)
    for dots, factor in ((0, Fraction(1)), (1, Fraction(3, 2)), (2, Fraction(7, 4)))
    if (units := Fraction(4 * _UNITS_PER_BEAT, value) * factor).denominator == 1
}
#: Triplet values (two thirds of the plain value) as units -> tinyNotation value.
_TRIPLET_VALUES = {8 * _UNITS_PER_BEAT // (3 * value): value for value in (1, 2, 4, 8, 16, 32)}


def format_tiny(motif: Motif) -> str:
    """Write a one-line motif as tinyNotation that `parse_tiny` reads back note for note.

    The meter comes first; lowercase ``c`` is middle C, ``c'`` the octave above,
    ``C``/``CC`` below; accidentals follow the key (flats in flat keys); a length
    that is not one note value becomes tied notes, triplet values go in ``trip{}``
    and gaps become rests. Onsets and durations must fall on a 1/24-beat grid
    (32nd notes, triplet 32nds) and notes must not overlap.

    >>> from motifgen.theory import Key
    >>> m = parse_tiny("3/4 d4 b-8 a g4 trip{f8 e d} c#2", Key.parse("D minor"))
    >>> format_tiny(m)
    '3/4 d4 b-8 a8 g4 trip{f8 e8 d8} c#2'
    >>> parse_tiny(format_tiny(m), m.key) == m
    True
    """
    tokens: list[tuple[str, int, bool]] = []  # (token, start in units, triplet)
    position = 0
    for onset, duration, pitch, _ in motif.rows():
        start, length = _tiny_units(onset, "onset"), _tiny_units(duration, "duration")
        if start < position:
            raise NotationError(
                f"tinyNotation holds one line: the note at beat {onset:g} overlaps the one "
                "before it")
        if start > position:
            tokens += _tiny_event("r", position, start - position, tie=False)
        tokens += _tiny_event(_tiny_name(pitch, motif.key), start, length, tie=True)
        position = start + length
    words = [f"{motif.meter[0]}/{motif.meter[1]}"]
    group: list[str] = []
    for i, (token, _, triplet) in enumerate(tokens):
        if triplet:
            group.append(token)
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        if group and (nxt is None or not nxt[2] or (
                nxt[1] % _UNITS_PER_BEAT == 0 and not token.endswith("~"))):
            words.append("trip{" + " ".join(group) + "}")
            group = []
        if not triplet:
            words.append(token)
    return " ".join(words)


def _tiny_units(beats: float, what: str) -> int:
    exact = Fraction(beats).limit_denominator(_UNITS_PER_BEAT)
    units = exact * _UNITS_PER_BEAT
    if units.denominator != 1 or abs(float(exact) - beats) > 1e-9:
        raise NotationError(
            f"cannot write a note {what} of {beats:g} beats in tinyNotation: expected a "
            "multiple of a 32nd note or of a triplet 32nd")
    return int(units)


def _tiny_name(pitch: int, key: Key) -> str:
    """``c`` middle C, ``c'`` above, ``C``/``CC`` below. In a seven-note key a note is
    spelt as a degree (E# in F# major); a chromatic note as the raised degree below
    or the lowered one above, whichever needs fewer accidentals (F# and C# in
    D minor, C in Eb minor); in other scales with the key's sharps or flats."""
    name = key.note_name(pitch % 12)
    letter, alter = name[0], {"": 0, "#": 1, "b": -1}[name[1:]]
    if len(key.scale) == 7:
        letters = "CDEFGAB"
        tonic_letter = letters.index(key.note_name(key.tonic)[0])
        step, chromatic = key.pitch_to_step(pitch)
        steps = [step] if chromatic == 0 else [step, step + 1 if chromatic > 0 else step - 1]
        spellings = []
        for s in steps:
            degree = letters[(tonic_letter + s) % 7]
            spellings.append((degree, (pitch - LETTER_PC[degree.upper()] + 6) % 12 - 6))
        degree, degree_alter = min(spellings, key=lambda sp: abs(sp[1]))  # ties: first
        if abs(degree_alter) <= 2:
            letter, alter = degree, degree_alter
    octave = (pitch - alter) // 12 - 1
    acc = "#" * alter if alter > 0 else "-" * -alter
    if octave >= 4:
        return letter.lower() + "'" * (octave - 4) + acc
    return letter.upper() * (4 - octave) + acc


def _tiny_event(name: str, start: int, length: int, tie: bool) -> list[tuple[str, int, bool]]:
    """Tokens for one note or rest of `length` units at `start`, tied when it takes several."""
    pieces = _tiny_pieces(length)
    out: list[tuple[str, int, bool]] = []
    for i, (units, triplet) in enumerate(pieces):
        if triplet:
            text = f"{name}{_TRIPLET_VALUES[units]}"
        else:
            value, dots = _BINARY_VALUES[units]
            text = f"{name}{value}{'.' * dots}"
        out.append((text + ("~" if tie and i < len(pieces) - 1 else ""), start, triplet))
        start += units
    return out


def _tiny_pieces(length: int) -> list[tuple[int, bool]]:
    """Note values (units, triplet?) adding up to `length`: one value if it is one, else
    the fewest tied values with the longest shortest one. Plain values come first:
    music21 closes a ``}`` on a tied note's tie instead of the triplet (``trip{c8~}``)."""
    if length in _BINARY_VALUES:
        return [(length, False)]
    if length in _TRIPLET_VALUES:
        return [(length, True)]
    options = [_greedy(plain, _BINARY_VALUES, False)
               + _greedy(length - plain, _TRIPLET_VALUES, True)
               for plain in range(0, length + 1, 3) if (length - plain) % 2 == 0]
    if not options:
        raise NotationError(f"cannot write {length}/{_UNITS_PER_BEAT} of a beat in tinyNotation")
    return min(options, key=lambda p: (len(p), -min(u for u, _ in p)))


def _greedy(length: int, values: Mapping[int, Any], triplet: bool) -> list[tuple[int, bool]]:
    out: list[tuple[int, bool]] = []
    for units in sorted(values, reverse=True):
        while length >= units:
            out.append((units, triplet))
            length -= units
    return out
