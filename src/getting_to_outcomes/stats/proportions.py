"""Proportions: intervals, and change between periods for yes/no answers."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy import stats as sps

from getting_to_outcomes.errors import ScoringError
from getting_to_outcomes.stats._common import ALTERNATIVES, change_frame, notes, p_from_z
from getting_to_outcomes.stats._input import (
    FloatArray,
    as_counts,
    check_at_most,
    check_choice,
    check_confidence,
    check_number,
)

__all__ = [
    "PROPORTION_CI_COLUMNS",
    "paired_proportion_change",
    "proportion_change",
    "proportion_ci",
]

#: Columns of :func:`proportion_ci`.
PROPORTION_CI_COLUMNS: list[str] = ["successes", "n", "proportion", "ci_low", "ci_high"]

# McNemar's exact test is used below this many discordant pairs (Fagerland, Lydersen & Laake
# 2013 show the asymptotic test is adequate well before this; 25 is a common conservative cut).
_MCNEMAR_EXACT_BELOW = 25


def _z(level: float, alternative: str = "two-sided") -> float:
    """Normal quantile of a two-sided interval, or of the one bound of a one-sided one."""
    return float(sps.norm.ppf(level if alternative != "two-sided" else 0.5 + level / 2.0))


def _one_sided(low: FloatArray, high: FloatArray, alternative: str
               ) -> tuple[FloatArray, FloatArray]:
    """Open the interval of a difference of proportions to -1 or 1, as R's ``prop.test``."""
    if alternative == "greater":
        high = np.where(np.isnan(high), np.nan, 1.0)
    elif alternative == "less":
        low = np.where(np.isnan(low), np.nan, -1.0)
    return low, high


def _wilson(x: FloatArray, n: FloatArray, z: float) -> tuple[FloatArray, FloatArray]:
    with np.errstate(divide="ignore", invalid="ignore"):
        denom = n + z * z
        centre = (x + z * z / 2.0) / denom
        half = z / denom * np.sqrt(x * (n - x) / n + z * z / 4.0)
    low = np.where(n > 0, np.clip(centre - half, 0.0, 1.0), np.nan)
    high = np.where(n > 0, np.clip(centre + half, 0.0, 1.0), np.nan)
    return low, high


def proportion_ci(
    successes: Any, n: Any, *, method: str = "wilson", confidence: float = 0.95
) -> pd.DataFrame:
    """Proportions with confidence intervals, one row per pair of counts.

    Parameters
    ----------
    successes : int or array-like
        People (or units) with the outcome; pool numerators before calling, never average
        percentages.
    n : int or array-like
        People (or units) asked.
    method : {"wilson", "clopper_pearson", "wald"}
        Wilson score interval (default), Clopper-Pearson exact interval, or the Wald interval
        (``p -/+ z sqrt(p (1 - p) / n)``, clipped to [0, 1]; poor for small n, kept for
        comparison).
    confidence : float
        Coverage of the intervals.

    Returns
    -------
    DataFrame
        One row per count, columns ``successes``, ``n``, ``proportion`` (``successes / n``),
        ``ci_low``, ``ci_high``. NaN proportion and interval where ``n = 0``.

    Raises
    ------
    ScoringError
        Counts that are missing, infinite, negative or not whole numbers, or
        ``successes > n``; the message names the argument and position.

    Notes
    -----
    Wilson (1927): the interval is
    ``(x + z^2/2) / (n + z^2) -/+ z / (n + z^2) * sqrt(x (n - x) / n + z^2 / 4)``.
    Clopper & Pearson (1934): quantiles of Beta(x, n - x + 1) and Beta(x + 1, n - x).
    Brown, Cai & DasGupta (2001) compare them and recommend Wilson for small n.

    Examples
    --------
    >>> proportion_ci([8, 0], [20, 10]).round(4).to_dict("records")[0]
    {'successes': 8, 'n': 20, 'proportion': 0.4, 'ci_low': 0.2188, 'ci_high': 0.6134}
    """
    check_choice("method", method, ("wilson", "clopper_pearson", "wald"))
    level = check_confidence(confidence)
    x, nn = as_counts(successes=successes, n=n)
    check_at_most("successes", x, "n", nn)
    z = _z(level)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.where(nn > 0, x / nn, np.nan)
    if method == "wilson":
        low, high = _wilson(x, nn, z)
    elif method == "clopper_pearson":
        q = (1.0 - level) / 2.0
        with np.errstate(invalid="ignore"):
            low = np.where(x > 0, sps.beta.ppf(q, x, nn - x + 1), 0.0)
            high = np.where(x < nn, sps.beta.ppf(1 - q, x + 1, nn - x), 1.0)
        low = np.where(nn > 0, low, np.nan)
        high = np.where(nn > 0, high, np.nan)
    else:
        with np.errstate(invalid="ignore"):
            half = z * np.sqrt(p * (1.0 - p) / nn)
        low, high = np.clip(p - half, 0.0, 1.0), np.clip(p + half, 0.0, 1.0)
    return pd.DataFrame(
        {
            "successes": x.astype(np.int64),
            "n": nn.astype(np.int64),
            "proportion": p,
            "ci_low": low,
            "ci_high": high,
        },
        columns=PROPORTION_CI_COLUMNS,
    )


