"""Valid rows described as data: the Table Schema of a source, and ``--out-valid``'s package."""

from __future__ import annotations

import json
from pathlib import Path

import frictionless
import pandas as pd
import pytest
from click.testing import CliRunner

from getting_to_outcomes.cli import main
from getting_to_outcomes.io import source_schema

from .conftest import INVALID


def _fields(schema: dict) -> dict[str, dict]:
    return {f["name"]: f for f in schema["fields"]}


def test_the_schema_comes_from_the_framework(framework) -> None:
    schema = source_schema("test_survey", framework)
    fields = _fields(schema)
    assert schema["primaryKey"] == ["org_id", "person_id", "wave"]
    assert fields["wave"]["constraints"] == {"enum": ["pre", "post"], "required": True}
    assert fields["completed"]["type"] == "date"
    assert (fields["completed"]["constraints"]["minimum"],
            fields["completed"]["constraints"]["maximum"]) == ("2023-01-01", "2024-12-31")
    assert fields["meetings"]["constraints"] == {"minimum": 0, "maximum": 100}
    assert fields["meetings"]["title"] == "How many meetings did you attend this year?"
    assert "Identifies a person" in fields["name"]["description"]


def test_a_likert_item_allows_its_scale_codes_and_names_its_missing_codes(framework) -> None:
    scale = framework.scale("agree5")
    q1 = _fields(source_schema("test_survey", framework))["q1"]
    assert q1["type"] == "integer"
    assert q1["constraints"]["enum"] == [c.code for c in scale.codes]
    assert q1["unit"] == scale.name
    missing = {m["value"]: m["label"] for m in q1["missingValues"]}
    assert missing[""] == "blank: no value"
    for code in scale.missing:
        assert missing[str(code.value)] == f"{code.reason}: {code.value}"


def test_a_column_missing_code_is_kept_with_its_reason(framework) -> None:
    meetings = _fields(source_schema("test_survey", framework))["meetings"]
    assert {"value": "-1", "label": "not_asked: -1"} in meetings["missingValues"]


def test_columns_of_the_table_decide_the_fields_and_the_key(framework) -> None:
    schema = source_schema("test_survey", framework, columns=["row", "org_id", "q1"])
    assert [f["name"] for f in schema["fields"]] == ["row", "org_id", "q1"]
    assert _fields(schema)["row"]["type"] == "string"
    assert "primaryKey" not in schema  # person_id and wave are not in the table


@pytest.fixture
def run(framework_dir: Path):  # type: ignore[no-untyped-def]
    def invoke(*args: str):  # type: ignore[no-untyped-def]
        return CliRunner().invoke(main, [*args, "--framework", str(framework_dir)])

    return invoke


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_out_valid_rows_come_with_a_package_frictionless_accepts(
    run, tmp_path: Path, suffix: str
) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / f"valid{suffix}"
    result = run("validate", str(INVALID / "out_of_range.csv"), "--source", "test_survey",
                 "--out-valid", str(out))
    assert result.exit_code == 1, result.output
    descriptor = tmp_path / "valid.datapackage.json"
    assert f"described in {descriptor}" in result.output
    report = frictionless.validate(str(descriptor))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    package = json.loads(descriptor.read_text(encoding="utf-8"))
    (resource,) = package["resources"]
    assert resource["path"] == out.name
    assert resource["schema"]["primaryKey"] == ["org_id", "person_id", "wave"]
    assert _fields(resource["schema"])["row"]["type"] == "integer"


def test_out_valid_csv_writes_answers_as_whole_numbers(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "valid.csv"
    run("validate", str(INVALID / "out_of_range.csv"), "--source", "test_survey",
        "--out-valid", str(out))
    text = pd.read_csv(out, dtype=str)
    # out_of_range.csv: row 3 answers q1 with "5", row 5 with "Strongly disagree" (code 1).
    assert text["q1"].tolist() == ["5", "1"]


def test_an_answer_outside_the_scale_breaks_the_package(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "valid.csv"
    run("validate", str(INVALID / "out_of_range.csv"), "--source", "test_survey",
        "--out-valid", str(out))
    rows = pd.read_csv(out, dtype=str)
    rows.loc[0, "q1"] = "7"
    rows.to_csv(out, index=False)
    report = frictionless.validate(str(tmp_path / "valid.datapackage.json"))
    assert report.flatten(["rowNumber", "fieldName", "type"]) == [[2, "q1", "constraint-error"]]


def test_parquet_rows_carry_their_own_schema_and_get_no_package(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "valid.parquet"
    run("validate", str(INVALID / "out_of_range.csv"), "--source", "test_survey",
        "--out-valid", str(out))
    assert [p.name for p in tmp_path.iterdir()] == [out.name]
