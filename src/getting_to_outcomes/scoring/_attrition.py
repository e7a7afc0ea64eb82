"""Attrition per grantee from a summary: who answered at baseline and not again.

From the seam's tables alone: a grantee's people at baseline are the units with a value in
its baseline cell, those retained are the units matched by id in a later period
(``pair_sums``), and their baseline sums (means) or baseline answers (``transitions``, yes/no
shares) give the baseline equivalence of the people who stayed and those who left. Each
grantee is compared with the rest of the network, as the What Works Clearinghouse compares an
intervention group with its comparison group.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from getting_to_outcomes.columns import NETWORK
from getting_to_outcomes.definitions.models import LevelMeasure
from getting_to_outcomes.scoring._tables import ALL
from getting_to_outcomes.stats import (
    attrition,
    baseline_equivalence_from_counts,
    baseline_equivalence_from_moments,
)

# The summary is typed Any: ProgressSummary calls this function, and importing it here
# would make the two modules import each other.
ProgressSummary = Any

__all__ = ["ATTRITION_TABLE_COLUMNS", "attrition_table"]

#: Columns of :meth:`ProgressSummary.attrition`.
ATTRITION_TABLE_COLUMNS: list[str] = [
    "indicator_id", "group", "baseline_period", "period", "n_baseline", "n_retained",
    "attrition", "network_attrition", "overall_attrition", "differential_attrition",
    "assumption", "boundary", "rating", "hedges_g", "cox_index", "equivalence", "note",
]

_NUMBERS = ["n_baseline", "n_retained", "attrition", "network_attrition", "overall_attrition",
            "differential_attrition", "boundary", "hedges_g", "cox_index"]


def attrition_table(summary: ProgressSummary, *, assumption: str = "cautious") -> pd.DataFrame:
    """One row per indicator, grantee and later period with people matched by id."""
    aggregates = summary.aggregates
    pairs = aggregates.pair_sums
    pairs = pairs[(pairs["dimension"] == ALL) & (pairs["subgroup"] == ALL)
                  & (pairs["group"] != NETWORK)]
    if pairs.empty:
        return pd.DataFrame(columns=ATTRITION_TABLE_COLUMNS)
    cells = aggregates.cells
    cells = cells[(cells["dimension"] == ALL) & (cells["subgroup"] == ALL)
                  & (cells["group"] != NETWORK)]
    moves = aggregates.transitions
    moves = moves[(moves["dimension"] == ALL) & (moves["subgroup"] == ALL)
                  & (moves["group"] != NETWORK)]
    frame = summary.to_frame()
    frame = frame[frame["subgroup_dimension"] == ALL]
    later = frame.loc[frame["period"].astype(str) != frame["baseline_period"].astype(str),
                      ["indicator_id", "period", "baseline_period"]].drop_duplicates()
    # Each table split by indicator and period once, not filtered again for every pair.
    cells_of, pairs_of, moves_of = _split(cells), _split(pairs), _split(moves)
    paired = set(pairs["indicator_id"])
    rows = []
    for indicator, period, base in later.itertuples(index=False):
        if indicator not in paired:
            continue  # no pairing for this kind of indicator (e.g. milestones, counts)
        at_base = cells_of.get((indicator, str(base)), cells.iloc[:0]).set_index("group")
        matched = pairs_of.get((indicator, str(period)), pairs.iloc[:0]).set_index("group")
        groups = [g for g, n in zip(at_base.index, at_base["n"], strict=True) if n > 0]
        if not groups:
            continue
        n_base = at_base.loc[groups, "n"].to_numpy(dtype=np.float64)
        kept = matched["n_pairs"].reindex(groups).fillna(0.0).to_numpy(dtype=np.float64)
        # The people of one period matched to another grantee's baseline (a move) are
        # counted where they were at baseline only up to that grantee's baseline count.
        kept = np.minimum(kept, n_base)
        rated = attrition(n_base, kept, n_base.sum() - n_base, kept.sum() - kept,
                          assumption=assumption)
        mean_family = at_base["successes"].isna().all()
        if mean_family:
            equivalence = baseline_equivalence_from_moments(
                n_base, at_base.loc[groups, "sum"].to_numpy(dtype=np.float64),
                at_base.loc[groups, "sum_sq"].to_numpy(dtype=np.float64), kept,
                np.where(kept > 0, matched["sum_before"].reindex(groups).fillna(0.0)
                         .to_numpy(dtype=np.float64), 0.0))
            g, verdict, note = (equivalence["hedges_g"], equivalence["equivalence"],
                                equivalence["note"])
            cox = np.full(len(groups), np.nan)
        else:
            yes_all = at_base.loc[groups, "successes"].to_numpy(dtype=np.float64)
            measure = summary.framework.indicators[indicator].measure
            # A yes is a 1 of a proportion, or a rung at or above the level's threshold.
            threshold = (float(measure.at_or_above) if isinstance(measure, LevelMeasure)
                         else 1.0)
            yes_kept = _yes_at_baseline(moves_of.get((indicator, str(period)), moves.iloc[:0]),
                                        groups, threshold)
            # As for the counts above, people who moved are capped by what the baseline holds.
            yes_kept = np.clip(yes_kept, np.maximum(yes_all - (n_base - kept), 0.0),
                               np.minimum(kept, yes_all))
            equivalence = baseline_equivalence_from_counts(n_base, yes_all, kept, yes_kept)
            cox, verdict, note = (equivalence["cox_index"].to_numpy(),
                                  equivalence["equivalence"], equivalence["note"])
            g = pd.Series(np.nan, index=range(len(groups)))
        rows.append(pd.DataFrame({
            "indicator_id": indicator, "group": groups, "baseline_period": str(base),
            "period": str(period), "n_baseline": rated["n_baseline"],
            "n_retained": rated["n_retained"], "attrition": rated["attrition"],
            "network_attrition": rated["comparison_attrition"],
            "overall_attrition": rated["overall_attrition"],
            "differential_attrition": rated["differential_attrition"],
            "assumption": assumption, "boundary": rated["boundary"], "rating": rated["rating"],
            "hedges_g": g.to_numpy(), "cox_index": cox, "equivalence": list(verdict),
            "note": list(note),
        }))
    if not rows:
        return pd.DataFrame(columns=ATTRITION_TABLE_COLUMNS)
    table = pd.concat(rows, ignore_index=True)[ATTRITION_TABLE_COLUMNS]
    hidden = summary._hide(table, _NUMBERS)
    withheld = hidden["attrition"].isna() & table["attrition"].notna()
    hidden.loc[withheld, ["rating", "equivalence"]] = None
    hidden.loc[withheld, "note"] = "withheld: small group"
    for column in ("n_baseline", "n_retained"):
        hidden[column] = hidden[column].astype("Float64").round().astype("Int64")
    for column in ("rating", "equivalence", "note"):
        values = hidden[column].astype(object)
        hidden[column] = values.where(values.notna(), None)
    result: pd.DataFrame = hidden.reset_index(drop=True)
    return result


def _split(table: pd.DataFrame) -> dict[Any, pd.DataFrame]:
    """The rows of each indicator and period (as text), in their order."""
    if table.empty:
        return {}
    keys = [table["indicator_id"], table["period"].astype(str)]
    return dict(iter(table.groupby(keys, sort=False)))


def _yes_at_baseline(mine: pd.DataFrame, groups: list[Any], threshold: float) -> np.ndarray:
    """People matched (``mine``: the indicator's transitions into the later period) whose
    baseline value was a yes (at or above threshold)."""
    mine = mine[mine["before"].astype(np.float64) >= threshold]
    counts = mine.groupby("group", sort=False)["count"].sum()
    return counts.reindex(groups).fillna(0.0).to_numpy(dtype=np.float64)
