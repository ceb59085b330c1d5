"""Cue sheet: one row per scene, as CSV (for spreadsheets and tools) and Markdown.

Each row reads the Score (timecode start, duration through the tempo map,
tempi, meters, key) and the plan it carries (`score.Plan`): its scene (id, title,
start, end, duration_seconds, fps), moods and featuring. A missing plan entry falls
back to what the Score knows, or to an empty cell. CSV cells that a spreadsheet would
read as a formula are prefixed with ``'`` (see `csv_safe`). Both files are built in
memory first and each is written atomically.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from ..errors import MotifgenError
from ..score import SceneRow, Score, TempoMap
from ..theory import parse_meter
from .files import atomic_write

#: CSV columns, in order (also the Markdown table's).
COLUMNS: tuple[str, ...] = ("id", "title", "start", "end", "duration", "tempo", "meter",
                            "key", "moods", "featuring", "files")
_SEP = "; "


def _number(x: float) -> str:
    return f"{x:.2f}".rstrip("0").rstrip(".")


def tempo_steps(tm: TempoMap) -> list[str]:
    """Every tempo of the map in bpm, a gradual change as its marking ("rit.", "accel.")
    in place of its steps."""
    out = []
    for beat, bpm in tm.tempos:
        ramp = next(((a, b) for a, b in tm.ramps if a - 1e-9 <= beat < b - 1e-9), None)
        if ramp is None:
            out.append(_number(bpm))
        elif abs(beat - ramp[0]) < 1e-9:
            out.append(tm.ramp_word(*ramp))
    return out


def cue_row(score: Score, files: Sequence[str] | str | None = None) -> dict[str, str]:
    """The cue-sheet row of one scene, as column -> text."""
    from ..timecode import offset_timecode

    plan = score.plan
    scene = plan.scene or SceneRow(score.id, score.title, score.start_timecode, "", 0.0,
                                   score.fps)
    if score.length_beats > 0:
        duration = score.duration_seconds
    else:
        duration = float(scene.duration_seconds)
    keys = [score.key.name] + [k.name for _, k in score.key_changes]
    end = scene.end or offset_timecode(score.start_timecode, duration, score.fps)
    return _row(scene.id or score.id, scene.title or score.title,
                scene.start or score.start_timecode, end, duration,
                score.tempo_map, keys, plan.moods, plan.featuring, files)


def plan_row(plan: Mapping[str, Any], files: Sequence[str] = ()) -> dict[str, str]:
    """The cue-sheet row of a scene composed earlier, from its plan (`<id>.json`): the
    same row `cue_row` gave its Score. Raises KeyError, TypeError or ValueError for a
    plan that is not one of ours."""
    scene, tm_plan = plan["scene"], plan["tempo_map"]
    tm = TempoMap(tempos=tuple((float(b), float(t)) for b, t in tm_plan["tempos"]),
                  meters=tuple((float(b), parse_meter(str(m))) for b, m in tm_plan["meters"]),
                  ramps=tuple((float(r["start_beat"]), float(r["end_beat"]))
                              for r in tm_plan.get("ramps", [])))
    length = float(tm_plan.get("length_beats") or 0.0)
    duration = tm.seconds_at(length) if length > 0 else float(scene["duration_seconds"])
    keys = [str(s["key"]) for s in plan.get("sections", [])] or [str(plan["key"])]
    return _row(str(scene["id"]), str(scene["title"]), str(scene["start"]), str(scene["end"]),
                duration, tm, keys, plan.get("moods", []), plan.get("featuring", []), files)


def _row(scene_id: str, title: str, start: str, end: str, duration: float, tm: TempoMap,
         keys: Sequence[str], moods: Sequence[str], featuring: Sequence[str],
         files: Sequence[str] | str | None) -> dict[str, str]:
    if isinstance(files, str):
        files = [files]
    return {
        "id": scene_id,
        "title": title,
        "start": start,
        "end": end,
        "duration": f"{duration:.3f}",
        "tempo": _SEP.join(tempo_steps(tm)),
        "meter": _SEP.join(dict.fromkeys(f"{n}/{d}" for _, (n, d) in tm.meters)),
        "key": _SEP.join(dict.fromkeys(keys)),
        "moods": _SEP.join(moods),
        "featuring": _SEP.join(featuring),
        "files": _SEP.join(Path(f).name for f in (files or [])),
    }


def earlier_rows(folder: Path, scene_ids: Sequence[str],
                 names: Callable[[str], Sequence[str]]) -> dict[str, dict[str, str]]:
    """Rows of the scenes in `scene_ids` composed into `folder` before, each read from its
    plan there (`<id>.json`); the files are those the cue sheet there listed, or (with no
    such sheet) those of `names(id)` found in the folder. A scene without a readable plan
    has no row."""
    import json

    listed = _listed_files(folder / "cue_sheet.csv")
    rows = {}
    for scene_id in scene_ids:
        try:
            plan = json.loads((folder / f"{scene_id}.json").read_text(encoding="utf-8"))
            files = listed.get(scene_id)
            if files is None:
                files = [n for n in names(scene_id) if (folder / n).is_file()]
            row = plan_row(plan, files)
        except (OSError, ValueError, KeyError, TypeError, AttributeError, MotifgenError):
            continue
        if row["id"] == scene_id:
            rows[scene_id] = row
    return rows


def _listed_files(path: Path) -> dict[str, list[str]]:
    """Scene id -> the files a cue sheet lists for it; nothing when it does not read."""
    try:
        with path.open(encoding="utf-8", newline="") as f:
            return {str(r["id"]): [_unsafe(n) for n in str(r["files"]).split(_SEP) if n]
                    for r in csv.DictReader(f) if r.get("id") and r.get("files") is not None}
    except (OSError, ValueError, KeyError, csv.Error):
        return {}


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


def _unsafe(cell: str) -> str:
    """The text `csv_safe` escaped as `cell`."""
    return cell[1:] if cell.startswith("'") and cell[1:].startswith(FORMULA_STARTS) else cell


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
                    kept: Mapping[str, Mapping[str, str]] | None = None,
                    order: Sequence[str] = ()) -> tuple[Path, Path | None]:
    """Write the cue sheet as CSV at `csv_path` and Markdown at `md_path` (if given).

    `files_by_id` maps a scene id to the files written for it (names only are
    listed). Rows follow the order of `scores`, or the scene ids in `order` (the
    film's), where a scene not in `scores` keeps its row from `kept` (see
    `earlier_rows`) or has none. Returns the paths written.
    """
    files_by_id = files_by_id or {}
    new = {s.id: cue_row(s, files_by_id.get(s.id)) for s in scores}
    kept = kept or {}
    rows = ([dict(new.get(i) or kept[i]) for i in order if i in new or i in kept] if order
            else list(new.values()))
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
