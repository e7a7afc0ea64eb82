"""Planning the next wave: minimum detectable effects and the sample sizes they need.

Bloom's (1995) minimum detectable effect in standard-deviation units, for a paired design
(the same people twice), two independent groups, and a two-level cluster-randomized design
with people nested in grantees (as PowerUp!'s ``CRA2_2r``, without covariates).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats as sps

from getting_to_outcomes.errors import ScoringError
from getting_to_outcomes.stats._common import ALTERNATIVES
from getting_to_outcomes.stats._input import check_choice

__all__ = ["MDE_COLUMNS", "SAMPLE_SIZE_COLUMNS", "minimum_detectable_effect", "sample_size"]

#: Columns of :func:`minimum_detectable_effect`.
MDE_COLUMNS: list[str] = [
    "design", "alternative", "alpha", "power", "n", "n_clusters", "cluster_size", "icc",
    "share_treated", "df", "multiplier", "mde",
]

#: Columns of :func:`sample_size`: those of :data:`MDE_COLUMNS`, then the effect aimed at,
#: the expected attrition and the people (or clusters) to recruit.
SAMPLE_SIZE_COLUMNS: list[str] = [*MDE_COLUMNS, "effect", "attrition", "to_recruit"]

_DESIGNS = ("paired", "independent", "clustered")
# The smallest sample with at least one degree of freedom: n - 1, n - 2 and J - 2.
_SMALLEST = {"paired": 2, "independent": 3, "clustered": 3}


def _scalar(name: str, value: Any) -> float:
    """A finite number from a Python or numpy scalar (or a 0-d array), else ScoringError."""
    if isinstance(value, bool):
        raise ScoringError(f"{name} must be a number; got {value!r}")
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ScoringError(f"{name} must be a number; got {value!r}") from exc
    if array.size != 1:
        raise ScoringError(f"{name} must be one number; got {array.size} values")
    number = float(array.reshape(-1)[0])
    if math.isnan(number):
        raise ScoringError(f"{name} is missing (NaN); it must be given")
    if math.isinf(number):
        raise ScoringError(f"{name} must be finite; got {number:g}")
    return number


def _count(name: str, value: Any, smallest: int) -> int:
    number = _scalar(name, value)
    if number != round(number) or number < 0:
        raise ScoringError(f"{name} must be a count, a whole number >= 0; got {number:g}")
    if number < smallest:
        raise ScoringError(f"{name} must be at least {smallest}; got {number:g}")
    return int(number)


def _share(name: str, value: Any, *, open_low: bool, open_high: bool) -> float:
    number = _scalar(name, value)
    low_bad = number <= 0 if open_low else number < 0
    high_bad = number >= 1 if open_high else number > 1
    if low_bad or high_bad:
        interval = f"{'(' if open_low else '['}0, 1{')' if open_high else ']'}"
        raise ScoringError(f"{name} must lie between 0 and 1, in {interval}; got {number:g}")
    return number


def _multiplier(df: float, alpha: float, power: float, alternative: str) -> float:
    """Bloom's multiplier ``M = t(1 - alpha / tails; df) + t(power; df)``."""
    tail = alpha / 2.0 if alternative == "two-sided" else alpha
    return float(sps.t.ppf(1.0 - tail, df) + sps.t.ppf(power, df))


def _design_terms(design: str, n: int, n_clusters: int | None, cluster_size: int | None,
                  icc: float | None, share: float) -> tuple[float, float]:
    """Degrees of freedom and the variance factor of the standardized effect estimate."""
    if design == "paired":
        return n - 1.0, 1.0 / n
    weight = share * (1.0 - share)
    if design == "independent":
        return n - 2.0, 1.0 / (weight * n)
    assert n_clusters is not None
    assert cluster_size is not None
    assert icc is not None
    factor = icc / (weight * n_clusters) + (1.0 - icc) / (weight * n_clusters * cluster_size)
    return n_clusters - 2.0, factor


def _check_common(design: str, alpha: Any, power: Any, alternative: str, share: Any
                  ) -> tuple[float, float, float]:
    check_choice("design", design, _DESIGNS)
    check_choice("alternative", alternative, ALTERNATIVES)
    a = _share("alpha", alpha, open_low=True, open_high=True)
    p = _share("power", power, open_low=True, open_high=True)
    if p <= a / (2.0 if alternative == "two-sided" else 1.0):
        raise ScoringError(
            f"power ({p:g}) must exceed the chance of a false positive in the tested "
            f"direction ({a:g}); e.g. power=0.8 with alpha=0.05")
    s = _share("share_treated", share, open_low=True, open_high=True)
    return a, p, s


