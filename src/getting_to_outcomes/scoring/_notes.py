"""The notes of a summary's rows, gathered column-wise while the statistics are computed.

Each step notes some rows at once (one text for all, or one per row); the texts of a row are
joined with ``"; "`` at the end, in the order they were noted, each distinct text once.
Notes are kept as one array of rows and one of texts per step, not as a list per row: a
summary has tens of thousands of rows, and as many small lists kept alive make Python's
garbage collector walk every object of the process again and again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

__all__ = ["Notes", "written_once"]

IntArray = npt.NDArray[np.int64]
ObjectArray = npt.NDArray[np.object_]


class Notes:
    """Texts noted on the rows ``0 .. size - 1`` of a table, in the order they are noted.

    Examples
    --------
    >>> import numpy as np
    >>> notes = Notes(3)
    >>> notes.add(np.array([True, False, True]), "small")
    >>> notes.add([2, 0], ["late", "small"])
    >>> notes.joined().tolist()
    ['small', None, 'small; late']
    >>> notes.replace([2], "withheld")
    >>> notes.joined().tolist()
    ['small', None, 'withheld']
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self._rows: list[IntArray] = []
        self._texts: list[ObjectArray] = []
        # Notes of a row added before step ``_kept_from[row]`` were replaced.
        self._kept_from = np.zeros(size, dtype=np.int64)

    def copy(self) -> Notes:
        """An independent copy (the steps' arrays are shared, never changed in place)."""
        other = Notes(self.size)
        other._rows = list(self._rows)
        other._texts = list(self._texts)
        other._kept_from = self._kept_from.copy()
        return other

    def add(self, rows: Any, text: str | Iterable[Any]) -> None:
        """Note ``text`` on ``rows`` (a boolean mask or positions): one text for all, or one
        per row (in the order of ``rows``); empty and missing texts are skipped."""
        at = _positions(rows, self.size)
        if isinstance(text, str):
            if not text or not len(at):
                return
            texts = np.full(len(at), text, dtype=object)
        else:
            if isinstance(text, np.ndarray) and text.dtype == object and len(text) == len(at):
                # Most rows of a column of notes have none: leave them out at once.
                some = np.flatnonzero(~pd.isna(text))
                text, at = text[some], at[some]
            given = list(text)
            if len(given) != len(at):
                raise ValueError("one note per noted row is needed")
            keep = [k for k, t in enumerate(given) if isinstance(t, str) and t]
            texts = np.empty(len(keep), dtype=object)
            texts[:] = [given[k] if given[k].__class__ is str else str(given[k]) for k in keep]
            if len(keep) < len(given):
                at = at[np.asarray(keep, dtype=np.int64)]
            if not len(at):
                return
        self._rows.append(at)
        self._texts.append(texts)

    def replace(self, rows: Any, text: str | Iterable[Any]) -> None:
        """Make ``text`` (as :meth:`add` takes it) the only note of ``rows`` so far."""
        at = _positions(rows, self.size)
        self._kept_from[at] = len(self._rows)
        self.add(at, text)

    def joined(self) -> ObjectArray:
        """Each row's distinct notes joined with ``"; "`` in the order noted; None without."""
        out = np.full(self.size, None, dtype=object)
        if not self._rows:
            return out
        step = np.repeat(np.arange(len(self._rows)), [len(r) for r in self._rows])
        rows = np.concatenate(self._rows)
        texts = np.concatenate(self._texts)
        kept = step >= self._kept_from[rows]
        rows, texts = rows[kept], texts[kept]
        order = np.argsort(rows, kind="stable")
        rows, texts = rows[order], texts[order]
        # Each distinct text once per row: where it first appears.
        text_codes, distinct = pd.factorize(texts)
        _, first = np.unique(rows * (len(distinct) + 1) + text_codes, return_index=True)
        first.sort()
        rows, texts = rows[first], texts[first]
        count = np.bincount(rows, minlength=self.size)
        place = np.arange(len(rows)) - (np.cumsum(count) - count)[rows]
        # Joined a place at a time: the first text of every row, then the second...
        for k in range(int(place.max(initial=-1)) + 1):
            at = place == k
            mine = rows[at]
            out[mine] = texts[at] if k == 0 else out[mine] + "; " + texts[at]
        return out


def written_once(columns: Sequence[Any], write: Callable[..., str]) -> ObjectArray:
    """``write(*values)`` for each row of ``columns`` (arrays of one length), called once per
    distinct combination of values: the rows of a summary share few.

    Examples
    --------
    >>> import numpy as np
    >>> written_once([np.array([2, 3, 2])], lambda k: f"{k} matched").tolist()
    ['2 matched', '3 matched', '2 matched']
    """
    arrays = [np.asarray(c) for c in columns]
    size = len(arrays[0]) if arrays else 0
    code = np.zeros(size, dtype=np.int64)
    for values in arrays:
        codes, distinct = pd.factorize(values, use_na_sentinel=False)
        # Numbered in order of first appearance, so the numbers stay below the row count.
        code = pd.factorize(code * len(distinct) + codes)[0].astype(np.int64)
    if size == 0:
        return np.empty(0, dtype=object)
    first = np.flatnonzero(code > np.maximum.accumulate(np.r_[-1, code[:-1]]))
    texts = np.empty(len(first), dtype=object)
    texts[:] = [write(*row) for row in zip(*(a[first].tolist() for a in arrays), strict=True)]
    return np.asarray(texts[code], dtype=object)


def _positions(rows: Any, size: int) -> IntArray:
    """Positions from a boolean mask over ``size`` rows, or from positions."""
    array = np.asarray(rows)
    if array.dtype == bool:
        if array.shape != (size,):
            raise ValueError(f"a mask of {size} rows is needed, got shape {array.shape}")
        return np.flatnonzero(array)
    return np.asarray(array, dtype=np.int64).reshape(-1)
