"""Motif input in four forms: tinyNotation text, scale degrees + rhythm, MIDI, MusicXML.

tinyNotation (music21's compact notation, e.g. ``"4/4 d4 f8 e d4 a4 g2"``) is read
by a small parser here so composing a film never waits for music21 to import;
the tests check it against music21's own parser. MusicXML is read by
`motifgen.xmlmotif` (standard library, hardened), never by music21's converter.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from fractions import Fraction
from pathlib import Path
from typing import Any

from .errors import NotationError
from .motif import Motif
from .theory import Key, bar_beats, parse_meter

_RHYTHM = {"w": 4.0, "h": 2.0, "q": 1.0, "e": 0.5, "s": 0.25, "t": 0.125}
_LETTER_PC = {"c": 0, "d": 2, "e": 4, "f": 5, "g": 7, "a": 9, "b": 11}
_TINY_NOTE = re.compile(
    r"^(?P<name>r|[a-gA-G]+)(?P<octave>'*)(?P<acc>#{1,2}|-{1,2}|n)?"
    r"(?P<dur>\d+)?(?P<dots>\.*)(?P<tie>~)?(?:_\S*)?$"
)
_TUPLET = re.compile(r"(trip|quad)\{([^}]*)\}")
_DEGREE = re.compile(r"^(?P<acc>[b#]*)(?P<deg>-?\d+)$")

#: A motif is a few bars: more is a mistake (or a whole score) and would only slow composing.
MAX_NOTES = 256
MAX_BEATS = 256


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
    return _midi_pitch(12 * (octave + 1) + _LETTER_PC[letter] + alter, f"note {name}{ticks}")


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
        if base not in _RHYTHM:
            raise NotationError(
                f"bad rhythm value {token!r}: expected w h q e s (with . for dotted) "
                "or a length in beats"
            ) from None
        dots = len(token) - len(base)
        return _RHYTHM[base] * (2 - 0.5 ** dots)
    if not 0 < value <= MAX_BEATS:
        raise NotationError(f"bad rhythm value {token!r}: expected a length in beats above 0 "
                            f"and at most {MAX_BEATS}")
    return value


def read_midi_motif(path: Path, key: Key, track: str | int | None = None,
                    default_meter: tuple[int, int] = (4, 4),
                    bars: tuple[int, int] | None = None) -> Motif:
    """The notes of one track of a MIDI file: the named/numbered track (`pick_track`),
    else the first with notes; with `bars` (first, last, from 1) only that passage.

    Beat 0 is the bar line at the start of the bar holding the first note (of the
    passage's first bar with `bars`), so a pickup keeps its place before the
    downbeat; the file's first time signature (the passage's) is the motif's meter.
    """
    from .smf import read_midi_notes

    data = read_motif_bytes(path, MAX_MIDI_BYTES)
    if len(data) >= 14 and data[:4] == b"MThd" and data[12] & 0x80:
        raise NotationError(f"cannot read MIDI file {path}: it counts time in SMPTE frames, "
                            "not beats; export it with ticks per beat (PPQ)")
    try:
        mid = read_midi_notes(data)
    except NotationError as e:
        raise NotationError(f"cannot read MIDI file {path}: {e.message}") from e
    if mid.ticks_per_beat < 1:
        raise NotationError(f"cannot read MIDI file {path}: its header gives "
                            f"{mid.ticks_per_beat} ticks per beat; expected 1 or more")
    meter = _file_meter(*mid.meter, path) if mid.meter else None
    candidates = [(index, trk.name, list(trk.notes)) for index, trk in enumerate(mid.tracks)
                  if trk.notes]
    if not candidates:
        raise NotationError(f"MIDI file {path} has no notes")
    chosen = candidates[0] if track is None else pick_track(candidates, str(track), path)
    ppq = mid.ticks_per_beat
    rows = sorted(chosen[2])
    if bars is not None:
        lines = _bar_ticks(mid, ppq, default_meter, path)
        first, meter, rows = _passage(rows, lines, bars, ppq, path)
        return Motif.from_notes(
            [((t - first) / ppq, d / ppq, p, v) for t, d, p, v in rows], key=key, meter=meter)
    meter = meter or default_meter
    bar = ppq * bar_beats(meter)
    # the bar the first note falls in (a note a 32nd early still counts as on the bar line)
    first = (rows[0][0] + ppq / 8) // bar * bar
    return Motif.from_notes(
        [((t - first) / ppq, d / ppq, p, v) for t, d, p, v in rows], key=key, meter=meter)


def _words(name: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", name.lower())


def pick_track(candidates: list, track: str, path: Path):
    """The (index, name, notes) of `candidates` that `track` names: its number, its whole
    name, the start of its name, or the starts of words of it ("horn" finds
    "Horn in F", "vc" finds "Vc", "ii" finds "Vln II"), case-insensitive; the closest
    kind of match wins, and two tracks matching alike is an error naming both."""
    wanted = track.strip().lower()
    words = _words(wanted)

    def rank(name: str) -> int | None:
        name = name.strip().lower()
        if name == wanted:
            return 0
        if wanted and name.startswith(wanted):
            return 1
        have = _words(name)
        if words and all(any(h.startswith(w) for h in have) for w in words):
            return 2
        return None

    by_number = [c for c in candidates if str(c[0]) == track.strip()]
    if by_number:
        return by_number[0]
    ranked = [(r, c) for c in candidates if (r := rank(c[1])) is not None]
    best = [c for r, c in ranked if r == min(r for r, _ in ranked)] if ranked else []
    names = ", ".join(f"{i}:{n or '(unnamed)'}" for i, n, _ in (best or candidates))
    if not best:
        raise NotationError(
            f"MIDI file {path} has no track {track!r}; tracks with notes: {names}")
    if len(best) > 1:
        raise NotationError(f"MIDI file {path}: --track {track!r} matches {len(best)} tracks "
                            f"({names}); give more of the name or the track number")
    return best[0]


def _bar_ticks(mid, ppq: int, default_meter: tuple[int, int],
               path: Path) -> list[tuple[int, tuple[int, int]]]:
    """(tick, meter) of every bar line of the file up to its last event, from its time
    signatures (`default_meter` before the first one)."""
    changes = [(tick, _file_meter(*sig, path)) for tick, sig in mid.meters]
    if not changes or changes[0][0] > 0:
        changes.insert(0, (0, default_meter))
    lines = []
    for k, (tick, meter) in enumerate(changes):
        stop = changes[k + 1][0] if k + 1 < len(changes) else mid.end + 1
        step = round(ppq * bar_beats(meter))
        lines += [(t, meter) for t in range(tick, max(stop, tick + 1), step)]
    return lines


def _passage(rows: list, lines: list, bars: tuple[int, int], ppq: int, path: Path):
    """The notes of bars `bars` (from 1, both included): (first tick, meter, rows cut to
    the passage). A note up to a 32nd early counts as on the bar line it anticipates."""
    a, b = bars
    if not 1 <= a <= b or a > len(lines):
        raise NotationError(f"MIDI file {path} has {len(lines)} bars; --bars {a}-{b} is not "
                            "among them")
    start, meter = lines[a - 1]
    stop = lines[b][0] if b < len(lines) else max(t + d for t, d, _, _ in rows)
    early = ppq // 8
    cut = [(max(t, start), min(t + d, stop) - max(t, start), p, v) for t, d, p, v in rows
           if start - early <= t < stop - early and min(t + d, stop) > max(t, start)]
    if not cut:
        raise NotationError(f"MIDI file {path}: the track has no notes in bars {a}-{b}")
    return start, meter, cut


def _file_meter(numerator: int, denominator: int, path: Path) -> tuple[int, int]:
    """A MIDI file's time signature, refused when no bar has it (0/4, 3/0, 4/3 ...)."""
    try:
        return parse_meter((int(numerator), int(denominator)))
    except Exception as e:
        raise NotationError(f"cannot read MIDI file {path}: impossible time signature "
                            f"{numerator}/{denominator}; expected e.g. 3/4 or 6/8") from e


