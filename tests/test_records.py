"""The records (msgspec Structs): frozen, equal by value, and kept out of the garbage
collector's way where they hold only plain values."""

import gc
import pickle

import pytest
from hypothesis import given
from hypothesis import strategies as st
from msgspec.structs import replace

from motifgen.development.chain import parse_chain
from motifgen.score import ChordRow, PartRow, StatementRow, TempoMap
from motifgen.theory import Key

tempos = st.lists(st.tuples(st.floats(0.5, 400), st.floats(30, 240)), max_size=8).map(
    lambda steps: ((0.0, 120.0), *((sum(b for b, _ in steps[:i + 1]), bpm)
                                   for i, (_, bpm) in enumerate(steps))))


def _seconds(tempos: tuple[tuple[float, float], ...], beat: float) -> float:
    """Seconds to `beat`, summed tempo by tempo (the definition)."""
    total = 0.0
    for (b0, bpm), nxt in zip(tempos, (*tempos[1:], (float("inf"), 0.0))):
        if beat <= b0:
            break
        total += (min(beat, nxt[0]) - b0) * 60.0 / bpm
    return total


@given(tempos, tempos, st.floats(0, 3000))
def test_a_tempo_map_works_out_its_seconds_again_when_replaced_or_unpickled(a, b, beat):
    tmap = replace(TempoMap(a), tempos=b)
    for t in (tmap, pickle.loads(pickle.dumps(tmap))):
        assert t.seconds_at(beat) == pytest.approx(_seconds(b, beat), rel=1e-9, abs=1e-9)
        assert t == TempoMap(b) and hash(t) == hash(TempoMap(b))


def test_records_are_frozen():
    row = ChordRow(0.0, 4.0, "I", (0, 4, 7), "diatonic")
    with pytest.raises(AttributeError):
        row.beat = 1.0  # type: ignore[misc]
    with pytest.raises(AttributeError):
        Key.parse("D minor").tonic = 3  # type: ignore[misc]


def test_plain_value_records_are_not_tracked_by_the_collector():
    """Rows, keys and steps hold no reference back to what holds them: a full collection
    over a loaded film need not visit them."""
    records = [ChordRow(0.0, 4.0, "I", (0, 4, 7), "diatonic"),
               StatementRow("melody", "mara", "D minor", "", "", None, 0.0, 8.0, "heroic"),
               PartRow("Horn", "horn", "melody", 60, 1, 12), Key.parse("D minor"),
               *parse_chain("invert, augment=2")]
    assert not any(gc.is_tracked(r) for r in records)


def test_a_row_leaves_out_only_its_optional_fields_while_none():
    row = PartRow("Horn", "horn", "melody", 60, 1, 12, pan=40)
    assert row.as_json() == {"name": "Horn", "instrument": "horn", "role": "melody",
                             "program": 60, "channel": 1, "notes": 12, "pan": 40}
    statement = StatementRow("melody", "mara", "D minor", "", "", None, 0.0, 8.0, "heroic")
    assert statement.as_json()["recognisability"] is None  # a field, not optional
    assert "instrument" not in statement.as_json()
