"""Music theory the rest of motifgen stands on: no motif, score or project here.

`scales` (modes, `Key`, scale degrees), `pitch` (note names, the one speller,
octave folding), `meter` (bars, beats, strong beats, the beat tolerance),
`dynamics` (marks and MIDI levels), `keyfinding` (a key from pitch classes).
The names below are the package's: import them from `motifgen.theory`.
"""

from .dynamics import DYNAMICS, dynamic_level
from .keyfinding import rank_keys
from .meter import EPS, BeatGroups, bar_beats, beat_groups, parse_meter, strong_beats
from .pitch import (
    LETTER_PC,
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
    degrees_of,
    mode_name,
    pitches_of,
)

__all__ = [
    "DYNAMICS", "EPS", "LETTER_PC", "MODES", "MODE_ALIASES", "TONIC_OCTAVE_BASE",
    "BeatGroups", "Key", "bar_beats", "beat_groups", "degrees_of", "dynamic_level",
    "fold_into", "mode_name", "note_name", "parse_meter", "pitch_class", "pitch_name",
    "pitches_of", "place_in_range", "rank_keys", "semitones_above_c", "strong_beats",
]
