"""Atomic file writes: a reader never sees a half-written file.

Every output the library writes (reports, charts, tables, validated rows) goes through a
temporary file in the target folder and is renamed into place, so an interrupted write
leaves the previous file, and an input file is never truncated in place.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

__all__ = ["write_atomic", "write_bytes_atomic"]


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
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
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
