"""What a take sounds and looks like: WAV through the project's fluidsynth writer,
MusicXML through its writer, notation pages engraved from that MusicXML by Verovio,
and the piano-roll data the page draws (notes, bars, hits and sections in seconds)."""

from __future__ import annotations

import tempfile
import threading
from pathlib import Path
from typing import Any

from ..score import Score

#: Verovio's toolkit is not safe to share between threads.
_ENGRAVER = threading.Lock()
#: Engraving options: A4 pages at a scale that fits a browser column; no page header.
VEROVIO_OPTIONS = {"pageWidth": 2100, "pageHeight": 2970, "scale": 35,
                   "adjustPageHeight": True, "header": "none", "footer": "none",
                   "breaks": "auto"}


def wav_bytes(score: Score) -> bytes:
    """The scene rendered by `io.audio.render_wav` (real fluidsynth, a GM soundfont);
    ToolMissingError when either is absent."""
    from ..io.audio import render_wav

    with tempfile.TemporaryDirectory(prefix="motifgen-studio-") as work:
        path = Path(work) / "take.wav"
        render_wav(score, path)
        return path.read_bytes()


def musicxml_bytes(score: Score) -> bytes:
    from ..io.musicxml import to_bytes

    return to_bytes(score)


def notation_pages(musicxml: bytes) -> list[str]:
    """Each page of the score engraved as SVG by Verovio (no MuseScore needed)."""
    from importlib.resources import files

    import verovio

    with _ENGRAVER:
        verovio.enableLog(verovio.LOG_OFF)
        toolkit = verovio.toolkit()
        # the default resource path verovio sets on import holds only in the importing
        # thread; the server engraves in worker threads
        toolkit.setResourcePath(str(files("verovio") / "data"))
        toolkit.setOptions(VEROVIO_OPTIONS)
        if not toolkit.loadData(musicxml.decode("utf-8")):
            from ..errors import MotifgenError

            raise MotifgenError("Verovio could not read the scene's MusicXML", "notation")
        return [toolkit.renderToSVG(page) for page in range(1, toolkit.getPageCount() + 1)]


def roll(score: Score) -> dict[str, Any]:
    """The piano roll in seconds from the cue's start: every part's notes as
    [start, end, pitch, velocity], the bar lines, and the markers (hits, sections)."""
    tmap = score.tempo_map
    seconds = tmap.seconds_at
    parts = []
    for part in score.parts:
        notes = part.notes
        parts.append({
            "name": part.name, "role": part.role, "drum": part.is_drum,
            "notes": [[round(seconds(float(o)), 4), round(seconds(float(o + d)), 4), int(p),
                       int(v)] for o, d, p, v in zip(notes.onset, notes.duration, notes.pitch,
                                                     notes.velocity)]})
    return {"duration": round(score.duration_seconds, 4), "parts": parts,
            "bars": [round(seconds(b), 4) for b in tmap.bar_lines(score.length_beats)],
            "markers": [{"seconds": round(seconds(m.beat), 4), "text": m.text, "kind": m.kind}
                        for m in score.markers if m.kind != "cue"]}
