"""Motif input in four forms: tinyNotation text, scale degrees + rhythm, MIDI, MusicXML.

tinyNotation (music21's compact notation, e.g. ``"4/4 d4 f8 e d4 a4 g2"``) is read
by a small parser here so composing a film never waits for music21 to import;
the tests check it against music21's own parser. MusicXML goes through music21.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from fractions import Fraction
from pathlib import Path
from typing import Any

from .errors import NotationError
from .motif import Motif
from .theory import Key, parse_meter

_RHYTHM = {"w": 4.0, "h": 2.0, "q": 1.0, "e": 0.5, "s": 0.25, "t": 0.125}
_LETTER_PC = {"c": 0, "d": 2, "e": 4, "f": 5, "g": 7, "a": 9, "b": 11}
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
    return 12 * (octave + 1) + _LETTER_PC[letter] + alter


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
            notes.append((beat, dur, key.step_to_pitch(step, alt), velocity))
        beat += dur
    if not notes:
        raise NotationError("degrees give no notes")
    return Motif.from_notes(notes, key=key, meter=meter)


def _degree_step(token: str) -> tuple[int, int]:
    m = _DEGREE.match(token)
    if not m or int(m["deg"]) == 0:
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
        if base not in _RHYTHM:
            raise NotationError(
                f"bad rhythm value {token!r}: expected w h q e s (with . for dotted) "
                "or a length in beats"
            ) from None
        dots = len(token) - len(base)
        return _RHYTHM[base] * (2 - 0.5 ** dots)
    if value <= 0:
        raise NotationError(f"bad rhythm value {token!r}: a length in beats must be positive")
    return value


def read_midi_motif(path: Path, key: Key, track: str | int | None = None,
                    default_meter: tuple[int, int] = (4, 4)) -> Motif:
    """The notes of one track of a MIDI file: the named/numbered track, else the first with notes.

    Onsets are shifted so the motif starts at beat 0; the file's first time
    signature is the motif's meter.
    """
    import mido

    try:
        mid = mido.MidiFile(str(path))
    except (OSError, ValueError, EOFError) as e:
        raise NotationError(f"cannot read MIDI file {path}: {e}") from e
    meter = default_meter
    candidates = []
    for index, trk in enumerate(mid.tracks):
        now, open_notes, notes, name = 0, {}, [], ""
        for msg in trk:
            now += msg.time
            if msg.type == "track_name":
                name = msg.name
            elif msg.type == "time_signature" and meter == default_meter:
                meter = (msg.numerator, msg.denominator)
            elif msg.type == "note_on" and msg.velocity > 0:
                open_notes[(msg.channel, msg.note)] = (now, msg.velocity)
            elif msg.type in ("note_off", "note_on"):
                start = open_notes.pop((msg.channel, msg.note), None)
                if start is not None and now > start[0]:
                    notes.append((start[0], now - start[0], msg.note, start[1]))
        if notes:
            candidates.append((index, name, notes))
    if not candidates:
        raise NotationError(f"MIDI file {path} has no notes")
    chosen = candidates[0]
    if track is not None:
        matches = [c for c in candidates if c[1] == track or str(c[0]) == str(track)]
        if not matches:
            names = ", ".join(f"{i}:{n or '(unnamed)'}" for i, n, _ in candidates)
            raise NotationError(
                f"MIDI file {path} has no track {track!r}; tracks with notes: {names}")
        chosen = matches[0]
    ppq = mid.ticks_per_beat
    rows = sorted(chosen[2])
    first = rows[0][0]
    return Motif.from_notes(
        [((t - first) / ppq, d / ppq, p, v) for t, d, p, v in rows], key=key, meter=meter
    )


def read_musicxml_motif(path: Path, key: Key, default_meter: tuple[int, int] = (4, 4)) -> Motif:
    """The first part of a MusicXML file as a motif (chords give their top note)."""
    from music21 import converter
    from music21 import meter as m21meter

    try:
        parsed = converter.parse(str(path))
    except Exception as e:  # music21 raises many unrelated types on bad files
        raise NotationError(f"cannot read MusicXML file {path}: {e}") from e
    part = parsed.parts[0] if getattr(parsed, "parts", None) else parsed
    flat = part.flatten()
    sigs = list(flat.getElementsByClass(m21meter.TimeSignature))
    meter = (sigs[0].numerator, sigs[0].denominator) if sigs else default_meter
    rows = []
    for n in flat.notes:
        pitch = max(p.midi for p in n.pitches)
        if n.duration.quarterLength > 0:
            rows.append((float(n.offset), float(n.duration.quarterLength), pitch,
                         int(n.volume.velocity or 80)))
    if not rows:
        raise NotationError(f"MusicXML file {path} has no notes")
    first = min(r[0] for r in rows)
    return Motif.from_notes([(o - first, d, p, v) for o, d, p, v in rows], key=key, meter=meter)


def read_motif(spec: Any, key: Key, meter: tuple[int, int], base_dir: Path) -> Motif:
    """A project-file `motif:` value in any of the four forms."""
    if isinstance(spec, str):
        return parse_tiny(spec, key, meter)
    if not isinstance(spec, Mapping):
        raise NotationError(
            "expected a tinyNotation string, {degrees, rhythm}, or {file: NAME.mid|.musicxml}"
        )
    if "file" in spec:
        extra = set(spec) - {"file", "track"}
        if extra:
            raise NotationError(
                f"unknown field(s) {sorted(extra)}; expected file and optional track")
        path = base_dir / str(spec["file"])
        if not path.is_file():
            raise NotationError(f"motif file {path} does not exist")
        if path.suffix.lower() in (".mid", ".midi"):
            return read_midi_motif(path, key, spec.get("track"), meter)
        if path.suffix.lower() in (".xml", ".musicxml", ".mxl"):
            return read_musicxml_motif(path, key, meter)
        raise NotationError(f"motif file {path}: expected .mid, .midi, .musicxml, .xml or .mxl")
    if set(spec) == {"degrees", "rhythm"}:
        return parse_degrees(spec["degrees"], spec["rhythm"], key, meter)
    raise NotationError(
        f"unknown motif fields {sorted(spec)}; expected {{degrees, rhythm}} or {{file[, track]}}"
    )
