"""Reports people can open: one self-contained HTML page, chart images, spreadsheet tables.

:func:`write_report` turns one or more :class:`~getting_to_outcomes.ProgressSummary` objects
into a folder::

    report.html        self-contained: images embedded, no network access, text escaped
    charts/*.png       every chart at 200 dpi or more ...
    charts/*.svg       ... and as SVG (text kept as text)
    tables/*.csv       every table; cells that a spreadsheet would run as a formula are
    tables.xlsx        neutralised, in both formats (OWASP "CSV injection")
    summary.json       the tables as JSON, with what the report is about
    manifest.json      the files written, so that ``force=True`` can replace them cleanly

Two modes:

* ``mode="grantee"``: one organization's indicators by realm and stop, its progress toward
  targets, change since baseline, survey answers, trends, wins, reliability notes and
  data-quality notes, compared with the pooled network when the summary has one. No other
  grantee's rows appear.
* ``mode="funder"``: every grantee side by side: score and status heatmaps, realm profiles,
  rankings with uncertainty, network totals, coverage and data health per grantee. Free-text
  notes are left out (they may quote a respondent's id) and a summary grouped by a column
  that identifies people is refused.

Values withheld for small groups stay withheld everywhere: in charts (hatched), tables and
JSON (blank, with the reason).
"""

from __future__ import annotations

import base64
import csv
import datetime as dt
import functools
import html
import io
import json
import math
import os
import re
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from getting_to_outcomes import _chart_data as _d
from getting_to_outcomes import _style
from getting_to_outcomes import plotting as _plots
from getting_to_outcomes._chart_data import NETWORK, ChartDataError
from getting_to_outcomes.columns import (
    ITEM_COLUMNS,
    MILESTONE_COLUMNS,
    ROLLUP_COLUMNS,
    SUMMARY_COLUMNS,
)
from getting_to_outcomes.errors import did_you_mean

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from getting_to_outcomes.framework import Framework

__all__ = ["ReportFiles", "write_report"]

Mode = Literal["grantee", "funder"]
Progress = Callable[[int, int, str], None]

#: Columns of the summary blanked when a row is withheld.
_VALUE_COLUMNS = [
    "n", "value", "ci_low", "ci_high", "baseline_n", "baseline_value", "n_pairs", "change",
    "change_ci_low", "change_ci_high", "statistic", "p_value", "p_adjusted", "effect_size",
    "progress", "rubric_level", "score_0_100", "reliability", "reliability_ci_low",
    "reliability_ci_high",
]
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_HTML_TABLE_ROWS = 60


@dataclass(frozen=True)
class ReportFiles:
    """What :func:`write_report` wrote.

    Attributes
    ----------
    out_dir : Path
        The report folder.
    html : Path
        ``report.html``.
    files : list of Path
        Every file written, ``report.html`` included.
    charts : dict of str to list of Path
        Chart files (PNG, SVG) by chart name.
    tables : dict of str to Path
        CSV file by table name.
    timings : dict of str to float
        Seconds (wall clock) spent drawing and saving each chart.
    cpu_timings : dict of str to float
        Processor seconds for the same, which other programs running at the same time do
        not inflate.
    notes : list of str
        Charts or files left out, and why.
    """

    out_dir: Path
    html: Path
    files: list[Path]
    charts: dict[str, list[Path]]
    tables: dict[str, Path]
    timings: dict[str, float] = field(default_factory=dict)
    cpu_timings: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def __repr__(self) -> str:
        return (f"ReportFiles({str(self.html)!r}, {len(self.charts)} charts, "
                f"{len(self.tables)} tables)")


# ----------------------------------------------------------------------------------------
# Input: one or several summaries, combined into one set of tidy tables
# ----------------------------------------------------------------------------------------


@dataclass
class _Tables:
    """The tidy tables of one or more summaries; chart functions accept it as a summary."""

    summary: pd.DataFrame
    rollups: pd.DataFrame
    item_table: pd.DataFrame
    milestone_table: pd.DataFrame
    framework: Framework | None
    periods: list[Any] | None
    group_by: str | None
    synthetic: bool | None
    confidence: float | None

    def to_frame(self) -> pd.DataFrame:
        return self.summary

    def by_stop(self) -> pd.DataFrame:
        return self.rollups[self.rollups["level"] == "stop"]

    def by_zone(self) -> pd.DataFrame:
        return self.rollups[self.rollups["level"] == "zone"]

    def by_realm(self) -> pd.DataFrame:
        return self.rollups[self.rollups["level"] == "realm"]

    def items(self) -> pd.DataFrame:
        return self.item_table

    def milestones(self) -> pd.DataFrame:
        return self.milestone_table

    def restrict(self, groups: Iterable[Any]) -> _Tables:
        keep = set(groups)
        return _Tables(
            summary=self.summary[self.summary["group"].isin(keep)],
            rollups=self.rollups[self.rollups["group"].isin(keep)],
            item_table=self.item_table[self.item_table["group"].isin(keep)],
            milestone_table=self.milestone_table[self.milestone_table["group"].isin(keep)],
            framework=self.framework, periods=self.periods, group_by=self.group_by,
            synthetic=self.synthetic, confidence=self.confidence,
        )


def _frame_of(summary: Any, method: str, columns: Sequence[str]) -> pd.DataFrame:
    if isinstance(summary, pd.DataFrame):
        return summary if method == "to_frame" else pd.DataFrame(columns=list(columns))
    getter = getattr(summary, method, None)
    if getter is None:
        return pd.DataFrame(columns=list(columns))
    frame = getter()
    if not isinstance(frame, pd.DataFrame):
        msg = f"summary.{method}() returned {type(frame).__name__}, not a DataFrame"
        raise ChartDataError(msg)
    return frame


def _collect(summaries: Any, framework: Framework | None,
             levels: Sequence[str] = ("stop", "zone", "realm")) -> _Tables:
    given = list(summaries) if isinstance(summaries, list | tuple) else [summaries]
    if not given:
        msg = "write_report needs at least one ProgressSummary"
        raise ChartDataError(msg)
    summary = pd.concat([_frame_of(s, "to_frame", SUMMARY_COLUMNS) for s in given],
                        ignore_index=True)
    missing = [c for c in ("indicator_id", "group", "period", "n", "value", "suppressed")
               if c not in summary.columns]
    if missing:
        msg = (f"write_report needs ProgressSummary objects (or frames with SUMMARY_COLUMNS); "
               f"the summary has no column(s) {missing}")
        raise ChartDataError(msg)
    for column in ("framework_id", "framework_version"):
        if column in summary.columns:
            found = summary[column].dropna().unique().tolist()
            if len(found) > 1:
                msg = (f"the summaries were scored with different frameworks or versions "
                       f"({column}: {found}); comparing them would mix different definitions")
                raise ChartDataError(msg)
    parts = []
    for level in levels:
        for s in given:
            frame = _frame_of(s, f"by_{level}", ROLLUP_COLUMNS)
            if not frame.empty:
                parts.append(frame.assign(level=frame.get("level", level)))
    rollups = (pd.concat(parts, ignore_index=True) if parts
               else pd.DataFrame(columns=ROLLUP_COLUMNS))
    items = pd.concat([_frame_of(s, "items", ITEM_COLUMNS) for s in given], ignore_index=True)
    milestones = pd.concat([_frame_of(s, "milestones", MILESTONE_COLUMNS) for s in given],
                           ignore_index=True)
    fw = framework
    if fw is None:
        for s in given:
            fw = _d.framework_of(s, None)
            if fw is not None:
                break
    first = given[0]
    periods = getattr(first, "periods", None)
    synthetic_flags = [getattr(s, "synthetic", None) for s in given]
    synthetic = (any(f is True for f in synthetic_flags)
                 if any(isinstance(f, bool) for f in synthetic_flags) else None)
    confidence = next((getattr(first, n) for n in ("confidence", "conf_level", "ci_level")
                       if isinstance(getattr(first, n, None), float)), None)
    group_by = getattr(first, "group_by", None)
    if isinstance(group_by, list | tuple):
        group_by = ",".join(map(str, group_by))
    return _Tables(summary=summary, rollups=rollups, item_table=items,
                   milestone_table=milestones, framework=fw,
                   periods=list(periods) if isinstance(periods, Sequence)
                   and not isinstance(periods, str) else None,
                   group_by=group_by if isinstance(group_by, str) else None,
                   synthetic=synthetic, confidence=confidence)


