"""End to end: a whole network scored, every indicator with uncertainty, status, coverage and
suppression; the seeded synthetic network of these tests and the bundled example network."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from getting_to_outcomes import Framework, ProgressSummary, load_example, score
from getting_to_outcomes.scoring._status import STATUSES


def check_complete(summary: ProgressSummary) -> None:
    """Every indicator appears for every group; each shown value has its interval or a reason;
    each row after the baseline has a status; roll-ups report coverage; withheld rows hide
    their values and say why."""
    frame = summary.to_frame()
    fw = summary.framework
    for group in summary.groups:
        assert set(frame.loc[frame["group"] == group, "indicator_id"]) == set(
            summary.indicator_ids)
    shown = frame[frame["value"].notna()]
    assert len(shown) > 0
    no_interval = shown["ci_low"].isna() | shown["ci_high"].isna()
    assert shown.loc[no_interval, "notes"].notna().all(), \
        shown.loc[no_interval, ["indicator_id", "group", "n"]]
    bounded = shown[~no_interval]
    assert (bounded["ci_low"] <= bounded["value"] + 1e-9).all()
    assert (bounded["value"] <= bounded["ci_high"] + 1e-9).all()
    later = frame[frame["period"] != frame["baseline_period"]]
    assert later["status"].isin(STATUSES).all()
    assert frame["status_method"].notna().all()
    hidden = frame[frame["suppressed"]]
    assert hidden["value"].isna().all()
    assert hidden["n"].isna().all()
    assert hidden["suppression_reason"].notna().all()
    assert frame.loc[~frame["suppressed"], "suppression_reason"].isna().all()
    for table in (summary.by_stop(), summary.by_zone(), summary.by_realm()):
        assert table["coverage"].between(0, 1).all()
        assert (table["n_indicators_with_data"] <= table["n_indicators_defined"]).all()
    # Missing is never zero: a row without data never scores 0 by default.
    empty = frame[frame["n"].fillna(0) == 0]
    assert empty.loc[empty["indicator_id"].map(
        lambda i: fw.indicators[i].measure.kind) != "count", "score_0_100"].isna().all()


def test_the_synthetic_network_is_scored_completely(
    fw: Framework, network: dict[str, pd.DataFrame]
) -> None:
    summary = score(network, fw)
    assert len([g for g in summary.groups if g != "network"]) >= 8
    assert summary.periods[:3] == ("pre", "mid", "post")
    check_complete(summary)
    frame = summary.to_frame()
    # The first group surveyed only 2 people: withheld; the declining group deteriorates.
    tiny = frame[(frame["group"] == "org_00") & (frame["indicator_id"] == "survey.confidence")]
    assert tiny["suppressed"].all()
    falling = frame[(frame["group"] == "org_07") & (frame["indicator_id"] ==
                                                    "survey.confidence")
                    & (frame["period"] == "post") & (frame["subgroup_dimension"] == "all")]
    assert falling["change"].iloc[0] < 0


@pytest.fixture(scope="module")
def example() -> object:
    return load_example("cper-network")


def test_the_bundled_example_network_is_scored_completely(example: object) -> None:
    summary = score(example.tables, example.framework, targets=example.targets)  # type: ignore[attr-defined]
    assert set(summary.indicator_ids) == set(example.framework.indicators.ids)  # type: ignore[attr-defined]
    check_complete(summary)
    frame = summary.to_frame()
    # Every indicator with data has a value with uncertainty in the network row now.
    current = frame[(frame["group"] == "network") & (frame["subgroup_dimension"] == "all")
                    & (frame["period"].isin(["post", "2025"]))]
    with_data = current[current["n"].fillna(0) > 0]
    assert with_data["ci_low"].notna().mean() > 0.95
    assert summary.items()["share"].notna().any()
    assert len(summary.milestones()) > 0
    assert summary.reliability()["alpha"].notna().any()
    assert np.isfinite(summary.by_realm()["score_0_100"]).any()


@pytest.fixture(scope="module")
def example_scored(example: object) -> ProgressSummary:
    return score(example.tables, example.framework, targets=example.targets)  # type: ignore[attr-defined]


@pytest.mark.parametrize("indicator_id", ["leadership.public_roles", "leadership.trainers_share"])
def test_a_default_target_is_ahead_of_the_example_groups_where_they_start(
        example_scored: ProgressSummary, indicator_id: str) -> None:
    # The YAML baseline and target are on the scale of one group's value (a group's yearly
    # total, a group's share), so the baseline lies among the groups' first-year values and
    # the target ahead of the typical group: not reached before any work is done.
    ind = example_scored.framework.indicators[indicator_id]
    frame = example_scored.to_frame()
    first = frame[(frame["indicator_id"] == indicator_id) & (frame["group"] != "network")
                  & (frame["subgroup_dimension"] == "all")
                  & (frame["period"] == frame["baseline_period"])]["value"]
    assert first.min() <= ind.baseline <= first.max()
    assert ind.targets[-1].value > first.median()


def test_in_the_example_every_change_is_the_change_of_the_value_within_range(
        example_scored: ProgressSummary) -> None:
    frame = example_scored.to_frame()
    changed = frame[frame["change"].notna()]
    # Counts of a network can exceed one grantee's range, and count changes are totals.
    assert np.allclose(changed["change"], changed["value"] - changed["baseline_value"])
    fw = example_scored.framework
    ranged = frame[frame["kind"] != "count"]
    low = ranged["indicator_id"].map({i.id: (i.valid_range or (-np.inf, np.inf))[0]
                                      for i in fw.indicators})
    high = ranged["indicator_id"].map({i.id: (i.valid_range or (-np.inf, np.inf))[1]
                                       for i in fw.indicators})
    assert (ranged["ci_low"].dropna() >= low[ranged["ci_low"].notna()]).all()
    assert (ranged["ci_high"].dropna() <= high[ranged["ci_high"].notna()]).all()
