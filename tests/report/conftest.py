"""A small hand-made summary for report tests: two organizations, the network, one scale.

It offers the same methods as ProgressSummary (``to_frame``, ``by_stop``, ``by_zone``,
``by_realm``, ``items``, ``milestones``) over tables whose every value is chosen here.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from getting_to_outcomes import load_example, load_framework, score, write_report
from getting_to_outcomes.columns import ITEM_COLUMNS, MILESTONE_COLUMNS, ROLLUP_COLUMNS
from getting_to_outcomes.definitions._framework import Framework

from ..plotting.tables import SCALE_ID, summary_frame, summary_row

#: An organization whose name is an attack on the HTML page and on spreadsheets.
SCRIPT_NAME = "<script>alert(1)</script>"
FORMULA_NAME = "=HYPERLINK(\"http://example.invalid\",\"click\")"
#: A value carried by a withheld row, which must never be shown.
SECRET = 9.87


@pytest.fixture(autouse=True)
def _close_figures() -> Iterator[None]:
    yield
    plt.close("all")


@pytest.fixture(scope="session")
def framework() -> Framework:
    return load_framework()


@dataclass
class HandMadeSummary:
    """The parts of a ProgressSummary that charts and reports read."""

    frame: pd.DataFrame
    rollups: pd.DataFrame
    item_table: pd.DataFrame
    milestone_table: pd.DataFrame
    framework: Framework
    group_by: str = "org_id"
    confidence: float = 0.95
    periods: tuple[str, ...] = ("pre", "post")
    synthetic: bool | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_frame(self) -> pd.DataFrame:
        return self.frame.copy()

    def by_stop(self) -> pd.DataFrame:
        return self.rollups[self.rollups["level"] == "stop"].copy()

    def by_zone(self) -> pd.DataFrame:
        return self.rollups[self.rollups["level"] == "zone"].copy()

    def by_realm(self) -> pd.DataFrame:
        return self.rollups[self.rollups["level"] == "realm"].copy()

    def items(self) -> pd.DataFrame:
        return self.item_table.copy()

    def milestones(self) -> pd.DataFrame:
        return self.milestone_table.copy()


def _rows(alpha: str, beta: str) -> list[dict[str, Any]]:
    common = {"framework_id": "getting_to_outcomes_2013", "framework_version": "2013.1",
              "indicator_id": SCALE_ID, "realm": "individual", "zone": "building_power",
              "stop": "developing_leadership", "kind": "scale", "unit": "mean score (1-5)",
              "baseline_period": "pre", "target": 3.4}
    return [
        summary_row(**common, group=alpha, period="pre", n=30, value=2.5, ci_low=2.3,
                    ci_high=2.7, score_0_100=37.5, notes="respondent R-0042 straight-lined"),
        summary_row(**common, group=alpha, period="post", n=28, value=3.1, ci_low=2.9,
                    ci_high=3.3, baseline_n=30, baseline_value=2.5, change=0.6,
                    change_ci_low=0.3, change_ci_high=0.9, progress=0.6 / 0.9,
                    status="on_track", score_0_100=52.5, reliability=0.81,
                    reliability_ci_low=0.7, reliability_ci_high=0.88),
        summary_row(**common, group=beta, period="pre", n=12, value=2.8, ci_low=2.4,
                    ci_high=3.2, score_0_100=45.0),
        # Withheld, yet carrying a value: the report must not show it anywhere.
        summary_row(**common, group=beta, period="post", n=3, value=SECRET, ci_low=SECRET,
                    ci_high=SECRET, suppressed=True, suppression_reason="small_n",
                    status="insufficient_data"),
        summary_row(**common, group="network", period="pre", n=42, value=2.6, ci_low=2.45,
                    ci_high=2.75, score_0_100=40.0),
        summary_row(**common, group="network", period="post", n=31, value=3.0, ci_low=2.8,
                    ci_high=3.2, baseline_n=42, baseline_value=2.6, change=0.4,
                    change_ci_low=0.15, change_ci_high=0.65, progress=0.5,
                    status="needs_acceleration", score_0_100=50.0),
    ]


def _rollups(groups: list[str]) -> pd.DataFrame:
    rows = []
    for group, points in zip(groups, (52.5, math.nan, 50.0), strict=True):
        for level, level_id in (("stop", "developing_leadership"), ("zone", "building_power"),
                                ("realm", "individual")):
            rows.append({"group": group, "period": "post", "level": level,
                         "level_id": level_id, "level_name": level_id.replace("_", " "),
                         "score_0_100": points, "n_indicators_defined": 11,
                         "n_indicators_with_data": 0 if math.isnan(points) else 1,
                         "coverage": 0.0 if math.isnan(points) else 1 / 11,
                         "status": "insufficient_data" if math.isnan(points) else "on_track"})
    return pd.DataFrame(rows, columns=ROLLUP_COLUMNS)


def _items(groups: list[str]) -> pd.DataFrame:
    rows = []
    for group in groups:
        for period, counts in (("pre", [3, 7, 10, 6, 4]), ("post", [1, 4, 8, 10, 5])):
            for code, count in enumerate(counts, start=1):
                rows.append({"group": group, "period": period, "indicator_id": SCALE_ID,
                             "item": "k1_district_decisions", "code": code,
                             "label": ["Strongly disagree", "Disagree", "Neither", "Agree",
                                       "Strongly agree"][code - 1],
                             "count": count, "share": count / sum(counts)})
    return pd.DataFrame(rows, columns=ITEM_COLUMNS)


def _milestones(groups: list[str]) -> pd.DataFrame:
    rows = [{"group": g, "indicator_id": "wins.progress", "stage": stage, "stage_order": k,
             "level": "district", "count": k + 1}
            for g in groups for k, stage in enumerate(("proposed", "adopted", "implemented"))]
    return pd.DataFrame(rows, columns=MILESTONE_COLUMNS)


def make_summary(framework: Framework, *, alpha: str = "Alpha", beta: str = "Beta",
                 synthetic: bool | None = None) -> HandMadeSummary:
    groups = [alpha, beta, "network"]
    return HandMadeSummary(
        frame=summary_frame(_rows(alpha, beta)), rollups=_rollups(groups),
        item_table=_items(groups), milestone_table=_milestones(groups),
        framework=framework, synthetic=synthetic,
    )


@pytest.fixture(scope="session")
def example_network() -> tuple[Any, Any, dict[str, str]]:
    """The bundled example network scored, with the organizations' names."""
    example = load_example("cper-network")
    # A high minimum for one scale withholds it for the smaller organizations, so that the
    # reports must show withheld cells.
    summary = score(example.tables, example.framework, targets=example.targets,
                    min_n={"leadership.knowledge_of_system": 100})
    labels = dict(zip(example.orgs["org_id"], example.orgs["name"], strict=True))
    return example, summary, labels


