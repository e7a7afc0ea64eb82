"""Reports people can open: one self-contained HTML page, chart images, spreadsheet tables.

:func:`write_report` turns one or more :class:`~getting_to_outcomes.ProgressSummary` objects
into a folder::

    report.html        self-contained: images embedded, no network access, text escaped
    charts/*.svg       every chart as SVG (text kept as text) ...
    charts/*.png       ... and at 200 dpi or more, with png=True (or embed="png")
    tables/*.csv       every table; cells that a spreadsheet would run as a formula are
    tables.xlsx        neutralised, in both formats (OWASP "CSV injection"), unless
                       ``raw_cells=True``
    summary.json       the tables as JSON, with what the report is about
    datapackage.json   the CSV tables described (Frictionless Data Package)
    manifest.json      the files written, so that ``force=True`` can replace them cleanly
    report.pdf         the page printed, with pdf=True

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

import datetime as dt
import json
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import pandas as pd

from getting_to_outcomes._format import plural
from getting_to_outcomes.columns import NETWORK
from getting_to_outcomes.errors import ChartDataError, did_you_mean
from getting_to_outcomes.io import (
    neutralise_formulas,
    replacing_folder,
    write_bytes_atomic,
    write_data_package,
    write_table,
)
from getting_to_outcomes.plotting import chart_data as _d
from getting_to_outcomes.plotting import style as _style
from getting_to_outcomes.reporting._data import (
    Rendered,
    Table,
    Tables,
    collect,
    personal_columns,
    with_data,
    withhold,
)
from getting_to_outcomes.reporting._findings import funder_findings, grantee_findings
from getting_to_outcomes.reporting._html import html_page
from getting_to_outcomes.reporting._json import dumps_tables, join_report
from getting_to_outcomes.reporting._package import report_package
from getting_to_outcomes.reporting._pdf import check_pdf_engine, print_pdf
from getting_to_outcomes.reporting._plan import funder_plan, grantee_plan
from getting_to_outcomes.reporting._progress import progress_function
from getting_to_outcomes.reporting._render import Drawn, draw_charts, sparing_collector

if TYPE_CHECKING:
    from getting_to_outcomes.definitions import Framework

__all__ = ["ReportFiles", "neutralise_formulas", "write_report"]

Mode = Literal["grantee", "funder"]
Progress = Callable[[int, int, str], None]

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
        Chart files (SVG, and PNG when asked) by chart name.
    tables : dict of str to Path
        CSV file by table name.
    timings : dict of str to float
        Seconds (wall clock) spent drawing and saving each chart, in the process that drew
        it.
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
        return (f"ReportFiles({str(self.html)!r}, {plural(len(self.charts), 'chart')}, "
                f"{plural(len(self.tables), 'table')})")


def _json_ready(frame: pd.DataFrame) -> list[dict[str, Any]]:
    records = json.loads(frame.to_json(orient="records", date_format="iso",
                                       default_handler=str))
    return list(records)

# ----------------------------------------------------------------------------------------
# The report
# ----------------------------------------------------------------------------------------


# Automatic collection paused (see sparing_collector): a report makes many short-lived
# objects, and each full collection walks every object in the process.
@sparing_collector()
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
    progress: bool | Progress | None = None,
    raw_cells: bool = False,
    png: bool = False,
    pdf: bool = False,
    workers: int | None = None,
) -> ReportFiles:
    """Write a grantee or funder report: HTML, SVG (and PNG) charts, CSV and Excel, JSON.

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
        Write into a folder that is not empty, replacing a previous report's files (files
        that no report wrote are kept). The new report is written whole into a hidden
        folder beside ``out_dir`` and swapped in when complete, so an error or an
        interruption leaves the previous report as it was.
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
    progress : bool or callable, optional
        Off by default. ``True`` shows a tqdm bar (a widget in a notebook, standard error
        in a terminal); a function is called as ``progress(done, total, label)`` after each
        step (the command line prints its steps with it).
    raw_cells : bool
        Write the CSV and Excel tables' text cells as they are. By default a cell that a
        spreadsheet would run as a formula (it starts with ``=``, ``+``, ``-``, ``@``, a tab
        or a carriage return, and is not a number) gets a leading ``'``; ``summary.json``
        always holds the values as they are.
    png : bool
        Also write every chart as a PNG image (``dpi``), for slides and documents that take
        no SVG; always done with ``embed="png"``.
    pdf : bool
        Also print the page to ``report.pdf`` (its print stylesheet: letter or A4, at most
        12 pages for the example network), with headless Chromium where it is installed
        (``GTO_CHROMIUM`` names the program), else WeasyPrint (the ``pdf`` extra). Neither
        installed is refused before any work.
    workers : int, optional
        Processes that draw the charts. By default one per processor where the system can
        fork this process safely and no other thread is running in it; ``1`` draws them
        here. The files are the same either way.

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
    ReportPdfError
        ``pdf=True`` and neither Chromium nor WeasyPrint is installed (said before any
        work), or the one used failed.

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
    step = progress_function(progress)
    out = Path(out_dir)
    if pdf:
        check_pdf_engine("auto", out / "report.pdf")
    _check_folder(out, force=force)
    # Roll-ups are computed on demand by the summary: ask only for those this mode shows.
    levels = ("stop", "zone", "realm") if mode == "grantee" else ("stop", "realm")
    data = collect(summary_or_summaries, framework, levels)
    if synthetic is not None:
        data.synthetic = synthetic
    fw = data.framework
    personal = personal_columns(fw)
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
    # A grantee report keeps the indicators with data for the organization itself: the
    # network's values alone would draw pages of empty rows and name others' sources.
    among = [org] if mode == "grantee" else None
    data.summary = withhold(with_data(data.summary, among))
    sources = _caption(data, fw, source)
    # The sources are named once, on the page; a chart file carries only what it must.
    caption = ("Synthetic data, generated for illustration: not real organizations or people."
               if _d.is_synthetic(data, data.summary, fw) else "")
    if mode == "grantee":
        findings = grantee_findings(data.summary, org, fw, labels)
        charts, planned = grantee_plan(data, org, labels, caption, max_panels, findings)

        def make_tables() -> list[Table]:
            return planned
    else:
        members = [g for g in dict.fromkeys(data.summary["group"].dropna()) if g != NETWORK]
        findings = funder_findings(data.summary, members, fw, labels)
        charts, make_tables = funder_plan(data, members, labels, caption, rank_indicators,
                                          max_panels, findings)
    total = len(charts) + 3
    done = 0

    def tick(label: str) -> None:
        nonlocal done
        done += 1
        if step is not None:
            step(done, total, label)

    written: list[Path] = []
    chart_files: dict[str, list[Path]] = {}
    timings: dict[str, float] = {}
    cpu_timings: dict[str, float] = {}
    notes = [str(n) for n in notes]
    rendered: list[Rendered] = []
    table_files: dict[str, Path] = {}
    tables: list[Table] = []
    # The report is written whole into a hidden folder beside out_dir, then swapped in: an
    # error or an interruption leaves the previous report as it was, never a mix of both.
    with replacing_folder(out, keep=_foreign_files(out)) as stage:
        meta = _meta(data, mode, org, labels, title)
        table_written: list[Path] = []
        json_tables: list[str] = []

        def write_tables() -> None:
            tables.extend(make_tables())
            # Each table as its files hold it (formulas neutralised), made once for the CSV
            # file, the workbook and the data package's field types.
            cells = {t.key: t.frame if raw_cells else neutralise_formulas(t.frame)
                     for t in tables}
            for table in tables:
                path = write_table(cells[table.key], stage / "tables" / f"{table.key}.csv",
                                   raw_cells=True, encoding="utf-8-sig")
                table_files[table.key] = path
                table_written.append(path)
            table_written.append(write_table(cells, stage / "tables.xlsx", raw_cells=True))
            json_tables.append(dumps_tables({t.key: _json_ready(t.frame) for t in tables}))
            package = report_package(tables, cells, table_files, stage, meta, fw)
            table_written.append(write_data_package(package, stage))

        def drawn(result: Drawn) -> None:
            tick(result.chart.key)

        # The tables are written while worker processes draw the charts.
        for result in draw_charts(charts, stage, dpi=dpi, embed=embed, png=png,
                                  workers=workers, done=drawn, meanwhile=write_tables):
            if result.rendered is None:
                notes.append(f"{result.chart.heading}: not drawn ({result.problem})")
                continue
            timings[result.chart.key] = result.wall
            cpu_timings[result.chart.key] = result.cpu
            rendered.append(result.rendered)
            chart_files[result.chart.key] = result.rendered.files
            written += result.rendered.files
        written += table_written[:-1]
        tick("tables")
        text = join_report(meta, json_tables[0], notes)
        write_bytes_atomic(stage / "summary.json", text.encode())
        written.append(stage / "summary.json")
        written.append(table_written[-1])
        tick("summary.json")
        page = html_page(meta, rendered, tables, notes, data, fw, findings, sources)
        write_bytes_atomic(stage / "report.html", page.encode("utf-8"))
        written.append(stage / "report.html")
        if pdf:
            print_pdf(stage / "report.html", stage / "report.pdf")
            written.append(stage / "report.pdf")
        listed = [*written, stage / "manifest.json"]
        manifest = {"files": sorted(p.relative_to(stage).as_posix() for p in listed)}
        write_bytes_atomic(stage / "manifest.json", json.dumps(manifest, indent=2).encode())
        written.append(stage / "manifest.json")
    tick("report.html")

    def moved(path: Path) -> Path:
        return out / path.relative_to(stage)

    written = [moved(p) for p in written]
    chart_files = {key: [moved(p) for p in paths] for key, paths in chart_files.items()}
    table_files = {key: moved(p) for key, p in table_files.items()}
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


