"""A scene becomes a Score: timing, sections, motif statements, harmony, orchestration.

The scene is cut into sections at its hits and mood changes. The lead motif is
stated first in the scene's key and mood, then developed (more as intensity
rises) and answered by the other featured motifs; a second featured motif
also joins in counterpoint when the scene is intense. Each section is
harmonised and dressed by its mood's orchestra and texture; hits get an
accented downbeat, percussion and a CC11 swell.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from . import __version__
from .motif import Motif, Notes
from .score import Marker, Part, Score, TempoMap
from .seeds import rng as seeded_rng
from .theory import Key, bar_beats, fold_into
from .transforms import notes_of, with_notes


@dataclass
class Line:
    """Notes gathered for one part while a scene is arranged."""

    onset: list[float] = field(default_factory=list)
    duration: list[float] = field(default_factory=list)
    pitch: list[int] = field(default_factory=list)
    velocity: list[int] = field(default_factory=list)

    def add(self, notes: Notes, offset: float = 0.0, until: float | None = None,
            transpose: int = 0) -> None:
        """Append `notes` shifted by `offset` beats, cut at `until`."""
        onset = notes.onset + offset
        end = onset + notes.duration
        keep = onset < (until if until is not None else np.inf) - 1e-9
        if until is not None:
            end = np.minimum(end, until)
        self.onset += onset[keep].tolist()
        self.duration += (end - onset)[keep].tolist()
        self.pitch += (notes.pitch[keep] + transpose).tolist()
        self.velocity += notes.velocity[keep].tolist()

    def notes(self) -> Notes:
        return notes_of(self.onset, self.duration, self.pitch, self.velocity)


@dataclass(frozen=True)
class Section:
    """A stretch of the scene between hits and mood changes."""

    start: float
    end: float
    mood: Any  # moods.Mood
    key: Key
    intensity: float
    label: str


def spot(project: Any, scene: Any) -> tuple[Any, list[Any], list[Any]]:
    """The scene's tempo map: its hits and mood changes as anchors, solved within the
    moods' tempo ranges. Returns (timing, anchors, moods); a TimingError names the scene.
    `motifgen validate` runs this for every scene without arranging it."""
    from .errors import TimingError
    from .timing import Hit, solve

    meter = project.motifs[scene.featuring[0]].motif.meter
    moods = [project.moods[scene.mood]] + [project.moods[s.mood] for s in scene.sections]
    anchors = [Hit(h.seconds, h.label, h.downbeat, h.weight) for h in scene.hits]
    anchors += [Hit(s.seconds, s.label or s.mood, True, 1.0, kind="section")
                for s in scene.sections]
    anchors.sort(key=lambda h: h.seconds)
    ranges = [(0.0, _tempo_range(moods[0], anchors))] + [
        (float(s.seconds), _tempo_range(m, anchors)) for s, m in zip(scene.sections, moods[1:])]
    try:
        timing = solve(float(scene.duration), anchors,
                       ranges if len(ranges) > 1 else ranges[0][1], meter,
                       fps=project.fps, start=scene.start_timecode)
    except TimingError as e:
        index = project.scenes.index(scene)
        raise TimingError(e.message, f"{project.path}: scenes[{index}] ({scene.id})") from e
    return timing, anchors, moods


def compose_scene(project: Any, scene: Any, seed: int | None = None) -> Score:
    """Arrange one scene of a loaded project into a Score."""
    seed = project.seed if seed is None else seed
    meter = project.motifs[scene.featuring[0]].motif.meter
    timing, anchors, moods = spot(project, scene)
    tmap = timing.tempo_map
    beat_of = dict(zip((h.seconds for h in anchors), timing.hit_beats))

    sections = _sections(scene, moods, project.key, beat_of, timing.length_beats)
    lines, statements = _melody(project, scene, sections, meter, seed)
    parts, plan_parts, progressions = _dress(project, scene, sections, lines, tmap, meter, seed,
                               [beat_of[h.seconds] for h in scene.hits])

    markers = [Marker(0.0, f"{scene.id} {scene.title}", "cue")]
    markers += [Marker(beat_of[h.seconds], h.label, "hit") for h in scene.hits]
    markers += [Marker(beat_of[s.seconds], s.label or s.mood, "section")
                for s in scene.sections]
    markers.sort(key=lambda m: (m.beat, m.kind))
    key_changes = tuple((s.start, s.key) for prev, s in zip(sections, sections[1:])
                        if s.key != prev.key)

    plan = _plan(project, scene, seed, timing, anchors, sections, statements, plan_parts,
                 progressions)
    return Score(id=scene.id, title=scene.title, key=sections[0].key, tempo_map=tmap,
                 parts=tuple(parts), markers=tuple(markers), key_changes=key_changes,
                 start_seconds=float(scene.start), start_timecode=scene.start_timecode,
                 fps=project.fps.name, length_beats=timing.length_beats, plan=plan)


def _tempo_range(mood: Any, anchors: Sequence[Any]) -> tuple[float, float]:
    """The mood's tempo range; a fixed tempo gets ±4 % of room when there are hits to catch."""
    lo, hi = mood.tempo
    return (lo * 0.96, hi * 1.04) if anchors and hi - lo < 1 else (lo, hi)


