"""The layer rule of README "How it is built": a module imports only from its own layer
or the layers below it, and no two modules import each other, however indirectly.

Every ``import`` and ``from ... import`` of every module is read with `ast` (those inside
functions too: a lazy import is still a dependency), so the rule holds without running
anything.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "motifgen"

#: Layers from the bottom up; each names top-level modules and subpackages of motifgen.
#: ``__init__`` is the package itself (its version; the public API is imported by name).
LAYERS: tuple[tuple[str, ...], ...] = (
    ("__init__", "errors", "seeds", "yamltext", "timecode"),
    ("theory",),
    ("motif", "score"),
    ("development", "generate"),
    ("film", "orchestra", "recipes", "moods", "articulations", "timing"),
    ("arrange", "template"),
    ("io",),
    ("project", "projectfile", "cache", "markers", "spotting", "dawimport", "suggest",
     "compose", "quality"),
    ("cli", "studio", "__main__"),
)

#: Upward imports that are known and owed a fix: (importing module, imported module).
#: Each must still exist, so the list only shrinks.
KNOWN_UPWARD: frozenset[tuple[str, str]] = frozenset()

RANK = {unit: rank for rank, units in enumerate(LAYERS) for unit in units}

#: What a writer or reader of `io` may import: a Score (and the Motif, Notes, the
#: engravings it carries), music theory, SMPTE arithmetic, errors; nothing that composes.
IO_READS: frozenset[str] = frozenset({"io", "theory", "score", "motif", "errors", "timecode"})
#: Imports of `io` outside `IO_READS`, known and owed a fix; the list only shrinks.
KNOWN_IO: frozenset[tuple[str, str]] = frozenset()


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """The motifgen modules `path` imports (``from . import x`` gives ``pkg.x`` when x is a
    module, else ``pkg``)."""
    module = _module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("motifgen"))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if not target.startswith("motifgen"):
                continue
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                found.add(sub if sub in MODULES else target)
    return found - {module}


MODULES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}
GRAPH = {name: _imports(path) for name, path in MODULES.items()}


def _unit(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def test_every_module_has_a_layer():
    units = {_unit(m) for m in MODULES}
    missing, gone = sorted(units - set(RANK)), sorted(set(RANK) - units)
    assert not missing, f"add to LAYERS (and README 'How it is built'): {missing}"
    assert not gone, f"LAYERS names what does not exist: {gone}"


def _upward() -> set[tuple[str, str]]:
    return {(a, b) for a, targets in GRAPH.items() for b in targets
            if RANK.get(_unit(b), -1) > RANK.get(_unit(a), -1)}


def _io_outside() -> set[tuple[str, str]]:
    """Imports of io/ from outside what it reads: a writer reads what it writes from the
    Score; what it works out is music theory."""
    return {(a, b) for a, targets in GRAPH.items() if _unit(a) == "io"
            for b in targets if _unit(b) not in IO_READS}


#: Each import rule: the imports that break it, and the known exceptions, by name.
RULES = {"KNOWN_UPWARD": (_upward, KNOWN_UPWARD), "KNOWN_IO": (_io_outside, KNOWN_IO)}


@pytest.mark.parametrize("rule", RULES)
def test_no_import_breaks_a_rule_beyond_its_known_exceptions(rule):
    breaking, known = RULES[rule]
    found = breaking() - known
    assert not found, f"{rule}: " + ", ".join(f"{a} -> {b}" for a, b in sorted(found))


@pytest.mark.parametrize("rule", RULES)
def test_every_known_exception_still_exists(rule):
    breaking, known = RULES[rule]
    stale = known - breaking()
    assert not stale, f"remove from {rule}, they are gone: {sorted(stale)}"


def _cycle(graph: dict[str, set[str]]) -> list[str]:
    """One import cycle of `graph` (empty when there is none), by depth-first search."""
    state: dict[str, int] = {}  # 1 on the current path, 2 finished
    path: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        state[node] = 2
        path.pop()
        return []

    for start in sorted(graph):
        if start not in state and (found := visit(start)):
            return found
    return []


def test_no_import_cycle():
    cycle = _cycle(GRAPH)
    assert not cycle, "import cycle: " + " -> ".join(cycle)


@pytest.mark.parametrize("graph, cycle", [
    ({"a": {"b"}, "b": {"c"}, "c": {"a"}}, ["a", "b", "c", "a"]),
    ({"a": {"b"}, "b": {"c"}, "c": set()}, []),
])
def test_the_cycle_search_finds_cycles(graph, cycle):
    assert _cycle(graph) == cycle


def _readme_layers() -> list[list[str]]:
    """The layers of the directory tree in README "How it is built": a ``# N.`` comment
    starts a layer, each ``── name.py`` or ``── name/`` entry is one of its units."""
    readme = (PACKAGE.parent / "README.md").read_text(encoding="utf-8")
    tree = readme.split("## How it is built", 1)[1].split("```\nmotifgen/\n", 1)[1]
    layers: list[list[str]] = []
    for line in tree.split("```", 1)[0].splitlines():
        text = line.lstrip("│ ")
        if text.startswith("# "):
            layers.append([])
        elif "── " in text:
            layers[-1].append(text.split("── ", 1)[1].split()[0].removesuffix(".py").rstrip("/"))
    return layers


def test_the_readme_tree_is_the_layer_table():
    """Every module and subpackage is in the README's tree, in its layer, and the tree
    names nothing that is not there (``__init__`` and ``__main__`` aside)."""
    ours = [[u for u in units if u not in ("__init__", "__main__")] for units in LAYERS]
    assert _readme_layers() == ours


def test_imports_are_read_relative_to_their_package():
    assert "motifgen.theory.scales" in GRAPH["motifgen.theory"]
    assert "motifgen.motif" in GRAPH["motifgen.development.transforms"]
    assert "motifgen.errors" in GRAPH["motifgen.theory.pitch"]
