"""Scale scores and their internal consistency: Cronbach's alpha with a Feldt interval."""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats as sps

from getting_to_outcomes.errors import ScoringError, did_you_mean
from getting_to_outcomes.stats._input import (
    FloatArray,
    as_item_frame,
    broadcast_float,
    check_choice,
    check_confidence,
    check_counts,
    check_finite,
    label_list,
)
from getting_to_outcomes.stats._moments import ItemMoments

__all__ = [
    "ALPHA_COLUMNS",
    "ALPHA_ITEM_COLUMNS",
    "AlphaResult",
    "alpha_from_covariance",
    "cronbach_alpha",
    "cronbach_alpha_from_moments",
    "feldt_interval",
    "score_scale",
]

#: Columns of :meth:`AlphaResult.to_frame` and of :func:`alpha_from_covariance`.
ALPHA_COLUMNS: list[str] = [
    "n", "k", "alpha", "std_alpha", "average_r", "ci_low", "ci_high", "confidence",
]

#: Columns of :attr:`AlphaResult.items`.
ALPHA_ITEM_COLUMNS: list[str] = [
    "item", "alpha_if_dropped", "std_alpha_if_dropped", "item_total_r", "mean", "sd", "n",
]

_MISSING = ("pairwise", "listwise", "median")


# ---------------------------------------------------------------------------------------------
# formulas on covariance matrices (vectorized over leading axes)


