"""The input of a report: one or several summaries, combined into one set of tidy tables.

Private: see :func:`getting_to_outcomes.write_report`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from getting_to_outcomes.columns import (
    ITEM_COLUMNS,
    MILESTONE_COLUMNS,
    ROLLUP_COLUMNS,
    SUMMARY_COLUMNS,
)
from getting_to_outcomes.errors import ChartDataError
from getting_to_outcomes.plotting import chart_data as _d

if TYPE_CHECKING:
    from getting_to_outcomes.definitions import Framework

#: Columns of the summary blanked when a row is withheld.
VALUE_COLUMNS = [
    "n", "value", "ci_low", "ci_high", "baseline_n", "baseline_value", "n_pairs", "change",
    "change_ci_low", "change_ci_high", "statistic", "p_value", "p_adjusted", "effect_size",
    "progress", "rubric_level", "score_0_100", "reliability", "reliability_ci_low",
    "reliability_ci_high",
]


# ----------------------------------------------------------------------------------------
# Input: one or several summaries, combined into one set of tidy tables
# ----------------------------------------------------------------------------------------


@dataclass
class Tables:
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
    #: The summaries the tables came from (what needs more than the tidy tables, such as
    #: the funnel plots, asks them); empty when the report was given frames.
    sources: tuple[Any, ...] = ()
    #: ProgressSummary.attrition() of the summaries (empty without people matched by id).
    attrition_table: pd.DataFrame | None = None

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

    def restrict(self, groups: Iterable[Any]) -> Tables:
        keep = set(groups)
        return Tables(
            summary=self.summary[self.summary["group"].isin(keep)],
            rollups=self.rollups[self.rollups["group"].isin(keep)],
            item_table=self.item_table[self.item_table["group"].isin(keep)],
            milestone_table=self.milestone_table[self.milestone_table["group"].isin(keep)],
            framework=self.framework, periods=self.periods, group_by=self.group_by,
            synthetic=self.synthetic, confidence=self.confidence, sources=self.sources,
            attrition_table=None if self.attrition_table is None else self.attrition_table[
                self.attrition_table["group"].isin(keep)],
        )


def frame_of(summary: Any, method: str, columns: Sequence[str]) -> pd.DataFrame:
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


def collect(summaries: Any, framework: Framework | None,
             levels: Sequence[str] = ("stop", "zone", "realm")) -> Tables:
    given = list(summaries) if isinstance(summaries, list | tuple) else [summaries]
    if not given:
        msg = "write_report needs at least one ProgressSummary"
        raise ChartDataError(msg)
    summary = pd.concat([frame_of(s, "to_frame", SUMMARY_COLUMNS) for s in given],
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
            frame = frame_of(s, f"by_{level}", ROLLUP_COLUMNS)
            if not frame.empty:
                parts.append(frame.assign(level=frame.get("level", level)))
    rollups = (pd.concat(parts, ignore_index=True) if parts
               else pd.DataFrame(columns=ROLLUP_COLUMNS))
    items = pd.concat([frame_of(s, "items", ITEM_COLUMNS) for s in given], ignore_index=True)
    milestones = pd.concat([frame_of(s, "milestones", MILESTONE_COLUMNS) for s in given],
                           ignore_index=True)
    attrition_parts = [t for t in (frame_of(s, "attrition", ()) for s in given) if not t.empty]
    attrition = pd.concat(attrition_parts, ignore_index=True) if attrition_parts else None
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
    return Tables(summary=summary, rollups=rollups, item_table=items,
                   milestone_table=milestones, framework=fw,
                   periods=list(periods) if isinstance(periods, Sequence)
                   and not isinstance(periods, str) else None,
                   group_by=group_by if isinstance(group_by, str) else None,
                   synthetic=synthetic, confidence=confidence,
                   sources=tuple(s for s in given if not isinstance(s, pd.DataFrame)),
                   attrition_table=attrition)


def personal_columns(framework: Framework | None) -> set[str]:
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


def with_data(frame: pd.DataFrame, among: Iterable[Any] | None = None) -> pd.DataFrame:
    """Rows of indicators that have a value (or a withheld one) for a group of ``among``.

    An indicator scored without any data would fill charts with empty rows; it is listed in
    the data-quality notes instead. ``among`` (default: every group) is the organization of a
    grantee report, whose pages stay empty where only the pooled network has data.
    """
    if frame.empty:
        return frame
    if among is not None:
        frame_of_among = frame[frame["group"].isin(set(among))]
        keep = set(with_data(frame_of_among)["indicator_id"])
        return frame[frame["indicator_id"].isin(keep)]
    shown = frame["value"].map(_d.is_num)
    if "suppressed" in frame.columns:
        shown |= frame["suppressed"].map(lambda v: bool(v) if v == v else False).astype(bool)
    keep = set(frame.loc[shown, "indicator_id"])
    return frame[frame["indicator_id"].isin(keep)]


def withhold(frame: pd.DataFrame) -> pd.DataFrame:
    """Blank every value of a withheld row, whatever the summary carried."""
    if frame.empty or "suppressed" not in frame.columns:
        return frame
    hidden = frame["suppressed"].map(lambda v: bool(v) if v is not None and v == v else False)
    hidden = hidden.astype(bool)
    if not hidden.any():
        return frame
    frame = frame.copy()
    for column in VALUE_COLUMNS:
        if column in frame.columns:
            frame[column] = frame[column].astype(object)
            frame.loc[hidden, column] = None
    if "status" in frame.columns:
        frame["status"] = frame["status"].astype(object)
        frame.loc[hidden, "status"] = "withheld"
    return frame


@dataclass
class Chart:
    key: str
    section: str
    heading: str
    intro: str
    build: Callable[[], Any]
    #: Shown on the first page, after the key findings (others are collapsed details).
    lead: bool = False


@dataclass
class Rendered:
    key: str
    section: str
    heading: str
    intro: str
    image: bytes
    media_type: str
    alt: str
    files: list[Path]
    lead: bool = False
    #: Narrowest width (CSS px) at which the chart's smallest text is still 9 px high.
    min_width: int = 0


@dataclass
class Table:
    key: str
    section: str
    heading: str
    intro: str
    frame: pd.DataFrame
    #: What the page shows (human columns, formatted); None: the table is in the files only.
    view: pd.DataFrame | None = None
