"""Keys, modes, scale degrees and the Motif value type."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from motifgen.errors import MotifgenError
from motifgen.motif import Motif, Notes
from motifgen.theory import (
    MODES,
    Key,
    beat_groups,
    degree_of,
    degrees_of,
    fold_into,
    note_name,
    parse_meter,
    pitch_class,
    pitch_name,
    pitches_of,
    rank_keys,
    round_beat,
)

keys = st.builds(Key, st.integers(0, 11), st.sampled_from(sorted(MODES)))


@given(keys, st.integers(-20, 20), st.integers(-1, 1))
def test_degree_round_trip(key, step, alteration):
    """Every pitch has one spelling as (step, alteration) that maps back to it."""
    pitch = key.step_to_pitch(step, alteration)
    back = key.pitch_to_step(pitch)
    assert key.step_to_pitch(*back) == pitch
    if alteration == 0:
        assert back == (step, 0)


@given(keys, st.lists(st.integers(0, 127), max_size=80))
def test_degree_arrays_match_the_key_note_by_note(key, pitches):
    """Both paths (a few notes on Python integers, more on arrays) give Key's answers."""
    steps, alts = degrees_of(np.array(pitches, dtype=np.int64), key)
    pairs = [key.pitch_to_step(p) for p in pitches]
    assert steps.tolist() == [s for s, _ in pairs] and alts.tolist() == [a for _, a in pairs]
    assert pitches_of(steps, alts, key).tolist() == pitches
    m = Motif.from_degrees(steps, alts, [0.5] * len(pitches), key)
    assert m.pitch.tolist() == [key.step_to_pitch(s, a) for s, a in pairs]
    assert [d.tolist() for d in m.degrees()] == [steps.tolist(), alts.tolist()]


@given(keys, st.lists(st.integers(-400, 400), max_size=40), st.integers(-1, 1))
def test_degrees_beyond_the_tables_follow_the_arithmetic(key, pitches, alteration):
    """The per-key tables cover MIDI -128..255; pitches and steps past them (on the way
    to a fold) give `Key`'s answers all the same, a single note's as `degree_of`."""
    steps, alts = degrees_of(pitches, key)
    pairs = [key.pitch_to_step(p) for p in pitches]
    assert list(zip(steps.tolist(), alts.tolist())) == pairs
    assert [degree_of(p, key) for p in pitches] == pairs
    far = [3 * s for s, _ in pairs]
    assert pitches_of(far, [alteration] * len(far), key).tolist() == [
        key.step_to_pitch(s, alteration) for s in far]


@given(st.lists(st.integers(-300, 400), min_size=1, max_size=40), st.integers(-20, 20))
def test_folding_a_few_notes_in_python_matches_the_arrays(pitches, low):
    """`fold_into` on Python integers (up to 32 notes) and on arrays (the same notes
    repeated past 32) move each note alike."""
    arr = np.array(pitches, dtype=np.int64)
    high = low + 127
    folded = fold_into(arr, low, high)
    assert fold_into(np.tile(arr, 33), low, high).tolist() == folded.tolist() * 33
    assert ((folded >= low) & (folded <= high)).all() and ((folded - arr) % 12 == 0).all()


@given(keys, st.integers(24, 108))
def test_every_pitch_has_a_degree_within_a_semitone_or_two(key, pitch):
    step, alteration = key.pitch_to_step(pitch)
    assert key.step_to_pitch(step, alteration) == pitch
    assert abs(alteration) <= 2
    assert (alteration == 0) == key.contains(pitch)


