"""The melody first: motif statements, their articulation and the lead's register.

The lead motif is stated in the section's key and mood, then developed (more
as intensity rises) and answered by the other featured motifs; a second
featured motif joins in counterpoint when the scene is intense. Before any
accompaniment is written each statement is placed in a strong register of
the lead instrument (`place_lead`), and counter-lines are folded under the
lead (`place_under`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any

import numpy as np
from msgspec import Struct

from ..motif import Motif, Notes, notes_of, with_notes
from ..orchestra import Instrument, fit_range
from ..score import FormRow, StatementRow
from ..seeds import rng as seeded_rng
from ..theory import Key, bar_beats, velocity_of
from .dynamics import clip_velocity
from .line import EPS, Line
from .sections import Section

#: The lead's lowest note is raised to at least this pitch where its instrument's
#: comfortable range allows, so the accompaniment has room beneath it.
LEAD_FLOOR = 55
#: ... unless that takes its highest note within this many semitones of the top.
TOP_MARGIN = 2


@lru_cache(maxsize=1024)
def in_scene(motif: Motif, key: Key, meter: tuple[int, int], register: int) -> Motif:
    """The motif moved to the section's key and mode, meter and register (worked out once
    for each: every statement of a motif in a key starts from it)."""
    from ..development.transforms import key as to_key
    from ..development.transforms import metre

    moved = to_key(motif, key.note_name(key.tonic), key.mode)
    if moved.meter != meter:
        moved = metre(moved, meter)
    return moved.transposed(12 * register)


def place_lead(pitch: np.ndarray, inst: Instrument) -> np.ndarray:
    """A statement's pitches in the instrument's comfortable range, raised by octaves
    while its lowest note is under `LEAD_FLOOR` and its highest stays within
    `TOP_MARGIN` of the top of the instrument's range."""
    placed = fit_range(pitch, inst, comfortable=True)
    hi = max(inst.melody_range()[1], inst.high - TOP_MARGIN)
    while len(placed) and placed.min() < LEAD_FLOOR and placed.max() + 12 <= hi:
        placed = placed + 12
    return placed


def place_under(notes: Notes, lead: Notes, inst: Instrument) -> Notes:
    """`notes` moved by octaves (the whole line, then single notes) to sit under `lead`
    wherever both sound, inside the instrument's range; a note that cannot rests (the
    line sounds above the lead only in the lead's gaps)."""
    if not len(notes) or not len(lead):
        return notes
    fitted = fit_range(notes.pitch, inst)
    tops = np.array([_top_near(lead, t) for t in notes.onset])
    has = tops > 0

    def above(p: np.ndarray) -> int:
        return int(((p >= tops) & has).sum())

    shifts = [s for s in (0, -12, -24, 12) if (fitted + s >= inst.low).all()
              and (fitted + s <= inst.high).all()] or [0]
    best = min(shifts, key=lambda s: (above(fitted + s), abs(s)))
    out = fitted + best
    for i in np.flatnonzero((out >= tops) & has):
        p = out[i]
        while p >= tops[i] and p - 12 >= inst.low:
            p -= 12
        out[i] = p
    under = (out < tops) | ~has  # a note its instrument cannot put under the lead rests
    return notes_of(notes.onset[under], notes.duration[under], out[under],
                    notes.velocity[under])


def _top_near(lead: Notes, beat: float) -> int:
    """The highest lead pitch sounding at `beat`, else the last one before (0 if none)."""
    mask = (lead.onset <= beat + EPS) & (lead.onset + lead.duration > beat + EPS)
    if mask.any():
        return int(lead.pitch[mask].max())
    before = lead.onset <= beat + EPS
    return int(lead.pitch[before][-1]) if before.any() else 0


class Melody(Struct):
    """What the melody step hands on: every line, who plays it, and the cue's form."""

    lines: dict[int, Line]  # 0: the whole melody, k: the k-th counter-line
    by_instrument: dict[str, Line]  # the melody split by the instrument playing it
    statements: list[StatementRow]
    form: list[FormRow]