def _clusters(n_clusters: Any, cluster_size: Any, icc: Any, *, need_clusters: bool
              ) -> tuple[int | None, int, float]:
    if cluster_size is None or icc is None or (need_clusters and n_clusters is None):
        needed = "n_clusters, cluster_size and icc" if need_clusters else "cluster_size and icc"
        raise ScoringError(f"design='clustered' needs {needed}")
    size = _count("cluster_size", cluster_size, 1)
    rho = _share("icc", icc, open_low=False, open_high=False)
    clusters = _count("n_clusters", n_clusters, 3) if need_clusters else None
    return clusters, size, rho


def minimum_detectable_effect(
    n: Any = None,
    *,
    design: str = "paired",
    n_clusters: Any = None,
    cluster_size: Any = None,
    icc: Any = None,
    share_treated: Any = 0.5,
    alpha: Any = 0.05,
    power: Any = 0.8,
    alternative: str = "two-sided",
) -> pd.DataFrame:
    """The smallest true effect a design detects with the given power, in sd units.

    Parameters
    ----------
    n : int
        ``"paired"``: people measured twice (pairs). ``"independent"``: people in both groups
        together. Not used for ``"clustered"`` (it is ``n_clusters * cluster_size``).
    design : {"paired", "independent", "clustered"}
        The same people before and after; two independent groups (e.g. a comparison group,
        or successive cohorts); or a two-level cluster-randomized design, people nested in
        grantees with whole grantees treated or not.
    n_clusters, cluster_size : int
        ``"clustered"`` only: grantees ``J`` and people per grantee ``m``.
    icc : float
        ``"clustered"`` only: intraclass correlation ``rho`` in [0, 1] (the share of the
        outcome's variance between grantees; :func:`clustered_mean` estimates it).
    share_treated : float
        ``P``: share of people (``"independent"``) or of grantees (``"clustered"``) in the
        treated or current group; 0.5 gives the smallest effect.
    alpha : float
        Significance level of the test.
    power : float
        Chance of detecting an effect of the size returned.
    alternative : {"two-sided", "greater", "less"}
        Two-sided or one-sided test.

    Returns
    -------
    DataFrame
        One row with the columns of :data:`MDE_COLUMNS`: ``design``, ``alternative``,
        ``alpha``, ``power``, ``n`` (people analysed), ``n_clusters``, ``cluster_size`` and
        ``icc`` (NaN unless clustered), ``share_treated`` (NaN for paired), ``df``,
        ``multiplier`` ``M`` and ``mde``: the minimum detectable effect in standard
        deviations (of the differences for paired: Cohen's ``d_z``; of the outcome for the
        other designs: Cohen's ``d``).

    Raises
    ------
    ScoringError
        An unknown design or alternative, a size that is not a whole number or leaves no
        degree of freedom, a share or probability outside its range, power not above the
        false-positive rate, or a clustered design without its cluster size and ICC.

    Notes
    -----
    Bloom (1995): ``MDE = M * SE`` with ``M = t(1 - alpha/2; df) + t(power; df)`` (``alpha``
    instead of ``alpha/2`` one-sided), the multiplier of the t distribution with the design's
    degrees of freedom, and ``SE`` the standard error of the standardized effect:

    - paired: ``SE = sqrt(1 / n)``, ``df = n - 1``;
    - independent: ``SE = sqrt(1 / (P (1 - P) n))``, ``df = n - 2``;
    - clustered (PowerUp!'s ``CRA2_2r`` without covariates; Dong & Maynard 2013):
      ``SE = sqrt(rho / (P (1 - P) J) + (1 - rho) / (P (1 - P) J m))``, ``df = J - 2``.

    With ``P = 0.5`` the factor ``1 / (P (1 - P))`` is 4. The multiplier approximates the
    power of the noncentral t test; it is the convention of Bloom and PowerUp!.

    References
    ----------
    Bloom, H. S. (1995). Minimum detectable effects: A simple way to report the statistical
    power of experimental designs. *Evaluation Review*, 19(5), 547-556.
    Dong, N., & Maynard, R. (2013). PowerUp!: A tool for calculating minimum detectable
    effect sizes and minimum required sample sizes for experimental and quasi-experimental
    design studies. *Journal of Research on Educational Effectiveness*, 6(1), 24-67.

    Examples
    --------
    >>> row = minimum_detectable_effect(64, design="independent").iloc[0]
    >>> round(float(row["multiplier"]), 3), round(float(row["mde"]), 3)
    (2.846, 0.712)
    >>> row = minimum_detectable_effect(design="clustered", n_clusters=20, cluster_size=15,
    ...                                 icc=0.1).iloc[0]
    >>> round(float(row["mde"]), 3)
    0.53
    """
    a, p, share = _check_common(design, alpha, power, alternative, share_treated)
    clusters: int | None = None
    size: int | None = None
    rho: float | None = None
    if design == "clustered":
        clusters, size, rho = _clusters(n_clusters, cluster_size, icc, need_clusters=True)
        assert clusters is not None
        people = clusters * size
    else:
        if n is None:
            raise ScoringError(f"design={design!r} needs n, the people analysed")
        people = _count("n", n, _SMALLEST[design])
    return pd.DataFrame([_row(design, alternative, a, p, people, clusters, size, rho, share)],
                        columns=MDE_COLUMNS)


