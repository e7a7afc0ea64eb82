"""The attack: in a file that holds 13/03/2024, the date 04/03/2024 was read as 3 April.

The file's unambiguous dates decide the order of the whole column, in every part of a file
read in parts and on every checking path; a file that proves both orders is an error that
names the rows.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from getting_to_outcomes import validate

ROWS = """\
Organization,Respondent ID,Wave,Timestamp,k1_district_decisions
org1,P1,pre,13/03/2024,Agree
org1,P2,pre,04/03/2024,Agree
"""


@pytest.fixture
def day_first_file(tmp_path: Path) -> Path:
    path = tmp_path / "day_first.csv"
    path.write_text(ROWS, encoding="utf-8")
    return path


@pytest.mark.parametrize("checks", ["columns", "records"])
@pytest.mark.parametrize("chunk_bytes", [None, 40])
def test_04_03_2024_beside_13_03_2024_is_the_fourth_of_march(
    day_first_file: Path, checks: str, chunk_bytes: int | None
) -> None:
    report = validate(day_first_file, source="leadership_survey", checks=checks,  # type: ignore[arg-type]
                      chunk_bytes=chunk_bytes)
    dates = report.valid_rows.loc[[2, 3], "survey_date"].dt.date.tolist()
    assert dates == [dt.date(2024, 3, 13), dt.date(2024, 3, 4)]
    assert not report.issues["reason"].isin(
        ["ambiguous_dates", "mixed_date_orders", "date_order_conflict"]
    ).any()


def test_a_file_proving_both_orders_is_an_error_not_a_silent_guess(tmp_path: Path) -> None:
    path = tmp_path / "both_orders.csv"
    later = "org1,P3,pre,03/14/2024,Agree\norg1,P4,pre,03/15/2024,Agree\n"
    path.write_text(ROWS + later, encoding="utf-8")
    report = validate(path, source="leadership_survey")
    assert not report.ok
    conflict = report.issues[report.issues["reason"] == "date_order_conflict"]
    assert conflict[["row", "value"]].values.tolist() == [[2, "13/03/2024"]]
    mixed = report.issues[report.issues["reason"] == "mixed_date_orders"]
    assert len(mixed) == 1
    assert str(path) == mixed["file"].iloc[0]
