"""Means and change from baseline, checked against scipy on the same data."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import special
from scipy import stats as sps

from getting_to_outcomes.errors import ScoringError
from getting_to_outcomes.stats import (
    CHANGE_COLUMNS,
    MEAN_CI_COLUMNS,
    independent_change,
    independent_change_from_moments,
    mean_ci,
    mean_ci_from_moments,
    paired_change,
    paired_change_from_moments,
)


@pytest.fixture
def pre_post() -> tuple[np.ndarray, np.ndarray]:
    """Twenty-four people measured twice; most improved a little."""
    rng = np.random.default_rng(2013)
    before = rng.normal(3.0, 0.8, size=24)
    after = before + rng.normal(0.4, 0.6, size=24)
    return before, after


@pytest.fixture
def two_cohorts() -> tuple[np.ndarray, np.ndarray]:
    """Different people at baseline (n = 18) and now (n = 27), unequal spread."""
    rng = np.random.default_rng(2002)
    return rng.normal(3.1, 0.6, size=18), rng.normal(3.5, 1.1, size=27)


def only(frame: pd.DataFrame) -> pd.Series:
    assert len(frame) == 1
    return frame.iloc[0]


class TestMeanCI:
    def test_matches_scipy_t_interval(self):
        values = [2.0, 3.5, 4.0, 4.5, 5.0, 3.0]
        row = only(mean_ci(values, confidence=0.9))
        low, high = sps.t.interval(0.9, 5, loc=np.mean(values), scale=sps.sem(values))
        assert (row.ci_low, row.ci_high) == pytest.approx((low, high), rel=1e-12)
        assert row.se == pytest.approx(sps.sem(values), rel=1e-12)
        assert list(mean_ci(values).columns) == MEAN_CI_COLUMNS

    def test_missing_values_are_left_out_of_n(self):
        assert only(mean_ci([1.0, np.nan, 3.0])).n == 2

    def test_one_value_has_a_mean_but_no_interval(self):
        row = only(mean_ci([4.0]))
        assert row["mean"] == 4.0
        assert math.isnan(row.sd)
        assert math.isnan(row.ci_low)

    @pytest.mark.parametrize("values", [[], [np.nan, np.nan]], ids=["empty", "all_missing"])
    def test_no_values_are_refused_naming_the_argument(self, values):
        with pytest.raises(ScoringError, match="values"):
            mean_ci(values)

    def test_identical_values_give_a_zero_width_interval(self):
        row = only(mean_ci([3, 3, 3]))
        assert row.sd == 0
        assert row.ci_low == row.ci_high == 3

    def test_from_moments_of_merged_groups_equals_pooled(self):
        groups = [np.array([1.0, 2.0, 4.0]), np.array([5.0, 3.0]), np.array([2.0, 2.5, 6.0, 1.0])]
        n = sum(len(g) for g in groups)
        total = sum(g.sum() for g in groups)
        total_sq = sum((g * g).sum() for g in groups)
        merged = mean_ci_from_moments(n, total, total_sq)
        pd.testing.assert_frame_equal(merged, mean_ci(np.concatenate(groups)), rtol=1e-12)

    def test_from_moments_is_vectorized(self):
        table = mean_ci_from_moments([3, 2, 0], [6, 10, 0], [14, 52, 0])
        assert table["n"].tolist() == [3, 2, 0]
        assert table["mean"].tolist()[:2] == [2.0, 5.0]
        assert math.isnan(table["mean"].iloc[2])
        assert table["sd"].iloc[0] == pytest.approx(1.0)

    def test_negative_counts_are_refused(self):
        with pytest.raises(ScoringError, match="negative"):
            mean_ci_from_moments(-1, 0, 0)


class TestPairedT:
    def test_matches_scipy_ttest_rel(self, pre_post):
        before, after = pre_post
        row = only(paired_change(before, after, confidence=0.9))
        ref = sps.ttest_rel(after, before)
        ci = ref.confidence_interval(0.9)
        assert row.statistic == pytest.approx(ref.statistic, rel=1e-12)
        assert row.p_value == pytest.approx(ref.pvalue, rel=1e-10)
        assert row.df == ref.df
        assert (row.ci_low, row.ci_high) == pytest.approx((ci.low, ci.high), rel=1e-12)

    def test_columns_and_labels(self, pre_post):
        frame = paired_change(*pre_post)
        assert list(frame.columns) == CHANGE_COLUMNS
        row = only(frame)
        assert (row.design, row.test, row.ci_method, row.effect_size_name) == (
            "paired", "t", "t", "cohen_dz")
        assert pd.isna(row.seed)
        assert row.note is None

    def test_change_and_means(self, pre_post):
        before, after = pre_post
        row = only(paired_change(before, after))
        assert row.mean_before == pytest.approx(before.mean())
        assert row.mean_after == pytest.approx(after.mean())
        assert row.change == pytest.approx((after - before).mean())
        assert row.n == row.n_before == row.n_after == 24

    def test_cohen_dz_is_mean_over_sd_of_differences(self, pre_post):
        d = pre_post[1] - pre_post[0]
        assert only(paired_change(*pre_post)).effect_size == pytest.approx(
            d.mean() / d.std(ddof=1), rel=1e-12)

    def test_series_are_matched_on_their_index(self):
        before = pd.Series([1.0, 2.0, 3.0], index=["ana", "ben", "cy"])
        after = pd.Series([2.5, 4.0, 2.0, 9.0], index=["cy", "ana", "ben", "dee"])
        row = only(paired_change(before, after))
        assert row.n == 3
        assert row.change == pytest.approx(((4 - 1) + (2 - 2) + (2.5 - 3)) / 3)
        assert "1 pair(s) with a missing value" in row.note

    def test_repeated_ids_are_refused(self):
        before = pd.Series([1.0, 2.0], index=["ana", "ana"])
        with pytest.raises(ScoringError, match="must not repeat"):
            paired_change(before, pd.Series([1.0], index=["ana"]))

    def test_arrays_of_different_length_are_refused(self):
        with pytest.raises(ScoringError, match="3 and 2 values"):
            paired_change([1, 2, 3], [1, 2])

    def test_one_pair(self):
        row = only(paired_change([2.0], [3.0]))
        assert row.n == 1
        assert row.change == 1.0
        assert math.isnan(row.p_value)
        assert math.isnan(row.ci_low)
        assert "only 1 pair" in row.note

    def test_no_pairs(self):
        row = only(paired_change([], []))
        assert row.n == 0
        assert math.isnan(row.change)
        assert "no complete pairs" in row.note

    def test_everyone_changed_by_the_same_amount(self):
        row = only(paired_change([1, 2, 3], [2, 3, 4]))
        assert row.change == 1.0
        assert row.ci_low == row.ci_high == 1.0
        assert math.isnan(row.statistic)
        assert math.isnan(row.effect_size)
        assert "same amount" in row.note

    def test_from_moments_equals_raw_data(self, pre_post):
        before, after = pre_post
        d = after - before
        moments = paired_change_from_moments(
            len(d), d.sum(), (d * d).sum(), before.mean(), after.mean())
        pd.testing.assert_frame_equal(moments, paired_change(before, after), rtol=1e-10)

    def test_from_moments_merges_groups(self, pre_post):
        d = pre_post[1] - pre_post[0]
        parts = [d[:5], d[5:15], d[15:]]
        n = sum(len(p) for p in parts)
        merged = paired_change_from_moments(
            n, sum(p.sum() for p in parts), sum((p * p).sum() for p in parts),
            pre_post[0].mean(), pre_post[1].mean())
        assert only(merged).statistic == pytest.approx(sps.ttest_1samp(d, 0).statistic)

    def test_from_moments_is_vectorized(self):
        table = paired_change_from_moments([3, 1, 0], [6, 2, 0], [14, 4, 0], 0, 0)
        assert len(table) == 3
        assert table.note.tolist()[1:] == [
            "only 1 pair: no variance, interval or test", "no complete pairs"]


class TestWilcoxonSignedRank:
    def test_statistic_is_sum_of_positive_ranks(self):
        before = np.array([10, 12, 9, 14, 8, 11])
        after = np.array([12, 15, 8, 17, 9, 14])  # d = 2, 3, -1, 3, 1, 3
        row = only(paired_change(before, after, test="wilcoxon"))
        # |d| ranks: 1 and 1 tie (ranks 1.5), 2 -> 3, three 3s -> 5 each
        assert row.statistic == pytest.approx(1.5 + 3 + 5 + 5 + 5)
        assert row.effect_size == pytest.approx((19.5 - 1.5) / 21)

    def test_exact_p_value_without_ties_matches_scipy(self, pre_post):
        before, after = pre_post
        row = only(paired_change(before, after, test="wilcoxon"))
        ref = sps.wilcoxon(after - before, method="exact")
        assert row.p_value == pytest.approx(ref.pvalue, rel=1e-12)
        assert row.note == "exact p-value"
        assert math.isnan(row.df)
        assert row.effect_size_name == "rank_biserial"

    def test_zero_differences_use_the_normal_approximation_as_r_does(self):
        # R: wilcox.test(c(0, 1, 2, 3, 4, 5, 6, -7)) gives V = 21, p-value = 0.2719 ("cannot
        # compute exact p-value with zeroes"). By hand: the zero dropped, n = 7 distinct
        # ranks, z = (21 - 14 - 0.5) / sqrt(7 * 8 * 15 / 24).
        d = np.array([0, 1, 2, 3, 4, 5, 6, -7])
        row = only(paired_change(np.zeros(8), d, test="wilcoxon"))
        z = (21 - 14 - 0.5) / math.sqrt(7 * 8 * 15 / 24)
        assert row.statistic == 21
        assert row.p_value == pytest.approx(2 * sps.norm.sf(z), rel=1e-12)
        assert round(row.p_value, 4) == 0.2719
        assert row.note == "normal approximation with tie and continuity corrections"

    def test_ties_use_the_corrected_normal_approximation(self):
        before = np.array([1, 2, 3, 2, 4, 3, 2, 1, 3, 2])
        after = np.array([2, 3, 3, 4, 5, 4, 2, 3, 4, 3])
        row = only(paired_change(before, after, test="wilcoxon"))
        d = (after - before)[after != before]
        # Normal approximation by hand: mean n(n+1)/4, variance with tie correction,
        # continuity correction 0.5 toward the mean.
        n = d.size
        ranks = sps.rankdata(np.abs(d))
        v_plus = ranks[d > 0].sum()
        _, counts = np.unique(np.abs(d), return_counts=True)
        var = n * (n + 1) * (2 * n + 1) / 24 - (counts**3 - counts).sum() / 48
        z = (abs(v_plus - n * (n + 1) / 4) - 0.5) / math.sqrt(var)
        assert row.statistic == v_plus
        assert row.p_value == pytest.approx(2 * sps.norm.sf(z), rel=1e-10)
        assert "continuity" in row.note

    def test_interval_is_still_for_the_mean_change(self, pre_post):
        t_row = only(paired_change(*pre_post))
        w_row = only(paired_change(*pre_post, test="wilcoxon"))
        assert (w_row.ci_low, w_row.ci_high) == (t_row.ci_low, t_row.ci_high)
        assert w_row.ci_method == "t"

    def test_nobody_changed(self):
        row = only(paired_change([1, 2, 3], [1, 2, 3], test="wilcoxon"))
        assert math.isnan(row.p_value)
        assert "no pair changed" in row.note

    def test_unknown_test_is_refused(self, pre_post):
        with pytest.raises(ScoringError, match="'t', 'wilcoxon'"):
            paired_change(*pre_post, test="sign")


class TestBootstrap:
    def test_same_seed_same_interval_and_seed_is_recorded(self, pre_post):
        a = only(paired_change(*pre_post, bootstrap=True, n_resamples=999, seed=42))
        b = only(paired_change(*pre_post, bootstrap=True, n_resamples=999, seed=42))
        assert (a.ci_low, a.ci_high) == (b.ci_low, b.ci_high)
        assert a.seed == 42
        assert a.ci_method == "bootstrap_bca"

    def test_matches_scipy_bootstrap_with_the_same_generator(self, pre_post):
        d = pre_post[1] - pre_post[0]
        row = only(paired_change(*pre_post, bootstrap=True, n_resamples=999, seed=7))
        ref = sps.bootstrap((d,), np.mean, n_resamples=999, method="BCa",
                            rng=np.random.default_rng(7))
        assert (row.ci_low, row.ci_high) == pytest.approx(
            (ref.confidence_interval.low, ref.confidence_interval.high), rel=1e-12)

    def test_a_seed_is_drawn_and_recorded_when_none_is_given(self, pre_post):
        row = only(paired_change(*pre_post, bootstrap=True, n_resamples=199))
        again = only(paired_change(*pre_post, bootstrap=True, n_resamples=199,
                                   seed=int(row.seed)))
        assert (row.ci_low, row.ci_high) == (again.ci_low, again.ci_high)

    def test_independent_bootstrap_resamples_each_sample(self, two_cohorts):
        a, b = two_cohorts
        row = only(independent_change(a, b, bootstrap=True, n_resamples=999, seed=3))
        ref = sps.bootstrap((a, b), lambda x, y, axis: y.mean(axis=axis) - x.mean(axis=axis),
                            n_resamples=999, method="BCa", rng=np.random.default_rng(3))
        assert (row.ci_low, row.ci_high) == pytest.approx(
            (ref.confidence_interval.low, ref.confidence_interval.high), rel=1e-12)
        assert row.seed == 3

    @pytest.mark.parametrize("seed", [-1, 1.5, "42", True])
    def test_seed_must_be_a_whole_number(self, pre_post, seed):
        with pytest.raises(ScoringError, match="seed"):
            paired_change(*pre_post, bootstrap=True, seed=seed)

    def test_no_bootstrap_for_a_single_pair(self):
        row = only(paired_change([1.0], [2.0], bootstrap=True, seed=1))
        assert row.ci_method == "t"
        assert pd.isna(row.seed)


class TestStudentPooled:
    def test_matches_scipy_student_test(self, two_cohorts):
        a, b = two_cohorts
        row = only(independent_change(a, b, test="student", confidence=0.9))
        ref = sps.ttest_ind(b, a, equal_var=True)
        ci = ref.confidence_interval(0.9)
        assert row.statistic == pytest.approx(ref.statistic, rel=1e-12)
        assert row.df == len(a) + len(b) - 2
        assert row.p_value == pytest.approx(ref.pvalue, rel=1e-10)
        assert (row.ci_low, row.ci_high) == pytest.approx((ci.low, ci.high), rel=1e-12)
        assert (row.test, row.ci_method, row.effect_size_name) == (
            "student", "student", "hedges_g")

    def test_r_sleep_data(self):
        # R: t.test(extra ~ group, data = sleep, var.equal = TRUE) gives t = -1.8608,
        # df = 18, p-value = 0.07919 (group 2 minus group 1 here, so t = +1.8608).
        g1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0]
        g2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4]
        row = only(independent_change(g1, g2, test="student"))
        assert round(row.statistic, 4) == 1.8608
        assert round(row.p_value, 5) == 0.07919


class TestWelch:
    def test_matches_scipy_welch_test(self, two_cohorts):
        a, b = two_cohorts
        row = only(independent_change(a, b, confidence=0.9))
        ref = sps.ttest_ind(b, a, equal_var=False)
        ci = ref.confidence_interval(0.9)
        assert row.statistic == pytest.approx(ref.statistic, rel=1e-12)
        assert row.df == pytest.approx(ref.df, rel=1e-12)
        assert row.p_value == pytest.approx(ref.pvalue, rel=1e-10)
        assert (row.ci_low, row.ci_high) == pytest.approx((ci.low, ci.high), rel=1e-12)

    def test_labels_and_counts(self, two_cohorts):
        row = only(independent_change(*two_cohorts))
        assert (row.design, row.test, row.ci_method, row.effect_size_name) == (
            "independent", "welch", "welch", "hedges_g")
        assert (row.n, row.n_before, row.n_after) == (45, 18, 27)

    def test_hedges_g_uses_pooled_sd_and_exact_correction(self, two_cohorts):
        a, b = two_cohorts
        m = len(a) + len(b) - 2
        sp = math.sqrt(((len(a) - 1) * a.var(ddof=1) + (len(b) - 1) * b.var(ddof=1)) / m)
        j = math.exp(special.gammaln(m / 2) - special.gammaln((m - 1) / 2)) / math.sqrt(m / 2)
        row = only(independent_change(a, b))
        assert row.effect_size == pytest.approx(j * (b.mean() - a.mean()) / sp, rel=1e-12)
        # The exact correction is close to Hedges' approximation 1 - 3 / (4 m - 1).
        assert j == pytest.approx(1 - 3 / (4 * m - 1), abs=1e-4)

    def test_from_moments_equals_raw_data(self, two_cohorts):
        a, b = two_cohorts
        moments = independent_change_from_moments(
            len(a), a.sum(), (a * a).sum(), len(b), b.sum(), (b * b).sum())
        pd.testing.assert_frame_equal(moments, independent_change(a, b), rtol=1e-10)

    def test_missing_values_are_counted_in_the_note(self):
        row = only(independent_change([1, 2, np.nan, 3], [2, 3, 4]))
        assert row.n_before == 3
        assert "1 missing value" in row.note

    def test_a_period_with_one_value(self):
        row = only(independent_change([2.0], [1.0, 3.0, 5.0]))
        assert row.change == 1.0
        assert math.isnan(row.p_value)
        assert "fewer than 2 values" in row.note

    def test_a_period_without_values(self):
        row = only(independent_change([], [1.0, 2.0]))
        assert math.isnan(row.change)
        assert "without values" in row.note

    def test_constant_periods(self):
        row = only(independent_change([2, 2, 2], [3, 3, 3]))
        assert row.change == 1.0
        assert math.isnan(row.statistic)
        assert "every value is the same" in row.note


class TestMannWhitney:
    def test_exact_p_value_without_ties_matches_scipy(self, two_cohorts):
        a, b = two_cohorts
        row = only(independent_change(a, b, test="mann_whitney"))
        ref = sps.mannwhitneyu(b, a, method="exact")
        assert row.statistic == ref.statistic
        assert row.p_value == pytest.approx(ref.pvalue, rel=1e-12)
        assert row.effect_size == pytest.approx(2 * ref.statistic / (18 * 27) - 1)

    def test_ties_use_the_continuity_corrected_approximation(self):
        a, b = [1, 2, 2, 3, 3, 3], [2, 3, 4, 4, 5]
        row = only(independent_change(a, b, test="mann_whitney"))
        ref = sps.mannwhitneyu(b, a, method="asymptotic", use_continuity=True)
        assert row.p_value == pytest.approx(ref.pvalue, rel=1e-12)

    def test_rank_biserial_is_one_when_every_current_value_is_higher(self):
        row = only(independent_change([1, 2, 3], [4, 5, 6], test="mann_whitney"))
        assert row.effect_size == 1.0
        assert row.statistic == 9

    def test_everyone_identical(self):
        row = only(independent_change([2, 2], [2, 2], test="mann_whitney"))
        assert math.isnan(row.p_value)


class TestMomentsNoDataCouldHave:
    """Sums that no data could give are refused, never clipped into a result."""

    def test_a_sum_of_squares_below_the_square_of_the_sum_is_refused(self):
        # s1 = 6 over 3 values needs a sum of squares of at least 6**2 / 3 = 12.
        with pytest.raises(ScoringError, match=r"ss1 10 is below s1\*\*2 / n1 = 12"):
            independent_change_from_moments(3, 6, 10, 3, 12, 50)
        with pytest.raises(ScoringError, match="variance would be negative"):
            paired_change_from_moments(2, 4, 1, 0, 2)

    def test_rounding_below_the_square_of_the_sum_still_passes_as_zero_variance(self):
        # Three values of 0.1: the sum of squares falls short of sum**2 / n by rounding only.
        row = mean_ci_from_moments(3, 0.1 + 0.1 + 0.1, 3 * 0.1 * 0.1)
        assert row["sd"].iloc[0] == 0.0

    @pytest.mark.parametrize("n", [10.5, float("inf"), -2])
    def test_a_count_must_be_a_whole_number(self, n):
        with pytest.raises(ScoringError, match="whole number"):
            mean_ci_from_moments(n, 20.0, 50.0)

    def test_infinite_sums_are_refused(self):
        with pytest.raises(ScoringError, match="total must be finite"):
            mean_ci_from_moments(3, float("inf"), 5.0)
        with pytest.raises(ScoringError, match="sumsq_diff must be finite"):
            paired_change_from_moments(3, 1.0, float("inf"), 0, 1)


# ---------------------------------------------------------------------------------------------
# a null value (mu) and one-sided alternatives, as R's t.test and wilcox.test


ALTERNATIVES = ["two-sided", "greater", "less"]


@pytest.mark.parametrize("alternative", ALTERNATIVES)
@pytest.mark.parametrize("mu", [0.0, 0.3, -0.2])
def test_paired_t_with_mu_and_alternative_matches_scipy(pre_post, mu, alternative):
    before, after = pre_post
    row = paired_change(before, after, mu=mu, alternative=alternative).iloc[0]
    ref = sps.ttest_1samp(after - before, mu, alternative=alternative)
    ci = ref.confidence_interval(0.95)
    assert row.statistic == pytest.approx(ref.statistic, rel=1e-12)
    assert row.p_value == pytest.approx(ref.pvalue, rel=1e-10)
    # scipy gives the same one-sided intervals as R: to inf for "greater", from -inf for "less".
    assert (row.ci_low, row.ci_high) == pytest.approx((ci.low, ci.high), rel=1e-12)
    assert (row.alternative, row.mu) == (alternative, mu)
    # The effect size describes the change itself, whatever the null value.
    assert row.effect_size == pytest.approx(paired_change(before, after).iloc[0].effect_size)


@pytest.mark.parametrize("alternative", ALTERNATIVES)
def test_paired_t_from_moments_with_mu_equals_raw(pre_post, alternative):
    before, after = pre_post
    d = after - before
    raw = paired_change(before, after, mu=0.25, alternative=alternative)
    moments = paired_change_from_moments(d.size, d.sum(), (d * d).sum(), before.mean(),
                                         after.mean(), mu=0.25, alternative=alternative)
    cols = ["statistic", "p_value", "ci_low", "ci_high", "mu"]
    assert moments[cols].to_numpy() == pytest.approx(raw[cols].to_numpy(), rel=1e-9)
    assert moments["alternative"].iloc[0] == alternative


@pytest.mark.parametrize("alternative", ALTERNATIVES)
@pytest.mark.parametrize(("test", "equal_var"), [("welch", False), ("student", True)])
def test_independent_t_with_mu_and_alternative_matches_scipy(two_cohorts, test, equal_var,
                                                             alternative):
    a, b = two_cohorts
    mu = 0.15
    row = independent_change(a, b, test=test, mu=mu, alternative=alternative).iloc[0]
    # Shifting b by mu leaves the variances alone, so scipy's test of (b - mu) vs a is R's
    # t.test(b, a, mu = mu).
    ref = sps.ttest_ind(b - mu, a, equal_var=equal_var, alternative=alternative)
    ci = ref.confidence_interval(0.95)
    assert row.statistic == pytest.approx(ref.statistic, rel=1e-12)
    assert row.p_value == pytest.approx(ref.pvalue, rel=1e-10)
    assert (row.ci_low, row.ci_high) == pytest.approx((ci.low + mu, ci.high + mu), rel=1e-12)


@pytest.mark.parametrize("alternative", ALTERNATIVES)
def test_independent_t_from_moments_with_mu_equals_raw(two_cohorts, alternative):
    a, b = two_cohorts
    raw = independent_change(a, b, mu=-0.1, alternative=alternative)
    moments = independent_change_from_moments(a.size, a.sum(), (a * a).sum(), b.size, b.sum(),
                                              (b * b).sum(), mu=-0.1, alternative=alternative)
    cols = ["statistic", "p_value", "ci_low", "ci_high"]
    assert moments[cols].to_numpy() == pytest.approx(raw[cols].to_numpy(), rel=1e-9)


@pytest.mark.parametrize("alternative", ALTERNATIVES)
def test_wilcoxon_with_mu_without_ties_is_exact_as_scipy(alternative):
    before = np.array([10.0, 12.0, 9.0, 14.0, 11.0, 13.0, 8.0, 15.0])
    after = before + np.array([1.9, 2.3, 0.4, 3.2, -0.6, 2.8, 1.1, 4.5])
    row = paired_change(before, after, test="wilcoxon", mu=1.0, alternative=alternative).iloc[0]
    shifted = after - before - 1.0
    ref = sps.wilcoxon(shifted, method="exact", alternative=alternative)
    ranks = sps.rankdata(np.abs(shifted))
    assert row.statistic == ranks[shifted > 0].sum()  # R's V of d - mu
    assert row.p_value == pytest.approx(ref.pvalue, rel=1e-12)
    assert "exact" in row.note


@pytest.mark.parametrize("alternative", ALTERNATIVES)
def test_wilcoxon_with_mu_and_ties_follows_r_normal_approximation(alternative):
    # d - mu = (0, 1, 2, 2, 3, -4, 5, 6): one zero (dropped) and a tie, so R uses the normal
    # approximation with tie correction and a continuity correction towards the alternative.
    d = np.array([2.0, 3.0, 4.0, 4.0, 5.0, -2.0, 7.0, 8.0])
    mu = 2.0
    row = paired_change(np.zeros(d.size), d, test="wilcoxon", mu=mu,
                        alternative=alternative).iloc[0]
    nz = (d - mu)[d != mu]
    n = nz.size
    ranks = sps.rankdata(np.abs(nz))
    v = ranks[nz > 0].sum()
    _, ties = np.unique(np.abs(nz), return_counts=True)
    sigma = math.sqrt(n * (n + 1) * (2 * n + 1) / 24 - (ties**3 - ties).sum() / 48)
    centred = v - n * (n + 1) / 4
    correction = {"two-sided": math.copysign(0.5, centred), "greater": 0.5, "less": -0.5}
    z = (centred - correction[alternative]) / sigma
    by_hand = {"two-sided": 2 * min(sps.norm.cdf(z), sps.norm.sf(z)),
               "greater": sps.norm.sf(z), "less": sps.norm.cdf(z)}[alternative]
    assert row.statistic == v
    assert row.p_value == pytest.approx(by_hand, rel=1e-12)


@pytest.mark.parametrize("alternative", ALTERNATIVES)
def test_mann_whitney_with_mu_matches_r_method(alternative):
    a = np.array([3.1, 4.2, 5.05, 4.4, 3.8, 2.9])
    b = np.array([5.3, 6.1, 4.9, 7.2, 6.6, 5.8, 6.0])
    mu = 1.0
    row = independent_change(a, b, test="mann_whitney", mu=mu, alternative=alternative).iloc[0]
    # No ties after the shift: exact, as scipy's test of (b - mu) against a.
    ref = sps.mannwhitneyu(b - mu, a, method="exact", alternative=alternative)
    assert row.statistic == ref.statistic  # R's W of wilcox.test(b, a, mu = 1)
    assert row.p_value == pytest.approx(ref.pvalue, rel=1e-12)
    # The rank-biserial correlation describes b against a, not the shifted b.
    assert row.effect_size == pytest.approx(2 * sps.mannwhitneyu(b, a).statistic / 42 - 1)


@pytest.mark.parametrize("alternative", ["greater", "less"])
def test_mann_whitney_with_ties_corrects_continuity_towards_the_alternative(alternative):
    a = np.array([1.0, 2.0, 2.0, 3.0, 4.0])
    b = np.array([2.0, 3.0, 3.0, 5.0, 6.0, 6.0])
    row = independent_change(a, b, test="mann_whitney", alternative=alternative).iloc[0]
    pooled = np.concatenate([b, a])
    ranks = sps.rankdata(pooled)
    w = ranks[:6].sum() - 6 * 7 / 2
    _, ties = np.unique(pooled, return_counts=True)
    sigma = math.sqrt(6 * 5 / 12 * (12 - (ties**3 - ties).sum() / (11 * 10)))
    shift = 0.5 if alternative == "greater" else -0.5
    z = (w - 15 - shift) / sigma
    by_hand = sps.norm.sf(z) if alternative == "greater" else sps.norm.cdf(z)
    assert row.statistic == w
    assert row.p_value == pytest.approx(by_hand, rel=1e-12)


def test_an_unknown_alternative_or_an_infinite_mu_is_refused():
    with pytest.raises(ScoringError, match="alternative must be one of 'two-sided'"):
        paired_change([1, 2, 3], [2, 3, 5], alternative="two.sided")
    with pytest.raises(ScoringError, match="mu must be a finite number"):
        independent_change([1, 2, 3], [2, 3, 5], mu=math.inf)
    with pytest.raises(ScoringError, match="mu must be a number"):
        paired_change_from_moments(3, 6, 14, 1, 3, mu="4")
