"""``gto demo``: the main job on bundled data, for a first look.

It runs what a grantee or funder would run on their own files: check the framework,
validate a messy survey export, then validate, score and report the whole example
network in one funder report.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import click

from getting_to_outcomes.cli._common import framework_option, open_framework
from getting_to_outcomes.cli._report import report

_MESSY_EXPORT = "leadership_survey_export_messy.csv"
_DEMO_MARKER = ".gto-demo"


@click.command()
@framework_option
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("gto-demo-report"),
    show_default=True,
    help="Folder for the demo's report; a previous demo report there is replaced.",
)
@click.pass_context
def demo(ctx: click.Context, framework_path: str | None, out_dir: Path) -> None:
    """Validate, score and report the bundled example network (synthetic data)."""
    from getting_to_outcomes.datasets import DEFAULT_EXAMPLE, load_example
    from getting_to_outcomes.validation import validate

    framework = open_framework(framework_path)
    example = load_example(DEFAULT_EXAMPLE)
    click.echo(framework.map_text())

    click.echo(f"\n1. Validating a messy survey export ({_MESSY_EXPORT}, synthetic):")
    checked = validate(example.files[_MESSY_EXPORT], framework, source="leadership_survey")
    click.echo(checked.summary(max_issues=12))

    click.echo(f"\n2. Validating, scoring and reporting the {len(example.orgs)} grantees "
               f"of the example network ({example.name}, synthetic data):")
    _clear_previous_demo(out_dir)
    ctx.invoke(report, data=(f"example:{example.name}",), framework_path=framework_path,
               out_dir=out_dir, compare=True)
    (out_dir / _DEMO_MARKER).write_text("written by gto demo\n", encoding="utf-8")
    click.echo(f"\nOpen the report: {(out_dir / 'report.html').resolve()}")


def _clear_previous_demo(out_dir: Path) -> None:
    # Only a folder this command wrote itself is replaced; anything else is left alone
    # and the report command refuses it as usual.
    if (out_dir / _DEMO_MARKER).is_file():
        shutil.rmtree(out_dir)
