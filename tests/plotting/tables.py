"""Builders of tidy tables shaped like ProgressSummary outputs, for chart and report tests."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from getting_to_outcomes.columns import SUMMARY_COLUMNS

SCALE_ID = "leadership.knowledge_of_system"


def summary_row(**values: Any) -> dict[str, Any]:
    """One row of SUMMARY_COLUMNS: the values given, NaN elsewhere, whole group, shown."""
    row: dict[str, Any] = dict.fromkeys(SUMMARY_COLUMNS, math.nan)
    row.update(subgroup_dimension="all", subgroup="all", suppressed=False,
               suppression_reason=None, direction="increase")
    row.update(values)
    return row


def summary_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=SUMMARY_COLUMNS)
