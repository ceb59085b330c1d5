"""The sketch-quality figures on small hand-built Scores whose answers are known."""

from __future__ import annotations

import math
from pathlib import Path
from types import SimpleNamespace

import pytest

from motifgen import quality as q
from motifgen.motif import Notes
from motifgen.score import (
    ChordRow,
    Curve,
    HitRow,
    Part,
    Plan,
    Score,
    SectionRow,
    StatementRow,
    TempoMap,
)
from motifgen.theory import Key

ROOT = Path(__file__).resolve().parent.parent


def part(role: str, rows, instrument: str = "", name: str = "", drum: bool = False,
         cc1=()) -> Part:
    """A part from (onset, duration, pitch[, velocity]) rows."""
    rows = [tuple(r) + ((80,) if len(r) == 3 else ()) for r in rows]
    cols = list(zip(*rows)) if rows else [(), (), (), ()]
    instrument = instrument or role
    return Part(name=name or instrument, instrument=instrument, program=0, role=role,
                notes=Notes(*cols), is_drum=drum, controllers={1: Curve.of(cc1)} if cc1 else {})


def chord(beat: float, beats: float, symbol: str, pcs) -> ChordRow:
    return ChordRow(beat, beats, symbol, tuple(pcs), "diatonic")


def section(start: float, end: float, chords=()) -> SectionRow:
    return SectionRow("A", start, end, 1, "tender", "C major", 0.5, tuple(chords))


def statement(motif: str, start: float, end: float, recognisability: float) -> StatementRow:
    return StatementRow("melody", motif, "C major", "", "", recognisability, start, end,
                        "tender")


def hit(beat: float) -> HitRow:
    return HitRow("x", "00:00:00:00", 0.0, beat, 1, 1.0, True, True, 0.0, "accent")


def score(*parts: Part, chords=(), length: float = 16.0, bpm: float = 120.0,
          meter=(4, 4), **plan) -> Score:
    sections = plan.pop("sections", None) or [section(0.0, length, chords)]
    return Score(id="T", title="test", key=Key(), tempo_map=TempoMap(((0.0, bpm),),
                                                                    ((0.0, meter),)),
                 parts=parts, length_beats=length,
                 plan=Plan(sections=tuple(sections),
                           **{k: tuple(v) if isinstance(v, list) else v for k, v in plan.items()}))


# a planed root-position triad sequence: C E G, D F A, E G B, one bar each
PLANED = [(0, 4, p) for p in (60, 64, 67)] + [(4, 4, p) for p in (62, 65, 69)] + [
    (8, 4, p) for p in (64, 67, 71)]
PLANED_CHORDS = [chord(0, 4, "I", (0, 4, 7)), chord(4, 4, "ii", (2, 5, 9)),
                 chord(8, 4, "iii", (4, 7, 11))]


def test_planed_triads_move_together_in_parallel_fifths():
    s = score(part("harmony", PLANED), chords=PLANED_CHORDS, length=12)
    assert q.voicings(s.parts[0], PLANED_CHORDS) == [(60, 64, 67), (62, 65, 69), (64, 67, 71)]
    assert q.same_direction(s) == 1.0
    assert q.accomp_parallels(s) == 100.0  # one parallel fifth in each of two changes
    assert q.common_tone(s) is None  # I-ii-iii share no pitch class


def test_octave_doublings_are_not_parallels_and_a_doubled_fifth_counts_once():
    # C3 C4 G4 -> D3 D4 A4: the octave C3-C4 is a doubling; C-G doubled counts once
    rows = [(0, 4, 48), (0, 4, 60), (0, 4, 67), (4, 4, 50), (4, 4, 62), (4, 4, 69)]
    chords = [chord(0, 4, "I", (0, 4, 7)), chord(4, 4, "ii", (2, 5, 9))]
    assert q.accomp_parallels(score(part("harmony", rows), chords=chords, length=8)) == 100.0
    # contrary motion with a held common tone: C4 E4 G4 -> C4 F4 A4
    rows = [(0, 4, 60), (0, 4, 64), (0, 4, 67), (4, 4, 60), (4, 4, 65), (4, 4, 69)]
    chords = [chord(0, 4, "I", (0, 4, 7)), chord(4, 4, "IV", (5, 9, 0))]
    s = score(part("harmony", rows), chords=chords, length=8)
    assert q.accomp_parallels(s) == 0.0
    assert q.common_tone(s) == 1.0
    assert q.same_direction(s) == 0.0


