"""Adjusting p-values for testing many indicators at once."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from getting_to_outcomes.errors import ScoringError
from getting_to_outcomes.stats._input import as_vector

__all__ = ["benjamini_hochberg"]


def benjamini_hochberg(p_values: Any) -> Any:
    """Benjamini-Hochberg adjusted p-values (false discovery rate).

    Parameters
    ----------
    p_values : array-like or Series
        Two-sided p-values in [0, 1]; NaN for tests that could not be run.

    Returns
    -------
    Series or ndarray
        Adjusted p-values in the same order (a Series with the same index when given a Series,
        named ``"p_adjusted"``). NaN stays NaN and does not count among the tests, as in R's
        ``p.adjust(method = "BH")``.

    Raises
    ------
    ScoringError
        A p-value outside [0, 1].

    Notes
    -----
    With ``m`` tests and ``p_(i)`` the ``i``-th smallest, the adjusted value is
    ``min over j >= i of min(1, m p_(j) / j)`` (Benjamini & Hochberg 1995). Equals
    ``scipy.stats.false_discovery_control(p, method="bh")`` when nothing is missing.

    References
    ----------
    Benjamini, Y., & Hochberg, Y. (1995). Controlling the false discovery rate: a practical
    and powerful approach to multiple testing. *JRSS B*, 57, 289-300.

    Examples
    --------
    >>> benjamini_hochberg([0.01, 0.04, 0.03, float("nan")]).round(3).tolist()
    [0.03, 0.04, 0.04, nan]
    """
    series = as_vector(p_values, "p_values")
    p = series.to_numpy(dtype=np.float64)
    present = ~np.isnan(p)
    if ((p[present] < 0) | (p[present] > 1)).any():
        bad = p[present][(p[present] < 0) | (p[present] > 1)][0]
        raise ScoringError(f"p-values must lie between 0 and 1; got {bad:g}")
    adjusted = np.full(p.shape, np.nan)
    values = p[present]
    m = values.size
    if m:
        order = np.argsort(values)
        ranked = values[order] * m / np.arange(1, m + 1)
        cumulative = np.minimum.accumulate(ranked[::-1])[::-1]
        out = np.empty(m)
        out[order] = np.minimum(cumulative, 1.0)
        adjusted[present] = out
    if isinstance(p_values, pd.Series):
        return pd.Series(adjusted, index=p_values.index, name="p_adjusted")
    return adjusted
