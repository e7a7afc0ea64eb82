"""ProgressSummary.attrition: who answered at baseline and not again, grantee by grantee."""

from __future__ import annotations

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
