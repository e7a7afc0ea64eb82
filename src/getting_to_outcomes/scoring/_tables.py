"""The tables of the aggregation seam: grouped sufficient statistics, and how they add up.

Scoring happens in two steps. This module is the first: it reduces the rows of each data
source to a handful of small tables keyed by indicator x group x period x subgroup. The
statistics step (:mod:`getting_to_outcomes.scoring._score`) works on those tables only, never on
raw rows. Every table adds up: the tables of two sets of groups, concatenated and summed
over their keys, are the tables of the pooled rows. That is what makes network totals exact
and what lets another engine (Polars, DuckDB, Dask) replace this pandas/numpy implementation
by producing the same tables.

The tables (:class:`Aggregates`), with ``KEY = indicator_id, group, period, dimension,
subgroup`` (``dimension`` and ``subgroup`` are ``"all"`` for the whole group):

``cells`` : KEY + ``n_rows, n_empty, n, sum, sum_sq, denominator, successes``
    Rows in scope, rows with no input at all, units with a value, the sum and sum of squares
    of the values, the summed denominator (``ratio`` and ``rate`` families; ``n`` otherwise)
    and the units at or above the success threshold (``share`` family; NaN otherwise).
``values`` : KEY + ``value, count``
    Distribution of the unit values (``mean`` and ``share`` families): the sufficient
    statistic of rank tests, ladders and the bootstrap.
``pair_sums`` : KEY + ``n_pairs, sum_before, sum_after``
    Units matched by id between the baseline period and ``period`` (each row's ``period`` is
    the later one): how many, and the sums of their two values.
``differences`` : KEY + ``difference, count``
    ``mean`` family: the distribution of the matched units' changes ``after - before``
    (rounded to 12 decimals so that equal changes merge). Paired t, Wilcoxon signed-rank,
    reliable change and the bootstrap of the change follow from it.
``transitions`` : KEY + ``before, after, count``
    ``share`` family: how many matched units went from each value to each value (yes/no
    answers or the rungs of a ladder). McNemar and movement on the ladder follow from it.
``items`` : ``indicator_id, group, period, item_i, item_j, n, sum_i, sum_j, cross_product``
    Pairwise-complete item moments of scales (reverse keys applied), as
    :meth:`getting_to_outcomes.stats.ItemMoments.to_frame`; whole groups only.
``answers`` : ``indicator_id, group, period, item, code, count``
    Answers given to each scale item, as given (before reverse keying).
``stages`` : ``indicator_id, group, period, stage, stage_order, level, count, missing_evidence``
    Milestone items by the stage they reached and their level.
``stage_times`` : ``indicator_id, group, period, from_stage, to_stage, n, sum_days``
    Days between consecutive dated stages.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from getting_to_outcomes.errors import ScoringError
from getting_to_outcomes.stats import ItemMoments

__all__ = [
    "ALL",
    "KEY",
    "MISSING_SUBGROUP",
    "TABLE_COLUMNS",
    "TABLE_KEYS",
    "Aggregates",
    "Window",
    "column_dtype",
    "empty_table",
    "first_rows",
    "key_codes",
    "merge_aggregates",
    "positions",
]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
ObjectArray = npt.NDArray[np.object_]

ALL = "all"
MISSING_SUBGROUP = "missing"
KEY = ["indicator_id", "group", "period", "dimension", "subgroup"]
CELL_KEY = ["indicator_id", "group", "period"]

TABLE_COLUMNS: dict[str, list[str]] = {
    "cells": [*KEY, "n_rows", "n_empty", "n", "sum", "sum_sq", "denominator", "successes"],
    "values": [*KEY, "value", "count"],
    "pair_sums": [*KEY, "n_pairs", "sum_before", "sum_after"],
    "differences": [*KEY, "difference", "count"],
    "transitions": [*KEY, "before", "after", "count"],
    "items": [*CELL_KEY, "item_i", "item_j", "n", "sum_i", "sum_j", "cross_product"],
    "answers": [*CELL_KEY, "item", "code", "count"],
    "stages": [*CELL_KEY, "stage", "stage_order", "level", "count", "missing_evidence"],
    "stage_times": [*CELL_KEY, "from_stage", "to_stage", "n", "sum_days"],
}
#: Columns that identify a row of each table; every other column is summed when merging.
TABLE_KEYS: dict[str, list[str]] = {
    "cells": KEY,
    "values": [*KEY, "value"],
    "pair_sums": KEY,
    "differences": [*KEY, "difference"],
    "transitions": [*KEY, "before", "after"],
    "items": [*CELL_KEY, "item_i", "item_j"],
    "answers": [*CELL_KEY, "item", "code"],
    "stages": [*CELL_KEY, "stage", "stage_order", "level"],
    "stage_times": [*CELL_KEY, "from_stage", "to_stage"],
}


@dataclass(frozen=True)
class Window:
    """The periods of one source that are scored, in time order; the first is the baseline.

    ``order`` lists every period known for the source (declared and found in the data), in
    time order, so that targets set for later periods can be placed in time.
    """

    periods: tuple[str, ...]
    order: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.order:
            object.__setattr__(self, "order", self.periods)

    @property
    def baseline(self) -> str:
        return self.periods[0]

    @property
    def current(self) -> str:
        return self.periods[-1]


def empty_table(name: str) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=column_dtype(c)) for c in TABLE_COLUMNS[name]})


def column_dtype(column: str) -> str:
    if column in ("indicator_id", "group", "period", "dimension", "subgroup", "item_i",
                  "item_j", "item", "stage", "level", "from_stage", "to_stage"):
        return "object"
    return "float64"


@dataclass(frozen=True, eq=False)
class Aggregates:
    """Grouped sufficient statistics of every scored indicator (see the module docstring).

    Attributes
    ----------
    cells, values, pair_sums, differences, transitions, items, answers, stages, stage_times
        The tables (DataFrames).
        The tables.
    windows : Mapping[str, Window]
        Per source id, the periods that were scored; pairs match the first (baseline) with
        each later one.
    notes : tuple of str
        What the aggregation left out on purpose (disaggregation columns absent from the
        data).
    rows_outside : Mapping[str, int]
        Per source id, rows of periods outside the scored ones, which were left out.
    pooled : str or None
        The group whose rows pool every other group's (the network), when the tables hold
        one (``aggregate_source(network=...)``); no group of the data has that label.

    Each table's runs of rows with one key (see :meth:`runs`) are found once and kept.
    """

    cells: pd.DataFrame
    values: pd.DataFrame
    pair_sums: pd.DataFrame
    differences: pd.DataFrame
    transitions: pd.DataFrame
    items: pd.DataFrame
    answers: pd.DataFrame
    stages: pd.DataFrame
    stage_times: pd.DataFrame
    windows: Mapping[str, Window] = field(default_factory=lambda: MappingProxyType({}))
    notes: tuple[str, ...] = ()
    rows_outside: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))
    pooled: str | None = None
    _runs: dict[str, IntArray] = field(default_factory=dict, init=False, repr=False,
                                       compare=False)

    @classmethod
    def empty(cls) -> Aggregates:
        """Aggregates of no rows at all."""
        return cls.from_tables({name: empty_table(name) for name in TABLE_COLUMNS})

    @classmethod
    def from_tables(
        cls, tables: Mapping[str, pd.DataFrame], windows: Mapping[str, Window] | None = None,
        notes: Sequence[str] = (), rows_outside: Mapping[str, int] | None = None,
        runs: Mapping[str, IntArray] | None = None, pooled: str | None = None,
    ) -> Aggregates:
        """Aggregates from a mapping of table name to table (every name of ``tables()``),
        the :meth:`runs` of any of them where they are known, and the pooled group."""
        missing = [name for name in TABLE_COLUMNS if name not in tables]
        if missing:
            raise ScoringError(f"aggregates lack the table(s) {', '.join(missing)}")
        aggregates = cls(
            cells=tables["cells"], values=tables["values"], pair_sums=tables["pair_sums"],
            differences=tables["differences"], transitions=tables["transitions"],
            items=tables["items"], answers=tables["answers"], stages=tables["stages"],
            stage_times=tables["stage_times"],
            windows=MappingProxyType(dict(windows or {})), notes=tuple(notes),
            rows_outside=MappingProxyType(dict(rows_outside or {})), pooled=pooled,
        )
        aggregates._runs.update(runs or {})
        return aggregates

    def __reduce__(self) -> tuple[Any, ...]:
        # The read-only mappings do not pickle; the tables travel back from Dask workers
        # and Spark executors.
        return (Aggregates.from_tables, (self.tables(), dict(self.windows), self.notes,
                                         dict(self.rows_outside), None, self.pooled))

    @property
    def messages(self) -> tuple[str, ...]:
        """The notes, then one for each source with rows outside its scored periods."""
        outside = tuple(
            f"source {source!r}: {n} row(s) from periods outside "
            f"{', '.join(self.windows[source].periods)} were not scored"
            for source, n in self.rows_outside.items() if n
        )
        return (*self.notes, *outside)

    def tables(self) -> dict[str, pd.DataFrame]:
        """The tables by name."""
        return {name: getattr(self, name) for name in TABLE_COLUMNS}

    @property
    def groups(self) -> list[str]:
        """Groups present, in order of first appearance."""
        return list(pd.unique(self.cells["group"]))

    def item_moments(self, indicator_id: str, group: str, period: str) -> ItemMoments | None:
        """The item moments of one scale in one group and period, or None without answers."""
        table = self.items
        part = table[(table["indicator_id"] == indicator_id) & (table["group"] == group)
                     & (table["period"] == period)]
        if part.empty:
            return None
        labels = list(pd.unique(part["item_i"]))
        k = len(labels)
        index = {label: i for i, label in enumerate(labels)}
        n = np.zeros((k, k))
        sums = np.zeros((k, k))
        cross = np.zeros((k, k))
        ii = part["item_i"].map(index).to_numpy()
        jj = part["item_j"].map(index).to_numpy()
        n[ii, jj] = part["n"].to_numpy()
        sums[ii, jj] = part["sum_i"].to_numpy()
        cross[ii, jj] = part["cross_product"].to_numpy()
        cells = self.cells
        cell = cells[(cells["indicator_id"] == indicator_id) & (cells["group"] == group)
                     & (cells["period"] == period) & (cells["dimension"] == ALL)]
        n_rows = int(cell["n_rows"].sum())
        n_empty = int(cell["n_empty"].sum())
        return ItemMoments(items=tuple(labels), n=n, sums=sums, cross_products=cross,
                           n_rows=n_rows - n_empty, n_empty=n_empty)

    def runs(self, name: str) -> IntArray:
        """The first row of each run of rows of table ``name`` whose text key columns
        (``TABLE_KEYS``) are equal, found once.

        The tables hold each cell's rows together (its distribution), so a lookup by any of
        those columns needs only each run's first row. Runs may be split further than
        needed (equal labels that do not compare equal), never less.
        """
        found = self._runs.get(name)
        if found is None:
            table = getattr(self, name)
            found = _run_starts(table, _text_keys(table, name))
            self._runs[name] = found
        return found

    def found_runs(self) -> dict[str, IntArray]:
        """The :meth:`runs` found so far, by table name."""
        return dict(self._runs)

    def with_group(self, label: str) -> Aggregates:
        """All groups pooled into one group called ``label`` (sums over groups)."""
        if self.pooled is not None:
            return self.unpooled().with_group(label)
        pooled = {}
        for name, table in self.tables().items():
            # One label for every row: the group adds nothing to the key. It is written on
            # the sums, as on a table assigned the label throughout.
            keys = [k for k in TABLE_KEYS[name] if k != "group"]
            pooled[name] = _sum_over_keys(name, table, keys, self.runs(name), group=label)
        return Aggregates.from_tables(pooled, self.windows, self.notes, self.rows_outside)

    def unpooled(self) -> Aggregates:
        """The tables without the :attr:`pooled` group's rows."""
        if self.pooled is None:
            return self
        tables = {name: table[(table["group"] != self.pooled).to_numpy(dtype=bool)]
                  .reset_index(drop=True) for name, table in self.tables().items()}
        return Aggregates.from_tables(tables, self.windows, self.notes, self.rows_outside)