@pytest.mark.parametrize("text, name, sharps, signature", [
    ("D minor", "D aeolian", -1, "Dm"),
    ("C", "C ionian", 0, "C"),
    ("F# dorian", "F# dorian", 4, "C#m"),
    ("Bb major", "Bb ionian", -2, "Bb"),
    ("E phrygian", "E phrygian", 0, "Am"),  # FF 59 gives accidentals: no sharps, minor
    ("F lydian", "F lydian", 0, "C"),
    ("G mixolydian", "G mixolydian", 0, "C"),
    ("A harmonic minor", "A harmonic_minor", 0, "Am"),
    ("Eb minor", "Eb aeolian", -6, "Ebm"),
])
def test_key_names_and_signatures(text, name, sharps, signature):
    key = Key.parse(text)
    # a MIDI key signature is the accidentals and major/minor (FF 59 sf mi)
    assert key.name == name and key.sharps() == sharps
    assert key.is_minor == signature.endswith("m")


def test_chromatic_spelling_follows_common_practice():
    major, minor = Key.parse("C major"), Key.parse("D minor")
    assert major.pitch_to_step(61) == (1, -1)  # b2
    assert major.pitch_to_step(66) == (3, 1)   # #4
    assert major.pitch_to_step(70) == (6, -1)  # b7
    assert minor.pitch_to_step(61) == (-1, 1)  # raised 7th below the tonic: C#


@pytest.mark.parametrize("bad", ["H minor", "C jolly", "", "Cx major"])
def test_bad_keys(bad):
    with pytest.raises(MotifgenError):
        Key.parse(bad)


@pytest.mark.parametrize("text, meter", [("4/4", (4, 4)), ("6/8", (6, 8)), ("5/4", (5, 4))])
def test_meters(text, meter):
    assert parse_meter(text) == meter


@pytest.mark.parametrize("bad", ["4/3", "0/4", "four", "3"])
def test_bad_meters(bad):
    with pytest.raises(MotifgenError, match="expected e.g."):
        parse_meter(bad)


@pytest.mark.parametrize("meter, beat, group, strong", [
    ((4, 4), 1.0, 2.0, (0.0, 2.0)),
    ((3, 4), 1.0, 3.0, (0.0,)),
    ((2, 4), 1.0, 2.0, (0.0,)),
    ((1, 4), 1.0, 1.0, (0.0,)),
    ((6, 8), 1.5, 1.5, (0.0, 1.5)),
    ((9, 8), 1.5, 4.5, (0.0,)),
    ((12, 8), 1.5, 3.0, (0.0, 3.0)),
    ((6, 16), 0.75, 0.75, (0.0, 0.75)),
    ((5, 4), 1.0, 5.0, (0.0, 3.0)),
    ((7, 8), 0.5, 3.5, (0.0, 2.0)),
    ((3, 8), 0.5, 1.5, (0.0,)),
])
def test_beat_groups(meter, beat, group, strong):
    groups = beat_groups(meter)
    assert (groups.beat, groups.group, groups.strong) == (beat, group, strong)
    assert groups.unit == 4 / meter[1] and groups.compound == (beat != groups.unit)


def test_strong_beats_and_metre_groups_follow_beat_groups():
    from motifgen.development.transforms import _group
    from motifgen.theory import strong_beats

    for den in (2, 4, 8, 16):
        for num in range(1, 13):
            groups = beat_groups((num, den))
            bars = [b + s for b in (0.0, groups.bar, 2 * groups.bar) for s in groups.strong]
            assert strong_beats((num, den), 3 * groups.bar) == bars
            assert groups.strong_beats(groups.bar, 2 * groups.bar) == bars[len(groups.strong):
                                                                           2 * len(groups.strong)]
            assert all(groups.is_strong(b) for b in bars)
            assert _group((num, den)) == (groups.group, groups.unit)


@given(st.integers(1, 12), st.sampled_from((2, 4, 8, 16)),
       st.lists(st.floats(0, 64, allow_nan=False), max_size=12),
       st.lists(st.integers(0, 4096), max_size=12))
def test_strong_beats_asked_at_once_answer_as_one_by_one(num, den, beats, sixteenths):
    """`are_strong` is `is_strong` for every beat, on the grid and off it."""
    groups = beat_groups((num, den))
    asked = beats + [k / 16 for k in sixteenths]
    assert groups.are_strong(asked) == [groups.is_strong(b) for b in asked]
    assert groups.are_strong([]) == []


