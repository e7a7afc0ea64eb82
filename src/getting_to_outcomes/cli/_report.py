"""``gto report``: validate, score and write a grantee or funder report in one command."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from getting_to_outcomes.cli._common import (
    DATA_SUFFIXES,
    TEXT_TABLE_SUFFIXES,
    InputFile,
    fail,
    framework_option,
    open_framework,
    raw_cells_option,
    read_small_csv,
)
from getting_to_outcomes.cli._score import groupings, unanswered
from getting_to_outcomes.errors import GTOError

if TYPE_CHECKING:
    import pandas as pd

    from getting_to_outcomes.definitions import Framework
from getting_to_outcomes._format import plural

__all__ = ["report"]

_EXAMPLE_PREFIX = "example:"


@dataclass
class _Inputs:
    """What the DATA arguments amount to: files per data source, targets, names, notes."""

    files: dict[str, list[Path]] = field(default_factory=dict)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    targets: pd.DataFrame | None = None
    names: dict[str, str] = field(default_factory=dict)
    synthetic: bool | None = None
    skipped: list[str] = field(default_factory=list)
    #: How a data file is named in the report: from the folder given, or by its name alone
    #: (never an absolute path, which may hold a person's name).
    shown: dict[Path, str] = field(default_factory=dict)


def _source_of(path: Path, framework: Framework) -> str | None:
    return path.stem if path.stem in framework.sources else None


def _read_names(path: Path) -> dict[str, str]:
    frame = read_small_csv(path, "names", dtype=str, keep_default_na=False)
    if {"org_id", "name"} <= set(frame.columns):
        return dict(zip(frame["org_id"], frame["name"], strict=True))
    if len(frame.columns) >= 2:
        return dict(zip(frame.iloc[:, 0], frame.iloc[:, 1], strict=True))
    fail(f"{path}: a names file needs two columns, org_id and name")
    return {}


def _read_targets(path: Path) -> pd.DataFrame:
    return read_small_csv(path, "targets", dtype={"period": str, "org_id": str, "group": str})


def _add_folder(folder: Path, framework: Framework, inputs: _Inputs) -> None:
    manifest = folder / "MANIFEST.json"
    if manifest.is_file():
        try:
            content = json.loads(manifest.read_text(encoding="utf-8"))
        except ValueError:  # not JSON (or not UTF-8): the flag is simply not known
            content = None
        flag = content.get("synthetic") if isinstance(content, dict) else None
        if isinstance(flag, bool):
            inputs.synthetic = flag
    for path in sorted(folder.iterdir()):
        if not path.is_file() or path.name.startswith("."):
            continue
        if path.name == "targets.csv":
            inputs.targets = _read_targets(path)
        elif path.name in ("orgs.csv", "names.csv"):
            inputs.names.update(_read_names(path))
        elif path.suffix.casefold() in DATA_SUFFIXES and _source_of(path, framework):
            inputs.files.setdefault(path.stem, []).append(path)
            inputs.shown[path] = path.relative_to(folder).as_posix()
        elif path.name != "MANIFEST.json":
            inputs.skipped.append(path.name)


def _collect_inputs(data: Sequence[str], framework: Framework) -> _Inputs:
    inputs = _Inputs()
    sources = sorted(framework.sources)
    for item in data:
        if item.startswith(_EXAMPLE_PREFIX):
            from getting_to_outcomes.datasets import load_example

            example = load_example(item[len(_EXAMPLE_PREFIX):])
            inputs.tables.update(example.tables)
            inputs.targets = example.targets
            inputs.names.update(dict(zip(example.orgs["org_id"], example.orgs["name"],
                                         strict=True)))
            inputs.synthetic = example.synthetic
            continue
        source, _, name = item.rpartition("=")
        if not name.strip():
            # An empty name would otherwise read the current folder.
            fail(f"Error: {item!r}: an empty name was given; give a data file or a folder of "
                 "them, e.g. leadership_survey.csv", 2)
        path = Path(name)
        if not path.exists():
            fail(f"{name}: no such file or folder")
        if path.is_dir():
            _add_folder(path, framework, inputs)
            continue
        if path.suffix.casefold() not in DATA_SUFFIXES:
            reason = InputFile("data file", DATA_SUFFIXES, "leadership_survey.csv").problem(path)
            fail(f"Error: {reason}", 2)
        source = source or (_source_of(path, framework) or "")
        if not source:
            fail(f"{name}: cannot tell which data source this file holds; name it after one "
                 f"(e.g. leadership_survey.csv) or write SOURCE={name}. Data sources: "
                 f"{', '.join(sources)}")
        if source not in framework.sources:
            fail(f"{item}: unknown data source {source!r}; data sources: {', '.join(sources)}")
        inputs.files.setdefault(source, []).append(path)
        inputs.shown[path] = path.name
    if not inputs.files and not inputs.tables:
        fail("no data files found: give files named after data sources "
             f"({', '.join(sources)}), SOURCE=FILE, a folder of them, or example:cper-network")
    return inputs


def _left_out(source: str, rejected: int, read: int, files: Sequence[str]) -> str:
    return (f"{source}: {rejected} of {plural(read, 'row')} failed validation and were left "
            f"out (gto validate {' '.join(files)} --source {source} lists them).")


def _silent(done: int, total: int, label: str) -> None:
    """Progress that shows nothing."""


@contextmanager
def _progress_bar(enabled: bool) -> Iterator[Callable[[int, int, str], None]]:
    """A progress callback: a tqdm bar on a terminal, one plain line per step elsewhere.

    Off a terminal (a log file, a pipe, CI) a redrawn bar would leave carriage returns and
    partial lines; each step is written as a whole line on standard error instead, so that
    standard output keeps only the result.
    """
    if not enabled:
        yield _silent
        return
    if not sys.stderr.isatty():
        def line(done: int, total: int, label: str) -> None:
            click.echo(f"[{done}/{total}] {label}", err=True)

        yield line
        return
    from tqdm import tqdm  # type: ignore[import-untyped]

    # No monitor thread: report charts are drawn by forked processes, and a fork copies
    # only the calling thread.
    tqdm.monitor_interval = 0
    bar = tqdm(total=1, unit="step", file=sys.stderr, leave=False)

    def update(done: int, total: int, label: str) -> None:
        bar.total = total
        bar.n = done
        bar.set_description_str(label[:40])
        bar.refresh()

    try:
        yield update
    finally:
        bar.close()


def _labelled(step: Callable[[int, int, str], None],
              prefix: str) -> Callable[[int, int, str], None]:
    """A progress callback that names the report a step belongs to."""
    def labelled(done: int, total: int, label: str) -> None:
        step(done, total, f"{prefix}: {label}")

    return labelled


@click.command("report")
@click.argument("data", nargs=-1, required=True)
@framework_option
@click.option("--out", "out_dir", required=True,
              type=click.Path(file_okay=False, path_type=Path),
              help="Folder for report.html, charts, tables and summary.json.")
@click.option("--compare", is_flag=True,
              help="Funder report: every organization side by side (default: one "
                   "organization's report).")
@click.option("--org", default=None, metavar="ORG",
              help="Organization of a grantee report (a value of the grouping column).")
@click.option("--group-by", "--by", "group_by", default="org_id", show_default=True,
              metavar="COLUMN[,COLUMN]",
              help="Column whose values are the organizations (or sites, cohorts). Several "
              "columns separated by commas (org_id,region), with --compare, write one funder "
              "report per column into OUT/COLUMN/, small groups withheld jointly, so that "
              "no withheld value can be worked out from all of them together.")
@click.option("--targets", "targets_file", default=None,
              type=InputFile("targets file", TEXT_TABLE_SUFFIXES, "targets.csv"),
              help="CSV of grantee targets: org_id, indicator_id, baseline, target, period.")
@click.option("--names", "names_file", default=None,
              type=InputFile("names file", TEXT_TABLE_SUFFIXES, "orgs.csv"),
              help="CSV of display names: org_id, name.")
@click.option("--title", default=None, help="Report title.")
@click.option("--synthetic/--not-synthetic", default=None,
              help="Say that the data are synthetic (default: what the data say).")
@click.option("--force", is_flag=True,
              help="Write into a folder that is not empty, replacing a previous report.")
@click.option("--png", is_flag=True,
              help="Also write every chart as a PNG image (200 dpi) beside its SVG.")
@click.option("--pdf", is_flag=True,
              help="Also print the report to report.pdf, with headless Chromium where it is "
                   "installed (GTO_CHROMIUM names the program), else WeasyPrint "
                   "(pip install 'getting-to-outcomes[pdf]').")
@click.option("--quiet", is_flag=True,
              help="No progress (a bar on a terminal, a line per step on standard error "
                   "elsewhere).")
@raw_cells_option
def report(data: tuple[str, ...], framework_path: str | None, out_dir: Path, compare: bool,
           org: str | None, group_by: str, targets_file: str | None, names_file: str | None,
           title: str | None, synthetic: bool | None, force: bool, png: bool,
           pdf: bool, quiet: bool, raw_cells: bool) -> None:
    """Validate DATA, score it and write a report to --out.

    DATA are data files named after their data source (leadership_survey.csv), SOURCE=FILE,
    folders of such files (targets.csv and orgs.csv in them are read too), or
    example:cper-network for the bundled synthetic network. Rows that fail validation are
    left out and counted in the report's data-quality notes.

    \b
    Examples:
      gto report example:cper-network --org CA-01 --out ca01-report
      gto report example:cper-network --compare --out network-report
      gto report survey-2024/ --framework my-framework/ --org PU --out pu-report
    """
    from getting_to_outcomes.reporting import check_pdf_engine, write_report
    from getting_to_outcomes.scoring import score
    from getting_to_outcomes.validation import validate

    if str(out_dir) == "-":
        fail("Error: --out names the report's folder; '-' (standard output) cannot hold one", 2)
    columns = groupings(group_by, "--group-by")
    if columns is not None and len(columns) > 1 and not compare:
        fail(f"Error: --group-by {group_by}: a grantee report shows one organization of one "
             "grouping; add --compare for a funder report per column, withheld jointly", 2)
    if out_dir.exists() and (not out_dir.is_dir() or any(out_dir.iterdir())) and not force:
        # Said before any work is done, not after minutes of scoring.
        fail(f"{out_dir} is not empty (or is a file); choose a new folder, or add --force to "
             "write the report into it")
    if pdf:
        try:
            check_pdf_engine("auto", out_dir / "report.pdf")
        except GTOError as exc:
            fail(str(exc))
    framework = open_framework(framework_path)
    inputs = _collect_inputs(data, framework)
    if targets_file is not None:
        inputs.targets = _read_targets(Path(targets_file))
    if names_file is not None:
        inputs.names.update(_read_names(Path(names_file)))
    notes: list[str] = []
    if inputs.skipped:
        # Counted in the report, named on the terminal only: the other files of a folder
        # are nobody else's business, their names least of all.
        count = len(inputs.skipped)
        notes.append(f"{plural(count, 'other file')} in the data folder "
                     f"{'was' if count == 1 else 'were'} not read (not named after a data "
                     "source).")
    scored: dict[str, Any] = dict(inputs.tables)
    try:
        with _progress_bar(not quiet) as step:
            total_files = len(inputs.files)
            for k, (source, paths) in enumerate(sorted(inputs.files.items()), start=1):
                step(k - 1, total_files + 1, f"validating {source}")
                checked = validate([str(p) for p in paths], framework, source=source)
                rejected = len(checked.rejected_rows)
                if rejected:
                    read = checked.rows_read
                    shown = [inputs.shown.get(p, p.name) for p in paths]
                    notes.append(_left_out(source, rejected, read, shown))
                    click.echo(_left_out(source, rejected, read, [str(p) for p in paths]),
                               err=True)
                for note in unanswered(checked):
                    notes.append(f"{source}: {note}")
                    click.echo(f"{source}: {note}", err=True)
                scored[source] = checked
            step(total_files, total_files + 1, "scoring")
            if columns is not None and len(columns) > 1:
                # One call: the groupings are withheld jointly, then one folder each.
                summaries = score(scored, framework, group_by=columns, targets=inputs.targets)
                targets = {c: out_dir / c for c in summaries}
            else:
                summaries = {"": score(scored, framework,
                                       group_by=None if columns is None else columns[0],
                                       targets=inputs.targets)}
                targets = {"": out_dir}
            written = []
            for column, summary in summaries.items():
                written.append(write_report(
                    summary, targets[column], mode="funder" if compare else "grantee",
                    org=org, title=title, labels=inputs.names or None, framework=framework,
                    synthetic=synthetic if synthetic is not None else inputs.synthetic,
                    force=force, notes=notes, raw_cells=raw_cells, png=png, pdf=pdf,
                    progress=_labelled(step, f"report by {column}" if column else "report"),
                ))
    except FileExistsError as exc:
        fail(str(exc))
        return
    except GTOError as exc:
        fail(str(exc))
        return
    formats = "SVG and PNG" if png else "SVG"
    for files in written:
        click.echo(f"Wrote {files.html} ({plural(len(files.charts), 'chart')} as {formats}, "
                   f"{plural(len(files.tables), 'table')} as CSV and Excel, summary.json).")
        if pdf:
            click.echo(f"Wrote {files.out_dir / 'report.pdf'}.")
    if len(written) > 1:
        click.echo(f"The {len(written)} reports are withheld jointly: publish them together, "
                   "and no other grouping of the same data.")
    if inputs.skipped:
        click.echo(f"Note: not read (not named after a data source): "
                   f"{', '.join(inputs.skipped)}.", err=True)
    for note in dict.fromkeys(n for files in written for n in files.notes):
        click.echo(f"Note: {note}", err=True)
