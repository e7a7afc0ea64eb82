"""Intervals stay within the values an indicator can take, and notes say what is reported."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from getting_to_outcomes import Framework, score

from .conftest import survey


def whole(summary_frame: pd.DataFrame) -> pd.DataFrame:
    return summary_frame[summary_frame["subgroup_dimension"] == "all"]


def test_an_interval_is_clipped_to_the_valid_range_and_says_so(fw: Framework) -> None:
    # Scale means 1, 1 and 5 (q4 reversed) on a scale whose valid range is 1 to 5.
    rows = survey([[1, 1, 1, 5], [1, 1, 1, 5], [5, 5, 5, 1]], wave="pre")
    row = whole(score(rows, fw, source="survey", indicators=["survey.confidence"],
                      min_n=1).to_frame()).iloc[0]
    scores = np.array([1.0, 1.0, 5.0])
    low, high = sps.t.interval(0.95, 2, loc=scores.mean(), scale=sps.sem(scores))
    assert low < 1
    assert high > 5
    assert row["value"] == pytest.approx(scores.mean())
    assert [row["ci_low"], row["ci_high"]] == [1.0, 5.0]
    assert "interval clipped to the valid range 1 to 5" in row["notes"]


def test_a_change_interval_is_clipped_to_the_widest_possible_change(fw: Framework) -> None:
    before = survey([[1, 1, 1, 5], [5, 5, 5, 1]], wave="pre", people=["a", "b"])
    after = survey([[5, 5, 5, 1], [1, 1, 1, 5], [5, 5, 5, 1]], wave="post",
                   people=["c", "d", "e"])
    row = whole(score(pd.concat([before, after]), fw, source="survey",
                      indicators=["survey.confidence"], min_n=1).to_frame()
                ).set_index("period").loc["post"]
    welch = sps.ttest_ind([5.0, 1.0, 5.0], [1.0, 5.0], equal_var=False)
    raw = welch.confidence_interval(0.95)
    assert raw.low < -4
    assert raw.high > 4
    assert [row["change_ci_low"], row["change_ci_high"]] == [-4.0, 4.0]


def test_a_single_baseline_value_is_named_as_the_reason_for_no_change_interval(
        fw: Framework) -> None:
    before = survey([[3, 3, 3, 3]], wave="pre", people=["a"])
    after = survey([[4, 4, 4, 2], [3, 3, 3, 3], [5, 5, 5, 1]], wave="post",
                   people=["b", "c", "d"])
    row = whole(score(pd.concat([before, after]), fw, source="survey",
                      indicators=["survey.confidence"], min_n=1).to_frame()
                ).set_index("period").loc["post"]
    assert np.isnan(row["change_ci_low"])
    assert not np.isnan(row["ci_low"])  # the value itself has its interval
    assert "a single value at baseline: the change has no interval or test" in row["notes"]
    assert "fewer than 2 values in a period" not in row["notes"]
