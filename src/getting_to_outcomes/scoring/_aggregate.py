"""The kernel of the aggregation seam: rows of one source -> the tables of :class:`Aggregates`.

Written once, for pandas and numpy: every engine feeds it slices of rows (:mod:`._seam`).
Each row gets what it adds to each indicator (:mod:`._measures`) and a slot (its value's
code, or none), labels integer codes, and every table is a ``np.bincount`` of cells x slots
(each breakdown a margin of one count over all dimensions where small; sums of coded values
are counts times values). :mod:`._tables` has the tables and how they add up.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from threadpoolctl import threadpool_limits

from getting_to_outcomes.definitions import Framework
from getting_to_outcomes.definitions.models import (
    DataSource,
    Indicator,
    MilestoneMeasure,
    ScaleMeasure,
)
from getting_to_outcomes.errors import ScoringError
from getting_to_outcomes.scoring._measures import (
    UNNUMBERED,
    Family,
    UnitValues,
    family_of,
    unit_values,
)
from getting_to_outcomes.scoring._tables import (
    ALL,
    MISSING_SUBGROUP,
    TABLE_COLUMNS,
    TABLE_KEYS,
    Aggregates,
    Window,
    column_dtype,
    empty_table,
)
from getting_to_outcomes.validation import read_dates

__all__ = ["aggregate_source", "label_text", "unit_key_columns"]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


@dataclass
class _Tally:
    """Rows counted per cell of one breakdown (``key``: no dimension, or one) and slot: the
    cells and slots present, sorted, their counts, where each cell's entries start, and
    the sums of any weights per cell present."""

    key: tuple[str, ...]
    labels: list[str]
    cell: IntArray
    slot: IntArray
    count: npt.NDArray[np.floating[Any]]
    sums: list[npt.NDArray[Any]] = field(default_factory=list)
    starts: IntArray = field(init=False)

    def __post_init__(self) -> None:
        self.starts = np.flatnonzero(np.r_[True, self.cell[1:] != self.cell[:-1]])[
            :len(self.cell)]

    @property
    def present(self) -> IntArray:
        return self.cell[self.starts]


@dataclass
class _Codes:
    """Integer codes of the rows of one source: group, period and each subgroup dimension."""

    groups: list[str]
    group: IntArray
    periods: tuple[str, ...]
    period: IntArray  # -1 outside the window
    dimensions: dict[str, tuple[list[str], IntArray]]
    pooled: bool = False  # the last group is the network, no row's: every group's summed
    found: dict[object, Any] = field(default_factory=dict)

    def pool(self, *arrays: npt.NDArray[Any]) -> None:
        """When pooled, fill the network's cells with the sums of every group's: arrays over
        the cells group x period first (in C order, which a reshape then writes through)."""
        for array in arrays if self.pooled else ():
            cells = array.reshape(len(self.groups), len(self.periods), -1)
            cells[-1] = cells[:-1].sum(axis=0)

    def labels(self, key: tuple[str, ...]) -> list[str]:
        """The subgroups of a breakdown: of its dimension, or the whole group."""
        return self.dimensions[key[0]][0] if key else [ALL]

    def named(self, cell: IntArray) -> dict[str, Any]:
        """The group and period of cells ``group * P + period``."""
        return {"group": (self.groups, cell // len(self.periods)),
                "period": (self.periods, cell % len(self.periods))}

    def cell(self, dims: tuple[str, ...], pairs: tuple[IntArray, IntArray, int] | None = None
             ) -> tuple[IntArray, npt.NDArray[np.bool_] | None]:
        """Each row's cell ``((group * P + period) * S1 + sub1) * S2 ...`` over ``dims``
        (rows outside the window take any: they are never counted), or each pair's (later
        row, baseline row, later period) and, unless all do, whether its two rows share it:
        found once."""
        if dims not in self.found:
            cell = np.maximum(self.group * len(self.periods) + self.period, 0)
            for dim in dims:
                cell = cell * len(self.dimensions[dim][0]) + self.dimensions[dim][1]
            self.found[dims] = (cell, None)
        if pairs is not None and (dims, pairs[2]) not in self.found:
            after, before, p = pairs
            cell, step = self.found[dims][0], np.prod([len(self.dimensions[d][0]) for d in dims])
            # Both rows are of one group: the cells differ by the periods alone.
            same = cell[after] - cell[before] == p * step
            self.found[(dims, p)] = (cell[after], None if same.all() else same)
        return self.found[dims if pairs is None else (dims, pairs[2])]  # type: ignore[no-any-return]

    def again(self, cell: IntArray, size: int) -> IntArray:
        """``cell`` (of ``size`` cells, group x period first), then each one's network cell."""
        return np.concatenate([cell, cell % (tail := size // len(self.groups)) + size - tail])

    def tally(self, indicator: Indicator, slot: IntArray, width: int,
              pairs: tuple[IntArray, IntArray, int] | None = None,
              weights: Sequence[npt.NDArray[Any]] = ()) -> list[_Tally]:
        """Count the rows (or the ``pairs``, see :meth:`cell`) in each slot (below ``width``;
        the last holds what is not counted, whose ``weights`` must be 0) and sum the weights
        per cell of the whole group, then of each of ``indicator``'s subgroup dimensions. A
        pair whose subgroup changed between its periods counts in the whole group only. When
        the cells of all dimensions at once are few, one count over them gives every
        breakdown as a margin."""
        dims = tuple(d for d in self.dimensions if d in indicator.disaggregate_by)
        n_cells = len(self.groups) * len(self.periods)
        fine = n_cells * int(np.prod([len(self.dimensions[d][0]) for d in dims])) * width
        whole = fine <= min(max(4 * len(slot), 1 << 16), 1 << 22)
        if whole and pairs is not None:
            same = self.cell(dims, pairs)[1]
            whole = same is None or bool((same | (slot == width - 1)).all())
        out = []
        for grouping in [dims] if whole else [(), *((d,) for d in dims)]:
            cell, same = self.cell(grouping, pairs)
            kept, weighed = slot, list(weights)
            if same is not None and not whole:
                kept = np.where(same, slot, width - 1)
                weighed = [np.where(same, w, 0.0) for w in weights]
            shape, named = [n_cells, *(len(self.dimensions[d][0]) for d in grouping)], None
            if np.prod(shape) * width > max(8 * len(slot), 1 << 20):  # number those present
                if self.pooled:  # every row again, in the network's cell of its own
                    cell, kept = self.again(cell, int(np.prod(shape))), np.r_[kept, kept]
                    weighed = [np.r_[w, w] for w in weighed]
                named, cell = np.unique(cell, return_inverse=True)
                shape = [len(named)]
            size = int(np.prod(shape))
            counts = np.bincount(cell * width + kept, minlength=size * width).reshape(
                *shape, width)
            sums = [np.bincount(cell, w, size).reshape(shape) for w in weighed]
            if named is None:
                self.pool(counts, *sums)
            for key in ((), *((d,) for d in grouping)) if whole else (grouping,):
                axes = tuple(1 + k for k, d in enumerate(grouping) if (d,) != key)
                margin = (counts.sum(axis=axes) if axes else counts).reshape(-1, width)
                cells, slots = np.nonzero(margin[:, :-1])
                tally = _Tally(key, self.labels(key), cells, slots, margin[cells, slots] * 1.0)
                tally.sums = [(s.sum(axis=axes) if axes else s).reshape(-1)[tally.present]
                              for s in sums]
                tally.cell = tally.cell if named is None else named[tally.cell]
                out.append(tally)
        return out


def label_text(series: pd.Series) -> pd.Series:
    """Labels as text; whole-number floats (2024.0) read as integers (2024)."""
    if pd.api.types.is_float_dtype(series.dtype):
        whole = series.dropna()
        if (whole == np.round(whole)).all():
            series = series.astype("Int64")
    return series.astype("string").str.strip()


def _text_codes(series: pd.Series) -> tuple[IntArray, pd.Series]:
    """``label_text(series)`` as codes (-1 where missing) and the text of each code.

    A column of strings is factorized first and only its distinct values are stripped: the
    same codes and labels, without stripping every row. Other columns (numbers, mixed
    objects, where 1 and 1.0 would be one value to ``factorize`` but two texts) are turned
    into text row by row first.
    """
    if isinstance(series.dtype, pd.StringDtype):
        codes, uniques = pd.factorize(series)
        labels = label_text(pd.Series(uniques, dtype=series.dtype))
    else:
        text = label_text(series)
        codes, uniques = pd.factorize(text)
        labels = pd.Series(uniques, dtype=text.dtype)
    if labels.equals(pd.Series(uniques, dtype=labels.dtype)):  # nothing to merge
        return np.asarray(codes, dtype=np.int64), labels
    # Labels that strip to the same text are one label, first seen first.
    merged, distinct = pd.factorize(labels)
    merged = np.asarray(merged, dtype=np.int64)
    out = np.where(codes >= 0, np.r_[merged, -1][codes], -1)
    return np.asarray(out, dtype=np.int64), pd.Series(distinct, dtype=labels.dtype)


def _row_labels(series: pd.Series, mask: npt.NDArray[np.bool_], limit: int = 5) -> str:
    """" (rows 3, 8 and 2 more)", or nothing for rows without meaningful numbers."""
    if series.index.name == UNNUMBERED:
        return ""
    rows = [str(r) for r in series.index[mask][:limit]]
    more = int(mask.sum()) - len(rows)
    return " (rows " + ", ".join(rows) + (f" and {more} more" if more > 0 else "") + ")"


def _codes(
    frame: pd.DataFrame, source: DataSource, *, group_column: str | None,
    group_label: str | None, window: Window, dimensions: Iterable[str], network: str | None,
) -> _Codes:
    if group_label is not None:
        group, groups = np.zeros(len(frame), dtype=np.int64), [group_label]
    else:
        assert group_column is not None
        group, labels = _text_codes(frame[group_column])
        blank = (group < 0) | np.r_[(labels == "").to_numpy(dtype=bool, na_value=False),
                                    False][group]
        if blank.any():
            raise ScoringError(
                f"source {source.id!r}: {int(blank.sum())} row(s) have no value in the grouping "
                f"column {group_column!r}{_row_labels(frame[group_column], blank)}; "
                "every row must belong to a group: run `gto validate` on the file"
            )
        groups = np.asarray(labels, dtype=object).astype(str).tolist()
        if network in groups:
            raise ScoringError(f"a group is called {network!r}, the name of the pooled "
                               "network; rename it")
    time, labels = _text_codes(frame[source.time_column])
    blank = time < 0
    if blank.any():
        raise ScoringError(
            f"source {source.id!r}: {int(blank.sum())} row(s) have no period in column "
            f"{source.time_column!r}{_row_labels(frame[source.time_column], blank)}; "
            "run `gto validate`"
        )
    period = labels.map({p: i for i, p in enumerate(window.periods)}).fillna(-1).to_numpy(
        dtype=np.int64)[time]
    dims: dict[str, tuple[list[str], IntArray]] = {}
    for dim in dimensions:
        codes, labels = _text_codes(frame[dim])
        if (labels == MISSING_SUBGROUP).any():
            raise ScoringError(
                f"source {source.id!r}: column {dim!r} has the answer {MISSING_SUBGROUP!r}, "
                "the label given to blank answers; recode it (for example to "
                f"'{MISSING_SUBGROUP}_answer') so that it is not merged with them"
            )
        if (codes < 0).any():
            # Missing is a subgroup of its own, placed where it first appears.
            labels = pd.concat([labels, pd.Series([MISSING_SUBGROUP], dtype=labels.dtype)],
                               ignore_index=True)
            seen, first = pd.factorize(np.where(codes < 0, len(labels) - 1, codes))
            merged, distinct = pd.factorize(labels.iloc[np.asarray(first)].reset_index(drop=True))
            codes, labels = np.asarray(merged, dtype=np.int64)[seen], pd.Series(distinct)
        dims[dim] = (np.asarray(labels, dtype=object).astype(str).tolist(), codes)
    pooled = network is not None and group_label is None
    return _Codes(groups=[*groups, str(network)] if pooled else groups, group=group,
                  periods=window.periods, period=np.asarray(period, dtype=np.int64),
                  dimensions=dims, pooled=pooled)


class _Builder:
    """Collects table pieces for one source, column by column, into one DataFrame per table.
    A text column's piece is one label for all rows, a label per row, or ``(labels, codes)``:
    joined as codes, then read as Python objects (Arrow-backed strings cost more)."""

    def __init__(self) -> None:
        self.parts: dict[str, list[list[Any]]] = {name: [] for name in TABLE_COLUMNS}

    def add(self, name: str, columns: Mapping[str, Any]) -> None:
        n = max((len(v[1] if isinstance(v, tuple) else v) for v in columns.values()
                 if isinstance(v, tuple) or np.ndim(v)), default=0)
        if n:
            self.parts[name].append([
                np.broadcast_to(np.asarray(v, np.float64), (n,)) if column_dtype(c) != "object"
                else v if isinstance(v, tuple) else (np.asarray(v, dtype=object).reshape(-1),
                                                     np.arange(n) * (np.ndim(v) > 0))
                for c, v in ((c, columns[c]) for c in TABLE_COLUMNS[name])])

    def table(self, name: str) -> tuple[pd.DataFrame, IntArray]:
        """The table, and the first row of each run of equal text keys (found on codes)."""
        if not self.parts[name]:
            return empty_table(name), np.zeros(0, dtype=np.int64)
        data: dict[str, Any] = {}
        for column, *pieces in zip(TABLE_COLUMNS[name], *self.parts[name], strict=True):
            if column_dtype(column) != "object":
                data[column] = np.concatenate(pieces)
                continue
            offsets = np.cumsum([0, *(len(labels) for labels, _ in pieces)])
            labels = np.concatenate([np.asarray(labels, dtype=object) for labels, _ in pieces])
            codes = np.concatenate([c + o for (_, c), o in zip(pieces, offsets, strict=False)])
            if column == "indicator_id":  # every table's first key
                start = np.r_[True, np.zeros(len(codes) - 1, dtype=bool)]
            if column in TABLE_KEYS[name]:
                start[1:] |= codes[1:] != codes[:-1]
            data[column] = pd.Series(labels[codes], dtype=object, copy=False)
        return pd.DataFrame(data, copy=False), np.flatnonzero(start)


def _labels(codes: _Codes, tally: _Tally, cell: IntArray) -> dict[str, Any]:
    """The dimension and labels of ``tally``'s cells ``(group * P + period) * S + subgroup``."""
    n_sub = len(tally.labels)
    return {"dimension": tally.key[0] if tally.key else ALL, **codes.named(cell // n_sub),
            "subgroup": (tally.labels, cell % n_sub)}


def _slots(units: UnitValues, family: Family, valid: npt.NDArray[np.bool_]) -> tuple[
        IntArray, FloatArray]:
    """Each row's slot and the distinct values, sorted (``mean`` and ``share`` families).

    The slot of a row with a value is its value's code (0 in the other families); of a row
    without one, the number of codes (at least 1); of an empty row (which has no value),
    one more; of a row that is not the indicator's (outside the window or its scope), two
    more.
    """
    uniques = np.empty(0)
    if units.pattern_values is not None and units.pattern_keyed is not None:
        # A scale's values are those of its patterns of answers: coded per pattern.
        per, empty = units.pattern_values, np.isnan(units.pattern_keyed).all(axis=1)
        uniques = np.unique(per[~np.isnan(per)])
        n_codes = max(len(uniques), 1)
        slot = np.where(np.isnan(per), n_codes + empty,
                        np.searchsorted(uniques, per))[units.patterns]
    else:
        assert units.value is not None
        assert units.empty is not None
        present = ~np.isnan(units.value)
        slot = np.zeros(len(present), dtype=np.int64)
        if family in ("mean", "share") and present.any():
            slot[present], found = pd.factorize(units.value[present], sort=True)
            uniques = np.asarray(found, dtype=np.float64)
        n_codes = max(len(uniques), 1)
        slot[~present] = n_codes + units.empty[~present]
    if not valid.all():
        slot[~valid] = n_codes + 2
    return slot, uniques


def _cells_and_values(
    builder: _Builder, indicator: Indicator, family: Family, units: UnitValues, codes: _Codes,
    slot: IntArray, value_uniques: FloatArray,
) -> None:
    n_codes = max(len(value_uniques), 1)
    width, has = n_codes + 3, slot < n_codes
    coded = family in ("mean", "share")
    # The value of each slot (0 for the slots without one): a value's code stands for it,
    # so its sums are counts times values, the same in whatever order the rows come.
    at = np.r_[value_uniques, np.zeros(width - len(value_uniques))]
    hit = None if units.threshold is None else np.r_[value_uniques >= units.threshold, [0] * 3]
    weights = []
    if not coded:  # counts, ratios and rates: any number, summed row by row
        assert units.value is not None
        weights = [value := np.where(has, units.value, 0.0), value * value]
        if units.denominator is not None:
            weights.append(np.where(has, units.denominator, 0.0))
    for tally in codes.tally(indicator, slot, width, weights=weights):
        given, count = tally.slot < n_codes, tally.count
        kinds = [given | True, tally.slot == n_codes + 1, given, given if hit is None
                 else hit[tally.slot] > 0]
        part = count * at[tally.slot]
        n_rows, n_empty, n, successes, *sq = np.add.reduceat(
            [*np.where(kinds, count, 0.0), part, part * at[tally.slot]], tally.starts, axis=1)
        sums = dict(zip(("sum", "sum_sq", "denominator"), tally.sums if tally.sums else sq,
                        strict=False))
        builder.add("cells", {
            "indicator_id": indicator.id, **_labels(codes, tally, tally.present),
            "n_rows": n_rows, "n_empty": n_empty, "n": n, "denominator": n, **sums,
            "successes": np.nan if hit is None else successes,
        })
        if coded and has.any():
            builder.add("values", {
                "indicator_id": indicator.id, **_labels(codes, tally, tally.cell[given]),
                "value": value_uniques[tally.slot[given]], "count": count[given],
            })


def _unit_codes(frame: pd.DataFrame, columns: Sequence[str]) -> IntArray:
    """One integer per distinct combination of ``columns`` (-1 where one is missing)."""
    combined = np.zeros(len(frame), dtype=np.int64)
    missing = np.zeros(len(frame), dtype=bool)
    for k, column in enumerate(columns):
        codes, labels = _text_codes(frame[column])
        missing |= codes < 0
        if k == 0:
            combined = codes  # already compact
        else:
            mixed = combined * max(len(labels), 1) + np.maximum(codes, 0)
            combined = np.asarray(pd.factorize(mixed)[0], dtype=np.int64)
    return np.where(missing, -1, combined)


def unit_key_columns(source: DataSource, indicator: Indicator) -> list[str]:
    """Columns that identify a unit across periods: the id plus the other non-time keys."""
    measure = indicator.measure
    id_column = measure.item_field if isinstance(measure, MilestoneMeasure) else source.id_column
    if not id_column:
        return []
    rest = [k for k in source.keys if k not in (source.time_column, id_column)]
    return [id_column, *rest]


def _matching(
    unit: IntArray, labels: pd.Series, codes: _Codes, inside: npt.NDArray[np.bool_],
    source: DataSource,
) -> list[tuple[IntArray, IntArray, int]]:
    """The rows of each later period whose unit (group x ``unit``, codes of its ids named
    ``labels``) has a row in the baseline period, and those rows. Duplicates are refused.

    The same unit twice in one group and period cannot be matched across periods;
    validation refuses such rows, so reaching here they are an error.
    """
    n_ids, has = int(unit.max()) + 1 if unit.size else 1, unit >= 0
    known, every = inside & has, bool(has.all())
    owner = np.zeros(n_ids, dtype=np.int64)
    owner[unit if every else unit[has]] = codes.group if every else codes.group[has]
    uid = np.maximum(unit, 0) if (owner[unit] == codes.group)[has].all() else np.asarray(
        pd.factorize(codes.group * n_ids + np.maximum(unit, 0))[0], dtype=np.int64)
    cell = uid * len(codes.periods) + codes.period
    cell = cell if known.all() else cell[known]
    counted = np.bincount(cell) if cell.size else cell  # uid is compact: count directly
    if cell.size and counted.max() > 1:
        dup = np.zeros(len(unit), dtype=bool)
        dup[known] = counted[cell] > 1
        raise ScoringError(
            f"source {source.id!r}: the same {labels.name!r} appears more than once in one "
            f"group and period{_row_labels(labels, dup)}, so units cannot be "
            "matched across periods; run `gto validate` to list the duplicates"
        )
    base = known & (codes.period == 0)
    position = np.full(int(uid.max()) + 1 if uid.size else 1, -1, dtype=np.int64)
    position[uid[base]] = np.flatnonzero(base)
    partner = np.where(known, position[uid], -1)
    later = [np.flatnonzero((partner >= 0) & (codes.period == p))
             for p in range(1, len(codes.periods))]
    return [(rows, partner[rows], p) for p, rows in enumerate(later, 1)]


def _pairs(
    builder: _Builder, indicator: Indicator, family: Family, codes: _Codes,
    pairs_of: list[tuple[IntArray, IntArray, int]], slot: IntArray, value_uniques: FloatArray,
) -> None:
    """Match units between the baseline and each later period: pair sums, and the
    distribution of differences (means) or of transitions (shares)."""
    n_values = len(value_uniques)
    if family == "mean" and n_values <= 1 << 10:
        # Every change is one of the differences between two values: coded once.
        table = np.round(value_uniques[None, :] - value_uniques[:, None], 12) + 0.0
        steps, step_of = np.unique(table, return_inverse=True)
        step_of = step_of.reshape(-1)
    for pairs in pairs_of:
        code_before, code_after = slot[pairs[1]], slot[pairs[0]]
        ok = (code_before < n_values) & (code_after < n_values)
        if not ok.any():
            continue
        # Each pair's slot: the code of its change (means) or of its two values (shares).
        pair = code_before * n_values + code_after
        if family == "mean" and n_values <= 1 << 10:
            pair = step_of[np.where(ok, pair, 0)]
        elif family == "mean":
            change = np.round(value_uniques[code_after[ok]] - value_uniques[code_before[ok]],
                              12) + 0.0
            pair[ok], uniques = pd.factorize(change, sort=True)
            steps = np.asarray(uniques, dtype=np.float64)
        n_slots = len(steps) if family == "mean" else n_values * n_values
        # The sums of each period's values, pair by pair.
        ends = [np.where(ok, value_uniques[np.minimum(code, n_values - 1)], 0.0)
                for code in (code_before, code_after)]
        for tally in codes.tally(indicator, np.where(ok, pair, n_slots), n_slots + 1, pairs,
                                 ends):
            count, labels = tally.count, _labels(codes, tally, tally.cell)
            if family == "mean":
                builder.add("differences", {"indicator_id": indicator.id, **labels,
                                            "difference": steps[tally.slot], "count": count})
            else:
                builder.add("transitions", {
                    "indicator_id": indicator.id, **labels, "count": count,
                    "before": value_uniques[tally.slot // n_values],
                    "after": value_uniques[tally.slot % n_values]})
            builder.add("pair_sums", {
                "indicator_id": indicator.id, **_labels(codes, tally, tally.present),
                "n_pairs": np.add.reduceat(count, tally.starts),
                "sum_before": tally.sums[0], "sum_after": tally.sums[1]})


def _items(
    builder: _Builder, indicator: Indicator, measure: ScaleMeasure, units: UnitValues,
    codes: _Codes, valid: npt.NDArray[np.bool_], framework: Framework,
) -> None:
    """Item moments and answer counts of a scale per group and period, from how many of
    its rows gave each pattern of answers: what a row adds depends on its pattern alone."""
    assert units.patterns is not None
    assert units.pattern_codes is not None
    assert units.pattern_keyed is not None
    if not valid.any():
        return
    n_patterns = len(units.pattern_codes)
    k, given = len(measure.items), units.pattern_codes
    scale_codes = np.asarray([float(c.code) for c in framework.scale(measure.scale).codes])
    n_codes = len(scale_codes)
    # Per pattern, [answered as 0/1 | keyed answers, 0 for missing] times itself (each pair
    # once) holds the pairwise-complete counts (m'm), sums (f'm) and cross-products (f'f),
    # and each item's answer one-hot over the codes the answer counts: summed over a group
    # and period by one product with its patterns' counts. Whole numbers below 2**24 are
    # exact in single precision too.
    answered, iu, ju = given < n_codes, *np.triu_indices(2 * k)
    features = np.hstack([answered, np.where(answered, units.pattern_keyed, 0.0)])
    per_pattern = np.hstack([features[:, iu] * features[:, ju],
                             (given[:, :, None] == np.arange(n_codes)).reshape(n_patterns, -1)])
    cell = codes.cell(())[0] * n_patterns + units.patterns
    cell = cell if valid.all() else cell[valid]
    size = len(codes.groups) * len(codes.periods) * n_patterns
    if size <= 1 << 24:
        dense = np.bincount(cell, minlength=size).reshape(-1, n_patterns)
        codes.pool(dense)
        cells = np.flatnonzero(dense.any(axis=1))
        exact = np.float32 if dense.sum(axis=1).max() * np.abs(per_pattern).max() < 1 << 24 \
            else np.float64
        sums = (dense[cells].astype(exact) @ per_pattern.astype(exact)).astype(np.float64)
    else:  # very many patterns (long scales): the patterns of each group and period
        combined, found = np.unique(codes.again(cell, size) if codes.pooled else cell,
                                    return_counts=True)
        counts = found.astype(np.float64)
        cells, starts = np.unique(combined // n_patterns, return_index=True)
        sums = np.stack([counts[a:b] @ per_pattern[combined[a:b] % n_patterns]
                         for a, b in itertools.pairwise([*starts, len(combined)])])
    products = np.empty((len(cells), 2 * k, 2 * k))
    products[:, iu, ju] = products[:, ju, iu] = sums[:, :len(iu)]
    ii, jj = np.divmod(np.arange(k * k), k)
    builder.add("items", {
        "indicator_id": indicator.id, **codes.named(np.repeat(cells, k * k)),
        "item_i": (measure.items, np.tile(ii, len(cells))),
        "item_j": (measure.items, np.tile(jj, len(cells))),
        "n": products[:, :k, :k].reshape(-1),
        "sum_i": products[:, k:, :k].reshape(-1),
        "sum_j": np.swapaxes(products[:, k:, :k], 1, 2).reshape(-1),
        "cross_product": products[:, k:, k:].reshape(-1),
    })
    builder.add("answers", {
        "indicator_id": indicator.id, **codes.named(np.repeat(cells, k * n_codes)),
        "item": (measure.items, np.tile(np.repeat(np.arange(k), n_codes), len(cells))),
        "code": np.tile(scale_codes, k * len(cells)),
        "count": sums[:, len(iu):].reshape(-1),
    })


def _dates(frame: pd.DataFrame, name: str, source: DataSource, indicator: Indicator) -> pd.Series:
    series = frame[name]
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        return series
    # As validation reads them: the source's date_format, or the order the dates prove.
    parsed = read_dates(series, source, name)
    bad = parsed.isna() & series.notna()
    if bad.any():
        raise ScoringError(
            f"source {source.id!r}, column {name!r}: {int(bad.sum())} value(s) are not dates "
            f"{_row_labels(series, bad.to_numpy())}, needed by indicator "
            f"{indicator.id!r}; run `gto validate` on the file"
        )
    return parsed


def _milestones(
    builder: _Builder, indicator: Indicator, measure: MilestoneMeasure, units: UnitValues,
    codes: _Codes, valid: npt.NDArray[np.bool_], frame: pd.DataFrame, source: DataSource,
) -> None:
    assert units.stage_order is not None
    order = units.stage_order
    known = valid & ~np.isnan(order)
    if not known.any():
        return
    stage_ids = [*measure.setbacks, *(s.id for s in measure.stages)]
    # stage_order 0 is shared by every setback: tell them apart by their text.
    text = label_text(frame[measure.stage_field]).fillna("")
    stage_code = np.asarray([stage_ids.index(t) if t in stage_ids else -1 for t in text])
    if measure.level_field is not None and measure.level_field in frame.columns:
        level_code, found = pd.factorize(label_text(frame[measure.level_field]).fillna(
            MISSING_SUBGROUP))
        level_labels = [str(label) for label in found]
    else:
        level_code, level_labels = np.zeros(len(frame), np.int64), [ALL]
    missing_evidence = np.zeros(len(frame), dtype=bool)
    if measure.evidence_field is not None and measure.evidence_required_from is not None:
        required = 1 + [s.id for s in measure.stages].index(measure.evidence_required_from)
        evidence = (label_text(frame[measure.evidence_field])
                    if measure.evidence_field in frame.columns
                    else pd.Series(pd.NA, index=frame.index, dtype="string"))
        blank = evidence.isna().to_numpy() | (evidence == "").to_numpy(dtype=bool, na_value=False)
        missing_evidence = (order >= required) & blank
    n_levels, n_stages = len(level_labels), len(stage_ids)
    cell = (codes.cell(())[0] * n_stages + stage_code) * n_levels + level_code
    size = len(codes.groups) * len(codes.periods) * n_stages * n_levels
    counts = np.bincount(cell[known], minlength=size)
    missing = np.bincount(cell[known & missing_evidence], minlength=size)
    codes.pool(counts, missing)
    present = np.flatnonzero(counts)
    gp = present // (n_stages * n_levels)
    stage = (present // n_levels) % n_stages
    stage_order = [0.0 if s < len(measure.setbacks) else float(s - len(measure.setbacks) + 1)
                   for s in stage]
    builder.add("stages", {
        "indicator_id": indicator.id, **codes.named(gp), "stage": (stage_ids, stage),
        "stage_order": stage_order, "level": (level_labels, present % n_levels),
        "count": counts[present].astype(np.float64),
        "missing_evidence": missing[present].astype(np.float64),
    })
    dated = [s for s in measure.stages if s.date_field and s.date_field in frame.columns]
    gp_cell = codes.cell(())[0]
    for first, second in itertools.pairwise(dated):
        start, end = (_dates(frame, str(s.date_field), source, indicator) for s in (first, second))
        days = (end - start).dt.days.to_numpy(dtype=np.float64, na_value=np.nan)
        ok = known & ~np.isnan(days)
        if not ok.any():
            continue
        size = len(codes.groups) * len(codes.periods)
        n = np.bincount(gp_cell[ok], minlength=size)
        total = np.bincount(gp_cell[ok], weights=days[ok], minlength=size)
        codes.pool(n, total)
        present = np.flatnonzero(n)
        builder.add("stage_times", {
            "indicator_id": indicator.id,
            **codes.named(present), "from_stage": first.id, "to_stage": second.id,
            "n": n[present].astype(np.float64), "sum_days": total[present],
        })


#: Rows x indicators from which a table's indicators are taken by as many threads as there
#: are processors (text is hashed and numbers summed without holding the interpreter's lock).
#: Their matrix products are small: the BLAS keeps to one thread, rather than spin against them.
_THREADED_FROM = 1 << 20


def _indicator(
    indicator: Indicator, frame: pd.DataFrame, source: DataSource, framework: Framework,
    codes: _Codes, inside: npt.NDArray[np.bool_], pairs: Any, min_answered: float | None,
) -> _Builder:
    """The table pieces of one indicator; ``pairs``: its units matched across periods (or
    why they cannot be), when it pairs them."""
    builder = _Builder()
    units = unit_values(frame, indicator, source, framework, min_answered=min_answered)
    family = family_of(indicator)
    valid = inside & units.in_scope
    slot, uniques = _slots(units, family, valid)
    _cells_and_values(builder, indicator, family, units, codes, slot, uniques)
    if pairs is not None and uniques.size:
        if isinstance(pairs, ScoringError):
            raise pairs
        _pairs(builder, indicator, family, codes, pairs, slot, uniques)
    if isinstance(indicator.measure, ScaleMeasure):
        _items(builder, indicator, indicator.measure, units, codes, valid, framework)
    if isinstance(indicator.measure, MilestoneMeasure):
        _milestones(builder, indicator, indicator.measure, units, codes, valid, frame, source)
    return builder


def aggregate_source(
    frame: pd.DataFrame, source: DataSource, indicators: Sequence[Indicator],
    framework: Framework, *, window: Window, group_column: str | None = None,
    group_label: str | None = None, min_answered: float | None = None,
    network: str | None = None,
) -> Aggregates:
    """Reduce the rows of one source to the tables of :class:`Aggregates`.

    Parameters
    ----------
    frame : DataFrame
        Rows of ``source`` with canonical column names.
    source, indicators, framework : DataSource, sequence of Indicator, Framework
        The source definition, the indicators computed from it, and (for response scales)
        the framework.
    window : Window
        Periods to score, in order; rows of other periods are left out (and counted in
        ``notes``).
    group_column : str, optional
        Column whose values are the groups.
    group_label : str, optional
        One group for every row instead of ``group_column``.
    min_answered : float, optional
        Overrides every scale's ``min_answered``.
    network : str, optional
        With ``group_column``: pool every group into one more called so, whose cells follow
        theirs (``Aggregates.pooled``), as :meth:`Aggregates.with_group` pools them.

    Returns
    -------
    Aggregates
    """
    notes: list[str] = []
    dims = sorted({d for i in indicators for d in i.disaggregate_by})
    absent = [d for d in dims if d not in frame.columns]
    for dim in absent:
        users = ", ".join(i.id for i in indicators if dim in i.disaggregate_by)
        notes.append(f"source {source.id!r} has no column {dim!r}, so {users} "
                     f"cannot be broken down by it")
    if source.time_column not in frame.columns:
        raise ScoringError(
            f"source {source.id!r} needs its period column {source.time_column!r}, which the "
            "data do not have; run `gto validate` to map the file's headers"
        )
    # Units are matched by key (the group is part of a unit anyway), coded while the labels
    # are: refused, when they cannot be, only for an indicator that pairs them.
    keys = {i.id: tuple(unit_key_columns(source, i)) for i in indicators
            if family_of(i) in ("mean", "share") and len(window.periods) > 1}
    keys = {i: key for i, key in keys.items() if key and all(c in frame.columns for c in key)}
    by = group_column if group_label is None else None
    threads = os.cpu_count() or 1 if len(frame) * len(indicators) >= _THREADED_FROM else 1
    with ThreadPoolExecutor(threads) as pool, threadpool_limits(limits=1, user_api="blas"):
        units = {key: pool.submit(_unit_codes, frame, [c for c in key if c != by] or key)
                 for key in dict.fromkeys(keys.values())}
        codes = _codes(frame, source, group_column=group_column, group_label=group_label,
                       window=window, dimensions=[d for d in dims if d not in absent],
                       network=network)
        inside, matched = codes.period >= 0, dict[tuple[str, ...], Any]()
        for key, unit in units.items():
            try:
                matched[key] = _matching(unit.result(), frame[key[0]], codes, inside, source)
            except ScoringError as error:
                matched[key] = error
        parts = list(pool.map(lambda i: _indicator(i, frame, source, framework, codes, inside,
                                                   matched.get(keys.get(i.id, ())), min_answered),
                              indicators))
    builder = _Builder()
    for name, pieces in builder.parts.items():
        pieces.extend(piece for part in parts for piece in part.parts[name])
    tables = {name: builder.table(name) for name in TABLE_COLUMNS}
    return Aggregates.from_tables({name: table for name, (table, _) in tables.items()},
                                  {source.id: window}, notes, {source.id: int((~inside).sum())},
                                  runs={name: runs for name, (_, runs) in tables.items()},
                                  pooled=network if codes.pooled else None)
