"""Building the melodic model of `model` from music21's bundled corpus.

**Build.** ``python -m motifgen.generate.train`` rebuilds the JSON file;
``python -m motifgen.generate.train --check`` rebuilds it in memory and compares with
the shipped file. Training is deterministic (sorted sources, integer counts, sorted
keys). music21 is imported only here, inside the functions that read the corpus.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from ..errors import MotifgenError
from .model import (
    FORMAT,
    MIN_CONTEXT,
    MIN_COUNT,
    MODEL_PATH,
    PAD,
    Melody,
    melody_events,
    start_degree,
)


def _corpus_dir() -> Path:
    from music21 import corpus

    return Path(corpus.__file__).resolve().parent


def folk_sources() -> list[str]:
    """The Essen folk-song files, relative to music21's corpus directory."""
    folder = _corpus_dir() / "essenFolksong"
    return sorted(f"essenFolksong/{p.name}" for p in folder.glob("*.abc")
                  if not p.name.startswith("test"))


def chorale_sources() -> list[str]:
    """The chorales of music21's Riemenschneider list, as corpus names ('bach/bwv269');
    a chorale the list names twice is read once."""
    from music21 import corpus

    return sorted(set(corpus.chorales.Iterator(returnType="filename")))


_ABC_PITCH = re.compile(r"([A-G])[#n~-]*(\d+)")


def _abc_letter_step(pitch_name: str) -> int:
    """Diatonic note number of an ABC token's pitch name such as 'B-4' or 'F#5'."""
    match = _ABC_PITCH.fullmatch(pitch_name)
    if match is None:
        raise MotifgenError(f"unexpected ABC pitch {pitch_name!r}")
    return 7 * int(match[2]) + "CDEFGAB".index(match[1])


def read_folk_songs(source: str) -> list[Melody]:
    """The tunes of one ABC file, through music21's tokeniser (no score objects built)."""
    from music21 import abcFormat

    abc = abcFormat.ABCFile()
    abc.open(_corpus_dir() / source)
    try:
        handler = abc.read()
    finally:
        abc.close()
    tunes = handler.splitByReferenceNumber()
    melodies = [_abc_melody(tune.tokens) for tune in tunes.values()]  # file order
    return [m for m in melodies if len(m.steps) >= 2]


def _abc_melody(tokens: Iterable[Any]) -> Melody:
    from music21 import abcFormat

    steps: list[int] = []
    lengths: list[float] = []
    for token in tokens:
        if (not isinstance(token, abcFormat.ABCNote) or isinstance(token, abcFormat.ABCChord)
                or token.isRest or token.inGrace or not token.pitchName):
            continue
        length = float(token.quarterLength)
        if token.activeTuplet is not None:
            length *= float(token.activeTuplet.tupletMultiplier())
        step = _abc_letter_step(token.pitchName)
        if token.tie == "stop" and steps and steps[-1] == step:
            lengths[-1] += length
            continue
        if length > 0:
            steps.append(step)
            lengths.append(length)
    return Melody(tuple(steps), tuple(lengths))


def read_chorale(source: str) -> list[Melody]:
    """The soprano line (first part) of one chorale, ties merged."""
    from music21 import corpus

    soprano = corpus.parse(source).parts[0].stripTies()
    notes = [n for n in soprano.flatten().notes
             if not n.isChord and float(n.quarterLength) > 0]
    melody = Melody(tuple(n.pitch.diatonicNoteNum for n in notes),
                    tuple(float(n.quarterLength) for n in notes))
    return [melody] if len(notes) >= 2 else []


def read_sources(sources: Sequence[str]) -> dict[str, list[Melody]]:
    """Melodies of each source: ABC files are folk-song collections, the rest chorales."""
    return {s: (read_folk_songs(s) if s.endswith(".abc") else read_chorale(s)) for s in sources}


def default_sources() -> list[str]:
    return folk_sources() + chorale_sources()


def _digest(events: Iterable[list[str]]) -> str:
    text = "\n".join(" ".join(e) for e in events)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def source_summary(melodies: Sequence[Melody]) -> list[Any]:
    """[melodies, notes, digest of their events]: the provenance row of one source."""
    return [len(melodies), sum(len(m.steps) for m in melodies),
            _digest(melody_events(m) for m in melodies)]


def _pruned(table: dict[str, Counter], min_context: int) -> dict[str, dict[str, int]]:
    out = {}
    for context, counts in table.items():
        if sum(counts.values()) < min_context:
            continue
        kept = {e: c for e, c in counts.items() if c >= MIN_COUNT}
        if kept:
            out[context] = kept
    return out


def train(corpus: dict[str, list[Melody]]) -> dict[str, Any]:
    """The model as JSON-ready data: n-gram counts over every melody of every source."""
    unigram: Counter = Counter()
    bigram: dict[str, Counter] = {}
    trigram: dict[str, Counter] = {}
    start: Counter = Counter()
    for source in sorted(corpus):
        for melody in corpus[source]:
            start[str(start_degree(melody))] += 1
            history = [PAD, PAD]
            for e in melody_events(melody):
                unigram[e] += 1
                bigram.setdefault(history[-1], Counter())[e] += 1
                trigram.setdefault(" ".join(history[-2:]), Counter())[e] += 1
                history.append(e)
    return {
        "format": FORMAT,
        "sources": {s: source_summary(corpus[s]) for s in sorted(corpus)},
        "start": dict(start),
        "unigram": {e: c for e, c in unigram.items() if c >= MIN_COUNT},
        "bigram": _pruned(bigram, 1),
        "trigram": _pruned(trigram, MIN_CONTEXT),
    }


def dumps(data: dict[str, Any]) -> str:
    """The model file's text: sorted keys, integers only, one line per table."""
    lines = [f"{json.dumps(k)}: {json.dumps(data[k], sort_keys=True, separators=(',', ':'))}"
             for k in sorted(data)]
    return "{\n" + ",\n".join(lines) + "\n}\n"


def main(argv: Sequence[str] | None = None) -> int:
    """Rebuild the model file, or with --check compare a rebuild with it."""
    import time

    args = list(sys.argv[1:] if argv is None else argv)
    began = time.perf_counter()
    text = dumps(train(read_sources(default_sources())))
    seconds = time.perf_counter() - began
    if "--check" in args:
        same = MODEL_PATH.read_text(encoding="utf-8") == text
        print(f"rebuilt in {seconds:.1f} s: {'identical to' if same else 'DIFFERS from'} "
              f"{MODEL_PATH}")
        return 0 if same else 1
    MODEL_PATH.write_text(text, encoding="utf-8")
    print(f"wrote {MODEL_PATH} ({len(text.encode()) / 1024:.0f} KB) in {seconds:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
