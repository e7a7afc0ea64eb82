"""Means with t intervals, and change from baseline for paired and independent designs."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd
from scipy import special
from scipy import stats as sps

from getting_to_outcomes.errors import ScoringError
from getting_to_outcomes.stats._common import (
    ALTERNATIVES,
    CHANGE_COLUMNS,
    change_frame,
    notes,
    p_from_t,
    t_interval,
    t_quantile,
)
from getting_to_outcomes.stats._input import (
    FloatArray,
    as_vector,
    broadcast_float,
    check_choice,
    check_confidence,
    check_finite,
    check_moments,
    check_number,
    check_seed,
    fresh_seed,
)

__all__ = [
    "CHANGE_COLUMNS",
    "MEAN_CI_COLUMNS",
    "independent_change",
    "independent_change_from_moments",
    "mean_ci",
    "mean_ci_from_moments",
    "paired_change",
    "paired_change_from_moments",
]

#: Columns of :func:`mean_ci` and :func:`mean_ci_from_moments`.
MEAN_CI_COLUMNS: list[str] = ["n", "mean", "sd", "se", "ci_low", "ci_high"]


def _variance_from_moments(n: FloatArray, total: FloatArray, total_sq: FloatArray) -> FloatArray:
    with np.errstate(divide="ignore", invalid="ignore"):
        var = (total_sq - total * total / n) / (n - 1.0)
    # Rounding can leave a tiny negative number where the variance is zero.
    return np.where(n >= 2, np.maximum(var, 0.0), np.nan)


def _t_quantile(level: float, df: FloatArray) -> FloatArray:
    return t_quantile(0.5 + level / 2.0, df)


def _mean_ci_table(n: FloatArray, mean: FloatArray, var: FloatArray, level: float) -> pd.DataFrame:
    sd = np.sqrt(var)
    with np.errstate(divide="ignore", invalid="ignore"):
        se = sd / np.sqrt(n)
    half = _t_quantile(level, n - 1.0) * se
    return pd.DataFrame(
        {
            "n": n.astype(np.int64),
            "mean": np.where(n >= 1, mean, np.nan),
            "sd": sd,
            "se": se,
            "ci_low": mean - half,
            "ci_high": mean + half,
        },
        columns=MEAN_CI_COLUMNS,
    )


def mean_ci(values: Any, *, confidence: float = 0.95) -> pd.DataFrame:
    """Mean with a t confidence interval.

    Parameters
    ----------
    values : array-like or Series
        Numbers; missing values (NaN) are left out and not counted in ``n``. Infinite values,
        an empty input and one whose values are all missing are refused.
    confidence : float
        Coverage of the interval.

    Returns
    -------
    DataFrame
        One row with columns:

        - ``n``: non-missing values.
        - ``mean``: their mean.
        - ``sd``: standard deviation with ``n - 1`` denominator (NaN when ``n < 2``).
        - ``se``: standard error ``sd / sqrt(n)``.
        - ``ci_low``, ``ci_high``: ``mean -/+ t(1 - (1 - confidence) / 2; n - 1) * se``
          (NaN when ``n < 2``; zero width when every value is the same).

    Examples
    --------
    >>> mean_ci([2, 4, 6]).round(3).to_dict("records")
    [{'n': 3, 'mean': 4.0, 'sd': 2.0, 'se': 1.155, 'ci_low': -0.968, 'ci_high': 8.968}]
    """
    level = check_confidence(confidence)
    x = as_vector(values, "values").to_numpy()
    x = x[~np.isnan(x)]
    n = np.array([float(x.size)])
    mean = np.array([x.mean() if x.size else np.nan])
    var = np.array([x.var(ddof=1) if x.size >= 2 else np.nan])
    return _mean_ci_table(n, mean, var, level)


def mean_ci_from_moments(
    n: Any, total: Any, total_sq: Any, *, confidence: float = 0.95
) -> pd.DataFrame:
    """Means with t intervals from counts, sums and sums of squares, one row per group.

    Parameters
    ----------
    n : array-like
        Values per group.
    total : array-like
        Sum of the values per group.
    total_sq : array-like
        Sum of the squared values per group.
    confidence : float
        Coverage of the intervals.

    Returns
    -------
    DataFrame
        One row per group, columns as :func:`mean_ci`: ``n``, ``mean``, ``sd``, ``se``,
        ``ci_low``, ``ci_high``. The variance is ``(total_sq - total**2 / n) / (n - 1)``, so
        merged groups (summed moments) give the same result as their pooled values.

    Examples
    --------
    >>> mean_ci_from_moments([3], [12], [56]).round(3).to_dict("records")
    [{'n': 3, 'mean': 4.0, 'sd': 2.0, 'se': 1.155, 'ci_low': -0.968, 'ci_high': 8.968}]
    """
    level = check_confidence(confidence)
    nn, s, ss = (np.atleast_1d(a) for a in broadcast_float(n=n, total=total, total_sq=total_sq))
    check_moments(nn, s, ss)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = s / nn
    return _mean_ci_table(nn, mean, _variance_from_moments(nn, s, ss), level)


# ---------------------------------------------------------------------------------------------
# paired designs


def _paired_t_columns(
    n: FloatArray, mean_d: FloatArray, var_d: FloatArray, level: float,
    mu: float = 0.0, alternative: str = "two-sided",
) -> dict[str, Any]:
    sd = np.sqrt(var_d)
    df = n - 1.0
    with np.errstate(divide="ignore", invalid="ignore"):
        se = sd / np.sqrt(n)
        t = np.where(se > 0, (mean_d - mu) / se, np.nan)
        dz = np.where(sd > 0, mean_d / sd, np.nan)
    p = p_from_t(t, np.where(df >= 1, df, np.nan), alternative)
    low, high = t_interval(mean_d, se, df, level, alternative)
    return {
        "ci_low": low,
        "ci_high": high,
        "statistic": t,
        "df": np.where(n >= 2, df, np.nan),
        "p_value": p,
        "alternative": alternative,
        "mu": mu,
        "effect_size": dz,
    }


def _paired_notes(n: FloatArray, var_d: FloatArray) -> list[str | None]:
    return notes(
        n.size,
        (n == 0, "no complete pairs"),
        (n == 1, "only 1 pair: no variance, interval or test"),
        ((n >= 2) & (var_d == 0), "every pair changed by the same amount: no test or effect size"),
    )


def paired_change_from_moments(
    n: Any,
    sum_diff: Any,
    sumsq_diff: Any,
    mean_before: Any,
    mean_after: Any,
    *,
    mu: float = 0.0,
    alternative: str = "two-sided",
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Paired t test of change from the moments of the differences, one row per group.

    Parameters
    ----------
    n : array-like
        Complete pairs per group.
    sum_diff, sumsq_diff : array-like
        Sum and sum of squares of ``after - before`` over the pairs.
    mean_before, mean_after : array-like
        Means of the paired people at baseline and now (reported, not tested).
    mu : float
        The mean change under the null hypothesis (R's ``mu``).
    alternative : {"two-sided", "greater", "less"}
        The alternative hypothesis: the mean change differs from, exceeds or falls short of
        ``mu``. One-sided alternatives give one-sided intervals, as R's ``t.test``.
    confidence : float
        Coverage of the interval.

    Returns
    -------
    DataFrame
        One row per group with the columns of :data:`CHANGE_COLUMNS`, design ``"paired"``,
        test ``"t"``, ci_method ``"t"``, effect_size_name ``"cohen_dz"``; see
        :func:`paired_change` for their meaning.

    Examples
    --------
    >>> d = [1.0, 2.0, 3.0]
    >>> row = paired_change_from_moments(3, sum(d), sum(v * v for v in d), 2.0, 4.0)
    >>> row[["change", "statistic", "df", "effect_size"]].round(3).to_dict("records")
    [{'change': 2.0, 'statistic': 3.464, 'df': 2.0, 'effect_size': 2.0}]
    """
    level = check_confidence(confidence)
    mu = check_number("mu", mu)
    alternative = check_choice("alternative", alternative, ALTERNATIVES)
    nn, s, ss, mb, ma = (
        np.atleast_1d(a)
        for a in broadcast_float(
            n=n, sum_diff=sum_diff, sumsq_diff=sumsq_diff, mean_before=mean_before,
            mean_after=mean_after,
        )
    )
    check_moments(nn, s, ss, ("n", "sum_diff", "sumsq_diff"))
    check_finite("mean_before", mb)
    check_finite("mean_after", ma)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean_d = np.where(nn >= 1, s / nn, np.nan)
    var_d = _variance_from_moments(nn, s, ss)
    return change_frame(
        nn.size,
        design="paired", test="t", n=nn, n_before=nn, n_after=nn,
        mean_before=mb, mean_after=ma, change=mean_d, ci_method="t", confidence=level,
        effect_size_name="cohen_dz", seed=None, note=_paired_notes(nn, var_d),
        **_paired_t_columns(nn, mean_d, var_d, level, mu, alternative),
    )


