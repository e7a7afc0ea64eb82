"""Item moments and answer counts of scales, a slice of rows at a time.

Pairwise-complete item moments need ``k x k`` cross-products per group. Engines are slow at
hundreds of summed products (each is a separate aggregate), while a matrix product does them
all at once, so the engines stream the few columns a scale needs (group, period, items) and
this kernel reduces each slice with numpy. The results of the slices add up.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd

__all__ = ["MOMENT_COLUMNS", "ScaleSpec", "moments_kernel"]

GROUP: Final = "__g"
PERIOD: Final = "__p"

#: Columns of the kernel's result: one long table for both the ``items`` and the ``answers``
#: tables of :class:`getting_to_outcomes._aggregate.Aggregates`.
MOMENT_COLUMNS: Final = [
    "table",
    "indicator_id",
    "group",
    "period",
    "item_i",
    "item_j",
    "code",
    "n",
    "sum_i",
    "sum_j",
    "cross_product",
    "count",
]


@dataclass(frozen=True)
class ScaleSpec:
    """What the kernel needs to know of one scale indicator."""

    indicator_id: str
    items: tuple[str, ...]
    columns: tuple[str, ...]  # the columns of the slice holding each item's raw answers
    reverse: tuple[bool, ...]
    low: float
    high: float
    codes: tuple[float, ...]


def meta() -> pd.DataFrame:
    """An empty result with the kernel's columns and dtypes."""
    text = ["table", "indicator_id", "group", "period", "item_i", "item_j"]
    return pd.DataFrame(
        {c: pd.Series(dtype=object if c in text else "float64") for c in MOMENT_COLUMNS}
    )


def moments_kernel(rows: pd.DataFrame, scales: tuple[ScaleSpec, ...]) -> pd.DataFrame:
    """Item moments (reverse keys applied) and answer counts per group and period.

    Parameters
    ----------
    rows : DataFrame
        Columns ``__g`` (group label), ``__p`` (period label) and the raw answers of every
        scale; only rows inside the scored periods.
    scales : tuple of ScaleSpec

    Returns
    -------
    DataFrame
        Columns :data:`MOMENT_COLUMNS`. ``table`` is ``"items"`` (``n``, ``sum_i``,
        ``sum_j``, ``cross_product`` of ``item_i`` and ``item_j``) or ``"answers"``
        (``count`` of ``code`` given to ``item_i``).
    """
    if rows.empty:
        return meta()
    g_code, g_labels = pd.factorize(rows[GROUP], sort=False)
    p_code, p_labels = pd.factorize(rows[PERIOD], sort=False)
    n_periods = max(len(p_labels), 1)
    cell = np.asarray(g_code, dtype=np.int64) * n_periods + np.asarray(p_code, dtype=np.int64)
    order = np.argsort(cell, kind="stable")
    sorted_cells = cell[order]
    starts = np.flatnonzero(np.r_[True, sorted_cells[1:] != sorted_cells[:-1]])
    ends = np.r_[starts[1:], len(order)]
    present = sorted_cells[starts]
    groups = np.asarray([str(g) for g in g_labels], dtype=object)[present // n_periods]
    periods = np.asarray([str(p) for p in p_labels], dtype=object)[present % n_periods]
    parts = []
    for spec in scales:
        raw = rows[list(spec.columns)].to_numpy(dtype=np.float64, na_value=np.nan)[order]
        keyed = raw.copy()
        for j, flip in enumerate(spec.reverse):
            if flip:
                keyed[:, j] = spec.low + spec.high - keyed[:, j]
        answered = ~np.isnan(keyed)
        mask = answered.astype(np.float64)
        filled = np.where(answered, keyed, 0.0)
        k = len(spec.items)
        n_mat = np.empty((len(starts), k, k))
        sum_mat = np.empty((len(starts), k, k))
        cross = np.empty((len(starts), k, k))
        for c, (start, end) in enumerate(zip(starts, ends, strict=True)):
            m = mask[start:end]
            f = filled[start:end]
            n_mat[c] = m.T @ m
            sum_mat[c] = f.T @ m
            cross[c] = f.T @ f
        ii, jj = np.meshgrid(np.arange(k), np.arange(k), indexing="ij")
        names = np.asarray(spec.items, dtype=object)
        cells = len(starts)
        parts.append(
            pd.DataFrame(
                {
                    "table": "items",
                    "indicator_id": spec.indicator_id,
                    "group": np.repeat(groups, k * k),
                    "period": np.repeat(periods, k * k),
                    "item_i": np.tile(names[ii.ravel()], cells),
                    "item_j": np.tile(names[jj.ravel()], cells),
                    "code": np.nan,
                    "n": n_mat.reshape(-1),
                    "sum_i": sum_mat.reshape(-1),
                    "sum_j": np.swapaxes(sum_mat, 1, 2).reshape(-1),
                    "cross_product": cross.reshape(-1),
                    "count": np.nan,
                }
            )
        )
        codes = np.asarray(spec.codes, dtype=np.float64)
        counts = np.stack(
            [np.add.reduceat((raw == code).astype(np.int64), starts, axis=0) for code in codes],
            axis=-1,
        )  # cells x items x codes
        n_codes = len(codes)
        parts.append(
            pd.DataFrame(
                {
                    "table": "answers",
                    "indicator_id": spec.indicator_id,
                    "group": np.repeat(groups, k * n_codes),
                    "period": np.repeat(periods, k * n_codes),
                    "item_i": np.tile(np.repeat(names, n_codes), cells),
                    "item_j": None,
                    "code": np.tile(codes, k * cells),
                    "n": np.nan,
                    "sum_i": np.nan,
                    "sum_j": np.nan,
                    "cross_product": np.nan,
                    "count": counts.reshape(-1).astype(np.float64),
                }
            )
        )
    return pd.concat(parts, ignore_index=True)[MOMENT_COLUMNS] if parts else meta()
