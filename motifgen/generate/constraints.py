"""New motifs for characters and themes defined by an archetype and traits.

A character or theme without a written ``motif:`` gets one from its ``archetype:``
and ``traits:``, the same one for the same project seed. Three steps:

**1. Constraints** (`constraints_for`). The archetype's row of `ARCHETYPES` gives a
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

**2. Candidates** (`propose`). Notes are drawn one scale step at a time from the
n-gram of `melody_model` (folk songs and chorales), conditioned on the constraints:

* masks: events whose duration the rhythm profile does not allow, steps that would
  leave the ambitus or register, and last notes that would break the contour;
* weights: steps that follow the contour x1.6, favoured lengths x2, a note from
  which a due figure can start x5, a last note on the tonic x4 (third or fifth x2);
* written in: each figure where the current note allows it, from a random place on
  (at the start for a head figure), and the rhythm profile's cell, from a beat.

The first note's degree follows the corpus's start degrees. The corpus pulse lasts
the meter's written beat (`theory.beat_groups`; half of it for running and motor
rhythms); the last note is held to the next bar line. Draws that break any
constraint (`Constraints.check`) are rejected; the first `POOL` distinct valid
motifs are ranked by memorability, best first. All randomness comes from
`seeds.rng(seed, "generate", name, archetype, *traits)` (the table names, so
"The Sea" and "sea" give the same motif).

**3. Memorability** (`memorability`, 0..1) is the weighted sum of the components in
`MEMORABILITY`, each 0..1 (see each function's docstring): brevity 0.10, a
distinctive head interval 0.15, a clear rhythmic cell 0.15, a tonal centre 0.15, a
singable range 0.10, a clear contour (few crossings of its range) 0.15, conjunct
motion 0.10, and familiarity (likelihood under the n-gram) 0.10. Ten famous
public-domain motifs (Beethoven, Wagner, Grieg, Mozart, Dvořák, the Dies irae) score
above random note strings and above shuffles of their own pitches
(tests/test_memorability.py).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

import numpy as np

from .errors import MotifgenError, did_you_mean
from .melody_model import Melody, MelodyModel, load_model, melody_events
from .motif import Motif
from .seeds import rng as seeded_rng
from .theory import Key, bar_beats, beat_groups, pitches_of

#: Valid motifs drawn before ranking (more when more candidates are asked for).
POOL = 16
#: Draws allowed per wanted candidate before giving up.
_ATTEMPTS = 40
_TOL = 1e-6


# --------------------------------------------------------------------------
# Figures, rhythms and contours


@dataclass(frozen=True)
class Figure:
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
                     if any(_steps_for(run, start, key) for start in range(len(key.scale))))
        return replace(self, options=kept) if kept else None


def _steps_for(run: Sequence[int], start: int, key: Key) -> tuple[int, ...] | None:
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
    return lambda d, _o: any(abs(a - first) < _TOL and abs(b - second) < _TOL
                             for a, b in zip(d, d[1:]))


@dataclass(frozen=True)
class Rhythm:
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
        x >= 1 and abs(t % 1 - 0.5) < _TOL for x, t in zip(d, o)),
        "a long note starting off the beat", (), (0.5, 1.5)),
    "steady": Rhythm((1, 2), lambda d, o: sum(x == 1 for x in d) * 2 >= len(d), "even beats"),
}


def _direction_changes(pitch: Sequence[int]) -> int:
    moves = [b - a for a, b in zip(pitch, pitch[1:]) if b != a]
    return sum((a > 0) != (b > 0) for a, b in zip(moves, moves[1:]))


def _arch(pitch: Sequence[int]) -> bool:
    top = max(pitch)
    return pitch[0] < top and pitch[-1] < top


@dataclass(frozen=True)
class Contour:
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


@dataclass(frozen=True)
class Constraints:
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
        if any(min(abs(x - a) for a in rhythm.lengths) > _TOL for x in lengths) or (
                lengths and not rhythm.needs(lengths, onsets)):
            problems.append(f"rhythm is not {self.rhythm} ({rhythm.summary})")
        if pitch and max(pitch) - min(pitch) > self.ambitus:
            problems.append(f"ambitus {max(pitch) - min(pitch)} > {self.ambitus}")
        if pitch and (min(pitch) < low or max(pitch) > high):
            problems.append(f"notes outside the register {low}-{high}")
        return problems


@dataclass(frozen=True)
class Archetype:
    """A kind of character and the constraints its motifs follow."""

    constraints: Constraints
    summary: str


@dataclass(frozen=True)
class Trait:
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


# --------------------------------------------------------------------------
# Drawing candidates


@dataclass(frozen=True)
class Candidate:
    """A generated motif, its memorability and the constraints it satisfies."""

    motif: Motif
    score: float
    constraints: Constraints


@dataclass(frozen=True, eq=False)
class _Frame:
    """What every draw for one set of constraints shares."""

    constraints: Constraints
    key: Key
    meter: tuple[int, int]
    model: MelodyModel
    allowed: np.ndarray  # weight factor per event after the first: 0 barred, 2 favoured
    first: np.ndarray  # the same for first-note events
    beats: np.ndarray  # written beats of each event's duration
    lowest: int  # scale step of pitch[0]
    pitch: np.ndarray  # sounding pitch (register applied) of scale steps from `lowest`
    starts: dict[Figure, np.ndarray]  # per figure: which steps of the scale can start it
    ending: np.ndarray  # weight factor of a last note on each step of the scale


def _frame(constraints: Constraints, key: Key, meter: tuple[int, int]) -> _Frame:
    model = load_model()
    rhythm = RHYTHMS[constraints.rhythm]
    beats = model.durations * rhythm.pulse
    factor = np.where(np.isin(beats, rhythm.favour), 2.0, 1.0) * np.isin(beats, rhythm.lengths)
    size = len(key.scale)
    steps = np.arange(-4 * size, 5 * size)
    starts = {fig: np.array([any(_steps_for(run, s, key) for run in fig.options)
                             for s in range(size)]) for fig in constraints.figures}
    ending = np.array([4.0 if s == 0 else 2.0 if s in (2, 4) else 1.0 for s in range(size)])
    return _Frame(constraints, key, meter, model, factor * ~model.is_start,
                  factor * model.is_start, beats, int(steps[0]),
                  pitches_of(steps, np.zeros_like(steps), key) + 12 * constraints.register,
                  starts, ending)


def _start_step(g: np.random.Generator, f: _Frame, head: tuple[int, ...] | None) -> int | None:
    """A first scale step: the corpus's start degrees, in the octave the contour
    suggests (high for falling lines, low for the others), able to start `head`."""
    scale, size = f.key.scale, len(f.key.scale)
    counts = f.model.start_degrees()
    falling = CONTOURS[f.constraints.contour].lean(0.0) < 0
    steps, weights = [], []
    for index in range(size):
        degree = round(scale[index] * 7 / 12) % 7  # nearest diatonic degree
        if falling:
            step = index or size
        else:
            step = index - size if index > size // 2 else index
        if head is None or _steps_for(head, step, f.key):
            steps.append(step)
            weights.append(counts.get(degree, 0) + 1)
    pick = _sample(g, np.array(weights, dtype=np.float64))
    return None if pick is None else steps[pick]


def _sample(g: np.random.Generator, weights: np.ndarray) -> int | None:
    """An index drawn in proportion to `weights` (None when all are 0)."""
    cdf = np.cumsum(weights)
    if len(cdf) == 0 or cdf[-1] <= 0:
        return None
    return int(np.searchsorted(cdf, g.random() * cdf[-1], side="right"))


def _draw(g: np.random.Generator, f: _Frame) -> Motif | None:
    """One motif drawn from the model under the constraints (None if it dead-ends)."""
    c, key, model = f.constraints, f.key, f.model
    count = int(g.integers(c.length[0], c.length[1] + 1))
    head = next((fig for fig in c.figures if fig.head), None)
    run = head.options[int(g.integers(len(head.options)))] if head else None
    pending = {fig: int(g.integers(1, max(2, count - fig.moves() + 1)))
               for fig in c.figures if not fig.head}
    start = _start_step(g, f, run)
    if start is None:
        return None
    forced = list(_steps_for(run, start, key) or ()) if run else []
    cell = RHYTHMS[c.rhythm].cell
    cell_at = int(g.integers(0, max(1, count - len(cell)))) if cell else count
    timed: list[float] = []  # lengths of the rhythm cell still to play
    steps, lengths, history = [start], [], []
    for i in range(count):
        if i >= cell_at and sum(lengths) % 1 == 0 and len(cell) < count - i:
            timed, cell_at = list(cell), count
        if i == 0:
            weights = model.weights(history) * f.first
        else:
            if not forced:
                forced = _place(g, pending, steps[-1], i, count, key)
            weights = _condition(model.weights(history) * f.allowed, f, steps, i, count,
                                 forced[0] if forced else None, pending)
        if timed:
            weights = weights * (f.beats == timed.pop(0))
        pick = _sample(g, weights)
        if pick is None:
            return None
        if i:
            steps.append(forced.pop(0) if forced else steps[-1] + int(model.steps[pick]))
        lengths.append(float(f.beats[pick]))
        history.append(model.vocabulary[pick])
    index = np.array(steps) - f.lowest
    if index.min() < 0 or index.max() >= len(f.pitch):
        return None
    return _as_motif(f.pitch[index].tolist(), lengths, key, f.meter)


def _place(g: np.random.Generator, pending: dict[Figure, int], here: int, i: int,
           count: int, key: Key) -> list[int]:
    """The scale steps of a pending figure to write in from note `i`, once its place is
    reached and the note at step `here` can start it (empty if none); it stops pending."""
    for fig, place in pending.items():
        runs = [steps for run in fig.options if place <= i and len(run) <= count - i
                for steps in [_steps_for(run, here, key)] if steps]
        if runs:
            del pending[fig]
            return list(runs[int(g.integers(len(runs)))])
    return []


def _condition(weights: np.ndarray, f: _Frame, steps: list[int], i: int, count: int,
               forced: int | None, pending: dict[Figure, int]) -> np.ndarray:
    """Mask and bias the model's weights for note `i` (see the module docstring)."""
    c, model = f.constraints, f.model
    targets = steps[-1] + model.steps
    if forced is not None:
        return weights * (targets == forced)
    pitches = np.take(f.pitch, targets - f.lowest, mode="clip")
    sounded = np.take(f.pitch, [s - f.lowest for s in steps], mode="clip").tolist()
    low, high = c.window(f.key)
    span = np.maximum(pitches, max(sounded)) - np.minimum(pitches, min(sounded))
    weights = weights * ((span <= c.ambitus) & (pitches >= low) & (pitches <= high))
    lean = CONTOURS[c.contour].lean(i / max(1, count - 1))
    if lean:
        weights = weights * np.where(model.steps * lean > 0, 1.6, 1.0)
    degree = targets % len(f.key.scale)
    for fig, place in pending.items():
        if place <= i:
            weights = weights * np.where(f.starts[fig][degree], 5.0, 1.0)
    if i == count - 1:
        shape = CONTOURS[c.contour].holds
        ends = {p: shape([*sounded, p]) for p in set(pitches.tolist())}
        weights = weights * f.ending[degree] * np.array([ends[p] for p in pitches.tolist()])
    return weights


