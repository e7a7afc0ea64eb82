"""Attrition against the What Works Clearinghouse boundaries, and baseline equivalence."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import special

from getting_to_outcomes.errors import ScoringError
from getting_to_outcomes.stats import (
    ATTRITION_COLUMNS,
    EQUIVALENCE_COLUMNS,
    EQUIVALENCE_COUNT_COLUMNS,
    WWC_ATTRITION_BOUNDARIES,
    attrition,
    baseline_equivalence,
    baseline_equivalence_from_counts,
    baseline_equivalence_from_moments,
)


def test_the_boundary_table_is_the_wwc_table_as_data():
    table = WWC_ATTRITION_BOUNDARIES
    assert table["overall"].tolist() == list(range(66))
    # Rows of WWC Standards Handbook 4.1, Table II.1, as printed in the copy of the table in
    # the R package baselinr 0.6.0 (R/attrition_boundary.R); the handbook itself was not at
    # hand (see stats/data/README.md).
    published = {0: (5.7, 10.0), 7: (6.3, 10.8), 10: (6.3, 10.9), 19: (5.5, 10.2),
                  30: (4.1, 8.2), 37: (3.1, 6.7), 50: (1.0, 3.7), 57: (0.0, 2.1)}
    for overall, pair in published.items():
        assert tuple(table.loc[overall, ["cautious", "optimistic"]]) == pair, overall
    assert table.loc[65, "optimistic"] == 0.3
    # The boundaries first rise, peak at 6.3 (cautious) and 10.9 (optimistic), then fall.
    assert table["cautious"].max() == 6.3
    assert table["optimistic"].max() == 10.9
    assert table.loc[10:, "optimistic"].is_monotonic_decreasing
    # Under the cautious assumption 58% overall attrition is high whatever the differential.
    assert table.loc[58:, "cautious"].isna().all()
    assert table.loc[:57, "cautious"].notna().all()
    # The optimistic boundary is always the wider one.
    assert (table["optimistic"][:58] > table["cautious"][:58]).all()


def test_rates_and_rating_by_hand():
    row = attrition(200, 170, 400, 352).iloc[0]
    assert list(row.index) == ATTRITION_COLUMNS
    assert row.attrition == pytest.approx(30 / 200)
    assert row.comparison_attrition == pytest.approx(48 / 400)
    assert row.overall_attrition == pytest.approx(78 / 600)  # 13%
    assert row.differential_attrition == pytest.approx(0.03)
    assert row.boundary == pytest.approx(0.061)  # 13% overall, cautious
    assert row.rating == "low"
    optimistic = attrition(200, 170, 400, 352, assumption="optimistic").iloc[0]
    assert optimistic.boundary == pytest.approx(0.108)


def test_the_differential_is_judged_by_its_size_in_either_direction():
    # 30% vs 22%: 8 points at 25.3% overall (read at 25%): high if cautious, low if optimistic.
    worse = attrition(100, 70, 200, 156)
    better = attrition(200, 156, 100, 70)
    assert worse.iloc[0].differential_attrition == pytest.approx(0.08)
    assert better.iloc[0].differential_attrition == pytest.approx(-0.08)
    assert worse.iloc[0].rating == better.iloc[0].rating == "high"
    assert attrition(100, 70, 200, 156, assumption="optimistic").iloc[0].rating == "low"


def test_overall_attrition_is_read_at_the_nearest_whole_percent():
    # 12.5% overall rounds up to 13% (boundary 6.1 cautious), not down to 12% (6.2).
    row = attrition(100, 80, 100, 95).iloc[0]
    assert row.overall_attrition == pytest.approx(0.125)
    assert row.boundary == pytest.approx(0.061)
    # A differential exactly on the boundary is still low.
    on_edge = attrition(1000, 909, 1000, 971).iloc[0]  # 9.1% vs 2.9%: 6.2 points at 6%
    assert on_edge.boundary == pytest.approx(0.062)
    assert on_edge.differential_attrition == pytest.approx(0.062)
    assert on_edge.rating == "low"


def test_beyond_the_table_attrition_is_high():
    row = attrition(100, 40, 100, 40).iloc[0]  # 60% overall, no differential
    assert math.isnan(row.boundary)
    assert row.rating == "high"
    optimistic = attrition(100, 40, 100, 40, assumption="optimistic").iloc[0]
    assert optimistic.rating == "low"  # 60% overall, boundary 1.4 points


def test_vectorized_over_groups_and_nobody_at_baseline_is_not_rated():
    table = attrition([50, 0], [45, 0], [300, 300], [270, 270])
    assert table["rating"].tolist() == ["low", "low"]
    assert math.isnan(table.loc[1, "attrition"])
    none = attrition(0, 0, 0, 0).iloc[0]
    assert none.rating is None


def test_impossible_counts_are_refused():
    with pytest.raises(ScoringError, match=r"n_retained \(12\) cannot exceed n_baseline \(10\)"):
        attrition(10, 12, 20, 15)
    with pytest.raises(ScoringError, match="assumption must be one of"):
        attrition(10, 8, 20, 15, assumption="liberal")


def hedges_g_by_hand(a: np.ndarray, b: np.ndarray) -> float:
    m = a.size + b.size - 2
    sp = math.sqrt(((a.size - 1) * a.var(ddof=1) + (b.size - 1) * b.var(ddof=1)) / m)
    j = math.exp(special.gammaln(m / 2) - 0.5 * math.log(m / 2) - special.gammaln((m - 1) / 2))
    return j * (a.mean() - b.mean()) / sp


def test_baseline_equivalence_is_hedges_g_of_stayers_against_leavers():
    rng = np.random.default_rng(1981)
    stayed, left = rng.normal(3.2, 0.9, 140), rng.normal(2.9, 1.1, 35)
    row = baseline_equivalence(stayed, left).iloc[0]
    assert list(row.index) == EQUIVALENCE_COLUMNS
    assert row.hedges_g == pytest.approx(hedges_g_by_hand(stayed, left), rel=1e-12)
    assert (row.n_stayed, row.n_left) == (140, 35)
    everyone = np.concatenate([stayed, left])
    from_sums = baseline_equivalence_from_moments(
        everyone.size, everyone.sum(), (everyone**2).sum(), stayed.size, stayed.sum()).iloc[0]
    assert from_sums.hedges_g == pytest.approx(row.hedges_g, rel=1e-9)
    assert from_sums.pooled_sd == pytest.approx(row.pooled_sd, rel=1e-9)


@pytest.mark.parametrize(("shift", "verdict"), [(0.0, "satisfied"), (0.04, "satisfied"),
                                                (0.15, "adjustment required"),
                                                (0.4, "not satisfied")])
def test_wwc_thresholds_of_005_and_025(shift, verdict):
    base = np.linspace(-1.5, 1.5, 61)
    stayed = base / base.std(ddof=1) + shift
    left = base / base.std(ddof=1)
    row = baseline_equivalence(stayed, left).iloc[0]
    assert row.equivalence == verdict


def test_without_leavers_there_is_nothing_to_compare():
    row = baseline_equivalence([3.0, 4.0, 5.0], []).iloc[0]
    assert math.isnan(row.hedges_g)
    assert row.equivalence is None
    assert row.note == "nobody left: no comparison"
    with pytest.raises(ScoringError, match=r"n_stayed .* cannot exceed n_all"):
        baseline_equivalence_from_moments(3, 12, 50, 4, 12)


def test_yes_no_baseline_equivalence_is_the_cox_index_by_hand():
    # 100 people at baseline, 40 with a yes; 80 stayed, 36 of them with a yes.
    # Stayers 36/80 = 0.45, leavers 4/20 = 0.20:
    # (ln(0.45 / 0.55) - ln(0.20 / 0.80)) / 1.65 = (-0.2006707 + 1.3862944) / 1.65 = 0.7185598
    row = baseline_equivalence_from_counts(100, 40, 80, 36).iloc[0]
    assert list(row.index) == EQUIVALENCE_COUNT_COLUMNS
    assert (row.n_stayed, row.n_left) == (80, 20)
    assert (row.share_stayed, row.share_left) == pytest.approx((0.45, 0.20))
    assert row.difference == pytest.approx(0.25)
    by_hand = (math.log(0.45 / 0.55) - math.log(0.20 / 0.80)) / 1.65
    assert row.cox_index == pytest.approx(by_hand, rel=1e-12)
    assert row.cox_index == pytest.approx(0.7185598, abs=1e-7)
    assert row.equivalence == "not satisfied"
    assert row.note is None


@pytest.mark.parametrize(("yes_stayed", "verdict"), [
    # 1000 at baseline, 500 stayed; 500 yes in all. Stayers' share s, leavers' 1 - s:
    # Cox = 2 ln(s / (1 - s)) / 1.65.
    (250, "satisfied"),             # 0.5 and 0.5: 0
    (260, "adjustment required"),   # 0.52 and 0.48: 2 ln(0.52 / 0.48) / 1.65 = 0.0970
    (300, "not satisfied"),         # 0.6 and 0.4: 2 ln(1.5) / 1.65 = 0.4915
])
def test_the_cox_index_is_judged_by_the_wwc_thresholds(yes_stayed, verdict):
    row = baseline_equivalence_from_counts(1000, 500, 500, yes_stayed).iloc[0]
    s = yes_stayed / 500
    assert row.cox_index == pytest.approx(2 * math.log(s / (1 - s)) / 1.65, abs=1e-12)
    assert row.equivalence == verdict


def test_the_cox_index_is_missing_with_a_reason_where_it_has_no_log_odds():
    table = baseline_equivalence_from_counts([50, 50, 50], [10, 10, 0], [50, 40, 40],
                                             [10, 10, 0])
    assert table["cox_index"].isna().all()
    assert table["equivalence"].isna().all()
    assert table["note"].tolist() == [
        "nobody left: no comparison",
        "a share of 0 or 1: no log odds, no Cox index",  # every leaver said no
        "a share of 0 or 1: no log odds, no Cox index",
    ]


def test_yes_no_counts_that_cannot_be_are_refused():
    with pytest.raises(ScoringError, match=r"yes_stayed \(30\) cannot exceed n_stayed \(20\)"):
        baseline_equivalence_from_counts(50, 40, 20, 30)
    with pytest.raises(ScoringError, match="more yes among those who left than people"):
        baseline_equivalence_from_counts(50, 40, 40, 5)
