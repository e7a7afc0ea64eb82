"""The example network's messy export: ``gto validate`` finds every seeded defect.

``src/getting_to_outcomes/datasets/data/cper-network/seeded_defects.json`` lists, for each file,
each defect put in by the generator with its row as a spreadsheet shows it, its column
and its kind. The validator must report each one at that row and column, with the
matching reason, and exit 1 when there are errors.
"""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from getting_to_outcomes.cli import main

EXAMPLE = (Path(__file__).parents[2] / "src" / "getting_to_outcomes" / "datasets" / "data"
           / "cper-network")
DEFECTS = EXAMPLE / "seeded_defects.json"
# The generator's names for defects, where they differ from the validator's reasons.
REASON = {"unknown_label": "unknown_answer", "date_out_of_range": "outside_period"}

pytestmark = pytest.mark.skipif(not DEFECTS.exists(), reason="the example network is not there")


def _seeded() -> dict[str, list[dict[str, object]]]:
    data = json.loads(DEFECTS.read_text())
    return {name: entries for name, entries in data.items() if name.endswith(".csv")}


def _source(file_name: str) -> str:
    # leadership_survey_export_messy.csv is an export of leadership_survey.
    stem = file_name.removesuffix(".csv")
    return stem.split("_export")[0]


@pytest.mark.parametrize("file_name", sorted(_seeded()) if DEFECTS.exists() else [])
def test_every_seeded_defect_is_reported_at_its_row_and_column(file_name: str) -> None:
    seeded = _seeded()[file_name]
    command = ["validate", str(EXAMPLE / file_name), "--source", _source(file_name)]
    result = CliRunner().invoke(main, [*command, "--format", "csv"])
    issues = pd.read_csv(StringIO(result.output))
    located = issues[issues["row"].notna()]
    found = {
        (int(row), None if pd.isna(column) else column, reason)
        for row, column, reason in zip(
            located["row"], located["column"], located["reason"], strict=True
        )
    }
    for defect in seeded:
        column = defect.get("field", defect.get("column"))
        reason = REASON.get(str(defect["defect"]), str(defect["defect"]))
        assert (int(str(defect["row"])), column, reason) in found, defect
    severities = {str(d["severity"]) for d in seeded}
    assert result.exit_code == (1 if "error" in severities else 0)
    assert len(issues) == int(issues.groupby(["check", "severity"]).size().sum())


def test_the_export_gives_the_same_report_from_python() -> None:
    from getting_to_outcomes import read_table, validate

    path = EXAMPLE / "leadership_survey_export_messy.csv"
    from_file = validate(path, source="leadership_survey")
    from_frame = validate(read_table(path), source="leadership_survey")
    columns = ["row", "column", "value", "check", "reason", "severity", "message", "fix"]
    pd.testing.assert_frame_equal(from_file.issues[columns], from_frame.issues[columns])
    assert from_file.rows_read == len(from_file.valid_rows) + len(from_file.rejected_rows)