def _cohen_h(p1: FloatArray, p2: FloatArray) -> FloatArray:
    with np.errstate(invalid="ignore"):
        h: FloatArray = 2.0 * np.arcsin(np.sqrt(p2)) - 2.0 * np.arcsin(np.sqrt(p1))
    return h


def _check_mu(mu: object) -> float:
    """A null difference of two proportions: a number strictly between -1 and 1."""
    value = check_number("mu", mu)
    if not -1.0 < value < 1.0:
        raise ScoringError(f"mu must be a difference of proportions strictly between -1 and "
                           f"1; got {value:g}")
    return value


def _restricted_shares(x1: FloatArray, n1: FloatArray, x0: FloatArray, n0: FloatArray,
                       delta: float) -> tuple[FloatArray, FloatArray]:
    """Maximum-likelihood proportions ``(r1, r0)`` under ``r1 - r0 = delta``.

    The root of the cubic likelihood equation in ``r0`` in closed form (Miettinen & Nurminen
    1985, appendix): with ``N = n1 + n0`` and ``C = x1 + x0``, ``L3 = N``,
    ``L2 = (n1 + 2 n0) delta - N - C``, ``L1 = (n0 delta - N - 2 x0) delta + C``,
    ``L0 = x0 delta (1 - delta)``.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        total, count = n1 + n0, x1 + x0
        l3 = total
        l2 = (n1 + 2.0 * n0) * delta - total - count
        l1 = (n0 * delta - total - 2.0 * x0) * delta + count
        l0 = x0 * delta * (1.0 - delta)
        q = (l2 / (3.0 * l3)) ** 3 - l1 * l2 / (6.0 * l3**2) + l0 / (2.0 * l3)
        p = np.sign(q) * np.sqrt(np.maximum((l2 / (3.0 * l3)) ** 2 - l1 / (3.0 * l3), 0.0))
        ratio = np.where(p != 0, q / p**3, 1.0)
        angle = (np.pi + np.arccos(np.clip(ratio, -1.0, 1.0))) / 3.0
        r0 = 2.0 * p * np.cos(angle) - l2 / (3.0 * l3)
    r0 = np.clip(r0, max(0.0, -delta), min(1.0, 1.0 - delta))
    return r0 + delta, r0


def proportion_change(
    successes_before: Any,
    n_before: Any,
    successes_after: Any,
    n_after: Any,
    *,
    test: str = "auto",
    mu: float = 0.0,
    alternative: str = "two-sided",
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Change in a proportion between two independent samples (e.g. successive cohorts).

    Parameters
    ----------
    successes_before, n_before : int or array-like
        Yes answers and people asked at baseline.
    successes_after, n_after : int or array-like
        The same now.
    test : {"auto", "z", "fisher"}
        Two-proportion z test, Fisher's exact test, or ``"auto"``: Fisher when some expected
        count of the 2 x 2 table is below 5, else z. Fisher's test is of no difference
        only: with ``mu`` other than 0, ``"auto"`` uses z and ``"fisher"`` is refused.
    mu : float
        The difference ``p_after - p_before`` under the null hypothesis, strictly between
        -1 and 1 (default 0: no change). Other than 0, the z test is the score test of
        Farrington & Manning (1990); at 0 it is the usual pooled z test.
    alternative : {"two-sided", "greater", "less"}
        The alternative hypothesis, as R's ``prop.test``: the change differs from, exceeds
        or falls below ``mu``. One-sided alternatives give one-sided intervals (to 1 for
        ``"greater"``, from -1 for ``"less"``), the bound from the one-sided quantile, as
        R's ``prop.test``.
    confidence : float
        Coverage of the interval of the difference.

    Returns
    -------
    DataFrame
        One row per group with the columns of :data:`CHANGE_COLUMNS`: design
        ``"independent"``; test ``"z"`` or ``"fisher"``; ``n`` (both samples), ``n_before``,
        ``n_after``; ``mean_before`` and ``mean_after`` (the proportions); ``change`` (the risk
        difference ``p_after - p_before``); ``ci_low``, ``ci_high`` (Newcombe's hybrid score
        interval, ci_method ``"newcombe"``); ``statistic`` (z; NaN for Fisher, whose p-value
        comes from the hypergeometric distribution without a statistic); ``df`` (NaN);
        ``p_value`` (for ``alternative``); ``alternative``; ``mu``; ``effect_size``
        (Cohen's h, effect_size_name ``"cohen_h"``); ``seed`` (missing); ``note``.

    Notes
    -----
    z test with the pooled proportion ``p`` under the null:
    ``z = (p2 - p1) / sqrt(p (1 - p) (1/n1 + 1/n2))``, equal to the root of the uncorrected
    Pearson chi-square (R's ``prop.test(correct = FALSE)``); one-sided p-values are
    ``P(Z >= z)`` and ``P(Z <= z)``. For a null difference ``mu`` other than 0 the score
    test of Farrington & Manning (1990):
    ``z = (p2 - p1 - mu) / sqrt(r2 (1 - r2) / n2 + r1 (1 - r1) / n1)`` with ``r1``, ``r2``
    the maximum-likelihood proportions under ``r2 - r1 = mu`` (the root of a cubic,
    Miettinen & Nurminen 1985, without their ``N / (N - 1)`` factor), equal to the pooled z
    at ``mu = 0``. (statsmodels 0.14's ``test_proportions_2indep(method="score")`` has a
    wrong coefficient in that cubic for a non-zero value, statsmodels issue 10269.)
    Fisher (1935) exact test as ``scipy.stats.fisher_exact``
    (one-sided: the odds ratio of yes now against yes at baseline above or below 1).
    Newcombe (1998a, method 10) interval from the Wilson intervals ``(l1, u1)``, ``(l2, u2)``:
    ``d - sqrt((p2 - l2)^2 + (u1 - p1)^2)`` to ``d + sqrt((u2 - p2)^2 + (p1 - l1)^2)``.
    Cohen's ``h = 2 asin(sqrt(p2)) - 2 asin(sqrt(p1))`` (Cohen 1988).

    Examples
    --------
    >>> row = proportion_change(48, 80, 56, 70)
    >>> row[["change", "ci_low", "ci_high"]].round(4).to_dict("records")
    [{'change': 0.2, 'ci_low': 0.0524, 'ci_high': 0.3339}]

    Did the share grow by more than 5 points?

    >>> more = proportion_change(48, 80, 56, 70, mu=0.05, alternative="greater")
    >>> round(float(more["p_value"].iloc[0]), 4)
    0.0226
    """
    check_choice("test", test, ("auto", "z", "fisher"))
    alternative = check_choice("alternative", alternative, ALTERNATIVES)
    level = check_confidence(confidence)
    mu = _check_mu(mu)
    if mu != 0.0 and test == "fisher":
        raise ScoringError("test='fisher' tests no difference only (mu = 0); use test='z' "
                           f"or 'auto' for mu = {mu:g}")
    x1, n1, x2, n2 = as_counts(
        successes_before=successes_before, n_before=n_before,
        successes_after=successes_after, n_after=n_after,
    )
    check_at_most("successes_before", x1, "n_before", n1)
    check_at_most("successes_after", x2, "n_after", n2)
    z = _z(level, alternative)
    with np.errstate(divide="ignore", invalid="ignore"):
        p1 = np.where(n1 > 0, x1 / n1, np.nan)
        p2 = np.where(n2 > 0, x2 / n2, np.nan)
        pooled = (x1 + x2) / (n1 + n2)
        if mu == 0.0:
            se0 = np.sqrt(pooled * (1.0 - pooled) * (1.0 / n1 + 1.0 / n2))
        else:
            r2, r1 = _restricted_shares(x2, n2, x1, n1, mu)
            se0 = np.sqrt(r2 * (1.0 - r2) / n2 + r1 * (1.0 - r1) / n1)
        zstat = np.where(se0 > 0, (p2 - p1 - mu) / se0, np.nan)
        # Smallest expected cell of the 2 x 2 table under the null.
        min_expected = np.minimum(np.minimum(n1, n2) * pooled, np.minimum(n1, n2) * (1 - pooled))
    diff = p2 - p1
    l1, u1 = _wilson(x1, n1, z)
    l2, u2 = _wilson(x2, n2, z)
    low = diff - np.sqrt((p2 - l2) ** 2 + (u1 - p1) ** 2)
    high = diff + np.sqrt((u2 - p2) ** 2 + (p1 - l1) ** 2)
    low, high = _one_sided(low, high, alternative)
    use_fisher = (np.full(x1.shape, test == "fisher") if test != "auto"
                  else (min_expected < 5) & (mu == 0.0))
    p_value = p_from_z(zstat, alternative)
    statistic = zstat.copy()
    for i in np.flatnonzero(use_fisher & (n1 > 0) & (n2 > 0)):
        table = [[x2[i], n2[i] - x2[i]], [x1[i], n1[i] - x1[i]]]
        p_value[i] = float(sps.fisher_exact(table, alternative=alternative).pvalue)
        statistic[i] = np.nan
    empty = (n1 == 0) | (n2 == 0)
    return change_frame(
        x1.size,
        design="independent", test=np.where(use_fisher, "fisher", "z"),
        n=n1 + n2, n_before=n1, n_after=n2, mean_before=p1, mean_after=p2, change=diff,
        ci_low=low, ci_high=high, ci_method="newcombe", confidence=level,
        statistic=statistic, df=np.nan, p_value=np.where(empty, np.nan, p_value),
        alternative=alternative, mu=mu, effect_size=_cohen_h(p1, p2),
        effect_size_name="cohen_h", seed=None,
        note=notes(
            x1.size,
            (empty, "a period without anyone asked"),
            (~empty & ~use_fisher & ~(se0 > 0), "everyone answered alike: no z test"),
        ),
    )