def _personal_columns(framework: Framework | None) -> set[str]:
    """Columns that identify a person: flagged ``personal``, or a source's unit id column."""
    if framework is None:
        return set()
    names: set[str] = set()
    for source in framework.sources.values():
        names.update(c.name for c in source.columns if c.personal)
        if source.id_column and source.unit_of_analysis.lower() in ("person", "respondent",
                                                                     "participant", "leader"):
            names.add(source.id_column)
    return names


def _with_data(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows of indicators that have a value (or a withheld one) somewhere in the summary.

    An indicator scored without any data would fill charts with empty rows; it is listed in
    the data-quality notes instead.
    """
    if frame.empty:
        return frame
    shown = frame["value"].map(_d.is_num)
    if "suppressed" in frame.columns:
        shown |= frame["suppressed"].map(lambda v: bool(v) if v == v else False).astype(bool)
    keep = set(frame.loc[shown, "indicator_id"])
    return frame[frame["indicator_id"].isin(keep)]


def _withhold(frame: pd.DataFrame) -> pd.DataFrame:
    """Blank every value of a withheld row, whatever the summary carried."""
    if frame.empty or "suppressed" not in frame.columns:
        return frame
    hidden = frame["suppressed"].map(lambda v: bool(v) if v is not None and v == v else False)
    hidden = hidden.astype(bool)
    if not hidden.any():
        return frame
    frame = frame.copy()
    for column in _VALUE_COLUMNS:
        if column in frame.columns:
            frame[column] = frame[column].astype(object)
            frame.loc[hidden, column] = None
    if "status" in frame.columns:
        frame["status"] = frame["status"].astype(object)
        frame.loc[hidden, "status"] = "withheld"
    return frame


# ----------------------------------------------------------------------------------------
# Safe table output
# ----------------------------------------------------------------------------------------


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """Text cells that a spreadsheet would run as a formula, made inert with a leading ``'``.

    Cells that start with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return are the ones
    OWASP lists for CSV (formula) injection; numbers are left as numbers.

    Examples
    --------
    >>> import pandas as pd
    >>> neutralise_formulas(pd.DataFrame({"org": ["=HYPERLINK(1)", "Parents United"],
    ...                                   "n": [-3, 4]})).values.tolist()
    [["'=HYPERLINK(1)", -3], ['Parents United', 4]]
    """
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(
                lambda v: "'" + v if isinstance(v, str) and v.startswith(_FORMULA_START) else v
            ).astype(object)
    out.columns = [("'" + c) if isinstance(c, str) and c.startswith(_FORMULA_START) else c
                   for c in out.columns]
    return out


def _csv_bytes(frame: pd.DataFrame) -> bytes:
    buffer = io.StringIO()
    neutralise_formulas(frame).to_csv(buffer, index=False, quoting=csv.QUOTE_MINIMAL)
    return buffer.getvalue().encode("utf-8-sig")


def _sheet_names(names: Iterable[str]) -> list[str]:
    """Excel sheet names: no []:*?/\\, at most 31 characters, unique."""
    used: list[str] = []
    for name in names:
        sheet = re.sub(r"[\[\]:*?/\\]", "_", name)[:31]
        while sheet in used:
            sheet = sheet[:28] + f"_{len(used)}"
        used.append(sheet)
    return used


def _cell_value(value: Any) -> Any:
    """A value as Excel should store it: numbers as numbers, missing as empty, else text."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | float | np.integer | np.floating):
        number = float(value)
        return None if math.isnan(number) or math.isinf(number) else value.item() if \
            isinstance(value, np.generic) else value
    return str(value)


def _xlsx_bytes(tables: Mapping[str, pd.DataFrame]) -> tuple[bytes | None, str | None]:
    """One workbook, one sheet per table; text is always written as text, never a formula."""
    try:
        import xlsxwriter
    except ImportError:
        return _xlsx_bytes_openpyxl(tables)
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False,
                                            "strings_to_urls": False,
                                            "strings_to_numbers": False})
    bold = workbook.add_format({"bold": True})
    for sheet_name, (_, frame) in zip(_sheet_names(tables), tables.items(), strict=True):
        sheet = workbook.add_worksheet(sheet_name)
        safe = neutralise_formulas(frame)
        sheet.write_row(0, 0, [str(c) for c in safe.columns], bold)
        for number, row in enumerate(safe.itertuples(index=False, name=None), start=1):
            for column, value in enumerate(row):
                cell = _cell_value(value)
                if cell is None:
                    continue
                if isinstance(cell, str):
                    sheet.write_string(number, column, cell)
                elif isinstance(cell, bool):
                    sheet.write_boolean(number, column, cell)
                else:
                    sheet.write_number(number, column, cell)
        sheet.freeze_panes(1, 0)
    workbook.close()
    return buffer.getvalue(), None


def _xlsx_bytes_openpyxl(tables: Mapping[str, pd.DataFrame]) -> tuple[bytes | None, str | None]:
    try:
        import openpyxl  # noqa: F401
    except ImportError:
        return None, ("tables.xlsx was not written: install the Excel extra "
                      "(pip install 'getting-to-outcomes[excel]')")
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for sheet_name, (_, frame) in zip(_sheet_names(tables), tables.items(), strict=True):
            neutralise_formulas(frame).to_excel(writer, sheet_name=sheet_name, index=False)
    return buffer.getvalue(), None


def _write_bytes(path: Path, data: bytes) -> None:
    _style.write_bytes_atomic(path, data)


def _json_ready(frame: pd.DataFrame) -> list[dict[str, Any]]:
    records = json.loads(frame.to_json(orient="records", date_format="iso",
                                       default_handler=str))
    return list(records)


# ----------------------------------------------------------------------------------------
# The report
# ----------------------------------------------------------------------------------------


@dataclass
class _Chart:
    key: str
    section: str
    heading: str
    intro: str
    build: Callable[[], Any]


@dataclass
class _Rendered:
    key: str
    section: str
    heading: str
    intro: str
    image: bytes
    media_type: str
    alt: str
    files: list[Path]


@dataclass
class _Table:
    key: str
    section: str
    heading: str
    intro: str
    frame: pd.DataFrame