def _sections(scene: Any, moods: Sequence[Any], home: Key, beat_of: dict,
              length: float) -> list[Section]:
    """Cut the scene at every anchor; each piece gets its mood, key and intensity."""
    cuts = sorted({0.0, *beat_of.values()})
    mood_at = [(0.0, moods[0])] + [(beat_of[s.seconds], m)
                                   for s, m in zip(scene.sections, moods[1:])]
    labels = {beat_of[h.seconds]: h.label for h in scene.hits}
    labels.update({beat_of[s.seconds]: s.label or s.mood for s in scene.sections})
    lo, hi = scene.intensity
    out = []
    for start, end in zip(cuts, cuts[1:] + [length]):
        if end - start < 1e-6:
            continue
        mood = [m for b, m in mood_at if b <= start + 1e-9][-1]
        mid = (start + end) / 2 / length
        out.append(Section(start, end, mood, Key(home.tonic, mood.mode), lo + (hi - lo) * mid,
                           labels.get(start, "opening")))
    return out


def _in_scene(motif: Motif, key: Key, meter: tuple[int, int], register: int) -> Motif:
    """The motif moved to the section's key and mode, meter and register."""
    from .transforms import key as to_key
    from .transforms import metre

    moved = to_key(motif, key.note_name(key.tonic), key.mode)
    if moved.meter != meter:
        moved = metre(moved, meter)
    return with_notes(moved, pitch=fold_into(moved.pitch + 12 * register, 0, 127))


