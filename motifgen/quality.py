"""Sketch quality: the figures a composer hears, measured on a composed `Score`.

Pure functions over a `Score` (its parts and its plan); nothing here composes,
writes files or imports music21 or mido. `score_figures` gathers every figure
of one cue; ``python -m motifgen.quality`` composes films in memory and prints
them against the targets of the arranging and dramaturgy issues (#13, #14).

Terms. A *pitched* part is any part that is not on the drum channel
(`Part.is_drum` false; timpani count). The *melody* is every pitched part with
role ``melody`` (an octave doubling of the lead is melody too); the
*accompaniment* is every pitched part with role counter, harmony or bass. A
note *sounds* on ``[onset, onset + duration)``; it *sounds during* a span when
it overlaps it by more than 1e-6 beats. *Chord spans* are the plan's chords
(``plan.sections[*].chords``, each ``beat`` .. ``beat + beats``) in time
order. A harmony part's *voicing* of a span is the sorted set of distinct MIDI
pitches it sounds during the span (for an arpeggio: every note it breaks). The
section tracks of a string ensemble (instruments ``strings_*``) count as one
harmony part: together they sound its voicing.
A *change* is a pair of consecutive spans both voiced by the part; it is
*comparable* when both voicings have the same number of voices, voice k
moving to voice k.

Figures of issue 13 (arranging), one number per cue:

* ``masking`` - share of melody time (the union of time a melody note sounds)
  during which an accompaniment note sounds strictly above the highest melody
  note sounding then. Exact: time is cut at every note boundary.
* ``accomp_parallels`` - parallel fifths between two voices of one harmony
  part, per 100 comparable changes (all harmony parts pooled). A pair of
  voices counts when both voices move and the interval class between them is
  7 in both chords. Pairs whose pitch classes are equal in both chords are
  octave doublings of one voice, never counted; a parallel repeated by
  octave doublings (the same pair of pitch classes moving to the same pair)
  counts once per change.
* ``outer_parallels`` - at every onset of a pitched note, the highest and
  lowest pitch sounding among all pitched parts (states where only one pitch
  sounds are skipped). Over consecutive distinct states in which both the top
  and the bottom move, the share (per 100 such moves) where the interval class
  between them is the same perfect one (0 or 7) in both states.
* ``common_tone`` - among changes whose two plan chords share a pitch class,
  the share where the part keeps some shared pitch class at the same MIDI
  pitch: in a comparable change some voice k stays on its pitch (a planed
  stack whose range merely overlaps the next one keeps nothing); between
  voicings of different sizes the pitch sounds in both.
* ``same_direction`` - among comparable changes whose voicing changes, the
  share where every voice moves, all in the same direction.
* ``no_third`` - among plan chords with three or more pitch classes (two-note
  chords are deliberate open fifths and are skipped), the share during which
  no accompaniment part sounds the chord's third (``pitch_classes[1]``); spans
  where the accompaniment rests altogether (a cut) are not chords and are skipped.
* ``duplication`` - the largest share, over ordered pairs (A, B) of pitched
  parts of different instruments, of A's notes that B plays too: same onset
  (within 1e-6 beats) and same MIDI pitch. `duplication` also names the pair.
* ``low_velocity`` - share of pitched notes with velocity below 20.
* ``cc1_range`` - for every pitched part that plays in a plan section lasting
  30 s or more, max - min of the CC1 values in force in the section (the value
  in force at its start included; a part with no CC1 has range 0); the
  smallest over parts and sections. None when no section lasts 30 s.
* ``collapsed_semitones`` and ``vary_identical`` (per film) - semitones of a
  motif that become unisons when it moves into the key and mode of a mood its
  film uses; `vary` results (4 per motif, seed 0, no mood and each mood the film
  grows from) identical to the source in pitches and onsets. Both must be 0.
* ``mood_collisions`` (per film, not per cue) - pairs of built-in moods whose
  instrument sets (every orchestra role) are identical.

Figures of issue 14 (dramaturgy), computed from what the plan records:

* ``last_lead_recognisability`` - recognisability of the lead's (``featuring[0]``)
  last melody statement; None when the plan records none (an explicit scene
  transform). Target: >= 0.8 in 70 % of cues.
* ``hit_statements`` - share of hits at which a statement (melody or counter)
  starts, at the hit or up to one beat after, with recognisability >= 0.8; a
  hit whose plan entry has ``kind`` cut or sting counts as well. None without
  hits. Counter statements record no recognisability, so never count.
* ``own_instrument`` - share of statements (of characters that declare an
  instrument) played on that instrument: the statement's plan ``instrument``
  when recorded, otherwise any part of the statement's role (melody/counter)
  with an onset inside the statement (a statement none of whose notes is found
  is skipped). Needs the project; None without it.
* ``bar_before_melody`` - 1 when the first melody onset is at least one bar
  (of the opening meter) into the cue, else 0; None for cues of 15 s or less.
* ``phrase_ends`` - share of phrase ends whose chord is tonic or dominant: the
  chord sounding just before the end of every statement of the plan's ``form``
  (without a form: every 4-bar line inside the cue) and at its end; a statement
  running into the closing tag cadences on the final tonic, so only the end counts;
  tonic/dominant by the symbol's numeral (I/i, V/v, no accidental, not an
  applied ``V/x``).
* ``ending`` - 1 when the last plan chord is the tonic and the last melody note
  lasts at least 2 beats and is a tone of the chord sounding at its onset;
  None for a scene whose plan records ``ending: open``.
* ``hits_change`` - share of hits where the bar after differs from the bar
  before (onsets of all parts in ``[hit - bar, hit)`` and ``[hit, hit + bar)``):
  mean velocity by 12 or more, onset count by 30 % or more of the bar before,
  or two or more parts sounding in only one of the two bars.
* ``mood_grammar`` - share of sections of two bars or more (colour not ``none``)
  in which the mood's colour is heard: one of the colour's chords (the plan's
  ``kind: colour``) sounds, and for a colour promising a pedal (``recipes.Colour.pedal``) the
  lowest sounding note is the pedal (tonic, or tonic or dominant for ``pedal``)
  for 60 % of the section. A section in which no chord but the last could hold
  its strong-beat melody notes in a colour chord is judged on the pedal only, or
  not at all. Needs the project for custom moods (presets otherwise).

`FIGURES` holds each figure's target; `plan_gaps` names the plan fields the
dramaturgy figures would read but today's plan does not record.
"""