def write_report(
    summary_or_summaries: Any,
    out_dir: str | os.PathLike[str],
    *,
    mode: Mode = "grantee",
    org: Any = None,
    title: str | None = None,
    labels: Mapping[Any, str] | None = None,
    framework: Framework | None = None,
    source: str | None = None,
    synthetic: bool | None = None,
    force: bool = False,
    dpi: int = 200,
    embed: Literal["svg", "png"] = "svg",
    rank_indicators: int = 3,
    max_panels: int = 30,
    notes: Sequence[str] = (),
    progress: Progress | None = None,
) -> ReportFiles:
    """Write a grantee or funder report: HTML, PNG and SVG charts, CSV and Excel, JSON.

    Parameters
    ----------
    summary_or_summaries : ProgressSummary or list of ProgressSummary
        What to report; several summaries (for example one per grantee) are combined and
        must come from the same framework version.
    out_dir : path-like
        Folder to write; created when missing. A folder that is not empty is refused unless
        ``force=True``.
    mode : {"grantee", "funder"}
        One organization's report, or the comparison of every grantee.
    org : optional
        The organization (a value of the summary's ``group``) of a grantee report; needed
        when the summary holds several.
    title : str, optional
        Report title (escaped); a default names the organization or the framework.
    labels : mapping, optional
        Display names of groups, e.g. ``{"CA-01": "Parents United"}``.
    framework : Framework, optional
        The framework, when the summary does not carry it.
    source : str, optional
        Data source named in captions (default: the sources of the indicators).
    synthetic : bool, optional
        Say that the data are synthetic (default: what the summary or framework says).
    force : bool
        Write into a folder that is not empty, replacing a previous report's files.
    dpi : int
        PNG resolution, at least 200.
    embed : {"svg", "png"}
        How charts are embedded in report.html: SVG (sharp at any size and on paper, and a
        fifth the size) or the PNG files' images.
    rank_indicators : int
        Funder mode: how many key indicators get a ranking chart (every indicator is ranked
        in the rankings table).
    max_panels : int
        Most panels in one small-multiples chart.
    notes : sequence of str
        Data-quality notes to show in the report, e.g. rows left out by validation.
    progress : callable, optional
        Called as ``progress(done, total, label)`` after each step (the command line draws
        a progress bar with it).

    Returns
    -------
    ReportFiles
        The files written, chart timings and notes on anything left out.

    Raises
    ------
    FileExistsError
        ``out_dir`` is not empty and ``force`` is False.
    ChartDataError
        The summary cannot be reported as asked (no such organization, mixed framework
        versions, a funder report of a summary grouped by person).

    Examples
    --------
    >>> import tempfile, pandas as pd
    >>> from getting_to_outcomes import load_framework
    >>> from getting_to_outcomes.columns import SUMMARY_COLUMNS
    >>> row = dict.fromkeys(SUMMARY_COLUMNS)
    >>> row.update(indicator_id="leadership.knowledge_of_system", group="Parents United",
    ...            period="post", n=24, value=3.4, ci_low=3.1, ci_high=3.7, suppressed=False)
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     files = write_report(pd.DataFrame([row]), folder, framework=load_framework())
    ...     files.html.name, sorted(files.charts), sorted(files.tables)
    ('report.html', ['before_after_individual'], ['data_quality', 'indicators', 'reliability'])
    """
    if mode not in ("grantee", "funder"):
        msg = f"mode must be 'grantee' or 'funder', got {mode!r}"
        raise ChartDataError(msg)
    if embed not in ("svg", "png"):
        msg = f"embed must be 'svg' or 'png', got {embed!r}"
        raise ChartDataError(msg)
    if dpi < _style.MIN_DPI:
        msg = f"dpi must be at least {_style.MIN_DPI} so that charts print sharply; got {dpi}"
        raise ChartDataError(msg)
    out = Path(out_dir)
    _check_folder(out, force=force)
    # Roll-ups are computed on demand by the summary: ask only for those this mode shows.
    levels = ("stop", "zone", "realm") if mode == "grantee" else ("stop", "realm")
    data = _collect(summary_or_summaries, framework, levels)
    if synthetic is not None:
        data.synthetic = synthetic
    fw = data.framework
    personal = _personal_columns(fw)
    members = [g for g in dict.fromkeys(data.summary["group"].dropna()) if g != NETWORK]
    if mode == "grantee":
        org = _pick_org(org, members)
        data = data.restrict([org, NETWORK])
    else:
        if data.group_by and set(data.group_by.split(",")) & personal:
            msg = (f"the summary is grouped by {data.group_by!r}, which identifies people; a "
                   "funder report compares organizations and never shows person identifiers")
            raise ChartDataError(msg)
        data.summary = data.summary.drop(columns=["notes"], errors="ignore")
    if "subgroup_dimension" in data.summary.columns and personal:
        data.summary = data.summary[~data.summary["subgroup_dimension"].isin(personal)]
    data.summary = _withhold(_with_data(data.summary))
    caption = _caption(data, fw, source)
    if mode == "grantee":
        charts, tables = _grantee_plan(data, org, labels, caption, max_panels)
    else:
        members = [g for g in dict.fromkeys(data.summary["group"].dropna()) if g != NETWORK]
        charts, tables = _funder_plan(data, members, labels, caption, rank_indicators,
                                      max_panels)
    total = len(charts) + 3
    done = 0

    def tick(label: str) -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(done, total, label)

    previous = _previous_files(out)
    written: list[Path] = []
    chart_files: dict[str, list[Path]] = {}
    timings: dict[str, float] = {}
    cpu_timings: dict[str, float] = {}
    notes = [str(n) for n in notes]
    rendered: list[_Rendered] = []
    for chart in charts:
        started, started_cpu = time.perf_counter(), time.process_time()
        try:
            result = _render(chart, out, dpi, embed)
        except ChartDataError as exc:
            notes.append(f"{chart.heading}: not drawn ({exc})")
            tick(chart.key)
            continue
        timings[chart.key] = time.perf_counter() - started
        cpu_timings[chart.key] = time.process_time() - started_cpu
        rendered.append(result)
        chart_files[chart.key] = result.files
        written += result.files
        tick(chart.key)
    table_files: dict[str, Path] = {}
    for table in tables:
        path = out / "tables" / f"{table.key}.csv"
        _write_bytes(path, _csv_bytes(table.frame))
        table_files[table.key] = path
        written.append(path)
    workbook, problem = _xlsx_bytes({t.key: t.frame for t in tables})
    if workbook is not None:
        _write_bytes(out / "tables.xlsx", workbook)
        written.append(out / "tables.xlsx")
    if problem:
        notes.append(problem)
    tick("tables")
    meta = _meta(data, mode, org, labels, title)
    payload = {
        "report": meta,
        "tables": {t.key: _json_ready(t.frame) for t in tables},
        "notes": notes,
    }
    _write_bytes(out / "summary.json",
                 json.dumps(payload, indent=2, ensure_ascii=False, default=str).encode())
    written.append(out / "summary.json")
    tick("summary.json")
    page = _html_page(meta, rendered, tables, notes, data, fw)
    _write_bytes(out / "report.html", page.encode("utf-8"))
    written.append(out / "report.html")
    listed = [*written, out / "manifest.json"]
    manifest = {"files": sorted(str(p.relative_to(out)) for p in listed)}
    _write_bytes(out / "manifest.json", json.dumps(manifest, indent=2).encode())
    written.append(out / "manifest.json")
    for stale in previous - {p.resolve() for p in written}:
        stale.unlink(missing_ok=True)
    tick("report.html")
    return ReportFiles(out_dir=out, html=out / "report.html", files=written,
                       charts=chart_files, tables=table_files, timings=timings,
                       cpu_timings=cpu_timings, notes=notes)


