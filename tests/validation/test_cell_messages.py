"""Messages of flagged cells say which column holds what, and what would be right."""

from __future__ import annotations

import pandas as pd

from getting_to_outcomes import Framework, validate
from getting_to_outcomes.validation._answers import _WRONG_ANSWERS
from getting_to_outcomes.validation._table import CELL_REASONS


def test_text_in_a_number_column_names_the_column_and_how_to_write_it(
    framework: Framework, survey_rows: pd.DataFrame
) -> None:
    survey_rows.loc[1, "meetings"] = "a few"
    report = validate(survey_rows, framework, source="test_survey")
    issue = report.issues[report.issues["reason"] == "not_a_number"].iloc[0]
    assert (issue["row"], issue["column"], issue["value"]) == (3, "meetings", "a few")
    assert issue["message"] == "meetings holds 'a few', which is not a number."
    assert issue["fix"] == (
        "Write meetings as a number (digits only, e.g. 12), or leave it blank if unknown."
    )


def test_a_fraction_in_a_whole_number_column_names_the_column(
    framework: Framework, survey_rows: pd.DataFrame
) -> None:
    survey_rows.loc[0, "meetings"] = "2.5"
    report = validate(survey_rows, framework, source="test_survey")
    issue = report.issues[report.issues["reason"] == "not_an_integer"].iloc[0]
    assert issue["message"] == "meetings holds '2.5', which is not a whole number."


def test_every_reason_of_a_written_but_wrong_cell_counts_as_an_answer() -> None:
    # A cell holding something, however wrong, shows the column was answered.
    assert set(_WRONG_ANSWERS) <= set(CELL_REASONS)
    assert "missing_required" not in _WRONG_ANSWERS
    assert {"not_a_number", "not_a_date", "outside_period"} <= set(_WRONG_ANSWERS)
