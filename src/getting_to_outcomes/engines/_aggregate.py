"""The aggregation seam on any engine: raw rows -> the tables of :class:`Aggregates`.

:func:`aggregate_source` is the engine counterpart of
:func:`getting_to_outcomes._aggregate.aggregate_source` and returns the same tables (to
floating-point rounding, with rows sorted by their keys). The rows never leave the engine;
each table is one grouped query whose small result comes back as pandas:

``cells``
    One group-by over group x period x every subgroup column at once, for all indicators of
    the source. The whole-group rows and the rows of each dimension are sums of this finest
    table, taken in pandas.
``values``
    The values of every indicator stacked (unpivoted) and counted by group, period,
    subgroups and value.
``pair_sums``, ``differences`` and ``transitions``
    Each unit's baseline value joined, inside the engine, to its values in later periods (on
    group and unit id), then counted by change (``mean`` family) or by before and after
    value (``share`` family).
``items`` and ``answers``
    Matrix products per slice of rows (:mod:`getting_to_outcomes.engines._moments`): an engine
    is slow at hundreds of summed products, a matrix product does them at once.
``stages`` and ``stage_times``
    Milestone logs are small (one row per policy win): their few columns are collected and
    aggregated by the pandas implementation itself.

Before any of that, one pass counts the values that scoring refuses; the first is reported
with an example value.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from types import MappingProxyType
from typing import Any, Final

import numpy as np
import pandas as pd

from getting_to_outcomes import _aggregate as pandas_seam
from getting_to_outcomes._aggregate import (
    ALL,
    MISSING_SUBGROUP,
    TABLE_COLUMNS,
    Aggregates,
    Window,
    unit_key_columns,
)
from getting_to_outcomes._measures import family_of
from getting_to_outcomes.engines._exprs import Check, ExprBuilder, UnitExprs
from getting_to_outcomes.engines._frame import (
    cached,
    collect,
    engine_of,
    lazy,
    map_batches,
    rowwise,
)
from getting_to_outcomes.engines._moments import GROUP, PERIOD, ScaleSpec, meta, moments_kernel
from getting_to_outcomes.errors import ScoringError
from getting_to_outcomes.framework import Framework
from getting_to_outcomes.models import (
    Condition,
    DataSource,
    Indicator,
    MilestoneMeasure,
    ScaleMeasure,
)

__all__ = ["aggregate_source", "split_rows"]

_VALIDATE_HINT: Final = "run `gto validate` on the file to list every such value"
_IND: Final = "__ind"
_VALUE: Final = "__value"


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
        self.whole: dict[str, bool] = {}

    def label(self, name: str) -> Any:
        """Labels as text; whole-number floats (2024.0) read as integers (2024)."""
        nw = self.nw
        if self.schema[name].is_float() and self.whole.get(name, False):
            return (
                nw.when(~self.b.missing(name))
                .then(nw.col(name).cast(nw.Int64).cast(nw.String))
                .otherwise(None)
            )
        return self.b.text(name)

    def float_labels(self) -> list[str]:
        names = [self.source.time_column, *self.dims]
        if self.group_column is not None:
            names.append(self.group_column)
        return [n for n in dict.fromkeys(names) if self.schema[n].is_float()]

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

    def dim_columns(self) -> list[str]:
        return [_dim(i) for i in range(len(self.dims))]

    def inside(self) -> Any:
        return self.nw.col(PERIOD).is_in(list(self.window.periods))


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
    example = collect(src.frame.filter(check.bad).select(check.column).head(1))
    value = example.iloc[0, 0] if len(example) else None
    if isinstance(value, np.generic):
        value = value.item()
    return ScoringError(
        f"source {src.source.id!r}, column {check.column!r}: {value!r} {check.what} "
        f"(indicator {indicator.id!r}; {n_bad} such value(s)); {_VALIDATE_HINT}"
    )


def _preflight(src: _Source, units: dict[str, UnitExprs], indicators: Sequence[Indicator]) -> None:
    """Count, in one pass, every value scoring refuses; learn how labels are written."""
    nw = src.nw
    b = src.b
    exprs: dict[str, Any] = {}
    for name in src.float_labels():
        col = nw.col(name)
        exprs[f"frac:{name}"] = _count(~b.missing(name) & (col != col.round(0)), nw)
    if src.group_column is not None:
        text = b.text(src.group_column)
        exprs["blank_group"] = _count(text.is_null() | (text == ""), nw)
    exprs["blank_period"] = _count(b.missing(src.source.time_column), nw)
    for ind_id, unit in units.items():
        for k, check in enumerate(unit.checks):
            exprs[f"check:{ind_id}:{k}"] = _count(check.bad, nw)
    counts = _sums(src.frame, exprs, nw)
    for name in src.float_labels():
        src.whole[name] = counts[f"frac:{name}"] == 0
    source = src.source
    if counts.get("blank_group", 0):
        raise ScoringError(
            f"source {source.id!r}: {counts['blank_group']} row(s) have no value in the "
            f"grouping column {src.group_column!r}; every row must belong to a group: run "
            "`gto validate` on the file"
        )
    if counts["blank_period"]:
        raise ScoringError(
            f"source {source.id!r}: {counts['blank_period']} row(s) have no period in "
            f"column {source.time_column!r}; run `gto validate`"
        )
    by_id = {i.id: i for i in indicators}
    for ind_id, unit in units.items():
        for k, check in enumerate(unit.checks):
            n_bad = counts[f"check:{ind_id}:{k}"]
            if n_bad:
                raise _first_check(src, check, by_id[ind_id], n_bad)


# --- the rows and their roll-up ----------------------------------------------------------


def _rows(src: _Source, units: dict[str, UnitExprs], ids: dict[str, Any]) -> Any:
    """Every row with its labels, unit ids and, per indicator, its value and inputs.

    Only what cannot be derived at query time is kept (these rows may be cached by the
    engine): squares and successes are computed from the value when grouping.
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
    return rowwise(src.frame, lambda frame: frame.select(**exprs))


