"""Chords for a melody in a mood's mode: the first step of arranging a section.

`harmonise` picks one chord per span of the mood's harmonic rhythm (halving a
span where the melody needs two chords) by dynamic programming over a
palette: the mode's diatonic triads, the mood's colour chords (`COLOUR_CHORDS`)
and, only for chromatic melody notes, borrowed major/minor triads. The melody
note sounding on every strong beat is a tone of the chord sounding there;
phrase ends prefer the mood's cadence (`CADENCES`) into the tonic.

`voicing` then voice-leads the chords into real parts.
Time is in quarter-note beats, pitch in MIDI numbers. The chord vocabulary
(qualities, Roman numerals, `Chord`) is `motifgen.theory.chords`.

>>> [(c.symbol, c.kind) for c in palette(Key(0, "ionian"), "phrygian_bII")][-2:]
[('vii°', 'diatonic'), ('bII', 'colour')]
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from functools import cached_property, lru_cache

import numpy as np
from msgspec import Struct

from ..errors import MotifgenError
from ..moods import Mood
from ..motif import Notes
from ..recipes import COLOURS
from ..theory import EPS as _EPS
from ..theory import (
    Chord,
    Key,
    bar_beats,
    beat_groups,
    chord_pcs,
    chord_tones,
    make_chord,
    roman,
    strong_beats,
    tonic_quality,
    triads_in,
)
from ._paths import cheapest_path

#: Colour chords per mood colour: (semitones above the tonic, quality, symbol or "").
#: "pole" entries depend on the tonic triad (see `_palette`).
COLOUR_CHORDS = {n: c.chords for n, c in COLOURS.items()}
#: Colours whose moods may colour the melody chromatically too (not only the chords).
CHROMATIC_COLOURS = frozenset(n for n, c in COLOURS.items() if c.chromatic)

#: Extra preference for the colour's chords, tried in turn when a section of two bars
#: or more would otherwise not sound its mood's colour at all.
COLOUR_INSIST: tuple[float, ...] = (1.0, 2.0)
#: Chords that approach the final tonic of a phrase, per colour: (semitones, quality).
CADENCES = {n: c.cadences for n, c in COLOURS.items()}

#: Heptatonic parents whose triads fill out scales with few triads of their own.
_PARENT_MODE = {"major_pentatonic": "ionian", "minor_pentatonic": "aeolian",
                "whole_tone": "lydian"}


def harmony_key(key: Key, mood: Mood) -> Key:
    """The key chords are chosen in: `key` if the mood allows its mode, else the mood's mode."""
    return key if key.mode in mood.modes else Key(key.tonic, mood.mode)


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

class _Cand(Struct, frozen=True, eq=False, dict=True):
    """A chord the harmoniser may pick. Compared by identity: every one comes from a
    cached palette (`_palette`, `_chromatic`), so the costs cached for it are found
    again without hashing its fields."""

    root: int
    quality: str
    symbol: str
    kind: str

    @cached_property
    def pcs(self) -> frozenset[int]:
        return chord_pcs(self.root, self.quality)


def palette(key: Key, colour: str) -> list[_Cand]:
    """Diatonic triads of `key` (and its parent for sparse scales) plus colour chords."""
    return list(_palette(key, colour))


@lru_cache(maxsize=256)
def _palette(key: Key, colour: str) -> tuple[_Cand, ...]:
    if colour not in COLOUR_CHORDS:
        raise MotifgenError(f"unknown harmonic colour {colour!r}; expected one of: "
                            + ", ".join(COLOUR_CHORDS))
    seen: dict[tuple[int, str], _Cand] = {}
    triads = triads_in(key)
    if key.mode in _PARENT_MODE or len(triads) < 4:
        parent = _PARENT_MODE.get(key.mode)
        if parent:
            triads += triads_in(Key(key.tonic, parent))
    for root, q in triads:
        seen.setdefault((root, q), _Cand(root, q, roman(key, root, q), "diatonic"))
    tonic_q = tonic_quality(key)
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

