"""Pitch spelling for notation: the key signature, the mode and the current chord.

A spelling is a position on the line of fifths (`q`: F -1, C 0, G 1, ... F# 6,
Bb -2). A note diatonic to its key takes the key's letter for that degree; a
chromatic note that belongs to the chord sounding takes the letter of its
place in the chord (counted from the root of the plan's roman numeral, so a
borrowed bVI is a flat and the third of V in minor a sharp); anything else
takes the spelling nearest the key signature's centre on the line of fifths.
Transposing instruments shift the spelling by the fifths of their interval, so
a part is spelled in its written key.

>>> s = Speller.of(Key.parse("C minor"))
>>> [s.name(pc) for pc in (8, 11, 3)]
['Ab', 'B', 'Eb']
>>> Speller.of(Key.parse("D minor")).name(1, Chord.of("V", [9, 1, 4]))
'C#'
>>> Speller.of(Key.parse("D major")).name(10, Chord.of("bVI", [10, 2, 5]))
'Bb'
"""

from __future__ import annotations

from msgspec import Struct

from ..theory import Key, numeral_degree

#: Letters in line-of-fifths order: F is -1, C 0, ... B 5.
FIFTHS = "FCGDAEB"
LETTERS = "CDEFGAB"
NATURAL = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}
#: Modes written with a `<mode>` element (MuseScore rejects some of the church modes).
MAJOR_MINOR = {"ionian": "major", "aeolian": "minor", "harmonic_minor": "minor",
               "melodic_minor": "minor"}
#: Letters above a chord root of each interval in semitones.
_STEPS_ABOVE_ROOT = (0, 1, 1, 2, 2, 3, 4, 4, 4, 5, 6, 6)


def letter_alter(q: int) -> tuple[str, int]:
    """(letter, alteration) of line-of-fifths position `q`.

    >>> letter_alter(6), letter_alter(-2), letter_alter(0)
    (('F', 1), ('B', -1), ('C', 0))
    """
    return FIFTHS[(q + 1) % 7], (q + 1) // 7


def fifths_of(letter: str, alter: int) -> int:
    return FIFTHS.index(letter) - 1 + 7 * alter


def fifths_shift(transposition: int) -> int:
    """Fifths added to a spelling by writing `transposition` semitones (written ->
    sounding) away: a Bb clarinet (-2) is written two fifths sharper, a horn in F one."""
    up = (-transposition) % 12
    return next(k for k in range(-5, 7) if (7 * k) % 12 == up)


