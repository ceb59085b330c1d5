"""The memorability score ranks famous public-domain motifs above random note strings
and above shuffles of their own pitches."""

from __future__ import annotations

from functools import cache

import numpy as np
import pytest

from motifgen.generate.memorability import MEMORABILITY, memorability, memorability_parts
from motifgen.io.notation import parse_tiny
from motifgen.motif import Motif
from motifgen.seeds import rng
from motifgen.theory import Key

#: Opening motifs, as written (tinyNotation: c = middle C, cc an octave up, C down).
FAMOUS = {
    "Beethoven, Symphony no. 5": ("C minor", "2/4 r8 g8 g g e-2 r8 f8 f f d2"),
    "Beethoven, Ode to Joy": ("D major", "4/4 f#4 f# g a a g f# e d d e f# f#4. e8 e2"),
    "Beethoven, Für Elise": ("A minor", "3/8 ee16 dd# ee dd# ee b dd cc a8"),
    "Wagner, Ride of the Valkyries": ("B minor", "9/8 f#16 b8. f#16 b8 dd4. b4."),
    "Wagner, Lohengrin bridal chorus": ("F major", "4/4 c4 f4. f8 f2 c4 g4. e8 f2"),
    "Grieg, In the Hall of the Mountain King": ("B minor", "4/4 B8 c# d e f# d f#4"),
    "Grieg, Morning Mood": ("E major", "6/8 gg#4 ff#8 ee4 ff#8 gg#4 ff#8 ee4 ff#8 gg#4."),
    "Dies irae": ("D minor", "4/4 f4 e f d e c d d2"),
    "Mozart, Eine kleine Nachtmusik": ("G major", "4/4 g4 r8 d8 g4 r8 d8 g8 d g b dd2"),
    "Dvořák, New World Largo": ("C major", "4/4 e4. g8 g2 e4. d8 c2 d4 e g e d2."),
}

LENGTHS = (0.25, 0.5, 1.0, 1.5, 2.0)


def famous(name: str) -> Motif:
    key, text = FAMOUS[name]
    return parse_tiny(text, Key.parse(key))


def random_string(like: Motif, g: np.random.Generator) -> Motif:
    """Random chromatic pitches over two octaves around the tonic, random lengths."""
    n = len(like)
    durations = g.choice(LENGTHS, n)
    onsets = np.concatenate(([0.0], np.cumsum(durations)[:-1]))
    pitch = g.integers(like.key.tonic_pitch - 5, like.key.tonic_pitch + 20, n)
    return Motif(onsets, durations, pitch, [80] * n, key=like.key, meter=like.meter)


def random_in_key(like: Motif, g: np.random.Generator) -> Motif:
    """The motif's own rhythm, with random pitches of its scale over two octaves."""
    scale = [p for p in range(like.key.tonic_pitch - 5, like.key.tonic_pitch + 20)
             if like.key.contains(p)]
    return like.with_notes(pitch=g.choice(scale, len(like)))


@cache
def scores(name: str, kind: str, count: int) -> np.ndarray:
    motif = famous(name)
    g = rng("memorability test", kind, name)
    draw = {"random": random_string, "in key": random_in_key,
            "shuffled": lambda m, g: m.with_notes(pitch=g.permutation(m.pitch))}[kind]
    return np.array([memorability(draw(motif, g)) for _ in range(count)])


def test_the_famous_motifs_are_written_as_intended():
    assert famous("Beethoven, Symphony no. 5").pitch.tolist() == [67, 67, 67, 63, 65, 65, 65, 62]
    assert famous("Beethoven, Symphony no. 5").onset[0] == 0.5  # after an eighth rest
    assert famous("Grieg, In the Hall of the Mountain King").pitch.tolist() == [
        59, 61, 62, 64, 66, 62, 66]
    assert famous("Wagner, Ride of the Valkyries").pitch.tolist() == [66, 71, 66, 71, 74, 71]
    assert all(3 <= len(famous(n)) <= 15 for n in FAMOUS)


@pytest.mark.parametrize("name", list(FAMOUS))
@pytest.mark.parametrize("kind", ["random", "in key"])
def test_each_famous_motif_beats_random_note_strings(name, kind):
    score, others = memorability(famous(name)), scores(name, kind, 200)
    assert score > others.mean()
    assert np.mean(others < score) >= 0.9


def test_the_famous_set_beats_its_own_shuffles():
    mine = np.array([memorability(famous(n)) for n in FAMOUS])
    shuffled = np.array([scores(n, "shuffled", 20).mean() for n in FAMOUS])
    assert mine.mean() > shuffled.mean() + 0.02
    assert np.sum(mine > shuffled) >= 0.8 * len(FAMOUS)  # most beat their own shuffles


def test_the_score_is_a_weighted_sum_of_unit_components():
    assert sum(w for w, _ in MEMORABILITY.values()) == pytest.approx(1.0)
    for name in FAMOUS:
        parts = memorability_parts(famous(name))
        assert all(0 <= v <= 1 for v in parts.values())
        total = sum(MEMORABILITY[k][0] * v for k, v in parts.items())
        assert memorability(famous(name)) == pytest.approx(total, abs=1e-6)


def test_components_reward_what_they_describe():
    fifth = famous("Beethoven, Symphony no. 5")
    parts = memorability_parts(fifth)
    assert parts["head_interval"] == 0.7  # repeated notes skipped: the falling third
    assert parts["brevity"] == 1.0 and parts["singable_range"] == 1.0
    zigzag = fifth.with_notes(pitch=[60, 79, 58, 81, 57, 80, 59, 78])
    worse = memorability_parts(zigzag)
    for name in ("contour_clarity", "conjunct_motion", "singable_range", "familiarity"):
        assert worse[name] < parts[name], name
    assert memorability(zigzag) < memorability(fifth)
    assert memorability(fifth.with_notes(onset=fifth.onset[:1], duration=fifth.duration[:1],
                                         pitch=fifth.pitch[:1], velocity=fifth.velocity[:1])
                        ) == 0.0
