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
    "RowNumbers",
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


def _compact_text(values: np.ndarray) -> np.ndarray:
    """Text values as UTF-8 bytes of one width where that takes less memory than
    variable-width strings (:func:`_variable_size`), else as those.

    Byte strings sort as the text does (UTF-8 keeps the order of code points), but a
    fixed width drops trailing NUL characters: text ending with one stays text.
    """
    text = _text_array(values)
    # Asked of Python's strings: numpy's own text functions overlook a trailing NUL.
    if text.dtype == object or not len(text) or any(str(v).endswith("\0") for v in values):
        return text
    # Characters first: one long value would make every value that wide once encoded.
    if int(np.strings.str_len(text).max()) * len(text) > _variable_size(text):
        return text
    encoded: np.ndarray = np.strings.encode(text, "utf-8")
    return encoded if encoded.itemsize * len(encoded) <= _variable_size(encoded) else text


def _variable_size(labels: np.ndarray) -> int:
    """About the bytes numpy's variable-width strings take for ``labels``: 16 each, and
    the text and its length beside for one over 15 bytes (of UTF-8, or characters of text,
    which are no more)."""
    lengths = np.strings.str_len(labels)
    return int(16 * len(labels) + np.where(lengths > 15, lengths + 8, 0).sum())


def _decoded(labels: np.ndarray) -> np.ndarray:
    """UTF-8 bytes back to text (as Python strings: numpy's own would be of fixed width)."""
    return np.array([bytes(b).decode("utf-8") for b in labels], dtype=object)


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
    four bytes per row and each distinct value once, as compact numpy text (Python
    strings, or a pandas categorical's hashed categories, cost several times more): UTF-8
    bytes of one width where that is smaller (ids of a similar length), else numpy's
    variable-width strings. :meth:`union` numbers the parts against one sorted dictionary.
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
        return cls(np.asarray(codes, dtype=np.int32), _compact_text(np.asarray(uniques, object)))

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
        wide = max((p.dtype.itemsize for p in pieces if p.dtype.kind == "S"), default=0)
        if any(p.dtype.kind != "S" for p in pieces) or wide * sum(sizes) > sum(
            _variable_size(p) for p in pieces
        ):
            # Some parts hold text of varied length: all as variable-width strings.
            for k, piece in enumerate(pieces):
                if piece.dtype.kind == "S":
                    pieces[k] = _text_array(_decoded(piece))
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
        wanted: str | bytes = label.encode("utf-8") if self.labels.dtype.kind == "S" else label
        found = np.flatnonzero(self.labels == wanted)
        return int(found[0]) if len(found) else -1

    def values_at(self, at: np.ndarray) -> list[Any]:
        """The values at positions ``at`` as Python strings (``None`` where missing)."""
        codes = self.codes[at]
        labels = self.labels
        if labels.dtype.kind == "S":
            return [None if c < 0 else bytes(labels[c]).decode("utf-8") for c in codes.tolist()]
        return [None if c < 0 else str(labels[c]) for c in codes.tolist()]


class RowNumbers:
    """The row number in its file, and the input, of every position of the tables read.

    Kept per table or part, as it is read: one whose rows follow one another (no blank
    row left out) holds its first number alone, another each row's distance from its
    first as int32. A large file read in parts then keeps next to nothing per row for
    the rules across rows, which look up only the rows they report.

    Examples
    --------
    >>> numbers = RowNumbers()
    >>> numbers.add(np.arange(2, 6), 0)
    >>> numbers.add(np.array([2, 3, 5]), 1)
    >>> len(numbers), numbers.rows_at(np.array([0, 3, 6])).tolist()
    (7, [2, 5, 5])
    >>> numbers.inputs_at(np.array([3, 4])).tolist()
    [0, 1]
    """

    __slots__ = ("_ends", "_firsts", "_inputs", "_steps")

    def __init__(self) -> None:
        self._ends: list[int] = []  # the position just past each table
        self._firsts: list[int] = []
        self._inputs: list[int] = []
        self._steps: dict[int, np.ndarray] = {}  # rows - first, of tables with gaps

    def __len__(self) -> int:
        return self._ends[-1] if self._ends else 0

    def add(self, rows: np.ndarray, input_number: int) -> None:
        """The row numbers of the next table or part, read from input ``input_number``."""
        first = int(rows[0]) if len(rows) else 0
        steps = rows - first
        if len(rows) and not np.array_equal(steps, np.arange(len(rows))):
            wide = int(steps.max()) >= 2**31 or int(steps.min()) < -(2**31)
            self._steps[len(self._ends)] = steps if wide else steps.astype(np.int32)
        self._ends.append(len(self) + len(rows))
        self._firsts.append(first)
        self._inputs.append(input_number)

    def _tables(self, at: np.ndarray) -> np.ndarray:
        table: np.ndarray = np.searchsorted(np.array(self._ends, dtype=np.int64), at, side="right")
        return table

    def rows_at(self, at: np.ndarray) -> np.ndarray:
        """The row numbers (int64) at positions ``at``."""
        at = np.asarray(at, dtype=np.int64)
        table = self._tables(at)
        starts = np.array([0, *self._ends[:-1]], dtype=np.int64)
        inside = at - starts[table]
        out: np.ndarray = np.array(self._firsts, dtype=np.int64)[table]
        for k, steps in self._steps.items():
            mine = np.flatnonzero(table == k)
            out[mine] += steps[inside[mine]]
        if not self._steps:
            out += inside
        else:
            plain = ~np.isin(table, np.array(list(self._steps), dtype=np.int64))
            out[plain] += inside[plain]
        return out

    def inputs_at(self, at: np.ndarray) -> np.ndarray:
        """The number of the input (file or table) of each position ``at``."""
        inputs: np.ndarray = np.array(self._inputs, dtype=np.int64)[self._tables(np.asarray(at))]
        return inputs


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
