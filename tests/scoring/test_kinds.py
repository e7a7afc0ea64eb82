"""Counts, rates, proportions, means, ladders and milestones: values, intervals and change."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from getting_to_outcomes import Framework, ScoringError, score

from .conftest import survey


def whole(summary_frame: pd.DataFrame) -> pd.DataFrame:
    return summary_frame[summary_frame["subgroup_dimension"] == "all"]


def actions(counts: dict[str, dict[str, int]], turnout: int = 50) -> pd.DataFrame:
    """An actions log with ``counts[period][action_type]`` actions of one group."""
    rows = []
    for period, by_type in counts.items():
        for kind, k in by_type.items():
            for i in range(k):
                rows.append({"org_id": "org_a", "action_id": f"{period}-{kind}-{i}",
                             "period": period, "action_type": kind, "turnout": turnout + i,
                             "members_turnout": (turnout + i) // 2})
    return pd.DataFrame(rows)


def records(values: dict[str, list[tuple[int, int, float, float]]]) -> pd.DataFrame:
    """Organization records: ``values[period]`` lists (members, active, one_on_ones, turnover)."""
    rows = []
    for period, orgs in values.items():
        for o, (total, active, meetings, turnover) in enumerate(orgs):
            rows.append({"org_id": f"org_{o}", "period": period, "members_total": total,
                         "members_active": active, "one_on_ones": meetings,
                         "staff_turnover": turnover})
    return pd.DataFrame(rows)


# ---- counts ------------------------------------------------------------------------------


def test_count_is_the_total_with_an_exact_poisson_interval(fw: Framework) -> None:
    log = actions({"2023": {"rally": 6, "testimony": 2}, "2024": {"rally": 9, "testimony": 5}})
    frame = whole(score(log, fw, source="actions", indicators=["actions.count"]).to_frame())
    now = frame.set_index("period").loc["2024"]
    assert now["value"] == 14
    # Garwood (1936): the exact interval is the gamma quantiles of the count.
    assert now["ci_low"] == pytest.approx(sps.gamma.ppf(0.025, 14))
    assert now["ci_high"] == pytest.approx(sps.gamma.ppf(0.975, 15))


def test_count_change_uses_the_exact_conditional_test(fw: Framework) -> None:
    log = actions({"2023": {"rally": 8}, "2024": {"rally": 14}})
    now = whole(score(log, fw, source="actions", indicators=["actions.count"]).to_frame()
                ).set_index("period").loc["2024"]
    assert now["change"] == 6
    assert now["test"] == "poisson_exact"
    # Equal exposure: 14 of the 22 actions fell in the second year, tested against 1/2.
    assert now["p_value"] == pytest.approx(sps.binomtest(14, 22, 0.5).pvalue)
    assert now["effect_size"] == pytest.approx(14 / 8)
    assert now["effect_size_name"] == "rate_ratio"


def test_a_subgroup_without_rows_in_a_reported_period_counts_zero(fw: Framework) -> None:
    log = actions({"2023": {"rally": 3, "testimony": 2}, "2024": {"rally": 4}})
    frame = score(log, fw, source="actions", indicators=["actions.count"]).to_frame()
    testimony = frame[(frame["subgroup"] == "testimony") & (frame["period"] == "2024")]
    assert testimony["value"].tolist() == [0.0]


def test_negative_counts_are_refused_and_point_to_validation(fw: Framework) -> None:
    rows = records({"2023": [(100, 20, -3, 0.1)]})
    rows.index = pd.Index([7], name="row")
    with pytest.raises(ScoringError, match=r"one_on_ones.*row 7.*-3.*gto validate"):
        score(rows, fw, source="records", indicators=["records.one_on_ones_per_100"])


def test_fractional_counts_are_refused(fw: Framework) -> None:
    rows = records({"2023": [(100, 20, 4, 0.1), (100, 20, 2.5, 0.1)]})
    with pytest.raises(ScoringError, match=r"row 1: 2.5 is not a whole number.*gto validate"):
        score(rows, fw, source="records", indicators=["records.one_on_ones_per_100"])


# ---- proportions and rates -------------------------------------------------------------


def test_pooled_proportion_sums_numerators_and_denominators(fw: Framework) -> None:
    # 1 of 2 and 90 of 100: the pooled share is 91/102, not the mean of 50% and 90%.
    rows = records({"2023": [(2, 1, 5, 0.1), (100, 90, 5, 0.1)]})
    summary = score(rows, fw, source="records", indicators=["records.active_share"],
                    group_by=None)
    row = whole(summary.to_frame()).iloc[0]
    assert row["value"] == pytest.approx(91 / 102)
    z = sps.norm.ppf(0.975)
    # Wilson (1927) interval, written out.
    centre = (91 + z * z / 2) / (102 + z * z)
    half = z / (102 + z * z) * np.sqrt(91 * 11 / 102 + z * z / 4)
    assert [row["ci_low"], row["ci_high"]] == pytest.approx([centre - half, centre + half])


def test_a_numerator_above_its_denominator_is_refused(fw: Framework) -> None:
    rows = records({"2023": [(10, 12, 5, 0.1)]})
    with pytest.raises(ScoringError, match=r"exceeds the denominator.*gto validate"):
        score(rows, fw, source="records", indicators=["records.active_share"])


def test_yes_no_answers_of_the_same_people_use_mcnemar(fw: Framework) -> None:
    answers = [[3, 3, 3, 3]] * 10
    before = survey(answers, wave="pre", spoke=[False] * 8 + [True] * 2)
    after = survey(answers, wave="post", spoke=[True] * 6 + [False] * 2 + [True, False])
    frame = whole(score(pd.concat([before, after]), fw, source="survey",
                        indicators=["survey.spoke_share"], min_n=1).to_frame())
    post = frame.set_index("period").loc["post"]
    assert post["design"] == "paired"
    assert post["test"] == "mcnemar_exact"
    # 6 said no then yes, 1 yes then no: McNemar's exact test is binomial on the 7 changes.
    assert post["p_value"] == pytest.approx(sps.binomtest(6, 7, 0.5).pvalue)
    assert post["change"] == pytest.approx(0.7 - 0.2)


def test_rate_is_per_declared_units_of_exposure(fw: Framework) -> None:
    rows = records({"2023": [(200, 20, 50, 0.1), (300, 20, 100, 0.1)],
                    "2024": [(200, 20, 80, 0.1), (300, 20, 120, 0.1)]})
    summary = score(rows, fw, source="records", indicators=["records.one_on_ones_per_100"],
                    group_by=None)
    frame = whole(summary.to_frame()).set_index("period")
    assert frame.loc["2023", "value"] == pytest.approx(150 / 500 * 100)
    now = frame.loc["2024"]
    assert now["value"] == pytest.approx(200 / 500 * 100)
    # Equal exposure both years: the conditional test is binomial with p = 1/2.
    assert now["p_value"] == pytest.approx(sps.binomtest(200, 350, 0.5).pvalue)


# ---- means and ladders ---------------------------------------------------------------------


def test_mean_of_a_field_with_a_t_interval(fw: Framework) -> None:
    log = actions({"2023": {"rally": 5}})
    turnout = log["turnout"].to_numpy(dtype=float)
    row = whole(score(log, fw, source="actions", indicators=["actions.turnout"]).to_frame()
                ).iloc[0]
    low, high = sps.t.interval(0.95, 4, loc=turnout.mean(), scale=sps.sem(turnout))
    assert row["value"] == pytest.approx(turnout.mean())
    assert [row["ci_low"], row["ci_high"]] == pytest.approx([low, high])


def test_ladder_share_at_or_above_and_movement_of_matched_people(fw: Framework) -> None:
    answers = [[3, 3, 3, 3]] * 6
    before = survey(answers, wave="pre", level=[0, 1, 2, 3, 3, 4])
    after = survey(answers, wave="post", level=[1, 3, 2, 4, 2, 4])
    summary = score(pd.concat([before, after]), fw, source="survey",
                    indicators=["survey.ladder"], min_n=1)
    frame = whole(summary.to_frame()).set_index("period")
    assert frame.loc["pre", "value"] == pytest.approx(3 / 6)
    assert frame.loc["post", "value"] == pytest.approx(3 / 6)
    moved = summary.movement().set_index("category")["count"]
    assert moved.to_dict() == {"moved_up": 3, "no_change": 2, "moved_down": 1}
    ladder = summary.items()
    post = ladder[ladder["period"] == "post"].set_index("code")
    assert post.loc[4.0, ["label", "count"]].tolist() == ["core leader", 2]
    assert post.loc[0.0, "count"] == 0


def test_a_rung_that_is_not_on_the_ladder_is_refused(fw: Framework) -> None:
    rows = survey([[3, 3, 3, 3]] * 2, level=[2, 7])
    with pytest.raises(ScoringError, match=r"7.*not a rung of the ladder"):
        score(rows, fw, source="survey", indicators=["survey.ladder"])


# ---- milestones -------------------------------------------------------------------------


def wins_log() -> pd.DataFrame:
    rows = [
        ("w1", "2023", "proposed", "school", None, "2022-01-10", None),
        ("w2", "2023", "adopted", "district", "board minutes", "2022-02-01", "2022-06-01"),
        ("w3", "2023", "adopted", "district", None, "2022-03-01", "2022-05-01"),
        ("w1", "2024", "adopted", "school", "resolution", "2022-01-10", "2023-01-10"),
        ("w2", "2024", "implemented", "district", "budget line", "2022-02-01", "2022-06-01"),
        ("w3", "2024", "defeated", "district", None, "2022-03-01", "2022-05-01"),
    ]
    frame = pd.DataFrame(rows, columns=["win_id", "period", "status", "level", "evidence",
                                        "date_proposed", "date_adopted"])
    frame.insert(0, "org_id", "org_a")
    for column in ("date_proposed", "date_adopted"):
        frame[column] = pd.to_datetime(frame[column])
    return frame


def test_milestone_value_is_the_mean_stage_weight_with_setbacks_at_zero(fw: Framework) -> None:
    summary = score(wins_log(), fw, source="wins", indicators=["wins.progress"])
    frame = whole(summary.to_frame()).set_index("period")
    assert frame.loc["2023", "value"] == pytest.approx((1 + 3 + 3) / 3)
    assert frame.loc["2024", "value"] == pytest.approx((3 + 4 + 0) / 3)
    assert frame.loc["2024", "design"] == "paired"


def test_milestones_count_items_by_stage_and_level_now(fw: Framework) -> None:
    table = score(wins_log(), fw, source="wins", indicators=["wins.progress"]).milestones()
    counts = {(r.stage, r.level): r.count for r in table.itertuples()}
    assert counts == {("adopted", "school"): 1, ("implemented", "district"): 1,
                      ("defeated", "district"): 1}
    orders = dict(zip(table["stage"], table["stage_order"], strict=True))
    assert orders == {"adopted": 3, "implemented": 4, "defeated": 0}


def test_a_stage_past_adopted_without_evidence_is_warned_about(fw: Framework) -> None:
    frame = whole(score(wins_log(), fw, source="wins", indicators=["wins.progress"]).to_frame())
    notes = frame.set_index("period")["notes"]
    assert "1 item(s) at or past 'adopted' have no evidence" in notes["2023"]
    assert "no evidence" not in (notes["2024"] or "")


def test_dates_written_as_text_are_read_in_the_order_the_column_proves(fw: Framework) -> None:
    # Each column is day first: 13/01 proves it (w1's dates, outside the 2023 average), so
    # 01/06/2022 is 1 June, as validation reads it.
    frame = wins_log()
    day_first = {"2022-01-10": "13/01/2022", "2022-02-01": "01/02/2022",
                 "2022-03-01": "01/03/2022", "2022-05-01": "01/05/2022",
                 "2022-06-01": "01/06/2022", "2023-01-10": "13/01/2023"}
    for column in ("date_proposed", "date_adopted"):
        frame[column] = frame[column].dt.strftime("%Y-%m-%d").map(day_first)
    summary = score(frame, fw, source="wins", indicators=["wins.progress"])
    note = whole(summary.to_frame()).set_index("period").loc["2023", "notes"]
    days = (pd.Timestamp("2022-06-01") - pd.Timestamp("2022-02-01")).days
    days += (pd.Timestamp("2022-05-01") - pd.Timestamp("2022-03-01")).days
    assert f"mean {days / 2:.0f} days from proposed to adopted (n = 2)" in note


def test_time_between_dated_stages_is_reported(fw: Framework) -> None:
    frame = whole(score(wins_log(), fw, source="wins", indicators=["wins.progress"]).to_frame())
    # 2023: w2 took 120 days from proposed to adopted, w3 61 days; mean 90.5 -> "90" or "91".
    note = frame.set_index("period").loc["2023", "notes"]
    days = (pd.Timestamp("2022-06-01") - pd.Timestamp("2022-02-01")).days
    days += (pd.Timestamp("2022-05-01") - pd.Timestamp("2022-03-01")).days
    assert f"mean {days / 2:.0f} days from proposed to adopted (n = 2)" in note
