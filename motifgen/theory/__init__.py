"""Music theory the rest of motifgen stands on: no motif, score or project here.

`scales` (modes, `Key`, scale degrees), `pitch` (note names, the one speller,
octave folding), `meter` (bars, beats, strong beats, the beat tolerance),
`chords` (chord qualities, Roman numerals, the triads of a key), `dynamics`
(marks, MIDI levels and velocities, and velocities read back as marks),
`articulation` (how much of a written length sounds), `keyfinding` (a key from
pitch classes).
The names below are the package's: import them from `motifgen.theory`.
"""

from .articulation import ARTICULATIONS
from .chords import (
    QUALITIES,
    TRIADS,
    Chord,
    chord_pcs,
    chord_tones,
    make_chord,
    numeral_degree,
    roman,
    tonic_quality,
    triads_in,
)
from .dynamics import (
    DYNAMICS,
    PRINTED_MARKS,
    ROLE_VELOCITY,
    VELOCITY_RANGE,
    dynamic_level,
    dynamic_mark,
    velocity_of,
)
from .keyfinding import rank_keys
from .meter import (
    EPS,
    BeatGroups,
    bar_beats,
    beat_groups,
    parse_meter,
    round_beat,
    strong_beats,
)
from .pitch import (
    LETTER_PC,
    all_within,
    fold_into,
    note_name,
    pitch_class,
    pitch_name,
    place_in_range,
    semitones_above_c,
)
from .scales import (
    MODE_ALIASES,
    MODES,
    TONIC_OCTAVE_BASE,
    Key,
    degree_of,
    degrees_of,
    mode_name,
    pitches_of,
)

__all__ = [
    "ARTICULATIONS", "DYNAMICS", "EPS", "LETTER_PC", "MODES", "MODE_ALIASES",
    "PRINTED_MARKS", "QUALITIES", "ROLE_VELOCITY", "TONIC_OCTAVE_BASE", "TRIADS",
    "VELOCITY_RANGE", "BeatGroups", "Chord", "Key", "all_within", "bar_beats", "beat_groups",
    "chord_pcs", "chord_tones", "degree_of", "degrees_of", "dynamic_level", "dynamic_mark",
    "fold_into",
    "make_chord", "mode_name", "note_name", "numeral_degree", "parse_meter", "pitch_class",
    "pitch_name", "pitches_of", "place_in_range", "rank_keys", "roman", "round_beat",
    "semitones_above_c", "strong_beats", "tonic_quality", "triads_in", "velocity_of",
]
