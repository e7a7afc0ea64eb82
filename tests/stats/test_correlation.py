"""Correlations between scale scores, checked against scipy.stats.pearsonr."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from getting_to_outcomes.errors import ScoringError
from getting_to_outcomes.stats import CORRELATION_COLUMNS, score_correlations


@pytest.fixture
def three_scales_with_gaps() -> pd.DataFrame:
    """Sixty people's scores on three related scales; some scores missing."""
    rng = np.random.default_rng(1921)
    trait = rng.normal(size=60)
    scores = pd.DataFrame({
        "wellbeing": 3 + trait + rng.normal(scale=0.7, size=60),
        "confidence": 3 + 0.6 * trait + rng.normal(scale=0.9, size=60),
        "isolation": 3 - 0.4 * trait + rng.normal(scale=1.0, size=60),
    })
    scores.iloc[:7, 0] = np.nan
    scores.iloc[50:, 2] = np.nan
    return scores


@pytest.mark.parametrize("confidence", [0.95, 0.9])
def test_each_pair_matches_scipy_pearsonr_on_its_complete_rows(three_scales_with_gaps,
                                                               confidence):
    table = score_correlations(three_scales_with_gaps, confidence=confidence)
    assert list(table.columns) == CORRELATION_COLUMNS
    assert list(zip(table.score_a, table.score_b, strict=True)) == [
        ("wellbeing", "confidence"), ("wellbeing", "isolation"), ("confidence", "isolation")]
    for row in table.itertuples():
        both = three_scales_with_gaps[[row.score_a, row.score_b]].dropna()
        ref = sps.pearsonr(both[row.score_a], both[row.score_b])
        ci = ref.confidence_interval(confidence_level=confidence)
        assert row.n == len(both)
        assert row.r == pytest.approx(ref.statistic, rel=1e-12)
        assert row.p_value == pytest.approx(ref.pvalue, rel=1e-9)
        assert (row.ci_low, row.ci_high) == pytest.approx((ci.low, ci.high), rel=1e-12)
    # The pairwise n differs where scores are missing.
    assert table.n.tolist() == [53, 43, 50]


def test_the_interval_is_fishers_z_by_hand():
    a = np.array([1.0, 2.0, 4.0, 3.0, 6.0, 5.0, 8.0])
    b = np.array([2.0, 1.0, 5.0, 4.0, 4.0, 7.0, 9.0])
    row = score_correlations(pd.DataFrame({"a": a, "b": b})).iloc[0]
    r = np.corrcoef(a, b)[0, 1]
    half = sps.norm.ppf(0.975) / math.sqrt(7 - 3)
    assert (row.ci_low, row.ci_high) == pytest.approx(
        (math.tanh(math.atanh(r) - half), math.tanh(math.atanh(r) + half)), rel=1e-12)


def test_large_scores_lose_no_precision():
    rng = np.random.default_rng(3)
    a = rng.normal(size=40)
    b = a + rng.normal(size=40)
    near = score_correlations(pd.DataFrame({"a": a, "b": b})).iloc[0]
    far = score_correlations(pd.DataFrame({"a": a + 1e8, "b": b + 1e8})).iloc[0]
    assert far.r == pytest.approx(near.r, rel=1e-7)


def test_too_few_people_or_a_constant_score_give_nan_with_the_reason():
    scores = pd.DataFrame({"a": [1.0, 2.0, 3.0, np.nan], "b": [2.0, 2.0, 2.0, 5.0],
                           "c": [np.nan, np.nan, 1.0, 4.0]})
    table = score_correlations(scores).set_index(["score_a", "score_b"])
    assert math.isnan(table.loc[("a", "b"), "r"])
    assert "'b' does not vary" in table.loc[("a", "b"), "note"]
    assert table.loc[("a", "c"), "n"] == 1
    assert "1 person(s) with both scores" in table.loc[("a", "c"), "note"]
    assert table.loc[("b", "c"), "r"] == pytest.approx(1.0)
    assert "no test or interval" in table.loc[("b", "c"), "note"]


def test_one_column_or_an_infinite_score_is_refused():
    with pytest.raises(ScoringError, match="at least 2 columns"):
        score_correlations(pd.DataFrame({"a": [1.0, 2.0]}))
    with pytest.raises(ScoringError, match="scores column 'b' must be finite"):
        score_correlations(pd.DataFrame({"a": [1.0, 2.0], "b": [1.0, math.inf]}))
