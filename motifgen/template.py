"""One orchestral template for the whole film: every cue's tracks in score order.

A film composer loads every cue into the same DAW template, so each cue's MIDI
must have the same tracks, names, channels, seating pan and CC7 balance. A
*slot* is one job of one instrument (the horn's tune, the horn's counter-line,
the violas' harmony); the film's template is every slot any cue uses, in
score order (`SCORE_ORDER`: woodwinds, brass, percussion, keys and harp,
choir, strings; within an instrument `JOBS` order).

Channels: the GM drum kit plays on channel 10; the other slots take the 15
melodic channels, and two slots share one only when no cue of the film plays
both (so every cue still plays right on one 16-channel synth, and a slot keeps
its channel in every cue). The guide chord track takes a channel of its own.
A film whose slots cannot be coloured into 15 channels is refused with a
clear line (list fewer instruments in the moods); when all 15 are taken the
guide chord track is left out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from .arrange.parts import DISPLAY
from .articulations import ArticulationMap
from .errors import MotifgenError
from .motif import Notes
from .orchestra import DRUM_CHANNEL, INSTRUMENTS, MELODIC_CHANNELS
from .score import Part, Score

#: The score's sections, top to bottom, with their instruments in score order.
SCORE_ORDER: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("woodwinds", ("piccolo", "flute", "oboe", "english_horn", "clarinet", "bassoon")),
    ("brass", ("horn", "brass_horns", "trumpet", "trombone", "brass_trombones", "tuba",
               "brass")),
    ("percussion", ("timpani", "drums", "taiko", "bass_drum", "snare_drum", "cymbal",
                    "suspended_cymbal", "tam_tam", "glockenspiel", "xylophone")),
    ("keys and harp", ("harp", "celesta", "piano")),
    ("choir", ("choir",)),
    ("strings", ("strings_vln1", "violin", "strings_vln2", "strings_vla", "viola",
                 "strings_vc", "cello", "strings_cb", "contrabass", "strings",
                 "tremolo_strings", "pizzicato_strings")),
)
#: Section of each instrument (the stems follow it).
SECTION_OF: dict[str, str] = {i: s for s, names in SCORE_ORDER for i in names}
#: Instruments in score order.
ORDER: tuple[str, ...] = tuple(i for _, names in SCORE_ORDER for i in names)
#: An instrument's jobs in the order their tracks follow each other.
JOBS: tuple[str, ...] = ("melody", "doubling", "counter", "harmony", "bass", "percussion")
#: Seating pan (CC10, 64 = centre) of a standard American seating: first violins far
#: left, seconds left, violas and cellos right of centre, basses right; horns left,
#: trumpets and trombones right; woodwinds near the middle; harp and celesta left.
PAN: dict[str, int] = {
    "piccolo": 58, "flute": 56, "oboe": 70, "english_horn": 72, "clarinet": 60,
    "bassoon": 74, "horn": 42, "trumpet": 82, "trombone": 90, "tuba": 98, "brass": 80,
    "brass_horns": 46, "brass_trombones": 92,
    "timpani": 54, "drums": 70, "taiko": 60, "bass_drum": 72, "snare_drum": 68,
    "cymbal": 76, "suspended_cymbal": 76, "tam_tam": 78, "glockenspiel": 50,
    "xylophone": 52, "harp": 30, "celesta": 36, "piano": 40, "choir": 64,
    "strings_vln1": 24, "violin": 30, "strings_vln2": 40, "strings_vla": 76, "viola": 76,
    "strings_vc": 88, "cello": 88, "strings_cb": 100, "contrabass": 100, "strings": 64,
    "tremolo_strings": 64, "pizzicato_strings": 64,
}
#: The guide chord track: its name and CC7 (0: it is there to be seen, never heard
#: until you raise it).
GUIDE_NAME, GUIDE_VOLUME = "Chords (guide)", 0

Slot = tuple[str, str, int]  # (instrument, job, desk: 1 unless a cue has it twice)


@dataclass(frozen=True)
class Track:
    """One track of the film's template."""

    slot: Slot
    name: str
    section: str
    channel: int
    pan: int
    volume: int
    program: int
    role: str
    is_drum: bool

    def silent_part(self) -> Part:
        """The track as a part with no notes (a silent track of a full template)."""
        return Part(name=self.name, instrument=self.slot[0], program=self.program,
                    role=self.role, notes=Notes([], [], [], []), channel=self.channel,
                    is_drum=self.is_drum, volume=self.volume, pan=self.pan, job=self.slot[1])


