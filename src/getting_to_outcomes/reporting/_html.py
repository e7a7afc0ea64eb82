"""The HTML page of a report: self-contained, escaped, readable narrow and on paper.

Private: see :func:`getting_to_outcomes.write_report`.
"""

from __future__ import annotations

import base64
import html
import math
import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd

from getting_to_outcomes._format import plural
from getting_to_outcomes.columns import NETWORK
from getting_to_outcomes.plotting import chart_data as _d
from getting_to_outcomes.plotting import style as _style
from getting_to_outcomes.reporting._data import Rendered, Table, Tables
from getting_to_outcomes.reporting._findings import Findings

if TYPE_CHECKING:
    from getting_to_outcomes.definitions import Framework


_HTML_TABLE_ROWS = 60


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
h2 { font-size: 1.35rem; margin: 2rem 0 .5rem; border-bottom: 2px solid #0072B2;
  padding-bottom: .2rem; }
h3 { font-size: 1.05rem; margin: 1.25rem 0 .25rem; }
p, li { max-width: 75ch; overflow-wrap: anywhere; }
.subtitle { color: #444; margin: 0 0 1rem; }
.banner { background: #FFF4D6; border-left: 5px solid #E69F00; padding: .6rem 1rem;
  margin: 1rem 0; }
.findings { padding-left: 1.1rem; }
.findings li { margin: .35rem 0; }
.facts { display: flex; flex-wrap: wrap; gap: .5rem; padding: 0; list-style: none; }
.facts li { border: 1px solid #ccc; border-radius: 6px; padding: .3rem .7rem; }
.facts b { font-size: 1.15rem; display: block; }
nav ol { display: flex; flex-wrap: wrap; gap: .25rem 1.25rem; padding: 0; list-style: none;
  margin: .5rem 0; }
figure { margin: 1rem 0 1.75rem; }
.chart-frame { overflow-x: auto; max-width: 100%; }
.chart-frame img { width: 100%; height: auto; display: block; }
figcaption { font-size: .9rem; color: #333; margin-top: .4rem; }
figure details, .details details details { font-size: .9rem; color: #333; margin-top: .3rem; }
.details > details { border-top: 1px solid #ddd; padding: .4rem 0; }
.details > details > summary { font-size: 1.1rem; font-weight: 600; cursor: pointer; }
.table-wrap { overflow-x: auto; max-width: 100%; margin: .5rem 0 1rem; }
table { border-collapse: collapse; font-size: .85rem; }
caption { text-align: left; font-weight: 600; padding: .25rem 0; }
th, td { padding: .25rem .5rem; border-bottom: 1px solid #ddd; text-align: left;
  vertical-align: top; }
th { background: #f4f4f4; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.muted { color: #555; font-size: .9rem; }
.print-only { display: none; }
footer { margin-top: 3rem; border-top: 1px solid #ccc; padding-top: .75rem; font-size: .85rem;
  color: #444; }
@media (max-width: 640px) {
  body { font-size: 15px; }
  main { padding: .75rem; }
  h1 { font-size: 1.4rem; }
  table { font-size: .8rem; }
}
@media print {
  @page { margin: 1.5cm; }
  body { font-size: 10pt; }
  main { max-width: none; padding: 0; }
  nav, .no-print, .details > details:not([open]) { display: none; }
  .print-only { display: block; }
  h2 { break-after: avoid; page-break-after: avoid; }
  figure, tr { break-inside: avoid; page-break-inside: avoid; }
  figure details { display: none; }
  .chart-frame { overflow: visible; }
  .chart-frame img { min-width: 0 !important; max-height: 8.5in; width: auto;
    max-width: 100%; }
  .table-wrap { overflow: visible; }
  a { color: inherit; text-decoration: none; }
  .banner { border: 1px solid #999; }
}
"""


def _e(value: Any) -> str:
    """Escape any value for HTML text or a quoted attribute."""
    return html.escape("" if value is None else str(value), quote=True)


_NUMERIC = re.compile(r"^[−+\-±<]?[0-9][0-9,]*(\.[0-9]+)?( ?%| pts)?$")


def _cell(value: Any, column: str = "") -> tuple[str, bool]:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "", False
    if value is pd.NA or value is pd.NaT:
        return "", False
    if isinstance(value, bool):
        return ("yes" if value else "no"), False
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
        if number == int(number) and abs(number) < 1e15:
            return f"{int(number):,}", True
        return f"{number:,.2f}", True
    text = str(value)
    return text, bool(_NUMERIC.match(text))


def _files_note(table: Table) -> str:
    return (f"<a href='tables/{_e(table.key)}.csv'>tables/{_e(table.key)}.csv</a> and "
            "tables.xlsx")


def _html_table(table: Table) -> str:
    frame = table.view
    if frame is None:
        return (f"<p>{_e(table.heading)}: {plural(len(table.frame), 'row')} in "
                f"{_files_note(table)}.</p>")
    if frame.empty:
        return f"<p class='muted'>{_e(table.heading)}: nothing to show.</p>"
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
    more = (f"First {len(shown)} of {plural(len(frame), 'row')}; every row, with intervals "
            f"and tests, is in {_files_note(table)}." if len(frame) > len(shown) else
            f"With intervals, tests and every period: {_files_note(table)}.")
    intro = f"<p class='muted'>{_e(table.intro)}</p>" if table.intro else ""
    return (f"{intro}<div class='table-wrap'><table><caption>{_e(table.heading)}</caption>"
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></div>"
            f"<p class='muted'>{more}</p>")


def _short_alt(text: str, limit: int = 300) -> str:
    if len(text) <= limit:
        return text
    cut = text[:limit]
    end = cut.rfind(". ")
    return (cut[: end + 1] if end > 80 else cut.rstrip() + "…") + " Details follow the chart."


def _figure(chart: Rendered) -> str:
    encoded = base64.b64encode(chart.image).decode("ascii")
    alt = chart.alt or chart.heading
    described = f"desc-{_e(chart.key)}"
    width = f" style='min-width:{chart.min_width}px'" if chart.min_width else ""
    return (
        f"<figure id='chart-{_e(chart.key)}'><h3>{_e(chart.heading)}</h3>"
        f"<div class='chart-frame'><img src='data:{chart.media_type};base64,{encoded}' "
        f"alt='{_e(_short_alt(alt))}' aria-describedby='{described}'{width}></div>"
        f"<figcaption>{_e(chart.intro)}</figcaption>"
        f"<details><summary>This chart in words</summary><p id='{described}'>{_e(alt)}</p>"
        f"</details></figure>"
    )


def _findings(findings: Findings) -> str:
    return "<ul class='findings'>" + "".join(
        f"<li><b>{_e(head)}.</b> {_e(text)}</li>" for head, text in findings.items) + "</ul>"


def _facts(meta: Mapping[str, Any], data: Tables) -> str:
    frame = _d.overall(data.summary)
    if meta["mode"] == "grantee":
        frame = frame[frame["group"] == meta["organization"]] if meta["organization"] else frame
    indicators = frame["indicator_id"].nunique()
    with_values = frame.loc[frame["value"].map(_d.is_num), "indicator_id"].nunique()
    reported = "indicator reported" if indicators == 1 else "indicators reported"
    facts = [(str(indicators), reported), (str(with_values), "with values")]
    if meta["mode"] == "funder":
        groups = [g for g in meta["groups"] if g != NETWORK]
        facts.insert(0, (str(len(groups)), "grantee" if len(groups) == 1 else "grantees"))
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


def _about(meta: Mapping[str, Any], data: Tables, framework: Framework | None) -> str:
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


def html_page(meta: Mapping[str, Any], charts: Sequence[Rendered], tables: Sequence[Table],
               notes: Sequence[str], data: Tables, framework: Framework | None,
               findings: Findings, sources: str) -> str:
    mode = str(meta["mode"])
    lead = [c for c in charts if c.lead]
    formats = " and ".join(sorted({p.suffix[1:].upper() for c in charts for p in c.files},
                                  reverse=True)) or "SVG"
    details = []
    for key, heading in _SECTIONS[mode]:
        parts = [_figure(c) for c in charts if c.section == key and not c.lead]
        parts += [_html_table(t) for t in tables if t.section == key]
        if key == "reliability" and not any(t.section == key and not t.frame.empty
                                            for t in tables):
            parts = ["<p>No survey scale in this report has a reliability estimate.</p>"]
        if key == "quality" and notes:
            parts.append("<ul>" + "".join(f"<li>{_e(n)}</li>" for n in notes) + "</ul>")
        if not parts:
            continue
        count = sum(1 for c in charts if c.section == key and not c.lead)
        what = ", ".join(p for p in (
            plural(count, "chart") if count else "",
            plural(sum(1 for t in tables if t.section == key), "table")
            if any(t.section == key for t in tables) else "") if p)
        details.append(f"<details id='{_e(key)}'><summary>{_e(heading)}"
                       f"{f' ({_e(what)})' if what else ''}</summary>{''.join(parts)}"
                       "</details>")
    left_out = ("<h3>Left out</h3><ul>" + "".join(f"<li>{_e(n)}</li>" for n in notes)
                + "</ul>") if notes and mode == "funder" else ""
    sections = [
        "<section id='findings' aria-labelledby='h-findings'><h2 id='h-findings'>Key findings"
        f"</h2>{_findings(findings)}{_facts(meta, data)}</section>",
    ]
    if lead:
        sections.append("<section id='charts' aria-labelledby='h-charts'><h2 id='h-charts'>"
                        f"In charts</h2>{''.join(_figure(c) for c in lead)}</section>")
    if details:
        sections.append(
            "<section id='details' class='details' aria-labelledby='h-details'>"
            "<h2 id='h-details'>Details</h2><p class='muted no-print'>Open a part to read it. "
            "Every table is also in tables/ (CSV) and tables.xlsx, every chart in charts/ "
            f"({formats}).</p><p class='print-only'>The detailed charts and tables are in the "
            "HTML report (report.html) and its files: tables.xlsx, tables/*.csv, charts/.</p>"
            f"{''.join(details)}</section>")
    sources_line = f"<p>{_e(sources)}</p>" if sources else ""
    sections.append(f"<section id='about' aria-labelledby='h-about'><h2 id='h-about'>About "
                    f"these data</h2>{sources_line}{_about(meta, data, framework)}{left_out}"
                    "</section>")
    toc = [("findings", "Key findings")]
    if lead:
        toc.append(("charts", "In charts"))
    if details:
        toc.append(("details", "Details"))
    toc.append(("about", "About these data"))
    banner = ("<p class='banner' role='note'><b>Synthetic data.</b> Every organization, person "
              "and number in this report is invented, for illustration only.</p>"
              if meta["synthetic"] else "")
    subtitle = " · ".join(str(p) for p in (
        meta.get("framework_title"),
        f"version {meta['framework_version']}" if meta.get("framework_version") else None,
        f"periods {', '.join(meta['periods'])}" if meta["periods"] else None,
    ) if p)
    mode_name = "Grantee report" if mode == "grantee" else "Funder report"
    return (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<meta name='generator' content='{_e(meta['library'])}'>"
        f"<title>{_e(meta['title'])}</title><style>{_CSS}</style></head><body><main>"
        f"<header><p class='muted'>{_e(mode_name)}</p><h1>{_e(meta['title'])}</h1>"
        f"<p class='subtitle'>{_e(subtitle)}</p>{banner}</header>"
        "<nav aria-label='Contents'><ol>" + "".join(
            f"<li><a href='#{k}'>{_e(h)}</a></li>" for k, h in toc) + "</ol></nav>"
        f"{''.join(sections)}"
        f"<footer>Made with {_e(meta['library'])} on {_e(meta['generated'])}. Charts are also "
        f"in charts/ ({formats}), tables in tables/ (CSV) and tables.xlsx, everything in "
        "summary.json.</footer></main></body></html>\n"
    )
