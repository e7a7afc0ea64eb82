"""Correlations between scale scores, each from the people who have both scores."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy import stats as sps

from getting_to_outcomes.errors import ScoringError
from getting_to_outcomes.stats._input import as_item_frame, check_confidence

__all__ = ["CORRELATION_COLUMNS", "score_correlations"]

#: Columns of :func:`score_correlations`.
CORRELATION_COLUMNS: list[str] = [
    "score_a", "score_b", "n", "r", "ci_low", "ci_high", "confidence", "p_value", "note",
]


def score_correlations(scores: Any, *, confidence: float = 0.95) -> pd.DataFrame:
    """Pearson correlations between scores, pair by pair, with their pairwise n.

    Parameters
    ----------
    scores : DataFrame or 2-D array-like
        One column per score (e.g. the scale scores of :func:`score_scale`), one row per
        person; missing scores as NaN. Infinite values are refused.
    confidence : float
        Coverage of the Fisher-z intervals.

    Returns
    -------
    DataFrame
        One row per pair of columns (in column order, each pair once), with columns:

        - ``score_a``, ``score_b``: the two columns.
        - ``n``: people with both scores (pairwise-complete).
        - ``r``: Pearson's correlation over those people.
        - ``ci_low``, ``ci_high``: ``tanh(atanh(r) -/+ z / sqrt(n - 3))`` with ``z`` the
          normal quantile of ``confidence``; NaN when ``n < 4``, and ``r`` itself at
          ``|r| = 1``.
        - ``confidence``: coverage of the interval.
        - ``p_value``: two-sided test of no correlation, ``t = r sqrt((n - 2) / (1 - r^2))``
          with ``n - 2`` degrees of freedom.
        - ``note``: why a value is NaN; missing otherwise.

    Raises
    ------
    ScoringError
        Fewer than two columns, values that are not numbers or are infinite, duplicated
        column names, or a confidence outside (0, 1).

    Notes
    -----
    Pearson (1896) product-moment correlation; the interval is Fisher's (1921) z
    transformation with standard error ``1 / sqrt(n - 3)``, as
    ``scipy.stats.pearsonr(...).confidence_interval()`` and R's ``cor.test``. Each pair
    uses every person with both scores, so ``n`` differs between pairs when scores are
    missing; the table reports it for each pair. With fewer than 2 people, or a score
    without variance among them, ``r`` is NaN with a note.

    Examples
    --------
    >>> import pandas as pd
    >>> scores = pd.DataFrame({"wellbeing": [3.2, 4.0, 2.5, 3.8, 4.4],
    ...                        "confidence": [2.9, 3.7, 2.8, 3.5, None]})
    >>> row = score_correlations(scores).iloc[0]
    >>> row["score_a"], row["score_b"], int(row["n"]), round(float(row["r"]), 3)
    ('wellbeing', 'confidence', 4, 0.94)
    """
    level = check_confidence(confidence)
    frame = as_item_frame(scores, "scores")
    k = frame.shape[1]
    if k < 2:
        raise ScoringError(f"scores must have at least 2 columns to correlate; got {k}")
    values = frame.to_numpy(dtype=np.float64)
    z = float(sps.norm.ppf(0.5 + level / 2.0))
    rows: list[dict[str, Any]] = []
    for i in range(k):
        for j in range(i + 1, k):
            both = ~(np.isnan(values[:, i]) | np.isnan(values[:, j]))
            rows.append(_pair(frame.columns[i], frame.columns[j], values[both, i],
                              values[both, j], z, level))
    return pd.DataFrame(rows, columns=CORRELATION_COLUMNS).astype({"n": np.int64})


def _pair(name_a: Any, name_b: Any, a: Any, b: Any, z: float, level: float
          ) -> dict[str, Any]:
    n = a.size
    row: dict[str, Any] = {
        "score_a": name_a, "score_b": name_b, "n": n, "r": np.nan, "ci_low": np.nan,
        "ci_high": np.nan, "confidence": level, "p_value": np.nan, "note": None,
    }
    if n < 2:
        row["note"] = f"{n} person(s) with both scores: no correlation"
        return row
    # Centred first, so that large scores lose no precision.
    da, db = a - a.mean(), b - b.mean()
    ssa, ssb = float(da @ da), float(db @ db)
    if ssa == 0 or ssb == 0:
        constant = name_a if ssa == 0 else name_b
        row["note"] = f"{constant!r} does not vary among the {n} people: no correlation"
        return row
    r = float(np.clip((da @ db) / np.sqrt(ssa * ssb), -1.0, 1.0))
    row["r"] = r
    if n >= 3:
        if abs(r) == 1.0:
            row["p_value"] = 0.0
        else:
            t = r * np.sqrt((n - 2) / (1.0 - r * r))
            row["p_value"] = float(2.0 * sps.t.sf(abs(t), n - 2))
    if n >= 4:
        if abs(r) == 1.0:
            row["ci_low"] = row["ci_high"] = r
        else:
            half = z / np.sqrt(n - 3.0)
            row["ci_low"] = float(np.tanh(np.arctanh(r) - half))
            row["ci_high"] = float(np.tanh(np.arctanh(r) + half))
    else:
        row["note"] = f"{n} people with both scores: no interval (needs 4)"
        if n == 2:
            row["note"] = "2 people with both scores: no test or interval"
    return row
