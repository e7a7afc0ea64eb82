"""Comparing grantees fairly from a summary: funnel plots and the clustering of people in
grantees, computed from the per-grantee sufficient statistics of the seam.

Only indicators whose value is the mean of people's (or other units') values qualify: scale
and mean indicators (counts, sums and sums of squares of the values) and proportions whose
value is the share of units with the outcome (the ``successes`` of the seam). A grantee
whose value the summary withholds (too few people, complementary suppression, low
reliability) is left out of the funnel and named; the limits still surround the network
value of everyone.
"""

from __future__ import annotations

import dataclasses
import weakref
from typing import Any

import numpy as np
import pandas as pd

from getting_to_outcomes.columns import NETWORK
from getting_to_outcomes.errors import ScoringError
from getting_to_outcomes.scoring._tables import ALL
from getting_to_outcomes.stats import (
    CLUSTERED_MEAN_COLUMNS,
    FunnelResult,
    clustered_mean_from_moments,
    funnel_means,
    funnel_proportions,
)

# The summary is typed Any: ProgressSummary calls these functions, and importing it here,
# even for type checking only, would make the two modules import each other.
ProgressSummary = Any

__all__ = ["CLUSTERING_COLUMNS", "clustering_table", "funnel_of"]

#: Columns of :meth:`ProgressSummary.clustering`.
CLUSTERING_COLUMNS: list[str] = ["indicator_id", "period", "family", *CLUSTERED_MEAN_COLUMNS]

_MEAN_KINDS = ("scale", "mean")


class _Split:
    """The seam's whole-group cells and the whole-group summary rows, split by indicator.

    Kept for the last summary asked (by identity of its two tables), and let go with its
    tables: a report asks for a funnel of every indicator and then the clustering table,
    which would otherwise filter the two big tables twice per indicator.
    """

    def __init__(self, cells: pd.DataFrame, frame: pd.DataFrame) -> None:
        self.sources = (weakref.ref(cells), weakref.ref(frame))
        weakref.finalize(cells, _forget, id(self))
        whole = cells[(cells["dimension"] == ALL) & (cells["subgroup"] == ALL)]
        self.cells = dict(iter(whole.groupby("indicator_id", sort=False)))
        rows = frame[frame["subgroup"] == ALL]
        self.rows = dict(iter(rows.groupby("indicator_id", sort=False)))
        self.empty_cells, self.empty_rows = whole.iloc[:0], rows.iloc[:0]

    def of(self, cells: pd.DataFrame, frame: pd.DataFrame) -> bool:
        return self.sources[0]() is cells and self.sources[1]() is frame


_last_split: list[_Split] = []


def _forget(split: int) -> None:
    # Called when a split's cells are freed; a newer split stays (at worst it is rebuilt).
    if _last_split and id(_last_split[0]) == split:
        _last_split.clear()


