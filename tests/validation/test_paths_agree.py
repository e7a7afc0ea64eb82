"""The column-wise checks and the per-record pydantic model flag exactly the same cells.

Tables are generated with hypothesis from realistic messy answers (labels in any case,
codes as text or numbers, "5 - Strongly agree", missing codes, dates in several
spellings, wrong values of every kind), and each column is held the ways real data
arrive: mixed Python objects (Excel), text (CSV), numbers or timestamps (Parquet,
DataFrames). Both paths must agree on every flagged cell, every missing-value code,
every failed comparison and every typed value.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from getting_to_outcomes import Framework, record_model, validate
from getting_to_outcomes.validation._columnwise import check_columns
from getting_to_outcomes.validation._recordwise import check_records
from getting_to_outcomes.validation._table import CheckedTable, Coded

from .conftest import test_framework

BLANKS: list[Any] = [
    None,
    np.nan,
    "",
    "  ",
    "N/A",
    "na",
    "-",
    "Refused",
    "don't know",
    "Don’t Know",
    "NOT ASKED",
]
LIKERT: list[Any] = [
    1,
    2,
    3,
    4,
    5,
    1.0,
    5.0,
    "1",
    "5",
    " 4 ",
    "5.0",
    "Agree",
    "strongly AGREE",
    " Disagree ",
    "Neither agree nor disagree",
    "neutral",
    "NEITHER",
    "5 - Strongly agree",
    "4 – Agree",
    "Agree (4)",
    "3 - Disagree",
    "2: disagree",
    99,
    "99",
    -9,
    "-9",
    7,
    0,
    -1,
    2.5,
    "2.5",
    "x",
    "Agree strongly",
    True,
    False,
    "1,000",
    "Prefer not to say",
    "No sé",
    "not applicable",
]
CATEGORY: list[Any] = [
    "parent",
    "Parent",
    " YOUTH ",
    "community member",
    "community-member",
    "community_member",
    "teacher",
    1,
    True,
    "parent ",
    "Community  Member",
]
TEXT: list[Any] = [
    "P1",
    "P2",
    " P1 ",
    "p_3",
    "P-4",
    "Ω5",
    "P 6",
    "n/a",
    "refused",
    12,
    12.0,
    "12",
    "-",
    "x`y",
    "tab\there",
    "07",
    "1e3",
    "Na",
    "é",
]
INTEGER: list[Any] = [
    0,
    3,
    40,
    41,
    100,
    101,
    -1,
    "-1",
    -2,
    2.5,
    "3",
    " 3 ",
    "3.0",
    "1,000",
    "12%",
    "about six",
    True,
    "inf",
    float("inf"),
    "1e1",
]
NUMBER: list[Any] = [0, 1.5, "2.25", "-0.5", "x", 1e9, "1,234.5"]
DATES: list[Any] = [
    "2023-03-01",
    "2023-03-01T10:00:00Z",
    "3/1/2023",
    "13/1/2023",
    "1/13/2023",
    "2023/03/01 10:22:33 AM GMT-5",
    "31.12.2023",
    "March 3, 2023",
    "3 Mar 2024",
    "2022-12-31",
    "2025-01-01",
    "2023-02-30",
    "x",
    45000,
    pd.Timestamp("2023-05-06 10:00"),
    dt.date(2024, 12, 31),
    dt.datetime(2023, 1, 1, 23, 59),
    pd.Timestamp("2023-05-06 23:30", tz="America/Chicago"),
]
BOOLEAN: list[Any] = [True, False, "yes", "No", "Y", 1, 0, 2, "maybe", 1.0]
POOLS: dict[str, list[Any]] = {
    "likert": LIKERT,
    "category": CATEGORY,
    "string": TEXT,
    "integer": INTEGER,
    "number": NUMBER,
    "date": DATES,
    "boolean": BOOLEAN,
}


def _held(values: list[Any], how: str) -> pd.Series:
    """The column as one input format would hold it (falls back to objects)."""
    present = [v for v in values if not (v is None or (isinstance(v, float) and np.isnan(v)))]
    if how == "text" and all(isinstance(v, str) for v in present):
        return pd.Series(pd.array([v if isinstance(v, str) else None for v in values], dtype="str"))
    if how == "numbers" and all(
        isinstance(v, int | float) and not isinstance(v, bool) for v in present
    ):
        return pd.Series(np.array([np.nan if v is None else float(v) for v in values]))
    if how == "stamps" and all(isinstance(v, pd.Timestamp) and v.tz is None for v in present):
        return pd.Series(pd.to_datetime(pd.Series(values, dtype=object)))
    return pd.Series(values, dtype=object)


def _layout(framework: Framework, source_id: str) -> list[tuple[str, str, bool]]:
    return [(c.name, c.type, c.required) for c in framework.source(source_id).columns]


@st.composite
def messy_table(draw: st.DrawFn, layout: list[tuple[str, str, bool]]) -> pd.DataFrame:
    """A table of the columns in ``layout`` (name, type, required), some of them left out."""
    n = draw(st.integers(min_value=1, max_value=25))
    columns = {}
    for name, kind, required in layout:
        if draw(st.booleans()) and draw(st.booleans()) and not required:
            continue  # sometimes a column is absent
        pool = POOLS[kind] + BLANKS
        narrow = draw(st.lists(st.sampled_from(pool), min_size=1, max_size=6))
        values = draw(st.lists(st.sampled_from(narrow), min_size=n, max_size=n))
        how = draw(st.sampled_from(["objects", "text", "numbers", "stamps"]))
        columns[name] = _held(values, how)
    return pd.DataFrame(columns)


def _cells(frame: pd.DataFrame) -> set[tuple[int, str, str]]:
    return set(
        zip(
            frame["pos"].tolist(),
            frame["column"].astype(str).tolist(),
            frame["reason"].astype(str).tolist(),
            strict=True,
        )
    )


def _same_values(a: Any, b: Any) -> bool:
    if isinstance(a, Coded) or isinstance(b, Coded):
        assert isinstance(a, Coded)
        assert isinstance(b, Coded)
        return bool(np.array_equal(a.floats(), b.floats(), equal_nan=True))
    left, right = pd.Series(a), pd.Series(b)
    return bool(
        left.isna().equals(right.isna())
        and (left[left.notna()].astype(object) == right[right.notna()].astype(object)).all()
    )


def _assert_agree(columns: CheckedTable, records: CheckedTable) -> None:
    assert _cells(columns.flag_frame()) == _cells(records.flag_frame())
    assert _cells(columns.missing_frame()) == _cells(records.missing_frame())
    assert {(k, tuple(p)) for k, p in columns.comparisons} == {
        (k, tuple(p)) for k, p in records.comparisons
    }
    assert columns.values.keys() == records.values.keys()
    for name in columns.values:
        assert _same_values(columns.values[name], records.values[name]), name


SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(data=st.data())
def test_both_paths_flag_the_same_cells_in_a_survey(data: st.DataObject) -> None:
    framework = test_framework()
    frame = data.draw(messy_table(_layout(framework, "test_survey")))
    model = record_model(framework.source("test_survey"), framework)
    _assert_agree(check_columns(frame, model), check_records(frame, model))


@SETTINGS
@given(data=st.data())
def test_both_paths_flag_the_same_cells_in_an_events_log(data: st.DataObject) -> None:
    framework = test_framework()
    frame = data.draw(messy_table(_layout(framework, "test_events")))
    model = record_model(framework.source("test_events"), framework)
    _assert_agree(check_columns(frame, model), check_records(frame, model))


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_both_engines_give_the_same_report(data: st.DataObject) -> None:
    framework = test_framework()
    frame = data.draw(messy_table(_layout(framework, "test_survey")))
    by_columns = validate(frame, framework, source="test_survey")
    by_records = validate(frame, framework, source="test_survey", checks="records")
    pd.testing.assert_frame_equal(by_columns.issues, by_records.issues)
    pd.testing.assert_frame_equal(by_columns.valid_rows, by_records.valid_rows)
    pd.testing.assert_frame_equal(by_columns.rejected_rows, by_records.rejected_rows)
    pd.testing.assert_frame_equal(by_columns.missing, by_records.missing)
    assert by_columns.rows_read == len(by_columns.valid_rows) + len(by_columns.rejected_rows)


def test_the_pools_cover_every_kind_of_problem(framework: Framework) -> None:
    """Guard for the generator: its values reach every cell-level reason."""
    rows = len(max(POOLS.values(), key=len))
    table = {}
    for column in framework.source("test_survey").columns:
        pool = POOLS[column.type] + BLANKS
        table[column.name] = pd.Series([pool[k % len(pool)] for k in range(rows)], dtype=object)
    model = record_model(framework.source("test_survey"), framework)
    reasons = set(check_records(pd.DataFrame(table), model).flag_frame()["reason"].astype(str))
    assert {
        "not_a_number",
        "not_an_integer",
        "not_a_date",
        "not_allowed",
        "unknown_answer",
        "out_of_range",
        "outside_period",
        "missing_required",
        "implausible",
    } <= reasons


def test_the_former_name_of_checks_still_works_and_says_so() -> None:
    survey = pd.DataFrame({"Organization": ["org1"], "Respondent ID": ["P1"], "Wave": ["pre"]})
    with pytest.warns(FutureWarning, match="checks="):
        old = validate(survey, source="leadership_survey", engine="records")
    new = validate(survey, source="leadership_survey", checks="records")
    pd.testing.assert_frame_equal(old.issues, new.issues)
    with pytest.raises(ValueError, match="checks must be"):
        validate(survey, source="leadership_survey", checks="rows")  # type: ignore[arg-type]
