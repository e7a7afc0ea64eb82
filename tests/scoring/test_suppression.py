"""Small groups: withheld below min_n in every output, and not recoverable from totals."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from getting_to_outcomes import Framework, score
from getting_to_outcomes.scoring._suppress import suppress

from .conftest import survey

ANSWERS = [[2, 3, 4, 2], [3, 4, 4, 3], [4, 4, 5, 1], [3, 3, 3, 3], [5, 4, 4, 2],
           [2, 2, 3, 4], [4, 5, 4, 1], [3, 4, 2, 2], [4, 3, 5, 2], [1, 2, 2, 5]]


def roles(parents: int, youth: int, staff: int) -> list[str]:
    return ["parent"] * parents + ["youth"] * youth + ["staff"] * staff


@pytest.mark.parametrize(("people", "withheld"), [(4, True), (5, False)])
def test_a_group_just_under_min_n_is_withheld_and_just_at_it_is_shown(
    fw: Framework, people: int, withheld: bool
) -> None:
    frame = score(survey(ANSWERS[:people]), fw, source="survey",
                  indicators=["survey.confidence"], min_n=5).to_frame()
    row = frame[frame["subgroup_dimension"] == "all"].iloc[0]
    assert row["suppressed"] == withheld
    if withheld:
        assert row["suppression_reason"] == "small_n"
        assert pd.isna(row["n"])
        assert np.isnan(row["value"])
        assert np.isnan(row["ci_low"])
        assert row["notes"] == "withheld: fewer than 5 units"
    else:
        assert row["n"] == 5
        assert not np.isnan(row["value"])


def test_complementary_suppression_hides_the_smallest_sibling(fw: Framework) -> None:
    # 10 people: 6 parents, 3 youth, 1 staff. Staff (1 < 3) is withheld; with the total and
    # the parents shown, staff = total - parents - youth, so youth is withheld as well.
    rows = survey(ANSWERS, role=roles(6, 3, 1))
    frame = score(rows, fw, source="survey", indicators=["survey.confidence"]).to_frame()
    by_role = frame[frame["subgroup_dimension"] == "role"].set_index("subgroup")
    assert by_role.loc["staff", "suppression_reason"] == "small_n"
    assert by_role.loc["youth", "suppression_reason"] == "complementary"
    assert not by_role.loc["parent", "suppressed"]
    total = frame[frame["subgroup_dimension"] == "all"].iloc[0]
    assert not total["suppressed"]


def test_a_withheld_subgroup_cannot_be_worked_out_from_what_is_shown(fw: Framework) -> None:
    rows = survey(ANSWERS, role=roles(6, 3, 1))
    frame = score(rows, fw, source="survey", indicators=["survey.confidence"]).to_frame()
    shown = frame[~frame["suppressed"]]
    total = shown[shown["subgroup_dimension"] == "all"].iloc[0]
    parts = shown[shown["subgroup_dimension"] == "role"]
    # All a reader can work out is the pooled mean of the hidden parts together...
    n_hidden = total["n"] - parts["n"].sum()
    pooled = (total["n"] * total["value"] - (parts["n"] * parts["value"]).sum()) / n_hidden
    assert n_hidden == 4
    # ...which is not the staff member's own score.
    truth = score(rows, fw, source="survey", indicators=["survey.confidence"],
                  min_n=1).to_frame().set_index("subgroup")
    assert pooled != pytest.approx(truth.loc["staff", "value"])


def test_groups_of_a_network_are_protected_against_the_network_total(fw: Framework) -> None:
    rows = pd.concat([survey(ANSWERS[:2], org="tiny"), survey(ANSWERS[:6], org="mid"),
                      survey(ANSWERS, org="big")])
    frame = score(rows, fw, source="survey", indicators=["survey.confidence"]).to_frame()
    whole = frame[frame["subgroup_dimension"] == "all"].set_index("group")
    assert whole.loc["tiny", "suppression_reason"] == "small_n"
    assert whole.loc["mid", "suppression_reason"] == "complementary"
    assert not whole.loc["network", "suppressed"]
    assert not whole.loc["big", "suppressed"]


def test_empty_cells_are_not_withheld() -> None:
    cells = pd.DataFrame({"indicator_id": "x", "group": "a", "period": "p",
                          "dimension": ["all", "role", "role"],
                          "subgroup": ["all", "parent", "youth"], "n": [12, 12, 0]})
    assert not suppress(cells, {"x": 5})["suppressed"].any()


def test_withheld_cells_stay_withheld_in_every_table(fw: Framework) -> None:
    small = pd.concat([survey(ANSWERS[:2], org="tiny", wave="pre"),
                       survey(ANSWERS[2:4], org="tiny", wave="post",
                              people=["p0", "p1"]),
                       survey(ANSWERS, org="big", wave="pre"),
                       survey(ANSWERS, org="big", wave="post"),
                       survey(ANSWERS[:7], org="other", wave="pre"),
                       survey(ANSWERS[:7], org="other", wave="post")])
    summary = score(small, fw, source="survey", indicators=["survey.confidence"], min_n=3)
    items = summary.items()
    assert items[items["group"] == "tiny"]["count"].isna().all()
    reliability = summary.reliability()
    assert reliability[reliability["group"] == "tiny"]["alpha"].isna().all()
    movement = summary.movement()
    assert movement[movement["group"] == "tiny"]["count"].isna().all()
    stops = summary.by_stop()
    tiny = stops[stops["group"] == "tiny"]
    assert (tiny["n_indicators_with_data"] == 0).all()
    assert tiny["score_0_100"].isna().all()


def test_a_withheld_baseline_hides_the_change_computed_from_it(fw: Framework) -> None:
    # The group is small at baseline (2 people) and larger later (6): the later value shows,
    # but not the change, which would reveal the baseline.
    rows = pd.concat([survey(ANSWERS[:2], wave="pre"),
                      survey(ANSWERS[:6], wave="post")])
    frame = score(rows, fw, source="survey", indicators=["survey.confidence"],
                  min_n=3).to_frame()
    post = frame[(frame["period"] == "post") & (frame["subgroup_dimension"] == "all")].iloc[0]
    assert not post["suppressed"]
    assert np.isnan(post["baseline_value"])
    assert np.isnan(post["change"])
    assert post["status"] == "insufficient_data"
    assert "baseline withheld" in post["notes"]


@pytest.mark.parametrize("min_n", [1, 4])
def test_min_n_can_be_set_for_the_whole_run(fw: Framework, min_n: int) -> None:
    frame = score(survey(ANSWERS[:3]), fw, source="survey", indicators=["survey.confidence"],
                  min_n=min_n).to_frame()
    assert frame["suppressed"].iloc[0] == (min_n > 3)