def _align_pairs(before: Any, after: Any) -> tuple[FloatArray, FloatArray, int]:
    """Complete pairs of before/after values, and how many pairs had a missing value."""
    if isinstance(before, pd.Series) and isinstance(after, pd.Series):
        if before.index.has_duplicates or after.index.has_duplicates:
            raise ScoringError(
                "before and after are matched on their index, which must not repeat; "
                "make the index the person id (one row per person)"
            )
        before, after = before.align(after, join="outer")
    b = as_vector(before, "before", require_value=False).to_numpy()
    a = as_vector(after, "after", require_value=False).to_numpy()
    if b.size != a.size:
        raise ScoringError(
            f"before and after must hold one value per person in the same order; got "
            f"{b.size} and {a.size} values (pass pandas Series indexed by person id to match "
            "them by id)"
        )
    complete = ~(np.isnan(b) | np.isnan(a))
    return b[complete], a[complete], int((~complete).sum())


def _rank_sums(d: FloatArray) -> tuple[float, float]:
    """Sums of the ranks of |d| for positive and negative differences (zeros dropped)."""
    nonzero = d[d != 0]
    ranks = sps.rankdata(np.abs(nonzero))
    return float(ranks[nonzero > 0].sum()), float(ranks[nonzero < 0].sum())


