"""Column-wise rules across the fields of a row: straight-lining and declared comparisons.

They mirror the ``model_validator`` of the record model
(:class:`getting_to_outcomes.records._RecordBase`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Final

import numpy as np
from pydantic import BaseModel

from getting_to_outcomes.records import RecordRules

if TYPE_CHECKING:
    from getting_to_outcomes._columnwise import CheckedTable

__all__ = ["check_across_fields"]

_OPS: Final[dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]]] = {
    "lt": np.less, "le": np.less_equal, "eq": np.equal, "ge": np.greater_equal, "gt": np.greater,
}


def _present(values: np.ndarray) -> np.ndarray:
    return ~np.isnat(values) if values.dtype.kind == "M" else ~np.isnan(values)


def check_across_fields(table: CheckedTable, model: type[BaseModel]) -> None:
    """Flag straight-lining (warning) and failed comparisons (error) in ``table``."""
    from getting_to_outcomes._columnwise import CELL_REASONS

    rules: RecordRules = model.__gto_rules__  # type: ignore[attr-defined]
    n = table.n
    present = [table.values[name] for name in rules.likert if name in table.values]
    if rules.source.straightlining and len(rules.likert) >= 3 and present:
        answered = np.zeros(n, dtype=np.int32)
        low = np.full(n, np.inf)
        high = np.full(n, -np.inf)
        for values in present:
            answered += ~np.isnan(values)
            np.fmin(low, values, out=low)
            np.fmax(high, values, out=high)
        flagged = np.flatnonzero((answered >= rules.straightlining_min) & (low == high))
        reason = CELL_REASONS.index("straightlining")
        table.add_flags("", flagged, np.full(len(flagged), reason, dtype=np.int8))
    reason = CELL_REASONS.index("comparison_failed")
    for k, (left, op, right) in enumerate(rules.comparisons):
        if left not in table.values or right not in table.values:
            continue
        a, b = table.values[left], table.values[right]
        both = _present(a) & _present(b)
        failed = np.flatnonzero(both & ~_OPS[op](a, b))
        table.add_flags(left, failed, np.full(len(failed), reason, dtype=np.int8))
        if len(failed):
            table.comparisons.append((k, failed))