def _check_folder(out: Path, *, force: bool) -> None:
    if out.exists() and not out.is_dir():
        msg = f"{out} is a file; give a folder for the report"
        raise FileExistsError(msg)
    if out.is_dir() and any(out.iterdir()) and not force:
        msg = (f"{out} is not empty; choose a new folder, or pass force=True (--force) to "
               "write the report into it")
        raise FileExistsError(msg)
    out.mkdir(parents=True, exist_ok=True)


def _previous_files(out: Path) -> set[Path]:
    """Files a previous report listed in its manifest (only those are ever removed)."""
    manifest = out / "manifest.json"
    if not manifest.is_file():
        return set()
    try:
        listed = json.loads(manifest.read_text(encoding="utf-8")).get("files", [])
    except (ValueError, OSError):
        return set()
    root = out.resolve()
    found = set()
    for name in listed:
        if not isinstance(name, str):
            continue
        path = (out / name).resolve()
        if root in path.parents and path.is_file():
            found.add(path)
    return found


def _pick_org(org: Any, members: Sequence[Any]) -> Any:
    if org is not None:
        if org in members:
            return org
        as_text = {str(m): m for m in members}
        if str(org) in as_text:
            return as_text[str(org)]
        msg = (f"no organization {org!r} in the summary{did_you_mean(str(org), as_text)}; "
               f"organizations: {_d.preview(list(members))}")
        raise ChartDataError(msg)
    if len(members) == 1:
        return members[0]
    if not members:
        msg = "the summary has no organization to report on"
        raise ChartDataError(msg)
    msg = (f"the summary holds {len(members)} organizations; choose one with org=... "
           f"(--org), or write a funder report (mode='funder', --compare): "
           f"{_d.preview(list(members))}")
    raise ChartDataError(msg)


def _caption(data: _Tables, framework: Framework | None, source: str | None) -> str:
    frame = data.summary.copy()
    if source:
        frame.attrs["source"] = source
    if data.synthetic is not None:
        frame.attrs["synthetic"] = data.synthetic
    return _d.caption_text(data, frame, framework)


def _render(chart: _Chart, out: Path, dpi: int, embed: str) -> _Rendered:
    with _style.offscreen():
        drawn = chart.build()
    fig: Figure = drawn if hasattr(drawn, "savefig") else drawn.get_figure(root=True)
    images = _style.render(fig, ("png", "svg"), dpi=dpi)
    png, svg = images["png"], images["svg"]
    files = [out / "charts" / f"{chart.key}.png", out / "charts" / f"{chart.key}.svg"]
    _write_bytes(files[0], png)
    _write_bytes(files[1], svg)
    image, media_type = (svg, "image/svg+xml") if embed == "svg" else (png, "image/png")
    return _Rendered(chart.key, chart.section, chart.heading, chart.intro, image, media_type,
                     _style.alt_text(fig), files)


def _meta(data: _Tables, mode: str, org: Any, labels: Mapping[Any, str] | None,
          title: str | None) -> dict[str, Any]:
    fw = data.framework
    frame = data.summary
    periods = list(dict.fromkeys(frame["period"].dropna().astype(str)))
    framework_id = (fw.id if fw is not None else
                    next(iter(frame.get("framework_id", pd.Series(dtype=object)).dropna()), None))
    version = (fw.version if fw is not None else
               next(iter(frame.get("framework_version", pd.Series(dtype=object)).dropna()),
                    None))
    who = _d.label(org, labels) if mode == "grantee" else None
    default_title = (f"{who}: progress report" if mode == "grantee" else
                     f"{fw.title if fw is not None else 'Getting to Outcomes'}: network report")
    from getting_to_outcomes import __version__

    return {
        "title": title or default_title,
        "mode": mode,
        "organization": None if org is None else str(org),
        "organization_name": who,
        "framework_id": framework_id,
        "framework_version": version,
        "framework_title": fw.title if fw is not None else None,
        "periods": periods,
        "groups": [str(g) for g in dict.fromkeys(frame["group"].dropna())],
        "synthetic": bool(data.synthetic) if data.synthetic is not None else
        bool(_d.is_synthetic(data, frame, fw)),
        "confidence": data.confidence or 0.95,
        "generated": dt.date.today().isoformat(),
        "library": f"getting_to_outcomes {__version__}",
    }


# ----------------------------------------------------------------------------------------
# What each report holds
# ----------------------------------------------------------------------------------------


def _slug(text: Any) -> str:
    return re.sub(r"[^a-z0-9]+", "_", str(text).lower()).strip("_")[:60] or "chart"


def _overall(frame: pd.DataFrame) -> pd.DataFrame:
    return _d.overall(frame)


def _present(frame: pd.DataFrame, columns: Sequence[str]) -> list[str]:
    return [c for c in columns if c in frame.columns]


def _name_column(frame: pd.DataFrame, framework: Framework | None) -> pd.DataFrame:
    if frame.empty or "indicator_id" not in frame.columns:
        return frame
    names = frame["indicator_id"].map(lambda i: _d.indicator_name(framework, str(i)))
    return frame.assign(indicator=names.astype(object))


def _has_values(frame: pd.DataFrame, column: str) -> bool:
    return column in frame.columns and bool(frame[column].map(_d.is_num).any())


_INDICATOR_TABLE = [
    "realm", "zone", "stop", "indicator", "indicator_id", "period", "n", "value", "ci_low",
    "ci_high", "baseline_period", "baseline_value", "design", "change", "change_ci_low",
    "change_ci_high", "test", "p_adjusted", "effect_size", "effect_size_name", "target",
    "progress", "status", "status_uncertain", "rubric_level", "score_0_100", "suppressed",
    "suppression_reason",
]


def _indicator_table(frame: pd.DataFrame, framework: Framework | None,
                     extra: Sequence[str] = ()) -> pd.DataFrame:
    frame = _name_column(frame, framework)
    columns = _present(frame, ["group", *_INDICATOR_TABLE, *extra])
    order = _d.indicator_order(frame, framework) if not frame.empty else []
    rank = {i: k for k, i in enumerate(order)}
    sort = frame["indicator_id"].map(rank) if not frame.empty else frame.index
    return frame.assign(_order=sort).sort_values(["_order"], kind="stable")[columns]\
        .reset_index(drop=True)


def _pages(key: str, ids: Sequence[str], size: int, heading: str
           ) -> list[tuple[str, list[str], str]]:
    """Split a long list of indicators into charts of at most ``size`` (key, ids, heading)."""
    chunks = [list(ids[k:k + size]) for k in range(0, len(ids), max(size, 1))]
    if len(chunks) <= 1:
        return [(key, list(ids), heading)] if ids else []
    return [(f"{key}_{k}", chunk, f"{heading} ({k} of {len(chunks)})")
            for k, chunk in enumerate(chunks, start=1)]