def _pieces(src: _Source, rows: Any, units: dict[str, UnitExprs]) -> Any:
    """The cached rows with the pieces derived from each value: rows in scope, squares and
    successes (columns for the engines that group only by plain columns)."""
    nw = src.nw
    exprs: dict[str, Any] = {}
    for j, unit in enumerate(units.values()):
        value = nw.col(f"__v{j}")
        if unit.in_scope is None:
            exprs[f"__r{j}"] = nw.lit(1, dtype=nw.Int64)
        exprs[f"__s{j}"] = value * value
        if unit.threshold is not None:
            exprs[f"__hit{j}"] = (
                nw.when(~value.is_null())
                .then((value >= unit.threshold).cast(nw.Int64))
                .otherwise(None)
            )
    return rowwise(rows, lambda frame: frame.with_columns(**exprs))


def _dim_names(src: _Source, indicator: Indicator) -> list[tuple[str, str]]:
    """(dimension, internal column) of the subgroup columns an indicator is broken down by."""
    return [(d, _dim(i)) for i, d in enumerate(src.dims) if d in indicator.disaggregate_by]


def _rollup(
    table: pd.DataFrame, keys: list[str], dims: list[tuple[str, str]], measures: list[str]
) -> list[tuple[str, pd.DataFrame]]:
    """Whole-group rows and one set of rows per dimension, summed from a finer table."""
    out = [
        (ALL, table.groupby(keys, sort=False)[measures].sum().reset_index().assign(subgroup=ALL))
    ]
    for dim, column in dims:
        part = table[table[column].notna()]
        summed = part.groupby([*keys, column], sort=False)[measures].sum().reset_index()
        out.append((dim, summed.rename(columns={column: "subgroup"})))
    return out


def _finest(grouped: Any) -> pd.DataFrame:
    """Collect a grouped result with its counts and sums as float64 (a null sum is 0)."""
    table = collect(grouped)
    numbers = [c for c in table.columns if table[c].dtype.kind in "iufb"]
    for column in numbers:
        table[column] = table[column].astype(np.float64)
    sums = [c for c in numbers if c not in (_VALUE, "__before", "__after", "__diff")]
    table[sums] = table[sums].fillna(0.0)
    return table