@pytest.fixture(scope="session")
def example_grantee_report(example_network, tmp_path_factory):
    """The grantee report of CA-01 on the example network (written once per session)."""
    example, summary, labels = example_network
    return write_report(summary, tmp_path_factory.mktemp("grantee") / "out", org="CA-01",
                        labels=labels, synthetic=example.synthetic)


@pytest.fixture(scope="session")
def example_funder_report(example_network, tmp_path_factory):
    """The funder report of the example network (written once per session)."""
    example, summary, labels = example_network
    return write_report(summary, tmp_path_factory.mktemp("funder") / "out", mode="funder",
                        labels=labels, synthetic=example.synthetic)


@pytest.fixture
def summary(framework: Framework) -> HandMadeSummary:
    return make_summary(framework)


@pytest.fixture
def hostile_summary(framework: Framework) -> HandMadeSummary:
    """Organizations named to break HTML and spreadsheets."""
    return make_summary(framework, alpha=SCRIPT_NAME, beta=FORMULA_NAME)


class PageParser(HTMLParser):
    """Collects every tag with its attributes and the page's text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self._style = False
        self.styles: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        if tag == "style":
            self._style = False

    def handle_data(self, data: str) -> None:
        (self.styles if self._style else self.text).append(data)


def parse_page(html: str) -> PageParser:
    parser = PageParser()
    parser.feed(html)
    parser.close()
    return parser
