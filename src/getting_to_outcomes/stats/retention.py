"""Attrition between baseline and follow-up, judged as the What Works Clearinghouse does.

Overall and differential attrition against the WWC attrition boundaries, and the baseline
equivalence of the people who stayed and those who left as a standardized difference.
"""

from __future__ import annotations

from importlib import resources
from typing import Any

import numpy as np
import pandas as pd

from getting_to_outcomes.errors import ScoringError
from getting_to_outcomes.stats._input import (
    FloatArray,
    as_counts,
    as_vector,
    broadcast_float,
    check_at_most,
    check_choice,
    check_finite,
    check_moments,
)

__all__ = [
    "ATTRITION_COLUMNS",
    "EQUIVALENCE_COLUMNS",
    "EQUIVALENCE_COUNT_COLUMNS",
    "WWC_ATTRITION_BOUNDARIES",
    "attrition",
    "baseline_equivalence",
    "baseline_equivalence_from_counts",
    "baseline_equivalence_from_moments",
]

#: The WWC attrition boundaries: for each overall attrition (whole percent, 0-65), the
#: highest differential attrition (percentage points) that is still low attrition under the
#: ``cautious`` and the ``optimistic`` assumption (missing: high at any differential).
#: Source: What Works Clearinghouse, *Standards Handbook*, Version 4.1 (2020), Table II.1,
#: shipped as ``stats/data/wwc_attrition_boundaries.csv``; its README says how the numbers
#: were checked (against the copy in the R package baselinr, not the handbook itself).
WWC_ATTRITION_BOUNDARIES: pd.DataFrame = pd.read_csv(
    resources.files("getting_to_outcomes.stats").joinpath(
        "data/wwc_attrition_boundaries.csv").open(encoding="utf-8"))

#: Columns of :func:`attrition`.
ATTRITION_COLUMNS: list[str] = [
    "n_baseline", "n_retained", "attrition", "comparison_n_baseline",
    "comparison_n_retained", "comparison_attrition", "overall_attrition",
    "differential_attrition", "assumption", "boundary", "rating",
]

#: Columns of :func:`baseline_equivalence` and :func:`baseline_equivalence_from_moments`.
EQUIVALENCE_COLUMNS: list[str] = [
    "n_stayed", "n_left", "mean_stayed", "mean_left", "difference", "pooled_sd",
    "hedges_g", "equivalence", "note",
]

#: Columns of :func:`baseline_equivalence_from_counts`.
EQUIVALENCE_COUNT_COLUMNS: list[str] = [
    "n_stayed", "n_left", "share_stayed", "share_left", "difference", "cox_index",
    "equivalence", "note",
]

_ASSUMPTIONS = ("cautious", "optimistic")
# The Cox index puts a log odds ratio on the scale of a standardized mean difference: the
# logistic distribution's sd is pi / sqrt(3) ~ 1.81, and 1.65 is Cox's (1970) factor.
_COX = 1.65
# WWC baseline equivalence (Handbook 4.1, section II.D): |g| <= 0.05 satisfies it, up to
# 0.25 only with a statistical adjustment for the baseline measure, beyond that it fails.
_SATISFIED, _ADJUST = 0.05, 0.25


def _boundary(overall_percent: FloatArray, assumption: str) -> FloatArray:
    table = WWC_ATTRITION_BOUNDARIES
    column = table[assumption].to_numpy(dtype=np.float64)
    # WWC reads the table at overall attrition rounded to a whole percent (half up).
    row = np.floor(overall_percent + 0.5 + 1e-9)
    inside = (row >= 0) & (row <= table["overall"].max())
    out = np.full(overall_percent.shape, np.nan)
    out[inside] = column[row[inside].astype(np.int64)]
    return out