def statements(project: Any, scene: Any, sections: Sequence[Section], meter: tuple[int, int],
               seed: int, instrument_of: Callable[[str, Section], Instrument],
               establish: float = 0.0, main_hit: float | None = None,
               closing: float | None = None, length: float = 0.0) -> Melody:
    """The cue's melody in the form of `arrange.form`.

    `instrument_of(name, section)`: who plays a motif (its character's own
    instrument where it has one). `establish`: beats of accompaniment before
    the first statement. `main_hit`: the beat of the strongest hit, where the
    lead returns as the climax. `closing`: the beat from which the melody holds
    the tonic to the end (None for an open ending); `length` is the cue's end.
    """
    bar = bar_beats(meter)
    out = Melody({0: Line()}, {}, [], [])
    names = list(scene.featuring)
    lead = names[0]
    stated: set[str] = set()
    developed = 0
    last_inst: Instrument | None = None
    if establish > EPS:
        out.form.append(FormRow("establish", "", 0.0, establish))
    for si, sec in enumerate(sections):
        g = seeded_rng(seed, scene.id, "melody", si)
        cursor = sec.start + (establish if si == 0 else 0.0)
        limit = sec.end if closing is None else min(sec.end, max(closing, sec.start))
        closing_section = closing is not None and limit < sec.end + EPS and closing < sec.end
        base = {n: in_scene(project.motifs[n].motif, sec.key, meter, sec.mood.register)
                for n in names}
        lead_len = bar * max(1, -(-base[lead].end // bar))
        while limit - cursor > EPS and limit - cursor >= min(2.0, limit - sec.start) - EPS:
            who, role = _who(names, stated, developed, si > 0 and abs(cursor - sec.start) < EPS,
                             main_hit is not None and abs(sec.start - main_hit) < EPS,
                             closing_section and limit - cursor < 2 * lead_len)
            if role == "development":
                developed += 1
            motif, chain, score = _variant(project, scene, base[who], who, role,
                                           who in stated, sec, g)
            stated.add(who)
            inst = last_inst = instrument_of(who, sec)
            motif = _place(out, motif, who, role, (chain, score), sec, cursor, limit, inst,
                           project.motifs[who].motif.key)
            if len(names) > 1 and sec.intensity >= 0.55 and who == lead:
                _counter(project, out, names[1], sec, meter,
                         cursor + bar * max(1, round(motif.end / bar / 2)), limit)
            cursor += bar * max(1, -(-motif.end // bar))  # next statement on a bar line
            if role == "return":
                break  # the return holds into the closing bar
        reach = limit if closing_section else 8.0
        if last_inst is not None:  # only the line that spoke last holds into the cut
            hold_into(out.by_instrument[last_inst.name], limit, reach)
        hold_into(out.lines[0], limit, reach)
    if closing is not None and last_inst is not None:
        _tag(out, sections[-1], closing, length, last_inst)
    return out


def _place(out: Melody, motif: Motif, who: str, role: str, chain: tuple[str, float | None],
           sec: Section, cursor: float, limit: float, inst: Instrument, home: Key) -> Motif:
    """One statement into the melody's lines, its plan row and its part of the form
    (`chain`: the statement's transform chain and similarity; `home`: the motif's own
    key); return the motif as played."""
    motif = _as_lead(motif, sec.mood.articulation, sec.mood.dynamics, sec.intensity, inst)
    out.lines[0].add(motif, cursor, until=limit)
    out.by_instrument.setdefault(inst.name, Line()).add(motif, cursor, until=limit)
    row = _statement("melody", who, sec, cursor, motif, chain, home, limit,
                     instrument=inst.name, form=role)
    out.statements.append(row)
    out.form.append(FormRow(role, who, cursor, row.end_beat))
    return motif


def _who(names: list[str], stated: set[str], developed: int, section_start: bool,
         climax: bool, returning: bool) -> tuple[str, str]:
    """Who states next and in which role of the form: the lead at a section's start (the
    climax at the main hit), then each name not yet stated, the lead's return near a
    closing, else the names in turn, two developments each."""
    lead = names[0]
    if section_start:
        return lead, "climax" if climax else "statement"
    if any(n not in stated for n in names):
        who = next(n for n in names if n not in stated)
        return who, "statement" if who == lead else "answer"
    if returning:
        return lead, "return"
    return names[(developed // 2) % len(names)], "development"


def _variant(project: Any, scene: Any, base: Motif, who: str, role: str, stated: bool,
             sec: Section, g: np.random.Generator) -> tuple[Motif, str, float | None]:
    """The motif a statement plays, its chain and its similarity score: the scene's own
    transform at a first statement, the motif as it is, or a development in the mood's
    palette."""
    from ..development.chain import apply_chain
    from ..development.vary import develop

    if who in scene.transform and not stated:
        return apply_chain(base, scene.transform[who]), scene.transform[who], None
    if role != "development":
        return base, "", 1.0
    var = develop(base, palette(project, sec.mood), sec.intensity, g, mode=sec.key.mode)
    return var.motif, var.chain, var.score


def _counter(project: Any, out: Melody, partner: str, sec: Section, meter: tuple[int, int],
             offset: float, limit: float) -> None:
    """The partner motif, in prime form, in counterpoint from `offset` (placed under the
    lead later)."""
    if offset >= limit - 1e-9:
        return
    other = in_scene(project.motifs[partner].motif, sec.key, meter, sec.mood.register - 1)
    other = articulate(other, sec.mood, sec.intensity - 0.15)
    out.lines.setdefault(1, Line()).add(other, offset, until=limit)
    out.statements.append(_statement("counter", partner, sec, offset, other,
                                     ("counterpoint", 1.0), project.motifs[partner].motif.key,
                                     limit))


def _tag(out: Melody, sec: Section, closing: float, length: float, inst: Instrument) -> None:
    """The closing note: the tonic nearest the melody's last note, held to the end."""
    line = out.lines[0]
    latest = line.latest()
    last, velocity = (latest[2], latest[3]) if latest else (60 + sec.key.tonic, 70)
    lo, hi = inst.melody_range()
    options = [p for p in range(lo, hi + 1) if p % 12 == sec.key.tonic % 12] or [last]
    pitch = min(options, key=lambda p: (abs(p - last), -p))
    tag = notes_of([0.0], [length - closing], [pitch], [velocity])
    line.add(tag, closing)
    out.by_instrument.setdefault(inst.name, Line()).add(tag, closing)
    out.form.append(FormRow("tag", "", closing, length))


def _statement(part: str, who: str, sec: Section, at: float, motif: Motif,
               chain: tuple[str, float | None], source_key: Key, limit: float,
               instrument: str | None = None, form: str | None = None) -> StatementRow:
    """The plan's row of a statement at `at`, ending with the motif, the section or
    `limit` (`chain`: its development and similarity)."""
    moved = _moved(sec.key)
    return StatementRow(part, who, source_key.name, ", ".join(c for c in (moved, chain[0]) if c),
                        chain[0], chain[1], at, min(at + motif.end, sec.end, limit),
                        sec.mood.name, instrument, form)


@lru_cache(maxsize=64)
def _moved(key: Key) -> str:
    """The chain step that moves a motif into `key`, as a statement's row names it."""
    return f"key={key.note_name(key.tonic)}:{key.mode}"


def palette(project: Any, mood: Any) -> str:
    """The built-in preset a (possibly custom) mood grows from: it picks the development."""
    from ..moods import PRESETS

    while mood.name not in PRESETS and mood.base:
        mood = project.mood(mood.base)
    return mood.name


@lru_cache(maxsize=4096)
def _as_lead(motif: Motif, articulation: str, dynamics: str, intensity: float,
             inst: Instrument) -> Motif:
    """A statement as the lead plays it, articulated (`articulate`) in its register
    (`place_lead`): worked out once for each, as a scene states the same few motifs
    again and again."""
    played = _articulated(motif, articulation, dynamics, intensity)
    return with_notes(played, pitch=place_lead(played.pitch, inst))


def articulate(motif: Motif, mood: Any, intensity: float) -> Motif:
    """Note lengths from the articulation, velocity from the dynamic and intensity."""
    return _articulated(motif, mood.articulation, mood.dynamics, intensity)


def _articulated(motif: Motif, articulation: str, dynamics: str, intensity: float) -> Motif:
    """`articulate` by the mood's articulation and dynamic."""
    from ..theory import ARTICULATIONS

    ratio = ARTICULATIONS[articulation]
    vel = velocity_of(dynamics) + (intensity - 0.5) * 16 + (motif.velocity - 80) * 0.4
    if articulation == "marcato":
        vel = vel + 6 * (np.mod(motif.onset, 1.0) < 1e-6)
    return with_notes(motif, duration=np.maximum(motif.duration * ratio, 0.05),
                      velocity=np.array([clip_velocity(v) for v in np.atleast_1d(vel).tolist()],
                                        dtype=np.int64))


def hold_into(line: Line, end: float, reach: float = 8.0) -> None:
    """Let the last note before a hit or the end ring up to it (a held cadence) when it
    starts at most `reach` beats before it."""
    latest = line.latest()
    if latest is not None and 0 <= end - latest[0] <= reach and latest[0] + latest[1] < end:
        line.hold_latest(end)
