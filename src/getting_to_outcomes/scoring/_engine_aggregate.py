"""The aggregation seam on any engine: raw rows -> the tables of :class:`Aggregates`.

:func:`aggregate_source` is the engine counterpart of
:func:`getting_to_outcomes.scoring._aggregate.aggregate_source` and returns the same tables (to
floating-point rounding, with rows sorted by their keys). The rows never leave the engine.

One pass over the source computes what every row contributes (labels, unit ids, the value
and inputs of each indicator, the raw answers of scales, and a flag for values that scoring
refuses) and keeps it in the engine (:func:`~getting_to_outcomes.engines.frames.cached`).
Every table is then a grouped query of those cached rows:

``cells``
    One group-by over group x period x every subgroup column at once, for all indicators of
    the source: the *finest cells*. It also counts the refused values (the first is then
    reported with an example) and numbers the cells: each row's cell number, joined back to
    the rows, is the one integer key of every later query, so that the large results
    (values, changes) come back as numbers, never as text. The whole-group rows and the rows
    of each dimension are sums of the finest cells, taken with ``np.bincount``.
``values``
    The values of every indicator stacked (unpivoted) and counted by cell and value.
``pair_sums``, ``differences`` and ``transitions``
    Each unit's baseline row joined, inside the engine, to its rows in later periods (on
    group and unit id, all indicators at once), then counted by change (``mean`` family) or
    by before and after value (``share`` family).
``items`` and ``answers``
    Matrix products per slice of rows (:mod:`getting_to_outcomes.scoring._moments`): an engine
    is slow at hundreds of summed products, a matrix product does them at once.
``stages`` and ``stage_times``
    Milestone logs are small (one row per policy win): their few columns are collected and
    aggregated by the pandas implementation itself.

Labels come back once per finest cell and are decoded as the pandas implementation writes
them (whole-number floats such as 2024.0 read as 2024); the tables hold them as shared
Python strings, as the pandas implementation does, which keeps the statistics step as fast
as on pandas.
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from functools import partial, reduce
from types import MappingProxyType
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from getting_to_outcomes.definitions import Framework
from getting_to_outcomes.definitions.models import (
    Condition,
    DataSource,
    Indicator,
    MilestoneMeasure,
    ScaleMeasure,
)
from getting_to_outcomes.engines.frames import (
    cached,
    collect,
    engine_of,
    lazy,
    map_batches,
    rowwise,
)
from getting_to_outcomes.errors import ScoringError
from getting_to_outcomes.scoring import _aggregate as pandas_seam
from getting_to_outcomes.scoring._aggregate import (
    ALL,
    MISSING_SUBGROUP,
    TABLE_COLUMNS,
    Aggregates,
    Window,
    unit_key_columns,
)
from getting_to_outcomes.scoring._exprs import Check, ExprBuilder, UnitExprs
from getting_to_outcomes.scoring._measures import family_of
from getting_to_outcomes.scoring._moments import (
    CELL,
    GROUP,
    PERIOD,
    ScaleSpec,
    meta,
    moments_kernel,
)

__all__ = ["aggregate_source", "split_rows"]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

_VALIDATE_HINT: Final = "run `gto validate` on the file to list every such value"
_IND: Final = "__ind"
_VALUE: Final = "__value"
_BAD: Final = "__bad"
_ALL_ROWS: Final = "__all"


def _dim(i: int) -> str:
    return f"__d{i}"


class _Source:
    """The expressions of one source's rows, shared by every table."""

    def __init__(
        self,
        frame: Any,
        source: DataSource,
        window: Window,
        group_column: str | None,
        group_label: str | None,
        dims: list[str],
    ) -> None:
        import narwhals as nw

        self.nw = nw
        self.frame = frame
        self.source = source
        self.window = window
        self.schema = dict(frame.collect_schema())
        self.b = ExprBuilder(self.schema, source.id)
        self.group_column = group_column
        self.group_label = group_label
        self.dims = dims

    def is_float(self, name: str) -> bool:
        return bool(self.schema[name].is_float())

    def label(self, name: str) -> Any:
        """Labels as stripped text. A float column is written by the engine as it likes
        (2024.0) and decoded once per cell (:func:`_decoded`): whether 2024.0 reads as 2024
        depends on every value of the column."""
        nw = self.nw
        if self.is_float(name):
            return nw.when(~self.b.missing(name)).then(nw.col(name).cast(nw.String)).otherwise(None)
        return self.b.text(name)

    def keyed(self) -> dict[str, Any]:
        """Group, period and subgroup columns, by their internal names."""
        if self.group_label is not None:
            group = self.nw.lit(self.group_label)
        else:
            assert self.group_column is not None
            group = self.label(self.group_column)
        out = {GROUP: group, PERIOD: self.label(self.source.time_column)}
        for i, dim in enumerate(self.dims):
            out[_dim(i)] = self.label(dim).fill_null(MISSING_SUBGROUP)
        return out

    def keys(self) -> list[str]:
        return [GROUP, PERIOD, *self.dim_columns()]

    def dim_columns(self) -> list[str]:
        return [_dim(i) for i in range(len(self.dims))]


# --- labels and codes of the finest cells --------------------------------------------------


def _float_text(values: pd.Series) -> pd.Series:
    """The pandas implementation's labels of a float column (see its ``_text``)."""
    whole = values.dropna()
    if (whole == np.round(whole)).all():
        values = values.astype("Int64")
    return values.astype("string").str.strip()


