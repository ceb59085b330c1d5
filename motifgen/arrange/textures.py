"""Accompaniment textures: figurations of the voiced chords (`voicing.Voicing`).

Every texture reads the same voice-led upper voices, so an arpeggio or an
ostinato inherits the voice leading of the chords it breaks. `TEXTURES`
holds one entry per texture of `recipes.TEXTURES` (what it does, for the mood
table) with the function that draws it. Each function takes the voicings, which upper voices
to play (0 = lowest), the meter's beat groups and the sounding fraction of
the articulation, and returns (onset, duration, pitch, velocity) rows.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import cycle

from msgspec import Struct

from ..recipes import TEXTURES as RECIPES
from ..theory import BeatGroups
from .line import EPS, Row, grid
from .voicing import Voicing

#: Velocity added on the meter's strong beats.
STRONG_ACCENT = 6


#: A texture's drawing: (voicings, upper voices, beat groups, sounding fraction,
#: velocity) -> rows.
Draw = Callable[[Sequence[Voicing], Sequence[int], BeatGroups, float, int], list[Row]]


class Texture(Struct, frozen=True):
    """A texture of `recipes.TEXTURES` (its description, whether it is a moving figure)
    with the function that draws it."""

    description: str
    draw: Draw
    figure: bool = False


def _accented(groups: BeatGroups, beats: Sequence[float], velocity: int) -> list[int]:
    """`velocity` at each of `beats`, `STRONG_ACCENT` more on the meter's strong beats."""
    return [velocity + STRONG_ACCENT if strong else velocity
            for strong in groups.are_strong(beats)]


def sustained(voicings: Sequence[Voicing], voices: Sequence[int], groups: BeatGroups,
              factor: float, velocity: int) -> list[Row]:
    """Each voice held through its chord; a voice keeping its pitch is tied over."""
    rows: list[Row] = []
    held: dict[int, int] = {}  # voice -> index of its row still sounding
    for v in voicings:
        for k in voices:
            p = v.upper[k]
            i = held.get(k)
            if i is not None and rows[i][2] == p and factor >= 1.0:
                on, _, _, vel = rows[i]
                rows[i] = (on, v.end - on, p, vel)
                continue
            held[k] = len(rows)
            rows.append((v.beat, v.duration * factor, p, velocity))
    return rows


def struck(voicings: Sequence[Voicing], voices: Sequence[int], groups: BeatGroups,
           factor: float, velocity: int) -> list[Row]:
    """Each chord struck once and held (a tremolo patch trembles by itself)."""
    return [(v.beat, v.duration * factor, v.upper[k], velocity)
            for v in voicings for k in voices]


def chorale(voicings: Sequence[Voicing], voices: Sequence[int], groups: BeatGroups,
            factor: float, velocity: int) -> list[Row]:
    """Block chords re-struck on every strong beat."""
    rows: list[Row] = []
    for v in voicings:
        end = v.end
        cuts = [v.beat] + [b for b in groups.strong_beats(v.beat, end) if b > v.beat + EPS]
        pitches = [v.upper[k] for k in voices]
        rows += [(a, (b - a) * factor, p, vel)
                 for a, b, vel in zip(cuts, cuts[1:] + [end], _accented(groups, cuts, velocity))
                 for p in pitches]
    return rows


def pulse(voicings: Sequence[Voicing], voices: Sequence[int], groups: BeatGroups,
          factor: float, velocity: int) -> list[Row]:
    """Repeated eighth-note chords."""
    rows: list[Row] = []
    held = min(factor, 0.85)
    for v in voicings:
        end = v.end
        pitches = [v.upper[k] for k in voices]
        beats = grid(v.beat, end, 0.5)
        rows += [(t, min(0.5, end - t) * held, p, vel)
                 for t, vel in zip(beats, _accented(groups, beats, velocity)) for p in pitches]
    return rows


def _figure(order: Sequence[int], step: Callable[[BeatGroups], float], cap: float = 1.0):
    """A texture cycling through the voices in `order` every `step` beats."""
    def draw(voicings: Sequence[Voicing], voices: Sequence[int], groups: BeatGroups,
             factor: float, velocity: int) -> list[Row]:
        rows: list[Row] = []
        s = step(groups)
        held = min(factor, cap)
        for v in voicings:
            end = v.end
            pitches = [v.upper[k] for k in voices]
            beats = grid(v.beat, end, s)
            voiced = cycle([pitches[o % len(pitches)] for o in order])
            rows += [(t, min(s, end - t) * held, p, vel)
                     for t, p, vel in zip(beats, voiced, _accented(groups, beats, velocity))]
        return rows
    return draw


def pizzicato(voicings: Sequence[Voicing], voices: Sequence[int], groups: BeatGroups,
              factor: float, velocity: int) -> list[Row]:
    """Plucked oom-pah: the lowest voice on each chord's first beat, the others as short
    chords on its other beats (a one-beat chord is plucked whole). A part given only
    voice 0 plays the first beats, a part given other voices only the chords."""
    rows: list[Row] = []
    low = 0 in voices
    rest = [k for k in voices if k != 0]
    for v in voicings:
        beats = grid(v.beat, v.end, groups.beat)
        for n, t in enumerate(beats):
            d = min(groups.beat, v.end - t) * 0.4
            if n == 0 and low:
                rows.append((t, d, v.upper[0], _accented(groups, (t,), velocity)[0]))
            if n > 0 or len(beats) == 1:
                rows.extend((t, d, v.upper[k], velocity) for k in rest)
    return rows


def harp(voicings: Sequence[Voicing], voices: Sequence[int], groups: BeatGroups,
         factor: float, velocity: int) -> list[Row]:
    """The harp's broken chord in eighth notes: the bass an octave up (a rest where that
    would reach the upper voices), then up through the upper voices and back."""
    rows: list[Row] = []
    for v in voicings:
        end = v.end
        low = v.bass + 12 if v.bass + 12 < v.upper[0] else None
        upper = [v.upper[k] for k in voices]
        beats = grid(v.beat, end, 0.5)
        figure = cycle([low, *upper, *upper[-2:0:-1]])
        rows += [(t, min(0.5, end - t) * factor, p, vel)
                 for t, p, vel in zip(beats, figure, _accented(groups, beats, velocity))
                 if p is not None]
    return rows


def _triplet_or_compound(groups: BeatGroups) -> float:
    return groups.unit if groups.beat > groups.unit + EPS else 1.0 / 3.0


#: How each texture of `recipes.TEXTURES` is drawn.
_DRAW: dict[str, Draw] = {
    "sustained": sustained,
    "tremolo": struck,
    "chorale": chorale,
    "pulse": pulse,
    "arpeggio": _figure((0, 1, 2, 1), _triplet_or_compound),
    "ostinato": _figure((0, 2, 1, 2, 0, 2, 1, 2), lambda g: 0.25, 0.9),
    "pizzicato": pizzicato,
    "harp": harp,
    "rests": lambda *_: [],
}
#: The textures a mood (or an instrument's idiom) can ask for, each with its drawing.
TEXTURES: dict[str, Texture] = {name: Texture(t.description, _DRAW[name], t.figure)
                                for name, t in RECIPES.items()}