def nearest(pc: int, centre: float, prefer_sharp: bool = False) -> int:
    """The position of pitch class `pc` nearest `centre` on the line of fifths."""
    base = (pc * 7) % 12  # 0..11, the sharp side
    options = [q for q in (base - 12, base, base + 12) if -8 <= q <= 12]  # no doubles
    return min(options, key=lambda q: (abs(q - centre), abs((q + 1) // 7),
                                       -q if prefer_sharp else q))


class Chord(Struct, frozen=True):
    """A plan chord for spelling: its root's degree, accidental and pitch classes."""

    degree: int  # 1..7, from the roman numeral (a secondary V/x: the degree of its root)
    shift: int  # the numeral's own accidental: -1 for bVI, +1 for #iv
    pitch_classes: tuple[int, ...]

    @classmethod
    def of(cls, symbol: str, pitch_classes: list[int] | tuple[int, ...]) -> Chord | None:
        """The chord of Roman numeral `symbol` (`theory.numeral_degree`), or None for a
        symbol that is not one or a chord without pitch classes."""
        read = numeral_degree(symbol)
        if read is None or not pitch_classes:
            return None
        return cls(read[0], read[1], tuple(int(p) % 12 for p in pitch_classes))


class Speller(Struct, frozen=True):
    """Spells pitch classes in one key; `shift` fifths for a transposing part."""

    key: Key
    sharps: int
    tonic_q: int
    shift: int = 0

    @classmethod
    def of(cls, key: Key, transposition: int = 0) -> Speller:
        s = key.sharps()
        # the tonic inside the signature's window [s-1, s+5]; keys outside take the nearest
        tonic_q = nearest(key.tonic, s + 2)
        return cls(key, s, tonic_q, fifths_shift(transposition) if transposition else 0)

    @property
    def heptatonic(self) -> bool:
        return len(self.key.scale) == 7

    def signature(self) -> int:
        """The written key signature (-7..7) of this part."""
        s = self.sharps + self.shift
        return s - 12 if s > 7 else s + 12 if s < -7 else s

    def _written(self, q: int) -> int:
        if not self.shift:
            return q
        w = q + self.shift
        sig = self.sharps + self.shift
        if sig > 7:
            w -= 12
        elif sig < -7:
            w += 12
        return w

    def _degree_letter(self, degree: int) -> str:
        """Letter of scale degree `degree` (1-based) of the key."""
        tonic_letter = letter_alter(self.tonic_q)[0]
        return LETTERS[(LETTERS.index(tonic_letter) + degree - 1) % 7]

    def _q_for(self, letter: str, pc: int) -> int | None:
        alter = (pc - NATURAL[letter] + 6) % 12 - 6
        return fifths_of(letter, alter) if abs(alter) <= 2 else None

    def concert(self, pc: int, chord: Chord | None = None) -> int:
        """Line-of-fifths position of `pc` at concert pitch."""
        pc %= 12
        rel = (pc - self.key.tonic) % 12
        if self.heptatonic and rel in self.key.scale:
            q = self._q_for(self._degree_letter(self.key.scale.index(rel) + 1), pc)
            if q is not None:
                return q
        if chord is not None and pc in chord.pitch_classes and self.heptatonic:
            root_letter = self._degree_letter(chord.degree)
            root_pc = chord.pitch_classes[0]
            root_q = self._q_for(root_letter, root_pc)
            if root_q is not None:
                letter = LETTERS[(LETTERS.index(root_letter)
                                  + _STEPS_ABOVE_ROOT[(pc - root_pc) % 12]) % 7]
                q = self._q_for(letter, pc)
                if q is not None:
                    return q
        leading = (pc + 1) % 12 == self.key.tonic
        return nearest(pc, self.sharps + 2, prefer_sharp=leading)

    def spell(self, pc: int, chord: Chord | None = None) -> tuple[str, int]:
        """(letter, alteration) of `pc` as the part writes it."""
        return letter_alter(self._written(self.concert(pc, chord)))

    def name(self, pc: int, chord: Chord | None = None) -> str:
        letter, alter = self.spell(pc, chord)
        return letter + ("#" * alter if alter > 0 else "b" * -alter)


def octave_of(midi: int, letter: str, alter: int) -> int:
    """Scientific octave of a spelled MIDI pitch (B#3 is MIDI 60)."""
    return (midi - alter - NATURAL[letter]) // 12 - 1


def staff_step(letter: str, octave: int) -> int:
    """Diatonic step number (C0 = 0) of a spelled note, for clefs and ledger lines."""
    return octave * 7 + LETTERS.index(letter)


#: Bottom and top line of each clef as diatonic steps.
CLEF_LINES = {"treble": (30, 38), "bass": (18, 26), "alto": (24, 32), "tenor": (22, 30),
              "treble8vb": (23, 31)}


def ledger_lines(step: int, clef: str) -> int:
    """Ledger lines a note at diatonic `step` needs on a `clef` staff."""
    low, high = CLEF_LINES[clef]
    if step < low:
        return (low - step) // 2
    if step > high:
        return (step - high) // 2
    return 0


class BarAccidentals:
    """The per-bar accidental rule on one staff: a note shows its accidental when its
    alteration differs from what the signature and earlier notes of the bar imply."""

    def __init__(self, signature: int) -> None:
        self.key_alter = {letter_alter(q)[0]: letter_alter(q)[1]
                          for q in (range(-1 + signature, 6 + signature))}
        self.bar: dict[tuple[str, int], int] = {}

    def new_bar(self) -> None:
        self.bar = {}

    def show(self, letter: str, alter: int, octave: int, tied_in: bool = False) -> bool:
        implied = self.bar.get((letter, octave), self.key_alter.get(letter, 0))
        if tied_in:
            return False
        self.bar[(letter, octave)] = alter
        return alter != implied
