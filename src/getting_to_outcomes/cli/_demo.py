"""``gto demo``: the main job on bundled data, for a first look."""

from __future__ import annotations

from pathlib import Path

import click

from getting_to_outcomes.cli._common import framework_option, open_framework


@click.command()
@framework_option
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("gto-demo-report"),
    show_default=True,
    help="Folder for the demo's outputs.",
)
def demo(framework_path: str | None, out_dir: Path) -> None:
    """Show the framework's map (the theory of change and its indicators)."""
    framework = open_framework(framework_path)
    click.echo(framework.map_text())
