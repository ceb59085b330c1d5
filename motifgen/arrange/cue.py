"""A scene becomes a Score: sections, the melody first, then everything around it.

Per section: chords for the melody (`chords.harmonise`), one voice-led
sequence under the melody (`voicing.voice_lead`), and every track drawn from
it by its idiom (`parts.orchestrate`, `textures.TEXTURES`), with percussion
(`percussion`) and dynamics per part (`dynamics`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from msgspec import Struct
from msgspec.structs import replace

from ..film import Project, Scene
from ..motif import NOTE_DTYPES, Notes, notes_of
from ..orchestra import INSTRUMENTS, Instrument, engraving_of
from ..recipes import COLOURS
from ..score import ChordRow, Marker, Part, PartRow, Score, StatementRow
from ..seeds import rng as seeded_rng
from ..theory import (
    ARTICULATIONS,
    ROLE_VELOCITY,
    VELOCITY_RANGE,
    all_within,
    bar_beats,
    beat_groups,
    fold_into,
    round_beat,
    strong_beats,
    velocity_of,
)
from . import dynamics as dyn
from . import form
from .chords import cadence, drive, harmonise, harmony_key, turn
from .line import EPS, Line, Row, grid, rows_to_notes, window
from .melody import Melody, place_under, statements
from .parts import BLOCK, SECTIONS, PartSpec, channels, lead_name, orchestrate
from .percussion import Moments, percussion
from .plan import plan_of
from .sections import Section, cut, spot
from .textures import TEXTURES
from .voicing import Voicing, voice_lead

#: Lowest pitch the upper voices of the accompaniment take.
UPPER_FLOOR = 36
#: Bass register: this many semitones above the bass instrument's lowest note.
BASS_CENTRE_ABOVE_LOW = 10
#: Parts that give way where they would copy another part's attack (`_yield_unisons`).
YIELDING = frozenset({"harp", "celesta", "timpani"})
#: Semitones the upper voices need between the bass's lowest note and the melody before
#: the bass moves up to leave a lower bass part its octave.
ROOM_ABOVE_BASS = 24
#: Random velocity spread of accompaniment notes (plus or minus).
VELOCITY_SPREAD = 3
#: No notes (a line the melody does not have).
_NO_NOTES = Line().notes()


def compose_scene(project: Project, scene: Scene, seed: int | None = None) -> Score:
    """Arrange one scene of a loaded project into a Score."""
    seed = project.seed if seed is None else seed
    meter = project.motifs[scene.featuring[0]].motif.meter
    timing, anchors, moods = spot(project, scene)
    tmap = timing.tempo_map
    length = timing.length_beats
    beat_of = dict(zip((h.seconds for h in anchors), timing.hit_beats))
    sections = cut(scene, moods, project.key, beat_of, length)
    hits = [(beat_of[h.seconds], h) for h in scene.hits]
    shape = form.Dramaturgy.of(scene, sections, hits, tmap, length)

    def instrument_of(name: str, sec: Section) -> Instrument:
        own = project.motifs[name].instrument or project.motifs[scene.featuring[0]].instrument
        return INSTRUMENTS[lead_name(sec.mood.orchestra["melody"], own)]

    melody = statements(project, scene, sections, meter, seed, instrument_of,
                        shape.establish, shape.main_hit, shape.closing, length)
    counters = [project.motifs[n].instrument for n in scene.featuring[1:2]]
    tail = form.RING_TAIL_SECONDS * tmap.tempo_at(length) / 60.0
    parts, plan_parts, progressions = _dress(scene, sections, melody, meter, seed, shape,
                                             instrument_of, counters,
                                             (scene.ending, length, tail, shape.closing))

    markers = [Marker(0.0, f"{scene.id} {scene.title}", "cue")]
    markers += [Marker(beat_of[h.seconds], h.label, "hit") for h in scene.hits]
    markers += [Marker(beat_of[s.seconds], s.label or s.mood, "section")
                for s in scene.sections]
    markers.sort(key=lambda m: (m.beat, m.kind))
    key_changes = tuple((s.start, s.key) for prev, s in zip(sections, sections[1:])
                        if s.key != prev.key)
    plan = plan_of(project, scene, seed, timing, sections, melody.statements,
                   plan_parts, progressions, melody.form)
    return Score(id=scene.id, title=scene.title, key=sections[0].key, tempo_map=tmap,
                 parts=tuple(parts), markers=tuple(markers), key_changes=key_changes,
                 start_seconds=float(scene.start), start_timecode=scene.start_timecode,
                 fps=project.fps.name, length_beats=length, plan=plan)


def _dress(scene: Any, sections: Sequence[Section], melody: Melody, meter: tuple[int, int],
           seed: int, shape: form.Dramaturgy, instrument_of: Any,
           counters: Sequence[str | None], ending: tuple[str, float, float, float | None]
           ) -> tuple[list[Part], list[PartRow], list[list[ChordRow]]]:
    """Every track of every section, gathered per track over the cue, and ended
    (`ending`: `form.end`'s arguments after the notes and role)."""
    tunes = _Tunes.of(melody)
    melody_all = tunes.lines[0]
    gathered: dict[str, Line] = {}
    order: list[PartSpec] = []
    progressions: list[list[ChordRow]] = []
    last: Voicing | None = None
    bar = bar_beats(meter)
    for si, sec in enumerate(sections):
        g = seeded_rng(seed, scene.id, "harmony", si)
        into, length = shape.entering(sec), sec.end - sec.start
        specs = _tracks(scene, sec, melody, shape, instrument_of, counters)
        mel = window(melody_all, sec.start, sec.end)
        chords = _chords(mel, sec, melody, shape, meter, g)
        progressions.append([ChordRow(sec.start + c.beat, c.duration, c.symbol,
                                      tuple(c.pitch_classes), c.kind) for c in chords])
        moved = sum(1 for b in shape.kinds if EPS < b <= sec.start + EPS)
        voicings = _voice(specs, chords, mel, sec, last, melody_all, meter, moved)
        last = _shifted_voicing(voicings[-1], length) if voicings else last
        tracks = _realise(specs, voicings, mel, tunes, sec, meter, shape.moments(sec), g)
        form.hit_effects(tracks, specs, into, shape.leaving(sec), bar, length)
        _counter_instruments(melody.statements, specs, sec)
        for spec in specs:
            notes = tracks.get(spec.name)
            if spec.name not in gathered:
                gathered[spec.name] = Line()
                order.append(spec)
            if notes is not None and len(notes):
                gathered[spec.name].add(notes, sec.start)
    hit_kinds = [(b, k) for b, k in shape.kinds.items()]
    return _parts(order, gathered, sections, meter, hit_kinds, ending) + (progressions,)


class _Tunes(Struct, frozen=True):
    """The melody's lines as Notes over the whole cue, made once for every section to
    read its window of: `lines[k]` the k-th line (0 the whole melody), `played[name]`
    what the instrument `name` plays of it."""

    lines: dict[int, Notes]
    played: dict[str, Notes]

    @classmethod
    def of(cls, melody: Melody) -> _Tunes:
        return cls({k: line.notes() for k, line in melody.lines.items()},
                   {name: line.notes() for name, line in melody.by_instrument.items()})


def _tracks(scene: Any, sec: Section, melody: Melody, shape: form.Dramaturgy,
            instrument_of: Any, counters: Sequence[str | None]) -> list[PartSpec]:
    """The section's tracks: the mood's orchestra, the instruments its statements are
    played on, an octave doubling of the lead at the climax, a crash for a sting."""
    orchestra = {role: list(names) for role, names in sec.mood.orchestra.items()}
    if shape.entering(sec) == "sting" and "cymbal" not in orchestra["percussion"]:
        orchestra["percussion"].append("cymbal")
    doubling = sec.mood.doubling
    if not doubling and shape.main_hit is not None and abs(sec.start - shape.main_hit) < EPS:
        doubling = -1  # the climax: the lead doubled an octave below
    answers = [r.instrument for r in melody.statements if r.part == "melody" and r.instrument
               and sec.start - EPS <= r.start_beat < sec.end - EPS]
    lead = instrument_of(scene.featuring[0], sec).name
    return orchestrate(orchestra, sec.mood.texture, doubling, lead,
                       min(2, len(scene.featuring)), answers, counters)


def _chords(mel: Notes, sec: Section, melody: Melody, shape: form.Dramaturgy,
            meter: tuple[int, int], g: np.random.Generator) -> list:
    """The section's chords: cadences where its statements end, a turn on a turn hit,
    the tonic through the final bar of a closed ending."""
    length = sec.end - sec.start
    cadences = [r.end_beat - sec.start for r in melody.form
                if sec.start < r.end_beat <= sec.end + EPS and r.part != "establish"]
    chords = harmonise(mel, sec.key, sec.mood, meter, length, g, cadences=cadences)
    key = harmony_key(sec.key, sec.mood)
    if shape.entering(sec) == "turn":
        chords = turn(chords, mel, key, meter)
    if shape.leaving(sec) in ("accent", "sting", "swell"):
        chords = drive(chords, length, key, mel, meter)  # a dominant drive into the hit
    if shape.closing is not None and shape.closing < sec.end - EPS:
        closing = shape.closing - sec.start
        chords = form.close(cadence(chords, closing, key, sec.mood.colour, mel, meter),
                            closing, length, key)
    return chords


def _counter_instruments(rows: list[StatementRow], specs: Sequence[PartSpec],
                         sec: Section) -> None:
    """Record which instrument plays each counter statement of the section."""
    counter = next((s for s in specs if s.role == "counter"), None)
    for k, r in enumerate(rows):
        if (r.part == "counter" and counter is not None
                and sec.start - EPS <= r.start_beat < sec.end - EPS):
            rows[k] = replace(r, instrument=counter.instrument)


def _shifted_voicing(v: Voicing, by: float) -> Voicing:
    """`v` with its beat moved back by `by` (a section's last chord, seen from the next)."""
    return Voicing(v.beat - by, v.duration, v.bass, v.upper, v.chord)


def _voice(specs: Sequence[PartSpec], chords, mel: Notes, sec: Section,
           last: Voicing | None, melody_all: Notes, meter: tuple[int, int],
           hits_before: int) -> list[Voicing]:
    """The section's voice-led chords inside the ranges of its bass and harmony tracks."""
    basses = [INSTRUMENTS[s.instrument] for s in specs if s.role == "bass"]
    harm = [INSTRUMENTS[s.instrument] for s in specs
            if s.role == "harmony" and s.instrument not in SECTIONS]
    lo, hi = (basses[0].low, basses[0].high) if basses else (28, 55)
    below = [i.low + 12 for i in basses[1:] if i.low < lo]
    floor = int(mel.pitch.min()) if len(mel) else 127
    if below and hi - max(below) >= 12 and floor - max(below) >= ROOM_ABOVE_BASS:
        lo = max(lo, *below)  # leave the octave below for the lower bass part
    upper_low = max([UPPER_FLOOR] + [i.low for i in harm])
    upper_high = min([96] + [i.high for i in harm])
    pedal = _pedal(sec, hits_before)
    before = melody_all.onset < sec.start - EPS
    melody_before = int(melody_all.pitch[before][-1]) if before.any() else None
    tonic = harmony_key(sec.key, sec.mood).tonic
    return voice_lead(chords, mel, (lo, hi), lo + BASS_CENTRE_ABOVE_LOW, upper_low, upper_high,
                      tonic, pedal=pedal, lead_in=last, melody_before=melody_before,
                      strong=strong_beats(meter, sec.end - sec.start),
                      plucked=any(s.texture == "pizzicato" for s in specs),
                      creep=COLOURS[sec.mood.colour].creeping)


def _pedal(sec: Section, hits_before: int) -> int | None:
    """The pitch class the bass holds in a section, or None: a mood whose colour asks for
    a pedal holds one, moving through its steps (tonic, dominant) at every hit
    (`recipes.Colour.pedal`)."""
    steps = COLOURS[sec.mood.colour].pedal
    return (sec.key.tonic + steps[hits_before % len(steps)]) % 12 if steps else None


def _base_velocity(sec: Section) -> float:
    return velocity_of(_marks(sec.mood)[0]) + (sec.intensity - 0.5) * 16


def _realise(specs: Sequence[PartSpec], voicings: Sequence[Voicing], mel: Notes,
             tunes: _Tunes, sec: Section, meter: tuple[int, int], moments: Moments,
             g: np.random.Generator) -> dict[str, Notes]:
    """Each track's notes in one section (beats from the section start)."""

    length = sec.end - sec.start
    groups = beat_groups(meter)
    factor = ARTICULATIONS[sec.mood.articulation]
    base = _base_velocity(sec)
    out: dict[str, Notes] = {}
    blocks: list[set[int]] = []  # upper voices already struck together at chord changes
    doubling: set[str] = set()  # block parts an octave below another (they give way)
    bass_line: Notes | None = None
    busy = sec.mood.texture in ("ostinato", "pulse") or sec.mood.tempo[1] >= 140
    for spec in specs:
        inst = INSTRUMENTS[spec.instrument]
        velocity = int(round(base + ROLE_VELOCITY[spec.role]))
        if spec.role == "melody" and spec.octave:
            notes = _doubled(mel, 12 * spec.octave, inst)
        elif spec.role == "melody":
            notes = window(tunes.played.get(spec.instrument, _NO_NOTES), sec.start, sec.end)
        elif spec.role == "counter":
            notes = place_under(window(tunes.lines.get(spec.line, _NO_NOTES), sec.start,
                                       sec.end), mel, inst)
        elif spec.role == "harmony":
            rows = TEXTURES[spec.texture].draw(voicings, spec.voices, groups, factor, velocity)
            if spec.texture in BLOCK:
                if any(blocks_voices & set(spec.voices) for blocks_voices in blocks):
                    rows = _doubling(rows, TEXTURES["tremolo"].draw(
                        voicings, spec.voices, groups, factor, velocity), inst, voicings,
                        groups.beat)
                    doubling.add(spec.name)
                blocks.append(set(spec.voices))
            notes = _in_range(rows, inst, g, fold=spec.instrument not in SECTIONS)
        elif spec.role == "bass":
            if bass_line is None:
                notes = bass_line = _bass(voicings, groups, sec.mood.articulation, velocity,
                                          sec.mood.texture in ("ostinato", "pulse"))
            else:
                notes = _bass_double(bass_line, inst, voicings)
        elif spec.is_drum:
            notes = percussion("drums", spec.members, meter, length, moments, g,
                               dyn.clip_velocity(base), sec.key, busy)
        else:
            notes = percussion(spec.instrument, (), meter, length, moments, g,
                               dyn.clip_velocity(base - 6), sec.key, busy,
                               avoid=(frozenset(p for v in voicings for p in v.pitches),
                                      frozenset(v.bass for v in voicings)))
        out[spec.name] = notes
    _route_sections(out, specs)
    _give_way(out, specs, doubling)
    return out


def _give_way(out: dict[str, Notes], specs: Sequence[PartSpec], doubling: set[str]) -> None:
    """Unisons resolved in order of importance: the harmony and the doublings yield to
    the tune, the counter-line moves off the harmony, held harmony yields to the
    counter, and block doublings (`doubling`) and the `YIELDING` instruments to all."""
    lead = [s for s in specs if s.role == "melody" and not s.octave]
    doublings = [s for s in specs if s.role == "melody" and s.octave]
    attacks = _Attacks(out)
    harmony = [s for s in specs if s.role == "harmony"]
    counter = [s for s in specs if s.role == "counter"]
    _yield_unisons(attacks, harmony, lead, among=False)
    _yield_unisons(attacks, doublings, harmony, among=False)
    _yield_unisons(attacks, counter, harmony, move=-12, among=False)
    held = [s for s in harmony if not TEXTURES[s.texture].figure]
    _yield_unisons(attacks, held, counter, among=False)  # where the counter could not move
    _yield_unisons(attacks, [s for s in specs if s.name in doubling]
                   + [s for s in specs if s.instrument in YIELDING and s.name not in doubling],
                   specs)


class _Attacks:
    """A section's tracks with each one's attacks as (instant, pitch), its onsets
    compared as instants (rounded to 4 places, once per onset of the section), worked
    out again only for a track given new notes."""

    def __init__(self, tracks: dict[str, Notes]) -> None:
        self.tracks = tracks
        onsets = set().union(*(notes.onset.tolist() for notes in tracks.values()))
        self.instants = {t: round_beat(t, 4) for t in onsets}
        self._of: dict[str, tuple[Notes, list[tuple[float, int]]]] = {}

    def __call__(self, name: str) -> list[tuple[float, int]]:
        notes = self.tracks[name]
        known = self._of.get(name)
        if known is None or known[0] is not notes:
            at = map(self.instants.__getitem__, notes.onset.tolist())
            known = notes, list(zip(at, notes.pitch.tolist()))
            self._of[name] = known
        return known[1]


def _yield_unisons(attacks: _Attacks, yielding: Sequence[PartSpec], specs: Sequence[PartSpec],
                   move: int = 0, among: bool = True) -> None:
    """Where a `yielding` part (the harmony under the melody, a figure, the timpani, a
    block doubling an octave below) would strike a note one of `specs` attacks at the
    same moment (`attacks`: onsets rounded to 4 places), the drum takes the other
    octave and the others rest; with `move` (a counter-line against the harmony) the
    note moves by that many semitones where it can, and stays otherwise. With `among`,
    each yielding part also gives way to the ones before it. Duplication between
    families is a choice at the octave, never an exact copy."""
    if not yielding:
        return
    names = {s.name for s in yielding}
    taken: set[tuple[float, int]] = set()
    for s in specs:
        if s.name not in names and not s.is_drum:
            taken.update(attacks(s.name))
    tracks = attacks.tracks
    for spec in yielding:
        keys = attacks(spec.name)
        if taken.isdisjoint(keys) and (not among or len(set(keys)) == len(keys)):
            if among:  # nothing to give way: the track stays as it is
                taken.update(keys)
            continue
        notes = tracks[spec.name]
        inst = INSTRUMENTS[spec.instrument]
        rows: list[Row] = []
        for (at, p), t, d, v in zip(keys, notes.onset.tolist(), notes.duration.tolist(),
                                    notes.velocity.tolist()):
            if (at, p) in taken:
                other = [q for q in ((p + move,) if move else (p - 12, p + 12))
                         if inst.low <= q <= inst.high and (at, q) not in taken]
                if other and (move or spec.instrument == "timpani"):
                    p = other[0]
                elif not move:
                    continue
            rows.append((t, d, p, v))
            if among:
                taken.add((at, p))
        tracks[spec.name] = rows_to_notes(rows)


def _route_sections(tracks: dict[str, Notes], specs: Sequence[PartSpec]) -> None:
    """Hand each string-section note outside its section's range to the next section
    down that can play it (Vln II to Vla to Vc), folding only what none can."""
    present = sorted((s for s in specs if s.instrument in SECTIONS and s.role == "harmony"),
                     key=lambda s: SECTIONS.index(s.instrument))
    moved: dict[str, list[Row]] = {s.name: [] for s in present}
    for i, spec in enumerate(present):
        notes = tracks[spec.name]
        inst = INSTRUMENTS[spec.instrument]
        if not moved[spec.name] and _plays_as_is(notes, inst):
            continue
        rows = notes.rows() + moved[spec.name]
        keep: list[Row] = []
        for row in rows:
            p = row[2]
            if inst.low <= p <= inst.high:
                keep.append(row)
                continue
            lower = next((s for s in present[i + 1:] if INSTRUMENTS[s.instrument].low <= p),
                         None)
            if lower is not None:
                moved[lower.name].append(row)
            else:
                q = int(fold_into(np.array([p]), inst.low, inst.high)[0])
                keep.append((row[0], row[1], q, row[3]))
        tracks[spec.name] = rows_to_notes(sorted(keep))


def _plays_as_is(notes: Notes, inst: Instrument) -> bool:
    """Whether every note is in the instrument's range and the onsets rise (so sorting
    the notes as rows would leave them in their order)."""
    on = notes.onset
    return all_within(notes.pitch, inst.low, inst.high) and bool((on[1:] > on[:-1]).all())


def _doubled(mel: Notes, semitones: int, inst: Instrument) -> Notes:
    """The lead doubled `semitones` away; where that leaves the instrument's range the
    doubling rests (folding it back would copy the lead in unison)."""
    pitch = mel.pitch + semitones
    keep = (pitch >= inst.low) & (pitch <= inst.high)
    return notes_of(mel.onset[keep], mel.duration[keep], pitch[keep], mel.velocity[keep] - 4)


def _in_range(rows: list[Row], inst: Instrument, g: np.random.Generator,
              fold: bool = True) -> Notes:
    """Texture rows with a little velocity spread, folded by octaves into the instrument
    where `fold` (string sections hand such notes on instead, `_route_sections`)."""
    if not rows:
        return rows_to_notes([])
    noise = g.integers(-VELOCITY_SPREAD, VELOCITY_SPREAD + 1, size=len(rows))
    onset, duration, pitch, velocity = (np.fromiter(column, dtype, len(rows))
                                        for column, dtype in zip(zip(*rows), NOTE_DTYPES))
    if fold:
        pitch = fold_into(pitch, inst.low, inst.high)
    lo, hi = VELOCITY_RANGE
    return notes_of(onset, duration, pitch, np.minimum(np.maximum(velocity + noise, lo), hi),
                    copy=False)


def _doubling(rows: list[Row], struck: list[Row], inst: Instrument,
              voicings: Sequence[Voicing], delay: float) -> list[Row]:
    """A second block part on voices another already plays: its `rows` an octave lower
    when the whole section fits above the bass there; otherwise every chord `struck` at
    pitch, entering `delay` beats late (a swell after the change), never an exact copy."""
    starts = [v.beat for v in voicings]

    def bass(t: float) -> int:
        return voicings[max(0, int(np.searchsorted(starts, t + EPS)) - 1)].bass

    if all(p - 12 > bass(t) + 2 and p - 12 >= inst.low for t, _, p, _ in rows):
        return [(t, d, p - 12, v) for t, d, p, v in rows]
    onsets = {round(x, 6) for x in starts}
    out: list[Row] = []
    for t, d, p, v in struck:
        if round(t, 6) in onsets:
            if d <= delay + EPS:
                continue
            t, d = t + delay, d - delay
        out.append((t, d, p, v))
    return out


def _bass(voicings: Sequence[Voicing], groups, articulation: str, velocity: int,
          driving: bool) -> Notes:
    """The bass voice: held through each chord (tied when it keeps its pitch); plucked on
    every beat in staccato moods, so it stays the lowest voice under the off-beat chords;
    driving eighths, accented on the strong beats, under an ostinato or a pulse."""
    rows: list[Row] = []
    plucked = articulation == "staccato" or driving
    step, held = (0.5, 0.85) if driving else (groups.beat, 0.6)
    for v in voicings:
        if plucked:
            end, bass = v.end, v.bass
            beats = grid(v.beat, end, step)
            rows += [(t, min(step, end - t) * held, bass, velocity + (8 if strong else -4))
                     for t, strong in zip(beats, groups.are_strong(beats))]
            continue
        if rows and rows[-1][2] == v.bass and abs(rows[-1][0] + rows[-1][1] - v.beat) < EPS:
            on, _, p, vel = rows[-1]
            rows[-1] = (on, v.end - on, p, vel)
        else:
            rows.append((v.beat, v.duration, v.bass, velocity))
    return rows_to_notes(rows)


def _bass_double(bass: Notes, inst: Instrument, voicings: Sequence[Voicing]) -> Notes:
    """A further bass part: the bass an octave below where it reaches, else an octave
    above while that stays under the upper voices; else it rests (never a unison copy)."""
    if not len(bass):
        return bass
    low_upper = min(v.upper[0] for v in voicings)
    for shift in (-12, 12):
        p = bass.pitch + shift
        if (p >= inst.low).all() and (p <= inst.high).all() and (shift < 0 or
                                                                  (p < low_upper).all()):
            return notes_of(bass.onset, bass.duration, p, bass.velocity)
    return rows_to_notes([])


def _parts(order: Sequence[PartSpec], gathered: dict[str, Line], sections: Sequence[Section],
           meter: tuple[int, int], hit_kinds: Sequence[tuple[float, str]],
           ending: tuple[str, float, float, float | None]) -> tuple[list[Part], list[PartRow]]:
    """Parts with their channels, controller curves and `form.end`'s ending, in
    orchestration order (the plan counts the notes before the ending)."""
    total = sections[-1].end
    spans = []
    for s in sections:
        a, b = _marks(s.mood)
        spans.append(dyn.Span(s.start, s.end, a, b, s.intensity))
    arrivals = sorted({*(b for b, _ in hit_kinds), *(s.start for s in sections[1:]), total})
    phrase = 4 * bar_beats(meter)
    cc11 = dyn.cc11_swells(total, hit_kinds)
    used = [s for s in order if len(gathered[s.name])]
    chan = channels(used)
    parts, plan_parts = [], []
    curves = dyn.cc1_curves(spans, [s.role for s in used], phrase, arrivals)  # CC1 per role
    for spec in used:
        notes = gathered[spec.name].notes()
        controllers = {} if spec.is_drum else {1: curves[spec.role], 11: cc11}
        ended = notes if spec.is_drum else form.end(notes, spec.role, *ending)
        parts.append(Part(name=spec.name, instrument=spec.instrument, program=spec.program,
                          role=spec.role, notes=ended, channel=chan[spec.name],
                          is_drum=spec.is_drum, volume=dyn.ROLE_VOLUME[spec.role],
                          controllers=controllers,
                          articulations=tuple((s.start, s.mood.articulation) for s in sections),
                          texture=spec.texture, engraving=engraving_of(spec.instrument)))
        plan_parts.append(PartRow(spec.name, spec.instrument, spec.role, spec.program,
                                  chan[spec.name] + 1, len(notes)))
    return parts, plan_parts


def _marks(mood: Any) -> tuple[str, str]:
    """A mood's (starting, target) dynamic marks."""
    mark = mood.dynamics
    if "->" in mark:
        a, b = (x.strip() for x in mark.split("->", 1))
        return a, b
    return mark, mood.dynamics_to or mark
