"""What each report holds: the charts and tables of a grantee report and of a funder report.

Private: see :func:`getting_to_outcomes.write_report`.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from getting_to_outcomes import plotting as _plots
from getting_to_outcomes._format import plural
from getting_to_outcomes.columns import NETWORK, ROLLUP_COLUMNS
from getting_to_outcomes.errors import ScoringError
from getting_to_outcomes.plotting import chart_data as _d
from getting_to_outcomes.plotting import style as _style
from getting_to_outcomes.reporting import _readable as _r
from getting_to_outcomes.reporting._data import Chart, Table, Tables
from getting_to_outcomes.reporting._findings import Findings
from getting_to_outcomes.stats import CLUSTERED_MEAN_COLUMNS

if TYPE_CHECKING:
    from getting_to_outcomes.definitions import Framework


# ----------------------------------------------------------------------------------------
# What each report holds
# ----------------------------------------------------------------------------------------


#: Most grantees in one heatmap; more are split over several, so that rows stay readable.
HEATMAP_ROWS = 25


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


def grantee_plan(data: Tables, org: Any, labels: Mapping[Any, str] | None, caption: str,
                  max_panels: int, findings: Findings) -> tuple[list[Chart], list[Table]]:
    fw = data.framework
    mine = _overall(data.summary[data.summary["group"] == org])
    charts: list[Chart] = []
    common: dict[str, Any] = {"labels": labels, "framework": fw, "caption": caption}
    if findings.indicators:
        charts.append(Chart(
            "key_changes", "glance", "The clearest gains and declines",
            "Hollow dot: baseline; filled dot: now, with its confidence interval. Each row "
            "has its own scale.",
            functools.partial(_plots.plot_before_after, data, by="indicator", group=org,
                              indicators=findings.indicators,
                              title=f"Clearest changes since baseline\n"
                                    f"{_d.label(org, labels)}", **common), lead=True))
    if not data.by_stop().empty and (data.by_stop()["group"] == org).any():
        charts.append(Chart(
            "theory_of_change", "glance", "Where progress is, along the theory of change",
            "Each station is a stop of the theory of change, ringed in its realm's colour, with "
            "its 0-100 score inside and filled with that score's band (thresholds in the "
            "legend); under it, the median status of its indicators. Lines show which stop "
            "leads to which.",
            lambda: _plots.plot_theory_of_change(data, group=org, **common), lead=True))
    blocks = _realm_blocks(mine, fw)
    for realm, name, ids in blocks:
        with_target = [i for i in ids
                       if _has_values(mine[mine["indicator_id"] == i], "target")]
        for key, part, heading in _pages(f"targets_{realm}", with_target, 15,
                                         f"Progress toward targets: {name} realm"):
            charts.append(Chart(
                key, "targets", heading,
                "How far each indicator has come from its baseline (0%) toward its target "
                "(100%).",
                functools.partial(_plots.plot_targets, data, group=org, indicators=part,
                                  title=f"{heading}\n{_d.label(org, labels)}", **common)))
    for realm, name, ids in blocks:
        for key, part, heading in _pages(f"before_after_{realm}", ids, 15,
                                         f"Change since baseline: {name} realm"):
            charts.append(Chart(
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
            charts.append(Chart(
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
            charts.append(Chart(
                key, "trends", heading,
                "One panel per indicator; bands are confidence intervals, dashed lines targets.",
                functools.partial(_plots.plot_small_multiples, data, facet="indicator",
                                  group=org, indicators=part,
                                  title=f"{heading}\n{_d.label(org, labels)}", **common)))
    wins = data.milestones()
    if not wins.empty:
        for indicator in dict.fromkeys(wins.loc[wins["group"] == org, "indicator_id"]):
            charts.append(Chart(
                f"wins_{_slug(indicator)}", "wins",
                f"Wins: {_d.indicator_name(fw, str(indicator))}",
                "Wins by the highest stage reached, by level.",
                functools.partial(_plots.plot_wins_pipeline, data, indicator=indicator,
                                  group=org, **common)))
    if not data.by_realm().empty and (data.by_realm()["group"] == org).any():
        charts.append(Chart(
            "realm_profile", "network", "Individual, community and policy realms",
            "Roll-up scores by realm; the dashed line is the pooled network.",
            lambda: _plots.plot_realm_profiles(data, groups=[org], **common)))
    tables = [
        Table("indicators", "indicators", "Indicators by realm and stop",
               "The latest period of every indicator of the organization. The files hold "
               "every period, the intervals, tests and notes.",
               _indicator_table(mine, fw, extra=["notes"]),
               _r.indicator_view(mine, fw, labels, with_group=False)),
    ]
    everything = data.summary[data.summary["group"] == org]
    subgroups = everything.drop(index=_overall(everything).index)
    if not subgroups.empty:
        tables.append(Table(
            "subgroups", "indicators", "Indicators by subgroup",
            "The same indicators for each subgroup that the framework disaggregates by.",
            _indicator_table(subgroups, fw, extra=["subgroup_dimension", "subgroup"])))
    for level in ("stop", "zone", "realm"):
        roll = data.rollups[(data.rollups["level"] == level) & (data.rollups["group"] == org)]
        if not roll.empty:
            tables.append(Table(f"by_{level}", "indicators", f"Roll-up by {level}",
                                 "Scores 0-100 with coverage (indicators with data / defined);"
                                 " missing indicators are not counted as zero.",
                                 roll[_present(roll, ROLLUP_COLUMNS)].reset_index(drop=True),
                                 _rollup_view(roll, level, labels, with_group=False)))
    reliability = _reliability_table(mine, fw)
    tables.append(Table("reliability", "reliability", "Reliability of survey scales",
                         "Cronbach's alpha of each scale, with its confidence interval; scales "
                         "below their framework threshold are flagged.",
                         reliability, _reliability_view(reliability)))
    quality = _quality_table(mine, fw, keep_notes=True)
    tables.append(Table("data_quality", "quality", "Data-quality notes",
                         "Indicators without data, withheld for small groups, or carrying "
                         "notes from validation and scoring.",
                         quality, _r.rename(quality, {"indicator": "Indicator",
                                                      "period": "Period", "note": "Note"})))
    return charts, tables


def _rollup_view(roll: pd.DataFrame, level: str, labels: Mapping[Any, str] | None, *,
                 with_group: bool) -> pd.DataFrame:
    records = []
    for row in roll.to_dict("records"):
        record: dict[str, Any] = (
            {"Grantee": _d.label(row.get("group"), labels)} if with_group else {})
        status = row.get("status")
        record.update({
            level.capitalize(): row.get("level_name") or row.get("level_id"),
            "Period": row.get("period"),
            "Score (0-100)": _r.score(row.get("score_0_100")),
            "Indicators with data": f"{_d.num(row.get('n_indicators_with_data')):.0f} of "
                                    f"{_d.num(row.get('n_indicators_defined')):.0f}",
            "Coverage": _r.percent(row.get("coverage")),
            "Median status": _style.status_label(status) if isinstance(status, str) else "",
        })
        records.append(record)
    return pd.DataFrame(records)


def _reliability_view(frame: pd.DataFrame) -> pd.DataFrame:
    if frame.empty:
        return pd.DataFrame()
    records = []
    for row in frame.to_dict("records"):
        low, high = _d.num(row.get("reliability_ci_low")), _d.num(row.get("reliability_ci_high"))
        flag = row.get("reliability_flag")
        records.append({
            "Scale": row.get("indicator"),
            "Period": row.get("period"),
            "n": f"{_d.num(row.get('n')):,.0f}" if _d.is_num(row.get("n")) else "",
            "Cronbach's alpha": f"{_d.num(row.get('reliability')):.2f}"
            if _d.is_num(row.get("reliability")) else "",
            "Interval": f"{low:.2f} to {high:.2f}" if _d.is_num(low) and _d.is_num(high) else "",
            "Flag": str(flag).replace("_", " ") if isinstance(flag, str) else "",
        })
    return pd.DataFrame(records)


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


def funder_plan(data: Tables, members: Sequence[Any], labels: Mapping[Any, str] | None,
                 caption: str, rank_indicators: int, max_panels: int, findings: Findings
                 ) -> tuple[list[Chart], Callable[[], list[Table]]]:
    fw = data.framework
    frame = _overall(data.summary)
    common: dict[str, Any] = {"labels": labels, "framework": fw, "caption": caption}
    charts: list[Chart] = []
    stops = data.by_stop()
    if not stops.empty and (stops["group"] == NETWORK).any():
        charts.append(Chart(
            "theory_of_change", "glance", "The network along the theory of change",
            "Pooled network roll-up of each stop: the number is its mean score (0-100), the "
            "fill that score's band (thresholds in the legend); under it, the median status of "
            "its indicators.",
            lambda: _plots.plot_theory_of_change(data, group=NETWORK, **common), lead=True))
    blocks = _realm_blocks(frame, fw)
    # The heatmaps and rankings read the rows of whole groups only: given just those, each
    # of the many charts filters a third of the summary (subgroup rows left out once here).
    whole_groups = dataclasses.replace(data, summary=frame)
    kinds: list[tuple[Literal["score", "status"], str]] = [("score", "Scores (0-100)"),
                                                            ("status", "Status")]
    # Many grantees are split over several heatmaps, each with the pooled network as its
    # last row, so that every row keeps a readable height.
    row_pages = [list(members[k:k + HEATMAP_ROWS])
                 for k in range(0, len(members), HEATMAP_ROWS)]
    pooled = [NETWORK] if (frame["group"] == NETWORK).any() else []
    for value, what in kinds:
        for realm, name, ids in blocks:
            for key, part, heading in _pages(f"heatmap_{value}_{realm}", ids, 15,
                                             f"{what} by grantee: {name} realm"):
                for page, rows in enumerate(row_pages, start=1):
                    first = (page - 1) * HEATMAP_ROWS + 1
                    who = (plural(len(members), "grantee") if len(row_pages) == 1 else
                           f"grantees {first}-{first + len(rows) - 1} of {len(members)}")
                    charts.append(Chart(
                        key if len(row_pages) == 1 else f"{key}_grantees_{page}", "heatmap",
                        heading if len(row_pages) == 1 else f"{heading}, {who}",
                        "Scores 0-100 at each indicator's latest period; n is written where it "
                        "is small. Hatched cells are withheld for small groups, blank cells "
                        "have no data." if value == "score"
                        else "Status toward target; symbols repeat the colours for "
                        "black-and-white printing. n is written where it is small.",
                        functools.partial(_plots.plot_heatmap, whole_groups, value=value,
                                          network=True, groups=rows + pooled,
                                          indicators=part, title=f"{heading}\n{who}"
                                          " · latest period of each indicator", **common)))
    if not data.by_realm().empty:
        charts.append(Chart(
            "realm_profiles", "realms", "Realm profiles",
            "Roll-up scores in the individual, community and policy realms, with coverage.",
            lambda: _plots.plot_realm_profiles(data, **common), lead=True))
    keys = _key_indicators(frame, fw, rank_indicators)
    for indicator in keys:
        charts.append(Chart(
            f"ranking_{_slug(indicator)}", "rankings",
            f"Ranking: {_d.indicator_name(fw, indicator)}",
            "Each grantee's value with its confidence interval and the ranks it could hold.",
            functools.partial(_plots.plot_ranking, whole_groups, indicator=indicator,
                              **common)))
    latest = _d.latest_rows(frame, _d.period_order(frame, data, fw), None)
    funnels = _funnels(data, latest)
    shown_funnel = next((i for i in [*keys, *funnels] if i in funnels), None)
    if shown_funnel is not None:
        result = funnels[shown_funnel]
        name = _d.indicator_name(fw, shown_funnel)
        when = str(latest.loc[latest["indicator_id"] == shown_funnel, "period"].iloc[0])
        charts.append(Chart(
            f"funnel_{_slug(shown_funnel)}", "rankings",
            f"Funnel plot: {_d.indicator_name(fw, shown_funnel)}",
            "Each grantee's value against its number of people, with 95% and 99.8% control "
            "limits around the network value; outside the limits is more than chance. Hollow "
            "dots: values shrunk toward the network by how little data each grantee has.",
            functools.partial(_plots.plot_funnel, result, shrunk=True, labels=labels,
                              value_label=_funnel_axis(fw, shown_funnel),
                              title=f"{name}: funnel plot\n"
                              f"{plural(result.n_groups, 'grantee')} · {when}",
                              caption=caption)))
    if keys and len(members) <= max_panels:
        charts.append(Chart(
            f"small_multiples_{_slug(keys[0])}", "network",
            f"{_d.indicator_name(fw, keys[0])}, grantee by grantee",
            "Each grantee over time against the pooled network (grey).",
            lambda: _plots.plot_small_multiples(data, indicator=keys[0], **common)))
    wins = data.milestones()
    if not wins.empty:
        for indicator in dict.fromkeys(wins["indicator_id"]):
            charts.append(Chart(
                f"wins_{_slug(indicator)}", "network",
                f"Wins across the network: {_d.indicator_name(fw, str(indicator))}",
                "Wins by the highest stage reached, by level, all grantees together.",
                functools.partial(_plots.plot_wins_pipeline, data, indicator=indicator,
                                  **common)))
    # The tables are made when write_report asks, while worker processes draw the charts.

    def make_tables() -> list[Table]:
        network_rows = frame[frame["group"] == NETWORK]
        coverage = _coverage(frame, members, fw, labels)
        rankings = _with_shrunk(_rankings(latest, fw, labels), funnels, fw, labels)
        outside = _outside(funnels, fw, labels)
        # Each indicator's number format, worked out once for the tables that show values.
        fmts = _r.formats(frame, fw)
        clustering = _clustering(data)
        overview = _grantee_overview(frame, members, fw, labels)
        tables = [
            Table("grantees", "heatmap", "Grantees at a glance",
                   "Each grantee's latest period: targets met, on track and behind, clear "
                   "gains and declines, and how much of the framework has data.",
                   overview, overview),
            Table("scores", "heatmap", "Scores by grantee and indicator (0-100)",
                   "Latest period of each indicator; 'withheld' marks small groups.",
                   _wide(latest, "score_0_100", fw, labels), None),
            Table("statuses", "heatmap", "Status by grantee and indicator", "",
                   _wide(latest, "status", fw, labels), None),
            Table("rankings", "rankings", "Rankings with uncertainty",
                   "For every indicator at its latest period: rank and the range of ranks the "
                   "confidence intervals allow.", rankings, _rankings_view(rankings, fmts)),
            Table("outside_limits", "rankings", "Grantees outside the funnel limits",
                   "For every scale, mean and share indicator at its latest period: grantees "
                   "beyond the 95% control limits around the network value (Spiegelhalter 2005), "
                   "with the limits' method, and the value shrunk toward the network.",
                   outside, _outside_view(outside, fmts)),
            Table("network_totals", "network", "Network totals",
                   "The pooled network, computed from all grantees' data together.",
                   _indicator_table(network_rows, fw),
                   _r.indicator_view(network_rows, fw, labels, with_group=False)),
            Table("network_clustering", "network", "Network values and the clustering of people",
                   "People are nested in grantees: the intraclass correlation (ICC), the design "
                   "effect 1 + (m - 1) ICC with m the mean number of people per grantee, and an "
                   "interval for the network value that allows for it (cluster-robust).",
                   clustering, _clustering_view(clustering, fw)),
            Table("coverage", "health", "Coverage and data health per grantee",
                   "Indicators with data, withheld cells, reliability flags and typical n.",
                   coverage, _r.rename(coverage, {
                       "group": "Grantee", "indicators_with_data": "Indicators with data",
                       "coverage": "Coverage", "cells_withheld": "Values withheld",
                       "reliability_flags": "Reliability flags", "median_n": "Median n",
                       "periods": "Periods"}).assign(
                           Coverage=lambda t: t["Coverage"].map(_r.percent),
                           **{"Median n": lambda t: t["Median n"].map(
                               lambda v: f"{v:,.0f}" if _d.is_num(v) else "")})),
            *_attrition_tables(data, fw, labels),
            Table("indicators", "indicators", "Every grantee, every indicator",
                   "The full table behind the charts (free-text notes are left out of funder "
                   "reports).", _indicator_table(frame, fw), None),
        ]
        for level in ("realm", "stop"):
            roll = data.rollups[data.rollups["level"] == level]
            if not roll.empty:
                tables.append(Table(f"by_{level}", "realms", f"Roll-up by {level}", "",
                                     roll[_present(roll, ROLLUP_COLUMNS)].reset_index(drop=True),
                                     _rollup_view(roll, level, labels, with_group=True)
                                     if level == "realm" else None))
        return tables

    return charts, make_tables


def _attrition_tables(data: Tables, framework: Framework | None,
                      labels: Mapping[Any, str] | None) -> list[Table]:
    """Attrition per grantee against the WWC boundaries, for the data-health section."""
    table = data.attrition_table
    if table is None or table.empty:
        return []
    view = pd.DataFrame({
        "Indicator": [_d.indicator_name(framework, str(i)) for i in table["indicator_id"]],
        "Grantee": [_d.label(g, labels) for g in table["group"]],
        "Periods": [f"{b} to {p}" for b, p in zip(table["baseline_period"], table["period"],
                                                  strict=True)],
        "At baseline": table["n_baseline"].map(lambda v: f"{v:,.0f}" if _d.is_num(v) else ""),
        "Attrition": table["attrition"].map(_r.percent),
        "Rest of network": table["network_attrition"].map(_r.percent),
        "WWC rating": table["rating"].map(lambda v: v if isinstance(v, str) else ""),
        "Stayers vs leavers": [
            f"g {g:+.2f}" if _d.is_num(g) else f"Cox {c:+.2f}" if _d.is_num(c) else ""
            for g, c in zip(table["hedges_g"], table["cox_index"], strict=True)],
        "Baseline equivalence": table["equivalence"].map(
            lambda v: v if isinstance(v, str) else ""),
    })
    assumption = str(table["assumption"].iloc[0])
    return [Table(
        "attrition", "health", "Attrition between baseline and follow-up",
        f"People with a value at baseline and none later, per grantee against the rest of the "
        f"network, rated by the What Works Clearinghouse boundaries ({assumption} "
        "assumption; Standards Handbook 4.1, Table II.1); stayers against leavers at baseline "
        "as Hedges' g (scores) or the Cox index (yes/no shares; WWC: 0.05 and 0.25).",
        table, view)]


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
    """Each indicator's grantees ranked by the rule of :func:`.rank_ranges` (rank, and the
    ranks the confidence intervals allow), worked out on arrays: a table per indicator took
    a tenth of the funder report's tables."""
    columns = ["indicator", "indicator_id", "period", "group", "value", "rank", "rank_best",
               "rank_worst", "shrunk"]
    values = _r.numbers(frame["value"])
    rows = frame[(frame["group"] != NETWORK).to_numpy() & ~np.isnan(values)]
    if rows.empty:
        return pd.DataFrame(columns=columns)
    value = _r.numbers(rows["value"])
    low, high = _r.numbers(rows["ci_low"]), _r.numbers(rows["ci_high"])
    ids = rows["indicator_id"].to_numpy()
    codes, keys = pd.factorize(ids)
    order: list[np.ndarray] = []
    ranks: list[np.ndarray] = []
    best: list[np.ndarray] = []
    worst: list[np.ndarray] = []
    names: list[str] = []
    for code, indicator_id in enumerate(keys):
        at = np.flatnonzero(codes == code)
        found = _d.indicator(framework, str(indicator_id))
        sign = -1.0 if found is not None and found.direction == "decrease" else 1.0
        v, lo, hi = value[at] * sign, low[at] * sign, high[at] * sign
        if sign < 0:
            lo, hi = hi, lo
        lo = np.where(np.isnan(lo), v, lo)
        hi = np.where(np.isnan(hi), v, hi)
        count = len(at)
        ranked = (-v).argsort(kind="stable")
        order.append(at[ranked])
        ranks.append(np.arange(1, count + 1))
        best.append(1 + (lo[None, :] > hi[:, None]).sum(axis=1)[ranked])
        worst.append(count - (hi[None, :] < lo[:, None]).sum(axis=1)[ranked])
        names.extend([_d.indicator_name(framework, str(indicator_id))] * count)
    taken = rows.iloc[np.concatenate(order)]
    first_period = rows.drop_duplicates("indicator_id").set_index("indicator_id")["period"]
    return pd.DataFrame({
        "indicator": names,
        "indicator_id": taken["indicator_id"].to_numpy(),
        "period": first_period.reindex(taken["indicator_id"]).to_numpy(),
        "group": [_d.label(g, labels) for g in taken["group"]],
        "value": taken["value"].to_numpy(),
        "rank": np.concatenate(ranks),
        "rank_best": np.concatenate(best),
        "rank_worst": np.concatenate(worst),
    })