class _Span(Struct):
    start: float
    end: float
    required: frozenset[int]
    weights: dict[int, float]


def _melody_weights(melody: Notes, spans: Sequence[_Span]) -> list[dict[int, float]]:
    """Beats each pitch class of the melody sounds in each span, in one pass of arrays."""
    start = np.array([sp.start for sp in spans])[:, None]
    end = np.array([sp.end for sp in spans])[:, None]
    overlap = (np.minimum(end, melody.onset + melody.duration)
               - np.maximum(start, melody.onset))
    rows, cols = np.nonzero(overlap > _EPS)
    weights: list[dict[int, float]] = [{} for _ in spans]
    for i, pc, beats in zip(rows.tolist(), (melody.pitch[cols] % 12).tolist(),
                            overlap[rows, cols].tolist()):
        w = weights[i]
        w[pc] = w.get(pc, 0.0) + beats
    return weights


def _span_size(meter: tuple[int, int], hr: float) -> float:
    """Beats of a span of the harmonic rhythm `hr`: whole bars, or beats tiling a bar."""
    bar = bar_beats(meter)
    pulse = beat_groups(meter).beat
    if hr >= bar:
        return bar * max(1, round(hr / bar))
    size = max(pulse, pulse * round(hr / pulse))
    while bar % size > _EPS and size > pulse:  # spans must tile the bar
        size -= pulse
    return size


def _plan_spans(melody: Notes, meter: tuple[int, int], length: float, hr: float,
                h: _Harmony, cadences: Sequence[float] = ()) -> list[_Span]:
    """Chord spans of the harmonic rhythm, split where the strong-beat melody notes
    fit no one chord of `h`; a span ending a phrase (`cadences`) whose notes fit none
    of the closing chords (tonic and dominant) is split at its last strong beat, so the
    cadence chord arrives with the phrase's last note, as a composer writes V-I
    within the bar."""
    strong = strong_beats(meter, length)
    bounds = np.arange(0.0, length - _EPS, _span_size(meter, hr)).tolist() + [length]
    spans: list[_Span] = []
    top = dict(zip(strong, _sounding_at(melody, strong)))
    k = 0  # the strong beats are in order: each span takes those before its end
    for a, b in zip(bounds, bounds[1:]):
        start, req = a, frozenset[int]()
        while k < len(strong) and strong[k] < b - _EPS:
            s, pitch = strong[k], top[strong[k]]
            k += 1
            if pitch is None:
                continue
            new = req | {pitch % 12}
            if new in h.fits or not req:
                req = new
                continue
            spans.append(_Span(start, s, req, {}))
            start, req = s, frozenset((pitch % 12,))
        spans.append(_Span(start, b, req, {}))
    if cadences and h.closes:
        marks = _marks(cadences)
        spans = [part for sp in spans
                 for part in (_cadence_split(sp, strong, top, h.closes, melody)
                              if _ends_phrase(sp, marks) else (sp,))]
    for sp, weights in zip(spans, _melody_weights(melody, spans)):
        sp.weights = weights
    return spans


def _ends_phrase(sp: _Span, marks: Sequence[float]) -> bool:
    """Whether a phrase ends in `sp`: a cadence `c` with start < c - EPS <= end + EPS,
    `marks` being each c - EPS, sorted."""
    k = bisect_right(marks, sp.start)
    return k < len(marks) and marks[k] <= sp.end + _EPS


def _marks(cadences: Sequence[float]) -> list[float]:
    """`_ends_phrase`'s marks of `cadences`."""
    return sorted(c - _EPS for c in cadences)


