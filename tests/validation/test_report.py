"""ValidationReport: the contract other parts of the library rely on, and the rules across rows."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from getting_to_outcomes import (
    DataValidationError,
    Framework,
    PseudonymKey,
    ValidationReport,
    validate,
)
from getting_to_outcomes.validation._validation_report import ISSUE_COLUMNS, REASONS

from .conftest import INVALID


def test_a_clean_file_is_ok(framework: Framework, survey_rows: pd.DataFrame) -> None:
    report = validate(survey_rows, framework, source="test_survey")
    assert report.ok
    assert report.rows_read == 4 == len(report.valid_rows)
    assert report.rejected_rows.empty
    assert report.raise_if_invalid() is report


def test_valid_rows_have_canonical_columns_and_types(
    framework: Framework, survey_rows: pd.DataFrame
) -> None:
    rows = validate(survey_rows, framework, source="test_survey").valid_rows
    assert list(rows.columns) == [c.name for c in framework.source("test_survey").columns]
    assert rows.index.name == "row"
    assert list(rows.index) == [2, 3, 4, 5]
    assert rows["q1"].dtype == np.float64
    assert rows["meetings"].dtype == np.float64
    assert rows["completed"].dtype.kind == "M"
    assert pd.api.types.is_string_dtype(rows["role"].dtype)
    # Missing answers are NaN, never zero: q2 "Don't know" in row 5, q4 "Refused" in row 4.
    assert rows["q1"].tolist() == [4.0, 5.0, 4.0, 1.0]
    assert np.isnan(rows.loc[5, "q2"])
    assert np.isnan(rows.loc[4, "q4"])
    assert np.isnan(rows.loc[5, "meetings"])
    events = pd.DataFrame(
        {"org_id": ["o"], "event_id": ["e1"], "held_on": ["2024-01-01"], "public": ["yes"]}
    )
    typed = validate(events, framework, source="test_events").valid_rows
    assert str(typed["public"].dtype) == "boolean"
    assert bool(typed["public"].iloc[0])


def test_missing_lists_every_explicit_missing_code(
    framework: Framework, survey_rows: pd.DataFrame
) -> None:
    missing = validate(survey_rows, framework, source="test_survey").missing
    assert list(missing.columns) == ["row", "column", "reason"]
    found = set(
        zip(
            missing["row"],
            missing["column"].astype(str),
            missing["reason"].astype(str),
            strict=True,
        )
    )
    assert found == {
        (3, "name", "skipped"),
        (5, "name", "skipped"),
        (5, "meetings", "skipped"),
        (5, "q2", "dont_know"),
        (4, "q4", "refused"),
    }


def test_rows_read_equal_valid_plus_rejected_and_counts_add_up(framework: Framework) -> None:
    for path in sorted(INVALID.glob("*.csv")):
        try:
            report = validate(path, framework, source="test_survey")
        except Exception:  # unreadable fixtures are tested elsewhere
            continue
        assert report.rows_read == len(report.valid_rows) + len(report.rejected_rows), path.name
        assert int(report.counts["count"].sum()) == len(report.issues), path.name
        rejected = set(report.issues.loc[report.issues["severity"] == "error", "row"].dropna())
        assert rejected <= set(report.rejected_rows.index), path.name


def test_issue_table_columns_and_vocabulary(framework: Framework) -> None:
    report = validate(INVALID / "out_of_range.csv", framework, source="test_survey")
    assert list(report.issues.columns) == ISSUE_COLUMNS
    assert set(report.issues["reason"]) <= set(REASONS)
    assert report.issues["source"].eq("test_survey").all()
    assert report.to_frame().equals(report.issues)
    for reason, check, severity in zip(
        report.issues["reason"], report.issues["check"], report.issues["severity"], strict=True
    ):
        assert REASONS[reason][:2] == (check, severity)
    needs_action = report.issues[report.issues["severity"] != "info"]
    assert needs_action["fix"].str.len().gt(10).all()


def test_raise_if_invalid_carries_the_report(framework: Framework) -> None:
    report = validate(INVALID / "out_of_range.csv", framework, source="test_survey")
    with pytest.raises(DataValidationError, match="2 error") as caught:
        report.raise_if_invalid()
    assert caught.value.report is report
    assert "row 4, column q1" in str(caught.value)


def test_summary_json_and_notebook_display(framework: Framework) -> None:
    report = validate(INVALID / "out_of_range.csv", framework, source="test_survey")
    text = report.summary()
    assert "4 row(s) read: 2 valid, 2 rejected" in text
    assert "row 4, column q1: 7 is outside the scale (1 to 5)." in text
    data = json.loads(report.to_json())
    assert data["ok"] is False
    assert data["rows_read"] == 4
    assert len(data["issues"]) == len(report.issues)
    assert sum(c["count"] for c in data["counts"]) == len(report.issues)
    assert {"row": 4, "column": "q1", "reason": "out_of_range"}.items() <= next(
        i for i in data["issues"] if i["column"] == "q1"
    ).items()
    assert "<table" in report._repr_html_()
    assert repr(report).startswith("<ValidationReport test_survey: 4 rows, 2 rejected")


def test_report_is_frozen(framework: Framework, survey_rows: pd.DataFrame) -> None:
    report = validate(survey_rows, framework, source="test_survey")
    with pytest.raises(AttributeError):
        report.rows_read = 5  # type: ignore[misc]
    assert isinstance(report, ValidationReport)


def test_html_escapes_what_it_shows(framework: Framework, survey_rows: pd.DataFrame) -> None:
    survey_rows.loc[0, "role"] = "<script>alert(1)</script>"
    html = validate(survey_rows, framework, source="test_survey")._repr_html_()
    assert "<script>" not in html
    assert "&lt;script&gt;" in html


def test_summary_says_plainly_when_issues_are_not_all_shown(framework: Framework) -> None:
    rows = pd.DataFrame(
        {
            "org_id": ["o"] * 60,
            "person_id": [f"P{k}" for k in range(60)],
            "wave": ["pre"] * 60,
            "q1": ["x"] * 60,
        }
    )
    report = validate(rows, framework, source="test_survey")
    assert len(report.issues[report.issues["reason"] == "unknown_answer"]) == 60  # no cap
    assert "more issue(s) not shown here" in report.summary(max_issues=10)
    assert "not shown" not in report.summary(max_issues=None)


def test_straightlining_is_a_warning(framework: Framework, survey_rows: pd.DataFrame) -> None:
    survey_rows.loc[1, ["q1", "q2", "q3", "q4"]] = ["4", "Agree", "4", "agree"]
    report = validate(survey_rows, framework, source="test_survey")
    flagged = report.issues[report.issues["reason"] == "straightlining"]
    assert flagged[["row", "severity"]].values.tolist() == [[3, "warning"]]
    assert "(4 = Agree)" in flagged["message"].item()
    assert 3 in report.valid_rows.index


def test_comparisons_between_fields(framework: Framework) -> None:
    events = pd.DataFrame(
        {
            "org_id": ["o", "o", "o"],
            "event_id": ["e1", "e2", "e3"],
            "held_on": ["2024-01-01", "2024-02-01", "2024-03-01"],
            "attendees": ["40", "10", ""],
            "new_attendees": ["12", "15", "3"],
            "speakers": ["2", "20", "1"],
        }
    )
    report = validate(events, framework, source="test_events")
    errors = report.issues[report.issues["severity"] == "error"]
    # Row 3: 15 new attendees out of 10; 20 speakers out of 10. Row 4 has no attendee count.
    assert errors[["row", "column", "reason"]].values.tolist() == [
        [3, "attendees", "comparison_failed"],
        [3, "new_attendees", "comparison_failed"],
    ]
    assert (
        "new_attendees (15) should be <= attendees (10). new attendees are among all attendees"
        in set(errors["message"])
    )


def test_duplicates_across_files_and_pre_post_matching(
    framework: Framework, tmp_path: Path, survey_rows: pd.DataFrame
) -> None:
    pre = survey_rows[survey_rows["wave"] == "pre"]
    post = survey_rows[survey_rows["wave"] == "post"]
    post = pd.concat([post, post.assign(person_id="P7")])
    (tmp_path / "pre.csv").write_text(pre.to_csv(index=False))
    (tmp_path / "post.csv").write_text(post.to_csv(index=False))
    report = validate(
        [tmp_path / "pre.csv", tmp_path / "post.csv"], framework, source="test_survey"
    )
    info = report.issues[report.issues["reason"] == "no_baseline"]
    assert info[["file", "row", "value", "severity"]].values.tolist() == [
        [str(tmp_path / "post.csv"), 3, "P7", "info"]
    ]
    assert report.rows_read == 5
    assert report.ok
    twice = validate([tmp_path / "pre.csv", tmp_path / "pre.csv"], framework, source="test_survey")
    duplicate = twice.issues[twice.issues["reason"] == "duplicate_key"]
    assert len(duplicate) == 6
    assert "pre.csv row 2" in duplicate["message"].iloc[0]


def test_a_report_names_its_file_from_the_folder_never_by_absolute_path(
    framework: Framework, tmp_path: Path
) -> None:
    path = tmp_path / "grantee" / "2024" / "survey.csv"
    path.parent.mkdir(parents=True)
    path.write_bytes((INVALID / "out_of_range.csv").read_bytes())
    report = validate(path.resolve(), framework, source="test_survey")
    text = report.summary(max_issues=None)
    html = report._repr_html_()
    with pytest.raises(DataValidationError) as caught:
        report.raise_if_invalid()
    for shown in (text, html, str(caught.value)):
        assert str(tmp_path) not in shown
    assert text.startswith("Validation of test_survey (survey.csv)")
    assert "survey.csv, row 4, column q1: 7 is outside the scale" in str(caught.value)
    # One file is named once, above the issues, not again in each of their rows.
    assert html.count("survey.csv") == 1
    # The issues keep the path as it was given, for programs that open the file.
    assert set(report.issues["file"]) == {str(path.resolve())}


def test_several_files_are_named_from_the_folder_they_share(
    framework: Framework, tmp_path: Path, survey_rows: pd.DataFrame
) -> None:
    for wave in ("a", "b"):
        (tmp_path / wave).mkdir()
        (tmp_path / wave / "pre.csv").write_text(survey_rows.to_csv(index=False))
    files = [(tmp_path / w / "pre.csv").resolve() for w in ("a", "b")]
    report = validate(files, framework, source="test_survey")
    text = report.summary(max_issues=None)
    html = report._repr_html_()
    assert str(tmp_path) not in text + html
    a, b = os.path.join("a", "pre.csv"), os.path.join("b", "pre.csv")
    assert text.startswith(f"Validation of test_survey ({a}, {b})")
    # The same rows twice: each duplicate names the file it is in.
    duplicate = report.issues[report.issues["reason"] == "duplicate_key"]
    assert f"(rows {a} row 2, {b} row 2)" in duplicate["message"].iloc[0]
    assert f"  error   {b}, row 2, column person_id: " in text
    assert f"<td>{b}</td>" in html


def test_pseudonymized_ids_match_across_files_and_hide_personal_data(
    framework: Framework, tmp_path: Path, survey_rows: pd.DataFrame
) -> None:
    key = PseudonymKey(b"a test key, 0123456789abcdefghij")
    first = validate(survey_rows, framework, source="test_survey", pseudonymize=key)
    again = validate(survey_rows.iloc[::-1], framework, source="test_survey", pseudonymize=key)
    ids = first.valid_rows["person_id"]
    assert not ids.isin(["P1", "P2", "P9"]).any()
    assert ids.loc[2] == ids.loc[4] == key.pseudonym("P1")
    assert set(ids) == set(again.valid_rows["person_id"])
    assert first.valid_rows["name"].isna().all()
    assert "Ana" not in first.to_json()


def test_engines_agree_on_a_fixture(framework: Framework) -> None:
    by_columns = validate(INVALID / "qualtrics_header_rows.csv", framework, source="test_survey")
    by_records = validate(
        INVALID / "qualtrics_header_rows.csv", framework, source="test_survey", checks="records"
    )
    pd.testing.assert_frame_equal(by_columns.issues, by_records.issues)
    pd.testing.assert_frame_equal(by_columns.valid_rows, by_records.valid_rows)


def test_the_documentation_explains_every_reason() -> None:
    page = (Path(__file__).parents[2] / "docs" / "validating-data.md").read_text()
    for reason, (check, severity, _) in REASONS.items():
        assert f"| {check} | `{reason}` | {severity} |" in page, reason


def test_a_long_account_is_worded_a_block_at_a_time_and_lists_every_issue(
    framework: Framework,
) -> None:
    # More issues than summary_lines words at a time (10,000): every issue is listed once,
    # in the order of the issue table, across the blocks.
    n = 10_250
    rows = pd.DataFrame({
        "org_id": "o1",
        "person_id": [f"P{k}" for k in range(n)],
        "survey_wave": "pre",
        "k1_district_decisions": 7,  # outside the five-point scale
    })
    report = validate(rows, framework, source="leadership_survey")
    assert len(report.issues) > 10_000
    lines = list(report.summary_lines(max_issues=None))
    listed = [line for line in lines if line.startswith(("  error", "  warning", "  info"))]
    assert len(listed) == len(report.issues)
    shown_rows = [int(line.split("row ")[1].split(",")[0]) for line in listed if "row " in line]
    assert shown_rows == report.issues["row"].dropna().astype(int).tolist()
    assert "\n".join(lines) == report.summary(max_issues=None)