def _funnels(data: Tables, latest: pd.DataFrame) -> dict[str, Any]:
    """Funnel results of every indicator that has one, at the period of ``latest`` (the
    latest of each indicator, as the rankings).

    Only from one scored summary: funnels need each grantee's sums, which tidy tables and
    several separately scored summaries do not give together.
    """
    sources = [s for s in data.sources if hasattr(s, "funnel")]
    if len(sources) != 1:
        return {}
    summary = sources[0]
    periods = latest.drop_duplicates("indicator_id").set_index("indicator_id")["period"]
    found: dict[str, Any] = {}
    for indicator in summary.indicator_ids:
        if indicator not in periods.index:
            continue
        try:
            result = summary.funnel(indicator, period=str(periods[indicator]))
        except ScoringError:
            continue  # counts, ratios and milestones have no funnel; organization profiles
        if result.n_groups >= 3:
            found[indicator] = result
    return found


def _funnel_axis(framework: Framework | None, indicator: str) -> str | None:
    found = _d.indicator(framework, indicator)
    return found.unit if found is not None else None


_OUTSIDE_COLUMNS = ["indicator", "indicator_id", "group", "n", "value", "low_95", "high_95",
                    "low_998", "high_998", "position", "shrunk", "method", "phi", "tau2"]


def _outside(funnels: Mapping[str, Any], framework: Framework | None,
             labels: Mapping[Any, str] | None) -> pd.DataFrame:
    parts = []
    for indicator, result in funnels.items():
        rows = result.outside
        if rows.empty:
            continue
        parts.append(rows.assign(
            indicator=_d.indicator_name(framework, indicator), indicator_id=indicator,
            group=rows["group"].map(lambda g: _d.label(g, labels)), method=result.method,
            phi=result.phi, tau2=result.tau2))
    if not parts:
        return pd.DataFrame(columns=_OUTSIDE_COLUMNS)
    table: pd.DataFrame = pd.concat(parts, ignore_index=True)
    return table[_OUTSIDE_COLUMNS]