def test_common_tone_moved_to_another_voice_is_not_held():
    # a planed stack C4 E4 G4 C5 -> F4 A4 C5 F5 overlaps in C5 but no voice stays
    rows = [(0, 4, p) for p in (60, 64, 67, 72)] + [(4, 4, p) for p in (65, 69, 72, 77)]
    chords = [chord(0, 4, "I", (0, 4, 7)), chord(4, 4, "IV", (5, 9, 0))]
    assert q.common_tone(score(part("harmony", rows), chords=chords, length=8)) == 0.0


def test_masking_of_the_melody():
    melody = part("melody", [(0, 4, 72)], "flute")
    under = part("harmony", [(0, 4, 60), (0, 4, 64), (0, 4, 67)], "strings")
    assert q.masking(score(melody, under)) == 0.0
    over = part("harmony", [(0, 2, 76), (0, 4, 60)], "strings")
    assert q.masking(score(melody, over)) == pytest.approx(0.5)
    drums = part("percussion", [(0, 4, 90)], "drums", drum=True)  # drums never mask
    assert q.masking(score(melody, drums)) == 0.0
    assert q.masking(score(under)) is None


def test_masking_counts_melody_time_only():
    melody = part("melody", [(0, 1, 72), (3, 1, 72)], "flute")  # two beats of melody
    over = part("counter", [(0, 4, 79)], "violin")  # above all four beats
    assert q.masking(score(melody, over)) == pytest.approx(1.0)
    at_unison = part("counter", [(0, 4, 72)], "violin")  # not strictly above
    assert q.masking(score(melody, at_unison)) == 0.0


def test_outer_voices_in_parallel_fifths_and_in_contrary_motion():
    top = part("melody", [(0, 1, 67), (1, 1, 69), (2, 1, 71)], "flute")
    parallel = part("bass", [(0, 1, 48), (1, 1, 50), (2, 1, 52)], "cello")
    assert q.outer_states(score(top, parallel)) == [(67, 48), (69, 50), (71, 52)]
    assert q.outer_parallels(score(top, parallel)) == 100.0
    contrary = part("bass", [(0, 1, 48), (1, 1, 47), (2, 1, 45)], "cello")
    assert q.outer_parallels(score(top, contrary)) == 0.0
    held = part("bass", [(0, 3, 48)], "cello")  # the bottom never moves: no moves
    assert q.outer_parallels(score(top, held)) is None


def test_duplication_exact_copy_and_octave_doubling():
    rows = [(0, 1, 60), (1, 1, 62), (2, 1, 64), (3, 1, 65)]
    flute = part("melody", rows, "flute")
    copy = part("counter", rows, "oboe")
    assert q.duplication(score(flute, copy)) == (1.0, "flute", "oboe")
    octave = part("counter", [(o, d, p - 12) for o, d, p in rows], "oboe")
    assert q.duplication(score(flute, octave))[0] == 0.0
    half = part("counter", rows[:2], "oboe")  # oboe's notes are all flute's; not vice versa
    assert q.duplication(score(flute, half)) == (1.0, "oboe", "flute")
    same_instrument = part("counter", rows, "flute", name="flute 2")
    assert q.duplication(score(flute, same_instrument))[0] is None


def test_low_velocity_share_of_pitched_notes():
    s = score(part("melody", [(0, 1, 60, 10), (1, 1, 62, 19), (2, 1, 64, 20), (3, 1, 65, 90)]),
              part("percussion", [(0, 1, 36, 1)], "drums", drum=True))
    assert q.low_velocity(s) == 0.5


def test_cc1_range_over_long_sections():
    # 120 bpm: 30 s is 60 beats; two sections of 64 beats
    sections = [section(0.0, 64.0), section(64.0, 128.0)]
    rows = [(0, 128, 60)]
    s = score(part("harmony", rows, cc1=((0, 40), (32, 70), (100, 75))), sections=sections,
              length=128)
    assert q.cc1_range(s) == 5.0  # second section: 70 in force at its start, then 75
    flat = score(part("harmony", rows, cc1=((0, 40),)), sections=sections, length=128)
    assert q.cc1_range(flat) == 0.0
    bare = score(part("harmony", rows), sections=sections, length=128)
    assert q.cc1_range(bare) == 0.0  # no CC1 at all: nothing moves
    short = score(part("harmony", [(0, 16, 60)], cc1=((0, 40),)), length=16)
    assert q.cc1_range(short) is None


