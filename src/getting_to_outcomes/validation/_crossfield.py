"""Column-wise rules across the fields of a row: straight-lining and declared comparisons.

They mirror the ``model_validator`` of the record model
(:class:`getting_to_outcomes.validation._records._RecordBase`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

import numpy as np
import pandas as pd
from pydantic import BaseModel

from getting_to_outcomes.validation._records import RecordRules
from getting_to_outcomes.validation._table import (
    CELL_REASONS,
    CheckedTable,
    Coded,
    floats,
)

__all__ = ["check_across_fields"]

_OPS: Final[dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]]] = {
    "lt": np.less,
    "le": np.less_equal,
    "eq": np.equal,
    "ge": np.greater_equal,
    "gt": np.greater,
}


def _answer_index(values: Any) -> np.ndarray:
    """Answers as integers that are equal when the answers are (-1: no answer)."""
    if isinstance(values, Coded):
        return values.index
    codes, _ = pd.factorize(values, use_na_sentinel=True)
    result: np.ndarray = np.asarray(codes)
    return result


def _present(values: np.ndarray) -> np.ndarray:
    blank: np.ndarray = np.isnat(values) if values.dtype.kind == "M" else np.isnan(values)
    return ~blank


def check_across_fields(table: CheckedTable, model: type[BaseModel]) -> None:
    """Flag straight-lining (warning) and failed comparisons (error) in ``table``."""
    rules: RecordRules = model.__gto_rules__  # type: ignore[attr-defined]
    n = table.n
    present = [table.values[name] for name in rules.likert if name in table.values]
    if rules.source.straightlining and len(rules.likert) >= 3 and present:
        # Follow only the rows whose answers are all equal so far: few survive a few items.
        first = _answer_index(present[0]).astype(np.int64)
        answered = (first >= 0).astype(np.int32)
        rows = np.arange(n)
        for values in present[1:]:
            seen = _answer_index(values)
            if len(rows) < n:
                seen = seen[rows]
            blank = seen < 0
            start = (first < 0) & ~blank
            first[start] = seen[start]
            answered += ~blank
            keep = np.flatnonzero(blank | (seen == first))
            rows, first, answered = rows[keep], first[keep], answered[keep]
        flagged = rows[answered >= rules.straightlining_min]
        reason = CELL_REASONS.index("straightlining")
        table.add_flags("", flagged, np.full(len(flagged), reason, dtype=np.int8))
    reason = CELL_REASONS.index("comparison_failed")
    for k, (left, op, right) in enumerate(rules.comparisons):
        if left not in table.values or right not in table.values:
            continue
        a, b = floats(table.values[left]), floats(table.values[right])
        both = _present(a) & _present(b)
        failed = np.flatnonzero(both & ~_OPS[op](a, b))
        table.add_flags(left, failed, np.full(len(failed), reason, dtype=np.int8))
        if len(failed):
            table.comparisons.append((k, failed))