def key_codes(tables: Sequence[pd.DataFrame], columns: Sequence[str],
              runs: Sequence[IntArray | None] | None = None) -> list[IntArray]:
    """One integer per distinct combination of ``columns``, shared by all ``tables``.

    A hash join on one int64 instead of several text columns. Codes are numbered in order of
    first appearance over the tables in turn (every missing value is one value). The tables
    hold long runs of rows with the same labels (a cell's distribution), so the text columns
    are compared with their neighbours to find the runs, and only each run's first row is
    factorized; other columns are factorized whole. Each column's codes are matched across
    tables and combined arithmetically, and the combination is numbered once at the end.

    ``runs``, per table (or None): the first row of each run of rows over which every text
    column among ``columns`` is constant (:meth:`Aggregates.runs`), when known.
    """
    sizes = [len(t) for t in tables]
    text = [c for c in columns if all(t[c].dtype == object for t in tables)]
    known = list(runs) if runs is not None else [None] * len(tables)
    firsts = [_run_starts(t, text) if r is None else r
              for t, r in zip(tables, known, strict=True)]
    run_codes, bound = _combine(
        [[t[c].to_numpy()[first] for t, first in zip(tables, firsts, strict=True)]
         for c in text],
        sum(len(first) for first in firsts))
    lengths = np.concatenate([np.diff(np.r_[first, size])
                              for first, size in zip(firsts, sizes, strict=True)]) \
        if tables else np.zeros(0, dtype=np.int64)
    combined, bound = _combine([[t[c] for t in tables] for c in columns if c not in text],
                               sum(sizes), np.repeat(run_codes, lengths), bound)
    combined = _first_seen(combined, bound)
    bounds = np.cumsum([0, *sizes])
    return [combined[a:b] for a, b in itertools.pairwise(bounds)]


