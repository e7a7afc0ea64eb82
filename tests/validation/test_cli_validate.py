"""``gto validate`` and ``gto template`` from the command line."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from getting_to_outcomes.cli import main

from .conftest import EXPORTS, INVALID


@pytest.fixture
def run(framework_dir: Path):  # type: ignore[no-untyped-def]
    def invoke(*args: str, env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
        return CliRunner().invoke(main, [*args, "--framework", str(framework_dir)], env=env)

    return invoke


def test_exit_0_without_errors(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "clean.csv"
    path.write_text((INVALID / "unknown_column.csv").read_text())
    result = run("validate", str(path), "--source", "test_survey")
    assert result.exit_code == 0, result.output
    assert "OK: no errors" in result.output


def test_exit_1_with_errors_and_every_issue_listed(run) -> None:  # type: ignore[no-untyped-def]
    result = run("validate", str(INVALID / "out_of_range.csv"), "--source", "test_survey")
    assert result.exit_code == 1
    assert "row 4, column q1: 7 is outside the scale (1 to 5)." in result.output
    assert "fix: Use a code from 1 to 5" in result.output


def test_exit_1_on_an_unreadable_file(run) -> None:  # type: ignore[no-untyped-def]
    result = run("validate", str(INVALID / "pdf_renamed.csv"), "--source", "test_survey")
    assert result.exit_code == 1
    assert "is a PDF document, not a table" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    "args",
    [
        ["validate", "missing.csv", "--source", "test_survey"],
        ["validate", "{fixture}", "--source", "no_such_source"],
        ["validate", "{fixture}"],
        ["validate", "{fixture}", "--source", "test_survey", "--out-valid", "rows.json"],
    ],
)
def test_exit_2_on_usage_errors(run, args: list[str]) -> None:  # type: ignore[no-untyped-def]
    fixture = str(INVALID / "out_of_range.csv")
    result = run(*[a.replace("{fixture}", fixture) for a in args])
    assert result.exit_code == 2, result.output


def test_unknown_source_suggests_a_name(run) -> None:  # type: ignore[no-untyped-def]
    result = run("validate", str(INVALID / "bom.csv"), "--source", "test_survy")
    assert result.exit_code == 2
    assert "did you mean 'test_survey'" in result.output


def test_never_writes_over_an_input_file(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "survey.csv"
    original = (INVALID / "out_of_range.csv").read_bytes()
    path.write_bytes(original)
    result = run("validate", str(path), "--source", "test_survey", "--out-valid", str(path))
    assert result.exit_code == 2
    assert path.read_bytes() == original


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".parquet"])
def test_out_valid_writes_the_valid_rows(run, tmp_path: Path, suffix: str) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / f"valid{suffix}"
    result = run(
        "validate",
        str(INVALID / "out_of_range.csv"),
        "--source",
        "test_survey",
        "--out-valid",
        str(out),
    )
    assert result.exit_code == 1
    rows = {".csv": pd.read_csv, ".xlsx": pd.read_excel, ".parquet": pd.read_parquet}[suffix](out)
    assert rows["row"].tolist() == [3, 5]
    # No temporary file left behind; CSV and Excel rows come with their data package.
    described = [] if suffix == ".parquet" else ["valid.datapackage.json"]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([out.name, *described])


def test_json_and_csv_formats_are_machine_readable(run) -> None:  # type: ignore[no-untyped-def]
    as_json = run(
        "validate", str(EXPORTS / "google_forms.csv"), "--source", "test_survey", "--format", "json"
    )
    data = json.loads(as_json.output)
    assert data["totals"]["error"] == 1
    assert data["ok"] is False
    as_csv = run(
        "validate", str(EXPORTS / "google_forms.csv"), "--source", "test_survey", "--format", "csv"
    )
    issues = pd.read_csv(StringIO(as_csv.output))
    assert issues.loc[
        issues["severity"] == "error", ["row", "column", "reason"]
    ].values.tolist() == [[4, "q1", "unknown_answer"]]


def test_several_files_at_once(run) -> None:  # type: ignore[no-untyped-def]
    result = run(
        "validate",
        str(INVALID / "bom.csv"),
        str(INVALID / "wrong_delimiter.csv"),
        "--source",
        "test_survey",
        "--format",
        "json",
    )
    data = json.loads(result.output)
    assert data["rows_read"] == 8
    errors = {
        (i["file"].rsplit("/", 1)[-1], i["row"], i["reason"])
        for i in data["issues"]
        if i["severity"] == "error"
    }
    # Both files hold the same four answers: each row is a duplicate of the other file's row.
    assert errors == {
        ("bom.csv", 3, "unknown_answer"),
        ("wrong_delimiter.csv", 3, "out_of_range"),
    } | {
        (name, row, "duplicate_key")
        for name in ("bom.csv", "wrong_delimiter.csv")
        for row in (2, 3, 4, 5)
    }


def test_pseudonymize_needs_a_key_and_never_prints_it(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    fixture = str(INVALID / "duplicate_respondent.csv")
    no_key = run(
        "validate",
        fixture,
        "--source",
        "test_survey",
        "--pseudonymize",
        env={"GTO_PSEUDONYM_KEY": "", "GTO_PSEUDONYM_KEY_FILE": ""},
    )
    assert no_key.exit_code == 2
    assert "GTO_PSEUDONYM_KEY" in no_key.output
    secret = "an-example-secret-key-of-some-length"
    out = tmp_path / "valid.csv"
    result = run(
        "validate",
        fixture,
        "--source",
        "test_survey",
        "--pseudonymize",
        "--format",
        "json",
        "--out-valid",
        str(out),
        env={"GTO_PSEUDONYM_KEY": secret},
    )
    assert result.exit_code == 1
    assert secret not in result.output
    assert secret not in out.read_text()
    assert "P1" not in result.output
    assert "P9" not in out.read_text()
    key_file = tmp_path / "gto.key"
    key_file.write_text(secret + "\n")
    from_file = run(
        "validate",
        fixture,
        "--source",
        "test_survey",
        "--pseudonymize",
        "--format",
        "json",
        "--key-file",
        str(key_file),
        env={"GTO_PSEUDONYM_KEY": ""},
    )
    assert json.loads(from_file.output)["issues"] == json.loads(result.output)["issues"]


@pytest.mark.parametrize("kind", ["csv", "xlsx", "xlsform"])
def test_template_writes_headers_and_a_codebook(run, tmp_path: Path, kind: str) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / f"survey.{'csv' if kind == 'csv' else 'xlsx'}"
    result = run("template", "test_survey", "--format", kind, "--out", str(out))
    assert result.exit_code == 0, result.output
    assert out.exists()
    again = run("template", "test_survey", "--format", kind, "--out", str(out))
    assert again.exit_code == 2
    assert "already exist" in again.output
    assert (
        run("template", "test_survey", "--format", kind, "--out", str(out), "--force").exit_code
        == 0
    )


def test_template_writes_an_xlsform_named_for_the_source(  # type: ignore[no-untyped-def]
    run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import openpyxl

    monkeypatch.chdir(tmp_path)
    result = run("template", "test_survey", "--format", "xlsform")
    assert result.exit_code == 0, result.output
    assert result.output == "wrote test_survey-xlsform.xlsx\n"
    book = openpyxl.load_workbook(tmp_path / "test_survey-xlsform.xlsx")
    assert book.sheetnames == ["survey", "choices", "settings"]
    assert not (tmp_path / "test_survey-xlsform-codebook.csv").exists()


def test_sheet_by_name_or_number_from_one(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import openpyxl

    path = tmp_path / "survey.xlsx"
    workbook = openpyxl.Workbook()
    workbook.active.title = "Read me"
    workbook.active.append(["This workbook holds the spring survey."])
    answers = workbook.create_sheet("Answers")
    answers.append(["Organization", "Respondent ID", "Survey wave", "q1"])
    answers.append(["org1", "P1", "pre", "Agree"])
    workbook.save(path)
    by_name = run(
        "validate", str(path), "--source", "test_survey", "--sheet", "Answers", "--format", "json"
    )
    by_number = run(
        "validate", str(path), "--source", "test_survey", "--sheet", "2", "--format", "json"
    )
    assert by_name.exit_code == by_number.exit_code == 0
    assert json.loads(by_name.output)["rows_read"] == json.loads(by_number.output)["rows_read"] == 1
