"""The dramaturgy of a cue: its form, its hits by kind, its ending.

A cue establishes (accompaniment before the melody, a bar or two where the cue
is longer than `ESTABLISH_SECONDS`), states its lead, lets the other featured
motifs answer, develops them in a dialogue of two-statement phrases, climaxes
on its strongest hit with the lead in prime form doubled an octave below, and
returns to the lead in prime form before its ending. `FORM_PARTS` names these
parts as the plan records them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from msgspec import Struct

from ..motif import Notes, notes_of
from ..score import TempoMap
from ..theory import (
    VELOCITY_RANGE,
    Chord,
    Key,
    all_within,
    bar_beats,
    make_chord,
    tonic_quality,
)
from .percussion import Moments

#: What a scene's `ending:` does (default "ring").
ENDINGS: dict[str, str] = {
    "ring": "a final tonic chord from the last bar line that rings RING_TAIL_SECONDS past the "
            "out-point",
    "button": "the final bar on the tonic, then a short tonic chord (the accompaniment's) on "
              "the downbeat after the out-point",
    "cold": "the final bar on the tonic, stopping exactly at the out-point",
    "open": "deliberately unresolved, for a cue that continues into the next",
}

#: What a hit's `kind:` does (default "accent").
HIT_KINDS: dict[str, str] = {
    "accent": "every part attacks on the hit and the bar after it plays louder",
    "sting": "a stab chord with a cymbal crash on the hit, then subito piano",
    "swell": "a crescendo with timpani and cymbal rolls into the hit",
    "cut": "the music stops at the hit for two beats (a bar in short meters), then goes on",
    "turn": "a harmonic turn on the hit (deceptive or chromatic mediant) and a change of "
            "orchestration: bass, counter-line and percussion wait a bar to enter",
}

#: The parts of a cue's form, in the plan's `form` list.
FORM_PARTS = ("establish", "statement", "answer", "development", "climax", "return", "tag")

#: Cues longer than this open with accompaniment before the melody.
ESTABLISH_SECONDS = 15.0
#: How long the final chord of a `ring` ending sounds past the out-point.
RING_TAIL_SECONDS = 2.0
#: Velocity added to the bar after an accent hit, and to a sting's stab.
ACCENT_LIFT, STING_STAB = 14, 22
#: Velocity taken from the bar after a sting (subito piano), and the depth of a swell's
#: crescendo in the bar before its hit.
STING_DROP, SWELL_DEPTH = 18, 24


class Dramaturgy(Struct, frozen=True):
    """A cue's shape, decided before anything is written: `establish` (beats before the
    melody), `main_hit` (beat of the strongest hit), `closing` (the beat the final bar
    starts, None for an open ending), and the kind of the hit at each hit beat."""

    ending: str
    establish: float
    main_hit: float | None
    closing: float | None
    kinds: dict[float, str]

    @classmethod
    def of(cls, scene: Any, sections: Sequence[Any], hits: Sequence[tuple[float, Any]],
           tempo_map: TempoMap, length: float) -> Dramaturgy:
        bar = bar_beats(tempo_map.meters[0][1])
        first = sections[0].end - sections[0].start
        establish = 0.0
        if float(scene.duration) > ESTABLISH_SECONDS and first >= 3 * bar:
            establish = 2 * bar if first >= 12 * bar else bar
        main = max(hits, key=lambda h: (h[1].weight, h[0]))[0] if hits else None
        closing = None
        if scene.ending != "open":
            lines = [b for b in tempo_map.bar_lines(length) if b < length - 1e-6]
            if lines and lines[-1] > 0:
                closing = lines[-1]
        return cls(scene.ending, establish, main, closing,
                   {round(b, 6): h.kind for b, h in hits})

    def entering(self, sec: Any) -> str | None:
        """The kind of the hit a section starts on, if it starts on one."""
        return self.kinds.get(round(sec.start, 6))

    def leaving(self, sec: Any) -> str | None:
        """The kind of the hit that ends a section, if a hit ends it."""
        return self.kinds.get(round(sec.end, 6))

    def moments(self, sec: Any) -> Moments:
        """What percussion marks in the section (beats from its start)."""
        length = sec.end - sec.start
        into, out = self.entering(sec), self.leaving(sec)
        return Moments(strikes=(0.0,) if into in ("accent", "sting") else (),
                       rolls=(length,) if out == "swell" else (),
                       fills=(length,) if out in (None, "accent") else ())


def hit_effects(tracks: dict[str, Notes], specs: Sequence[Any], into: str | None,
                out: str | None, bar: float, length: float) -> None:
    """The hit a section starts on, and the one it ends on, as the music hears them
    (`HIT_KINDS`): louder after an accent, a stab then subito piano for a sting, a
    crescendo into a swell, silence after a cut, bass, counter and percussion resting
    after a turn. A part none of it touches keeps its notes (velocities kept in
    `VELOCITY_RANGE`)."""
    lo, hi = VELOCITY_RANGE
    for spec in specs:
        n = tracks.get(spec.name)
        if n is None or not len(n):
            continue
        on, du, pitch, vel = n.onset, n.duration, n.pitch, n.velocity
        keep = None
        if into in ("accent", "sting"):
            first = on < min(bar, length) - 1e-9
            if into == "accent":
                vel = vel + ACCENT_LIFT * first if first.any() else vel
            else:
                stab = on < 1e-6
                vel = vel + STING_STAB * stab - STING_DROP * (first & ~stab)
                if spec.role == "harmony":
                    du = np.where(stab, np.minimum(du, 0.5), du)
        elif into == "cut":
            on, du, keep = _enter_late(on, du, min(2.0, bar))
        elif into == "turn" and spec.role in ("bass", "counter", "percussion"):
            on, du, keep = _enter_late(on, du, min(bar, length))
        if out == "swell":
            ramp = np.minimum(np.maximum((on - (length - bar)) / bar, 0.0), 1.0)
            vel = np.where(on >= length - bar - 1e-9, vel - SWELL_DEPTH * (1 - ramp), vel)
        if vel is n.velocity and keep is None and all_within(vel, lo, hi):
            continue
        vel = np.minimum(np.maximum(np.round(vel) if vel.dtype.kind == "f" else vel, lo), hi)
        if keep is not None:
            on, du, pitch, vel = on[keep], du[keep], pitch[keep], vel[keep]
        tracks[spec.name] = notes_of(on, du, pitch, vel.astype(np.int64, copy=False),
                                     copy=False)


def _enter_late(on: np.ndarray, du: np.ndarray, at: float
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Notes starting before `at` enter at `at` instead (what is left of them; a note
    that ends before `at` is dropped): the onsets, durations and which notes stay."""
    end = on + du
    early = on < at - 1e-9
    keep = ~early | (end > at + 1e-6)
    return np.where(early, at, on), np.where(early, end - at, du), keep