def attrition(
    n_baseline: Any,
    n_retained: Any,
    comparison_n_baseline: Any,
    comparison_n_retained: Any,
    *,
    assumption: str = "cautious",
) -> pd.DataFrame:
    """Overall and differential attrition of a group against a comparison group, WWC-rated.

    Parameters
    ----------
    n_baseline, n_retained : int or array-like
        People in the group at baseline, and those of them measured again at follow-up.
    comparison_n_baseline, comparison_n_retained : int or array-like
        The same for the comparison group (e.g. the rest of the network).
    assumption : {"cautious", "optimistic"}
        The WWC boundary: ``"cautious"`` when leaving could be related to the programme (the
        WWC's choice when in doubt), ``"optimistic"`` when it is unlikely to be.

    Returns
    -------
    DataFrame
        One row per group, columns :data:`ATTRITION_COLUMNS`: the counts; ``attrition``
        and ``comparison_attrition`` (``1 - retained / baseline``); ``overall_attrition``
        (of both groups together); ``differential_attrition`` (``attrition -
        comparison_attrition``, signed); ``assumption``; ``boundary`` (the highest absolute
        differential, as a share, that is low attrition at this overall attrition; NaN
        beyond the table) and ``rating`` (``"low"`` or ``"high"``; missing without anyone at
        baseline).

    Raises
    ------
    ScoringError
        Counts that are not whole numbers >= 0, more people retained than at baseline, or
        an unknown assumption.

    Notes
    -----
    What Works Clearinghouse, *Standards Handbook*, Version 4.1 (2020), section II.B and
    Table II.1 (said to be unchanged in Version 5.0, not checked): attrition is low when the
    absolute differential attrition is at most the boundary for the overall attrition,
    rounded to a whole percent; the table is :data:`WWC_ATTRITION_BOUNDARIES`. Overall
    attrition beyond the table (above 65%, or 58% under the cautious assumption) is high.

    Examples
    --------
    >>> row = attrition(200, 170, 400, 352).iloc[0]
    >>> round(float(row["attrition"]), 3), round(float(row["differential_attrition"]), 3)
    (0.15, 0.03)
    >>> row["boundary"], row["rating"]
    (np.float64(0.061), 'low')
    """
    check_choice("assumption", assumption, _ASSUMPTIONS)
    b1, r1, b2, r2 = as_counts(n_baseline=n_baseline, n_retained=n_retained,
                               comparison_n_baseline=comparison_n_baseline,
                               comparison_n_retained=comparison_n_retained)
    check_at_most("n_retained", r1, "n_baseline", b1)
    check_at_most("comparison_n_retained", r2, "comparison_n_baseline", b2)
    with np.errstate(divide="ignore", invalid="ignore"):
        a1 = np.where(b1 > 0, 1.0 - r1 / b1, np.nan)
        a2 = np.where(b2 > 0, 1.0 - r2 / b2, np.nan)
        overall = np.where(b1 + b2 > 0, 1.0 - (r1 + r2) / (b1 + b2), np.nan)
    differential = a1 - a2
    boundary = _boundary(overall * 100.0, assumption) / 100.0
    # Differential attrition with no comparison is taken as 0: overall attrition alone.
    gap = np.abs(np.where(np.isnan(differential), 0.0, differential))
    low = gap <= np.where(np.isnan(boundary), -1.0, boundary) + 1e-9
    rating = [None if np.isnan(o) else ("low" if ok else "high")
              for o, ok in zip(overall, low, strict=True)]
    return pd.DataFrame({
        "n_baseline": b1.astype(np.int64), "n_retained": r1.astype(np.int64),
        "attrition": a1, "comparison_n_baseline": b2.astype(np.int64),
        "comparison_n_retained": r2.astype(np.int64), "comparison_attrition": a2,
        "overall_attrition": overall, "differential_attrition": differential,
        "assumption": assumption, "boundary": boundary, "rating": rating,
    }, columns=ATTRITION_COLUMNS)


def _hedges_j(df: FloatArray) -> FloatArray:
    from scipy import special

    with np.errstate(invalid="ignore"):
        safe = np.where(df > 1, df, np.nan)
        j: FloatArray = np.exp(special.gammaln(safe / 2.0) - 0.5 * np.log(safe / 2.0)
                               - special.gammaln((safe - 1.0) / 2.0))
    return j


def baseline_equivalence_from_moments(
    n_all: Any, sum_all: Any, sumsq_all: Any, n_stayed: Any, sum_stayed: Any,
) -> pd.DataFrame:
    """Baseline difference of the people who stayed and those who left, from sums.

    Parameters
    ----------
    n_all, sum_all, sumsq_all : array-like
        Count, sum and sum of squares of everyone's baseline values.
    n_stayed, sum_stayed : array-like
        Count and sum of the baseline values of the people measured again later. Those who
        left are the rest.

    Returns
    -------
    DataFrame
        One row per group, columns :data:`EQUIVALENCE_COLUMNS`, as
        :func:`baseline_equivalence`.

    Raises
    ------
    ScoringError
        Moments no data could have, or more people who stayed than people at baseline.

    Notes
    -----
    The within-group sum of squares is the total one less the between-group part,
    ``SS_w = SS - n_s n_l / n (m_s - m_l)^2``, so the pooled standard deviation and Hedges'
    ``g`` follow from the sums alone (see :func:`baseline_equivalence`).

    Examples
    --------
    >>> stayed, left = [3.0, 4.0, 5.0, 4.0], [2.0, 3.0]
    >>> allv = stayed + left
    >>> row = baseline_equivalence_from_moments(
    ...     6, sum(allv), sum(v * v for v in allv), 4, sum(stayed)).iloc[0]
    >>> round(float(row["hedges_g"]), 3), row["equivalence"]
    (1.514, 'not satisfied')
    """
    n, s, ss, ns, s_s = (np.atleast_1d(a) for a in broadcast_float(
        n_all=n_all, sum_all=sum_all, sumsq_all=sumsq_all, n_stayed=n_stayed,
        sum_stayed=sum_stayed))
    check_moments(n, s, ss, ("n_all", "sum_all", "sumsq_all"))
    as_counts(n_stayed=ns)
    check_at_most("n_stayed", ns, "n_all", n)
    check_finite("sum_stayed", s_s)
    if (np.isnan(s_s) & (ns > 0)).any():
        raise ScoringError("sum_stayed is missing where n_stayed > 0: the sum of the baseline "
                           "values of the people who stayed must be given")
    nl = n - ns
    with np.errstate(divide="ignore", invalid="ignore"):
        ms = np.where(ns > 0, s_s / ns, np.nan)
        ml = np.where(nl > 0, (s - s_s) / nl, np.nan)
        between = ns * nl / n * (ms - ml) ** 2
        within = np.maximum(ss - s * s / n - between, 0.0)
        sd = np.where(n > 2, np.sqrt(within / (n - 2.0)), np.nan)
    return _equivalence_frame(ns, nl, ms, ml, sd)


