"""The same ``score`` call gives the same summary on every engine as on pandas."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import getting_to_outcomes as gto
from getting_to_outcomes.errors import ScoringError

# Whole summaries on every engine: in the full lane only (the seam tests compare every
# table in the fast lane).
pytestmark = pytest.mark.slow

KEYS = ["indicator_id", "group", "period", "subgroup_dimension", "subgroup"]


def _sorted(summary: pd.DataFrame) -> pd.DataFrame:
    return summary.sort_values(KEYS, na_position="first").reset_index(drop=True)


def _assert_same_summary(expected: pd.DataFrame, got: pd.DataFrame) -> None:
    """Numbers to 1e-9, everything else exactly, in any row order."""
    assert list(got.columns) == list(expected.columns)
    assert len(got) == len(expected)
    expected, got = _sorted(expected), _sorted(got)
    for column in expected.columns:
        want, have = expected[column], got[column]
        if pd.api.types.is_float_dtype(want.dtype):
            np.testing.assert_allclose(have.to_numpy(dtype=np.float64),
                                       want.to_numpy(dtype=np.float64),
                                       rtol=1e-9, atol=1e-9, err_msg=column)
        else:
            assert _texts(have) == _texts(want), column


def _texts(values: pd.Series) -> list[str | None]:
    return [None if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v))
            else str(v) for v in values]


# Scales with reliability and paired changes, ladders and yes/no shares, milestones, and a
# source long by subgroup with declared total rows.
SOURCES = ["leadership_survey", "leadership_tracking", "wins_log", "system_indicators"]


@pytest.fixture(scope="module")
def pandas_summary(network) -> pd.DataFrame:
    tables = {sid: network.tables[sid] for sid in SOURCES}
    return gto.score(tables, network.framework, targets=network.targets).to_frame()


@pytest.mark.parametrize("engine", ["polars", "duckdb"])
def test_scoring_several_sources_gives_the_pandas_summary(
    network, engine, engine_table, pandas_summary
):
    tables = {sid: engine_table(network.tables[sid], engine) for sid in SOURCES}
    got = gto.score(tables, network.framework, targets=network.targets).to_frame()
    _assert_same_summary(pandas_summary, got)


def test_scoring_a_pyarrow_table_gives_the_pandas_summary(network, engine_table):
    rates = network.tables["org_capacity"]
    options = {"source": "org_capacity", "targets": network.targets}
    expected = gto.score(rates, network.framework, **options).to_frame()
    got = gto.score(engine_table(rates, "pyarrow"), network.framework, **options).to_frame()
    _assert_same_summary(expected, got)


def test_scoring_a_dask_table_gives_the_pandas_summary(network, engine_table):
    tracking = network.tables["leadership_tracking"]
    options = {"source": "leadership_tracking", "targets": network.targets}
    expected = gto.score(tracking, network.framework, **options).to_frame()
    got = gto.score(engine_table(tracking, "dask"), network.framework, **options).to_frame()
    _assert_same_summary(expected, got)


def test_one_source_spread_over_two_engine_tables_is_refused(network, engine_table):
    survey = network.tables["leadership_survey"]
    halves = [engine_table(survey.iloc[:100], "polars"), survey.iloc[100:]]

    class Report:
        def __init__(self, rows: object) -> None:
            self.valid_rows, self.source = rows, "leadership_survey"

    with pytest.raises(ScoringError, match="several tables"):
        gto.score([Report(h) for h in halves], network.framework)