def _text_keys(table: pd.DataFrame, name: str) -> list[str]:
    """The key columns of table ``name`` that hold labels as Python objects."""
    return [c for c in TABLE_KEYS[name] if table[c].dtype == object]


def _run_starts(table: pd.DataFrame, columns: Sequence[str]) -> IntArray:
    """The first row of each run of equal ``columns`` (every row when they cannot be
    compared)."""
    size = len(table)
    start = np.zeros(size, dtype=bool)
    if size:
        start[0] = True
    for column in columns:
        values = table[column].to_numpy()
        try:
            start[1:] |= np.asarray(values[1:] != values[:-1], dtype=bool)
        except (TypeError, ValueError):  # a value without a plain truth of equality (pd.NA)
            return np.arange(size, dtype=np.int64)
    return np.flatnonzero(start)


def _combine(parts: Sequence[Sequence[pd.Series | ObjectArray]], size: int,
             combined: IntArray | None = None, bound: int = 1) -> tuple[IntArray, int]:
    """The codes of several columns (each given as its parts, one per table) combined into
    one integer per row of the ``size`` rows of the tables in turn, and how many values it
    can take."""
    if combined is None:
        combined = np.zeros(size, dtype=np.int64)
    for column in parts:
        codes, count = _column_codes(column)
        if bound > _COMBINED_LIMIT // count:
            combined = np.asarray(pd.factorize(combined)[0], dtype=np.int64)
            bound = int(combined.max()) + 1 if combined.size else 1
        combined = combined * count + codes
        bound *= count
    return combined, bound