def _row(design: str, alternative: str, alpha: float, power: float, n: int,
         clusters: int | None, size: int | None, icc: float | None, share: float
         ) -> dict[str, Any]:
    df, factor = _design_terms(design, n, clusters, size, icc, share)
    m = _multiplier(df, alpha, power, alternative)
    return {
        "design": design, "alternative": alternative, "alpha": alpha, "power": power,
        "n": n, "n_clusters": np.nan if clusters is None else float(clusters),
        "cluster_size": np.nan if size is None else float(size),
        "icc": np.nan if icc is None else icc,
        "share_treated": np.nan if design == "paired" else share,
        "df": df, "multiplier": m, "mde": m * math.sqrt(factor),
    }


def sample_size(
    effect: Any,
    *,
    design: str = "paired",
    cluster_size: Any = None,
    icc: Any = None,
    share_treated: Any = 0.5,
    alpha: Any = 0.05,
    power: Any = 0.8,
    alternative: str = "two-sided",
    attrition: Any = 0.0,
) -> pd.DataFrame:
    """The smallest sample whose minimum detectable effect is at most ``effect``.

    Parameters
    ----------
    effect : float
        The effect to detect, in standard deviations (> 0): ``d_z`` for paired, ``d``
        otherwise.
    design : {"paired", "independent", "clustered"}
        As :func:`minimum_detectable_effect`.
    cluster_size : int
        ``"clustered"`` only: people per grantee; the number of grantees is solved for.
    icc : float
        ``"clustered"`` only: intraclass correlation in [0, 1].
    share_treated, alpha, power, alternative
        As :func:`minimum_detectable_effect`.
    attrition : float
        Expected share in [0, 1) of people (grantees, when clustered) lost before the
        follow-up; the sample to recruit is the sample needed divided by ``1 - attrition``,
        rounded up.

    Returns
    -------
    DataFrame
        One row with the columns of :data:`SAMPLE_SIZE_COLUMNS`: the columns of
        :func:`minimum_detectable_effect` for the sample found (``n`` pairs or people,
        ``n_clusters`` grantees when clustered, and its ``mde``, at most ``effect``), then
        ``effect``, ``attrition`` and ``to_recruit`` (people, or grantees when clustered).

    Raises
    ------
    ScoringError
        An effect that is not a positive number, attrition outside [0, 1), or any input
        :func:`minimum_detectable_effect` refuses.

    Notes
    -----
    The minimum detectable effect falls as the sample grows, so the answer is the smallest
    whole ``n`` (or ``J``) with ``MDE(n) <= effect``, found by bisection on the formulas of
    :func:`minimum_detectable_effect` (Bloom 1995; PowerUp!'s ``CRA2_2r`` for clustered).
    In a clustered design more people per grantee cannot bring the MDE below
    ``M sqrt(rho / (P (1 - P) J))``: past a point only more grantees help.

    Examples
    --------
    >>> sample_size(0.5, design="paired")[["n", "mde"]].round(3).to_dict("records")
    [{'n': 34, 'mde': 0.495}]
    >>> row = sample_size(0.3, design="clustered", cluster_size=20, icc=0.05,
    ...                   attrition=0.1).iloc[0]
    >>> int(row["n_clusters"]), int(row["to_recruit"])
    (37, 42)
    """
    a, p, share = _check_common(design, alpha, power, alternative, share_treated)
    target = _scalar("effect", effect)
    if target <= 0:
        raise ScoringError(f"effect must be a positive number of standard deviations; got "
                           f"{target:g}")
    lost = _share("attrition", attrition, open_low=False, open_high=True)
    size: int | None = None
    rho: float | None = None
    if design == "clustered":
        _, size, rho = _clusters(None, cluster_size, icc, need_clusters=False)

    def mde(count: int) -> dict[str, Any]:
        if design == "clustered":
            assert size is not None
            return _row(design, alternative, a, p, count * size, count, size, rho, share)
        return _row(design, alternative, a, p, count, None, None, None, share)

    low = _SMALLEST[design]
    if mde(low)["mde"] <= target:
        best = mde(low)
    else:
        high = low * 2
        while mde(high)["mde"] > target:
            high *= 2
            if high > 2**40:
                raise ScoringError(f"effect {target:g} is out of reach of any sample of this "
                                   "design")
        while high - low > 1:
            middle = (low + high) // 2
            if mde(middle)["mde"] <= target:
                high = middle
            else:
                low = middle
        best = mde(high)
    found = best["n_clusters"] if design == "clustered" else best["n"]
    best.update(effect=target, attrition=lost,
                to_recruit=math.ceil(round(found / (1.0 - lost), 9)))
    return pd.DataFrame([best], columns=SAMPLE_SIZE_COLUMNS)
