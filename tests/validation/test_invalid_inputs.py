"""Each file of tests/data/invalid/ has one defect: it ends in a report naming the row,
column and reason, or in a DataReadError naming the file and the problem.

Rows are numbered as in a spreadsheet (header = row 1). The files are written by
tests/data/make_invalid_fixtures.py; the comments say where each defect was put.
"""

from __future__ import annotations

import pandas as pd
import pytest

from getting_to_outcomes import DataReadError, Framework, validate

from .conftest import INVALID


def _report(framework: Framework, name: str):  # type: ignore[no-untyped-def]
    return validate(INVALID / name, framework, source="test_survey")


def _found(report, severity: str | None = None) -> set[tuple[object, object, str]]:  # type: ignore[no-untyped-def]
    issues = report.issues
    if severity is not None:
        issues = issues[issues["severity"] == severity]
    return {
        (None if pd.isna(r) else int(r), None if pd.isna(c) else c, reason)
        for r, c, reason in zip(issues["row"], issues["column"], issues["reason"], strict=True)
    }


def _errors(report) -> set[tuple[object, object, str]]:  # type: ignore[no-untyped-def]
    return _found(report, "error")


@pytest.mark.parametrize(
    ("name", "expected_errors"),
    [
        # semicolons instead of commas; q1 = 9 in the second data row (spreadsheet row 3)
        ("wrong_delimiter.csv", {(3, "q1", "out_of_range")}),
        # a UTF-8 byte-order mark before "Organization"; q2 = "Sometimes" in row 3
        ("bom.csv", {(3, "q2", "unknown_answer")}),
        # Excel's "Unicode text": UTF-16 with tabs; q4 = 8 in row 5
        ("utf16_tab_delimited.csv", {(5, "q4", "out_of_range")}),
        # "about six" meetings in row 3
        ("text_in_numeric.csv", {(3, "meetings", "not_a_number")}),
        # q1 = 7 in row 4 and 150 meetings in row 2 are errors (55 meetings in row 3 is a warning)
        ("out_of_range.csv", {(4, "q1", "out_of_range"), (2, "meetings", "out_of_range")}),
        # "Somewhat agree" is not on the five-point agreement scale (row 2)
        ("unknown_likert_label.csv", {(2, "q2", "unknown_answer")}),
        # P1 answered the pre survey twice: rows 2 and 4
        (
            "duplicate_respondent.csv",
            {(2, "person_id", "duplicate_key"), (4, "person_id", "duplicate_key")},
        ),
        # completed on 2022-12-31, before the period starts (row 3)
        ("date_outside_period.csv", {(3, "completed", "outside_period")}),
        # blank rows 3 and 5 are skipped; q1 = "x" in row 6
        ("blank_rows_in_middle.csv", {(6, "q1", "unknown_answer")}),
        # Qualtrics: ids in row 1, question texts in row 2, ImportIds in row 3; row 5 q3
        ("qualtrics_header_rows.csv", {(5, "q3", "unknown_answer")}),
        # "Respondent ID" twice: the second copy (column J) is an error about the column
        ("duplicate_header.csv", {(None, "person_id", "duplicate_column")}),
        # no "Survey wave" column at all
        ("missing_required_column.csv", {(None, "wave", "missing_column")}),
    ],
)
def test_each_defect_is_reported_at_its_row_and_column(
    framework: Framework, name: str, expected_errors: set[tuple[object, object, str]]
) -> None:
    report = _report(framework, name)
    assert _errors(report) == expected_errors
    assert report.rows_read == len(report.valid_rows) + len(report.rejected_rows)
    assert not report.ok


def test_implausible_value_is_a_warning_that_keeps_the_row(framework: Framework) -> None:
    report = _report(framework, "out_of_range.csv")
    assert (3, "meetings", "implausible") in _found(report, "warning")
    assert 3 in report.valid_rows.index
    assert report.valid_rows.loc[3, "meetings"] == 55


def test_out_of_range_rows_are_rejected_with_their_reasons(framework: Framework) -> None:
    report = _report(framework, "out_of_range.csv")
    assert sorted(report.rejected_rows.index) == [2, 4]
    assert report.rejected_rows.loc[4, "reasons"] == "q1: out_of_range"
    assert pd.isna(report.rejected_rows.loc[4, "q1"])


