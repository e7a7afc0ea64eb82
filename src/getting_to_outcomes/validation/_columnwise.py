"""Column-wise, vectorized cell checks derived from a record model.

For each column the rules (type, codes, categories, missing codes, bounds, plausible
range, required) are read from the fields of the pydantic record model built by
:func:`getting_to_outcomes.validation._records.record_model`. Cells are then checked a whole
column at a time:

- numbers and dates with numpy comparisons;
- any other column one *distinct* value at a time: the column is hashed once
  (dictionary-encoded), each distinct value is read with
  :func:`~getting_to_outcomes.validation._records.parse_cell` (plain-ASCII text in bulk with
  Arrow string kernels that reproduce ``parse_cell`` exactly for such text), and
  the results are spread back with the codes. The codes are kept for the rules
  across rows (unique keys, pre/post matching).

The result flags exactly the cells the per-record path flags (a property-based test
checks this).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, Final

import numpy as np
import pandas as pd
from pydantic import BaseModel

from getting_to_outcomes.errors import CellProblem
from getting_to_outcomes.validation._crossfield import check_across_fields
from getting_to_outcomes.validation._records import (
    MISSING_REASONS,
    DateOrder,
    FieldSpec,
    Plausible,
    model_specs,
    parse_cell,
)
from getting_to_outcomes.validation._table import (
    CELL_REASONS,
    DATETIME_DTYPE,
    CheckedTable,
    Coded,
    code_array,
    typed_empty,
)

__all__ = ["check_columns"]

_CODE: Final = {reason: code for code, reason in enumerate(CELL_REASONS)}
_MISSING_CODE: Final = {reason: code for code, reason in enumerate(MISSING_REASONS)}
_SKIPPED: Final = _MISSING_CODE["skipped"]
_KEY_IS_NUMBER: Final = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?")
_NUMBERISH: Final = (
    r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)(e[+-]?[0-9]+)?$"
    r"|^[+-]?[0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?$"
)


# --- reading a column ---------------------------------------------------------------


@dataclass
class _Parsed:
    values: Any
    missing: np.ndarray  # int8 missing-reason code, -1 when the cell is not missing
    error: np.ndarray  # int8 reason code, -1 when the cell is fine
    codes: np.ndarray | None = None  # int64 code of the typed value, -1 when none
    #: positions outside which no cell is missing or wrong (None: anywhere)
    at: np.ndarray | None = None


def _numeric_keys(mapping: Mapping[str, Any]) -> dict[float, Any]:
    return {float(k): v for k, v in mapping.items() if _KEY_IS_NUMBER.fullmatch(k)}


def _equals_any(x: np.ndarray, values: list[float]) -> np.ndarray:
    # A few equality passes beat np.isin's sort for a handful of codes.
    out = np.zeros(len(x), dtype=bool)
    for value in values:
        out |= x == value
    return out


def _typed(spec: FieldSpec, u_values: list[Any]) -> Any:
    """Typed array of the distinct values (None where missing or invalid)."""
    kind = spec.type
    if kind == "likert":
        position = {float(c): k for k, c in enumerate(spec.codes)}
        index = np.array(
            [-1 if v is None else position[float(v)] for v in u_values], dtype=np.int16
        )
        return Coded(index, code_array(spec))
    if kind in ("integer", "number"):
        return np.array([np.nan if v is None else float(v) for v in u_values], dtype=np.float64)
    if kind == "date":
        return np.array(
            [np.datetime64("NaT") if v is None else np.datetime64(v, "D") for v in u_values],
            dtype=DATETIME_DTYPE,
        )
    if kind == "boolean":
        return pd.array(np.array(u_values, dtype=object), dtype="boolean")
    return pd.array(np.array(u_values, dtype=object), dtype="str")


def _read_uniques(spec: FieldSpec, uniques: list[Any]) -> tuple[list[Any], np.ndarray, np.ndarray]:
    n = len(uniques)
    u_missing = np.full(n, -1, dtype=np.int8)
    u_error = np.full(n, -1, dtype=np.int8)
    u_values: list[Any] = [None] * n
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
    return u_values, u_missing, u_error


def _ascii_uniques(spec: FieldSpec, uniques: Any) -> tuple[Any, np.ndarray, np.ndarray, bool]:
    """Distinct texts of a string column: plain ASCII in bulk, the rest with parse_cell.

    The last item returned says whether every value kept is the text itself (then the
    values are as distinct as the texts).

    For text of printable ASCII without spaces or backticks, ``parse_cell`` reduces to:
    the value is itself, unless its key (lower case, runs of ``_`` and ``-`` made one
    space, trimmed) is a missing-value code. Number-like text is left to ``parse_cell``
    whenever a missing code is a number.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    n = len(uniques)
    keys = list(spec.missing)
    value_set = pa.array(keys, type=uniques.type)
    numbers_missing = any(_KEY_IS_NUMBER.fullmatch(k) for k in spec.missing)

    def lookup(texts: Any) -> tuple[np.ndarray, np.ndarray]:
        """(safe, position of the text's key among the missing codes or len(keys))."""
        key = pc.ascii_lower(texts)
        safe = pc.fill_null(pc.ascii_is_alnum(texts), False)
        if not pc.all(safe).as_py():
            safe = pc.fill_null(
                pc.and_(
                    pc.ascii_is_printable(texts),
                    pc.invert(pc.match_substring_regex(texts, "[ `]")),
                ),
                False,
            )
            separated = pc.fill_null(
                pc.or_(pc.match_substring(texts, "_"), pc.match_substring(texts, "-")), False
            )
            if pc.any(separated).as_py():
                loose = pc.utf8_trim(pc.replace_substring_regex(key, "[_-]+", " "), " ")
                key = pc.if_else(pc.and_(separated, pc.not_equal(loose, "")), loose, key)
        if numbers_missing:
            numberish = pc.or_(
                pc.match_substring_regex(texts, _NUMBERISH),
                pc.match_substring_regex(key, _NUMBERISH),
            )
            safe = pc.and_(safe, pc.invert(pc.fill_null(numberish, False)))
        found = pc.fill_null(pc.index_in(key, value_set=value_set), len(keys))
        return safe.to_numpy(zero_copy_only=False), found.to_numpy(zero_copy_only=False)

    # Ids are mostly letters and digits only: their key is just their lower case. The
    # other texts (blanks, spaces, separators, accents) are looked at more closely.
    alnum = pc.fill_null(pc.ascii_is_alnum(uniques), False).to_numpy(zero_copy_only=False)
    found_np = (
        pc.fill_null(pc.index_in(pc.ascii_lower(uniques), value_set=value_set), len(keys))
        .to_numpy(zero_copy_only=False)
        .copy()
    )
    safe_np = alnum.copy()
    if numbers_missing:
        safe_np &= ~pc.fill_null(pc.match_substring_regex(uniques, _NUMBERISH), False).to_numpy(
            zero_copy_only=False
        )
    others = np.flatnonzero(~alnum)
    if len(others):
        other_safe, other_found = lookup(uniques.take(pa.array(others)))
        safe_np[others] = other_safe
        found_np[others] = other_found
    safe = pa.array(safe_np)
    found = pa.array(found_np)
    reasons = np.array([_MISSING_CODE[spec.missing[k]] for k in keys] + [-1], dtype=np.int8)
    u_missing = np.where(safe_np, reasons[found_np], -1).astype(np.int8)
    u_error = np.full(n, -1, dtype=np.int8)
    values = pc.if_else(
        pc.and_(safe, pc.equal(found, len(keys))), uniques, pa.scalar(None, type=uniques.type)
    )
    unsafe = np.flatnonzero(~safe_np)
    if len(unsafe):
        rest_values, rest_missing, rest_error = _read_uniques(
            spec, uniques.take(pa.array(unsafe)).to_pylist()
        )
        u_missing[unsafe] = rest_missing
        u_error[unsafe] = rest_error
        mask = np.zeros(n, dtype=bool)
        mask[unsafe] = True
        values = pc.replace_with_mask(
            values, pa.array(mask), pa.array(rest_values, type=uniques.type)
        )
    return pd.array(values, dtype="str"), u_missing, u_error, len(unsafe) == 0


