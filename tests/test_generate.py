"""Motifs generated from an archetype and traits: seeded, memorable, in the key."""

from __future__ import annotations

import pytest

from motifgen.errors import MotifgenError
from motifgen.generate import ARCHETYPES, generate_motif, memorability
from motifgen.theory import Key

D_MINOR = Key.parse("D minor")


@pytest.mark.parametrize("archetype", sorted(ARCHETYPES))
def test_each_archetype_gives_a_memorable_two_bar_motif(archetype):
    m = generate_motif("x", D_MINOR, (4, 4), archetype, seed=3)
    assert m.end == pytest.approx(8.0)
    assert 3 <= len(m) <= 13
    assert memorability(m) >= 0.6
    steps, alts = m.degrees()
    assert alts[-1] == 0 and steps[-1] % 7 in (0, 2, 4)  # ends on 1, 3 or 5


@pytest.mark.parametrize("meter", [(2, 4), (3, 8), (6, 8), (5, 4), (2, 2)])
@pytest.mark.parametrize("archetype", sorted(ARCHETYPES))
def test_every_meter_gets_a_two_bar_motif(archetype, meter):
    m = generate_motif("x", D_MINOR, meter, archetype, ("restless",), seed=2)
    assert m.end == pytest.approx(2 * meter[0] * 4 / meter[1])
    assert len(m) >= 2 and m.meter == meter


def test_same_inputs_same_motif_other_seed_or_name_other_motif():
    a = generate_motif("finch", D_MINOR, (4, 4), "trickster", ("playful",), seed=1)
    assert a == generate_motif("finch", D_MINOR, (4, 4), "trickster", ("playful",), seed=1)
    others = [generate_motif("finch", D_MINOR, (4, 4), "trickster", ("playful",), seed=s)
              for s in range(2, 6)]
    assert any(o != a for o in others)
    assert generate_motif("wren", D_MINOR, (4, 4), "trickster", ("playful",), seed=1) != a


def test_traits_change_the_motif():
    plain = generate_motif("x", D_MINOR, (4, 4), "hero", seed=5)
    restless = generate_motif("x", D_MINOR, (4, 4), "hero", ("restless",), seed=5)
    assert len(restless) > len(plain)  # restless halves the rhythm cell


def test_diatonic_unless_a_trait_adds_colour():
    for seed in range(10):
        m = generate_motif("x", D_MINOR, (3, 4), "mentor", ("gentle",), seed=seed)
        assert all(D_MINOR.contains(int(p)) for p in m.pitch)


@pytest.mark.parametrize("archetype, traits, expected", [
    ("wizard", (), "unknown archetype 'wizard'"),
    ("hero", ("sleepy",), "unknown trait 'sleepy'"),
])
def test_unknown_words_are_listed(archetype, traits, expected):
    with pytest.raises(MotifgenError, match=expected):
        generate_motif("x", D_MINOR, (4, 4), archetype, traits)