def _realm_blocks(frame: pd.DataFrame, framework: Framework | None
                  ) -> list[tuple[str, str, list[str]]]:
    """Indicators of the frame by realm, in framework order: (realm id, name, ids)."""
    order = _d.indicator_order(frame, framework) if not frame.empty else []
    realms = ([(r.id, r.name) for r in framework.realms] if framework is not None else
              [(r, r.capitalize()) for r in ("individual", "community", "policy")])
    blocks: list[tuple[str, str, list[str]]] = []
    for realm, name in realms:
        ids = [i for i in order if _realm_of(frame, framework, i) == realm]
        if ids:
            blocks.append((realm, name, ids))
    rest = [i for i in order if all(i not in b[2] for b in blocks)]
    if rest:
        blocks.append(("other", "Other", rest))
    return blocks


def _grantee_plan(data: _Tables, org: Any, labels: Mapping[Any, str] | None, caption: str,
                  max_panels: int) -> tuple[list[_Chart], list[_Table]]:
    fw = data.framework
    mine = _overall(data.summary[data.summary["group"] == org])
    charts: list[_Chart] = []
    common: dict[str, Any] = {"labels": labels, "framework": fw, "caption": caption}
    if not data.by_stop().empty and (data.by_stop()["group"] == org).any():
        charts.append(_Chart(
            "theory_of_change", "glance", "Where progress is, along the theory of change",
            "Each station is a stop of the theory of change, filled with its status and ringed "
            "in its realm's colour; lines show which stop leads to which.",
            lambda: _plots.plot_theory_of_change(data, group=org, **common)))
    blocks = _realm_blocks(mine, fw)
    for realm, name, ids in blocks:
        with_target = [i for i in ids
                       if _has_values(mine[mine["indicator_id"] == i], "target")]
        for key, part, heading in _pages(f"targets_{realm}", with_target, 15,
                                         f"Progress toward targets: {name} realm"):
            charts.append(_Chart(
                key, "targets", heading,
                "How far each indicator has come from its baseline (0%) toward its target "
                "(100%).",
                functools.partial(_plots.plot_targets, data, group=org, indicators=part,
                                  title=f"{heading}\n{_d.label(org, labels)}", **common)))
    for realm, name, ids in blocks:
        for key, part, heading in _pages(f"before_after_{realm}", ids, 15,
                                         f"Change since baseline: {name} realm"):
            charts.append(_Chart(
                key, "change", heading,
                "Hollow dot: baseline; filled dot: now, with its confidence interval. Each row "
                "has its own scale, labelled at both ends.",
                functools.partial(_plots.plot_before_after, data, by="indicator", group=org,
                                  indicators=part, title=f"{heading}\n{_d.label(org, labels)}",
                                  **common)))
    items = data.items()
    if not items.empty:
        for indicator in list(dict.fromkeys(items.loc[items["group"] == org,
                                                      "indicator_id"]))[:4]:
            charts.append(_Chart(
                f"answers_{_slug(indicator)}", "answers",
                f"Survey answers: {_d.indicator_name(fw, str(indicator))}",
                "Share of people giving each answer, wave by wave; disagreement to the left.",
                functools.partial(_plots.plot_likert, data, indicator=indicator, group=org,
                                  by="period", **common)))
    periods_per_indicator = mine.groupby("indicator_id")["period"].nunique() if not \
        mine.empty else pd.Series(dtype=int)
    for realm, name, ids in blocks:
        trending = [i for i in ids if periods_per_indicator.get(i, 0) >= 2]
        for key, part, heading in _pages(f"trends_{realm}", trending, min(max_panels, 12),
                                         f"Over time: {name} realm"):
            charts.append(_Chart(
                key, "trends", heading,
                "One panel per indicator; bands are confidence intervals, dashed lines targets.",
                functools.partial(_plots.plot_small_multiples, data, facet="indicator",
                                  group=org, indicators=part,
                                  title=f"{heading}\n{_d.label(org, labels)}", **common)))
    wins = data.milestones()
    if not wins.empty:
        for indicator in dict.fromkeys(wins.loc[wins["group"] == org, "indicator_id"]):
            charts.append(_Chart(
                f"wins_{_slug(indicator)}", "wins",
                f"Wins: {_d.indicator_name(fw, str(indicator))}",
                "Wins by the highest stage reached, by level.",
                functools.partial(_plots.plot_wins_pipeline, data, indicator=indicator,
                                  group=org, **common)))
    if not data.by_realm().empty and (data.by_realm()["group"] == org).any():
        charts.append(_Chart(
            "realm_profile", "network", "Individual, community and policy realms",
            "Roll-up scores by realm; the dashed line is the pooled network.",
            lambda: _plots.plot_realm_profiles(data, groups=[org], **common)))
    tables = [
        _Table("indicators", "indicators", "Indicators by realm and stop",
               "Every indicator of the organization, latest and earlier periods. Withheld "
               "values are blank; the reason says why.",
               _indicator_table(mine, fw, extra=["notes"])),
    ]
    everything = data.summary[data.summary["group"] == org]
    subgroups = everything.drop(index=_overall(everything).index)
    if not subgroups.empty:
        tables.append(_Table(
            "subgroups", "indicators", "Indicators by subgroup",
            "The same indicators for each subgroup that the framework disaggregates by.",
            _indicator_table(subgroups, fw, extra=["subgroup_dimension", "subgroup"])))
    for level in ("stop", "zone", "realm"):
        roll = data.rollups[(data.rollups["level"] == level) & (data.rollups["group"] == org)]
        if not roll.empty:
            tables.append(_Table(f"by_{level}", "indicators", f"Roll-up by {level}",
                                 "Scores 0-100 with coverage (indicators with data / defined);"
                                 " missing indicators are not counted as zero.",
                                 roll[_present(roll, ROLLUP_COLUMNS)].reset_index(drop=True)))
    tables.append(_Table("reliability", "reliability", "Reliability of survey scales",
                         "Cronbach's alpha of each scale, with its confidence interval; scales "
                         "below their framework threshold are flagged.",
                         _reliability_table(mine, fw)))
    tables.append(_Table("data_quality", "quality", "Data-quality notes",
                         "Indicators without data, withheld for small groups, or carrying "
                         "notes from validation and scoring.",
                         _quality_table(mine, fw, keep_notes=True)))
    return charts, tables


def _reliability_table(frame: pd.DataFrame, framework: Framework | None) -> pd.DataFrame:
    columns = ["group", "indicator", "indicator_id", "period", "n", "reliability",
               "reliability_ci_low", "reliability_ci_high", "reliability_flag"]
    if frame.empty or "reliability" not in frame.columns:
        return pd.DataFrame(columns=columns)
    rows = frame[frame["reliability"].map(_d.is_num)
                 | frame.get("reliability_flag", pd.Series(index=frame.index, dtype=object))
                 .map(lambda v: isinstance(v, str) and bool(v))]
    rows = _name_column(rows, framework)
    return rows[_present(rows, columns)].reset_index(drop=True)


def _quality_table(frame: pd.DataFrame, framework: Framework | None, *,
                   keep_notes: bool) -> pd.DataFrame:
    records = []
    present = set(frame["indicator_id"]) if not frame.empty else set()
    defined = framework.indicators.ids if framework is not None else sorted(present)
    for indicator_id in defined:
        block = frame[frame["indicator_id"] == indicator_id] if indicator_id in present else None
        name = _d.indicator_name(framework, indicator_id)
        if block is None or block.empty:
            records.append({"indicator": name, "indicator_id": indicator_id, "period": None,
                            "note": "no data: no value for this indicator in the data given"})
            continue
        for row in block.to_dict("records"):
            notes = []
            if bool(row.get("suppressed")) and row.get("suppressed") == row.get("suppressed"):
                reason = row.get("suppression_reason")
                label = _style.withheld_label(_d.min_n(framework, indicator_id),
                                              reason if isinstance(reason, str) else None)
                notes.append(f"withheld: {label}")
            flag = row.get("reliability_flag")
            if isinstance(flag, str) and flag:
                notes.append(f"reliability: {flag}")
            if row.get("status") == "insufficient_data":
                notes.append("insufficient data for a status")
            text = row.get("notes")
            if keep_notes and isinstance(text, str) and text.strip():
                notes.append(text.strip())
            if notes:
                records.append({"indicator": name, "indicator_id": indicator_id,
                                "period": row.get("period"), "note": "; ".join(notes)})
    return pd.DataFrame(records, columns=["indicator", "indicator_id", "period", "note"])


