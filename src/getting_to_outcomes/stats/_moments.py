"""Sufficient statistics of a set of items: the aggregation seam of the statistics.

Raw survey rows are reduced to small tables of counts, sums and cross-products. These add up
across groups, so statistics computed from merged moments equal statistics computed from the
pooled raw rows.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from getting_to_outcomes.errors import ScoringError
from getting_to_outcomes.stats._input import (
    FloatArray,
    as_item_frame,
    check_choice,
    check_counts,
    check_finite,
    check_moments,
)

__all__ = ["ItemMoments", "covariance_from_moments"]


@dataclass(frozen=True, eq=False)
class ItemMoments:
    """Pairwise-complete sufficient statistics of ``k`` items.

    For items ``i`` and ``j``, every statistic is taken over the rows in which *both* were
    answered, so pairwise-complete covariances (the default of psych's ``alpha``) can be
    rebuilt exactly from merged groups. With ``missing="listwise"`` only rows answering every
    item contribute, and all ``n[i, j]`` are equal.

    Attributes
    ----------
    items : tuple
        Item labels, in column order.
    n : ndarray, shape (k, k)
        ``n[i, j]``: rows in which items ``i`` and ``j`` were both answered.
    sums : ndarray, shape (k, k)
        ``sums[i, j]``: sum of item ``i`` over the rows in which ``j`` was answered too.
        The diagonal holds the plain item sums.
    cross_products : ndarray, shape (k, k)
        ``cross_products[i, j]``: sum of ``x_i * x_j`` over rows answering both.
    n_rows : int
        Rows that answered at least one item (those are the respondents).
    n_empty : int
        Rows that answered no item at all; they take no part in any statistic.

    Notes
    -----
    Moments add up: ``a + b`` is the moments of the rows of ``a`` and ``b`` together.

    Examples
    --------
    >>> import pandas as pd
    >>> a = ItemMoments.from_items(pd.DataFrame({"q1": [1, 2], "q2": [2, 2]}))
    >>> b = ItemMoments.from_items(pd.DataFrame({"q1": [3.0], "q2": [None]}))
    >>> (a + b).n.tolist()
    [[3.0, 2.0], [2.0, 2.0]]
    """

    items: tuple[Hashable, ...]
    n: FloatArray
    sums: FloatArray
    cross_products: FloatArray
    n_rows: int
    n_empty: int = 0

    def __post_init__(self) -> None:
        k = len(self.items)
        for name in ("n", "sums", "cross_products"):
            value = np.array(getattr(self, name), dtype=np.float64)
            if value.shape != (k, k):
                raise ScoringError(
                    f"ItemMoments.{name} must have shape ({k}, {k}) for {k} items; "
                    f"got {value.shape}"
                )
            value.setflags(write=False)
            object.__setattr__(self, name, value)
        for name in ("n_rows", "n_empty"):
            count = getattr(self, name)
            if isinstance(count, bool) or not isinstance(count, (int, np.integer)) or count < 0:
                raise ScoringError(f"ItemMoments.{name} must be a whole number >= 0; got {count!r}")
        _check_item_moments(self.n, self.sums, self.cross_products, "ItemMoments.")
        answers = float(self.n.max()) if k else 0.0
        if answers > self.n_rows:
            raise ScoringError(
                f"ItemMoments.n_rows ({self.n_rows}) cannot be below the answers to one item "
                f"({answers:g}): every answer comes from a respondent"
            )

    @classmethod
    def from_items(cls, items: Any, *, missing: str = "pairwise") -> ItemMoments:
        """Compute the moments of a table of items (people in rows, items in columns).

        Parameters
        ----------
        items : DataFrame or 2-D array-like
            Numeric answers; missing answers as NaN.
        missing : {"pairwise", "listwise"}
            Use every answered pair of items, or only rows that answered every item.

        Returns
        -------
        ItemMoments
        """
        check_choice("missing", missing, ("pairwise", "listwise"))
        frame = as_item_frame(items)
        values = frame.to_numpy(dtype=np.float64)
        answered = ~np.isnan(values)
        any_answered = answered.any(axis=1)
        n_empty = int((~any_answered).sum())
        keep = answered.all(axis=1) if missing == "listwise" else any_answered
        values = values[keep]
        return cls._from_array(tuple(frame.columns), values, n_rows=int(keep.sum()),
                               n_empty=n_empty)

    @classmethod
    def _from_array(
        cls, items: tuple[Hashable, ...], values: FloatArray, *, n_rows: int, n_empty: int
    ) -> ItemMoments:
        mask = (~np.isnan(values)).astype(np.float64)
        filled = np.where(np.isnan(values), 0.0, values)
        return cls(
            items=items,
            n=mask.T @ mask,
            sums=filled.T @ mask,
            cross_products=filled.T @ filled,
            n_rows=n_rows,
            n_empty=n_empty,
        )

    def __add__(self, other: object) -> ItemMoments:
        if not isinstance(other, ItemMoments):
            return NotImplemented
        if other.items != self.items:
            raise ScoringError(
                "cannot merge moments of different items: "
                f"{list(self.items)} and {list(other.items)}"
            )
        return ItemMoments(
            items=self.items,
            n=self.n + other.n,
            sums=self.sums + other.sums,
            cross_products=self.cross_products + other.cross_products,
            n_rows=self.n_rows + other.n_rows,
            n_empty=self.n_empty + other.n_empty,
        )

    @property
    def k(self) -> int:
        """Number of items."""
        return len(self.items)

    def item_n(self) -> FloatArray:
        """Answers per item."""
        return np.diagonal(self.n).copy()

    def means(self) -> FloatArray:
        """Item means over all answers to each item (NaN for an item nobody answered)."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.diagonal(self.sums) / np.diagonal(self.n)

    def covariance(self) -> FloatArray:
        """Pairwise-complete covariance matrix (``n - 1`` denominators)."""
        return covariance_from_moments(self.n, self.sums, self.cross_products)

    def to_frame(self) -> pd.DataFrame:
        """The moments as a long table: item_i, item_j, n, sum_i, sum_j, cross_product."""
        k = self.k
        ii, jj = np.meshgrid(np.arange(k), np.arange(k), indexing="ij")
        return pd.DataFrame(
            {
                "item_i": [self.items[i] for i in ii.ravel()],
                "item_j": [self.items[j] for j in jj.ravel()],
                "n": self.n.ravel(),
                "sum_i": self.sums.ravel(),
                "sum_j": self.sums.T.ravel(),
                "cross_product": self.cross_products.ravel(),
            }
        )


def _check_item_moments(n: FloatArray, sums: FloatArray, cross: FloatArray, prefix: str) -> None:
    """Refuse pairwise moments that no data could have (shapes already checked)."""
    check_counts(f"{prefix}n", n)
    check_finite(f"{prefix}sums", sums)
    check_finite(f"{prefix}cross_products", cross)
    for name, value in ((f"{prefix}n", n), (f"{prefix}cross_products", cross)):
        if not np.array_equal(value, np.swapaxes(value, -1, -2)):
            raise ScoringError(f"{name} must be symmetric (item i with j is item j with i)")
    k = n.shape[-1]
    idx = np.arange(k)
    item_n = n[..., idx, idx]
    above = n > np.minimum(item_n[..., :, None], item_n[..., None, :])
    if above.any():
        where = tuple(int(i) for i in np.argwhere(above)[0])
        raise ScoringError(
            f"{prefix}n says {n[where]:g} people answered items {where[-2]} and {where[-1]} "
            f"together, more than answered one of them "
            f"({min(item_n[(*where[:-2], where[-2])], item_n[(*where[:-2], where[-1])]):g})"
        )
    check_moments(item_n, sums[..., idx, idx], cross[..., idx, idx],
                  (f"{prefix}n (diagonal)", f"{prefix}sums (diagonal)",
                   f"{prefix}cross_products (diagonal)"))


def covariance_from_moments(n: Any, sums: Any, cross_products: Any) -> FloatArray:
    """Covariance matrices from counts, sums and cross-products.

    Parameters
    ----------
    n : array-like, shape (..., k, k) or (...)
        Rows contributing to each pair (a scalar or one count per group for listwise data).
    sums : array-like, shape (..., k, k) or (..., k)
        ``sums[..., i, j]``: sum of item ``i`` over rows where ``j`` was answered too;
        for listwise data the plain item sums, shape (..., k).
    cross_products : array-like, shape (..., k, k)
        Sums of ``x_i * x_j``.

    Returns
    -------
    ndarray, shape (..., k, k)
        ``(cross_products - sums_ij * sums_ji / n) / (n - 1)``; NaN where ``n < 2``.

    Raises
    ------
    ScoringError
        Moments no data could have: a count that is not a whole number >= 0, asymmetric
        counts or cross-products, more people answering a pair than one of its items, an
        infinite value, or a sum of squares below ``sum**2 / n`` (a negative variance).

    Examples
    --------
    >>> import numpy as np
    >>> x = np.array([[1.0, 2.0], [2.0, 2.0], [3.0, 5.0]])
    >>> cov = covariance_from_moments(3, x.sum(axis=0), x.T @ x)
    >>> bool(np.allclose(cov, np.cov(x, rowvar=False)))
    True
    """
    cp = np.asarray(cross_products, dtype=np.float64)
    if cp.ndim < 2 or cp.shape[-1] != cp.shape[-2]:
        raise ScoringError(f"cross_products must be square matrices; got shape {cp.shape}")
    k = cp.shape[-1]
    s = np.asarray(sums, dtype=np.float64)
    if s.shape[-2:] != (k, k):
        if s.shape[-1] != k:
            raise ScoringError(
                f"sums must have shape (..., {k}) or (..., {k}, {k}); got {s.shape}"
            )
        # Listwise sums: every pair was answered in the same rows.
        s = np.broadcast_to(s[..., :, None], (*s.shape[:-1], k, k))
    counts = np.asarray(n, dtype=np.float64)
    if counts.shape[-2:] != (k, k):
        counts = counts[..., None, None]
    try:
        full = np.broadcast_arrays(counts, s, cp)
    except ValueError as exc:
        raise ScoringError(
            f"n, sums and cross_products must describe the same groups; got shapes "
            f"{np.shape(n)}, {np.shape(sums)} and {cp.shape}"
        ) from exc
    _check_item_moments(full[0], full[1], full[2], "")
    with np.errstate(divide="ignore", invalid="ignore"):
        centred = cp - s * np.swapaxes(s, -1, -2) / counts
        cov = centred / (counts - 1.0)
    cov = np.where(counts >= 2, cov, np.nan)
    # Rounding can leave a tiny negative variance where the true one is zero (larger
    # shortfalls were refused above).
    k_idx = np.arange(k)
    diag = cov[..., k_idx, k_idx]
    cov[..., k_idx, k_idx] = np.where(diag < 0, 0.0, diag)
    return np.asarray(cov, dtype=np.float64)
