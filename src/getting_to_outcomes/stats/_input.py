"""Turning what callers pass (lists, arrays, pandas objects) into checked float arrays.

Every function of :mod:`getting_to_outcomes.stats` takes its inputs through this module, so
that one rule holds everywhere: an infinite value, a count that is not a whole number >= 0,
a share outside [0, 1], sums that no data could have, arrays of different lengths, or a data
argument with no value at all are refused with a ``ScoringError`` (a ``ValueError``) that
names the argument, says where and why. NaN marks a missing value; what a function does with
it is documented on the function.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from getting_to_outcomes.errors import ScoringError

FloatArray = npt.NDArray[np.float64]

# Bootstrap seeds are stored in a nullable Int64 column, so they must fit in it.
_MAX_SEED = 2**63 - 1


def check_confidence(confidence: object) -> float:
    """Return ``confidence`` as a float strictly between 0 and 1, or raise ScoringError."""
    if isinstance(confidence, bool) or not isinstance(confidence, (int, float, np.floating)):
        raise ScoringError(
            f"confidence must be a number between 0 and 1 (e.g. 0.95); got {confidence!r}"
        )
    value = float(confidence)
    if not 0.0 < value < 1.0:
        raise ScoringError(
            f"confidence must be strictly between 0 and 1 (e.g. 0.95); got {confidence!r}"
        )
    return value


def check_choice(name: str, value: object, choices: tuple[str, ...]) -> str:
    """Return ``value`` when it is one of ``choices``, else raise ScoringError listing them."""
    if not isinstance(value, str) or value not in choices:
        allowed = ", ".join(repr(c) for c in choices)
        raise ScoringError(f"{name} must be one of {allowed}; got {value!r}")
    return value


def check_number(name: str, value: object) -> float:
    """Return ``value`` as a finite float, or raise ScoringError naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ScoringError(f"{name} must be a number; got {value!r}")
    number = float(value)
    if not np.isfinite(number):
        raise ScoringError(f"{name} must be a finite number; got {value!r}")
    return number


def check_seed(seed: object) -> int | None:
    """Return ``seed`` as a non-negative int (or None), or raise ScoringError."""
    if seed is None:
        return None
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise ScoringError(
            f"seed must be a whole number between 0 and {_MAX_SEED} so that it can be recorded; "
            f"got {seed!r}"
        )
    value = int(seed)
    if not 0 <= value <= _MAX_SEED:
        raise ScoringError(f"seed must be between 0 and {_MAX_SEED}; got {seed!r}")
    return value


def fresh_seed() -> int:
    """Draw a seed from operating-system entropy, to be recorded with the result."""
    return int(np.random.SeedSequence().generate_state(1, dtype=np.uint32)[0])


def _where(index: pd.Index, at: int, positional: bool) -> str:
    """'position 3' for plain arrays, 'row 'p7'' for pandas objects."""
    return f"position {at}" if positional else f"row {index[at]!r}"


def _numeric_series(series: pd.Series, what: str) -> pd.Series:
    """Convert one Series to float64, naming the first value that is not a number."""
    if pd.api.types.is_bool_dtype(series.dtype):
        return series.astype("float64")
    if pd.api.types.is_numeric_dtype(series.dtype):
        return series.astype("float64")
    converted = pd.to_numeric(series, errors="coerce")
    bad = converted.isna() & series.notna()
    if bad.any():
        label = bad.index[int(bad.to_numpy().argmax())]
        value = series.loc[label]
        raise ScoringError(
            f"{what} must hold numbers; row {label!r} holds {value!r} "
            f"({int(bad.sum())} value(s) are not numbers). Recode answers to numbers first "
            "(validation does this from the response scale)."
        )
    return converted.astype("float64")


def _refuse_infinite(series: pd.Series, what: str, positional: bool) -> None:
    values = series.to_numpy(dtype=np.float64)
    infinite = np.isinf(values)
    if infinite.any():
        at = int(np.flatnonzero(infinite)[0])
        raise ScoringError(
            f"{what} must be finite; {_where(series.index, at, positional)} holds "
            f"{values[at]:g} ({int(infinite.sum())} infinite value(s)). Mark a missing value "
            "as NaN; an infinite one is usually a division by zero upstream."
        )