def _realm_of(frame: pd.DataFrame, framework: Framework | None, indicator_id: str) -> str:
    found = _d.indicator(framework, indicator_id)
    if found is not None:
        return found.realm
    if "realm" in frame.columns:
        realms = frame.loc[frame["indicator_id"] == indicator_id, "realm"].dropna()
        if len(realms):
            return str(realms.iloc[0])
    return ""


def _key_indicators(frame: pd.DataFrame, framework: Framework | None, count: int) -> list[str]:
    """Per realm, the indicator with values for the most groups, until ``count`` are chosen."""
    if frame.empty or count <= 0:
        return []
    usable = frame[(frame["group"] != NETWORK) & frame["value"].map(_d.is_num)]
    coverage = usable.groupby("indicator_id")["group"].nunique()
    order = _d.indicator_order(frame, framework)
    realm_of = {i: _realm_of(frame, framework, i) for i in order}
    chosen: list[str] = []
    for realm in dict.fromkeys(realm_of[i] for i in order):
        candidates = [i for i in order if realm_of[i] == realm and coverage.get(i, 0) >= 2]
        if candidates:
            chosen.append(max(candidates, key=lambda i: (coverage.get(i, 0), -order.index(i))))
    extra = sorted((i for i in order if i not in chosen and coverage.get(i, 0) >= 2),
                   key=lambda i: (-coverage.get(i, 0), order.index(i)))
    return (chosen + extra)[:count]


def _funder_plan(data: _Tables, members: Sequence[Any], labels: Mapping[Any, str] | None,
                 caption: str, rank_indicators: int, max_panels: int
                 ) -> tuple[list[_Chart], list[_Table]]:
    fw = data.framework
    frame = _overall(data.summary)
    common: dict[str, Any] = {"labels": labels, "framework": fw, "caption": caption}
    charts: list[_Chart] = []
    stops = data.by_stop()
    if not stops.empty and (stops["group"] == NETWORK).any():
        charts.append(_Chart(
            "theory_of_change", "glance", "The network along the theory of change",
            "Pooled network roll-up of each stop.",
            lambda: _plots.plot_theory_of_change(data, group=NETWORK, **common)))
    blocks = _realm_blocks(frame, fw)
    kinds: list[tuple[Literal["score", "status"], str]] = [("score", "Scores (0-100)"),
                                                            ("status", "Status")]
    for value, what in kinds:
        for realm, name, ids in blocks:
            for key, part, heading in _pages(f"heatmap_{value}_{realm}", ids, 15,
                                             f"{what} by grantee: {name} realm"):
                charts.append(_Chart(
                    key, "heatmap", heading,
                    "Scores 0-100 at each indicator's latest period, with n; hatched cells are "
                    "withheld for small groups, blank cells have no data." if value == "score"
                    else "Status toward target; symbols repeat the colours for black-and-white "
                    "printing.",
                    functools.partial(_plots.plot_heatmap, data, value=value, network=True,
                                      indicators=part, title=f"{heading}\n{len(members)} "
                                      "grantees · latest period of each indicator", **common)))
    if not data.by_realm().empty:
        charts.append(_Chart(
            "realm_profiles", "realms", "Realm profiles",
            "Roll-up scores in the individual, community and policy realms, with coverage.",
            lambda: _plots.plot_realm_profiles(data, **common)))
    keys = _key_indicators(frame, fw, rank_indicators)
    for indicator in keys:
        charts.append(_Chart(
            f"ranking_{_slug(indicator)}", "rankings",
            f"Ranking: {_d.indicator_name(fw, indicator)}",
            "Each grantee's value with its confidence interval and the ranks it could hold.",
            functools.partial(_plots.plot_ranking, data, indicator=indicator, **common)))
    if keys and len(members) <= max_panels:
        charts.append(_Chart(
            f"small_multiples_{_slug(keys[0])}", "network",
            f"{_d.indicator_name(fw, keys[0])}, grantee by grantee",
            "Each grantee over time against the pooled network (grey).",
            lambda: _plots.plot_small_multiples(data, indicator=keys[0], **common)))
    wins = data.milestones()
    if not wins.empty:
        for indicator in dict.fromkeys(wins["indicator_id"]):
            charts.append(_Chart(
                f"wins_{_slug(indicator)}", "network",
                f"Wins across the network: {_d.indicator_name(fw, str(indicator))}",
                "Wins by the highest stage reached, by level, all grantees together.",
                functools.partial(_plots.plot_wins_pipeline, data, indicator=indicator,
                                  **common)))
    order = _d.period_order(frame, data, fw)
    latest = _d.latest_rows(frame, order, None)
    tables = [
        _Table("scores", "heatmap", "Scores by grantee and indicator (0-100)",
               "Latest period of each indicator; 'withheld' marks small groups.",
               _wide(latest, "score_0_100", fw, labels)),
        _Table("statuses", "heatmap", "Status by grantee and indicator", "",
               _wide(latest, "status", fw, labels)),
        _Table("rankings", "rankings", "Rankings with uncertainty",
               "For every indicator at its latest period: rank and the range of ranks the "
               "confidence intervals allow.", _rankings(latest, fw, labels)),
        _Table("network_totals", "network", "Network totals",
               "The pooled network, computed from all grantees' data together.",
               _indicator_table(frame[frame["group"] == NETWORK], fw)),
        _Table("coverage", "health", "Coverage and data health per grantee",
               "Indicators with data, withheld cells, reliability flags and typical n.",
               _coverage(frame, members, fw, labels)),
        _Table("indicators", "indicators", "Every grantee, every indicator",
               "The full table behind the charts (free-text notes are left out of funder "
               "reports).", _indicator_table(frame, fw)),
    ]
    for level in ("realm", "stop"):
        roll = data.rollups[data.rollups["level"] == level]
        if not roll.empty:
            tables.append(_Table(f"by_{level}", "realms", f"Roll-up by {level}", "",
                                 roll[_present(roll, ROLLUP_COLUMNS)].reset_index(drop=True)))
    return charts, tables


def _wide(frame: pd.DataFrame, column: str, framework: Framework | None,
          labels: Mapping[Any, str] | None) -> pd.DataFrame:
    if frame.empty:
        return pd.DataFrame()
    values = frame.assign(
        _cell=[("withheld" if s == "withheld" or (isinstance(sup, bool) and sup) else v)
               for v, s, sup in zip(frame[column], frame.get("status", frame[column]),
                                    frame["suppressed"], strict=True)],
        _name=frame["indicator_id"].map(lambda i: _d.indicator_name(framework, str(i))),
    )
    if column == "score_0_100":
        values["_cell"] = values["_cell"].map(
            lambda v: round(float(v), 1) if _d.is_num(v) else v)
    wide = values.pivot_table(index="group", columns="_name", values="_cell", aggfunc="first",
                              sort=False)
    order = [_d.indicator_name(framework, i) for i in
             _d.indicator_order(frame, framework)]
    wide = wide.reindex(columns=[c for c in order if c in wide.columns])
    wide.index = [_d.label(g, labels) for g in wide.index]
    return wide.rename_axis("group").reset_index()


