"""Motifs generated from an archetype and traits: every archetype's constraints hold,
seeds repeat and vary, traits combine by the documented rule, unknown words are named."""

from __future__ import annotations

from functools import cache

import numpy as np
import pytest

from motifgen.errors import MotifgenError, ProjectError
from motifgen.generate.constraints import (
    ARCHETYPES,
    CONTOURS,
    RHYTHMS,
    TRAITS,
    Constraints,
    constraints_for,
    key_for,
)
from motifgen.generate.memorability import memorability
from motifgen.generate.sampler import Candidate, generate_motif, propose
from motifgen.motif import Motif
from motifgen.project import load
from motifgen.theory import Key, beat_groups

HOME = Key.parse("D minor")
SEEDS = (0, 1, 2, 3, 4)


@cache
def proposals(archetype: str | None, traits: tuple[str, ...] = (), seed: int = 0,
              meter: tuple[int, int] = (4, 4)) -> list[Candidate]:
    return propose("x", key_for(HOME, archetype, traits), meter, archetype, traits, seed, n=5)


def has_run(intervals: list[int], run: tuple[int, ...], head: bool) -> bool:
    starts = [0] if head else range(len(intervals) - len(run) + 1)
    return any(tuple(intervals[i:i + len(run)]) == run for i in starts)


def assert_satisfies(motif: Motif, want: Constraints, key: Key) -> None:
    """The constraints checked from outside `Constraints.check`."""
    pitch = motif.pitch.tolist()
    intervals = np.diff(motif.pitch).tolist()
    assert all(key.contains(p) for p in pitch), "a note outside the mode"
    for fig in want.figures:
        assert any(has_run(intervals, run, fig.head) for run in fig.options), fig.describe()
    assert 3 <= want.length[0] <= len(pitch) <= want.length[1] <= 12
    assert max(pitch) - min(pitch) <= want.ambitus
    assert CONTOURS[want.contour].holds(pitch)
    unit = beat_groups(motif.meter).unit
    lengths = [d / unit for d in motif.duration[:-1]]
    assert all(min(abs(x - a) for a in RHYTHMS[want.rhythm].lengths) < 1e-9 for x in lengths)
    assert motif.end % motif.bar_length == pytest.approx(0.0)  # the last note fills its bar
    assert motif.onset[0] == 0.0


@pytest.mark.parametrize("archetype", list(ARCHETYPES))
def test_every_candidate_satisfies_its_archetype(archetype):
    want = constraints_for(archetype)
    key = key_for(HOME, archetype)
    assert key == Key(HOME.tonic, want.mode)
    for seed in SEEDS:
        for candidate in proposals(archetype, (), seed):
            assert candidate.constraints.check(candidate.motif) == []
            assert_satisfies(candidate.motif, want, key)


@pytest.mark.parametrize("archetype", list(ARCHETYPES))
def test_same_seed_same_motif_other_seeds_other_motifs(archetype):
    key = key_for(HOME, archetype)
    motifs = [proposals(archetype, (), s)[0].motif for s in SEEDS]
    assert generate_motif("x", key, (4, 4), archetype, seed=0) == motifs[0]  # fresh draws
    assert len(set(motifs)) >= 4
    assert generate_motif("y", key, (4, 4), archetype, seed=0) != motifs[0]


@pytest.mark.parametrize("archetype", ["hero", "machine", "sea"])
def test_propose_gives_n_distinct_candidates_best_first(archetype):
    found = propose("x", key_for(HOME, archetype), (4, 4), archetype, seed=7, n=8)
    scores = [c.score for c in found]
    assert len(found) == 8 and len(set(c.motif for c in found)) == 8
    assert scores == sorted(scores, reverse=True)
    assert scores == [memorability(c.motif) for c in found]
    assert all(0 <= s <= 1 and c.motif.name == "x" for s, c in zip(scores, found))


@pytest.mark.parametrize("meter", [(2, 4), (3, 8), (6, 8), (5, 4), (2, 2), (12, 8)])
@pytest.mark.parametrize("archetype", ["hero", "trickster", "fate", "rebel"])
def test_every_meter(archetype, meter):
    candidate = proposals(archetype, (), 1, meter)[0]
    assert candidate.motif.meter == meter
    assert_satisfies(candidate.motif, constraints_for(archetype), key_for(HOME, archetype))


@pytest.mark.parametrize("trait", list(TRAITS))
def test_every_trait_on_an_archetype_gives_valid_motifs(trait):
    archetype = list(ARCHETYPES)[list(TRAITS).index(trait) % len(ARCHETYPES)]
    for owner in (archetype, None):  # with an archetype, and alone
        key = key_for(HOME, owner, (trait,))
        want = constraints_for(owner, (trait,)).fitted(key)  # figures the mode can form
        for candidate in proposals(owner, (trait,), 2):
            assert_satisfies(candidate.motif, want, key)


def test_traits_combine_by_the_documented_rule():
    hero, villain, fate = (ARCHETYPES[a].constraints for a in ("hero", "villain", "fate"))
    sinister = constraints_for("hero", ["sinister"])
    assert sinister.mode == "ionian" and sinister.contour == "rising"  # the archetype's
    assert sinister.figures == (hero.figures[0], TRAITS["sinister"].figure)  # the union
    assert sinister.register == -1  # shifts add up
    assert constraints_for(None, ["sinister"]).mode == "phrygian"  # a trait fills the gap
    assert constraints_for(None, ["sinister", "noble"]).mode == "phrygian"  # first one wins
    assert constraints_for(None, ["noble", "sinister"]).mode == "ionian"
    assert constraints_for("outsider", ["restless"]).rhythm == "running"  # open field
    assert constraints_for("hero", ["restless"]).rhythm == "march"  # not open
    assert constraints_for("villain", ["yearning"]).figures == villain.figures  # at most two
    both = constraints_for("fate", ["heroic"]).figures
    assert both[0] == fate.figures[0] and both[0].head and not both[1].head  # one head
    assert constraints_for("trickster", ["restless"]).length == (6, 10)  # intersection
    assert constraints_for("hero", ["gentle"]).ambitus == 7  # the smallest limit
    assert constraints_for("child", ["playful"]).ambitus == 8  # widened for the sixth
    assert constraints_for("child", ["fragile", "innocent"]).register == 1  # within ±1
    assert constraints_for(None) == Constraints()


