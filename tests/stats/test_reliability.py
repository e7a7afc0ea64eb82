"""Cronbach's alpha, its Feldt interval, item statistics and scale scores.

Expected values are computed independently in each test: from the textbook formula on the
total score (not the covariance route the library takes), from numpy/pandas correlations, or
from scipy's F distribution.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from getting_to_outcomes.errors import ScoringError
from getting_to_outcomes.stats import (
    ALPHA_COLUMNS,
    ALPHA_ITEM_COLUMNS,
    ItemMoments,
    alpha_from_covariance,
    covariance_from_moments,
    cronbach_alpha,
    cronbach_alpha_from_moments,
    feldt_interval,
    score_scale,
)


def alpha_by_total_score(frame: pd.DataFrame) -> float:
    """Cronbach (1951) on complete data: k/(k-1) * (1 - sum item variances / total variance)."""
    k = frame.shape[1]
    return k / (k - 1) * (1 - frame.var(ddof=1).sum() / frame.sum(axis=1).var(ddof=1))


@pytest.fixture
def five_item_survey() -> pd.DataFrame:
    """Forty people, five related 1-5 items, no missing answers."""
    rng = np.random.default_rng(20130)
    trait = rng.normal(size=40)
    answers = np.clip(np.round(3 + trait[:, None] + rng.normal(scale=0.9, size=(40, 5))), 1, 5)
    return pd.DataFrame(answers, columns=[f"q{i}" for i in range(1, 6)])


@pytest.fixture
def survey_with_gaps(five_item_survey: pd.DataFrame) -> pd.DataFrame:
    """The same survey with scattered skipped answers and one person who skipped everything."""
    frame = five_item_survey.copy()
    rng = np.random.default_rng(7)
    mask = rng.random(frame.shape) < 0.12
    frame = frame.mask(mask)
    frame.iloc[3] = np.nan
    return frame


class TestCronbachAlphaOnCompleteData:
    def test_raw_alpha_equals_the_total_score_formula(self, five_item_survey):
        res = cronbach_alpha(five_item_survey)
        assert res.alpha == pytest.approx(alpha_by_total_score(five_item_survey), rel=1e-12)
        assert (res.n, res.k) == (40, 5)

    def test_standardized_alpha_uses_the_mean_inter_item_correlation(self, five_item_survey):
        corr = np.corrcoef(five_item_survey.to_numpy(), rowvar=False)
        r_bar = corr[~np.eye(5, dtype=bool)].mean()
        res = cronbach_alpha(five_item_survey)
        assert res.average_r == pytest.approx(r_bar, rel=1e-12)
        assert res.std_alpha == pytest.approx(5 * r_bar / (1 + 4 * r_bar), rel=1e-12)

    def test_standardized_alpha_if_dropped_follows_psych_with_missing_answers(
            self, survey_with_gaps):
        # psych: the scale's std. alpha rescales the pairwise covariance matrix, the dropped
        # ones use the pairwise correlations (each pair's own standard deviations).
        res = cronbach_alpha(survey_with_gaps)
        pairwise = survey_with_gaps.corr().to_numpy()
        cov = survey_with_gaps.cov().to_numpy()
        rescaled = cov / np.sqrt(np.outer(np.diag(cov), np.diag(cov)))

        def standardized(r: np.ndarray) -> float:
            k = r.shape[0]
            return k / (k - 1) * (1 - k / r.sum())

        assert res.std_alpha == pytest.approx(standardized(rescaled), rel=1e-12)
        for i, row in enumerate(res.items.itertuples()):
            keep = [j for j in range(5) if j != i]
            assert row.std_alpha_if_dropped == pytest.approx(
                standardized(pairwise[np.ix_(keep, keep)]), rel=1e-12)
        # The two differ here, so the test tells them apart.
        assert not np.allclose(pairwise, rescaled, rtol=1e-6)

    def test_feldt_interval_from_the_f_distribution(self, five_item_survey):
        res = cronbach_alpha(five_item_survey, confidence=0.90)
        a, n, k = res.alpha, 40, 5
        low = 1 - (1 - a) * sps.f.ppf(0.95, n - 1, (n - 1) * (k - 1))
        high = 1 - (1 - a) * sps.f.ppf(0.05, n - 1, (n - 1) * (k - 1))
        assert (res.ci_low, res.ci_high) == pytest.approx((low, high), rel=1e-12)
        assert res.confidence == 0.90

    def test_item_table_has_the_documented_columns(self, five_item_survey):
        items = cronbach_alpha(five_item_survey).items
        assert list(items.columns) == ALPHA_ITEM_COLUMNS
        assert items["item"].tolist() == list(five_item_survey.columns)

    def test_alpha_if_dropped_is_alpha_of_the_other_items(self, five_item_survey):
        items = cronbach_alpha(five_item_survey).items.set_index("item")
        for col in five_item_survey.columns:
            rest = five_item_survey.drop(columns=col)
            assert items.loc[col, "alpha_if_dropped"] == pytest.approx(
                alpha_by_total_score(rest), rel=1e-12
            )

    def test_corrected_item_total_correlation_is_item_against_rest_score(self, five_item_survey):
        items = cronbach_alpha(five_item_survey).items.set_index("item")
        for col in five_item_survey.columns:
            rest = five_item_survey.drop(columns=col).sum(axis=1)
            expected = np.corrcoef(five_item_survey[col], rest)[0, 1]
            assert items.loc[col, "item_total_r"] == pytest.approx(expected, rel=1e-12)

    def test_item_means_and_sds(self, five_item_survey):
        items = cronbach_alpha(five_item_survey).items.set_index("item")
        np.testing.assert_allclose(items["mean"], five_item_survey.mean(), rtol=1e-12)
        np.testing.assert_allclose(items["sd"], five_item_survey.std(ddof=1), rtol=1e-12)
        assert items["n"].tolist() == [40] * 5

    def test_to_frame_is_one_row_with_the_documented_columns(self, five_item_survey):
        frame = cronbach_alpha(five_item_survey).to_frame()
        assert frame.shape[0] == 1
        assert list(frame.columns) == [*ALPHA_COLUMNS, "missing", "n_empty", "note"]

    def test_result_is_immutable(self, five_item_survey):
        res = cronbach_alpha(five_item_survey)
        with pytest.raises(AttributeError):
            res.alpha = 0.0  # type: ignore[misc]
        table = res.items
        table.loc[0, "mean"] = -99.0
        assert res.items.loc[0, "mean"] != -99.0

    def test_plain_arrays_are_accepted(self, five_item_survey):
        from_array = cronbach_alpha(five_item_survey.to_numpy())
        assert from_array.alpha == pytest.approx(cronbach_alpha(five_item_survey).alpha)
        assert from_array.items["item"].tolist() == [0, 1, 2, 3, 4]

    def test_html_display_names_alpha(self, five_item_survey):
        assert "Cronbach" in cronbach_alpha(five_item_survey)._repr_html_()


class TestReverseKeys:
    def test_reversed_item_is_scored_lowest_plus_highest_minus_answer(self, five_item_survey):
        flipped = five_item_survey.assign(q2=6 - five_item_survey["q2"])
        res = cronbach_alpha(flipped, reverse=["q2"], scale_range=(1, 5))
        assert res.alpha == pytest.approx(alpha_by_total_score(five_item_survey), rel=1e-12)
        assert res.negative_items == []

    def test_unreversed_negative_item_is_flagged(self, five_item_survey):
        flipped = five_item_survey.assign(q2=6 - five_item_survey["q2"])
        res = cronbach_alpha(flipped)
        assert res.negative_items == ["q2"]
        assert "reverse" in res.note

    def test_a_single_label_works_like_a_list(self, five_item_survey):
        a = cronbach_alpha(five_item_survey, reverse="q1", scale_range=(1, 5))
        b = cronbach_alpha(five_item_survey, reverse=["q1"], scale_range=(1, 5))
        assert a.alpha == b.alpha

    def test_reverse_needs_a_scale_range(self, five_item_survey):
        with pytest.raises(ScoringError, match="scale_range"):
            cronbach_alpha(five_item_survey, reverse=["q2"])

    def test_unknown_reverse_item_suggests_the_closest_name(self, five_item_survey):
        with pytest.raises(ScoringError, match="did you mean 'q2'"):
            cronbach_alpha(five_item_survey, reverse=["q22"], scale_range=(1, 5))

    def test_answers_outside_the_scale_range_are_refused_with_their_place(self, five_item_survey):
        bad = five_item_survey.copy()
        bad.loc[7, "q3"] = 9
        with pytest.raises(ScoringError, match=r"'q3', row 7 holds 9"):
            cronbach_alpha(bad, scale_range=(1, 5))

    @pytest.mark.parametrize("scale_range", [(5, 1), (1,), "1-5"])
    def test_malformed_scale_range_is_refused(self, five_item_survey, scale_range):
        with pytest.raises(ScoringError, match="scale_range"):
            cronbach_alpha(five_item_survey, scale_range=scale_range)


class TestMissingAnswers:
    def test_pairwise_uses_pairwise_complete_covariances(self, survey_with_gaps):
        cov = survey_with_gaps.cov().to_numpy()  # pandas: pairwise complete, ddof = 1
        k = cov.shape[0]
        expected = k / (k - 1) * (1 - np.trace(cov) / cov.sum())
        res = cronbach_alpha(survey_with_gaps)
        assert res.alpha == pytest.approx(expected, rel=1e-10)
        assert res.missing == "pairwise"

    def test_pairwise_counts_respondents_and_empty_rows(self, survey_with_gaps):
        res = cronbach_alpha(survey_with_gaps)
        assert (res.n, res.n_empty) == (39, 1)
        assert res.items["n"].tolist() == survey_with_gaps.notna().sum().tolist()

    def test_listwise_uses_only_complete_rows(self, survey_with_gaps):
        complete = survey_with_gaps.dropna()
        res = cronbach_alpha(survey_with_gaps, missing="listwise")
        assert res.alpha == pytest.approx(alpha_by_total_score(complete), rel=1e-10)
        assert res.n == len(complete)

    def test_median_imputation_fills_each_item_with_its_median(self, survey_with_gaps):
        answered = survey_with_gaps.dropna(how="all")
        filled = answered.fillna(answered.median())
        res = cronbach_alpha(survey_with_gaps, missing="median")
        assert res.alpha == pytest.approx(alpha_by_total_score(filled), rel=1e-10)
        assert res.n == 39

    def test_unknown_policy_is_refused(self, survey_with_gaps):
        with pytest.raises(ScoringError, match="'pairwise', 'listwise', 'median'"):
            cronbach_alpha(survey_with_gaps, missing="mean")


class TestEdgeCases:
    def test_one_respondent_gives_nan_with_a_reason(self):
        res = cronbach_alpha(pd.DataFrame({"a": [3.0], "b": [4.0]}))
        assert math.isnan(res.alpha)
        assert math.isnan(res.ci_low)
        assert "fewer than 2 respondents" in res.note

    def test_identical_answers_give_nan_with_a_reason(self):
        res = cronbach_alpha(pd.DataFrame({"a": [3, 3, 3], "b": [3, 3, 3]}))
        assert math.isnan(res.alpha)
        assert math.isnan(res.std_alpha)
        assert "no variance" in res.note

    def test_one_constant_item_keeps_raw_alpha_but_not_standardized(self):
        frame = pd.DataFrame({"a": [1, 2, 3, 4], "b": [2, 2, 4, 4], "c": [3, 3, 3, 3]})
        res = cronbach_alpha(frame)
        assert res.alpha == pytest.approx(alpha_by_total_score(frame), rel=1e-12)
        assert math.isnan(res.std_alpha)
        assert "'c'" not in res.note
        assert "c have no variance" in res.note

    def test_empty_table_gives_nan(self):
        res = cronbach_alpha(pd.DataFrame({"a": [], "b": []}, dtype=float))
        assert res.n == 0
        assert math.isnan(res.alpha)

    def test_items_never_answered_together(self):
        frame = pd.DataFrame({"a": [1, 2, np.nan, np.nan], "b": [np.nan, np.nan, 3, 4]})
        res = cronbach_alpha(frame)
        assert math.isnan(res.alpha)
        assert "answered together" in res.note

    def test_fewer_than_two_items_is_refused(self):
        with pytest.raises(ScoringError, match="at least 2 items"):
            cronbach_alpha(pd.DataFrame({"a": [1, 2, 3]}))

    def test_text_answers_are_refused_naming_column_and_row(self):
        frame = pd.DataFrame({"a": [1, 2, 3], "b": ["4", "Agree", "2"]})
        with pytest.raises(ScoringError, match=r"column 'b'.*row 1 holds 'Agree'"):
            cronbach_alpha(frame)

    def test_nullable_integer_columns_are_numbers(self):
        frame = pd.DataFrame({"a": [1, 2, 3, None], "b": [2, 2, 4, 5]}, dtype="Int64")
        assert cronbach_alpha(frame).n == 4


class TestAggregationSeam:
    """Alpha from merged per-group moments equals alpha from the pooled rows."""

    def test_merged_pairwise_moments_equal_pooled_alpha(self, survey_with_gaps):
        groups = [survey_with_gaps.iloc[:13], survey_with_gaps.iloc[13:30],
                  survey_with_gaps.iloc[30:]]
        merged = sum((ItemMoments.from_items(g) for g in groups[1:]),
                     ItemMoments.from_items(groups[0]))
        pooled = cronbach_alpha(survey_with_gaps)
        res = cronbach_alpha_from_moments(merged)
        for name in ("alpha", "std_alpha", "average_r", "ci_low", "ci_high"):
            assert getattr(res, name) == pytest.approx(getattr(pooled, name), rel=1e-10)
        pd.testing.assert_frame_equal(res.items, pooled.items, rtol=1e-10)
        assert (res.n, res.n_empty) == (pooled.n, pooled.n_empty)

    def test_merged_listwise_moments_equal_pooled_listwise_alpha(self, survey_with_gaps):
        a = ItemMoments.from_items(survey_with_gaps.iloc[:20], missing="listwise")
        b = ItemMoments.from_items(survey_with_gaps.iloc[20:], missing="listwise")
        res = cronbach_alpha_from_moments(a + b)
        pooled = cronbach_alpha(survey_with_gaps, missing="listwise")
        assert res.alpha == pytest.approx(pooled.alpha, rel=1e-10)
        assert res.missing == "listwise"
        assert res.n == pooled.n

    def test_moments_of_different_items_do_not_merge(self, five_item_survey):
        a = ItemMoments.from_items(five_item_survey)
        b = ItemMoments.from_items(five_item_survey.iloc[:, :4])
        with pytest.raises(ScoringError, match="different items"):
            a + b

    def test_moments_are_read_only(self, five_item_survey):
        m = ItemMoments.from_items(five_item_survey)
        with pytest.raises(ValueError, match="read-only"):
            m.n[0, 0] = 0

    def test_covariance_from_listwise_sums_matches_numpy(self, five_item_survey):
        x = five_item_survey.to_numpy()
        cov = covariance_from_moments(len(x), x.sum(axis=0), x.T @ x)
        np.testing.assert_allclose(cov, np.cov(x, rowvar=False), rtol=1e-10)

    def test_alpha_from_covariance_is_vectorized_over_groups(self, five_item_survey):
        halves = [five_item_survey.iloc[:20], five_item_survey.iloc[20:]]
        stack = np.stack([np.cov(h.to_numpy(), rowvar=False) for h in halves])
        table = alpha_from_covariance(stack, [20, 20])
        assert list(table.columns) == ALPHA_COLUMNS
        for row, half in zip(table.itertuples(), halves, strict=True):
            assert row.alpha == pytest.approx(alpha_by_total_score(half), rel=1e-10)
            assert row.n == 20
            assert row.k == 5

    @pytest.mark.parametrize("offset", [1e4, 1e6])
    def test_merged_moments_keep_alpha_exact_at_large_item_means(self, offset):
        # Items whose means are a million times their spread: raw sums and cross-products
        # would cancel in float64, centred moments merged pairwise do not.
        rng = np.random.default_rng(1979)
        trait = rng.normal(size=300)
        spread = np.round(trait[:, None] + rng.normal(scale=0.8, size=(300, 4)), 3)
        items = pd.DataFrame(offset + spread, columns=["a", "b", "c", "d"])
        items = items.mask(rng.random(items.shape) < 0.1)
        groups = [items.iloc[:37], items.iloc[37:150], items.iloc[150:151], items.iloc[151:]]
        merged = ItemMoments.from_items(groups[0])
        for group in groups[1:]:
            merged = merged + ItemMoments.from_items(group)
        from_moments = cronbach_alpha_from_moments(merged)
        raw = cronbach_alpha(items)
        # Independent: the same rows shifted back by the offset (exact in float64) and the
        # pairwise covariances of pandas.
        shifted = cronbach_alpha(items - offset)
        assert raw.alpha == pytest.approx(shifted.alpha, rel=1e-10)
        assert from_moments.alpha == pytest.approx(raw.alpha, rel=1e-10)
        assert from_moments.std_alpha == pytest.approx(raw.std_alpha, rel=1e-10)
        np.testing.assert_allclose(merged.covariance(), (items - offset).cov(), rtol=1e-10)
        np.testing.assert_allclose(merged.means(), items.mean(), rtol=1e-15)
        complete = items.dropna()
        assert cronbach_alpha(complete).alpha == pytest.approx(
            alpha_by_total_score(complete - offset), rel=1e-10)

    def test_merging_is_the_pairwise_update_of_chan_golub_and_leveque(self, survey_with_gaps):
        a = ItemMoments.from_items(survey_with_gaps.iloc[:15])
        b = ItemMoments.from_items(survey_with_gaps.iloc[15:])
        pooled = ItemMoments.from_items(survey_with_gaps)
        merged = a + b
        np.testing.assert_array_equal(merged.n, pooled.n)
        np.testing.assert_allclose(merged.pair_means, pooled.pair_means, rtol=1e-13)
        np.testing.assert_allclose(merged.comoments, pooled.comoments, rtol=1e-12, atol=1e-12)
        # By hand for items q1 and q2 (positions 0, 1): n_a n_b / n times the product of the
        # differences of the pairwise means, added to both co-moments.
        na, nb = a.n[0, 1], b.n[0, 1]
        d1 = b.pair_means[0, 1] - a.pair_means[0, 1]
        d2 = b.pair_means[1, 0] - a.pair_means[1, 0]
        by_hand = a.comoments[0, 1] + b.comoments[0, 1] + d1 * d2 * na * nb / (na + nb)
        assert merged.comoments[0, 1] == pytest.approx(by_hand, rel=1e-14)

    def test_constructor_from_sums_and_from_centred_moments_agree(self, survey_with_gaps):
        m = ItemMoments.from_items(survey_with_gaps)
        rebuilt = ItemMoments(items=m.items, n=m.n, sums=m.sums,
                              cross_products=m.cross_products, n_rows=m.n_rows,
                              n_empty=m.n_empty)
        np.testing.assert_allclose(rebuilt.covariance(), m.covariance(), rtol=1e-12)
        np.testing.assert_allclose(rebuilt.covariance(), survey_with_gaps.cov(), rtol=1e-12)
        again = ItemMoments.from_centred(m.items, m.n, m.pair_means, m.comoments,
                                         n_rows=m.n_rows, n_empty=m.n_empty)
        np.testing.assert_array_equal(again.comoments, m.comoments)

    def test_moments_survive_pickling(self, survey_with_gaps):
        import pickle

        m = ItemMoments.from_items(survey_with_gaps)
        back = pickle.loads(pickle.dumps(m))
        np.testing.assert_array_equal(back.comoments, m.comoments)
        assert (back.items, back.n_rows, back.n_empty) == (m.items, m.n_rows, m.n_empty)

    def test_moments_refuse_new_attributes(self, five_item_survey):
        m = ItemMoments.from_items(five_item_survey)
        with pytest.raises(AttributeError, match="immutable"):
            m.n_rows = 3

    def test_pairwise_correlation_is_that_of_pandas(self, survey_with_gaps):
        merged = (ItemMoments.from_items(survey_with_gaps.iloc[:25])
                  + ItemMoments.from_items(survey_with_gaps.iloc[25:]))
        np.testing.assert_allclose(merged.pairwise_correlation(), survey_with_gaps.corr(),
                                   rtol=1e-12)

    def test_squares_given_to_the_constructor_give_the_same_correlations(self,
                                                                         survey_with_gaps):
        values = survey_with_gaps.to_numpy()
        mask = (~np.isnan(values)).astype(float)
        filled = np.nan_to_num(values)
        kwargs = dict(items=tuple(survey_with_gaps.columns), n=mask.T @ mask,
                      sums=filled.T @ mask, cross_products=filled.T @ filled,
                      n_rows=int(mask.any(axis=1).sum()), n_empty=1)
        with_squares = ItemMoments(**kwargs, squares=(filled * filled).T @ mask)
        np.testing.assert_allclose(with_squares.pairwise_correlation(),
                                   survey_with_gaps.corr(), rtol=1e-12)
        assert ItemMoments(**kwargs).pairwise_correlation() is None

    def test_to_frame_lists_every_pair(self, five_item_survey):
        table = ItemMoments.from_items(five_item_survey).to_frame()
        assert len(table) == 25
        q1 = table[(table.item_i == "q1") & (table.item_j == "q1")].iloc[0]
        assert q1["sum_i"] == five_item_survey["q1"].sum()


class TestFeldtInterval:
    def test_vectorized_over_groups(self):
        low, high = feldt_interval([0.7, 0.8], [30, 100], 5)
        single = [feldt_interval(a, n, 5) for a, n in [(0.7, 30), (0.8, 100)]]
        np.testing.assert_allclose(low, [s[0] for s in single])
        np.testing.assert_allclose(high, [s[1] for s in single])

    def test_interval_contains_alpha_and_narrows_with_n(self):
        small = feldt_interval(0.8, 20, 6)
        large = feldt_interval(0.8, 2000, 6)
        assert small[0] < large[0] < 0.8 < large[1] < small[1]

    def test_undefined_for_one_respondent(self):
        assert all(math.isnan(v) for v in feldt_interval(0.8, 1, 5))

    @pytest.mark.parametrize("confidence", [0, 1, 95, "0.95", True])
    def test_confidence_must_be_a_fraction(self, confidence):
        with pytest.raises(ScoringError, match="confidence"):
            feldt_interval(0.8, 20, 5, confidence=confidence)


class TestScoreScale:
    def test_mean_of_answered_items(self):
        items = pd.DataFrame({"a": [1, 2], "b": [3, np.nan], "c": [5, 4], "d": [3, 4],
                              "e": [3, 5]})
        scores = score_scale(items)
        assert scores.tolist() == [3.0, (2 + 4 + 4 + 5) / 4]
        assert scores.name == "score"

    def test_too_few_answers_give_nan(self):
        items = pd.DataFrame({"a": [1.0], "b": [np.nan], "c": [np.nan], "d": [2.0], "e": [3.0]})
        assert math.isnan(score_scale(items, min_answered=0.8).iloc[0])
        assert score_scale(items, min_answered=0.6).iloc[0] == 2.0
        assert score_scale(items, min_answered=3).iloc[0] == 2.0

    def test_person_who_answered_nothing_gets_nan(self):
        items = pd.DataFrame({"a": [np.nan, 1.0], "b": [np.nan, 2.0]})
        assert score_scale(items).isna().tolist() == [True, False]

    def test_sum_is_prorated_mean_times_items(self):
        items = pd.DataFrame({"a": [1.0], "b": [np.nan], "c": [4.0], "d": [4.0], "e": [3.0]})
        assert score_scale(items, aggregate="sum").iloc[0] == pytest.approx(3.0 * 5)

    def test_reverse_keys(self):
        items = pd.DataFrame({"a": [1, 5], "b": [5, 1]})
        scores = score_scale(items, reverse="b", scale_range=(1, 5))
        assert scores.tolist() == [1.0, 5.0]

    def test_index_is_kept(self):
        items = pd.DataFrame({"a": [1, 2], "b": [1, 2]}, index=["p1", "p2"])
        assert score_scale(items).index.tolist() == ["p1", "p2"]

    @pytest.mark.parametrize("min_answered", [0, -0.5, 1.5, 7, True, "all"])
    def test_impossible_thresholds_are_refused(self, min_answered):
        items = pd.DataFrame({"a": [1, 2], "b": [1, 2]})
        with pytest.raises(ScoringError, match="min_answered"):
            score_scale(items, min_answered=min_answered)

    def test_unknown_aggregate_is_refused(self):
        with pytest.raises(ScoringError, match="aggregate"):
            score_scale(pd.DataFrame({"a": [1]}), aggregate="median")