# Combined codes stay below this, so that they never overflow int64.
_COMBINED_LIMIT = 1 << 62


def _first_seen(codes: IntArray, bound: int) -> IntArray:
    """``codes`` (each below ``bound``) renumbered 0, 1, ... in order of first appearance,
    as ``pd.factorize`` numbers them; without hashing when ``bound`` is small."""
    n = len(codes)
    if n == 0 or bound > 4 * n + 4096:
        return np.asarray(pd.factorize(codes)[0], dtype=np.int64)
    first = np.full(bound, n, dtype=np.int64)
    np.minimum.at(first, codes, np.arange(n, dtype=np.int64))
    present = np.flatnonzero(first < n)
    number = np.empty(bound, dtype=np.int64)
    number[present[np.argsort(first[present], kind="stable")]] = np.arange(len(present))
    return number[codes]


def first_rows(codes: IntArray) -> IntArray:
    """Where each code first appears, for codes numbered in order of first appearance
    (as :func:`key_codes` numbers them): the same as ``np.unique(codes,
    return_index=True)[1]``, without sorting."""
    if codes.size == 0:
        return np.empty(0, dtype=np.int64)
    earlier = np.maximum.accumulate(np.r_[-1, codes[:-1]])
    return np.flatnonzero(codes > earlier)