def _cadence_split(sp: _Span, strong: Sequence[float], top: dict[float, int | None],
                   closes: Sequence[_Cand], melody: Notes) -> list[_Span]:
    """`sp`, a span ending a phrase, split at its last strong beat when no closing chord
    holds all its notes and one holds the note from that beat on (or the note an
    appoggiatura on that beat resolves to). `strong` is in order."""
    if any(sp.required <= c.pcs for c in closes):
        return [sp]
    first = bisect_left(strong, sp.start - _EPS)  # the span's strong beats from `first` on
    inner = [s for s in strong[first:bisect_left(strong, sp.end - _EPS)] if top[s] is not None]
    if not inner:
        return [sp]
    last = inner[-1]
    for pitch in (top[last], _resolution(melody, last, sp.end)):
        if pitch is not None and any({pitch % 12} <= c.pcs for c in closes):
            break
    else:
        return [sp]
    if last <= sp.start + _EPS:
        return [_Span(sp.start, sp.end, frozenset((pitch % 12,)), {})]
    head = frozenset(t % 12 for s in strong[first:bisect_left(strong, last - _EPS)]
                     if (t := top[s]) is not None)
    return [_Span(sp.start, last, head, {}), _Span(last, sp.end, frozenset((pitch % 12,)), {})]


def _resolution(melody: Notes, beat: float, end: float) -> int | None:
    """The pitch a short note on `beat` resolves to by step before `end` (the note
    being an appoggiatura or accented neighbour), or None."""
    on = melody.onset
    at = np.flatnonzero((on <= beat + _EPS) & (on + melody.duration > beat + _EPS))
    later = np.flatnonzero((on > beat + _EPS) & (on < end - _EPS))
    if not len(at) or not len(later):
        return None
    i = int(at[np.argmax(melody.pitch[at])])
    j = int(later[np.argmin(on[later])])
    short = on[i] + melody.duration[i] - beat <= (end - beat) / 2 + _EPS
    step = 1 <= abs(int(melody.pitch[j]) - int(melody.pitch[i])) <= 2
    return int(melody.pitch[j]) if short and step else None


#: The cost of a chord by where it comes from.
_KIND_COST = {"diatonic": 0.0, "colour": -0.35, "chromatic": 2.5}


class _Role(Struct, frozen=True, gc=False):
    """What the costs ask of a chord in a key: the cost of its kind, and whether it is
    the tonic, a major or minor dominant (a half cadence), a cadence chord."""

    kind_cost: float
    tonic: bool
    dominant: bool
    approach: bool


class _Harmony(Struct, frozen=True, eq=False):
    """What the harmoniser needs of the key and the mood's colour, worked out once for
    each pair (`of`): compared by identity, so the pair costs cached for it
    (`_transition`) are found again without hashing its fields."""

    key: Key
    colour: str
    cands: tuple[_Cand, ...]
    tonic: int
    dominant: int
    approach: frozenset[tuple[int, str]]  # the cadence chords' (root, quality)
    mediant_friendly: bool
    semitone_friendly: bool
    #: The chords a phrase may end on: the tonic, or the dominant (a half cadence).
    closes: tuple[_Cand, ...]
    #: Every set of pitch classes one of `cands` holds.
    fits: frozenset[frozenset[int]]
    #: `_Role` of every chord of `cands` and of the chromatic ones.
    roles: dict[_Cand, _Role]

    @staticmethod
    def of(key: Key, mood: Mood) -> _Harmony:
        return _harmony(harmony_key(key, mood), mood.colour)

    def options(self, required: frozenset[int]) -> tuple[_Cand, ...]:
        """The chords holding `required` (the chromatic triads where none does, every
        chord where none of those does either)."""
        return _options_holding(self, required)


@lru_cache(maxsize=256)
def _harmony(hkey: Key, colour: str) -> _Harmony:
    tonic = hkey.tonic
    dominant = (tonic + 7) % 12
    cands = _palette(hkey, colour)
    approach = frozenset(((tonic + off) % 12, q)
                         for off, q in CADENCES.get(colour, CADENCES["none"]))
    closes = tuple(c for c in cands if c.root == tonic and c.quality != "diminished"
                   or c.root == dominant and c.quality in ("major", "minor"))
    fits = frozenset(frozenset(pc for i, pc in enumerate(sorted(c.pcs)) if mask >> i & 1)
                     for c in cands for mask in range(1 << len(c.pcs)))
    tonic_diminished = tonic_quality(hkey) == "diminished"
    roles = {c: _Role(_KIND_COST[c.kind],
                      c.root == tonic and c.quality != "diminished"
                      or (c.root == tonic and tonic_diminished),
                      c.root == dominant and c.quality in ("major", "minor"),
                      (c.root, c.quality) in approach)
             for c in cands + _chromatic(hkey)}
    return _Harmony(hkey, colour, cands, tonic, dominant, approach,
                    colour in ("chromatic_mediants", "hexatonic_pole", "lydian_II"),
                    colour in ("hexatonic_pole", "phrygian_bII", "diminished"),
                    closes, fits, roles)


