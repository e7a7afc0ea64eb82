"""ProgressSummary.attrition: who answered at baseline and not again, grantee by grantee."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from getting_to_outcomes import score, stats
from tests.scoring.conftest import survey


def people(org: str, scores: list[float], wave: str, ids: list[str]) -> pd.DataFrame:
    # Answers (v, v, v, 6 - v) give a confidence score of exactly v (q4 is reverse-keyed).
    return survey([[v, v, v, 6 - v] for v in scores], wave=wave, org=org, people=ids)


@pytest.fixture(scope="module")
def two_grantees(fw):
    """org_a: 10 people at baseline, 7 of them again (the 3 who left scored low);
    org_b: 12 people at baseline, 11 of them again."""
    a_scores = [4.0, 4.0, 3.0, 5.0, 4.0, 3.0, 4.0, 2.0, 2.0, 3.0]
    b_scores = [3.0, 4.0, 3.0, 2.0, 4.0, 3.0, 5.0, 3.0, 4.0, 2.0, 3.0, 4.0]
    a_ids = [f"a{i}" for i in range(10)]
    b_ids = [f"b{i}" for i in range(12)]
    rows = pd.concat([
        people("org_a", a_scores, "pre", a_ids),
        people("org_a", a_scores[:7], "mid", a_ids[:7]),
        people("org_b", b_scores, "pre", b_ids),
        people("org_b", b_scores[:11], "mid", b_ids[:11]),
    ], ignore_index=True)
    summary = score({"survey": rows}, fw, indicators=["survey.confidence"], min_n=1)
    return summary, a_scores, b_scores


def test_counts_rates_and_rating_are_those_of_the_people(two_grantees):
    summary, _, _ = two_grantees
    table = summary.attrition().set_index("group")
    a, b = table.loc["org_a"], table.loc["org_b"]
    assert (a.baseline_period, a.period) == ("pre", "mid")
    assert (a.n_baseline, a.n_retained, b.n_baseline, b.n_retained) == (10, 7, 12, 11)
    expected = stats.attrition(10, 7, 12, 11).iloc[0]
    assert a.attrition == pytest.approx(0.3)
    assert a.network_attrition == pytest.approx(1 / 12)
    assert a.overall_attrition == pytest.approx(4 / 22)
    assert a.differential_attrition == pytest.approx(expected.differential_attrition)
    assert (a.boundary, a.rating) == (expected.boundary, expected.rating)
    assert a.rating == "high"  # 21.7 points apart at 18% overall


def test_baseline_equivalence_compares_the_scores_of_stayers_and_leavers(two_grantees):
    summary, a_scores, _ = two_grantees
    row = summary.attrition().set_index("group").loc["org_a"]
    direct = stats.baseline_equivalence(a_scores[:7], a_scores[7:]).iloc[0]
    assert row.hedges_g == pytest.approx(direct.hedges_g, rel=1e-9)
    assert row.equivalence == direct.equivalence == "not satisfied"


def test_the_optimistic_boundary_is_wider(two_grantees):
    summary, _, _ = two_grantees
    cautious = summary.attrition().set_index("group")
    optimistic = summary.attrition(assumption="optimistic").set_index("group")
    assert (optimistic["boundary"] > cautious["boundary"]).all()
    assert set(optimistic["assumption"]) == {"optimistic"}


def test_counts_agree_with_the_summary_and_small_groups_are_withheld(network, fw):
    summary = score(network, fw, indicators=["survey.confidence"], min_n=20)
    table = summary.attrition()
    frame = summary.to_frame()
    frame = frame[(frame["subgroup_dimension"] == "all") & (frame["period"] != "pre")]
    merged = table.merge(frame[["group", "period", "baseline_n", "n_pairs", "suppressed"]],
                         on=["group", "period"])
    assert len(merged) == len(table)
    shown = merged[~merged["suppressed"].astype(bool)]
    assert not shown.empty
    assert (shown["n_baseline"] == shown["baseline_n"]).all()
    assert (shown["n_retained"] == shown["n_pairs"]).all()
    hidden = merged[merged["suppressed"].astype(bool)]
    assert not hidden.empty
    assert hidden["attrition"].isna().all()
    assert hidden["rating"].isna().all()
    assert (hidden["note"] == "withheld: small group").all()
    assert np.isin(table["rating"].dropna(), ["low", "high"]).all()


@pytest.fixture(scope="module")
def yes_no_grantees(fw):
    """org_a: 10 people at baseline, levels 0-4; the 6 who stay include 4 of its 5 leaders
    (level 3 or above). org_b: 8 people, 4 stay, 2 of its 4 leaders among them."""
    a_levels = [4.0, 3.0, 3.0, 4.0, 1.0, 2.0, 3.0, 0.0, 1.0, 2.0]  # leaders: 0, 1, 2, 3, 6
    b_levels = [3.0, 1.0, 4.0, 0.0, 3.0, 4.0, 2.0, 1.0]            # leaders: 0, 2, 4, 5
    a_ids, b_ids = [f"a{i}" for i in range(10)], [f"b{i}" for i in range(8)]
    four = [[3, 3, 3, 3]]
    rows = pd.concat([
        survey(four * 10, wave="pre", org="org_a", people=a_ids, level=a_levels),
        survey(four * 6, wave="mid", org="org_a", people=a_ids[:6], level=[4.0] * 6),
        survey(four * 8, wave="pre", org="org_b", people=b_ids, level=b_levels),
        survey(four * 4, wave="mid", org="org_b", people=b_ids[:4], level=[4.0] * 4),
    ], ignore_index=True)
    return score({"survey": rows}, fw, indicators=["survey.ladder"], min_n=1)


def test_yes_no_outcomes_compare_stayers_and_leavers_by_the_cox_index(yes_no_grantees):
    table = yes_no_grantees.attrition().set_index("group")
    a, b = table.loc["org_a"], table.loc["org_b"]
    assert (a.n_baseline, a.n_retained, b.n_baseline, b.n_retained) == (10, 6, 8, 4)
    # org_a: stayers a0-a5 hold leaders a0, a1, a2, a3 (4 of 6); leavers a6-a9 hold a6 (1 of 4).
    by_hand = (math.log((4 / 6) / (2 / 6)) - math.log((1 / 4) / (3 / 4))) / 1.65
    assert a.cox_index == pytest.approx(by_hand, rel=1e-12)
    assert a.equivalence == "not satisfied"
    assert math.isnan(a.hedges_g)
    # org_b: stayers b0-b3 hold leaders b0, b2 (2 of 4); leavers b4-b7 hold b4, b5 (2 of 4).
    assert b.cox_index == pytest.approx(0.0, abs=1e-12)
    assert b.equivalence == "satisfied"
    expected = stats.baseline_equivalence_from_counts(10, 5, 6, 4).iloc[0]
    assert a.cox_index == pytest.approx(expected.cox_index, rel=1e-12)


def test_mean_outcomes_leave_the_cox_index_empty(two_grantees):
    summary, _, _ = two_grantees
    assert summary.attrition()["cox_index"].isna().all()