def baseline_equivalence(stayed: Any, left: Any) -> pd.DataFrame:
    """Baseline difference of the people who stayed and those who left, as Hedges' g.

    Parameters
    ----------
    stayed : array-like
        Baseline values of the people measured again at follow-up.
    left : array-like
        Baseline values of the people who were not. Missing values are left out; infinite
        ones are refused.

    Returns
    -------
    DataFrame
        One row, columns :data:`EQUIVALENCE_COLUMNS`: ``n_stayed``, ``n_left``,
        ``mean_stayed``, ``mean_left``, ``difference`` (stayed minus left), ``pooled_sd``,
        ``hedges_g`` and ``equivalence``: ``"satisfied"`` (``|g| <= 0.05``),
        ``"adjustment required"`` (up to 0.25: the analysis must adjust for the baseline
        value) or ``"not satisfied"``; missing with a ``note`` when a group is empty or
        there is no spread.

    Notes
    -----
    Hedges' ``g = J (m_s - m_l) / s_p`` with the pooled sd
    ``s_p = sqrt(((n_s - 1) v_s + (n_l - 1) v_l) / (n_s + n_l - 2))`` and
    ``J = Gamma(m/2) / (sqrt(m/2) Gamma((m - 1)/2))``, ``m = n_s + n_l - 2`` (Hedges 1981).
    Thresholds: What Works Clearinghouse, *Procedures and Standards Handbook*, Version 4.1
    (2020), baseline equivalence (0.05 and 0.25 standard deviations). People who stay and
    people who leave are not randomized groups; a large difference says that the people
    still measured are no longer like those who started.

    Examples
    --------
    >>> row = baseline_equivalence([3.0, 4.0, 5.0, 4.0], [2.0, 3.0]).iloc[0]
    >>> round(float(row["hedges_g"]), 3), row["equivalence"]
    (1.514, 'not satisfied')
    """
    a = as_vector(stayed, "stayed", require_value=False).to_numpy()
    b = as_vector(left, "left", require_value=False).to_numpy()
    a, b = a[~np.isnan(a)], b[~np.isnan(b)]
    both = np.concatenate([a, b])
    if both.size == 0:
        raise ScoringError("stayed and left hold no value; there is nothing to compare")
    ns, nl = np.array([float(a.size)]), np.array([float(b.size)])
    ms = np.array([a.mean() if a.size else np.nan])
    ml = np.array([b.mean() if b.size else np.nan])
    ss_w = ((a - a.mean()) ** 2).sum() if a.size else 0.0
    ss_w += ((b - b.mean()) ** 2).sum() if b.size else 0.0
    n = a.size + b.size
    sd = np.array([np.sqrt(ss_w / (n - 2.0)) if n > 2 else np.nan])
    return _equivalence_frame(ns, nl, ms, ml, sd)