_POSITION_WORDS = {"above_95": "above 95%", "above_998": "above 99.8%",
                   "below_95": "below 95%", "below_998": "below 99.8%"}


def _outside_view(outside: pd.DataFrame, fmts: Mapping[str, _r.Format]) -> pd.DataFrame:
    if outside.empty:
        return pd.DataFrame()

    def value(column: str) -> list[str]:
        return [fmts.get(str(i), _r.Format()).value(v)
                for i, v in zip(outside["indicator_id"], outside[column], strict=True)]

    return pd.DataFrame({
        "Indicator": outside["indicator"],
        "Grantee": outside["group"],
        "n": outside["n"].map(lambda v: f"{v:,.0f}"),
        "Value": value("value"),
        "Outside": outside["position"].map(_POSITION_WORDS),
        "95% limits": [f"{a} to {b}" for a, b in zip(value("low_95"), value("high_95"),
                                                      strict=True)],
        "Shrunk value": value("shrunk"),
        "Limits": outside["method"].map({"none": "sampling error",
                                         "multiplicative": "overdispersion (phi)",
                                         "additive": "random effects (tau\u00b2)"}),
    })


def _clustering(data: Tables) -> pd.DataFrame:
    """ICC and design effect of the network values, from the one scored summary given."""
    sources = [s for s in data.sources if hasattr(s, "clustering")]
    if len(sources) != 1:
        return pd.DataFrame(columns=["indicator_id", "period", "family",
                                     *CLUSTERED_MEAN_COLUMNS])
    table: pd.DataFrame = sources[0].clustering()
    return table