def _foreign_files(out: Path) -> list[str]:
    """Files in ``out`` that no previous report listed in its manifest: they are kept.

    Only the files of a previous report are replaced; anything else a person put in the
    folder is carried into the new one. Hidden ``.tmp`` files are the leftovers of an
    interrupted write, not anyone's work.
    """
    if not out.is_dir():
        return []
    listed: object = []
    manifest = out / "manifest.json"
    if manifest.is_file():
        try:
            content = json.loads(manifest.read_text(encoding="utf-8"))
        except (ValueError, OSError):
            content = {}
        listed = content.get("files", []) if isinstance(content, dict) else []
    previous = {n.replace("\\", "/") for n in listed if isinstance(n, str)} if isinstance(
        listed, list) else set()
    previous.add("manifest.json")
    found = []
    for path in sorted(out.rglob("*")):
        if path.is_dir() and not path.is_symlink():
            continue
        relative = path.relative_to(out).as_posix()
        if relative in previous or (path.name.startswith(".") and path.name.endswith(".tmp")):
            continue
        found.append(relative)
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
    msg = (f"the summary holds {plural(len(members), 'organization')}; choose one with org=... "
           f"(--org), or write a funder report (mode='funder', --compare): "
           f"{_d.preview(list(members))}")
    raise ChartDataError(msg)


def _caption(data: Tables, framework: Framework | None, source: str | None) -> str:
    frame = data.summary.copy()
    if source:
        frame.attrs["source"] = source
    if data.synthetic is not None:
        frame.attrs["synthetic"] = data.synthetic
    return _d.caption_text(data, frame, framework)


def _meta(data: Tables, mode: str, org: Any, labels: Mapping[Any, str] | None,
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
    from getting_to_outcomes._version import __version__

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
