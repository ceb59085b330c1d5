"""Edit a project file in place: one character's or theme's motif changes, nothing else.

ruamel.yaml's round-trip mode keeps comments, quotes, flow style and
indentation; the new file replaces the old one only once it loads as a valid
project with the motif as given (`motifgen import --into`, `motifgen suggest --into`)
or the spotted hits and scenes (`motifgen spot`, through `ProjectFile.edit`).
"""

from __future__ import annotations

import io
import os
import re
import stat
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, cast

import numpy as np

from .errors import MotifgenError
from .motif import Motif
from .theory import Key, parse_meter


def key_label(key: Key) -> str:
    """'D minor', 'G major', 'D lydian': how a project file names a key."""
    mode = {"ionian": "major", "aeolian": "minor"}.get(key.mode, key.mode)
    return f"{key.note_name(key.tonic)} {mode}"


def same_notes(a: Motif, b: Motif) -> bool:
    """The same onsets, durations and pitches (names and keys aside)."""
    return all(np.array_equal(x, y) for x, y in ((a.onset, b.onset), (a.duration, b.duration),
                                                   (a.pitch, b.pitch)))


def motif_text(motif: Motif) -> tuple[str, Motif]:
    """`motif` as the tinyNotation a project file holds, and the motif that text reads
    back as: the same notes, checked, so a wrong motif is never written."""
    from .io.notation import format_tiny, parse_tiny

    tiny = format_tiny(motif)
    back = parse_tiny(tiny, motif.key, motif.meter)
    if not same_notes(back, motif):
        raise RuntimeError(f"tinyNotation {tiny!r} does not read back as the same notes")
    return tiny, back


