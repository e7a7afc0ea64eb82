"""Validation and scoring on other dataframe engines: Polars, PyArrow, DuckDB, Dask, Spark.

pandas is the default engine and the only one the library needs. With the ``scale`` extra
installed (``pip install 'getting-to-outcomes[scale]'``), :func:`getting_to_outcomes.score`
and :func:`getting_to_outcomes.validate` also accept a Polars DataFrame or LazyFrame, a
PyArrow Table, a DuckDB relation or a Dask DataFrame (and, with the ``spark`` extra, a
PySpark DataFrame), and give the same results as on pandas.

- Scoring keeps the rows in the engine: it reduces them to the small grouped tables the
  statistics are computed from, so data larger than memory can be scored by DuckDB or Dask,
  read lazily from a partitioned Parquet data set (:func:`read_partitioned`).
- Validation gives a verdict on every row, so the rows are streamed to pandas a slice at a
  time (250,000 rows, or a Dask partition) through the same checks as a pandas DataFrame,
  and the valid and rejected rows come back as pandas. Data larger than memory is validated
  a part at a time (one organization's files, or a filtered :func:`read_partitioned` data
  set), each part's valid rows written with :func:`write_partitioned`, and the data set
  scored on the engine.
"""

from getting_to_outcomes.engines._parquet import (
    DUCKDB_MEMORY_LIMIT,
    partition_columns,
    read_partitioned,
    write_partitioned,
)
from getting_to_outcomes.engines.frames import ENGINES, engine_of

__all__ = [
    "DUCKDB_MEMORY_LIMIT",
    "ENGINES",
    "engine_of",
    "partition_columns",
    "read_partitioned",
    "write_partitioned",
]
