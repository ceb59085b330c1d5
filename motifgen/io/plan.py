"""Score -> <id>.json: the plan of a cue (`score.Plan`) with the provenance of every
statement."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..score import Score
from .files import atomic_write


def _clean(value: Any) -> Any:
    """JSON-ready copy: floats rounded to 6 places so output is stable across platforms."""
    if isinstance(value, float):
        return round(value, 6)
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if hasattr(value, "item"):  # numpy scalars
        return _clean(value.item())
    return value


def plan_text(score: Score) -> str:
    """The plan as <id>.json's text: sorted keys, floats rounded (see `_clean`)."""
    plan = _clean(score.plan.as_json())
    return json.dumps(plan, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write_plan(score: Score, path: str | Path) -> Path:
    """Write the plan atomically; return the path."""
    text = plan_text(score)
    with atomic_write(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(path)
