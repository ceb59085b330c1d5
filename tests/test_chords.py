"""Chords for a melody in every mood, and a bass under them."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from motifgen.arrange.chords import (
    COLOUR_CHORDS,
    harmonise,
    harmony_key,
    palette,
    parallel_perfects,
    sounding,
    strong_beat_chord_tone_ratio,
)
from motifgen.arrange.voicing import bass_line
from motifgen.errors import MotifgenError
from motifgen.moods import PRESETS, resolve_mood
from motifgen.motif import Motif, Notes
from motifgen.orchestra import instrument
from motifgen.theory import (
    MODES,
    PRINTED_MARKS,
    QUALITIES,
    ROLE_VELOCITY,
    Chord,
    Key,
    bar_beats,
    chord_tones,
    dynamic_mark,
    make_chord,
    numeral_degree,
    roman,
    strong_beats,
    tonic_quality,
    triads_in,
    velocity_of,
)

# (steps, alterations, durations, meter): diatonic unless alterations say otherwise
MOTIFS = {
    "arch": ([0, 2, 4, 3, 1, 4, 2, 0], [0] * 8, [1, 1, 1, 1, 2, 1, 1, 8], (4, 4)),
    "fall": ([4, 5, 4, 2, 0, 1, -1, 0], [0] * 8, [2, 1, 1, 2, 2, 3, 1, 4], (4, 4)),
    "waltz": ([0, 4, 3, 2, 1, 2, 0], [0] * 7, [2, 1, 1.5, 0.5, 1, 2, 4], (3, 4)),
    "jig": ([0, 1, 2, 4, 2, 7, 4, 0], [0] * 8, [1, 0.5, 1.5, 1.5, 1.5, 1.5, 1.5, 3], (6, 8)),
    "leap": ([0, 7, 6, 4, 5, 3, 1, 2, 0], [0] * 9, [0.5, 1.5, 1, 1, 0.5, 1.5, 1, 1, 8], (4, 4)),
}
CHROMATIC = ([0, 2, 4, 3, 4, 2, 0], [0, 0, 0, 1, 0, 0, 0], [1.5, 0.5, 2, 2, 2, 4, 4], (4, 4))


def build(spec, mood, tonic=2):
    steps, alts, durs, meter = spec
    key = Key(tonic, mood.mode)
    motif = Motif.from_degrees(steps, alts, durs, key, meter)
    bar = bar_beats(meter)
    length = math.ceil(motif.end / bar) * bar + bar  # one bar after the tune
    return motif, key, meter, length


CASES = [(m, s, seed) for m in sorted(PRESETS) for s in sorted(MOTIFS) for seed in (0, 1)]


@pytest.fixture(scope="module")
def harmonised():
    out = {}
    for mood_name, spec_name, seed in CASES:
        mood = PRESETS[mood_name]
        motif, key, meter, length = build(MOTIFS[spec_name], mood)
        chords = harmonise(motif, key, mood, meter, length, np.random.default_rng(seed))
        out[(mood_name, spec_name, seed)] = (mood, motif, key, meter, length, chords)
    return out


@pytest.mark.parametrize("case", CASES, ids=lambda c: "-".join(map(str, c)))
def test_harmonise_chord_tones_cover_and_cadence(harmonised, case):
    mood, motif, key, meter, length, chords = harmonised[case]
    assert strong_beat_chord_tone_ratio(motif, chords, meter) >= 0.85
    # chords tile [0, length) without gaps or overlaps
    assert chords[0].beat == 0.0
    for a, b in zip(chords, chords[1:]):
        assert b.beat == pytest.approx(a.end)
        assert (a.root, a.quality) != (b.root, b.quality)
    assert chords[-1].end == pytest.approx(length)
    assert all(c.duration > 0 for c in chords)
    # the melody is in the mode, so no borrowed chromatic chords are needed
    assert all(c.kind in ("diatonic", "colour") for c in chords)
    hkey = harmony_key(key, mood)
    scale = hkey.pitch_classes()
    for c in chords:
        assert c.kind == "colour" or set(c.pitch_classes) <= scale, c
    # the tune ends on the tonic, so the cue ends on the tonic chord
    assert chords[-1].root == key.tonic


def test_harmonic_rhythm_follows_the_mood(harmonised):
    def mean_len(mood_name):
        runs = [harmonised[c][5] for c in CASES if c[0] == mood_name and c[1] == "arch"]
        return np.mean([ch.duration for chords in runs for ch in chords])

    assert mean_len("peaceful") > mean_len("heroic") > mean_len("playful")


@pytest.mark.parametrize("mood_name", sorted(PRESETS))
def test_mood_colour_appears(harmonised, mood_name):
    kinds = [c.kind for case in CASES if case[0] == mood_name for c in harmonised[case][5]]
    colour_chords = {c.symbol for case in CASES if case[0] == mood_name
                     for c in harmonised[case][5] if c.kind == "colour"}
    if COLOUR_CHORDS[PRESETS[mood_name].colour]:
        assert "colour" in kinds, (mood_name, colour_chords)


@pytest.mark.parametrize("case", CASES, ids=lambda c: "-".join(map(str, c)))
def test_a_section_sounds_its_colour_wherever_the_melody_lets_it(harmonised, case):
    """When some chord but the last could have been one of the colour's chords (it
    holds every strong-beat melody note there), the section has a colour chord."""
    mood, motif, key, meter, length, chords = harmonised[case]
    sets = [set(c.pcs) for c in palette(harmony_key(key, mood), mood.colour)
            if c.kind == "colour"]
    beats = strong_beats(meter, length)

    def notes_under(chord):
        return {p % 12 for b in beats if chord.beat - 1e-6 <= b < chord.end - 1e-6
                for p in [sounding(motif, b)] if p is not None}

    possible = any(notes_under(c) <= cs for c in chords[:-1] for cs in sets)
    if possible and length >= 2 * bar_beats(meter):
        assert any(c.kind == "colour" for c in chords), [c.symbol for c in chords]


def test_mode_colour_chords():
    c_major = Key(0, "ionian")
    symbols = {c.symbol: c.kind for c in palette(c_major, "mixolydian_bVII")}
    assert symbols["bVII"] == "colour" and symbols["V"] == "diatonic"
    assert {c.symbol for c in palette(Key(0, "ionian"), "hexatonic_pole")} >= {"bvi", "bV", "bII"}
    assert "III" in {c.symbol for c in palette(Key(0, "aeolian"), "hexatonic_pole")}
    mediants = {c.symbol for c in palette(c_major, "chromatic_mediants") if c.kind == "colour"}
    assert mediants == {"III", "bVI", "VI", "bIII"}
    assert "II" in {c.symbol for c in palette(Key(0, "lydian"), "lydian_II")}
    assert "bII" in {c.symbol for c in palette(Key(0, "aeolian"), "phrygian_bII")}
    assert {c.symbol for c in palette(c_major, "secondary_dominants")} >= {"V/V", "V/vi"}


def test_sparse_scales_borrow_parent_triads():
    for mode in ("whole_tone", "major_pentatonic", "octatonic"):
        cands = palette(Key(0, mode), "none")
        assert len(cands) >= 4


def test_chromatic_melody_note_is_harmonised():
    mood = PRESETS["tender"]
    motif, key, meter, length = build(CHROMATIC, mood, tonic=0)
    chords = harmonise(motif, key, mood, meter, length, np.random.default_rng(3))
    assert strong_beat_chord_tone_ratio(motif, chords, meter) >= 0.85
    assert any(c.contains(66) for c in chords if c.beat <= 4.0 < c.end)  # F# on beat 4


def test_harmonise_is_deterministic_per_seed():
    mood = PRESETS["wonder"]
    motif, key, meter, length = build(MOTIFS["arch"], mood)
    a = harmonise(motif, key, mood, meter, length, np.random.default_rng(9))
    b = harmonise(motif, key, mood, meter, length, np.random.default_rng(9))
    assert a == b


def test_custom_mood_mode_is_used():
    storm = resolve_mood("storm", {"storm": {"base": "action", "mode": "phrygian"}})
    motif, key, meter, length = build(MOTIFS["fall"], storm)
    chords = harmonise(motif, Key(2, "ionian"), storm, meter, length, np.random.default_rng(0))
    assert harmony_key(Key(2, "ionian"), storm) == Key(2, "phrygian")
    assert chords[-1].root == 2


def test_harmonise_rejects_empty_length():
    mood = PRESETS["heroic"]
    motif, key, meter, _ = build(MOTIFS["arch"], mood)
    with pytest.raises(MotifgenError):
        harmonise(motif, key, mood, meter, 0, np.random.default_rng(0))


@pytest.mark.parametrize("case", CASES, ids=lambda c: "-".join(map(str, c)))
def test_bass_has_no_parallel_perfects(harmonised, case):
    mood, motif, key, meter, length, chords = harmonised[case]
    for name in mood.orchestra["bass"]:
        inst = instrument(name)
        lead = Notes(motif.onset, motif.duration, motif.pitch + 12, motif.velocity)
        pitches = bass_line(chords, lead, inst.low, inst.high, inst.low + 10,
                            strong=strong_beats(meter, length))
        bass = Notes([c.beat for c in chords], [c.duration for c in chords], pitches,
                     [80] * len(chords))
        assert len(bass) == len(chords)
        assert parallel_perfects(bass, lead, meter) == []
        assert bass.pitch.min() >= inst.low and bass.pitch.max() <= inst.high
        for c, p in zip(chords, bass.pitch):
            assert p % 12 in c.pitch_classes


def test_parallel_perfects_detects_fifths_and_octaves():
    melody = Notes([0, 2, 4], [2, 2, 2], [67, 69, 71], [80] * 3)
    fifths = Notes([0, 2, 4], [2, 2, 2], [60, 62, 64], [80] * 3)
    octaves = Notes([0, 2, 4], [2, 2, 2], [55, 57, 52], [80] * 3)
    thirds = Notes([0, 2, 4], [2, 2, 2], [64, 65, 67], [80] * 3)
    held = Notes([0], [6], [60], [80])
    assert parallel_perfects(fifths, melody) == [2.0, 4.0]
    assert parallel_perfects(octaves, melody) == [2.0]
    assert parallel_perfects(thirds, melody) == []
    assert parallel_perfects(held, melody) == []


def test_one_parallel_test_for_pitches_and_arrays():
    from motifgen.arrange.chords import _parallel_perfect

    bass = np.arange(36, 60)
    for m0, m1 in ((67, 69), (67, 67), (60, 72), (64, 59)):
        for b0 in (48, 55, 60):
            row = _parallel_perfect(b0, m0, bass, m1)
            assert row.tolist() == [bool(_parallel_perfect(b0, m0, int(b), m1)) for b in bass]
    assert _parallel_perfect(60, 67, 62, 69) and _parallel_perfect(55, 67, 53, 65)
    assert not _parallel_perfect(60, 67, 60, 67) and not _parallel_perfect(60, 64, 62, 66)


def test_chord_tone_ratio_counts_strong_beats():
    key = Key(0, "ionian")
    chords = [make_chord(0, 4, key, 0, "major"), make_chord(4, 4, key, 7, "major")]
    melody = Notes([0, 2, 4, 6], [2, 2, 2, 2], [60, 62, 67, 69], [80] * 4)
    assert strong_beat_chord_tone_ratio(melody, chords, (4, 4)) == 0.5
    assert strong_beats((4, 4), 8) == [0, 2, 4, 6]
    assert strong_beats((3, 4), 6) == [0, 3]
    assert strong_beats((6, 8), 6) == [0, 1.5, 3, 4.5]


def test_chord_is_frozen_and_spelled():
    c = make_chord(0, 4, Key(2, "aeolian"), 0, "major")
    assert isinstance(c, Chord) and c.symbol == "bVII" and c.pitch_classes == (0, 4, 7)
    assert make_chord(0, 4, Key(0), 11, "diminished").symbol == "vii°"
    with pytest.raises(AttributeError):
        c.root = 3  # type: ignore[misc]


def _tonic_or_dominant(chord, key):
    return chord.root in (key.tonic, (key.tonic + 7) % 12) and chord.quality != "diminished"


@pytest.mark.parametrize("mood_name", ["tender", "tragic", "melancholy", "heroic", "wonder"])
def test_phrase_cadences_within_the_bar_when_its_first_note_forbids_it(mood_name):
    """A 6/8 phrase whose last bar is E then F# (tonic then second degree in E): no
    tonic or dominant holds both, so the cadence chord arrives on the half bar."""
    mood = PRESETS[mood_name]
    key = Key(4, mood.mode)
    steps = [0, 2, 4, 2, 1, 0, 1]
    durs = [1.5, 1.5, 1.5, 1.5, 1.5, 1.5, 3.0]
    motif = Motif.from_degrees(steps, [0] * 7, durs, key, (6, 8))
    chords = harmonise(motif, key, mood, (6, 8), 12.0, np.random.default_rng(0),
                       cadences=[9.0, 12.0])
    at_end = next(c for c in chords if c.beat <= 8.9 < c.end)
    assert _tonic_or_dominant(at_end, harmony_key(key, mood)), [c.symbol for c in chords]
    assert at_end.contains(int(motif.pitch[5]))  # the phrase's last note is its tone


@pytest.mark.parametrize("mood_name", ["tender", "tragic", "melancholy", "heroic"])
def test_an_appoggiatura_on_the_cadence_beat_is_heard_as_its_resolution(mood_name):
    """1 5 6 5 in 6/8 at the end of a phrase: the sixth on the half bar resolves
    to the fifth, so the phrase closes on the tonic (or dominant), not on a chord
    built for the sixth."""
    mood = PRESETS[mood_name]
    key = Key(4, mood.mode)
    motif = Motif.from_degrees([0, 4, 5, 4, 0], [0] * 5, [1.0, 0.5, 0.5, 1.0, 3.0], key, (6, 8))
    chords = harmonise(motif, key, mood, (6, 8), 6.0, np.random.default_rng(0), cadences=[3.0])
    at_end = next(c for c in chords if c.beat <= 2.9 < c.end)
    fifth = int(motif.pitch[3])
    assert _tonic_or_dominant(at_end, harmony_key(key, mood)), [c.symbol for c in chords]
    assert at_end.contains(fifth)


@pytest.mark.parametrize(("last_pitch", "quality", "tones"), [
    (62, "major", {7, 11, 2}),   # D over the drive: V holds it
    (60, "sus4", {7, 0, 2}),     # the tonic over the drive: Vsus4 holds it
])
def test_a_hit_is_driven_by_the_dominant_or_its_suspension(last_pitch, quality, tones):
    from motifgen.arrange.chords import drive

    key = Key(0, "ionian")
    chords = [make_chord(0.0, 4.0, key, 0, "major"), make_chord(4.0, 4.0, key, 5, "major")]
    melody = Notes(np.array([0.0, 4.0, 6.0]), np.array([4.0, 2.0, 2.0]),
                   np.array([64, 65, last_pitch]), np.full(3, 80))
    out = drive(chords, 8.0, key, melody, (4, 4))
    last = out[-1]
    assert (last.beat, last.end) == (6.0, 8.0)
    assert last.quality == quality and set(last.pitch_classes) == tones and last.kind == "drive"
    assert out[-2].symbol == "IV" and out[-2].end == 6.0


def test_no_drive_where_no_dominant_holds_the_melody():
    from motifgen.arrange.chords import drive

    key = Key(0, "ionian")
    chords = [make_chord(0.0, 8.0, key, 5, "major")]
    melody = Notes(np.array([0.0, 6.0]), np.array([6.0, 2.0]), np.array([65, 69]), np.full(2, 80))
    assert drive(chords, 8.0, key, melody, (4, 4)) == chords


# --------------------------------------------------------------------------- vocabulary

@given(st.integers(0, 11), st.integers(0, 11), st.sampled_from(sorted(QUALITIES)),
       st.sampled_from(sorted(MODES)))
def test_a_numeral_reads_back_as_the_root_it_was_written_for(tonic, root, quality, mode):
    """`roman` then `numeral_degree` gives the root's distance above the tonic: the
    major scale's degree plus the numeral's own accidental."""
    degree, shift = numeral_degree(roman(Key(tonic, mode), root, quality))
    assert (MODES["ionian"][degree - 1] + shift - (root - tonic)) % 12 == 0
    chord = make_chord(0.0, 1.0, Key(tonic, mode), root, quality)
    assert chord.pitch_classes == chord_tones(root, quality) and chord.pitch_classes[0] == root


@given(st.integers(0, 11), st.sampled_from(sorted(MODES)))
def test_the_triads_of_a_key_lie_in_its_scale(tonic, mode):
    key = Key(tonic, mode)
    triads = triads_in(key)
    assert all(set(chord_tones(r, q)) <= key.pitch_classes() for r, q in triads)
    if any(r == tonic for r, _ in triads):
        assert (tonic, tonic_quality(key)) in triads


def test_a_secondary_dominant_reads_as_its_root():
    assert numeral_degree("V/V") == (2, 0) and numeral_degree("V/vi") == (3, 0)
    assert numeral_degree("#iv°") == (4, 1) and numeral_degree("X") is None


@pytest.mark.parametrize("role", sorted(ROLE_VELOCITY))
@pytest.mark.parametrize("mark", PRINTED_MARKS)
def test_a_played_velocity_prints_as_the_mark_it_was_played_from(mark, role):
    assert dynamic_mark(velocity_of(mark) + ROLE_VELOCITY[role], role) == mark