@dataclass(frozen=True)
class Template:
    """The film's tracks in score order; `full`: cues keep silent tracks for the slots
    they do not play; `guide_channel`: the guide chord track's channel (0-based; None
    when every melodic channel plays in some cue together with every other);
    `articulations`: the sample library's articulation map (None: none sent)."""

    tracks: tuple[Track, ...]
    guide_channel: int | None
    full: bool = False
    articulations: ArticulationMap | None = None

    def track(self, slot: Slot) -> Track:
        return next(t for t in self.tracks if t.slot == slot)


def job_of(part: Part) -> str:
    """The job a part does: its role, or "doubling" for a melody's octave doubling (the
    arranger names those "... (doubling)"); once placed, the job the template gave it."""
    if part.job:
        return part.job
    return "doubling" if part.role == "melody" and part.name.endswith("(doubling)") else part.role


def slots_of(score: Score) -> list[tuple[Slot, Part]]:
    """Each part of a cue with its slot; a second part with the same instrument and job
    in one cue is desk 2."""
    seen: dict[tuple[str, str], int] = {}
    out = []
    for part in score.parts:
        key = (part.instrument, job_of(part))
        seen[key] = seen.get(key, 0) + 1
        out.append(((*key, seen[key]), part))
    return out


def _order(slot: Slot) -> tuple[int, int, int]:
    instrument, job, desk = slot
    return ORDER.index(instrument), JOBS.index(job), desk


def _names(slots: Sequence[Slot]) -> dict[Slot, str]:
    """Track names: the instrument's name for its first job in the film, the job in
    brackets for the others ("Horn in F (counter)"), a desk number after a second desk."""
    first: dict[str, str] = {}
    out = {}
    for instrument, job, desk in slots:
        first.setdefault(instrument, job)
        base = DISPLAY.get(instrument, INSTRUMENTS[instrument].display)
        name = base if job == first[instrument] else f"{base} ({job})"
        out[(instrument, job, desk)] = name if desk == 1 else f"{name} {desk}"
    return out


def _channels(slots: Sequence[Slot], drums: set[Slot],
              together: dict[Slot, set[Slot]]) -> dict[Slot, int]:
    """Greedy colouring in score order: the lowest melodic channel no slot played in the
    same cue already holds. When that runs out of channels (a long film whose cues
    mix many instruments), the slot with the most channels already taken around it is
    coloured first instead (DSatur), which needs fewer."""
    out = {slot: DRUM_CHANNEL for slot in slots if slot in drums}
    melodic = [slot for slot in slots if slot not in drums]
    order = iter(melodic)
    while len(out) < len(slots):
        slot = next(order, None)
        if slot is None or (taken := {out[s] for s in together[slot] if s in out}) >= set(
                MELODIC_CHANNELS):
            return _saturated(melodic, drums, together)
        out[slot] = min(c for c in MELODIC_CHANNELS if c not in taken)
    return out


def _saturated(melodic: Sequence[Slot], drums: set[Slot],
               together: dict[Slot, set[Slot]]) -> dict[Slot, int]:
    """DSatur colouring of the melodic slots (ties: most neighbours, then score order)."""
    out: dict[Slot, int] = {slot: DRUM_CHANNEL for slot in drums}
    left = list(melodic)
    while left:
        def saturation(slot: Slot) -> tuple[int, int]:
            return (len({out[s] for s in together[slot] if s in out and s not in drums}),
                    len(together[slot] - drums))

        slot = max(left, key=saturation)  # max keeps the first of equals: score order
        left.remove(slot)
        free = [c for c in MELODIC_CHANNELS if c not in {out.get(s) for s in together[slot]}]
        if not free:
            raise MotifgenError("the film's template needs more than 15 melodic channels at "
                                "once; list fewer instruments in the scenes' moods")
        out[slot] = free[0]
    return out


