"""compare: grantees side by side, a network pooled exactly, and refusals of unlike results."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from getting_to_outcomes import Framework, ScoringError, compare, load_framework, score

from .conftest import FRAMEWORK_DIR, survey

ANSWERS = [[2, 3, 4, 2], [3, 4, 4, 3], [4, 4, 5, 1], [3, 3, 3, 3], [5, 4, 4, 2]]


def framework_copy(tmp_path: Path, old: str, new: str, name: str) -> Framework:
    """The test framework with one text replaced (e.g. a version number)."""
    folder = tmp_path / name
    shutil.copytree(FRAMEWORK_DIR, folder)
    for path in folder.glob("*.yaml"):
        path.write_text(path.read_text().replace(old, new))
    return load_framework(folder)


def test_different_framework_versions_are_refused_naming_both(fw: Framework,
                                                              tmp_path: Path) -> None:
    newer = framework_copy(tmp_path, 'version: "1"', 'version: "2"', "v2")
    a = score(survey(ANSWERS, org="east"), fw, source="survey")
    b = score(survey(ANSWERS, org="west"), newer, source="survey")
    with pytest.raises(ScoringError, match=r"'a'.*version 1.*'b'.*version 2"):
        compare({"a": a, "b": b})


def test_different_indicator_versions_are_refused(fw: Framework, tmp_path: Path) -> None:
    text = "  - id: survey.confidence\n"
    changed = framework_copy(tmp_path, text, text + "    version: '3'\n", "indicator")
    a = score(survey(ANSWERS, org="east"), fw, source="survey")
    b = score(survey(ANSWERS, org="west"), changed, source="survey")
    with pytest.raises(ScoringError, match=r"indicator 'survey\.confidence'.*version 1.*version 3"):
        compare([a, b])


def test_a_grantee_twice_is_refused(fw: Framework) -> None:
    a = score(survey(ANSWERS, org="east"), fw, source="survey")
    with pytest.raises(ScoringError, match="group 'east' appears in both"):
        compare([a, a])


def test_summaries_scored_at_different_confidence_are_refused(fw: Framework) -> None:
    a = score(survey(ANSWERS, org="east"), fw, source="survey")
    b = score(survey(ANSWERS, org="west"), fw, source="survey", confidence=0.9)
    with pytest.raises(ScoringError, match="different confidence"):
        compare([a, b])


def test_data_by_grantee_is_scored_with_one_group_each(fw: Framework) -> None:
    data = {"east": survey(ANSWERS[:3], org="x"), "west": survey(ANSWERS, org="x")}
    frame = compare(data, fw, source="survey", indicators=["survey.confidence"],
                    min_n=1).to_frame().query("subgroup_dimension == 'all'")
    assert list(frame["group"]) == ["east", "west", "network"]
    assert list(frame["n"]) == [3, 5, 8]


def test_a_grantee_scored_alone_takes_its_name(fw: Framework) -> None:
    alone = score(survey(ANSWERS), fw, source="survey", group_by=None, min_n=1,
                  indicators=["survey.confidence"])
    other = score(survey(ANSWERS[:4], org="b"), fw, source="survey", min_n=1,
                  indicators=["survey.confidence"])
    both = compare({"first": alone, "second": other}).to_frame().query(
        "subgroup_dimension == 'all'")
    assert list(both["group"]) == ["first", "b", "network"]


def test_network_totals_of_compare_are_exact(fw: Framework,
                                           network: dict[str, pd.DataFrame]) -> None:
    per = {org: score({sid: t[t["org_id"] == org] for sid, t in network.items()}, fw)
           for org in network["records"]["org_id"].unique()}
    merged = compare(per).to_frame()
    pooled = score(network, fw).to_frame()
    key = ["indicator_id", "period", "subgroup_dimension", "subgroup"]
    a = merged[merged["group"] == "network"].set_index(key)["value"].sort_index()
    b = pooled[pooled["group"] == "network"].set_index(key)["value"].sort_index()
    pd.testing.assert_series_equal(a, b, rtol=1e-9)


def test_targets_keyed_by_org_id_are_accepted_as_score_accepts_them(fw: Framework) -> None:
    data = {org: pd.concat([survey(ANSWERS, org=org, wave="pre"),
                            survey(ANSWERS, org=org, wave="post")]) for org in ("east", "west")}
    targets = pd.DataFrame({"org_id": ["east", "west"],
                            "indicator_id": ["survey.confidence"] * 2,
                            "target": [3.9, 4.2], "period": ["post", "post"]})
    frame = compare(data, fw, source="survey", indicators=["survey.confidence"],
                    targets=targets).to_frame()
    now = frame[(frame["subgroup_dimension"] == "all") & (frame["period"] == "post")]
    mine = now.set_index("group")["target"]
    # Each grantee gets its own target from the table, as score(targets=...) would.
    assert mine["east"] == pytest.approx(3.9)
    assert mine["west"] == pytest.approx(4.2)


def test_targets_without_a_grantee_column_are_refused_in_the_users_words(
        fw: Framework) -> None:
    data = {"east": survey(ANSWERS, org="east"), "west": survey(ANSWERS, org="west")}
    targets = pd.DataFrame({"site": ["east"], "indicator_id": ["survey.confidence"],
                            "target": [3.9]})
    with pytest.raises(ScoringError, match=r"'group', 'org_id', 'grantee'.*'site'") as error:
        compare(data, fw, source="survey", targets=targets)
    assert "__" not in str(error.value)