def close(chords: Sequence[Chord], closing: float, length: float, key: Key) -> list[Chord]:
    """The chords with the tonic from `closing` to `length` (the final bar)."""
    kept = [c for c in chords if c.beat < closing - 1e-9]
    kept = [c if c.end <= closing + 1e-9 else Chord(c.beat, closing - c.beat, c.root,
                                                    c.pitch_classes, c.symbol, c.quality,
                                                    c.kind) for c in kept]
    quality = tonic_quality(key)
    return kept + [make_chord(max(closing, 0.0), length - max(closing, 0.0), key, key.tonic,
                              "minor" if quality == "diminished" else quality)]


def end(notes: Notes, role: str, ending: str, length: float, tail: float,
        closing: float | None) -> Notes:
    """A pitched part's notes with the ending after the out-point: a `ring` lets the final
    chord (every note sounding up to `length`) ring `tail` beats longer; a `button` gives
    every accompaniment part the notes it sounds at the out-point (or last struck in the
    final bar) again, short, on the downbeat at `length`."""
    if ending not in ("ring", "button") or closing is None or not len(notes):
        return notes
    n = notes
    if ending == "ring":
        final = np.abs(n.onset + n.duration - length) < 1e-6
        return notes_of(n.onset, np.where(final, n.duration + tail, n.duration), n.pitch,
                        n.velocity)
    last = n.onset.max()
    struck = (n.onset < length - 1e-6) & (n.onset + n.duration > length - 1e-3)
    if not struck.any():  # nothing rings to the out-point: what it struck last
        struck = np.isclose(n.onset, last) & (last >= closing - 1e-6)
    if role == "melody" or not struck.any():
        return notes  # the melody holds its last note; the button is the band's
    k = int(struck.sum())
    return notes_of(np.concatenate([n.onset, np.full(k, length)]),
                    np.concatenate([n.duration, np.full(k, 0.5)]),
                    np.concatenate([n.pitch, n.pitch[struck]]),
                    np.concatenate([n.velocity, np.minimum(n.velocity[struck] + 10, 115)]))