@given(st.one_of(st.floats(-1e6, 1e6, allow_nan=False),
                 st.integers(-10 ** 6, 10 ** 6).map(lambda k: k / 64)),
       st.integers(4, 8))
def test_round_beat_is_round(beat, places):
    """The shortcut for beats on the grid gives `round`'s answer, to the bit."""
    assert round_beat(beat, places).hex() == round(beat, places).hex()


def test_motif_is_immutable_sorted_and_compared_by_value():
    m = Motif.from_notes([(2, 1, 64), (0, 1, 60), (1, 1, 62)], Key())
    assert m.onset.tolist() == [0, 1, 2] and m.pitch.tolist() == [60, 62, 64]
    with pytest.raises(ValueError):
        m.pitch[0] = 10
    assert m == Motif.from_notes([(0, 1, 60), (1, 1, 62), (2, 1, 64)], Key())
    assert m != m.with_notes(pitch=np.array([60, 62, 65]))
    assert m.end == 3 and m.intervals.tolist() == [2, 2]


rows = st.lists(st.tuples(st.sampled_from([0.0, 0.5, 1.0, 1.5, 2.0, 3.25]),
                          st.sampled_from([0.25, 0.5, 1.0, 2.0]), st.integers(0, 127),
                          st.integers(-5, 140)), max_size=40)


@given(rows)
def test_trusted_notes_equal_checked_notes(notes):
    """The trusted constructor takes its fast path only when the arrays hold every
    invariant; either way the notes equal the checked constructor's (value equality)."""
    cols = [np.array([r[i] for r in notes], dtype=t)
            for i, t in enumerate((np.float64, np.float64, np.int64, np.int64))]
    checked = Notes(*cols)
    assert Notes.trusted(*cols) == checked and hash(Notes.trusted(*cols)) == hash(checked)
    assert Notes.from_rows(notes) == checked
    assert checked.rows() == sorted(checked.rows(), key=lambda r: (r[0], r[2]))


@given(rows, st.integers(-130, 130))
def test_replace_window_and_transposed_equal_the_checked_path(notes, shift):
    m = Motif.from_notes([(o, d, p, min(127, max(1, v))) for o, d, p, v in notes],
                         Key(2, "aeolian"), name="mara")
    flipped = m.pitch[::-1]
    assert m.replace(pitch=flipped) == m.with_notes(pitch=flipped)
    assert m.replace(velocity=m.velocity) == m
    for a, b in ((0, 3), (1, len(m)), (len(m), len(m))):
        assert m.window(a, b) == Motif.from_notes(m.rows()[a:b], m.key, name="mara")
    moved = m.transposed(shift)
    assert moved.name == "mara" and ((moved.pitch >= 0) & (moved.pitch <= 127)).all()
    classes = sorted(zip(moved.onset.tolist(), ((moved.pitch - shift) % 12).tolist()))
    assert classes == sorted(zip(m.onset.tolist(), (m.pitch % 12).tolist()))


@given(rows, st.sampled_from([Key(2, "dorian"), Key()]), st.sampled_from(["", "x"]))
def test_replace_makes_the_motif_the_constructor_makes(notes, key, name):
    """The fast path of `replace` builds a Motif field for field as the checked
    constructor does (the same values, in the same order: equal pickles), whatever
    `changes` it is given; an unknown field is an error."""
    m = Motif.from_notes([(o, d, p, min(127, max(1, v))) for o, d, p, v in notes],
                         Key(2, "aeolian"), name="mara")
    changed = m.replace(onset=m.onset * 2, duration=m.duration * 2, key=key, name=name)
    checked = Motif(m.onset * 2, m.duration * 2, m.pitch, m.velocity, key=key, name=name)
    assert changed == checked and list(vars(changed)) == list(vars(checked))
    assert pickle.dumps(changed) == pickle.dumps(checked)
    assert not any(a.flags.writeable for a in (changed.onset, changed.duration))
    with pytest.raises(TypeError, match="tempo"):
        m.replace(tempo=90)


