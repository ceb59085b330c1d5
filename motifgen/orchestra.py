"""The instrument catalogue and range fitting (`arrange.parts` makes the tracks).

One table, `INSTRUMENTS`, feeds the CLI (`motifgen instruments`), project-file
validation, the arranger and the README. Ranges are *sounding* MIDI numbers;
GM programs are 0-based. Instruments with ``is_drum=True`` play on the GM
drum channel (index 9) and have one fixed drum key.

>>> instrument("horn").program
60
>>> fit_range(np.array([40, 43, 47]), instrument("flute")).tolist()
[64, 67, 71]
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Hashable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np
from msgspec import Struct
from msgspec.structs import replace

from .errors import MotifgenError, did_you_mean
from .score import DRUM_CHANNEL, SECTIONS, Engraving
from .theory import place_in_range

if TYPE_CHECKING:  # pragma: no cover
    pass

#: The roles a part can play in a cue, in order of importance.
ROLES: tuple[str, ...] = ("melody", "counter", "harmony", "bass", "percussion")

#: Melodic channels, in the order they are handed out (15 of them).
MELODIC_CHANNELS: tuple[int, ...] = tuple(c for c in range(16) if c != DRUM_CHANNEL)

K = TypeVar("K", bound=Hashable)


def allocate_channels(tracks: Sequence[K], drums: Collection[K],
                      together: Callable[[K], Iterable[K]]) -> dict[K, int]:
    """A MIDI channel (0-based) per track, in order: `drums` on the drum kit's, every
    other the lowest melodic channel that no track it plays `together` with already
    holds (so tracks that never sound at once may share one). When that runs out of
    channels (a long film whose cues mix many instruments), the track with the most
    channels already taken around it is placed first instead (DSatur), which needs
    fewer. A MotifgenError when the 15 melodic channels do not suffice.

    >>> allocate_channels(["a", "kit", "b"], {"kit"}, lambda t: {"a", "b"} - {t})
    {'a': 0, 'kit': 9, 'b': 1}
    >>> allocate_channels(["a", "b"], (), lambda t: ())
    {'a': 0, 'b': 0}
    """
    out: dict[K, int] = {}
    for track in tracks:
        if track in out:
            continue
        if track in drums:
            out[track] = DRUM_CHANNEL
            continue
        taken = {out[t] for t in together(track) if t in out}
        channel = next((c for c in MELODIC_CHANNELS if c not in taken), None)
        if channel is None:
            return _saturated(tracks, drums, together)
        out[track] = channel
    return out


def _saturated(tracks: Sequence[K], drums: Collection[K],
               together: Callable[[K], Iterable[K]]) -> dict[K, int]:
    """DSatur colouring of the melodic tracks (ties: most melodic neighbours, then the
    order given)."""
    out: dict[K, int] = {t: DRUM_CHANNEL for t in tracks if t in drums}
    left = [t for t in dict.fromkeys(tracks) if t not in drums]
    near = {t: set(together(t)) - set(drums) - {t} for t in left}
    while left:
        track = max(left, key=lambda t: (len({out[s] for s in near[t] if s in out}),
                                         len(near[t])))  # max keeps the first of equals
        left.remove(track)
        taken = {out[s] for s in near[track] if s in out}
        channel = next((c for c in MELODIC_CHANNELS if c not in taken), None)
        if channel is None:
            raise MotifgenError(f"more than {len(MELODIC_CHANNELS)} melodic parts would play "
                                "at once; list fewer instruments in the scenes' moods")
        out[track] = channel
    return out


class Instrument(Struct, frozen=True):
    """One catalogue entry.

    `low`/`high`: full sounding range; `comfortable`: the range a melody sits
    well in (None when the full range is fine); `transposition`: semitones from
    written to sounding pitch for notation (clarinet -2: sounds a tone lower
    than written); `drum_key`: GM drum-kit key for drum-channel instruments.
    """

    name: str
    program: int
    low: int
    high: int
    comfortable: tuple[int, int] | None
    family: str
    roles: tuple[str, ...]
    display: str
    music21_class: str
    transposition: int = 0
    is_drum: bool = False
    drum_key: int | None = None
    #: the abbreviated name a score prints on every system after the first
    abbreviation: str = ""
    #: clefs a copyist writes the instrument in, preferred first ("grand": two staves,
    #: treble over bass); empty: treble or bass by the part's range
    clefs: tuple[str, ...] = ()
    #: the name of a score's first system where `display` is short (Violins I)
    full: str = ""

    @property
    def engraving(self) -> Engraving:
        """What a writer prints for the instrument (carried by its `Part`)."""
        return Engraving(self.display, self.abbreviation, self.transposition, self.clefs,
                         self.music21_class, SECTION_OF[self.name], ORDER.index(self.name),
                         self.full)

    def melody_range(self) -> tuple[int, int]:
        """The comfortable range if there is one, else the full range."""
        return self.comfortable or (self.low, self.high)


_MEL = ("melody", "counter")
_ALL_PITCHED = ("melody", "counter", "harmony", "bass")


def _i(name, program, low, high, comfortable, family, roles, display, m21, transposition=0):
    return Instrument(name, program, low, high, comfortable, family, tuple(roles), display, m21,
                      transposition)


def _drum(name: str, key: int, display: str, m21: str) -> Instrument:
    return Instrument(name, 0, key, key, None, "percussion", ("percussion",), display, m21,
                      0, True, key)


#: The catalogue. Sounding ranges and 0-based GM programs from REFERENCE §6.
INSTRUMENTS: dict[str, Instrument] = {
    i.name: i
    for i in (
        _i("piccolo", 72, 74, 108, (81, 105), "woodwind", _MEL, "Piccolo", "Piccolo", 12),
        _i("flute", 73, 60, 96, (62, 93), "woodwind", _MEL + ("harmony",), "Flute", "Flute"),
        _i("oboe", 68, 58, 93, (62, 86), "woodwind", _MEL + ("harmony",), "Oboe", "Oboe"),
        _i("english_horn", 69, 52, 84, (55, 79), "woodwind", _MEL + ("harmony",),
           "English Horn", "EnglishHorn", -7),
        _i("clarinet", 71, 50, 94, (52, 84), "woodwind", _MEL + ("harmony",),
           "Clarinet in Bb", "Clarinet", -2),
        _i("bassoon", 70, 34, 76, (36, 72), "woodwind", _ALL_PITCHED, "Bassoon", "Bassoon"),
        _i("horn", 60, 35, 77, (53, 74), "brass", _MEL + ("harmony",), "Horn in F", "Horn", -7),
        _i("trumpet", 56, 52, 84, (55, 79), "brass", _MEL + ("harmony",),
           "Trumpet in Bb", "Trumpet", -2),
        _i("trombone", 57, 40, 77, (45, 65), "brass", _ALL_PITCHED, "Trombone", "Trombone"),
        _i("tuba", 58, 26, 65, (29, 60), "brass", ("melody", "bass"), "Tuba", "Tuba"),
        _i("brass", 61, 34, 84, None, "brass", _ALL_PITCHED, "Brass Section", "BrassInstrument"),
        # the brass section's chorale in real parts (program: the instrument's own patch)
        _i("brass_horns", 60, 35, 77, (53, 74), "brass", ("harmony",), "Hn 1-2", "Horn", -7),
        _i("brass_trombones", 57, 40, 77, (45, 65), "brass", ("harmony",), "Tbn 1-2",
           "Trombone"),
        _i("timpani", 47, 38, 60, None, "percussion", ("percussion", "bass"),
           "Timpani", "Timpani"),
        _i("harp", 46, 24, 103, None, "plucked", _ALL_PITCHED, "Harp", "Harp"),
        _i("celesta", 8, 60, 108, None, "keyboard", _MEL + ("harmony",),
           "Celesta", "Celesta", 12),
        _i("glockenspiel", 9, 79, 108, None, "percussion", _MEL, "Glockenspiel",
           "Glockenspiel", 24),
        _i("xylophone", 13, 65, 108, None, "percussion", _MEL, "Xylophone", "Xylophone", 12),
        _i("violin", 40, 55, 105, (55, 88), "strings", _MEL + ("harmony",), "Violin", "Violin"),
        _i("viola", 41, 48, 88, (48, 72), "strings", _MEL + ("harmony",), "Viola", "Viola"),
        _i("cello", 42, 36, 81, (50, 69), "strings", _ALL_PITCHED, "Violoncello", "Violoncello"),
        _i("contrabass", 43, 28, 67, (28, 50), "strings", ("bass", "harmony"),
           "Contrabass", "Contrabass", -12),
        _i("strings", 48, 28, 96, None, "strings", _ALL_PITCHED, "Strings", "StringInstrument"),
        _i("tremolo_strings", 44, 28, 96, None, "strings", ("harmony", "bass"),
           "Strings (tremolo)", "StringInstrument"),
        _i("pizzicato_strings", 45, 28, 96, None, "strings", ("harmony", "bass"),
           "Strings (pizz.)", "StringInstrument"),
        # string sections of the ensemble, each its own track (program: the ensemble patch)
        _i("strings_vln1", 48, 55, 105, (55, 88), "strings", _MEL + ("harmony",), "Vln I",
           "Violin"),
        _i("strings_vln2", 48, 55, 100, (55, 84), "strings", _MEL + ("harmony",), "Vln II",
           "Violin"),
        _i("strings_vla", 48, 48, 88, (48, 72), "strings", _MEL + ("harmony",), "Vla", "Viola"),
        _i("strings_vc", 48, 36, 81, (50, 69), "strings", _ALL_PITCHED, "Vc", "Violoncello"),
        _i("strings_cb", 48, 28, 67, (28, 50), "strings", ("bass", "harmony"), "Cb",
           "Contrabass", -12),
        _i("choir", 52, 40, 81, None, "voices", ("melody", "harmony"), "Choir", "Choir"),
        _i("piano", 0, 21, 108, None, "keyboard", _ALL_PITCHED, "Piano", "Piano"),
        _drum("taiko", 35, "Taiko", "Taiko"),
        _drum("bass_drum", 36, "Bass Drum", "BassDrum"),
        _drum("snare_drum", 38, "Snare Drum", "SnareDrum"),
        _drum("cymbal", 49, "Crash Cymbals", "CrashCymbals"),
        _drum("suspended_cymbal", 51, "Suspended Cymbal", "SuspendedCymbal"),
        _drum("tam_tam", 52, "Tam-tam", "TamTam"),
        _drum("drums", 36, "Percussion", "UnpitchedPercussion"),
    )
}

#: Notation per instrument: (abbreviation, clefs in order of preference).
NOTATION: dict[str, tuple[str, tuple[str, ...]]] = {
    "piccolo": ("Picc.", ("treble",)), "flute": ("Fl.", ("treble",)),
    "oboe": ("Ob.", ("treble",)), "english_horn": ("E.H.", ("treble",)),
    "clarinet": ("Cl.", ("treble",)), "bassoon": ("Bsn.", ("bass", "tenor")),
    "horn": ("Hn.", ("treble", "bass")), "trumpet": ("Tpt.", ("treble",)),
    "trombone": ("Tbn.", ("bass", "tenor")), "tuba": ("Tba.", ("bass",)),
    "brass": ("Br.", ("treble", "bass")), "brass_horns": ("Hn. 1-2", ("treble", "bass")),
    "brass_trombones": ("Tbn. 1-2", ("bass", "tenor")), "timpani": ("Timp.", ("bass",)),
    "harp": ("Hp.", ("grand",)), "celesta": ("Cel.", ("grand",)),
    "glockenspiel": ("Glk.", ("treble",)), "xylophone": ("Xyl.", ("treble",)),
    "violin": ("Vln.", ("treble",)), "viola": ("Vla.", ("alto", "treble")),
    "cello": ("Vc.", ("bass", "tenor", "treble")), "contrabass": ("Cb.", ("bass",)),
    "strings": ("Str.", ("treble", "bass")), "tremolo_strings": ("Str.", ("treble", "bass")),
    "pizzicato_strings": ("Str.", ("treble", "bass")),
    "strings_vln1": ("Vln. I", ("treble",)), "strings_vln2": ("Vln. II", ("treble",)),
    "strings_vla": ("Vla.", ("alto", "treble")),
    "strings_vc": ("Vc.", ("bass", "tenor", "treble")), "strings_cb": ("Cb.", ("bass",)),
    "choir": ("Ch.", ("grand",)), "piano": ("Pno.", ("grand",)),
    "taiko": ("Taiko", ()), "bass_drum": ("B.D.", ()), "snare_drum": ("S.D.", ()),
    "cymbal": ("Cym.", ()), "suspended_cymbal": ("Sus. Cym.", ()), "tam_tam": ("T.-t.", ()),
    "drums": ("Perc.", ()),
}
#: The string sections' names in full, for the first system of a score.
FULL_NAMES: dict[str, str] = {"strings_vln1": "Violins I", "strings_vln2": "Violins II",
                              "strings_vla": "Violas", "strings_vc": "Cellos",
                              "strings_cb": "Basses"}
INSTRUMENTS = {name: replace(inst, abbreviation=NOTATION[name][0], clefs=NOTATION[name][1],
                             full=FULL_NAMES.get(name, ""))
               for name, inst in INSTRUMENTS.items()}

#: The score's sections, top to bottom, with their instruments in score order.
SCORE_ORDER: tuple[tuple[str, tuple[str, ...]], ...] = tuple(zip(SECTIONS, (
    ("piccolo", "flute", "oboe", "english_horn", "clarinet", "bassoon"),  # woodwinds
    ("horn", "brass_horns", "trumpet", "trombone", "brass_trombones", "tuba", "brass"),  # brass
    ("timpani", "drums", "taiko", "bass_drum", "snare_drum", "cymbal",  # percussion
     "suspended_cymbal", "tam_tam", "glockenspiel", "xylophone"),
    ("harp", "celesta", "piano"),  # keys and harp
    ("choir",),
    ("strings_vln1", "violin", "strings_vln2", "strings_vla", "viola",  # strings
     "strings_vc", "cello", "strings_cb", "contrabass", "strings",
     "tremolo_strings", "pizzicato_strings"),
), strict=True))
#: Section of each instrument (the stems follow it).
SECTION_OF: dict[str, str] = {i: s for s, names in SCORE_ORDER for i in names}
#: Instruments in score order.
ORDER: tuple[str, ...] = tuple(i for _, names in SCORE_ORDER for i in names)

#: Other spellings users write in project files.
ALIASES: dict[str, str] = {
    "french_horn": "horn", "horns": "horn", "cor_anglais": "english_horn",
    "trumpets": "trumpet", "trombones": "trombone", "violins": "violin",
    "violas": "viola", "cellos": "cello", "violoncello": "cello", "double_bass": "contrabass",
    "bass": "contrabass", "basses": "contrabass", "string_ensemble": "strings",
    "brass_section": "brass", "choir_aahs": "choir", "tremolo": "tremolo_strings",
    "pizzicato": "pizzicato_strings", "pizz": "pizzicato_strings", "cymbals": "cymbal",
    "gong": "tam_tam", "tamtam": "tam_tam", "kit": "drums",
}


def canonical_name(name: str) -> str:
    """Catalogue name for `name` (case-insensitive; spaces or hyphens allowed)."""
    key = str(name).strip().lower().replace(" ", "_").replace("-", "_")
    key = ALIASES.get(key, key)
    if key not in INSTRUMENTS:
        raise MotifgenError(
            f"unknown instrument {name!r}; expected one of: {', '.join(sorted(INSTRUMENTS))}"
            + did_you_mean(key, [*INSTRUMENTS, *ALIASES]))
    return key


def instrument(name: str) -> Instrument:
    """The catalogue entry for `name` (MotifgenError listing the names if unknown)."""
    return INSTRUMENTS[canonical_name(name)]


def engraving_of(name: str) -> Engraving | None:
    """The engraving of the catalogue instrument `name`, or None for a name outside
    the catalogue (a click track, a condensed score's melody staff)."""
    try:
        return instrument(name).engraving
    except MotifgenError:
        return None


def fit_range(
    pitches: np.ndarray | Sequence[int], inst: Instrument | str, comfortable: bool = False
) -> np.ndarray:
    """Move `pitches` into the instrument's range by whole octaves, never by clipping.

    First the whole line moves by the octave shift that leaves the fewest notes
    outside (then the smallest shift), so the contour survives; any note still
    outside is folded by octaves to the nearest octave inside. Every result has
    the pitch class of its input. Drum instruments return the input unchanged.

    >>> fit_range([50, 55, 62, 74], "violin").tolist()
    [62, 67, 74, 86]
    >>> fit_range([60, 84], "flute", comfortable=True).tolist()
    [72, 84]
    """
    inst = instrument(inst) if isinstance(inst, str) else inst
    arr = np.asarray(pitches, dtype=np.int64).reshape(-1)
    if inst.is_drum or len(arr) == 0:
        return arr.copy()
    lo, hi = inst.melody_range() if comfortable else (inst.low, inst.high)
    try:
        return place_in_range(arr, lo, hi, keep_octave=True)
    except MotifgenError as e:
        raise MotifgenError(f"{inst.name}: {e.message}; cannot fit by octaves") from e


def instrument_table() -> list[dict[str, Any]]:
    """One row per instrument for `motifgen instruments` and the README."""
    rows = []
    for inst in INSTRUMENTS.values():
        rows.append({
            "name": inst.name,
            "program": inst.program,
            "range": f"{inst.low}-{inst.high}" if not inst.is_drum else f"key {inst.drum_key}",
            "comfortable": f"{inst.comfortable[0]}-{inst.comfortable[1]}"
            if inst.comfortable else "",
            "family": inst.family,
            "roles": ", ".join(inst.roles),
            "transposition": inst.transposition,
            "channel": "10 (drums)" if inst.is_drum else "",
            "display": inst.display,
        })
    return rows
