"""The aggregation seam on any engine: raw rows -> the tables of :class:`Aggregates`.

:func:`aggregate_source` is the engine counterpart of
:func:`getting_to_outcomes._aggregate.aggregate_source` and returns the same tables (to
floating-point rounding, and sorted by their keys). The rows never leave the engine; what
comes back is grouped:

``cells``
    One group-by over group x period x every subgroup column at once, for all indicators
    of the source; the whole-group and per-dimension rows are sums of it, done in pandas on
    the small result.
``values``
    One group-by per indicator over its value and its subgroup columns.
``pairs``
    A join of each unit's baseline row with its later rows (on group and unit id) inside the
    engine, grouped by before and after values.
``items`` and ``answers``
    Matrix products per slice of rows (:mod:`getting_to_outcomes.engines._moments`), since
    engines are slow at hundreds of summed products.
``stages`` and ``stage_times``
    Milestone logs are small (one row per policy win); their few columns are collected and
    aggregated by the pandas implementation itself.

Values that scoring refuses are counted in the engine in one pass before any of that, and
reported with an example value.
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
)
from getting_to_outcomes._measures import family_of
from getting_to_outcomes.engines._exprs import Check, ExprBuilder, UnitExprs
from getting_to_outcomes.engines._frame import collect, lazy, map_batches
from getting_to_outcomes.engines._moments import (
    GROUP,
    PERIOD,
    ScaleSpec,
    meta,
    moments_kernel,
)
from getting_to_outcomes.errors import ScoringError
from getting_to_outcomes.framework import Framework
from getting_to_outcomes.models import DataSource, Indicator, MilestoneMeasure, ScaleMeasure

__all__ = ["aggregate_source"]

_VALIDATE_HINT: Final = "run `gto validate` on the file to list every such value"


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

    def group(self) -> Any:
        if self.group_label is not None:
            return self.nw.lit(self.group_label)
        assert self.group_column is not None
        return self.label(self.group_column)

    def keyed(self) -> dict[str, Any]:
        """Group, period and subgroup columns, by their internal names."""
        out = {GROUP: self.group(), PERIOD: self.label(self.source.time_column)}
        for i, dim in enumerate(self.dims):
            out[_dim(i)] = self.label(dim).fill_null(MISSING_SUBGROUP)
        return out

    def inside(self) -> Any:
        return self.nw.col(PERIOD).is_in(list(self.window.periods))


def _scalar_row(frame: Any, exprs: dict[str, Any]) -> dict[str, float]:
    if not exprs:
        return {}
    row = collect(frame.select(**exprs))
    first = row.iloc[0]
    return {str(k): float(0 if pd.isna(first[k]) else first[k]) for k in row.columns}


def _count(expr: Any, nw: Any) -> Any:
    return expr.fill_null(False).cast(nw.Int64).sum()


def _first_check(src: _Source, check: Check, indicator: Indicator, n_bad: int) -> ScoringError:
    example = collect(src.frame.filter(check.bad).select(check.column).head(1))
    value = example.iloc[0, 0] if len(example) else None
    return ScoringError(
        f"source {src.source.id!r}, column {check.column!r}: {value!r} {check.what} "
        f"(indicator {indicator.id!r}; {n_bad} such value(s)); {_VALIDATE_HINT}"
    )


def _preflight(
    src: _Source, units: dict[str, UnitExprs], indicators: Sequence[Indicator], notes: list[str]
) -> None:
    """Count, in one pass, every value scoring refuses and the rows outside the window."""
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
    by_id = {i.id: i for i in indicators}
    for ind_id, unit in units.items():
        for k, check in enumerate(unit.checks):
            exprs[f"check:{ind_id}:{k}"] = _count(check.bad, nw)
    counts = _scalar_row(src.frame, exprs)
    for name in src.float_labels():
        src.whole[name] = counts[f"frac:{name}"] == 0
    source = src.source
    if counts.get("blank_group", 0):
        raise ScoringError(
            f"source {source.id!r}: {int(counts['blank_group'])} row(s) have no value in the "
            f"grouping column {src.group_column!r}; every row must belong to a group: run "
            "`gto validate` on the file"
        )
    if counts["blank_period"]:
        raise ScoringError(
            f"source {source.id!r}: {int(counts['blank_period'])} row(s) have no period in "
            f"column {source.time_column!r}; run `gto validate`"
        )
    for ind_id, unit in units.items():
        for k, check in enumerate(unit.checks):
            n_bad = int(counts[f"check:{ind_id}:{k}"])
            if n_bad:
                raise _first_check(src, check, by_id[ind_id], n_bad)
    outside = _scalar_row(
        src.frame.select(**src.keyed()),
        {"outside": _count(~src.inside(), nw)},
    )["outside"]
    if outside:
        notes.append(
            f"source {source.id!r}: {int(outside)} row(s) from periods outside "
            f"{', '.join(src.window.periods)} were not scored"
        )


def _rows(src: _Source, units: dict[str, UnitExprs]) -> Any:
    """The rows inside the window with, per indicator, its value and sufficient pieces."""
    nw = src.nw
    exprs = dict(src.keyed())
    for j, unit in enumerate(units.values()):
        valid = unit.in_scope if unit.in_scope is not None else nw.lit(True)
        value = nw.when(valid).then(unit.value).otherwise(None)
        exprs[f"__v{j}"] = value
        exprs[f"__r{j}"] = valid.cast(nw.Int64)
        exprs[f"__e{j}"] = (valid & unit.empty).cast(nw.Int64)
        exprs[f"__s{j}"] = value * value
        if unit.denominator is not None:
            exprs[f"__den{j}"] = (
                nw.when(valid & (~unit.value.is_null())).then(unit.denominator).otherwise(None)
            )
        if unit.threshold is not None:
            exprs[f"__hit{j}"] = (
                nw.when(~value.is_null())
                .then((value >= unit.threshold).cast(nw.Int64))
                .otherwise(None)
            )
    return src.frame.select(**exprs).filter(src.inside())


def _dim_names(src: _Source, indicator: Indicator) -> list[tuple[str, str]]:
    """(dimension, internal column) of the subgroup columns an indicator is broken down by."""
    return [(d, _dim(i)) for i, d in enumerate(src.dims) if d in indicator.disaggregate_by]


def _rollup(
    table: pd.DataFrame, keys: list[str], dims: list[tuple[str, str]], measures: list[str]
) -> list[tuple[str, pd.DataFrame]]:
    """Whole-group rows and one set of rows per dimension, summed from the finest table."""
    out = [
        (ALL, table.groupby(keys, sort=False)[measures].sum().reset_index().assign(subgroup=ALL))
    ]
    for dim, column in dims:
        part = table[table[column].notna()]
        summed = part.groupby([*keys, column], sort=False)[measures].sum().reset_index()
        out.append((dim, summed.rename(columns={column: "subgroup"})))
    return out


def _cells(
    src: _Source, rows: Any, units: dict[str, UnitExprs], indicators: dict[str, Indicator]
) -> pd.DataFrame:
    nw = src.nw
    keys = [GROUP, PERIOD, *(_dim(i) for i in range(len(src.dims)))]
    aggs = []
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
    finest = collect(rows.group_by(*keys).agg(*aggs))
    numbers = [c for c in finest.columns if c not in keys]
    finest[numbers] = finest[numbers].astype(np.float64).fillna(0.0)
    parts = []
    for j, (ind_id, unit) in enumerate(units.items()):
        wanted = [f"__r{j}", f"__e{j}", f"__n{j}", f"__v{j}", f"__s{j}"]
        wanted += [f"__den{j}"] if unit.denominator is not None else []
        wanted += [f"__hit{j}"] if unit.threshold is not None else []
        for dim, summed in _rollup(
            finest, [GROUP, PERIOD], _dim_names(src, indicators[ind_id]), wanted
        ):
            summed = summed[summed[f"__r{j}"] > 0]
            if summed.empty:
                continue
            parts.append(
                pd.DataFrame(
                    {
                        "indicator_id": ind_id,
                        "group": summed[GROUP].to_numpy(dtype=object),
                        "period": summed[PERIOD].to_numpy(dtype=object),
                        "dimension": dim,
                        "subgroup": summed["subgroup"].to_numpy(dtype=object),
                        "n_rows": summed[f"__r{j}"].to_numpy(),
                        "n_empty": summed[f"__e{j}"].to_numpy(),
                        "n": summed[f"__n{j}"].to_numpy(),
                        "sum": summed[f"__v{j}"].to_numpy(),
                        "sum_sq": summed[f"__s{j}"].to_numpy(),
                        "denominator": summed[
                            f"__den{j}" if unit.denominator is not None else f"__n{j}"
                        ].to_numpy(),
                        "successes": summed[f"__hit{j}"].to_numpy()
                        if unit.threshold is not None
                        else np.nan,
                    }
                )
            )
    return _concat("cells", parts)


def _values(src: _Source, rows: Any, j: int, indicator: Indicator) -> list[pd.DataFrame]:
    nw = src.nw
    dims = _dim_names(src, indicator)
    keys = [GROUP, PERIOD, *(c for _, c in dims), f"__v{j}"]
    grouped = rows.filter(~nw.col(f"__v{j}").is_null()).group_by(*keys).agg(nw.len().alias("count"))
    finest = collect(grouped)
    finest["count"] = finest["count"].astype(np.float64)
    parts = []
    for dim, summed in _rollup(finest, [GROUP, PERIOD, f"__v{j}"], dims, ["count"]):
        parts.append(
            pd.DataFrame(
                {
                    "indicator_id": indicator.id,
                    "group": summed[GROUP].to_numpy(dtype=object),
                    "period": summed[PERIOD].to_numpy(dtype=object),
                    "dimension": dim,
                    "subgroup": summed["subgroup"].to_numpy(dtype=object),
                    "value": summed[f"__v{j}"].to_numpy(dtype=np.float64),
                    "count": summed["count"].to_numpy(),
                }
            )
        )
    return parts


def _unit_columns(source: DataSource, indicator: Indicator) -> list[str]:
    """Columns that identify a unit across periods: the id plus the other non-time keys."""
    measure = indicator.measure
    id_column = measure.item_field if isinstance(measure, MilestoneMeasure) else source.id_column
    if not id_column:
        return []
    rest = [k for k in source.keys if k not in (source.time_column, id_column)]
    return [id_column, *rest]


def _pairs(
    src: _Source,
    unit: UnitExprs,
    j: int,
    indicator: Indicator,
    unit_columns: list[str],
    checked: set[tuple[Any, ...]],
) -> list[pd.DataFrame]:
    nw = src.nw
    b = src.b
    ids = {f"__u{i}": b.text(c) for i, c in enumerate(unit_columns)}
    dims = _dim_names(src, indicator)
    valid = unit.in_scope if unit.in_scope is not None else nw.lit(True)
    rows = src.frame.select(**src.keyed(), **ids, __valid=valid, __value=unit.value).filter(
        src.inside() & nw.col("__valid")
    )
    for name in ids:
        rows = rows.filter(~nw.col(name).is_null())
    on = [GROUP, *ids]
    key = (tuple(unit_columns), unit.in_scope is None)
    if key not in checked or unit.in_scope is not None:
        # The same unit twice in one period cannot be matched: validation refuses it.
        dup = collect(
            rows.group_by(*on, PERIOD)
            .agg(nw.len().alias("rows"))
            .filter(nw.col("rows") > 1)
            .select(nw.len().alias("n"))
        )
        n_dup = int(dup.to_numpy()[0, 0]) if len(dup) else 0
        if n_dup:
            raise ScoringError(
                f"source {src.source.id!r}: the same {unit_columns[0]!r} appears more than once "
                f"in one group and period ({n_dup} unit(s)), so units cannot be matched across "
                "periods; run `gto validate` to list the duplicates"
            )
        checked.add(key)
    has = rows.filter(~nw.col("__value").is_null())
    baseline = src.window.baseline
    before = has.filter(nw.col(PERIOD) == baseline).select(
        *on, nw.col("__value").alias("__before"), *(nw.col(c).alias(f"{c}_b") for _, c in dims)
    )
    after = has.filter(nw.col(PERIOD) != baseline).select(
        *on, PERIOD, nw.col("__value").alias("__after"), *(nw.col(c) for _, c in dims)
    )
    joined = after.join(before, on=on, how="inner")
    same = {
        c: nw.when(nw.col(c) == nw.col(f"{c}_b")).then(nw.col(c)).otherwise(None) for _, c in dims
    }
    grouped = (
        joined.select(GROUP, PERIOD, "__before", "__after", **same)
        .group_by(GROUP, PERIOD, "__before", "__after", *same, drop_null_keys=False)
        .agg(nw.len().alias("count"))
    )
    finest = collect(grouped)
    if finest.empty:
        return []
    finest["count"] = finest["count"].astype(np.float64)
    parts = []
    for dim, summed in _rollup(finest, [GROUP, PERIOD, "__before", "__after"], dims, ["count"]):
        parts.append(
            pd.DataFrame(
                {
                    "indicator_id": indicator.id,
                    "group": summed[GROUP].to_numpy(dtype=object),
                    "period": summed[PERIOD].to_numpy(dtype=object),
                    "dimension": dim,
                    "subgroup": summed["subgroup"].to_numpy(dtype=object),
                    "before": summed["__before"].to_numpy(dtype=np.float64),
                    "after": summed["__after"].to_numpy(dtype=np.float64),
                    "count": summed["count"].to_numpy(),
                }
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
    rows = src.frame.select(**{GROUP: keyed[GROUP], PERIOD: keyed[PERIOD]}, **exprs).filter(
        src.inside()
    )
    results = map_batches(rows, partial(moments_kernel, scales=tuple(specs)), meta())
    long = pd.concat(results, ignore_index=True) if results else meta()
    items = long[long["table"] == "items"]
    answers = long[long["table"] == "answers"].rename(columns={"item_i": "item"})
    items = (
        pandas_seam._sum_over_keys("items", items[TABLE_COLUMNS["items"]])
        if not items.empty
        else _empty("items")
    )
    answers = (
        pandas_seam._sum_over_keys("answers", answers[TABLE_COLUMNS["answers"]])
        if not answers.empty
        else _empty("answers")
    )
    return items, answers


def _empty(name: str) -> pd.DataFrame:
    return pandas_seam._empty(name)


def _concat(name: str, parts: list[pd.DataFrame]) -> pd.DataFrame:
    frames = [p for p in parts if not p.empty]
    if not frames:
        return _empty(name)
    table = pd.concat(frames, ignore_index=True)[TABLE_COLUMNS[name]]
    for column in TABLE_COLUMNS[name]:
        if pandas_seam._dtype(column) == "float64":
            table[column] = table[column].astype(np.float64)
        else:
            table[column] = table[column].astype(object)
    return table


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
        wanted += _unit_columns(source, indicator)
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
    """Rows in a fixed order: indicator as listed, then group, period and the other keys."""
    if table.empty:
        return table.reset_index(drop=True)
    keys = pandas_seam.TABLE_KEYS[name]
    frame = table.copy()
    frame["__ind"] = frame["indicator_id"].map({k: i for i, k in enumerate(order)})
    frame["__per"] = frame["period"].map({p: i for i, p in enumerate(window.periods)})
    by = ["__ind", "group", "__per"]
    if "dimension" in frame.columns:
        frame["__dim"] = frame["dimension"] != ALL
        by += ["__dim", "dimension", "subgroup"]
    by += [k for k in keys if k not in ("indicator_id", "group", "period", "dimension", "subgroup")]
    return (
        frame.sort_values(by, kind="stable")
        .drop(columns=[c for c in ("__ind", "__per", "__dim") if c in frame.columns])
        .reset_index(drop=True)
    )


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

    Takes the same arguments as :func:`getting_to_outcomes._aggregate.aggregate_source`, with
    ``data`` a table of any engine in :data:`getting_to_outcomes.engines.ENGINES`; returns
    the same tables, with rows sorted by their keys.

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
    by_id = {i.id: i for i in native}
    _preflight(src, units, native, notes)
    tables: dict[str, pd.DataFrame] = {name: _empty(name) for name in TABLE_COLUMNS}
    if units:
        rows = _rows(src, units)
        tables["cells"] = _cells(src, rows, units, by_id)
        values: list[pd.DataFrame] = []
        pairs: list[pd.DataFrame] = []
        checked: set[tuple[Any, ...]] = set()
        for j, (ind_id, unit) in enumerate(units.items()):
            indicator = by_id[ind_id]
            if family_of(indicator) not in ("mean", "share"):
                continue
            values += _values(src, rows, j, indicator)
            unit_columns = _unit_columns(source, indicator)
            if unit_columns and len(window.periods) > 1 and all(c in schema for c in unit_columns):
                pairs += _pairs(src, unit, j, indicator, unit_columns, checked)
        tables["values"] = _concat("values", values)
        tables["pairs"] = _concat("pairs", pairs)
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