@lru_cache(maxsize=4096)
def _options_holding(h: _Harmony, required: frozenset[int]) -> tuple[_Cand, ...]:
    return (tuple(c for c in h.cands if required <= c.pcs)
            or tuple(c for c in _chromatic(h.key) if required <= c.pcs) or h.cands)


def harmonise(melody: Notes, key: Key, mood: Mood, meter: tuple[int, int], length: float,
              rng: np.random.Generator, cadences: Sequence[float] | None = None
              ) -> list[Chord]:
    """Chords covering [0, length) for `melody` in the mood's mode and colour.

    The key's mode is kept when the mood allows it (`harmony_key`). The melody
    note sounding on every strong beat is a chord tone; a chromatic melody
    note gets a borrowed major or minor triad. Phrases end at `cadences`
    (beats: where the form's statements end) or, without them, every four bars
    (eight when the harmonic rhythm is two bars or more); a phrase ends on the
    tonic, or on the dominant as a half cadence, when the melody allows,
    approached by the mood's cadence chord.
    """
    if length <= 0:
        raise MotifgenError(f"cannot harmonise {length} beats; the length must be positive")
    h = _Harmony.of(key, mood)
    spans = _plan_spans(melody, meter, length, mood.harmonic_rhythm, h, cadences or ())
    bar = bar_beats(meter)
    phrase = bar * (8 if mood.harmonic_rhythm >= 2 * bar else 4)
    ends = _phrase_ends(spans, length, phrase, cadences)
    options = [h.options(sp.required) for sp in spans]
    # a little noise on every option, drawn in the order the options were listed
    flat = np.array(_costs(h, spans, options, ends, cadences is not None))
    flat = flat + rng.uniform(0.0, 0.35, size=len(flat))
    cuts = np.cumsum([0] + [len(o) for o in options]).tolist()
    unary = [flat[a:b] for a, b in zip(cuts, cuts[1:])]
    trans = _transitions(h, options, ends)
    picks = cheapest_path(unary, trans)
    colour = np.array([c.kind == "colour" for opts in options for c in opts], dtype=float)
    if length >= 2 * bar - _EPS and colour.any():
        coloured = [colour[a:b] for a, b in zip(cuts, cuts[1:])]
        for extra in COLOUR_INSIST:  # a section of two bars sounds its mood's colour
            if any(opts[k].kind == "colour" for opts, k in zip(options, picks)):
                break
            picks = cheapest_path([u - extra * m for u, m in zip(unary, coloured)], trans)
    return _chords_of(h.key, spans, [opts[k] for opts, k in zip(options, picks)])


def _phrase_ends(spans: Sequence[_Span], length: float, phrase: float,
                 cadences: Sequence[float] | None) -> list[bool]:
    """Whether each span ends a phrase: at a cadence, else every `phrase` beats, and
    at the end."""
    if cadences is None:
        return [abs(sp.end - length) < _EPS
                or abs(sp.end / phrase - round(sp.end / phrase)) < _EPS for sp in spans]
    marks = _marks(cadences)
    return [abs(sp.end - length) < _EPS or _ends_phrase(sp, marks) for sp in spans]


