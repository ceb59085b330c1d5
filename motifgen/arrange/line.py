"""Notes gathered for a part while a scene is arranged, small helpers over Notes, and the
cheapest-path search the harmoniser and the voicing share."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..motif import NOTE_DTYPES, Array, Notes, Row, notes_of
from ..theory import EPS


class Line:
    """Notes gathered for one part while a scene is arranged: each statement or section
    kept as the arrays it came in, joined once when the part is done (`notes`)."""

    def __init__(self) -> None:
        self._chunks: list[tuple[Array, Array, Array, Array]] = []

    def __len__(self) -> int:
        return sum(len(c[0]) for c in self._chunks)

    def add(self, notes: Notes, offset: float = 0.0, until: float | None = None) -> None:
        """Append `notes` shifted by `offset` beats, cut at `until`."""
        onset = notes.onset + offset
        end = onset + notes.duration
        pitch, velocity = notes.pitch, notes.velocity
        if until is not None and len(onset):
            end = np.minimum(end, until)
            if onset[-1] >= until - 1e-9:  # in order of onset: the notes kept come first
                n = int(np.searchsorted(onset, until - 1e-9))
                onset, end, pitch, velocity = onset[:n], end[:n], pitch[:n], velocity[:n]
        if len(onset):
            self._chunks.append((onset, end - onset, pitch, velocity))

    def _joined(self) -> tuple[Array, Array, Array, Array]:
        """The notes as four arrays, kept as one chunk from now on."""
        if len(self._chunks) != 1:
            joined = tuple(np.concatenate([c[k] for c in self._chunks]) if self._chunks
                           else np.zeros(0, dtype=t) for k, t in enumerate(NOTE_DTYPES))
            self._chunks = [joined]  # type: ignore[list-item]
        return self._chunks[0]

    def latest(self) -> Row | None:
        """The note that starts last (the first of them), or None without notes."""
        if not self._chunks:
            return None
        onset, duration, pitch, velocity = self._joined()
        i = int(np.argmax(onset))
        return float(onset[i]), float(duration[i]), int(pitch[i]), int(velocity[i])

    def hold_latest(self, end: float) -> None:
        """Let the note that starts last (`latest`) sound until `end`."""
        onset, duration, pitch, velocity = self._joined()
        i = int(np.argmax(onset))
        duration = duration.copy()
        duration[i] = end - onset[i]
        self._chunks = [(onset, duration, pitch, velocity)]

    def notes(self) -> Notes:
        return notes_of(*self._joined(), copy=False)


def rows_to_notes(rows: Sequence[Row]) -> Notes:
    """Notes from (onset, duration, pitch, velocity) rows."""
    return Notes.from_rows(rows)


def window(notes: Notes, start: float, end: float) -> Notes:
    """The notes starting in [start, end), times relative to `start`, cut at `end`."""
    keep = (notes.onset >= start - 1e-9) & (notes.onset < end - 1e-9)
    onset = notes.onset[keep] - start
    return notes_of(onset, np.minimum(notes.duration[keep], end - start - onset),
                    notes.pitch[keep], notes.velocity[keep], copy=False)


def grid(start: float, end: float, step: float) -> list[float]:
    """Onsets every `step` beats from `start`, before `end`."""
    n = max(1, int(np.floor((end - start) / step + EPS)))
    return [start + k * step for k in range(n) if start + k * step < end - EPS]

