"""Proportions, their intervals and their change, checked against scipy."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from getting_to_outcomes.errors import ScoringError
from getting_to_outcomes.stats import (
    CHANGE_COLUMNS,
    PROPORTION_CI_COLUMNS,
    paired_proportion_change,
    proportion_change,
    proportion_ci,
)

COUNTS = [(0, 10), (1, 12), (8, 20), (19, 20), (30, 30), (137, 412)]


class TestProportionCI:
    @pytest.mark.parametrize(("x", "n"), COUNTS)
    @pytest.mark.parametrize(("method", "scipy_method"),
                             [("wilson", "wilson"), ("clopper_pearson", "exact")])
    def test_matches_scipy_binomtest(self, x, n, method, scipy_method):
        row = proportion_ci(x, n, method=method, confidence=0.9).iloc[0]
        ref = sps.binomtest(x, n).proportion_ci(confidence_level=0.9, method=scipy_method)
        assert (row.ci_low, row.ci_high) == pytest.approx((ref.low, ref.high), abs=1e-12)
        assert row.proportion == pytest.approx(x / n)

    def test_wald_by_hand_and_clipped(self):
        row = proportion_ci(8, 20, method="wald").iloc[0]
        half = sps.norm.ppf(0.975) * math.sqrt(0.4 * 0.6 / 20)
        assert (row.ci_low, row.ci_high) == pytest.approx((0.4 - half, 0.4 + half))
        assert proportion_ci(1, 20, method="wald").iloc[0].ci_low == 0.0

    def test_vectorized_with_documented_columns(self):
        xs, ns = zip(*COUNTS, strict=True)
        table = proportion_ci(list(xs), list(ns))
        assert list(table.columns) == PROPORTION_CI_COLUMNS
        assert table["successes"].tolist() == list(xs)
        assert table["n"].tolist() == list(ns)

    def test_nobody_asked_gives_nan(self):
        row = proportion_ci(0, 0).iloc[0]
        assert math.isnan(row.proportion)
        assert math.isnan(row.ci_low)

    @pytest.mark.parametrize(("x", "n", "message"), [
        (5, 4, "cannot exceed"), (-1, 4, "whole numbers"), (1.5, 4, "whole numbers"),
        (np.nan, 4, "whole numbers")])
    def test_impossible_counts_are_refused(self, x, n, message):
        with pytest.raises(ScoringError, match=message):
            proportion_ci(x, n)

    def test_unknown_method(self):
        with pytest.raises(ScoringError, match="'wilson', 'clopper_pearson', 'wald'"):
            proportion_ci(1, 2, method="jeffreys")


class TestIndependentProportionChange:
    def test_z_is_the_root_of_the_uncorrected_chi_square(self):
        row = proportion_change(40, 100, 55, 100).iloc[0]
        chi2 = sps.chi2_contingency([[55, 45], [40, 60]], correction=False)
        assert row.test == "z"
        assert row.statistic == pytest.approx(math.sqrt(chi2.statistic), rel=1e-12)
        assert row.p_value == pytest.approx(chi2.pvalue, rel=1e-10)

    def test_change_and_cohen_h(self):
        row = proportion_change(40, 100, 55, 100).iloc[0]
        assert row.change == pytest.approx(0.15)
        assert row.effect_size == pytest.approx(
            2 * math.asin(math.sqrt(0.55)) - 2 * math.asin(math.sqrt(0.40)))
        assert (row.design, row.ci_method, row.effect_size_name) == (
            "independent", "newcombe", "cohen_h")
        assert list(proportion_change(40, 100, 55, 100).columns) == CHANGE_COLUMNS

    def test_newcombe_interval_from_two_wilson_intervals(self):
        row = proportion_change(40, 100, 55, 100).iloc[0]
        w1 = sps.binomtest(40, 100).proportion_ci(method="wilson")
        w2 = sps.binomtest(55, 100).proportion_ci(method="wilson")
        low = 0.15 - math.sqrt((0.55 - w2.low) ** 2 + (w1.high - 0.40) ** 2)
        high = 0.15 + math.sqrt((w2.high - 0.55) ** 2 + (0.40 - w1.low) ** 2)
        assert (row.ci_low, row.ci_high) == pytest.approx((low, high), rel=1e-12)

    def test_fisher_when_expected_counts_are_small(self):
        row = proportion_change(1, 12, 6, 11).iloc[0]
        assert row.test == "fisher"
        assert math.isnan(row.statistic)
        ref = sps.fisher_exact([[6, 5], [1, 11]])
        assert row.p_value == pytest.approx(ref.pvalue, rel=1e-12)

    def test_test_can_be_forced(self):
        assert proportion_change(40, 100, 55, 100, test="fisher").iloc[0].test == "fisher"
        assert proportion_change(1, 12, 6, 11, test="z").iloc[0].test == "z"

    def test_vectorized_over_groups(self):
        table = proportion_change([40, 1], [100, 12], [55, 6], [100, 11])
        assert table.test.tolist() == ["z", "fisher"]

    def test_a_period_without_anyone(self):
        row = proportion_change(0, 0, 3, 10).iloc[0]
        assert math.isnan(row.change)
        assert math.isnan(row.p_value)
        assert "without anyone" in row.note

    def test_successes_above_n_are_refused(self):
        with pytest.raises(ScoringError, match="cannot exceed"):
            proportion_change(11, 10, 3, 10)


class TestMcNemar:
    def test_exact_test_is_a_binomial_test_on_the_discordant_pairs(self):
        row = paired_proportion_change(20, 3, 9, 18).iloc[0]
        assert row.test == "mcnemar_exact"
        assert row.p_value == pytest.approx(sps.binomtest(9, 12, 0.5).pvalue, rel=1e-12)
        assert math.isnan(row.statistic)
        assert math.isnan(row.df)

    def test_chi_square_with_continuity_correction(self):
        row = paired_proportion_change(40, 10, 25, 30).iloc[0]
        chi2 = (abs(10 - 25) - 1) ** 2 / 35
        assert row.test == "mcnemar_chi2"
        assert row.df == 1
        assert row.statistic == pytest.approx(chi2)
        assert row.p_value == pytest.approx(sps.chi2.sf(chi2, 1))

    def test_proportions_and_change(self):
        row = paired_proportion_change(40, 10, 25, 30).iloc[0]
        assert row.mean_before == pytest.approx(50 / 105)
        assert row.mean_after == pytest.approx(65 / 105)
        assert row.change == pytest.approx(15 / 105)
        assert row.n == row.n_before == row.n_after == 105
        assert row.design == "paired"

    def test_interval_contains_the_change_and_stays_in_range(self):
        table = paired_proportion_change([40, 0, 5], [10, 0, 0], [25, 5, 0], [30, 5, 0])
        assert (table.ci_low <= table.change).all()
        assert (table.change <= table.ci_high).all()
        assert (table.ci_low >= -1).all()
        assert (table.ci_high <= 1).all()

    def test_nobody_changed_their_answer(self):
        row = paired_proportion_change(5, 0, 0, 5).iloc[0]
        assert row.change == 0
        assert math.isnan(row.p_value)
        assert "nobody changed" in row.note

    def test_no_pairs(self):
        row = paired_proportion_change(0, 0, 0, 0).iloc[0]
        assert math.isnan(row.change)
        assert "no pairs" in row.note

    def test_counts_from_a_crosstab_of_raw_answers(self):
        before = pd.Series([1, 1, 0, 0, 1, 0, 0, 1])
        after = pd.Series([1, 0, 1, 1, 1, 0, 1, 1])
        table = pd.crosstab(before, after)
        row = paired_proportion_change(table.loc[1, 1], table.loc[1, 0], table.loc[0, 1],
                                       table.loc[0, 0]).iloc[0]
        assert row.change == pytest.approx(after.mean() - before.mean())


# ---------------------------------------------------------------------------------------------
# one-sided alternatives, as R's prop.test and binom.test


@pytest.mark.parametrize("alternative", ["two-sided", "greater", "less"])
def test_proportion_change_z_one_sided_matches_statsmodels(alternative):
    from statsmodels.stats.proportion import proportions_ztest

    row = proportion_change(48, 80, 56, 70, test="z", alternative=alternative).iloc[0]
    # statsmodels tests the first sample against the second: put the current one first.
    sm_alternative = {"two-sided": "two-sided", "greater": "larger", "less": "smaller"}
    z, p = proportions_ztest([56, 48], [70, 80], alternative=sm_alternative[alternative])
    assert row.statistic == pytest.approx(z, rel=1e-12)
    assert row.p_value == pytest.approx(p, rel=1e-12)
    assert (row.alternative, row.mu) == (alternative, 0.0)


def test_proportion_change_one_sided_interval_is_open_towards_the_alternative():
    greater = proportion_change(48, 80, 56, 70, alternative="greater").iloc[0]
    two_sided_90 = proportion_change(48, 80, 56, 70, confidence=0.90).iloc[0]
    # The one bound of a one-sided 95% interval is that of the two-sided 90% interval.
    assert greater.ci_low == pytest.approx(two_sided_90.ci_low, rel=1e-12)
    assert greater.ci_high == 1.0
    less = proportion_change(48, 80, 56, 70, alternative="less").iloc[0]
    assert (less.ci_low, less.ci_high) == pytest.approx((-1.0, two_sided_90.ci_high))


@pytest.mark.parametrize("alternative", ["greater", "less"])
def test_fisher_one_sided_matches_scipy(alternative):
    row = proportion_change(0, 16, 15, 72, test="fisher", alternative=alternative).iloc[0]
    ref = sps.fisher_exact([[15, 57], [0, 16]], alternative=alternative)
    assert row.p_value == pytest.approx(ref.pvalue, rel=1e-12)


@pytest.mark.parametrize("alternative", ["greater", "less"])
def test_mcnemar_exact_one_sided_is_the_binomial_test(alternative):
    row = paired_proportion_change(20, 3, 11, 16, test="exact", alternative=alternative).iloc[0]
    ref = sps.binomtest(11, 14, 0.5, alternative=alternative)
    assert row.p_value == pytest.approx(ref.pvalue, rel=1e-12)


@pytest.mark.parametrize("alternative", ["greater", "less"])
def test_mcnemar_chi2_one_sided_refers_the_signed_root_to_the_normal(alternative):
    row = paired_proportion_change(794, 150, 86, 570, test="chi2",
                                   alternative=alternative).iloc[0]
    z = math.copysign(math.sqrt((abs(86 - 150) - 1) ** 2 / (150 + 86)), 86 - 150)
    by_hand = sps.norm.sf(z) if alternative == "greater" else sps.norm.cdf(z)
    assert row.p_value == pytest.approx(by_hand, rel=1e-12)
    assert row.statistic == pytest.approx(63**2 / 236, rel=1e-12)


def test_an_unknown_alternative_is_refused_for_proportions():
    with pytest.raises(ScoringError, match="alternative must be one of"):
        proportion_change(1, 10, 2, 10, alternative="larger")


def restricted_mle_numerically(x1: int, n1: int, x0: int, n0: int, delta: float):
    """Proportions (r1, r0) maximizing the binomial likelihood under r1 - r0 = delta."""
    from scipy.optimize import minimize_scalar

    def minus_loglik(r0: float) -> float:
        r1 = r0 + delta
        return -(x1 * math.log(r1) + (n1 - x1) * math.log(1 - r1)
                 + x0 * math.log(r0) + (n0 - x0) * math.log(1 - r0))

    low, high = max(0.0, -delta) + 1e-12, min(1.0, 1.0 - delta) - 1e-12
    r0 = minimize_scalar(minus_loglik, bounds=(low, high), method="bounded",
                         options={"xatol": 1e-13}).x
    return r0 + delta, r0


# (baseline yes, baseline n, now yes, now n, mu): growth tested against a non-zero margin,
# small and unequal samples, a margin below 0.
MARGINS = [(48, 80, 56, 70, 0.05), (5, 40, 30, 60, 0.3), (30, 100, 30, 100, -0.1),
           (12, 15, 10, 12, -0.25), (3, 30, 9, 30, 0.1)]


@pytest.mark.parametrize(("x1", "n1", "x2", "n2", "mu"), MARGINS)
@pytest.mark.parametrize("alternative", ["two-sided", "greater", "less"])
def test_a_non_zero_null_difference_is_the_farrington_manning_score_test(
        x1, n1, x2, n2, mu, alternative):
    row = proportion_change(x1, n1, x2, n2, mu=mu, alternative=alternative).iloc[0]
    # Farrington & Manning (1990): z from the variance at the proportions that maximize the
    # likelihood under the null, found here by numerical search instead of the cubic.
    r2, r1 = restricted_mle_numerically(x2, n2, x1, n1, mu)
    z = (x2 / n2 - x1 / n1 - mu) / math.sqrt(r2 * (1 - r2) / n2 + r1 * (1 - r1) / n1)
    p = {"two-sided": 2 * sps.norm.sf(abs(z)), "greater": sps.norm.sf(z),
         "less": sps.norm.cdf(z)}[alternative]
    assert row.statistic == pytest.approx(z, rel=1e-7)
    assert row.p_value == pytest.approx(p, rel=1e-6)
    assert (row.test, row.mu, row.alternative) == ("z", mu, alternative)
    # The interval does not depend on the null value.
    same = proportion_change(x1, n1, x2, n2, alternative=alternative).iloc[0]
    assert (row.ci_low, row.ci_high) == (same.ci_low, same.ci_high)


@pytest.mark.parametrize("alternative", ["two-sided", "larger", "smaller"])
def test_a_null_difference_of_zero_is_the_pooled_z_of_statsmodels(alternative):
    from statsmodels.stats.proportion import proportions_ztest

    ours = {"two-sided": "two-sided", "larger": "greater", "smaller": "less"}[alternative]
    row = proportion_change(48, 80, 56, 70, mu=0.0, alternative=ours).iloc[0]
    z, p = proportions_ztest([56, 48], [70, 80], value=0.0, alternative=alternative)
    assert (row.statistic, row.p_value) == pytest.approx((z, p), rel=1e-12)


def test_a_margin_of_growth_can_be_shown_or_not():
    # 60% to 80% on 80 and 70 people: clearly more than 5 points of growth, not 15.
    assert proportion_change(48, 80, 56, 70, mu=0.05, alternative="greater").iloc[0].p_value \
        < 0.05
    assert proportion_change(48, 80, 56, 70, mu=0.15, alternative="greater").iloc[0].p_value \
        > 0.05


def test_fisher_cannot_test_a_non_zero_difference():
    # Small counts would choose Fisher for mu = 0; with a margin the score test is used.
    row = proportion_change(1, 10, 6, 12, mu=0.1).iloc[0]
    assert row.test == "z"
    assert proportion_change(1, 10, 6, 12).iloc[0].test == "fisher"
    with pytest.raises(ScoringError, match="test='fisher' tests no difference only"):
        proportion_change(1, 10, 6, 12, mu=0.1, test="fisher")


@pytest.mark.parametrize("mu", [1.0, -1.0, 1.5, float("inf"), float("nan")])
def test_a_null_difference_outside_minus_1_and_1_is_refused(mu):
    with pytest.raises(ScoringError, match="mu must be"):
        proportion_change(48, 80, 56, 70, mu=mu)


def paired_restricted_q_numerically(b: int, c: int, n: int, delta: float) -> float:
    """P(yes then no) maximizing the multinomial likelihood under P(no, yes) - P(yes, no) =
    delta; the concordant cells enter only through their total."""
    from scipy.optimize import minimize_scalar

    def minus_loglik(q: float) -> float:
        return -(b * math.log(q) + c * math.log(q + delta)
                 + (n - b - c) * math.log(1 - 2 * q - delta))

    low, high = max(0.0, -delta) + 1e-13, (1.0 - delta) / 2 - 1e-13
    return minimize_scalar(minus_loglik, bounds=(low, high), method="bounded",
                           options={"xatol": 1e-14}).x


# (yes-yes, yes-no, no-yes, no-no, mu): a large survey with a small drop, a small one with
# growth, few changes.
PAIRED_MARGINS = [(794, 150, 86, 570, -0.02), (40, 10, 25, 25, 0.1), (20, 5, 9, 26, -0.05),
                  (100, 30, 10, 60, 0.02)]


@pytest.mark.parametrize(("a", "b", "c", "d", "mu"), PAIRED_MARGINS)
@pytest.mark.parametrize("alternative", ["two-sided", "greater", "less"])
def test_a_non_zero_paired_null_is_tangos_score_test(a, b, c, d, mu, alternative):
    row = paired_proportion_change(a, b, c, d, mu=mu, alternative=alternative).iloc[0]
    n = a + b + c + d
    # Var(c - b) = n (P(yes,no) + P(no,yes) - delta^2) = n (2 q + delta (1 - delta)), at the
    # q that maximizes the likelihood under the null (found here by numerical search).
    q = paired_restricted_q_numerically(b, c, n, mu)
    z = (c - b - n * mu) / math.sqrt(n * (2 * q + mu * (1 - mu)))
    p = {"two-sided": 2 * sps.norm.sf(abs(z)), "greater": sps.norm.sf(z),
         "less": sps.norm.cdf(z)}[alternative]
    assert row.statistic == pytest.approx(z, rel=1e-7)
    assert row.p_value == pytest.approx(p, rel=1e-6)
    assert (row.test, row.mu, row.alternative) == ("tango_score", mu, alternative)
    assert math.isnan(row.df)


def test_tangos_statistic_at_a_null_of_zero_would_be_mcnemars_uncorrected_root():
    # At mu -> 0 the restricted q is (b + c) / 2n and z -> (c - b) / sqrt(b + c).
    row = paired_proportion_change(40, 10, 25, 25, mu=1e-9).iloc[0]
    assert row.statistic == pytest.approx((25 - 10) / math.sqrt(35), rel=1e-6)


def test_a_non_zero_paired_null_is_tested_even_when_nobody_changed():
    row = paired_proportion_change(30, 0, 0, 30, mu=0.1, alternative="less").iloc[0]
    assert row.p_value < 0.05  # no change at all is evidence against a 10-point rise
    assert row.note is None
    assert math.isnan(paired_proportion_change(30, 0, 0, 30).iloc[0].p_value)


def test_mcnemar_tests_no_change_only():
    for test in ("exact", "chi2"):
        with pytest.raises(ScoringError, match=r"\(McNemar\) tests no change only"):
            paired_proportion_change(40, 10, 25, 25, mu=0.1, test=test)
    with pytest.raises(ScoringError, match="mu must be"):
        paired_proportion_change(40, 10, 25, 25, mu=-1.0)