def _mann_whitney_u(a: FloatArray, b: FloatArray) -> float:
    """U of ``b`` against ``a``: pairs with ``b`` above ``a``, ties counting one half."""
    ranks = sps.rankdata(np.concatenate([a, b]))
    return float(ranks[a.size:].sum() - b.size * (b.size + 1) / 2.0)


def _rank_biserial(a: FloatArray, b: FloatArray) -> float:
    """Rank-biserial correlation ``2 U / (n1 n2) - 1`` of ``b`` against ``a``."""
    return 2.0 * _mann_whitney_u(a, b) / (a.size * b.size) - 1.0


def _has_ties(x: FloatArray) -> bool:
    return bool(np.unique(x).size < x.size)


def _bootstrap(
    data: tuple[FloatArray, ...], statistic: Any, *, level: float, n_resamples: int, seed: int,
    alternative: str = "two-sided",
) -> tuple[float, float, str | None]:
    """BCa bootstrap interval, or NaN with the reason scipy gives."""
    if isinstance(n_resamples, bool) or not isinstance(n_resamples, (int, np.integer)) \
            or n_resamples < 1:
        raise ScoringError(f"n_resamples must be a positive whole number; got {n_resamples!r}")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = sps.bootstrap(
            data, statistic, n_resamples=int(n_resamples), confidence_level=level,
            method="BCa", vectorized=True, rng=np.random.default_rng(seed),
            alternative=alternative,
        )
    low, high = float(res.confidence_interval.low), float(res.confidence_interval.high)
    note = None
    if caught:
        note = "bootstrap: " + str(caught[0].message).split("\n")[0]
    return low, high, note