def _rankings(frame: pd.DataFrame, framework: Framework | None,
              labels: Mapping[Any, str] | None) -> pd.DataFrame:
    parts = []
    for indicator_id, block in frame.groupby("indicator_id", sort=False):
        block = block[(block["group"] != NETWORK) & block["value"].map(_d.is_num)]
        if block.empty:
            continue
        found = _d.indicator(framework, str(indicator_id))
        direction = found.direction if found is not None else "increase"
        ranked = _plots.rank_ranges(block, direction=direction)
        ranked.insert(0, "indicator", _d.indicator_name(framework, str(indicator_id)))
        ranked.insert(1, "indicator_id", indicator_id)
        ranked.insert(2, "period", block["period"].iloc[0])
        ranked["group"] = ranked["group"].map(lambda g: _d.label(g, labels))
        parts.append(ranked)
    columns = ["indicator", "indicator_id", "period", "group", "value", "rank", "rank_best",
               "rank_worst"]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=columns)


def _coverage(frame: pd.DataFrame, members: Sequence[Any], framework: Framework | None,
              labels: Mapping[Any, str] | None) -> pd.DataFrame:
    defined = len(framework.indicators) if framework is not None else frame[
        "indicator_id"].nunique()
    records = []
    for g in members:
        block = frame[frame["group"] == g]
        with_data = block.loc[block["value"].map(_d.is_num), "indicator_id"].nunique()
        withheld = int(block["status"].eq("withheld").sum()) if "status" in block else 0
        flags = (int(block["reliability_flag"].map(lambda v: isinstance(v, str) and bool(v))
                     .sum()) if "reliability_flag" in block else 0)
        sizes = block["n"].map(_d.num).dropna() if "n" in block else pd.Series(dtype=float)
        records.append({
            "group": _d.label(g, labels),
            "indicators_defined": defined,
            "indicators_with_data": with_data,
            "coverage": round(with_data / defined, 3) if defined else None,
            "cells_withheld": withheld,
            "reliability_flags": flags,
            "median_n": float(sizes.median()) if len(sizes) else None,
            "periods": ", ".join(map(str, dict.fromkeys(block["period"].dropna()))),
        })
    return pd.DataFrame(records)


# ----------------------------------------------------------------------------------------
# The HTML page
# ----------------------------------------------------------------------------------------

_SECTIONS = {
    "grantee": [
        ("glance", "At a glance"),
        ("targets", "Progress toward targets"),
        ("change", "Change since baseline"),
        ("indicators", "Indicators by realm and stop"),
        ("answers", "Survey answers"),
        ("trends", "Trends"),
        ("wins", "Wins"),
        ("network", "Compared with the network"),
        ("reliability", "Reliability notes"),
        ("quality", "Data-quality notes"),
    ],
    "funder": [
        ("glance", "The network at a glance"),
        ("heatmap", "Grantee by indicator"),
        ("realms", "Realm profiles"),
        ("rankings", "Rankings with uncertainty"),
        ("network", "Network totals"),
        ("health", "Coverage and data health"),
        ("indicators", "Every grantee, every indicator"),
    ],
}

_CSS = """
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; color: #1a1a1a; background: #fff; line-height: 1.5;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial,
  sans-serif; font-size: 16px; }
main { max-width: 1120px; margin: 0 auto; padding: 1rem 1.25rem 3rem; }
h1 { font-size: 1.8rem; line-height: 1.2; margin: 1rem 0 .25rem; overflow-wrap: anywhere; }
h2 { font-size: 1.35rem; margin: 2.5rem 0 .5rem; border-bottom: 2px solid #0072B2;
  padding-bottom: .2rem; }
h3 { font-size: 1.05rem; margin: 1.5rem 0 .25rem; }
p, li { max-width: 75ch; }
.subtitle { color: #444; margin: 0 0 1rem; }
.banner { background: #FFF4D6; border-left: 5px solid #E69F00; padding: .6rem 1rem;
  margin: 1rem 0; }
.facts { display: flex; flex-wrap: wrap; gap: .75rem; padding: 0; list-style: none; }
.facts li { border: 1px solid #ccc; border-radius: 6px; padding: .4rem .8rem; }
.facts b { font-size: 1.25rem; display: block; }
nav ol { columns: 2; padding-left: 1.25rem; }
figure { margin: 1rem 0 2rem; }
figure img { max-width: 100%; height: auto; display: block; border: 1px solid #eee; }
figcaption { font-size: .9rem; color: #333; margin-top: .4rem; }
details { font-size: .85rem; color: #333; margin-top: .3rem; }
.table-wrap { overflow-x: auto; max-width: 100%; margin: .5rem 0 1rem; }
table { border-collapse: collapse; font-size: .8rem; }
caption { text-align: left; font-weight: 600; padding: .25rem 0; }
th, td { padding: .25rem .5rem; border-bottom: 1px solid #ddd; text-align: left;
  vertical-align: top; }
th { background: #f4f4f4; position: sticky; top: 0; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.muted { color: #555; font-size: .9rem; }
footer { margin-top: 3rem; border-top: 1px solid #ccc; padding-top: .75rem; font-size: .85rem;
  color: #444; }
@media (max-width: 640px) {
  body { font-size: 15px; }
  main { padding: .75rem; }
  h1 { font-size: 1.4rem; }
  nav ol { columns: 1; }
}
@media print {
  @page { margin: 1.6cm; }
  body { font-size: 10.5pt; }
  main { max-width: none; padding: 0; }
  nav, .no-print { display: none; }
  h2 { break-after: avoid; page-break-after: avoid; }
  figure, tr { break-inside: avoid; page-break-inside: avoid; }
  figure img { border: none; }
  .table-wrap { overflow: visible; }
  th { position: static; }
  a { color: inherit; text-decoration: none; }
  .banner { border: 1px solid #999; }
}
"""


def _e(value: Any) -> str:
    """Escape any value for HTML text or a quoted attribute."""
    return html.escape("" if value is None else str(value), quote=True)


def _cell(value: Any, column: str = "") -> tuple[str, bool]:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "", False
    if value is pd.NA or value is pd.NaT:
        return "", False
    if isinstance(value, bool):
        return ("yes" if value else "no"), False
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
        if column.startswith("p_") and 0 <= number < 0.001:
            return "<0.001", True
        if number == int(number) and abs(number) < 1e15:
            return f"{int(number):,}", True
        return (f"{number:.3f}" if abs(number) < 10 else f"{number:,.1f}"), True
    return str(value), False


