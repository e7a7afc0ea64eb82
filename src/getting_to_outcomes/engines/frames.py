"""Recognise a table from any supported engine and talk to it through narwhals.

pandas is the library's own engine and needs nothing from here. Every other engine (Polars,
PyArrow, DuckDB, Dask, Spark) is reached through `narwhals <https://narwhals-dev.github.io>`_
or its own API to read its schema, select and sort columns, and hand rows to pandas a slice
at a time (:func:`slices` for validation, :func:`map_slices` for the scoring kernel).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Final, TypeVar

import numpy as np
import pandas as pd

from getting_to_outcomes.errors import GTOError

__all__ = [
    "ENGINES",
    "batches",
    "collect",
    "columns",
    "dask_partitions",
    "distinct",
    "engine_of",
    "is_other_engine",
    "lazy",
    "map_slices",
    "slices",
    "whole_numbers",
]

T = TypeVar("T")

#: Engines whose tables :func:`getting_to_outcomes.validate` and :func:`getting_to_outcomes.score`
#: accept, in the order the documentation lists them.
ENGINES: Final = ("pandas", "polars", "pyarrow", "duckdb", "dask", "spark")

_BATCH_ROWS: Final = 250_000  # item slices of 24 columns: about 50 MB each
_INSTALL_HINT: Final = "pip install 'getting-to-outcomes[scale]'"


def engine_of(data: Any) -> str | None:
    """The engine that holds ``data``, or None for something that is not a table.

    Parameters
    ----------
    data : object
        A pandas or Polars DataFrame (or Polars LazyFrame), a PyArrow Table, a DuckDB
        relation, a Dask DataFrame or a PySpark DataFrame.

    Returns
    -------
    str or None
        One of :data:`ENGINES`.

    Examples
    --------
    >>> import pandas as pd
    >>> engine_of(pd.DataFrame({"a": [1]}))
    'pandas'
    >>> engine_of([1, 2]) is None
    True
    """
    if isinstance(data, pd.DataFrame):
        return "pandas"
    module = type(data).__module__.split(".")[0]
    name = type(data).__name__
    if module == "polars" and name in ("DataFrame", "LazyFrame"):
        return "polars"
    if module == "pyarrow" and name == "Table":
        return "pyarrow"
    if module in ("duckdb", "_duckdb") and name == "DuckDBPyRelation":
        return "duckdb"
    if module.startswith("dask") and name == "DataFrame":
        return "dask"
    if module == "pyspark" and name == "DataFrame":  # classic and Spark Connect alike
        return "spark"
    return None


def is_other_engine(data: Any) -> bool:
    """True for a table of a supported engine other than pandas.

    Examples
    --------
    >>> import pandas as pd
    >>> is_other_engine(pd.DataFrame())
    False
    """
    engine = engine_of(data)
    return engine is not None and engine != "pandas"


def lazy(data: Any) -> Any:
    """``data`` as a narwhals LazyFrame (nothing is computed).

    Raises
    ------
    GTOError
        ``data`` is not a table of a supported engine, or narwhals is not installed.
    """
    engine = engine_of(data)
    if engine is None:
        raise GTOError(f"expected a table (one of {', '.join(ENGINES)}); got {type(data).__name__}")
    try:
        import narwhals as nw
    except ImportError:  # pragma: no cover - narwhals comes with the 'scale' extra
        raise GTOError(f"tables of engine {engine!r} need narwhals: {_INSTALL_HINT}") from None
    with warnings.catch_warnings():
        # narwhals announces that its Dask backend will move to a separate package; the
        # built-in backend is what this library is tested with.
        warnings.filterwarnings("ignore", message="Dask support is moving", category=FutureWarning)
        frame = nw.from_native(data)
    return frame.lazy() if isinstance(frame, nw.DataFrame) else frame


def collect(frame: Any) -> pd.DataFrame:
    """Compute a narwhals LazyFrame and return the result as a pandas DataFrame."""
    native: pd.DataFrame = frame.collect().to_pandas()
    return native.reset_index(drop=True)


def batches(frame: Any, batch_rows: int = _BATCH_ROWS) -> Iterator[pd.DataFrame]:
    """Compute a narwhals LazyFrame a slice of rows at a time, as pandas DataFrames.

    DuckDB and Polars stream the slices from their query without holding the whole result;
    an in-memory table is sliced. Dask is not streamed here: see :func:`map_slices`.
    """
    native = frame.to_native()
    engine = engine_of(native)
    if engine == "duckdb":
        import pyarrow as pa

        # DuckDB hands out small record batches (about one per file or row group); gather
        # them into slices of ``batch_rows`` so that the kernel runs on sizeable arrays.
        pending: list[Any] = []
        size = 0
        for batch in native.to_arrow_reader(batch_rows):
            pending.append(batch)
            size += batch.num_rows
            if size >= batch_rows:
                yield pa.Table.from_batches(pending).to_pandas()
                pending, size = [], 0
        if size:
            yield pa.Table.from_batches(pending).to_pandas()
        return
    if engine == "polars" and type(native).__name__ == "LazyFrame":
        for chunk in native.collect_batches(chunk_size=batch_rows):
            if chunk.height:
                yield chunk.to_pandas()
        return
    if engine == "spark":
        # Arrow, not Spark's own toPandas: the slices then get the same types as on the
        # other engines. The result is gathered on the driver first.
        table = native.toArrow()
        for start in range(0, table.num_rows, batch_rows):
            yield table.slice(start, batch_rows).to_pandas()
        return
    whole = collect(frame)
    for start in range(0, len(whole), batch_rows):
        yield whole.iloc[start : start + batch_rows]


def dask_partitions(data: Any, batch_rows: int = _BATCH_ROWS) -> Iterator[pd.DataFrame]:
    """The rows of a Dask DataFrame, a partition at a time, as pandas DataFrames.

    Each partition is computed on its own (by the scheduler in use, on a cluster's workers
    when a client is connected) and handed out in slices of at most ``batch_rows`` rows, so
    that one partition at a time is held here. Empty partitions give nothing. The rows
    keep the partition's index.
    """
    for part in data.to_delayed():
        rows: pd.DataFrame = part.compute()
        for start in range(0, len(rows), batch_rows):
            yield rows.iloc[start : start + batch_rows]


def slices(data: Any, batch_rows: int = _BATCH_ROWS) -> Iterator[pd.DataFrame]:
    """The rows of a table of an engine other than pandas, a slice at a time, as pandas.

    An in-memory table (a Polars DataFrame, a PyArrow Table) is cut before it is converted,
    so that one slice at a time is held as pandas; a Polars LazyFrame or a DuckDB relation
    streams its slices (:func:`batches`); a Dask DataFrame is computed a partition at a time
    (:func:`dask_partitions`). Each slice is converted by the engine's own ``to_pandas``.

    Raises
    ------
    GTOError
        ``data`` is not a table of a supported engine, or narwhals is not installed (for
        a LazyFrame or a relation).
    """
    engine = engine_of(data)
    if engine == "dask":
        yield from dask_partitions(data, batch_rows)
        return
    if engine == "pyarrow" or (engine == "polars" and type(data).__name__ == "DataFrame"):
        for start in range(0, len(data), batch_rows):
            yield data.slice(start, batch_rows).to_pandas()
        return
    yield from batches(lazy(data), batch_rows)


def map_slices(
    data: Any,
    columns: Sequence[str],
    function: Callable[[pd.DataFrame], T],
    *,
    whole: Sequence[str] = (),
    batch_rows: int = _BATCH_ROWS,
) -> list[T]:
    """``function`` applied to the rows of ``data`` a slice at a time, as pandas.

    Only ``columns`` are read. Rows equal in every column of ``whole`` are never split
    across slices, so that a function pairing a unit's rows sees them all. The results come
    in no particular order and must add up (the caller combines them).

    Where the rows are, is where ``function`` runs: Dask calls it on each partition, on the
    workers of the active scheduler, after shuffling the rows on ``whole``; Spark on each
    partition, on the executors, after repartitioning on ``whole`` (the results travel back
    pickled); a Dask DataFrame is first cut into partitions of about ``batch_rows`` rows;
    a pandas DataFrame is one slice; the other engines stream slices of
    ``batch_rows`` rows here, sorted by ``whole`` and cut between units.

    Parameters
    ----------
    data : table of any engine in :data:`ENGINES`
    columns : sequence of str
    function : callable
        Takes a pandas DataFrame with ``columns``; on Dask and Spark it must be picklable.
    whole : sequence of str
        Columns whose equal values stay in one slice.

    Examples
    --------
    >>> import pandas as pd
    >>> rows = pd.DataFrame({"id": ["a", "b", "a"], "x": [1, 2, 3]})
    >>> map_slices(rows, ["x"], lambda part: int(part["x"].sum()))
    [6]
    """
    columns, whole = list(columns), list(whole)
    engine = engine_of(data)
    if engine == "pandas":
        return [function(data[columns])]
    if engine == "dask":
        from dask.base import compute
        from dask.delayed import delayed

        frame = data[columns]
        # Slices of about batch_rows rows: a task per small file would pay the kernel's
        # fixed cost hundreds of times.
        rows = int(compute(frame.shape[0])[0])  # type: ignore[no-untyped-call]
        n_parts = max(1, -(-rows // batch_rows))
        frame = (frame.shuffle(on=whole, npartitions=n_parts) if whole
                 else frame.repartition(npartitions=n_parts))
        tasks = [delayed(function)(part) for part in frame.to_delayed()]
        results: tuple[T, ...] = compute(*tasks)  # type: ignore[no-untyped-call]
        return list(results)
    if engine == "spark":
        return _spark_slices(data.select(*columns), function, whole)
    if engine == "pyarrow" or (engine == "polars" and type(data).__name__ == "DataFrame"):
        import narwhals as nw

        table = nw.from_native(data).select(columns)
        native = (table.sort(whole, nulls_last=True) if whole else table).to_native()
        parts: Iterator[pd.DataFrame] = (
            native.slice(start, batch_rows).to_pandas()
            for start in range(0, len(native), batch_rows)
        )
    else:
        frame = lazy(data).select(columns)
        parts = batches(frame.sort(whole, nulls_last=True) if whole else frame, batch_rows)
    return [function(part) for part in _whole_units(parts, whole)]


def _whole_units(parts: Iterator[pd.DataFrame], whole: list[str]) -> Iterator[pd.DataFrame]:
    """Slices sorted by ``whole``, re-cut so that rows equal on ``whole`` stay together: the
    rows of the last unit of a slice wait for the next one."""
    carry: pd.DataFrame | None = None
    for part in parts:
        if carry is not None:
            part = pd.concat([carry, part], ignore_index=True)
            carry = None
        if not whole or part.empty:
            if not part.empty:
                yield part.reset_index(drop=True)
            continue
        keys = part[whole]
        last = keys.iloc[-1]
        same = (keys.eq(last).fillna(False).to_numpy(dtype=bool)
                | (keys.isna().to_numpy() & last.isna().to_numpy()))
        tail: np.ndarray = np.asarray(same.all(axis=1), dtype=bool)
        n_tail = len(tail) if tail.all() else int(np.argmax(~tail[::-1]))
        if n_tail < len(part):
            yield part.iloc[: len(part) - n_tail].reset_index(drop=True)
        carry = part.iloc[len(part) - n_tail :]
    if carry is not None and not carry.empty:
        yield carry.reset_index(drop=True)


def _spark_slices(
    native: Any, function: Callable[[pd.DataFrame], T], whole: list[str]
) -> list[T]:
    """``function`` on each partition, on the executors; the results pickled back."""
    import pickle

    def run(parts: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        rows = pd.concat(list(parts), ignore_index=True)
        if len(rows):
            yield pd.DataFrame({"result": [pickle.dumps(function(rows))]})

    frame = native.repartition(*whole) if whole else native
    with warnings.catch_warnings():
        # PySpark warns that pandas 3 is untested with it; this use is tested.
        warnings.filterwarnings("ignore", "PySpark does not yet fully support pandas")
        mapped = frame.mapInPandas(run, "result binary")
    # The results were pickled by this library's own function on the executors.
    return [pickle.loads(blob) for blob in mapped.toArrow().column("result").to_pylist()]


def whole_numbers(data: Any, names: Sequence[str]) -> dict[str, bool]:
    """For each float column of ``names``: whether every value is a whole number (2024.0).

    Labels read from such a column are written as integers ("2024"), as the scoring kernel
    writes them; the answer is the same for every slice of the table.

    Examples
    --------
    >>> import pandas as pd
    >>> whole_numbers(pd.DataFrame({"year": [2024.0, 2025.0], "x": [0.5, 1.0]}), ["year", "x"])
    {'year': True, 'x': False}
    """
    if isinstance(data, pd.DataFrame):
        return {n: bool((data[n].dropna() % 1 == 0).all()) for n in names
                if pd.api.types.is_float_dtype(data[n].dtype)}
    import narwhals as nw

    frame = lazy(data)
    schema = frame.collect_schema()
    floats = [n for n in names if schema[n].is_float()]
    if not floats:
        return {}
    fractional = {
        f"__f{k}": (((nw.col(n) % 1) != 0) & ~nw.col(n).is_nan()).fill_null(False)
        .cast(nw.Int64).sum()
        for k, n in enumerate(floats)
    }
    row = collect(frame.select(**fractional)).iloc[0]
    return {n: not row[f"__f{k}"] for k, n in enumerate(floats)}


def columns(data: Any) -> list[str]:
    """Column names of a table of any engine (from its schema; nothing is computed).

    Examples
    --------
    >>> import pandas as pd
    >>> columns(pd.DataFrame({"a": [1], "b": [2]}))
    ['a', 'b']
    """
    if isinstance(data, pd.DataFrame):
        return [str(c) for c in data.columns]
    return [str(c) for c in lazy(data).collect_schema().names()]


def distinct(data: Any, column: str) -> pd.Series:
    """The distinct values of one column of a table of any engine, as a pandas Series.

    Examples
    --------
    >>> import pandas as pd
    >>> sorted(distinct(pd.DataFrame({"wave": ["pre", "post", "pre"]}), "wave"))
    ['post', 'pre']
    """
    if isinstance(data, pd.DataFrame):
        return pd.Series(pd.unique(data[column]), name=column)
    return collect(lazy(data).select(column).unique())[column]
