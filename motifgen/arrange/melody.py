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
from typing import Any

import numpy as np

from ..motif import Motif, Notes
from ..orchestra import Instrument, fit_range
from ..seeds import rng as seeded_rng
from ..theory import Key, bar_beats, fold_into
from ..transforms import notes_of, with_notes
from .dynamics import clip_velocity, velocity_of
from .line import EPS, Line
from .sections import Section

#: The lead's lowest note is raised to at least this pitch where its instrument's
#: comfortable range allows, so the accompaniment has room beneath it.
LEAD_FLOOR = 55


def in_scene(motif: Motif, key: Key, meter: tuple[int, int], register: int) -> Motif:
    """The motif moved to the section's key and mode, meter and register."""
    from ..transforms import key as to_key
    from ..transforms import metre

    moved = to_key(motif, key.note_name(key.tonic), key.mode)
    if moved.meter != meter:
        moved = metre(moved, meter)
    return with_notes(moved, pitch=fold_into(moved.pitch + 12 * register, 0, 127))


def place_lead(pitch: np.ndarray, inst: Instrument) -> np.ndarray:
    """A statement's pitches in the instrument's comfortable range, raised by octaves
    while its lowest note is under `LEAD_FLOOR` and its highest stays comfortable."""
    placed = fit_range(pitch, inst, comfortable=True)
    hi = inst.melody_range()[1]
    while len(placed) and placed.min() < LEAD_FLOOR and placed.max() + 12 <= hi:
        placed = placed + 12
    return placed


def place_under(notes: Notes, lead: Notes, inst: Instrument) -> Notes:
    """`notes` moved by octaves (the whole line, then single notes) to sit under `lead`
    wherever both sound, inside the instrument's range."""
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
    return notes_of(notes.onset, notes.duration, out, notes.velocity)


def _top_near(lead: Notes, beat: float) -> int:
    """The highest lead pitch sounding at `beat`, else the last one before (0 if none)."""
    mask = (lead.onset <= beat + EPS) & (lead.onset + lead.duration > beat + EPS)
    if mask.any():
        return int(lead.pitch[mask].max())
    before = lead.onset <= beat + EPS
    return int(lead.pitch[before][-1]) if before.any() else 0


def statements(project: Any, scene: Any, sections: Sequence[Section], meter: tuple[int, int],
               seed: int, lead_instrument: Callable[[Section], Instrument]
               ) -> tuple[dict[int, Line], list[dict]]:
    """Statements of the featured motifs: line 0 is the melody, line k the k-th counter."""
    from ..transforms import apply_chain
    from ..variations import develop

    bar = bar_beats(meter)
    lines: dict[int, Line] = {0: Line()}
    out: list[dict] = []
    count = 0
    names = list(scene.featuring)
    for si, sec in enumerate(sections):
        g = seeded_rng(seed, scene.id, "melody", si)
        inst = lead_instrument(sec)
        cursor = sec.start
        while sec.end - cursor >= min(2.0, sec.end - sec.start) - 1e-9:
            who = names[count % len(names)]
            base = in_scene(project.motifs[who].motif, sec.key, meter, sec.mood.register)
            if who in scene.transform and count < len(names):
                motif = apply_chain(base, scene.transform[who], rng=g)
                chain, score = scene.transform[who], None
            elif count < len(names):
                motif, chain, score = base, "", 1.0
            else:
                var = develop(base, palette(project, sec.mood), sec.intensity, g,
                              mode=sec.key.mode)
                motif, chain, score = var.motif, var.chain, var.score
            motif = articulate(motif, sec.mood, sec.intensity)
            motif = with_notes(motif, pitch=place_lead(motif.pitch, inst))
            if cursor == sec.start and si > 0:
                motif = with_notes(motif, velocity=np.where(
                    motif.onset == motif.onset.min(), np.minimum(motif.velocity + 12, 115),
                    motif.velocity))
            lines[0].add(motif, cursor, until=sec.end)
            out.append(_statement("melody", who, sec, cursor, motif, chain, score,
                                  project.motifs[who].motif.key, inst.name))
            if len(names) > 1 and sec.intensity >= 0.55:
                partner = names[(count + 1) % len(names)]
                other = in_scene(project.motifs[partner].motif, sec.key, meter,
                                 sec.mood.register - 1)
                other = articulate(other, sec.mood, sec.intensity - 0.15)
                offset = cursor + bar * max(1, round(motif.end / bar / 2))
                if offset < sec.end - 1e-9:
                    lines.setdefault(1, Line()).add(other, offset, until=sec.end)
                    out.append(_statement("counter", partner, sec, offset, other,
                                          "counterpoint", None,
                                          project.motifs[partner].motif.key, ""))
            count += 1
            cursor += bar * max(1, -(-motif.end // bar))  # next statement on a bar line
        hold_into(lines[0], sec.end)
    return lines, out


def _statement(part: str, who: str, sec: Section, at: float, motif: Motif, chain: str,
               score: float | None, source_key: Key, instrument: str) -> dict:
    moved = f"key={sec.key.note_name(sec.key.tonic)}:{sec.key.mode}"
    row = {"part": part, "motif": who, "source_key": source_key.name,
           "chain": ", ".join(c for c in (moved, chain) if c),
           "development": chain, "recognisability": score,
           "start_beat": at, "end_beat": min(at + motif.end, sec.end), "mood": sec.mood.name}
    if instrument:
        row["instrument"] = instrument
    return row


def palette(project: Any, mood: Any) -> str:
    """The built-in preset a (possibly custom) mood grows from: it picks the development."""
    from ..moods import PRESETS

    while mood.name not in PRESETS and mood.base:
        mood = project.mood(mood.base)
    return mood.name


def articulate(motif: Motif, mood: Any, intensity: float) -> Motif:
    """Note lengths from the articulation, velocity from the dynamic and intensity."""
    from ..moods import ARTICULATIONS

    ratio = ARTICULATIONS[mood.articulation]
    vel = velocity_of(mood.dynamics) + (intensity - 0.5) * 16 + (motif.velocity - 80) * 0.4
    if mood.articulation == "marcato":
        vel = vel + 6 * (np.mod(motif.onset, 1.0) < 1e-6)
    return with_notes(motif, duration=np.maximum(motif.duration * ratio, 0.05),
                      velocity=np.array([clip_velocity(v) for v in np.atleast_1d(vel)],
                                        dtype=np.int64))


def hold_into(line: Line, end: float) -> None:
    """Let the last note before a hit or the end ring up to it (a held cadence)."""
    if not line.onset:
        return
    i = int(np.argmax(line.onset))
    if end - line.onset[i] <= 8 and line.onset[i] + line.duration[i] < end:
        line.duration[i] = end - line.onset[i]