def baseline_equivalence_from_counts(
    n_all: Any, yes_all: Any, n_stayed: Any, yes_stayed: Any,
) -> pd.DataFrame:
    """Baseline difference of the people who stayed and those who left, for a yes/no value.

    Parameters
    ----------
    n_all, yes_all : int or array-like
        Everyone with a baseline value, and those of them with a yes (a success).
    n_stayed, yes_stayed : int or array-like
        The same for the people measured again later. Those who left are the rest.

    Returns
    -------
    DataFrame
        One row per group, columns :data:`EQUIVALENCE_COUNT_COLUMNS`: ``n_stayed``,
        ``n_left``, ``share_stayed``, ``share_left`` (the shares of yes at baseline),
        ``difference`` (stayed minus left), ``cox_index`` and ``equivalence`` (the WWC
        verdict, as :func:`baseline_equivalence`); missing with a ``note`` when a group is
        empty or a share is 0 or 1 (no log odds).

    Raises
    ------
    ScoringError
        Counts that are not whole numbers >= 0, more yes than people, more people who
        stayed than people at baseline, or more yes among them than among everyone.

    Notes
    -----
    The Cox index, which the What Works Clearinghouse uses for yes/no characteristics
    (*Procedures Handbook*, Version 4.1, 2020, on effect sizes for dichotomous outcomes):
    ``d_Cox = (ln(p_s / (1 - p_s)) - ln(p_l / (1 - p_l))) / 1.65``, with ``p_s`` and ``p_l``
    the shares of yes among those who stayed and those who left. It is judged by the same
    0.05 and 0.25 thresholds as Hedges' ``g``. No small-sample correction is applied, as the
    R package baselinr reads the handbook; some analysts multiply by Hedges' correction
    ``1 - 3 / (4 n - 9)`` as well, which changes the index by under 1% from 80 people.
    Cox (1970), *The Analysis of Binary Data*.

    Examples
    --------
    >>> row = baseline_equivalence_from_counts(100, 40, 80, 36).iloc[0]
    >>> float(row["share_stayed"]), float(row["share_left"])
    (0.45, 0.2)
    >>> round(float(row["cox_index"]), 3), row["equivalence"]
    (0.719, 'not satisfied')
    """
    n, y, ns, ys = (np.atleast_1d(a) for a in as_counts(
        n_all=n_all, yes_all=yes_all, n_stayed=n_stayed, yes_stayed=yes_stayed))
    check_at_most("yes_all", y, "n_all", n)
    check_at_most("n_stayed", ns, "n_all", n)
    check_at_most("yes_stayed", ys, "n_stayed", ns)
    check_at_most("yes_stayed", ys, "yes_all", y)
    nl, yl = n - ns, y - ys
    too_many = yl > nl
    if too_many.any():
        at = int(np.flatnonzero(too_many)[0])
        raise ScoringError(
            f"yes_all - yes_stayed ({yl[at]:g}) cannot exceed n_all - n_stayed ({nl[at]:g}) "
            f"at position {at}: more yes among those who left than people who left")
    with np.errstate(divide="ignore", invalid="ignore"):
        ps = np.where(ns > 0, ys / ns, np.nan)
        pl = np.where(nl > 0, yl / nl, np.nan)
        defined = (ps > 0) & (ps < 1) & (pl > 0) & (pl < 1)
        cox = np.where(defined, (np.log(ps / (1 - ps)) - np.log(pl / (1 - pl))) / _COX,
                       np.nan)
    notes = _comparison_notes(ns, nl, defined, "a share of 0 or 1: no log odds, no Cox index")
    return pd.DataFrame({
        "n_stayed": ns.astype(np.int64), "n_left": nl.astype(np.int64), "share_stayed": ps,
        "share_left": pl, "difference": ps - pl, "cox_index": cox,
        "equivalence": _verdicts(cox), "note": notes,
    }, columns=EQUIVALENCE_COUNT_COLUMNS)


def _comparison_notes(
    ns: FloatArray, nl: FloatArray, comparable: np.ndarray, why_not: str
) -> list[str | None]:
    """The note of each comparison of stayers and leavers (``None`` where it was made)."""
    notes: list[str | None] = []
    for s_n, l_n, ok in zip(ns, nl, comparable, strict=True):
        if s_n == 0:
            notes.append("nobody stayed: no comparison")
        elif l_n == 0:
            notes.append("nobody left: no comparison")
        else:
            notes.append(None if ok else why_not)
    return notes


def _verdicts(size: FloatArray) -> list[str | None]:
    """The WWC verdict of each standardized difference (missing where it is)."""
    return [None if np.isnan(v) else "satisfied" if abs(v) <= _SATISFIED + 1e-12
            else "adjustment required" if abs(v) <= _ADJUST + 1e-12 else "not satisfied"
            for v in size]


def _equivalence_frame(ns: FloatArray, nl: FloatArray, ms: FloatArray, ml: FloatArray,
                       sd: FloatArray) -> pd.DataFrame:
    diff = ms - ml
    with np.errstate(divide="ignore", invalid="ignore"):
        g = np.where(sd > 0, diff / sd, np.nan) * _hedges_j(ns + nl - 2.0)
    verdict = _verdicts(g)
    notes = _comparison_notes(
        ns, nl, sd > 0, "no spread at baseline (or fewer than 3 people): no standardized difference"
    )
    return pd.DataFrame({
        "n_stayed": ns.astype(np.int64), "n_left": nl.astype(np.int64), "mean_stayed": ms,
        "mean_left": ml, "difference": diff, "pooled_sd": sd, "hedges_g": g,
        "equivalence": verdict, "note": notes,
    }, columns=EQUIVALENCE_COLUMNS)
