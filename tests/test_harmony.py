"""Harmony: chords for a melody in every mood, and the parts built on them."""

from __future__ import annotations

import math

import numpy as np
import pytest

from motifgen.errors import MotifgenError
from motifgen.harmony import (
    COLOUR_CHORDS,
    TEXTURE_KINDS,
    Chord,
    bass_line,
    dynamics_curve,
    harmonise,
    harmony_key,
    make_chord,
    palette,
    parallel_perfects,
    percussion,
    strong_beat_chord_tone_ratio,
    strong_beats,
    texture,
    voice,
    voicings,
)
from motifgen.moods import COLOURS, DYNAMICS, PRESETS, TEXTURES, resolve_mood
from motifgen.motif import Motif, Notes
from motifgen.orchestra import INSTRUMENTS, instrument
from motifgen.theory import Key, bar_beats

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
    assert set(COLOURS) == set(COLOUR_CHORDS)


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
        # put the melody where a lead would play it so the bass sits below it
        bass = bass_line(chords, motif, inst, meter)
        assert len(bass) == len(chords)
        assert parallel_perfects(bass, motif, meter) == []
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
    from motifgen.harmony import _parallel_perfect

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


def _moves(vs):
    return [abs(a - b) for v, w in zip(vs, vs[1:]) for a, b in zip(v, w)]


@pytest.mark.parametrize("case", [c for c in CASES if c[2] == 0],
                         ids=lambda c: "-".join(map(str, c[:2])))
def test_voicing_is_smooth_and_in_range(harmonised, case):
    mood, motif, key, meter, length, chords = harmonised[case]
    for name in mood.orchestra["harmony"]:
        inst = INSTRUMENTS[name]
        vs = voicings(chords, inst, 3)
        for chord, v in zip(chords, vs):
            assert all(inst.low <= p <= inst.high for p in v)
            assert {p % 12 for p in v} <= set(chord.pitch_classes)
            assert chord.root in {p % 12 for p in v} or len(chord.pitch_classes) > 3
        moves = _moves(vs)
        if moves:
            assert np.mean(moves) <= 3.5 and max(moves) <= 9
        notes = voice(chords, inst, 3)
        assert len(notes) == 3 * len(chords)


def _four_bar_chords():
    key = Key(0, "ionian")
    return [make_chord(4 * i, 4, key, r, q) for i, (r, q) in
            enumerate([(0, "major"), (9, "minor"), (5, "major"), (7, "major")])]


def test_textures_differ_and_stay_in_range():
    chords = _four_bar_chords()
    inst = INSTRUMENTS["strings"]
    densities = {}
    onsets = {}
    for kind in TEXTURE_KINDS:
        notes = texture(chords, kind, inst, (4, 4), "legato", rng=np.random.default_rng(0))
        assert len(notes) > 0
        assert notes.pitch.min() >= inst.low and notes.pitch.max() <= inst.high
        assert notes.onset.min() >= 0 and notes.end <= 16 + 1e-9
        # every note is a tone of the chord sounding at its onset
        for on, p in zip(notes.onset, notes.pitch):
            chord = next(c for c in chords if c.beat <= on < c.end)
            assert p % 12 in chord.pitch_classes
        densities[kind] = len(notes) / 16
        onsets[kind] = len(set(np.round(notes.onset, 6)))
    assert len(set(densities.values())) == len(TEXTURE_KINDS), densities
    assert densities["tremolo"] > densities["pulse"] > densities["ostinato"] > \
        densities["arpeggio"] > densities["sustained"]
    assert onsets["sustained"] == 4 and onsets["chorale"] == 8
    assert set(TEXTURES) == set(TEXTURE_KINDS)


def test_texture_articulation_shortens_notes():
    chords = _four_bar_chords()
    legato = texture(chords, "pulse", "strings", (4, 4), "legato")
    staccato = texture(chords, "pulse", "strings", (4, 4), "staccato")
    assert staccato.duration.sum() < legato.duration.sum()
    with pytest.raises(MotifgenError):
        texture(chords, "wall", "strings")
    with pytest.raises(MotifgenError):
        texture(chords, "pulse", "taiko")


def test_texture_no_same_pitch_overlap():
    chords = _four_bar_chords()
    for kind in TEXTURE_KINDS:
        notes = texture(chords, kind, "harp", (4, 4), "legato")
        for p in set(notes.pitch.tolist()):
            mask = notes.pitch == p
            on, end = notes.onset[mask], (notes.onset + notes.duration)[mask]
            assert np.all(end[:-1] <= on[1:] + 1e-9), kind


def test_percussion_timpani_and_drums():
    rng = np.random.default_rng(0)
    mood = PRESETS["action"]
    hits = [8.0, 14.0]
    timp = percussion(mood, (4, 4), 16.0, hits, rng, "timpani", Key(2, "aeolian"))
    t = INSTRUMENTS["timpani"]
    assert timp.pitch.min() >= t.low and timp.pitch.max() <= t.high
    assert set(timp.pitch.tolist()) <= {p for p in range(t.low, t.high + 1) if p % 12 in (2, 9)}
    for h in hits:
        assert np.any(np.isclose(timp.onset, h))
        roll = (timp.onset > h - 2) & (timp.onset < h)
        assert roll.sum() >= 8  # a roll into the hit
    drums = percussion(mood, (4, 4), 16.0, hits, rng)
    assert set(drums.pitch.tolist()) <= {35}  # taiko
    assert all(np.any(np.isclose(drums.onset, h)) for h in hits)
    assert drums.end <= 16.0 + 1e-9
    tri = percussion(PRESETS["triumphant"], (4, 4), 16.0, [12.0], rng)
    assert 49 in tri.pitch.tolist()  # crash cymbal on the hit
    assert len(percussion(PRESETS["tender"], (4, 4), 16.0, [8.0], rng)) == 0


def test_dynamics_curve_follows_intensity_and_swells_into_hits():
    curves = dynamics_curve((0.0, 1.0), 16.0, "mf", [8.0])
    cc1 = curves[1]
    values = [v for _, v in cc1]
    assert values == sorted(values) and values[0] < DYNAMICS["mf"] < values[-1]
    assert all(1 <= v <= 127 for v in values)
    cc11 = dict(curves[11])
    assert cc11[0.0] == 127 and cc11[8.0] == 127
    assert cc11[6.0] == 80
    swell = [cc11[b] for b in np.arange(6, 8.25, 0.25)]
    assert swell == sorted(swell)
    flat = dynamics_curve(lambda b: 0.5, 8.0, "p")[1]
    assert flat == ((0.0, DYNAMICS["p"]),)
    ramp = dynamics_curve((0.5, 0.5), 8.0, "mf->f")[1]
    assert ramp[0][1] == DYNAMICS["mf"] and ramp[-1][1] == DYNAMICS["f"]
    with pytest.raises(MotifgenError):
        dynamics_curve((0, 1), 8.0, "loud")


def test_chord_is_frozen_and_spelled():
    c = make_chord(0, 4, Key(2, "aeolian"), 0, "major")
    assert isinstance(c, Chord) and c.symbol == "bVII" and c.pitch_classes == (0, 4, 7)
    assert make_chord(0, 4, Key(0), 11, "diminished").symbol == "vii°"
    with pytest.raises(AttributeError):
        c.root = 3  # type: ignore[misc]
