"""New motifs for characters and themes defined by an archetype and traits.

A character or theme without a written ``motif:`` gets one from its ``archetype:``
and ``traits:``, the same one for the same project seed. This module holds the
constraints (`constraints_for`): The archetype's row of `ARCHETYPES` gives a
mode, characteristic figures (`Figure`: signed semitone intervals the motif must
contain, e.g. the hero's rising fourth or fifth at its head), a contour (`CONTOURS`),
a rhythmic profile (`RHYTHMS`), a length range within 3-12 notes, an ambitus limit
and a register (octaves from the tonic near middle C). Traits (`TRAITS`) combine
with it by one rule:

* mode, contour and rhythm are the archetype's; a trait's only fills a field the
  archetype leaves open (any contour, free rhythm, or no archetype at all), and the
  first trait in the list that sets the field wins;
* figures are the archetype's followed by each trait's, without repeats, and at most
  two are required (the first two); only the first figure asked at the head keeps
  that place, a later one may occur anywhere;
* length is the intersection of the ranges (a trait whose range does not overlap is
  ignored), widened to fit the figures; ambitus is the smallest limit, widened if a
  figure needs more; register is the sum of the octave shifts, kept within ±1.

The key: a character with its own ``key:`` keeps it; otherwise the project's tonic
takes the archetype's mode (`key_for`). Figures the key's scale cannot form (a
semitone in a pentatonic scale) are dropped (`Constraints.fitted`).

Candidates are drawn by `sampler` and ranked by `memorability`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from msgspec import Struct
from msgspec.structs import replace

from ..errors import MotifgenError, did_you_mean
from ..motif import Motif
from ..theory import EPS, Key, beat_groups


class Figure(Struct, frozen=True):
    """Intervals a motif must contain: any one of `options`, each a run of signed
    semitone steps (``(9, -2)``: a rising major sixth falling back a tone); with
    `head`, the motif must open with it."""

    options: tuple[tuple[int, ...], ...]
    head: bool = False

    def describe(self) -> str:
        """'+5/+7', '+9 -2/+8 -1'."""
        return "/".join(" ".join(f"{i:+d}" for i in run) for run in self.options)

    def found_in(self, intervals: Sequence[int]) -> bool:
        """True when `intervals` (semitones between notes) contain one of the options."""
        found = tuple(intervals)
        if self.head:
            return any(found[:len(run)] == run for run in self.options)
        return any(found[i:i + len(run)] == run for run in self.options
                   for i in range(len(found) - len(run) + 1))

    def span(self) -> int:
        """Smallest ambitus one of the options needs."""
        return min(int(np.ptp(np.cumsum((0, *run)))) for run in self.options)

    def moves(self) -> int:
        """Fewest intervals one of the options takes."""
        return min(len(run) for run in self.options)

    def in_key(self, key: Key) -> Figure | None:
        """The options `key`'s scale can form (None if none)."""
        kept = tuple(run for run in self.options
                     if any(steps_for(run, start, key) for start in range(len(key.scale))))
        return replace(self, options=kept) if kept else None


def steps_for(run: Sequence[int], start: int, key: Key) -> tuple[int, ...] | None:
    """Scale steps that play the semitone intervals `run` from step `start` in `key`."""
    size = len(key.scale)
    steps, here = [], start
    for interval in run:
        target = key.step_to_pitch(here) + interval
        step, alteration = key.pitch_to_step(target)
        if alteration or abs(step - here) > 2 * size:
            return None
        steps.append(step)
        here = step
    return tuple(steps)


def _has_pair(first: float, second: float) -> Callable[[list[float], list[float]], bool]:
    """Rhythm test: a note of length `first` followed by one of length `second`."""
    return lambda d, _o: any(abs(a - first) < EPS and abs(b - second) < EPS
                             for a, b in zip(d, d[1:]))


class Rhythm(Struct, frozen=True):
    """A rhythmic profile. `lengths`: the note lengths allowed, in written beats of the
    meter; the held last note apart); `needs(lengths, onsets)`: what must occur. For
    sampling: the corpus melody's pulse lasts `pulse` beats, `favour`ed lengths are
    weighted x2, and the `cell` is written in once, starting on a beat."""

    lengths: tuple[float, ...]
    needs: Callable[[list[float], list[float]], bool]
    summary: str
    favour: tuple[float, ...] = ()
    cell: tuple[float, ...] = ()
    pulse: float = 1.0


