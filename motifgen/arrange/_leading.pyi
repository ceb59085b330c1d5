"""The cheapest voice leading through a section's voicings (see `voicing._path`)."""

import numpy as np

def cheapest_voicings(
    rows: np.ndarray, sizes: np.ndarray, unary: np.ndarray, at: np.ndarray,
    exposed: np.ndarray, heard: np.ndarray, against: np.ndarray, over: np.ndarray,
    common: np.ndarray, plucked: np.ndarray, creep: np.ndarray, voice_moves: np.ndarray,
    bass_leaps: np.ndarray, weights: tuple[float, float, float, float], /,
) -> list[int]: ...
