"""Atomic writes: a reader never sees a half-written file or a half-replaced folder.

Every file the library writes (charts, tables, validated rows, scores) goes through a
temporary file in the target folder and is renamed into place, so an interrupted write
leaves the previous file, and an input file is never truncated in place. A report folder
is built whole in a hidden folder beside the target and swapped in
(:func:`write_folder_atomic`).

Temporary names carry the id of the process writing them. A process that is killed
(``SIGKILL``, a power cut) cannot remove its own, so the next write beside them removes
those whose process is gone.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
import stat
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Final, TypeVar

__all__ = [
    "PARTIAL_PREFIX",
    "replacing_folder",
    "write_atomic",
    "write_bytes_atomic",
    "write_folder_atomic",
]

T = TypeVar("T")

#: Start of the hidden name of a folder being written or replaced (see write_folder_atomic).
PARTIAL_PREFIX: Final = ".gto-partial-"
_PARTIAL: Final = re.compile(re.escape(PARTIAL_PREFIX) + r"(new|old)-(\d+)-[0-9a-f]+-(.+)\Z",
                             re.DOTALL)
_TEMPORARY_FILE: Final = re.compile(r"(\d+)-[^/]*\.tmp\Z", re.DOTALL)
# Where a process cannot be asked whether it runs, a leftover this old is taken as stale.
_STALE_SECONDS: Final = 24 * 3600


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# Read once at import: reading it later would briefly change the mask of a running program.
_FILE_MODE = 0o666 & ~_umask()


def write_atomic(path: Path, writer: Callable[[Path], object]) -> None:
    """Let ``writer`` fill a temporary file next to ``path``, then rename it to ``path``.

    The file gets the usual permissions (``0o666`` less the umask), not the private ones of
    a temporary file.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> write_atomic(folder / "note.txt", lambda tmp: tmp.write_text("done"))
    >>> (folder / "note.txt").read_text()
    'done'
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale_files(path)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.gto-{os.getpid()}-",
                                         suffix=".tmp")
    os.close(handle)
    try:
        writer(Path(temporary))
        os.chmod(temporary, _FILE_MODE)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_bytes_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (see :func:`write_atomic`)."""
    write_atomic(path, lambda temporary: temporary.write_bytes(data))


@contextlib.contextmanager
def replacing_folder(
    path: str | os.PathLike[str], *, keep: Iterable[str | os.PathLike[str]] = ()
) -> Iterator[Path]:
    """A new, empty folder to fill; on leaving the block it takes the place of ``path`` whole.

    The context-manager form of :func:`write_folder_atomic` (which see): an exception in the
    block removes the new folder and leaves ``path`` as it was.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp()) / "report"
    >>> with replacing_folder(folder) as new:
    ...     _ = (new / "a.txt").write_text("first")
    >>> (folder / "a.txt").read_text()
    'first'
    """
    # An absolute path, so that "." and ".." name a folder that can be renamed.
    target = Path(os.path.abspath(path))
    if target.is_symlink():
        # Replace the folder the link points to; the link itself stays.
        target = target.resolve()
    parent = target.parent
    parent.mkdir(parents=True, exist_ok=True)
    _remove_stale_folders(parent)
    token = f"{os.getpid()}-{secrets.token_hex(4)}-{target.name}"
    new = parent / f"{PARTIAL_PREFIX}new-{token}"
    old = parent / f"{PARTIAL_PREFIX}old-{token}"
    new.mkdir()
    try:
        os.chmod(new, _folder_mode(target))
        yield new
        inside = _working_folder_under(target)
        if target.is_dir():
            _carry(target, new, keep)
            os.replace(target, old)
        os.replace(new, target)
    except BaseException:
        _remove(new)
        raise
    if inside is not None:
        # The process worked inside the old folder: follow the name into the new one.
        with contextlib.suppress(OSError):
            os.chdir(target / inside)
    _remove(old)


def _working_folder_under(target: Path) -> Path | None:
    """The working folder relative to ``target`` when it lies inside it, else None."""
    try:
        here = Path.cwd().resolve()
    except OSError:
        return None
    root = target.resolve()
    if here == root or root in here.parents:
        return here.relative_to(root)
    return None


def write_folder_atomic(
    path: str | os.PathLike[str],
    writer: Callable[[Path], T],
    *,
    keep: Iterable[str | os.PathLike[str]] = (),
) -> T:
    """Let ``writer`` fill a new folder, then put it in place of ``path`` whole.

    The folder is built under a hidden name beside ``path`` (``.gto-partial-new-...``, on the
    same file system), so that a failure or an interruption while writing leaves ``path`` as
    it was. When it is complete, the old folder is renamed away (``.gto-partial-old-...``),
    the new one renamed to ``path``, and the old one removed. An exception in ``writer``
    (Ctrl-C included) removes the new folder; leftovers of a process that was killed are
    removed by the next call beside them, and an old folder left by a process killed
    between the two renames is put back when ``path`` is missing.

    Parameters
    ----------
    path : path-like
        The folder to write or replace; its parent is created when missing.
    writer : callable
        Called with the new folder (empty); what it returns is returned.
    keep : iterable of path-like
        Paths, relative to ``path``, of files of the old folder to carry into the new one
        unless ``writer`` wrote a file there (for example files that a person put in a report
        folder, which are not part of the report). They are hard-linked when the file
        system allows it, copied otherwise.

    Returns
    -------
    object
        What ``writer`` returned.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp()) / "report"
    >>> write_folder_atomic(folder, lambda new: (new / "a.txt").write_text("first"))
    5
    >>> def fail(new):
    ...     (new / "a.txt").write_text("second")
    ...     raise RuntimeError("interrupted")
    >>> write_folder_atomic(folder, fail)
    Traceback (most recent call last):
    ...
    RuntimeError: interrupted
    >>> (folder / "a.txt").read_text(), [p.name for p in folder.parent.iterdir()]
    ('first', ['report'])
    """
    with replacing_folder(path, keep=keep) as new:
        return writer(new)


def _remove_stale_folders(parent: Path) -> list[Path]:
    """Remove the partial folders in ``parent`` left by processes that no longer run.

    An old folder whose target is missing (its writer was killed between renaming the
    old folder away and the new one in) is renamed back instead. Returns what was removed
    or put back.
    """
    done: list[Path] = []
    with contextlib.suppress(OSError):  # a parent that cannot be listed has nothing to clean
        for entry in parent.iterdir():
            match = _PARTIAL.match(entry.name)
            if match is None or _running(int(match.group(2)), entry):
                continue
            kind, name = match.group(1), match.group(3)
            target = parent / name
            if kind == "old" and not target.exists():
                with contextlib.suppress(OSError):
                    os.replace(entry, target)
                    done.append(target)
                    continue
            _remove(entry)
            done.append(entry)
    return done


def _remove_stale_files(path: Path) -> None:
    """Remove temporary files for ``path`` left by processes that no longer run."""
    start = f".{path.name}.gto-"
    with contextlib.suppress(OSError):
        for entry in path.parent.iterdir():
            if not entry.name.startswith(start):
                continue
            match = _TEMPORARY_FILE.match(entry.name[len(start):])
            if match is not None and not _running(int(match.group(1)), entry):
                entry.unlink(missing_ok=True)


def _running(pid: int, leftover: Path) -> bool:
    """Whether the process that made ``leftover`` may still be writing it."""
    if pid == os.getpid():
        return True
    if os.name == "nt":  # signal 0 would end the process there; judge by age instead
        try:
            return time.time() - leftover.stat().st_mtime < _STALE_SECONDS
        except OSError:
            return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # it exists, under another user
        return True
    return True


def _folder_mode(target: Path) -> int:
    """The old folder's permissions, or the usual ones, not the private ones of mkdtemp."""
    try:
        return stat.S_IMODE(target.stat().st_mode)
    except OSError:
        return 0o777 & ~_umask()


def _carry(old: Path, new: Path, keep: Iterable[str | os.PathLike[str]]) -> None:
    root = old.resolve()
    for relative in keep:
        source = old / relative
        destination = new / relative
        if root not in source.resolve().parents and not source.is_symlink():
            continue
        if destination.exists() or destination.is_symlink() or not (
                source.is_file() or source.is_symlink()):
            continue
        destination.parent.mkdir(parents=True, exist_ok=True)
        if source.is_symlink():
            os.symlink(os.readlink(source), destination)
            continue
        try:
            os.link(source, destination)
        except OSError:  # a file system without hard links
            shutil.copy2(source, destination)


def _remove(path: Path) -> None:
    if path.is_symlink() or path.is_file():
        path.unlink(missing_ok=True)
    elif path.exists():
        shutil.rmtree(path, ignore_errors=True)
