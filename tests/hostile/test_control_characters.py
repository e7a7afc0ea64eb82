"""NUL and other control characters in data cells are errors that name the row and column.

No one types them; they come from damaged or binary files. Left in, an id with a NUL byte
counts as a second person. Each is reported (the character shown by its code) and its row
rejected, in files and in tables, and never shown when the column is personal or the ids
are pseudonymised.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from getting_to_outcomes import PseudonymKey, generate_key, load_example, validate

SOURCE = "org_capacity"


@pytest.fixture
def table() -> pd.DataFrame:
    return load_example("cper-network").tables[SOURCE].copy()


def _control_issues(report) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    issues = report.issues
    return issues[issues["reason"] == "control_character"]


def test_a_nul_in_an_id_is_an_error_naming_row_and_column(table: pd.DataFrame) -> None:
    table.loc[3, "org_id"] = table.loc[3, "org_id"] + "\x00"
    table.loc[5, "period"] = "20\x1b24"
    report = validate(table, source=SOURCE)
    found = _control_issues(report)
    # Row numbers count the header as row 1: positions 3 and 5 are rows 5 and 7.
    assert found[["row", "column", "severity"]].values.tolist() == [
        [5, "org_id", "error"], [7, "period", "error"]]
    assert "U+0000" in found["message"].iloc[0]
    assert found["value"].tolist() == [f"{table.loc[3, 'org_id'][:-1]}<U+0000>", "20<U+001B>24"]
    assert len(report.valid_rows) == len(table) - 2
    assert not report.valid_rows["org_id"].astype(str).str.contains("\x00").any()


def test_a_nul_deep_in_a_csv_file_is_found_too(table: pd.DataFrame, tmp_path: Path) -> None:
    rows = pd.concat([table] * 4, ignore_index=True)  # well past the first 8 KB
    rows["period"] = rows["period"].astype(str)
    last = len(rows) - 1
    rows.loc[last, "org_id"] = rows.loc[last, "org_id"] + "\x00"
    path = tmp_path / f"{SOURCE}.csv"
    rows.to_csv(path, index=False)
    assert path.read_bytes().index(b"\x00") > 8192
    found = _control_issues(validate(str(path), source=SOURCE))
    assert found[["row", "column"]].values.tolist() == [[last + 2, "org_id"]]


def test_tabs_and_line_breaks_inside_cells_are_text_not_errors(table: pd.DataFrame) -> None:
    table["org_id"] = table["org_id"].astype(object)
    table.loc[0, "org_id"] = "CA-01\tsouth"
    table.loc[1, "org_id"] = "CA-01\r\nsouth"
    assert _control_issues(validate(table, source=SOURCE)).empty


def test_under_pseudonymisation_the_damaged_id_is_not_shown(table: pd.DataFrame) -> None:
    table.loc[2, "org_id"] = "CA-\x0099"
    report = validate(table, source=SOURCE, pseudonymize=PseudonymKey(generate_key()))
    found = _control_issues(report)
    assert found["column"].tolist() == ["org_id"]
    assert "CA-" not in " ".join(report.issues["value"].dropna().astype(str))
