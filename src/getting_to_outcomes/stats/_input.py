"""Turning what callers pass (lists, arrays, pandas objects) into checked float arrays."""

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


def as_vector(values: Any, name: str) -> pd.Series:
    """Return ``values`` as a float64 Series (keeping a pandas index when there is one)."""
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
    return _numeric_series(series, name)


def as_item_frame(items: Any, name: str = "items") -> pd.DataFrame:
    """Return ``items`` as a float64 DataFrame with one column per item."""
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


def check_moments(n: FloatArray, total: FloatArray, total_sq: FloatArray,
                  names: tuple[str, str, str] = ("n", "total", "total_sq")) -> None:
    """Refuse moments that no data could have: a count that is not a whole number >= 0, an
    infinite sum, or a sum of squares below ``total**2 / n`` (a negative variance).

    A shortfall within 1e-9 of the sum of squares is rounding and is let through (the
    variance is then taken as 0). NaN marks a missing cell and passes.
    """
    name_n, name_total, name_sq = names
    bad = np.isinf(n) | (n < 0) | (np.isfinite(n) & (n != np.round(n)))
    if bad.any():
        raise ScoringError(f"{name_n} must be a whole number, not negative; got {n[bad][0]:g}")
    for name, values in ((name_total, total), (name_sq, total_sq)):
        if np.isinf(values).any():
            raise ScoringError(f"{name} must be finite; got {values[np.isinf(values)][0]:g}")
    with np.errstate(divide="ignore", invalid="ignore"):
        shortfall = total * total / n - total_sq
    impossible = (n > 0) & (shortfall > 1e-9 * np.maximum(np.abs(total_sq), 1.0))
    if impossible.any():
        at = int(np.flatnonzero(impossible)[0])
        raise ScoringError(
            f"{name_sq} {total_sq[at]:g} is below {name_total}**2 / {name_n} = "
            f"{total[at] ** 2 / n[at]:g} (with {name_n} = {n[at]:g}, {name_total} = "
            f"{total[at]:g}): no data have these sums, the variance would be negative"
        )


def label_list(labels: Any) -> list[Hashable]:
    """Return a list of labels from None, one label, or an iterable of labels."""
    if labels is None:
        return []
    if isinstance(labels, (str, bytes)) or not hasattr(labels, "__iter__"):
        return [labels]
    return list(labels)
