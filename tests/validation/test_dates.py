"""Day-first or month-first: each date column of a file is read in the order its dates prove.

A date whose first number is over 12 (13/03/2024) proves day/month/year, one whose second
number is over 12 (03/14/2024) proves month/day/year; 04/03/2024 proves nothing. A
``date_format`` in the data source (or the column) overrides what the file shows.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pandas as pd
import pytest

from getting_to_outcomes import (
    Framework,
    IndicatorDefinitionError,
    PseudonymKey,
    load_framework,
    validate,
)
from getting_to_outcomes.definitions._loading import DEFAULT_FRAMEWORK, _bundled_root
from getting_to_outcomes.io import read_raw_chunks

SOURCE_YAML = """\
sources:
  - id: meetings_log
    name: Meetings log
    description: One row per meeting.
    unit_of_analysis: meeting
    keys: [org_id, meeting_id]
    id_column: meeting_id
    org_column: org_id
    time_column: year
    {source_format}
    columns:
      - name: org_id
        type: string
        required: true
      - name: meeting_id
        type: string
        required: true
      - name: year
        type: integer
      - name: held_on
        type: date
        min: 2024-01-01
        max: 2024-12-31
        {column_format}
      - name: born_on
        type: date
        personal: true
"""


def framework_with(tmp_path: Path, source_format: str = "", column_format: str = "") -> Framework:
    folder = tmp_path / "framework"
    shutil.copytree(_bundled_root() / DEFAULT_FRAMEWORK, folder)
    (folder / "sources" / "meetings_log.yaml").write_text(
        SOURCE_YAML.format(source_format=source_format, column_format=column_format),
        encoding="utf-8",
    )
    return load_framework(folder)


@pytest.fixture(scope="module")
def detected(tmp_path_factory: pytest.TempPathFactory) -> Framework:
    """No date_format: the order is found in each file."""
    return framework_with(tmp_path_factory.mktemp("detected"))


def meetings(*dates: str, column: str = "held_on") -> pd.DataFrame:
    n = len(dates)
    return pd.DataFrame({
        "org_id": ["org1"] * n,
        "meeting_id": [f"M{k}" for k in range(n)],
        "year": ["2024"] * n,
        column: list(dates),
    })


def held_on(report: object) -> list[dt.date]:
    frame = report.valid_rows  # type: ignore[attr-defined]
    return [stamp.date() for stamp in frame["held_on"]]


def issues_of(report: object, reason: str) -> pd.DataFrame:
    table = report.issues  # type: ignore[attr-defined]
    return table[table["reason"] == reason]


@pytest.mark.parametrize("checks", ["columns", "records"])
def test_a_day_first_date_in_the_file_makes_04_03_the_fourth_of_march(
    detected: Framework, checks: str
) -> None:
    report = validate(meetings("13/03/2024", "04/03/2024"), detected, source="meetings_log",
                      checks=checks)  # type: ignore[arg-type]
    assert held_on(report) == [dt.date(2024, 3, 13), dt.date(2024, 3, 4)]
    assert report.ok
    assert issues_of(report, "ambiguous_dates").empty


@pytest.mark.parametrize("checks", ["columns", "records"])
def test_a_month_first_date_in_the_file_makes_04_03_the_third_of_april(
    detected: Framework, checks: str
) -> None:
    report = validate(meetings("03/14/2024", "04/03/2024"), detected, source="meetings_log",
                      checks=checks)  # type: ignore[arg-type]
    assert held_on(report) == [dt.date(2024, 3, 14), dt.date(2024, 4, 3)]
    assert issues_of(report, "ambiguous_dates").empty


def test_iso_dates_say_their_order_and_draw_no_warning(detected: Framework) -> None:
    report = validate(meetings("2024-03-04", "2024-04-03"), detected, source="meetings_log")
    assert held_on(report) == [dt.date(2024, 3, 4), dt.date(2024, 4, 3)]
    assert report.issues[report.issues["severity"] != "info"].empty


def test_dates_that_read_both_ways_are_a_warning_that_says_how_to_settle_it(
    detected: Framework,
) -> None:
    report = validate(meetings("2024-05-01", "04/03/2024", "05/06/2024"), detected,
                      source="meetings_log")
    warning = issues_of(report, "ambiguous_dates")
    assert len(warning) == 1
    issue = warning.iloc[0]
    assert (issue["file"], issue["column"], issue["value"], issue["severity"]) == (
        "<DataFrame>", "held_on", "04/03/2024", "warning"
    )
    assert "04/03/2024 in row 3" in issue["message"]
    assert "read month/day/year (04/03/2024 as 3 April 2024)" in issue["message"]
    assert "date_format: DD/MM/YYYY to column held_on of data source meetings_log" in issue["fix"]
    # Read as before (month first); the rows stay valid.
    assert held_on(report)[1] == dt.date(2024, 4, 3)
    assert report.rows_valid == 3


@pytest.mark.parametrize("checks", ["columns", "records"])
def test_a_column_with_both_orders_is_an_error_naming_rows_and_values(
    detected: Framework, checks: str
) -> None:
    report = validate(
        meetings("13/03/2024", "14/03/2024", "03/15/2024", "04/03/2024"), detected,
        source="meetings_log", checks=checks,  # type: ignore[arg-type]
    )
    mixed = issues_of(report, "mixed_date_orders")
    assert mixed["severity"].tolist() == ["error"]
    message = mixed["message"].iloc[0]
    assert "13/03/2024 in row 2" in message
    assert "03/15/2024 in row 4" in message
    assert "read day/month/year, as most of them" in message
    assert "04/03/2024 in row 5, were read day/month/year and may be wrong" in message
    conflict = issues_of(report, "date_order_conflict")
    assert conflict[["row", "column", "value", "severity"]].values.tolist() == [
        [4, "held_on", "03/15/2024", "error"]
    ]
    assert conflict["message"].iloc[0] == (
        "'03/15/2024' can only be read month/day/year, but held_on is read day/month/year "
        "in this file (as 13/03/2024 in row 2 shows)."
    )
    assert 4 in report.rejected_rows.index
    assert held_on(report) == [dt.date(2024, 3, 13), dt.date(2024, 3, 14), dt.date(2024, 3, 4)]


def test_the_order_is_found_over_the_whole_file_when_it_is_read_in_parts(
    detected: Framework, tmp_path: Path
) -> None:
    # The only date that proves the order is in the last part.
    dates = ["04/03/2024"] * 300 + ["13/03/2024"]
    path = tmp_path / "meetings.csv"
    meetings(*dates).to_csv(path, index=False)
    assert len(list(read_raw_chunks(path, chunk_bytes=2_000))) > 3
    in_parts = validate(path, detected, source="meetings_log", chunk_bytes=2_000)
    whole = validate(path, detected, source="meetings_log")
    assert set(held_on(in_parts)) == {dt.date(2024, 3, 4), dt.date(2024, 3, 13)}
    pd.testing.assert_frame_equal(in_parts.valid_rows, whole.valid_rows)
    pd.testing.assert_frame_equal(in_parts.issues, whole.issues)


def test_a_file_that_comes_whole_is_read_once_and_one_in_parts_twice(
    detected: Framework, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import getting_to_outcomes.validation._validate as validating

    reads: list[int | None] = []

    def counted(*args: object, **kwargs: object) -> object:
        reads.append(kwargs.get("chunk_bytes"))  # type: ignore[arg-type]
        return read_raw_chunks(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(validating, "read_raw_chunks", counted)
    path = tmp_path / "meetings.csv"
    meetings(*["04/03/2024"] * 100, "13/03/2024").to_csv(path, index=False)
    validate(path, detected, source="meetings_log")
    assert len(reads) == 1
    reads.clear()
    validate(path, detected, source="meetings_log", chunk_bytes=1_000)
    assert len(reads) == 2


def test_each_file_has_its_own_order(detected: Framework) -> None:
    first = meetings("13/03/2024", "04/03/2024")
    second = meetings("03/14/2024", "04/03/2024").assign(meeting_id=["M8", "M9"])
    report = validate([first, second], detected, source="meetings_log")
    assert held_on(report) == [
        dt.date(2024, 3, 13), dt.date(2024, 3, 4), dt.date(2024, 3, 14), dt.date(2024, 4, 3)
    ]


def test_a_polars_table_is_read_in_the_same_order_as_pandas(detected: Framework) -> None:
    polars = pytest.importorskip("polars", reason="the Polars engine is optional ([scale])")
    table = meetings("13/03/2024", "04/03/2024")
    from_polars = validate(polars.from_pandas(table), detected, source="meetings_log")
    assert held_on(from_polars) == held_on(validate(table, detected, source="meetings_log"))


def test_a_personal_date_column_shows_rows_but_no_date_under_pseudonymisation(
    detected: Framework,
) -> None:
    table = meetings("2024-03-01", "2024-03-02", column="held_on").assign(
        born_on=["13/03/1990", "03/14/1991"]
    )
    report = validate(table, detected, source="meetings_log",
                      pseudonymize=PseudonymKey(b"a key of more than thirty-two bytes, ok!"))
    shown = report.issues.to_csv()
    assert "1990" not in shown
    assert "1991" not in shown
    mixed = issues_of(report, "mixed_date_orders")
    assert "row 2" in mixed["message"].iloc[0]
    assert "row 3" in mixed["message"].iloc[0]


# --- date_format ----------------------------------------------------------------------


def test_a_source_date_format_reads_every_date_column_in_it(tmp_path: Path) -> None:
    fw = framework_with(tmp_path, source_format="date_format: DD/MM/YYYY")
    report = validate(meetings("04/03/2024", "2024-03-05"), fw, source="meetings_log")
    assert held_on(report) == [dt.date(2024, 3, 4), dt.date(2024, 3, 5)]
    assert report.issues[report.issues["severity"] != "info"].empty


@pytest.mark.parametrize("checks", ["columns", "records"])
def test_a_date_not_written_in_the_date_format_is_a_located_error(
    tmp_path: Path, checks: str
) -> None:
    fw = framework_with(tmp_path, source_format="date_format: DD/MM/YYYY")
    report = validate(meetings("04/03/2024", "03/15/2024", "March 5"), fw,
                      source="meetings_log", checks=checks)  # type: ignore[arg-type]
    wrong = issues_of(report, "wrong_date_format")
    assert wrong[["row", "column", "value", "severity"]].values.tolist() == [
        [3, "held_on", "03/15/2024", "error"],
        [4, "held_on", "March 5", "error"],
    ]
    assert wrong["message"].iloc[0] == (
        "'03/15/2024' is not a date written DD/MM/YYYY, as held_on is declared."
    )
    assert wrong["fix"].iloc[0] == (
        "Write the date as DD/MM/YYYY (15 March 2024 is 15/03/2024), or as YYYY-MM-DD."
    )


def test_a_column_date_format_wins_over_the_sources(tmp_path: Path) -> None:
    fw = framework_with(tmp_path, source_format="date_format: DD/MM/YYYY",
                        column_format="date_format: MM/DD/YYYY")
    report = validate(meetings("04/03/2024"), fw, source="meetings_log")
    assert held_on(report) == [dt.date(2024, 4, 3)]


def test_a_date_format_with_month_names(tmp_path: Path) -> None:
    fw = framework_with(tmp_path, column_format="date_format: D MMM YYYY")
    report = validate(meetings("4 Mar 2024", "15 march 2024"), fw, source="meetings_log")
    assert held_on(report) == [dt.date(2024, 3, 4), dt.date(2024, 3, 15)]


def test_a_date_format_without_a_year_is_a_located_definition_error(tmp_path: Path) -> None:
    with pytest.raises(IndicatorDefinitionError) as caught:
        framework_with(tmp_path, column_format="date_format: DD/MM")
    problem = next(p for p in caught.value.problems if "date_format" in p.message)
    assert "has no year" in problem.message
    assert problem.file.endswith("meetings_log.yaml")
    assert problem.line == 24  # the line of date_format in SOURCE_YAML


def test_a_date_format_on_a_column_that_is_not_a_date_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "framework"
    shutil.copytree(_bundled_root() / DEFAULT_FRAMEWORK, folder)
    text = SOURCE_YAML.format(source_format="", column_format="").replace(
        "      - name: year\n        type: integer\n",
        "      - name: year\n        type: integer\n        date_format: YYYY-MM-DD\n",
    )
    (folder / "sources" / "meetings_log.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(IndicatorDefinitionError, match="date_format is for date columns"):
        load_framework(folder)
