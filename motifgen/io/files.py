"""Atomic file output shared by every writer.

A writer never opens its destination directly: it writes a temporary file in
the same folder (so the final rename stays on one file system) and
``os.replace`` moves it into place only when the writer finished without an
exception. A failed run leaves no partial file and keeps the previous good one.
`staged_folder` does the same for a set of files: all are written first, then
each replaces its namesake. `check_replaceable` is the rule for what may be replaced:
only a regular file (never a folder, a device, a FIFO or a symbolic link, which would be
written through or replaced by a file) and never one of the files a project was read
from. Every obstacle is looked for before the first rename.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import stat
import tempfile
from collections.abc import Collection, Iterator
from pathlib import Path

#: (device, inode) of a file, how `check_replaceable` recognises protected files.
FileId = tuple[int, int]


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
    from ..errors import MotifgenError

    final = Path(path)
    folder = final.parent if str(final.parent) else Path(".")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        # a short prefix: the longest legal final name must not make a too-long temporary one
        fd, name = tempfile.mkstemp(prefix=f".{final.name[:40]}.",
                                    suffix=f".tmp{final.suffix[:16]}", dir=folder)
    except OSError as e:
        raise MotifgenError(f"cannot write the file: {_why(e)}", str(final)) from e
    os.close(fd)
    tmp = Path(name)
    os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; give the usual file mode
    try:
        yield tmp
        try:
            os.replace(tmp, final)
        except OSError as e:
            raise MotifgenError(f"cannot write the file: {_why(e)}", str(final)) from e
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def _why(e: OSError) -> str:
    return e.strerror or str(e)


def file_id(path: str | os.PathLike[str]) -> FileId | None:
    """(device, inode) of the file `path` names (symlinks followed), None if there is none."""
    try:
        info = os.stat(path)
    except (OSError, ValueError):
        return None
    return info.st_dev, info.st_ino


def check_replaceable(path: str | os.PathLike[str], protected: Collection[FileId] = (),
                      what: str = "the file") -> None:
    """Raise a MotifgenError unless `path` is free to be replaced by a file motifgen
    writes: absent (its folder may be created) or a regular file that is none of the
    `protected` ones (a project and its motif files) and not a symbolic link."""
    from ..errors import MotifgenError

    target = Path(path)
    try:
        info = target.lstat()
    except FileNotFoundError:
        info = None
    except NotADirectoryError:
        info = None  # a regular file on the way: found below
    except OSError as e:
        raise MotifgenError(f"cannot write {what}: {_why(e)}", str(target)) from e
    if info is None:
        for parent in target.absolute().parents:
            try:
                parent_info = parent.stat()
            except OSError:
                continue
            if not stat.S_ISDIR(parent_info.st_mode):
                raise MotifgenError(f"cannot write {what}: {parent} is a file, not a folder",
                                    str(target))
            break
        return
    if stat.S_ISLNK(info.st_mode):
        raise MotifgenError(f"{what} is a symbolic link (to {os.readlink(target)}); motifgen "
                            "does not write through links or replace them: remove it or "
                            "write elsewhere", str(target))
    if stat.S_ISDIR(info.st_mode):
        raise MotifgenError(f"{what} is a folder; expected a file name", str(target))
    if not stat.S_ISREG(info.st_mode):
        raise MotifgenError(f"{what} is not a regular file (a device, FIFO or socket); "
                            "motifgen replaces only regular files", str(target))
    if (info.st_dev, info.st_ino) in protected:
        raise MotifgenError(f"{what} is a file the project is read from (the project file "
                            "or a motif file); it is never overwritten: write elsewhere",
                            str(target))


@contextlib.contextmanager
def signals_held() -> Iterator[None]:
    """Hold SIGINT and SIGTERM (delivered when the block ends) so that a group of
    renames is not cut in half."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    held = {signal.SIGINT, signal.SIGTERM}
    old = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


@contextlib.contextmanager
def folder_lock(folder: Path, waiting: str | None = None) -> Iterator[None]:
    """Hold an exclusive lock on `folder` itself (flock on the folder, so no lock file
    is left in it); a second holder waits, printing `waiting` on stderr when given."""
    try:
        import fcntl
    except ImportError:  # not POSIX: no lock
        yield
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if waiting:
                import sys

                print(waiting, file=sys.stderr, flush=True)
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


@contextlib.contextmanager
def staged_folder(folder: str | os.PathLike[str], protected: Collection[FileId] = (),
                  waiting: str | None = None) -> Iterator[Path]:
    """Yield a hidden, empty folder inside `folder` to write files into; when the block
    ends without an exception, move each of them onto its namesake in `folder`. The
    staging folder is removed either way, so a failed block changes nothing in `folder`.
    Every namesake is checked with `check_replaceable` (`protected`: files never to
    replace) before the first rename, the renames run with SIGINT and SIGTERM held, and
    the whole block holds `folder_lock` (two runs into one folder take turns). A problem
    with `folder` itself (not a folder, not writable) is a MotifgenError.

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
    check_folder(final)
    try:
        final.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise MotifgenError(f"cannot write the output folder: {_why(e)}", str(final)) from e
    with folder_lock(final, waiting):
        try:
            stage = Path(tempfile.mkdtemp(prefix=".motifgen-", dir=final))
        except OSError as e:
            raise MotifgenError(f"cannot write the output folder: {_why(e)}",
                                str(final)) from e
        try:
            try:
                yield stage
            except OSError as e:  # a writer: a full disk, an I/O error
                name = Path(e.filename).name if e.filename else "a file"
                raise MotifgenError(f"cannot write {name}: {_why(e)} (the output folder is "
                                    "left as it was)", str(final)) from e
            items = sorted(stage.iterdir())
            for item in items:
                check_replaceable(final / item.name, protected, item.name)
            with signals_held():
                _replace_all(items, final, stage)
        except OSError as e:
            name = Path(e.filename).name if e.filename else "the output folder"
            raise MotifgenError(f"cannot write {name}: {_why(e)}", str(final)) from e
        finally:
            with signals_held():
                shutil.rmtree(stage, ignore_errors=True)


def _replace_all(items: list[Path], final: Path, stage: Path) -> None:
    """Move every item onto its namesake in `final`; if one move fails, put back what the
    earlier ones replaced (kept as hard links, or copies where links are not possible)."""
    keep = Path(tempfile.mkdtemp(prefix=".old-", dir=stage))
    kept: dict[str, Path] = {}
    for item in items:
        old = final / item.name
        if old.exists():
            backup = keep / item.name
            try:
                os.link(old, backup)
            except OSError:
                shutil.copy2(old, backup)
            kept[item.name] = backup
    done: list[Path] = []
    try:
        for item in items:
            os.replace(item, final / item.name)
            done.append(item)
    except OSError:
        for item in reversed(done):
            with contextlib.suppress(OSError):
                if item.name in kept:
                    os.replace(kept[item.name], final / item.name)
                else:
                    os.unlink(final / item.name)
        raise


def check_folder(folder: Path) -> None:
    """A MotifgenError unless `folder` is a folder (symlinks to one are fine) or can be
    made one."""
    from ..errors import MotifgenError

    try:
        info = folder.stat()
    except (FileNotFoundError, NotADirectoryError):
        check_replaceable(folder, what="the output folder")  # a file on the way?
        return
    except OSError as e:
        raise MotifgenError(f"cannot write the output folder: {_why(e)}", str(folder)) from e
    if not stat.S_ISDIR(info.st_mode):
        raise MotifgenError("cannot write the output folder: it is a file, not a folder",
                            str(folder))
