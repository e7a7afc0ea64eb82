"""Sources that are long by subgroup: whole-group values come from the total rows only."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from getting_to_outcomes import load_framework, score
from getting_to_outcomes.definitions._framework import Framework

MINIMAL = Path(__file__).parents[1] / "data" / "definitions" / "minimal"

DISTRICT = """
sources:
  - id: district
    name: District rates by subgroup
    unit_of_analysis: district
    keys: [org_id, year, subgroup]
    id_column: org_id
    time_column: year
    period_order: ["2024", "2025"]
    totals: {field: subgroup, op: eq, value: all_students}
    columns:
      - {name: org_id, type: string, required: true}
      - {name: year, type: string, required: true}
      - {name: subgroup, type: category, allowed: [all_students, low_income, english_learner]}
      - {name: suspension_rate, type: number, min: 0, max: 100}
indicators:
  - id: climate.suspension_rate
    name: Suspension rate
    definition: Share of students suspended out of school at least once.
    realm: policy
    zone: education_wins
    stop: policy_wins
    measure: {kind: mean, field: suspension_rate}
    unit: percent
    direction: decrease
    valid_range: [0, 100]
    source: district
    disaggregate_by: [subgroup]
    min_n: 1
    baseline: 10
    provenance: {status: new, citation: fixture}
"""


@pytest.fixture
def framework(tmp_path: Path) -> Framework:
    folder = tmp_path / "fw"
    shutil.copytree(MINIMAL, folder)
    (folder / "district.yaml").write_text(DISTRICT)
    return load_framework(folder)


def district_rates() -> pd.DataFrame:
    # Overlapping subgroups: averaging every row would mix them with the total.
    rows = [
        ("D1", "2024", "all_students", 10.0),
        ("D1", "2024", "low_income", 16.0),
        ("D1", "2024", "english_learner", 13.0),
        ("D1", "2025", "all_students", 8.0),
        ("D1", "2025", "low_income", 12.0),
        ("D1", "2025", "english_learner", 12.5),
    ]
    return pd.DataFrame(rows, columns=["org_id", "year", "subgroup", "suspension_rate"])


def test_whole_group_value_is_the_total_row_not_the_mean_of_all_rows(
    framework: Framework,
) -> None:
    frame = score(
        {"district": district_rates()}, framework, indicators=["climate.suspension_rate"]
    ).to_frame()
    whole = frame[(frame["group"] == "D1") & (frame["subgroup"] == "all")]
    current = whole[whole["period"] == "2025"].iloc[0]
    assert current["value"] == pytest.approx(8.0)
    assert current["baseline_value"] == pytest.approx(10.0)
    assert current["change"] == pytest.approx(-2.0)


def test_subgroup_rows_break_the_indicator_down(framework: Framework) -> None:
    frame = score(
        {"district": district_rates()}, framework, indicators=["climate.suspension_rate"]
    ).to_frame()
    current = frame[(frame["group"] == "D1") & (frame["period"] == "2025")]
    by_subgroup = current.set_index("subgroup")["value"].to_dict()
    assert by_subgroup == pytest.approx({"all": 8.0, "low_income": 12.0, "english_learner": 12.5})
    assert "all_students" not in by_subgroup