def _keyed(indicator_id: str, dim: str, summed: pd.DataFrame, **columns: Any) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "indicator_id": indicator_id,
            "group": summed[GROUP].to_numpy(dtype=object),
            "period": summed[PERIOD].to_numpy(dtype=object),
            "dimension": dim,
            "subgroup": summed["subgroup"].to_numpy(dtype=object),
            **columns,
        }
    )


# --- the tables --------------------------------------------------------------------------


def _cells(
    src: _Source,
    rows: Any,
    units: dict[str, UnitExprs],
    indicators: dict[str, Indicator],
    notes: list[str],
) -> pd.DataFrame:
    nw = src.nw
    keys = [GROUP, PERIOD, *src.dim_columns()]
    aggs = [nw.len().alias("__all")]
    for j, unit in enumerate(units.values()):
        aggs += [
            nw.col(f"__r{j}").sum(),
            nw.col(f"__e{j}").sum(),
            nw.col(f"__v{j}").count().alias(f"__n{j}"),
            nw.col(f"__v{j}").sum(),
            nw.col(f"__s{j}").sum(),
        ]
        if unit.denominator is not None:
            aggs.append(nw.col(f"__den{j}").sum())
        if unit.threshold is not None:
            aggs.append(nw.col(f"__hit{j}").sum())
    finest = _finest(_pieces(src, rows, units).group_by(*keys, drop_null_keys=False).agg(*aggs))
    inside = finest[PERIOD].isin(list(src.window.periods))
    outside = int(finest.loc[~inside, "__all"].sum())
    if outside:
        notes.append(
            f"source {src.source.id!r}: {outside} row(s) from periods outside "
            f"{', '.join(src.window.periods)} were not scored"
        )
    finest = finest[inside]
    parts = []
    for j, (ind_id, unit) in enumerate(units.items()):
        wanted = [f"__r{j}", f"__e{j}", f"__n{j}", f"__v{j}", f"__s{j}"]
        wanted += [f"__den{j}"] if unit.denominator is not None else []
        wanted += [f"__hit{j}"] if unit.threshold is not None else []
        dims = _dim_names(src, indicators[ind_id])
        for dim, summed in _rollup(finest, [GROUP, PERIOD], dims, wanted):
            summed = summed[summed[f"__r{j}"] > 0]
            if summed.empty:
                continue
            denominator = f"__den{j}" if unit.denominator is not None else f"__n{j}"
            parts.append(
                _keyed(
                    ind_id,
                    dim,
                    summed,
                    n_rows=summed[f"__r{j}"].to_numpy(),
                    n_empty=summed[f"__e{j}"].to_numpy(),
                    n=summed[f"__n{j}"].to_numpy(),
                    sum=summed[f"__v{j}"].to_numpy(),
                    sum_sq=summed[f"__s{j}"].to_numpy(),
                    denominator=summed[denominator].to_numpy(),
                    successes=summed[f"__hit{j}"].to_numpy()
                    if unit.threshold is not None
                    else np.nan,
                )
            )
    return _concat("cells", parts)


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
    src: _Source, rows: Any, columns: dict[str, str], indicators: dict[str, Indicator]
) -> pd.DataFrame:
    """Distribution of the values of the ``mean`` and ``share`` indicators."""
    nw = src.nw
    keys = [GROUP, PERIOD, *src.dim_columns()]
    long = _stacked(src, rows.filter(src.inside()), columns, keys)
    finest = _finest(
        long.group_by(_IND, *keys, _VALUE, drop_null_keys=False).agg(nw.len().alias("count"))
    )
    parts = []
    for column, part in finest.groupby(_IND, sort=False):
        indicator = indicators[columns[str(column)]]
        dims = _dim_names(src, indicator)
        for dim, summed in _rollup(part, [GROUP, PERIOD, _VALUE], dims, ["count"]):
            parts.append(
                _keyed(
                    indicator.id,
                    dim,
                    summed,
                    value=summed[_VALUE].to_numpy(dtype=np.float64),
                    count=summed["count"].to_numpy(),
                )
            )
    return _concat("values", parts)


