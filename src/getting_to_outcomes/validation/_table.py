"""The checked table: each column's typed values and the reasons its cells were flagged.

Column-wise checks (:mod:`._columnwise`) and record-wise checks (:mod:`._recordwise`) both
fill a :class:`CheckedTable`; the rules across fields and rows read it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final

import numpy as np
import pandas as pd

from getting_to_outcomes.validation._records import MISSING_REASONS, FieldSpec

__all__ = [
    "CELL_REASONS",
    "DATETIME_DTYPE",
    "CheckedTable",
    "Coded",
    "TextCodes",
    "code_array",
    "floats",
    "typed_empty",
]

#: Reasons a cell can be flagged for, in a fixed order (their int8 codes). Those of a cell
#: that holds something, however wrong, come before ``missing_required``.
CELL_REASONS: Final = (
    "not_a_number",
    "not_an_integer",
    "not_a_date",
    "not_a_boolean",
    "not_allowed",
    "unknown_answer",
    "out_of_range",
    "outside_period",
    "wrong_date_format",
    "date_order_conflict",
    "missing_required",
    "implausible",
    "comparison_failed",
    "straightlining",
)
DATETIME_DTYPE: Final = "datetime64[us]"


@dataclass
class CheckedTable:
    """Typed values and flagged cells of one table (positions 0..n-1).

    ``values`` maps each column present to its typed values; ``codes`` maps text and
    category columns to an int64 code per row of the typed value (-1 when missing),
    for the rules across rows.
    """

    n: int
    values: dict[str, Any] = field(default_factory=dict)
    codes: dict[str, np.ndarray] = field(default_factory=dict)
    _flags: list[tuple[str, np.ndarray, np.ndarray]] = field(default_factory=list)
    _missing: list[tuple[str, np.ndarray, np.ndarray]] = field(default_factory=list)
    #: (index of the comparison in the record rules, positions of the rows that fail it)
    comparisons: list[tuple[int, np.ndarray]] = field(default_factory=list)

    def add_flags(self, column: str, positions: np.ndarray, reasons: np.ndarray) -> None:
        if len(positions):
            self._flags.append((column, positions.astype(np.int64), reasons.astype(np.int8)))

    def add_missing(self, column: str, positions: np.ndarray, reasons: np.ndarray) -> None:
        if len(positions):
            self._missing.append((column, positions.astype(np.int64), reasons.astype(np.int8)))

    def missing_counts(self, columns: list[str]) -> np.ndarray:
        """Cells with a missing-value code, ``[column, reason]`` (``columns`` x MISSING_REASONS)."""
        counts = np.zeros((len(columns), len(MISSING_REASONS)), dtype=np.int64)
        place = {name: k for k, name in enumerate(columns)}
        for name, _positions, reasons in self._missing:
            counts[place[name]] += np.bincount(reasons, minlength=len(MISSING_REASONS))
        return counts

    def keep_only(self, names: set[str]) -> None:
        """Let go of all but the typed values of ``names``: the cells' flags and codes go.

        What is kept is what the rules across rows read: text columns become
        :class:`TextCodes` (each distinct value once, an int32 code per row).
        """
        self.values = {
            name: TextCodes.encode(values) if _is_text(values) else values
            for name, values in self.values.items()
            if name in names
        }
        self.codes = {}
        self._flags = []
        self._missing = []
        self.comparisons = []

    def flag_frame(self) -> pd.DataFrame:
        """Flagged cells: ``pos``, ``column``, ``reason``."""
        return _long(self._flags, CELL_REASONS)

    def missing_frame(self) -> pd.DataFrame:
        """Cells with a missing-value code: ``pos``, ``column``, ``reason``."""
        return _long(self._missing, MISSING_REASONS)


def _is_text(values: Any) -> bool:
    dtype = getattr(values, "dtype", None)
    return (
        not isinstance(values, Coded | np.ndarray)
        and dtype is not None
        and pd.api.types.is_string_dtype(dtype)
    )


def _long(
    parts: list[tuple[str, np.ndarray, np.ndarray]], categories: tuple[str, ...]
) -> pd.DataFrame:
    names = list(dict.fromkeys(name for name, _, _ in parts))
    lengths = [len(pos) for _, pos, _ in parts]
    column_codes = np.repeat([names.index(name) for name, _, _ in parts], lengths).astype(np.int32)
    return pd.DataFrame(
        {
            "pos": np.concatenate([pos for _, pos, _ in parts])
            if parts
            else np.array([], np.int64),
            "column": pd.Categorical.from_codes(column_codes, categories=pd.Index(names)),
            "reason": pd.Categorical.from_codes(
                np.concatenate([r for _, _, r in parts]) if parts else np.array([], np.int8),
                categories=pd.Index(categories),
            ),
        }
    )


class Coded:
    """Likert answers held as positions in the scale's list of codes (-1: no answer).

    One byte per cell instead of eight while checking; :meth:`floats` gives the codes
    as float64 (NaN for no answer), as reports and scoring expect.
    """

    __slots__ = ("codes", "index")
    index: np.ndarray
    codes: np.ndarray

    def __init__(self, index: np.ndarray, codes: np.ndarray) -> None:
        self.index = index
        self.codes = codes

    def __len__(self) -> int:
        return len(self.index)

    def __getitem__(self, position: int) -> float:
        k = int(self.index[position])
        return float(self.codes[k]) if k >= 0 else float("nan")

    def floats(self, at: np.ndarray | None = None) -> np.ndarray:
        """The codes as float64 (NaN for no answer), at ``at`` (a mask or positions) if given."""
        index = self.index if at is None else self.index[at]
        codes = self.codes
        if len(codes) and np.array_equal(codes, codes[0] + np.arange(len(codes))):
            # Consecutive codes (1 to 5): code = first + position, twice as fast as a lookup.
            out: np.ndarray = index.astype(np.float64)
            out += codes[0]
            out[np.flatnonzero(index < 0)] = np.nan
            return out
        lookup: np.ndarray = np.append(codes, np.nan)
        result: np.ndarray = lookup[index]
        return result

    def take(self, at: np.ndarray) -> Coded:
        return Coded(self.index[at], self.codes)

    def copy(self) -> Coded:
        return Coded(self.index.copy(), self.codes)


def _text_array(values: Any) -> np.ndarray:
    """Text as a compact numpy array: numpy's variable-width strings, or objects before numpy 2."""
    dtype: Any = object
    if hasattr(np, "dtypes") and hasattr(np.dtypes, "StringDType"):
        dtype = np.dtypes.StringDType()
    return np.asarray(values, dtype=dtype)


