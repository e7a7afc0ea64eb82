"""Jacobson-Truax reliable change index, checked against the formula by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from getting_to_outcomes.errors import ScoringError
from getting_to_outcomes.stats import (
    RCI_CATEGORIES,
    RELIABLE_CHANGE_COLUMNS,
    RELIABLE_CHANGE_SUMMARY_COLUMNS,
    reliable_change,
    reliable_change_summary,
)

BEFORE = [2.0, 3.0, 4.0, 3.0, 2.5, 3.5]
AFTER = [4.0, 3.2, 2.0, 3.0, 3.2, 3.4]


def s_diff(sd: float, r: float) -> float:
    """Jacobson & Truax (1991), p. 14: S_diff = sqrt(2 * S_E^2), S_E = SD * sqrt(1 - r)."""
    se = sd * math.sqrt(1 - r)
    return math.sqrt(2 * se**2)


def test_rci_is_change_over_standard_error_of_difference():
    table = reliable_change(BEFORE, AFTER, reliability=0.8)
    expected = (np.array(AFTER) - np.array(BEFORE)) / s_diff(np.std(BEFORE, ddof=1), 0.8)
    np.testing.assert_allclose(table["rci"], expected, rtol=1e-12)
    assert list(table.columns) == RELIABLE_CHANGE_COLUMNS


def test_categories_use_the_two_sided_threshold():
    table = reliable_change(BEFORE, AFTER, reliability=0.8)
    assert table["category"].tolist() == [
        "improved", "no_reliable_change", "declined", "no_reliable_change",
        "no_reliable_change", "no_reliable_change"]


def test_lower_is_better_swaps_improved_and_declined():
    table = reliable_change(BEFORE, AFTER, reliability=0.8, direction="decrease")
    assert table["category"].tolist()[:3] == ["declined", "no_reliable_change", "improved"]


def test_a_wider_confidence_level_needs_a_larger_change():
    # RCI of the fifth person is 0.7 / S_diff = 1.57: reliable at 80%, not at 95%.
    rci = 0.7 / s_diff(np.std(BEFORE, ddof=1), 0.8)
    assert 1.2816 < rci < 1.96
    assert reliable_change(BEFORE, AFTER, 0.8, confidence=0.8)["category"].iloc[4] == "improved"
    assert reliable_change(BEFORE, AFTER, 0.8)["category"].iloc[4] == "no_reliable_change"


def test_given_baseline_sd_is_used():
    table = reliable_change(BEFORE, AFTER, reliability=0.8, sd_baseline=2.0)
    assert table["rci"].iloc[0] == pytest.approx(2.0 / s_diff(2.0, 0.8))


def test_people_with_a_missing_score_keep_their_row_without_a_category():
    before = pd.Series([2.0, 3.0, np.nan], index=["a", "b", "c"])
    after = pd.Series([4.0, 3.0, 5.0, 1.0], index=["a", "b", "c", "d"])
    table = reliable_change(before, after, reliability=0.7)
    assert table.index.tolist() == ["a", "b", "c", "d"]
    assert table["category"].isna().tolist() == [False, False, True, True]


def test_missing_reliability_gives_missing_categories():
    table = reliable_change(BEFORE, AFTER, reliability=float("nan"))
    assert table["rci"].isna().all()
    assert table["category"].isna().all()


def test_no_baseline_variance_gives_no_rci():
    table = reliable_change([3, 3, 3], [4, 3, 2], reliability=0.8)
    assert table["rci"].isna().all()


@pytest.mark.parametrize("reliability", [-0.2, 1.0, 1.3])
def test_reliability_outside_zero_one_is_refused(reliability):
    with pytest.raises(ScoringError, match=r"\[0, 1\)"):
        reliable_change(BEFORE, AFTER, reliability=reliability)


def test_different_lengths_are_refused():
    with pytest.raises(ScoringError, match="one score per person"):
        reliable_change([1, 2], [1, 2, 3], reliability=0.8)


def test_summary_counts_and_shares():
    summary = reliable_change_summary(BEFORE, AFTER, reliability=0.8)
    assert list(summary.columns) == RELIABLE_CHANGE_SUMMARY_COLUMNS
    assert summary["category"].tolist() == RCI_CATEGORIES
    assert summary["count"].tolist() == [1, 4, 1]
    assert summary["share"].tolist() == pytest.approx([1 / 6, 4 / 6, 1 / 6])
    assert set(summary["n"]) == {6}
    assert summary["threshold"].iloc[0] == pytest.approx(1.959964, abs=1e-6)


def test_summary_of_nobody():
    summary = reliable_change_summary([], [], reliability=0.8)
    assert summary["count"].tolist() == [0, 0, 0]
    assert summary["share"].isna().all()
