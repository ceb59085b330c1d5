"""The benchmark's synthetic film is a valid project for any seed (so its numbers mean
what they say), and composes."""

from __future__ import annotations

import pytest

from benchmarks import synthetic
from motifgen.arrange import compose_scene
from motifgen.project import load


@pytest.mark.parametrize("seed", range(1, 9))
def test_synthetic_film_loads(tmp_path, seed):
    project = load(synthetic.write(tmp_path, scenes=12, seed=seed))
    assert len(project.scenes) == 12 and len(project.motifs) == 12
    assert all(len(s.hits) == 3 for s in project.scenes)


def test_synthetic_scene_composes(tmp_path):
    project = load(synthetic.write(tmp_path, scenes=2, seed=3))
    score = compose_scene(project, project.scenes[0])
    assert score.note_count() > 100
    assert len(score.plan.hits) == 3
