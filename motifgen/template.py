"""One orchestral template for the whole film: every cue's tracks in score order.

A film composer loads every cue into the same DAW template, so each cue's MIDI
must have the same tracks, names, channels, seating pan and CC7 balance. A
*slot* is one job of one instrument (the horn's tune, the horn's counter-line,
the violas' harmony); the film's template is every slot any cue uses, in
score order (`orchestra.SCORE_ORDER`: woodwinds, brass, percussion, keys and harp,
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

from msgspec import Struct
from msgspec.structs import replace

from .arrange.parts import DISPLAY
from .articulations import ArticulationMap, changes
from .motif import Notes
from .orchestra import (
    INSTRUMENTS,
    MELODIC_CHANNELS,
    ORDER,
    SECTION_OF,
    allocate_channels,
    engraving_of,
)
from .score import ChordRow, Engraving, Part, PartRow, Score

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


class Track(Struct, frozen=True):
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
    desk: Desk

    def engraving(self) -> Engraving | None:
        """The instrument's engraving with the track's score names."""
        entry = engraving_of(self.slot[0])
        return entry and replace(entry, display=self.desk.full, abbreviation=self.desk.short)

    def silent_part(self) -> Part:
        """The track as a part with no notes (a silent track of a full template)."""
        return Part(name=self.name, instrument=self.slot[0], program=self.program,
                    role=self.role, notes=Notes.from_rows([]), channel=self.channel,
                    is_drum=self.is_drum, volume=self.volume, pan=self.pan, job=self.slot[1],
                    engraving=self.engraving(), silent=True)


class Template(Struct, frozen=True):
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


def slots_of(score: Score) -> list[tuple[Slot, Part]]:
    """Each part of a cue with its slot; a second part with the same instrument and job
    in one cue is desk 2."""
    seen: dict[tuple[str, str], int] = {}
    out = []
    for part in score.parts:
        key = (part.instrument, part.duty)
        seen[key] = seen.get(key, 0) + 1
        out.append(((*key, seen[key]), part))
    return out


def _order(slot: Slot) -> tuple[int, int, int]:
    instrument, job, desk = slot
    return ORDER.index(instrument), JOBS.index(job), desk


#: Instruments whose tracks are named with another's: a chorale's horns are horns, a
#: tune on the violin is the first violins', a bass line on the contrabass the basses'.
PLAYS_AS: dict[str, str] = {"brass_horns": "horn", "brass_trombones": "trombone",
                            "violin": "strings_vln1", "viola": "strings_vla",
                            "cello": "strings_vc", "contrabass": "strings_cb"}
#: Players a track of these takes (a chorale's pair); any other takes one.
PLAYERS: dict[str, int] = {"brass_horns": 2, "brass_trombones": 2}
#: Desk names the catalogue's abbreviation (without its dots) does not give.
DESKS: dict[str, str] = {"tremolo_strings": "Str trem", "pizzicato_strings": "Str pizz"}
#: Tracks that are a section, not numbered players: a second job is named in brackets.
SECTIONS = frozenset({"strings_vln1", "strings_vln2", "strings_vla", "strings_vc",
                      "strings_cb", "strings", "tremolo_strings", "pizzicato_strings",
                      "choir", "drums"})


class Desk(Struct, frozen=True):
    """A track's names: `name` on the DAW track ("Hn 3-4"), `full` and `short` on the
    score's first and later systems ("Horn in F 3-4", "Hn. 3-4")."""

    name: str
    full: str
    short: str


def desk_of(instrument: str) -> Desk:
    """An instrument's desk names before numbering: "Hn", "Horn in F", "Hn."."""
    entry = INSTRUMENTS[PLAYS_AS.get(instrument, instrument)]
    if entry.name in DISPLAY:  # the choir, named for its sound: "Choir (aah)"
        return Desk(DISPLAY[entry.name], DISPLAY[entry.name], entry.abbreviation)
    name = DESKS.get(entry.name, entry.abbreviation.replace(".", ""))
    return Desk(name, entry.full or entry.display, entry.abbreviation or name)


def desks(slots: Sequence[Slot]) -> dict[Slot, Desk]:
    """Desk names in the order of `slots`: the players of an instrument numbered through
    the film (melody Hn 1, counter-line Hn 2, a chorale pair Hn 3-4; one player alone
    unnumbered: Tba), a section by its name with its second job on in brackets (the
    cellos' harmony Vc, a tune on the cello Vc (melody), its bass line Vc (bass)).

    >>> [d.name for d in desks([("horn", "melody", 1), ("horn", "counter", 1),
    ...                         ("brass_horns", "harmony", 1), ("tuba", "bass", 1),
    ...                         ("strings_vc", "harmony", 1), ("cello", "bass", 1)]).values()]
    ['Hn 1', 'Hn 2', 'Hn 3-4', 'Tba', 'Vc', 'Vc (bass)']
    """
    groups: dict[str, list[Slot]] = {}
    for slot in slots:
        groups.setdefault(PLAYS_AS.get(slot[0], slot[0]), []).append(slot)
    out: dict[Slot, Desk] = {}
    for group, members in groups.items():
        total, first = sum(PLAYERS.get(s[0], 1) for s in members), 1
        for k, slot in enumerate(members):
            base, n = desk_of(slot[0]), PLAYERS.get(slot[0], 1)
            if group in SECTIONS:
                tag = f" ({slot[1]})" if k else ""
                tag += f" {slot[2]}" if slot[2] > 1 else ""
                out[slot] = Desk(base.name + tag, base.full + tag, base.short + tag)
                continue
            number = "" if total == 1 else f" {first}" + (f"-{first + n - 1}" if n > 1 else "")
            out[slot] = Desk(base.name + number, base.full + number, base.short + number)
            first += n
    return out