def paired_proportion_change(
    yes_yes: Any,
    yes_no: Any,
    no_yes: Any,
    no_no: Any,
    *,
    test: str = "auto",
    mu: float = 0.0,
    alternative: str = "two-sided",
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Change in a proportion for the same people asked twice (McNemar), from the 2 x 2 counts.

    Parameters
    ----------
    yes_yes, yes_no, no_yes, no_no : int or array-like
        People answering yes then yes, yes then no, no then yes, no then no (baseline first).
        From raw answers: ``pd.crosstab(before, after)``.
    test : {"auto", "exact", "chi2"}
        McNemar's exact (binomial) test, the chi-square test with continuity correction, or
        ``"auto"``: exact when fewer than 25 people changed their answer. Both test no
        change only: with ``mu`` other than 0, ``"auto"`` uses Tango's score test and the
        other two are refused.
    mu : float
        The change ``p_after - p_before`` under the null hypothesis, strictly between -1 and
        1 (default 0: no change). Other than 0, the test is the score test of Tango (1998),
        test ``"tango_score"``.
    alternative : {"two-sided", "greater", "less"}
        The alternative hypothesis: the change differs from, exceeds or falls below ``mu``
        (with ``mu = 0``: more people went from no to yes than from yes to no, or fewer).
        One-sided alternatives give one-sided intervals (to 1 or from -1).
    confidence : float
        Coverage of the interval of the difference.

    Returns
    -------
    DataFrame
        One row per group with the columns of :data:`CHANGE_COLUMNS`: design ``"paired"``;
        test ``"mcnemar_exact"`` or ``"mcnemar_chi2"``; ``n``, ``n_before``, ``n_after`` (all
        people); ``mean_before``, ``mean_after`` (proportions of yes); ``change``
        (``(no_yes - yes_no) / n``); ``ci_low``, ``ci_high`` (Newcombe's paired hybrid score
        interval, ci_method ``"newcombe"``); ``statistic`` (the chi-square; z for Tango's
        test; NaN for the exact test); ``df`` (1 for chi-square); ``p_value`` (for
        ``alternative``); ``alternative``; ``mu``; ``effect_size`` (Cohen's h of the two
        proportions); ``seed`` (missing); ``note``.

    Notes
    -----
    McNemar (1947). With ``b = yes_no`` and ``c = no_yes``, the exact test is the two-sided
    binomial test of ``c`` successes in ``b + c`` trials with probability 1/2; the chi-square
    test is ``(|b - c| - 1)^2 / (b + c)`` with 1 degree of freedom (Edwards 1948), as R's
    ``mcnemar.test``. One-sided: the exact test is R's ``binom.test(c, b + c, 0.5,
    alternative)``; for chi-square the signed root ``z = sign(c - b) sqrt(chi2)`` is referred
    to the normal distribution, as R's ``prop.test`` does for one-sided alternatives.
    Against a change ``mu`` other than 0, Tango's (1998) score test:
    ``z = (c - b - n mu) / sqrt(n (2 q + mu (1 - mu)))`` with ``q`` the maximum-likelihood
    probability of a yes-then-no answer under the null,
    ``q = (sqrt(B^2 + 8 n b mu (1 - mu)) - B) / (4 n)``, ``B = (2 n + b - c) mu - b - c``.
    Newcombe (1998b, method 10) interval: from the Wilson intervals of both proportions and
    the correlation ``phi`` of the 2 x 2 table (with Newcombe's continuity adjustment:
    ``A D - B C`` is reduced by ``n / 2`` when larger than that, set to 0 when between 0 and
    ``n / 2``).

    Examples
    --------
    >>> row = paired_proportion_change(794, 150, 86, 570)
    >>> row[["test", "change"]].round(4).to_dict("records")
    [{'test': 'mcnemar_chi2', 'change': -0.04}]
    >>> round(float(row["statistic"].iloc[0]), 3)
    16.818
    """
    check_choice("test", test, ("auto", "exact", "chi2"))
    alternative = check_choice("alternative", alternative, ALTERNATIVES)
    level = check_confidence(confidence)
    mu = _check_mu(mu)
    if mu != 0.0 and test != "auto":
        raise ScoringError(f"test={test!r} (McNemar) tests no change only (mu = 0); use "
                           f"test='auto' for Tango's score test of mu = {mu:g}")
    a, b, c, d = as_counts(yes_yes=yes_yes, yes_no=yes_no, no_yes=no_yes, no_no=no_no)
    n = a + b + c + d
    z = _z(level, alternative)
    with np.errstate(divide="ignore", invalid="ignore"):
        p1 = (a + b) / n
        p2 = (a + c) / n
    diff = p2 - p1
    l1, u1 = _wilson(a + b, n, z)
    l2, u2 = _wilson(a + c, n, z)
    cross = a * d - b * c
    adjusted = np.where(cross > n / 2.0, cross - n / 2.0, np.where(cross < 0, cross, 0.0))
    margins = (a + b) * (c + d) * (a + c) * (b + d)
    with np.errstate(divide="ignore", invalid="ignore"):
        phi = np.where(margins > 0, adjusted / np.sqrt(margins), 0.0)
    # Newcombe's formula is for p1 - p2; the change here is p2 - p1, so the bounds swap.
    low = diff - np.sqrt(
        np.maximum((p2 - l2) ** 2 - 2 * phi * (p2 - l2) * (u1 - p1) + (u1 - p1) ** 2, 0.0)
    )
    high = diff + np.sqrt(
        np.maximum((u2 - p2) ** 2 - 2 * phi * (u2 - p2) * (p1 - l1) + (p1 - l1) ** 2, 0.0)
    )
    low, high = _one_sided(low, high, alternative)
    discordant = b + c
    exact = (discordant < _MCNEMAR_EXACT_BELOW) if test == "auto" else np.full(
        a.shape, test == "exact"
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        chi2 = np.where(discordant > 0, (np.abs(b - c) - 1.0) ** 2 / discordant, np.nan)
    if alternative == "two-sided":
        p_value = sps.chi2.sf(chi2, 1)
    else:
        p_value = p_from_z(np.sign(c - b) * np.sqrt(chi2), alternative)
    statistic = chi2.copy()
    df = np.where(exact, np.nan, 1.0)
    for i in np.flatnonzero(exact):
        statistic[i] = np.nan
        if discordant[i] > 0:
            p_value[i] = float(sps.binomtest(int(c[i]), int(discordant[i]), 0.5,
                                             alternative=alternative).pvalue)
    names = np.where(exact, "mcnemar_exact", "mcnemar_chi2")
    tested = discordant > 0
    if mu != 0.0:
        with np.errstate(divide="ignore", invalid="ignore"):
            big_b = (2.0 * n + b - c) * mu - b - c
            q = (np.sqrt(big_b**2 + 8.0 * n * b * mu * (1.0 - mu)) - big_b) / (4.0 * n)
            statistic = (c - b - n * mu) / np.sqrt(n * (2.0 * q + mu * (1.0 - mu)))
        p_value = p_from_z(statistic, alternative)
        df = np.full(a.shape, np.nan)
        names = np.full(a.shape, "tango_score")
        tested = n > 0
    return change_frame(
        a.size,
        design="paired", test=names,
        n=n, n_before=n, n_after=n, mean_before=p1, mean_after=p2, change=diff,
        ci_low=np.where(n > 0, low, np.nan), ci_high=np.where(n > 0, high, np.nan),
        ci_method="newcombe", confidence=level, statistic=statistic, df=df,
        p_value=np.where(tested, p_value, np.nan), alternative=alternative, mu=mu,
        effect_size=_cohen_h(p1, p2), effect_size_name="cohen_h", seed=None,
        note=notes(
            a.size,
            (n == 0, "no pairs"),
            ((n > 0) & ~tested, "nobody changed their answer: no test"),
        ),
    )