def _clustering_view(table: pd.DataFrame, framework: Framework | None) -> pd.DataFrame:
    if table.empty:
        return pd.DataFrame()
    return pd.DataFrame({
        "Indicator": table["indicator_id"].map(lambda i: _d.indicator_name(framework, str(i))),
        "Period": table["period"].astype(str),
        "Network value": table["mean"].map(lambda v: f"{v:.3g}"),
        "Cluster-robust interval": [f"{a:.3g} to {b:.3g}" if _d.is_num(a) else ""
                                    for a, b in zip(table["ci_low"], table["ci_high"],
                                                    strict=True)],
        "ICC": table["icc"].map(lambda v: f"{v:.3f}" if _d.is_num(v) else ""),
        "People per grantee (m)": table["cluster_size"].map(lambda v: f"{v:,.0f}"),
        "Design effect": table["design_effect"].map(
            lambda v: f"{v:.2f}" if _d.is_num(v) else ""),
    })


def _with_shrunk(rankings: pd.DataFrame, funnels: Mapping[str, Any],
                 framework: Framework | None,
                 labels: Mapping[Any, str] | None) -> pd.DataFrame:
    """The rankings with each grantee's empirical-Bayes value beside its raw one."""
    shrunk: dict[tuple[str, str], float] = {}
    for indicator, result in funnels.items():
        table = result.to_frame()
        for group, value in zip(table["group"], table["shrunk"], strict=True):
            shrunk[(indicator, _d.label(group, labels))] = float(value)
    values = [shrunk.get((str(i), str(g)), float("nan"))
              for i, g in zip(rankings["indicator_id"], rankings["group"], strict=True)]
    return rankings.assign(shrunk=pd.Series(values, index=rankings.index, dtype="float64"))


