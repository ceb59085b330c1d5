"""The cheapest voice leading through a section's voicings (see `voicing._path`)."""

import numpy as np

def cheapest_voicings(
    rows: np.ndarray, upper: np.ndarray, low: np.ndarray, pairs: np.ndarray,
    sizes: np.ndarray, unary: np.ndarray, runs: np.ndarray, bass: np.ndarray,
    common: np.ndarray, plucked: np.ndarray, creep: np.ndarray, rest: np.ndarray,
    before: np.ndarray, after: np.ndarray, upper_table: np.ndarray,
    upper_flags: np.ndarray, third_table: np.ndarray, low_flags: np.ndarray,
    weights: tuple[float, float, float, float, int, int], /,
) -> list[int]: ...