def paired_change(
    before: Any,
    after: Any,
    *,
    test: str = "t",
    mu: float = 0.0,
    alternative: str = "two-sided",
    confidence: float = 0.95,
    bootstrap: bool = False,
    n_resamples: int = 9999,
    seed: int | None = None,
) -> pd.DataFrame:
    """Change from baseline for the same people measured twice.

    Parameters
    ----------
    before, after : array-like or Series
        One value per person. Two Series are matched on their index (person id); otherwise
        by position. Pairs with a missing value are left out (counted in ``note``). Infinite
        values are refused.
    test : {"t", "wilcoxon"}
        Paired t test, or Wilcoxon signed-rank test.
    mu : float
        The change under the null hypothesis, as R's ``mu``: the t test compares the mean of
        ``after - before`` with it, the Wilcoxon test ranks ``after - before - mu``.
    alternative : {"two-sided", "greater", "less"}
        The alternative hypothesis, as R's ``alternative``: the change differs from, exceeds
        or falls short of ``mu``. A one-sided alternative gives a one-sided interval (to
        ``inf`` for ``"greater"``, from ``-inf`` for ``"less"``), as R's ``t.test``.
    confidence : float
        Coverage of the interval of ``change``.
    bootstrap : bool
        Replace the t interval of ``change`` by a BCa bootstrap interval
        (``scipy.stats.bootstrap``) of the mean difference.
    n_resamples : int
        Bootstrap resamples.
    seed : int, optional
        Bootstrap seed; when None one is drawn and recorded in the ``seed`` column.

    Returns
    -------
    DataFrame
        One row with the columns of :data:`CHANGE_COLUMNS`:

        - ``design``: ``"paired"``; ``test``: ``"t"`` or ``"wilcoxon"``.
        - ``n``, ``n_before``, ``n_after``: complete pairs.
        - ``mean_before``, ``mean_after``: means over the pairs; ``change``: their difference
          (the mean of ``after - before``).
        - ``ci_low``, ``ci_high``, ``ci_method``, ``confidence``: interval of ``change``, by
          the t distribution (``"t"``) or the bootstrap (``"bootstrap_bca"``), for either test.
        - ``statistic``: ``t = (mean(d) - mu) / (sd(d) / sqrt(n))``, or for Wilcoxon the sum of
          the ranks of the positive ``d - mu`` (R's ``V`` for
          ``wilcox.test(after, before, paired = TRUE, mu = mu)``).
        - ``df``: ``n - 1`` for t; NaN for Wilcoxon.
        - ``p_value``: for ``alternative``; ``alternative`` and ``mu`` are recorded.
        - ``effect_size``, ``effect_size_name``: Cohen's ``d_z`` (mean / sd of the
          differences) for t; the matched-pairs rank-biserial correlation
          ``(V+ - V-) / (V+ + V-)`` of ``d`` for Wilcoxon. Both describe the change itself
          (never ``mu``) and are positive when values rose.
        - ``seed``: the bootstrap seed, missing without bootstrap.
        - ``note``: why a value is NaN and which variant was used; missing otherwise.

    Notes
    -----
    Paired t test: ``t = (mean(d) - mu) / (sd(d) / sqrt(n))`` with ``n - 1`` degrees of
    freedom (Student 1908); the p-value is ``P(T >= t)`` for ``"greater"``, ``P(T <= t)`` for
    ``"less"`` and ``2 P(T >= |t|)`` for ``"two-sided"``; ``d_z`` after Cohen (1988).
    Wilcoxon (1945) signed-rank test of ``d - mu`` with zero differences dropped; the p-value
    is exact when there are fewer than 50 non-zero differences, no ties and no zero
    differences, otherwise from the normal approximation with tie and continuity corrections
    (towards the alternative; the rule of R's ``wilcox.test``: for
    ``d = (0, 1, 2, 3, 4, 5, 6, -7)`` both give p = 0.2719). Rank-biserial correlation:
    Kerby (2014). Bootstrap: Efron & Tibshirani (1993), BCa.

    With one pair there is no variance, so interval, test and effect size are NaN; when every
    pair changed by the same amount the interval has zero width and test and effect size are
    NaN. No complete pair at all (empty or all-missing input included) gives a row of NaN
    with the note "no complete pairs".

    Examples
    --------
    >>> row = paired_change([10, 12, 9, 14], [12, 15, 9, 17])
    >>> row[["n", "change", "df"]].to_dict("records")
    [{'n': 4, 'change': 2.0, 'df': 3.0}]
    >>> round(float(row["p_value"].iloc[0]), 4)
    0.0663
    """
    check_choice("test", test, ("t", "wilcoxon"))
    mu = check_number("mu", mu)
    alternative = check_choice("alternative", alternative, ALTERNATIVES)
    level = check_confidence(confidence)
    seed = check_seed(seed)
    b, a, n_incomplete = _align_pairs(before, after)
    d = a - b
    n = np.array([float(d.size)])
    mean_d = np.array([d.mean() if d.size else np.nan])
    var_d = np.array([d.var(ddof=1) if d.size >= 2 else np.nan])
    cols = _paired_t_columns(n, mean_d, var_d, level, mu, alternative)
    extra: list[str] = []
    if n_incomplete:
        extra.append(f"{n_incomplete} pair(s) with a missing value left out")
    if test == "wilcoxon":
        cols["df"] = np.nan
        v_plus, v_minus = _rank_sums(d)
        shifted = d - mu
        nonzero = shifted[shifted != 0]
        effect = (v_plus - v_minus) / (v_plus + v_minus) if v_plus + v_minus > 0 else np.nan
        if nonzero.size == 0:
            cols.update(statistic=np.nan, p_value=np.nan, effect_size=effect)
            if d.size:
                extra.append("no pair changed: no test" if mu == 0
                             else f"every pair changed by mu = {mu:g}: no test")
        else:
            # R's rule: zeros, like ties, rule out the exact distribution.
            exact = (nonzero.size < 50 and nonzero.size == d.size
                     and not _has_ties(np.abs(nonzero)))
            res = sps.wilcoxon(
                nonzero, zero_method="wilcox", correction=not exact,
                method="exact" if exact else "approx", alternative=alternative,
            )
            cols.update(
                statistic=_rank_sums(shifted)[0],
                p_value=float(res.pvalue),
                effect_size=effect,
            )
            extra.append(
                "exact p-value" if exact
                else "normal approximation with tie and continuity corrections"
            )
    ci_method = "t"
    used_seed: int | None = None
    if bootstrap and d.size >= 2:
        used_seed = fresh_seed() if seed is None else seed
        ci_method = "bootstrap_bca"
        if var_d[0] == 0:
            cols.update(ci_low=-np.inf if alternative == "less" else mean_d[0],
                        ci_high=np.inf if alternative == "greater" else mean_d[0])
        else:
            low, high, why = _bootstrap(
                (d,), lambda x, axis: np.mean(x, axis=axis), level=level,
                n_resamples=n_resamples, seed=used_seed, alternative=alternative,
            )
            cols.update(ci_low=low, ci_high=high)
            if why:
                extra.append(why)
    base = _paired_notes(n, var_d)[0]
    note = "; ".join([p for p in [base, *extra] if p]) or None
    return change_frame(
        1,
        design="paired", test=test, n=n, n_before=n, n_after=n,
        mean_before=b.mean() if b.size else np.nan, mean_after=a.mean() if a.size else np.nan,
        change=mean_d, ci_method=ci_method, confidence=level,
        effect_size_name="cohen_dz" if test == "t" else "rank_biserial",
        seed=used_seed, note=note, **cols,
    )