def test_traits_change_the_motif():
    plain = generate_motif("x", key_for(HOME, "hero"), (4, 4), "hero", seed=5)
    sinister = constraints_for("hero", ["sinister"])
    dark = generate_motif("x", key_for(HOME, "hero"), (4, 4), "hero", ["sinister"], seed=5)
    assert dark != plain and sinister.check(dark) == []
    assert constraints_for("hero").check(dark) == []  # the archetype still holds


def test_archetype_words_are_forgiving():
    assert constraints_for("The Sea") == constraints_for("sea") == ARCHETYPES["sea"].constraints
    assert constraints_for("King") == ARCHETYPES["ruler"].constraints
    a = generate_motif("x", HOME, (4, 4), "the sea", ["Restless"], seed=3)
    assert a == generate_motif("x", HOME, (4, 4), "sea", ["restless"], seed=3)


def test_a_key_that_cannot_form_a_figure_drops_it():
    key = Key.parse("D major pentatonic")  # no semitone, no tritone
    fitted = constraints_for("villain").fitted(key)
    assert fitted.figures == () and fitted.mode == "major_pentatonic"
    for candidate in propose("x", key, (4, 4), "villain", seed=1):
        assert all(key.contains(int(p)) for p in candidate.motif.pitch)
        assert candidate.constraints == fitted


def test_describe_and_check():
    villain = constraints_for("villain")
    assert villain.describe() == ("phrygian, must contain +1/-1 and +6/-6 semitones, falling "
                                  "contour, stately rhythm, 4-7 notes, ambitus <= 10, "
                                  "register -1 octave")
    assert constraints_for("hero").describe().startswith("ionian, opens with +5/+7, rising")
    wrong = Motif.from_notes([(i * 0.5, 0.5, 72 - i) for i in range(14)], key=HOME)
    problems = constraints_for("hero").check(wrong)
    for start in ("14 notes", "notes outside D ionian", "does not open with +5/+7",
                  "contour is not rising", "rhythm is not march", "ambitus 13 > 12"):
        assert any(p.startswith(start) for p in problems), start


@pytest.mark.parametrize("archetype, traits, expected", [
    ("wizard", (), r"unknown archetype 'wizard'; expected one of: hero, villain"),
    ("villian", (), r"unknown archetype 'villian'; did you mean 'villain'\?"),
    ("hero", ("sinster",), r"unknown trait 'sinster'; did you mean 'sinister'\?; expected any"),
    ("hero", ("sleepy",), r"unknown trait 'sleepy'; expected any of: noble, heroic"),
])
def test_unknown_words_are_named_with_a_suggestion(archetype, traits, expected):
    with pytest.raises(MotifgenError, match=expected):
        generate_motif("x", HOME, (4, 4), archetype, traits)
    with pytest.raises(MotifgenError, match=expected):
        constraints_for(archetype, traits)


def test_tables_list_every_word_with_a_summary():
    assert len(ARCHETYPES) >= 12 and len(TRAITS) >= 15
    assert {"hero", "villain", "lover", "mentor", "child", "trickster", "outsider", "fate",
            "innocent", "sea", "ruler"} <= set(ARCHETYPES)
    assert {"noble", "sinister", "fragile", "playful", "stubborn", "yearning", "mysterious",
            "heroic", "melancholy", "restless", "gentle", "dark", "sad", "brave",
            "innocent"} <= set(TRAITS)
    assert all(a.summary and a.constraints.figures for a in ARCHETYPES.values())
    assert all(t.summary for t in TRAITS.values())


def test_the_project_uses_the_archetype_mode_unless_a_key_is_given(write_project, example):
    finch = load(example).motifs["finch"]
    assert finch.generated and finch.motif.key == Key.parse("D lydian")  # trickster's mode
    want = constraints_for("trickster", ["playful", "restless"])
    assert want.fitted(finch.motif.key).check(finch.motif) == []
    path = write_project("""\
        motifgen: 1
        key: D minor
        seed: 4
        characters:
          hero: {archetype: hero, key: A minor}
          king: {archetype: The Sea, traits: [stubborn]}
        scenes:
          - {id: 1M1, start: "01:00:00:00", end: "01:00:20:00", mood: tender,
             featuring: [hero, king]}
        """)
    project = load(path)
    assert project.motifs["hero"].motif.key == Key.parse("A minor")
    assert project.motifs["king"].motif.key == Key.parse("D dorian")
    assert project.motifs["hero"].motif == generate_motif("hero", Key.parse("A minor"),
                                                          (4, 4), "hero", seed=4)


def test_a_project_names_the_field_of_an_unknown_word(write_project):
    path = write_project("""\
        motifgen: 1
        characters:
          finch: {archetype: tricksterr}
        scenes:
          - {id: 1M1, start: "01:00:00:00", end: "01:00:20:00", mood: tender,
             featuring: [finch]}
        """)
    with pytest.raises(ProjectError, match=r"characters\.finch\.archetype: unknown archetype "
                                           r"'tricksterr'; did you mean 'trickster'\?"):
        load(path)