def _pairs(
    src: _Source,
    rows: Any,
    columns: dict[str, str],
    ids: list[str],
    unit_columns: list[str],
    indicators: dict[str, Indicator],
) -> dict[str, list[pd.DataFrame]]:
    """Match units between the baseline and each later period, inside the engine."""
    nw = src.nw
    on = [GROUP, *ids]
    known = rows.filter(src.inside())
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
    dim_columns = src.dim_columns()
    long = _stacked(src, known, columns, [*on, PERIOD, *dim_columns])
    baseline = src.window.baseline
    before = long.filter(nw.col(PERIOD) == baseline).select(
        *on,
        _IND,
        nw.col(_VALUE).alias("__before"),
        *(nw.col(c).alias(f"{c}_b") for c in dim_columns),
    )
    after = long.filter(nw.col(PERIOD) != baseline).select(
        *on, _IND, PERIOD, nw.col(_VALUE).alias("__after"), *dim_columns
    )
    # A unit whose subgroup changed between periods is paired in the whole group only.
    same = {
        c: nw.when(nw.col(c) == nw.col(f"{c}_b")).then(nw.col(c)).otherwise(None)
        for c in dim_columns
    }
    joined = after.join(before, on=[*on, _IND], how="inner").select(
        _IND, GROUP, PERIOD, "__before", "__after", **same
    )
    keys = [_IND, GROUP, PERIOD, *dim_columns]
    mean = [c for c, i in columns.items() if family_of(indicators[i]) == "mean"]
    share = [c for c in columns if c not in mean]
    parts: dict[str, list[pd.DataFrame]] = {"pair_sums": [], "differences": [], "transitions": []}
    finest = []
    if mean:
        # Changes are grouped exactly in the engine and rounded here by numpy, as the pandas
        # implementation rounds them, so that equal changes merge in the same way.
        diffs = _finest(
            joined.filter(nw.col(_IND).is_in(mean))
            .with_columns(__diff=nw.col("__after") - nw.col("__before"))
            .group_by(*keys, "__diff", drop_null_keys=False)
            .agg(
                nw.len().alias("count"),
                nw.col("__before").sum().alias("sum_before"),
                nw.col("__after").sum().alias("sum_after"),
            )
        )
        diffs["__diff"] = np.round(diffs["__diff"].to_numpy(dtype=np.float64), 12) + 0.0
        finest.append(diffs)
    if share:
        moves = _finest(
            joined.filter(nw.col(_IND).is_in(share))
            .group_by(*keys, "__before", "__after", drop_null_keys=False)
            .agg(nw.len().alias("count"))
        )
        moves["sum_before"] = moves["__before"] * moves["count"]
        moves["sum_after"] = moves["__after"] * moves["count"]
        finest.append(moves)
    for table in finest:
        for column, part in table.groupby(_IND, sort=False):
            indicator = indicators[columns[str(column)]]
            dims = _dim_names(src, indicator)
            sums = ["count", "sum_before", "sum_after"]
            for dim, summed in _rollup(part, [GROUP, PERIOD], dims, sums):
                parts["pair_sums"].append(
                    _keyed(
                        indicator.id,
                        dim,
                        summed,
                        n_pairs=summed["count"].to_numpy(),
                        sum_before=summed["sum_before"].to_numpy(),
                        sum_after=summed["sum_after"].to_numpy(),
                    )
                )
            if "__diff" in part.columns:
                for dim, summed in _rollup(part, [GROUP, PERIOD, "__diff"], dims, ["count"]):
                    parts["differences"].append(
                        _keyed(
                            indicator.id,
                            dim,
                            summed,
                            difference=summed["__diff"].to_numpy(dtype=np.float64),
                            count=summed["count"].to_numpy(),
                        )
                    )
            else:
                for dim, summed in _rollup(
                    part, [GROUP, PERIOD, "__before", "__after"], dims, ["count"]
                ):
                    parts["transitions"].append(
                        _keyed(
                            indicator.id,
                            dim,
                            summed,
                            before=summed["__before"].to_numpy(dtype=np.float64),
                            after=summed["__after"].to_numpy(dtype=np.float64),
                            count=summed["count"].to_numpy(),
                        )
                    )
    return parts