def _as_motif(pitch: list[int], lengths: list[float], key: Key, meter: tuple[int, int]
              ) -> Motif:
    """Notes end to end, each `lengths` written beats long; the last held to a bar line."""
    unit = beat_groups(meter).unit
    beats = [x * unit for x in lengths]
    onsets = np.concatenate(([0.0], np.cumsum(beats)[:-1]))
    bar = bar_beats(meter)
    end = bar * np.ceil((onsets[-1] + beats[-1]) / bar - _TOL)
    beats[-1] = end - onsets[-1]
    return Motif.from_notes([(float(o), float(d), p) for o, d, p in zip(onsets, beats, pitch)],
                            key=key, meter=meter)


def propose(name: str, key: Key, meter: tuple[int, int], archetype: str | None = None,
            traits: Sequence[str] = (), seed: int = 0, n: int = 5) -> list[Candidate]:
    """`n` distinct motifs for `name` in `key`, best (most memorable) first, each
    satisfying the constraints of the archetype and traits in that key."""
    if n < 1:
        raise MotifgenError(f"expected at least one candidate, got {n}")
    words = (archetype_name(archetype) if archetype else None, tuple(map(trait_name, traits)))
    ranked = _ranked(name, key, tuple(meter), *words, seed, max(n, POOL))
    if len(ranked) < n:
        wanted = constraints_for(*words).fitted(key).describe()
        raise MotifgenError(f"found only {len(ranked)} distinct motifs for {name!r} "
                            f"({wanted}); ask for fewer")
    return list(ranked[:n])


