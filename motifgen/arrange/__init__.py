"""Arranging a scene, step by step; each module is one step.

`sections` (the tempo map and the cuts at hits and mood changes), `melody`
(statements, the lead's register), `chords` (harmony for the melody),
`voicing` (one voice-led chord sequence under the melody), `textures`
(figurations of the voiced chords), `parts` (orchestration by idiom and
channels), `percussion`, `dynamics`, `plan`, and `cue`, which runs them.
"""

from __future__ import annotations

from .cue import compose_scene
from .listing import motif_of, statements_score
from .melody import palette
from .sections import Section, spot

__all__ = ["Section", "compose_scene", "motif_of", "palette", "spot", "statements_score"]
