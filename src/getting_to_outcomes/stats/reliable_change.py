"""Jacobson-Truax reliable change: who changed by more than measurement error allows."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy import stats as sps

from getting_to_outcomes.errors import ScoringError
from getting_to_outcomes.stats._input import as_vector, check_choice, check_confidence

__all__ = [
    "RCI_CATEGORIES",
    "RELIABLE_CHANGE_COLUMNS",
    "RELIABLE_CHANGE_SUMMARY_COLUMNS",
    "reliable_change",
    "reliable_change_summary",
]

#: The categories of :func:`reliable_change`, in display order.
RCI_CATEGORIES: list[str] = ["improved", "no_reliable_change", "declined"]

#: Columns of :func:`reliable_change`.
RELIABLE_CHANGE_COLUMNS: list[str] = ["before", "after", "change", "rci", "category"]

#: Columns of :func:`reliable_change_summary`.
RELIABLE_CHANGE_SUMMARY_COLUMNS: list[str] = [
    "category", "count", "share", "n", "s_diff", "threshold",
]


def _standard_error_of_difference(
    before: pd.Series, reliability: float, sd_baseline: float | None
) -> float:
    if isinstance(reliability, bool) or not isinstance(reliability, (int, float, np.floating)):
        raise ScoringError(f"reliability must be a number in [0, 1); got {reliability!r}")
    r = float(reliability)
    if np.isnan(r):
        return float("nan")
    if not 0.0 <= r < 1.0:
        raise ScoringError(
            f"reliability must lie in [0, 1) for the reliable change index; got {r:g} "
            "(a negative alpha means the scale does not hang together; 1 would make every "
            "change reliable)"
        )
    if sd_baseline is None:
        values = before.dropna().to_numpy()
        sd = float(values.std(ddof=1)) if values.size >= 2 else float("nan")
    else:
        if isinstance(sd_baseline, bool) or not isinstance(
                sd_baseline, (int, float, np.integer, np.floating)):
            raise ScoringError(f"sd_baseline must be a number >= 0; got {sd_baseline!r}")
        sd = float(sd_baseline)
        if sd < 0 or np.isinf(sd):
            raise ScoringError(f"sd_baseline must be a finite number >= 0; got {sd:g}")
    return float(np.sqrt(2.0) * sd * np.sqrt(1.0 - r))


def reliable_change(
    before: Any,
    after: Any,
    reliability: float,
    *,
    sd_baseline: float | None = None,
    direction: str = "increase",
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Jacobson-Truax reliable change index per person.

    Parameters
    ----------
    before, after : array-like or Series
        Scores of the same people at baseline and now. Two Series are matched on their index;
        otherwise by position.
    reliability : float
        Reliability of the score in [0, 1), e.g. Cronbach's alpha at baseline. NaN gives NaN.
    sd_baseline : float, optional
        Standard deviation of the baseline scores (e.g. of a reference population); defaults
        to the sample sd of every non-missing ``before`` value. NaN (unknown) gives NaN.
    direction : {"increase", "decrease"}
        Which way is good for this indicator, so ``"improved"`` means better, not higher.
    confidence : float
        Two-sided level of the threshold: ``|RCI|`` above ``z(1 - (1 - confidence) / 2)``
        (1.96 by default) is reliable.

    Returns
    -------
    DataFrame
        One row per person (with the input index when Series were given):

        - ``before``, ``after``, ``change`` (``after - before``).
        - ``rci``: ``change / S_diff``.
        - ``category``: ``"improved"``, ``"no_reliable_change"`` or ``"declined"``; missing
          when a score or the reliability is missing.

    Raises
    ------
    ScoringError
        Reliability outside [0, 1), a negative or infinite ``sd_baseline``, an infinite
        score, or before and after of different lengths.

    Notes
    -----
    Jacobson & Truax (1991): ``S_E = SD * sqrt(1 - r)``, ``S_diff = sqrt(2 * S_E**2)
    = sqrt(2) * SD * sqrt(1 - r)`` and ``RCI = (after - before) / S_diff``. When
    ``S_diff`` is zero (no baseline variance) every RCI is NaN.

    References
    ----------
    Jacobson, N. S., & Truax, P. (1991). Clinical significance: a statistical approach to
    defining meaningful change in psychotherapy research. *Journal of Consulting and Clinical
    Psychology*, 59, 12-19.

    Examples
    --------
    >>> out = reliable_change([2.0, 3.0, 4.0, 3.0], [4.0, 3.2, 2.0, 3.0], reliability=0.8)
    >>> out["category"].tolist()
    ['improved', 'no_reliable_change', 'declined', 'no_reliable_change']
    """
    check_choice("direction", direction, ("increase", "decrease"))
    level = check_confidence(confidence)
    b_in, a_in = before, after
    if isinstance(b_in, pd.Series) and isinstance(a_in, pd.Series):
        if b_in.index.has_duplicates or a_in.index.has_duplicates:
            raise ScoringError("before and after are matched on their index, which must not repeat")
        b_in, a_in = b_in.align(a_in, join="outer")
    # Per person: a missing score gives a missing category (nobody at all: an empty table).
    b = as_vector(b_in, "before", require_value=False)
    a = as_vector(a_in, "after", require_value=False)
    if len(b) != len(a):
        raise ScoringError(
            f"before and after must hold one score per person; got {len(b)} and {len(a)}"
        )
    a.index = b.index
    s_diff = _standard_error_of_difference(b, reliability, sd_baseline)
    change = a - b
    with np.errstate(divide="ignore", invalid="ignore"):
        rci = change / s_diff if s_diff > 0 else change * np.nan
    threshold = float(sps.norm.ppf(0.5 + level / 2.0))
    good = rci if direction == "increase" else -rci
    category = pd.Series(pd.NA, index=b.index, dtype="object")
    known = good.notna()
    category[known & (good > threshold)] = "improved"
    category[known & (good < -threshold)] = "declined"
    category[known & (good.abs() <= threshold)] = "no_reliable_change"
    return pd.DataFrame(
        {"before": b, "after": a, "change": change, "rci": rci, "category": category},
        columns=RELIABLE_CHANGE_COLUMNS,
    )