from __future__ import annotations

import argparse
import math
import re
import sys
from collections.abc import Iterable, Sequence
from itertools import combinations
from pathlib import Path
from typing import Any

import numpy as np
from msgspec import Struct

from .motif import Notes
from .score import ChordRow, Part, Score, StatementRow
from .theory import EPS as _EPS
from .theory import bar_beats, beat_groups

ACCOMPANIMENT = ("counter", "harmony", "bass")
PERFECT = (0, 7)


# --------------------------------------------------------------------------- helpers

def _pitched(score: Score, roles: Iterable[str] | None = None) -> list[Part]:
    wanted = None if roles is None else set(roles)
    return [p for p in score.parts if not p.is_drum and len(p.notes)
            and (wanted is None or p.role in wanted)]


def _cat(parts: Sequence[Part]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(onsets, ends, pitches) of all notes of `parts`."""
    if not parts:
        empty = np.zeros(0)
        return empty, empty, np.zeros(0, dtype=np.int64)
    on = np.concatenate([p.notes.onset for p in parts])
    end = on + np.concatenate([p.notes.duration for p in parts])
    pitch = np.concatenate([p.notes.pitch for p in parts])
    return on, end, pitch


def _cover(on: np.ndarray, end: np.ndarray, cuts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(note index, elementary interval index) for every interval between `cuts` a note
    covers; interval i is ``[cuts[i], cuts[i + 1])``."""
    first = np.searchsorted(cuts, on - _EPS / 2)
    last = np.searchsorted(cuts, end - _EPS / 2)
    counts = np.maximum(last - first, 0)
    note = np.repeat(np.arange(len(on)), counts)
    start = np.cumsum(counts) - counts
    interval = np.repeat(first, counts) + np.arange(int(counts.sum())) - np.repeat(start, counts)
    return note, interval


def _extreme(on: np.ndarray, end: np.ndarray, pitch: np.ndarray, cuts: np.ndarray,
             highest: bool = True) -> np.ndarray:
    """Per interval between `cuts`, the highest (or lowest) pitch sounding; -1 (or 999)
    where nothing sounds."""
    out = np.full(max(len(cuts) - 1, 0), -1 if highest else 999, dtype=np.int64)
    if len(out) == 0 or len(on) == 0:
        return out
    note, interval = _cover(on, end, cuts)
    keep = interval < len(out)
    (np.maximum if highest else np.minimum).at(out, interval[keep], pitch[note[keep]])
    return out


def chord_spans(score: Score) -> list[ChordRow]:
    """Every plan chord in time order (each from its ``beat`` for its ``beats``)."""
    chords = [c for s in score.plan.sections for c in s.chords]
    return sorted(chords, key=lambda c: float(c.beat))


def _sounding_during(part: Part, start: float, end: float) -> np.ndarray:
    n = part.notes
    return (n.onset < end - _EPS) & (n.onset + n.duration > start + _EPS)


def voicings(part: Part, spans: Sequence[ChordRow]) -> list[tuple[int, ...]]:
    """The part's voicing of each chord span: its distinct sounding pitches, low to high."""
    out = []
    for c in spans:
        start = float(c.beat)
        mask = _sounding_during(part, start, start + float(c.beats))
        out.append(tuple(sorted(set(part.notes.pitch[mask].tolist()))))
    return out


#: Instrument prefixes whose tracks share one voicing between them: a string
#: ensemble's sections (``strings_*``) and a brass section's real parts (``brass_*``).
_POOLED = frozenset({"strings", "brass"})


def harmony_groups(score: Score) -> list[Part]:
    """The harmony parts as voicings are heard: the section tracks of a string ensemble
    (``strings_*``: Vln II, Vla, Vc) and of a brass section (``brass_*``: horns and
    trombones) each pooled into one part, every other harmony part on its own."""
    parts = _pitched(score, ("harmony",))
    groups: dict[str, list[Part]] = {}
    others = []
    for p in parts:
        family = p.instrument.split("_")[0] if "_" in p.instrument else None
        if family not in _POOLED:
            others.append(p)
        else:
            groups.setdefault(family, []).append(p)
    pooled = []
    for family, members in groups.items():
        on, end, pitch = _cat(members)
        order = np.lexsort((pitch, on))
        notes = Notes(on[order], (end - on)[order], pitch[order],
                      np.full(len(on), 64, dtype=np.int64))
        pooled.append(Part(family, family, members[0].program, "harmony", notes))
    return pooled + others


def _changes(score: Score
             ) -> list[tuple[ChordRow, ChordRow, tuple[int, ...], tuple[int, ...]]]:
    """(chord a, chord b, voicing a, voicing b) for each change of each harmony part."""
    spans = chord_spans(score)
    out = []
    for part in harmony_groups(score):
        v = voicings(part, spans)
        for i in range(len(spans) - 1):
            if v[i] and v[i + 1]:
                out.append((spans[i], spans[i + 1], v[i], v[i + 1]))
    return out


def _parallel_pairs(a: Sequence[int], b: Sequence[int]) -> int:
    """Distinct parallel fifths between voice pairs of two equal-size voicings."""
    found = set()
    for i, j in combinations(range(len(a)), 2):
        if a[i] == b[i] or a[j] == b[j]:
            continue
        before, after = (a[j] - a[i]) % 12, (b[j] - b[i]) % 12
        if before == after == 7:
            found.add((a[i] % 12, a[j] % 12, b[i] % 12, b[j] % 12))
    return len(found)


def _ratio(num: float, den: float, scale: float = 1.0) -> float | None:
    return None if den == 0 else scale * num / den


# --------------------------------------------------------------------------- issue 13

def masking(score: Score) -> float | None:
    """Share of melody time with an accompaniment note sounding above the top melody note."""
    mel = _cat(_pitched(score, ("melody",)))
    acc = _cat(_pitched(score, ACCOMPANIMENT))
    if len(mel[0]) == 0:
        return None
    cuts = np.unique(np.concatenate([mel[0], mel[1], acc[0], acc[1]]))
    top_mel = _extreme(*mel, cuts)
    top_acc = _extreme(*acc, cuts)
    length = np.diff(cuts)
    sounding = top_mel >= 0
    return _ratio(float(length[sounding & (top_acc > top_mel)].sum()),
                  float(length[sounding].sum()))


def accomp_parallels(score: Score) -> float | None:
    """Parallel fifths between two voices of a harmony part, per 100 comparable changes."""
    count = total = 0
    for _, _, a, b in _changes(score):
        if len(a) == len(b):
            total += 1
            count += _parallel_pairs(a, b)
    return _ratio(count, total, 100.0)


def outer_states(score: Score) -> list[tuple[int, int]]:
    """(top, bottom) sounding pitch at every pitched onset, consecutive repeats dropped."""
    on, end, pitch = _cat(_pitched(score))
    if len(on) == 0:
        return []
    cuts = np.unique(np.concatenate([on, end]))
    top, bottom = _extreme(on, end, pitch, cuts), _extreme(on, end, pitch, cuts, False)
    at = np.searchsorted(cuts, np.unique(on))
    states: list[tuple[int, int]] = []
    for t, b in zip(top[at].tolist(), bottom[at].tolist()):
        if t > b and (not states or states[-1] != (t, b)):
            states.append((t, b))
    return states


def outer_parallels(score: Score) -> float | None:
    """Parallel fifths/octaves between the sounding top and bottom, per 100 moves."""
    moves = count = 0
    states = outer_states(score)
    for (t0, b0), (t1, b1) in zip(states, states[1:]):
        if t0 != t1 and b0 != b1:
            moves += 1
            count += (t0 - b0) % 12 == (t1 - b1) % 12 and (t0 - b0) % 12 in PERFECT
    return _ratio(count, moves, 100.0)


def common_tone(score: Score) -> float | None:
    """Share of changes between chords sharing a pitch class where one is kept in place."""
    held = total = 0
    for ca, cb, a, b in _changes(score):
        shared = set(ca.pitch_classes) & set(cb.pitch_classes)
        if shared:
            total += 1
            kept = ({x for x, y in zip(a, b) if x == y} if len(a) == len(b)
                    else set(a) & set(b))
            held += any(p % 12 in shared for p in kept)
    return _ratio(held, total)


def same_direction(score: Score) -> float | None:
    """Share of comparable, changing voicings where every voice moves the same way."""
    same = total = 0
    for _, _, a, b in _changes(score):
        if len(a) == len(b) and a != b:
            total += 1
            moves = np.sign(np.subtract(b, a))
            same += bool(np.all(moves == 1) or np.all(moves == -1))
    return _ratio(same, total)


def no_third(score: Score) -> float | None:
    """Share of plan chords (three or more pitch classes) whose third no accompaniment plays."""
    parts = _pitched(score, ACCOMPANIMENT)
    missing = total = 0
    for c in chord_spans(score):
        pcs = list(c.pitch_classes)
        if len(pcs) < 3:
            continue
        total += 1
        start, end = float(c.beat), float(c.beat) + float(c.beats)
        sounding = [p.notes.pitch[_sounding_during(p, start, end)] for p in parts]
        if not any(len(x) for x in sounding):
            total -= 1  # the accompaniment rests (a cut): no chord to judge
            continue
        missing += not any(np.any(x % 12 == pcs[1] % 12) for x in sounding)
    return _ratio(missing, total)


def duplication(score: Score) -> tuple[float | None, str, str]:
    """(largest share of A's notes B plays exactly, A, B) over parts of other instruments."""
    parts = _pitched(score)
    keys = [np.round(p.notes.onset / _EPS).astype(np.int64) * 128 + p.notes.pitch
            for p in parts]
    best: tuple[float | None, str, str] = (None, "", "")
    for i, a in enumerate(parts):
        for j, b in enumerate(parts):
            if i == j or a.instrument == b.instrument:
                continue
            share = float(np.isin(keys[i], keys[j]).mean())
            if best[0] is None or share > best[0]:
                best = (share, a.name, b.name)
    return best


def low_velocity(score: Score, below: int = 20) -> float | None:
    """Share of pitched notes with velocity below `below` (sample libraries drop them)."""
    parts = _pitched(score)
    if not parts:
        return None
    vel = np.concatenate([p.notes.velocity for p in parts])
    return float((vel < below).mean())


def cc1_range(score: Score, min_seconds: float = 30.0, cc: int = 1) -> float | None:
    """Smallest CC1 range (max - min in force) over pitched parts and long sections."""
    tm = score.tempo_map
    worst: float | None = None
    for sec in score.plan.sections:
        start, end = float(sec.start_beat), float(sec.end_beat)
        if tm.seconds_at(end) - tm.seconds_at(start) < min_seconds - _EPS:
            continue
        for part in _pitched(score):
            if not np.any(_sounding_during(part, start, end)):
                continue
            events = part.controllers.get(cc, ())
            before = [v for b, v in events if b <= start + _EPS]
            values = before[-1:] + [v for b, v in events if start + _EPS < b < end - _EPS]
            spread = float(max(values) - min(values)) if values else 0.0
            worst = spread if worst is None else min(worst, spread)
    return worst


def mood_instrument_set_collisions() -> list[tuple[str, str]]:
    """Pairs of built-in moods whose instruments over all orchestra roles are the same set."""
    from .moods import PRESETS

    def instruments(mood: Any) -> frozenset[str]:
        names = getattr(mood, "instruments", None)
        if names is None:
            names = [n for role in mood.orchestra.values() for n in role]
        return frozenset(names)

    sets = {name: instruments(m) for name, m in PRESETS.items()}
    return [(a, b) for a, b in combinations(sets, 2) if sets[a] == sets[b]]


def collapsed_semitones(project: Any) -> tuple[int, int]:
    """(semitones that became unisons, semitones in all) when every motif of the project
    moves into the key and mode of every mood its scenes use (issue 14's first row)."""
    from .arrange.melody import in_scene
    from .theory import Key

    keys = {Key(project.key.tonic, project.moods[m].mode) for sc in project.scenes
            for m in sc.moods}
    collapsed = total = 0
    for lm in project.motifs.values():
        before = np.diff(lm.motif.pitch)
        for key in sorted(keys, key=lambda k: k.name):
            after = np.diff(in_scene(lm.motif, key, lm.motif.meter, 0).pitch)
            semis = np.abs(before) == 1
            total += int(semis.sum())
            collapsed += int((semis & (after == 0)).sum())
    return collapsed, total


def vary_identical(project: Any, n: int = 4, seed: int = 0) -> tuple[int, int]:
    """(`vary` results with the source's pitches and onsets, results in all) for every
    motif, with no mood and with every built-in mood the project's scenes grow from."""
    from .arrange.melody import palette
    from .development.vary import vary

    moods = sorted({palette(project, project.moods[m]) for sc in project.scenes
                    for m in sc.moods})
    same = total = 0
    for lm in project.motifs.values():
        src = lm.motif
        for mood in [None, *moods]:
            for v in vary(src, mood=mood, n=n, seed=seed):
                total += 1
                m = v.motif
                same += bool(len(m) == len(src) and np.array_equal(m.pitch, src.pitch)
                             and np.allclose(m.onset, src.onset))
    return same, total


# --------------------------------------------------------------------------- issue 14

_NUMERAL = re.compile(r"^([b#]?)(VII|VI|IV|V|III|II|I|vii|vi|iv|v|iii|ii|i)(?![/])")


def chord_function(symbol: str) -> str:
    """"tonic", "dominant" or "" for a plan chord symbol (I/i, V/v; not bV, not V/V)."""
    m = _NUMERAL.match(symbol or "")
    if not m or m.group(1) or "/" in symbol:
        return ""
    return {"I": "tonic", "V": "dominant"}.get(m.group(2).upper(), "")


def _recognised(statement: StatementRow, at_least: float = 0.8) -> bool:
    r = statement.recognisability
    return r is not None and float(r) >= at_least - 1e-9


def last_lead_recognisability(score: Score) -> float | None:
    """Recognisability of the lead's last melody statement (None when not recorded)."""
    featuring = score.plan.featuring
    if not featuring:
        return None
    mine = [s for s in score.plan.statements
            if s.part == "melody" and s.motif == featuring[0]]
    if not mine:
        return None
    last = max(mine, key=lambda s: float(s.start_beat))
    r = last.recognisability
    return None if r is None else float(r)


def hit_statements(score: Score) -> float | None:
    """Share of hits starting a statement with recognisability >= 0.8 (or cut/sting hits)."""
    hits = score.plan.hits
    if not hits:
        return None
    statements = score.plan.statements
    good = 0
    for h in hits:
        beat = float(h.beat)
        good += h.kind in ("cut", "sting") or any(
            beat - _EPS <= float(s.start_beat) <= beat + 1 + _EPS and _recognised(s)
            for s in statements)
    return good / len(hits)


def own_instrument(score: Score, project: Any = None) -> float | None:
    """Share of statements on their character's declared instrument (needs the project)."""
    if project is None:
        return None
    from .orchestra import canonical_name

    own = total = 0
    for s in score.plan.statements:
        motif = project.motifs.get(s.motif)
        declared = getattr(motif, "instrument", None)
        if not declared:
            continue
        declared = canonical_name(declared)
        if s.instrument:
            played = {canonical_name(s.instrument)}
        else:
            start, end = float(s.start_beat), float(s.end_beat)
            played = {p.instrument for p in _pitched(score, (s.part,))
                      if np.any((p.notes.onset >= start - _EPS) & (p.notes.onset < end - _EPS))}
        if not played:  # nothing of the statement's role sounds: nothing to judge
            continue
        total += 1
        own += declared in played
    return _ratio(own, total)


def _lowest_share(score: Score, start: float, end: float, pcs: set[int],
                  step: float = 0.25) -> float:
    """Share of [start, end) whose lowest sounding pitched note is one of `pcs`."""
    on, off, pitch = _cat(_pitched(score))
    grid = np.arange(start, end - _EPS, step)
    if not len(grid) or not len(on):
        return 0.0
    sounding = (on[None, :] <= grid[:, None] + _EPS) & (off[None, :] > grid[:, None] + _EPS)
    low = np.where(sounding, pitch[None, :], 10_000).min(axis=1)
    heard = low < 10_000
    if not heard.any():
        return 0.0
    return float(np.isin(low[heard] % 12, sorted(pcs)).mean())


def _colourable(score: Score, chords: Sequence[ChordRow], colour_sets: list[set[int]]
                ) -> bool:
    """Whether any chord but the section's last could have been a colour chord: one of
    `colour_sets` holds every melody note sounding on a strong beat under it."""
    on, off, pitch = _cat(_pitched(score, ("melody",)))
    lines = score.tempo_map.bar_lines(score.end_beats)
    for c in chords[:-1]:
        start, end = float(c.beat), float(c.beat) + float(c.beats)
        offs = beat_groups(score.tempo_map.meter_at(start)).strong
        beats = np.array([b + o for b in lines for o in offs if start - _EPS <= b + o < end - _EPS])
        if not len(beats):
            continue
        under = (on[None, :] <= beats[:, None] + _EPS) & (off[None, :] > beats[:, None] + _EPS)
        pcs = set((pitch[under.any(axis=0)] % 12).tolist()) if len(on) else set()
        if any(pcs <= cs for cs in colour_sets):
            return True
    return False


def mood_grammar(score: Score, project: Any = None, min_bars: float = 2.0,
                 pedal_share: float = 0.6) -> float | None:
    """Share of sections (of `min_bars` bars or more, colour not ``none``) in which the
    mood's colour is heard: a chord of the colour sounds wherever the melody lets one
    (a section whose every chord but the last holds strong-beat melody notes no colour
    chord has is not judged on this), and where the colour promises a pedal
    (`recipes.Colour.pedal`) the lowest note is the pedal for `pedal_share` of the
    section."""
    from .arrange.chords import harmony_key, palette
    from .moods import PRESETS
    from .recipes import COLOURS
    from .theory import Key

    judged = heard = 0
    for sec in score.plan.sections:
        mood = project.mood(sec.mood) if project is not None else PRESETS.get(sec.mood)
        start, end = float(sec.start_beat), float(sec.end_beat)
        if mood is None or mood.colour == "none" or end - start < min_bars * _bar(score, start):
            continue
        key = harmony_key(Key.parse(sec.key), mood)
        chords = sec.chords
        sets = [set(c.pcs) for c in palette(key, mood.colour) if c.kind == "colour"]
        ok: bool | None = any(c.kind == "colour" for c in chords)
        if not ok and not _colourable(score, chords, sets):
            ok = None  # the melody allows no colour chord here
        if COLOURS[mood.colour].pedal:
            pcs = {(key.tonic + s) % 12 for s in COLOURS[mood.colour].pedal}
            ok = ok is not False and _lowest_share(score, start, end, pcs) >= pedal_share - _EPS
        if ok is None:
            continue
        judged += 1
        heard += ok
    return _ratio(heard, judged)


def _bar(score: Score, beat: float) -> float:
    return bar_beats(score.tempo_map.meter_at(beat))


def bar_before_melody(score: Score, min_seconds: float = 15.0) -> float | None:
    """1.0 when the melody enters at least a bar into a cue longer than `min_seconds`."""
    if score.tempo_map.seconds_at(score.end_beats) <= min_seconds:
        return None
    onsets = [float(p.notes.onset.min()) for p in _pitched(score, ("melody",))]
    if not onsets:
        return None
    return float(min(onsets) >= _bar(score, 0.0) - _EPS)


def _chord_at(spans: Sequence[ChordRow], beat: float) -> ChordRow | None:
    """The chord sounding at `beat` (the last one starting at or before it)."""
    found = None
    for c in spans:
        if float(c.beat) <= beat + _EPS:
            found = c
    return found


def _phrase_ends(score: Score, bars: int = 4) -> list[float]:
    """Where phrases end: every statement's end in the plan's `form` (establishing
    bars and the closing tag are not phrases), else every `bars`-bar line; and the
    cue's end."""
    end = score.end_beats
    form = [f for f in score.plan.form if f.part not in ("establish", "tag")]
    tags = {round(float(f.start_beat), 6) for f in score.plan.form
            if f.part == "tag"}
    if form:  # a phrase that runs into the tag cadences on the final tonic, at the end
        return sorted({min(float(f.end_beat), end) for f in form
                       if round(float(f.end_beat), 6) not in tags} | {end})
    lines = score.tempo_map.bar_lines(end)
    return [b for b in lines[bars::bars] if b < end - _EPS] + [end]


def phrase_ends(score: Score, bars: int = 4) -> float | None:
    """Share of phrase ends (every `bars`-bar line and the cue end) on tonic or dominant."""
    spans = chord_spans(score)
    if not spans:
        return None
    ends = _phrase_ends(score, bars)
    chords = [_chord_at(spans, b - 1e-3) for b in ends]
    funcs = [chord_function(c.symbol) if c else "" for c in chords]
    return sum(f != "" for f in funcs) / len(funcs)


def ending(score: Score) -> float | None:
    """1.0 when the cue ends on the tonic with a last melody note >= 2 beats on a chord tone."""
    spans = chord_spans(score)
    mel = _pitched(score, ("melody",))
    if not spans or not mel or _ending_kind(score) == "open":
        return None
    if chord_function(spans[-1].symbol) != "tonic":
        return 0.0
    on, end, pitch = _cat(mel)
    last = np.flatnonzero(on == on.max())
    i = int(last[np.argmax(pitch[last])])
    chord = _chord_at(spans, float(on[i]))
    tone = chord is not None and int(pitch[i]) % 12 in {int(p) % 12 for p in chord.pitch_classes}
    return float(end[i] - on[i] >= 2 - _EPS and tone)


def _ending_kind(score: Score) -> str | None:
    """The scene's `ending:` when the plan records one."""
    return score.plan.ending or None


def plan_gaps(score: Score) -> list[str]:
    """Plan fields the dramaturgy figures would read but this plan does not record."""
    plan = score.plan
    statements = plan.statements
    gaps = []
    if statements and all(st.instrument is None for st in statements):
        gaps.append("statements[].instrument (own_instrument inferred from the parts "
                    "sounding in each statement)")
    if any(st.part != "melody" and st.recognisability is None
           for st in statements):
        gaps.append("statements[].recognisability for counter statements (never counted "
                    "at hits)")
    if _ending_kind(score) is None:
        gaps.append("scene ending (every cue judged as a closed ending)")
    gaps.append("chords[].root/quality (function read from the symbol, third taken as "
                "pitch_classes[1])")
    if not plan.form:
        gaps.append("form plan (phrase ends taken at every 4-bar line)")
    return gaps


def hit_changes(score: Score, beat: float) -> bool:
    """Whether the bar after `beat` differs from the bar before: velocity, density or parts."""
    before = (max(0.0, beat - _bar(score, beat - _EPS)), beat)
    after = (beat, min(score.end_beats, beat + _bar(score, beat)))

    def window(lo: float, hi: float) -> tuple[np.ndarray, set[str]]:
        vel, playing = [], set()
        for p in score.parts:
            n = p.notes
            starts = (n.onset >= lo - _EPS) & (n.onset < hi - _EPS)
            vel.append(n.velocity[starts])
            if np.any(_sounding_during(p, lo, hi)):
                playing.add(p.name)
        return (np.concatenate(vel) if vel else np.zeros(0)), playing

    (v0, p0), (v1, p1) = window(*before), window(*after)
    if len(v0) == 0 or len(v1) == 0:
        return len(v0) != len(v1)
    velocity = abs(float(v1.mean()) - float(v0.mean())) >= 12
    density = abs(len(v1) - len(v0)) >= 0.3 * len(v0)
    return bool(velocity or density or len(p0 ^ p1) >= 2)


def hits_change(score: Score) -> float | None:
    """Share of hits after which the music changes measurably (see `hit_changes`)."""
    hits = score.plan.hits
    if not hits:
        return None
    return sum(hit_changes(score, float(h.beat)) for h in hits) / len(hits)


# --------------------------------------------------------------------------- the table

class Figure(Struct, frozen=True):
    """A figure, its target and how a film's cues add up.

    `per_cue` bounds every cue's value (`op`: "<=" or ">="); `overall` bounds the
    mean over cues, or, when `unit` is set, the share of cues whose value meets
    `unit`; `weight` names the count (hits, statements) a share is pooled by.
    """

    key: str
    label: str
    op: str
    per_cue: float | None
    overall: float | None
    unit: float | None = None
    weight: str = ""
    issue: int = 13

    def ok(self, value: float | None, bound: float | None) -> bool | None:
        if value is None or bound is None:
            return None
        return value <= bound + 1e-9 if self.op == "<=" else value >= bound - 1e-9

    def target(self) -> str:
        if self.unit is not None:
            return f"cue {self.op} {self.unit:g} in {self.overall:.0%} of cues"
        parts = []
        if self.overall is not None:
            parts.append(f"mean {self.op} {self.overall:g}")
        if self.per_cue is not None and self.per_cue != self.overall:
            parts.append(f"every cue {self.op} {self.per_cue:g}")
        elif self.per_cue is not None:
            parts = [f"{self.op} {self.per_cue:g}"]
        return ", ".join(parts)


FIGURES: tuple[Figure, ...] = (
    Figure("masking", "melody masked (share of melody time)", "<=", 0.25, 0.10),
    Figure("accomp_parallels", "accompaniment parallels / 100 changes", "<=", 2.0, 2.0),
    Figure("outer_parallels", "outer-voice parallels / 100 moves", "<=", 1.0, 1.0),
    Figure("common_tone", "common tone held", ">=", 0.70, 0.70),
    Figure("same_direction", "all voices same direction", "<=", 0.15, 0.15),
    Figure("no_third", "chords without their third", "<=", 0.02, 0.02),
    Figure("duplication", "largest exact copy between instruments", "<=", 0.30, 0.30),
    Figure("low_velocity", "pitched notes with velocity < 20", "<=", 0.0, 0.0),
    Figure("cc1_range", "CC1 range per part in sections >= 30 s", ">=", 15.0, 15.0),
    Figure("last_lead_recognisability", "last lead statement recognisability", ">=",
           0.8, 0.70, unit=0.8, issue=14),
    Figure("hit_statements", "hits starting a statement >= 0.8", ">=", 0.6, 0.60,
           weight="hits", issue=14),
    Figure("own_instrument", "statements on the character's instrument", ">=", 0.9, 0.90,
           weight="statements", issue=14),
    Figure("bar_before_melody", "a bar before the melody (cues > 15 s)", ">=", 1.0, 0.50,
           unit=1.0, issue=14),
    Figure("phrase_ends", "phrase ends on tonic or dominant", ">=", 0.8, 0.80,
           weight="phrases", issue=14),
    Figure("ending", "ends on the tonic, last note >= 2 beats on a chord tone", ">=",
           1.0, 1.0, unit=1.0, issue=14),
    Figure("hits_change", "hits that change the music", ">=", 0.7, 0.70, weight="hits",
           issue=14),
    Figure("mood_grammar", "sections whose mood's colour (and pedal) is heard", ">=",
           0.9, 0.90, weight="sections", issue=14),
)


def score_figures(score: Score, project: Any = None) -> dict[str, float | None]:
    """Every per-cue figure of `FIGURES`, by key; None where the cue has no such figure.

    `project` (a loaded `Project`) is needed for ``own_instrument`` only.
    """
    dup = duplication(score)[0]
    return {
        "masking": masking(score),
        "accomp_parallels": accomp_parallels(score),
        "outer_parallels": outer_parallels(score),
        "common_tone": common_tone(score),
        "same_direction": same_direction(score),
        "no_third": no_third(score),
        "duplication": dup,
        "low_velocity": low_velocity(score),
        "cc1_range": cc1_range(score),
        "last_lead_recognisability": last_lead_recognisability(score),
        "hit_statements": hit_statements(score),
        "own_instrument": own_instrument(score, project),
        "bar_before_melody": bar_before_melody(score),
        "phrase_ends": phrase_ends(score),
        "ending": ending(score),
        "hits_change": hits_change(score),
        "mood_grammar": mood_grammar(score, project),
    }


def _weights(score: Score, project: Any) -> dict[str, float]:
    """How many units (hits, statements, phrase ends) each pooled share stands for."""
    declared = 0
    if project is not None:
        declared = sum(bool(getattr(project.motifs.get(s.motif), "instrument", None))
                       for s in score.plan.statements)
    phrases = len(_phrase_ends(score))
    return {"hits": float(len(score.plan.hits)), "statements": float(declared),
            "phrases": float(phrases), "sections": float(len(score.plan.sections))}


class Cue(Struct):
    film: str
    id: str
    moods: str
    seconds: float
    figures: dict[str, float | None]
    weights: dict[str, float]
    pair: str
    gaps: tuple[str, ...] = ()


def measure(score: Score, project: Any = None, film: str = "") -> Cue:
    """A cue's figures with what the report needs around them."""
    dup = duplication(score)
    return Cue(film, score.id, ",".join(score.plan.moods),
               score.tempo_map.seconds_at(score.end_beats), score_figures(score, project),
               _weights(score, project), f"{dup[1]} -> {dup[2]}" if dup[1] else "",
               tuple(plan_gaps(score)))


def aggregate(fig: Figure, cues: Sequence[Cue]) -> tuple[float | None, float | None,
                                                          bool | None]:
    """(mean or pooled share, worst cue value, pass) of one figure over `cues`."""
    pairs = [(v, c.weights.get(fig.weight, 1.0) if fig.weight else 1.0)
             for c in cues if (v := c.figures.get(fig.key)) is not None]
    values = [v for v, _ in pairs]
    if not values:
        return None, None, None
    worst = max(values) if fig.op == "<=" else min(values)
    if fig.unit is not None:
        total = sum(bool(fig.ok(v, fig.unit)) for v in values) / len(values)
        return total, worst, fig.ok(total, fig.overall)
    den = sum(w for _, w in pairs)
    mean = sum(v * w for v, w in pairs) / den if den else sum(values) / len(values)
    ok = fig.ok(mean, fig.overall)
    if not fig.weight and ok is not None:  # a bound on every cue as well as on the mean
        ok = ok and fig.ok(worst, fig.per_cue) is not False
    return mean, worst, ok


def _fmt(value: float | None) -> str:
    if value is None:
        return "–"
    if not math.isfinite(value):
        return str(value)
    return f"{value:.2f}" if abs(value) < 10 else f"{value:.1f}"


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    line = lambda r: "| " + " | ".join(str(c).ljust(w) for c, w in zip(r, widths)) + " |"  # noqa: E731
    return [line(header), "|" + "|".join("-" * (w + 2) for w in widths) + "|",
            *(line(r) for r in rows)]


def _mark(ok: bool | None) -> str:
    return {True: "pass", False: "FAIL", None: "–"}[ok]


def report(films: Sequence[tuple[str, Sequence[Cue]]], markdown: bool = False,
           motifs: Sequence[tuple[int, int, int, int]] = ()) -> tuple[list[str], bool]:
    """The report's lines, and whether every target holds. `motifs`: per film,
    (`collapsed_semitones`, `vary_identical`) as four numbers."""
    h = (lambda level, text: f"{'#' * level} {text}") if markdown else (
        lambda level, text: text if level > 2 else f"== {text} ==")
    out: list[str] = []
    all_ok = True
    for film, cues in films:
        out += ["", h(2, film), ""]
        header = ["figure", *(c.id for c in cues), "mean", "worst", "target", "ok"]
        rows = []
        for fig in FIGURES:
            mean, worst, ok = aggregate(fig, cues)
            cells = []
            for c in cues:
                v = c.figures.get(fig.key)
                bad = fig.ok(v, fig.unit if fig.unit is not None else fig.per_cue) is False
                cells.append(_fmt(v) + ("*" if bad else ""))
            rows.append([fig.key, *cells, _fmt(mean), _fmt(worst), fig.target(), _mark(ok)])
        out += _table(header, rows)
        out += ["", "moods: " + "; ".join(f"{c.id} {c.moods} {c.seconds:.0f}s" for c in cues),
                "largest copy: " + "; ".join(f"{c.id} {c.pair}" for c in cues if c.pair)]
    everything = [c for _, cues in films for c in cues]
    out += ["", h(2, f"All films ({len(everything)} cues)"), ""]
    rows = []
    for fig in FIGURES:
        mean, worst, ok = aggregate(fig, everything)
        all_ok &= ok is not False
        failing = sum(fig.ok(c.figures.get(fig.key), fig.unit if fig.unit is not None
                             else fig.per_cue) is False for c in everything)
        rows.append([fig.key, fig.label, _fmt(mean), _fmt(worst), f"{failing}",
                     fig.target(), _mark(ok)])
    collisions = mood_instrument_set_collisions()
    ok = not collisions
    all_ok &= ok
    rows.append(["mood_collisions", "built-in mood pairs with one instrument set",
                 str(len(collisions)), "", "", "0", _mark(ok)])
    if motifs:
        collapsed, semis, same, tried = (sum(m[i] for m in motifs) for i in range(4))
        all_ok &= collapsed == 0 and same == 0
        rows.append(["collapsed_semitones", "semitones collapsed to unisons by a key/mode "
                     "change", f"{collapsed} of {semis}", "", "", "0", _mark(collapsed == 0)])
        rows.append(["vary_identical", "vary results with the source's pitches and onsets",
                     f"{same} of {tried}", "", "", "0", _mark(same == 0)])
    out += _table(["figure", "what", "mean / share", "worst cue", "cues failing", "target",
                   "ok"], rows)
    if collisions:
        out += ["", "same instrument set: " + ", ".join(f"{a}={b}" for a, b in collisions)]
    gaps = list(dict.fromkeys(g for c in everything for g in c.gaps))
    if gaps:
        out += ["", "Not in the plan yet: " + "; ".join(gaps) + "."]
    out += ["", "`*` marks a cue missing its per-cue target; – is a figure the cue does not "
            "have (no hits, no section of 30 s, no recorded recognisability)."]
    return out, all_ok


def default_projects() -> list[Path]:
    """The example film and every film in benchmarks/films/."""
    root = Path(__file__).resolve().parent.parent
    return [root / "motifs" / "cartographer.yaml", *sorted((root / "benchmarks" / "films")
                                                          .glob("*.yaml"))]


def measure_film(path: str | Path) -> tuple[str, list[Cue]]:
    """Compose every scene of a project in memory and measure it."""
    import motifgen

    project = motifgen.load(path)
    cues = [measure(motifgen.compose_scene(project, scene), project, project.title)
            for scene in project.scenes]
    return f"{project.title} ({Path(path).name})", cues


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m motifgen.quality [PROJECT ...] [--markdown] [--check]``."""
    ap = argparse.ArgumentParser(prog="python -m motifgen.quality",
                                 description="Sketch-quality figures per cue against targets.")
    ap.add_argument("projects", nargs="*", help="project files (default: the example film "
                    "and benchmarks/films/*.yaml)")
    ap.add_argument("--markdown", action="store_true", help="markdown headings")
    ap.add_argument("--check", action="store_true", help="exit 1 when a target fails")
    args = ap.parse_args(argv)
    paths = [Path(p) for p in args.projects] or default_projects()
    import motifgen

    projects = [motifgen.load(p) for p in paths]
    motifs = [(*collapsed_semitones(pr), *vary_identical(pr)) for pr in projects]
    lines, ok = report([measure_film(p) for p in paths], args.markdown, motifs)
    print("\n".join(lines).lstrip("\n"))
    return 1 if args.check and not ok else 0


if __name__ == "__main__":
    sys.exit(main())