RHYTHMS: dict[str, Rhythm] = {
    "free": Rhythm((0.5, 1, 1.5, 2, 3), lambda d, o: True, "any mix of lengths"),
    "march": Rhythm((0.5, 1, 1.5, 2), _has_pair(1.5, 0.5),
                    "dotted march: a dotted beat and its short note", (), (1.5, 0.5)),
    "stately": Rhythm((1, 2, 3), lambda d, o: max(d) >= 2,
                      "broad: whole beats and at least one long note", (2,)),
    "lyrical": Rhythm((0.5, 1, 1.5, 2, 3), lambda d, o: max(d) >= 1.5,
                      "singing: a long note inside the phrase", (1.5, 2)),
    "running": Rhythm((0.5, 1), lambda d, o: sum(x == 0.5 for x in d) * 2 >= len(d),
                      "mostly short notes (half beats)", pulse=0.5),
    "motor": Rhythm((0.5,), lambda d, o: True, "equal short notes, then a held one",
                    pulse=0.5),
    "lilting": Rhythm((0.5, 1, 1.5), _has_pair(1, 0.5), "a long-short lilt", (), (1, 0.5)),
    "syncopated": Rhythm((0.5, 1, 1.5), lambda d, o: any(
        x >= 1 and abs(t % 1 - 0.5) < EPS for x, t in zip(d, o)),
        "a long note starting off the beat", (), (0.5, 1.5)),
    "steady": Rhythm((1, 2), lambda d, o: sum(x == 1 for x in d) * 2 >= len(d), "even beats"),
}


def _direction_changes(pitch: Sequence[int]) -> int:
    moves = [b - a for a, b in zip(pitch, pitch[1:]) if b != a]
    return sum((a > 0) != (b > 0) for a, b in zip(moves, moves[1:]))


def _arch(pitch: Sequence[int]) -> bool:
    top = max(pitch)
    return pitch[0] < top and pitch[-1] < top


class Contour(Struct, frozen=True):
    """A contour shape: `holds(pitches)`, and `lean(position 0..1)` (+1 up, -1 down)
    for sampling."""

    holds: Callable[[Sequence[int]], bool]
    lean: Callable[[float], int]
    summary: str


CONTOURS: dict[str, Contour] = {
    "any": Contour(lambda p: True, lambda x: 0, "any shape"),
    "rising": Contour(lambda p: p[-1] > p[0], lambda x: 1, "ends higher than it starts"),
    "falling": Contour(lambda p: p[-1] < p[0], lambda x: -1, "ends lower than it starts"),
    "arch": Contour(_arch, lambda x: 1 if x < 0.5 else -1,
                    "rises to a high point inside and falls back"),
    "wave": Contour(lambda p: _direction_changes(p) >= 2, lambda x: 0,
                    "zigzags: changes direction at least twice"),
}


# --------------------------------------------------------------------------
# Constraints


