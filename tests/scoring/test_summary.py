"""ProgressSummary: its tables, roll-ups, text, notebook display and plotting hook."""

from __future__ import annotations

import dataclasses
import sys
import types

import numpy as np
import pandas as pd
import pytest

import getting_to_outcomes
from getting_to_outcomes import Framework, ProgressSummary, score
from getting_to_outcomes.columns import (
    ITEM_COLUMNS,
    MILESTONE_COLUMNS,
    ROLLUP_COLUMNS,
    SUMMARY_COLUMNS,
)

from .conftest import survey


@pytest.fixture(scope="module")
def summary(fw: Framework, network: dict[str, pd.DataFrame]) -> ProgressSummary:
    return score(network, fw, seed=11, confidence=0.9)


def test_tables_use_the_column_names_defined_once(summary: ProgressSummary) -> None:
    assert list(summary.to_frame().columns) == SUMMARY_COLUMNS
    assert list(summary.by_stop().columns) == ROLLUP_COLUMNS
    assert list(summary.by_zone().columns) == ROLLUP_COLUMNS
    assert list(summary.by_realm().columns) == ROLLUP_COLUMNS
    assert list(summary.items().columns) == ITEM_COLUMNS
    assert list(summary.milestones().columns) == MILESTONE_COLUMNS


def test_the_summary_is_immutable(summary: ProgressSummary) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        summary.options = {}  # type: ignore[misc]
    copy = summary.to_frame()
    copy.loc[:, "value"] = 0.0
    assert not (summary.to_frame()["value"] == 0.0).all()


def test_the_run_is_recorded_on_the_summary(summary: ProgressSummary, fw: Framework) -> None:
    assert summary.framework_id == fw.id == "scoring_fixture"
    assert summary.framework_version == "1"
    assert summary.group_by == "org_id"
    assert summary.confidence == 0.9
    assert summary.seed == 11
    assert summary.options["reliability"] == "flag"
    assert summary.periods == ("pre", "mid", "post", "2023", "2024")
    assert summary.windows["survey"].baseline == "pre"
    assert summary.baseline_period is None  # sources differ
    assert summary.groups[-1] == "network"


def test_every_indicator_appears_for_every_group(summary: ProgressSummary,
                                                 fw: Framework) -> None:
    frame = summary.to_frame()
    for group in summary.groups:
        assert set(frame.loc[frame["group"] == group, "indicator_id"]) == set(fw.indicators.ids)


def test_roll_up_is_the_weighted_mean_of_indicator_scores_with_coverage(
    summary: ProgressSummary, fw: Framework
) -> None:
    frame = summary.to_frame()
    rows = frame[(frame["period"] == "post") & (frame["subgroup_dimension"] == "all")
                 & (frame["stop"] == "developing_leadership") & ~frame["suppressed"]]
    group = rows["group"].value_counts().idxmax()  # a group with every indicator shown
    rows = rows[rows["group"] == group]
    weights = rows["indicator_id"].map(lambda i: fw.indicators[i].weight)
    scored = rows["score_0_100"].notna()
    expected = np.average(rows.loc[scored, "score_0_100"], weights=weights[scored])
    stops = summary.by_stop()
    stop = stops[(stops["group"] == group) & (stops["period"] == "current")].set_index(
        "level_id").loc["developing_leadership"]
    assert stop["score_0_100"] == pytest.approx(expected)
    assert stop["n_indicators_defined"] == 3
    assert stop["coverage"] == pytest.approx(scored.sum() / 3)


def test_missing_never_counts_as_zero_in_a_roll_up(fw: Framework) -> None:
    # Only the confidence scale has data: the ladder and the yes/no question are missing, so
    # the stop scores what confidence scores, with a third of its indicators covered.
    rows = survey([[2, 3, 4, 2], [3, 4, 4, 3], [4, 4, 5, 1], [3, 3, 3, 3]])
    summary = score(rows, fw, source="survey", min_n=1)
    stop = summary.by_stop().set_index("level_id").loc["developing_leadership"]
    confidence = summary.to_frame().query("indicator_id == 'survey.confidence'").iloc[0]
    assert stop["score_0_100"] == pytest.approx(confidence["score_0_100"])
    assert stop["n_indicators_with_data"] == 1
    assert stop["coverage"] == pytest.approx(1 / 3)
    empty = summary.by_stop().set_index("level_id").loc["policy_wins"]
    assert np.isnan(empty["score_0_100"])
    assert empty["coverage"] == 0


def test_summary_text_names_groups_statuses_and_coverage(summary: ProgressSummary) -> None:
    text = summary.summary()
    assert "Scoring test framework" in text
    assert "org_03" in text
    assert "network" in text
    assert "coverage" in text


def test_notebook_display_escapes_what_it_shows(fw: Framework) -> None:
    rows = survey([[2, 3, 4, 2], [3, 4, 4, 3], [4, 4, 5, 1]], org="<script>alert(1)</script>")
    html = score(rows, fw, source="survey", min_n=1)._repr_html_()
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_plot_hands_the_summary_to_the_charts_module(
    summary: ProgressSummary, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[object] = []
    fake = types.ModuleType("getting_to_outcomes.plotting")
    fake.plot_progress = lambda s, **kw: seen.append((s, kw)) or "axes"  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "getting_to_outcomes.plotting", fake)
    monkeypatch.setattr(getting_to_outcomes, "plotting", fake, raising=False)
    assert summary.plot(kind="heatmap") == "axes"
    assert seen == [(summary, {"kind": "heatmap"})]


def test_plot_without_the_charts_module_says_what_is_missing(
    summary: ProgressSummary, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "getting_to_outcomes.plotting", None)
    if "plotting" in vars(getting_to_outcomes):  # not looked up: that would import it
        monkeypatch.delattr(getting_to_outcomes, "plotting")
    with pytest.raises(ImportError, match=r"needs getting_to_outcomes\.plotting"):
        summary.plot()


def test_equity_gaps_and_their_change(fw: Framework) -> None:
    answers = [[2, 2, 2, 4]] * 4 + [[4, 4, 4, 2]] * 4
    role = ["youth"] * 4 + ["parent"] * 4
    later = [[3, 3, 3, 3]] * 4 + [[4, 4, 4, 2]] * 4
    rows = pd.concat([survey(answers, wave="pre", role=role),
                      survey(later, wave="post", role=role)])
    gaps = score(rows, fw, source="survey", indicators=["survey.confidence"],
                 min_n=1).gaps("role", "youth", "parent")
    post = gaps.set_index("period").loc["post"]
    assert post["gap"] == pytest.approx(3.0 - 4.0)
    assert post["baseline_gap"] == pytest.approx(2.0 - 4.0)
    assert post["gap_change"] == pytest.approx(1.0)
