"""Stable seeding: every random choice draws from a Generator seeded by name.

One scene's output never depends on which other scenes were composed, and the
same inputs give the same files on every machine (hashlib, never `hash()`).
"""

from __future__ import annotations

import hashlib

import numpy as np


def rng(*parts: object) -> np.random.Generator:
    """A Generator seeded from the parts, e.g. ``rng(project_seed, scene_id, "keeper")``."""
    digest = hashlib.sha256("\x1f".join(map(str, parts)).encode("utf-8")).digest()
    return np.random.default_rng(int.from_bytes(digest[:8], "little"))
