"""Partitioned Parquet data sets: written once, read lazily by each engine."""

from __future__ import annotations

import pandas as pd
import pytest

from getting_to_outcomes.engines import partition_columns, read_partitioned, write_partitioned
from getting_to_outcomes.engines.frames import collect, lazy
from getting_to_outcomes.errors import DataReadError, GTOError

ROWS = pd.DataFrame({
    "org_id": ["007", "007", "b", "b"],
    "period": ["2024", "2025", "2024", "2025"],
    "members": [10.0, 12.0, None, 4.0],
})


def _read_back(root, engine, **options) -> pd.DataFrame:
    frame = collect(lazy(read_partitioned(root, engine=engine, **options)))
    return frame.sort_values(["org_id", "period"]).reset_index(drop=True)


@pytest.mark.parametrize("engine", ["duckdb", "polars", "dask", "pandas", "pyarrow"])
def test_each_engine_reads_back_the_rows_with_partition_values_as_text(
    tmp_path, engine, engine_module
):
    pytest.importorskip(engine_module.get(engine, "pandas"))
    root = write_partitioned(ROWS, tmp_path / "data", partition_by=["org_id", "period"])
    assert partition_columns(root) == ["org_id", "period"]
    back = _read_back(root, engine)
    # "007" would read as the number 7 if partition values were guessed.
    assert back["org_id"].tolist() == ["007", "007", "b", "b"]
    assert back["period"].tolist() == ["2024", "2025", "2024", "2025"]
    assert back["members"].isna().tolist() == [False, False, True, False]
    assert back["members"].sum() == ROWS["members"].sum()


def test_writing_twice_adds_files_instead_of_replacing_them(tmp_path):
    root = write_partitioned(ROWS, tmp_path, partition_by=["org_id", "period"])
    write_partitioned(ROWS, root, partition_by=["org_id", "period"])
    assert len(_read_back(root, "pandas")) == 2 * len(ROWS)


@pytest.mark.parametrize("engine", ["duckdb", "dask"])
def test_engines_write_partitioned_data_sets_without_collecting(tmp_path, engine, engine_table):
    root = write_partitioned(engine_table(ROWS, engine), tmp_path / engine,
                             partition_by=["org_id", "period"])
    assert _read_back(root, "pandas")[["org_id", "period"]].equals(
        ROWS.sort_values(["org_id", "period"]).reset_index(drop=True)[["org_id", "period"]])


def test_only_the_columns_asked_for_are_read(tmp_path):
    root = write_partitioned(ROWS, tmp_path, partition_by=["org_id", "period"])
    frame = read_partitioned(root, engine="duckdb", columns=["org_id", "members"])
    assert list(lazy(frame).collect_schema().names()) == ["org_id", "members"]


def test_a_missing_folder_or_an_unknown_engine_is_a_clear_error(tmp_path):
    with pytest.raises(DataReadError, match="no such folder"):
        read_partitioned(tmp_path / "nowhere")
    (tmp_path / "empty").mkdir()
    with pytest.raises(DataReadError, match=r"no \.parquet file"):
        read_partitioned(tmp_path / "empty")
    root = write_partitioned(ROWS, tmp_path / "data", partition_by=["org_id"])
    with pytest.raises(GTOError, match="unknown engine 'ibis'; choose one of pandas"):
        read_partitioned(root, engine="ibis")
    # Spark reads the data set itself; the message says how, with partition values as text.
    with pytest.raises(GTOError, match="partitionColumnTypeInference"):
        read_partitioned(root, engine="spark")
