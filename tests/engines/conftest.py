"""Fixtures of the engine tests: the example network, and one table held by each engine."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest

from getting_to_outcomes.datasets import ExampleDataset, load_example
from getting_to_outcomes.scoring._tables import TABLE_KEYS, Aggregates

#: Engines other than pandas, each with the module it needs.
ENGINE_MODULES = {"polars": "polars", "pyarrow": "pyarrow", "duckdb": "duckdb",
                  "dask": "dask.dataframe"}


@pytest.fixture(scope="session")
def network() -> ExampleDataset:
    return load_example("cper-network")


def as_engine(frame: pd.DataFrame, engine: str) -> Any:
    """The same rows held by ``engine`` (the test is skipped when it is not installed)."""
    pytest.importorskip(ENGINE_MODULES[engine])
    if engine == "polars":
        import polars as pl

        return pl.from_pandas(frame)
    import pyarrow as pa

    table = pa.Table.from_pandas(frame, preserve_index=False)
    if engine == "pyarrow":
        return table
    if engine == "duckdb":
        import duckdb

        return duckdb.connect().from_arrow(table)
    import dask.dataframe as dd

    return dd.from_pandas(frame, npartitions=3)


@pytest.fixture
def engine_table() -> Callable[[pd.DataFrame, str], Any]:
    return as_engine


@pytest.fixture
def same_tables() -> Callable[[Aggregates, Aggregates], None]:
    return assert_same_tables


@pytest.fixture
def engine_module() -> dict[str, str]:
    return ENGINE_MODULES


def assert_same_tables(expected: Aggregates, got: Aggregates) -> None:
    """Every table holds the same rows: labels exactly, numbers to 1e-9."""
    assert got.notes == expected.notes
    for name, want in expected.tables().items():
        have = got.tables()[name]
        assert len(have) == len(want), f"{name}: {len(have)} rows, expected {len(want)}"
        if want.empty:
            continue
        keys = TABLE_KEYS[name]
        want = want.sort_values(keys).reset_index(drop=True)
        have = have.sort_values(keys).reset_index(drop=True)
        assert list(have.columns) == list(want.columns)
        for column in want.columns:
            if pd.api.types.is_numeric_dtype(want[column]):
                np.testing.assert_allclose(
                    have[column].to_numpy(dtype=np.float64),
                    want[column].to_numpy(dtype=np.float64),
                    rtol=1e-12, atol=1e-9, err_msg=f"{name}.{column}",
                )
            else:
                assert have[column].astype(str).tolist() == want[column].astype(str).tolist(), \
                    f"{name}.{column}"