def _column_codes(parts: Sequence[pd.Series | ObjectArray]) -> tuple[IntArray, int]:
    """Codes of the values of several columns (Series, or arrays of Python objects) taken as
    one (missing values one code), and how many codes there can be."""
    found = [_factorize(part) for part in parts]
    if len(found) == 1:
        codes, uniques = found[0]
        n = len(uniques)
        return np.where(codes < 0, n, codes).astype(np.int64), n + 1
    if all(isinstance(u, np.ndarray) and u.dtype == object for _, u in found):
        shared, distinct = pd.factorize(np.concatenate([u for _, u in found]))
        n = len(distinct)
    else:
        # Labels stay Python objects: made into a text column, they would go to Arrow.
        shared, labels = pd.factorize(pd.concat(
            [pd.Series(u, dtype=object) if _is_object(u) else pd.Series(u) for _, u in found],
            ignore_index=True))
        n = len(labels)
    shared = np.r_[np.asarray(shared, dtype=np.int64), n]  # n: missing
    out = []
    offset = 0
    for codes, uniques in found:
        local = np.where(codes < 0, len(uniques), codes)
        lookup = np.r_[shared[offset: offset + len(uniques)], n]
        out.append(lookup[local])
        offset += len(uniques)
    return np.concatenate(out).astype(np.int64) if out else np.empty(0, np.int64), n + 1


def _is_object(values: Any) -> bool:
    dtype = getattr(values, "dtype", None)
    return dtype is not None and pd.api.types.is_object_dtype(dtype)


def _factorize(part: pd.Series | ObjectArray) -> tuple[IntArray, Any]:
    """``pd.factorize`` of a column; text columns hashed once per run of equal values.

    The tables hold long runs of one label (an indicator, a dimension, a period): comparing
    neighbours costs a fraction of hashing every row, and the codes are the same.
    """
    values = part.to_numpy() if isinstance(part, pd.Series) else part
    if values.dtype != object or len(values) < 2:
        return pd.factorize(part)
    try:
        starts = np.flatnonzero(np.r_[True, values[1:] != values[:-1]])
    except (TypeError, ValueError):  # a value without a plain truth of equality (pd.NA)
        return pd.factorize(part)
    codes, uniques = pd.factorize(values[starts])
    return np.repeat(codes, np.diff(np.r_[starts, len(values)])), uniques


def positions(keys: IntArray, queries: IntArray) -> IntArray:
    """Where each query code occurs in ``keys`` (codes without repeats); -1 when absent."""
    found = pd.Index(keys).get_indexer(pd.Index(queries))
    return np.asarray(found, dtype=np.int64)