def _sorted_distinct(
    pieces: list[np.ndarray], block: int = 1 << 20
) -> tuple[np.ndarray, np.ndarray]:
    """The distinct values of ``pieces`` sorted, and the position of each value among them.

    ``pieces`` is emptied: the values are copied once, into their concatenation.

    ``np.unique`` would give the same; it is written with a sort because numpy 2.4's
    ``unique`` of variable-width strings crashes on some inputs. Neighbours in sorted
    order are compared ``block`` at a time, so besides the values and their order only
    the distinct values are copied: the sorted copy of every value, which ``unique``
    makes, is the peak of validating a large file in parts.
    """
    values = np.concatenate(pieces)
    pieces.clear()
    # int32 positions: half the memory of argsort's int64 for what stays alive below.
    order = np.argsort(values, kind="stable").astype(np.int32)
    new = np.ones(len(order), dtype=bool)
    for start in range(0, max(len(order) - 1, 0), block):
        stop = min(start + block + 1, len(order))
        ranked = values[order[start:stop]]
        new[start + 1 : stop] = ranked[1:] != ranked[:-1]
    distinct = values[order[new]]
    del values
    inverse = np.empty(len(order), dtype=np.int32)
    inverse[order] = np.cumsum(new, dtype=np.int32) - 1
    return distinct, inverse


class TextCodes:
    """A text column held as an int32 code per row into its distinct values (-1: missing).

    The key columns of a file read in parts are kept this way for the rules across rows:
    four bytes per row and each distinct value once, as compact numpy strings (Python
    strings, or a pandas categorical's hashed categories, cost several times more).
    :meth:`union` numbers the parts against one sorted dictionary.
    """

    __slots__ = ("codes", "labels")
    codes: np.ndarray
    labels: np.ndarray

    def __init__(self, codes: np.ndarray, labels: np.ndarray) -> None:
        self.codes = codes
        self.labels = labels

    def __len__(self) -> int:
        return len(self.codes)

    @classmethod
    def encode(cls, values: Any) -> TextCodes:
        """Code typed text values; missing ones (``NaN``, ``None``) get -1."""
        codes, uniques = pd.factorize(pd.Series(values, copy=False), use_na_sentinel=True)
        return cls(np.asarray(codes, dtype=np.int32), _text_array(np.asarray(uniques, object)))

    @classmethod
    def union(cls, parts: list[TextCodes], block: int = 1 << 20) -> TextCodes:
        """The parts one after the other, coded against the sorted distinct values of all.

        The parts' own values are let go on the way (they are not usable afterwards).
        ``block``: how many sorted neighbours are compared at a time.
        """
        sizes = [len(p.labels) for p in parts]
        pieces = [p.labels for p in parts]
        for part in parts:
            # Let go (not a slice, which would keep them): the parts are not used again.
            part.labels = np.empty(0, dtype=part.labels.dtype)
        labels, inverse = _sorted_distinct(pieces, block)
        codes = np.empty(sum(len(p) for p in parts), dtype=np.int32)
        at = start = 0
        for part, size in zip(parts, sizes, strict=True):
            # -1 (missing) picks the appended -1.
            mapping = np.append(inverse[start : start + size], np.int32(-1))
            codes[at : at + len(part)] = mapping[part.codes]
            at += len(part)
            part.codes = np.empty(0, dtype=np.int32)
            start += size
        return cls(codes, labels)

    def code_of(self, label: str) -> int:
        """The code of ``label``; -1 when no row holds it."""
        found = np.flatnonzero(self.labels == label)
        return int(found[0]) if len(found) else -1

    def values_at(self, at: np.ndarray) -> list[Any]:
        """The values at positions ``at`` as Python strings (``None`` where missing)."""
        codes = self.codes[at]
        return [None if c < 0 else str(self.labels[c]) for c in codes.tolist()]


def code_array(spec: FieldSpec) -> np.ndarray:
    return np.array(spec.codes, dtype=np.float64)


def floats(values: Any) -> Any:
    """Typed values with Likert answers as float64 codes."""
    return values.floats() if isinstance(values, Coded) else values


def typed_empty(spec: FieldSpec, n: int) -> Any:
    """An all-missing typed column of length ``n``."""
    kind = spec.type
    if kind == "likert":
        return Coded(np.full(n, -1, dtype=np.int16), code_array(spec))
    if kind in ("integer", "number"):
        return np.full(n, np.nan)
    if kind == "date":
        return np.full(n, np.datetime64("NaT"), dtype=DATETIME_DTYPE)
    if kind == "boolean":
        return pd.array(np.full(n, None, dtype=object), dtype="boolean")
    return pd.array(np.full(n, np.nan, dtype=object), dtype="str")
