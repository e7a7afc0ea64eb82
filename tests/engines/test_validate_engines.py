"""``validate`` on Polars, PyArrow, DuckDB and Dask tables gives the report pandas gives.

The rows of an engine's table go through the checks a slice at a time. These tests cut the
bundled messy survey export into slices of a few rows, one of which starts between the
two rows of its duplicated key and many of which separate a baseline answer from a later
one, so that rules across rows, row numbers and file-wide issues must all be carried over
slice boundaries. The reference is ``validate`` on the same table converted to pandas by
the engine itself.

An engine's table is named ``"<Polars DataFrame>"``, ``"<DuckDB relation>"``... in the
report where a pandas DataFrame is ``"<DataFrame>"``: reports are compared after putting
``"<DataFrame>"`` in place of that name, and are otherwise equal in every column, dtype,
index and order.
"""

from __future__ import annotations

import math
import sys
from typing import Any

import pandas as pd
import pytest

import getting_to_outcomes.validation._validate as validation
from getting_to_outcomes import PseudonymKey, ValidationReport, generate_key, read_table, validate
from getting_to_outcomes.datasets import MESSY_FILE, load_example
from getting_to_outcomes.errors import GTOError
from getting_to_outcomes.io._readers import READ_ATTRS

# Validation on every engine, slice by slice (a minute in all): in the full lane only; the
# seam tests keep one engine check of every table in the fast lane.
pytestmark = pytest.mark.slow

SOURCE = "leadership_survey"
ID_HEADER = "Respondent ID"  # the export's header of person_id, a required key column
ENGINES = ["polars", "polars-lazy", "pyarrow", "duckdb", "dask"]
MODULES = {"polars": "polars", "polars-lazy": "polars", "pyarrow": "pyarrow",
           "duckdb": "duckdb", "dask": "dask.dataframe"}
LABELS = {"polars": "<Polars DataFrame>", "polars-lazy": "<Polars LazyFrame>",
          "pyarrow": "<PyArrow Table>", "duckdb": "<DuckDB relation>",
          "dask": "<Dask DataFrame>"}


def _cells(file_name: str) -> pd.DataFrame:
    """The cells of an example file as text, rows numbered from 2 like any table."""
    cells = read_table(load_example().files[file_name]).reset_index(drop=True)
    # What read_table learned from the file (blank rows it skipped) is about the file.
    cells.attrs = {}
    return cells


@pytest.fixture(scope="module")
def messy() -> pd.DataFrame:
    return _cells(MESSY_FILE)


@pytest.fixture(scope="module")
def pandas_report(messy: pd.DataFrame) -> ValidationReport:
    return validate(messy, source=SOURCE)


@pytest.fixture(scope="module")
def slice_rows(messy: pd.DataFrame, pandas_report: ValidationReport) -> int:
    """Rows per slice such that a slice starts at the second row of the duplicated key."""
    issues = pandas_report.issues
    repeated = sorted(issues.loc[issues["reason"] == "duplicate_key", "row"].astype(int))
    assert len(repeated) == 2, repeated  # the export has one duplicated submission
    second = repeated[1] - 2  # its position in the table (row 2 is position 0)
    size = next(k for k in range(10, second + 1) if second % k == 0)
    assert math.ceil(len(messy) / size) >= 3, "too few slices to cross boundaries"
    return size


def as_engine(frame: pd.DataFrame, engine: str, slice_rows: int = 100) -> Any:
    """The rows of ``frame`` held by ``engine`` (skipped when it is not installed)."""
    pytest.importorskip(MODULES[engine])
    if engine.startswith("polars"):
        import polars as pl

        table = pl.from_pandas(frame)
        return table.lazy() if engine == "polars-lazy" else table
    import pyarrow as pa

    arrow = pa.Table.from_pandas(frame, preserve_index=False)
    if engine == "pyarrow":
        return arrow
    if engine == "duckdb":
        import duckdb

        return duckdb.connect().from_arrow(arrow)
    import dask.dataframe as dd

    # Partitions of one slice each, so that partition boundaries are slice boundaries.
    return dd.from_pandas(frame, chunksize=slice_rows)


def to_pandas(table: Any, engine: str) -> pd.DataFrame:
    """The engine's own conversion of a table to pandas."""
    if engine == "polars-lazy":
        return table.collect().to_pandas()
    if engine == "duckdb":
        return table.df()
    if engine == "dask":
        return table.compute()
    return table.to_pandas()


