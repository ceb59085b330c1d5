"""Chords for a melody in a mood's mode, and the accompaniment parts built on them.

`harmonise` picks one chord per span of the mood's harmonic rhythm (halving a
span where the melody needs two chords) by dynamic programming over a
palette: the mode's diatonic triads, the mood's colour chords (`COLOUR_CHORDS`)
and, only for chromatic melody notes, borrowed major/minor triads. The melody
note sounding on every strong beat is a tone of the chord sounding there;
phrase ends prefer the mood's cadence (`CADENCES`) into the tonic.

Then parts: `voice` (smooth block chords), `bass_line` (no parallel fifths
or octaves against the melody), `texture` (seven accompaniment patterns),
`percussion` (timpani and GM drum keys) and `dynamics_curve` (CC1 and CC11).
Time is in quarter-note beats, pitch in MIDI numbers.

>>> c = make_chord(0.0, 4.0, Key(0, "ionian"), 10, "major")
>>> c.symbol, c.pitch_classes
('bVII', (10, 2, 5))
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .errors import MotifgenError
from .moods import ARTICULATIONS, Mood
from .motif import Notes
from .orchestra import Instrument, fit_range, instrument
from .theory import DYNAMICS, Key, bar_beats, beat_groups, dynamic_level
from .transforms import notes_of

_EPS = 1e-6

#: Chord qualities as semitone offsets from the root (root first).
QUALITIES: dict[str, tuple[int, ...]] = {
    "major": (0, 4, 7),
    "minor": (0, 3, 7),
    "diminished": (0, 3, 6),
    "augmented": (0, 4, 8),
    "add6": (0, 4, 7, 9),
}

_NUMERALS = ("I", "bII", "II", "bIII", "III", "IV", "#IV", "V", "bVI", "VI", "bVII", "VII")

#: Colour chords per mood colour: (semitones above the tonic, quality, symbol or "").
#: "pole" entries depend on the tonic triad (see `_palette`).
COLOUR_CHORDS: dict[str, tuple[tuple[int, str, str], ...]] = {
    "none": (),
    "mixolydian_bVII": ((10, "major", ""),),
    "plagal": ((5, "major", ""), (8, "major", ""), (10, "major", "")),
    "minor_plagal": ((5, "minor", ""), (8, "major", "")),
    "lydian_II": ((2, "major", ""), (4, "major", "")),
    "phrygian_bII": ((1, "major", ""),),
    "dorian_IV": ((5, "major", ""),),
    "chromatic_mediants": ((4, "major", ""), (8, "major", ""), (9, "major", ""),
                           (3, "major", "")),
    "hexatonic_pole": ((-1, "pole", ""), (6, "major", ""), (1, "major", "")),
    "secondary_dominants": ((2, "major", "V/V"), (4, "major", "V/vi"), (9, "major", "V/ii"),
                            (11, "major", "V/iii")),
    "diminished": ((11, "diminished", ""), (1, "diminished", ""), (6, "diminished", ""),
                   (8, "diminished", "")),
    "pedal": ((8, "major", ""), (10, "major", "")),
    "added6": ((0, "add6", ""), (5, "add6", "")),
}

#: Colours whose moods may colour the melody chromatically too (not only the chords).
CHROMATIC_COLOURS = frozenset({"chromatic_mediants", "hexatonic_pole", "diminished"})

#: Chords that approach the final tonic of a phrase, per colour: (semitones, quality).
CADENCES: dict[str, tuple[tuple[int, str], ...]] = {
    "none": ((7, "major"), (7, "minor"), (5, "major"), (5, "minor")),
    "mixolydian_bVII": ((10, "major"), (5, "major")),
    "plagal": ((5, "major"), (10, "major"), (5, "minor")),
    "minor_plagal": ((5, "minor"), (8, "major")),
    "lydian_II": ((2, "major"), (7, "major")),
    "phrygian_bII": ((1, "major"), (10, "minor")),
    "dorian_IV": ((5, "major"), (10, "major")),
    "chromatic_mediants": ((8, "major"), (4, "major"), (7, "major")),
    "hexatonic_pole": ((1, "major"), (8, "minor"), (4, "major")),
    "secondary_dominants": ((7, "major"),),
    "diminished": ((11, "diminished"), (1, "major")),
    "pedal": ((10, "major"), (8, "major")),
    "added6": ((7, "major"), (5, "major"), (5, "add6")),
}

#: Heptatonic parents whose triads fill out scales with few triads of their own.
_PARENT_MODE = {"major_pentatonic": "ionian", "minor_pentatonic": "aeolian",
                "whole_tone": "lydian"}


@dataclass(frozen=True)
class Chord:
    """A chord sounding from `beat` for `duration` beats.

    `root` and `pitch_classes` are pitch classes (root first); `symbol` is a
    Roman numeral relative to the tonic's major scale (``bVII``, ``iv``,
    ``ii°``, ``V/V``); `kind` says where it came from: "diatonic", "colour"
    (the mood's harmonic colour) or "chromatic" (borrowed for a chromatic note).
    """

    beat: float
    duration: float
    root: int
    pitch_classes: tuple[int, ...]
    symbol: str
    quality: str
    kind: str = "diatonic"

    @property
    def end(self) -> float:
        return self.beat + self.duration

    def contains(self, pitch: int) -> bool:
        return pitch % 12 in self.pitch_classes


def roman(key: Key, root: int, quality: str) -> str:
    """Roman numeral of a chord on `root` (pitch class) relative to `key`'s tonic."""
    numeral = _NUMERALS[(root - key.tonic) % 12]
    if numeral == "#IV" and quality in ("major", "augmented", "add6"):
        numeral = "bV"
    if quality in ("minor", "diminished"):
        numeral = numeral.lower()
    return numeral + {"diminished": "°", "augmented": "+", "add6": "add6"}.get(quality, "")


def make_chord(beat: float, duration: float, key: Key, root: int, quality: str,
               symbol: str = "", kind: str = "diatonic") -> Chord:
    """A Chord on pitch class `root` of `quality` (a `QUALITIES` name)."""
    pcs = _chord_tones(int(root) % 12, quality)
    return Chord(float(beat), float(duration), root % 12, pcs,
                 symbol or roman(key, root, quality), quality, kind)


def harmony_key(key: Key, mood: Mood) -> Key:
    """The key chords are chosen in: `key` if the mood allows its mode, else the mood's mode."""
    return key if key.mode in mood.modes else Key(key.tonic, mood.mode)


def strong_offsets(meter: tuple[int, int]) -> tuple[float, ...]:
    """Strong beats within one bar (beats from the bar line; `theory.beat_groups`).

    >>> strong_offsets((4, 4)), strong_offsets((3, 4)), strong_offsets((6, 8))
    ((0.0, 2.0), (0.0,), (0.0, 1.5))
    """
    return beat_groups(meter).strong


def strong_beats(meter: tuple[int, int], length: float) -> list[float]:
    """Every strong beat in [0, length)."""
    bar = bar_beats(meter)
    offs = strong_offsets(meter)
    out: list[float] = []
    start = 0.0
    while start < length - _EPS:
        out.extend(start + o for o in offs if start + o < length - _EPS)
        start += bar
    return out


def sounding(notes: Notes, beat: float) -> int | None:
    """Highest pitch of `notes` sounding at `beat`, or None."""
    if not len(notes):
        return None
    mask = (notes.onset <= beat + _EPS) & (notes.onset + notes.duration > beat + _EPS)
    return int(notes.pitch[mask].max()) if mask.any() else None


def _sounding_at(notes: Notes, beats: Sequence[float]) -> list[int | None]:
    """`sounding(notes, b)` for every beat of `beats`, in one pass over the notes."""
    if not len(notes) or not len(beats):
        return [None] * len(beats)
    at = np.asarray(beats, dtype=np.float64)[:, None] + _EPS
    mask = (notes.onset <= at) & (notes.onset + notes.duration > at)
    top = np.where(mask, notes.pitch, -1).max(axis=1).tolist()
    return [p if p >= 0 else None for p in top]


def _chord_at(chords: Sequence[Chord], beat: float) -> Chord | None:
    for c in chords:
        if c.beat <= beat + _EPS < c.end:
            return c
    return None


def strong_beat_chord_tone_ratio(melody: Notes, chords: Sequence[Chord],
                                 meter: tuple[int, int]) -> float:
    """Share of strong beats where the melody's top sounding note is a tone of the chord.

    Beats without a melody note or without a chord are not counted; 1.0 when
    nothing is counted.
    """
    beats = strong_beats(meter, melody.end)
    hits = total = 0
    for b, pitch in zip(beats, _sounding_at(melody, beats)):
        chord = _chord_at(chords, b)
        if pitch is None or chord is None:
            continue
        total += 1
        hits += chord.contains(pitch)
    return hits / total if total else 1.0


def _parallel_perfect(b0, m0, b1, m1):
    """Whether moving from bass `b0` under melody `m0` to `b1` under `m1` makes
    parallel (or contrary) fifths or octaves: both lines move and the interval
    class between them is a unison/octave or a fifth both times. Takes pitches
    or numpy arrays of them (broadcast), and answers in kind.
    """
    interval = (m1 - b1) % 12
    return ((b0 != b1) & (m0 != m1) & ((m0 - b0) % 12 == interval)
            & ((interval == 0) | (interval == 7)))


def parallel_perfects(bass: Notes, melody: Notes, meter: tuple[int, int] = (4, 4)) -> list[float]:
    """Strong beats reached by parallel (or contrary) fifths or octaves.

    For each pair of consecutive strong beats where both lines sound, both
    lines move, and the interval class between them is a unison/octave or a
    fifth both times, the second beat is reported.
    """
    beats = strong_beats(meter, max(bass.end, melody.end))
    out: list[float] = []
    prev: tuple[int, int] | None = None
    for b, lo, hi in zip(beats, _sounding_at(bass, beats), _sounding_at(melody, beats)):
        cur = None if lo is None or hi is None else (lo, hi)
        if prev is not None and cur is not None and _parallel_perfect(*prev, *cur):
            out.append(b)
        prev = cur
    return out


# --------------------------------------------------------------------------- palette

@dataclass(frozen=True)
class _Cand:
    root: int
    quality: str
    symbol: str
    kind: str

    @property
    def pcs(self) -> frozenset[int]:
        return _chord_pcs(self.root, self.quality)


@lru_cache(maxsize=512)
def _chord_tones(root: int, quality: str) -> tuple[int, ...]:
    """Pitch classes of the chord of `quality` on pitch class `root`, root first."""
    return tuple((root + i) % 12 for i in QUALITIES[quality])


@lru_cache(maxsize=512)
def _chord_pcs(root: int, quality: str) -> frozenset[int]:
    return frozenset(_chord_tones(root, quality))


def _triads_in(key: Key) -> list[tuple[int, str]]:
    scale = key.pitch_classes()
    out = []
    for off in sorted({(pc - key.tonic) % 12 for pc in scale}):
        root = (key.tonic + off) % 12
        for q in ("major", "minor", "diminished", "augmented"):
            if _chord_pcs(root, q) <= scale:
                out.append((root, q))
    return out


@lru_cache(maxsize=256)
def _tonic_quality(key: Key) -> str:
    for root, q in _triads_in(key):
        if root == key.tonic:
            return q
    return "minor" if key.is_minor else "major"


def palette(key: Key, colour: str) -> list[_Cand]:
    """Diatonic triads of `key` (and its parent for sparse scales) plus colour chords."""
    return list(_palette(key, colour))


@lru_cache(maxsize=256)
def _palette(key: Key, colour: str) -> tuple[_Cand, ...]:
    if colour not in COLOUR_CHORDS:
        raise MotifgenError(f"unknown harmonic colour {colour!r}; expected one of: "
                            + ", ".join(COLOUR_CHORDS))
    seen: dict[tuple[int, str], _Cand] = {}
    triads = _triads_in(key)
    if key.mode in _PARENT_MODE or len(triads) < 4:
        parent = _PARENT_MODE.get(key.mode)
        if parent:
            triads += _triads_in(Key(key.tonic, parent))
    for root, q in triads:
        seen.setdefault((root, q), _Cand(root, q, roman(key, root, q), "diatonic"))
    tonic_q = _tonic_quality(key)
    for off, q, symbol in COLOUR_CHORDS[colour]:
        if q == "pole":  # hexatonic pole: major I <-> minor bvi, minor i <-> major III
            off, q = (4, "major") if tonic_q == "minor" else (8, "minor")
        root = (key.tonic + off) % 12
        # a colour chord the mode already has (bVII in mixolydian) is still the colour
        seen[(root, q)] = _Cand(root, q, symbol or roman(key, root, q), "colour")
    return tuple(seen.values())


@lru_cache(maxsize=256)
def _chromatic(key: Key) -> tuple[_Cand, ...]:
    return tuple(_Cand(r, q, roman(key, r, q), "chromatic") for r in range(12)
                 for q in ("major", "minor"))


# --------------------------------------------------------------------------- harmonise

@dataclass
class _Span:
    start: float
    end: float
    required: set[int]
    weights: dict[int, float]


def _melody_weights(rows: Sequence[tuple[float, float, int]], start: float,
                    end: float) -> dict[int, float]:
    """Beats each pitch class of the melody's (onset, duration, pitch) rows sounds in
    [start, end)."""
    w: dict[int, float] = {}
    for on, du, p in rows:
        overlap = min(end, on + du) - max(start, on)
        if overlap > _EPS:
            w[p % 12] = w.get(p % 12, 0.0) + overlap
    return w


def _plan_spans(melody: Notes, meter: tuple[int, int], length: float, hr: float,
                cands: list[_Cand]) -> list[_Span]:
    bar = bar_beats(meter)
    pulse = beat_groups(meter).beat
    if hr >= bar:
        size = bar * max(1, round(hr / bar))
    else:
        size = max(pulse, pulse * round(hr / pulse))
        while bar % size > _EPS and size > pulse:  # spans must tile the bar
            size -= pulse
    strong = strong_beats(meter, length)
    bounds = list(np.arange(0.0, length - _EPS, size)) + [length]
    spans: list[_Span] = []
    top = dict(zip(strong, _sounding_at(melody, strong)))
    for a, b in zip(bounds, bounds[1:]):
        start, req = a, set()
        for s in (x for x in strong if a - _EPS <= x < b - _EPS):
            pitch = top[s]
            if pitch is None:
                continue
            new = req | {pitch % 12}
            if any(new <= c.pcs for c in cands) or not req:
                req = new
                continue
            spans.append(_Span(start, s, req, {}))
            start, req = s, {pitch % 12}
        spans.append(_Span(start, b, req, {}))
    rows = list(zip(melody.onset.tolist(), melody.duration.tolist(), melody.pitch.tolist()))
    for sp in spans:
        sp.weights = _melody_weights(rows, sp.start, sp.end)
    return spans


def harmonise(melody: Notes, key: Key, mood: Mood, meter: tuple[int, int], length: float,
              rng: np.random.Generator) -> list[Chord]:
    """Chords covering [0, length) for `melody` in the mood's mode and colour.

    The key's mode is kept when the mood allows it (`harmony_key`). The melody
    note sounding on every strong beat is a chord tone; a chromatic melody
    note gets a borrowed major or minor triad. Phrases are four bars (eight
    when the harmonic rhythm is two bars or more); each ends on the tonic when
    the melody allows, approached by the mood's cadence chord.
    """
    if length <= 0:
        raise MotifgenError(f"cannot harmonise {length} beats; the length must be positive")
    hkey = harmony_key(key, mood)
    colour = mood.colour
    cands = palette(hkey, colour)
    chrom = _chromatic(hkey)
    spans = _plan_spans(melody, meter, length, mood.harmonic_rhythm, cands)
    bar = bar_beats(meter)
    phrase = bar * (8 if mood.harmonic_rhythm >= 2 * bar else 4)
    tonic = hkey.tonic
    approach = {((tonic + off) % 12, q) for off, q in CADENCES.get(colour, CADENCES["none"])}
    dominant = (tonic + 7) % 12
    mediant_friendly = colour in ("chromatic_mediants", "hexatonic_pole", "lydian_II")
    semitone_friendly = colour in ("hexatonic_pole", "phrygian_bII", "diminished")

    n = len(spans)
    ends = [abs(sp.end - length) < _EPS or abs(sp.end / phrase - round(sp.end / phrase)) < _EPS
            for sp in spans]
    options: list[list[_Cand]] = []
    unary: list = []
    for i, sp in enumerate(spans):
        opts = [c for c in cands if sp.required <= c.pcs]
        if not opts:
            opts = [c for c in chrom if sp.required <= c.pcs] or list(cands)
        total = sum(sp.weights.values()) or 1.0
        costs = []
        for c in opts:
            cost = {"diatonic": 0.0, "colour": -0.35, "chromatic": 2.5}[c.kind]
            cost -= 1.0 * sum(w for pc, w in sp.weights.items() if pc in c.pcs) / total
            cost += 0.6 * len(sp.required - c.pcs)
            is_tonic = c.root == tonic and c.quality != "diminished" or (
                c.root == tonic and _tonic_quality(hkey) == "diminished")
            if i == 0:
                cost -= 1.5 if is_tonic else 0.0
            if ends[i]:
                if is_tonic:
                    cost -= 4.0 if i == n - 1 else 1.5
                elif i == n - 1:
                    cost += 2.0
                elif c.root == dominant:
                    cost -= 0.6
            if i + 1 < n and ends[i + 1] and (c.root, c.quality) in approach:
                cost -= 1.2
            costs.append(cost)
        options.append(opts)
        unary.append(costs)
    # a little noise on every option, drawn in the order the options were listed
    noise = iter(rng.uniform(0.0, 0.35, size=sum(len(o) for o in options)).tolist())
    unary = [np.array([cost + next(noise) for cost in costs]) for costs in unary]

    def pair(a: _Cand, b: _Cand, j: int) -> float:
        d = (b.root - a.root) % 12
        if a.root == b.root and a.quality == b.quality:
            cost = 1.2
        elif d == 5:
            cost = -0.6
        elif d == 7:
            cost = -0.1
        elif d in (2, 10):
            cost = -0.3
        elif d in (3, 4, 8, 9):
            cost = -0.3 if mediant_friendly else 0.0
        elif d in (1, 11):
            cost = 0.0 if semitone_friendly else 0.3
        else:
            cost = 0.0 if semitone_friendly else 0.8
        if a.symbol.startswith("V/"):
            cost += -1.0 if d == 5 else 0.8
        if a.kind == "colour" and b.kind == "colour":
            cost += 0.9
        if ends[j] and b.root == tonic and (a.root, a.quality) in approach:
            cost -= 1.0
        return cost

    best = [unary[0].copy()]
    back: list[np.ndarray] = []
    for j in range(1, n):
        trans = np.array([[pair(a, b, j) for b in options[j]] for a in options[j - 1]])
        total = best[-1][:, None] + trans
        back.append(total.argmin(axis=0))
        best.append(total.min(axis=0) + unary[j])
    idx = int(best[-1].argmin())
    picks = [idx]
    for j in range(n - 1, 0, -1):
        idx = int(back[j - 1][idx])
        picks.append(idx)
    picks.reverse()

    chords: list[Chord] = []
    for sp, opts, k in zip(spans, options, picks):
        c = opts[k]
        prev = chords[-1] if chords else None
        if prev and prev.root == c.root and prev.quality == c.quality and prev.symbol == c.symbol:
            chords[-1] = Chord(prev.beat, sp.end - prev.beat, prev.root, prev.pitch_classes,
                               prev.symbol, prev.quality, prev.kind)
            continue
        chords.append(make_chord(sp.start, sp.end - sp.start, hkey, c.root, c.quality,
                                 c.symbol, c.kind))
    return chords


# --------------------------------------------------------------------------- parts

def _inst(inst: Instrument | str) -> Instrument:
    got = instrument(inst) if isinstance(inst, str) else inst
    if got.is_drum:
        raise MotifgenError(f"{got.name} is a drum-channel instrument; it cannot play chords")
    return got


def _notes(rows: list[tuple[float, float, int, int]]) -> Notes:
    if not rows:
        return Notes(np.zeros(0), np.zeros(0), np.zeros(0, dtype=np.int64),
                     np.zeros(0, dtype=np.int64))
    on, du, pi, ve = zip(*rows)
    return notes_of(np.array(on), np.array(du), np.array(pi), np.array(ve), copy=False)


def _tones(chord: Chord | tuple[int, ...], voices: int) -> list[int]:
    pcs = list(chord.pitch_classes if isinstance(chord, Chord) else chord)
    if voices >= len(pcs):
        return pcs + [pcs[i % len(pcs)] for i in range(voices - len(pcs))]
    return [pcs[0], pcs[1], pcs[-1], pcs[2]][:voices]


def _candidates(chord: Chord | tuple[int, ...], voices: int, lo: int,
                hi: int) -> list[tuple[int, ...]]:
    tones = _tones(chord, voices)
    out: set[tuple[int, ...]] = set()
    for order in set(itertools.permutations(tones)):
        for bottom in range(lo, min(hi, lo + 12 * 6) + 1):
            if bottom % 12 != order[0]:
                continue
            v = [bottom]
            for pc in order[1:]:
                nxt = v[-1] + 1 + (pc - v[-1] - 1) % 12
                v.append(nxt)
            if v[-1] <= hi:
                out.add(tuple(v))
    return sorted(out)


@lru_cache(maxsize=1024)
def _candidate_table(pcs: tuple[int, ...], voices: int, lo: int,
                     hi: int) -> tuple[tuple[tuple[int, ...], ...], np.ndarray, np.ndarray]:
    """`_candidates` of a chord's pitch classes, as tuples, as an array and their means."""
    cands = _candidates(pcs, voices, lo, hi)
    table = np.array(cands, dtype=np.int64).reshape(len(cands), -1)
    return tuple(cands), table, table.sum(axis=1) / table.shape[1]


@lru_cache(maxsize=8192)
def _next_voicing(pcs: tuple[int, ...], voices: int, lo: int, hi: int, centre: float,
                  prev: tuple[int, ...] | None) -> tuple[int, ...] | None:
    """The candidate with the least movement from `prev` plus pull towards `centre`
    (the first of equals); None when the chord has no voicing in lo..hi."""
    cands, table, mean = _candidate_table(pcs, voices, lo, hi)
    if not cands:
        return None
    pull = np.abs(mean - centre)
    if prev is None:
        return cands[int(np.argmin(pull))]
    moves = np.abs(table - np.array(prev, dtype=np.int64)).sum(axis=1)
    return cands[int(np.argmin(moves + 0.25 * pull))]


def voicings(chords: Sequence[Chord], inst: Instrument | str, voices: int = 3,
             center: float | None = None) -> list[tuple[int, ...]]:
    """Close-position voicings, one per chord, inside the instrument's range.

    Each voicing minimises the total semitone movement from the previous one
    plus a pull towards `center` (default: the middle of the range).
    """
    ins = _inst(inst)
    lo, hi = ins.low, ins.high
    centre = (lo + hi) / 2.0 if center is None else float(center)
    out: list[tuple[int, ...]] = []
    prev: tuple[int, ...] | None = None
    for chord in chords:
        prev = _next_voicing(chord.pitch_classes, voices, lo, hi, centre, prev)
        if prev is None:
            raise MotifgenError(f"{ins.name} cannot voice {chord.symbol} in {voices} parts")
        out.append(prev)
    return out


def _factor(articulation: str) -> float:
    if articulation not in ARTICULATIONS:
        raise MotifgenError(f"unknown articulation {articulation!r}; expected one of: "
                            + ", ".join(ARTICULATIONS))
    return ARTICULATIONS[articulation]


def voice(chords: Sequence[Chord], inst: Instrument | str, voices: int = 3,
          center: float | None = None, velocity: int = 64,
          articulation: str = "legato") -> Notes:
    """Held block chords with smooth voice leading (one attack per chord)."""
    f = _factor(articulation)
    rows = []
    for chord, v in zip(chords, voicings(chords, inst, voices, center)):
        rows.extend((chord.beat, chord.duration * f, p, velocity) for p in v)
    return _notes(rows)


def bass_line(chords: Sequence[Chord], melody: Notes, inst: Instrument | str,
              meter: tuple[int, int], velocity: int = 72, articulation: str = "legato",
              pedal: int | None = None, center: float | None = None,
              lead_in: tuple[int, int] | None = None) -> Notes:
    """One bass note per chord: root preferred, inversions where they avoid parallels.

    Chosen by dynamic programming: no parallel fifths or octaves with the
    melody between consecutive strong beats, small leaps, below the melody.
    `pedal`: a pitch class to hold under every chord instead. `lead_in`:
    (bass, melody) pitches on the strong beat just before this line starts,
    so a line that continues another (a new section) avoids parallels across
    the join.
    """
    ins = _inst(inst)
    f = _factor(articulation)
    lo, hi = ins.low, ins.high
    centre = lo + 12 if center is None else float(center)
    if pedal is not None:
        pitch = int(fit_range([int(round(centre)) - (int(round(centre)) - pedal) % 12], ins)[0])
        return _notes([(c.beat, c.duration * f, pitch, velocity) for c in chords])
    strong = strong_beats(meter, max(c.end for c in chords) if chords else 0.0)
    top = dict(zip(strong, _sounding_at(melody, strong)))
    firsts, lasts = [], []
    for c in chords:
        inside = [b for b in strong if c.beat - _EPS <= b < c.end - _EPS]
        firsts.append((inside[0], top[inside[0]]) if inside else None)
        lasts.append((inside[-1], top[inside[-1]]) if inside else None)
    states: list[list[tuple[int, float]]] = []
    for c, first, last in zip(chords, firsts, lasts):
        opts = []
        for rank, pc in enumerate(c.pitch_classes[:3]):
            for p in range(lo + (pc - lo) % 12, hi + 1, 12):
                cost = (0.0, 0.9, 1.8)[rank] + 0.08 * abs(p - centre)
                for mark in (first, last):
                    if mark and mark[1] is not None and p >= mark[1]:
                        cost += 4.0
                if (c is chords[0] and lead_in is not None and first and first[1] is not None
                        and _parallel_perfect(*lead_in, p, first[1])):
                    cost += 1e6
                opts.append((p, cost))
        states.append(opts)
    strong_index = {b: i for i, b in enumerate(strong)}
    pitches = [np.array([p for p, _ in opts], dtype=np.int64) for opts in states]

    def trans(i: int) -> np.ndarray:
        """Cost of moving from each option of chord i-1 (rows) to each of chord i:
        leaps, and parallels against the melody between consecutive strong beats."""
        a, b = pitches[i - 1][:, None], pitches[i][None, :]
        leap = np.abs(a - b)
        cost = 0.1 * leap + np.where(leap > 7, 1.0, 0.0) + np.where(leap > 12, 3.0, 0.0)
        x, y = lasts[i - 1], firsts[i]
        if (x and y and x[1] is not None and y[1] is not None
                and strong_index[y[0]] - strong_index[x[0]] == 1):
            cost = cost + np.where(_parallel_perfect(a, x[1], b, y[1]), 1e6, 0.0)
        return cost

    if not chords:
        return _notes([])
    best = np.array([c for _, c in states[0]])
    back = []
    for i in range(1, len(chords)):
        total = best[:, None] + trans(i)
        back.append(total.argmin(axis=0))
        best = total.min(axis=0) + np.array([c for _, c in states[i]])
    k = int(best.argmin())
    picks = [k]
    for i in range(len(chords) - 1, 0, -1):
        k = int(back[i - 1][k])
        picks.append(k)
    picks.reverse()
    rows = [(c.beat, c.duration * f, states[i][k][0], velocity)
            for i, (c, k) in enumerate(zip(chords, picks))]
    return _notes(rows)


TEXTURE_KINDS = ("sustained", "arpeggio", "ostinato", "tremolo", "pulse", "chorale", "pizzicato")


def _grid(start: float, end: float, step: float) -> list[float]:
    n = max(1, int(math.floor((end - start) / step + _EPS)))
    return [start + k * step for k in range(n) if start + k * step < end - _EPS]


def texture(chords: Sequence[Chord], kind: str, inst: Instrument | str,
            meter: tuple[int, int] = (4, 4), articulation: str = "legato",
            velocity: int = 64, center: float | None = None,
            rng: np.random.Generator | None = None) -> Notes:
    """An accompaniment part over `chords` in one of `TEXTURE_KINDS`.

    sustained: 3-voice held chords; chorale: 4 voices re-struck on strong
    beats; arpeggio: a broken-chord line in triplet eighths (in compound
    meter the written beat: eighths in 6/8); ostinato: a sixteenth-note
    root/fifth figure; pulse: eighth-note block chords; tremolo: every
    chord tone repeated in 32nds; pizzicato: short root on strong beats,
    dyads between. Strong beats get a small accent; `rng` (optional) adds
    slight velocity variation.
    """
    if kind not in TEXTURE_KINDS:
        raise MotifgenError(f"unknown texture {kind!r}; expected one of: "
                            + ", ".join(TEXTURE_KINDS))
    ins = _inst(inst)
    f = _factor(articulation)
    if kind == "sustained":
        return voice(chords, ins, 3, center, velocity, articulation)
    strong = set(round(b, 6) for b in strong_beats(meter, chords[-1].end if chords else 0.0))
    accent = 10 if articulation == "marcato" else 6

    def vel(beat: float) -> int:
        """The velocity before `_varied` adds the random part."""
        return velocity + (accent if round(beat, 6) in strong else 0)

    rows: list[tuple[float, float, int, int]] = []
    groups = beat_groups(meter)
    if kind in ("chorale", "pulse", "tremolo"):
        voices = 4 if kind == "chorale" else 3
        for chord, v in zip(chords, voicings(chords, ins, voices, center)):
            if kind == "chorale":
                cuts = sorted({chord.beat} | {b for b in strong if chord.beat < b < chord.end})
                bounds = cuts + [chord.end]
                for a, b in zip(bounds, bounds[1:]):
                    rows.extend((a, (b - a) * f, p, vel(a)) for p in v)
            else:
                step = 0.5 if kind == "pulse" else 0.125
                for t in _grid(chord.beat, chord.end, step):
                    d = min(step, chord.end - t) * (f if kind == "pulse" else 1.0)
                    rows.extend((t, d, p, vel(t)) for p in v)
        return _notes(_varied(rows, rng))
    centre = (ins.low + ins.high) / 2.0 if center is None else float(center)
    for chord in chords:
        root = chord.root
        third = chord.pitch_classes[1]
        fifth = chord.pitch_classes[2]
        base = int(round(centre)) - 6
        r = base + (root - base) % 12
        line = [r, r + (third - root) % 12, r + (fifth - root) % 12, r + 12,
                r + 12 + (third - root) % 12]
        line = _fitted_line(tuple(line), ins)
        if kind == "arpeggio":
            step = groups.unit if groups.compound else 1.0 / 3.0
            order = [0, 1, 2, 3, 4, 3, 2, 1]
            for k, t in enumerate(_grid(chord.beat, chord.end, step)):
                rows.append((t, min(step, chord.end - t) * f, line[order[k % 8]], vel(t)))
        elif kind == "ostinato":
            step = 0.25
            order = [0, 0, 2, 0, 3, 0, 2, 1]
            for k, t in enumerate(_grid(chord.beat, chord.end, step)):
                rows.append((t, min(step, chord.end - t) * min(f, 0.9), line[order[k % 8]],
                             vel(t)))
        else:  # pizzicato
            pulse = groups.beat
            for k, t in enumerate(_grid(chord.beat, chord.end, pulse)):
                d = min(pulse, chord.end - t) * 0.4
                if round(t, 6) in strong:
                    rows.append((t, d, line[0] if k % 2 == 0 else line[2], vel(t)))
                else:
                    rows.extend((t, d, p, vel(t)) for p in (line[2], line[3]))
    return _notes(_varied(rows, rng))


@lru_cache(maxsize=2048)
def _fitted_line(line: tuple[int, ...], ins: Instrument) -> tuple[int, ...]:
    """`fit_range` of a texture's chord line; the same few lines recur chord after chord."""
    return tuple(fit_range(np.array(line), ins).tolist())


def _varied(rows: list[tuple[float, float, int, int]],
            rng: np.random.Generator | None) -> list[tuple[float, float, int, int]]:
    """Rows with -3..3 added to each velocity (one draw per row, in order), kept in 1..127."""
    if rng is not None and rows:
        noise = rng.integers(-3, 4, size=len(rows)).tolist()
        rows = [(t, d, p, v + n) for (t, d, p, v), n in zip(rows, noise)]
    return [(t, d, p, int(min(127, max(1, v)))) for t, d, p, v in rows]


# --------------------------------------------------------------------------- percussion

def _timpani_notes(mood: Mood, meter: tuple[int, int], length: float, hits: Sequence[float],
                   key: Key, velocity: int) -> list[tuple]:
    timp = instrument("timpani")
    tonic = int(fit_range([key.tonic + 36], timp)[0])
    fifth = int(fit_range([key.tonic + 43], timp)[0])
    bar = bar_beats(meter)
    busy = mood.texture in ("ostinato", "pulse") or mood.tempo[1] >= 140
    rows: list[tuple] = []
    b = 0.0
    while b < length - _EPS:
        if busy:
            rows.append((b, 1.0, tonic, velocity))
            mid = b + strong_offsets(meter)[-1]
            if mid > b and mid < length - _EPS:
                rows.append((mid, 1.0, fifth, velocity - 12))
        elif abs((b / bar) % 4) < _EPS:
            rows.append((b, 2.0, tonic, velocity - 10))
        b += bar
    for h in hits:
        if not 0 <= h < length:
            continue
        start = max(0.0, h - 2.0)
        rolls = _grid(start, h, 0.125) if h > start else []
        for k, t in enumerate(rolls):  # roll crescendo into the hit
            v = int(40 + (velocity - 40) * (k + 1) / len(rolls))
            rows.append((t, 0.125, tonic, v))
        rows.append((h, 1.0, tonic, min(127, velocity + 20)))
    return rows


def _drum_notes(members: Sequence[str], mood: Mood, meter: tuple[int, int], length: float,
                hits: Sequence[float], rng: np.random.Generator, velocity: int) -> list[tuple]:
    bar = bar_beats(meter)
    fast = mood.tempo[0] >= 120
    rows: list[tuple] = []
    hits = [h for h in hits if 0 <= h < length]
    for name in members:
        key = instrument(name).drum_key
        if name in ("taiko", "bass_drum", "drums"):
            pattern = (0.0, 0.75, 1.5, 2.0, 3.0, 3.5) if fast else (0.0, strong_offsets(meter)[-1])
            b = 0.0
            while b < length - _EPS:
                for o in pattern:
                    if o < bar and b + o < length - _EPS:
                        accent = 12 if o == 0 else 0
                        rows.append((b + o, 0.25, key, velocity - 10 + accent
                                     + int(rng.integers(-4, 5))))
                b += bar
            rows.extend((h, 0.5, key, 127) for h in hits)
        elif name == "suspended_cymbal":
            for h in hits:
                rolls = _grid(max(0.0, h - 2.0), h, 0.125) if h > 0 else []
                rows.extend((t, 0.125, key, int(30 + 80 * (k + 1) / len(rolls)))
                            for k, t in enumerate(rolls))
                rows.append((h, 1.0, key, 110))
        else:  # cymbal, tam_tam, snare_drum: on the hits
            rows.extend((h, 1.0, key, 120) for h in hits)
        if name == "drums":
            rows.extend((h, 1.0, 49, 120) for h in hits)
    return rows


def _clean(rows: list[tuple], length: float) -> list[tuple[float, float, int, int]]:
    """Drop duplicates, keep onsets inside the cue, and cut same-pitch overlaps."""
    merged: dict[tuple[float, int], tuple[float, int]] = {}
    for on, du, p, v in rows:
        if on < -_EPS or on >= length - _EPS:
            continue
        k = (round(float(on), 6), int(p))
        old = merged.get(k)
        merged[k] = (float(du), int(v)) if old is None or v > old[1] else old
    out = []
    by_pitch: dict[int, list[float]] = {}
    for on, p in sorted(merged):
        by_pitch.setdefault(p, []).append(on)
    for p, onsets in by_pitch.items():
        for i, on in enumerate(onsets):
            du, v = merged[(on, p)]
            limit = onsets[i + 1] if i + 1 < len(onsets) else length
            out.append((on, max(min(du, limit - on), 1e-3), p, min(127, max(1, v))))
    return out


def percussion(mood: Mood, meter: tuple[int, int], length: float, hit_beats: Sequence[float],
               rng: np.random.Generator, instrument_name: str | None = None,
               key: Key | None = None) -> Notes:
    """The percussion part for `instrument_name` in `mood` (rolls into and strokes on hits).

    ``"timpani"``: tonic and dominant strokes (every bar for driving moods,
    every four bars otherwise), a two-beat roll crescendo into each hit and a
    stroke on it, pitched in `key`. ``"drums"`` (or any drum-channel name):
    the GM drum keys of every drum-channel instrument the mood lists (taiko
    patterns, cymbal and tam-tam on hits, suspended-cymbal rolls). With no
    name: the drum-kit part if the mood has drum-channel instruments, else
    timpani if listed, else no notes.
    """
    listed = [instrument(n) for n in mood.orchestra["percussion"]]
    drums = [i.name for i in listed if i.is_drum]
    name = instrument_name
    if name is None:
        name = "drums" if drums else ("timpani" if any(i.name == "timpani" for i in listed)
                                      else "")
    velocity = DYNAMICS[mood.dynamics_to or mood.dynamics]
    if not name:
        return _notes([])
    if name == "timpani":
        rows = _timpani_notes(mood, meter, length, hit_beats, key or Key(), velocity)
    else:
        members = drums if name == "drums" and drums else [instrument(name).name]
        rows = _drum_notes(members, mood, meter, length, hit_beats, rng, velocity)
    return _notes(_clean(rows, length))


# --------------------------------------------------------------------------- dynamics

def dynamics_curve(intensity: tuple[float, float] | Callable[[float], float], length: float,
                   base_dynamic: str, hit_beats: Sequence[float] = (),
                   end_dynamic: str | None = None, step: float = 1.0,
                   swell: float = 2.0) -> dict[int, tuple[tuple[float, int], ...]]:
    """Controller curves: {1: CC1 dynamic curve, 11: CC11 expression swells}.

    CC1 follows the mood's dynamic (ramping to `end_dynamic` if given, e.g.
    mf->f) scaled by the scene's intensity (0..1, a (start, end) ramp or a
    function of the beat): intensity 0.5 gives the dynamic's level. A dynamic
    may be written "mf->f". CC11 sits at 127 and, `swell` beats before each
    hit, drops to 80 and swells back to 127 on the hit. Only changes are listed.

    >>> dynamics_curve((0.5, 0.5), 4, "mf")[1]
    ((0.0, 80),)
    """
    if "->" in base_dynamic:
        base_dynamic, end_dynamic = (s.strip() for s in base_dynamic.split("->", 1))
    start_level = dynamic_level(base_dynamic)
    end_level = dynamic_level(end_dynamic) if end_dynamic else start_level
    if callable(intensity):
        fn = intensity
    else:
        a, b = (float(x) for x in intensity)

        def fn(beat: float) -> float:
            return a + (b - a) * (beat / length if length > 0 else 0.0)

    beats = sorted(set([float(x) for x in np.arange(0.0, length, step)] + [float(length)]
                       + [float(h) for h in hit_beats if 0 <= h <= length]))
    cc1: list[tuple[float, int]] = []
    for beat in beats:
        level = start_level + (end_level - start_level) * (beat / length if length > 0 else 0)
        i = min(1.0, max(0.0, float(fn(beat))))
        value = int(min(127, max(1, round(level * (0.55 + 0.9 * i)))))
        if not cc1 or cc1[-1][1] != value:
            cc1.append((beat, value))
    cc11: list[tuple[float, int]] = [(0.0, 127)]
    last = 0.0
    for h in sorted(float(x) for x in hit_beats):
        if not 0 < h <= length:
            continue
        start = max(last, h - swell)
        if h - start < 0.25:
            continue
        points = _grid(start, h, 0.25)
        for k, t in enumerate(points):
            value = int(round(80 + 47 * k / len(points)))
            if cc11[-1][0] == t:
                cc11[-1] = (t, value)
            else:
                cc11.append((t, value))
        cc11.append((h, 127))
        last = h
    return {1: tuple(cc1), 11: tuple(cc11)}


__all__ = [
    "CADENCES", "CHROMATIC_COLOURS", "COLOUR_CHORDS", "Chord", "QUALITIES", "TEXTURE_KINDS",
    "bass_line",
    "dynamics_curve", "harmonise", "harmony_key", "make_chord", "palette", "parallel_perfects",
    "percussion", "roman", "strong_beat_chord_tone_ratio", "strong_beats", "strong_offsets",
    "texture", "voice", "voicings",
]