def _by_unique(spec: FieldSpec, raw: pd.Series) -> _Parsed:
    """Read each distinct value once, then spread the results with the codes."""
    values = raw.array
    arrow = type(values).__name__ == "ArrowStringArray"
    distinct = False
    if arrow:
        import pyarrow.compute as pc

        encoded = pc.dictionary_encode(values._pa_array).combine_chunks()
        take = encoded.indices.to_numpy(zero_copy_only=False)
        take = np.where(encoded.indices.is_null().to_numpy(zero_copy_only=False), -1, take)
        if spec.type == "string":
            u_typed, u_missing, u_error, distinct = _ascii_uniques(spec, encoded.dictionary)
        else:
            u_values, u_missing, u_error = _read_uniques(spec, encoded.dictionary.to_pylist())
            u_typed = _typed(spec, u_values)
    else:
        kinds = pd.api.types.infer_dtype(np.asarray(values, dtype=object), skipna=True)
        if raw.dtype == object and "mixed" in kinds:
            # Hashing would merge True with 1 and 1.0; a bool is not a number here.
            tagged = np.array(
                [("\x00bool", bool(v)) if isinstance(v, bool | np.bool_) else v for v in values],
                dtype=object,
            )
            take, found = pd.factorize(tagged, use_na_sentinel=True)
            uniques = [
                k[1] if isinstance(k, tuple) and k[:1] == ("\x00bool",) else k for k in found
            ]
        else:
            take, found = pd.factorize(values, use_na_sentinel=True)
            uniques = list(found)
        u_values, u_missing, u_error = _read_uniques(spec, uniques)
        u_typed = _typed(spec, u_values)
    take = np.asarray(take, dtype=np.int64)
    # Slot -1 (after the last distinct value) stands for blank cells.
    u_missing = np.append(u_missing, _SKIPPED).astype(np.int8)
    u_error = np.append(u_error, -1).astype(np.int8)
    blank = take < 0
    if isinstance(u_typed, Coded):
        typed: Any = Coded(np.append(u_typed.index, -1).astype(np.int16)[take], u_typed.codes)
    elif isinstance(u_typed, np.ndarray):
        if len(u_typed):
            typed = u_typed[take]
            if blank.any():
                typed[blank] = np.datetime64("NaT") if typed.dtype.kind == "M" else np.nan
        else:
            typed = typed_empty(spec, len(take))
    else:
        typed = u_typed.take(take, allow_fill=True)
    codes = None
    if spec.type in ("string", "category"):
        if distinct:
            u_codes = np.where(pd.isna(u_typed), -1, np.arange(len(u_typed)))
        else:
            u_codes, _ = pd.factorize(pd.array(u_typed), use_na_sentinel=True)
        codes = np.append(np.asarray(u_codes, dtype=np.int64), -1)[take]
    return _Parsed(typed, u_missing[take], u_error[take], codes)


