"""Atomic file output shared by every writer.

A writer never opens its destination directly: it writes a temporary file in
the same folder (so the final rename stays on one file system) and
``os.replace`` moves it into place only when the writer finished without an
exception. A failed run leaves no partial file and keeps the previous good one.
`staged_folder` does the same for a set of files: all are written first, then
each replaces its namesake.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_write(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; on success rename it onto ``path``.

    The temporary file exists (empty) when the block starts, so writers may
    open it or hand its name to an external program. The suffix is kept so
    libraries that look at the extension behave as for the final name.

    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> with atomic_write(d / "a.txt") as tmp:
    ...     _ = tmp.write_text("done")
    >>> (d / "a.txt").read_text(), sorted(p.name for p in d.iterdir())
    ('done', ['a.txt'])
    >>> try:
    ...     with atomic_write(d / "a.txt") as tmp:
    ...         _ = tmp.write_text("half")
    ...         raise RuntimeError("fail")
    ... except RuntimeError:
    ...     pass
    >>> (d / "a.txt").read_text(), sorted(p.name for p in d.iterdir())
    ('done', ['a.txt'])
    """
    final = Path(path)
    folder = final.parent if str(final.parent) else Path(".")
    folder.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{final.name}.", suffix=f".tmp{final.suffix}", dir=folder)
    os.close(fd)
    tmp = Path(name)
    os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; give the usual file mode
    try:
        yield tmp
        os.replace(tmp, final)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


@contextlib.contextmanager
def staged_folder(folder: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a hidden, empty folder inside `folder` to write files into; when the block
    ends without an exception, move each of them onto its namesake in `folder`. The
    staging folder is removed either way, so a failed block changes nothing in `folder`.
    A problem with `folder` itself (not a folder, not writable) is a MotifgenError.

    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> with staged_folder(d) as stage:
    ...     _ = (stage / "a.txt").write_text("new")
    >>> sorted(p.name for p in d.iterdir())
    ['a.txt']
    >>> try:
    ...     with staged_folder(d) as stage:
    ...         _ = (stage / "a.txt").write_text("half")
    ...         raise RuntimeError("fail")
    ... except RuntimeError:
    ...     pass
    >>> (d / "a.txt").read_text(), sorted(p.name for p in d.iterdir())
    ('new', ['a.txt'])
    """
    from ..errors import MotifgenError

    final = Path(folder)
    try:
        final.mkdir(parents=True, exist_ok=True)
        stage = Path(tempfile.mkdtemp(prefix=".motifgen-", dir=final))
    except OSError as e:
        raise MotifgenError(f"cannot write the output folder: {e.strerror or e}", str(final)) from e
    try:
        yield stage
        for item in sorted(stage.iterdir()):
            os.replace(item, final / item.name)
    except OSError as e:
        name = Path(e.filename).name if e.filename else "the output folder"
        raise MotifgenError(f"cannot write {name}: {e.strerror or e}", str(final)) from e
    finally:
        shutil.rmtree(stage, ignore_errors=True)
