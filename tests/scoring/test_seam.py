"""The aggregation seam: per-grantee sufficient statistics merge into the pooled ones exactly."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from getting_to_outcomes import Framework, compare, score
from getting_to_outcomes.scoring._aggregate import aggregate_source
from getting_to_outcomes.scoring._tables import TABLE_KEYS, Window, merge_aggregates

NUMERIC = ["n", "value", "ci_low", "ci_high", "baseline_n", "baseline_value", "n_pairs",
           "change", "change_ci_low", "change_ci_high", "statistic", "p_value",
           "effect_size", "reliability", "reliability_ci_low", "reliability_ci_high"]


def sorted_table(table: pd.DataFrame, name: str) -> pd.DataFrame:
    return table.sort_values(TABLE_KEYS[name]).reset_index(drop=True)


@pytest.mark.parametrize("source", ["survey", "actions", "records", "wins"])
def test_merged_grantee_tables_equal_the_pooled_tables(
    fw: Framework, network: dict[str, pd.DataFrame], source: str
) -> None:
    frame = network[source]
    src = fw.source(source)
    indicators = list(fw.indicators.filter(source=source))
    periods = tuple(p for p in src.period_order if p in set(frame[src.time_column]))
    window = Window(periods=periods)
    pooled = aggregate_source(frame, src, indicators, fw, window=window, group_column="org_id")
    parts = [aggregate_source(part, src, indicators, fw, window=window, group_column="org_id")
             for _, part in frame.groupby("org_id")]
    merged = merge_aggregates(parts)
    for name, table in pooled.tables().items():
        expected = sorted_table(table, name)
        got = sorted_table(getattr(merged, name), name)
        pd.testing.assert_frame_equal(got, expected, check_dtype=False, rtol=1e-12)


def whole(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[frame["subgroup_dimension"] == "all"]


def test_network_from_grantee_summaries_equals_scoring_the_pooled_data(
    fw: Framework, network: dict[str, pd.DataFrame]
) -> None:
    pooled = score(network, fw, min_n=1).to_frame()
    per_grantee = {}
    for org in sorted(network["survey"]["org_id"].unique()):
        data = {sid: table[table["org_id"] == org] for sid, table in network.items()}
        per_grantee[org] = score(data, fw, min_n=1)
    merged = compare(per_grantee).to_frame()
    key = ["indicator_id", "group", "period", "subgroup_dimension", "subgroup"]
    a = pooled.set_index(key).sort_index()
    b = merged.set_index(key).sort_index()
    assert a.index.equals(b.index)
    for column in NUMERIC:
        np.testing.assert_allclose(b[column].to_numpy(dtype=float),
                                   a[column].to_numpy(dtype=float), rtol=1e-9, atol=1e-12,
                                   err_msg=column)
    assert (a["status"].fillna("-") == b["status"].fillna("-")).all()


def test_network_totals_are_pooled_not_averaged(
    fw: Framework, network: dict[str, pd.DataFrame]
) -> None:
    grouped = whole(score(network, fw, min_n=1).to_frame())
    as_one = whole(score(network, fw, min_n=1, group_by=None).to_frame())
    net = grouped[grouped["group"] == "network"].set_index(["indicator_id", "period"])
    one = as_one.set_index(["indicator_id", "period"])
    for column in ("n", "value", "ci_low", "ci_high", "change", "p_value", "reliability"):
        np.testing.assert_allclose(net[column].to_numpy(dtype=float),
                                   one.loc[net.index, column].to_numpy(dtype=float),
                                   rtol=1e-9, err_msg=column)
    # The network mean is not the mean of the grantees' means (their sizes differ).
    groups = grouped[(grouped["group"] != "network")
                     & (grouped["indicator_id"] == "survey.confidence")
                     & (grouped["period"] == "pre") & ~grouped["suppressed"]]
    assert net.loc[("survey.confidence", "pre"), "value"] != pytest.approx(
        groups["value"].mean())
