"""What a mood's `texture` and `colour` fields may name: one registry each.

`TEXTURES`: the accompaniment figurations (`arrange.textures` draws each one).
`COLOURS`: the harmonic colours, each with the chords it adds to the mode, the
chords its phrases and its closed endings approach the tonic with, whether the
melody may be coloured chromatically too and the bass pedal it asks for. The mood
reader, the arranger, the quality figures and the README read these two tables.

>>> [n for n, t in TEXTURES.items() if not t.mood]
['harp', 'rests']
>>> COLOURS["pedal"].pedal
(0, 7)
"""

from __future__ import annotations

from msgspec import Struct


class Texture(Struct, frozen=True):
    """An accompaniment texture: `figure` when it moves (rather than holding or
    re-striking chords); `mood` when a mood may ask for it (the others are an
    instrument's idiom: the harp's, or a section giving its notes to divisi)."""

    name: str
    description: str
    figure: bool = False
    mood: bool = True


#: Every texture, those a mood may name first (in the order error messages list them).
TEXTURES: dict[str, Texture] = {t.name: t for t in (
    Texture("sustained", "held chords, common tones tied over"),
    Texture("arpeggio", "the voiced chord broken in triplet (compound: eighth) notes",
            figure=True),
    Texture("ostinato", "a repeated sixteenth-note figure through the voiced chord",
            figure=True),
    Texture("tremolo", "each chord struck once and held on the tremolo patch"),
    Texture("pulse", "repeated eighth-note chords"),
    Texture("chorale", "block chords re-struck on every strong beat"),
    Texture("pizzicato", "plucked: low voice on the strong beats, dyads between",
            figure=True),
    Texture("harp", "harp: the voiced chord broken up from the bass and back in eighths",
            figure=True, mood=False),
    Texture("rests", "nothing of its own: a section that takes other sections' divisi",
            mood=False),
)}
#: The textures a mood may name.
MOOD_TEXTURES: dict[str, Texture] = {n: t for n, t in TEXTURES.items() if t.mood}

#: A chord above the tonic: (semitones, quality).
Step = tuple[int, str]


class Colour(Struct, frozen=True):
    """A harmonic colour.

    `chords`: (semitones above the tonic, quality, symbol or "") the colour adds to the
    mode's triads ("pole": the hexatonic pole of the tonic triad); `cadences`: the
    chords a phrase approaches its final tonic with; `final`: those a closed ending
    plays in turn through the bar before its last (empty: the dominant); `chromatic`:
    the melody may be coloured chromatically too; `pedal`: the steps above the tonic a
    bass pedal takes at each hit in turn (empty: no pedal); `creeping`: a middle voice
    creeps by semitones from chord to chord.
    """

    name: str
    description: str
    chords: tuple[tuple[int, str, str], ...]
    cadences: tuple[Step, ...]
    final: tuple[Step, ...] = ()
    chromatic: bool = False
    pedal: tuple[int, ...] = ()
    creeping: bool = False


#: Every harmonic colour a mood can ask for.
COLOURS: dict[str, Colour] = {c.name: c for c in (
    Colour("none", "diatonic chords of the mode only",
           chords=(),
           cadences=((7, "major"), (7, "minor"), (5, "major"), (5, "minor"))),
    Colour("mixolydian_bVII", "the flat-seventh major chord, bVII-I cadences",
           chords=((10, "major", ""),),
           cadences=((10, "major"), (5, "major")),
           final=((10, "major"),)),
    Colour("plagal", "IV-I cadences, the final one bVI-bVII-I",
           chords=((5, "major", ""), (8, "major", ""), (10, "major", "")),
           cadences=((5, "major"), (10, "major"), (5, "minor")),
           final=((8, "major"), (10, "major"))),
    Colour("minor_plagal", "iv-i cadences and i-bVI motion",
           chords=((5, "minor", ""), (8, "major", "")),
           cadences=((5, "minor"), (8, "major")),
           final=((5, "minor"),)),
    Colour("lydian_II", "the major II chord of lydian, II-I motion, the III mediant",
           chords=((2, "major", ""), (4, "major", "")),
           cadences=((2, "major"), (7, "major")),
           final=((2, "major"),)),
    Colour("phrygian_bII", "the Neapolitan bII, bII-i cadences",
           chords=((1, "major", ""),),
           cadences=((1, "major"), (10, "minor")),
           final=((1, "major"),)),
    Colour("dorian_IV", "the major IV chord of dorian, i-IV motion",
           chords=((5, "major", ""),),
           cadences=((5, "major"), (10, "major")),
           final=((5, "major"),)),
    Colour("chromatic_mediants", "neo-Riemannian mediants: LP (I-III), PL (I-bVI), "
           "RP (I-VI), PR (I-bIII), over a tonic pedal",
           chords=((4, "major", ""), (8, "major", ""), (9, "major", ""), (3, "major", "")),
           cadences=((8, "major"), (4, "major"), (7, "major")),
           final=((8, "major"),),
           chromatic=True, pedal=(0,)),
    Colour("hexatonic_pole", "the uncanny hexatonic pole (C-Abm), the tritone (C-F#), bII",
           chords=((-1, "pole", ""), (6, "major", ""), (1, "major", "")),
           cadences=((1, "major"), (8, "minor"), (4, "major")),
           final=((1, "major"),),
           chromatic=True),
    Colour("secondary_dominants", "V/V, V/vi, V/ii resolving down a fifth",
           chords=((2, "major", "V/V"), (4, "major", "V/vi"), (9, "major", "V/ii"),
                   (11, "major", "V/iii")),
           cadences=((7, "major"),)),
    Colour("diminished", "minor(maj7) chords on i and bvi, the diminished leading-tone "
           "chord and bII over a tonic pedal, a middle voice creeping by semitones",
           chords=((0, "minmaj7", ""), (8, "minmaj7", ""), (11, "diminished", ""),
                   (1, "major", "")),
           cadences=((11, "diminished"), (1, "major")),
           final=((11, "diminished"),),
           chromatic=True, pedal=(0,), creeping=True),
    Colour("pedal", "a pedal in the bass (the tonic, the dominant after a hit) under "
           "bVI-bVII-i",
           chords=((8, "major", ""), (10, "major", "")),
           cadences=((10, "major"), (8, "major")),
           final=((8, "major"), (10, "major")),
           pedal=(0, 7)),
    Colour("added6", "added sixths on I and IV",
           chords=((0, "add6", ""), (5, "add6", "")),
           cadences=((7, "major"), (5, "major"), (5, "add6")),
           final=((5, "add6"),)),
)}