def _melody(project: Any, scene: Any, sections: Sequence[Section], meter: tuple[int, int],
            seed: int) -> tuple[dict[int, Line], list[dict]]:
    """Statements of the featured motifs: line 0 is the melody, line k the k-th counter."""
    from .transforms import apply_chain
    from .variations import develop

    bar = bar_beats(meter)
    lines: dict[int, Line] = {0: Line()}
    statements: list[dict] = []
    count = 0
    names = list(scene.featuring)
    for si, sec in enumerate(sections):
        g = seeded_rng(seed, scene.id, "melody", si)
        cursor = sec.start
        while sec.end - cursor >= min(2.0, sec.end - sec.start) - 1e-9:
            who = names[count % len(names)]
            base = _in_scene(project.motifs[who].motif, sec.key, meter, sec.mood.register)
            if who in scene.transform and count < len(names):
                motif = apply_chain(base, scene.transform[who], rng=g)
                chain, score = scene.transform[who], None
            elif count < len(names):
                motif, chain, score = base, "", 1.0
            else:
                var = develop(base, palette(project, sec.mood), sec.intensity, g,
                              mode=sec.key.mode)
                motif, chain, score = var.motif, var.chain, var.score
            motif = _articulate(motif, sec.mood, sec.intensity)
            if cursor == sec.start and si > 0:
                motif = with_notes(motif, velocity=np.where(
                    motif.onset == motif.onset.min(), np.minimum(motif.velocity + 20, 127),
                    motif.velocity))
            lines[0].add(motif, cursor, until=sec.end)
            statements.append(_statement("melody", who, sec, cursor, motif, chain, score,
                                         project.motifs[who].motif.key))
            if len(names) > 1 and sec.intensity >= 0.55:
                partner = names[(count + 1) % len(names)]
                other = _in_scene(project.motifs[partner].motif, sec.key, meter,
                                  sec.mood.register - 1)
                other = _articulate(other, sec.mood, sec.intensity - 0.15)
                offset = cursor + bar * max(1, round(motif.end / bar / 2))
                if offset < sec.end - 1e-9:
                    lines.setdefault(1, Line()).add(other, offset, until=sec.end)
                    statements.append(_statement("counter", partner, sec, offset, other,
                                                 "counterpoint", None,
                                                 project.motifs[partner].motif.key))
            count += 1
            cursor += bar * max(1, -(-motif.end // bar))  # next statement on a bar line
        _hold_into(lines[0], sec.end)
    return lines, statements


def _statement(part: str, who: str, sec: Section, at: float, motif: Motif, chain: str,
               score: float | None, source_key: Key) -> dict:
    moved = f"key={sec.key.note_name(sec.key.tonic)}:{sec.key.mode}"
    return {"part": part, "motif": who, "source_key": source_key.name,
            "chain": ", ".join(c for c in (moved, chain) if c),
            "development": chain, "recognisability": score,
            "start_beat": at, "end_beat": min(at + motif.end, sec.end), "mood": sec.mood.name}


def palette(project: Any, mood: Any) -> str:
    """The built-in preset a (possibly custom) mood grows from: it picks the development."""
    from .moods import PRESETS

    while mood.name not in PRESETS and mood.base:
        mood = project.mood(mood.base)
    return mood.name


def _articulate(motif: Motif, mood: Any, intensity: float) -> Motif:
    """Note lengths from the articulation, velocity from the dynamic and intensity."""
    from .moods import ARTICULATIONS

    ratio = ARTICULATIONS[mood.articulation]
    base = mood.velocity
    vel = base + (intensity - 0.5) * 24 + (motif.velocity - 80) * 0.5
    if mood.articulation == "marcato":
        vel = vel + 8 * (np.mod(motif.onset, 1.0) < 1e-6)
    return with_notes(motif, duration=np.maximum(motif.duration * ratio, 0.05),
                      velocity=_clip(np.round(vel), 1, 127).astype(int))


def _clip(values: np.ndarray, low: float, high: float) -> np.ndarray:
    """`np.clip` for arrays, without its per-call overhead."""
    return np.minimum(np.maximum(values, low), high)


def _hold_into(line: Line, end: float) -> None:
    """Let the last note before a hit or the end ring up to it (a held cadence)."""
    if not line.onset:
        return
    i = int(np.argmax(line.onset))
    if end - line.onset[i] <= 8 and line.onset[i] + line.duration[i] < end:
        line.duration[i] = end - line.onset[i]


def _dress(project: Any, scene: Any, sections: Sequence[Section], lines: dict[int, Line],
           tmap: TempoMap, meter: tuple[int, int], seed: int,
           hit_beats: Sequence[float]) -> tuple[list[Part], list[dict], list[list[dict]]]:
    """Harmony, bass, texture and percussion per section; one Part per instrument.

    Also returns each section's chords (absolute beats) for the plan.
    """
    from . import harmony
    from .orchestra import INSTRUMENTS, assign, fit_range

    lead = project.motifs[scene.featuring[0]]
    melody_all = lines[0].notes()
    gathered: dict[tuple[str, str], Line] = {}
    order: list[Any] = []
    progressions: list[list[dict]] = []
    for si, sec in enumerate(sections):
        g = seeded_rng(seed, scene.id, "harmony", si)
        length = sec.end - sec.start
        assignments = assign(sec.mood, lead.instrument, min(2, len(scene.featuring)))
        mel = _window(melody_all, sec.start, sec.end)
        chords = harmony.harmonise(mel, sec.key, sec.mood, meter, length, g)
        progressions.append([{"beat": sec.start + c.beat, "beats": c.duration,
                              "symbol": c.symbol, "pitch_classes": list(c.pitch_classes),
                              "kind": c.kind} for c in chords])
        local_hits = [b - sec.start for b in hit_beats if sec.start <= b < sec.end]
        bass: Notes | None = None
        for a in assignments:
            ident = (a.role, a.name)
            if ident not in gathered:
                gathered[ident] = Line()
                order.append(a)
            line = gathered[ident]
            inst = INSTRUMENTS[a.instrument]
            if a.role == "melody":
                notes = mel
                if a.doubles:
                    notes = _shift(notes, 12 * a.octave)
            elif a.role == "counter":
                notes = _window(lines.get(a.line, Line()).notes(), sec.start, sec.end)
            elif a.role == "harmony":
                notes = harmony.texture(chords, sec.mood.texture, inst, meter,
                                        sec.mood.articulation, rng=g)
            elif a.role == "bass" and bass is not None:
                # further bass instruments double the line, an octave down where they reach
                notes = _shift(bass, -12) if inst.low <= int(bass.pitch.min()) - 12 else bass
            elif a.role == "bass":
                pedal = sec.key.tonic if sec.mood.colour == "pedal" else None  # tonic pedal
                notes = bass = harmony.bass_line(
                    chords, mel, inst, meter, pedal=pedal,
                    lead_in=_lead_in(line, melody_all, meter, sec.start))
            else:
                notes = harmony.percussion(sec.mood, meter, length, local_hits, g,
                                           instrument_name=a.instrument, key=sec.key)
            if len(notes) == 0:
                continue
            if a.role in ("harmony", "bass", "percussion"):
                notes = _dynamics(notes, sec)
            if not a.is_drum:
                notes = notes_of(notes.onset, notes.duration,
                                 fit_range(notes.pitch, inst, comfortable=a.role == "melody"),
                                 notes.velocity)
            line.add(notes, sec.start)
    total = sections[-1].end
    lo, hi = scene.intensity
    arrivals = sorted({*hit_beats, *(s.start for s in sections[1:])})  # swell into each
    curves = harmony.dynamics_curve((lo, hi), total, sections[0].mood.dynamics, arrivals,
                                    end_dynamic=sections[-1].mood.dynamics_to)
    parts, plan_parts = [], []
    channels = _channels(order)
    for a in order:
        notes = gathered[(a.role, a.name)].notes()
        if len(notes) == 0:
            continue
        suffix = a.name[len(a.instrument):]  # " 2" for a second part of one instrument
        parts.append(Part(name=INSTRUMENTS[a.instrument].display + suffix,
                          instrument=a.instrument, program=a.program, role=a.role,
                          notes=notes, channel=channels[(a.role, a.name)], is_drum=a.is_drum,
                          controllers={} if a.is_drum else curves))
        plan_parts.append({"name": parts[-1].name, "instrument": a.instrument, "role": a.role,
                           "program": a.program, "channel": channels[(a.role, a.name)] + 1,
                           "notes": len(notes)})
    return parts, plan_parts, progressions


def _lead_in(bass: Line, melody: Notes, meter: tuple[int, int],
             start: float) -> tuple[int, int] | None:
    """(bass, melody) pitches on the last strong beat before `start`, if both sound."""
    from .harmony import sounding, strong_beats

    before = [b for b in strong_beats(meter, start) if b < start - 1e-9]
    if not before or not bass.onset:
        return None
    low, high = sounding(bass.notes(), before[-1]), sounding(melody, before[-1])
    return None if low is None or high is None else (low, high)


def _channels(order: Sequence[Any]) -> dict[tuple[str, str], int]:
    """A channel per part across all sections' moods: drums on 9, 15 melodic at most."""
    from .errors import MotifgenError
    from .orchestra import DRUM_CHANNEL, MELODIC_CHANNELS

    out, free = {}, iter(MELODIC_CHANNELS)
    for a in order:
        if a.is_drum:
            out[(a.role, a.name)] = DRUM_CHANNEL
            continue
        channel = next(free, None)
        if channel is None:
            raise MotifgenError("more than 15 melodic parts across the scene's moods; "
                                "list fewer instruments in its moods")
        out[(a.role, a.name)] = channel
    return out


def _window(notes: Notes, start: float, end: float) -> Notes:
    """The notes starting in [start, end), times relative to `start`, cut at `end`."""
    keep = (notes.onset >= start - 1e-9) & (notes.onset < end - 1e-9)
    onset = notes.onset[keep] - start
    return notes_of(onset, np.minimum(notes.duration[keep], end - start - onset),
                    notes.pitch[keep], notes.velocity[keep], copy=False)


def _shift(notes: Notes, semitones: int) -> Notes:
    return notes_of(notes.onset, notes.duration, notes.pitch + semitones, notes.velocity)


def _dynamics(notes: Notes, sec: Section) -> Notes:
    """Accompaniment velocity from the section's dynamic and intensity."""
    vel = sec.mood.velocity - 10 + (sec.intensity - 0.5) * 20
    scaled = _clip(np.round(vel + (notes.velocity - 80) * 0.5), 1, 127).astype(int)
    return notes_of(notes.onset, notes.duration, notes.pitch, scaled)


def _plan(project: Any, scene: Any, seed: int, timing: Any, anchors: Sequence[Any],
          sections: Sequence[Section], statements: list[dict], parts: list[dict],
          progressions: Sequence[list[dict]]) -> dict:
    """What was composed and why: written as <id>.json."""
    from .timecode import offset_timecode

    tmap = timing.tempo_map
    hits = []
    for h, beat, off in zip(anchors, timing.hit_beats, timing.frames_off):
        if h.kind != "hit":
            continue
        bar, beat_in_bar = tmap.position(beat)
        hits.append({"label": h.label, "timecode": offset_timecode(
            scene.start_timecode, h.seconds, project.fps), "seconds": float(h.seconds),
            "beat": beat, "bar": bar, "beat_in_bar": beat_in_bar, "downbeat": h.downbeat,
            "on_bar_line": tmap.is_bar_line(beat), "frames_off": off})
    return {
        "motifgen": __version__,
        "project": project.title,
        "seed": seed,
        "scene": {"id": scene.id, "title": scene.title, "start": scene.start_timecode,
                  "end": scene.end_timecode, "duration_seconds": float(scene.duration),
                  "fps": project.fps.name},
        "moods": list(dict.fromkeys(scene.moods)),
        "featuring": list(scene.featuring),
        "key": sections[0].key.name,
        "meter": f"{tmap.meters[0][1][0]}/{tmap.meters[0][1][1]}",
        "tempo_map": {"tempos": [list(t) for t in tmap.tempos],
                      "meters": [[b, f"{m[0]}/{m[1]}"] for b, m in tmap.meters],
                      "length_beats": timing.length_beats},
        "sections": [{"label": s.label, "start_beat": s.start, "end_beat": s.end,
                      "bar": tmap.position(s.start)[0], "mood": s.mood.name, "key": s.key.name,
                      "intensity": s.intensity, "chords": chords}
                     for s, chords in zip(sections, progressions)],
        "hits": hits,
        "statements": statements,
        "parts": parts,
    }


def motif_of(project: Any, name: str) -> Motif:
    """A character's or theme's motif, with a clear error for an unknown name."""
    from .errors import MotifgenError

    if name not in project.motifs:
        raise MotifgenError(f"unknown character or theme {name!r}; expected one of: "
                            f"{', '.join(project.motifs)}", str(project.path))
    return project.motifs[name].motif


def statements_score(project: Any, statements: Sequence[tuple[Motif, str]], title: str,
                     bpm: float = 96.0) -> Score:
    """Motifs laid end to end, a bar apart, each after a marker naming it (vary, transform)."""
    from .orchestra import INSTRUMENTS, instrument

    first = statements[0][0]
    bar = bar_beats(first.meter)
    line, markers, at = Line(), [], 0.0
    lead = project.motifs.get(first.name)
    inst = instrument(lead.instrument) if lead and lead.instrument else INSTRUMENTS["piano"]
    for motif, text in statements:
        markers.append(Marker(at, text, "section"))
        line.add(motif, at)
        at += bar * (1 + -(-motif.end // bar))
    part = Part(name=inst.name, instrument=inst.name, program=inst.program, role="melody",
                notes=line.notes())
    tmap = TempoMap(((0.0, bpm),), ((0.0, first.meter),))
    return Score(id=title.replace(" ", "_"), title=title, key=first.key, tempo_map=tmap,
                 parts=(part,), markers=tuple(markers), fps=project.fps.name, length_beats=at,
                 plan={"statements": [t for _, t in statements]})


def write_statements(project: Any, statements: Sequence[tuple[Motif, str]], path: Path,
                     title: str) -> Path:
    from .io.midi import write_midi

    return write_midi(statements_score(project, statements, title), path)
