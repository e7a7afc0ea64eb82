"""Helpers shared by the subcommands: framework option, output formats, atomic writes."""

from __future__ import annotations

import itertools
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, TypeVar

import click

from getting_to_outcomes.errors import GTOError

if TYPE_CHECKING:
    import pandas as pd

    from getting_to_outcomes.definitions import Framework

F = TypeVar("F", bound=Callable[..., Any])

framework_option = click.option(
    "--framework",
    "framework_path",
    default=None,
    metavar="PATH",
    help="Folder or YAML file of a framework, or a bundled framework name "
    "(default: the bundled Getting to Outcomes 2013 framework).",
)

format_option = click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "json", "csv"]),
    default="table",
    show_default=True,
    help="table for people, json or csv for programs.",
)

raw_cells_option = click.option(
    "--raw-cells",
    is_flag=True,
    help="Write CSV and Excel cells as they are. By default a text cell that a spreadsheet "
    "would run as a formula (it starts with = + - @, a tab or a carriage return) gets a "
    "leading ' so that it shows as text; numbers are never changed.",
)


#: Names a data file may end in: those the readers know (CSV and other delimited text,
#: Excel, Parquet, SPSS).
DATA_SUFFIXES: Final = (".csv", ".tsv", ".txt", ".tab", ".xlsx", ".xlsm", ".parquet", ".pq",
                        ".sav", ".zsav")
#: Tables given beside the data (targets, display names): delimited text.
TEXT_TABLE_SUFFIXES: Final = (".csv", ".tsv", ".txt", ".tab")

# Files people give by mistake, and what to do instead.
_NOT_TABLES: Final = {
    ".xls": "an Excel 97-2003 workbook; save it as .xlsx (Excel Workbook) or CSV",
    ".ods": "an OpenDocument spreadsheet; save it as .xlsx or CSV",
    ".numbers": "a Numbers spreadsheet; export it as .xlsx or CSV",
    ".json": "JSON, not a table; export the data as CSV or Excel (.xlsx)",
    ".yaml": "YAML, not a table; definitions are given with --framework",
    ".yml": "YAML, not a table; definitions are given with --framework",
    ".pdf": "a PDF document, not a table; export the data as CSV or Excel (.xlsx)",
    ".docx": "a Word document, not a table; export the data as CSV or Excel (.xlsx)",
    ".zip": "a zip archive; unpack it and give the data files in it",
    ".gz": "a compressed file; unpack it and give the data file in it",
}


# ParamType takes type arguments from click 8.2 on; the library supports 8.1.
class InputFile(click.ParamType):  # type: ignore[type-arg]
    """A file the command reads, checked before any work with a message that says what to give.

    A folder, a missing path, an empty name or a file whose ending no reader knows is a
    usage error (exit 2) naming the path and an example of what would be right; a file
    that exists but cannot be read, and anything but a regular file (a named pipe, a
    device), is left to the reader, which says why (exit 1).

    Parameters
    ----------
    kind : str
        What the file holds, for the messages (``"data file"``, ``"targets file"``).
    suffixes : tuple of str
        Endings accepted; empty for any.
    example : str
        The name of a file that would be right, shown in the messages.

    Examples
    --------
    >>> InputFile("targets file", TEXT_TABLE_SUFFIXES, "targets.csv").name
    'targets file'
    """

    def __init__(self, kind: str, suffixes: tuple[str, ...], example: str) -> None:
        self.name = kind
        self.suffixes = suffixes
        self.example = example

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> str:
        name = os.fspath(value)
        if not str(name).strip():
            self.fail(f"an empty name was given; give a {self.name}, e.g. {self.example}",
                      param, ctx)
        path = Path(name)
        if path.is_dir():
            self.fail(f"{name} is a folder; give a {self.name}, e.g. "
                      f"{self._inside(path)}", param, ctx)
        if not path.exists():
            self.fail(f"{name}: no such file; give the path of a {self.name}, e.g. "
                      f"{self.example}", param, ctx)
        # A pipe or a device is left to the reader, which says what it is instead.
        if self.suffixes and path.is_file() and path.suffix.casefold() not in self.suffixes:
            self.fail(self.problem(path), param, ctx)
        return str(name)

    def problem(self, path: Path) -> str:
        """Why a file's name does not end as a file of this kind, and what to give instead."""
        suffix = path.suffix.casefold()
        what = _NOT_TABLES.get(suffix)
        if what:
            return f"{path} is {what}"
        ending = f"ends in {path.suffix!r}" if suffix else "has no ending"
        return (f"{path} {ending}, which gto does not read as a {self.name}; give a file "
                f"ending in {', '.join(self.suffixes)} (rename a CSV export to end in .csv)")

    def _inside(self, folder: Path) -> str:
        """A file of the folder that would do, else the example placed in the folder."""
        try:
            # A folder of millions of files is not listed whole for a hint.
            entries = sorted(itertools.islice(folder.iterdir(), 1000))
        except OSError:
            entries = []
        for entry in entries:
            if entry.suffix.casefold() in self.suffixes and entry.is_file():
                return str(entry)
        return str(folder / self.example)


