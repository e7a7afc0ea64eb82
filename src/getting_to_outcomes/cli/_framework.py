"""``gto indicators``, ``gto check`` and ``gto schema``."""

from __future__ import annotations

import click

from getting_to_outcomes.cli._common import (
    dump_json,
    echo_frame,
    fail,
    format_option,
    framework_option,
    open_framework,
)
from getting_to_outcomes.definitions import SCHEMA_KINDS, check_framework, json_schema
from getting_to_outcomes.errors import UnknownIndicatorError


@click.group()
def indicators() -> None:
    """Browse the indicators of a framework."""


@indicators.command("list")
@framework_option
@click.option("--realm", type=click.Choice(["individual", "community", "policy"]))
@click.option("--zone", help="Zone id, e.g. building_power.")
@click.option("--stop", help="Stop id, e.g. developing_leadership.")
@format_option
def list_indicators(
    framework_path: str | None,
    realm: str | None,
    zone: str | None,
    stop: str | None,
    output_format: str,
) -> None:
    """List indicators, optionally of one realm, zone or stop."""
    framework = open_framework(framework_path)
    frame = framework.to_frame()
    for column, value in (("realm", realm), ("zone", zone), ("stop", stop)):
        if value is not None:
            frame = frame[frame[column] == value]
    if output_format == "table":
        frame = frame[["indicator_id", "realm", "stop", "kind", "direction", "name"]]
    echo_frame(frame.reset_index(drop=True), output_format)


@indicators.command("show")
@click.argument("indicator_id")
@framework_option
@click.option("--format", "output_format", type=click.Choice(["table", "json"]), default="table")
def show_indicator(indicator_id: str, framework_path: str | None, output_format: str) -> None:
    """Show one indicator's whole definition."""
    framework = open_framework(framework_path)
    try:
        indicator = framework.indicators[indicator_id]
    except UnknownIndicatorError as exc:
        fail(str(exc))
        return
    data = indicator.model_dump(mode="json", exclude_none=True)
    if output_format == "json":
        click.echo(dump_json(data))
        return
    stop = framework.stop(indicator.stop)
    click.echo(f"{indicator.id}  (version {indicator.version})")
    click.echo(f"  {indicator.name}")
    click.echo(f"  {indicator.definition}")
    click.echo(f"  realm {indicator.realm} / zone {indicator.zone} / stop {stop.name}")
    for key in (
        "measure",
        "unit",
        "direction",
        "valid_range",
        "source",
        "disaggregate_by",
        "baseline",
        "targets",
        "rubric",
        "min_n",
        "reliability_threshold",
        "provenance",
    ):
        if key in data and data[key] not in ([], None):
            click.echo(f"  {key}: {data[key]}")


@click.command()
@click.argument("path", required=False)
@click.option("--format", "output_format", type=click.Choice(["table", "json"]), default="table")
@click.option("--strict", is_flag=True, help="Exit 1 on warnings too.")
def check(path: str | None, output_format: str, strict: bool) -> None:
    """Check a framework folder or file; exit 1 when it has errors.

    Lists every error (file, line, column, field, value, what is expected) and lint
    warnings such as stops without indicators or scales without a reliability threshold.
    """
    problems = check_framework(path)
    errors = [p for p in problems if p.severity == "error"]
    if output_format == "json":
        click.echo(dump_json([p.__dict__ for p in problems]))
    else:
        for problem in problems:
            click.echo(str(problem))
        warnings = len(problems) - len(errors)
        click.echo(f"{len(errors)} error(s), {warnings} warning(s)")
    if errors or (strict and problems):
        raise SystemExit(1)


@click.command()
@click.option(
    "--kind",
    type=click.Choice(SCHEMA_KINDS),
    default="file",
    show_default=True,
    help="'file' validates any definition file; the others one section.",
)
def schema(kind: str) -> None:
    """Print the JSON Schema of definition files, for editors that validate YAML."""
    click.echo(dump_json(json_schema(kind)))


__all__ = ["check", "indicators", "schema"]
