"""Score -> <id>.streamers.csv: the cue list a streamer generator reads.

One row per hit: the timecode where the streamer starts (`STREAMER_SECONDS`
before the hit, whole frames), the punch (the hit's frame), its label and kind, and
its bar and beat in the cue. Cells a spreadsheet would run as a formula are escaped
as in the cue sheet.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from ..score import Score
from ..timecode import frame_rate, frames_to_timecode, seconds_to_frames, timecode_to_frames
from .cuesheet import csv_safe
from .files import atomic_write

#: How long a streamer crosses the screen before its punch.
STREAMER_SECONDS = 2
COLUMNS = ("streamer_start", "punch", "label", "kind", "bar", "beat")


def streamer_rows(score: Score) -> list[dict[str, str]]:
    """One row per hit of the plan, in time order."""
    rate = frame_rate(score.fps)
    lead = seconds_to_frames(STREAMER_SECONDS, rate)
    rows = []
    for hit in sorted(score.plan.hits, key=lambda h: float(h.seconds)):
        punch = timecode_to_frames(hit.timecode, rate)
        rows.append({
            "streamer_start": frames_to_timecode((punch - lead) % rate.frames_per_day, rate),
            "punch": frames_to_timecode(punch, rate),
            "label": hit.label,
            "kind": hit.kind,
            "bar": str(hit.bar),
            "beat": f"{float(hit.beat_in_bar):g}",
        })
    return rows


def write_streamers(score: Score, path: str | Path) -> Path:
    """Write the streamer list of `score` atomically; return the path."""
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows({k: csv_safe(v) for k, v in row.items()} for row in streamer_rows(score))
    with atomic_write(path) as tmp:
        tmp.write_text(buffer.getvalue(), encoding="utf-8", newline="")
    return Path(path)