class Constraints(Struct, frozen=True):
    """What a generated motif must satisfy (see the module docstring).

    `mode`: None means the key's own mode; `length`: (fewest, most) notes;
    `ambitus`: semitones from lowest to highest note; `register`: octaves from the
    tonic near middle C (notes lie within an octave below and a twelfth above it).
    """

    mode: str | None = None
    figures: tuple[Figure, ...] = ()
    contour: str = "any"
    rhythm: str = "free"
    length: tuple[int, int] = (4, 8)
    ambitus: int = 12
    register: int = 0

    def describe(self) -> str:
        """One line, e.g. 'phrygian, must contain +1/-1 and +6/-6 semitones, falling
        contour, stately rhythm, 4-7 notes, ambitus <= 10' (ASCII: it goes into MIDI
        markers)."""
        parts = [(self.mode or "the key's mode").replace("_", " ")]
        heads = [f.describe() for f in self.figures if f.head]
        inside = [f.describe() for f in self.figures if not f.head]
        if heads:
            parts.append(f"opens with {heads[0]}")
        if inside:
            parts.append(f"must contain {' and '.join(inside)} semitones")
        if self.contour != "any":
            parts.append(f"{self.contour} contour")
        parts.append(f"{self.rhythm} rhythm")
        parts.append(f"{self.length[0]}-{self.length[1]} notes, ambitus <= {self.ambitus}")
        if self.register:
            parts.append(f"register {self.register:+d} octave")
        return ", ".join(parts)

    def fitted(self, key: Key) -> Constraints:
        """These constraints for a motif in `key`: its mode, the figures it can form."""
        figures = tuple(f for f in (f.in_key(key) for f in self.figures) if f is not None)
        return replace(self, mode=key.mode, figures=figures)

    def window(self, key: Key) -> tuple[int, int]:
        """Lowest and highest MIDI pitch the register allows in `key`."""
        base = key.tonic_pitch + 12 * self.register
        return base - 12, base + 19

    def check(self, motif: Motif) -> list[str]:
        """The constraints `motif` violates (empty when it satisfies them all)."""
        pitch = motif.pitch.tolist()
        intervals = np.diff(motif.pitch).tolist()
        key = Key(motif.key.tonic, self.mode or motif.key.mode)
        unit = beat_groups(motif.meter).unit
        lengths = [round(d / unit, 6) for d in motif.duration.tolist()[:-1]]
        onsets = [round(o / unit, 6) for o in motif.onset.tolist()[:-1]]
        rhythm = RHYTHMS[self.rhythm]
        low, high = self.window(motif.key)
        problems = []
        if not self.length[0] <= len(pitch) <= self.length[1]:
            problems.append(f"{len(pitch)} notes; expected {self.length[0]}-{self.length[1]}")
        outside = [p for p in pitch if not key.contains(p)]
        if outside:
            problems.append(f"notes outside {key.name}: {outside}")
        problems += [f"{'does not open with' if f.head else 'no'} {f.describe()}"
                     for f in self.figures if not f.found_in(intervals)]
        if pitch and not CONTOURS[self.contour].holds(pitch):
            problems.append(f"contour is not {self.contour}")
        if any(min(abs(x - a) for a in rhythm.lengths) > EPS for x in lengths) or (
                lengths and not rhythm.needs(lengths, onsets)):
            problems.append(f"rhythm is not {self.rhythm} ({rhythm.summary})")
        if pitch and max(pitch) - min(pitch) > self.ambitus:
            problems.append(f"ambitus {max(pitch) - min(pitch)} > {self.ambitus}")
        if pitch and (min(pitch) < low or max(pitch) > high):
            problems.append(f"notes outside the register {low}-{high}")
        return problems


class Archetype(Struct, frozen=True):
    """A kind of character and the constraints its motifs follow."""

    constraints: Constraints
    summary: str


class Trait(Struct, frozen=True):
    """A word that adds to an archetype (see the module docstring for the rule)."""

    summary: str
    mode: str | None = None
    figure: Figure | None = None
    contour: str | None = None
    rhythm: str | None = None
    length: tuple[int, int] | None = None
    ambitus: int | None = None
    register: int = 0


def _fig(*options: int | tuple[int, ...], head: bool = False) -> Figure:
    return Figure(tuple(o if isinstance(o, tuple) else (o,) for o in options), head)


#: Figures that more than one archetype or trait asks for.
YEARNING = _fig((9, -2), (9, -1), (8, -1), (8, -2))
SEMITONE = _fig(1, -1)
TRITONE = _fig(6, -6)
CALL = _fig(5, 7, head=True)  # opens with a rising fourth or fifth
FANFARE = _fig((4, 3), (3, 5), (5, 4))  # the major triad, in any inversion
SEVENTH = _fig(10, -10, 11, -11)
MAJOR_THIRD = _fig(4)
SIGH = _fig(-1)
REPEAT = _fig(0)