def _html_table(table: _Table, csv_name: str) -> str:
    frame = table.frame
    if frame.empty:
        return "<p class='muted'>Nothing to show.</p>"
    shown = frame.head(_HTML_TABLE_ROWS)
    head = "".join(f"<th scope='col'>{_e(c)}</th>" for c in shown.columns)
    body = []
    for row in shown.itertuples(index=False):
        cells = []
        for column, value in zip(shown.columns, row, strict=True):
            text, numeric = _cell(value, str(column))
            cells.append(f"<td class='num'>{_e(text)}</td>" if numeric else
                         f"<td>{_e(text)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    more = ""
    if len(frame) > len(shown):
        more = (f"<p class='muted'>First {len(shown)} of {len(frame):,} rows; the whole table "
                f"is in <a href='tables/{_e(csv_name)}'>tables/{_e(csv_name)}</a> and "
                "tables.xlsx.</p>")
    return (f"<div class='table-wrap'><table><caption>{_e(table.heading)}</caption>"
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></div>{more}")


def _short_alt(text: str, limit: int = 300) -> str:
    if len(text) <= limit:
        return text
    cut = text[:limit]
    end = cut.rfind(". ")
    return (cut[: end + 1] if end > 80 else cut.rstrip() + "…") + " Details follow the chart."


def _figure(chart: _Rendered) -> str:
    encoded = base64.b64encode(chart.image).decode("ascii")
    alt = chart.alt or chart.heading
    described = f"desc-{_e(chart.key)}"
    return (
        f"<figure id='chart-{_e(chart.key)}'><h3>{_e(chart.heading)}</h3>"
        f"<img src='data:{chart.media_type};base64,{encoded}' alt='{_e(_short_alt(alt))}' "
        f"aria-describedby='{described}' loading='lazy'>"
        f"<figcaption>{_e(chart.intro)} Files: charts/{_e(chart.key)}.png, "
        f"charts/{_e(chart.key)}.svg.</figcaption>"
        f"<details><summary>This chart in words</summary><p id='{described}'>{_e(alt)}</p>"
        f"</details></figure>"
    )


def _facts(meta: Mapping[str, Any], data: _Tables) -> str:
    frame = _overall(data.summary)
    if meta["mode"] == "grantee":
        frame = frame[frame["group"] == meta["organization"]] if meta["organization"] else frame
    indicators = frame["indicator_id"].nunique()
    with_values = frame.loc[frame["value"].map(_d.is_num), "indicator_id"].nunique()
    facts = [(str(indicators), "indicators reported"), (str(with_values), "with values")]
    if meta["mode"] == "funder":
        groups = [g for g in meta["groups"] if g != NETWORK]
        facts.insert(0, (str(len(groups)), "grantees"))
    if "status" in frame.columns and meta["mode"] == "grantee":
        order = _d.period_order(frame, data, data.framework)
        latest = _d.latest_rows(frame, order, None)
        counts = latest["status"].value_counts()
        for status in ("target_achieved", "on_track", "needs_acceleration", "limited",
                       "deteriorating"):
            if counts.get(status, 0):
                facts.append((str(int(counts[status])), _style.status_label(status).lower()))
        if counts.get("withheld", 0):
            facts.append((str(int(counts["withheld"])), "withheld (small groups)"))
    facts.append((", ".join(meta["periods"]) or "–", "periods"))
    return "<ul class='facts'>" + "".join(
        f"<li><b>{_e(v)}</b>{_e(k)}</li>" for v, k in facts) + "</ul>"


def _about(meta: Mapping[str, Any], data: _Tables, framework: Framework | None) -> str:
    lines = []
    if framework is not None:
        lines.append(f"Indicators: {framework.title}, version {framework.version}. "
                     f"{framework.meta.citation}")
        if framework.meta.synthetic_note:
            lines.append(framework.meta.synthetic_note)
    elif meta.get("framework_id"):
        lines.append(f"Indicators: {meta['framework_id']}, version {meta['framework_version']}.")
    level = float(meta.get("confidence") or 0.95) * 100
    lines.append(
        f"Intervals are {level:g}% confidence intervals. A value from fewer people than the "
        "indicator's minimum (5 unless its definition says otherwise) is withheld everywhere "
        "in this report, and so is any value from which it could be worked out. Missing "
        "indicators are shown as missing, never as zero. Roll-up scores run from 0 to 100: "
        "progress toward target where a target exists, otherwise position in the valid range."
    )
    if meta["mode"] == "funder":
        lines.append("Free-text notes are left out of this funder report because they may "
                     "quote respondent identifiers; grantee reports keep them.")
    if meta["synthetic"]:
        lines.append("The data in this report are synthetic: generated for illustration, "
                     "describing no real organization or person.")
    return "".join(f"<p>{_e(line)}</p>" for line in lines)


def _html_page(meta: Mapping[str, Any], charts: Sequence[_Rendered], tables: Sequence[_Table],
               notes: Sequence[str], data: _Tables, framework: Framework | None) -> str:
    sections = []
    toc = []
    for key, heading in _SECTIONS[str(meta["mode"])]:
        parts = [_figure(c) for c in charts if c.section == key]
        for table in tables:
            if table.section == key:
                intro = f"<p class='muted'>{_e(table.intro)}</p>" if table.intro else ""
                parts.append(intro + _html_table(table, f"{table.key}.csv"))
        if key == "glance":
            parts.insert(0, _facts(meta, data))
        if key == "reliability" and not any(t.section == key and not t.frame.empty
                                            for t in tables):
            parts = ["<p>No survey scale in this report has a reliability estimate.</p>"]
        if key == "quality" and notes:
            parts.append("<ul>" + "".join(f"<li>{_e(n)}</li>" for n in notes) + "</ul>")
        if not parts:
            continue
        toc.append(f"<li><a href='#{_e(key)}'>{_e(heading)}</a></li>")
        sections.append(f"<section id='{_e(key)}' aria-labelledby='h-{_e(key)}'>"
                        f"<h2 id='h-{_e(key)}'>{_e(heading)}</h2>{''.join(parts)}</section>")
    toc.append("<li><a href='#about'>About these data</a></li>")
    sections.append(f"<section id='about'><h2>About these data</h2>"
                    f"{_about(meta, data, framework)}</section>")
    if notes and meta["mode"] == "funder":
        sections.insert(-1, "<section id='left-out'><h2>Left out</h2><ul>" + "".join(
            f"<li>{_e(n)}</li>" for n in notes) + "</ul></section>")
    banner = ("<p class='banner' role='note'><b>Synthetic data.</b> Every organization, person "
              "and number in this report is invented, for illustration only.</p>"
              if meta["synthetic"] else "")
    subtitle = " · ".join(str(p) for p in (
        meta.get("framework_title"),
        f"version {meta['framework_version']}" if meta.get("framework_version") else None,
        f"periods {', '.join(meta['periods'])}" if meta["periods"] else None,
    ) if p)
    mode_name = "Grantee report" if meta["mode"] == "grantee" else "Funder report"
    return (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<meta name='generator' content='{_e(meta['library'])}'>"
        f"<title>{_e(meta['title'])}</title><style>{_CSS}</style></head><body><main>"
        f"<header><p class='muted'>{_e(mode_name)}</p><h1>{_e(meta['title'])}</h1>"
        f"<p class='subtitle'>{_e(subtitle)}</p>{banner}</header>"
        f"<nav aria-label='Contents'><h2 class='no-print'>Contents</h2><ol>{''.join(toc)}</ol>"
        f"</nav>{''.join(sections)}"
        f"<footer>Made with {_e(meta['library'])} on {_e(meta['generated'])}. Charts are also "
        "in charts/ (PNG and SVG), tables in tables/ (CSV) and tables.xlsx, everything in "
        "summary.json.</footer></main></body></html>\n"
    )
