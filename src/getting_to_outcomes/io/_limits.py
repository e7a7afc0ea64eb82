"""How large an input may be before reading it is refused: bombs and broken files.

A small file can ask for a great deal of memory: an Excel workbook is a zip archive whose
members may expand a thousandfold (a zip bomb), a sheet may declare one cell at
``XFD1048576`` (a grid of 17 billion cells), a text file may hold one header of a million
columns. Each limit is checked before the memory is asked for, and a file past it is
refused with a :class:`~getting_to_outcomes.DataReadError` naming the file, what was found
and the limit, and how to raise it.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Final

from getting_to_outcomes.errors import DataReadError

__all__ = ["LIMIT_VARIABLES", "ReadLimits", "check_regular_file", "resolve_limits"]

#: Environment variable read by :meth:`ReadLimits.from_environment` for each limit.
LIMIT_VARIABLES: Final = {
    "max_columns": "GTO_MAX_COLUMNS",
    "max_cells": "GTO_MAX_CELLS",
    "max_expanded_bytes": "GTO_MAX_EXPANDED_BYTES",
    "max_compression_ratio": "GTO_MAX_COMPRESSION_RATIO",
}
#: Members smaller than this expand as they like: tiny XML parts compress very well.
_RATIO_FLOOR: Final = 1 << 20


@dataclass(frozen=True)
class ReadLimits:
    """Limits on what a data file may ask of memory; past one, reading is refused.

    Parameters
    ----------
    max_columns : int
        Most columns in a row of any file (default 16,384, Excel's own limit, column
        ``XFD``). Environment: ``GTO_MAX_COLUMNS``.
    max_cells : int
        Most cells (rows x columns) of the grid of an Excel sheet (default 25,000,000),
        checked against the sheet's declared dimension before reading and against the
        cells found while reading. Environment: ``GTO_MAX_CELLS``.
    max_expanded_bytes : int
        Most bytes an Excel workbook may expand to, all members of its zip archive
        together (default 1 GiB). Environment: ``GTO_MAX_EXPANDED_BYTES``.
    max_compression_ratio : float
        Most a member of an Excel workbook larger than 1 MiB may expand, as its size
        over its compressed size (default 200; spreadsheets compress 5 to 30 times,
        zip bombs a thousand times). Environment: ``GTO_MAX_COMPRESSION_RATIO``.

    Examples
    --------
    >>> ReadLimits(max_columns=500).max_columns
    500
    >>> import os
    >>> os.environ["GTO_MAX_CELLS"] = "1000000"
    >>> ReadLimits.from_environment().max_cells
    1000000
    >>> del os.environ["GTO_MAX_CELLS"]
    """

    max_columns: int = 16_384
    max_cells: int = 25_000_000
    max_expanded_bytes: int = 1 << 30
    max_compression_ratio: float = 200.0

    def __post_init__(self) -> None:
        for spec in fields(self):
            value = getattr(self, spec.name)
            if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
                raise ValueError(f"ReadLimits.{spec.name} must be a positive number; got {value!r}")

    @classmethod
    def from_environment(cls) -> ReadLimits:
        """The default limits, each replaced by its environment variable when set.

        Raises
        ------
        ValueError
            A variable is set to something that is not a positive number.
        """
        given: dict[str, int | float] = {}
        for name, variable in LIMIT_VARIABLES.items():
            text = os.environ.get(variable, "").strip().replace("_", "")
            if not text:
                continue
            try:
                value: int | float = (
                    float(text) if name == "max_compression_ratio" else int(text)
                )
            except ValueError:
                raise ValueError(
                    f"{variable}={os.environ[variable]!r} is not a positive "
                    f"{'number' if name == 'max_compression_ratio' else 'whole number'}"
                ) from None
            given[name] = value
        try:
            return cls(**given)  # type: ignore[arg-type]
        except ValueError as exc:
            name = str(exc).split(".", 1)[1].split(" ", 1)[0]
            raise ValueError(f"{LIMIT_VARIABLES[name]}: {exc}") from None

    def hint(self, name: str) -> str:
        """How to raise one limit, in words."""
        return (
            f"if the file is genuine, raise the limit with the environment variable "
            f"{LIMIT_VARIABLES[name]} or ReadLimits({name}=...)"
        )


def resolve_limits(limits: ReadLimits | None) -> ReadLimits:
    """``limits``, or the limits of the environment when none are given."""
    if limits is not None:
        return limits
    try:
        return ReadLimits.from_environment()
    except ValueError as exc:
        raise DataReadError(f"read limits: {exc}") from None


_KINDS: Final = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def check_regular_file(path: Path) -> os.stat_result:
    """Refuse anything but a regular file before opening it (a pipe would block forever).

    Raises :class:`~getting_to_outcomes.DataReadError` for a missing path, a folder, a
    named pipe, a device or a socket.
    """
    file = str(path)
    try:
        info = path.stat()
    except FileNotFoundError:
        raise DataReadError(f"{file}: no such file") from None
    except OSError as exc:
        raise DataReadError(f"{file}: cannot be read ({exc.strerror or exc})") from None
    if not stat.S_ISREG(info.st_mode):
        what = next((label for test, label in _KINDS if test(info.st_mode)), "not a regular file")
        raise DataReadError(
            f"{file}: is {what}, not a regular file; give the path of a data file "
            "(.csv, .xlsx, .parquet or .sav) saved on disk"
        )
    return info