def _exact_texts(spec: FieldSpec) -> tuple[list[str], list[Any]]:
    """Texts that ``parse_cell`` reads as an answer exactly as written, and those answers."""
    texts, answers = [], []
    for text in dict.fromkeys(
        str(a)
        for a in ([*spec.column.allowed] if spec.column.allowed else [])
        + [spelling for spellings in spec.column.value_aliases.values() for spelling in spellings]
        + [
            spelling
            for c in (spec.scale.codes if spec.scale else [])
            for spelling in (str(c.code), c.label, *c.aliases)
        ]
    ):
        try:
            value, reason = parse_cell(spec, text)
        except CellProblem:
            continue
        if reason is None:
            texts.append(text)
            answers.append(value)
    return texts, answers


def _by_answer_text(spec: FieldSpec, raw: pd.Series) -> _Parsed:
    """Answers held as Arrow text: cells written exactly as an answer are looked up in bulk."""
    import pyarrow as pa
    import pyarrow.compute as pc

    arr = raw.array._pa_array
    texts, answers = _exact_texts(spec)
    found = pc.index_in(arr, value_set=pa.array(texts, type=arr.type))
    at = pc.fill_null(found, -1).to_numpy(zero_copy_only=False).astype(np.int64)
    unmatched = np.flatnonzero(at < 0)
    rest = _by_unique(spec, raw.iloc[unmatched]) if len(unmatched) else None
    n = len(raw)
    missing = np.full(n, -1, dtype=np.int8)
    error = np.full(n, -1, dtype=np.int8)
    if spec.type == "likert":
        position = {float(c): k for k, c in enumerate(spec.codes)}
        index = np.array([position[float(a)] for a in answers] + [-1], dtype=np.int16)[at]
        if rest is not None:
            index[unmatched] = rest.values.index
            missing[unmatched], error[unmatched] = rest.missing, rest.error
        return _Parsed(Coded(index, code_array(spec)), missing, error)
    labels = list(dict.fromkeys(answers))
    codes = np.append(np.array([labels.index(a) for a in answers], dtype=np.int64), -1)[at]
    if rest is not None:
        missing[unmatched], error[unmatched] = rest.missing, rest.error
        rest_values = pd.Series(rest.values)
        codes[unmatched] = (
            rest_values.map({v: k for k, v in enumerate(labels)})
            .fillna(-1)
            .to_numpy(dtype=np.int64)
        )
    if rest is None and texts == [str(a) for a in answers]:
        values = raw.array  # every cell is written exactly as its answer: keep the column
    else:
        values = pd.array(np.array(labels, dtype=object), dtype="str").take(codes, allow_fill=True)
    return _Parsed(values, missing, error, codes)