def assert_same_report(got: ValidationReport, expected: ValidationReport, label: str) -> None:
    """Equal in everything, once the engine table's name is replaced by pandas' one."""
    def renamed(files: Any) -> Any:
        return files.replace(label, "<DataFrame>").astype("str")

    pd.testing.assert_frame_equal(got.issues.assign(file=renamed(got.issues["file"])),
                                  expected.issues)
    pd.testing.assert_frame_equal(got.valid_rows, expected.valid_rows)
    pd.testing.assert_frame_equal(got.rejected_rows, expected.rejected_rows)
    pd.testing.assert_frame_equal(got.missing, expected.missing)
    pd.testing.assert_frame_equal(got.counts, expected.counts)
    assert tuple(renamed(pd.Series(got.files, dtype="str"))) == expected.files
    assert (got.source, got.rows_read) == (expected.source, expected.rows_read)


@pytest.fixture
def slice_starts(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The first row number of every slice checked, in order."""
    starts: list[int] = []
    original = validation._engine_slice

    def recording(part: pd.DataFrame, label: str, first_row: int) -> Any:
        starts.append(first_row)
        return original(part, label, first_row)

    monkeypatch.setattr(validation, "_engine_slice", recording)
    return starts


@pytest.mark.parametrize("engine", ENGINES)
def test_the_report_on_an_engine_equals_the_report_on_pandas(
    messy, slice_rows, slice_starts, monkeypatch, engine
):
    monkeypatch.setattr(validation, "_SLICE_ROWS", slice_rows)
    table = as_engine(messy, engine, slice_rows)
    got = validate(table, source=SOURCE)
    expected = validate(to_pandas(table, engine), source=SOURCE)
    assert got.files == (LABELS[engine],)
    assert_same_report(got, expected, LABELS[engine])

    # The slices were small: one starts at the second row of the duplicated key, and a
    # respondent's baseline and later answers fall in different slices. They are read
    # twice: first for the order of day and month of the date column, then to be checked.
    assert slice_starts == 2 * list(range(2, len(messy) + 2, slice_rows))
    duplicates = expected.issues[expected.issues["reason"] == "duplicate_key"]
    assert int(duplicates["row"].max()) in slice_starts
    rows = expected.valid_rows
    baseline = rows[rows["survey_wave"] == "pre"].reset_index().set_index("person_id")["row"]
    later = rows[rows["survey_wave"] != "pre"].reset_index()
    later = later[later["person_id"].isin(baseline.index)]
    assert len(later), "no respondent answered twice"
    split = (later["row"] - 2) // slice_rows != (baseline[later["person_id"]].to_numpy() - 2) \
        // slice_rows
    assert split.any()


@pytest.mark.parametrize("engine", ["duckdb", "dask"])
def test_the_per_record_path_on_an_engine_equals_pandas(messy, slice_rows, monkeypatch, engine):
    monkeypatch.setattr(validation, "_SLICE_ROWS", slice_rows)
    table = as_engine(messy, engine, slice_rows)
    got = validate(table, source=SOURCE, checks="records")
    expected = validate(to_pandas(table, engine), source=SOURCE, checks="records")
    assert_same_report(got, expected, LABELS[engine])


@pytest.mark.parametrize("engine", ["polars-lazy", "dask"])
def test_missing_evidence_across_slices_equals_pandas(monkeypatch, engine):
    wins = _cells("wins_log.csv")
    monkeypatch.setattr(validation, "_SLICE_ROWS", 7)
    table = as_engine(wins, engine, 7)
    got = validate(table, source="wins_log")
    expected = validate(to_pandas(table, engine), source="wins_log")
    assert (expected.issues["reason"] == "missing_evidence").sum() > 0
    assert_same_report(got, expected, LABELS[engine])


def test_a_list_mixing_an_engine_table_and_a_dataframe_equals_two_dataframes(
    messy, slice_rows, monkeypatch
):
    # Cut between the two rows of the duplicated key: the key repeats across the inputs,
    # and later answers in the second input have their baseline in the first.
    monkeypatch.setattr(validation, "_SLICE_ROWS", slice_rows)
    issues = validate(messy, source=SOURCE).issues
    cut = int(issues.loc[issues["reason"] == "duplicate_key", "row"].max()) - 2
    first = messy.iloc[:cut].reset_index(drop=True)
    second = messy.iloc[cut:].reset_index(drop=True)
    table = as_engine(first, "polars")
    got = validate([table, second], source=SOURCE)

    # The reference frame takes the engine table's name through what read_table records
    # of a file, so that the two inputs are told apart as in the engine's report.
    named = first.copy()
    named.attrs[READ_ATTRS] = {"file": LABELS["polars"],
                               "headers": [[str(c)] for c in first.columns]}
    expected = validate([named, second], source=SOURCE)
    assert got.files == (LABELS["polars"], "<DataFrame>")
    repeated = got.issues[got.issues["reason"] == "duplicate_key"]
    assert set(repeated["file"]) == {LABELS["polars"], "<DataFrame>"}
    assert_same_report(got, expected, "(no name to replace)")


@pytest.mark.parametrize("engine", ["polars", "duckdb"])
def test_pseudonymized_ids_on_an_engine_equal_pandas(messy, slice_rows, monkeypatch, engine):
    monkeypatch.setattr(validation, "_SLICE_ROWS", slice_rows)
    key = PseudonymKey(generate_key())
    table = as_engine(messy, engine)
    got = validate(table, source=SOURCE, pseudonymize=key)
    expected = validate(to_pandas(table, engine), source=SOURCE, pseudonymize=key)
    assert_same_report(got, expected, LABELS[engine])
    ids = set(messy[ID_HEADER].dropna())
    assert not ids & set(got.valid_rows["person_id"].dropna())
    assert not ids & set(got.issues["value"])


@pytest.mark.parametrize("engine", ["pyarrow", "dask"])
def test_a_table_without_a_required_column_rejects_every_row_as_pandas_does(
    messy, slice_rows, monkeypatch, engine
):
    monkeypatch.setattr(validation, "_SLICE_ROWS", slice_rows)
    table = as_engine(messy.drop(columns=ID_HEADER), engine, slice_rows)
    got = validate(table, source=SOURCE)
    expected = validate(to_pandas(table, engine), source=SOURCE)
    assert_same_report(got, expected, LABELS[engine])
    assert got.valid_rows.empty
    assert len(got.rejected_rows) == len(messy)
    assert got.rejected_rows["reasons"].str.contains("person_id: missing_column").all()
    assert (got.issues["reason"] == "missing_column").sum() == 1  # once, not once a slice


@pytest.mark.parametrize("engine", ["polars-lazy", "duckdb"])
def test_a_table_without_rows_gets_its_header_checked(messy, engine):
    table = as_engine(messy.iloc[:0], engine)
    got = validate(table, source=SOURCE)
    expected = validate(to_pandas(table, engine), source=SOURCE)
    assert got.rows_read == 0
    assert_same_report(got, expected, LABELS[engine])


@pytest.mark.parametrize("engine", ["polars", "pyarrow", "duckdb", "dask"])
def test_typed_columns_with_blanks_in_some_slices_only_equal_pandas(monkeypatch, engine):
    # The example network's rows as scoring reads them: numbers, dates and Likert codes,
    # with blank answers in some slices only. Whole numbers with a few blanks in the first
    # slice: the engine converts the other slices to int64 where the whole column, having
    # blanks, converts to float64.
    rows = load_example().tables[SOURCE].copy()
    months = rows["months_in_group"].astype("Int64")
    months.iloc[[3, 40]] = pd.NA
    rows["months_in_group"] = months
    monkeypatch.setattr(validation, "_SLICE_ROWS", 500)
    table = as_engine(rows, engine, 500)
    got = validate(table, source=SOURCE)
    expected = validate(to_pandas(table, engine), source=SOURCE)
    assert got.rows_read == len(rows)
    assert_same_report(got, expected, LABELS[engine])


def test_without_narwhals_the_error_names_the_extra_to_install(messy, monkeypatch):
    table = as_engine(messy, "polars-lazy")
    monkeypatch.setitem(sys.modules, "narwhals", None)  # import narwhals now fails
    with pytest.raises(GTOError, match=r"pip install 'getting-to-outcomes\[scale\]'"):
        validate(table, source=SOURCE)