ARCHETYPES: dict[str, Archetype] = {
    "hero": Archetype(Constraints("ionian", (CALL,), "rising", "march",
                                  (4, 7), 12),
                      "opens with a rising fourth or fifth, dotted march rhythm, major"),
    "villain": Archetype(Constraints("phrygian", (SEMITONE, TRITONE), "falling", "stately",
                                     (4, 7), 10, -1),
                         "the phrygian semitone and the tritone, falling, heavy, low"),
    "lover": Archetype(Constraints("ionian", (YEARNING,), "arch", "lyrical", (4, 8), 12),
                       "a rising sixth falling back by step, arching, lyrical"),
    "mentor": Archetype(Constraints("dorian", (_fig(-5, 5),), "falling", "stately",
                                    (4, 7), 9),
                        "a perfect fourth, settling downwards in broad notes, dorian"),
    "child": Archetype(Constraints("major_pentatonic", (_fig(-3),), "any", "running",
                                   (4, 8), 7, 1),
                       "the playground call (sol-mi, a falling minor third), pentatonic, high"),
    "trickster": Archetype(Constraints("lydian", (TRITONE,), "wave", "running", (5, 10), 12,
                                       1),
                           "tritone leaps (the lydian fourth) in a zigzag of short notes"),
    "outsider": Archetype(Constraints("aeolian", (SEVENTH,), "any", "free",
                                      (3, 6), 14),
                          "a lonely leap of a seventh, irregular rhythm, minor"),
    "fate": Archetype(Constraints("aeolian", (_fig((0, 0, -3), (0, 0, -4), head=True),),
                                  "falling", "motor", (4, 8), 9),
                      "three knocks on one note and a falling third, in equal short notes"),
    "innocent": Archetype(Constraints("ionian", (MAJOR_THIRD,), "arch", "steady", (4, 7), 7, 1),
                          "a rising major third, steps within a fifth, even beats, high"),
    "sea": Archetype(Constraints("dorian", (_fig(7, 12),), "wave", "lilting", (5, 9), 14),
                     "the swell of a rising fifth or octave, rolling waves, lilting, dorian"),
    "ruler": Archetype(Constraints("ionian", (FANFARE,), "rising",
                                   "stately", (4, 8), 12),
                       "a fanfare on the major triad, rising in broad notes"),
    "rebel": Archetype(Constraints("dorian", (_fig((5, 5)),), "rising", "syncopated",
                                   (4, 8), 12),
                       "stacked rising fourths, syncopated, dorian"),
    "seeker": Archetype(Constraints("mixolydian", (_fig((2, 2, 2), head=True),), "rising",
                                    "lyrical",
                                    (5, 9), 12),
                        "climbs a whole-tone tetrachord, the open flat seventh of mixolydian"),
    "machine": Archetype(Constraints("octatonic", (REPEAT, _fig(3, -3)), "any", "motor",
                                     (6, 12), 9),
                         "repeated notes and minor thirds of the octatonic scale, "
                         "equal short notes"),
    "mourner": Archetype(Constraints("aeolian", (SIGH,), "falling", "lyrical", (3, 7), 8),
                         "the falling semitone sigh of a lament, minor"),
}

ARCHETYPE_ALIASES: dict[str, str] = {
    "king": "ruler", "queen": "ruler", "explorer": "seeker", "wanderer": "seeker",
    "lost": "mourner", "robot": "machine", "ocean": "sea",
}

