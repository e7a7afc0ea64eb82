"""``gto score``: validate files of one data source and score progress from the valid rows."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

from getting_to_outcomes.cli._common import (
    DATA_SUFFIXES,
    TEXT_TABLE_SUFFIXES,
    InputFile,
    echo_frame,
    fail,
    format_option,
    framework_option,
    open_framework,
    output_path,
    raw_cells_option,
    read_small_csv,
)
from getting_to_outcomes.errors import DataReadError, GTOError, UnknownIndicatorError

if TYPE_CHECKING:
    import pandas as pd

    from getting_to_outcomes.scoring import ProgressSummary
    from getting_to_outcomes.validation import ValidationReport

__all__ = ["score_command", "unanswered"]

_USAGE = 2
_TABLE_COLUMNS = ["group", "indicator_id", "period", "n", "value", "ci_low", "ci_high",
                  "change", "status", "score_0_100"]


def unanswered(report: ValidationReport) -> list[str]:
    """What validation found cannot be scored, one line per file and indicator (or per
    file without answers), the file by its name."""
    issues = report.issues
    found = issues[issues["reason"].isin(("no_answers", "unscorable"))]
    return [f"{Path(file).name}: {message}" for file, message in found[["file", "message"]].values]


def _read_targets(path: Path | None) -> pd.DataFrame | None:
    if path is None:
        return None
    return read_small_csv(path, "targets", dtype={"period": "string"})


def _current_table(summary: ProgressSummary) -> pd.DataFrame:
    """Rows of the current period for whole groups, with data or withheld."""
    frame = summary.to_frame()
    current = {sid: w.current for sid, w in summary.windows.items()}
    source = {i.id: i.source for i in summary.framework.indicators}
    now = frame["period"] == frame["indicator_id"].map(source).map(current)
    rows = frame[now & (frame["subgroup_dimension"] == "all")]
    rows = rows[rows["n"].notna() | rows["suppressed"]]
    table = rows[_TABLE_COLUMNS].copy()
    table.loc[rows["suppressed"].to_numpy(), "status"] = "withheld (small group)"
    return table.round({"value": 3, "ci_low": 3, "ci_high": 3, "change": 3, "score_0_100": 0})


def _json(summary: ProgressSummary) -> str:
    def records(frame: pd.DataFrame) -> list[dict[str, object]]:
        parsed: list[dict[str, object]] = json.loads(
            frame.to_json(orient="records", date_format="iso"))
        return parsed

    payload = {
        "framework": {"id": summary.framework_id, "version": summary.framework_version},
        "options": dict(summary.options),
        "periods": {sid: list(w.periods) for sid, w in summary.windows.items()},
        "warnings": list(summary.warnings),
        "indicators": records(summary.to_frame()),
        "by_stop": records(summary.by_stop()),
        "by_zone": records(summary.by_zone()),
        "by_realm": records(summary.by_realm()),
    }
    return json.dumps(payload, indent=2, ensure_ascii=False)


def _write(summary: ProgressSummary, output_format: str, out: Path, raw_cells: bool) -> None:
    from getting_to_outcomes.io import write_atomic, write_table

    suffix = out.suffix.casefold()
    if suffix == ".xlsx":
        write_table({"indicators": summary.to_frame(), "by_stop": summary.by_stop(),
                     "by_zone": summary.by_zone(), "by_realm": summary.by_realm()},
                    out, "xlsx", raw_cells=raw_cells)
        return
    if output_format == "csv" or (suffix == ".csv" and output_format != "json"):
        write_table(summary.to_frame(), out, "csv", raw_cells=raw_cells)
        return

    def writer(temporary: Path) -> None:
        if output_format == "json" or suffix == ".json":
            temporary.write_text(_json(summary), encoding="utf-8")
        else:
            text = summary.summary() + "\n\n" + _current_table(summary).to_string(index=False)
            temporary.write_text(text + "\n", encoding="utf-8")

    write_atomic(out, writer)


@click.command("score")
@click.argument("files", nargs=-1, required=True,
                type=InputFile("data file", DATA_SUFFIXES, "survey.csv"))
@click.option("--source", required=True, metavar="NAME",
              help="Data source of the files, e.g. leadership_survey.")
@framework_option
@click.option("--by", "group_by", default="org_id", show_default=True, metavar="COLUMN",
              help="Column to group by (organization, site, region, cohort); 'none' for one "
              "group.")
@click.option("--baseline", default=None, metavar="PERIOD", help="Baseline period or wave.")
@click.option("--current", default=None, metavar="PERIOD", help="Current period or wave.")
@click.option("--targets", "targets_path", default=None,
              type=InputFile("targets file", TEXT_TABLE_SUFFIXES, "targets.csv"),
              help="CSV of grantee baselines and targets: group (or the --by column), "
              "indicator_id, baseline, target, period.")
@click.option("--min-n", default=None, type=click.IntRange(min=1),
              help="Withhold values from fewer units than this (default: each indicator's own).")
@format_option
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the result to this file (.csv, .json, .xlsx or .txt) instead of "
              "printing it.")
@raw_cells_option
def score_command(
    files: tuple[str, ...], source: str, framework_path: str | None, group_by: str,
    baseline: str | None, current: str | None, targets_path: str | None, min_n: int | None,
    output_format: str, out: Path | None, raw_cells: bool,
) -> None:
    """Score progress on the indicators of one data source from its FILES.

    The files are validated first; rows with errors are left out (and counted), so run
    `gto validate` to see and fix them. Values from fewer people than an indicator's min_n
    are withheld in every output. Exit status: 0 when scored, 1 when the data cannot be
    scored, 2 on a usage error.
    """
    from getting_to_outcomes.scoring import score
    from getting_to_outcomes.validation import validate

    out = output_path(out, "--out")
    framework = open_framework(framework_path)
    try:
        framework.source(source)
    except UnknownIndicatorError as exc:
        fail(f"Error: {exc}; data sources: {', '.join(framework.sources)}", _USAGE)
    if out is not None and {Path(f).resolve() for f in files} & {out.resolve()}:
        fail(f"Error: --out {out} is one of the input files; choose another name", _USAGE)
    targets = _read_targets(None if targets_path is None else Path(targets_path))
    try:
        report = validate(list(files), framework, source=source)
    except DataReadError as exc:
        fail(f"Error: {exc}", 1)
        return
    rejected = len(report.rejected_rows)
    if rejected:
        click.echo(f"Warning: {rejected} row(s) with errors were left out; run `gto validate "
                   f"{' '.join(files)} --source {source}` to see them.", err=True)
    for note in unanswered(report):
        click.echo(f"Warning: {note}", err=True)
    if report.valid_rows.empty:
        fail("Error: no valid rows to score.", 1)
    try:
        summary = score(
            report, framework, group_by=None if group_by.casefold() == "none" else group_by,
            baseline_period=baseline, current_period=current, targets=targets, min_n=min_n,
            indicators=[i.id for i in framework.indicators.filter(source=source)],
        )
    except GTOError as exc:
        fail(f"Error: {exc}", 1)
        return
    if out is not None:
        _write(summary, output_format, out, raw_cells)
        click.echo(f"wrote {out}")
    elif output_format == "json":
        click.echo(_json(summary))
    elif output_format == "csv":
        echo_frame(summary.to_frame(), "csv", raw_cells=raw_cells)
    else:
        click.echo(summary.summary())
        click.echo("")
        echo_frame(_current_table(summary), "table")
