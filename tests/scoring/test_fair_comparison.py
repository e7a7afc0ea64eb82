"""ProgressSummary.funnel and .clustering: funnels and ICCs from the seam's per-grantee sums."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from getting_to_outcomes import load_example, score, stats
from getting_to_outcomes.errors import ScoringError


@pytest.fixture(scope="module")
def example():
    data = load_example("cper-network")
    return data, score(data.tables)


def test_a_proportion_funnel_equals_the_stats_function_on_the_raw_rows(example):
    data, summary = example
    result = summary.funnel("leadership.decision_body_seats", period="2024")
    rows = data.tables["leadership_tracking"]
    rows = rows[rows["period"].astype(str) == "2024"]
    per = rows.groupby("org_id")["decision_body_seat"].agg(["sum", "size"])
    direct = stats.funnel_proportions(per["sum"].to_numpy(), per["size"].to_numpy(),
                                      labels=per.index.tolist())
    assert result.target == pytest.approx(direct.target, rel=1e-12)
    pd.testing.assert_frame_equal(result.to_frame(), direct.to_frame(), check_dtype=False)
    assert result.left_out == ()


def test_a_mean_funnel_pools_each_grantees_sd_from_its_sums(example):
    data, summary = example
    result = summary.funnel("leadership.trainings_attended", period="2025")
    rows = data.tables["leadership_tracking"]
    rows = rows[rows["period"].astype(str) == "2025"]
    per = rows.groupby("org_id")["trainings_attended"].agg(["mean", "std", "size"])
    direct = stats.funnel_means(per["mean"], per["std"], per["size"],
                                labels=per.index.tolist())
    assert result.sigma == pytest.approx(direct.sigma, rel=1e-9)
    assert result.to_frame()["high_95"].to_numpy() == pytest.approx(
        direct.to_frame()["high_95"].to_numpy(), rel=1e-9)


def test_the_latest_period_is_the_default(example):
    _, summary = example
    assert summary.funnel("leadership.knowledge_of_system").target == pytest.approx(
        summary.funnel("leadership.knowledge_of_system", period="post").target)


def test_withheld_grantees_are_left_out_and_named_but_the_target_is_the_network(example):
    data, _ = example
    summary = score(data.tables, indicators=["leadership.trainers_share"], min_n=40)
    frame = summary.to_frame()
    now = frame[(frame["period"].astype(str) == "2025") & (frame["subgroup"] == "all")]
    withheld = set(now.loc[now["suppressed"].astype(bool) & (now["group"] != "network"),
                           "group"])
    assert withheld
    result = summary.funnel("leadership.trainers_share", period="2025")
    assert set(result.left_out) == withheld
    assert not withheld & set(result.to_frame()["group"])
    network = now.loc[now["group"] == "network", "value"].iloc[0]
    assert result.target == pytest.approx(network)


def test_counts_have_no_funnel(example):
    _, summary = example
    with pytest.raises(ScoringError, match="has no funnel plot"):
        summary.funnel("decision_makers.testimony")
    with pytest.raises(ScoringError, match="no period '1999'"):
        summary.funnel("leadership.retention", period="1999")


def test_clustering_covers_people_level_indicators_only(example):
    _, summary = example
    table = summary.clustering()
    assert set(table["family"]) == {"mean", "proportion"}
    # Organization profiles (one row per grantee) and counts are no people in grantees.
    assert "capacity.organizers_fte" not in set(table["indicator_id"])
    assert "decision_makers.testimony" not in set(table["indicator_id"])
    row = table.set_index(["indicator_id", "period"]).loc[("leadership.retention", "2024")]
    assert row["ci_method"] == "cluster_robust"
    assert row["design_effect"] == pytest.approx(1 + (row["cluster_size"] - 1) * row["icc"])
    assert row["ci_low"] < row["mean"] < row["ci_high"]


def test_clustering_notes_are_text_whether_or_not_any_row_has_one(example):
    data, summary = example
    alone = score(data.tables, indicators=["leadership.retention"]).clustering()
    assert alone["note"].isna().all()  # no row of this indicator has a note
    assert alone["note"].dtype == summary.clustering()["note"].dtype == "str"


def test_clustering_mean_is_the_network_value(example):
    _, summary = example
    table = summary.clustering().set_index(["indicator_id", "period"])
    frame = summary.to_frame()
    network = frame[(frame["group"] == "network") & (frame["subgroup"] == "all")]
    for (indicator, period), row in table.iterrows():
        value = network[(network["indicator_id"] == indicator)
                        & (network["period"].astype(str) == period)]["value"].iloc[0]
        assert row["mean"] == pytest.approx(value, rel=1e-9), (indicator, period)
    assert np.isfinite(table["icc"]).all()


def test_a_funnel_of_change_compares_each_grantees_mean_change_of_its_matched_people(example):
    data, summary = example
    result = summary.funnel("leadership.trainings_attended", period="2025", change=True,
                            overdispersion="none")
    # By hand from the raw rows: each person's 2025 value minus their value at the baseline,
    # 2023.
    rows = data.tables["leadership_tracking"]
    rows = rows.assign(period=rows["period"].astype(str))
    wide = rows.pivot_table(index=["org_id", "person_id"], columns="period",
                            values="trainings_attended", aggfunc="first")
    gains = (wide["2025"] - wide["2023"]).dropna().rename("gain").reset_index()
    per = gains.groupby("org_id")["gain"].agg(["mean", "std", "size"])
    shown = result.to_frame()["group"].tolist()
    per = per.loc[shown]
    direct = stats.funnel_means(per["mean"], per["std"], per["size"], labels=shown,
                                target=float(gains["gain"].mean()), overdispersion="none")
    assert result.target == pytest.approx(float(gains["gain"].mean()), rel=1e-12)
    assert result.sigma == pytest.approx(direct.sigma, rel=1e-9)
    for column in ("n", "value", "low_95", "high_998", "z"):
        assert result.to_frame()[column].to_numpy() == pytest.approx(
            direct.to_frame()[column].to_numpy(), rel=1e-9), column


def test_a_funnel_of_change_needs_a_mean_and_people_matched_to_the_baseline(example):
    _, summary = example
    with pytest.raises(ScoringError, match="compare shares at one period"):
        summary.funnel("leadership.decision_body_seats", period="2025", change=True)
    with pytest.raises(ScoringError, match="nobody matched between its baseline and '2023'"):
        summary.funnel("leadership.trainings_attended", period="2023", change=True)


def test_two_summaries_asked_in_turn_each_get_their_own_funnels(example):
    # The seam's tables are split by indicator once and kept for the last summary asked:
    # asking another summary, then the first again, must not mix them.
    data, summary = example
    fewer = score(data.tables, indicators=["leadership.trainings_attended"])
    first = summary.clustering()
    other = fewer.clustering()
    assert set(other["indicator_id"]) == {"leadership.trainings_attended"}
    pd.testing.assert_frame_equal(summary.clustering(), first)
    trainings = first[first["indicator_id"] == "leadership.trainings_attended"]
    # Notes compared as missing or not: a table of one indicator without notes writes a
    # missing note as None, the wider table as NaN.
    assert other["note"].isna().tolist() == trainings["note"].isna().tolist()
    pd.testing.assert_frame_equal(other.drop(columns="note").reset_index(drop=True),
                                  trainings.drop(columns="note").reset_index(drop=True))


def test_the_kept_split_is_let_go_with_its_summary(example):
    import gc

    from getting_to_outcomes.scoring import _funnel

    data, _ = example
    alone = score(data.tables, indicators=["leadership.trainings_attended"])
    alone.clustering()
    assert _funnel._last_split
    del alone
    gc.collect()
    assert not _funnel._last_split