class ProjectFile:
    """A project file read in ruamel.yaml's round-trip mode: comments, quotes, flow
    style and indentation survive; only the edited entry changes."""

    def __init__(self, path: Path, raw: bytes | None = None,
                 allow: Sequence[Path] = ()) -> None:
        """Read `path` (or take `raw` as its bytes: the studio's file as last read);
        `allow`: folders outside the project's own its motif files may come from."""
        from ruamel.yaml import YAML
        from ruamel.yaml.error import YAMLError
        from ruamel.yaml.util import load_yaml_guess_indent

        from .project import MAX_FILE_BYTES

        self.path = path
        self.allow = tuple(allow)
        raw = read_project(path, MAX_FILE_BYTES) if raw is None else raw
        from .project import _Reader, decode_project, encoding_of
        from .yamltext import untab

        # kept as found, restored on writing: the encoding, its byte-order mark, CRLF line
        # ends and tabs (ruamel.yaml reads the file with separating tabs as spaces)
        self.codec = encoding_of(raw)
        self.bom = raw.startswith(b"\xef\xbb\xbf")
        self.original = decode_project(_Reader(path), raw).replace("\r\n", "\n")
        self.crlf = "\r\n" in raw.decode(self.codec, errors="replace")
        self.text = untab(self.original)
        try:
            _, sequence, offset = load_yaml_guess_indent(self.text)
            self.yaml = YAML(typ="rt")
            self.yaml.preserve_quotes = True
            self.yaml.width = 4096  # never fold a long line
            mapping = _mapping_indent(self.text)
            self.yaml.indent(mapping=mapping, sequence=sequence or 2 * mapping,
                             offset=offset if offset is not None else mapping)
            self.data = self.yaml.load(self.text)
        except YAMLError as e:
            raise MotifgenError(f"not valid YAML: {getattr(e, 'problem', None) or e}",
                                str(path)) from e
        if not hasattr(self.data, "insert"):
            raise MotifgenError("expected a project file (a mapping with motifgen: 1)", str(path))
        try:
            self.key = Key.parse(str(self.data.get("key", "C major")))
            self.meter = parse_meter(str(self.data.get("meter", "4/4")))
        except MotifgenError as e:
            raise MotifgenError(e.message, str(path)) from e

    def put(self, name: str, tiny: str, key: Key, motif: Motif) -> str:
        """Set `name`'s motif (and key when it changes), write, validate; say what changed.

        The file is either replaced whole or left byte for byte: it must load before
        (a broken project is not rewritten), be writable (a read-only file stays
        read-only), load after with the new motif and every other motif unchanged; a
        symbolic link keeps pointing at the file it names, which is the one replaced."""
        self.load_before()
        self._check_writable()
        where, changes = self.set_motif(name, tiny, key)
        self._write(repr(name), lambda loaded: self._same_motifs(loaded, name, motif))
        return f"wrote {where} into {self.path} ({', '.join(changes)})"

    def set_motif(self, name: str, tiny: str, key: Key) -> tuple[str, list[str]]:
        """Make `tiny` (in `key`) the motif of `name` in the data (a new theme when no
        character or theme has that name); return where and what changed."""
        from ruamel.yaml.comments import CommentedMap
        from ruamel.yaml.scalarstring import DoubleQuotedScalarString

        value = DoubleQuotedScalarString(tiny)
        label = key_label(key)
        for section in ("characters", "themes"):
            owners = self.data.get(section)
            if hasattr(owners, "insert") and name in owners:
                entry = owners[name]
                if not hasattr(entry, "insert"):
                    entry = owners[name] = CommentedMap()
                changes = ["motif replaced" if "motif" in entry else "motif added"]
                if "motif" in entry:
                    entry["motif"] = value
                else:
                    entry.insert(0, "motif", value)
                current = self._entry_key(entry, section, name)
                if key != current:
                    if "key" in entry:
                        entry["key"] = label
                    else:
                        entry.insert(list(entry).index("motif") + 1, "key", label)
                    changes.append(f"key {key_label(current)} -> {label}")
                return f"{section}.{name}", changes
        entry = CommentedMap(motif=value)
        if key != self.key:
            entry["key"] = label
        self._add_theme(name, entry)
        return f"themes.{name}", ["added"]

    def set(self, keys: tuple[str | int, ...], value: Any) -> None:
        """Set the value at the field path `keys` in the data (see `set_field`)."""
        from ruamel.yaml.comments import CommentedMap

        set_field(self.data, keys, value, CommentedMap)

    def copy(self) -> ProjectFile:
        """An independent copy to edit (a deep copy of the data: far quicker than reading
        the file again)."""
        import copy

        twin = copy.copy(self)
        twin.data = copy.deepcopy(self.data)
        return twin

    def encoded(self) -> bytes:
        """The file as it would be written now, in its own encoding, byte-order mark and
        line ends, the original's lines kept wherever the data did not change."""
        from .yamltext import restore_lines

        out = io.StringIO()
        self.yaml.dump(self.data, out)
        text = restore_lines(self.original, self.text, out.getvalue())
        text = text.replace("\n", "\r\n") if self.crlf else text
        return (b"\xef\xbb\xbf" if self.bom else b"") + text.encode(
            "utf-8" if self.codec == "utf-8-sig" else self.codec)

    def _entry_key(self, entry: Any, section: str, name: str) -> Key:
        if "key" not in entry:
            return self.key
        try:
            return Key.parse(str(entry["key"]))
        except MotifgenError as e:
            raise MotifgenError(e.message, f"{self.path}: {section}.{name}.key") from e

    def _add_theme(self, name: str, entry: Any) -> None:
        """Append `entry` at the end of `themes` (made after `characters` if absent),
        moving the blank lines and comments that followed the old last entry after it."""
        from ruamel.yaml.comments import CommentedMap

        themes = self.data.get("themes")
        if hasattr(themes, "insert"):
            if len(themes):
                _move_trailing(themes, entry)
            else:  # `themes: {}`
                themes.fa.set_block_style()
            themes[name] = entry
            return
        section = CommentedMap()
        section[name] = entry
        if "themes" in self.data:  # `themes:` with nothing under it
            self.data["themes"] = section
            _take_trailing(self.data, "themes", entry)  # the blank line after it
            return
        keys = list(self.data)
        if "characters" in self.data:
            position = keys.index("characters") + 1
        else:
            later = [keys.index(k) for k in ("moods", "scenes") if k in self.data]
            position = min(later) if later else len(keys)
        if position > 0 and hasattr(self.data[keys[position - 1]], "ca"):
            _move_trailing(self.data[keys[position - 1]], entry, leave_blank=True)
        self.data.insert(position, "themes", section)

    def _write(self, what: str, check: Callable[[Any], None]) -> None:
        """Write through a temporary file that must load as a valid project, and pass
        `check` (given the loaded project), before it replaces the project file; `what`
        names the change in messages."""
        from .io.files import atomic_write
        from .project import load

        data = self.encoded()
        target = self.path.resolve()  # through a symlink: the link stays, its file changes
        with atomic_write(target) as tmp:
            tmp.write_bytes(data)
            os.chmod(tmp, stat.S_IMODE(target.stat().st_mode))
            tmp_project = tmp.with_name(tmp.name)
            try:
                loaded = load(tmp_project, allow=self.allow)
            except MotifgenError as e:
                raise MotifgenError(f"{e.message} (with {what} written in; the file is left "
                                    "unchanged)", e.where.replace(str(tmp), str(self.path))
                                    ) from e
            check(loaded)

    def _same_motifs(self, loaded: Any, name: str, motif: Motif) -> None:
        """`name`'s motif as imported, every other motif as before."""
        if not same_notes(loaded.motifs[name].motif, motif):
            raise RuntimeError(f"{name} reads back from {self.path} as other notes")
        for other, was in self.before.motifs.items():
            now = loaded.motifs.get(other)
            if other != name and (now is None or not same_notes(now.motif, was.motif)):
                raise MotifgenError(
                    f"writing {name!r} would change {other!r} too (they share a YAML "
                    "anchor); the file is left unchanged: give them separate motifs "
                    "first", str(self.path))

    def load_before(self) -> Any:
        """The project as it is now; one that does not load is never rewritten."""
        from .project import load

        try:
            self.before = load(self.path, allow=self.allow)
        except MotifgenError as e:
            raise MotifgenError(f"{e.message} (the project does not load, so it is left "
                                "unchanged)", e.where) from e
        return self.before

    def edit(self, change: Callable[[Any], None], what: str,
             check: Callable[[Any], None]) -> None:
        """Apply `change` to the round-trip data, then write as `put` does: the project
        must load before and after, be writable, and pass `check` after."""
        self.load_before()
        self._check_writable()
        change(self.data)
        self._write(what, check)

    def _check_writable(self) -> None:
        """A MotifgenError unless the project file (the file a link points to) may be
        replaced: a regular file with write permission, in a folder that can be written."""
        target = self.path.resolve()
        try:
            info = target.stat()
        except OSError as e:
            raise MotifgenError(f"cannot write the project file: {e.strerror or e}",
                                str(self.path)) from e
        if not stat.S_ISREG(info.st_mode):
            raise MotifgenError("the project is not a regular file; nothing was written",
                                str(self.path))
        if not info.st_mode & 0o222 or not os.access(target, os.W_OK):
            raise MotifgenError("the project file is read-only; nothing was written (make "
                                "it writable first if you mean to change it)", str(self.path))


