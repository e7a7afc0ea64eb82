"""Helpers shared by the subcommands: framework option, output formats, atomic writes."""

from __future__ import annotations

import json
from collections.abc import Callable
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


def fail(message: str, code: int = 1) -> None:
    """Print a message on stderr and exit with ``code``."""
    click.echo(message, err=True)
    raise SystemExit(code)


def open_framework(path: str | None) -> Framework:
    """Load a framework or exit 1 with every problem listed."""
    from getting_to_outcomes.definitions import load_framework

    try:
        return load_framework(path)
    except GTOError as exc:
        fail(str(exc))
        raise  # pragma: no cover - fail() exits


def echo_frame(frame: pd.DataFrame, output_format: str) -> None:
    """Print a DataFrame as a readable table, JSON records or CSV."""
    import pandas as pd

    if output_format == "json":
        click.echo(frame.to_json(orient="records", indent=2, force_ascii=False, date_format="iso"))
    elif output_format == "csv":
        click.echo(frame.to_csv(index=False), nl=False)
    elif frame.empty:
        click.echo("(nothing to show)")
    else:
        with pd.option_context("display.max_colwidth", 60, "display.width", 200):
            click.echo(frame.to_string(index=False))


def dump_json(data: Any) -> str:
    """JSON text with stable key order and non-ASCII kept readable."""
    return json.dumps(data, indent=2, ensure_ascii=False, default=str)