# ---------------------------------------------------------------------------------------------
# independent designs


def _hedges_correction(df: FloatArray) -> FloatArray:
    """Exact small-sample correction J(df) of Hedges (1981)."""
    with np.errstate(invalid="ignore"):
        safe = np.where(df > 1, df, np.nan)
        j: FloatArray = np.exp(
            special.gammaln(safe / 2.0) - 0.5 * np.log(safe / 2.0)
            - special.gammaln((safe - 1.0) / 2.0)
        )
    return j


def _welch_columns(
    n1: FloatArray, m1: FloatArray, v1: FloatArray,
    n2: FloatArray, m2: FloatArray, v2: FloatArray, level: float, *, pooled: bool = False,
    mu: float = 0.0, alternative: str = "two-sided",
) -> dict[str, Any]:
    """Welch's t (or Student's, ``pooled``) with its interval, and Hedges' g."""
    diff = m2 - m1
    with np.errstate(divide="ignore", invalid="ignore"):
        pooled_df = n1 + n2 - 2.0
        pooled_sd = np.sqrt(((n1 - 1.0) * v1 + (n2 - 1.0) * v2) / pooled_df)
        if pooled:
            se = pooled_sd * np.sqrt(1.0 / n1 + 1.0 / n2)
            df = pooled_df
        else:
            a, b = v1 / n1, v2 / n2
            se = np.sqrt(a + b)
            df = (a + b) ** 2 / (a * a / (n1 - 1.0) + b * b / (n2 - 1.0))
        t = np.where(se > 0, (diff - mu) / se, np.nan)
        df = np.where(se > 0, df, np.nan)
        g = np.where(pooled_sd > 0, diff / pooled_sd, np.nan) * _hedges_correction(pooled_df)
    low, high = t_interval(diff, se, df, level, alternative)
    return {
        "change": diff,
        "ci_low": low,
        "ci_high": high,
        "statistic": t,
        "df": df,
        "p_value": p_from_t(t, df, alternative),
        "alternative": alternative,
        "mu": mu,
        "effect_size": g,
    }