def read_musicxml_motif(path: Path, key: Key, default_meter: tuple[int, int] = (4, 4)) -> Motif:
    """The first part of a MusicXML file (``.musicxml``, ``.xml`` or compressed ``.mxl``)
    as a motif (chords give their top note), read by `motifgen.xmlmotif` with the
    standard library: no music21, so no pickle cache, no entities, nothing fetched.

    As for MIDI, beat 0 is the bar line before the first note, so a pickup (a
    short first measure, or one that starts with rests) stays a pickup.
    """
    from .xmlmotif import read_musicxml

    data = read_motif_bytes(path, MAX_MUSICXML_BYTES)
    try:
        found = read_musicxml(data, compressed=path.suffix.lower() == ".mxl")
    except NotationError as e:
        raise NotationError(f"cannot read MusicXML file {path}: {e.message}") from e
    except RecursionError as e:
        raise NotationError(f"cannot read MusicXML file {path}: nested too deeply") from e
    rows = found.rows
    if not rows:
        raise NotationError(f"MusicXML file {path} has no notes")
    meter = found.meter or default_meter
    bar = bar_beats(meter)
    first = (min(r[0] for r in rows) + 1 / 8) // bar * bar
    return Motif.from_notes([(o - first, d, p, v) for o, d, p, v in rows], key=key, meter=meter)


