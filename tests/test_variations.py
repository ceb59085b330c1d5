"""Variation search and similarity."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from motifgen.development.chain import apply_chain, parse_chain
from motifgen.development.similarity import similarity
from motifgen.development.vary import PALETTES, Variation, _shape, develop, vary
from motifgen.errors import MotifgenError
from motifgen.motif import Motif
from motifgen.project import load
from motifgen.theory import MODES, Key

MOODS = ("heroic", "triumphant", "tender", "tragic", "melancholy", "menacing",
         "mysterious", "wonder", "playful", "action", "suspense", "peaceful")


def theme() -> Motif:
    return Motif.from_degrees([0, 2, 1, 0, 4, 3, 2, 1], [0] * 8,
                              [1, 0.5, 0.5, 1, 1, 0.5, 0.5, 3], Key(2, "aeolian"))


@st.composite
def motifs(draw) -> Motif:
    n = draw(st.integers(2, 10))
    steps = draw(st.lists(st.integers(-4, 9), min_size=n, max_size=n))
    durs = draw(st.lists(st.sampled_from((0.5, 1.0, 1.5, 2.0)), min_size=n, max_size=n))
    k = Key(draw(st.integers(0, 11)), draw(st.sampled_from(sorted(MODES))))
    return Motif.from_degrees(steps, [0] * n, durs, k)


def random_motif(rng: np.random.Generator) -> Motif:
    n = int(rng.integers(5, 10))
    iois = rng.choice([0.25, 0.5, 1.0, 1.5, 2.0], n)
    onset = np.concatenate(([0.0], np.cumsum(iois)[:-1]))
    return Motif(onset, iois, rng.integers(48, 84, n), np.full(n, 80))


# -- similarity -------------------------------------------------------------------


@given(motifs())
def test_similarity_of_a_motif_to_itself_is_one(m: Motif) -> None:
    assert similarity(m, m) == 1.0


@given(motifs(), st.integers(-12, 12), st.sampled_from(("2", "3/2", "1/2")))
def test_transposed_or_augmented_copy_scores_high(m: Motif, semis: int, factor: str) -> None:
    assert similarity(m, apply_chain(m, f"transpose={semis}")) >= 0.95
    assert similarity(m, apply_chain(m, f"augment={factor}")) >= 0.95


@given(motifs(), motifs())
def test_similarity_is_in_unit_range(a: Motif, b: Motif) -> None:
    assert 0.0 <= similarity(a, b) <= 1.0


def test_random_notes_score_low() -> None:
    rng = np.random.default_rng(11)
    m = theme()
    scores = [similarity(m, random_motif(rng)) for _ in range(200)]
    assert np.mean(scores) < 0.3
    assert similarity(m, apply_chain(m, "transpose=7")) > max(scores)


@settings(max_examples=60)
@given(st.lists(st.integers(-7, 7), min_size=2, max_size=15), st.data())
def test_a_semitone_collapsed_to_a_unison_scores_low(intervals: list[int], data) -> None:
    """Only one interval changes, a semitone becoming a repeated note (everything after
    it moved with it): contour elsewhere and rhythm are kept, the score still drops."""
    at = data.draw(st.integers(0, len(intervals) - 1))
    intervals[at] = data.draw(st.sampled_from((1, -1)))
    pitch = 60 + np.concatenate(([0], np.cumsum(intervals)))
    n = len(pitch)
    m = Motif(np.arange(n, dtype=float), np.ones(n), pitch, np.full(n, 80))
    collapsed = m.with_notes(pitch=np.concatenate((pitch[:at + 1], pitch[at + 1:] - intervals[at])))
    assert collapsed.intervals[at] == 0
    assert similarity(m, collapsed) < 0.8
    assert similarity(m, m.with_notes(pitch=pitch + 3)) == 1.0


def test_lighter_developments_score_higher() -> None:
    m = theme()
    light = similarity(m, apply_chain(m, "mode=ionian"))
    medium = similarity(m, apply_chain(m, "rhythm=dotted"))
    heavy = similarity(m, apply_chain(m, "fragment=3, sequence=3:+1"))
    assert light > medium > heavy


# -- vary ----------------------------------------------------------------------------


@pytest.mark.parametrize("mood", [*MOODS, None, "no-such-mood"])
def test_vary_returns_n_distinct_variations_above_threshold(mood) -> None:
    m = theme()
    out = vary(m, mood, n=8, seed=3)
    # action's palette has 7 chains above the threshold that change the notes (its
    # staccato and dynamics moves alone are no variation)
    assert len(out) == (7 if mood == "action" else 8)
    assert all(isinstance(v, Variation) for v in out)
    assert all(v.score >= 0.35 for v in out)
    assert len({v.motif for v in out}) == len(out)
    assert len({v.chain for v in out}) == len(out)
    assert all(v.motif != m for v in out)
    shapes = [_shape(v.motif) for v in out]  # new shapes first, then restatements
    fresh = [i for i, s in enumerate(shapes) if s not in shapes[:i] and s != _shape(m)]
    assert fresh == list(range(len(fresh)))
    for group in (out[:len(fresh)], out[len(fresh):]):
        assert [v.score for v in group] == sorted((v.score for v in group), reverse=True)
    for v in out:  # the chain is the provenance: replaying it gives the variant
        assert apply_chain(m, v.chain) == v.motif
        assert v.score == similarity(m, v.motif)


@settings(max_examples=15, deadline=None)
@given(motifs(), st.integers(0, 2**31), st.sampled_from([*MOODS, None]))
def test_vary_respects_threshold_for_any_motif(m: Motif, seed: int, mood) -> None:
    out = vary(m, mood, n=5, seed=seed, threshold=0.5)
    assert all(v.score >= 0.5 for v in out)
    assert len({v.motif for v in out}) == len(out)


def test_same_seed_same_variations_other_seed_others() -> None:
    m = theme()
    a, b = vary(m, "action", n=6, seed=42), vary(m, "action", n=6, seed=42)
    assert [(v.chain, v.score) for v in a] == [(v.chain, v.score) for v in b]
    assert all(x.motif == y.motif for x, y in zip(a, b))
    c = vary(m, "action", n=6, seed=43)
    assert [v.chain for v in a] != [v.chain for v in c]


def test_mood_palettes_shape_the_chains() -> None:
    m = theme()
    tragic = vary(m, "tragic", n=8, seed=0)
    assert any("mode=harmonic_minor" in v.chain or "augment" in v.chain for v in tragic)
    action = [v.chain for v in vary(m, "action", n=8, seed=0)]
    assert any("diminish" in c or "sequence" in c for c in action)
    assert set(MOODS) | {None} == set(PALETTES)
    for palette in PALETTES.values():
        for text, weight in palette.moves + palette.late:
            assert parse_chain(text) and weight > 0


def test_mode_argument_overrides_the_target_mode() -> None:
    m = theme()
    out = vary(m, "tragic", n=6, seed=1, mode="lydian")
    assert all("mode=lydian" in v.chain for v in out)
    assert all(v.motif.key.mode == "lydian" for v in out)
    with pytest.raises(MotifgenError):
        vary(m, "tragic", mode="klingon")


def test_threshold_one_keeps_only_perfect_scores() -> None:
    out = vary(theme(), "triumphant", n=4, seed=0, threshold=1.0)
    assert all(v.score == 1.0 for v in out)


# -- develop -------------------------------------------------------------------------


@pytest.mark.parametrize("mood", [*MOODS, None])
def test_develop_weight_grows_with_intensity(mood) -> None:
    m = theme()
    light = [develop(m, mood, 0.0, np.random.default_rng(s)).score for s in range(6)]
    heavy = [develop(m, mood, 1.0, np.random.default_rng(s)).score for s in range(6)]
    assert np.mean(light) > np.mean(heavy)
    assert min(light + heavy) >= 0.35


def test_develop_is_deterministic_for_a_generator_state() -> None:
    m = theme()
    a = develop(m, "wonder", 0.6, np.random.default_rng(9))
    b = develop(m, "wonder", 0.6, np.random.default_rng(9))
    assert a == b and apply_chain(m, a.chain) == a.motif


def test_every_variation_sounds_different_from_the_source_and_each_other():
    """A mode change that alters no note (harmonic minor on a tune without a 7th) is no
    variation: the notes, not the key label, must differ."""
    tune = Motif.from_degrees([0, 4, 3, 2, 1, 2, 3, 4], [0] * 8, [1] * 8, Key.parse("D minor"))
    for mood in ("tragic", "melancholy", None):
        found = vary(tune, mood, n=8, seed=7)
        prints = [v.motif.fingerprint() for v in found]
        assert tune.fingerprint() not in prints
        assert len(set(prints)) == len(prints)


@pytest.mark.parametrize("mood", [None, *MOODS])
def test_variations_of_the_example_film_vary_in_pitches_or_onsets(example, mood):
    """Dynamics or articulation alone never make a variation: every result differs from
    the source and from every other result in its pitches or onsets, and a restatement
    (the same intervals and rhythm moved in pitch or tempo) never tops the list."""
    project = load(example)
    for name, character in project.motifs.items():
        m = character.motif
        for seed in (0, 1, 5):
            found = vary(m, mood, n=8, seed=seed)
            heard = [(v.motif.onset.tobytes(), v.motif.pitch.tobytes()) for v in found]
            assert (m.onset.tobytes(), m.pitch.tobytes()) not in heard, (name, seed)
            assert len(set(heard)) == len(heard), (name, seed)
            assert _shape(found[0].motif) != _shape(m), (name, seed, found[0].chain)
            assert not any(v.chain.startswith("dynamics") for v in found)


@pytest.mark.parametrize("mood", ["menacing", "suspense"])
def test_dark_moods_develop_by_rhythm_register_and_cells_before_inversion(mood):
    """A villain's entrance is not his theme inverted: below `late_from` a dark mood's
    developments never invert; above it inversion stays one choice among many."""
    tune = Motif.from_degrees([0, 1, 0, -1, -3, 0], [0] * 6, [1.5, 0.5, 1, 1, 2, 4],
                              Key.parse("A phrygian"))
    late_from = PALETTES[mood].late_from
    early = [develop(tune, mood, i, np.random.default_rng(s), mode="phrygian").chain
             for s in range(40) for i in (0.3, 0.5, 0.6, 0.7, late_from - 0.01)]
    assert not any("invert" in c for c in early)
    assert any(w in c for c in early for w in ("rhythm", "register", "fragment", "step"))
    late = [develop(tune, mood, i, np.random.default_rng(s), mode="phrygian").chain
            for s in range(40) for i in (late_from, 0.9, 1.0)]
    assert 0 < sum("invert" in c for c in late) < len(late) / 2
    assert all("invert" not in text for text, _ in PALETTES[mood].moves)


def test_scene_developments_keep_the_scene_meter_and_mode():
    """In a scene the tempo map fixes the bars and the section fixes the mode."""
    tune = Motif.from_degrees([0, 4, 3, 2, 1, 2, 3, 4], [0] * 8, [1] * 8, Key.parse("D minor"))
    for mood in PALETTES:
        for seed in range(6):
            var = develop(tune, mood, 0.9, np.random.default_rng(seed), mode="aeolian")
            assert "metre" not in var.chain and "mode=" not in var.chain
            assert var.motif.meter == tune.meter


def _develop_by_definition(motif: Motif, mood, intensity: float, rng: np.random.Generator,
                           mode=None) -> Variation:
    """`develop` as its docstring defines it, from scratch: numpy's own draws, every chain
    applied to the motif and scored anew (none of the search's kept work)."""
    from motifgen.development.chain import Step, format_chain
    from motifgen.development.vary import _moves, _ordered, _palette

    plan = _moves(mood, mode, motif.key.mode, True, intensity >= _palette(mood).late_from)
    best, best_gap, seen = Variation(motif, "", 1.0), float("inf"), set()
    for _ in range(12):
        size = min(1 + int(rng.binomial(2, intensity)), len(plan.moves))
        picked = rng.choice(len(plan.moves), size, replace=False, p=np.array(plan.weights))
        steps = [Step("mode", (plan.forced_mode,))] if plan.forced_mode and plan.modes else []
        for i in sorted(picked.tolist()):
            move = plan.moves[i]
            if not move:  # the mode change
                move = (Step("mode", (plan.modes[int(rng.integers(len(plan.modes)))],)),)
            steps.extend(move)
        text = format_chain(_ordered(tuple(steps)))
        if text in seen:
            continue
        seen.add(text)
        variant = apply_chain(motif, text)
        score = similarity(motif, variant)
        if score < 0.35 or variant.fingerprint() == motif.fingerprint():
            continue
        if abs(score - (1 - 0.55 * intensity)) < best_gap:
            best, best_gap = Variation(variant, text, score), abs(score - (1 - 0.55 * intensity))
    return best


@settings(max_examples=40, deadline=None)
@given(motifs(), st.integers(0, 2**31), st.sampled_from([*MOODS, None]),
       st.sampled_from([0.0, 0.3, 0.55, 0.8, 1.0]), st.sampled_from([None, "dorian"]))
def test_develop_equals_its_definition_draw_for_draw(m: Motif, seed: int, mood, intensity,
                                                      mode) -> None:
    """The kept searches (chains drawn, starts of chains developed, variants scored) give
    what the plain definition gives, and leave the Generator where numpy's draws do."""
    for _ in range(2):  # the second time from what the first kept
        ours, plain = np.random.default_rng(seed), np.random.default_rng(seed)
        got = develop(m, mood, intensity, ours, mode=mode)
        want = _develop_by_definition(m, mood, intensity, plain, mode=mode)
        assert (got.chain, got.score, got.motif) == (want.chain, want.score, want.motif)
        assert ours.random() == plain.random()
