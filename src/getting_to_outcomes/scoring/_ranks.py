"""Rank tests computed from frequency tables, many groups at once.

The aggregation seam keeps the distribution of each group's values (value -> count), which
is a sufficient statistic for rank tests: ranks with ties follow from cumulative counts.
These functions compute the Wilcoxon signed-rank and Mann-Whitney tests for every group of
a long table in one vectorized pass, by the normal approximation with tie and continuity
corrections (the approximation of R's ``wilcox.test`` and of
:func:`getting_to_outcomes.stats.paired_change`). Where R and that function use the exact
distribution instead (fewer than 50 values, no ties and, for Wilcoxon, no zero
differences), the exact scipy tests are run on
the values (without ties every count is 1), with the settings of
:func:`~getting_to_outcomes.stats.paired_change` and
:func:`~getting_to_outcomes.stats.independent_change`, so the results are those that the
two functions give on the raw data (the tests check this).

References
----------
Wilcoxon, F. (1945). Individual comparisons by ranking methods. *Biometrics Bulletin*, 1,
80-83. Mann, H. B., & Whitney, D. R. (1947). On a test of whether one of two random variables
is stochastically larger than the other. *Annals of Mathematical Statistics*, 18, 50-60.
Kerby, D. S. (2014). The simple difference formula: an approach to teaching nonparametric
correlation. *Comprehensive Psychology*, 3.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import stats as sps

__all__ = ["RANK_COLUMNS", "RANK_DECIMALS", "mann_whitney_from_counts", "signed_ranks",
           "wilcoxon_from_counts"]

FloatArray = npt.NDArray[np.float64]

#: Columns of both functions' results, indexed by row id.
RANK_COLUMNS = ["test", "statistic", "p_value", "effect_size", "exact"]

_EXACT_BELOW = 50
#: Values closer than this many decimals are the same value (differences of scale means
#: carry float noise).
RANK_DECIMALS = 9


def _two_sided(z: FloatArray) -> FloatArray:
    p = 2.0 * np.minimum(sps.norm.cdf(z), sps.norm.sf(z))
    return np.asarray(np.minimum(p, 1.0), dtype=np.float64)


def wilcoxon_from_counts(pairs: pd.DataFrame) -> pd.DataFrame:
    """Wilcoxon signed-rank test of ``after - before`` per row id.

    Parameters
    ----------
    pairs : DataFrame
        Columns ``row`` (an integer id), ``before``, ``after`` and ``count`` (units going
        from ``before`` to ``after``).

    Returns
    -------
    DataFrame
        Indexed by row id, columns :data:`RANK_COLUMNS`: ``test`` ``"wilcoxon"``,
        ``statistic`` (V, the rank sum of positive differences), two-sided ``p_value``,
        ``effect_size`` (matched-pairs rank-biserial correlation) and ``exact``. Zero
        differences are dropped; a row without non-zero differences gets NaN.

    Examples
    --------
    >>> import pandas as pd
    >>> pairs = pd.DataFrame({"row": 0, "before": [1.0, 2.0, 3.0, 3.0],
    ...                       "after": [2.0, 4.0, 3.0, 2.0], "count": [10, 4, 3, 2]})
    >>> out = wilcoxon_from_counts(pairs)
    >>> round(float(out.loc[0, "statistic"]), 1), round(float(out.loc[0, "p_value"]), 4)
    (123.0, 0.003)
    """
    row = pairs["row"].to_numpy()
    rows = pd.unique(row)
    out = pd.DataFrame({"test": "wilcoxon", "statistic": np.nan, "p_value": np.nan,
                        "effect_size": np.nan, "exact": False}, index=pd.Index(rows, name="row"))
    if len(row) == 0:
        return out
    codes = np.asarray(pd.Index(rows).get_indexer(row), dtype=np.int64)
    diff = np.round(pairs["after"].to_numpy() - pairs["before"].to_numpy(), RANK_DECIMALS)
    found = signed_ranks(codes, diff, pairs["count"].to_numpy(dtype=np.float64), len(rows))
    out["statistic"] = found["statistic"]
    out["p_value"] = found["p_value"]
    out["effect_size"] = found["effect_size"]
    out["exact"] = found["exact"]
    return out


def signed_ranks(row: npt.NDArray[np.int64], diff: FloatArray, count: FloatArray,
                 n_rows: int) -> dict[str, npt.NDArray[Any]]:
    """The Wilcoxon signed-rank test of every row at once, from its differences and counts.

    ``row`` numbers the rows ``0 .. n_rows - 1``; ``diff`` are the differences (already
    rounded to :data:`RANK_DECIMALS`), ``count`` how many units have each. Returns arrays of
    length ``n_rows``: ``statistic`` (V), ``p_value``, ``effect_size`` (matched-pairs
    rank-biserial correlation) and ``exact`` (see :func:`wilcoxon_from_counts`); NaN for a
    row without non-zero differences.

    Every rank is a whole or half number and every sum below adds whole or half numbers, so
    the results do not depend on the order in which the differences come.
    """
    statistic = np.full(n_rows, np.nan)
    p_value = np.full(n_rows, np.nan)
    effect = np.full(n_rows, np.nan)
    exact = np.zeros(n_rows, dtype=bool)
    result = {"statistic": statistic, "p_value": p_value, "effect_size": effect,
              "exact": exact}
    row = np.asarray(row, dtype=np.int64)
    diff = np.asarray(diff, dtype=np.float64)
    count = np.asarray(count, dtype=np.float64)
    positive_count = count > 0
    # R's rule: zeros, like ties, rule out the exact distribution.
    with_zeros = np.zeros(n_rows, dtype=bool)
    with_zeros[row[(diff == 0) & positive_count]] = True
    keep = (diff != 0) & ~np.isnan(diff) & positive_count
    if not keep.any():
        return result
    row, diff, count = row[keep], diff[keep], count[keep]
    size = np.abs(diff)
    order = np.lexsort((size, row))
    row, diff, count, size = row[order], diff[order], count[order], size[order]
    # Ties: units of one row with the same absolute difference share the mean of their ranks.
    new_tie = np.r_[True, (row[1:] != row[:-1]) | (size[1:] != size[:-1])]
    tie = np.cumsum(new_tie) - 1
    t = np.bincount(tie, weights=count)
    tie_row = row[new_tie]
    total_before = np.cumsum(t) - t
    first_of_row = np.r_[True, tie_row[1:] != tie_row[:-1]]
    row_start = np.maximum.accumulate(np.where(first_of_row, np.arange(len(t)), 0))
    below = total_before - total_before[row_start]
    rank = below + (t + 1.0) / 2.0
    weighted = count * rank[tie]
    present = np.flatnonzero(np.bincount(row, minlength=n_rows) > 0)
    v_plus = np.bincount(row, weights=np.where(diff > 0, weighted, 0.0),
                         minlength=n_rows)[present]
    v_minus = np.bincount(row, weights=np.where(diff < 0, weighted, 0.0),
                          minlength=n_rows)[present]
    n = np.bincount(row, weights=count, minlength=n_rows)[present]
    ties = np.bincount(tie_row, weights=t ** 3 - t, minlength=n_rows)[present]
    max_t = np.zeros(n_rows)
    np.maximum.at(max_t, tie_row, t)
    max_t = max_t[present]
    mean = n * (n + 1.0) / 4.0
    sigma = np.sqrt(n * (n + 1.0) * (2.0 * n + 1.0) / 24.0 - ties / 48.0)
    centred = v_plus - mean
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (centred - np.sign(centred) * 0.5) / sigma
    statistic[present] = v_plus
    p_value[present] = np.where(sigma > 0, _two_sided(z), np.nan)
    effect[present] = (v_plus - v_minus) / (v_plus + v_minus)
    small = present[(n < _EXACT_BELOW) & (max_t <= 1) & ~with_zeros[present]]
    if len(small):
        at = np.searchsorted(present, small)
        starts = np.searchsorted(row, small, "left")
        ends = np.searchsorted(row, small, "right")

        def exact_p(k: int) -> float:
            # No ties: every count is 1. Exact as stats.paired_change(test="wilcoxon").
            res = sps.wilcoxon(diff[starts[k]:ends[k]], zero_method="wilcox",
                               correction=False, method="exact")
            return float(res.pvalue)

        plus, minus = v_plus[at], v_minus[at]
        p_value[small] = _once_per_key(np.column_stack([plus, n[at]]), exact_p)
        statistic[small] = plus
        effect[small] = (plus - minus) / (plus + minus)
        exact[small] = True
    return result


def _once_per_key(keys: FloatArray, test: Callable[[int], float]) -> FloatArray:
    """``test(k)`` of each group ``k``, run for the first group of each distinct row of ``keys``.

    Without ties, an exact rank test's p-value depends only on its statistic and sample sizes
    (``keys``): groups sharing them share the p-value, so the exact distribution is worked
    out once per distinct key (a few hundred for thousands of small groups) instead of once
    per group.
    """
    _, first, codes = np.unique(keys, axis=0, return_index=True, return_inverse=True)
    p = np.array([test(int(k)) for k in first], dtype=np.float64)
    found: FloatArray = p[np.ravel(codes)]
    return found


def mann_whitney_from_counts(values: pd.DataFrame) -> pd.DataFrame:
    """Mann-Whitney test of the current sample against the baseline sample, per row id.

    Parameters
    ----------
    values : DataFrame
        Columns ``row``, ``value``, ``before`` (count at baseline) and ``after`` (count now).

    Returns
    -------
    DataFrame
        Indexed by row id, columns :data:`RANK_COLUMNS`: ``test`` ``"mann_whitney"``,
        ``statistic`` (U of the current sample, R's W of ``wilcox.test(after, before)``),
        two-sided ``p_value``, ``effect_size`` (rank-biserial ``2 U / (n1 n2) - 1``) and
        ``exact``.

    Examples
    --------
    >>> import pandas as pd
    >>> values = pd.DataFrame({"row": 0, "value": [1.0, 2.0, 3.0],
    ...                        "before": [5, 5, 0], "after": [1, 4, 5]})
    >>> out = mann_whitney_from_counts(values)
    >>> float(out.loc[0, "statistic"]), round(float(out.loc[0, "p_value"]), 4)
    (82.5, 0.0094)
    """
    frame = values[["row", "value", "before", "after"]].copy()
    frame["value"] = np.round(frame["value"].to_numpy(dtype=np.float64), RANK_DECIMALS)
    frame = frame.groupby(["row", "value"], sort=True)[["before", "after"]].sum().reset_index()
    rows = pd.unique(values["row"])
    out = pd.DataFrame({"test": "mann_whitney", "statistic": np.nan, "p_value": np.nan,
                        "effect_size": np.nan, "exact": False}, index=pd.Index(rows, name="row"))
    if frame.empty:
        return out
    frame["t"] = frame["before"] + frame["after"]
    frame["below"] = frame.groupby("row")["t"].cumsum() - frame["t"]
    frame["rank_sum"] = frame["after"] * (frame["below"] + (frame["t"] + 1.0) / 2.0)
    frame["tie"] = frame["t"] ** 3 - frame["t"]
    sums = frame.groupby("row").agg(n1=("before", "sum"), n2=("after", "sum"),
                                    ranks=("rank_sum", "sum"), tie=("tie", "sum"),
                                    max_t=("t", "max"))
    n1 = sums["n1"].to_numpy()
    n2 = sums["n2"].to_numpy()
    total = n1 + n2
    u = sums["ranks"].to_numpy() - n2 * (n2 + 1.0) / 2.0
    with np.errstate(divide="ignore", invalid="ignore"):
        sigma = np.sqrt(n1 * n2 / 12.0 * ((total + 1.0) - sums["tie"].to_numpy()
                                          / (total * (total - 1.0))))
        centred = u - n1 * n2 / 2.0
        z = (centred - np.sign(centred) * 0.5) / sigma
        effect = 2.0 * u / (n1 * n2) - 1.0
    ok = (n1 > 0) & (n2 > 0)
    out.loc[sums.index, "statistic"] = np.where(ok, u, np.nan)
    out.loc[sums.index, "p_value"] = np.where(ok & (sigma > 0), _two_sided(z), np.nan)
    out.loc[sums.index, "effect_size"] = np.where(ok, effect, np.nan)
    exact = sums.index[ok & (n1 < _EXACT_BELOW) & (n2 < _EXACT_BELOW)
                       & (sums["max_t"].to_numpy() <= 1)]
    if len(exact):
        # The table is sorted by row id: each exact row's values are one run of it.
        ids = frame["row"].to_numpy()
        starts = np.searchsorted(ids, exact, "left")
        ends = np.searchsorted(ids, exact, "right")
        observed = frame["value"].to_numpy(dtype=np.float64)
        was, now = frame["before"].to_numpy() > 0, frame["after"].to_numpy() > 0

        def exact_p(k: int) -> float:
            # No ties: every count is 0 or 1. Exact as stats.independent_change(mann_whitney).
            part = slice(starts[k], ends[k])
            res = sps.mannwhitneyu(observed[part][now[part]], observed[part][was[part]],
                                   use_continuity=False, method="exact")
            return float(res.pvalue)

        chosen = sums.index.isin(exact)
        u_exact, n1_exact, n2_exact = u[chosen], n1[chosen], n2[chosen]
        out.loc[exact, ["statistic", "p_value", "effect_size"]] = np.column_stack([
            u_exact, _once_per_key(np.column_stack([u_exact, n1_exact, n2_exact]), exact_p),
            2.0 * u_exact / (n1_exact * n2_exact) - 1])
        out.loc[exact, "exact"] = True
    return out
