"""The standard-library MusicXML reader gives the motif music21's converter gives.

Compared on music21's own corpus: 55 Bach chorales (compressed .mxl) and a handful of
other pieces (piano music on two staves, a string quartet, pickups), every note of the
first part (first staff), not only the first few bars a motif uses. music21 runs with
forceSource=True and storePickle=False, so the comparison neither reads nor leaves a
pickle in its scratch folder.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from motifgen.io.musicxml_reader import read_musicxml_motif
from motifgen.theory import Key

corpus = pytest.importorskip("music21.corpus")

OTHERS = ["mozart/k545/movement1_exposition", "verdi/laDonnaEMobile", "mozart/k80/movement4",
          "schoenberg/opus19/movement2", "theoryExercises/TriadExercise"]


def _paths() -> list[Path]:
    core = [Path(p) for p in corpus.getCorePaths()]
    chorales = sorted(p for p in core if p.parent.name == "bach" and p.suffix == ".mxl")[:55]
    others = [next(p for p in core if str(p.with_suffix("")).endswith(name)) for name in OTHERS]
    return chorales + others


def music21_motif(path: Path, key: Key):
    """The motif as motifgen read MusicXML through music21 before (no pickles)."""
    from music21 import converter
    from music21 import meter as m21meter

    from motifgen.motif import Motif
    from motifgen.theory import bar_beats

    parsed = converter.parse(str(path), forceSource=True, storePickle=False)
    part = parsed.parts[0] if getattr(parsed, "parts", None) else parsed
    flat = part.flatten()
    sigs = list(flat.getElementsByClass(m21meter.TimeSignature))
    meter = (sigs[0].numerator, sigs[0].denominator) if sigs else (4, 4)
    measures = part.getElementsByClass("Measure")
    pickup = float(measures[0].paddingLeft) if len(measures) else 0.0
    rows = [(float(n.offset) + pickup, float(n.duration.quarterLength),
             max(p.midi for p in n.pitches), int(n.volume.velocity or 80))
            for n in flat.notes if n.duration.quarterLength > 0]
    bar = bar_beats(meter)
    first = (min(r[0] for r in rows) + 1 / 8) // bar * bar
    return Motif.from_notes([(o - first, d, p, v) for o, d, p, v in rows], key=key, meter=meter)


PATHS = _paths()


def test_the_comparison_covers_enough_files():
    assert len(PATHS) >= 55 + len(OTHERS)


@pytest.mark.parametrize("path", PATHS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_same_motif_as_music21(path):
    key = Key.parse("C major")
    ours, theirs = read_musicxml_motif(path, key), music21_motif(path, key)
    assert ours.meter == theirs.meter
    for field in ("onset", "duration", "pitch", "velocity"):
        assert np.array_equal(getattr(ours, field), getattr(theirs, field)), field


def test_the_reader_never_imports_music21(tmp_path):
    import subprocess
    import sys

    path = next(p for p in PATHS if p.suffix == ".mxl")
    code = ("import sys\nfrom pathlib import Path\nfrom motifgen.io.musicxml_reader import "
            "read_musicxml_motif\nfrom motifgen.theory import Key\n"
            f"read_musicxml_motif(Path({str(path)!r}), Key())\n"
            "assert not [m for m in sys.modules if m.startswith('music21')], 'music21'\n")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
