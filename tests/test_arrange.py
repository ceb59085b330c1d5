"""Each arranging step on small inputs: voicing, textures, orchestration, percussion,
dynamics. Whole films are checked in test_film.py and by the sketch-quality report."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from motifgen.arrange.dynamics import Span, cc1_curves
from motifgen.arrange.parts import channels, orchestrate
from motifgen.arrange.percussion import Moments, percussion, pulse_groups
from motifgen.arrange.textures import TEXTURES
from motifgen.arrange.voicing import voice_lead
from motifgen.moods import PRESETS
from motifgen.motif import Notes
from motifgen.orchestra import DRUM_CHANNEL
from motifgen.theory import VELOCITY_RANGE, Key, beat_groups, make_chord, roman, velocity_of

C = Key(0, "ionian")
DIATONIC = [(0, "major"), (2, "minor"), (4, "minor"), (5, "major"), (7, "major"),
            (9, "minor")]


def _chords(prog, beats=4.0):
    return [make_chord(beats * i, beats, C, r, q) for i, (r, q) in enumerate(prog)]


def _melody(pitches, beats=2.0):
    n = len(pitches)
    return Notes(np.arange(n) * beats, np.full(n, beats), np.array(pitches), np.full(n, 80))


def _voiced(prog, pitches):
    chords = _chords(prog)
    return voice_lead(chords, _melody(pitches), (28, 55), 38, 40, 96, 0)


def _parallel(v0, v1):
    return [(i, j) for i, j in itertools.combinations(range(len(v0)), 2)
            if v0[i] != v1[i] and v0[j] != v1[j]
            and (v0[j] - v0[i]) % 12 == (v1[j] - v1[i]) % 12 in (0, 7)]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(DIATONIC), min_size=2, max_size=10),
       st.data())
def test_voice_leading_properties(prog, data):
    pitches = data.draw(st.lists(st.sampled_from([67, 69, 71, 72, 74, 76, 77, 79]),
                                 min_size=2 * len(prog), max_size=2 * len(prog)))
    vs = _voiced(prog, pitches)
    mel = _melody(pitches)
    for v in vs:
        low = min(p for o, d, p in zip(mel.onset, mel.duration, mel.pitch)
                  if o < v.end and o + d > v.beat)
        assert max(v.upper) < low, "an upper voice covers the melody"
        classes = {p % 12 for p in v.pitches}
        assert v.chord.pitch_classes[1] in classes, "the third is missing"
        assert list(v.upper) == sorted(v.upper) and v.bass < v.upper[0]
    for a, b in zip(vs, vs[1:]):
        assert _parallel(a.pitches, b.pitches) == [], (a, b)


def test_voice_leading_holds_common_tones_and_avoids_planing():
    prog = [(0, "major"), (9, "minor"), (5, "major"), (7, "major"), (0, "major"),
            (4, "minor"), (5, "major"), (2, "minor"), (7, "major"), (0, "major")]
    vs = _voiced(prog, [79, 77, 76, 77, 81, 79, 76, 74, 72, 76, 77, 79, 81, 77, 74, 79,
                        74, 71, 72, 76])
    held = available = same = 0
    for a, b in zip(vs, vs[1:]):
        if set(a.chord.pitch_classes) & set(b.chord.pitch_classes):
            available += 1
            held += bool(set(a.upper) & set(b.upper))
        moves = [y - x for x, y in zip(a.upper, b.upper)]
        same += all(m > 0 for m in moves) or all(m < 0 for m in moves)
    assert held / available >= 0.7
    assert same / (len(vs) - 1) <= 0.15


def test_leading_tone_is_not_doubled():
    vs = _voiced([(0, "major"), (7, "major"), (0, "major")], [79, 79, 79, 79, 79, 79])
    dominant = vs[1]
    assert [p % 12 for p in dominant.pitches].count(11) <= 1


def test_textures_are_figurations_of_the_voiced_chord():
    vs = _voiced(DIATONIC, [79] * 12)
    groups = beat_groups((4, 4))
    for name, texture in TEXTURES.items():
        rows = texture.draw(vs, (0, 1, 2), groups, 1.0, 70)
        for on, du, p, _ in rows:
            v = next(v for v in vs if v.beat <= on < v.end)
            assert p in v.upper or p == v.bass + 12, (name, on, p)
            assert du > 0
    tremolo = TEXTURES["tremolo"].draw(vs, (0, 1, 2), groups, 1.0, 70)
    assert len(tremolo) == 3 * len(vs)  # held notes on the tremolo patch, not 32nds
    harp = TEXTURES["harp"].draw(vs, (0, 1, 2), groups, 1.0, 70)
    assert max(d for _, d, _, _ in harp) <= 0.5  # the harp never holds tied chords


def test_orchestration_by_idiom():
    tender = orchestrate(dict(PRESETS["tender"].orchestra), "arpeggio", 0, "violin", 1)
    by = {s.name: s for s in tender}
    assert by["Harp"].texture == "harp"
    assert {"Vln II", "Vla", "Vc"} <= set(by)
    assert by["Vla"].texture == "sustained"  # the harp has the figure
    heroic = orchestrate(dict(PRESETS["heroic"].orchestra), "pulse", -1, "horn", 1)
    trumpet = next(s for s in heroic if s.instrument == "trumpet")
    assert trumpet.role == "melody" and trumpet.octave == 1  # trumpet over the horn
    wonder = orchestrate(dict(PRESETS["wonder"].orchestra), "arpeggio", 0, None, 2)
    assert any(s.name == "Choir (aah)" and s.texture == "sustained" for s in wonder)
    names = [s.name for s in wonder]
    assert len(names) == len(set(names))
    action = orchestrate(dict(PRESETS["action"].orchestra), "ostinato", 0, None, 2)
    chan = channels(action)
    assert chan["Percussion"] == DRUM_CHANNEL
    melodic = [c for n, c in chan.items() if n != "Percussion"]
    assert len(set(melodic)) == len(melodic) and DRUM_CHANNEL not in melodic


def test_a_brass_chorale_is_played_by_horns_over_trombones():
    """The triumphant mood's brass harmony is real parts on their own patches: two
    horns on the upper voices, trombones on the lowest, and no GM brass section."""
    specs = orchestrate(dict(PRESETS["triumphant"].orchestra), "chorale", 0, "trumpet", 1)
    harmony = {s.instrument: s for s in specs if s.role == "harmony"}
    assert "brass" not in harmony
    horns, trombones = harmony["brass_horns"], harmony["brass_trombones"]
    assert (horns.name, horns.voices, horns.program) == ("Hn 1-2", (1, 2), 60)
    assert (trombones.name, trombones.voices, trombones.program) == ("Tbn 1-2", (0,), 57)
    assert horns.texture == trombones.texture == "chorale"


@pytest.mark.parametrize("meter,starts", [((4, 4), (0, 1, 2, 3)), ((3, 4), (0, 1, 2)),
                                          ((6, 8), (0, 1.5)), ((7, 8), (0, 1, 2)),
                                          ((5, 8), (0, 1))])
def test_grooves_follow_the_meter(meter, starts):
    assert pulse_groups(meter) == tuple(float(s) for s in starts)
    bar = meter[0] * 4 / meter[1]
    notes = percussion("drums", ("taiko",), meter, 8 * bar, Moments(),
                       np.random.default_rng(0), 80, C, busy=True)
    accents = notes.onset[notes.velocity >= 85]
    assert set(np.round(accents % bar, 6)) == {0.0}  # accent on the bar line only
    on_groups = np.isin(np.round(notes.onset % bar, 6), np.round(starts, 6))
    assert on_groups.mean() >= 0.6
    assert notes.velocity.min() >= VELOCITY_RANGE[0] and notes.velocity.max() <= 115


def test_fill_crescendos_into_a_hit_and_timpani_avoid_the_bass():
    notes = percussion("drums", ("taiko",), (4, 4), 16.0, Moments(strikes=(0.0,), fills=(16.0,)),
                       np.random.default_rng(1), 80, C, busy=False)
    fill = (notes.onset >= 14.0) & (notes.onset < 16.0)
    assert fill.sum() >= 6 and np.all(np.diff(notes.velocity[fill]) >= 0)
    assert np.any(np.isclose(notes.onset, 0.0))
    timp = percussion("timpani", (), (4, 4), 16.0, Moments(rolls=(16.0,)),
                      np.random.default_rng(0), 80, C, busy=True, avoid=(frozenset({36}),))
    roll = (timp.onset >= 14.0) & (timp.onset < 16.0)
    assert roll.sum() >= 6  # a roll into the swell at the section's end
    assert 36 not in timp.pitch.tolist() and 48 in timp.pitch.tolist()


def test_dynamics_live():
    assert velocity_of("ppp") == VELOCITY_RANGE[0] and velocity_of("fff") == VELOCITY_RANGE[1]
    spans = [Span(0.0, 32.0, "p", "p", 0.5), Span(32.0, 64.0, "f", "ff", 0.8)]
    curves = cc1_curves(spans, ["melody", "harmony"], 16.0, [32.0])
    melody, harmony = curves["melody"], curves["harmony"]
    for curve in (melody, harmony):
        first = [v for b, v in curve if b < 32]
        assert max(first) - min(first) >= 15  # phrase arches, not a flat line
        assert max(v for b, v in curve if b >= 32) > max(first)  # the louder section
    assert melody != harmony
    level = dict(melody)
    assert level.get(32.0, 0) > min(v for b, v in melody if 26 <= b < 32)  # build into it
    assert np.mean(_sampled(melody, 64)) > np.mean(_sampled(harmony, 64)) + 5  # lead on top


def _sampled(curve, length):
    """The curve's value in force at every beat."""
    return [[v for b, v in curve if b <= t + 1e-9][-1] for t in range(length)]


def test_a_creeping_inner_voice_moves_by_semitones():
    key = Key(2, "locrian")
    chords = [make_chord(8.0 * i, 8.0, key, key.tonic + off, q) for i, (off, q) in
              enumerate([(0, "minmaj7"), (11, "diminished"), (0, "minmaj7"), (8, "minmaj7"),
                         (1, "major"), (0, "minmaj7")])]
    mel = _melody([77] * 24)

    def creeps(flag):
        vs = voice_lead(chords, mel, (28, 55), 38, 40, 96, key.tonic, pedal=key.tonic,
                        creep=flag)
        return sum(abs(b.upper[1] - a.upper[1]) == 1 for a, b in zip(vs, vs[1:]))

    assert creeps(True) > creeps(False)
    assert roman(key, 2, "minmaj7") == "i(maj7)"