def reliable_change_summary(
    before: Any,
    after: Any,
    reliability: float,
    *,
    sd_baseline: float | None = None,
    direction: str = "increase",
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Shares of people who improved, did not change reliably, or declined.

    Parameters are those of :func:`reliable_change`.

    Returns
    -------
    DataFrame
        Three rows in the order of :data:`RCI_CATEGORIES`, with columns:

        - ``category``: ``"improved"``, ``"no_reliable_change"``, ``"declined"``.
        - ``count``: people in the category.
        - ``share``: ``count / n`` (NaN when ``n = 0``).
        - ``n``: people with both scores and a defined RCI.
        - ``s_diff``: the standard error of the difference used.
        - ``threshold``: the critical ``|RCI|`` (1.96 for 95%).

    Examples
    --------
    >>> out = reliable_change_summary([2, 3, 4, 3], [4, 3.2, 2, 3], reliability=0.8)
    >>> out[["category", "count"]].to_dict("list")
    {'category': ['improved', 'no_reliable_change', 'declined'], 'count': [1, 2, 1]}
    """
    table = reliable_change(
        before, after, reliability, sd_baseline=sd_baseline, direction=direction,
        confidence=confidence,
    )
    counts = table["category"].value_counts()
    n = int(table["category"].notna().sum())
    level = check_confidence(confidence)
    s_diff = _standard_error_of_difference(table["before"], reliability, sd_baseline)
    rows = []
    for cat in RCI_CATEGORIES:
        count = int(counts.get(cat, 0))
        rows.append(
            {
                "category": cat,
                "count": count,
                "share": count / n if n else float("nan"),
                "n": n,
                "s_diff": s_diff,
                "threshold": float(sps.norm.ppf(0.5 + level / 2.0)),
            }
        )
    return pd.DataFrame(rows, columns=RELIABLE_CHANGE_SUMMARY_COLUMNS)
