"""Chains: the text of a motif's development, parsed, printed and applied.

A chain is text shared by the project file and the command line::

    "fragment=3, sequence=3:+1, mode=phrygian, augment=2"

steps separated by commas, each ``name`` or ``name=arg1:arg2``; an empty
argument keeps its default (``invert=:62``). `parse_chain`, `apply_chain` and
`format_chain` read the one table of transforms, `registry.TRANSFORMS`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import lru_cache, partial
from typing import Any

from msgspec import Struct

from ..errors import TransformError
from ..motif import MAX_DEVELOPED_NOTES, Motif
from .registry import Transform, lookup


class Step(Struct, frozen=True, gc=False):
    """One link of a chain: a registered transform name and its argument texts."""

    name: str
    args: tuple[str, ...] = ()

    def __str__(self) -> str:
        return self.name if not self.args else f"{self.name}={':'.join(self.args)}"

    @property
    def transform(self) -> Transform:
        return lookup(self.name)

    def kwargs(self) -> dict[str, Any]:
        """The parsed arguments (TransformError when unknown or invalid)."""
        return self.transform.bind(self.args)


def parse_chain(text: str) -> tuple[Step, ...]:
    """Parse ``"name, name=a:b, ..."`` into checked Steps (aliases become registry names).

    >>> parse_chain("fragment=3, sequence=3:+1, mode=phrygian, augment=2")[1]
    Step(name='sequence', args=('3', '+1'))
    >>> format_chain(parse_chain(" invert = chromatic : 60 ,retrograde"))
    'invert=chromatic:60, retrograde'
    """
    steps = []
    for piece in text.split(","):
        piece = piece.strip()
        if not piece:
            continue
        name, eq, rest = piece.partition("=")
        name = name.strip().lower().replace("-", "_")
        args = tuple(a.strip() for a in rest.split(":")) if eq else ()
        if not name:
            raise TransformError(f"chain step {piece!r} has no transform name")
        step_ = Step(lookup(name).name, args)
        step_.kwargs()
        steps.append(step_)
    return tuple(steps)


def format_chain(steps: Sequence[Step]) -> str:
    """The chain text of `steps`; ``parse_chain(format_chain(s)) == s``."""
    return ", ".join(str(s) for s in steps)


@lru_cache(maxsize=4096)
def _bound(step_: Step) -> Callable[[Motif], Motif]:
    """The step's transform with its arguments parsed once and bound."""
    return partial(step_.transform.func, **step_.kwargs())


def apply_step(m: Motif, step_: Step) -> Motif:
    """Apply one Step (TransformError when it makes more than `MAX_DEVELOPED_NOTES`)."""
    out = _bound(step_)(m)
    if len(out) > MAX_DEVELOPED_NOTES:
        raise TransformError(f"the chain makes {len(out)} notes by {step_}; a developed motif "
                             f"may have at most {MAX_DEVELOPED_NOTES}")
    return out


def apply_chain(m: Motif, chain: str | Sequence[Step]) -> Motif:
    """Apply a chain (text or Steps) left to right.

    >>> from motifgen.theory import Key
    >>> m = Motif.from_degrees([0, 2, 1, 4], [0] * 4, [1, 0.5, 0.5, 2], Key(2, "aeolian"))
    >>> apply_chain(m, "retrograde, augment=3, retrograde, diminish=3") == m
    True
    """
    steps = parse_chain(chain) if isinstance(chain, str) else chain
    for s in steps:
        m = apply_step(m, s)
    return m
