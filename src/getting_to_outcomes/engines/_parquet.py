"""Partitioned Parquet data sets: one folder per organization and period, read lazily.

A network's data outgrow one file long before they outgrow one disk. Written as a
hive-partitioned Parquet data set (``org_id=org_001/period=2024/part-0.parquet``), each engine
can read only the columns and folders a query needs: DuckDB and Polars stream them, Dask reads
one file per task (on a cluster, on the workers), and pandas reads them whole.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Final

from getting_to_outcomes.engines.frames import ENGINES, engine_of
from getting_to_outcomes.errors import DataReadError, GTOError

__all__ = ["DUCKDB_MEMORY_LIMIT", "partition_columns", "read_partitioned", "write_partitioned"]

_HINT: Final = "pip install 'getting-to-outcomes[scale]'"
#: Memory DuckDB may use on the connection :func:`read_partitioned` opens; beyond it DuckDB
#: spills to disk. Scoring 10,000,000 survey responses (``benchmarks/bench_engines.py``)
#: peaked at 6.3 GiB with this limit in 153 s, 8.2 GiB with 4GB in 155 s, and 22.9 GiB with
#: DuckDB's default (80% of the machine's memory) in 201 s.
DUCKDB_MEMORY_LIMIT: Final = "2GB"


def partition_columns(path: str | os.PathLike[str]) -> list[str]:
    """The hive partition columns of a data set, outermost first (``key=value`` folders).

    Examples
    --------
    >>> partition_columns("no/such/folder")
    []
    """
    keys: list[str] = []
    folder = Path(path)
    while folder.is_dir():
        children = sorted(p for p in folder.iterdir() if p.is_dir() and "=" in p.name)
        if not children:
            break
        keys.append(children[0].name.split("=", 1)[0])
        folder = children[0]
    return keys


def _files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*.parquet") if p.is_file())


def _check(root: Path) -> list[str]:
    if not root.is_dir():
        raise DataReadError(
            f"{root}: no such folder; expected a partitioned Parquet data set "
            "(folders named like org_id=org_001/period=2024)"
        )
    if not _files(root):
        raise DataReadError(f"{root}: the folder holds no .parquet file")
    return partition_columns(root)


def _sql_text(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def read_partitioned(
    path: str | os.PathLike[str],
    *,
    engine: str = "duckdb",
    columns: Sequence[str] | None = None,
    connection: Any = None,
    blocksize: str | int = "128MiB",
) -> Any:
    """Open a hive-partitioned Parquet data set lazily on one engine.

    Partition columns (the ``key=value`` folder names, e.g. organization and period) are
    read as text, never guessed as numbers, so ``org_id=007`` stays ``"007"``.

    Parameters
    ----------
    path : path-like
        The data set's root folder.
    engine : {"duckdb", "polars", "dask", "pandas", "pyarrow"}
        ``"duckdb"`` returns a relation, ``"polars"`` a LazyFrame and ``"dask"`` a Dask
        DataFrame: nothing is read until a result is asked for, and then only the columns
        and files needed. ``"pandas"`` and ``"pyarrow"`` read the data into memory.
    columns : sequence of str, optional
        Read only these columns.
    blocksize : str or int
        Dask only: small files are read together into partitions of about this size (one
        task each), since a task per small file costs more than reading it.
    connection : duckdb.DuckDBPyConnection, optional
        DuckDB connection to use; by default a new in-memory connection that caches Parquet
        metadata, does not keep rows in file order, and works within
        :data:`DUCKDB_MEMORY_LIMIT`, spilling the rest to a folder of the system's temporary
        directory (``SET parquet_metadata_cache = true``, ``preserve_insertion_order =
        false``, ``memory_limit`` and ``temp_directory``: worth setting on your own too).

    Returns
    -------
    DuckDB relation, Polars LazyFrame, Dask DataFrame, pandas DataFrame or PyArrow Table

    Raises
    ------
    DataReadError
        The folder does not exist or holds no Parquet file.
    GTOError
        Unknown engine, or the engine is not installed.

    Examples
    --------
    >>> import pandas as pd, tempfile
    >>> rows = pd.DataFrame({"org_id": ["a", "b"], "period": ["2024", "2024"], "x": [1.0, 2.0]})
    >>> root = write_partitioned(rows, tempfile.mkdtemp(), partition_by=["org_id", "period"])
    >>> read_partitioned(root, engine="pandas").sort_values("org_id")["x"].tolist()
    [1.0, 2.0]
    """
    root = Path(path)
    keys = _check(root)
    wanted = None if columns is None else list(columns)
    try:
        if engine == "duckdb":
            import duckdb

            if connection is None:
                # A connection of its own, which keeps the files' metadata between queries:
                # scoring asks several grouped questions of the same files. Rows need not
                # keep the order of the files (every result is grouped or ordered), which
                # lets DuckDB write the rows scoring keeps in parallel: half the time.
                con = duckdb.connect()
                con.sql("SET parquet_metadata_cache = true")
                con.sql("SET preserve_insertion_order = false")
                # DuckDB's default limit (80% of the machine's memory) leaves nothing to the
                # statistics step in the same process: 10 million responses reached 1.4x
                # pandas' peak. Within a limit it spills to disk, and was faster for it.
                con.sql(f"SET memory_limit = '{DUCKDB_MEMORY_LIMIT}'")
                spill = Path(tempfile.gettempdir()) / "getting-to-outcomes-duckdb"
                con.sql(f"SET temp_directory = {_sql_text(str(spill))}")
            else:
                con = connection
            glob = _sql_text(str(root / "**" / "*.parquet"))
            select = (
                "*"
                if wanted is None
                else ", ".join('"' + c.replace('"', '""') + '"' for c in wanted)
            )
            return con.sql(
                f"SELECT {select} FROM read_parquet({glob}, hive_partitioning = "
                "true, hive_types_autocast = false)"
            )
        if engine == "polars":
            import polars as pl

            frame = pl.scan_parquet(
                root / "**" / "*.parquet",
                hive_partitioning=True,
                hive_schema={k: pl.String for k in keys},
            )
            return frame if wanted is None else frame.select(wanted)
        import pyarrow as pa
        import pyarrow.dataset as ds

        partitioning = ds.partitioning(pa.schema([(k, pa.string()) for k in keys]), flavor="hive")
        if engine == "dask":
            import dask.dataframe as dd

            return dd.read_parquet(
                str(root),
                columns=wanted,
                dataset={"partitioning": partitioning},
                aggregate_files=True,
                blocksize=blocksize,
            )
        if engine in ("pandas", "pyarrow"):
            table = ds.dataset(root, format="parquet", partitioning=partitioning).to_table(
                columns=wanted
            )
            return table.to_pandas() if engine == "pandas" else table
    except ImportError as error:
        raise GTOError(f"engine {engine!r} is not installed ({error.name}): {_HINT}") from None
    if engine == "spark":
        raise GTOError(
            "read a partitioned data set with Spark itself, keeping partition values as text: "
            'spark.conf.set("spark.sql.sources.partitionColumnTypeInference.enabled", "false"); '
            f"spark.read.parquet({str(root)!r})"
        )
    readers = [e for e in ENGINES if e != "spark"]
    raise GTOError(f"unknown engine {engine!r}; choose one of {', '.join(readers)}")


def write_partitioned(
    data: Any,
    path: str | os.PathLike[str],
    *,
    partition_by: Sequence[str] = ("org_id", "period"),
) -> Path:
    """Write a table as a hive-partitioned Parquet data set (one folder per value).

    New files are added beside any already there, so a large table can be written a part
    at a time (each call writes files with new names).

    Parameters
    ----------
    data : table of any supported engine
        Rows to write. A Dask DataFrame or DuckDB relation is written by its own engine,
        without being collected.
    path : path-like
        Root folder of the data set (created if needed).
    partition_by : sequence of str
        Columns whose values name the folders, outermost first; written as text.

    Returns
    -------
    Path
        The root folder.
    """
    root = Path(path)
    root.mkdir(parents=True, exist_ok=True)
    keys = list(partition_by)
    engine = engine_of(data)
    if engine is None:
        raise GTOError(f"expected a table (one of {', '.join(ENGINES)}); got {type(data).__name__}")
    if engine == "dask":
        data.assign(**{k: data[k].astype(str) for k in keys}).to_parquet(
            str(root),
            partition_on=keys,
            write_index=False,
            append=any(root.iterdir()),
            name_function=lambda i: f"part-{uuid.uuid4().hex}-{i}.parquet",
        )
        return root
    if engine == "duckdb":
        casts = ", ".join(f'CAST("{k}" AS VARCHAR) AS "{k}"' for k in keys)
        rest = ", ".join(f'"{c}"' for c in data.columns if c not in keys)
        data.query("__rows", f"SELECT {rest}, {casts} FROM __rows").to_parquet(
            str(root), partition_by=keys, append=True, filename_pattern="part-{uuid}"
        )
        return root
    import pyarrow as pa
    import pyarrow.parquet as pq

    from getting_to_outcomes.engines.frames import lazy

    table = data if engine == "pyarrow" else lazy(data).collect().to_arrow()
    for key in keys:
        column = table[key]
        if not pa.types.is_string(column.type) and not pa.types.is_large_string(column.type):
            table = table.set_column(
                table.schema.get_field_index(key), key, column.cast(pa.string())
            )
    pq.write_to_dataset(
        table, root, partition_cols=keys, basename_template=f"part-{uuid.uuid4().hex}-{{i}}.parquet"
    )
    return root
