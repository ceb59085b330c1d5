"""The melodic model new motifs are drawn from: an n-gram over (step, duration) events
learned from public-domain melodies that ship with music21.

**Corpus.** Two collections from music21's bundled corpus (no downloads):

* the Essen folk-song collection (``essenFolksong/*.abc``: 27 files of German,
  European and Chinese folk songs; music21's parser test files ``test*.abc`` left
  out), read with music21's ABC tokeniser: 8,462 melodies, 444,278 notes;
* the soprano line (first part) of the Bach chorales in music21's Riemenschneider
  list (``corpus.chorales.Iterator``, 350 distinct files): 349 melodies, 17,773 notes.

The shipped model, ``motifgen/data/melody_model.json`` (about 220 KB), counts 8,811
melodies and 462,051 notes; `MelodyModel.sources` lists every source file with its
melody and note counts and a digest of its events. A build takes one to two minutes
(the ABC tokeniser about 25 s; the chorales 30 s once music21 has cached its parses,
90 s before).

**Events.** One event per note: ``"<step>/<duration>"``, e.g. ``"+1/0.5"``.

* *step*: the move from the previous note in diatonic steps (letter names, so
  accidentals do not matter), clipped to ±7; the first note's step is ``s``.
* *duration*: the note's length relative to the melody's most common length
  (its pulse), rounded (geometrically) to the nearest of `DURATIONS`. A tied note
  is one note; rests are skipped; grace notes are skipped.

Besides the events, ``start`` counts the first note's scale degree above the
melody's final note (0..6; the final stands in for the tonic, as in modal theory).

**Model.** Trigram, bigram and unigram counts of events (``<`` pads the start),
used with *stupid backoff* (Brants et al. 2007): the score of event *w* after
*u v* is c(u v w)/c(u v) when counted, else 0.4 x the bigram score c(v w)/c(v),
else 0.4² x the unigram frequency. To keep the file small, counts below
`MIN_COUNT` and trigram contexts seen fewer than `MIN_CONTEXT` times are dropped
before the model is written (such events back off to the shorter context); scores
are relative to the kept counts. `MelodyModel.weights` turns the scores for a
context into one weight per event of the vocabulary, which the generator biases
and masks, then normalises to sample.

The model is built by `train` (``python -m motifgen.generate.train``). At run time
only the JSON file is read, once.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from msgspec import Struct

from ..errors import MotifgenError

MODEL_PATH = Path(__file__).resolve().parent.parent / "data" / "melody_model.json"
FORMAT = 1

#: Relative durations an event can have (multiples of the melody's pulse).
DURATIONS: tuple[float, ...] = (0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 4.0)
MAX_STEP = 7
START = "s"
PAD = "<"
BACKOFF = 0.4
MIN_COUNT = 3
MIN_CONTEXT = 20
UNSEEN_BITS = 16.0


class Melody(Struct, frozen=True):
    """A melody as diatonic note numbers (letter steps) and lengths in quarter notes."""

    steps: tuple[int, ...]
    durations: tuple[float, ...]


def event(step: int | None, duration: float) -> str:
    """The event name of a note: its step from the previous note and relative duration.

    >>> event(2, 1.5), event(-9, 0.5), event(None, 1.0)
    ('+2/1.5', '-7/0.5', 's/1')
    """
    move = START if step is None else f"{max(-MAX_STEP, min(MAX_STEP, step)):+d}"
    return f"{move}/{duration:g}"


def parse_event(name: str) -> tuple[int | None, float]:
    """(step or None for a first note, relative duration) of an event name.

    >>> parse_event("+2/1.5"), parse_event("s/1")
    ((2, 1.5), (None, 1.0))
    """
    move, duration = name.split("/")
    return (None if move == START else int(move)), float(duration)


def _nearest_duration(ratio: float) -> float:
    return min(DURATIONS, key=lambda d: abs(math.log(ratio / d)))


def melody_events(melody: Melody) -> list[str]:
    """The melody's events: steps between notes, lengths relative to its pulse."""
    counts = Counter(melody.durations)
    pulse = min(counts, key=lambda d: (-counts[d], d))  # most common length, shorter on ties
    prev: int | None = None
    out = []
    for step, length in zip(melody.steps, melody.durations):
        out.append(event(None if prev is None else step - prev,
                         _nearest_duration(length / pulse)))
        prev = step
    return out