TRAITS: dict[str, Trait] = {
    "noble": Trait("a rising fifth in broad notes", "ionian", _fig(7), rhythm="stately"),
    "heroic": Trait("opens with a rising fourth or fifth, march rhythm", "ionian",
                    CALL, "rising", "march"),
    "brave": Trait("a rising fourth, the call to action", "ionian", _fig(5), "rising"),
    "sinister": Trait("the tritone, falling, lower", "phrygian", TRITONE, "falling",
                      register=-1),
    "dark": Trait("a semitone, lower", "aeolian", SEMITONE, register=-1),
    "fragile": Trait("few notes in a narrow range, high", length=(3, 6), ambitus=7,
                     register=1),
    "playful": Trait("a bouncing sixth in short notes", figure=_fig(8, -8, 9, -9),
                     contour="wave", rhythm="running"),
    "stubborn": Trait("repeats a note, narrow", figure=_fig((0, 0)), ambitus=7),
    "yearning": Trait("a rising sixth falling back by step", figure=YEARNING,
                      contour="arch", rhythm="lyrical"),
    "mysterious": Trait("the tritone; whole-tone when nothing else sets the mode",
                        "whole_tone", TRITONE, rhythm="lyrical"),
    "melancholy": Trait("a minor sixth, falling, minor", "aeolian", _fig(8, -8), "falling",
                        "lyrical"),
    "sad": Trait("the falling semitone sigh, minor", "aeolian", SIGH, "falling"),
    "restless": Trait("many short notes, zigzagging", contour="wave", rhythm="running",
                      length=(6, 12)),
    "gentle": Trait("steps in a narrow range, singing", contour="arch", rhythm="lyrical",
                    ambitus=7),
    "innocent": Trait("a rising major third, narrow, high", "ionian", MAJOR_THIRD, ambitus=7,
                      register=1),
    "mechanical": Trait("repeated notes in equal short notes", figure=REPEAT,
                        rhythm="motor"),
    "lonely": Trait("a leap of a seventh", figure=SEVENTH),
    "majestic": Trait("a fanfare on the major triad, broad", "ionian",
                      FANFARE, "rising", "stately"),
}


def _word(text: object) -> str:
    return " ".join(str(text).lower().split())


def archetype_name(word: str) -> str:
    """The table name of an archetype word: case-insensitive, 'the sea' is 'sea',
    'king' is 'ruler'.

    >>> archetype_name("The Sea"), archetype_name("king")
    ('sea', 'ruler')
    """
    name = _word(word).removeprefix("the ")
    name = ARCHETYPE_ALIASES.get(name, name)
    if name not in ARCHETYPES:
        raise MotifgenError(f"unknown archetype {word!r}"
                            + did_you_mean(name, [*ARCHETYPES, *ARCHETYPE_ALIASES])
                            + f"; expected one of: {', '.join(ARCHETYPES)}")
    return name


def trait_name(word: str) -> str:
    """The table name of a trait word (case-insensitive)."""
    name = _word(word)
    if name not in TRAITS:
        raise MotifgenError(f"unknown trait {word!r}" + did_you_mean(name, TRAITS)
                            + f"; expected any of: {', '.join(TRAITS)}")
    return name


def constraints_for(archetype: str | None, traits: Sequence[str] = ()) -> Constraints:
    """The archetype's constraints combined with the traits' (module docstring rule)."""
    base = ARCHETYPES[archetype_name(archetype)].constraints if archetype else Constraints()
    words = [TRAITS[trait_name(t)] for t in traits]
    open_contour, open_rhythm = base.contour == "any", base.rhythm == "free"
    mode = base.mode or next((t.mode for t in words if t.mode), None)
    contour = next((t.contour for t in words if t.contour and open_contour), base.contour)
    rhythm = next((t.rhythm for t in words if t.rhythm and open_rhythm), base.rhythm)
    figures: list[Figure] = []
    for figure in (*base.figures, *(t.figure for t in words if t.figure)):
        if any(figure.options == f.options for f in figures) or len(figures) == 2:
            continue
        figures.append(replace(figure, head=figure.head and not any(f.head for f in figures)))
    low, high = base.length
    for t in words:
        if t.length and max(low, t.length[0]) <= min(high, t.length[1]):
            low, high = max(low, t.length[0]), min(high, t.length[1])
    low = min(12, max(low, 1 + sum(f.moves() for f in figures)))
    ambitus = min([base.ambitus, *(t.ambitus for t in words if t.ambitus)])
    register = int(np.clip(base.register + sum(t.register for t in words), -1, 1))
    return Constraints(mode, tuple(figures), contour, rhythm, (low, max(low, high)),
                       max([ambitus, *(f.span() for f in figures)]), register)


def key_for(home: Key, archetype: str | None, traits: Sequence[str] = ()) -> Key:
    """The key a generated motif is written in when its owner gives none: the home
    key's tonic in the archetype's (or traits') mode.

    >>> key_for(Key.parse("D minor"), "villain").name
    'D phrygian'
    """
    return Key(home.tonic, constraints_for(archetype, traits).mode or home.mode)
