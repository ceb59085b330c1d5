"""Motif files: found inside the project's folders, and read within a size limit."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ..errors import NotationError


def read_motif_bytes(path: Path, limit: int) -> bytes:
    """The bytes of the motif file `path`, refused when it is not a regular file (a FIFO
    or device is not even opened for blocking reads) or larger than `limit` bytes."""
    import os
    import stat

    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as e:
        raise NotationError(f"cannot read motif file {path}: {e.strerror or e}") from e
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise NotationError(f"motif file {path} is not a regular file")
        if info.st_size > limit:
            raise NotationError(f"motif file {path} is larger than "
                                f"{limit // 1_000_000} MB; a motif is a few bars")
        with os.fdopen(fd, "rb", closefd=False) as f:
            data = f.read(limit + 1)
    except OSError as e:
        raise NotationError(f"cannot read motif file {path}: {e.strerror or e}") from e
    finally:
        os.close(fd)
    if len(data) > limit:
        raise NotationError(f"motif file {path} is larger than "
                            f"{limit // 1_000_000} MB; a motif is a few bars")
    return data


def motif_path(name: object, base_dir: Path, allow: Sequence[Path] = ()) -> Path:
    """The existing file `name` relative to `base_dir`, refused when it resolves (symlinks
    followed) outside `base_dir` and every folder in `allow`."""
    if not isinstance(name, str) or not name.strip() or "\0" in name:
        raise NotationError(f"expected a file name, got {name!r}")
    path = base_dir / name  # never ~ or $VAR expanded: the name is taken literally
    try:
        real = path.resolve()
        folders = [Path(f).resolve() for f in (base_dir, *allow)]
    except (OSError, RuntimeError) as e:  # a symlink loop, a name too long
        why = getattr(e, "strerror", None) or "a symbolic link loop"
        raise NotationError(f"motif file {name}: cannot follow the path: {why}") from e
    if not any(real.is_relative_to(f) for f in folders):
        raise NotationError(
            f"motif file {name} lies outside the project folder {folders[0]}; move it inside, "
            "or allow its folder with --allow-path DIR")
    try:
        found = real.is_file()
    except OSError as e:
        raise NotationError(f"motif file {name}: {e.strerror or e}") from e
    if not found:
        if real.exists():
            raise NotationError(f"motif file {path} is not a regular file")
        raise NotationError(f"motif file {path} does not exist")
    return path