@lru_cache(maxsize=256)
def _ranked(name: str, key: Key, meter: tuple[int, int], archetype: str | None,
            traits: tuple[str, ...], seed: int, wanted: int) -> tuple[Candidate, ...]:
    """Up to `wanted` distinct valid motifs, ranked (cached: a project loads the same
    characters again and again)."""
    constraints = constraints_for(archetype, traits).fitted(key)
    frame = _frame(constraints, key, meter)
    g = seeded_rng(seed, "generate", name, archetype or "", *traits)
    found: dict[Motif, None] = {}
    for _ in range(_ATTEMPTS * wanted):
        motif = _draw(g, frame)
        if motif is not None and not constraints.check(motif):
            found.setdefault(motif.with_notes(name=name))
            if len(found) == wanted:
                break
    scores = {m: memorability(m) for m in found}
    ranked = sorted(found, key=scores.__getitem__, reverse=True)  # stable: draw order on ties
    return tuple(Candidate(m, scores[m], constraints) for m in ranked)


def generate_motif(name: str, key: Key, meter: tuple[int, int], archetype: str | None = None,
                   traits: Sequence[str] = (), seed: int = 0) -> Motif:
    """The most memorable candidate for `name`: the same for the same inputs."""
    return propose(name, key, meter, archetype, traits, seed, n=1)[0].motif