def _independent_notes(n1: FloatArray, n2: FloatArray, v1: FloatArray, v2: FloatArray
                       ) -> list[str | None]:
    return notes(
        n1.size,
        ((n1 == 0) | (n2 == 0), "a period without values"),
        (((n1 == 1) | (n2 == 1)) & (n1 > 0) & (n2 > 0),
         "fewer than 2 values in a period: no interval or test"),
        ((n1 >= 2) & (n2 >= 2) & (v1 == 0) & (v2 == 0),
         "every value is the same within each period: no interval, test or effect size"),
    )


def independent_change_from_moments(
    n1: Any, s1: Any, ss1: Any, n2: Any, s2: Any, ss2: Any, *, mu: float = 0.0,
    alternative: str = "two-sided", confidence: float = 0.95,
) -> pd.DataFrame:
    """Welch t test of change between two independent samples, from their moments.

    Parameters
    ----------
    n1, s1, ss1 : array-like
        Count, sum and sum of squares of the baseline sample, per group.
    n2, s2, ss2 : array-like
        The same for the current sample.
    mu : float
        The change (current mean minus baseline mean) under the null hypothesis.
    alternative : {"two-sided", "greater", "less"}
        The alternative hypothesis, as R's ``t.test``; one-sided alternatives give one-sided
        intervals.
    confidence : float
        Coverage of the interval.

    Returns
    -------
    DataFrame
        One row per group with the columns of :data:`CHANGE_COLUMNS`, design
        ``"independent"``, test ``"welch"``, ci_method ``"welch"``, effect_size_name
        ``"hedges_g"``; see :func:`independent_change`.

    Examples
    --------
    >>> row = independent_change_from_moments(3, 6, 14, 3, 12, 50)
    >>> row[["change", "statistic", "df"]].round(3).to_dict("records")
    [{'change': 2.0, 'statistic': 2.449, 'df': 4.0}]
    """
    level = check_confidence(confidence)
    mu = check_number("mu", mu)
    alternative = check_choice("alternative", alternative, ALTERNATIVES)
    a1, b1, c1, a2, b2, c2 = (
        np.atleast_1d(v)
        for v in broadcast_float(n1=n1, s1=s1, ss1=ss1, n2=n2, s2=s2, ss2=ss2)
    )
    check_moments(a1, b1, c1, ("n1", "s1", "ss1"))
    check_moments(a2, b2, c2, ("n2", "s2", "ss2"))
    with np.errstate(divide="ignore", invalid="ignore"):
        m1 = np.where(a1 >= 1, b1 / a1, np.nan)
        m2 = np.where(a2 >= 1, b2 / a2, np.nan)
    v1 = _variance_from_moments(a1, b1, c1)
    v2 = _variance_from_moments(a2, b2, c2)
    return change_frame(
        a1.size,
        design="independent", test="welch", n=a1 + a2, n_before=a1, n_after=a2,
        mean_before=m1, mean_after=m2, ci_method="welch", confidence=level,
        effect_size_name="hedges_g", seed=None, note=_independent_notes(a1, a2, v1, v2),
        **_welch_columns(a1, m1, v1, a2, m2, v2, level, mu=mu, alternative=alternative),
    )