def _grantee_overview(frame: pd.DataFrame, members: Sequence[Any],
                      framework: Framework | None,
                      labels: Mapping[Any, str] | None) -> pd.DataFrame:
    """One row per grantee, at most eight columns: what a funder looks at first."""
    defined = len(framework.indicators) if framework is not None else frame[
        "indicator_id"].nunique()
    latest = _r.latest_by_group(frame, _d.period_order(frame, None, framework))
    # (group, status) and (group, verdict) counted once for every grantee.
    counts: dict[Any, int] = {}
    if "status" in latest.columns:
        counts = latest.groupby(["group", "status"], sort=False).size().to_dict()
    moved = pd.Series(_r.verdicts(latest, framework, frame), index=latest.index)
    changes = moved.groupby(latest["group"], sort=False).value_counts().to_dict() if len(
        latest) else {}
    known = ~np.isnan(_r.numbers(frame["value"]))
    with_data = frame.loc[known].groupby("group", sort=False)["indicator_id"].nunique()
    records = []
    for g in members:
        has = int(with_data.get(g, 0))
        records.append({
            "Grantee": _d.label(g, labels),
            "Indicators with data": f"{has} of {defined}",
            "Coverage": _r.percent(has / defined) if defined else "",
            "Targets met": int(counts.get((g, "target_achieved"), 0)),
            "On track": int(counts.get((g, "on_track"), 0)),
            "Behind pace": int(counts.get((g, "needs_acceleration"), 0)
                               + counts.get((g, "limited"), 0)),
            "Clear gains": int(changes.get((g, "gain"), 0)),
            "Clear declines": int(changes.get((g, "decline"), 0)),
        })
    return pd.DataFrame(records)


