"""Adjusting p-values for testing many indicators at once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from getting_to_outcomes.stats._input import as_vector, check_unit_interval

__all__ = ["benjamini_hochberg", "bonferroni", "holm"]


def benjamini_hochberg(p_values: Any) -> Any:
    """Benjamini-Hochberg adjusted p-values (false discovery rate).

    Parameters
    ----------
    p_values : array-like or Series
        Two-sided p-values in [0, 1]; NaN for tests that could not be run (all NaN gives all
        NaN: no test was run).

    Returns
    -------
    Series or ndarray
        Adjusted p-values in the same order (a Series with the same index when given a Series,
        named ``"p_adjusted"``). NaN stays NaN and does not count among the tests, as in R's
        ``p.adjust(method = "BH")``.

    Raises
    ------
    ScoringError
        A p-value outside [0, 1] (infinite included), naming its position.

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
    def adjust(values: np.ndarray) -> np.ndarray:
        m = values.size
        order = np.argsort(values)
        ranked = values[order] * m / np.arange(1, m + 1)
        out = np.empty(m)
        out[order] = np.minimum(np.minimum.accumulate(ranked[::-1])[::-1], 1.0)
        return out

    return _adjusted(p_values, adjust)


def holm(p_values: Any) -> Any:
    """Holm adjusted p-values (family-wise error rate, step-down).

    Parameters
    ----------
    p_values : array-like or Series
        Two-sided p-values in [0, 1]; NaN for tests that could not be run (all NaN gives all
        NaN: no test was run).

    Returns
    -------
    Series or ndarray
        As :func:`benjamini_hochberg`; R's ``p.adjust(method = "holm")``.

    Notes
    -----
    With ``m`` tests and ``p_(i)`` the ``i``-th smallest, the adjusted value is
    ``max over j <= i of min(1, (m - j + 1) p_(j))`` (Holm 1979). It controls the chance of
    any false positive, as Bonferroni does, and is never larger.

    References
    ----------
    Holm, S. (1979). A simple sequentially rejective multiple test procedure. *Scandinavian
    Journal of Statistics*, 6, 65-70.

    Examples
    --------
    >>> holm([0.01, 0.04, 0.03, float("nan")]).round(3).tolist()
    [0.03, 0.06, 0.06, nan]
    """

    def adjust(values: np.ndarray) -> np.ndarray:
        m = values.size
        order = np.argsort(values, kind="stable")
        ranked = np.minimum(values[order] * (m - np.arange(m)), 1.0)
        out = np.empty(m)
        out[order] = np.maximum.accumulate(ranked)
        return out

    return _adjusted(p_values, adjust)


def bonferroni(p_values: Any) -> Any:
    """Bonferroni adjusted p-values: each times the number of tests, at most 1.

    Parameters
    ----------
    p_values : array-like or Series
        Two-sided p-values in [0, 1]; NaN for tests that could not be run (all NaN gives all
        NaN: no test was run).

    Returns
    -------
    Series or ndarray
        As :func:`benjamini_hochberg`; R's ``p.adjust(method = "bonferroni")``.

    Notes
    -----
    ``min(1, m p)`` for ``m`` tests (Dunn 1961). Prefer :func:`holm`, which controls the
    same error and is never larger.

    References
    ----------
    Dunn, O. J. (1961). Multiple comparisons among means. *JASA*, 56, 52-64.

    Examples
    --------
    >>> bonferroni([0.01, 0.04, 0.03, float("nan")]).round(3).tolist()
    [0.03, 0.12, 0.09, nan]
    """
    return _adjusted(p_values, lambda values: np.minimum(values * values.size, 1.0))


def _adjusted(p_values: Any, adjust: Callable[[np.ndarray], np.ndarray]) -> Any:
    """Check the p-values, adjust those present (NaN are not tests), keep the input's form."""
    series = as_vector(p_values, "p_values", require_value=False)
    p = series.to_numpy(dtype=np.float64)
    present = ~np.isnan(p)
    check_unit_interval("p_values", p, what="a p-value")
    adjusted = np.full(p.shape, np.nan)
    if present.any():
        adjusted[present] = adjust(p[present])
    if isinstance(p_values, pd.Series):
        return pd.Series(adjusted, index=p_values.index, name="p_adjusted")
    return adjusted