def _sum_over_keys(name: str, table: pd.DataFrame, by: Sequence[str] | None = None,
                   runs: IntArray | None = None, group: str | None = None) -> pd.DataFrame:
    """Sum every statistic of a table over its key columns (one row per key); ``by``: the
    key columns that vary, when the others hold one value (or are replaced by ``group``);
    ``runs``: as :func:`key_codes` takes them."""
    if table.empty:
        return empty_table(name)
    keys = TABLE_KEYS[name]
    (code,) = key_codes([table], keys if by is None else by, [runs])
    first = first_rows(code)
    out = table.iloc[first][keys].reset_index(drop=True)
    if group is not None:  # a label as Python text, as the other tables hold theirs
        out["group"] = pd.Series(group, index=out.index, dtype=object)
    order = code[first]
    for column in TABLE_COLUMNS[name]:
        if column in keys:
            continue
        values = table[column].to_numpy(dtype=np.float64)
        # A statistic that is NaN throughout (successes outside the share family) stays NaN.
        summed = np.bincount(code, weights=np.nan_to_num(values), minlength=len(first))
        present = np.bincount(code, weights=~np.isnan(values), minlength=len(first))
        out[column] = np.where(present[order] > 0, summed[order], np.nan)
    return out[TABLE_COLUMNS[name]]


def merge_aggregates(parts: Sequence[Aggregates], *, disjoint: bool = False) -> Aggregates:
    """Merge the aggregates of several sets of rows: concatenate and sum over the keys.

    Parts may share groups (a grantee's rows split over two files), except that units are
    matched across periods within a part only. ``disjoint=True`` promises that no key occurs
    in two parts, so the tables are only concatenated.

    Raises
    ------
    ScoringError
        Parts scored different periods of the same source.
    """
    windows: dict[str, Window] = {}
    notes: list[str] = []
    outside: dict[str, int] = {}
    pooled = {part.pooled for part in parts}
    if len(pooled) > 1:  # a network pooled from some parts only would be wrong
        parts = [part.unpooled() for part in parts]
    for part in parts:
        for source, window in part.windows.items():
            if windows.setdefault(source, window) != window:
                raise ScoringError(
                    f"cannot merge results that scored different periods of source {source!r}: "
                    f"{list(windows[source].periods)} and {list(window.periods)}; score them "
                    "with the same baseline_period and current_period"
                )
        notes.extend(n for n in part.notes if n not in notes)
        for source, n in part.rows_outside.items():
            outside[source] = outside.get(source, 0) + n
    tables = {}
    runs: dict[str, IntArray] = {}
    for name in TABLE_COLUMNS:
        frames = [getattr(p, name) for p in parts if not getattr(p, name).empty]
        if not frames:
            tables[name] = empty_table(name)
        elif len(frames) == 1:
            tables[name] = frames[0]  # one part: already one row per key, the same runs
            owner = next(p for p in parts if getattr(p, name) is frames[0])
            if name in owner._runs:
                runs[name] = owner._runs[name]
        elif disjoint:
            tables[name] = pd.concat(frames, ignore_index=True)
            # The runs of the parts in turn (a part's first row starts a run), when the
            # parts compared the same columns as text.
            present = [p for p in parts if not getattr(p, name).empty]
            text = [_text_keys(getattr(p, name), name) for p in present]
            if all(t == _text_keys(tables[name], name) for t in text):
                offsets = np.cumsum([0, *(len(f) for f in frames)])
                runs[name] = np.concatenate([p.runs(name) + offset for p, offset in
                                             zip(present, offsets[:-1].tolist(), strict=True)])
        else:
            tables[name] = _sum_over_keys(name, pd.concat(frames, ignore_index=True))
    return Aggregates.from_tables(tables, windows, notes, outside, runs,
                                  pooled.pop() if len(pooled) == 1 else None)