def _costs(h: _Harmony, spans: Sequence[_Span], options: Sequence[Sequence[_Cand]],
           ends: Sequence[bool], cadenced: bool) -> list[float]:
    """The cost of every option of every span, listed span by span (before the noise):
    the kind of chord, how much of the melody it holds, and tonic and dominant at
    phrase ends."""
    n = len(spans)
    out: list[float] = []
    for i, (sp, opts) in enumerate(zip(spans, options)):
        weights = sp.weights.items()
        total = sum(sp.weights.values()) or 1.0
        end, last = ends[i], i == n - 1
        approached = i + 1 < n and ends[i + 1]
        for c in opts:
            role = h.roles[c]
            pcs = c.pcs
            cost = role.kind_cost
            cost -= 1.0 * sum([w for pc, w in weights if pc in pcs]) / total
            cost += 0.6 * len(sp.required - pcs)
            if i == 0:
                cost -= 1.5 if role.tonic else 0.0
            if end:
                if role.tonic:
                    cost -= 4.0 if last else (3.5 if cadenced else 1.5)
                elif role.dominant:
                    cost -= 2.8 if cadenced else 0.6  # a half cadence
                elif last or cadenced:
                    cost += 2.0  # a phrase ends off tonic and dominant
            if approached and role.approach:
                cost -= 1.2
            out.append(cost)
    return out


def _pair(h: _Harmony, a: _Cand, b: _Cand, end: bool) -> float:
    """The cost of chord `a` going to `b` (`end`: `b` ends a phrase): root motion, the
    mood's colour, secondary dominants resolving, cadences."""
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
        cost = -0.3 if h.mediant_friendly else 0.0
    elif d in (1, 11):
        cost = 0.0 if h.semitone_friendly else 0.3
    else:
        cost = 0.0 if h.semitone_friendly else 0.8
    if a.symbol.startswith("V/"):
        cost += -1.0 if d == 5 else 0.8
    if a.kind == "colour" and b.kind == "colour":
        cost += 0.9
    if end and b.root == h.tonic and (a.root, a.quality) in h.approach:
        cost -= 1.0
    return cost


def _transitions(h: _Harmony, options: Sequence[tuple[_Cand, ...]], ends: Sequence[bool]
                 ) -> list[np.ndarray]:
    """The pair cost matrix between every two neighbouring spans (`_transition`)."""
    return [_transition(h, options[j - 1], options[j], ends[j])
            for j in range(1, len(options))]


@lru_cache(maxsize=4096)
def _transition(h: _Harmony, prev: tuple[_Cand, ...], cur: tuple[_Cand, ...], end: bool
                ) -> np.ndarray:
    """The cost of every chord of `prev` going to every one of `cur` (`end`: the second
    span ends a phrase), read-only: the same spans' chords meet again and again in a
    film, and each such matrix is costed once."""
    matrix = np.array([[_pair(h, a, b, end) for b in cur] for a in prev])
    matrix.setflags(write=False)
    return matrix


def _chords_of(key: Key, spans: Sequence[_Span], picked: Sequence[_Cand]) -> list[Chord]:
    """The chosen chord of every span, a chord repeated over neighbouring spans merged."""
    chords: list[Chord] = []
    i = 0
    while i < len(spans):
        c, j = picked[i], i + 1
        while j < len(spans) and (picked[j].root, picked[j].quality, picked[j].symbol) == (
                c.root, c.quality, c.symbol):
            j += 1
        chords.append(make_chord(spans[i].start, spans[j - 1].end - spans[i].start, key, c.root,
                                 c.quality, c.symbol, c.kind))
        i = j
    return chords


#: Chords a harmonic turn may land on, in order of preference: (semitones above the
#: tonic, quality): the deceptive bVI and VI, the chromatic mediants bIII and III.
TURNS: tuple[tuple[int, str], ...] = ((8, "major"), (9, "minor"), (3, "major"), (4, "major"),
                                      (9, "major"))


