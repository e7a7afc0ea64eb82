"""The per-record path: every row validated by the pydantic record model, one at a time.

Slow, and simple enough to trust: it is the reference the column-wise checks are
compared with, and what ``validate(..., checks="records")`` runs.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, ValidationError

from getting_to_outcomes.validation._records import (
    MISSING_REASONS,
    DateOrder,
    FieldSpec,
    model_specs,
)
from getting_to_outcomes.validation._table import (
    CELL_REASONS,
    DATETIME_DTYPE,
    CheckedTable,
    Coded,
)

__all__ = ["check_records"]

_RANGE_ERRORS = ("greater_than_equal", "less_than_equal", "greater_than", "less_than")


def _reason(error_type: str, kind: str) -> str:
    if error_type in _RANGE_ERRORS:
        return "outside_period" if kind == "date" else "out_of_range"
    return error_type


def check_records(
    frame: pd.DataFrame,
    model: type[BaseModel],
    date_orders: Mapping[str, DateOrder] | None = None,
) -> CheckedTable:
    """Validate each row of ``frame`` with ``model``; same result shape as the column-wise path.

    ``date_orders``: the order of day and month of date columns, found in the file.
    """
    orders = dict(date_orders or {})
    specs = model_specs(model)
    names = [name for name in specs if name in frame.columns]
    kinds = {name: specs[name][0].type for name in names}
    n = len(frame)
    table = CheckedTable(n)
    flags: list[tuple[int, str, str]] = []
    missing: list[tuple[int, str, str]] = []
    comparisons: dict[int, list[int]] = {}
    out: dict[str, list[Any]] = {name: [None] * n for name in names}
    columns = [frame[name].array for name in names]
    for pos, cells in enumerate(zip(*columns, strict=True)):
        row = dict(zip(names, cells, strict=True))
        first: dict[str, Any] = {"date_orders": orders}
        try:
            record = model.model_validate(row, context=first)
        except ValidationError as exc:
            record, failed = None, set()
            for error in exc.errors(include_url=False):
                if error["loc"]:
                    name = str(error["loc"][0])
                    failed.add(name)
                    flags.append((pos, name, _reason(error["type"], kinds[name])))
            for k, left in first.get("comparisons", []):
                comparisons.setdefault(k, []).append(pos)
                flags.append((pos, left, "comparison_failed"))
            kept = {k: v for k, v in row.items() if k not in failed}
            second: dict[str, Any] = {"comparisons": False, "date_orders": orders}
            record = model.model_validate(kept, context=second)
            flags += [(pos, c, r) for c, r in second.get("warnings", []) if c == ""]
            if failed:
                third: dict[str, Any] = {"date_orders": orders}
                try:
                    model.model_validate(kept, context=third)
                except ValidationError:
                    for k, left in third.get("comparisons", []):
                        comparisons.setdefault(k, []).append(pos)
                        flags.append((pos, left, "comparison_failed"))
            flags += [(pos, c, r) for c, r in first.get("warnings", []) if c != ""]
        else:
            flags += [(pos, c, r) for c, r in first.get("warnings", [])]
        missing += [(pos, c, r) for c, r in first.get("missing", [])]
        for name in names:
            out[name][pos] = getattr(record, name)
    for name in names:
        table.values[name] = _typed(specs[name][0], out[name])
        if kinds[name] in ("string", "category"):
            codes, _ = pd.factorize(pd.Series(table.values[name]), use_na_sentinel=True)
            table.codes[name] = np.asarray(codes, dtype=np.int64)
    # Column by column in the source's order, rows in order: as the column-wise path lists them.
    by_column: dict[str, tuple[list[int], list[int]]] = {name: ([], []) for name in ["", *names]}
    for pos, column, reason in flags:
        positions, reasons = by_column.setdefault(column, ([], []))
        positions.append(pos)
        reasons.append(CELL_REASONS.index(reason))
    for column, (positions, reasons) in by_column.items():
        table.add_flags(column, np.array(positions), np.array(reasons))
    by_column = {name: ([], []) for name in names}
    for pos, column, reason in missing:
        positions, reasons = by_column.setdefault(column, ([], []))
        positions.append(pos)
        reasons.append(MISSING_REASONS.index(reason))
    for column, (positions, reasons) in by_column.items():
        table.add_missing(column, np.array(positions), np.array(reasons))
    table.comparisons = [
        (k, np.array(rows, dtype=np.int64)) for k, rows in sorted(comparisons.items())
    ]
    return table


def _typed(spec: FieldSpec, values: list[Any]) -> Any:
    kind = spec.type
    if kind == "likert":
        position = {float(c): k for k, c in enumerate(spec.codes)}
        index = np.array([-1 if v is None else position[float(v)] for v in values], dtype=np.int16)
        return Coded(index, np.array(spec.codes, dtype=np.float64))
    if kind in ("integer", "number"):
        return np.array([np.nan if v is None else float(v) for v in values], dtype=np.float64)
    if kind == "date":
        return np.array(
            [np.datetime64("NaT") if v is None else np.datetime64(v, "D") for v in values],
            dtype=DATETIME_DTYPE,
        )
    if kind == "boolean":
        return pd.array(np.array(values, dtype=object), dtype="boolean")
    return pd.array(np.array(values, dtype=object), dtype="str")
