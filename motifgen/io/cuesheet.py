"""Cue sheet: one row per scene, as CSV (for spreadsheets and tools) and Markdown.

Each row reads the Score (timecode start, duration through the tempo map,
tempi, meters, key) and the plan it carries: ``plan["scene"]`` (id, title,
start, end, duration_seconds, fps), ``plan["moods"]`` and
``plan["featuring"]``. A missing plan entry falls back to what the Score
knows, or to an empty cell. CSV cells that a spreadsheet would read as a formula
are prefixed with ``'`` (see `csv_safe`). Both files are built in memory first and each is
written atomically.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from ..score import Score
from .files import atomic_write

#: CSV columns, in order (also the Markdown table's).
COLUMNS: tuple[str, ...] = ("id", "title", "start", "end", "duration", "tempo", "meter",
                            "key", "moods", "featuring", "files")
_SEP = "; "


def _number(x: float) -> str:
    return f"{x:.2f}".rstrip("0").rstrip(".")


def cue_row(score: Score, files: Sequence[str] | str | None = None) -> dict[str, str]:
    """The cue-sheet row of one scene, as column -> text."""
    from ..timecode import offset_timecode

    plan = score.plan or {}
    scene = plan.get("scene") if isinstance(plan.get("scene"), Mapping) else {}
    if score.length_beats > 0:
        duration = score.duration_seconds
    else:
        duration = float(scene.get("duration_seconds") or 0.0)
    tm = score.tempo_map
    if isinstance(files, str):
        files = [files]
    return {
        "id": str(scene.get("id") or score.id),
        "title": str(scene.get("title") or score.title),
        "start": str(scene.get("start") or score.start_timecode),
        "end": str(scene.get("end")
                   or offset_timecode(score.start_timecode, duration, score.fps)),
        "duration": f"{duration:.3f}",
        "tempo": _SEP.join(_number(bpm) for bpm in tm.bpms),
        "meter": _SEP.join(dict.fromkeys(f"{n}/{d}" for _, (n, d) in tm.meters)),
        "key": _SEP.join(dict.fromkeys([score.key.name] + [k.name for _, k in score.key_changes])),
        "moods": _SEP.join(plan.get("moods", [])),
        "featuring": _SEP.join(plan.get("featuring", [])),
        "files": _SEP.join(Path(f).name for f in (files or [])),
    }


#: First characters a spreadsheet reads as the start of a formula (OWASP CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(text: str) -> str:
    """`text` as a CSV cell a spreadsheet will not run: a cell starting like a formula
    (``=``, ``+``, ``-``, ``@``, a tab or a carriage return) gets a leading ``'``, as
    OWASP's CSV-injection guidance says; the spreadsheet shows the text as written.
    Line breaks inside a cell become spaces.

    >>> csv_safe("=1+1"), csv_safe("1M1"), csv_safe("-3 dB")
    ("'=1+1", '1M1', "'-3 dB")
    """
    safe = "'" + text if text.startswith(FORMULA_STARTS) else text
    # one line per row: a carriage return the csv module would not quote splits the row
    return " ".join(safe.splitlines()) if "\r" in safe or "\n" in safe else safe


def _markdown(rows: list[dict[str, str]]) -> str:
    def cell(text: str) -> str:
        return text.replace("|", "\\|").replace("\n", " ")

    lines = ["# Cue sheet", "", "| " + " | ".join(COLUMNS) + " |",
             "|" + "---|" * len(COLUMNS)]
    lines += ["| " + " | ".join(cell(r[c]) for c in COLUMNS) + " |" for r in rows]
    return "\n".join(lines) + "\n"


def write_cue_sheet(scores: Iterable[Score], csv_path: str | os.PathLike[str],
                    md_path: str | os.PathLike[str] | None = None,
                    files_by_id: Mapping[str, Sequence[str] | str] | None = None,
                    ) -> tuple[Path, Path | None]:
    """Write the cue sheet as CSV at `csv_path` and Markdown at `md_path` (if given).

    `files_by_id` maps a scene id to the files written for it (names only are
    listed). Rows follow the order of `scores`. Returns the paths written.
    """
    files_by_id = files_by_id or {}
    rows = [cue_row(s, files_by_id.get(s.id)) for s in scores]
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows({k: csv_safe(v) for k, v in row.items()} for row in rows)
    csv_text, md_text = buffer.getvalue(), _markdown(rows)
    with atomic_write(csv_path) as tmp:
        tmp.write_text(csv_text, encoding="utf-8", newline="")
    if md_path is None:
        return Path(csv_path), None
    with atomic_write(md_path) as tmp:
        tmp.write_text(md_text, encoding="utf-8", newline="")
    return Path(csv_path), Path(md_path)
