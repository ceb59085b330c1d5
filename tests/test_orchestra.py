"""Instrument catalogue, range fitting, and the tracks and channels a mood becomes."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from motifgen.arrange.parts import channels, orchestrate
from motifgen.errors import MotifgenError
from motifgen.moods import PRESETS, resolve_mood
from motifgen.orchestra import (
    DRUM_CHANNEL,
    INSTRUMENTS,
    ROLES,
    allocate_channels,
    canonical_name,
    fit_range,
    instrument,
    instrument_table,
)

REFERENCE = {  # name: (program, low, high, comfortable)
    "piccolo": (72, 74, 108, (81, 105)), "flute": (73, 60, 96, (62, 93)),
    "oboe": (68, 58, 93, (62, 86)), "english_horn": (69, 52, 84, (55, 79)),
    "clarinet": (71, 50, 94, (52, 84)), "bassoon": (70, 34, 76, (36, 72)),
    "horn": (60, 35, 77, (53, 74)), "trumpet": (56, 52, 84, (55, 79)),
    "trombone": (57, 40, 77, (45, 65)), "tuba": (58, 26, 65, (29, 60)),
    "timpani": (47, 38, 60, None), "harp": (46, 24, 103, None),
    "celesta": (8, 60, 108, None), "glockenspiel": (9, 79, 108, None),
    "xylophone": (13, 65, 108, None), "violin": (40, 55, 105, (55, 88)),
    "viola": (41, 48, 88, (48, 72)), "cello": (42, 36, 81, (50, 69)),
    "contrabass": (43, 28, 67, (28, 50)), "strings": (48, 28, 96, None),
    "tremolo_strings": (44, 28, 96, None), "pizzicato_strings": (45, 28, 96, None),
    "brass": (61, 34, 84, None), "choir": (52, 40, 81, None), "piano": (0, 21, 108, None),
}

PITCHED = [n for n, i in INSTRUMENTS.items() if not i.is_drum]


@pytest.mark.parametrize("name", sorted(REFERENCE))
def test_catalogue_matches_reference(name):
    inst = INSTRUMENTS[name]
    assert (inst.program, inst.low, inst.high, inst.comfortable) == REFERENCE[name]
    assert not inst.is_drum


@pytest.mark.parametrize("name", sorted(INSTRUMENTS))
def test_every_entry_is_consistent(name):
    inst = INSTRUMENTS[name]
    assert inst.name == name
    assert 0 <= inst.program <= 127
    assert 0 <= inst.low <= inst.high <= 127
    assert inst.roles and set(inst.roles) <= set(ROLES)
    if inst.comfortable:
        assert inst.low <= inst.comfortable[0] < inst.comfortable[1] <= inst.high
    if inst.is_drum:
        assert inst.roles == ("percussion",) and inst.drum_key is not None
        assert 35 <= inst.drum_key <= 81
    else:
        assert inst.high - inst.low >= 11


def test_drum_keys_and_transpositions():
    assert INSTRUMENTS["taiko"].is_drum and INSTRUMENTS["drums"].is_drum
    assert INSTRUMENTS["bass_drum"].drum_key == 36
    assert INSTRUMENTS["snare_drum"].drum_key == 38
    assert INSTRUMENTS["cymbal"].drum_key == 49
    assert INSTRUMENTS["suspended_cymbal"].drum_key == 51
    assert INSTRUMENTS["tam_tam"].drum_key == 52
    assert {n: INSTRUMENTS[n].transposition for n in
            ("clarinet", "horn", "trumpet", "english_horn", "piccolo", "contrabass", "flute")} \
        == {"clarinet": -2, "horn": -7, "trumpet": -2, "english_horn": -7, "piccolo": 12,
            "contrabass": -12, "flute": 0}


def test_music21_classes_exist():
    import music21.instrument as m21

    for inst in INSTRUMENTS.values():
        assert hasattr(m21, inst.music21_class), inst.music21_class


def test_instrument_lookup_and_aliases():
    assert instrument("Horn") is INSTRUMENTS["horn"]
    assert instrument("french horn") is INSTRUMENTS["horn"]
    assert instrument("English-Horn") is INSTRUMENTS["english_horn"]
    with pytest.raises(MotifgenError) as info:
        instrument("kazoo")
    assert "kazoo" in str(info.value) and "violin" in str(info.value)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.integers(0, 127), min_size=1, max_size=24),
    st.sampled_from(PITCHED),
    st.booleans(),
)
def test_fit_range_in_range_and_octave_equivalent(pitches, name, comfortable):
    inst = INSTRUMENTS[name]
    arr = np.array(pitches)
    out = fit_range(arr, inst, comfortable=comfortable)
    lo, hi = inst.melody_range() if comfortable else (inst.low, inst.high)
    assert out.shape == arr.shape
    assert out.min() >= lo and out.max() <= hi
    assert np.array_equal(out % 12, arr % 12)
    assert np.array_equal(arr, np.array(pitches))  # input untouched


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(-7, 7), min_size=2, max_size=12), st.integers(0, 100),
       st.sampled_from(["violin", "flute", "cello", "horn", "piano", "strings"]))
def test_fit_range_keeps_contour_when_the_line_fits(steps, start, name):
    inst = INSTRUMENTS[name]
    line = start + np.cumsum(steps)
    if line.max() - line.min() > inst.high - inst.low - 11:
        return  # some octave shift fits only when the line spans an octave less than the range
    out = fit_range(line, inst)
    shift = out - line
    assert len(set(shift.tolist())) == 1 and shift[0] % 12 == 0  # one octave shift for all


def test_fit_range_prefers_no_shift():
    line = np.array([60, 62, 64, 65, 67])
    assert np.array_equal(fit_range(line, "violin"), line)
    assert np.array_equal(fit_range(line, "contrabass"), line)
    assert np.array_equal(fit_range(line, "contrabass", comfortable=True), line - 24)
    assert np.array_equal(fit_range(line, "piccolo"), line + 24)
    assert fit_range(np.array([], dtype=int), "violin").size == 0
    assert np.array_equal(fit_range([36], "taiko"), [36])  # drums unchanged


def _tracks(mood, lead=None, featured=1):
    return orchestrate(dict(mood.orchestra), mood.texture, mood.doubling, lead, featured)


@pytest.mark.parametrize("name", sorted(PRESETS))
@pytest.mark.parametrize("featured", [1, 2, 3])
def test_tracks_and_channels(name, featured):
    specs = _tracks(PRESETS[name], None, featured)
    chan = channels(specs)
    assert len(set(chan.values())) == len(chan) == len(specs)
    for s in specs:
        assert (chan[s.name] == DRUM_CHANNEL) == s.is_drum
        assert 0 <= chan[s.name] <= 15
    roles = [s.role for s in specs]
    lead = canonical_name(PRESETS[name].orchestra["melody"][0])
    assert roles[0] == "melody" and specs[0].instrument in (lead, "strings_vln1")
    assert roles.count("counter") == featured - 1
    assert {s.line for s in specs if s.role == "counter"} == set(range(1, featured))
    drum_members = {m for s in specs if s.is_drum for m in s.members}
    drums_in_mood = {n for n in PRESETS[name].orchestra["percussion"] if INSTRUMENTS[n].is_drum}
    assert drum_members == drums_in_mood


def test_lead_and_doubling():
    melody = [s for s in _tracks(PRESETS["heroic"]) if s.role == "melody"]
    assert [(s.instrument, s.octave) for s in melody] == [("trumpet", 0), ("horn", -1)]
    melody = [s for s in _tracks(PRESETS["heroic"], "cello") if s.role == "melody"]
    assert melody[0].instrument == "cello" and melody[1].octave == 1  # trumpet over cello
    assert [s.role for s in _tracks(PRESETS["tender"], "oboe")].count("melody") == 1


def test_drums_share_channel_10():
    specs = _tracks(PRESETS["menacing"])
    drums = [s for s in specs if s.is_drum]
    assert len(drums) == 1 and channels(specs)[drums[0].name] == DRUM_CHANNEL
    assert drums[0].members == ("bass_drum",)
    timpani = next(s for s in specs if s.instrument == "timpani")
    assert channels(specs)[timpani.name] != DRUM_CHANNEL and not timpani.is_drum


def test_too_many_parts():
    big = resolve_mood("big", {"big": {"base": "heroic", "orchestra": {
        "harmony": ["strings", "brass", "choir", "harp", "piano", "flute", "oboe", "clarinet",
                    "violin", "viola", "celesta", "trumpet", "horn"]}}})
    with pytest.raises(MotifgenError) as info:
        channels(_tracks(big))
    assert "15" in str(info.value)


def test_instrument_table_rows():
    rows = instrument_table()
    assert [r["name"] for r in rows] == list(INSTRUMENTS)
    horn = next(r for r in rows if r["name"] == "horn")
    assert horn["program"] == 60 and horn["range"] == "35-77" and horn["comfortable"] == "53-74"


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sets(st.integers(0, 24), min_size=1, max_size=8), min_size=1, max_size=12),
       st.sets(st.integers(0, 24), max_size=3))
def test_one_channel_allocator_keeps_tracks_that_sound_together_apart(cues, drums):
    """`allocate_channels` serves a cue (all together) and the film's template (tracks
    together when some cue plays both): drums on the kit's channel, two melodic tracks
    of one cue never on one channel, and one error when 15 are not enough."""
    tracks = sorted(set().union(*cues))
    together = {t: set().union(*(c for c in cues if t in c)) - {t} for t in tracks}
    try:
        chan = allocate_channels(tracks, drums, lambda t: together[t])
    except MotifgenError as e:
        assert "more than 15 melodic parts would play at once" in e.message
        return
    assert all(chan[t] == DRUM_CHANNEL for t in tracks if t in drums)
    for cue in cues:
        melodic = [chan[t] for t in cue if t not in drums]
        assert len(melodic) == len(set(melodic)) and DRUM_CHANNEL not in melodic


def test_too_many_melodic_parts_is_one_clear_error():
    names = [f"p{i}" for i in range(16)]
    with pytest.raises(MotifgenError, match="more than 15 melodic parts"):
        allocate_channels(names, (), lambda _: names)
    assert allocate_channels(names[:15], (), lambda _: names) == {
        n: c for n, c in zip(names, [c for c in range(16) if c != DRUM_CHANNEL])}


def _crown(n: int) -> tuple[list[str], dict[str, set[str]]]:
    """A crown graph: a_i plays with every b_j but b_i; score-order greedy needs n
    channels, saturation 2."""
    tracks = [t for i in range(1, n + 1) for t in (f"a{i}", f"b{i}")]
    together: dict[str, set[str]] = {t: set() for t in tracks}
    for i in range(1, n + 1):
        for j in range(1, n + 1):
            if i != j:
                together[f"a{i}"].add(f"b{j}")
                together[f"b{j}"].add(f"a{i}")
    return tracks, together


def test_channels_keep_the_given_order_greedy_when_it_fits(monkeypatch):
    import motifgen.orchestra as orchestra

    tracks, together = _crown(3)
    monkeypatch.setattr(orchestra, "MELODIC_CHANNELS", (0, 1, 2))
    chan = allocate_channels(tracks, (), lambda t: together[t])
    assert [chan[t] for t in tracks] == [0, 0, 1, 1, 2, 2]  # greedy, not saturation


def test_channels_fall_back_to_saturation_when_the_given_order_runs_out(monkeypatch):
    import motifgen.orchestra as orchestra

    tracks, together = _crown(3)
    monkeypatch.setattr(orchestra, "MELODIC_CHANNELS", (0, 1))
    chan = allocate_channels(tracks, (), lambda t: together[t])
    assert set(chan.values()) == {0, 1}
    assert all(chan[s] != chan[t] for s in tracks for t in together[s])
    monkeypatch.setattr(orchestra, "MELODIC_CHANNELS", (0,))
    with pytest.raises(MotifgenError, match="melodic parts would play at once"):
        allocate_channels(tracks, (), lambda t: together[t])
