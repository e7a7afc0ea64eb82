"""The pydantic record model of a source, and how one cell is read."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import pytest
from pydantic import ValidationError

from getting_to_outcomes import Framework, record_model
from getting_to_outcomes.validation._records import (
    CellProblem,
    cell_key,
    field_specs,
    model_specs,
    parse_cell,
)


@pytest.fixture
def specs(framework: Framework) -> dict[str, Any]:
    return field_specs(framework.source("test_survey"), framework.scales)


@pytest.mark.parametrize(
    ("cell", "code"),
    [
        ("Strongly agree", 5.0),
        ("  strongly   AGREE ", 5.0),
        ("5", 5.0),
        (" 5 ", 5.0),
        (5, 5.0),
        (5.0, 5.0),
        ("5.0", 5.0),
        ("5 - Strongly agree", 5.0),
        ("4 – Agree", 4.0),
        ("Agree (4)", 4.0),
        ("neutral", 3.0),
        ("Neither", 3.0),
        ("1: strongly disagree", 1.0),
    ],
)
def test_likert_labels_codes_and_both_map_through_the_scale(
    specs: dict[str, Any], cell: Any, code: float
) -> None:
    assert parse_cell(specs["q1"], cell) == (code, None)


@pytest.mark.parametrize(
    ("cell", "reason"),
    [
        (None, "skipped"),
        (float("nan"), "skipped"),
        ("", "skipped"),
        ("   ", "skipped"),
        ("-", "skipped"),
        ("N/A", "not_applicable"),
        ("na", "not_applicable"),
        ("Refused", "refused"),
        ("Prefer not to say", "refused"),
        ("Don't know", "dont_know"),
        ("don’t KNOW", "dont_know"),
        (99, "dont_know"),
        ("99", "dont_know"),
        (-9, "refused"),
        ("-9.0", "refused"),
        ("not asked", "not_asked"),
    ],
)
def test_missing_value_codes_become_reasons_never_zero(
    specs: dict[str, Any], cell: Any, reason: str
) -> None:
    assert parse_cell(specs["q1"], cell) == (None, reason)


@pytest.mark.parametrize(
    ("cell", "reason"),
    [
        ("7", "out_of_range"),
        (0, "out_of_range"),
        (2.5, "unknown_answer"),
        ("Agree strongly", "unknown_answer"),
        ("3 - Agree", "unknown_answer"),
        (True, "unknown_answer"),
        ("x", "unknown_answer"),
    ],
)
def test_wrong_likert_answers_are_problems(specs: dict[str, Any], cell: Any, reason: str) -> None:
    with pytest.raises(CellProblem) as caught:
        parse_cell(specs["q1"], cell)
    assert caught.value.reason == reason


def test_a_declared_code_of_one_column_is_only_missing_there(specs: dict[str, Any]) -> None:
    # meetings declares -1 = not asked; elsewhere -1 is just a number.
    assert parse_cell(specs["meetings"], "-1") == (None, "not_asked")
    with pytest.raises(CellProblem, match="outside the scale"):
        parse_cell(specs["q1"], -1)


@pytest.mark.parametrize(
    ("cell", "value"),
    [
        ("Community member", "community_member"),
        ("community-member", "community_member"),
        (" PARENT ", "parent"),
        ("youth", "youth"),
    ],
)
def test_categories_are_matched_loosely(specs: dict[str, Any], cell: str, value: str) -> None:
    assert parse_cell(specs["role"], cell) == (value, None)


@pytest.mark.parametrize(
    ("cell", "day"),
    [
        ("2023-03-01", dt.date(2023, 3, 1)),
        ("2023-03-01T10:00:00Z", dt.date(2023, 3, 1)),
        ("3/1/2023", dt.date(2023, 3, 1)),
        ("13/1/2023", dt.date(2023, 1, 13)),
        ("2023/03/01 10:22:33 AM GMT-5", dt.date(2023, 3, 1)),
        ("31.12.2023", dt.date(2023, 12, 31)),
        ("March 3, 2023", dt.date(2023, 3, 3)),
        ("3 Mar 2024", dt.date(2024, 3, 3)),
        ("1/2/23", dt.date(2023, 1, 2)),
        (pd.Timestamp("2023-05-06 23:30"), dt.date(2023, 5, 6)),
        (dt.datetime(2023, 1, 1, 23, 59), dt.date(2023, 1, 1)),
    ],
)
def test_dates_in_the_spellings_exports_use(specs: dict[str, Any], cell: Any, day: dt.date) -> None:
    assert parse_cell(specs["completed"], cell) == (day, None)


@pytest.mark.parametrize("cell", ["2023-02-30", "x", 45000, "13/13/2023"])
def test_impossible_dates_are_problems(specs: dict[str, Any], cell: Any) -> None:
    with pytest.raises(CellProblem, match="not a date"):
        parse_cell(specs["completed"], cell)


@pytest.mark.parametrize(
    ("cell", "value"), [("3", 3), (" 3 ", 3), ("3.0", 3), ("1,000", 1000), (12.0, 12)]
)
def test_whole_numbers(specs: dict[str, Any], cell: Any, value: int) -> None:
    assert parse_cell(specs["meetings"], cell) == (value, None)


@pytest.mark.parametrize(
    ("cell", "reason"),
    [
        ("2.5", "not_an_integer"),
        ("about six", "not_a_number"),
        ("12%", "not_a_number"),
        ("inf", "not_a_number"),
        (True, "not_a_number"),
    ],
)
def test_bad_numbers(specs: dict[str, Any], cell: Any, reason: str) -> None:
    with pytest.raises(CellProblem) as caught:
        parse_cell(specs["meetings"], cell)
    assert caught.value.reason == reason


def test_cell_keys() -> None:
    assert cell_key(" 99 ") == cell_key(99.0) == cell_key("99.0") == "99"
    assert cell_key("Community_Member") == cell_key("community - member") == "community member"
    assert cell_key("-") == "-"


def test_record_model_validates_a_row_and_notes_missing_reasons(framework: Framework) -> None:
    model = record_model(framework.source("test_survey"), framework)
    context: dict[str, Any] = {}
    row = model.model_validate(
        {
            "org_id": "org1",
            "person_id": " P1 ",
            "wave": "Pre",
            "q1": "Agree",
            "q2": "Refused",
            "meetings": "55",
        },
        context=context,
    )
    assert (row.person_id, row.wave, row.q1, row.q2, row.meetings) == ("P1", "pre", 4.0, None, 55)
    assert context["missing"] == [("q2", "refused")]
    assert context["warnings"] == [("meetings", "implausible")]


def test_record_model_reports_every_bad_field(framework: Framework) -> None:
    model = record_model(framework.source("test_survey"), framework)
    with pytest.raises(ValidationError) as caught:
        model.model_validate(
            {
                "org_id": "",
                "person_id": "P1",
                "wave": "later",
                "q1": 9,
                "meetings": 101,
                "completed": "2025-01-01",
            }
        )
    found = {(e["loc"][0], e["type"]) for e in caught.value.errors()}
    assert found == {
        ("org_id", "missing_required"),
        ("wave", "not_allowed"),
        ("q1", "out_of_range"),
        ("meetings", "less_than_equal"),
        ("completed", "less_than_equal"),
    }


def test_comparisons_and_straightlining_in_the_record_model(framework: Framework) -> None:
    events = record_model(framework.source("test_events"), framework)
    with pytest.raises(ValidationError, match="new_attendees <= attendees"):
        events.model_validate(
            {
                "org_id": "o",
                "event_id": "e",
                "held_on": "2024-01-01",
                "attendees": 10,
                "new_attendees": 12,
            }
        )
    survey = record_model(framework.source("test_survey"), framework)
    context: dict[str, Any] = {}
    survey.model_validate({"q1": 3, "q2": "3", "q3": "Neutral", "q4": None}, context=context)
    assert ("", "straightlining") in context["warnings"]


def test_the_column_rules_are_read_from_the_record_model(framework: Framework) -> None:
    model = record_model(framework.source("test_survey"), framework)
    rules = model_specs(model)
    assert rules["meetings"][1] == (0.0, 100.0)
    assert rules["meetings"][2].high == 40.0
    assert rules["completed"][1] == (dt.date(2023, 1, 1), dt.date(2024, 12, 31))
    assert rules["q1"][1] == (1, 5)
    schema = model.model_json_schema()
    assert schema["properties"]["role"]["anyOf"][0]["enum"] == [
        "parent",
        "youth",
        "community_member",
    ]


def test_every_bundled_source_has_a_record_model() -> None:
    from getting_to_outcomes import load_framework

    framework = load_framework()
    for source in framework.sources.values():
        model = record_model(source, framework)
        assert list(model.model_fields) == [c.name for c in source.columns]
        assert model.model_validate({}).model_dump() == dict.fromkeys(model.model_fields)


# --- other spellings of a category's values ------------------------------------------


@pytest.mark.parametrize(
    ("cell", "value"),
    [
        ("Parent or guardian", "parent"),
        ("PARENT/GUARDIAN", "parent"),
        ("student", "youth"),
        ("Community member", "community_member"),
    ],
)
def test_declared_spellings_of_a_category_value_read_as_the_value(
    specs: dict[str, Any], cell: str, value: str
) -> None:
    assert parse_cell(specs["role"], cell) == (value, None)


def test_spellings_of_a_category_are_read_the_same_by_both_checking_paths(
    framework: Framework,
) -> None:
    from getting_to_outcomes import validate

    survey = pd.DataFrame({
        "org_id": ["o1"] * 4, "respondent_id": ["a", "b", "c", "d"], "wave": ["pre"] * 4,
        "role": ["Parent or guardian", "Student", "parent", "Grandparent"],
    })
    for checks in ("columns", "records"):
        report = validate(survey, framework, source="test_survey", checks=checks)
        assert report.valid_rows["role"].tolist() == ["parent", "youth", "parent"]
        rejected = report.issues[report.issues["severity"] == "error"]
        assert rejected[["row", "column", "value"]].values.tolist() == [[5, "role", "Grandparent"]]
