"""Accompaniment textures: figurations of the voiced chords (`voicing.Voicing`).

Every texture reads the same voice-led upper voices, so an arpeggio or an
ostinato inherits the voice leading of the chords it breaks. `TEXTURES`
holds one entry per texture name: what it does (for the mood table) and the
function that draws it. Each function takes the voicings, which upper voices
to play (0 = lowest), the meter's beat groups and the sounding fraction of
the articulation, and returns (onset, duration, pitch, velocity) rows.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ..theory import BeatGroups
from .line import EPS, Row, grid
from .voicing import Voicing

#: Velocity added on the meter's strong beats.
STRONG_ACCENT = 6


@dataclass(frozen=True)
class Texture:
    """A texture name's description and drawing function."""

    description: str
    draw: Callable[[Sequence[Voicing], Sequence[int], BeatGroups, float, int], list[Row]]
    figure: bool = False  # a moving figure rather than held or re-struck chords


def _vel(groups: BeatGroups, beat: float, velocity: int) -> int:
    return velocity + (STRONG_ACCENT if groups.is_strong(beat) else 0)


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
        cuts = [v.beat] + [b for b in groups.strong_beats(v.beat, v.end) if b > v.beat + EPS]
        for a, b in zip(cuts, cuts[1:] + [v.end]):
            rows.extend((a, (b - a) * factor, v.upper[k], _vel(groups, a, velocity))
                        for k in voices)
    return rows


def pulse(voicings: Sequence[Voicing], voices: Sequence[int], groups: BeatGroups,
          factor: float, velocity: int) -> list[Row]:
    """Repeated eighth-note chords."""
    rows: list[Row] = []
    for v in voicings:
        for t in grid(v.beat, v.end, 0.5):
            d = min(0.5, v.end - t) * min(factor, 0.85)
            rows.extend((t, d, v.upper[k], _vel(groups, t, velocity)) for k in voices)
    return rows


def _figure(order: Sequence[int], step: Callable[[BeatGroups], float], cap: float = 1.0):
    """A texture cycling through the voices in `order` every `step` beats."""
    def draw(voicings: Sequence[Voicing], voices: Sequence[int], groups: BeatGroups,
             factor: float, velocity: int) -> list[Row]:
        rows: list[Row] = []
        s = step(groups)
        for v in voicings:
            pitches = [v.upper[k] for k in voices]
            for n, t in enumerate(grid(v.beat, v.end, s)):
                p = pitches[order[n % len(order)] % len(pitches)]
                rows.append((t, min(s, v.end - t) * min(factor, cap), p,
                             _vel(groups, t, velocity)))
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
                rows.append((t, d, v.upper[0], _vel(groups, t, velocity)))
            if n > 0 or len(beats) == 1:
                rows.extend((t, d, v.upper[k], velocity) for k in rest)
    return rows


def harp(voicings: Sequence[Voicing], voices: Sequence[int], groups: BeatGroups,
         factor: float, velocity: int) -> list[Row]:
    """The harp's broken chord in eighth notes: the bass an octave up (a rest where that
    would reach the upper voices), then up through the upper voices and back."""
    rows: list[Row] = []
    for v in voicings:
        low = v.bass + 12 if v.bass + 12 < v.upper[0] else None
        upper = [v.upper[k] for k in voices]
        figure = [low] + upper + upper[-2:0:-1]
        for n, t in enumerate(grid(v.beat, v.end, 0.5)):
            p = figure[n % len(figure)]
            if p is not None:
                rows.append((t, min(0.5, v.end - t) * factor, p, _vel(groups, t, velocity)))
    return rows


def _triplet_or_compound(groups: BeatGroups) -> float:
    return groups.unit if groups.beat > groups.unit + EPS else 1.0 / 3.0


#: The textures a mood (or an instrument's idiom) can ask for.
TEXTURES: dict[str, Texture] = {
    "sustained": Texture("held chords, common tones tied over", sustained),
    "tremolo": Texture("each chord struck once and held on the tremolo patch", struck),
    "chorale": Texture("block chords re-struck on every strong beat", chorale),
    "pulse": Texture("repeated eighth-note chords", pulse),
    "arpeggio": Texture("the voiced chord broken in triplet (compound: eighth) notes",
                        _figure((0, 1, 2, 1), _triplet_or_compound), figure=True),
    "ostinato": Texture("a repeated sixteenth-note figure through the voiced chord",
                        _figure((0, 2, 1, 2, 0, 2, 1, 2), lambda g: 0.25, 0.9), figure=True),
    "pizzicato": Texture("plucked: low voice on the strong beats, dyads between",
                         pizzicato, figure=True),
    "harp": Texture("harp: the voiced chord broken up from the bass and back in eighths",
                    harp, figure=True),
    "rests": Texture("nothing of its own: a section that takes other sections' divisi",
                     lambda *_: []),
}
