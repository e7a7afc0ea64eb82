"""People nested in grantees: the intraclass correlation, the design effect, and an interval
for a pooled mean that accounts for the clustering.

People served by one grantee resemble each other more than people served by different
grantees. A network mean pooled over everyone is then less precise than the number of
people suggests: an interval computed as if everyone were independent is too narrow by
about the square root of the design effect.

References
----------
Donner, A. (1986). A review of inference procedures for the intraclass correlation
coefficient in the one-way random effects model. *International Statistical Review*, 54,
67-82.
Kish, L. (1965). *Survey Sampling*. New York: Wiley.
Cameron, A. C., & Miller, D. L. (2015). A practitioner's guide to cluster-robust inference.
*Journal of Human Resources*, 50, 317-372.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy import stats as sps

from getting_to_outcomes.errors import ScoringError
from getting_to_outcomes.stats._input import (
    as_vector,
    broadcast_float,
    check_confidence,
    check_moments,
)

__all__ = ["CLUSTERED_MEAN_COLUMNS", "clustered_mean", "clustered_mean_from_moments"]

#: Columns of :func:`clustered_mean` and :func:`clustered_mean_from_moments` (one row).
CLUSTERED_MEAN_COLUMNS: list[str] = [
    "n",              # people with a value
    "clusters",       # grantees with at least one person
    "mean",           # the mean of everyone (the pooled network value)
    "se",             # cluster-robust standard error of the mean
    "ci_low",         # interval from se and t with clusters - 1 df
    "ci_high",
    "ci_method",      # "cluster_robust"
    "confidence",
    "se_independent", # the standard error if everyone were independent, s / sqrt(n)
    "icc",            # intraclass correlation, ANOVA estimator, negative values set to 0
    "cluster_size",   # m: the mean number of people per grantee, n / clusters
    "design_effect",  # 1 + (m - 1) icc
    "effective_n",    # n / design_effect
    "note",           # why a value is NaN, or that a negative ICC was set to 0
]


def clustered_mean_from_moments(
    n: Any, total: Any, total_sq: Any, *, confidence: float = 0.95
) -> pd.DataFrame:
    """Pooled mean with its ICC, design effect and cluster-robust interval, from cluster sums.

    Parameters
    ----------
    n : array-like of int
        People with a value in each cluster (grantee).
    total : array-like
        Sum of their values, per cluster.
    total_sq : array-like
        Sum of their squared values, per cluster. For yes/no answers coded 1/0 the sum and
        the sum of squares are both the number of yes.
    confidence : float
        Coverage of the interval.

    Returns
    -------
    DataFrame
        One row, columns :data:`CLUSTERED_MEAN_COLUMNS`: ``n``, ``clusters``, ``mean``, ``se``
        (cluster-robust), ``ci_low``, ``ci_high``, ``ci_method`` (``"cluster_robust"``),
        ``confidence``, ``se_independent``, ``icc``, ``cluster_size`` (the ``m`` of the design
        effect: the mean cluster size), ``design_effect``, ``effective_n``, ``note``. Fewer
        than 2 clusters, or fewer people than clusters + 1, give NaN where a value cannot be
        estimated, with a note.

    Raises
    ------
    ScoringError
        Moments that no data could have (counts that are not whole numbers >= 0, infinite
        sums, a negative variance) or arguments of different lengths.

    Notes
    -----
    With cluster sums ``S_j``, sums of squares ``Q_j``, sizes ``n_j``, ``N = sum(n_j)`` and
    ``k`` clusters: the mean ``ybar = sum(S_j) / N``.

    ICC, one-way random-effects ANOVA estimator (Donner 1986):
    ``MSB = (sum(S_j^2 / n_j) - (sum S_j)^2 / N) / (k - 1)``,
    ``MSW = (sum(Q_j) - sum(S_j^2 / n_j)) / (N - k)``,
    ``n0 = (N - sum(n_j^2) / N) / (k - 1)``,
    ``ICC = (MSB - MSW) / (MSB + (n0 - 1) MSW)``, set to 0 when negative (noted).

    Design effect (Kish 1965): ``1 + (m - 1) ICC`` with ``m = N / k``, the mean cluster
    size. With clusters of very unequal size the design effect of the mean weighted by
    person is larger than this (Eldridge, Ashby & Kerry 2006); the cluster-robust interval
    does not depend on it.

    Interval: cluster-robust (sandwich) standard error of the mean with the small-sample
    factor ``k / (k - 1)`` (CR1, Cameron & Miller 2015):
    ``se^2 = k / (k - 1) * sum((S_j - n_j ybar)^2) / N^2``, and
    ``ybar +/- t_{k-1} se``. It equals statsmodels' OLS of the values on a constant with
    ``cov_type="cluster"``.

    Examples
    --------
    >>> out = clustered_mean_from_moments([3, 3, 3], [3.0, 6.0, 9.0], [5.0, 14.0, 29.0])
    >>> out[["mean", "icc", "design_effect"]].round(4).to_dict("records")
    [{'mean': 2.0, 'icc': 0.4, 'design_effect': 1.8}]
    """
    level = check_confidence(confidence)
    nn, s, q = (np.atleast_1d(a) for a in broadcast_float(n=n, total=total, total_sq=total_sq))
    if nn.ndim != 1:
        raise ScoringError(f"n, total and total_sq must be one value per cluster; got {nn.shape}")
    check_moments(nn, s, q)
    keep = nn > 0
    nn, s, q = nn[keep], s[keep], q[keep]
    big_n = float(nn.sum())
    k = int(nn.size)
    notes: list[str] = []
    nan = float("nan")
    mean = float(s.sum() / big_n) if big_n > 0 else nan
    within = float(q.sum() - (s**2 / np.where(nn > 0, nn, 1.0)).sum()) if k else nan
    total_ss = float(q.sum() - s.sum() ** 2 / big_n) if big_n > 0 else nan
    sd = np.sqrt(max(total_ss, 0.0) / (big_n - 1.0)) if big_n > 1 else nan
    se_independent = sd / np.sqrt(big_n) if big_n > 1 else nan
    icc = se = low = high = nan
    if k < 2:
        notes.append(f"{k} cluster(s) with people: no ICC or cluster-robust interval")
    elif big_n <= k:
        notes.append("one person per cluster: no within-cluster variance, no ICC")
    if k >= 2:
        residual = s - nn * mean
        se = float(np.sqrt(k / (k - 1.0) * (residual**2).sum()) / big_n)
        half = float(sps.t.ppf(0.5 + level / 2.0, k - 1)) * se
        low, high = mean - half, mean + half
        if big_n > k:
            msb = (total_ss - max(within, 0.0)) / (k - 1.0)
            msw = max(within, 0.0) / (big_n - k)
            n0 = (big_n - float((nn**2).sum()) / big_n) / (k - 1.0)
            denominator = msb + (n0 - 1.0) * msw
            if denominator > 0:
                icc = (msb - msw) / denominator
                if icc < 0:
                    notes.append(f"the ANOVA estimate of the ICC ({icc:.3g}) was negative; "
                                 "set to 0")
                    icc = 0.0
            else:
                notes.append("every value alike: no ICC")
    m = big_n / k if k else nan
    design_effect = 1.0 + (m - 1.0) * icc
    row = {
        "n": int(big_n), "clusters": k, "mean": mean, "se": se, "ci_low": low, "ci_high": high,
        "ci_method": "cluster_robust", "confidence": level, "se_independent": se_independent,
        "icc": icc, "cluster_size": m, "design_effect": design_effect,
        "effective_n": big_n / design_effect if design_effect > 0 else nan,
        "note": "; ".join(notes) if notes else None,
    }
    return pd.DataFrame([row], columns=CLUSTERED_MEAN_COLUMNS)


def clustered_mean(values: Any, clusters: Any, *, confidence: float = 0.95) -> pd.DataFrame:
    """Mean of people nested in clusters, with ICC, design effect and cluster-robust interval.

    Parameters
    ----------
    values : array-like
        One value per person (NaN for a missing one, left out).
    clusters : array-like
        The cluster (grantee) of each person; a missing cluster is refused.
    confidence : float
        Coverage of the interval.

    Returns
    -------
    DataFrame
        One row with the columns of :func:`clustered_mean_from_moments`, from the cluster
        sums of these values.

    Raises
    ------
    ScoringError
        An infinite value, no value at all, a missing cluster, or arguments of different
        lengths.

    Examples
    --------
    >>> out = clustered_mean([1, 2, 3, 4, 5, 6, 7, 8, 9], list("aaabbbccc"))
    >>> round(float(out["icc"].iloc[0]), 4), int(out["clusters"].iloc[0])
    (0.8966, 3)
    """
    series = as_vector(values, "values")
    labels = clusters if isinstance(clusters, pd.Series) else pd.Series(list(clusters))
    if len(labels) != len(series):
        raise ScoringError(
            f"values and clusters must have the same length; got {len(series)} values and "
            f"{len(labels)} clusters"
        )
    labels = pd.Series(labels.to_numpy(), index=series.index)
    if labels.isna().any():
        at = int(np.flatnonzero(labels.isna().to_numpy())[0])
        raise ScoringError(f"clusters is missing at position {at}; every person needs one")
    kept = series.notna()
    frame = pd.DataFrame({"c": labels[kept].to_numpy(), "y": series[kept].to_numpy()})
    sums = frame.assign(y2=frame["y"] ** 2).groupby("c", sort=True).agg(
        n=("y", "size"), total=("y", "sum"), total_sq=("y2", "sum"))
    return clustered_mean_from_moments(sums["n"].to_numpy(dtype=np.float64),
                                       sums["total"].to_numpy(), sums["total_sq"].to_numpy(),
                                       confidence=confidence)