def as_vector(values: Any, name: str, *, require_value: bool = True) -> pd.Series:
    """Return ``values`` as a float64 Series (keeping a pandas index when there is one).

    Infinite values are refused. Unless ``require_value`` is False, so are an empty input and
    one whose values are all missing: there is nothing to compute from, and the usual cause
    is a wrong column.
    """
    positional = not isinstance(values, (pd.Series, pd.DataFrame))
    if isinstance(values, pd.DataFrame):
        if values.shape[1] != 1:
            raise ScoringError(
                f"{name} must be one column of values; got a table with {values.shape[1]} columns"
            )
        values = values.iloc[:, 0]
    if isinstance(values, pd.Series):
        series = values
    else:
        array = np.asarray(values, dtype=object) if not isinstance(values, np.ndarray) else values
        if array.ndim == 0:
            array = array.reshape(1)
        if array.ndim != 1:
            raise ScoringError(f"{name} must be one-dimensional; got shape {array.shape}")
        series = pd.Series(array)
    series = _numeric_series(series, name)
    _refuse_infinite(series, name, positional)
    if require_value and series.isna().all():
        what = "is empty" if series.empty else f"has no value: all {series.size} are missing"
        raise ScoringError(f"{name} {what}; there is nothing to compute from")
    return series


def as_item_frame(items: Any, name: str = "items") -> pd.DataFrame:
    """Return ``items`` as a float64 DataFrame with one column per item; inf is refused."""
    positional = not isinstance(items, pd.DataFrame)
    if isinstance(items, pd.DataFrame):
        frame = items
    else:
        array = np.asarray(items)
        if array.ndim != 2:
            raise ScoringError(
                f"{name} must be a table (people in rows, items in columns); got shape "
                f"{array.shape}"
            )
        frame = pd.DataFrame(array)
    if frame.columns.has_duplicates:
        dupes = sorted({str(c) for c in frame.columns[frame.columns.duplicated()]})
        raise ScoringError(f"{name} has duplicated column names: {', '.join(dupes)}")
    columns = {
        col: _numeric_series(frame[col], f"{name} column {col!r}") for col in frame.columns
    }
    for col, series in columns.items():
        _refuse_infinite(series, f"{name} column {col!r}", positional)
    return pd.DataFrame(columns, index=frame.index, columns=frame.columns)


def broadcast_float(**arrays: Any) -> list[FloatArray]:
    """Broadcast keyword array-likes to one shape as float64, naming the one that does not fit."""
    converted: list[FloatArray] = []
    for key, value in arrays.items():
        try:
            converted.append(np.asarray(value, dtype=np.float64))
        except (TypeError, ValueError) as exc:
            raise ScoringError(f"{key} must be numbers; got {value!r}") from exc
    try:
        return [np.asarray(a, dtype=np.float64) for a in np.broadcast_arrays(*converted)]
    except ValueError as exc:
        shapes = ", ".join(f"{k}={np.shape(v)}" for k, v in zip(arrays, converted, strict=True))
        raise ScoringError(f"these inputs must have matching shapes: {shapes}") from exc


def _at(array: FloatArray, mask: Any) -> str:
    """Where the first flagged value is, for an error message: '' for a scalar."""
    flat = np.flatnonzero(np.asarray(mask).ravel())
    if array.ndim == 0 or array.size == 1:
        return ""
    index = np.unravel_index(int(flat[0]), array.shape)
    where = index[0] if len(index) == 1 else tuple(int(i) for i in index)
    return f" at position {where}"


def check_finite(name: str, values: FloatArray) -> None:
    """Refuse an infinite value (NaN, a missing value, passes)."""
    bad = np.isinf(values)
    if bad.any():
        raise ScoringError(
            f"{name} must be finite; got {values[bad].ravel()[0]:g}{_at(values, bad)}"
        )


def check_counts(name: str, values: FloatArray, *, missing: bool = False) -> None:
    """Refuse a count that is not a whole number >= 0 (NaN too, unless ``missing``)."""
    bad = np.isinf(values) | (values < 0) | (np.isfinite(values) & (values != np.round(values)))
    if not missing:
        bad |= np.isnan(values)
    if bad.any():
        raise ScoringError(
            f"{name} must be a count, whole numbers >= 0 and never negative; got "
            f"{values[bad].ravel()[0]:g}{_at(values, bad)}"
        )