def start_degree(melody: Melody) -> int:
    """Scale degree (0..6) of the first note above the final note."""
    return (melody.steps[0] - melody.steps[-1]) % 7


class MelodyModel(Struct, frozen=True, eq=False):
    """The trained counts, with the vocabulary as arrays for sampling."""

    data: dict[str, Any]

    @property
    def vocabulary(self) -> tuple[str, ...]:
        return _vocabulary(self)[0]

    @property
    def steps(self) -> np.ndarray:
        """Diatonic step of each vocabulary event (0 for first-note events)."""
        return _vocabulary(self)[1]

    @property
    def durations(self) -> np.ndarray:
        """Relative duration of each vocabulary event."""
        return _vocabulary(self)[2]

    @property
    def is_start(self) -> np.ndarray:
        """True for first-note events."""
        return _vocabulary(self)[3]

    @property
    def sources(self) -> dict[str, list[Any]]:
        """Source -> [melodies, notes, event digest]."""
        return self.data["sources"]

    def start_degrees(self) -> dict[int, int]:
        """How often melodies start on each degree above their final."""
        return {int(k): v for k, v in self.data["start"].items()}

    def bits(self, events: Sequence[str]) -> list[float]:
        """Information (-log2 probability) of each event after the ones before it: the
        backoff scores normalised over first-note events for the first, over the other
        events after it; an event outside the vocabulary counts as `UNSEEN_BITS`."""
        index = {name: i for i, name in enumerate(self.vocabulary)}
        out = []
        for i, name in enumerate(events):
            if name not in index:
                out.append(UNSEEN_BITS)
                continue
            scores = self.weights(events[:i]) * (self.is_start if i == 0 else ~self.is_start)
            out.append(-math.log2(scores[index[name]] / scores.sum()))
        return out

    def weights(self, history: Sequence[str]) -> np.ndarray:
        """Stupid-backoff score of every vocabulary event after `history` (events so far)."""
        padded = [PAD, PAD, *history][-2:]
        return _weights(self, padded[0], padded[1])


@lru_cache(maxsize=4)
def _vocabulary(model: MelodyModel) -> tuple[tuple[str, ...], np.ndarray, np.ndarray,
                                               np.ndarray]:
    names = tuple(sorted(model.data["unigram"]))
    parsed = [parse_event(n) for n in names]
    steps = np.array([s or 0 for s, _ in parsed], dtype=np.int64)
    durations = np.array([d for _, d in parsed], dtype=np.float64)
    is_start = np.array([s is None for s, _ in parsed], dtype=bool)
    return names, steps, durations, is_start


@lru_cache(maxsize=4096)
def _weights(model: MelodyModel, first: str, second: str) -> np.ndarray:
    names = model.vocabulary
    index = {n: i for i, n in enumerate(names)}
    uni = np.array([model.data["unigram"][n] for n in names], dtype=np.float64)
    scores = BACKOFF * BACKOFF * uni / uni.sum()
    for table, context, factor in ((model.data["bigram"], second, BACKOFF),
                                   (model.data["trigram"], f"{first} {second}", 1.0)):
        counts = table.get(context)
        if counts:
            total = sum(counts.values())
            for e, c in counts.items():
                if e in index:
                    scores[index[e]] = factor * c / total
    scores.setflags(write=False)
    return scores


@lru_cache(maxsize=2)
def load_model(path: Path = MODEL_PATH) -> MelodyModel:
    """The shipped model, read once."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise MotifgenError(f"cannot read the melody model {path}: {e}; rebuild it with "
                            "'python -m motifgen.generate.train'") from e
    if data.get("format") != FORMAT:
        raise MotifgenError(f"melody model {path} has format {data.get('format')!r}; "
                            f"expected {FORMAT}")
    return MelodyModel(data)