_CHUNK: Final = 1 << 16


def _lookup_whole(
    x: np.ndarray, low: float, span: int, lookup: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """``lookup[x - low]`` where ``x - low`` is a whole number in [0, span], else ``lookup[-1]``.

    Also returns the positions where the result is ``lookup[-1]`` (cells that are not a
    code). Done in chunks that stay in the processor's cache: several times faster than
    whole-column temporaries on a million cells.
    """
    other = lookup[-1]
    found: list[np.ndarray] = []
    n = len(x)
    index = np.empty(n, dtype=lookup.dtype)
    offset = np.empty(_CHUNK)
    whole = np.empty(_CHUNK, dtype=np.int32)
    ok = np.empty(_CHUNK, dtype=bool)
    scratch = np.empty(_CHUNK, dtype=bool)
    with np.errstate(invalid="ignore"):
        for start in range(0, n, _CHUNK):
            part = x[start : start + _CHUNK]
            m = len(part)
            o, w, k, t = offset[:m], whole[:m], ok[:m], scratch[:m]
            np.subtract(part, low, out=o)
            np.copyto(w, o, casting="unsafe")  # NaN and huge values give garbage, caught below
            np.equal(w, o, out=k)
            np.greater_equal(w, 0, out=t)
            k &= t
            np.less_equal(w, span, out=t)
            k &= t
            np.logical_not(k, out=t)
            np.putmask(w, t, span + 1)
            part_index = index[start : start + m]
            np.take(lookup, w, out=part_index)
            found.append(np.flatnonzero(part_index == other) + start)
    return index, (np.concatenate(found) if found else np.array([], dtype=np.int64))


def _likert_numbers(
    spec: FieldSpec, x: np.ndarray, missing: np.ndarray, error: np.ndarray
) -> _Parsed:
    """Likert answers given as numbers: codes, declared missing codes, or wrong.

    Whole numbers within reach of the codes and missing codes are classified with one
    lookup table; the few cells that are not codes are then looked at one by one.
    """
    answers = _numeric_keys(spec.answers)
    missing_codes = _numeric_keys(spec.missing)
    position = {float(c): k for k, c in enumerate(spec.codes)}
    n_codes = len(spec.codes)
    known = [*answers, *missing_codes]
    low, high = min(known), max(known)
    whole = all(float(k).is_integer() for k in known) and high - low <= 4096
    if whole:
        span = int(high - low)
        lookup = np.full(span + 2, n_codes, dtype=np.int16)  # n_codes: not a code
        for key, code in answers.items():
            lookup[int(key - low)] = position[float(code)]
        index, others = _lookup_whole(x, low, span, lookup)
    else:
        index = np.full(len(x), n_codes, dtype=np.int16)
        for key, code in answers.items():
            index[x == key] = position[float(code)]
        others = np.flatnonzero(index == n_codes)
    index[others] = -1
    rest = x[others]
    rest_missing = np.where(np.isnan(rest), _SKIPPED, -1).astype(np.int8)
    for number, reason in missing_codes.items():
        rest_missing[rest == number] = _MISSING_CODE[reason]
    codes = spec.codes
    with np.errstate(invalid="ignore"):
        outside = (
            np.isfinite(rest) & (rest == np.floor(rest)) & ((rest < codes[0]) | (rest > codes[-1]))
        )
    missing[others] = rest_missing
    error[others] = np.where(
        rest_missing >= 0, -1, np.where(outside, _CODE["out_of_range"], _CODE["unknown_answer"])
    ).astype(np.int8)
    return _Parsed(Coded(index, code_array(spec)), missing, error, at=others)


def _by_number(spec: FieldSpec, x: np.ndarray) -> _Parsed:
    """Numbers (float64, NaN for blanks) under the rules of ``parse_cell``."""
    n = len(x)
    missing = np.full(n, -1, dtype=np.int8)
    error = np.full(n, -1, dtype=np.int8)
    kind = spec.type
    if kind == "likert":
        return _likert_numbers(spec, x, missing, error)
    missing[np.isnan(x)] = _SKIPPED
    for number, reason in _numeric_keys(spec.missing).items():
        missing[x == number] = _MISSING_CODE[reason]
    usable = missing < 0
    if kind in ("integer", "number"):
        finite = np.isfinite(x)
        error[usable & ~finite] = _CODE["not_a_number"]
        if kind == "integer":
            error[usable & finite & (x != np.floor(x))] = _CODE["not_an_integer"]
        bad = ~usable | (error >= 0)
        return _Parsed(np.where(bad, np.nan, x) if bad.any() else x, missing, error)
    if kind == "boolean":
        truth = usable & (x == 1)
        falsehood = usable & (x == 0)
        error[usable & ~truth & ~falsehood] = _CODE["not_a_boolean"]
        cells = np.full(len(x), None, dtype=object)
        cells[truth] = True
        cells[falsehood] = False
        data = pd.array(cells, dtype="boolean")
        return _Parsed(data, missing, error)
    if kind == "date":
        error[usable] = _CODE["not_a_date"]
        return _Parsed(typed_empty(spec, n), missing, error)
    raise AssertionError(kind)  # pragma: no cover - categories and text go through _by_unique


def _by_datetime(raw: pd.Series) -> _Parsed:
    stamps = raw.dt.tz_localize(None) if raw.dt.tz is not None else raw
    days = stamps.dt.normalize().to_numpy(dtype=DATETIME_DTYPE)
    missing = np.where(np.isnat(days), _SKIPPED, -1).astype(np.int8)
    return _Parsed(days, missing, np.full(len(days), -1, dtype=np.int8))


def _parse_column(spec: FieldSpec, raw: pd.Series) -> _Parsed:
    dtype = raw.dtype
    kind = spec.type
    if (
        kind in ("likert", "integer", "number", "boolean", "date")
        and not (pd.api.types.is_bool_dtype(dtype) or isinstance(dtype, pd.CategoricalDtype))
        and pd.api.types.is_numeric_dtype(dtype)
    ):
        return _by_number(spec, raw.to_numpy(dtype=np.float64, na_value=np.nan))
    if kind == "date" and pd.api.types.is_datetime64_any_dtype(dtype):
        return _by_datetime(raw)
    if kind in ("category", "likert") and type(raw.array).__name__ == "ArrowStringArray":
        return _by_answer_text(spec, raw)
    return _by_unique(spec, raw)


# --- the checks -----------------------------------------------------------------------


def _bound(value: Any, kind: str) -> Any:
    if kind == "date":
        return np.datetime64(value, "D").astype(DATETIME_DTYPE)
    return float(value)


def check_columns(
    frame: pd.DataFrame,
    model: type[BaseModel],
    date_orders: Mapping[str, DateOrder] | None = None,
) -> CheckedTable:
    """Check every cell of ``frame`` (columns named as the model's fields) column-wise.

    ``date_orders``: the order of day and month of date columns, found in the file.
    """
    table = CheckedTable(len(frame))
    for name, (spec, (low, high), plausible) in model_specs(model).items():
        if name not in frame.columns:
            continue
        if date_orders and name in date_orders:
            spec = replace(spec, date_order=date_orders[name])
        parsed = _parse_column(spec, frame[name])
        error = parsed.error
        values = parsed.values
        kind = spec.type
        at = parsed.at
        if kind in ("likert", "integer", "number", "date"):
            out_reason = _CODE["outside_period" if kind == "date" else "out_of_range"]
            for bound, below in ((low, True), (high, False)):
                if bound is None:
                    continue
                limit = _bound(bound, kind)
                if isinstance(values, Coded):
                    wrong = np.flatnonzero(
                        (values.codes < limit) if below else (values.codes > limit)
                    )
                    if len(wrong):
                        error[np.isin(values.index, wrong)] = out_reason
                        at = None
                else:
                    error[(values < limit) if below else (values > limit)] = out_reason
            # Cells that could not be read are already blank; values out of range are not yet.
            if at is None:
                out_of_range = np.flatnonzero(error == out_reason)
            else:
                out_of_range = at[error[at] == out_reason]
            if len(out_of_range):
                values = _blank(values, out_of_range)
        if at is None:
            if spec.column.required:
                error[parsed.missing >= 0] = _CODE["missing_required"]
            flagged = np.flatnonzero(error >= 0)
            missing_at = np.flatnonzero(parsed.missing >= 0)
        else:
            # The reader said where problems can be: look there only.
            if spec.column.required:
                blank = at[parsed.missing[at] >= 0]
                error[blank] = _CODE["missing_required"]
            flagged = at[error[at] >= 0]
            missing_at = at[parsed.missing[at] >= 0]
        table.add_flags(name, flagged, error[flagged])
        table.add_missing(name, missing_at, parsed.missing[missing_at])
        if kind in ("integer", "number"):
            _implausible(table, name, values, plausible)
        table.values[name] = values
        if parsed.codes is not None:
            table.codes[name] = parsed.codes
    check_across_fields(table, model)
    return table


def _blank(values: Any, bad: np.ndarray) -> Any:
    """A copy of ``values`` with the cells at ``bad`` (a mask or positions) made missing."""
    values = values.copy()
    if isinstance(values, Coded):
        values.index[bad] = -1
    elif isinstance(values, np.ndarray):
        values[bad] = np.datetime64("NaT") if values.dtype.kind == "M" else np.nan
    else:
        values[bad] = pd.NA if values.dtype == "boolean" else np.nan
    return values


def _implausible(table: CheckedTable, name: str, values: np.ndarray, plausible: Plausible) -> None:
    if plausible.low is None and plausible.high is None:
        return
    low = -np.inf if plausible.low is None else plausible.low
    high = np.inf if plausible.high is None else plausible.high
    flagged = np.flatnonzero((values < low) | (values > high))
    table.add_flags(name, flagged, np.full(len(flagged), _CODE["implausible"], dtype=np.int8))