# --------------------------------------------------------------------------
# Memorability


def brevity(motif: Motif) -> float:
    """1 for 3-8 notes, falling linearly to 0 at 16 notes: motifs that stick are short."""
    return float(np.clip((16 - len(motif)) / 8, 0, 1))


#: How distinctive a head interval is, by size in semitones: the perfect fourth, fifth,
#: sixths and octave are the signature openings; steps and repeats say little.
_HEAD = {0: 0.0, 1: 0.4, 2: 0.4, 3: 0.7, 4: 0.7, 5: 1.0, 6: 0.6, 7: 1.0, 8: 0.9, 9: 0.9,
         10: 0.6, 11: 0.5, 12: 0.9}


def head_interval(motif: Motif) -> float:
    """The first change of pitch (repeated notes skipped, as in Beethoven's Fifth):
    1 for a fourth, fifth or octave, 0.9 a sixth, 0.7 a third, 0.4 a step, 0.2 beyond an
    octave; 0 when the pitch never changes."""
    moves = [int(x) for x in np.diff(motif.pitch) if x]
    return _HEAD.get(abs(moves[0]), 0.2) if moves else 0.0


def rhythmic_cell(motif: Motif) -> float:
    """A clear rhythmic cell: half for pairs of successive lengths that recur (the share
    of pairs heard more than once), half for few distinct lengths (1 up to three,
    else 3 / count). The held last note is left out."""
    lengths = np.round(motif.duration[:-1], 3).tolist()
    if len(lengths) < 2:
        return 0.5
    pairs = list(zip(lengths, lengths[1:]))
    recurring = sum(pairs.count(p) > 1 for p in pairs) / len(pairs)
    return 0.5 * recurring + 0.5 * min(1.0, 3 / len(set(lengths)))


def tonal_centre(motif: Motif) -> float:
    """A tonal centre in the motif's key, the mean of: the first note on the tonic triad;
    the last on the tonic (1) or the third or fifth (0.6); the share of notes in the
    scale; the share of time on the tonic triad (full marks from 60 %)."""
    key = motif.key
    rel = (motif.pitch - key.tonic_pitch) % 12
    triad = [key.scale[i] for i in (0, 2, 4) if i < len(key.scale)]
    on_triad = np.isin(rel, triad)
    last = 1.0 if rel[-1] == 0 else 0.6 if on_triad[-1] else 0.0
    in_scale = float(np.mean(np.isin(rel, key.scale)))
    held = float(np.sum(motif.duration * on_triad) / np.sum(motif.duration))
    return (float(on_triad[0]) + last + in_scale + min(1.0, held / 0.6)) / 4


