"""Cheapest paths through a chain of choices (`chords.harmonise`, `voicing._path`)."""

from collections.abc import Sequence

import numpy as np

def cheapest_path(unary: Sequence[np.ndarray], trans: Sequence[np.ndarray], /) -> list[int]: ...
def cheapest_voicings(
    rows: np.ndarray, sizes: np.ndarray, unary: np.ndarray, at: np.ndarray,
    exposed: np.ndarray, heard: np.ndarray, against: np.ndarray, over: np.ndarray,
    common: np.ndarray, plucked: np.ndarray, creep: np.ndarray, voice_moves: np.ndarray,
    bass_leaps: np.ndarray, weights: tuple[float, float, float, float], /,
) -> list[int]: ...
