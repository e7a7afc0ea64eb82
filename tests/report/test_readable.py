"""The report's counts of gains, declines and latest rows, taken for every grantee at once,
say what the one-row and one-grantee rules say."""

from __future__ import annotations

import numpy as np
import pandas as pd

from getting_to_outcomes.plotting import chart_data as _d
from getting_to_outcomes.reporting._readable import (
    change_verdict,
    latest_by_group,
    verdicts,
)


def test_verdicts_of_a_table_are_the_verdict_of_each_row() -> None:
    # Clear gains and declines both ways, an interval through zero, a missing bound, a
    # missing change, text where a number should be, and an indicator held steady ("m").
    rows = pd.DataFrame({
        "indicator_id": ["up", "up", "down", "down", "up", "up", "up", "m"],
        "change": [0.4, -0.4, 0.4, -0.4, 0.4, None, "x", 0.4],
        "change_ci_low": [0.1, -0.7, 0.1, -0.7, -0.1, None, 0.1, 0.1],
        "change_ci_high": [0.7, -0.1, 0.7, -0.1, 0.9, None, 0.7, 0.7],
        "direction": ["increase", "increase", "decrease", "decrease", "increase",
                      "increase", "increase", "maintain"],
    }, dtype=object)
    expected = ["gain", "decline", "decline", "gain", "uncertain", "", "", ""]
    assert verdicts(rows, None, rows).tolist() == expected
    signs = {"up": 1.0, "down": -1.0, "m": 0.0}
    assert [change_verdict(r, signs[r["indicator_id"]])
            for r in rows.to_dict("records")] == expected


def test_a_missing_bound_leaves_a_measured_change_uncertain() -> None:
    rows = pd.DataFrame({"indicator_id": ["a"], "change": [0.4], "change_ci_low": [np.nan],
                         "change_ci_high": [0.7]})
    assert verdicts(rows, None, rows).tolist() == ["uncertain"]


def test_latest_by_group_is_the_latest_row_after_baseline_of_each_grantee() -> None:
    # Alpha was measured at "mid" and "post", Beta only at "mid" for indicator a: each keeps
    # its own latest; baseline rows never count as the latest.
    frame = pd.DataFrame({
        "group": ["Alpha", "Alpha", "Alpha", "Beta", "Beta", "Beta"],
        "indicator_id": ["a", "a", "a", "a", "a", "b"],
        "period": ["pre", "mid", "post", "pre", "mid", "pre"],
        "baseline_period": ["pre"] * 6,
    })
    order = ["pre", "mid", "post"]
    chosen = latest_by_group(frame, order)
    assert chosen.index.tolist() == [2, 4]
    one_by_one = pd.concat(
        _d.latest_rows(block[block["period"] != block["baseline_period"]], order, None)
        for _, block in frame.groupby("group", sort=False))
    pd.testing.assert_frame_equal(chosen, one_by_one)


def test_latest_by_group_follows_each_grantees_own_order() -> None:
    # Beta's periods run the other way: its own order picks "a1", not "b2".
    frame = pd.DataFrame({"group": ["Alpha", "Alpha", "Beta", "Beta"],
                          "indicator_id": ["x"] * 4, "period": ["a1", "b2", "a1", "b2"],
                          "baseline_period": ["base"] * 4})
    chosen = latest_by_group(frame, {"Alpha": ["a1", "b2"], "Beta": ["b2", "a1"]})
    assert chosen.index.tolist() == [1, 2]
