"""Pieces shared by the change statistics: the output columns and the table builder."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy import stats as sps

from getting_to_outcomes.stats._input import FloatArray

#: Columns of every change table (:func:`paired_change`, :func:`independent_change`,
#: their ``*_from_moments`` variants, :func:`proportion_change`,
#: :func:`paired_proportion_change`).
CHANGE_COLUMNS: list[str] = [
    "design",            # "paired" or "independent"
    "test",              # "t", "wilcoxon", "welch", "mann_whitney", "mcnemar_exact", ...
    "n",                 # pairs (paired) or people in both groups together (independent)
    "n_before",          # people at baseline used
    "n_after",           # people at the current period used
    "mean_before",       # baseline mean (a proportion for yes/no data)
    "mean_after",        # current mean
    "change",            # mean_after - mean_before
    "ci_low",            # confidence interval of change
    "ci_high",
    "ci_method",         # "t", "welch", "bootstrap_bca", "newcombe"
    "confidence",
    "statistic",         # test statistic (see each function)
    "df",                # degrees of freedom (NaN where the test has none)
    "p_value",           # for the alternative below
    "alternative",       # "two-sided", "greater" or "less" (change above / below mu)
    "mu",                # the change under the null hypothesis (0 unless asked)
    "effect_size",
    "effect_size_name",  # "cohen_dz", "hedges_g", "rank_biserial", "cohen_h"
    "seed",              # bootstrap seed (missing when no bootstrap)
    "note",              # why a value is NaN, which variant of a test was used; else missing
]


#: The alternatives of every test, as R's ``t.test``, ``wilcox.test`` and ``prop.test``.
ALTERNATIVES: tuple[str, ...] = ("two-sided", "greater", "less")


def p_from_z(z: FloatArray, alternative: str) -> FloatArray:
    """P-value of a standard normal statistic for the alternative."""
    if alternative == "greater":
        p: FloatArray = sps.norm.sf(z)
    elif alternative == "less":
        p = sps.norm.cdf(z)
    else:
        p = 2.0 * sps.norm.sf(np.abs(z))
    return p


def p_from_t(t: FloatArray, df: FloatArray, alternative: str) -> FloatArray:
    """P-value of a t statistic with ``df`` degrees of freedom for the alternative."""
    if alternative == "greater":
        p: FloatArray = sps.t.sf(t, df)
    elif alternative == "less":
        p = sps.t.cdf(t, df)
    else:
        p = 2.0 * sps.t.sf(np.abs(t), df)
    return p


def t_quantile(tail: float, df: Any) -> FloatArray:
    """The ``tail`` quantile of Student's t with ``df`` degrees of freedom (NaN where
    ``df < 1``), worked out once per distinct ``df``: the rows of a summary share few."""
    clean = np.asarray(df, dtype=np.float64)
    clean = np.where(clean >= 1, clean, np.nan)
    with np.errstate(invalid="ignore"):
        if clean.ndim == 0:
            return np.asarray(sps.t.ppf(tail, clean), dtype=np.float64)
        distinct, at = np.unique(clean, return_inverse=True)
        quantiles = np.asarray(sps.t.ppf(tail, distinct), dtype=np.float64)
    return quantiles[at.reshape(clean.shape)]


def t_interval(estimate: FloatArray, se: FloatArray, df: FloatArray, level: float,
               alternative: str) -> tuple[FloatArray, FloatArray]:
    """Interval ``estimate -/+ t * se``; one-sided (to -inf or inf) as R's ``t.test``."""
    tail = level if alternative != "two-sided" else 0.5 + level / 2.0
    half = t_quantile(tail, df) * se
    low = np.where(np.isnan(half), np.nan, -np.inf) if alternative == "less" else estimate - half
    high = np.where(np.isnan(half), np.nan, np.inf) if alternative == "greater" else estimate + half
    return np.asarray(low, dtype=np.float64), np.asarray(high, dtype=np.float64)


def notes(n_rows: int, *conditions: tuple[Any, str]) -> list[str | None]:
    """Join the texts of the conditions that hold, row by row; None where none holds."""
    out: list[list[str]] = [[] for _ in range(n_rows)]
    for mask, text in conditions:
        flags = np.broadcast_to(np.asarray(mask, dtype=bool), (n_rows,))
        for i in np.flatnonzero(flags):
            out[i].append(text)
    return ["; ".join(parts) if parts else None for parts in out]


def change_frame(n_rows: int, **columns: Any) -> pd.DataFrame:
    """Build a change table with every column of CHANGE_COLUMNS, in order."""
    data: dict[str, Any] = {}
    for name in CHANGE_COLUMNS:
        value = columns.pop(name, None)
        if name == "seed":
            seeds = np.broadcast_to(np.asarray(value, dtype=object), (n_rows,))
            data[name] = pd.array(list(seeds), dtype="Int64")
        elif name in ("design", "test", "ci_method", "effect_size_name", "note", "alternative"):
            data[name] = list(np.broadcast_to(np.asarray(value, dtype=object), (n_rows,)))
        elif name in ("n", "n_before", "n_after"):
            counts = np.asarray(value, dtype=np.float64).astype(np.int64)
            data[name] = np.broadcast_to(counts, (n_rows,))
        else:
            arr: FloatArray = np.asarray(
                np.nan if value is None else value, dtype=np.float64
            )
            data[name] = np.broadcast_to(arr, (n_rows,))
    if columns:
        raise TypeError(f"unknown change columns: {sorted(columns)}")
    return pd.DataFrame(data, columns=CHANGE_COLUMNS)
