"""A disk cache for results fully determined by their inputs: generated motifs, and
what each cue of a film plays (`compose.PlayedCache`).

Generating a character's motif from its archetype and traits searches the melody model
(a tenth of a second or more per motif) on every load of the project; the film's
template needs every cue's tracks, also when one scene is composed. Both depend only
on their inputs and on motifgen's code and model. Entries are JSON files
named by a SHA-256 of the inputs, the package version and a digest of the package's
source and model files (their sizes and modification times), so a changed generator
never reads an old entry. A corrupt or
unreadable entry is ignored and written anew; writing is atomic, and a folder that
cannot be written only costs the time saved. Results are the same with and without
the cache (the tests compare the files byte for byte).

The folder is ``$MOTIFGEN_CACHE`` when set, else ``$XDG_CACHE_HOME/motifgen``, else
``~/.cache/motifgen``; ``MOTIFGEN_CACHE=off`` (what ``--no-cache`` sets) turns it off.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import fields
from fractions import Fraction
from functools import lru_cache
from pathlib import Path, PurePath
from typing import Any

from msgspec import Struct

from . import __version__
from .motif import NOTE_ARRAYS, Notes

CACHE_ENV = "MOTIFGEN_CACHE"
_PACKAGE = Path(__file__).resolve().parent


def folder() -> Path | None:
    """Where entries live, or None when the cache is off."""
    chosen = os.environ.get(CACHE_ENV, "")
    if chosen.lower() == "off":
        return None
    if chosen:
        return Path(chosen)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "motifgen"


@contextmanager
def setting(value: str | None) -> Iterator[None]:
    """``$MOTIFGEN_CACHE`` set to `value` inside the block (None: left as it is), for
    this process and the workers it starts; as it was afterwards."""
    before = os.environ.get(CACHE_ENV)
    if value is not None:
        os.environ[CACHE_ENV] = value
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(CACHE_ENV, None)
        else:
            os.environ[CACHE_ENV] = before


@lru_cache(maxsize=1)
def code_digest() -> str:
    """A digest of the package's version and of every source file of the package and the
    melody model, each by its path, size and modification time: what tells git a file
    changed, for a seventh of the cost of reading a megabyte of source on every run."""
    h = hashlib.sha256(__version__.encode())
    for path in _code_files(str(_PACKAGE)):
        info = os.stat(path)
        h.update(f"{os.path.relpath(path, _PACKAGE)}\0{info.st_size}\0{info.st_mtime_ns}\0"
                 .encode())
    return h.hexdigest()


def _code_files(root: str) -> list[str]:
    """The package's .py files (byte-code caches left out) and the melody model, sorted."""
    found = [os.path.join(root, "data", "melody_model.json")]
    for folder, subfolders, files in os.walk(root):
        subfolders[:] = [d for d in subfolders if d != "__pycache__"]
        found += [os.path.join(folder, f) for f in files if f.endswith(".py")]
    return sorted(found)


def entry(kind: str, inputs: dict[str, Any]) -> Path | None:
    """The file for `inputs` of `kind`, or None when the cache is off."""
    base = folder()
    if base is None:
        return None
    name = digest({"kind": kind, "inputs": inputs, "code": code_digest()})[:40]
    return base / f"{kind}-{name}.json"


def digest(data: Any) -> str:
    """The SHA-256 (hex) of JSON `data` written with its keys sorted: what names an entry,
    or a part of its inputs that many entries share (hashed once, not written into each)."""
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


def cached(kind: str, inputs: dict[str, Any], compute: Callable[[], Any],
           encode: Callable[[Any], Any], decode: Callable[[Any], Any]) -> Any:
    """`compute()`, or what an earlier run stored for the same `inputs`."""
    path = entry(kind, inputs)
    value = read(path, decode)
    if value is None:
        value = compute()
        if path is not None:
            _write(path, encode(value))
    return value


def read(path: Path | None, decode: Callable[[Any], Any]) -> Any:
    """The entry at `path` decoded, or None: the cache off, the entry absent, corrupt or
    of a different layout (`decode` failing on it)."""
    if path is None:
        return None
    try:
        return decode(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        return None


def store(path: Path | None, data: Any) -> None:
    """`data` (JSON) as the entry at `path` unless it is there already or the cache is off."""
    if path is not None and not path.exists():
        _write(path, data)


def canonical(value: Any) -> Any:
    """`value` as JSON data that equal values give alike and unequal ones differently, for
    a cache key: records (Structs) by their fields, mappings in their order, notes and motifs by
    their fingerprint, floats exactly. A type it does not know is a TypeError.

    >>> from fractions import Fraction
    >>> canonical({"a": (1, 1.5, Fraction(1, 3), None)})
    ['m', [['a', ['l', [1, ['f', '0x1.8000000000000p+0'], ['q', 1, 3], None]]]]]
    >>> canonical(1) != canonical(1.0) != canonical(True)
    True
    >>> canonical({1, 2})
    Traceback (most recent call last):
    TypeError: no canonical form for set
    """
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return ["f", value.hex()]
    if isinstance(value, Fraction):
        return ["q", value.numerator, value.denominator]
    if isinstance(value, Notes):
        extra = [canonical(getattr(value, f.name)) for f in fields(value)
                 if f.name not in NOTE_ARRAYS]  # a Motif's key, meter and name
        return ["n", type(value).__name__, value.fingerprint().hex(), extra]
    if isinstance(value, Struct):
        return ["d", type(value).__qualname__,
                [[name, canonical(getattr(value, name))] for name in value.__struct_fields__]]
    if isinstance(value, Mapping):
        return ["m", [[canonical(k), canonical(v)] for k, v in value.items()]]
    if isinstance(value, list | tuple):
        return ["l", [canonical(v) for v in value]]
    if isinstance(value, PurePath):
        return ["p", str(value)]
    raise TypeError(f"no canonical form for {type(value).__name__}")


def _write(path: Path, data: Any) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f)
        os.replace(tmp, path)
    except OSError:
        try:
            os.unlink(tmp)
        except (OSError, UnboundLocalError):
            pass