def singable_range(motif: Motif) -> float:
    """1 within a tenth (16 semitones: a trained voice sings it), falling to 0 at two
    octaves; halved when a single leap exceeds an octave."""
    span = int(np.ptp(motif.pitch))
    score = float(np.clip((24 - span) / 8, 0, 1)) if span > 16 else 1.0
    return score / 2 if np.any(np.abs(np.diff(motif.pitch)) > 12) else score


def contour_clarity(motif: Motif) -> float:
    """A clear shape crosses its range few times: the line's total movement divided by
    its ambitus is 1 for a straight rise or fall; the score is 1 up to one crossing,
    falling linearly to 0 at four (a zigzag through the whole range)."""
    span = int(np.ptp(motif.pitch))
    if span == 0:
        return 1.0
    crossings = float(np.abs(np.diff(motif.pitch)).sum()) / span
    return float(np.clip((4 - crossings) / 3, 0, 1))


#: Singability of a melodic interval by size, following the steep fall of interval
#: frequencies in folk song (steps and repeated notes most common).
def _conjunct(size: int) -> float:
    return 1.0 if size <= 2 else 0.8 if size <= 4 else 0.6 if size in (5, 7) else \
        0.35 if size <= 9 else 0.15 if size <= 12 else 0.0


def conjunct_motion(motif: Motif) -> float:
    """Mean singability of the intervals: 1 for steps and repeats, 0.8 thirds, 0.6
    fourths and fifths, 0.35 tritone and sixths, 0.15 sevenths and octave, 0 beyond."""
    sizes = np.abs(np.diff(motif.pitch)).tolist()
    return float(np.mean([_conjunct(s) for s in sizes])) if sizes else 0.0


def familiarity(motif: Motif) -> float:
    """How idiomatic the steps and rhythm are: the mean information per note (after the
    first) under the n-gram of `melody_model`, 1 at 2 bits or less, 0 at 8 bits or more."""
    steps, _ = motif.degrees()
    events = melody_events(Melody(tuple(steps.tolist()), tuple(motif.duration.tolist())))
    bits = load_model().bits(events)[1:]
    return float(np.clip((8 - np.mean(bits)) / 6, 0, 1)) if bits else 0.0


#: The memorability score: component -> (weight, function). Weights sum to 1.
MEMORABILITY: dict[str, tuple[float, Callable[[Motif], float]]] = {
    "brevity": (0.10, brevity),
    "head_interval": (0.15, head_interval),
    "rhythmic_cell": (0.15, rhythmic_cell),
    "tonal_centre": (0.15, tonal_centre),
    "singable_range": (0.10, singable_range),
    "contour_clarity": (0.15, contour_clarity),
    "conjunct_motion": (0.10, conjunct_motion),
    "familiarity": (0.10, familiarity),
}


def memorability_parts(motif: Motif) -> dict[str, float]:
    """Each component of `MEMORABILITY` for `motif`, 0..1."""
    return {name: fn(motif) for name, (_, fn) in MEMORABILITY.items()}


def memorability(motif: Motif) -> float:
    """0..1: the weighted sum of `memorability_parts` (0 for fewer than two notes)."""
    if len(motif) < 2:
        return 0.0
    parts = memorability_parts(motif)
    return round(sum(w * parts[name] for name, (w, _) in MEMORABILITY.items()), 6)


# --------------------------------------------------------------------------
# Tables for the CLI and the README


def archetype_table() -> list[dict[str, Any]]:
    """One row per archetype: its constraints in words and its summary."""
    return [{"archetype": name, "mode": a.constraints.mode,
             "figures": "; ".join(f.describe() for f in a.constraints.figures),
             "contour": a.constraints.contour, "rhythm": a.constraints.rhythm,
             "notes": "{}-{}".format(*a.constraints.length),
             "ambitus": a.constraints.ambitus, "summary": a.summary}
            for name, a in ARCHETYPES.items()]


def trait_table() -> list[dict[str, Any]]:
    """One row per trait: what it adds and its summary."""
    return [{"trait": name, "mode": t.mode or "",
             "figure": t.figure.describe() if t.figure else "",
             "contour": t.contour or "", "rhythm": t.rhythm or "", "summary": t.summary}
            for name, t in TRAITS.items()]
