"""Transforms: identities, invariants swept over the whole registry, the chain syntax."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from motifgen.development.chain import Step, apply_chain, format_chain, parse_chain
from motifgen.development.registry import TRANSFORMS
from motifgen.development.transforms import (
    _next_onset_gap,
    _same_shape,
    augment,
    diminish,
    dynamics,
    interval_classes,
    invert,
    key,
    metre,
    mode,
    retrograde,
    sequence,
    step,
    transpose,
)
from motifgen.errors import MotifgenError, TransformError
from motifgen.motif import Motif
from motifgen.theory import (
    EPS,
    MODES,
    Key,
    beat_groups,
    degrees_of,
    pitches_of,
    place_in_range,
)

DURATIONS = (0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0)
keys = st.builds(Key, st.integers(0, 11), st.sampled_from(sorted(MODES)))


@st.composite
def diatonic_motifs(draw, min_size: int = 1, max_size: int = 10) -> Motif:
    """Monophonic motifs whose notes all lie in their key, around middle C."""
    k = draw(keys)
    n = draw(st.integers(min_size, max_size))
    steps = draw(st.lists(st.integers(-5, 9), min_size=n, max_size=n))
    durs = draw(st.lists(st.sampled_from(DURATIONS), min_size=n, max_size=n))
    vel = draw(st.integers(30, 120))
    meter = draw(st.sampled_from([(4, 4), (3, 4), (2, 4), (6, 8)]))
    return Motif.from_degrees(steps, [0] * n, durs, k, meter=meter, velocity=vel)


@st.composite
def chromatic_motifs(draw) -> Motif:
    """Any pitches (also outside the key), rests and overlaps allowed."""
    n = draw(st.integers(1, 10))
    gaps = draw(st.lists(st.sampled_from((0.25, 0.5, 1.0, 1.5, 2.0)), min_size=n, max_size=n))
    onset = np.cumsum([0.0] + gaps[:-1])
    durs = draw(st.lists(st.sampled_from(DURATIONS), min_size=n, max_size=n))
    pitch = draw(st.lists(st.integers(20, 108), min_size=n, max_size=n))
    vel = draw(st.lists(st.integers(1, 127), min_size=n, max_size=n))
    return Motif(onset, durs, pitch, vel, key=draw(keys))


def theme() -> Motif:
    return Motif.from_degrees([0, 2, 1, 0, 4, 3, 2, 1], [0] * 8,
                              [1, 0.5, 0.5, 1, 1, 0.5, 0.5, 3], Key(2, "aeolian"))


# -- identities ---------------------------------------------------------------


@given(diatonic_motifs())
def test_diatonic_inversion_twice_is_identity(m: Motif) -> None:
    assert invert(invert(m)) == m


@given(chromatic_motifs(), st.integers(40, 90))
def test_chromatic_inversion_twice_is_identity(m: Motif, axis: int) -> None:
    mirrored = 2 * axis - m.pitch
    once = invert(m, "chromatic", axis)
    if mirrored.min() >= 0 and mirrored.max() <= 127:  # no octave folding needed
        assert np.array_equal(once.pitch, np.sort(mirrored)) or len(m) > 1
        assert invert(once, "chromatic", axis) == m


@given(chromatic_motifs(), diatonic_motifs())
def test_retrograde_twice_is_identity(m: Motif, line: Motif) -> None:
    assert retrograde(retrograde(m)) == m
    assert retrograde(retrograde(m, "pitches"), "pitches") == m
    # Rhythm alone: exact for a single line (simultaneous notes may trade pitches).
    assert retrograde(retrograde(line, "rhythm"), "rhythm") == line
    assert retrograde(line, "rhythm").pitch.tolist() == line.pitch.tolist()


@given(diatonic_motifs(), st.sampled_from((2.0, 3.0, 1.5, 0.5, 4.0, 1.25)))
def test_augment_then_diminish_is_identity(m: Motif, factor: float) -> None:
    assert diminish(augment(m, factor), factor) == m
    assert augment(m, factor).end == pytest.approx(m.end * factor)


@given(chromatic_motifs(), st.integers(-12, 12))
def test_chromatic_transposition_preserves_intervals(m: Motif, semitones: int) -> None:
    out = transpose(m, semitones)
    assert np.array_equal(out.intervals, m.intervals)
    assert np.array_equal(out.pitch, m.pitch + semitones)
    assert np.array_equal(out.onset, m.onset)


@given(chromatic_motifs())
def test_vectorised_degrees_match_key(m: Motif) -> None:
    steps, alts = degrees_of(m.pitch, m.key)
    ref_steps, ref_alts = zip(*(m.key.pitch_to_step(p) for p in m.pitch.tolist()))
    assert steps.tolist() == list(ref_steps) and alts.tolist() == list(ref_alts)
    assert np.array_equal(pitches_of(steps, alts, m.key), m.pitch)


CHURCH_MODES = ("ionian", "dorian", "phrygian", "lydian", "mixolydian", "aeolian", "locrian")


@pytest.mark.parametrize("target", sorted(MODES))
@settings(max_examples=40)
@given(m=diatonic_motifs())
def test_mode_output_lies_in_target_scale(target: str, m: Motif) -> None:
    """Every note lands on a degree of the new mode, except a chromatic inflection where
    no degree keeps its intervals: then the scale notes beside it would break one."""
    out = mode(m, target)
    assert out.key == Key(m.key.tonic, target)
    assert np.array_equal(out.onset, m.onset)
    want = interval_classes(m.intervals)
    for i, p in enumerate(out.pitch.tolist()):
        if out.key.contains(p):
            continue
        for q in (p - 1, p + 1):
            if not out.key.contains(q):
                continue
            pitch = out.pitch.copy()
            pitch[i] = q
            assert not np.array_equal(interval_classes(np.diff(pitch)), want), (i, q)
    if m.key.mode in CHURCH_MODES and target in CHURCH_MODES:  # degree for degree
        assert all(out.key.contains(int(p)) for p in out.pitch)
        assert np.array_equal(degrees_of(out.pitch, out.key)[0], m.degrees()[0])


# -- mode and key changes keep the motif's intervals -------------------------------


@pytest.mark.parametrize("target", sorted(MODES))
@settings(max_examples=60)
@given(m=chromatic_motifs(), tonic=st.sampled_from(["C", "D", "Eb", "F#", "A", "dominant"]))
def test_mode_and_key_changes_keep_direction_and_size_class(target: str, m: Motif,
                                                            tonic: str) -> None:
    """No interval between consecutive notes changes direction or size class (unison,
    step, third, larger leap): a semitone never becomes a unison, a leap never a step."""
    want = interval_classes(m.intervals)
    for out in (mode(m, target), key(m, tonic, target)):
        assert np.array_equal(np.sign(out.intervals), np.sign(m.intervals))
        assert not ((m.intervals != 0) & (out.intervals == 0)).any()
        assert np.array_equal(interval_classes(out.intervals), want)
        assert np.array_equal(out.onset, m.onset)


@given(chromatic_motifs())
def test_a_motif_moved_to_its_own_mode_is_unchanged(m: Motif) -> None:
    assert mode(m, m.key.mode) == m
    assert key(m, m.key.note_name(m.key.tonic), m.key.mode) == m


@pytest.mark.parametrize("there", sorted(k for k, v in MODES.items() if len(v) == 7))
@settings(max_examples=40)
@given(m=diatonic_motifs())
def test_there_and_back_returns_a_diatonic_motif(m: Motif, there: str) -> None:
    """A -> B -> A is the original for a motif diatonic in A whenever the first move
    went degree for degree (always between church modes; harmonic and melodic minor
    have augmented seconds and diminished fourths, where the rule may pick another
    degree to keep an interval's size class)."""
    if len(MODES[m.key.mode]) != 7:
        m = mode(m, "aeolian")
        assume(not m.degrees()[1].any())  # the move kept an interval with a chromatic note
    out = mode(m, there)
    steps, alts = degrees_of(out.pitch, out.key)
    if m.key.mode in CHURCH_MODES and there in CHURCH_MODES:
        assert np.array_equal(steps, m.degrees()[0]) and not alts.any()
    if np.array_equal(steps, m.degrees()[0]) and not alts.any():
        assert mode(out, m.key.mode) == m
    # the same through key changes: to another tonic and mode and home again
    away = key(m, "F#", there)
    steps, alts = degrees_of(away.pitch, away.key)
    if np.array_equal(steps - steps[0], m.degrees()[0] - m.degrees()[0][0]) and not alts.any():
        home = key(away, m.key.note_name(m.key.tonic), m.key.mode)
        # the same notes; an octave apart at most (F# is a tritone away: either octave
        # is as near)
        assert np.array_equal(home.intervals, m.intervals)
        assert (home.pitch - m.pitch)[0] % 12 == 0


def test_a_villain_keeps_its_semitone_in_phrygian_and_minor() -> None:
    """C minor with a chromatic Db (b2): in C phrygian the Db is a degree and stays;
    the night-ferry fog motif (E phrygian, with a chromatic F#) keeps its F-E semitone
    in E minor as a chromatic inflection; a leading tone stays under its tonic."""
    villain = Motif.from_degrees([0, 1, 0, -1, -3, 0], [0, -1, 0, 0, 0, 0],
                                 [1.5, 0.5, 1, 1, 2, 4], Key.parse("C minor"))
    assert villain.pitch.tolist()[:2] == [60, 61]
    for target in ("phrygian", "aeolian", "locrian", "harmonic_minor"):
        out = key(villain, "C", target)
        assert out.intervals[:2].tolist() == [1, -1], target
    assert key(villain, "C", "minor_pentatonic").intervals[:2].tolist() == [2, -2]
    fog = Motif([0, 1.5, 2.5, 3, 4, 5, 6], [1] * 7, [71, 71, 71, 69, 66, 65, 64], [80] * 7,
                key=Key.parse("E phrygian"))
    assert key(fog, "E", "aeolian").pitch.tolist() == [71, 71, 71, 69, 66, 65, 64]
    lead = Motif.from_degrees([4, 6, 7], [0, 1, 0], [1, 1, 2], Key.parse("D minor"))  # A C# D
    assert lead.pitch.tolist() == [69, 73, 74]
    assert key(lead, "F", "ionian").intervals.tolist() == [4, 1]  # C E F, not C F F


@given(diatonic_motifs())
def test_metre_recast_there_and_back(m: Motif) -> None:
    m44 = m.with_notes(meter=(4, 4))
    waltz = metre(m44, (3, 4))
    assert waltz.meter == (3, 4)
    assert metre(waltz, (4, 4)) == m44


def test_march_becomes_waltz_by_lengthening_strong_beats() -> None:
    march = Motif.from_notes([(0, 1, 60), (1, 1, 62), (2, 1, 64), (3, 1, 65)])
    waltz = metre(march, (3, 4))
    assert waltz.onset.tolist() == [0, 2, 3, 5]
    assert waltz.duration.tolist() == [2, 1, 2, 1]


@pytest.mark.parametrize("one_beat", [(1, 4), (1, 8)])
def test_metre_to_and_from_one_beat_meters(one_beat) -> None:
    march = Motif.from_notes([(0, 1, 60), (1, 1, 62), (2, 1, 64), (3, 1, 65)])
    short = metre(march, one_beat)
    assert short.meter == one_beat and np.all(short.duration > 0)
    assert np.all(np.diff(short.onset) > 0)
    assert metre(short, (4, 4)) == march
    for meter in ((3, 4), (6, 8), one_beat):
        _check_invariants(metre(march.with_notes(meter=one_beat), meter))
    _check_invariants(apply_chain(theme(), f"metre={one_beat[0]}/{one_beat[1]}"))


def test_metre_maps_strong_beat_groups_of_compound_bars() -> None:
    """A 12/8 bar has two strong-beat groups (0 and 3), like a 4/4 bar."""
    jig = Motif.from_notes([(1.5 * i, 1.5, 60 + i) for i in range(4)], meter=(12, 8))
    common = metre(jig, (4, 4))
    assert common.end == 4.0 and common.onset[2] == 2.0
    back = metre(common, (12, 8))
    assert back.meter == (12, 8) and back.onset == pytest.approx(jig.onset)
    assert back.duration == pytest.approx(jig.duration)


def test_diatonic_step_and_sequence_in_the_key() -> None:
    m = theme()
    out = apply_chain(m, "fragment=3, sequence=3:+1")
    assert len(out) == 9
    assert all(m.key.contains(int(p)) for p in out.pitch)
    first, second = out.pitch[:3], out.pitch[3:6]
    assert np.array_equal(second, apply_chain(m, "fragment=3, step=+1").pitch)
    assert not np.array_equal(first, second)


@given(m=chromatic_motifs(), times=st.integers(1, 6), steps=st.integers(-9, 9))
def test_a_sequence_is_its_stepped_copies_one_after_another(m: Motif, times: int,
                                                           steps: int) -> None:
    """Copy k is `step` by k * steps, moved by k whole beats past the motif's length."""
    out = sequence(m, times, steps)
    unit = beat_groups(m.meter).unit
    span = np.ceil((m.end - m.onset[0]) / unit - EPS) * unit
    rows = [(o + k * span, d, p, v) for k in range(times)
            for o, d, p, v in step(m, k * steps).rows()]
    assert out == Motif.from_notes(rows, m.key, m.meter)


@given(st.lists(st.integers(-300, 300), min_size=2, max_size=80), st.integers(-8, 8))
def test_shapes_compared_on_python_integers_follow_interval_classes(pitches, bend) -> None:
    """`_same_shape` (on Python integers up to 32 notes, on arrays past them) answers as
    comparing `interval_classes` of both lines does."""
    a = np.array(pitches, dtype=np.int64)
    b = a.copy()
    b[len(b) // 2] += bend
    want = np.array_equal(interval_classes(np.diff(a)), interval_classes(np.diff(b)))
    assert _same_shape(a, b) == want and _same_shape(a, a)


@given(m=chromatic_motifs(), chord=st.booleans(), first=st.integers(1, 127),
       last=st.integers(1, 127))
def test_gaps_and_dynamics_on_python_numbers_follow_their_array_definitions(
        m: Motif, chord: bool, first: int, last: int) -> None:
    """The next-onset gaps (a search per note) and the dynamics' mean (an exact sum of
    integers) are numpy's searchsorted and mean, to the bit."""
    if chord and len(m) > 1:  # notes sharing an onset
        m = m.replace(onset=np.floor(m.onset / 2))
    nxt = np.searchsorted(m.onset, m.onset + EPS, side="left")
    want = np.full(len(m), np.inf)
    has = nxt < len(m)
    want[has] = m.onset[nxt[has]] - m.onset[has]
    assert _next_onset_gap(m).tobytes() == want.tobytes()
    span = m.onset[-1] - m.onset[0]
    where = (m.onset - m.onset[0]) / span if span > 0 else np.zeros(len(m))
    level = np.rint(m.velocity / m.velocity.mean() * (first + (last - first) * where))
    assert dynamics(m, (first, last)).velocity.tolist() == np.clip(level, 1, 127).tolist()


@given(st.lists(st.integers(-40, 170), min_size=1, max_size=90), st.integers(0, 100),
       st.integers(11, 40), st.booleans())
def test_placing_in_range_reads_the_mean_of_the_integers(pitches, low, width, keep) -> None:
    """`place_in_range` (a sorted list up to 64 notes, arrays past them) shifts a line by
    one whole number of octaves, chosen as from the array mean."""
    line = np.array(pitches, dtype=np.int64)
    placed = place_in_range(line, low, low + width, keep_octave=keep)
    assert float(sum(pitches)) / len(pitches) == line.mean()
    folded = placed - line
    assert (folded % 12 == 0).all() and ((placed >= low) & (placed <= low + width)).all()
    assert np.array_equal(place_in_range(np.concatenate([line] * 2), low, low + width, keep),
                          np.concatenate([placed] * 2))


def test_fragment_forms() -> None:
    m = theme()
    assert apply_chain(m, "fragment=3").pitch.tolist() == m.pitch[:3].tolist()
    assert apply_chain(m, "fragment=last:2").pitch.tolist() == m.pitch[-2:].tolist()
    assert apply_chain(m, "fragment=2:3").pitch.tolist() == m.pitch[2:5].tolist()
    assert apply_chain(m, "truncate=2").pitch.tolist() == m.pitch[:-2].tolist()


def test_register_folds_into_range() -> None:
    wide = Motif.from_notes([(0, 1, 30), (1, 1, 60), (2, 1, 100)])
    out = apply_chain(wide, "register=55:79")
    assert out.pitch.min() >= 55 and out.pitch.max() <= 79
    assert (out.pitch % 12).tolist() == (wide.pitch % 12).tolist()


def test_note_names_with_octave_accept_music21_flats() -> None:
    """'E-4' is E flat 4 (music21 spelling, as `pitch_class` reads 'E-'), like 'Eb4'."""
    m = theme()
    assert parse_chain("invert=:E-4")[0].kwargs()["axis"] == 63
    # the octave is the written letter's: B#3 is C4, Cb4 is B3
    assert parse_chain("invert=:B#3")[0].kwargs()["axis"] == 60
    assert parse_chain("invert=:Cb4")[0].kwargs()["axis"] == 59
    assert apply_chain(m, "invert=chromatic:E-4") == apply_chain(m, "invert=chromatic:Eb4")
    assert apply_chain(m, "register=B-2:E-5") == apply_chain(m, "register=46:75")
    assert parse_chain("register=c4:F#5")[0].kwargs() == {"low": 60, "high": 78}
    for bad in ("E-", "H4", "E4x", "-4"):
        with pytest.raises(TransformError, match="axis"):
            parse_chain(f"invert=:{bad}")


def test_dynamics_crescendo_rises() -> None:
    out = apply_chain(theme(), "dynamics=pp..ff")
    assert out.velocity[0] == 33 and out.velocity[-1] == 112
    assert np.all(np.diff(out.velocity) >= 0)


def test_inputs_are_not_mutated() -> None:
    m = theme()
    before = (m.onset.copy(), m.duration.copy(), m.pitch.copy(), m.velocity.copy())
    for name in TRANSFORMS:
        apply_chain(m, name)
    assert all(np.array_equal(a, b) for a, b in
               zip(before, (m.onset, m.duration, m.pitch, m.velocity)))


# -- every registered transform ------------------------------------------------


def _check_invariants(out: Motif) -> None:
    assert isinstance(out, Motif)
    assert len(out) >= 1
    assert np.all(np.diff(out.onset) >= 0)
    assert np.all(out.duration > 0)
    assert out.pitch.min() >= 0 and out.pitch.max() <= 127
    assert out.velocity.min() >= 1 and out.velocity.max() <= 127


@pytest.mark.parametrize("name", list(TRANSFORMS))
@settings(max_examples=30)
@given(m=chromatic_motifs())
def test_every_transform_keeps_invariants(name: str, m: Motif) -> None:
    _check_invariants(apply_chain(m, name))


@pytest.mark.parametrize("name", list(TRANSFORMS))
def test_every_transform_at_the_edges_of_midi(name: str) -> None:
    for pitches in ([0, 1, 2], [125, 126, 127]):
        m = Motif.from_notes([(i, 1.0, p) for i, p in enumerate(pitches)])
        _check_invariants(apply_chain(m, name))


def test_registry_describes_itself() -> None:
    required = {"transpose", "step", "mode", "key", "invert", "retrograde", "augment",
                "diminish", "fragment", "sequence", "truncate", "metre", "rhythm",
                "ornament", "register", "legato", "staccato", "dynamics"}
    assert required <= set(TRANSFORMS)
    for name, t in TRANSFORMS.items():
        assert t.name == name and t.summary and "\n" not in t.summary
        assert t.usage.startswith(name) and "default" in t.args
        assert t.func.__doc__


@pytest.mark.parametrize("chain", [
    "transpose=-5", "step=+2", "transpose_diatonic=-1", "mode=phrygian", "mode=whole_tone",
    "key=F", "key=F#:dorian", "key=subdominant", "invert=chromatic", "invert=diatonic:62",
    "invert=:D4", "retrograde=pitches", "retrograde=rhythm", "augment=3/2", "diminish=1.5",
    "fragment=last:3", "fragment=1:2", "sequence=4:-1", "truncate=3", "metre=6/8",
    "meter=2/4", "rhythm=syncopated", "rhythm=even", "ornament=passing", "ornament=grace",
    "ornament=turn", "register=C3:C5", "legato=0.9", "staccato=0.3", "dynamics=ff..pp",
    "dynamics=mp", "dynamics=100",
])
def test_arguments_are_accepted(chain: str) -> None:
    _check_invariants(apply_chain(theme(), chain))


# -- chain syntax ---------------------------------------------------------------


def test_parse_chain_example() -> None:
    steps = parse_chain("fragment=3, sequence=3:+1, mode=phrygian, augment=2")
    assert steps == (Step("fragment", ("3",)), Step("sequence", ("3", "+1")),
                     Step("mode", ("phrygian",)), Step("augment", ("2",)))
    assert parse_chain("") == ()
    assert parse_chain("Transpose_Diatonic=2")[0] == Step("step", ("2",))


step_texts = st.sampled_from([
    "transpose=3", "step=-2", "mode=dorian", "key=Bb:lydian", "invert", "invert=chromatic:60",
    "retrograde=rhythm", "augment=2", "diminish=3/2", "fragment=last:2", "sequence=2:+2",
    "truncate", "metre=3/4", "rhythm=dotted", "ornament=turn", "register=48:72", "legato",
    "staccato=0.25", "dynamics=p..f",
])


@given(st.lists(step_texts, max_size=6))
def test_chain_round_trip(parts: list[str]) -> None:
    text = ", ".join(parts)
    steps = parse_chain(text)
    assert format_chain(steps) == text
    assert parse_chain(format_chain(steps)) == steps


def test_chain_applies_left_to_right() -> None:
    m = theme()
    assert apply_chain(m, "fragment=3, augment=2") == augment(apply_chain(m, "fragment=3"), 2)
    assert apply_chain(m, parse_chain("retrograde, retrograde")) == m


@pytest.mark.parametrize("chain", ["transmogrify", "invert, wobble=2"])
def test_unknown_transform_lists_known_names(chain: str) -> None:
    with pytest.raises(TransformError) as err:
        parse_chain(chain)
    message = str(err.value)
    assert "unknown transform" in message
    assert "transpose" in message and "retrograde" in message and "dynamics" in message


@pytest.mark.parametrize(("chain", "words"), [
    ("augment=0", ("augment", "factor", "positive number")),
    ("augment=-2", ("augment", "factor", "'-2'")),
    ("transpose=up", ("transpose", "semitones", "integer")),
    ("mode=klingon", ("mode", "mode", "ionian")),
    ("key=H", ("key", "tonic", "note name")),
    ("invert=sideways", ("invert", "kind", "diatonic or chromatic")),
    ("invert=diatonic:200", ("invert", "axis", "MIDI pitch")),
    ("retrograde=sideways", ("retrograde", "pitches, rhythm or both")),
    ("fragment=0", ("fragment", "selection")),
    ("fragment=middle:2", ("fragment", "selection")),
    ("sequence=3:up", ("sequence", "steps")),
    ("metre=3/5", ("metre", "meter", "3/4")),
    ("rhythm=swing", ("rhythm", "dotted, syncopated or even")),
    ("ornament=trill", ("ornament", "neighbour, passing, grace or turn")),
    ("register=60:65", ("register", "octave", "high >= low + 11", "LOW:HIGH")),
    ("staccato=1.5", ("staccato", "ratio", "0 < r <= 1")),
    ("dynamics=loud", ("dynamics", "levels", "ppp")),
    ("truncate=1:2", ("truncate", "at most 1")),
])
def test_bad_argument_names_transform_argument_and_expectation(chain, words) -> None:
    with pytest.raises(TransformError) as err:
        parse_chain(chain)
    for word in words:
        assert word in str(err.value)
    assert isinstance(err.value, MotifgenError)


def test_bad_steps_given_directly_are_rejected() -> None:
    with pytest.raises(TransformError, match="augment"):
        apply_chain(theme(), [Step("augment", ("zero",))])
    with pytest.raises(TransformError, match="unknown transform"):
        apply_chain(theme(), [Step("nope")])


def _one_note_value(beats: float) -> bool:
    """A plain or once-dotted note value (a whole to a 64th)."""
    return any(abs(beats - base * dot) < 1e-9 for base in (4, 2, 1, 0.5, 0.25, 0.125, 0.0625)
               for dot in (1.0, 1.5))


@given(diatonic_motifs(min_size=2))
@settings(max_examples=200, deadline=None)
def test_dotted_rhythm_writes_one_note_value_per_note(m):
    """Dotting turns equal pairs of plain values into dotted-plus-short; a pair of
    dotted values is left alone (it would need 9/16 and 3/16 of its length)."""
    from motifgen.development.transforms import rhythm

    out = rhythm(m, "dotted")
    for before, after in zip(m.duration.tolist(), out.duration.tolist()):
        if _one_note_value(before):
            assert _one_note_value(after), (m.duration.tolist(), out.duration.tolist())