def set_field(data: Any, keys: tuple[str | int, ...], value: Any,
              mapping: Callable[[], Any] = dict) -> None:
    """Set the value at the field path `keys` (``("scenes", 4, "mood")``) in the YAML
    `data`, making the mappings on the way that are missing (a scene's first
    `transform`) with `mapping`; `value` None removes the field (and a mapping it leaves
    empty). The round-trip editor and the studio's plain data share it, so both change
    the same fields the same way."""
    node, trail = data, []
    for k in keys[:-1]:
        if isinstance(k, str) and isinstance(node, dict) and node.get(k) is None:
            if value is None:
                return
            node[k] = mapping()
        trail.append((node, k))
        node = node[k]
    if value is not None:
        node[keys[-1]] = value
        return
    node.pop(keys[-1], None)
    if not node and trail and isinstance(node, dict):
        parent, k = trail[-1]
        del parent[k]


def read_project(path: Path, limit: int) -> bytes:
    """The bytes of a project file that is a regular file of at most `limit` bytes."""
    try:
        if not path.is_file():  # a folder, a device, a FIFO: never read
            raise MotifgenError("cannot read project file: it is not a regular file",
                                str(path))
        if path.stat().st_size > limit:
            raise MotifgenError("cannot read project file: it is larger than "
                                f"{limit // 1_000_000} MB", str(path))
        return path.read_bytes()
    except OSError as e:
        raise MotifgenError(f"cannot read project file: {e.strerror or e}", str(path)) from e


def _mapping_indent(text: str) -> int:
    """Spaces per mapping level: the smallest indent of a nested `key:` line (default 2)."""
    indents = [len(m[1]) for m in re.finditer(r"(?m)^( +)[^\s#-][^:\n]*:", text)]
    return min(indents, default=2)


def _last_leaf(node: Any) -> tuple[Any, Any]:
    """The innermost container and key/index of the last entry under `node` (a flow
    collection, ``[0.5, 0.2]``, is a leaf: what follows it follows its line)."""
    while True:
        last = list(node)[-1] if isinstance(node, dict) else len(node) - 1
        child = node[last]
        if (isinstance(child, dict | list) and len(child)
                and hasattr(child, "ca") and not cast(Any, child).fa.flow_style()):
            node = child
            continue
        return node, last


def _move_trailing(node: Any, entry: Any, leave_blank: bool = False) -> None:
    """Move the blank lines and comments after `node`'s last entry to after `entry`'s
    last entry; an end-of-line comment stays, and with `leave_blank` one blank line."""
    container, last = _last_leaf(node)
    _take_trailing(container, last, entry, leave_blank)


def _take_trailing(container: Any, key: Any, entry: Any, leave_blank: bool = False) -> None:
    """Move what follows `container[key]`'s line (blank lines, comment lines) to after
    `entry`'s last entry; its end-of-line comment stays."""
    slot = 0 if isinstance(container, list) else 2
    items = container.ca.items.get(key)
    token = items[slot] if items and len(items) > slot else None
    if token is None:
        return
    text = token.value
    if text.startswith("#"):  # an end-of-line comment, then what follows
        eol, _, rest = text.partition("\n")
        eol += "\n"
    else:
        eol, rest = "", text[1:]
    if not rest:
        return
    remaining = (eol or "\n") + "\n" if leave_blank and rest.startswith("\n") else eol
    if remaining:
        token.value = remaining
    else:
        items[slot] = None
    _set_trailing(entry, "\n" + rest)


def _set_trailing(node: Any, text: str) -> None:
    """Put `text` (newlines and comment lines) after `node`'s last entry."""
    from ruamel.yaml.error import CommentMark
    from ruamel.yaml.tokens import CommentToken

    container, last = _last_leaf(node)
    slot = 0 if isinstance(container, list) else 2
    items = container.ca.items.setdefault(last, [None, None, None, None])
    items[slot] = CommentToken(text, CommentMark(0), None)
