"""The music21 baseline: the same work done with music21's own objects and tools.

- Transforms: each 8-note motif becomes a `stream.Stream` of `note.Note`s
  and its key signature (built once, outside the timing). Then, per motif: `Stream.transpose(2)`,
  `Stream.invertDiatonic(first note)`, `Stream.augmentOrDiminish(2)` (each
  returns a new stream, as our transforms return a new Motif) and a
  retrograde: a new Stream with deep copies of the notes in reverse order,
  each placed where the mirrored note ends (music21 has no stream retrograde).
- MIDI: a `stream.Score` built from our composed Score (one `stream.Part` per
  part with its GM instrument, MIDI channel and every note with its velocity
  at its onset; tempo marks, time and key signatures in the first part),
  inserted with music21's fast `coreInsert` + `coreElementsChanged`, then
  written with `Score.write('midi')`. Controller curves and markers are left
  out (music21 streams have no place for CC data), so the baseline writes
  less than we do.

music21 is imported once before anything is timed.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

OPS = ("transpose", "invert", "augment", "retrograde")
#: Our chain for each baseline operation.
CHAINS = {"transpose": "transpose=2", "invert": "invert=diatonic", "augment": "augment=2",
          "retrograde": "retrograde"}


def import_music21() -> Any:
    import music21

    return music21


def motif_stream(motif: Any) -> Any:
    """A Motif as a music21 Stream of Notes (velocity kept)."""
    from music21 import key, note, stream

    s = stream.Stream()
    s.insert(0.0, key.KeySignature(motif.key.sharps()))  # diatonic inversion reads it
    for onset, duration, pitch, velocity in motif.rows():
        n = note.Note(pitch, quarterLength=duration)
        n.volume.velocity = velocity
        s.insert(onset, n)
    return s


def retrograde(s: Any) -> Any:
    from music21 import stream

    end = s.highestTime
    out = stream.Stream()
    for n in reversed(list(s.notes)):
        out.insert(end - (n.offset + n.quarterLength), copy.deepcopy(n))
    return out


def apply(op: str, s: Any) -> Any:
    if op == "transpose":
        return s.transpose(2)
    if op == "invert":
        return s.invertDiatonic(s.notes[0])
    if op == "augment":
        return s.augmentOrDiminish(2)
    return retrograde(s)


def score_to_music21(score: Any) -> Any:
    """Our Score as a music21 Score (see the module docstring for what is kept)."""
    from music21 import instrument, key, meter, note, stream, tempo

    out = stream.Score()
    for i, part in enumerate(score.parts):
        p = stream.Part()
        p.partName = part.name
        if part.is_drum:
            inst = instrument.UnpitchedPercussion()
            inst.midiChannel = 9
        else:
            inst = instrument.instrumentFromMidiProgram(int(part.program) % 128)
            inst.midiChannel = part.channel
        p.coreInsert(0.0, inst)
        if i == 0:
            for beat, bpm in score.tempo_map.tempos:
                p.coreInsert(beat, tempo.MetronomeMark(number=bpm))
            for beat, (num, den) in score.tempo_map.meters:
                p.coreInsert(beat, meter.TimeSignature(f"{num}/{den}"))
            for beat, k in ((0.0, score.key), *score.key_changes):
                p.coreInsert(beat, key.KeySignature(k.sharps()))
        for onset, duration, pitch, velocity in part.notes.rows():
            n = note.Note(pitch, quarterLength=duration)
            n.volume.velocity = velocity
            p.coreInsert(onset, n)
        p.coreElementsChanged()
        out.coreInsert(0.0, p)
    out.coreElementsChanged()
    return out


def write_midi(score: Any, path: Path) -> None:
    score_to_music21(score).write("midi", fp=str(path))