def test_a_c_major_chord_without_e_misses_its_third():
    c_major = [chord(0, 4, "I", (0, 4, 7))]
    open_fifth = part("harmony", [(0, 4, 48), (0, 4, 55)], "strings")
    assert q.no_third(score(open_fifth, chords=c_major, length=4)) == 1.0
    with_e = part("bass", [(0, 4, 40)], "cello")
    assert q.no_third(score(open_fifth, with_e, chords=c_major, length=4)) == 0.0
    melody_e = part("melody", [(0, 4, 76)], "flute")  # the melody does not count
    assert q.no_third(score(open_fifth, melody_e, chords=c_major, length=4)) == 1.0
    dyad = [chord(0, 4, "I5", (0, 7))]  # deliberate open fifths are skipped
    assert q.no_third(score(open_fifth, chords=dyad, length=4)) is None


def test_mood_instrument_set_collisions(monkeypatch):
    from motifgen import moods

    fake = {"a": SimpleNamespace(orchestra={"melody": ("horn",), "harmony": ("strings",)}),
            "b": SimpleNamespace(orchestra={"melody": ("strings",), "bass": ("horn",)}),
            "c": SimpleNamespace(orchestra={"melody": ("flute",)})}
    monkeypatch.setattr(moods, "PRESETS", fake)
    assert q.mood_instrument_set_collisions() == [("a", "b")]


def test_built_in_mood_collisions_are_pairs_of_presets():
    from motifgen.moods import PRESETS

    for a, b in q.mood_instrument_set_collisions():
        assert a in PRESETS and b in PRESETS and a != b


@pytest.mark.parametrize("symbol, function", [
    ("I", "tonic"), ("i", "tonic"), ("Iadd6", "tonic"), ("V", "dominant"), ("v", "dominant"),
    ("V/V", ""), ("bVII", ""), ("bV", ""), ("vii°", ""), ("iv", ""), ("VI", ""), ("", "")])
def test_chord_function(symbol, function):
    assert q.chord_function(symbol) == function


def test_statement_figures():
    statements = [statement("hero", 0.0, 8.0, 1.0), statement("villain", 8.0, 16.0, 0.9),
                  statement("hero", 16.0, 24.0, 0.5)]
    hits = [hit(8.0), hit(20.0)]
    melody = part("melody", [(0, 8, 60)], "horn")
    s = score(melody, length=24, featuring=["hero", "villain"], statements=statements,
              hits=hits)
    assert q.last_lead_recognisability(s) == 0.5
    assert q.hit_statements(s) == 0.5
    project = SimpleNamespace(motifs={"hero": SimpleNamespace(instrument="horn"),
                                      "villain": SimpleNamespace(instrument="bassoon")})
    assert q.own_instrument(s, project) == 1.0  # only the first statement sounds: on horn
    assert q.own_instrument(s) is None
    bassoon = part("melody", [(8, 8, 50)], "bassoon")
    horn = part("melody", [(0, 8, 60), (16, 8, 60)], "horn")
    s = score(horn, bassoon, length=24, featuring=["hero"], statements=statements)
    assert q.own_instrument(s, project) == 1.0
    s = score(part("melody", [(0, 8, 60), (8, 8, 60), (16, 8, 60)], "horn"), length=24,
              statements=statements)
    assert q.own_instrument(s, project) == pytest.approx(2 / 3)  # the villain on horn


def test_bar_before_melody():
    late = part("melody", [(4, 4, 60)])
    early = part("melody", [(2, 4, 60)])
    assert q.bar_before_melody(score(late, length=40)) == 1.0  # 40 beats at 120 = 20 s
    assert q.bar_before_melody(score(early, length=40)) == 0.0
    assert q.bar_before_melody(score(late, length=16)) is None  # 8 s: too short to ask


