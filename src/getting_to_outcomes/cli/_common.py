"""Helpers shared by the subcommands: framework option, output formats, atomic writes."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

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