def fail(message: str, code: int = 1) -> None:
    """Print a message on stderr and exit with ``code``."""
    click.echo(message, err=True)
    raise SystemExit(code)


def open_framework(path: str | None) -> Framework:
    """Load a framework or exit 1 with every problem listed."""
    from getting_to_outcomes.definitions import load_framework

    if path is not None and not path.strip():
        # An empty path would otherwise read the current folder as a framework.
        fail("Error: --framework is empty; give a folder, a YAML file or a bundled name", 2)
    try:
        return load_framework(path)
    except GTOError as exc:
        fail(str(exc))
        raise  # pragma: no cover - fail() exits


def read_small_csv(path: Path, what: str, **options: Any) -> pd.DataFrame:
    """A small CSV given beside the data (targets, names), or exit 1 saying what is wrong.

    The message names the file and, when the parser knows it, the row; never a traceback.
    """
    import pandas as pd

    try:
        frame: pd.DataFrame = pd.read_csv(path, **options)
        return frame
    except UnicodeDecodeError as exc:
        fail(f"Error: {path}: the {what} file is not UTF-8 text (byte {exc.start} cannot be "
             "read); save it as CSV UTF-8")
    except pd.errors.EmptyDataError:
        fail(f"Error: {path}: the {what} file is empty; it needs a header row")
    except (pd.errors.ParserError, ValueError) as exc:
        fail(f"Error: {path}: the {what} file is not a readable CSV table: "
             f"{' '.join(str(exc).split())}")
    except OSError as exc:
        fail(f"Error: {path}: the {what} file cannot be read ({exc.strerror or exc})")
    raise AssertionError  # pragma: no cover - fail() exits


def output_path(path: Path | None, option: str) -> Path | None:
    """``None`` for ``-`` (standard output) where a command allows it; the path otherwise."""
    if path is not None and str(path) == "-":
        return None
    return path


def echo_frame(frame: pd.DataFrame, output_format: str, *, raw_cells: bool = False) -> None:
    """Print a DataFrame as a readable table, JSON records or CSV (formulas neutralised)."""
    import pandas as pd

    from getting_to_outcomes.io import csv_text

    if output_format == "json":
        click.echo(frame.to_json(orient="records", indent=2, force_ascii=False, date_format="iso"))
    elif output_format == "csv":
        click.echo(csv_text(frame, raw_cells=raw_cells), nl=False)
    elif frame.empty:
        click.echo("(nothing to show)")
    else:
        with pd.option_context("display.max_colwidth", 60, "display.width", 200):
            click.echo(frame.to_string(index=False))


def dump_json(data: Any) -> str:
    """JSON text with stable key order and non-ASCII kept readable."""
    return json.dumps(data, indent=2, ensure_ascii=False, default=str)
