"""``gto score``: validate files of one data source and score progress from the valid rows."""

from __future__ import annotations

import json
import re
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

__all__ = ["groupings", "score_command", "unanswered"]

_USAGE = 2
_TABLE_COLUMNS = ["group", "indicator_id", "period", "n", "value", "ci_low", "ci_high",
                  "change", "status", "score_0_100"]


def unanswered(report: ValidationReport) -> list[str]:
    """What validation found cannot be scored, one line per file and indicator (or per
    file without answers), the file by its name."""
    issues = report.issues
    found = issues[issues["reason"].isin(("no_answers", "unscorable"))]
    return [f"{Path(file).name}: {message}" for file, message in found[["file", "message"]].values]


def groupings(value: str, option: str) -> list[str] | None:
    """The columns of a ``--by`` value: one, several separated by commas, or None for one group.

    Exits 2 (usage) for an empty name, a repeated column, or ``none`` beside columns.

    Examples
    --------
    >>> groupings("org_id", "--by"), groupings("org_id, region", "--by"), groupings("none", "--by")
    (['org_id'], ['org_id', 'region'], None)
    """
    columns = [c.strip() for c in value.split(",")]
    if any(not c for c in columns):
        fail(f"Error: {option} {value!r}: a column name is empty; give columns separated by "
             "commas, e.g. org_id,region", _USAGE)
    if len(columns) == 1 and columns[0].casefold() == "none":
        return None
    if any(c.casefold() == "none" for c in columns):
        fail(f"Error: {option} {value!r}: 'none' (one group) cannot be combined with columns",
             _USAGE)
    repeated = sorted({c for c in columns if columns.count(c) > 1})
    if repeated:
        fail(f"Error: {option} {value!r} names {', '.join(repeated)} more than once", _USAGE)
    return columns


def _per_grouping(out: Path, column: str) -> Path:
    """The file of one grouping in a joint call: the column's name before the ending."""
    # A column name may hold characters a file name should not.
    safe = re.sub(r"[^\w.-]", "_", column)
    return out.with_name(f"{out.stem}-{safe}{out.suffix}")


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
@click.option("--by", "group_by", default="org_id", show_default=True, metavar="COLUMN[,COLUMN]",
              help="Column to group by (organization, site, region, cohort); 'none' for one "
              "group. Several columns separated by commas (org_id,region) give one summary "
              "per column with small groups withheld jointly, so that no withheld value can "
              "be worked out from all of them together; --out FILE then writes one file per "
              "column, FILE-COLUMN.csv.")
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
    columns = groupings(group_by, "--by")
    framework = open_framework(framework_path)
    try:
        framework.source(source)
    except UnknownIndicatorError as exc:
        fail(f"Error: {exc}; data sources: {', '.join(framework.sources)}", _USAGE)
    joint = columns is not None and len(columns) > 1
    outs = {c: _per_grouping(out, c) for c in columns or ()} if joint and out is not None else {}
    if len(set(outs.values())) < len(outs):
        fail(f"Error: --by {group_by}: two columns would be written to the same file; rename "
             "a column", _USAGE)
    for written in [*outs.values(), *([out] if out is not None and not joint else [])]:
        if {Path(f).resolve() for f in files} & {written.resolve()}:
            fail(f"Error: --out {written} is one of the input files; choose another name",
                 _USAGE)
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
    indicators = [i.id for i in framework.indicators.filter(source=source)]
    try:
        if joint:
            summaries = score(report, framework, group_by=columns or [], baseline_period=baseline,
                              current_period=current, targets=targets, min_n=min_n,
                              indicators=indicators)
            _show_jointly(summaries, outs, output_format, raw_cells)
            return
        summary = score(report, framework, group_by=None if columns is None else columns[0],
                        baseline_period=baseline, current_period=current, targets=targets,
                        min_n=min_n, indicators=indicators)
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


def _show_jointly(summaries: dict[str, ProgressSummary], outs: dict[str, Path],
                  output_format: str, raw_cells: bool) -> None:
    """Write or print the summaries of a joint call: one per grouping, never one alone."""
    import pandas as pd

    for column, summary in summaries.items():
        if column in outs:
            _write(summary, output_format, outs[column], raw_cells)
            click.echo(f"wrote {outs[column]} (by {column}, withheld jointly with "
                       f"{', '.join(c for c in summaries if c != column)})")
    if outs:
        return
    if output_format == "json":
        click.echo(json.dumps({"groupings": list(summaries),
                               "summaries": {c: json.loads(_json(s))
                                             for c, s in summaries.items()}},
                              indent=2, ensure_ascii=False))
    elif output_format == "csv":
        frames = [s.to_frame().assign(grouping=c) for c, s in summaries.items()]
        table = pd.concat(frames, ignore_index=True)
        echo_frame(table[["grouping", *(c for c in table.columns if c != "grouping")]], "csv",
                   raw_cells=raw_cells)
    else:
        for k, (column, summary) in enumerate(summaries.items()):
            others = ", ".join(c for c in summaries if c != column)
            click.echo(("\n" if k else "") + f"By {column} (small groups withheld jointly "
                       f"with {others}):")
            click.echo(summary.summary())
            click.echo("")
            echo_frame(_current_table(summary), "table")