def _decoded(raw: pd.Series, is_float: bool) -> npt.NDArray[np.object_]:
    """Labels of the finest cells as the pandas implementation writes them (None if null)."""
    out = np.empty(len(raw), dtype=object)
    present = raw.notna().to_numpy()
    text = raw[present].astype(object)
    if is_float:
        known = (text != MISSING_SUBGROUP).to_numpy()
        numbers = pd.Series(
            [float(t) for t in text[known]], dtype=np.float64, index=text.index[known]
        )
        labels = text.copy()
        labels[known] = _float_text(numbers).astype(object)
        text = labels
    out[present] = [str(t) for t in text]
    return out


def _codes(labels: npt.NDArray[np.object_], order: Sequence[str] | None = None) -> tuple[
    npt.NDArray[np.object_], IntArray]:
    """Distinct labels (sorted, or in ``order``) as one shared object each, and each row's code
    (-1 for a label outside ``order``)."""
    distinct = sorted({str(v) for v in labels}) if order is None else list(order)
    uniques = np.empty(len(distinct), dtype=object)
    uniques[:] = distinct
    codes = pd.Index(distinct, dtype=object).get_indexer(pd.Index(labels, dtype=object))
    return uniques, np.asarray(codes, dtype=np.int64)


@dataclass
class _Cells:
    """The finest cells: the codes of their group, period and subgroups, indexed by cell."""

    groups: npt.NDArray[np.object_]
    group: IntArray
    periods: npt.NDArray[np.object_]
    period: IntArray  # -1 outside the window
    subgroups: list[tuple[npt.NDArray[np.object_], IntArray]]  # per dimension
    period_raw: pd.Series  # each cell's period as the engine writes it

    @property
    def n_periods(self) -> int:
        return len(self.periods)

    def raw_periods(self, wanted: Sequence[str]) -> list[Any]:
        """The engine's spellings of the periods ``wanted``."""
        codes = [i for i, p in enumerate(self.periods) if p in wanted]
        found = self.period_raw[np.isin(self.period, codes)]
        return list(dict.fromkeys(found.tolist()))

    def breakdowns(self, dims: list[tuple[str, int]]) -> list[
        tuple[str, npt.NDArray[np.object_], IntArray, int]]:
        """(dimension, subgroup labels, subgroup code per cell, position) of the whole group
        (position -1) and of each dimension (position of the dimension)."""
        whole = np.empty(1, dtype=object)
        whole[0] = ALL
        out = [(ALL, whole, np.zeros(len(self.group), dtype=np.int64), -1)]
        for dim, i in dims:
            labels, codes = self.subgroups[i]
            out.append((dim, labels, codes, i))
        return out

    def key(self, cell: IntArray, sub: IntArray, n_sub: int) -> tuple[IntArray, int]:
        """One code per (group, period, subgroup) of the given cells, and how many there are."""
        code = (self.group[cell] * self.n_periods + self.period[cell]) * n_sub + sub[cell]
        return code, len(self.groups) * self.n_periods * n_sub

    def labels(self, code: IntArray, n_sub: int,
               sub_labels: npt.NDArray[np.object_]) -> dict[str, Any]:
        gp = code // n_sub
        return {
            "group": self.groups[gp // self.n_periods],
            "period": self.periods[gp % self.n_periods],
            "subgroup": sub_labels[code % n_sub],
        }


def _cell_codes(src: _Source, finest: pd.DataFrame) -> _Cells:
    """Decode the labels of the finest cells (one row per cell, in cell order)."""
    group_float = src.group_column is not None and src.is_float(src.group_column)
    groups, group = _codes(_decoded(finest[GROUP], group_float))
    period_labels = _decoded(finest[PERIOD], src.is_float(src.source.time_column))
    periods, period = _codes(period_labels, src.window.periods)
    subgroups = [_codes(_decoded(finest[_dim(i)], src.is_float(d)))
                 for i, d in enumerate(src.dims)]
    return _Cells(groups, group, periods, period, subgroups, finest[PERIOD])


def _group_sums(code: IntArray, size: int, weights: Sequence[Any]) -> tuple[IntArray, list[
        Any]]:
    """The distinct codes present, in order, and the sums of each weight over each."""
    if size <= 1 << 24:
        present = np.flatnonzero(np.bincount(code, minlength=size))
        return present, [np.bincount(code, weights=np.asarray(w, dtype=np.float64),
                                     minlength=size)[present] for w in weights]
    present, inverse = np.unique(code, return_inverse=True)
    return present, [np.bincount(inverse, weights=np.asarray(w, dtype=np.float64),
                                 minlength=len(present)) for w in weights]


class _Tables:
    """Collects the columns of each table piece by piece; text as shared Python objects."""

    def __init__(self) -> None:
        self.parts: dict[str, list[dict[str, Any]]] = {name: [] for name in TABLE_COLUMNS}

    def add(self, name: str, columns: dict[str, Any]) -> None:
        length = max((len(v) for v in columns.values() if np.ndim(v)), default=0)
        if length == 0:
            return
        piece: dict[str, Any] = {}
        for column in TABLE_COLUMNS[name]:
            value = columns[column]
            if pandas_seam._dtype(column) == "object":
                if np.ndim(value):
                    piece[column] = np.asarray(value, dtype=object)
                else:
                    text = np.empty(length, dtype=object)
                    text[:] = value
                    piece[column] = text
            else:
                piece[column] = np.broadcast_to(np.asarray(value, dtype=np.float64), (length,))
        self.parts[name].append(piece)

    def table(self, name: str) -> pd.DataFrame:
        parts = self.parts[name]
        if not parts:
            return pandas_seam._empty(name)
        data = {
            column: pd.Series(np.concatenate([p[column] for p in parts]),
                              dtype=object if pandas_seam._dtype(column) == "object"
                              else np.float64, copy=False)
            for column in TABLE_COLUMNS[name]
        }
        return pd.DataFrame(data)


# --- checks ------------------------------------------------------------------------------


def _count(expr: Any, nw: Any) -> Any:
    """1 where ``expr`` holds, else 0 (summed by :func:`_sums`)."""
    return expr.fill_null(False).cast(nw.Int64)


def _sums(frame: Any, flags: dict[str, Any], nw: Any) -> dict[str, int]:
    """The sums of several 0/1 columns in one grouped pass (one reduction on every engine;
    Dask would otherwise compute each sum of a ``select`` on its own)."""
    names = {f"__f{k}": name for k, name in enumerate(flags)}
    columns = {f"__f{k}": expr for k, expr in enumerate(flags.values())}
    row = collect(
        rowwise(frame, lambda f: f.select(__one=nw.lit(1), **columns))
        .group_by("__one")
        .agg(*(nw.col(c).sum() for c in columns))
    )
    if row.empty:
        return dict.fromkeys(flags, 0)
    first = row.iloc[0]
    return {names[c]: int(0 if pd.isna(first[c]) else first[c]) for c in columns}


def _first_check(src: _Source, check: Check, indicator: Indicator, n_bad: int) -> ScoringError:
    computed = rowwise(src.frame, src.b.apply)
    example = collect(computed.filter(check.bad).select(check.column).head(1))
    value = example.iloc[0, 0] if len(example) else None
    if isinstance(value, np.generic):
        value = value.item()
    return ScoringError(
        f"source {src.source.id!r}, column {check.column!r}: {value!r} {check.what} "
        f"(indicator {indicator.id!r}; {n_bad} such value(s)); {_VALIDATE_HINT}"
    )


def _any_bad(units: dict[str, UnitExprs], nw: Any) -> Any | None:
    """1 for a row holding any value that scoring refuses, else 0."""
    flags = [check.bad.fill_null(False) for unit in units.values() for check in unit.checks]
    return None if not flags else reduce(operator.or_, flags).cast(nw.Int8)


def _refuse(
    src: _Source, finest: pd.DataFrame, units: dict[str, UnitExprs],
    indicators: Sequence[Indicator],
) -> None:
    """Raise for rows without group or period, and for values that scoring refuses.

    The finest cells count them; only when there is one are the values counted check by
    check (a second pass, to name the first check that fails and how often).
    """
    source = src.source
    rows = finest[_ALL_ROWS].to_numpy(dtype=np.float64)
    if src.group_column is not None and src.group_label is None:
        group = finest[GROUP]
        blank = (group.isna() | (group.astype(object) == "")).to_numpy(dtype=bool)
        if blank.any():
            raise ScoringError(
                f"source {source.id!r}: {int(rows[blank].sum())} row(s) have no value in the "
                f"grouping column {src.group_column!r}; every row must belong to a group: run "
                "`gto validate` on the file"
            )
    blank = finest[PERIOD].isna().to_numpy(dtype=bool)
    if blank.any():
        raise ScoringError(
            f"source {source.id!r}: {int(rows[blank].sum())} row(s) have no period in "
            f"column {source.time_column!r}; run `gto validate`"
        )
    if _BAD not in finest.columns or not finest[_BAD].to_numpy(dtype=np.float64).sum():
        return
    nw = src.nw
    exprs = {f"{ind_id}:{k}": _count(check.bad, nw)
             for ind_id, unit in units.items() for k, check in enumerate(unit.checks)}
    counts = _sums(rowwise(src.frame, src.b.apply), exprs, nw)
    by_id = {i.id: i for i in indicators}
    for ind_id, unit in units.items():
        for k, check in enumerate(unit.checks):
            n_bad = counts[f"{ind_id}:{k}"]
            if n_bad:
                raise _first_check(src, check, by_id[ind_id], n_bad)


# --- the rows and their finest cells -------------------------------------------------------


def _scale_specs(
    units: dict[str, UnitExprs], framework: Framework, indicators: dict[str, Indicator]
) -> tuple[list[ScaleSpec], dict[str, Any]]:
    """The scales of the source and the columns of their raw answers."""
    import narwhals as nw

    specs = []
    exprs: dict[str, Any] = {}
    for j, (ind_id, unit) in enumerate(units.items()):
        measure = indicators[ind_id].measure
        if not isinstance(measure, ScaleMeasure):
            continue
        codes = [float(c.code) for c in framework.scale(measure.scale).codes]
        # Answers that scoring accepts are whole codes of the scale: float32 holds them
        # exactly (refused values stop scoring before these are used) in half the memory.
        small = max(abs(min(codes)), abs(max(codes))) < 2**24
        columns = []
        for m, (_, raw) in enumerate(unit.items):
            exprs[f"__i{j}_{m}"] = raw.cast(nw.Float32) if small else raw
            columns.append(f"__i{j}_{m}")
        specs.append(
            ScaleSpec(
                indicator_id=ind_id,
                items=tuple(measure.items),
                columns=tuple(columns),
                reverse=tuple(i in measure.reverse for i in measure.items),
                low=min(codes),
                high=max(codes),
                codes=tuple(codes),
            )
        )
    return specs, exprs


def _rows(
    src: _Source, base: Any, units: dict[str, UnitExprs], ids: dict[str, Any],
    items: dict[str, Any],
) -> Any:
    """Every row with its labels, unit ids, raw answers of scales, a flag for refused values
    and, per indicator, its value and inputs.

    Only what cannot be derived at query time is kept (these rows are cached by the engine):
    squares and successes are computed from the value when grouping.
    """
    nw = src.nw
    exprs = {**src.keyed(), **ids}
    for j, unit in enumerate(units.values()):
        valid = unit.in_scope if unit.in_scope is not None else None
        value = unit.value if valid is None else nw.when(valid).then(unit.value).otherwise(None)
        exprs[f"__v{j}"] = value
        if valid is not None:
            exprs[f"__r{j}"] = valid.cast(nw.Int8)
        empty = unit.empty if valid is None else valid & unit.empty
        exprs[f"__e{j}"] = empty.cast(nw.Int8)
        if unit.denominator is not None:
            has = ~unit.value.is_null() if valid is None else valid & ~unit.value.is_null()
            exprs[f"__den{j}"] = nw.when(has).then(unit.denominator).otherwise(None)
    exprs.update(items)
    bad = _any_bad(units, nw)
    if bad is not None:
        exprs[_BAD] = bad
    return rowwise(base, lambda frame: src.b.apply(frame).select(**exprs))


def _contiguous(frame: Any, columns: list[str]) -> Any:
    """The columns scoring needs, in contiguous memory when the engine would otherwise
    compute every expression chunk by chunk.

    A Polars scan of many small files yields one small chunk per file and column, and every
    expression pays a fixed cost per chunk (ten times the work itself on a data set of 600
    files of 1,700 rows); read into one chunk first, the same expressions take a tenth.
    """
    native = frame.to_native()
    if engine_of(native) == "polars" and type(native).__name__ == "LazyFrame":
        return lazy(native.select(columns).collect().rechunk())
    return frame


def _number_cells(
    src: _Source, rows: Any, units: dict[str, UnitExprs], stack: ExitStack
) -> tuple[Any, pd.DataFrame]:
    """The finest cells in the engine, numbered (column ``__cell``), and as pandas, one row
    per cell in number order."""
    query = _finest_query(src, rows, units)
    keys = src.keys()
    if engine_of(rows.to_native()) == "dask":
        import dask.dataframe as dd

        # Dask numbers rows in order only through a sort of the whole table; the cells are
        # few, so they are numbered here and sent back as one partition.
        finest = _numbers(collect(query), keys)
        finest[CELL] = np.arange(len(finest), dtype=np.int64)
        from_pandas: Any = dd.from_pandas
        return lazy(from_pandas(finest[[*keys, CELL]], npartitions=1)), finest
    numbered = stack.enter_context(cached(query.with_row_index(CELL, order_by=keys)))
    finest = _numbers(collect(numbered), keys)
    finest = finest.sort_values(CELL, kind="stable").reset_index(drop=True)
    if not np.array_equal(finest[CELL].to_numpy(), np.arange(len(finest))):
        raise ScoringError("the engine numbered the cells of the rows out of order")
    return numbered, finest


def _finest_query(src: _Source, rows: Any, units: dict[str, UnitExprs]) -> Any:
    """The finest cells with their sums."""
    nw = src.nw
    pieces: dict[str, Any] = {}
    aggs = [nw.len().alias(_ALL_ROWS)]
    # Flags are kept small in the rows and summed as Int64 (pandas-like engines aggregate
    # only plain columns).
    if _BAD in rows.collect_schema():
        pieces[_BAD] = nw.col(_BAD).cast(nw.Int64)
        aggs.append(nw.col(_BAD).sum())
    for j, unit in enumerate(units.values()):
        value = nw.col(f"__v{j}")
        pieces[f"__s{j}"] = value * value
        if unit.threshold is not None:
            pieces[f"__hit{j}"] = (
                nw.when(~value.is_null())
                .then((value >= unit.threshold).cast(nw.Int64))
                .otherwise(None)
            )
        pieces[f"__e{j}"] = nw.col(f"__e{j}").cast(nw.Int64)
        if unit.in_scope is not None:
            pieces[f"__r{j}"] = nw.col(f"__r{j}").cast(nw.Int64)
            aggs.append(nw.col(f"__r{j}").sum())
        aggs += [
            nw.col(f"__e{j}").sum(),
            value.count().alias(f"__n{j}"),
            value.sum(),
            nw.col(f"__s{j}").sum(),
        ]
        if unit.denominator is not None:
            aggs.append(nw.col(f"__den{j}").sum())
        if unit.threshold is not None:
            aggs.append(nw.col(f"__hit{j}").sum())
    keys = src.keys()
    with_pieces = rowwise(rows, lambda frame: frame.with_columns(**pieces))
    return with_pieces.group_by(*keys, drop_null_keys=False).agg(*aggs)


def _numbers(table: pd.DataFrame, text: Sequence[str] = ()) -> pd.DataFrame:
    """A collected result with every column but ``text`` as float64 (a null sum is NaN)."""
    for column in table.columns:
        if column not in text:
            table[column] = pd.to_numeric(table[column], errors="coerce").to_numpy(
                dtype=np.float64, na_value=np.nan)
    return table


def _dim_names(src: _Source, indicator: Indicator) -> list[tuple[str, int]]:
    """(dimension, position) of the subgroup columns an indicator is broken down by."""
    return [(d, i) for i, d in enumerate(src.dims) if d in indicator.disaggregate_by]


# --- the tables --------------------------------------------------------------------------


def _cells(
    src: _Source,
    finest: pd.DataFrame,
    cells: _Cells,
    units: dict[str, UnitExprs],
    indicators: dict[str, Indicator],
    out: _Tables,
) -> None:
    inside = cells.period >= 0
    cell = np.flatnonzero(inside)
    for j, (ind_id, unit) in enumerate(units.items()):
        def column(name: str) -> FloatArray:
            values: FloatArray = finest[name].to_numpy(dtype=np.float64)[cell]
            return np.nan_to_num(values)

        n_rows = column(f"__r{j}" if unit.in_scope is not None else _ALL_ROWS)
        sums = [n_rows, column(f"__e{j}"), column(f"__n{j}"), column(f"__v{j}"),
                column(f"__s{j}")]
        if unit.denominator is not None:
            sums.append(column(f"__den{j}"))
        if unit.threshold is not None:
            sums.append(column(f"__hit{j}"))
        for dim, sub_labels, sub, _ in cells.breakdowns(_dim_names(src, indicators[ind_id])):
            n_sub = len(sub_labels)
            code, size = cells.key(cell, sub, n_sub)
            present, summed = _group_sums(code, size, sums)
            keep = summed[0] > 0
            present = present[keep]
            summed = [s[keep] for s in summed]
            if present.size == 0:
                continue
            out.add("cells", {
                "indicator_id": ind_id, "dimension": dim,
                **cells.labels(present, n_sub, sub_labels),
                "n_rows": summed[0], "n_empty": summed[1], "n": summed[2], "sum": summed[3],
                "sum_sq": summed[4],
                "denominator": summed[5] if unit.denominator is not None else summed[2],
                "successes": summed[-1] if unit.threshold is not None else np.nan,
            })


def _stacked(src: _Source, rows: Any, columns: dict[str, str], index: list[str]) -> Any:
    """The value columns of several indicators stacked: one row per row and indicator."""
    nw = src.nw
    narrow = rows.select(*index, *columns)
    native = narrow.to_native()
    if engine_of(native) == "duckdb":
        # narwhals unpivots DuckDB relations on DuckDB's default connection only; this SQL
        # runs on the relation's own connection. UNPIVOT leaves out nulls.
        on = ", ".join(f'"{c}"' for c in columns)
        return nw.from_native(
            native.query(
                "__gto_stack", f"UNPIVOT __gto_stack ON {on} INTO NAME {_IND} VALUE {_VALUE}"
            )
        )
    long = narrow.unpivot(on=list(columns), index=index, variable_name=_IND, value_name=_VALUE)
    return long.filter(~nw.col(_VALUE).is_null())


def _values(
    src: _Source,
    coded: Any,
    cells: _Cells,
    columns: dict[str, str],
    indicators: dict[str, Indicator],
    out: _Tables,
) -> None:
    """Distribution of the values of the ``mean`` and ``share`` indicators."""
    nw = src.nw
    long = _stacked(src, coded, columns, [CELL])
    found = _numbers(
        collect(long.group_by(_IND, CELL, _VALUE).agg(nw.len().alias("count"))), [_IND]
    )
    names = found[_IND].to_numpy(dtype=object)
    for column, ind_id in columns.items():
        part = found[names == column]
        if part.empty:
            continue
        cell = part[CELL].to_numpy(dtype=np.int64)
        steps, step = np.unique(part[_VALUE].to_numpy(dtype=np.float64), return_inverse=True)
        count = part["count"].to_numpy(dtype=np.float64)
        for dim, sub_labels, sub, _ in cells.breakdowns(_dim_names(src, indicators[ind_id])):
            n_sub = len(sub_labels)
            code, size = cells.key(cell, sub, n_sub)
            present, (summed,) = _group_sums(code * len(steps) + step, size * len(steps),
                                             [count])
            out.add("values", {
                "indicator_id": ind_id, "dimension": dim,
                **cells.labels(present // len(steps), n_sub, sub_labels),
                "value": steps[present % len(steps)], "count": summed,
            })


def _pairs(
    src: _Source,
    coded: Any,
    cells: _Cells,
    columns: dict[str, str],
    ids: list[str],
    unit_columns: list[str],
    indicators: dict[str, Indicator],
    out: _Tables,
) -> None:
    """Match units between the baseline and each later period, inside the engine: each
    baseline row is joined once to the unit's later rows, for all indicators at once."""
    nw = src.nw
    on = [GROUP, *ids]
    known = coded
    for name in ids:
        known = known.filter(~nw.col(name).is_null())
    # The same unit twice in one period cannot be matched: validation refuses it.
    dup = collect(
        known.group_by(*on, PERIOD)
        .agg(nw.len().alias("rows"))
        .filter(nw.col("rows") > 1)
        .select(nw.len().alias("n"))
    )
    n_dup = int(dup.to_numpy()[0, 0]) if len(dup) else 0
    if n_dup:
        raise ScoringError(
            f"source {src.source.id!r}: the same {unit_columns[0]!r} appears more than once in "
            f"one group and period ({n_dup} unit(s)), so units cannot be matched across "
            "periods; run `gto validate` to list the duplicates"
        )
    baseline = cells.raw_periods([src.window.baseline])
    later = cells.raw_periods(src.window.periods[1:])
    if not baseline or not later:
        return
    dim_columns = src.dim_columns()
    before = known.filter(nw.col(PERIOD).is_in(baseline)).select(
        *on,
        *(nw.col(c).alias(f"{c}_b") for c in columns),
        *(nw.col(c).alias(f"{c}_b") for c in dim_columns),
    )
    after = known.filter(nw.col(PERIOD).is_in(later)).select(
        *on, CELL, *columns, *dim_columns
    )
    # A unit whose subgroup changed between periods is paired in the whole group only.
    same = {f"__same{i}": (nw.col(c) == nw.col(f"{c}_b")).fill_null(False).cast(nw.Int8)
            for i, c in enumerate(dim_columns)}
    joined = after.join(before, on=on, how="inner").select(
        CELL, *columns, *(f"{c}_b" for c in columns), **same
    )
    flags = list(same)
    mean = [c for c, i in columns.items() if family_of(indicators[i]) == "mean"]
    share = [c for c in columns if c not in mean]
    with cached(joined) as pairs:
        queries = []
        for position, column in enumerate(columns):
            b, a = nw.col(f"{column}_b"), nw.col(column)
            both = pairs.filter(~b.is_null() & ~a.is_null()).select(
                __j=nw.lit(position, dtype=nw.Int64), **{CELL: nw.col(CELL)},
                **{f: nw.col(f) for f in flags}, __before=b, __after=a,
            )
            if column in mean:
                queries.append(("mean", both.with_columns(__diff=nw.col("__after")
                                                          - nw.col("__before"))
                                .group_by("__j", CELL, *flags, "__diff")
                                .agg(nw.len().alias("count"), nw.col("__before").sum(),
                                     nw.col("__after").sum())))
            else:
                queries.append(("share", both.group_by("__j", CELL, *flags, "__before",
                                                       "__after").agg(nw.len().alias("count"))))
        found = {
            family: _numbers(collect(nw.concat([q for f, q in queries if f == family],
                                               how="vertical")))
            for family in ("mean", "share") if (mean if family == "mean" else share)
        }
    for position, (column, ind_id) in enumerate(columns.items()):
        family = "mean" if column in mean else "share"
        table = found[family]
        part = table[table["__j"].to_numpy() == position]
        if part.empty:
            continue
        _pair_tables(src, cells, part, flags, indicators[ind_id], family, out)


def _pair_tables(
    src: _Source,
    cells: _Cells,
    part: pd.DataFrame,
    flags: list[str],
    indicator: Indicator,
    family: str,
    out: _Tables,
) -> None:
    """``pair_sums`` and ``differences`` or ``transitions`` of one indicator."""
    cell_all = part[CELL].to_numpy(dtype=np.int64)
    count_all = part["count"].to_numpy(dtype=np.float64)
    before_all = part["__before"].to_numpy(dtype=np.float64)
    after_all = part["__after"].to_numpy(dtype=np.float64)
    if family == "mean":
        sum_before_all, sum_after_all = before_all, after_all
        # Changes are grouped exactly in the engine and rounded here by numpy, as the pandas
        # implementation rounds them, so that equal changes merge in the same way.
        steps, step_all = np.unique(
            np.round(part["__diff"].to_numpy(dtype=np.float64), 12) + 0.0, return_inverse=True
        )
        n_extra = len(steps)
    else:
        sum_before_all, sum_after_all = before_all * count_all, after_all * count_all
        steps, found = np.unique(np.r_[before_all, after_all], return_inverse=True)
        n_values = len(steps)
        step_all = found[: len(part)] * n_values + found[len(part):]
        n_extra = n_values * n_values
    for dim, sub_labels, sub, i in cells.breakdowns(_dim_names(src, indicator)):
        keep = slice(None) if i < 0 else part[flags[i]].to_numpy() == 1
        cell, count = cell_all[keep], count_all[keep]
        n_sub = len(sub_labels)
        code, size = cells.key(cell, sub, n_sub)
        present, (n_pairs, sum_before, sum_after) = _group_sums(
            code, size, [count, sum_before_all[keep], sum_after_all[keep]]
        )
        if present.size == 0:
            continue
        out.add("pair_sums", {
            "indicator_id": indicator.id, "dimension": dim,
            **cells.labels(present, n_sub, sub_labels),
            "n_pairs": n_pairs, "sum_before": sum_before, "sum_after": sum_after,
        })
        present, (counts,) = _group_sums(code * n_extra + step_all[keep], size * n_extra,
                                         [count])
        labels = cells.labels(present // n_extra, n_sub, sub_labels)
        extra = present % n_extra
        if family == "mean":
            out.add("differences", {
                "indicator_id": indicator.id, "dimension": dim, **labels,
                "difference": steps[extra], "count": counts,
            })
        else:
            out.add("transitions", {
                "indicator_id": indicator.id, "dimension": dim, **labels,
                "before": steps[extra // n_values], "after": steps[extra % n_values],
                "count": counts,
            })


def _scale_tables(
    coded: Any, cells: _Cells, specs: list[ScaleSpec], out: _Tables
) -> None:
    """``items`` and ``answers`` of every scale, from the cached rows a slice at a time."""
    columns = [c for spec in specs for c in spec.columns]
    n_periods = cells.n_periods
    # Cells outside the window never reach the kernel (the rows are filtered first).
    cell_of = np.where(cells.period >= 0, cells.group * n_periods + cells.period, 0)
    kernel = partial(moments_kernel, scales=tuple(specs), cell_of=cell_of)
    results = map_batches(coded.select(CELL, *columns), kernel, meta())
    long = pd.concat(results, ignore_index=True) if results else meta()
    if long.empty:
        return
    kind = long["kind"].to_numpy(dtype=np.int64)
    scale = long["scale"].to_numpy(dtype=np.int64)
    cell = long["cell"].to_numpy(dtype=np.int64)
    a = long["a"].to_numpy(dtype=np.int64)
    b = long["b"].to_numpy(dtype=np.int64)
    n_cells = len(cells.groups) * n_periods
    width = max(max(len(s.items), len(s.codes)) for s in specs)
    code = (((kind * len(specs) + scale) * n_cells + cell) * width + a) * width + b
    size = 2 * len(specs) * n_cells * width * width
    present, (n, sum_i, cross) = _group_sums(
        code, size, [long[c].to_numpy(dtype=np.float64) for c in ("n", "sum_i",
                                                                  "cross_product")]
    )
    b_of, a_of = present % width, (present // width) % width
    cell_of_row = (present // (width * width)) % n_cells
    scale_of = (present // (width * width * n_cells)) % len(specs)
    kind_of = present // (width * width * n_cells * len(specs))
    for s, spec in enumerate(specs):
        names = np.empty(len(spec.items), dtype=object)
        names[:] = list(spec.items)
        mine = (scale_of == s) & (kind_of == 0)
        k = len(spec.items)
        c = cell_of_row[mine]
        sums = sum_i[mine]
        # sum_j of (i, j) is sum_i of (j, i): rows come in cell, i, j order, k x k per cell.
        sum_j = np.swapaxes(sums.reshape(-1, k, k), 1, 2).reshape(-1)
        out.add("items", {
            "indicator_id": spec.indicator_id,
            "group": cells.groups[c // n_periods],
            "period": cells.periods[c % n_periods],
            "item_i": names[a_of[mine]],
            "item_j": names[b_of[mine]],
            "n": n[mine], "sum_i": sums, "sum_j": sum_j, "cross_product": cross[mine],
        })
        mine = (scale_of == s) & (kind_of == 1)
        c = cell_of_row[mine]
        out.add("answers", {
            "indicator_id": spec.indicator_id,
            "group": cells.groups[c // n_periods],
            "period": cells.periods[c % n_periods],
            "item": names[a_of[mine]],
            "code": np.asarray(spec.codes, dtype=np.float64)[b_of[mine]],
            "count": n[mine],
        })


# --- milestones, through the pandas implementation ----------------------------------------


def _measure_columns(indicator: Indicator, columns: Sequence[str]) -> list[str]:
    """Columns a measure definition names (fields, conditions, stage and date fields)."""
    found: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, str):
            if value in columns and value not in found:
                found.append(value)
        elif isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)

    walk(indicator.measure.model_dump())
    return found


def _needed_columns(
    source: DataSource, indicators: Sequence[Indicator], columns: list[str],
    group_column: str | None,
) -> list[str]:
    """The columns of ``columns`` that scoring ``indicators`` reads."""
    wanted = [c for c in (group_column, source.time_column) if c is not None]
    for indicator in indicators:
        wanted += unit_key_columns(source, indicator)
        wanted += [d for d in indicator.disaggregate_by if d in columns]
        wanted += _measure_columns(indicator, columns)
    return [c for c in dict.fromkeys(wanted) if c in columns]


def _collected(
    frame: Any,
    source: DataSource,
    indicators: Sequence[Indicator],
    framework: Framework,
    *,
    window: Window,
    group_column: str | None,
    group_label: str | None,
    min_answered: float | None,
) -> Aggregates:
    """Aggregate with the pandas implementation, on only the columns it needs."""
    wanted = _needed_columns(source, indicators, list(frame.collect_schema().names()),
                             group_column)
    rows = collect(frame.select(*wanted))
    return pandas_seam.aggregate_source(
        rows,
        source,
        indicators,
        framework,
        window=window,
        group_column=group_column,
        group_label=group_label,
        min_answered=min_answered,
    )


def _sorted(name: str, table: pd.DataFrame, order: list[str], window: Window) -> pd.DataFrame:
    """Rows in a fixed order: indicator as listed, then group, period and the other keys.

    Milestone tables come from the pandas implementation and keep its order (stages in
    their declared sequence).
    """
    if table.empty or name in ("stages", "stage_times"):
        return table.reset_index(drop=True)
    rest = ("indicator_id", "group", "period", "dimension", "subgroup")
    keys: list[np.ndarray] = [
        table["indicator_id"].map({k: i for i, k in enumerate(order)}).to_numpy(),
        pd.factorize(table["group"], sort=True)[0],
        table["period"].map({p: i for i, p in enumerate(window.periods)}).to_numpy(),
    ]
    if "dimension" in table.columns:
        keys.append((table["dimension"] != ALL).to_numpy())
        keys.append(pd.factorize(table["dimension"], sort=True)[0])
        keys.append(pd.factorize(table["subgroup"], sort=True)[0])
    for key in pandas_seam.TABLE_KEYS[name]:
        if key not in rest:
            column = table[key]
            numeric = pd.api.types.is_numeric_dtype(column)
            keys.append(column.to_numpy() if numeric else pd.factorize(column, sort=True)[0])
    # np.lexsort sorts by its last key first.
    return table.iloc[np.lexsort(keys[::-1])].reset_index(drop=True)


def split_rows(data: Any, condition: Condition, source: DataSource,
               indicator: Indicator) -> tuple[Any, Any]:
    """The rows where ``condition`` holds, and the others, as tables of the same engine.

    The engine counterpart of ``condition_mask(...) == 1`` and its complement (a row whose
    condition is unknown goes with the others).
    """
    import narwhals as nw

    frame = lazy(data)
    builder = ExprBuilder(dict(frame.collect_schema()), source.id)
    holds = builder.condition(condition, indicator, [])
    marked = builder.apply(frame).with_columns(__holds=(holds == 1).fill_null(False))
    keep = list(frame.collect_schema().names())
    return (marked.filter(nw.col("__holds")).select(keep).to_native(),
            marked.filter(~nw.col("__holds")).select(keep).to_native())


def _tables(
    src: _Source,
    units: dict[str, UnitExprs],
    indicators: dict[str, Indicator],
    framework: Framework,
    notes: list[str],
) -> dict[str, pd.DataFrame]:
    """The tables of the indicators that are not milestones, from one pass over the rows."""
    nw = src.nw
    source, window = src.source, src.window
    # Units are matched on the id and the other key columns; indicators sharing them are
    # paired together.
    matched: dict[tuple[str, ...], dict[str, str]] = {}
    distributed: dict[str, str] = {}
    for j, (ind_id, indicator) in enumerate(indicators.items()):
        if family_of(indicator) not in ("mean", "share"):
            continue
        distributed[f"__v{j}"] = ind_id
        unit_columns = unit_key_columns(source, indicator)
        if (unit_columns and len(window.periods) > 1
                and all(c in src.schema for c in unit_columns)):
            matched.setdefault(tuple(unit_columns), {})[f"__v{j}"] = ind_id
    id_columns = list(dict.fromkeys(c for key in matched for c in key))
    ids = {f"__u{k}": src.b.text(c) for k, c in enumerate(id_columns)}
    specs, items = _scale_specs(units, framework, indicators)
    out = _Tables()
    with ExitStack() as stack:
        base = _contiguous(src.frame, _needed_columns(
            source, list(indicators.values()), list(src.schema), src.group_column))
        rows = stack.enter_context(cached(_rows(src, base, units, ids, items)))
        numbered, finest = _number_cells(src, rows, units, stack)
        _refuse(src, finest, units, list(indicators.values()))
        cells = _cell_codes(src, finest)
        outside = int(finest.loc[cells.period < 0, _ALL_ROWS].sum())
        if outside:
            notes.append(
                f"source {source.id!r}: {outside} row(s) from periods outside "
                f"{', '.join(window.periods)} were not scored"
            )
        _cells(src, finest, cells, units, indicators, out)
        inside = cells.raw_periods(window.periods)
        # Each row's cell number: the one integer key of the larger results below.
        coded = rows.filter(nw.col(PERIOD).is_in(inside)).join(
            numbered.select(*src.keys(), CELL), on=src.keys(), how="inner"
        )
        if distributed:
            _values(src, coded, cells, distributed, indicators, out)
        for key, columns in matched.items():
            names = [f"__u{id_columns.index(c)}" for c in key]
            _pairs(src, coded, cells, columns, names, list(key), indicators, out)
        if specs:
            _scale_tables(coded, cells, specs, out)
    return {name: out.table(name) for name in TABLE_COLUMNS}


def aggregate_source(
    data: Any,
    source: DataSource,
    indicators: Sequence[Indicator],
    framework: Framework,
    *,
    window: Window,
    group_column: str | None = None,
    group_label: str | None = None,
    min_answered: float | None = None,
) -> Aggregates:
    """Reduce the rows of one source, held by any engine, to the tables of :class:`Aggregates`.

    Takes the arguments of :func:`getting_to_outcomes.scoring._aggregate.aggregate_source`, with
    ``data`` a table of any engine in :data:`getting_to_outcomes.engines.ENGINES`, and
    returns the same tables, with rows sorted by their keys.

    Raises
    ------
    ScoringError
        As the pandas implementation: a missing period or group, a value scoring refuses,
        the same unit twice in one period.
    """
    frame = lazy(data)
    schema = dict(frame.collect_schema())
    notes: list[str] = []
    dims = sorted({d for i in indicators for d in i.disaggregate_by})
    absent = [d for d in dims if d not in schema]
    for dim in absent:
        users = ", ".join(i.id for i in indicators if dim in i.disaggregate_by)
        notes.append(
            f"source {source.id!r} has no column {dim!r}, so {users} cannot be broken down by it"
        )
    if source.time_column not in schema:
        raise ScoringError(
            f"source {source.id!r} needs its period column {source.time_column!r}, which the "
            "data do not have; run `gto validate` to map the file's headers"
        )
    if group_label is None and (group_column is None or group_column not in schema):
        raise ScoringError(
            f"source {source.id!r}: the data have no grouping column {group_column!r}"
        )
    native = [i for i in indicators if not isinstance(i.measure, MilestoneMeasure)]
    milestones = [i for i in indicators if isinstance(i.measure, MilestoneMeasure)]
    src = _Source(
        frame, source, window, group_column, group_label, [d for d in dims if d not in absent]
    )
    units = {i.id: src.b.unit(i, framework, min_answered) for i in native}
    tables: dict[str, pd.DataFrame] = {name: pandas_seam._empty(name) for name in TABLE_COLUMNS}
    if units:
        tables = _tables(src, units, {i.id: i for i in native}, framework, notes)
    result = Aggregates(**tables, windows=MappingProxyType({source.id: window}), notes=tuple(notes))
    if not milestones:
        return result
    collected = _collected(
        frame,
        source,
        milestones,
        framework,
        window=window,
        group_column=group_column,
        group_label=group_label,
        min_answered=min_answered,
    )
    result = pandas_seam.merge_aggregates([result, collected])
    order = [i.id for i in indicators]
    return Aggregates(
        **{name: _sorted(name, table, order, window) for name, table in result.tables().items()},
        windows=result.windows,
        notes=result.notes,
    )
