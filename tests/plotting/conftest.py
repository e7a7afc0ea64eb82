"""Small hand-made tidy tables, shaped like the outputs of ProgressSummary, for chart tests.

Every value in them is chosen here, so each test can say what the chart must show.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from getting_to_outcomes import load_framework
from getting_to_outcomes.columns import (
    ITEM_COLUMNS,
    MILESTONE_COLUMNS,
    ROLLUP_COLUMNS,
)
from getting_to_outcomes.definitions._framework import Framework

from .tables import SCALE_ID, summary_frame, summary_row


@pytest.fixture(autouse=True)
def _close_figures() -> Iterator[None]:
    yield
    plt.close("all")


@pytest.fixture(autouse=True)
def _show_is_never_called(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("a chart function called plt.show()")

    monkeypatch.setattr(plt, "show", refuse)


@pytest.fixture(scope="session")
def framework() -> Framework:
    return load_framework()


@pytest.fixture
def make_summary() -> Callable[[list[dict[str, Any]]], pd.DataFrame]:
    return summary_frame


@pytest.fixture
def two_orgs_one_withheld() -> pd.DataFrame:
    """Two organizations and the network on one scale, pre and post; Beta's post withheld.

    Alpha: 2.5 (n=30) -> 3.1 (n=28), change +0.6 [0.3, 0.9], on track.
    Beta: 2.8 (n=12) -> withheld (n below 5).
    Network: 2.6 (n=42) -> 3.0 (n=31).
    """
    rows = [
        summary_row(indicator_id=SCALE_ID, realm="individual", zone="building_power",
                    stop="developing_leadership", kind="scale", group="Alpha", period="pre",
                    baseline_period="pre", n=30, value=2.5, ci_low=2.3, ci_high=2.7,
                    target=3.4, score_0_100=37.5),
        summary_row(indicator_id=SCALE_ID, realm="individual", zone="building_power",
                    stop="developing_leadership", kind="scale", group="Alpha", period="post",
                    baseline_period="pre", n=28, value=3.1, ci_low=2.9, ci_high=3.3,
                    baseline_n=30, baseline_value=2.5, change=0.6, change_ci_low=0.3,
                    change_ci_high=0.9, target=3.4, progress=0.6 / 0.9, status="on_track",
                    score_0_100=52.5),
        summary_row(indicator_id=SCALE_ID, realm="individual", zone="building_power",
                    stop="developing_leadership", kind="scale", group="Beta", period="pre",
                    baseline_period="pre", n=12, value=2.8, ci_low=2.4, ci_high=3.2,
                    target=3.4, score_0_100=45.0),
        summary_row(indicator_id=SCALE_ID, realm="individual", zone="building_power",
                    stop="developing_leadership", kind="scale", group="Beta", period="post",
                    baseline_period="pre", suppressed=True, suppression_reason="small_n",
                    status="insufficient_data"),
        summary_row(indicator_id=SCALE_ID, realm="individual", zone="building_power",
                    stop="developing_leadership", kind="scale", group="network",
                    period="pre", baseline_period="pre", n=42, value=2.6, ci_low=2.45,
                    ci_high=2.75, target=3.4, score_0_100=40.0),
        summary_row(indicator_id=SCALE_ID, realm="individual", zone="building_power",
                    stop="developing_leadership", kind="scale", group="network",
                    period="post", baseline_period="pre", n=31, value=3.0, ci_low=2.8,
                    ci_high=3.2, baseline_n=42, baseline_value=2.6, change=0.4,
                    change_ci_low=0.15, change_ci_high=0.65, target=3.4,
                    progress=0.4 / 0.8, status="needs_acceleration", score_0_100=50.0),
    ]
    return summary_frame(rows)


@pytest.fixture
def likert_items() -> pd.DataFrame:
    """Answers to one item of a 5-point scale by Alpha, pre (20 answers) and post (20).

    pre counts 4, 6, 4, 4, 2; post counts 1, 3, 4, 7, 5. A third wave, "mid", has a
    withheld cell (counts missing).
    """
    labels = ["Strongly disagree", "Disagree", "Neither", "Agree", "Strongly agree"]
    rows = []
    for period, counts in (("pre", [4, 6, 4, 4, 2]), ("mid", [None] * 5),
                           ("post", [1, 3, 4, 7, 5])):
        for code, (label, count) in enumerate(zip(labels, counts, strict=True), start=1):
            rows.append({"group": "Alpha", "period": period, "indicator_id": SCALE_ID,
                         "item": "k1_district_decisions", "code": code, "label": label,
                         "count": count, "share": None})
    return pd.DataFrame(rows, columns=ITEM_COLUMNS)


@pytest.fixture
def stop_rollup(framework: Framework) -> pd.DataFrame:
    """Alpha's roll-up by stop: developing_leadership on track (62), policy_wins limited (30);
    every other stop has no row."""
    rows = [
        {"group": "Alpha", "period": "post", "level": "stop",
         "level_id": "developing_leadership", "level_name": "Developing Leadership",
         "score_0_100": 62.0, "n_indicators_defined": 3, "n_indicators_with_data": 2,
         "coverage": 2 / 3, "status": "on_track"},
        {"group": "Alpha", "period": "post", "level": "stop", "level_id": "policy_wins",
         "level_name": "Policy Wins", "score_0_100": 30.0, "n_indicators_defined": 2,
         "n_indicators_with_data": 2, "coverage": 1.0, "status": "limited"},
    ]
    return pd.DataFrame(rows, columns=ROLLUP_COLUMNS)


@pytest.fixture
def realm_rollup() -> pd.DataFrame:
    """Alpha and Beta by realm; Beta has no policy score; the network is pooled."""
    rows = []
    scores = {"Alpha": (70.0, 55.0, 40.0), "Beta": (50.0, 65.0, math.nan),
              "network": (60.0, 60.0, 40.0)}
    for group, values in scores.items():
        for realm, score in zip(("individual", "community", "policy"), values, strict=True):
            rows.append({"group": group, "period": "post", "level": "realm", "level_id": realm,
                         "level_name": realm.capitalize(), "score_0_100": score,
                         "n_indicators_defined": 4,
                         "n_indicators_with_data": 0 if math.isnan(score) else 3,
                         "coverage": 0.0 if math.isnan(score) else 0.75, "status": None})
    return pd.DataFrame(rows, columns=ROLLUP_COLUMNS)


@pytest.fixture
def milestones() -> pd.DataFrame:
    """Wins by highest stage and level for two organizations (counts chosen here)."""
    rows = []
    counts = {  # stage, order: (school, district, state) for each org
        ("proposed", 1): ((2, 1, 0), (1, 0, 0)),
        ("adopted", 2): ((1, 2, 1), (0, 1, 0)),
        ("implemented", 3): ((0, 1, 0), (1, 1, 0)),
        ("reversed", 4): ((0, 1, 0), (0, 0, 0)),
    }
    for (stage, order), per_org in counts.items():
        for group, levels in zip(("Alpha", "Beta"), per_org, strict=True):
            for level, count in zip(("school", "district", "state"), levels, strict=True):
                rows.append({"group": group, "indicator_id": "wins.progress", "stage": stage,
                             "stage_order": order, "level": level, "count": count})
    return pd.DataFrame(rows, columns=MILESTONE_COLUMNS)
