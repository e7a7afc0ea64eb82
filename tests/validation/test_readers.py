"""Reading files the way people export them: formats, encodings, header rows, row numbers."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from getting_to_outcomes import DataReadError, Framework, read_table, validate
from getting_to_outcomes.io._readers import column_letter, map_headers, read_raw

from .conftest import EXPORTS, INVALID


def test_csv_rows_are_numbered_as_a_spreadsheet_shows_them(tmp_path: Path) -> None:
    # A quoted cell spanning two lines is still one spreadsheet row.
    path = tmp_path / "survey.csv"
    path.write_text('Respondent ID,Comment\nP1,"two\nlines"\n\nP2,ok\n')
    table = read_table(path)
    assert list(table.index) == [2, 4]
    assert table.loc[2, "Comment"] == "two\nlines"
    assert table.index.name == "row"


def test_read_table_maps_headers_to_a_source(framework: Framework) -> None:
    table = read_table(EXPORTS / "google_forms.csv", source="test_survey", framework=framework)
    assert {"completed", "org_id", "person_id", "wave", "q1", "q2", "q3", "q4", "meetings"} <= set(
        table.columns
    )
    assert table.loc[2, "q1"] == "Agree"


def test_headers_match_ignoring_case_spaces_and_punctuation(framework: Framework) -> None:
    source = framework.source("test_survey")
    mapping = map_headers(
        [["  respondent-ID "], ["SURVEY_WAVE"], ["Organization:"], ["Q1."]], source
    )
    assert mapping.columns == {"person_id": 0, "wave": 1, "org_id": 2, "q1": 3}


def test_question_text_and_google_forms_grid_headers_match(framework: Framework) -> None:
    source = framework.source("test_survey")
    mapping = map_headers(
        [
            ["How many meetings did you attend this year?"],
            ["How much do you agree? [People like me can change school policy.]"],
            ["Agree? - When I speak up, officials listen."],
        ],
        source,
    )
    assert mapping.columns == {"meetings": 0, "q3": 1, "q4": 2}


def test_google_forms_export(framework: Framework) -> None:
    report = validate(EXPORTS / "google_forms.csv", framework, source="test_survey")
    # Seeded: "Agree strongly" for q1 in the third answer (spreadsheet row 4).
    errors = report.issues[report.issues["severity"] == "error"]
    assert list(zip(errors["row"], errors["column"], errors["reason"], strict=True)) == [
        (4, "q1", "unknown_answer")
    ]
    assert report.valid_rows.loc[2, "completed"] == pd.Timestamp("2023-03-01")


def test_surveymonkey_export_with_its_second_header_row(framework: Framework) -> None:
    report = validate(EXPORTS / "surveymonkey.csv", framework, source="test_survey")
    # Seeded: "lots" meetings in the second answer, spreadsheet row 4 (two header rows).
    errors = report.issues[report.issues["severity"] == "error"]
    assert list(zip(errors["row"], errors["column"], errors["reason"], strict=True)) == [
        (4, "meetings", "not_a_number")
    ]
    # The survey tool's own columns: one note for the file, naming and counting them.
    tool = report.issues[report.issues["reason"] == "tool_column"]
    assert tool["value"].tolist() == ["2"]
    assert tool["message"].iloc[0].endswith("were ignored: Collector ID, Start Date.")
    assert report.valid_rows.loc[3, "q2"] == 2.0  # "I can run a meeting..." came from row 2


def test_excel_sheet_choice_and_title_rows(tmp_path: Path, framework: Framework) -> None:
    path = tmp_path / "survey.xlsx"
    workbook = openpyxl.Workbook()
    notes = workbook.active
    notes.title = "Notes"
    notes["A1"] = "Read me first"
    data = workbook.create_sheet("Answers")
    data["A1"] = "Leadership survey, spring 2023"  # a title above the header
    for col, header in enumerate(
        ["Organization", "Respondent ID", "Survey wave", "Timestamp", "q1"], start=1
    ):
        data.cell(row=3, column=col, value=header)
    data.append(["org1", "P1", "pre", dt.datetime(2023, 3, 1, 10, 0), 5])
    data.append(["org1", "P2", "pre", dt.datetime(2023, 3, 2), "Agree"])
    data.append(["org1", 17, "pre", "2023-03-03", 9])
    workbook.save(path)
    report = validate(path, framework, source="test_survey", sheet="Answers")
    assert list(report.valid_rows.index) == [4, 5]
    assert report.valid_rows.loc[4, "completed"] == pd.Timestamp("2023-03-01")
    errors = report.issues[report.issues["severity"] == "error"]
    assert list(zip(errors["row"], errors["column"], errors["reason"], strict=True)) == [
        (6, "q1", "out_of_range")
    ]
    assert report.rejected_rows.loc[6, "person_id"] == "17"  # a number typed as an id
    assert "rows_above_header" in set(report.issues["reason"])
    with pytest.raises(DataReadError, match=r"has no sheet 'Answer'.*did you mean 'Answers'"):
        validate(path, framework, source="test_survey", sheet="Answer")
    same = validate(path, framework, source="test_survey", sheet=1)
    pd.testing.assert_frame_equal(same.issues, report.issues)


def test_parquet_and_spss_keep_types_and_value_labels(tmp_path: Path, framework: Framework) -> None:
    pyreadstat = pytest.importorskip("pyreadstat")
    frame = pd.DataFrame(
        {
            "org_id": ["org1", "org1", "org2"],
            "person_id": ["P1", "P2", "P3"],
            "wave": [1.0, 1.0, 2.0],
            "q1": [5.0, 99.0, 7.0],
            "meetings": [3.0, np.nan, 4.0],
        }
    )
    sav = tmp_path / "survey.sav"
    pyreadstat.write_sav(
        frame,
        str(sav),
        column_labels=[
            "Organization",
            "Respondent ID",
            "Survey wave",
            "I understand how decisions about schools are made.",
            "Meetings",
        ],
        variable_value_labels={
            "wave": {1.0: "pre", 2.0: "post"},
            "q1": {5.0: "Strongly agree", 99.0: "Don't know"},
        },
    )
    report = validate(sav, framework, source="test_survey")
    # SPSS shows case numbers from 1: the third case has q1 = 7.
    errors = report.issues[report.issues["severity"] == "error"]
    assert list(zip(errors["row"], errors["column"], errors["reason"], strict=True)) == [
        (3, "q1", "out_of_range")
    ]
    assert list(report.valid_rows["wave"]) == ["pre", "pre"]
    # Case 2 answered 99, labelled "Don't know", and left meetings blank.
    assert report.missing.astype(str).values.tolist() == [
        ["2", "meetings", "skipped"],
        ["2", "q1", "dont_know"],
    ]
    parquet = tmp_path / "survey.parquet"
    frame.assign(wave=["pre", "pre", "post"]).to_parquet(parquet)
    from_parquet = validate(parquet, framework, source="test_survey")
    assert list(from_parquet.rejected_rows.index) == [4]  # the header would be row 1


def test_dataframe_input_gives_the_same_report_as_the_file(framework: Framework) -> None:
    path = INVALID / "out_of_range.csv"
    from_file = validate(path, framework, source="test_survey")
    from_frame = validate(pd.read_csv(path, dtype=str), framework, source="test_survey")
    columns = ["row", "column", "value", "check", "reason", "severity", "message", "fix"]
    pd.testing.assert_frame_equal(from_file.issues[columns], from_frame.issues[columns])


@pytest.mark.parametrize(
    "name",
    ["qualtrics_header_rows.csv", "blank_rows_in_middle.csv", "latin1.csv", "ragged_row.csv"],
)
def test_read_table_then_validate_reports_what_the_file_does(
    framework: Framework, name: str
) -> None:
    # Blank rows, header rows and encodings are remembered by read_table for validate.
    from_file = validate(INVALID / name, framework, source="test_survey")
    for table in (
        read_table(INVALID / name),
        read_table(INVALID / name, source="test_survey", framework=framework),
    ):
        from_frame = validate(table, framework, source="test_survey")
        pd.testing.assert_frame_equal(from_file.issues, from_frame.issues)
        pd.testing.assert_frame_equal(from_file.valid_rows, from_frame.valid_rows)


def test_a_workbook_renamed_csv_is_read_as_a_workbook(tmp_path: Path, framework: Framework) -> None:
    workbook = openpyxl.Workbook()
    workbook.active.append(["Organization", "Respondent ID", "Survey wave"])
    workbook.active.append(["org1", "P1", "pre"])
    path = tmp_path / "survey.csv"
    workbook.save(path)
    report = validate(path, framework, source="test_survey")
    assert report.rows_read == 1
    assert "format" in set(report.issues["reason"])


def test_explicit_encoding_and_delimiter(tmp_path: Path) -> None:
    path = tmp_path / "survey.txt"
    path.write_bytes("Name|Wave\nJosé|pre\n".encode("cp1252"))
    table = read_table(path, encoding="cp1252", delimiter="|")
    assert table.loc[2, "Name"] == "José"
    with pytest.raises(DataReadError, match="cannot be read as utf-8"):
        read_table(path, encoding="utf-8")


def test_folder_and_header_only_files(tmp_path: Path) -> None:
    with pytest.raises(DataReadError, match="is a folder"):
        read_raw(tmp_path)
    only_header = tmp_path / "header.csv"
    only_header.write_text("Organization,Respondent ID\n")
    assert read_raw(only_header).frame.shape == (0, 2)


def test_column_letters() -> None:
    assert [column_letter(k) for k in (0, 9, 25, 26, 701, 702)] == [
        "A",
        "J",
        "Z",
        "AA",
        "ZZ",
        "AAA",
    ]
