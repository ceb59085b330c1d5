"""The Score's notes and controller curves: read-only arrays that pickle to equal values
and bytes."""

import pickle

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from motifgen.errors import MotifgenError
from motifgen.motif import Motif, Notes
from motifgen.score import Curve, Part
from motifgen.studio.session import _pickled

points = st.lists(st.tuples(st.floats(0, 1e4, allow_nan=False), st.integers(0, 127)),
                  max_size=40).map(sorted)


@given(points)
def test_a_curve_holds_its_points_bit_for_bit(pts):
    curve = Curve.of(pts)
    assert list(curve) == pts and len(curve) == len(pts)
    assert all(type(b) is float and type(v) is int for b, v in curve)
    assert curve.beats.dtype == np.float64 and curve.values.dtype == np.int64
    assert curve == Curve(curve.beats, curve.values) and hash(curve) == hash(Curve.of(pts))


@given(points)
def test_a_curve_round_trips_through_pickle_read_only(pts):
    curve = Curve.of(pts)
    back = pickle.loads(pickle.dumps(curve))
    assert back == curve and list(back) == pts
    for arr in (back.beats, back.values, curve.beats, curve.values):
        assert not arr.flags.writeable
        with pytest.raises(ValueError):
            arr[:1] = 0


@given(points)
def test_equal_curves_pickle_to_equal_bytes(pts):
    """However a curve's arrays were made (a list, a strided view, another dtype)."""
    doubled = np.repeat(np.array([b for b, _ in pts], dtype=np.float64), 2)
    other = Curve(doubled[::2], np.array([v for _, v in pts], dtype=np.int16))
    assert _pickled(other) == _pickled(Curve.of(pts))  # as a take's hash pickles


def test_a_part_with_curves_compares_and_pickles_by_value():
    notes = Notes([0.0], [1.0], [60], [80])
    made = [Part("Violin", "violin", 40, "melody", notes,
                 controllers={1: Curve.of([(0.0, 60), (4.0, 90)]), 11: Curve([0.0], [127])})
            for _ in range(2)]
    assert made[0] == made[1] and pickle.loads(pickle.dumps(made[0])) == made[0]
    moved = Part("Violin", "violin", 40, "melody", notes,
                 controllers={1: Curve.of([(0.0, 60), (4.0, 91)]), 11: Curve([0.0], [127])})
    assert moved != made[0]


@pytest.mark.parametrize("beats, values", [([0.0, 1.0], [64]), ([[0.0], [1.0]], [[64], [70]])])
def test_a_curve_not_of_two_lists_of_one_length_is_refused(beats, values):
    with pytest.raises(MotifgenError, match="two lists of one length"):
        Curve(beats, values)


notes = st.lists(st.tuples(st.floats(0, 64, allow_nan=False), st.floats(0.125, 8),
                           st.integers(0, 127), st.integers(1, 127)), max_size=20)


@given(notes, st.booleans())
def test_notes_pickle_by_value_read_only(rows, as_motif):
    """What a note array works out once (end, fingerprint, hash) is left out of its
    pickle: equal notes give equal bytes (a take's name) whatever was asked of them, and
    unpickled arrays are read-only again (Scores come back so from `--jobs` workers)."""
    columns = [list(c) for c in zip(*rows)] if rows else [[], [], [], []]
    make = (lambda: Motif(*columns, name="m")) if as_motif else (lambda: Notes(*columns))
    asked, fresh = make(), make()
    asked.end, asked.fingerprint(), hash(asked)
    assert _pickled(asked) == _pickled(fresh) == _pickled(pickle.loads(pickle.dumps(asked)))
    back = pickle.loads(pickle.dumps(asked))
    assert back == fresh and back.end == fresh.end and hash(back) == hash(fresh)
    for name in ("onset", "duration", "pitch", "velocity"):
        assert not getattr(back, name).flags.writeable