def _rankings_view(rankings: pd.DataFrame, fmts: Mapping[str, _r.Format]) -> pd.DataFrame:
    if rankings.empty:
        return pd.DataFrame()
    return pd.DataFrame({
        "Indicator": rankings["indicator"],
        "Period": rankings["period"].astype(str),
        "Grantee": rankings["group"],
        "Value": [fmts.get(str(i), _r.Format()).value(v)
                  for i, v in zip(rankings["indicator_id"], rankings["value"], strict=True)],
        "Rank": rankings["rank"].map(lambda v: f"{v:.0f}" if _d.is_num(v) else ""),
        "Possible ranks": [f"{_d.num(b):.0f} to {_d.num(w):.0f}" if _d.is_num(b) else ""
                           for b, w in zip(rankings["rank_best"], rankings["rank_worst"],
                                           strict=True)],
        "Shrunk value": [fmts.get(str(i), _r.Format()).value(v) if _d.is_num(v) else ""
                         for i, v in zip(rankings["indicator_id"], rankings["shrunk"],
                                         strict=True)],
    })


def _coverage(frame: pd.DataFrame, members: Sequence[Any], framework: Framework | None,
              labels: Mapping[Any, str] | None) -> pd.DataFrame:
    defined = len(framework.indicators) if framework is not None else frame[
        "indicator_id"].nunique()
    # What is counted per grantee is worked out once for every row, then read by position.
    rows = frame.groupby("group", sort=False).indices
    known = ~np.isnan(_r.numbers(frame["value"]))
    with_data = frame.loc[known].groupby("group", sort=False)["indicator_id"].nunique()
    withheld = (frame["status"].eq("withheld").to_numpy(dtype=bool) if "status" in frame
                else np.zeros(len(frame), dtype=bool))
    flagged = (frame["reliability_flag"].map(lambda v: isinstance(v, str) and bool(v))
               .to_numpy(dtype=bool) if "reliability_flag" in frame
               else np.zeros(len(frame), dtype=bool))
    sizes = _r.numbers(frame["n"]) if "n" in frame else np.full(len(frame), np.nan)
    periods = frame["period"].to_numpy(dtype=object)
    no_period = frame["period"].isna().to_numpy(dtype=bool)
    nothing = np.zeros(0, dtype=np.intp)
    records = []
    for g in members:
        at = rows.get(g, nothing)
        has = int(with_data.get(g, 0))
        size = sizes[at][~np.isnan(sizes[at])]
        records.append({
            "group": _d.label(g, labels),
            "indicators_defined": defined,
            "indicators_with_data": has,
            "coverage": round(has / defined, 3) if defined else None,
            "cells_withheld": int(withheld[at].sum()),
            "reliability_flags": int(flagged[at].sum()),
            "median_n": float(pd.Series(size).median()) if len(size) else None,
            "periods": ", ".join(map(str, dict.fromkeys(periods[at][~no_period[at]]))),
        })
    return pd.DataFrame(records)
