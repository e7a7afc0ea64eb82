"""End to end: a whole network scored, every indicator with uncertainty, status, coverage and
suppression; the seeded synthetic network of these tests and the bundled example network."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from getting_to_outcomes import Framework, ProgressSummary, load_example, score
from getting_to_outcomes._status import STATUSES


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
