"""Sufficient statistics of a set of items: the aggregation seam of the statistics.

Raw survey rows are reduced to small tables of counts, sums and cross-products. These add up
across groups, so statistics computed from merged moments equal statistics computed from the
pooled raw rows.
"""

from __future__ import annotations

from collections.abc import Hashable
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


class ItemMoments:
    """Pairwise-complete sufficient statistics of ``k`` items, kept centred.

    For items ``i`` and ``j``, every statistic is taken over the rows in which *both* were
    answered, so pairwise-complete covariances (the default of psych's ``alpha``) can be
    rebuilt from merged groups. With ``missing="listwise"`` only rows answering every item
    contribute, and all ``n[i, j]`` are equal.

    The moments are held as counts, pairwise means and centred cross-products (co-moments),
    and merged with the pairwise update of Chan, Golub & LeVeque (1979), so that alpha from
    merged moments keeps its precision when item means are large compared with their spread
    (sums and cross-products of raw values would cancel catastrophically).

    Parameters
    ----------
    items : tuple
        Item labels, in column order.
    n : array-like, shape (k, k)
        ``n[i, j]``: rows in which items ``i`` and ``j`` were both answered.
    sums : array-like, shape (k, k)
        ``sums[i, j]``: sum of item ``i`` over the rows in which ``j`` was answered too.
        The diagonal holds the plain item sums.
    cross_products : array-like, shape (k, k)
        ``cross_products[i, j]``: sum of ``x_i * x_j`` over rows answering both.
    n_rows : int
        Rows that answered at least one item (those are the respondents).
    n_empty : int
        Rows that answered no item at all; they take no part in any statistic.
    squares : array-like, shape (k, k), optional
        ``squares[i, j]``: sum of ``x_i ** 2`` over the rows answering ``j`` too. With them the
        moments also give pairwise-complete correlations (:meth:`pairwise_correlation`),
        which psych uses for the standardized alpha if an item is dropped; without them that
        falls back to the rescaled covariance matrix.

    Raises
    ------
    ScoringError
        Moments no data could have (see :func:`covariance_from_moments`), a shape other than
        ``(k, k)``, or ``n_rows`` below the answers to one item.

    Notes
    -----
    The constructor takes raw sums and cross-products, as sums over rows give them (the
    scoring seam adds them up over slices; for whole-number answer codes they are exact). It
    centres them once, ``C_ij = (n_ij * cross_ij - sums_ij * sums_ji) / n_ij``.
    :meth:`from_items` centres each item on its mean before forming any product, and
    :meth:`from_centred` takes means and co-moments directly. ``a + b`` merges two sets of
    rows: with ``delta_i = mean_b[i, j] - mean_a[i, j]``,
    ``n = n_a + n_b``, ``mean = mean_a + delta_i n_b / n`` and
    ``C_ij = C_a + C_b + delta_i delta_j n_a n_b / n`` (Chan, Golub & LeVeque 1979). Sums
    and cross-products are still offered (``.sums``, ``.cross_products``), rebuilt from the
    centred moments.

    References
    ----------
    Chan, T. F., Golub, G. H., & LeVeque, R. J. (1979). Updating formulae and a pairwise
    algorithm for computing sample variances. Technical Report STAN-CS-79-773, Stanford
    University.

    Examples
    --------
    >>> import pandas as pd
    >>> a = ItemMoments.from_items(pd.DataFrame({"q1": [1, 2], "q2": [2, 2]}))
    >>> b = ItemMoments.from_items(pd.DataFrame({"q1": [3.0], "q2": [None]}))
    >>> (a + b).n.tolist()
    [[3.0, 2.0], [2.0, 2.0]]
    >>> (a + b).means().tolist()
    [2.0, 2.0]
    """

    __slots__ = ("_comoments", "_means", "_n", "_squares", "items", "n_empty", "n_rows")

    items: tuple[Hashable, ...]
    n_rows: int
    n_empty: int
    _n: FloatArray
    _means: FloatArray
    _comoments: FloatArray
    _squares: FloatArray | None

    def __init__(
        self,
        items: tuple[Hashable, ...],
        n: Any,
        sums: Any,
        cross_products: Any,
        n_rows: int,
        n_empty: int = 0,
        *,
        squares: Any = None,
    ) -> None:
        labels = tuple(items)
        counts, total, cross = (
            _square(f"ItemMoments.{name}", value, len(labels))
            for name, value in (("n", n), ("sums", sums), ("cross_products", cross_products))
        )
        _check_item_moments(counts, total, cross, "ItemMoments.")
        with np.errstate(divide="ignore", invalid="ignore"):
            means = np.where(counts > 0, total / counts, 0.0)
            # One rounding: n * cross - s_i * s_j is exact for whole-number answers.
            comoments = np.where(
                counts > 0, (counts * cross - total * total.T) / counts, 0.0)
        pair_squares = None
        if squares is not None:
            raw = _square("ItemMoments.squares", squares, len(labels))
            # Each pair's item i: n, sum and sum of squares, checked as any other moments.
            check_moments(counts, total, raw, ("ItemMoments.n", "ItemMoments.sums",
                                               "ItemMoments.squares"))
            with np.errstate(divide="ignore", invalid="ignore"):
                pair_squares = np.where(
                    counts > 0, (counts * raw - total * total) / counts, 0.0)
        self._set(labels, counts, means, comoments, n_rows, n_empty, pair_squares)

    @classmethod
    def from_centred(
        cls,
        items: tuple[Hashable, ...],
        n: Any,
        means: Any,
        comoments: Any,
        n_rows: int,
        n_empty: int = 0,
        *,
        pair_squares: Any = None,
    ) -> ItemMoments:
        """Build moments from counts, pairwise means and centred cross-products.

        Parameters
        ----------
        items : tuple
            Item labels, in column order.
        n : array-like, shape (k, k)
            Rows answering both items of each pair.
        means : array-like, shape (k, k)
            ``means[i, j]``: mean of item ``i`` over the rows answering ``j`` too (0 where
            ``n[i, j] = 0``).
        comoments : array-like, shape (k, k)
            ``comoments[i, j]``: sum over those rows of ``(x_i - means[i, j]) *
            (x_j - means[j, i])``; symmetric, with a diagonal of sums of squared deviations.
        n_rows, n_empty : int
            Respondents, and rows without any answer.
        pair_squares : array-like, shape (k, k), optional
            ``pair_squares[i, j]``: sum over the rows answering both of
            ``(x_i - means[i, j]) ** 2``; its diagonal is that of ``comoments``.

        Returns
        -------
        ItemMoments

        Raises
        ------
        ScoringError
            A count that is not a whole number >= 0 or pairs answered by more people than
            one of their items, an infinite value, asymmetric co-moments, a negative sum of
            squared deviations, or one value with a deviation.

        Examples
        --------
        >>> m = ItemMoments.from_centred(("q1", "q2"), [[2, 2], [2, 2]], [[1.5, 1.5],
        ...                              [2.0, 2.0]], [[0.5, 0.0], [0.0, 0.0]], n_rows=2)
        >>> m.covariance().tolist()
        [[0.5, 0.0], [0.0, 0.0]]
        """
        labels = tuple(items)
        counts, mean, comoment = (
            _square(f"ItemMoments.from_centred {name}", value, len(labels))
            for name, value in (("n", n), ("means", means), ("comoments", comoments))
        )
        _check_centred(counts, mean, comoment)
        squares = None
        if pair_squares is not None:
            squares = _square("ItemMoments.from_centred pair_squares", pair_squares,
                              len(labels))
            _check_pair_squares(counts, squares)
            squares = np.where(counts > 0, squares, 0.0)
        result = cls.__new__(cls)
        result._set(labels, counts, np.where(counts > 0, mean, 0.0),
                    np.where(counts > 0, comoment, 0.0), n_rows, n_empty, squares)
        return result

    def _set(self, items: tuple[Hashable, ...], n: FloatArray, means: FloatArray,
             comoments: FloatArray, n_rows: int, n_empty: int,
             squares: FloatArray | None = None) -> None:
        for name, count in (("n_rows", n_rows), ("n_empty", n_empty)):
            if isinstance(count, bool) or not isinstance(count, (int, np.integer)) or count < 0:
                raise ScoringError(f"ItemMoments.{name} must be a whole number >= 0; got {count!r}")
        answers = float(n.max()) if len(items) else 0.0
        if answers > n_rows:
            raise ScoringError(
                f"ItemMoments.n_rows ({n_rows}) cannot be below the answers to one item "
                f"({answers:g}): every answer comes from a respondent"
            )
        for array in (n, means, comoments, squares):
            if array is not None:
                array.setflags(write=False)
        object.__setattr__(self, "items", items)
        object.__setattr__(self, "_n", n)
        object.__setattr__(self, "_means", means)
        object.__setattr__(self, "_comoments", comoments)
        object.__setattr__(self, "_squares", squares)
        object.__setattr__(self, "n_rows", int(n_rows))
        object.__setattr__(self, "n_empty", int(n_empty))

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"ItemMoments is immutable; cannot set {name!r}")

    def __repr__(self) -> str:
        return (f"ItemMoments(items={self.items!r}, n_rows={self.n_rows}, "
                f"n_empty={self.n_empty})")

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (self.items, self._n, self._means, self._comoments, self.n_rows,
                           self.n_empty, self._squares))

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
        answered = ~np.isnan(values)
        mask = answered.astype(np.float64)
        # Centre each item on its mean first: the products below are then of small numbers,
        # and the pairwise means differ from it by little, so nothing cancels.
        with np.errstate(invalid="ignore", divide="ignore"):
            counts = mask.sum(axis=0)
            centre = np.where(counts > 0, np.where(answered, values, 0.0).sum(axis=0)
                              / np.maximum(counts, 1.0), 0.0)
        deviations = np.where(answered, values - centre, 0.0)
        n = mask.T @ mask
        sums = deviations.T @ mask
        cross = deviations.T @ deviations
        squares = (deviations * deviations).T @ mask
        with np.errstate(divide="ignore", invalid="ignore"):
            shift = np.where(n > 0, sums / n, 0.0)
            comoments = np.where(n > 0, cross - shift * sums.T, 0.0)
            pair_squares = np.where(n > 0, squares - shift * sums, 0.0)
        comoments = (comoments + comoments.T) / 2.0
        idx = np.arange(n.shape[0])
        pair_squares[idx, idx] = comoments[idx, idx]
        return cls.from_centred(items, n, shift + centre[:, None] * (n > 0), comoments,
                                n_rows=n_rows, n_empty=n_empty,
                                pair_squares=np.maximum(pair_squares, 0.0))

    def __add__(self, other: object) -> ItemMoments:
        if not isinstance(other, ItemMoments):
            return NotImplemented
        if other.items != self.items:
            raise ScoringError(
                "cannot merge moments of different items: "
                f"{list(self.items)} and {list(other.items)}"
            )
        n_a, n_b = self._n, other._n
        n = n_a + n_b
        delta = other._means - self._means
        with np.errstate(divide="ignore", invalid="ignore"):
            weight = np.where(n > 0, n_b / n, 0.0)
            means = np.where(n > 0, self._means + delta * weight, 0.0)
            comoments = np.where(
                n > 0, self._comoments + other._comoments + delta * delta.T * n_a * weight, 0.0)
            squares = None
            if self._squares is not None and other._squares is not None:
                squares = np.where(
                    n > 0, self._squares + other._squares + delta * delta * n_a * weight, 0.0)
        result = ItemMoments.__new__(ItemMoments)
        result._set(self.items, n, means, comoments, self.n_rows + other.n_rows,
                    self.n_empty + other.n_empty, squares)
        return result

    @property
    def k(self) -> int:
        """Number of items."""
        return len(self.items)

    @property
    def n(self) -> FloatArray:
        """``n[i, j]``: rows answering both items (read-only)."""
        return self._n

    @property
    def pair_means(self) -> FloatArray:
        """``pair_means[i, j]``: mean of item ``i`` over the rows answering ``j`` too."""
        return self._means

    @property
    def comoments(self) -> FloatArray:
        """Centred cross-products: ``sum (x_i - mean_ij) (x_j - mean_ji)`` over pairs."""
        return self._comoments

    @property
    def sums(self) -> FloatArray:
        """``sums[i, j]``: sum of item ``i`` over the rows answering ``j`` too."""
        return np.asarray(self._n * self._means, dtype=np.float64)

    @property
    def cross_products(self) -> FloatArray:
        """``cross_products[i, j]``: sum of ``x_i * x_j`` over the rows answering both."""
        return np.asarray(self._comoments + self._n * (self._means * self._means.T),
                          dtype=np.float64)

    def item_n(self) -> FloatArray:
        """Answers per item."""
        return np.diagonal(self._n).copy()

    def means(self) -> FloatArray:
        """Item means over all answers to each item (NaN for an item nobody answered)."""
        item_n = np.diagonal(self._n)
        return np.where(item_n > 0, np.diagonal(self._means), np.nan)

    def covariance(self) -> FloatArray:
        """Pairwise-complete covariance matrix (``n - 1`` denominators), from co-moments."""
        with np.errstate(divide="ignore", invalid="ignore"):
            cov = np.where(self._n >= 2, self._comoments / (self._n - 1.0), np.nan)
        idx = np.arange(self.k)
        # Rounding can leave a tiny negative variance where the true one is zero.
        cov[idx, idx] = np.where(cov[idx, idx] < 0, 0.0, cov[idx, idx])
        return np.asarray(cov, dtype=np.float64)

    @property
    def pair_squares(self) -> FloatArray | None:
        """``sum (x_i - mean_ij) ** 2`` over the rows answering both; None when not known."""
        return self._squares

    def pairwise_correlation(self) -> FloatArray | None:
        """Pairwise-complete correlations (each from the rows answering both items).

        As ``DataFrame.corr()`` and R's ``cor(use = "pairwise")``: the covariance of a pair
        over the standard deviations of both items in the same rows. NaN where a pair has
        fewer than 2 rows or an item does not vary in them; None when the moments were built
        without sums of squares per pair.
        """
        if self._squares is None:
            return None
        with np.errstate(divide="ignore", invalid="ignore"):
            r = self._comoments / np.sqrt(self._squares * self._squares.T)
        r = np.where((self._n >= 2) & np.isfinite(r), np.clip(r, -1.0, 1.0), np.nan)
        return np.asarray(r, dtype=np.float64)

    def to_frame(self) -> pd.DataFrame:
        """The moments as a long table: item_i, item_j, n, sum_i, sum_j, cross_product."""
        k = self.k
        ii, jj = np.meshgrid(np.arange(k), np.arange(k), indexing="ij")
        sums = self.sums
        return pd.DataFrame(
            {
                "item_i": [self.items[i] for i in ii.ravel()],
                "item_j": [self.items[j] for j in jj.ravel()],
                "n": self._n.ravel(),
                "sum_i": sums.ravel(),
                "sum_j": sums.T.ravel(),
                "cross_product": self.cross_products.ravel(),
            }
        )


