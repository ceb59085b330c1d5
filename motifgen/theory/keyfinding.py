"""Key finding: which major or minor key a set of notes sounds in (Krumhansl–Schmuckler)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .scales import Key

if TYPE_CHECKING:  # numpy.typing is for the type checker only
    from numpy.typing import ArrayLike

#: Krumhansl–Kessler key profiles (C major, C minor), rotated for the other tonics.
MAJOR_PROFILE = (6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88)
MINOR_PROFILE = (6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17)


def rank_keys(pitch: ArrayLike, duration: ArrayLike) -> list[tuple[Key, float]]:
    """Every major and minor key with its correlation to the duration-weighted pitch
    classes of the notes, best first.

    >>> [k.name for k, _ in rank_keys([62, 65, 64, 62, 69, 61, 62], [1, .5, .5, 1, 2, 1, 3])[:2]]
    ['D aeolian', 'D ionian']
    """
    pcs = np.asarray(pitch, dtype=np.int64) % 12
    weights = np.bincount(pcs, weights=np.asarray(duration, dtype=np.float64), minlength=12)
    profiles = np.array([np.roll(profile, tonic)
                         for profile in (MAJOR_PROFILE, MINOR_PROFILE) for tonic in range(12)])
    z = profiles - profiles.mean(axis=1, keepdims=True)
    z /= np.linalg.norm(z, axis=1, keepdims=True)
    w = weights - weights.mean()
    norm = np.linalg.norm(w)
    r = z @ (w / norm) if norm > 0 else np.zeros(len(profiles))
    keys = [Key(tonic, mode) for mode in ("ionian", "aeolian") for tonic in range(12)]
    return [(keys[i], float(r[i])) for i in np.argsort(-r, kind="stable")]
