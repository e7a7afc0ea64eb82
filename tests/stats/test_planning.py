"""Minimum detectable effects and sample sizes, against the closed forms of Bloom (1995)."""

from __future__ import annotations

import math

import pytest
from scipy import stats as sps

from getting_to_outcomes.errors import ScoringError
from getting_to_outcomes.stats import (
    MDE_COLUMNS,
    SAMPLE_SIZE_COLUMNS,
    minimum_detectable_effect,
    sample_size,
)


def multiplier(df: float, alpha: float = 0.05, power: float = 0.8, tails: int = 2) -> float:
    """Bloom's M: t(1 - alpha / tails; df) + t(power; df)."""
    return sps.t.ppf(1 - alpha / tails, df) + sps.t.ppf(power, df)


def test_paired_mde_is_m_over_root_n():
    row = minimum_detectable_effect(30, design="paired").iloc[0]
    assert list(row.index) == MDE_COLUMNS
    assert row.df == 29
    assert row.mde == pytest.approx(multiplier(29) / math.sqrt(30), rel=1e-12)


@pytest.mark.parametrize("share", [0.5, 0.3])
def test_independent_mde_uses_the_share_in_each_group(share):
    row = minimum_detectable_effect(120, design="independent", share_treated=share).iloc[0]
    assert row.mde == pytest.approx(
        multiplier(118) * math.sqrt(1 / (share * (1 - share) * 120)), rel=1e-12)


@pytest.mark.parametrize(("icc", "clusters", "size"), [(0.1, 20, 15), (0.2, 40, 20),
                                                       (0.0, 12, 8), (1.0, 10, 5)])
def test_clustered_mde_is_powerups_two_level_formula(icc, clusters, size):
    row = minimum_detectable_effect(design="clustered", n_clusters=clusters, cluster_size=size,
                                    icc=icc).iloc[0]
    # PowerUp! CRA2_2r without covariates, P = 0.5: 1 / (P (1 - P)) = 4.
    by_hand = multiplier(clusters - 2) * math.sqrt(
        4 * icc / clusters + 4 * (1 - icc) / (clusters * size))
    assert row.mde == pytest.approx(by_hand, rel=1e-12)
    assert (row.df, row.n) == (clusters - 2, clusters * size)


def test_one_sided_tests_put_all_of_alpha_in_one_tail():
    row = minimum_detectable_effect(50, alternative="greater", alpha=0.1, power=0.9).iloc[0]
    assert row.multiplier == pytest.approx(multiplier(49, 0.1, 0.9, tails=1), rel=1e-12)


def test_without_clustering_a_clustered_design_differs_only_in_degrees_of_freedom():
    clustered = minimum_detectable_effect(design="clustered", n_clusters=10, cluster_size=30,
                                          icc=0.0).iloc[0]
    flat = minimum_detectable_effect(300, design="independent").iloc[0]
    assert clustered.mde / flat.mde == pytest.approx(
        multiplier(8) / multiplier(298), rel=1e-12)


def test_the_mde_has_about_the_planned_power_by_the_exact_noncentral_t():
    from statsmodels.stats.power import TTestIndPower, TTestPower

    # Bloom's multiplier approximates the noncentral t; with 200 people the two agree closely.
    independent = minimum_detectable_effect(200, design="independent").iloc[0]
    exact = TTestIndPower().power(independent.mde, nobs1=100, ratio=1.0, alpha=0.05)
    assert exact == pytest.approx(0.8, abs=0.002)
    paired = minimum_detectable_effect(100, design="paired").iloc[0]
    assert TTestPower().power(paired.mde, nobs=100, alpha=0.05) == pytest.approx(0.8, abs=0.002)


@pytest.mark.parametrize(("design", "kwargs"), [
    ("paired", {}), ("independent", {"share_treated": 0.4}),
    ("clustered", {"cluster_size": 12, "icc": 0.15})])
def test_sample_size_is_the_smallest_reaching_the_effect(design, kwargs):
    row = sample_size(0.35, design=design, **kwargs).iloc[0]
    assert list(row.index) == SAMPLE_SIZE_COLUMNS
    key = "n_clusters" if design == "clustered" else "n"
    found = int(row[key])

    def mde(size: int) -> float:
        return float(minimum_detectable_effect(design=design, **{key: size}, **kwargs)
                     .iloc[0].mde)

    assert mde(found) <= 0.35 < mde(found - 1)
    assert row.mde == pytest.approx(mde(found), rel=1e-12)
    assert row.to_recruit == found


def test_attrition_inflates_the_sample_to_recruit():
    row = sample_size(0.5, attrition=0.2).iloc[0]
    assert (row.n, row.to_recruit) == (34, math.ceil(34 / 0.8))
    exact = sample_size(0.5, attrition=0.15).iloc[0]
    assert exact.to_recruit == 40  # 34 / 0.85 = 40 exactly, not 41 through rounding


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"n": 1}, "n must be at least 2"),
    ({"n": 10.5}, "n must be a count"),
    ({"n": 30, "design": "cluster"}, "design must be one of"),
    ({"n": 30, "power": 0.02}, "power .* must exceed"),
    ({"n": 30, "alpha": 1.2}, "alpha must lie between 0 and 1"),
    ({"design": "clustered", "n_clusters": 10, "cluster_size": 5}, "needs n_clusters"),
    ({"design": "clustered", "n_clusters": 10, "cluster_size": 5, "icc": 1.5},
     "icc must lie between 0 and 1"),
    ({"design": "independent"}, "needs n"),
])
def test_impossible_plans_are_refused_with_the_reason(kwargs, message):
    with pytest.raises(ScoringError, match=message):
        minimum_detectable_effect(**kwargs)


def test_a_non_positive_effect_or_full_attrition_is_refused():
    with pytest.raises(ScoringError, match="effect must be a positive number"):
        sample_size(0.0)
    with pytest.raises(ScoringError, match=r"attrition must lie between 0 and 1, in \[0, 1\)"):
        sample_size(0.3, attrition=1.0)
