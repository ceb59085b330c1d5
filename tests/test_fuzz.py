"""Fuzzing the two parsers a composer types into: any input loads or is one MotifgenError.

The project loader gets random YAML documents, random text and bytes, and mutations of
the example film (fields deleted, values swapped for other types or random text); the
transform chain parser gets random text and near-valid chains, applied to a motif.
"""

from __future__ import annotations

import copy
import os
import shutil
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from motifgen.development.chain import apply_chain, parse_chain
from motifgen.development.registry import TRANSFORMS
from motifgen.errors import MotifgenError
from motifgen.project import load
from tests.conftest import EXAMPLE

#: MOTIFGEN_FUZZ_EXAMPLES=5000 for a longer hunt
EXAMPLES = int(os.environ.get("MOTIFGEN_FUZZ_EXAMPLES", 150))
FUZZ = settings(max_examples=EXAMPLES, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-10**30, max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=30),
    st.sampled_from(["01:00:10:00", "01:00:10;02", "4/4", "D minor", "tender", "mara",
                     "c4 d e f", "1 2 3", "q q h", "fragment=3", "", "-", "~", "null"]))
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=10) | scalars.filter(
        lambda v: v is not None), inner, max_size=4)), max_leaves=20)


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    """A project folder holding the example's motif file."""
    path = tmp_path_factory.mktemp("fuzz")
    shutil.copy(EXAMPLE.parent / "compass.mid", path / "compass.mid")
    return path


def _loads_or_fails_cleanly(path: Path) -> None:
    try:
        load(path)
    except MotifgenError as e:
        assert "\n" not in str(e).strip()


def _load_text(folder: Path, text: str | bytes) -> None:
    path = folder / "film.yaml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
    _loads_or_fails_cleanly(path)


@FUZZ
@given(data=values)
def test_random_documents(folder, data):
    _load_text(folder, yaml.safe_dump(data))


@FUZZ
@given(data=st.dictionaries(st.sampled_from(["motifgen", "title", "key", "meter", "fps", "seed",
                                             "characters", "themes", "moods", "scenes"]),
                            values, max_size=8))
def test_random_top_level_fields(folder, data):
    _load_text(folder, yaml.safe_dump({"motifgen": 1, **data}))


@FUZZ
@given(text=st.text(max_size=200) | st.binary(max_size=200))
def test_random_text_and_bytes(folder, text):
    _load_text(folder, text)


EXAMPLE_DATA = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))


def _paths(node, prefix=()):
    """Every (container path, key) in the example's data."""
    items = node.items() if isinstance(node, dict) else enumerate(node)
    for key, value in items:
        yield prefix + (key,)
        if isinstance(value, dict | list):
            yield from _paths(value, prefix + (key,))


PATHS = list(_paths(EXAMPLE_DATA))


@st.composite
def mutated_example(draw):
    data = copy.deepcopy(EXAMPLE_DATA)
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(PATHS))
        parent = data
        try:
            for key in path[:-1]:
                parent = parent[key]
            parent[path[-1]]
        except (KeyError, IndexError, TypeError):
            continue  # an earlier mutation removed or replaced it
        if not isinstance(parent, dict | list):
            continue  # replaced by text, which indexes too but cannot be changed
        action = draw(st.sampled_from(["delete", "replace", "text"]))
        if action == "delete":
            del parent[path[-1]]
        elif action == "replace":
            parent[path[-1]] = draw(values)
        else:
            parent[path[-1]] = draw(st.text(max_size=20))
    return data


@settings(FUZZ, max_examples=EXAMPLES // 3)  # each load generates finch's motif: slower
@given(data=mutated_example())
def test_mutations_of_the_example_film(folder, data):
    _load_text(folder, yaml.safe_dump(data, allow_unicode=True))


# ---------------------------------------------------------------------------- chains

ARGS = st.sampled_from(["", "0", "1", "-1", "+2", "3", "64", "65", "1/0", "3/2", "1e999", "nan",
                        "inf", "-0", "C4", "Bb3", "E-4", "X9", "128", "phrygian", "major",
                        "first", "last", "pp..ff", "ff..", "..", "3/4", "7/3", "dominant",
                        "F#", "chromatic", "both", "turn", "999999999999999999999"])
NAMES = st.sampled_from([*TRANSFORMS, "augmentation", "meter", "transpose_diatonic", "nope",
                         "", "Invert", "fragment-"])
steps = st.builds(lambda name, args, eq: name + ("=" + ":".join(args) if eq else ""),
                  NAMES, st.lists(ARGS | st.text(max_size=5), max_size=3), st.booleans())
chains = st.lists(steps, max_size=5).map(", ".join) | st.text(max_size=60)


@FUZZ
@given(chain=chains)
def test_chain_parser_and_apply(chain):
    from motifgen.io.notation import parse_tiny
    from motifgen.theory import Key

    motif = parse_tiny("4/4 d4 a4 g8 f e4 f4. g8 a2", Key.parse("D minor"))
    try:
        result = apply_chain(motif, parse_chain(chain))
    except MotifgenError as e:
        assert "\n" not in str(e)
    else:
        assert len(result) > 0 and result.pitch.min() >= 0 and result.pitch.max() <= 127