def _alpha_parts(cov: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Raw alpha, standardized alpha and mean inter-item correlation of stacked matrices."""
    k = cov.shape[-1]
    idx = np.arange(k)
    variances = cov[..., idx, idx]
    total = cov.sum(axis=(-1, -2))
    with np.errstate(divide="ignore", invalid="ignore"):
        raw = k / (k - 1.0) * (1.0 - variances.sum(axis=-1) / total)
        sd = np.sqrt(variances)
        corr = cov / (sd[..., :, None] * sd[..., None, :])
        off = ~np.eye(k, dtype=bool)
        average_r = corr[..., off].mean(axis=-1)
        std = k * average_r / (1.0 + (k - 1.0) * average_r)
    raw = np.where(total > 0, raw, np.nan)
    return raw, std, average_r


def feldt_interval(
    alpha: Any, n: Any, k: Any, *, confidence: float = 0.95
) -> tuple[Any, Any]:
    """Confidence interval of Cronbach's alpha from the F distribution.

    Parameters
    ----------
    alpha : float or array-like
        Sample alpha; NaN gives NaN, an infinite value is refused.
    n : int or array-like
        Respondents, a whole number >= 0.
    k : int or array-like
        Items, a whole number >= 0.
    confidence : float
        Coverage of the interval.

    Returns
    -------
    (low, high)
        Floats for scalar input, else arrays of the broadcast shape. NaN where
        ``n < 2``, ``k < 2`` or alpha is NaN.

    Notes
    -----
    Feldt (1965), Feldt, Woodruff & Salih (1987): ``(1 - alpha_pop) / (1 - alpha)`` follows an
    F distribution with ``n - 1`` and ``(n - 1)(k - 1)`` degrees of freedom, so with
    ``q = (1 - confidence) / 2``::

        low  = 1 - (1 - alpha) * F(1 - q; n - 1, (n - 1)(k - 1))
        high = 1 - (1 - alpha) * F(q;     n - 1, (n - 1)(k - 1))

    This is the interval of psych's ``alpha.ci`` and pingouin's ``cronbach_alpha``.

    References
    ----------
    Feldt, L. S. (1965). The approximate sampling distribution of Kuder-Richardson reliability
    coefficient twenty. *Psychometrika*, 30, 357-370.
    Feldt, L. S., Woodruff, D. J., & Salih, F. A. (1987). Statistical inference for coefficient
    alpha. *Applied Psychological Measurement*, 11, 93-103.

    Examples
    --------
    >>> low, high = feldt_interval(0.8, 30, 5)
    >>> round(low, 3), round(high, 3)
    (0.659, 0.894)
    """
    level = check_confidence(confidence)
    a, nn, kk = broadcast_float(alpha=alpha, n=n, k=k)
    check_finite("alpha", a)
    check_counts("n", nn)
    check_counts("k", kk)
    q = (1.0 - level) / 2.0
    df1 = nn - 1.0
    df2 = (nn - 1.0) * (kk - 1.0)
    ok = (nn >= 2) & (kk >= 2) & np.isfinite(a)
    with np.errstate(invalid="ignore"):
        f_hi = sps.f.ppf(1.0 - q, np.where(ok, df1, 1.0), np.where(ok, df2, 1.0))
        f_lo = sps.f.ppf(q, np.where(ok, df1, 1.0), np.where(ok, df2, 1.0))
    low = np.where(ok, 1.0 - (1.0 - a) * f_hi, np.nan)
    high = np.where(ok, 1.0 - (1.0 - a) * f_lo, np.nan)
    if low.ndim == 0:
        return float(low), float(high)
    return low, high


def alpha_from_covariance(cov: Any, n: Any, *, confidence: float = 0.95) -> pd.DataFrame:
    """Cronbach's alpha, standardized alpha and Feldt interval from covariance matrices.

    Use this on covariance matrices rebuilt from merged sufficient statistics
    (see :func:`covariance_from_moments`); one row per matrix.

    Parameters
    ----------
    cov : array-like, shape (k, k) or (g, k, k)
        Item covariance matrices, one per group: symmetric, with variances >= 0 on the
        diagonal. NaN entries (a pair answered together by fewer than 2 people) give NaN;
        infinite ones are refused.
    n : int or array-like, shape (g,)
        Respondents behind each matrix (used for the Feldt interval), whole numbers >= 0.
    confidence : float
        Coverage of the interval.

    Returns
    -------
    DataFrame
        One row per matrix with columns:

        - ``n``: respondents.
        - ``k``: items.
        - ``alpha``: raw alpha, ``k / (k - 1) * (1 - trace(C) / sum(C))``.
        - ``std_alpha``: standardized alpha, ``k * r / (1 + (k - 1) * r)``.
        - ``average_r``: mean off-diagonal correlation ``r`` of ``C`` rescaled to correlations.
        - ``ci_low``, ``ci_high``: Feldt interval (see :func:`feldt_interval`).
        - ``confidence``: coverage of the interval.

    Notes
    -----
    Cronbach (1951). Raw alpha is NaN when the total score has no variance; standardized
    alpha is NaN when some item has no variance.

    Examples
    --------
    >>> import numpy as np
    >>> cov = np.array([[1.0, 0.5], [0.5, 1.0]])
    >>> alpha_from_covariance(cov, 20)[["alpha", "std_alpha"]].round(3).to_dict("records")
    [{'alpha': 0.667, 'std_alpha': 0.667}]
    """
    level = check_confidence(confidence)
    c = np.asarray(cov, dtype=np.float64)
    if c.ndim == 2:
        c = c[None]
    if c.ndim != 3 or c.shape[-1] != c.shape[-2]:
        raise ScoringError(f"cov must be a (k, k) matrix or a (g, k, k) stack; got {c.shape}")
    k = c.shape[-1]
    if k < 2:
        raise ScoringError(f"alpha needs at least 2 items; got a {k} x {k} covariance matrix")
    check_finite("cov", c)
    _check_covariance("cov", c)
    try:
        counts = np.broadcast_to(np.asarray(n, dtype=np.float64), (c.shape[0],))
    except ValueError as exc:
        raise ScoringError(
            f"n must give one count per matrix ({c.shape[0]}); got shape {np.shape(n)}"
        ) from exc
    check_counts("n", counts)
    raw, std, average_r = _alpha_parts(c)
    low, high = feldt_interval(raw, counts, k, confidence=level)
    return pd.DataFrame(
        {
            "n": counts.astype(np.int64) if np.all(np.isfinite(counts)) else counts,
            "k": np.full(c.shape[0], k, dtype=np.int64),
            "alpha": raw,
            "std_alpha": std,
            "average_r": average_r,
            "ci_low": np.atleast_1d(low),
            "ci_high": np.atleast_1d(high),
            "confidence": level,
        },
        columns=ALPHA_COLUMNS,
    )


def _check_covariance(name: str, c: FloatArray) -> None:
    """Refuse a matrix that is not a covariance matrix: asymmetric, or a negative variance."""
    k = c.shape[-1]
    idx = np.arange(k)
    variances = c[..., idx, idx]
    if (variances < 0).any():
        where = np.argwhere(variances < 0)[0]
        raise ScoringError(
            f"{name} holds a negative variance {variances[tuple(where)]:g} on its diagonal "
            f"(item {int(where[-1])}); a variance cannot be negative"
        )
    transposed = np.swapaxes(c, -1, -2)
    scale = np.maximum(np.abs(c), np.abs(transposed))
    asymmetric = ~(np.isnan(c) & np.isnan(transposed)) & ~(
        np.abs(c - transposed) <= 1e-9 * np.maximum(scale, 1.0))
    if asymmetric.any():
        where = tuple(int(i) for i in np.argwhere(asymmetric)[0])
        i, j = where[-2], where[-1]
        raise ScoringError(
            f"{name} must be symmetric; entry ({i}, {j}) is {c[where]:g} but entry ({j}, {i}) "
            f"is {c[(*where[:-2], j, i)]:g}"
        )


# ---------------------------------------------------------------------------------------------
# the result object


@dataclass(frozen=True, eq=False)
class AlphaResult:
    """Cronbach's alpha of one scale in one administration, with item statistics.

    Attributes
    ----------
    alpha : float
        Raw alpha from the item covariance matrix.
    std_alpha : float
        Standardized alpha from the correlation matrix.
    ci_low, ci_high : float
        Feldt interval of raw alpha.
    confidence : float
        Coverage of the interval.
    n : int
        Respondents used (see ``missing``).
    k : int
        Items.
    average_r : float
        Mean inter-item correlation.
    missing : str
        Missing-data policy used: ``"pairwise"``, ``"listwise"`` or ``"median"``.
    n_empty : int
        Rows with no item answered; left out of every statistic.
    note : str or None
        Why a value is NaN, or what deserves a look; None when there is nothing to say.
    """

    alpha: float
    std_alpha: float
    ci_low: float
    ci_high: float
    confidence: float
    n: int
    k: int
    average_r: float
    missing: str
    n_empty: int
    note: str | None
    _item_table: pd.DataFrame = field(repr=False)

    @property
    def items(self) -> pd.DataFrame:
        """Item statistics, one row per item.

        Columns: ``item``; ``alpha_if_dropped`` and ``std_alpha_if_dropped`` (alpha of the
        other items); ``item_total_r`` (corrected item-total correlation, psych's ``r.drop``:
        the item against the sum of the other items); ``mean``, ``sd`` and ``n`` of the item
        in the data the alpha was computed from.
        """
        return self._item_table.copy()

    @property
    def negative_items(self) -> list[Hashable]:
        """Items whose corrected item-total correlation is negative: probably unreversed keys."""
        table = self._item_table
        return list(table.loc[table["item_total_r"] < 0, "item"])

    def to_frame(self) -> pd.DataFrame:
        """The scale-level numbers as a one-row DataFrame.

        Columns: ``n``, ``k``, ``alpha``, ``std_alpha``, ``average_r``, ``ci_low``,
        ``ci_high``, ``confidence``, ``missing``, ``n_empty``, ``note``.
        """
        row = {name: getattr(self, name) for name in ALPHA_COLUMNS}
        row.update(missing=self.missing, n_empty=self.n_empty, note=self.note)
        return pd.DataFrame([row])

    def _repr_html_(self) -> str:
        head = (
            f"<p>Cronbach's alpha = {self.alpha:.3f} "
            f"({self.confidence:.0%} CI {self.ci_low:.3f} to {self.ci_high:.3f}); "
            f"standardized {self.std_alpha:.3f}; n = {self.n}, k = {self.k}</p>"
        )
        html: str = self._item_table.to_html(index=False, float_format=lambda v: f"{v:.3f}")
        return head + html


# ---------------------------------------------------------------------------------------------
# item preparation shared by cronbach_alpha and score_scale


def _check_range(scale_range: Any) -> tuple[float, float]:
    try:
        low, high = (float(v) for v in scale_range)
    except (TypeError, ValueError) as exc:
        raise ScoringError(
            f"scale_range must be (lowest, highest) answer codes, e.g. (1, 5); got {scale_range!r}"
        ) from exc
    if not (math.isfinite(low) and math.isfinite(high)):
        raise ScoringError(f"scale_range must be finite answer codes; got {scale_range!r}")
    if not low < high:
        raise ScoringError(f"scale_range must have lowest < highest; got {scale_range!r}")
    return low, high


def _prepare_items(
    items: Any, reverse: Any, scale_range: Any
) -> tuple[pd.DataFrame, list[Hashable]]:
    """Numeric items with reverse-keyed items flipped as ``min + max - x``."""
    frame = as_item_frame(items)
    reversed_items = label_list(reverse)
    columns = list(frame.columns)
    for label in reversed_items:
        if label not in columns:
            names = [str(c) for c in columns]
            raise ScoringError(
                f"reverse names item {label!r}, which is not a column of the items "
                f"({', '.join(names)}){did_you_mean(str(label), names)}"
            )
    if reversed_items and scale_range is None:
        raise ScoringError(
            "reverse-keyed items need scale_range=(lowest, highest) answer codes, so that an "
            "answer x becomes lowest + highest - x"
        )
    if scale_range is not None:
        low, high = _check_range(scale_range)
        values = frame.to_numpy(dtype=np.float64)
        outside = (values < low) | (values > high)
        if outside.any():
            row, col = (int(i[0]) for i in np.nonzero(outside))
            raise ScoringError(
                f"item {columns[col]!r}, row {frame.index[row]!r} holds {values[row, col]:g}, "
                f"outside scale_range {low:g} to {high:g} ({int(outside.sum())} such value(s))"
            )
        if reversed_items:
            frame = frame.copy()
            for label in reversed_items:
                frame[label] = low + high - frame[label]
    return frame, reversed_items


# ---------------------------------------------------------------------------------------------
# Cronbach's alpha


def _result_from_cov(
    cov: FloatArray,
    *,
    items: tuple[Hashable, ...],
    n_obs: int,
    means: FloatArray,
    item_n: FloatArray,
    confidence: float,
    missing: str,
    n_empty: int,
    pairwise_r: FloatArray | None = None,
) -> AlphaResult:
    k = cov.shape[0]
    notes: list[str] = []
    raw, std, average_r = (float(v) for v in _alpha_parts(cov))
    variances = np.diagonal(cov)
    if n_obs < 2:
        notes.append(f"fewer than 2 respondents (n = {n_obs}); alpha is undefined")
    elif np.isnan(cov).any():
        bad = np.argwhere(np.isnan(cov))[0]
        a, b = items[int(bad[0])], items[int(bad[1])]
        if a == b:
            notes.append(f"item {a!r} has fewer than 2 answers; alpha is undefined")
        else:
            notes.append(
                f"items {a!r} and {b!r} were answered together by fewer than 2 people; "
                "alpha is undefined"
            )
    elif not cov.sum() > 0:
        notes.append("the total score has no variance (all answers identical); alpha is undefined")
    elif (variances == 0).any():
        flat = [str(items[i]) for i in np.flatnonzero(variances == 0)]
        notes.append(
            f"item(s) {', '.join(flat)} have no variance; standardized alpha and their "
            "correlations are undefined"
        )
    low, high = feldt_interval(raw, n_obs, k, confidence=confidence)

    # Item statistics: each item against the rest, all from the covariance matrix.
    others = np.array([[j for j in range(k) if j != i] for i in range(k)], dtype=np.intp)
    sub = cov[others[:, :, None], others[:, None, :]]
    if k > 2:
        drop_raw, drop_std, _ = _alpha_parts(sub)
        if pairwise_r is not None:
            # As psych: standardized alpha without an item from the pairwise correlations.
            _, drop_std, _ = _alpha_parts(pairwise_r[others[:, :, None], others[:, None, :]])
    else:
        # One item left: alpha of a single item is undefined.
        drop_raw = drop_std = np.full(k, np.nan)
    rest_cov = cov.sum(axis=1) - variances
    rest_var = sub.sum(axis=(-1, -2))
    with np.errstate(divide="ignore", invalid="ignore"):
        item_total_r = rest_cov / np.sqrt(variances * rest_var)
    table = pd.DataFrame(
        {
            "item": list(items),
            "alpha_if_dropped": drop_raw,
            "std_alpha_if_dropped": drop_std,
            "item_total_r": item_total_r,
            "mean": means,
            "sd": np.sqrt(variances),
            "n": item_n.astype(np.int64),
        },
        columns=ALPHA_ITEM_COLUMNS,
    )
    negative = list(table.loc[table["item_total_r"] < 0, "item"])
    if negative:
        names = ", ".join(str(v) for v in negative)
        notes.append(
            f"item(s) {names} correlate negatively with the rest of the scale; "
            "check whether they should be reverse-keyed"
        )
    return AlphaResult(
        alpha=raw,
        std_alpha=std,
        ci_low=float(low),
        ci_high=float(high),
        confidence=confidence,
        n=int(n_obs),
        k=k,
        average_r=average_r,
        missing=missing,
        n_empty=n_empty,
        note="; ".join(notes) or None,
        _item_table=table,
    )


def cronbach_alpha(
    items: Any,
    *,
    reverse: Sequence[Hashable] | Hashable | None = None,
    scale_range: tuple[float, float] | None = None,
    missing: str = "pairwise",
    confidence: float = 0.95,
) -> AlphaResult:
    """Cronbach's alpha of a scale, with its Feldt interval and item statistics.

    Parameters
    ----------
    items : DataFrame or 2-D array-like
        Numeric answers, people in rows and items in columns; missing answers as NaN.
    reverse : label or list of labels, optional
        Reverse-keyed items, scored as ``lowest + highest - x``.
    scale_range : (lowest, highest), optional
        Lowest and highest answer codes. Required with ``reverse``; when given, answers outside
        it are refused.
    missing : {"pairwise", "listwise", "median"}
        ``"pairwise"`` (default, as psych's ``alpha``): each covariance from the people who
        answered both items. ``"listwise"``: only people who answered every item.
        ``"median"`` (as psych's ``scoreItems(impute="median")``): a missing answer is replaced
        by the item's median.
    confidence : float
        Coverage of the Feldt interval.

    Returns
    -------
    AlphaResult
        ``.alpha``, ``.std_alpha``, ``.ci_low``, ``.ci_high``, ``.n``, ``.k``,
        ``.average_r``, ``.note``, ``.items`` (a DataFrame with columns item,
        alpha_if_dropped, std_alpha_if_dropped, item_total_r, mean, sd, n),
        ``.negative_items`` and ``.to_frame()``.

    Raises
    ------
    ScoringError
        Fewer than two items, answers that are not numbers or fall outside ``scale_range``,
        an unknown reverse-keyed item, or an unknown option.

    Notes
    -----
    Raw alpha (Cronbach 1951) is ``k / (k - 1) * (1 - sum of item variances / variance of the
    total)``, computed from the covariance matrix ``C`` as ``k / (k - 1) * (1 - tr C / sum C)``.
    Standardized alpha is ``k * r / (1 + (k - 1) * r)`` with ``r`` the mean inter-item
    correlation of ``C`` rescaled to a correlation matrix. The corrected item-total correlation
    of item ``i`` is the correlation of ``i`` with the sum of the other items, from ``C``:
    ``sum_j C_ij (j != i) / sqrt(C_ii * sum of C over the other items)``. The interval is
    Feldt's (see :func:`feldt_interval`) with ``n`` the respondents used: people who answered
    at least one item (pairwise, median) or every item (listwise).

    With missing answers psych computes two different standardizations, and so does this
    function: the scale-level standardized alpha and ``average_r`` rescale ``C`` (psych's
    ``cov2cor``), while the standardized alpha if an item is dropped uses the pairwise-complete
    correlations, each from the people who answered both items with their standard deviations
    in those rows (psych's ``alpha.drop``). On psych's ``bfi`` (A1-A5, A1 reversed) the two
    differ by up to 0.0007 in the dropped values, and the pairwise ones reproduce psych's
    printed ``std.alpha`` to three decimals. On complete data they are equal.

    Results that cannot be computed are NaN with the reason in ``.note``: fewer than two
    respondents, a total score without variance (everyone answered identically), or two
    items never answered together. Rows with no answer at all are left out and counted in
    ``.n_empty``. An empty table gives NaN with a note.

    References
    ----------
    Cronbach, L. J. (1951). Coefficient alpha and the internal structure of tests.
    *Psychometrika*, 16, 297-334.

    Examples
    --------
    >>> import pandas as pd
    >>> items = pd.DataFrame({"q1": [1, 2, 3, 4, 5], "q2": [2, 2, 3, 5, 4],
    ...                       "q3": [5, 4, 3, 2, 2]})
    >>> res = cronbach_alpha(items, reverse=["q3"], scale_range=(1, 5))
    >>> round(res.alpha, 3), res.n, res.k
    (0.964, 5, 3)
    >>> res.negative_items
    []
    """
    check_choice("missing", missing, _MISSING)
    level = check_confidence(confidence)
    frame, _ = _prepare_items(items, reverse, scale_range)
    if frame.shape[1] < 2:
        raise ScoringError(f"alpha needs at least 2 items; got {frame.shape[1]}")
    labels = tuple(frame.columns)
    values = frame.to_numpy(dtype=np.float64)
    answered = ~np.isnan(values)
    any_answered = answered.any(axis=1)
    n_empty = int((~any_answered).sum())
    values = values[answered.all(axis=1)] if missing == "listwise" else values[any_answered]
    item_n = (~np.isnan(values)).sum(axis=0).astype(np.float64)
    if missing == "median":
        with np.errstate(all="ignore"):
            medians = np.array(
                [np.median(c[~np.isnan(c)]) if (~np.isnan(c)).any() else np.nan
                 for c in values.T]
            )
        values = np.where(np.isnan(values), medians, values)
    # ItemMoments centres each item before forming products, so nothing cancels.
    moments = ItemMoments._from_array(labels, values, n_rows=values.shape[0], n_empty=n_empty)
    cov = moments.covariance()
    means = moments.means()
    return _result_from_cov(
        cov, items=labels, n_obs=values.shape[0], means=means, item_n=item_n,
        confidence=level, missing=missing, n_empty=n_empty,
        pairwise_r=moments.pairwise_correlation(),
    )


def cronbach_alpha_from_moments(
    moments: ItemMoments, *, n_obs: int | None = None, confidence: float = 0.95
) -> AlphaResult:
    """Cronbach's alpha from (merged) item moments; equals :func:`cronbach_alpha` on the rows.

    Parameters
    ----------
    moments : ItemMoments
        Sufficient statistics, e.g. ``ItemMoments.from_items(a) + ItemMoments.from_items(b)``.
        Build them with ``missing="listwise"`` to reproduce listwise alpha.
    n_obs : int, optional
        Respondents for the Feldt interval; defaults to ``moments.n_rows``. A whole number,
        at least the answers to any one item.
    confidence : float
        Coverage of the Feldt interval.

    Returns
    -------
    AlphaResult
        As :func:`cronbach_alpha`; ``.missing`` is ``"pairwise"`` or ``"listwise"`` (the
        latter when every pair was answered by the same number of people as ``n_rows``).
        The standardized alpha if an item is dropped uses the pairwise correlations, as
        psych, when the moments hold sums of squares per pair (``ItemMoments.from_items`` and
        their merges do); moments built from sums and cross-products alone rescale the
        covariance matrix instead, which differs only when items were skipped.

    Examples
    --------
    >>> import pandas as pd
    >>> a = pd.DataFrame({"q1": [1, 2, 4], "q2": [2, 3, 4], "q3": [1, 3, 5]})
    >>> b = pd.DataFrame({"q1": [5, 3], "q2": [4, 2], "q3": [5, 2]})
    >>> merged = ItemMoments.from_items(a) + ItemMoments.from_items(b)
    >>> pooled = cronbach_alpha(pd.concat([a, b]))
    >>> abs(cronbach_alpha_from_moments(merged).alpha - pooled.alpha) < 1e-12
    True
    """
    level = check_confidence(confidence)
    if not isinstance(moments, ItemMoments):
        raise ScoringError(
            f"moments must be an ItemMoments (see ItemMoments.from_items); got {type(moments)}"
        )
    if moments.k < 2:
        raise ScoringError(f"alpha needs at least 2 items; got {moments.k}")
    if n_obs is None:
        rows = moments.n_rows
    else:
        check_counts("n_obs", broadcast_float(n_obs=n_obs)[0])
        rows = int(n_obs)
        answers = float(moments.n.max()) if moments.k else 0.0
        if rows < answers:
            raise ScoringError(
                f"n_obs ({rows}) cannot be below the answers to one item ({answers:g}): "
                "every answer comes from a respondent"
            )
    listwise = bool(np.all(moments.n == rows))
    return _result_from_cov(
        moments.covariance(), items=moments.items, n_obs=rows, means=moments.means(),
        item_n=moments.item_n(), confidence=level,
        missing="listwise" if listwise else "pairwise", n_empty=moments.n_empty,
        pairwise_r=moments.pairwise_correlation(),
    )


# ---------------------------------------------------------------------------------------------
# scale scores


def score_scale(
    items: Any,
    *,
    reverse: Sequence[Hashable] | Hashable | None = None,
    scale_range: tuple[float, float] | None = None,
    min_answered: float = 0.8,
    aggregate: str = "mean",
) -> pd.Series:
    """Score each person on a scale: the mean (or prorated sum) of the answered items.

    Parameters
    ----------
    items : DataFrame or 2-D array-like
        Numeric answers, people in rows and items in columns; missing answers as NaN.
    reverse : label or list of labels, optional
        Reverse-keyed items, scored as ``lowest + highest - x`` (needs ``scale_range``).
    scale_range : (lowest, highest), optional
        Lowest and highest answer codes; answers outside it are refused.
    min_answered : float or int
        A fraction in (0, 1] of the items (default 0.8), or a whole number of items >= 1, that
        a person must answer to get a score.
    aggregate : {"mean", "sum"}
        ``"mean"``: mean of the answered items. ``"sum"``: prorated sum, the mean of the
        answered items times the number of items ``k``, so a person who skipped an item is
        not scored lower for it.

    Returns
    -------
    Series
        One score per row (same index as ``items``), named ``"score"``; NaN for a person who
        answered fewer items than ``min_answered`` (including nothing at all).

    Notes
    -----
    Prorating (mean of answered items, scaled to ``k`` items) is the usual person-mean
    imputation for scale scores (e.g. Schafer & Graham 2002 discuss it); the threshold keeps
    it to people who answered most items.

    Examples
    --------
    >>> import pandas as pd
    >>> items = pd.DataFrame({"q1": [1, 4, None], "q2": [2, 5, None], "q3": [3, None, 1],
    ...                       "q4": [5, 4, None]})
    >>> score_scale(items, reverse="q4", scale_range=(1, 5)).tolist()
    [1.75, nan, nan]
    >>> score_scale(items, min_answered=0.75, aggregate="sum").tolist()
    [11.0, 17.333333333333332, nan]
    """
    check_choice("aggregate", aggregate, ("mean", "sum"))
    frame, _ = _prepare_items(items, reverse, scale_range)
    k = frame.shape[1]
    if k == 0:
        raise ScoringError("a scale needs at least 1 item; got a table without columns")
    if isinstance(min_answered, bool) or not isinstance(min_answered, (int, float)):
        raise ScoringError(
            f"min_answered must be a fraction in (0, 1] or a whole number of items; "
            f"got {min_answered!r}"
        )
    if isinstance(min_answered, int) and min_answered >= 1:
        if min_answered > k:
            raise ScoringError(f"min_answered = {min_answered} items, but the scale has {k}")
        required = min_answered
    elif 0 < float(min_answered) <= 1:
        # A small tolerance so that 0.8 of 5 items is 4, not 5 through rounding.
        required = max(1, math.ceil(float(min_answered) * k - 1e-9))
    else:
        raise ScoringError(
            f"min_answered must be a fraction in (0, 1] or a whole number of items; "
            f"got {min_answered!r}"
        )
    values = frame.to_numpy(dtype=np.float64)
    answered = (~np.isnan(values)).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.nansum(values, axis=1) / answered
    score = np.where(answered >= required, mean, np.nan)
    if aggregate == "sum":
        score = score * k
    return pd.Series(score, index=frame.index, name="score", dtype="float64")