def _parts(summary: ProgressSummary, indicator: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The indicator's whole-group cells of the seam and its whole-group summary rows, with
    the period as text; the big tables are split by indicator once per summary."""
    all_cells: pd.DataFrame = summary.aggregates.cells
    frame: pd.DataFrame = summary.frame
    if not (_last_split and _last_split[0].of(all_cells, frame)):
        _last_split[:] = [_Split(all_cells, frame)]
    split = _last_split[0]
    cells = split.cells.get(indicator, split.empty_cells)
    rows = split.rows.get(indicator, split.empty_rows)
    return (cells.assign(period=cells["period"].astype(str)),
            rows.assign(period=rows["period"].astype(str)))


def _network_value(rows: pd.DataFrame, period: str) -> float:
    row = rows[(rows["group"] == NETWORK) & (rows["period"] == period)]
    return float(row["value"].iloc[0]) if len(row) else float("nan")


def _family(summary: ProgressSummary, indicator: str, cells: pd.DataFrame,
            rows: pd.DataFrame) -> str | None:
    """``"mean"``, ``"proportion"``, or None when the value is not a mean of units' values.

    ``cells`` are those of one period, ``rows`` the indicator's summary rows.
    """
    kind = summary.framework.indicators[indicator].measure.kind
    if kind in _MEAN_KINDS:
        return "mean"
    if cells.empty or cells["successes"].isna().any():
        return None
    network = cells[cells["group"] == NETWORK]
    n = network["n"].to_numpy(dtype=np.float64)
    value = _network_value(rows, str(cells["period"].iloc[0]))
    if n.size and n[0] > 0 and np.isclose(network["successes"].iloc[0] / n[0], value):
        return "proportion"
    return None


def _period(summary: ProgressSummary, indicator: str, period: str | None,
            cells: pd.DataFrame, rows: pd.DataFrame) -> str:
    periods = [str(p) for p in pd.unique(cells["period"])]
    if not periods:
        raise ScoringError(f"indicator {indicator!r} has no scored data in this summary")
    if period is None:
        known = [str(p) for p in summary.periods if p in periods]
        ordered = known + sorted(set(periods) - set(known))
        # The latest period with a network value: a period may hold rows but no value.
        valued = [p for p in ordered if np.isfinite(_network_value(rows, p))]
        return (valued or ordered)[-1]
    if str(period) not in periods:
        raise ScoringError(
            f"indicator {indicator!r} has no period {period!r}; its periods are "
            f"{', '.join(periods)}"
        )
    return str(period)


def _change_moments(summary: ProgressSummary, indicator: str, period: str) -> pd.DataFrame:
    """Per group: people measured at baseline and in ``period``, and the sum and sum of
    squares of their changes, from the seam's distribution of differences."""
    table: pd.DataFrame = summary.aggregates.differences
    mine = table[(table["indicator_id"] == indicator) & (table["dimension"] == ALL)
                 & (table["subgroup"] == ALL) & (table["period"].astype(str) == period)]
    count = mine["count"].to_numpy(dtype=np.float64)
    step = mine["difference"].to_numpy(dtype=np.float64)
    parts = pd.DataFrame({"group": mine["group"].to_numpy(), "n": count, "sum": count * step,
                          "sum_sq": count * step * step})
    return parts.groupby("group", sort=False, as_index=False).sum()


def funnel_of(
    summary: ProgressSummary, indicator: str, *, period: str | None = None,
    overdispersion: str = "auto", change: bool = False,
) -> FunnelResult:
    """The funnel of one indicator across the grantees of a summary (see the method)."""
    if indicator not in summary.indicator_ids:
        raise ScoringError(f"indicator {indicator!r} is not in this summary; it scored "
                           f"{', '.join(summary.indicator_ids)}")
    all_cells, rows = _parts(summary, indicator)
    chosen = _period(summary, indicator, period, all_cells, rows)
    cells = all_cells[all_cells["period"] == chosen]
    family = _family(summary, indicator, cells, rows)
    if family is None:
        kind = summary.framework.indicators[indicator].measure.kind
        raise ScoringError(
            f"indicator {indicator!r} ({kind}) is not a mean or a share of people's values, so "
            "it has no funnel plot; funnels compare scale, mean and proportion indicators"
        )
    now = rows[(rows["period"] == chosen) & (rows["group"] != NETWORK)]
    withheld = set(now.loc[now["suppressed"].astype(bool), "group"].astype(str))
    if change:
        return _change_funnel(summary, indicator, chosen, family, withheld, overdispersion)
    members = cells[(cells["group"] != NETWORK) & ~cells["group"].astype(str).isin(withheld)
                    & (cells["n"] > 0)]
    target = _network_value(rows, chosen)
    labels = members["group"].astype(str).tolist()
    n = members["n"].to_numpy(dtype=np.float64)
    if family == "proportion":
        result = funnel_proportions(members["successes"].to_numpy(dtype=np.float64), n,
                                    labels=labels, overdispersion=overdispersion,
                                    target=target)
    else:
        total = members["sum"].to_numpy(dtype=np.float64)
        squares = members["sum_sq"].to_numpy(dtype=np.float64)
        with np.errstate(divide="ignore", invalid="ignore"):
            means = total / n
            sds = np.where(n >= 2, np.sqrt(np.maximum(squares - total * means, 0.0)
                                           / (n - 1.0)), np.nan)
        result = funnel_means(means, sds, n, labels=labels, overdispersion=overdispersion,
                              target=target)
    return dataclasses.replace(result, left_out=tuple(sorted(withheld)))


def _change_funnel(summary: ProgressSummary, indicator: str, period: str, family: str,
                   withheld: set[str], overdispersion: str) -> FunnelResult:
    """The funnel of the grantees' mean changes of the people measured at both times."""
    if family != "mean":
        raise ScoringError(
            f"indicator {indicator!r} is a share: a funnel of change compares the mean change "
            "of scale and mean indicators; compare shares at one period instead")
    moments = _change_moments(summary, indicator, period)
    if moments.empty:
        raise ScoringError(
            f"indicator {indicator!r} has nobody matched between its baseline and {period!r}, "
            "so there is no change to compare (is the period the baseline, or are people not "
            "identified by id?)")
    network = moments[moments["group"] == NETWORK]
    members = moments[(moments["group"] != NETWORK)
                      & ~moments["group"].astype(str).isin(withheld)]
    pooled = network if len(network) else moments[moments["group"] != NETWORK]
    target = float(pooled["sum"].sum() / pooled["n"].sum())
    n = members["n"].to_numpy(dtype=np.float64)
    total = members["sum"].to_numpy(dtype=np.float64)
    squares = members["sum_sq"].to_numpy(dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        means = total / n
        sds = np.where(n >= 2, np.sqrt(np.maximum(squares - total * means, 0.0) / (n - 1.0)),
                       np.nan)
    result = funnel_means(means, sds, n, labels=members["group"].astype(str).tolist(),
                          overdispersion=overdispersion, target=target)
    return dataclasses.replace(result, left_out=tuple(sorted(withheld)))


def clustering_table(summary: ProgressSummary, *, confidence: float | None = None) -> pd.DataFrame:
    """ICC, design effect and cluster-robust interval per indicator and period (the method)."""
    level = summary.confidence if confidence is None else confidence
    parts: list[dict[str, Any]] = []
    for indicator in summary.indicator_ids:
        mine, rows = _parts(summary, indicator)
        for period in pd.unique(mine["period"]):
            block = mine[mine["period"] == period]
            family = _family(summary, indicator, block, rows)
            members = block[(block["group"] != NETWORK) & (block["n"] > 0)]
            # A grantee of one unit (an organization's own profile) is no cluster of people.
            if family is None or len(members) < 2 or (members["n"] <= 1).all():
                continue
            n = members["n"].to_numpy(dtype=np.float64)
            if family == "proportion":
                total = squares = members["successes"].to_numpy(dtype=np.float64)
            else:
                total = members["sum"].to_numpy(dtype=np.float64)
                squares = members["sum_sq"].to_numpy(dtype=np.float64)
            row = clustered_mean_from_moments(n, total, squares, confidence=level)
            if family == "proportion":
                # A share lies in [0, 1]; a symmetric interval near 0 or 1 would leave it.
                row[["ci_low", "ci_high"]] = row[["ci_low", "ci_high"]].clip(0.0, 1.0)
            parts.append({"indicator_id": indicator, "period": period, "family": family,
                          **{str(k): v for k, v in row.iloc[0].items()}})
    table = pd.DataFrame(parts, columns=CLUSTERING_COLUMNS)
    # Text whatever the rows hold: a table whose rows all lack a note would otherwise keep
    # None in an object column where others hold NaN in a text one.
    types = {"note": "str"} if table.empty else {"n": "int64", "clusters": "int64", "note": "str"}
    return table.astype(types)
