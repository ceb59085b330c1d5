"""Every function of the package is shorter than `MAX_LINES` lines, so that each one
can be read on one screen; the module is walked with `ast`, decorators left out."""

from __future__ import annotations

import ast
from pathlib import Path

import motifgen

MAX_LINES = 60
#: Functions allowed to be longer, as "module path:function name": none, and it stays
#: so (the list is for a function whose split is under way; it only shrinks).
ALLOWED: set[str] = set()
ROOT = Path(motifgen.__file__).parent


def lengths() -> dict[str, int]:
    """Lines of every function and method of the package, by "path:name"."""
    out = {}
    for path in sorted(ROOT.rglob("*.py")):
        where = path.relative_to(ROOT.parent).as_posix()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                assert node.end_lineno is not None
                out[f"{where}:{node.name}"] = max(out.get(f"{where}:{node.name}", 0),
                                                  node.end_lineno - node.lineno + 1)
    return out


def test_every_function_is_shorter_than_the_limit() -> None:
    too_long = {name: n for name, n in lengths().items()
                if n >= MAX_LINES and name not in ALLOWED}
    assert not too_long, f"functions of {MAX_LINES} lines or more: {too_long}"


def test_the_allow_list_names_only_long_functions() -> None:
    """A function shortened (or gone) leaves the list, so the list only shrinks."""
    found = lengths()
    stale = {name for name in ALLOWED if found.get(name, 0) < MAX_LINES}
    assert not stale, f"shorter than {MAX_LINES} lines now; remove from ALLOWED: {stale}"