#: The most bytes a motif file may hold. A motif is a few bars; a whole score's MusicXML
#: or a DAW's full arrangement as MIDI fits, a 3-million-note file does not.
MAX_MIDI_BYTES = 1_000_000
MAX_MUSICXML_BYTES = 16_000_000


def read_motif_bytes(path: Path, limit: int) -> bytes:
    """The bytes of the motif file `path`, refused when it is not a regular file (a FIFO
    or device is not even opened for blocking reads) or larger than `limit` bytes."""
    import os
    import stat

    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as e:
        raise NotationError(f"cannot read motif file {path}: {e.strerror or e}") from e
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise NotationError(f"motif file {path} is not a regular file")
        if info.st_size > limit:
            raise NotationError(f"motif file {path} is larger than "
                                f"{limit // 1_000_000} MB; a motif is a few bars")
        with os.fdopen(fd, "rb", closefd=False) as f:
            data = f.read(limit + 1)
    except OSError as e:
        raise NotationError(f"cannot read motif file {path}: {e.strerror or e}") from e
    finally:
        os.close(fd)
    if len(data) > limit:
        raise NotationError(f"motif file {path} is larger than "
                            f"{limit // 1_000_000} MB; a motif is a few bars")
    return data


def read_motif(spec: Any, key: Key, meter: tuple[int, int], base_dir: Path,
               allow: Sequence[Path] = ()) -> Motif:
    """A project-file `motif:` value in any of the four forms.

    A file is named relative to `base_dir` (the project's folder) and must lie inside
    it or inside one of the folders in `allow`. The motif may have at most
    `MAX_NOTES` notes and last at most `MAX_BEATS` beats.
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
            return _checked(read_midi_motif(path, key, spec.get("track"), meter))
        if path.suffix.lower() in (".xml", ".musicxml", ".mxl"):
            return _checked(read_musicxml_motif(path, key, meter))
        raise NotationError(f"motif file {path}: expected .mid, .midi, .musicxml, .xml or .mxl")
    if set(spec) == {"degrees", "rhythm"}:
        return _checked(parse_degrees(spec["degrees"], spec["rhythm"], key, meter))
    raise NotationError(
        f"unknown motif fields {sorted(map(str, spec))}; expected {{degrees, rhythm}} or "
        "{file[, track]}"
    )


def motif_path(name: object, base_dir: Path, allow: Sequence[Path] = ()) -> Path:
    """The existing file `name` relative to `base_dir`, refused when it resolves (symlinks
    followed) outside `base_dir` and every folder in `allow`."""
    if not isinstance(name, str) or not name.strip() or "\0" in name:
        raise NotationError(f"expected a file name, got {name!r}")
    path = base_dir / name  # never ~ or $VAR expanded: the name is taken literally
    try:
        real = path.resolve()
        folders = [Path(f).resolve() for f in (base_dir, *allow)]
    except (OSError, RuntimeError) as e:  # a symlink loop, a name too long
        why = getattr(e, "strerror", None) or "a symbolic link loop"
        raise NotationError(f"motif file {name}: cannot follow the path: {why}") from e
    if not any(real.is_relative_to(f) for f in folders):
        raise NotationError(
            f"motif file {name} lies outside the project folder {folders[0]}; move it inside, "
            "or allow its folder with --allow-path DIR")
    try:
        found = real.is_file()
    except OSError as e:
        raise NotationError(f"motif file {name}: {e.strerror or e}") from e
    if not found:
        if real.exists():
            raise NotationError(f"motif file {path} is not a regular file")
        raise NotationError(f"motif file {path} does not exist")
    return path


def _checked(motif: Motif) -> Motif:
    """`motif`, refused when it has more than MAX_NOTES notes or lasts over MAX_BEATS beats."""
    if len(motif) > MAX_NOTES:
        raise NotationError(f"the motif has {len(motif)} notes; a motif may have at most "
                            f"{MAX_NOTES} notes")
    length = motif.end
    if not math.isfinite(length) or length > MAX_BEATS:
        raise NotationError(f"the motif lasts {length:g} beats; a motif may last at most "
                            f"{MAX_BEATS} beats")
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
            spellings.append((degree, (pitch - _LETTER_PC[degree.lower()] + 6) % 12 - 6))
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