#: What the film's template takes from one part of a cue: its slot, CC7, program, role
#: and whether it is a drum track.
Played = tuple[Slot, int, int, str, bool]


def played(score: Score) -> tuple[Played, ...]:
    """What the film's template takes from each part of a cue (`slots_of`), in its order:
    all a cue adds to the template, so a cue composed before can be counted in without
    being composed again (`compose.compose_film` keeps these in the cache)."""
    return tuple((slot, part.volume, part.program, part.role, part.is_drum)
                 for slot, part in slots_of(score))


def film_template(scores: Sequence[Score], full: bool = False,
                  articulations: ArticulationMap | None = None) -> Template:
    """The template of a film from all of its composed cues (not only the ones written,
    so a cue's file never depends on which others were asked for)."""
    return template_of([played(score) for score in scores], full, articulations)


def template_of(cues: Sequence[Sequence[Played]], full: bool = False,
                articulations: ArticulationMap | None = None) -> Template:
    """The film's template from what each of its cues plays (`played`), in film order."""
    first: dict[Slot, Played] = {}
    together: dict[Slot, set[Slot]] = {}
    for cue in cues:
        for entry in cue:
            slot = entry[0]
            first.setdefault(slot, entry)
            together.setdefault(slot, set()).update(e[0] for e in cue if e[0] != slot)
    slots = sorted(first, key=_order)
    drums = {s for s in slots if first[s][4]}
    chan = allocate_channels(slots, drums, lambda slot: together[slot])
    named = desks(slots)
    tracks = tuple(Track(s, named[s].name, SECTION_OF[s[0]], chan[s], PAN[s[0]],
                         *first[s][1:], named[s])  # volume, program, role, is_drum
                   for s in slots)
    used = set(chan[s] for s in slots if s not in drums)
    guide = next((c for c in MELODIC_CHANNELS if c not in used), None)
    return Template(tracks, guide, full, articulations)


def fit(score: Score, template: Template) -> Score:
    """The cue on the film's template: its parts in score order with the template's
    names, channels, pan and CC7 (their notes, programs and curves unchanged). The
    plan's parts keep the arranger's order (the lead first) with the new names and
    channels, and list the guide chord track."""
    placed, planned = [], []
    plan_parts = score.plan.parts
    for k, (slot, part) in enumerate(slots_of(score)):
        t = template.track(slot)
        placed.append((template.tracks.index(t),
                       replace(part, name=t.name, channel=t.channel, pan=t.pan,
                               volume=t.volume, job=slot[1], engraving=t.engraving())))
        if k < len(plan_parts):
            planned.append(replace(plan_parts[k], name=t.name, channel=t.channel + 1,
                                   pan=t.pan, volume=t.volume, section=t.section))
    if template.guide_channel is not None:
        guide = guide_part(score, template.guide_channel)
        planned.append(PartRow(guide.name, guide.instrument, guide.role, guide.program,
                               guide.channel + 1, len(guide.notes), guide.pan, guide.volume,
                               "guide"))
    plan = replace(score.plan, parts=tuple(planned)) if plan_parts else score.plan
    return replace(score, parts=tuple(p for _, p in sorted(placed, key=lambda x: x[0])),
                   plan=plan)


def dress(score: Score, template: Template, full: bool | None = None) -> Score:
    """A cue placed by `fit` as its MIDI file's tracks: its parts with the messages of the
    template's articulation map (`Part.switches`), on a full template (`full`; None: the
    template's own) also the silent tracks of the slots it does not play in their
    places, and the guide chords last. The MIDI writer and the reel (every cue dressed
    full) write these tracks as they are."""
    amap = template.articulations
    parts = [replace(p, switches=tuple(changes(p, amap))) if amap is not None else p
             for p in score.parts]
    if template.full if full is None else full:
        played = {s for s, _ in slots_of(score)}
        for index, t in enumerate(template.tracks):
            if t.slot not in played:
                parts.insert(index, t.silent_part())
    if template.guide_channel is not None:
        parts.append(guide_part(score, template.guide_channel))
    return replace(score, parts=tuple(parts))


#: Where the guide chords sit: the root in the octave from this MIDI note up, the other
#: chord tones stacked closely above it.
GUIDE_ROOT_FLOOR, GUIDE_VELOCITY = 48, 64


def guide_notes(chords: Sequence[ChordRow]) -> Notes:
    """Block chords, one per chord of the plan (its pitch classes with the root first):
    root from `GUIDE_ROOT_FLOOR` up, each next tone the nearest above.

    >>> guide_notes([ChordRow(0.0, 2.0, "ii", (2, 5, 9), "diatonic")]).pitch.tolist()
    [50, 53, 57]
    """
    rows = []
    for c in chords:
        pcs = [int(p) for p in c.pitch_classes]
        if not pcs or c.beats <= 0:
            continue
        pitch = GUIDE_ROOT_FLOOR + (pcs[0] - GUIDE_ROOT_FLOOR) % 12
        for k, pc in enumerate(pcs):
            if k:
                pitch += (pc - pitch) % 12 or 12
            rows.append((float(c.beat), float(c.beats), pitch, GUIDE_VELOCITY))
    rows.sort()
    return Notes.from_rows(rows)


def guide_part(score: Score, channel: int) -> Part:
    """The plan's chords as the `Chords (guide)` track (piano patch, CC7 `GUIDE_VOLUME`)."""
    chords = [c for s in score.plan.sections for c in s.chords]
    return Part(name=GUIDE_NAME, instrument="piano", program=0, role="guide",
                notes=guide_notes(chords), channel=channel, volume=GUIDE_VOLUME, pan=64,
                engraving=engraving_of("piano"))