def test_extra_unknown_column_is_a_warning(framework: Framework) -> None:
    report = _report(framework, "unknown_column.csv")
    assert _found(report, "warning") == {(None, "Favourite colour", "unknown_column")}
    assert report.ok
    assert len(report.valid_rows) == 4


def test_missing_required_column_rejects_every_row(framework: Framework) -> None:
    report = _report(framework, "missing_required_column.csv")
    assert len(report.valid_rows) == 0
    assert report.rejected_rows["reasons"].eq("wave: missing_column").all()


def test_duplicate_header_uses_the_first_column(framework: Framework) -> None:
    report = _report(framework, "duplicate_header.csv")
    message = report.issues.loc[report.issues["reason"] == "duplicate_column", "message"].item()
    assert message.startswith("Column J (")
    assert "column B (" in message
    assert list(report.valid_rows["person_id"]) == ["P1", "P2", "P1", "P9"]


def test_latin1_text_is_read_with_a_warning(framework: Framework) -> None:
    report = _report(framework, "latin1.csv")
    assert (None, None, "encoding") in _found(report, "warning")
    assert report.valid_rows.loc[2, "person_id"] == "José"


def test_bom_does_not_hide_the_first_header(framework: Framework) -> None:
    report = _report(framework, "bom.csv")
    assert "unknown_column" not in set(report.issues["reason"])
    assert list(report.valid_rows["org_id"]) == ["org1", "org1", "org2"]


def test_wrong_delimiter_is_sniffed_and_noted(framework: Framework) -> None:
    report = _report(framework, "wrong_delimiter.csv")
    note = report.issues[report.issues["reason"] == "delimiter"]
    assert note["severity"].item() == "info"
    assert "semicolon" in note["message"].item()


def test_qualtrics_header_rows_are_skipped_and_noted(framework: Framework) -> None:
    report = _report(framework, "qualtrics_header_rows.csv")
    note = report.issues.loc[report.issues["reason"] == "header_rows", "message"].item()
    assert "Row(s) 2, 3" in note
    assert report.rows_read == 4
    assert list(report.valid_rows.index) == [4, 6, 7]
    assert report.valid_rows.loc[4, "person_id"] == "R_P1x"


def test_blank_rows_in_the_middle_are_skipped_and_reported(framework: Framework) -> None:
    report = _report(framework, "blank_rows_in_middle.csv")
    assert _found(report, "warning") == {(3, None, "blank_row"), (5, None, "blank_row")}
    assert report.rows_read == 3
    assert list(report.valid_rows.index) == [2, 4]


def test_trailing_blank_rows_are_counted(framework: Framework) -> None:
    report = _report(framework, "trailing_blank_rows.csv")
    message = report.issues.loc[report.issues["reason"] == "blank_rows", "message"].item()
    assert message.startswith("3 blank row(s)")
    assert report.rows_read == 4


def test_cells_beyond_the_header_are_a_warning_at_their_row(framework: Framework) -> None:
    report = _report(framework, "ragged_row.csv")
    assert _found(report, "warning") == {(3, "(unnamed column J)", "extra_cells")}
    assert report.rows_read == 4


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("empty.csv", "is empty"),
        ("pdf_renamed.csv", "is a PDF document, not a table"),
        ("binary_garbage.csv", "is binary data"),
        ("huge_cell.csv", "row 3, column 'q4' holds a cell of 40,000 characters"),
        ("unclosed_quote.csv", "opened in row 3 is never closed"),
    ],
)
def test_unreadable_files_raise_a_clear_library_error(
    framework: Framework, name: str, words: str
) -> None:
    with pytest.raises(DataReadError) as caught:
        _report(framework, name)
    assert str(caught.value).startswith(str(INVALID / name))
    assert words in str(caught.value)
    assert caught.value.__cause__ is None  # no pandas traceback chained to the message


def test_a_missing_file_raises_a_clear_library_error(framework: Framework) -> None:
    with pytest.raises(DataReadError, match="no such file"):
        validate(INVALID / "not-there.csv", framework, source="test_survey")
