"""Column-wise, vectorized cell checks derived from a record model.

For each column the rules (type, codes, categories, missing codes, bounds, plausible
range, required) are read from the fields of the pydantic record model built by
:func:`getting_to_outcomes.records.record_model`. Cells are then checked a whole
column at a time:

- numeric and date columns with numpy comparisons;
- plain-ASCII text with Arrow string kernels, exactly reproducing the rules of
  :func:`~getting_to_outcomes.records.parse_cell` for such text;
- everything else by reading each *distinct* value once with
  :func:`~getting_to_outcomes.records.parse_cell` and mapping the result back.

The result flags exactly the cells the per-record path flags (a property-based test
checks this).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

import numpy as np
import pandas as pd
from pydantic import BaseModel

from getting_to_outcomes.records import (
    MISSING_REASONS,
    CellProblem,
    FieldSpec,
    Plausible,
    model_specs,
    parse_cell,
)

__all__ = ["CELL_REASONS", "CheckedTable", "check_columns", "typed_empty"]

#: Reasons a cell can be flagged for, in a fixed order (their int8 codes).
CELL_REASONS: Final = (
    "not_a_number", "not_an_integer", "not_a_date", "not_a_boolean", "not_allowed",
    "unknown_answer", "out_of_range", "outside_period", "missing_required", "implausible",
    "comparison_failed", "straightlining",
)
_CODE: Final = {reason: code for code, reason in enumerate(CELL_REASONS)}
_MISSING_CODE: Final = {reason: code for code, reason in enumerate(MISSING_REASONS)}
_SKIPPED: Final = _MISSING_CODE["skipped"]
_KEY_IS_NUMBER: Final = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?")
_SAFE_TEXT: Final = r"^[!-_a-~]+$"  # printable ASCII without space or backtick
_NUMBERISH: Final = r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)(e[+-]?[0-9]+)?$|^[+-]?[0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?$"
DATETIME_DTYPE: Final = "datetime64[us]"


@dataclass
class CheckedTable:
    """Typed values and flagged cells of one table (positions 0..n-1).

    ``flags`` has columns ``pos``, ``column``, ``reason``; ``missing`` has ``pos``,
    ``column``, ``reason`` for every cell holding a missing-value code.
    """

    n: int
    values: dict[str, Any] = field(default_factory=dict)
    flags: list[pd.DataFrame] = field(default_factory=list)
    missing: list[pd.DataFrame] = field(default_factory=list)
    #: (index of the comparison in the record rules, positions of the rows that fail it)
    comparisons: list[tuple[int, np.ndarray]] = field(default_factory=list)

    def add_flags(self, column: str, positions: np.ndarray, reasons: np.ndarray) -> None:
        if len(positions):
            self.flags.append(pd.DataFrame({
                "pos": positions.astype(np.int64),
                "column": column,
                "reason": pd.Categorical.from_codes(reasons.astype(np.int8), CELL_REASONS),
            }))

    def add_missing(self, column: str, positions: np.ndarray, reasons: np.ndarray) -> None:
        if len(positions):
            self.missing.append(pd.DataFrame({
                "pos": positions.astype(np.int64),
                "column": column,
                "reason": pd.Categorical.from_codes(reasons.astype(np.int8), MISSING_REASONS),
            }))

    def flag_frame(self) -> pd.DataFrame:
        return _concat(self.flags, CELL_REASONS)

    def missing_frame(self) -> pd.DataFrame:
        return _concat(self.missing, MISSING_REASONS)


def _concat(parts: list[pd.DataFrame], categories: tuple[str, ...]) -> pd.DataFrame:
    if not parts:
        return pd.DataFrame({
            "pos": np.array([], dtype=np.int64), "column": pd.Series([], dtype="str"),
            "reason": pd.Categorical([], categories=categories),
        })
    out = pd.concat(parts, ignore_index=True)
    out["column"] = out["column"].astype("str")
    return out


def typed_empty(spec: FieldSpec, n: int) -> Any:
    """An all-missing typed column of length ``n``."""
    kind = spec.type
    if kind in ("likert", "integer", "number"):
        return np.full(n, np.nan)
    if kind == "date":
        return np.full(n, np.datetime64("NaT"), dtype=DATETIME_DTYPE)
    if kind == "boolean":
        return pd.array([pd.NA] * n, dtype="boolean")
    return pd.array(np.full(n, np.nan, dtype=object), dtype="str")


# --- reading a column ---------------------------------------------------------------


@dataclass
class _Parsed:
    values: Any
    missing: np.ndarray  # int8 missing-reason code, -1 when the cell is not missing
    error: np.ndarray  # int8 reason code, -1 when the cell is fine


def _numeric_keys(mapping: Mapping[str, Any]) -> dict[float, Any]:
    return {float(k): v for k, v in mapping.items() if _KEY_IS_NUMBER.fullmatch(k)}


def _by_unique(spec: FieldSpec, raw: pd.Series) -> _Parsed:
    """Read each distinct value once with :func:`parse_cell`, then spread the results."""
    values = raw.array
    if raw.dtype == object and "mixed" in pd.api.types.infer_dtype(values, skipna=True):
        # Hashing would merge True with 1 and 1.0; a bool is not a number here.
        keys = np.array(
            [("\x00bool", bool(v)) if isinstance(v, bool | np.bool_) else v for v in values],
            dtype=object,
        )
        codes, found = pd.factorize(keys, use_na_sentinel=True)
        uniques: list[Any] = [k[1] if isinstance(k, tuple) and k[:1] == ("\x00bool",) else k
                              for k in found]
    else:
        codes, found = pd.factorize(values, use_na_sentinel=True)
        uniques = list(found)
    u_missing = np.full(len(uniques) + 1, -1, dtype=np.int8)
    u_error = np.full(len(uniques) + 1, -1, dtype=np.int8)
    u_values: list[Any] = [None] * (len(uniques) + 1)
    for k, value in enumerate(uniques):
        try:
            parsed, reason = parse_cell(spec, value)
        except CellProblem as problem:
            u_error[k] = _CODE[problem.reason]
            continue
        if reason is not None:
            u_missing[k] = _MISSING_CODE[reason]
        else:
            u_values[k] = parsed
    u_missing[-1] = _SKIPPED  # factorize's NA sentinel -1 indexes the last slot
    take = np.asarray(codes)
    return _Parsed(_typed(spec, u_values, take), u_missing[take], u_error[take])


def _typed(spec: FieldSpec, u_values: list[Any], take: np.ndarray) -> Any:
    kind = spec.type
    if kind in ("likert", "integer", "number"):
        numbers = np.array([np.nan if v is None else float(v) for v in u_values])
        return numbers[take]
    if kind == "date":
        days = np.array([np.datetime64("NaT") if v is None else np.datetime64(v, "D") for v in u_values],
                        dtype=DATETIME_DTYPE)
        return days[take]
    if kind == "boolean":
        return pd.array(u_values, dtype="boolean").take(take)
    return pd.array(np.array(u_values, dtype=object), dtype="str").take(take)


def _by_number(spec: FieldSpec, x: np.ndarray) -> _Parsed:
    """Numbers (float64, NaN for blanks) under the rules of ``parse_cell``."""
    n = len(x)
    missing = np.full(n, -1, dtype=np.int8)
    error = np.full(n, -1, dtype=np.int8)
    missing[np.isnan(x)] = _SKIPPED
    for number, reason in _numeric_keys(spec.missing).items():
        missing[x == number] = _MISSING_CODE[reason]
    usable = missing < 0
    finite = np.isfinite(x)
    kind = spec.type
    if kind == "likert":
        answers = _numeric_keys(spec.answers)
        valid = usable & np.isin(x, list(answers))
        values = np.where(valid, x, np.nan)
        if any(code != key for key, code in answers.items()):
            for key, code in answers.items():
                values[valid & (x == key)] = code
        rest = usable & ~valid
        if rest.any():
            codes = spec.codes
            outside = rest & finite & (x == np.floor(x)) & ((x < codes[0]) | (x > codes[-1]))
            error[rest] = _CODE["unknown_answer"]
            error[outside] = _CODE["out_of_range"]
        return _Parsed(values, missing, error)
    if kind in ("integer", "number"):
        error[usable & ~finite] = _CODE["not_a_number"]
        if kind == "integer":
            error[usable & finite & (x != np.floor(x))] = _CODE["not_an_integer"]
        return _Parsed(np.where(usable & (error < 0), x, np.nan), missing, error)
    if kind == "boolean":
        truth = usable & (x == 1)
        falsehood = usable & (x == 0)
        error[usable & ~truth & ~falsehood] = _CODE["not_a_boolean"]
        data = pd.array(np.where(truth, True, False), dtype="boolean")
        data[~(truth | falsehood)] = pd.NA
        return _Parsed(data, missing, error)
    if kind == "date":
        error[usable] = _CODE["not_a_date"]
        return _Parsed(np.full(n, np.datetime64("NaT"), dtype=DATETIME_DTYPE), missing, error)
    # category: numeric answers (allowed values such as 1, 2, 3)
    answers = _numeric_keys(spec.answers)
    valid = usable & np.isin(x, list(answers))
    error[usable & ~valid] = _CODE["not_allowed"]
    labels = list(dict.fromkeys(answers.values()))
    codes = np.full(n, -1, dtype=np.int64)
    for key, label in answers.items():
        codes[valid & (x == key)] = labels.index(label)
    return _Parsed(pd.array(np.array(labels, dtype=object), dtype="str").take(codes, allow_fill=True)
                   if labels else typed_empty(spec, n), missing, error)


def _by_datetime(spec: FieldSpec, raw: pd.Series) -> _Parsed:
    stamps = raw.dt.tz_localize(None) if raw.dt.tz is not None else raw
    days = stamps.dt.normalize().to_numpy(dtype=DATETIME_DTYPE)
    missing = np.where(np.isnat(days), _SKIPPED, -1).astype(np.int8)
    return _Parsed(days, missing, np.full(len(days), -1, dtype=np.int8))


def _by_ascii(spec: FieldSpec, raw: pd.Series) -> _Parsed | None:
    """Text columns held by Arrow: plain-ASCII cells in bulk, the rest one distinct value at a time."""
    import pyarrow as pa
    import pyarrow.compute as pc

    arr = raw.array._pa_array  # type: ignore[attr-defined]
    safe = pc.fill_null(pc.match_substring_regex(arr, _SAFE_TEXT), False)
    lower = pc.ascii_lower(arr)
    loose = pc.utf8_trim(pc.replace_substring_regex(lower, "[_-]+", " "), " ")
    key = pc.if_else(pc.equal(loose, ""), lower, loose)
    if any(_KEY_IS_NUMBER.fullmatch(k) for k in spec.missing):
        # Numbers may be missing codes here: leave every number-like cell to parse_cell.
        numberish = pc.or_(pc.match_substring_regex(lower, _NUMBERISH),
                           pc.match_substring_regex(key, _NUMBERISH))
        safe = pc.and_(safe, pc.invert(pc.fill_null(numberish, False)))
    keys = list(spec.missing)
    found = pc.index_in(key, value_set=pa.array(keys, type=arr.type))
    reasons = np.array([_MISSING_CODE[spec.missing[k]] for k in keys] + [-1], dtype=np.int8)
    found_np = pc.fill_null(found, len(keys)).to_numpy()
    safe_np = safe.to_numpy()
    missing = np.where(safe_np, reasons[found_np], -1).astype(np.int8)
    keep = pc.and_(safe, pc.is_null(found))
    values = pc.if_else(keep, arr, pa.scalar(None, type=arr.type))
    unsafe = np.flatnonzero(~safe_np)
    error = np.full(len(raw), -1, dtype=np.int8)
    if len(unsafe):
        rest = _by_unique(spec, raw.iloc[unsafe])
        missing[unsafe] = rest.missing
        error[unsafe] = rest.error
        if isinstance(values, pa.ChunkedArray):
            values = values.combine_chunks()
        rest_values = pa.array(np.asarray(rest.values, dtype=object), type=values.type,
                               from_pandas=True)
        mask = np.zeros(len(raw), dtype=bool)
        mask[unsafe] = True
        values = pc.replace_with_mask(values, pa.array(mask), rest_values)
    return _Parsed(pd.array(values, dtype=raw.dtype), missing, error)


def _parse_column(spec: FieldSpec, raw: pd.Series) -> _Parsed:
    dtype = raw.dtype
    kind = spec.type
    if pd.api.types.is_bool_dtype(dtype) or isinstance(dtype, pd.CategoricalDtype):
        return _by_unique(spec, raw)
    if pd.api.types.is_numeric_dtype(dtype):
        if kind == "string":
            return _by_unique(spec, raw)
        return _by_number(spec, raw.to_numpy(dtype=np.float64, na_value=np.nan))
    if pd.api.types.is_datetime64_any_dtype(dtype) and kind == "date":
        return _by_datetime(spec, raw)
    if kind == "string" and type(raw.array).__name__ == "ArrowStringArray":
        parsed = _by_ascii(spec, raw)
        if parsed is not None:
            return parsed
    return _by_unique(spec, raw)


# --- the checks -----------------------------------------------------------------------


def _bound(value: Any, kind: str) -> Any:
    if kind == "date":
        return np.datetime64(value, "D").astype(DATETIME_DTYPE)
    return float(value)


def check_columns(frame: pd.DataFrame, model: type[BaseModel]) -> CheckedTable:
    """Check every cell of ``frame`` (columns named as the model's fields) column-wise."""
    from getting_to_outcomes._crossfield import check_across_fields

    n = len(frame)
    table = CheckedTable(n)
    for name, (spec, (low, high), plausible) in model_specs(model).items():
        if name not in frame.columns:
            continue
        parsed = _parse_column(spec, frame[name])
        error = parsed.error
        values = parsed.values
        kind = spec.type
        if kind in ("likert", "integer", "number", "date"):
            out_reason = _CODE["outside_period" if kind == "date" else "out_of_range"]
            checked = error < 0
            for bound, below in ((low, True), (high, False)):
                if bound is None:
                    continue
                limit = _bound(bound, kind)
                bad = (values < limit) if below else (values > limit)
                error[bad & checked] = out_reason
            values = _blank_errors(values, error)
        elif (error >= 0).any():
            values = _blank_errors(values, error)
        if spec.column.required:
            error[parsed.missing >= 0] = _CODE["missing_required"]
        flagged = np.flatnonzero(error >= 0)
        table.add_flags(name, flagged, error[flagged])
        missing_at = np.flatnonzero(parsed.missing >= 0)
        table.add_missing(name, missing_at, parsed.missing[missing_at])
        if kind in ("integer", "number"):
            _implausible(table, name, values, plausible)
        table.values[name] = values
    check_across_fields(table, model)
    return table


def _blank_errors(values: Any, error: np.ndarray) -> Any:
    bad = error >= 0
    if not bad.any():
        return values
    if isinstance(values, np.ndarray):
        values = values.copy()
        values[bad] = np.datetime64("NaT") if values.dtype.kind == "M" else np.nan
        return values
    values = values.copy()
    values[bad] = pd.NA if values.dtype == "boolean" else np.nan
    return values


def _implausible(table: CheckedTable, name: str, values: np.ndarray, plausible: Plausible) -> None:
    if plausible.low is None and plausible.high is None:
        return
    low = -np.inf if plausible.low is None else plausible.low
    high = np.inf if plausible.high is None else plausible.high
    flagged = np.flatnonzero((values < low) | (values > high))
    table.add_flags(name, flagged, np.full(len(flagged), _CODE["implausible"], dtype=np.int8))
