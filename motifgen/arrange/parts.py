"""Orchestration by idiom: which tracks a mood's orchestra becomes, and their channels.

Each instrument gets a role it plays well: the harp and celesta break the
chords (the harp never holds tied chords), the choir sustains on "aah", the
brass play a chorale in real parts, the tremolo patch holds its notes (it
trembles by itself), the pizzicato patch plucks. A string ensemble becomes
sections, each its own track: in block textures Vln II, Vla and Vc take the
upper voices one each; in figures the violas play the figure under a held
Vln II line. Bass parts after the first double the bass an octave apart, never
in unison. A counter-line's track is named "<instrument> (counter)" and a
doubling's "<instrument> (doubling)", so an instrument keeps one track per job
through the cue. Channels are handed out once per cue (`channels`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache

from msgspec import Struct
from msgspec.structs import replace

from ..orchestra import INSTRUMENTS, allocate_channels, canonical_name
from .textures import TEXTURES

#: The texture an instrument plays whatever the mood asks (its idiom).
IDIOMS: dict[str, str] = {
    "harp": "harp", "celesta": "arpeggio", "choir": "sustained", "brass": "chorale",
    "tremolo_strings": "tremolo", "pizzicato_strings": "pizzicato",
}
#: Instruments whose idiom is a figure: with one of them in the harmony, strings hold.
FIGURE_INSTRUMENTS = frozenset({"harp", "celesta"})
#: String ensembles that split into sections, and their patches.
ENSEMBLES = {"strings": 48, "tremolo_strings": 44, "pizzicato_strings": 45}
#: String sections from the highest down: a note below one section's range goes to the
#: next section down (divisi) rather than out of its range.
SECTIONS = ("strings_vln1", "strings_vln2", "strings_vla", "strings_vc", "strings_cb")
#: Brass sections that play in real parts: the instruments and the upper voices (0 the
#: lowest) each takes, two to a staff at most.
BRASS_PARTS: dict[str, tuple[tuple[str, tuple[int, ...]], ...]] = {
    "brass": (("brass_horns", (1, 2)), ("brass_trombones", (0,))),
}
#: Block textures: notes struck together at chord changes.
BLOCK = frozenset({"sustained", "tremolo", "chorale", "pulse"})
#: Display names that say more than the catalogue's.
DISPLAY = {"choir": "Choir (aah)"}


class PartSpec(Struct, frozen=True, gc=False):
    """One track of a cue and how it plays in a section.

    `line`: for melody/counter parts, which featured motif (0 = the lead);
    `octave`: a melody doubling's distance from the lead; `texture`/`voices`:
    for harmony parts, the texture and which upper voices (0 = lowest) it
    draws; `members`: the drum-kit part's instruments.
    """

    name: str
    instrument: str
    program: int
    role: str
    is_drum: bool = False
    line: int = 0
    octave: int = 0
    texture: str = ""
    voices: tuple[int, ...] = (0, 1, 2)
    members: tuple[str, ...] = ()


def lead_name(mood_melody: Sequence[str], lead_instrument: str | None) -> str:
    """Catalogue name of the instrument the lead plays in a mood."""
    return _lead_name(lead_instrument if lead_instrument else (
        mood_melody[0] if mood_melody else None))


@lru_cache(maxsize=256)
def _lead_name(given: str | None) -> str:
    """`lead_name` of the instrument `given` (None: the piano), once for each."""
    name = canonical_name(given) if given is not None else "piano"
    return "strings_vln1" if name in ENSEMBLES else name


def _spec(name: str, role: str, program: int | None = None, **kw) -> PartSpec:
    inst = INSTRUMENTS[name]
    return PartSpec(DISPLAY.get(name, inst.display), name,
                    inst.program if program is None else program, role, **kw)


def _harmony(names: Sequence[str], texture: str) -> list[PartSpec]:
    figure_player = any(n in FIGURE_INSTRUMENTS for n in names)
    out: list[PartSpec] = []
    for n in names:
        kind = IDIOMS.get(n, texture)
        if n == "tremolo_strings" and TEXTURES[texture].figure:
            kind = texture  # a tremolo-string ostinato: the figure on the tremolo patch
        if n in ENSEMBLES:
            if figure_player and TEXTURES[kind].figure and kind != "pizzicato":
                kind = "sustained"
            patch = 44 if kind == "tremolo" else ENSEMBLES[n]
            if kind == "pizzicato":
                out += [_spec("strings_vln2", "harmony", patch, texture=kind, voices=(1, 2)),
                        _spec("strings_vc", "harmony", patch, texture=kind, voices=(0,))]
            elif kind in BLOCK:
                out += [_spec(s, "harmony", patch, texture=kind, voices=(v,))
                        for s, v in (("strings_vln2", 2), ("strings_vla", 1),
                                     ("strings_vc", 0))]
            else:
                out += [_spec("strings_vln2", "harmony", patch, texture="sustained",
                              voices=(2,)),
                        _spec("strings_vla", "harmony", patch, texture=kind),
                        _spec("strings_vc", "harmony", patch, texture="rests")]
        elif n in BRASS_PARTS:  # the chorale in real parts: horns above, trombones below
            out += [_spec(part, "harmony", texture=kind, voices=voices)
                    for part, voices in BRASS_PARTS[n]]
        else:
            out.append(_spec(n, "harmony", texture=kind))
    return out


def orchestrate(orchestra: Mapping[str, Sequence[str]], texture: str, doubling: int,
                lead_instrument: str | None, featured: int, answers: Sequence[str] = (),
                counters: Sequence[str | None] = ()) -> list[PartSpec]:
    """The tracks of a section: `orchestra` is role -> instrument names (a mood's).

    `answers`: further instruments the melody passes to (characters answering on
    their own instruments); `counters`: for counter-line k, its character's own
    instrument (None: one of the mood's). The tracks do not depend on the seed: each
    section's are worked out once for the film (`_orchestrate`).
    """
    return list(_orchestrate(tuple((role, tuple(names)) for role, names in orchestra.items()),
                             texture, doubling, lead_instrument, featured, tuple(answers),
                             tuple(counters)))


@lru_cache(maxsize=1024)
def _orchestrate(roles: tuple[tuple[str, tuple[str, ...]], ...], texture: str, doubling: int,
                 lead_instrument: str | None, featured: int, answers: tuple[str, ...],
                 counters: tuple[str | None, ...]) -> tuple[PartSpec, ...]:
    """`orchestrate` on its arguments made hashable (`roles`: the orchestra's items)."""
    orchestra = dict(roles)
    melody_pool = [canonical_name(n) for n in orchestra.get("melody", ())]
    counter_pool = [canonical_name(n) for n in orchestra.get("counter", ())]
    lead = lead_name(melody_pool, lead_instrument)
    specs = [_spec(lead, "melody")]
    if doubling:
        partner = next((n for n in melody_pool if n != lead and n not in ENSEMBLES), None)
        if partner is not None:  # the higher instrument on top: trumpet over horns
            up = _centre(partner) > _centre(lead)
            spec = _spec(partner, "melody", octave=abs(doubling) if up else -abs(doubling))
            specs.append(replace(spec, name=f"{spec.name} (doubling)"))
    used = {s.instrument for s in specs}
    pool = [n for n in counter_pool + melody_pool if n not in used and n not in ENSEMBLES] \
        or counter_pool or [lead]
    for line in range(1, max(1, featured)):
        own = counters[line - 1] if line - 1 < len(counters) else None
        name = own if own and own not in used else pool[(line - 1) % len(pool)]
        spec = _spec(name, "counter", line=line)
        specs.append(replace(spec, name=f"{spec.name} (counter)"))
    specs += [_spec(n, "melody") for n in dict.fromkeys(answers) if n != lead]
    harmony = [canonical_name(n) for n in orchestra.get("harmony", ())]
    specs += _harmony([n for n in harmony if not INSTRUMENTS[n].is_drum], texture)
    drums = []
    for role in ("bass", "percussion"):
        for n in (canonical_name(x) for x in orchestra.get(role, ())):
            if INSTRUMENTS[n].is_drum:
                drums.append(n)
            else:
                specs.append(_spec("strings_cb" if n in ENSEMBLES else n, role))
    specs += [PartSpec("Percussion", "drums", 0, "percussion", True,
                       members=tuple(dict.fromkeys(drums)))] if drums else []
    return tuple(_unique(specs))


def _centre(name: str) -> float:
    lo, hi = INSTRUMENTS[name].melody_range()
    return (lo + hi) / 2


def _unique(specs: list[PartSpec]) -> list[PartSpec]:
    """Number repeated track names: a second horn part is "Horn in F 2"."""
    counts: dict[str, int] = {}
    for s in specs:
        counts[s.name] = counts.get(s.name, 0) + 1
    seen: dict[str, int] = {}
    out = []
    for s in specs:
        if counts[s.name] > 1:
            seen[s.name] = seen.get(s.name, 0) + 1
            s = replace(s, name=f"{s.name} {seen[s.name]}")
        out.append(s)
    return out


def channels(specs: Sequence[PartSpec]) -> dict[str, int]:
    """A channel per track across the whole cue (every track plays with every other):
    drums on 9, 15 melodic at most."""
    names = [s.name for s in specs]
    return allocate_channels(names, {s.name for s in specs if s.is_drum}, lambda _: names)