def _scale_tables(
    src: _Source,
    units: dict[str, UnitExprs],
    framework: Framework,
    indicators: dict[str, Indicator],
) -> tuple[pd.DataFrame, pd.DataFrame]:
    specs = []
    exprs: dict[str, Any] = {}
    for j, (ind_id, unit) in enumerate(units.items()):
        measure = indicators[ind_id].measure
        if not isinstance(measure, ScaleMeasure):
            continue
        columns = []
        for m, (_, raw) in enumerate(unit.items):
            exprs[f"__i{j}_{m}"] = raw
            columns.append(f"__i{j}_{m}")
        codes = [float(c.code) for c in framework.scale(measure.scale).codes]
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
    if not specs:
        return _empty("items"), _empty("answers")
    keyed = src.keyed()
    rows = rowwise(
        src.frame,
        lambda frame: frame.select(**{GROUP: keyed[GROUP], PERIOD: keyed[PERIOD]}, **exprs),
    ).filter(src.inside())
    results = map_batches(rows, partial(moments_kernel, scales=tuple(specs)), meta())
    long = pd.concat(results, ignore_index=True) if results else meta()
    items = long[long["table"] == "items"]
    answers = long[long["table"] == "answers"].rename(columns={"item_i": "item"})
    return _summed("items", items), _summed("answers", answers)


def _summed(name: str, table: pd.DataFrame) -> pd.DataFrame:
    if table.empty:
        return _empty(name)
    return pandas_seam._sum_over_keys(name, table[TABLE_COLUMNS[name]])


def _empty(name: str) -> pd.DataFrame:
    return pandas_seam._empty(name)


def _concat(name: str, parts: list[pd.DataFrame]) -> pd.DataFrame:
    frames = [p for p in parts if not p.empty]
    if not frames:
        return _empty(name)
    table = pd.concat(frames, ignore_index=True)[TABLE_COLUMNS[name]]
    for column in TABLE_COLUMNS[name]:
        kind = np.float64 if pandas_seam._dtype(column) == "float64" else object
        table[column] = table[column].astype(kind)
    return table


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
    columns = list(frame.collect_schema().names())
    wanted = [c for c in (group_column, source.time_column) if c is not None]
    for indicator in indicators:
        wanted += unit_key_columns(source, indicator)
        wanted += [d for d in indicator.disaggregate_by if d in columns]
        wanted += _measure_columns(indicator, columns)
    wanted = [c for c in dict.fromkeys(wanted) if c in columns]
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

    Takes the arguments of :func:`getting_to_outcomes._aggregate.aggregate_source`, with
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
    # From here on the rows carry the computed columns of every indicator.
    src.frame = rowwise(frame, src.b.apply)
    by_id = {i.id: i for i in native}
    _preflight(src, units, native)
    tables: dict[str, pd.DataFrame] = {name: _empty(name) for name in TABLE_COLUMNS}
    if units:
        # Units are matched on the id and the other key columns; indicators sharing them are
        # paired together.
        matched: dict[tuple[str, ...], dict[str, str]] = {}
        distributed: dict[str, str] = {}
        for j, indicator in enumerate(native):
            if family_of(indicator) not in ("mean", "share"):
                continue
            distributed[f"__v{j}"] = indicator.id
            unit_columns = unit_key_columns(source, indicator)
            if unit_columns and len(window.periods) > 1 and all(c in schema for c in unit_columns):
                matched.setdefault(tuple(unit_columns), {})[f"__v{j}"] = indicator.id
        id_columns = list(dict.fromkeys(c for key in matched for c in key))
        ids = {f"__u{k}": src.b.text(c) for k, c in enumerate(id_columns)}
        pairs: dict[str, list[pd.DataFrame]] = {
            "pair_sums": [],
            "differences": [],
            "transitions": [],
        }
        with cached(_rows(src, units, ids)) as rows:
            tables["cells"] = _cells(src, rows, units, by_id, notes)
            if distributed:
                tables["values"] = _values(src, rows, distributed, by_id)
            for key, columns in matched.items():
                names = [f"__u{id_columns.index(c)}" for c in key]
                for name, found in _pairs(src, rows, columns, names, list(key), by_id).items():
                    pairs[name] += found
        for name, found in pairs.items():
            tables[name] = _concat(name, found)
        tables["items"], tables["answers"] = _scale_tables(src, units, framework, by_id)
    result = Aggregates(**tables, windows=MappingProxyType({source.id: window}), notes=tuple(notes))
    if milestones:
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