def as_counts(**counts: Any) -> list[FloatArray]:
    """Broadcast counts to one shape (at least 1-D), each a whole number >= 0."""
    arrays = [np.atleast_1d(a) for a in broadcast_float(**counts)]
    for name, arr in zip(counts, arrays, strict=True):
        check_counts(name, arr)
    return arrays


def check_at_most(name_a: str, a: FloatArray, name_b: str, b: FloatArray) -> None:
    """Refuse ``a > b`` (e.g. more successes than people asked), naming both."""
    bad = a > b
    if bad.any():
        i = int(np.flatnonzero(bad.ravel())[0])
        raise ScoringError(
            f"{name_a} ({a.ravel()[i]:g}) cannot exceed {name_b} ({b.ravel()[i]:g})"
            f"{_at(a, bad)}"
        )


def check_unit_interval(name: str, values: FloatArray, *, what: str = "a share") -> None:
    """Refuse a value outside [0, 1] (NaN passes)."""
    bad = (values < 0) | (values > 1) | np.isinf(values)
    if bad.any():
        raise ScoringError(
            f"{name} must lie between 0 and 1 ({what}); got "
            f"{values[bad].ravel()[0]:g}{_at(values, bad)}"
        )


def check_moments(n: FloatArray, total: FloatArray, total_sq: FloatArray,
                  names: tuple[str, str, str] = ("n", "total", "total_sq")) -> None:
    """Refuse moments that no data could have.

    A count that is missing, infinite, negative or fractional; an infinite or missing sum
    where there are values; sums other than 0 (or NaN) without values; a sum of squares below
    ``total**2 / n`` (a negative variance), or for one value other than ``total**2``. A
    discrepancy within 1e-9 of the sum of squares is rounding and is let through (the
    variance is then taken as 0).
    """
    name_n, name_total, name_sq = names
    check_counts(name_n, n)
    for name, values in ((name_total, total), (name_sq, total_sq)):
        check_finite(name, values)
        missing = np.isnan(values) & (n > 0)
        if missing.any():
            raise ScoringError(
                f"{name} is missing{_at(values, missing)} where {name_n} = "
                f"{n[missing].ravel()[0]:g}: the sums of values that exist must be given"
            )
    # Without values the sums are 0, or missing (NaN) for a cell that has no data.
    empty = (n == 0) & (((total != 0) & ~np.isnan(total)) | ((total_sq != 0) & ~np.isnan(total_sq)))
    if empty.any():
        raise ScoringError(
            f"with {name_n} = 0{_at(n, empty)} there are no values, so {name_total} and "
            f"{name_sq} must be 0; got {total[empty].ravel()[0]:g} and "
            f"{total_sq[empty].ravel()[0]:g}"
        )
    if (total_sq < 0).any():
        bad = total_sq < 0
        raise ScoringError(
            f"{name_sq} is a sum of squares and cannot be negative; got "
            f"{total_sq[bad].ravel()[0]:g}{_at(total_sq, bad)}"
        )
    with np.errstate(divide="ignore", invalid="ignore"):
        shortfall = total * total / n - total_sq
    tolerance = 1e-9 * np.maximum(np.abs(total_sq), 1.0)
    impossible = (n > 0) & (shortfall > tolerance)
    if impossible.any():
        at = np.flatnonzero(impossible.ravel())[0]
        nn, tt, ss = (float(a.ravel()[at]) for a in (n, total, total_sq))
        raise ScoringError(
            f"{name_sq} {ss:g} is below {name_total}**2 / {name_n} = {tt * tt / nn:g} "
            f"(with {name_n} = {nn:g}, {name_total} = {tt:g}){_at(n, impossible)}: no data "
            "have these sums, the variance would be negative"
        )
    single = (n == 1) & (-shortfall > tolerance)
    if single.any():
        at = np.flatnonzero(single.ravel())[0]
        tt, ss = float(total.ravel()[at]), float(total_sq.ravel()[at])
        raise ScoringError(
            f"with {name_n} = 1{_at(n, single)} the one value is {name_total} = {tt:g}, so "
            f"{name_sq} must be {tt * tt:g}; got {ss:g}"
        )


def label_list(labels: Any) -> list[Hashable]:
    """Return a list of labels from None, one label, or an iterable of labels."""
    if labels is None:
        return []
    if isinstance(labels, (str, bytes)) or not hasattr(labels, "__iter__"):
        return [labels]
    return list(labels)
