"""Paired or independent: one rule for the change columns and ``movement()``, and a change
that is always the change of the group's value, the quantity the status is computed from."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from getting_to_outcomes import Framework, score

from .conftest import survey

ANSWERS = [3, 3, 3, 3]


def whole(summary_frame: pd.DataFrame) -> pd.DataFrame:
    return summary_frame[summary_frame["subgroup_dimension"] == "all"]


def ladder_waves() -> pd.DataFrame:
    """10 people at baseline; 4 of them come back, with 8 newcomers.

    4 matched units are fewer than half of the smaller wave, but enough to pair.
    """
    before = survey([ANSWERS] * 10, wave="pre", level=[0, 1, 1, 2, 2, 3, 3, 4, 0, 1])
    people = ["p0", "p1", "p2", "p3"] + [f"n{i}" for i in range(8)]
    after = survey([ANSWERS] * 12, wave="post", people=people,
                   level=[3, 3, 2, 1, 3, 4, 0, 1, 2, 3, 4, 1])
    return pd.concat([before, after])


def test_enough_matched_units_pair_the_change_and_show_the_movement(fw: Framework) -> None:
    summary = score(ladder_waves(), fw, source="survey", indicators=["survey.ladder"],
                    min_n=3)
    post = whole(summary.to_frame()).set_index("period").loc["post"]
    assert post["design"] == "paired"
    assert post["n_pairs"] == 4
    moved = summary.movement().set_index("category")
    # Matched: p0 0->3 and p1 1->3 up, p2 1->2 up, p3 2->1 down.
    assert moved["count"].to_dict() == {"moved_up": 3, "no_change": 0, "moved_down": 1}
    assert set(moved["n_pairs"]) == {4}


def test_too_few_matched_units_compare_independent_samples_and_hide_movement(
        fw: Framework) -> None:
    summary = score(ladder_waves(), fw, source="survey", indicators=["survey.ladder"],
                    min_n=5)
    post = whole(summary.to_frame()).set_index("period").loc["post"]
    assert post["design"] == "independent"
    assert "4 unit(s) appear in both periods, fewer than the 5 needed to pair" in post["notes"]
    assert summary.movement()["count"].isna().all()


def selected_retention() -> pd.DataFrame:
    """Matched units are a selected subset: all 6 who come back said yes at baseline.

    Baseline 6 of 10 yes; now the 6 returning say yes 3 times, 6 newcomers all yes: 9 of 12.
    The group's share rose from 0.6 to 0.75 although the matched units fell from 1.0 to 0.5.
    """
    before = survey([ANSWERS] * 10, wave="pre", spoke=[True] * 6 + [False] * 4)
    people = [f"p{i}" for i in range(6)] + [f"n{i}" for i in range(6)]
    after = survey([ANSWERS] * 12, wave="post", people=people,
                   spoke=[True, True, True, False, False, False] + [True] * 6)
    return pd.concat([before, after])


def test_change_is_the_change_of_the_group_share_that_the_status_reads(fw: Framework) -> None:
    frame = whole(score(selected_retention(), fw, source="survey",
                        indicators=["survey.spoke_share"], min_n=3).to_frame())
    post = frame.set_index("period").loc["post"]
    assert post["design"] == "paired"
    assert post["value"] - post["baseline_value"] == pytest.approx(0.75 - 0.6)
    assert post["change"] == pytest.approx(0.75 - 0.6)
    # Target 0.5 at post in the test framework, reached by the group's share.
    assert post["status"] == "target_achieved"
    # Derrick et al. (2015) z by hand: no variation among the matched at baseline, so r = 0
    # and the test is the pooled two-proportion z with p = 15/22.
    w = 15 / 22 * (1 - 15 / 22)
    z = 0.15 / np.sqrt(w / 10 + w / 12)
    assert post["p_value"] == pytest.approx(2 * sps.norm.sf(z))
    assert post["change_ci_low"] < post["change"] < post["change_ci_high"]


def test_partially_overlapping_proportions_match_the_published_example(fw: Framework) -> None:
    # Derrick, Dobson-McKittrick, Toher & White (2015), example of R's
    # Partiallyoverlapping::Prop.test: 15 paired, 9 only in sample 1, 6 only in sample 2;
    # published p = 0.053.
    paired_a = [True] * 9 + [False] * 6
    paired_b = [True] * 8 + [False] + [True] * 3 + [False] * 3
    only_a = [True] * 5 + [False] * 4
    only_b = [True] * 6
    matched = [f"m{i}" for i in range(15)]
    before = survey([ANSWERS] * 24, wave="pre", spoke=paired_a + only_a,
                    people=matched + [f"a{i}" for i in range(9)])
    after = survey([ANSWERS] * 21, wave="post", spoke=paired_b + only_b,
                   people=matched + [f"b{i}" for i in range(6)])
    post = whole(score(pd.concat([before, after]), fw, source="survey",
                       indicators=["survey.spoke_share"], min_n=3).to_frame()
                 ).set_index("period").loc["post"]
    assert post["test"] == "overlap_z"
    assert post["change"] == pytest.approx(17 / 21 - 14 / 24)
    assert round(float(post["p_value"]), 3) == 0.053


def test_partially_overlapping_means_change_by_the_group_means(fw: Framework) -> None:
    # The returning people score higher than those who leave: the group mean and the mean of
    # the matched people differ, and the change is that of the group mean.
    before = survey([[2, 2, 2, 4]] * 3 + [[4, 4, 4, 2]] * 3 + [[1, 1, 1, 5]] * 4, wave="pre")
    people = [f"p{i}" for i in range(6)] + ["n0", "n1"]
    after = survey([[3, 3, 3, 3]] * 3 + [[5, 5, 5, 1]] * 3 + [[2, 2, 2, 4]] * 2,
                   wave="post", people=people)
    post = whole(score(pd.concat([before, after]), fw, source="survey",
                       indicators=["survey.confidence"], min_n=3).to_frame()
                 ).set_index("period").loc["post"]
    assert post["design"] == "paired"
    assert post["test"] == "overlap_t"
    assert post["n_pairs"] == 6
    # Scale means (q4 reversed): before 3 x 2, 3 x 4, 4 x 1 = 22/10; after 3x3, 3x5, 2x2.
    assert post["baseline_value"] == pytest.approx(22 / 10)
    assert post["value"] == pytest.approx(28 / 8)
    assert post["change"] == pytest.approx(28 / 8 - 22 / 10)
    assert post["change_ci_low"] < post["change"] < post["change_ci_high"]


def test_a_row_without_a_value_explains_only_that(fw: Framework) -> None:
    before = survey([ANSWERS] * 6, wave="pre", spoke=[True] * 6)
    after = survey([ANSWERS] * 6, wave="post", spoke=[None] * 6)
    post = whole(score(pd.concat([before, after]), fw, source="survey",
                       indicators=["survey.spoke_share"], min_n=3).to_frame()
                 ).set_index("period").loc["post"]
    assert post["status"] == "insufficient_data"
    assert "already met the target" not in post["notes"]
    assert "6 row(s) without a value" in post["notes"]
