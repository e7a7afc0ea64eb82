"""Scale indicators: scores, reliability, paired and independent change, against scipy."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from getting_to_outcomes import Framework, score
from getting_to_outcomes.stats import cronbach_alpha

from .conftest import survey

CONFIDENCE = "survey.confidence"


def scored(fw: Framework, rows: pd.DataFrame, **options: object) -> pd.DataFrame:
    options.setdefault("min_n", 1)
    summary = score(rows, fw, source="survey", indicators=[CONFIDENCE], **options)
    frame = summary.to_frame()
    return frame[frame["subgroup_dimension"] == "all"].set_index("period")


# Six people answer before and after; q4 is worded negatively (reverse-keyed: 6 - x).
PRE = [[2, 3, 2, 4], [3, 3, 2, 3], [2, 2, 3, 4], [3, 4, 3, 3], [4, 3, 3, 2], [2, 2, 2, 5]]
POST = [[3, 4, 3, 2], [4, 4, 3, 2], [3, 3, 4, 3], [4, 5, 4, 2], [4, 4, 4, 1], [3, 2, 3, 4]]


def keyed(rows: list[list[int]]) -> np.ndarray:
    x = np.asarray(rows, dtype=float)
    x[:, 3] = 6 - x[:, 3]
    return x


def test_scale_score_is_the_mean_of_reverse_keyed_items(fw: Framework) -> None:
    frame = scored(fw, survey(PRE))
    # By hand: person 1 scores (2 + 3 + 2 + (6 - 4)) / 4 = 2.25, and so on.
    expected = keyed(PRE).mean(axis=1).mean()
    assert frame.loc["pre", "value"] == pytest.approx(expected)
    assert frame.loc["pre", "n"] == 6


def test_mean_interval_is_the_t_interval(fw: Framework) -> None:
    scores = keyed(PRE).mean(axis=1)
    low, high = sps.t.interval(0.95, len(scores) - 1, loc=scores.mean(),
                               scale=sps.sem(scores))
    frame = scored(fw, survey(PRE))
    assert frame.loc["pre", ["ci_low", "ci_high"]].tolist() == pytest.approx([low, high])


def test_too_few_items_answered_gives_no_score_and_a_note(fw: Framework) -> None:
    rows = [*PRE, [5, None, None, 1]]  # 2 of 4 items: below min_answered 0.75
    frame = scored(fw, survey(rows))
    assert frame.loc["pre", "n"] == 6
    assert "1 respondent(s) answered fewer than 75% of the items" in frame.loc["pre", "notes"]


def test_every_item_missing_for_a_person_is_left_out_not_zero(fw: Framework) -> None:
    rows = [*PRE, [None, None, None, None]]
    frame = scored(fw, survey(rows))
    assert frame.loc["pre", "value"] == pytest.approx(keyed(PRE).mean(axis=1).mean())
    assert "1 answered none" in frame.loc["pre", "notes"]


def test_reliability_per_administration_equals_cronbach_alpha(fw: Framework) -> None:
    rows = [*PRE, [4, None, 3, 2]]
    frame = scored(fw, survey(rows))
    items = pd.DataFrame(rows, columns=["q1", "q2", "q3", "q4"], dtype=float)
    expected = cronbach_alpha(items, reverse=["q4"], scale_range=(1, 5))
    assert frame.loc["pre", "reliability"] == pytest.approx(expected.alpha)
    assert frame.loc["pre", ["reliability_ci_low", "reliability_ci_high"]].tolist() == \
        pytest.approx([expected.ci_low, expected.ci_high])


def test_an_unreversed_item_is_flagged_as_correlating_negatively(fw: Framework) -> None:
    # q3 runs against the other items, as an item whose reverse key was forgotten would.
    rows = [[1, 1, 5, 5], [2, 2, 4, 4], [3, 3, 3, 3], [4, 4, 2, 2], [5, 5, 1, 1]]
    frame = scored(fw, survey(rows))
    assert "item(s) q3 correlate negatively" in frame.loc["pre", "notes"]


def test_low_reliability_is_flagged_or_withheld(fw: Framework) -> None:
    rows = [[1, 5, 3, 3], [5, 1, 3, 3], [2, 4, 4, 2], [4, 2, 2, 4], [3, 3, 5, 1]]
    flagged = scored(fw, survey(rows))
    assert flagged.loc["pre", "reliability_flag"] == "below_threshold"
    assert not flagged.loc["pre", "suppressed"]
    withheld = scored(fw, survey(rows), reliability="withhold")
    assert withheld.loc["pre", "suppressed"]
    assert withheld.loc["pre", "suppression_reason"] == "low_reliability"
    assert np.isnan(withheld.loc["pre", "value"])


def test_same_people_before_and_after_is_a_paired_t_test(fw: Framework) -> None:
    rows = pd.concat([survey(PRE, wave="pre"), survey(POST, wave="post")])
    frame = scored(fw, rows)
    before, after = keyed(PRE).mean(axis=1), keyed(POST).mean(axis=1)
    t = sps.ttest_rel(after, before)
    d = after - before
    post = frame.loc["post"]
    assert post["design"] == "paired"
    assert post["test"] == "t"
    assert post["n_pairs"] == 6
    assert post["change"] == pytest.approx(d.mean())
    assert post["statistic"] == pytest.approx(t.statistic)
    assert post["p_value"] == pytest.approx(t.pvalue)
    assert post["effect_size"] == pytest.approx(d.mean() / d.std(ddof=1))
    assert post["effect_size_name"] == "cohen_dz"
    low, high = t.confidence_interval(0.95)
    assert [post["change_ci_low"], post["change_ci_high"]] == pytest.approx([low, high])


def test_wilcoxon_signed_rank_is_reported_beside_the_paired_t(fw: Framework) -> None:
    rows = pd.concat([survey(PRE, wave="pre"), survey(POST, wave="post")])
    post = scored(fw, rows).loc["post"]
    d = keyed(POST).mean(axis=1) - keyed(PRE).mean(axis=1)
    # Ties among |d| make R and scipy use the normal approximation with corrections.
    w = sps.wilcoxon(d, correction=True, method="approx")
    assert f"p = {w.pvalue:.3g}" in post["notes"]


def test_new_people_each_wave_is_a_welch_test_with_mann_whitney(fw: Framework) -> None:
    later = survey(POST, wave="post", people=[f"q{i}" for i in range(6)])
    frame = scored(fw, pd.concat([survey(PRE, wave="pre"), later]))
    before, after = keyed(PRE).mean(axis=1), keyed(POST).mean(axis=1)
    welch = sps.ttest_ind(after, before, equal_var=False)
    post = frame.loc["post"]
    assert post["design"] == "independent"
    assert post["test"] == "welch"
    assert post["statistic"] == pytest.approx(welch.statistic)
    assert post["p_value"] == pytest.approx(welch.pvalue)
    assert post["effect_size_name"] == "hedges_g"
    mw = sps.mannwhitneyu(after, before, method="asymptotic", use_continuity=True)
    assert f"Mann-Whitney U = {mw.statistic:g}, p = {mw.pvalue:.3g}" in post["notes"]


def test_a_few_returning_people_do_not_make_the_design_paired(fw: Framework) -> None:
    # Only 1 of 6 people answered twice: too few pairs, so the samples are independent.
    ids = ["p0", "n1", "n2", "n3", "n4", "n5"]
    frame = scored(fw, pd.concat([survey(PRE, wave="pre"), survey(POST, wave="post",
                                                                   people=ids)]))
    assert frame.loc["post", "design"] == "independent"
    assert "1 unit(s) appear in both periods" in frame.loc["post", "notes"]


def test_a_wave_with_a_single_respondent_has_a_value_but_no_interval(fw: Framework) -> None:
    rows = pd.concat([survey(PRE, wave="pre"), survey([[4, 4, 4, 2]], wave="post",
                                                      people=["new"])])
    post = scored(fw, rows).loc["post"]
    assert post["value"] == pytest.approx(4.0)
    assert np.isnan(post["ci_low"])
    assert np.isnan(post["p_value"])
    assert "a single value now: the change has no interval or test" in post["notes"]


def test_identical_answers_give_a_zero_width_interval_and_no_alpha(fw: Framework) -> None:
    frame = scored(fw, survey([[3, 3, 3, 3]] * 5))
    pre = frame.loc["pre"]
    assert pre["ci_low"] == pre["ci_high"] == pytest.approx(3.0)
    assert np.isnan(pre["reliability"])
    assert pre["reliability_flag"] == "undefined"


def test_item_distributions_count_the_answers_as_given(fw: Framework) -> None:
    summary = score(survey(PRE), fw, source="survey", indicators=[CONFIDENCE], min_n=1)
    items = summary.items()
    q4 = items[items["item"] == "q4"].set_index("code")
    raw = pd.Series([row[3] for row in PRE]).value_counts()
    assert q4.loc[4.0, "count"] == raw[4]
    assert q4.loc[4.0, "label"] == "Agree"
    assert q4["share"].sum() == pytest.approx(1.0)


def test_reliability_table_has_alpha_if_dropped_from_cronbach_alpha(fw: Framework) -> None:
    summary = score(survey(PRE), fw, source="survey", indicators=[CONFIDENCE], min_n=1)
    table = summary.reliability().set_index("item")
    items = pd.DataFrame(PRE, columns=["q1", "q2", "q3", "q4"], dtype=float)
    expected = cronbach_alpha(items, reverse=["q4"], scale_range=(1, 5)).items.set_index("item")
    assert table["alpha_if_dropped"].tolist() == pytest.approx(
        expected["alpha_if_dropped"].tolist())
    assert table["item_total_r"].tolist() == pytest.approx(expected["item_total_r"].tolist())


def test_reliable_change_counts_who_changed_beyond_measurement_error(fw: Framework) -> None:
    rows = pd.concat([survey(PRE, wave="pre"), survey(POST, wave="post")])
    summary = score(rows, fw, source="survey", indicators=[CONFIDENCE], min_n=1)
    moved = summary.movement().set_index("category")
    before, after = keyed(PRE).mean(axis=1), keyed(POST).mean(axis=1)
    items = pd.DataFrame(PRE, columns=["q1", "q2", "q3", "q4"], dtype=float)
    alpha = cronbach_alpha(items, reverse=["q4"], scale_range=(1, 5)).alpha
    # Jacobson & Truax (1991): reliable when |d| > 1.96 * sqrt(2) * sd_pre * sqrt(1 - r).
    threshold = 1.96 * np.sqrt(2) * before.std(ddof=1) * np.sqrt(1 - alpha)
    d = after - before
    assert moved.loc["improved", "count"] == int((d > threshold).sum())
    assert moved.loc["declined", "count"] == int((d < -threshold).sum())
    assert moved["n_pairs"].iloc[0] == 6
