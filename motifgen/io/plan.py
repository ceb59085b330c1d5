"""Score -> <id>.json: the plan of a cue (`score.Plan`) with the provenance of every
statement."""

from __future__ import annotations

import math
from collections.abc import Callable
from json.encoder import encode_basestring
from pathlib import Path
from typing import Any

from ..score import Score
from .files import atomic_write


def plan_text(score: Score) -> str:
    """The plan as <id>.json's text (see `json_text`)."""
    return json_text(score.plan.as_json())


def json_text(value: Any) -> str:
    """What ``json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False)`` writes, and
    a newline, with floats rounded to 6 places so output is stable across platforms
    (tuples as lists, numpy scalars as numbers, keys as strings).

    Written here in one pass: the standard library's indented encoder is pure Python,
    and slower than this.
    """
    out: list[str] = []
    _encode(value, "\n", out)
    return "".join(out) + "\n"


def _encode(value: Any, newline: str, out: list[str]) -> None:
    """Append `value` as JSON, its nested lines indented past `newline`."""
    scalar = _SCALARS.get(type(value))
    if scalar is None:  # a subclass of one (numpy's float64, an enum) is written as it
        scalar = next((f for t, f in _SCALARS.items() if isinstance(value, t)), None)
    if scalar is not None:
        out.append(scalar(value))
    elif isinstance(value, dict):
        items = {str(k): v for k, v in value.items()}
        _nested("{", "}", [(encode_basestring(k) + ": ", items[k]) for k in sorted(items)],
                newline, out)
    elif isinstance(value, list | tuple):
        _nested("[", "]", [("", v) for v in value], newline, out)
    elif hasattr(value, "item"):  # numpy scalars
        _encode(value.item(), newline, out)
    else:
        raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def _nested(opening: str, closing: str, items: list[tuple[str, Any]], newline: str,
            out: list[str]) -> None:
    if not items:
        out.append(opening + closing)
        return
    inner = newline + "  "
    for k, (key, v) in enumerate(items):
        scalar = _SCALARS.get(type(v))  # most values: written here, without a call deeper
        if scalar is not None:
            out.append((opening if k == 0 else ",") + inner + key + scalar(v))
        else:
            out.append((opening if k == 0 else ",") + inner + key)
            _encode(v, inner, out)
    out.append(newline + closing)


def _number(x: float) -> str:
    if math.isfinite(x):
        return float.__repr__(x)
    return "NaN" if x != x else "Infinity" if x > 0 else "-Infinity"


#: How `_encode` writes a value of exactly these types.
_SCALARS: dict[type, Callable[[Any], str]] = {
    str: encode_basestring, int: int.__repr__, float: lambda x: _number(round(x, 6)),
    bool: lambda b: "true" if b else "false", type(None): lambda _: "null"}


def write_plan(score: Score, path: str | Path) -> Path:
    """Write the plan atomically; return the path."""
    text = plan_text(score)
    with atomic_write(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(path)
