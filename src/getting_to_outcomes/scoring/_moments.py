"""Item moments and answer counts of scales, a slice of rows at a time.

Pairwise-complete item moments need ``k x k`` cross-products per group. Engines are slow at
hundreds of summed products (each is a separate aggregate), while a matrix product does them
all at once, so the engines stream the few columns a scale needs (the row's cell code and
its items) and this kernel reduces each slice with numpy. The results of the slices add up.

Everything the kernel returns is a number: group and period are integer codes (see
:func:`moments_kernel`), so that the results of many slices are summed with ``np.bincount``
and turned into labels once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt
import pandas as pd

__all__ = ["CELL", "MOMENT_COLUMNS", "ScaleSpec", "meta", "moments_kernel"]

GROUP: Final = "__g"
PERIOD: Final = "__p"
#: Column of the rows holding each row's finest cell (group x period x subgroups) as an integer.
CELL: Final = "__cell"

#: Columns of the kernel's result: ``kind`` 0 for item moments, 1 for answer counts.
#: Moments: ``a``/``b`` are the positions of item i and item j, ``n``, ``sum_i`` and
#: ``cross_product`` their pairwise-complete count, sum of item i and sum of products.
#: Answers: ``a`` is the item, ``b`` the position of the code, ``n`` the count.
MOMENT_COLUMNS: Final = ["kind", "scale", "cell", "a", "b", "n", "sum_i", "cross_product"]

IntArray = npt.NDArray[np.int64]


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
    ints = ("kind", "scale", "cell", "a", "b")
    return pd.DataFrame(
        {c: pd.Series(dtype="int64" if c in ints else "float64") for c in MOMENT_COLUMNS}
    )


def moments_kernel(
    rows: pd.DataFrame, scales: tuple[ScaleSpec, ...], cell_of: IntArray
) -> pd.DataFrame:
    """Item moments (reverse keys applied) and answer counts per group and period.

    Parameters
    ----------
    rows : DataFrame
        Column :data:`CELL` and the raw answers of every scale; only rows inside the scored
        periods.
    scales : tuple of ScaleSpec
    cell_of : ndarray of int
        For each value of :data:`CELL`, the code of its group and period (the cell the
        moments are summed in).

    Returns
    -------
    DataFrame
        Columns :data:`MOMENT_COLUMNS`; ``cell`` holds the codes of ``cell_of``.
    """
    if rows.empty:
        return meta()
    cell = np.asarray(cell_of, dtype=np.int64)[rows[CELL].to_numpy(dtype=np.int64)]
    order = np.argsort(cell, kind="stable")
    sorted_cells = cell[order]
    starts = np.flatnonzero(np.r_[True, sorted_cells[1:] != sorted_cells[:-1]])
    ends = np.r_[starts[1:], len(order)]
    present = sorted_cells[starts]
    cells = len(starts)
    parts = []
    for s, spec in enumerate(scales):
        raw = rows[list(spec.columns)].to_numpy(dtype=np.float64, na_value=np.nan)[order]
        keyed = raw.copy()
        for j, flip in enumerate(spec.reverse):
            if flip:
                keyed[:, j] = spec.low + spec.high - keyed[:, j]
        answered = ~np.isnan(keyed)
        k = len(spec.items)
        # [answered as 0/1 | answers with 0 for missing]: one matrix product per cell holds
        # the pairwise-complete counts (m'm), sums (f'm) and cross-products (f'f).
        stacked = np.concatenate(
            [answered.astype(np.float64), np.where(answered, keyed, 0.0)], axis=1
        )
        products = np.stack(
            [stacked[a:b].T @ stacked[a:b] for a, b in zip(starts.tolist(), ends.tolist(),
                                                              strict=True)]
        )
        ii, jj = np.meshgrid(np.arange(k), np.arange(k), indexing="ij")
        parts.append(
            pd.DataFrame(
                {
                    "kind": 0,
                    "scale": s,
                    "cell": np.repeat(present, k * k),
                    "a": np.tile(ii.ravel(), cells),
                    "b": np.tile(jj.ravel(), cells),
                    "n": products[:, :k, :k].reshape(-1),
                    "sum_i": products[:, k:, :k].reshape(-1),
                    "cross_product": products[:, k:, k:].reshape(-1),
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
                    "kind": 1,
                    "scale": s,
                    "cell": np.repeat(present, k * n_codes),
                    "a": np.tile(np.repeat(np.arange(k), n_codes), cells),
                    "b": np.tile(np.arange(n_codes), k * cells),
                    "n": counts.reshape(-1).astype(np.float64),
                    "sum_i": 0.0,
                    "cross_product": 0.0,
                }
            )
        )
    return pd.concat(parts, ignore_index=True)[MOMENT_COLUMNS] if parts else meta()
