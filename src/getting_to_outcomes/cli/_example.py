"""``gto example``: list, export and regenerate the bundled (synthetic) example data."""

from __future__ import annotations

from pathlib import Path

import click

from getting_to_outcomes.cli._common import echo_frame, fail, format_option
from getting_to_outcomes.errors import GTOError

#: The example that ``export`` and ``regenerate`` take when none is named (the datasets
#: package's default, checked by a test; spelled here so that ``gto --help`` stays light).
DEFAULT_EXAMPLE = "cper-network"


@click.group()
def example() -> None:
    """Bundled example data sets (synthetic: invented groups and people)."""


@example.command("list")
@format_option
def list_command(output_format: str) -> None:
    """List the example data sets and their tables."""
    import pandas as pd

    from getting_to_outcomes.datasets import list_examples, load_example

    rows = []
    for name in list_examples():
        data = load_example(name)
        rows.append(
            {
                "name": name,
                "synthetic": data.synthetic,
                "orgs": len(data.orgs),
                "tables": ", ".join(f"{k} ({len(v):,})" for k, v in data.tables.items()),
                "description": data.description,
            }
        )
    echo_frame(pd.DataFrame(rows), output_format)


@example.command("export")
@click.argument("name", default=DEFAULT_EXAMPLE)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Folder to copy the files into (created if needed).",
)
def export_command(name: str, out_dir: Path) -> None:
    """Copy the files of example NAME into a folder to try them out."""
    from getting_to_outcomes.datasets import export_example

    try:
        copied = export_example(name, out_dir)
    except GTOError as exc:
        fail(str(exc))
        return
    click.echo(f"Copied {len(copied)} files of the synthetic example {name!r} to {out_dir}:")
    for path in copied:
        click.echo(f"  {path.name}")


@example.command("regenerate")
@click.argument("name", default=DEFAULT_EXAMPLE)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Folder to write into (the bundled copy inside the library is never overwritten).",
)
@click.option("--seed", type=int, default=None, help="Seed (default: the example's own seed).")
def regenerate(name: str, out_dir: Path, seed: int | None) -> None:
    """Generate example NAME again from its seed; the same seed gives identical files."""
    from getting_to_outcomes.datasets import write_example

    try:
        written = (
            write_example(name, out_dir)
            if seed is None
            else write_example(name, out_dir, seed=seed)
        )
    except GTOError as exc:
        fail(str(exc))
        return
    folder = written[0].parent if written else out_dir
    click.echo(f"Wrote {len(written)} files of the synthetic example {name!r} to {folder}")