def _square(name: str, value: Any, k: int) -> FloatArray:
    """``value`` as a writable float64 (k, k) array, or a ScoringError naming ``name``."""
    try:
        array = np.array(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ScoringError(f"{name} must be numbers; got {value!r}") from exc
    if array.shape != (k, k):
        raise ScoringError(f"{name} must have shape ({k}, {k}) for {k} items; got {array.shape}")
    return array


def _rebuild(items: tuple[Hashable, ...], n: FloatArray, means: FloatArray,
             comoments: FloatArray, n_rows: int, n_empty: int,
             squares: FloatArray | None) -> ItemMoments:
    """Unpickle: the moments as they were, checked again."""
    return ItemMoments.from_centred(items, n, means, comoments, n_rows, n_empty,
                                    pair_squares=squares)


def _check_pair_squares(n: FloatArray, squares: FloatArray) -> None:
    prefix = "ItemMoments.from_centred pair_squares"
    check_finite(prefix, squares)
    bad = (n > 0) & ((squares < -1e-9 * np.maximum(np.abs(squares), 1.0)) | np.isnan(squares))
    if bad.any():
        i, j = (int(v) for v in np.argwhere(bad)[0])
        raise ScoringError(
            f"{prefix} ({i}, {j}) is {squares[i, j]:g}; a sum of squared deviations must be "
            "a number >= 0")


def _check_centred(n: FloatArray, means: FloatArray, comoments: FloatArray) -> None:
    """Refuse centred moments that no data could have."""
    prefix = "ItemMoments.from_centred "
    check_counts(f"{prefix}n", n)
    if not np.array_equal(n, n.T):
        raise ScoringError(f"{prefix}n must be symmetric (item i with j is item j with i)")
    for name, value in (("means", means), ("comoments", comoments)):
        check_finite(f"{prefix}{name}", value)
        missing = np.isnan(value) & (n > 0)
        if missing.any():
            i, j = (int(v) for v in np.argwhere(missing)[0])
            raise ScoringError(
                f"{prefix}{name} is missing at ({i}, {j}) where n = {n[i, j]:g}")
    scale = np.maximum(np.abs(comoments), np.abs(comoments.T))
    asymmetric = np.abs(comoments - comoments.T) > 1e-9 * np.maximum(scale, 1.0)
    if asymmetric.any():
        i, j = (int(v) for v in np.argwhere(asymmetric)[0])
        raise ScoringError(
            f"{prefix}comoments must be symmetric; ({i}, {j}) is {comoments[i, j]:g} but "
            f"({j}, {i}) is {comoments[j, i]:g}")
    k = n.shape[0]
    idx = np.arange(k)
    item_n = n[idx, idx]
    above = n > np.minimum(item_n[:, None], item_n[None, :])
    if above.any():
        i, j = (int(v) for v in np.argwhere(above)[0])
        raise ScoringError(
            f"{prefix}n says {n[i, j]:g} people answered items {i} and {j} together, more "
            f"than answered one of them ({min(item_n[i], item_n[j]):g})")
    present = np.where(n > 0, comoments, 0.0)
    tolerance = 1e-9 * np.maximum(np.abs(present), 1.0)
    negative = present[idx, idx] < -tolerance[idx, idx]
    if negative.any():
        i = int(np.flatnonzero(negative)[0])
        raise ScoringError(
            f"{prefix}comoments ({i}, {i}) is {comoments[i, i]:g}, a sum of squared "
            "deviations cannot be negative")
    single = (n == 1) & (np.abs(present) > tolerance)
    if single.any():
        i, j = (int(v) for v in np.argwhere(single)[0])
        raise ScoringError(
            f"{prefix}comoments ({i}, {j}) is {comoments[i, j]:g} with n = 1; one value has "
            "no deviation from its mean, so it must be 0")


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
