"""Careless inputs to scoring are said, never merged or used silently.

A subgroup answer that reads like the label of blank answers, targets for groups that have
no rows, and targets on the wrong side of the baseline for the indicator's direction.
"""

from __future__ import annotations

import pandas as pd
import pytest

from getting_to_outcomes import Framework, score
from getting_to_outcomes.errors import ScoringError

from .conftest import survey

ANSWERS = [[2, 3, 4, 2], [3, 4, 4, 3], [4, 4, 5, 1], [3, 3, 3, 3], [5, 4, 4, 2],
           [2, 2, 3, 4]]
IND = "survey.confidence"


def test_a_subgroup_literally_named_missing_is_refused_not_merged_with_blanks(
    fw: Framework,
) -> None:
    rows = survey(ANSWERS, role=["parent", "missing", None, "missing", "parent", None])
    with pytest.raises(ScoringError, match=r"column 'role' has the answer 'missing'.*recode"):
        score(rows, fw, source="survey", indicators=[IND], min_n=1)


def test_blank_subgroup_answers_alone_still_make_the_missing_subgroup(fw: Framework) -> None:
    rows = survey(ANSWERS, role=["parent", "youth", None, "youth", "parent", None])
    frame = score(rows, fw, source="survey", indicators=[IND], min_n=1).to_frame()
    roles = frame[frame["subgroup_dimension"] == "role"].set_index("subgroup")["n"]
    assert roles.to_dict() == {"parent": 2, "youth": 2, "missing": 2}


def targets(**columns: object) -> pd.DataFrame:
    return pd.DataFrame({"indicator_id": IND, "period": "pre", **columns})


def test_targets_for_groups_without_rows_are_warned_about(fw: Framework) -> None:
    given = targets(org_id=["org_a", "org_z"], baseline=[3.0, 3.0], target=[3.5, 3.5])
    summary = score(survey(ANSWERS), fw, source="survey", indicators=[IND], targets=given)
    said = [w for w in summary.warnings if "no rows" in w]
    assert len(said) == 1
    assert "'org_z'" in said[0]
    assert "'org_a'" not in said[0]


@pytest.mark.parametrize(("baseline", "target", "warned"), [
    (3.0, 2.5, True),    # increase indicator, target below its baseline: a typo
    (3.0, 3.5, False),
    (None, 2.0, True),   # no baseline given: the YAML's 3.0 is the one compared
    (3.0, 3.0, False),   # a target at the baseline is kept, not a typo
])
def test_a_target_behind_the_baseline_for_the_direction_is_warned_about(
    fw: Framework, baseline: float | None, target: float, warned: bool,
) -> None:
    given = targets(org_id=["org_a"], baseline=[baseline], target=[target])
    summary = score(survey(ANSWERS), fw, source="survey", indicators=[IND], targets=given)
    said = [w for w in summary.warnings if "wrong side" in w or "below its baseline" in w]
    assert bool(said) is warned, summary.warnings
    if warned:
        assert "should increase" in said[0]
        assert f"target {target:g}" in said[0]


def test_targets_of_a_joint_call_belong_to_the_grouping_they_name(fw: Framework) -> None:
    rows = pd.concat([survey(ANSWERS, wave="pre"), survey(ANSWERS, wave="post")])
    rows["region"] = "north"
    given = targets(region=["north", "south"], baseline=[3.0, 3.0], target=[3.9, 3.9])
    given["period"] = "post"
    joint = score(rows, fw, source="survey", indicators=[IND], targets=given,
                  group_by=["org_id", "region"])
    regions = joint["region"].to_frame().query("subgroup == 'all' and period == 'post'")
    assert regions.set_index("group").loc["north", "target"] == 3.9
    assert joint["org_id"].to_frame()["target"].ne(3.9).all()
    assert any("'south'" in w and "'region'" in w for w in joint["region"].warnings)
