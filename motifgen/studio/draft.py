"""The studio's unsaved changes: edits to the project file, applied to its text.

A draft is the file as last read plus a tuple of `Edit`s. Each edit sets one
field (the seed, a scene's or a section's mood, a character's chain in a scene,
a hit's downbeat) or a motif, through the same round-trip editor `suggest
--into` uses, so comments and layout survive. What the studio plays is what
the project loader reads from the draft's bytes (a scene's edit is set on the
loaded data instead, and only that scene read again: the session's `project`),
and keeping writes exactly those bytes once they load as what was played:
`motifgen compose` then gives what was heard.
"""

from __future__ import annotations

import hashlib
from typing import Any

from msgspec import Struct

from ..errors import MotifgenError

#: The fields a page may change, per scene (`*` is an index or a name).
SCENE_FIELDS = ("mood", "sections.*.mood", "transform.*", "hits.*.downbeat")


class Edit(Struct, frozen=True):
    """One change: `field` is ``seed``, ``motif`` (of `name`) or a scene field of
    `SCENE_FIELDS` (``hits.1.downbeat``); `scene` is the scene's id for those."""

    field: str
    value: Any
    scene: str | None = None
    name: str | None = None  # the character or theme a motif edit is for
    key: str | None = None  # the key a motif edit's tinyNotation is written in

    @property
    def target(self) -> tuple[str | None, ...]:
        """What the edit changes: a later edit of the same target replaces it."""
        return (self.field, self.scene, self.name)

    def describe(self) -> str:
        """'2M2 transform.mara = "invert"': what keeping the edit writes."""
        if self.field == "motif":
            return f"{self.name} motif = {self.value!r} ({self.key})"
        where = f"{self.scene} {self.field}" if self.scene else self.field
        return f"{where} = {'(removed)' if self.value is None else repr(self.value)}"


def check_edit(edit: Edit) -> Edit:
    """`edit` if its field is one the studio may change with a value of the right type;
    else a MotifgenError naming what is expected."""
    value = edit.value
    if edit.field == "seed":
        ok = isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2**63
        expected = "a whole number from 0 to 2**63-1"
    elif edit.field == "motif":
        ok = (isinstance(value, str) and bool(edit.name) and isinstance(edit.key, str)
              and edit.scene is None)
        expected = "tinyNotation text, a name and a key"
    else:
        pattern = _pattern(edit.field)
        if pattern is None or not edit.scene:
            raise MotifgenError(f"cannot change {edit.field!r}; expected seed, motif or a "
                                f"scene's {', '.join(SCENE_FIELDS)}", "edit")
        kind = pattern.rsplit(".", 1)[-1]
        if kind == "downbeat":
            ok, expected = isinstance(value, bool), "true or false"
        elif pattern == "transform.*":
            ok, expected = value is None or isinstance(value, str), "a chain or null"
        else:
            ok, expected = isinstance(value, str) and bool(value), "a mood name"
    if not ok:
        raise MotifgenError(f"expected {expected}, got {str(value)[:40]!r}", edit.field)
    return edit


def _pattern(field: str) -> str | None:
    """The `SCENE_FIELDS` entry `field` matches, if any."""
    parts = field.split(".")
    for pattern in SCENE_FIELDS:
        shape = pattern.split(".")
        if len(shape) == len(parts) and all(
                s == p or (s == "*" and p and (p.isdigit() or i == len(shape) - 1))
                for i, (s, p) in enumerate(zip(shape, parts))):
            return pattern
    return None


def scene_index(data: Any, scene_id: str) -> int:
    """The position of the scene `scene_id` in the file's `scenes` list."""
    for i, raw in enumerate(data.get("scenes") or []):
        if hasattr(raw, "get") and str(raw.get("id")) == scene_id:
            return i
    raise MotifgenError(f"no scene {scene_id!r} in the project file", "edit")


def field_keys(data: Any, edit: Edit) -> tuple[str | int, ...]:
    """The field path in the file's `data` a scene field's `edit` sets: ``("scenes", 4,
    "hits", 1, "downbeat")``."""
    keys: list[str | int] = ["scenes", scene_index(data, edit.scene or "")]
    keys += [int(p) if p.isdigit() and k != "transform" else p
             for k, p in zip([None, *edit.field.split(".")], edit.field.split("."))]
    return tuple(keys)


def apply(target: Any, edit: Edit) -> None:
    """Make `edit` in `target`, a `projectfile.ProjectFile`."""
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString

    from ..theory import Key

    if edit.field == "motif":
        target.set_motif(edit.name, edit.value, Key.parse(edit.key or ""))
        return
    if edit.field == "seed":
        target.set(("seed",), edit.value)
        return
    keys = field_keys(target.data, edit)
    value = edit.value
    if isinstance(value, str) and keys[2] == "transform":
        value = DoubleQuotedScalarString(value)
    target.set(keys, value)


def edited(base: Any, edits: tuple[Edit, ...]) -> Any:
    """A copy of `base` (a `projectfile.ProjectFile`, left as it is) with `edits` made."""
    target = base.copy()
    for edit in edits:
        apply(target, edit)
    return target


def digest(data: bytes) -> str:
    """A short content hash naming composed things (takes, renders) in URLs and caches."""
    return hashlib.sha256(data).hexdigest()[:20]