def film_template(scores: Sequence[Score], full: bool = False,
                  articulations: ArticulationMap | None = None) -> Template:
    """The template of a film from all of its composed cues (not only the ones written,
    so a cue's file never depends on which others were asked for)."""
    parts: dict[Slot, Part] = {}
    together: dict[Slot, set[Slot]] = {}
    for score in scores:
        cue = slots_of(score)
        for slot, part in cue:
            parts.setdefault(slot, part)
            together.setdefault(slot, set()).update(s for s, _ in cue if s != slot)
    slots = sorted(parts, key=_order)
    drums = {s for s in slots if parts[s].is_drum}
    chan = _channels(slots, drums, together)
    names = _names(slots)
    tracks = tuple(Track(s, names[s], SECTION_OF[s[0]], chan[s], PAN[s[0]], parts[s].volume,
                         parts[s].program, parts[s].role, parts[s].is_drum) for s in slots)
    used = set(chan[s] for s in slots if s not in drums)
    guide = next((c for c in MELODIC_CHANNELS if c not in used), None)
    return Template(tracks, guide, full, articulations)


def fit(score: Score, template: Template) -> Score:
    """The cue on the film's template: its parts in score order with the template's
    names, channels, pan and CC7 (their notes, programs and curves unchanged). The
    plan's parts keep the arranger's order (the lead first) with the new names and
    channels, and list the guide chord track."""
    placed, planned = [], []
    plan_parts = score.plan.get("parts", [])
    for k, (slot, part) in enumerate(slots_of(score)):
        t = template.track(slot)
        placed.append((template.tracks.index(t),
                       replace(part, name=t.name, channel=t.channel, pan=t.pan,
                               volume=t.volume, job=slot[1])))
        if k < len(plan_parts):
            planned.append({**plan_parts[k], "name": t.name, "channel": t.channel + 1,
                            "pan": t.pan, "volume": t.volume, "section": t.section})
    if template.guide_channel is not None:
        guide = guide_part(score, template.guide_channel)
        planned.append({"name": guide.name, "instrument": guide.instrument, "role": guide.role,
                        "program": guide.program, "channel": guide.channel + 1,
                        "notes": len(guide.notes), "pan": guide.pan, "volume": guide.volume,
                        "section": "guide"})
    plan = {**score.plan, "parts": planned} if plan_parts else score.plan
    return replace(score, parts=tuple(p for _, p in sorted(placed, key=lambda x: x[0])),
                   plan=plan)


def silent_tracks(score: Score, template: Template) -> list[tuple[int, Track]]:
    """With a full template: the template tracks the cue does not play, with their place
    (index in the template)."""
    if not template.full:
        return []
    played = {s for s, _ in slots_of(score)}
    return [(i, t) for i, t in enumerate(template.tracks) if t.slot not in played]


#: Where the guide chords sit: the root in the octave from this MIDI note up, the other
#: chord tones stacked closely above it.
GUIDE_ROOT_FLOOR, GUIDE_VELOCITY = 48, 64


def guide_notes(chords: Sequence[dict]) -> Notes:
    """Block chords, one per chord of the plan (`beat`, `beats`, `pitch_classes` with the
    root first): root from `GUIDE_ROOT_FLOOR` up, each next tone the nearest above.

    >>> guide_notes([{"beat": 0.0, "beats": 2.0, "pitch_classes": [2, 5, 9]}]).pitch.tolist()
    [50, 53, 57]
    """
    rows = []
    for c in chords:
        pcs = [int(p) for p in c["pitch_classes"]]
        if not pcs or c["beats"] <= 0:
            continue
        pitch = GUIDE_ROOT_FLOOR + (pcs[0] - GUIDE_ROOT_FLOOR) % 12
        for k, pc in enumerate(pcs):
            if k:
                pitch += (pc - pitch) % 12 or 12
            rows.append((float(c["beat"]), float(c["beats"]), pitch, GUIDE_VELOCITY))
    rows.sort()
    return Notes.from_rows(rows)


def guide_part(score: Score, channel: int) -> Part:
    """The plan's chords as the `Chords (guide)` track (piano patch, CC7 `GUIDE_VOLUME`)."""
    chords = [c for s in score.plan.get("sections", ()) for c in s.get("chords", ())]
    return Part(name=GUIDE_NAME, instrument="piano", program=0, role="guide",
                notes=guide_notes(chords), channel=channel, volume=GUIDE_VOLUME, pan=64)