def test_phrase_ends_and_ending():
    chords = [chord(0, 12, "I", (0, 4, 7)), chord(12, 4, "V", (7, 11, 2)),
              chord(16, 12, "IV", (5, 9, 0)), chord(28, 4, "I", (0, 4, 7))]
    melody = part("melody", [(0, 28, 67), (28, 4, 64)])
    s = score(melody, chords=chords, length=32)
    assert q.phrase_ends(s) == 1.0  # bar 5 line after V, the end after I
    assert q.ending(s) == 1.0
    short = score(part("melody", [(0, 31, 67), (31, 1, 64)]), chords=chords, length=32)
    assert q.ending(short) == 0.0
    off = score(part("melody", [(0, 28, 67), (28, 4, 62)]), chords=chords, length=32)
    assert q.ending(off) == 0.0  # D over C major
    plagal = chords[:1] + [chord(12, 4, "IV", (5, 9, 0))] + chords[2:3] + [
        chord(28, 4, "ii", (2, 5, 9))]
    s = score(melody, chords=plagal, length=32)
    assert q.phrase_ends(s) == 0.0 and q.ending(s) == 0.0


def test_hits_that_change_the_music():
    before = [(b, 1, 60, 60) for b in range(4)]
    same = [(b, 1, 60, 64) for b in range(4, 8)]
    louder = [(b, 1, 60, 80) for b in range(4, 8)]
    busier = [(4 + b / 2, 0.5, 60, 60) for b in range(8)]
    for after, changed in ((same, False), (louder, True), (busier, True)):
        s = score(part("harmony", before + after), length=8, hits=[hit(4.0)])
        assert q.hits_change(s) == float(changed)
    entering = [part("harmony", before + same), part("melody", [(4, 4, 72)], "horn"),
                part("bass", [(4, 4, 36)], "tuba")]
    assert q.hits_change(score(*entering, length=8, hits=[hit(4.0)])) == 1.0
    assert q.hits_change(score(part("harmony", before), length=8)) is None


def test_report_on_the_example_film_is_finite_or_none():
    film, cues = q.measure_film(ROOT / "motifs" / "cartographer.yaml")
    assert len(cues) == 10
    keys = {f.key for f in q.FIGURES}
    for cue in cues:
        assert set(cue.figures) == keys
        for value in cue.figures.values():
            assert value is None or math.isfinite(value)
    lines, _ = q.report([(film, cues)], markdown=True)
    assert any(line.startswith("## All films") for line in lines)


def test_command_line_exits_zero_without_check(capsys):
    assert q.main([str(ROOT / "motifs" / "cartographer.yaml")]) == 0
    assert "masking" in capsys.readouterr().out


def test_an_open_ending_is_not_judged_and_missing_plan_fields_are_named():
    chords = [chord(0, 4, "ii", (2, 5, 9))]
    melody = part("melody", [(0, 4, 62)])
    assert q.ending(score(melody, chords=chords, length=4)) == 0.0
    assert q.ending(score(melody, chords=chords, length=4, ending="open")) is None
    gaps = q.plan_gaps(score(melody, chords=chords, length=4, hits=[hit(0.0)],
                             statements=[statement("a", 0.0, 4.0, 1.0)]))
    assert any(g.startswith("statements[].instrument") for g in gaps)


ARRANGING = [f for f in q.FIGURES if f.issue == 13]
DRAMATURGY = [f for f in q.FIGURES if f.issue == 14]


@pytest.fixture(scope="module")
def example_cues():
    return q.measure_film(ROOT / "motifs" / "cartographer.yaml")[1]


@pytest.mark.parametrize("fig", ARRANGING, ids=lambda f: f.key)
def test_the_example_film_meets_the_arranging_targets(example_cues, fig):
    """Issue 13's table, held on every cue of the example film and on their mean."""
    mean, worst, ok = q.aggregate(fig, example_cues)
    assert ok is not False, (fig.key, mean, worst)
    for cue in example_cues:
        assert fig.ok(cue.figures[fig.key], fig.per_cue) is not False, (cue.id, fig.key)


@pytest.mark.parametrize("fig", DRAMATURGY, ids=lambda f: f.key)
def test_the_example_film_meets_the_dramaturgy_targets(example_cues, fig):
    """Issue 14's table on the example film: shares over its cues, hits, statements and
    phrase ends."""
    mean, worst, ok = q.aggregate(fig, example_cues)
    assert ok is True, (fig.key, mean, worst)


def test_no_two_built_in_moods_share_an_instrument_set():
    assert q.mood_instrument_set_collisions() == []


def test_the_example_film_keeps_its_semitones_and_its_variations_vary():
    import motifgen

    project = motifgen.load(ROOT / "motifs" / "cartographer.yaml")
    collapsed, semitones = q.collapsed_semitones(project)
    assert semitones > 0 and collapsed == 0
    same, tried = q.vary_identical(project)
    assert tried > 0 and same == 0