@given(rows)
def test_end_of_a_few_notes_is_the_array_maximum(notes):
    m = Motif.from_notes([(o, d, p, min(127, max(1, v))) for o, d, p, v in notes])
    assert m.end == (float((m.onset + m.duration).max()) if len(m) else 0.0)


@given(rows, st.integers(-130, 130))
def test_end_and_hash_kept_on_a_motif_are_never_carried_to_a_changed_copy(notes, shift):
    """`end`, `hash` and `fingerprint` are worked out once per object; every copy with other
    notes (replace, window, transposed, with_notes) works out its own."""
    m = Motif.from_notes([(o, d, p, min(127, max(1, v))) for o, d, p, v in notes],
                         Key(2, "aeolian"), name="mara")
    m.end, hash(m), m.fingerprint()  # kept on m from here
    copies = (m.replace(onset=m.onset * 2, duration=m.duration * 2), m.window(0, 1),
              m.transposed(shift), m.with_notes(duration=m.duration / 2), m.replace(name="x"))
    for c in copies:
        fresh = Motif.from_notes(c.rows(), c.key, c.meter, c.name)
        assert c.end == fresh.end and c.fingerprint() == fresh.fingerprint()
        assert hash(c) == hash(fresh) and c == fresh


def test_equality_counts_every_field_and_notes_are_never_a_motif():
    m = Motif.from_notes([(0, 1, 62), (1, 1, 64)], Key(2, "aeolian"), name="mara")
    assert m == m.with_notes() and hash(m) == hash(m.with_notes())
    assert m != m.with_notes(name="finch") and m != m.with_notes(key=Key(2, "dorian"))
    plain = Notes(m.onset, m.duration, m.pitch, m.velocity)
    assert plain == Notes(m.onset, m.duration, m.pitch, m.velocity)
    assert plain != m and m != plain
    assert len({plain, Notes(m.onset, m.duration, m.pitch, m.velocity)}) == 1


@given(st.integers(0, 127))
def test_one_speller_names_every_pitch_as_it_reads_back(pitch):
    for flats in (False, True):
        name = pitch_name(pitch, flats)
        assert name.startswith(note_name(pitch, flats))
        assert pitch_class(note_name(pitch, flats)) == pitch % 12
        assert int(name[len(note_name(pitch, flats)):]) == pitch // 12 - 1
    assert Key(10, "minor").pitch_name(70) == "Bb4" and Key(7).pitch_name(66) == "F#4"


@given(keys)
def test_key_finding_names_the_key_of_its_scale_played_from_the_tonic(key):
    """The tonic triad held over the scale: the major or minor key on that tonic wins
    (for the modes whose third is major or minor)."""
    if key.mode not in ("ionian", "aeolian"):
        return
    pitches = [key.step_to_pitch(s) for s in range(8)] + [key.step_to_pitch(s) for s in (0, 2, 4)]
    lengths = [1.0] * 8 + [4.0, 4.0, 4.0]
    best = rank_keys(pitches, lengths)[0][0]
    assert best == key


def test_motif_rejects_non_positive_durations_and_mismatched_arrays():
    with pytest.raises(MotifgenError, match="positive"):
        Motif.from_notes([(0, 0, 60)], Key())
    with pytest.raises(MotifgenError, match="differ in length"):
        Motif([0, 1], [1], [60], [80])
    with pytest.raises(MotifgenError, match="must match"):
        Motif.from_degrees([0, 1], [0, 0], [1], Key())


@given(st.lists(st.integers(-300, 300), max_size=12), st.integers(-200, 200),
       st.integers(0, 200))
def test_all_within_is_every_value_in_the_range(values, low, width):
    from motifgen.theory import all_within

    high = low + width
    assert all_within(np.array(values, dtype=np.int64), low, high) == all(
        low <= v <= high for v in values)
