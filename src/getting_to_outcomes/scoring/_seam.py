"""The aggregation seam: the rows of one source, held by any engine -> :class:`Aggregates`.

There is one kernel (:func:`~._aggregate.aggregate_source`, pandas and numpy). A pandas
DataFrame goes to it whole; a table of another engine is read a slice of rows at a time
(:func:`getting_to_outcomes.engines.frames.map_slices`), only the columns scoring needs,
with the rows of a unit kept in one slice so that its periods can be paired. The kernel
runs on each slice (on Dask's workers and Spark's executors where the rows are) and the
slices' tables are summed (:func:`~._tables.merge_aggregates`): they add up by design.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from typing import Any

import pandas as pd

from getting_to_outcomes.definitions import Framework
from getting_to_outcomes.definitions.models import DataSource, Indicator
from getting_to_outcomes.engines import frames as engines
from getting_to_outcomes.errors import ScoringError
from getting_to_outcomes.scoring._aggregate import (
    aggregate_source,
    label_text,
    unit_key_columns,
)
from getting_to_outcomes.scoring._measures import UNNUMBERED, condition_mask, family_of
from getting_to_outcomes.scoring._tables import ALL, Aggregates, Window, merge_aggregates

__all__ = ["aggregate"]


def aggregate(
    data: Any, source: DataSource, indicators: Sequence[Indicator], framework: Framework, *,
    window: Window, group_column: str | None = None, group_label: str | None = None,
    min_answered: float | None = None, network: str | None = None,
) -> Aggregates:
    """Reduce the rows of one source, held by any engine, to the tables of :class:`Aggregates`.

    Parameters
    ----------
    data : table of any engine in :data:`getting_to_outcomes.engines.ENGINES`
        Rows of ``source`` with canonical column names.
    source, indicators, framework, window, group_column, group_label, min_answered, network
        As :func:`~._aggregate.aggregate_source`.

    Returns
    -------
    Aggregates
        The same tables for every engine (to the rounding of sums taken in another order).

    Raises
    ------
    ScoringError
        A missing period or group, a value scoring refuses, the same unit twice in one
        period: as the kernel says.
    """
    run = partial(_rows, source=source, indicators=tuple(indicators), framework=framework,
                  window=window, group_column=group_column, group_label=group_label,
                  min_answered=min_answered, network=network)
    if isinstance(data, pd.DataFrame):
        return run(data)
    names = engines.columns(data)
    if source.time_column not in names:
        raise ScoringError(
            f"source {source.id!r} needs its period column {source.time_column!r}, which the "
            "data do not have; run `gto validate` to map the file's headers"
        )
    if group_label is None and (group_column is None or group_column not in names):
        raise ScoringError(
            f"source {source.id!r}: the data have no grouping column {group_column!r}"
        )
    wanted = _needed_columns(source, indicators, names, group_column)
    labels = [c for c in (group_column, source.time_column) if c is not None]
    labels += [d for i in indicators for d in i.disaggregate_by if d in names]
    whole = engines.whole_numbers(data, list(dict.fromkeys(labels)))
    parts = engines.map_slices(data, wanted, partial(_slice, run=run, whole=whole),
                               whole=_unit_columns(source, indicators, names, window))
    if not parts:  # no rows at all: the kernel says what an empty source gives
        return run(pd.DataFrame({c: pd.Series(dtype=object) for c in wanted}))
    return merge_aggregates(parts)


def _slice(rows: pd.DataFrame, *, run: partial[Aggregates], whole: dict[str, bool]) -> Aggregates:
    """The kernel on one slice, float label columns written as for the whole table.

    Whether 2024.0 reads as "2024" depends on every value of the column, which one slice
    does not see.
    """
    rows.index.name = UNNUMBERED
    for name, all_whole in whole.items():
        column = rows[name]
        rows[name] = column.astype("Int64") if all_whole else label_text(column)
    return run(rows)


def _rows(
    rows: pd.DataFrame, *, source: DataSource, indicators: tuple[Indicator, ...],
    framework: Framework, **options: Any,
) -> Aggregates:
    """The kernel on pandas rows, honouring the source's declared total rows.

    In a table that is long by subgroup (``totals`` in the source), the whole-group values
    come from the total rows only, and the other rows only break indicators down by the
    subgroup field: averaging totals with overlapping subgroups would count people twice.
    """
    totals = source.totals
    if totals is None or totals.field not in rows.columns:
        return aggregate_source(rows, source, indicators, framework, **options)
    is_total = condition_mask(rows, totals, source, indicators[0]) == 1
    overall = [i.model_copy(update={"disaggregate_by": [d for d in i.disaggregate_by
                                                        if d != totals.field]})
               for i in indicators]
    parts = [aggregate_source(rows[is_total], source, overall, framework, **options)]
    by_subgroup = [i.model_copy(update={"disaggregate_by": [totals.field]})
                   for i in indicators if totals.field in i.disaggregate_by]
    if by_subgroup:
        detail = aggregate_source(rows[~is_total], source, by_subgroup, framework, **options)
        tables = {name: table[table["dimension"] != ALL] if "dimension" in table else table
                  for name, table in detail.tables().items()}
        parts.append(Aggregates.from_tables(tables, detail.windows, detail.notes,
                                            detail.rows_outside, pooled=detail.pooled))
    return merge_aggregates(parts)


def _unit_columns(
    source: DataSource, indicators: Sequence[Indicator], names: Sequence[str], window: Window
) -> list[str]:
    """Columns whose equal values must stay in one slice: those every paired unit shares.

    Indicators that pair a unit's periods identify it by the source's id and key columns
    (:func:`~._aggregate.unit_key_columns`); rows equal on the columns common to all of
    them hold whole units of each. With nothing to pair, slices may cut anywhere.
    """
    if len(window.periods) < 2:
        return []
    keys = [unit_key_columns(source, i) for i in indicators
            if family_of(i) in ("mean", "share")]
    keys = [k for k in keys if k and all(c in names for c in k)]
    if not keys:
        return []
    common = set(keys[0]).intersection(*keys[1:])
    return [c for c in keys[0] if c in common]


def _named_columns(definition: Any, columns: Sequence[str]) -> list[str]:
    """Columns of ``columns`` that a definition names anywhere (fields, conditions, stage
    and date fields), in the order they appear."""
    if isinstance(definition, str):
        return [definition] if definition in columns else []
    parts = definition.values() if isinstance(definition, dict) else \
        definition if isinstance(definition, list) else []
    return list(dict.fromkeys(c for part in parts for c in _named_columns(part, columns)))


def _needed_columns(
    source: DataSource, indicators: Sequence[Indicator], columns: Sequence[str],
    group_column: str | None,
) -> list[str]:
    """The columns of ``columns`` that scoring ``indicators`` reads."""
    wanted = [c for c in (group_column, source.time_column) if c is not None]
    for indicator in indicators:
        wanted += unit_key_columns(source, indicator)
        wanted += [d for d in indicator.disaggregate_by if d in columns]
        wanted += _named_columns(indicator.measure.model_dump(), columns)
    if source.totals is not None:
        wanted += _named_columns(source.totals.model_dump(), columns)
    return [c for c in dict.fromkeys(wanted) if c in columns]