def independent_change(
    a: Any,
    b: Any,
    *,
    test: str = "welch",
    mu: float = 0.0,
    alternative: str = "two-sided",
    confidence: float = 0.95,
    bootstrap: bool = False,
    n_resamples: int = 9999,
    seed: int | None = None,
) -> pd.DataFrame:
    """Change between two independent samples: baseline ``a`` and current ``b``.

    Parameters
    ----------
    a, b : array-like or Series
        Values at baseline and now (different people, e.g. successive cohorts). Missing values
        are left out (counted in ``note``). Infinite values are refused; a sample without any
        value gives NaN with the note "a period without values".
    test : {"welch", "student", "mann_whitney"}
        Welch's unequal-variance t test, Student's pooled-variance t test (R's
        ``t.test(var.equal = TRUE)``), or the Mann-Whitney U (Wilcoxon rank-sum) test.
    mu : float
        The change under the null hypothesis, as R's ``mu``: the t tests compare
        ``mean(b) - mean(a)`` with it, Mann-Whitney ranks ``b - mu`` against ``a``.
    alternative : {"two-sided", "greater", "less"}
        The alternative hypothesis, as R's ``alternative``: ``b`` is above ``a`` by more than
        ``mu`` (``"greater"``), by less (``"less"``), or differs. A one-sided alternative
        gives a one-sided interval, as R's ``t.test``.
    confidence : float
        Coverage of the interval of ``change``.
    bootstrap : bool
        Replace the Welch interval of ``change`` by a BCa bootstrap interval, resampling each
        sample separately.
    n_resamples : int
        Bootstrap resamples.
    seed : int, optional
        Bootstrap seed; when None one is drawn and recorded in the ``seed`` column.

    Returns
    -------
    DataFrame
        One row with the columns of :data:`CHANGE_COLUMNS`:

        - ``design``: ``"independent"``; ``test``: ``"welch"``, ``"student"`` or
          ``"mann_whitney"``.
        - ``n``: values in both samples; ``n_before``, ``n_after``: in ``a`` and ``b``.
        - ``mean_before``, ``mean_after``, ``change`` (``mean(b) - mean(a)``).
        - ``ci_low``, ``ci_high``, ``ci_method`` (``"welch"``, ``"student"`` or
          ``"bootstrap_bca"``), ``confidence``: interval of ``change`` (Welch's for
          Mann-Whitney).
        - ``statistic``: the t of ``mean(b) - mean(a) - mu``, or Mann-Whitney's U of
          ``b - mu`` (R's ``W`` for ``wilcox.test(b, a, mu = mu)``).
        - ``df``: Welch-Satterthwaite degrees of freedom, ``n1 + n2 - 2`` for Student; NaN
          for Mann-Whitney.
        - ``p_value``: for ``alternative``; ``alternative`` and ``mu`` are recorded.
        - ``effect_size``, ``effect_size_name``: Hedges' ``g`` (pooled-sd standardized
          difference with the exact small-sample correction) for the t tests; the rank-biserial
          correlation ``2 U / (n1 n2) - 1`` (U of ``b`` against ``a``, whatever ``mu``) for
          Mann-Whitney. Positive when ``b`` is higher.
        - ``seed``, ``note``: as in :func:`paired_change`.

    Notes
    -----
    Welch (1947) t test with Satterthwaite (1946) degrees of freedom; Student's (1908) t with
    the pooled variance ``s_p^2 = ((n1 - 1) v1 + (n2 - 1) v2) / m`` and ``m`` degrees of
    freedom, ``t = (mean(b) - mean(a)) / (s_p sqrt(1/n1 + 1/n2))``. Hedges' ``g = J d`` with
    ``J = Gamma(m / 2) / (sqrt(m / 2) Gamma((m - 1) / 2))``, ``m = n1 + n2 - 2`` (Hedges
    1981). Mann & Whitney (1947) U test: the p-value is exact when both samples have fewer
    than 50 values and there are no ties, else from the normal approximation with tie and
    continuity corrections (as R's ``wilcox.test``). Rank-biserial correlation: Wendt (1972),
    Kerby (2014).

    Examples
    --------
    >>> row = independent_change([3, 4, 5, 4], [5, 6, 4, 7, 6])
    >>> row[["n", "change"]].round(3).to_dict("records")
    [{'n': 9, 'change': 1.6}]
    """
    check_choice("test", test, ("welch", "student", "mann_whitney"))
    mu = check_number("mu", mu)
    alternative = check_choice("alternative", alternative, ALTERNATIVES)
    level = check_confidence(confidence)
    seed = check_seed(seed)
    x = as_vector(a, "a", require_value=False).to_numpy()
    y = as_vector(b, "b", require_value=False).to_numpy()
    missing = int(np.isnan(x).sum() + np.isnan(y).sum())
    x, y = x[~np.isnan(x)], y[~np.isnan(y)]
    n1, n2 = np.array([float(x.size)]), np.array([float(y.size)])
    m1 = np.array([x.mean() if x.size else np.nan])
    m2 = np.array([y.mean() if y.size else np.nan])
    v1 = np.array([x.var(ddof=1) if x.size >= 2 else np.nan])
    v2 = np.array([y.var(ddof=1) if y.size >= 2 else np.nan])
    cols = _welch_columns(n1, m1, v1, n2, m2, v2, level, pooled=test == "student", mu=mu,
                          alternative=alternative)
    extra: list[str] = []
    if missing:
        extra.append(f"{missing} missing value(s) left out")
    if test == "mann_whitney":
        cols["df"] = np.nan
        shifted = y - mu
        if x.size and y.size and np.unique(np.concatenate([x, shifted])).size == 1:
            # All values tied: the rank statistic has no variance, so there is no test.
            cols.update(statistic=float(x.size * y.size) / 2.0, p_value=np.nan,
                        effect_size=_rank_biserial(x, y))
            extra.append("every value is the same: no test" if mu == 0
                         else f"every value of b - mu = {mu:g} equals every value of a: no test")
        elif x.size and y.size:
            exact = x.size < 50 and y.size < 50 and not _has_ties(np.concatenate([x, shifted]))
            res = sps.mannwhitneyu(
                shifted, x, use_continuity=not exact, method="exact" if exact else "asymptotic",
                alternative=alternative,
            )
            u = _mann_whitney_u(x, shifted)
            cols.update(statistic=u, p_value=float(res.pvalue),
                        effect_size=_rank_biserial(x, y))
            extra.append(
                "exact p-value" if exact
                else "normal approximation with tie and continuity corrections"
            )
        else:
            cols.update(statistic=np.nan, p_value=np.nan, effect_size=np.nan)
    ci_method = "student" if test == "student" else "welch"
    used_seed: int | None = None
    if bootstrap and x.size >= 2 and y.size >= 2:
        used_seed = fresh_seed() if seed is None else seed
        ci_method = "bootstrap_bca"
        if v1[0] == 0 and v2[0] == 0:
            cols.update(ci_low=-np.inf if alternative == "less" else cols["change"],
                        ci_high=np.inf if alternative == "greater" else cols["change"])
        else:
            low, high, why = _bootstrap(
                (x, y),
                lambda p, q, axis: np.mean(q, axis=axis) - np.mean(p, axis=axis),
                level=level, n_resamples=n_resamples, seed=used_seed, alternative=alternative,
            )
            cols.update(ci_low=low, ci_high=high)
            if why:
                extra.append(why)
    base = _independent_notes(n1, n2, v1, v2)[0]
    note = "; ".join([p for p in [base, *extra] if p]) or None
    return change_frame(
        1,
        design="independent", test=test, n=n1 + n2, n_before=n1, n_after=n2,
        mean_before=m1, mean_after=m2, ci_method=ci_method, confidence=level,
        effect_size_name="rank_biserial" if test == "mann_whitney" else "hedges_g",
        seed=used_seed, note=note, **cols,
    )