def turn(chords: Sequence[Chord], melody: Notes, key: Key, meter: tuple[int, int]
         ) -> list[Chord]:
    """The first chord turned: a deceptive or chromatic-mediant chord (`TURNS`) holding
    the melody note on the first beat, for as long as the strong-beat melody notes stay
    its tones (the rest of the first chord keeps its harmony). Unchanged where no turn
    chord holds the first note."""
    if not chords:
        return list(chords)
    first = chords[0]
    beats = [b for b in strong_beats(meter, first.end) if b >= first.beat - _EPS]
    notes = _sounding_at(melody, beats)
    for off, quality in TURNS:
        root = (key.tonic + off) % 12
        tones = set(chord_tones(root, quality))
        if root == first.root or (notes and notes[0] is not None and notes[0] % 12 not in tones):
            continue
        until = next((b for b, p in zip(beats, notes) if p is not None and p % 12 not in tones),
                     first.end)
        turned = make_chord(first.beat, until - first.beat, key, root, quality, kind="colour")
        rest = [] if until >= first.end - _EPS else [
            Chord(until, first.end - until, first.root, first.pitch_classes, first.symbol,
                  first.quality, first.kind)]
        return [turned, *rest, *chords[1:]]
    return list(chords)


def substitute(chords: Sequence[Chord], start: float, end: float, key: Key, root: int,
               quality: str, melody: Notes, meter: tuple[int, int],
               kind: str = "colour") -> list[Chord] | None:
    """The chords with [start, end) given to the chord on `root` (semitones above the
    key's tonic), or None when a strong-beat melody note there is not one of its tones."""
    tones = set(chord_tones((key.tonic + root) % 12, quality))
    beats = [b for b in strong_beats(meter, end) if b >= start - _EPS]
    if any(p is not None and p % 12 not in tones for p in _sounding_at(melody, beats)):
        return None
    out: list[Chord] = []
    for c in chords:
        if c.end <= start + _EPS or c.beat >= end - _EPS:
            out.append(c)
            continue
        if c.beat < start - _EPS:
            out.append(Chord(c.beat, start - c.beat, c.root, c.pitch_classes, c.symbol,
                             c.quality, c.kind))
        if c.end > end + _EPS:
            out.append(Chord(end, c.end - end, c.root, c.pitch_classes, c.symbol, c.quality,
                             c.kind))
    out.append(make_chord(start, end - start, key, key.tonic + root, quality, kind=kind))
    return sorted(out, key=lambda c: c.beat)


#: The chords a closed ending approaches its final tonic with, per colour: (semitones
#: above the tonic, quality), played in turn through the bar before the final bar.
FINAL_CADENCES = {n: c.final for n, c in COLOURS.items() if c.final}


def cadence(chords: Sequence[Chord], closing: float, key: Key, colour: str, melody: Notes,
            meter: tuple[int, int]) -> list[Chord]:
    """The bar before the final bar given to the colour's final cadence (`FINAL_CADENCES`,
    else the dominant), where the melody allows it."""
    bar = bar_beats(meter)
    steps = FINAL_CADENCES.get(colour, ((7, "major"),))
    start = closing - bar
    if start < (chords[0].beat if chords else 0.0) - _EPS:
        return list(chords)
    out = list(chords)
    for k, (root, quality) in enumerate(steps):
        a = start + bar * k / len(steps)
        b = start + bar * (k + 1) / len(steps)
        done = substitute(out, a, b, key, root, quality, melody, meter)
        if done is None:
            return list(chords)
        out = done
    return out


#: The dominants a hit is driven into, in order of preference.
DRIVES: tuple[str, ...] = ("major", "sus4")


def drive(chords: Sequence[Chord], end: float, key: Key, melody: Notes,
          meter: tuple[int, int]) -> list[Chord]:
    """The dominant through the half bar before a hit where the melody allows it, or
    its suspended fourth (Vsus4, which holds the tonic) where the melody sits on the
    tonic."""
    half = bar_beats(meter) / 2
    start = max(end - half, chords[-1].beat if chords else 0.0)
    for quality in DRIVES:
        done = substitute(chords, start, end, key, 7, quality, melody, meter, kind="drive")
        if done is not None:
            return done
    return list(chords)
