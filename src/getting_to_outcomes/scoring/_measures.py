"""Per-unit values of each measure kind: what one row of data contributes to an indicator.

Scoring reduces rows to grouped sufficient statistics
(:mod:`getting_to_outcomes.scoring._aggregate`). Before that, each row is turned into the
number it contributes, according to the indicator's measure:

=============  ===========  =============================================================
kind           family       value of one row
=============  ===========  =============================================================
scale          ``mean``     scale score (mean or prorated sum of answered, reverse-keyed
                            items; missing below ``min_answered``)
mean           ``mean``     the field
milestone      ``mean``     weight of the stage reached (0 for a setback)
proportion     ``share``    1 / 0 from the numerator condition, among rows in the denominator
               ``ratio``    numerator and denominator fields, pooled as sums
level          ``share``    the rung of the ladder; a success at or above ``at_or_above``
count          ``count``    the field (or 1 per row), 0 where ``where`` does not hold
rate           ``rate``     numerator and denominator (exposure), pooled as sums
=============  ===========  =============================================================

Missing is never zero: a row whose inputs are missing gets NaN and is counted as a row
without a value. Values that cannot be (negative counts, a numerator above its denominator,
a rung that is not on the ladder) raise :class:`~getting_to_outcomes.errors.ScoringError`
pointing back to ``gto validate``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from getting_to_outcomes.definitions import Framework
from getting_to_outcomes.definitions.models import (
    Condition,
    CountMeasure,
    DataSource,
    Indicator,
    LevelMeasure,
    MeanMeasure,
    MilestoneMeasure,
    ProportionMeasure,
    RateMeasure,
    ScaleMeasure,
)
from getting_to_outcomes.errors import ScoringError, did_you_mean

__all__ = ["UNNUMBERED", "Family", "UnitValues", "condition_mask", "family_of", "unit_values"]

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
Family = Literal["mean", "share", "ratio", "count", "rate"]

_VALIDATE_HINT = "run `gto validate` on the file to list every such value"
#: Index name of rows whose positions mean nothing to the user (a slice of an engine's
#: table, sorted for pairing): messages then name no row.
UNNUMBERED = "__unnumbered"
_TRUE = {"true", "yes", "y", "1", "t"}
_FALSE = {"false", "no", "n", "0", "f"}


def family_of(indicator: Indicator) -> Family:
    """The statistical family of an indicator's measure (see the module docstring)."""
    measure = indicator.measure
    if isinstance(measure, (ScaleMeasure, MeanMeasure, MilestoneMeasure)):
        return "mean"
    if isinstance(measure, LevelMeasure):
        return "share"
    if isinstance(measure, ProportionMeasure):
        fields = [measure.numerator, measure.denominator]
        return "ratio" if any(isinstance(f, str) for f in fields) else "share"
    if isinstance(measure, CountMeasure):
        return "count"
    return "rate"


@dataclass(frozen=True, eq=False)
class UnitValues:
    """What each row contributes to one indicator.

    Attributes
    ----------
    value : ndarray or None
        One value per row; NaN where the row has no value for this indicator. None for a
        scale, whose rows take the value of their pattern of answers.
    in_scope : ndarray of bool
        Rows that belong to the indicator's population (False for rows outside a proportion's
        denominator condition); rows out of scope take no part in any statistic.
    empty : ndarray of bool or None
        Rows in scope where every input of the measure is missing (None for a scale).
    denominator : ndarray or None
        Per-row denominator of ``ratio`` and ``rate`` measures.
    threshold : float or None
        ``share`` family: a value at or above it is a success.
    patterns, pattern_codes, pattern_keyed, pattern_values : ndarray or None
        Scales: the number of each row's pattern of answers; per pattern, each item's
        position among the scale's codes (the number of codes where missing), its keyed
        value (reverse keys applied, NaN where missing) and the scale score.
    stage_order : ndarray or None
        Milestones: 1 for the first stage onwards, 0 for a setback, NaN when missing.
    """

    value: FloatArray | None
    in_scope: BoolArray
    empty: BoolArray | None
    denominator: FloatArray | None = None
    threshold: float | None = None
    patterns: npt.NDArray[np.int64] | None = None
    pattern_codes: npt.NDArray[np.int64] | None = None
    pattern_keyed: FloatArray | None = None
    pattern_values: FloatArray | None = None
    stage_order: FloatArray | None = None


def _plain(value: object) -> object:
    """A numpy scalar as the Python value, so messages show ``7`` rather than ``np.int64(7)``."""
    return value.item() if isinstance(value, np.generic) else value


def _column(frame: pd.DataFrame, name: str, source: DataSource, indicator: Indicator) -> pd.Series:
    if name not in frame.columns:
        raise ScoringError(
            f"indicator {indicator.id!r} needs column {name!r} of source {source.id!r}, "
            f"which the data do not have{did_you_mean(name, [str(c) for c in frame.columns])}"
        )
    return frame[name]


def _bad_value(
    series: pd.Series, bad: pd.Series | BoolArray, source: DataSource, indicator: Indicator,
    what: str,
) -> ScoringError:
    mask = np.asarray(bad, dtype=bool)
    position = int(np.flatnonzero(mask)[0])
    row = "" if series.index.name == UNNUMBERED else f", row {_plain(series.index[position])!r}"
    return ScoringError(
        f"source {source.id!r}, column {series.name!r}{row}: "
        f"{_plain(series.iloc[position])!r} "
        f"{what} (indicator {indicator.id!r}; {int(mask.sum())} such value(s)); "
        f"{_VALIDATE_HINT}"
    )


def numeric(
    frame: pd.DataFrame, name: str, source: DataSource, indicator: Indicator
) -> FloatArray:
    """A column as float64 with NaN for missing; text that is not a number is refused."""
    series = _column(frame, name, source, indicator)
    if pd.api.types.is_bool_dtype(series.dtype) or pd.api.types.is_numeric_dtype(series.dtype):
        return np.asarray(series.astype("float64").to_numpy(na_value=np.nan), dtype=np.float64)
    converted = pd.to_numeric(series, errors="coerce")
    bad = converted.isna() & series.notna()
    if bad.any():
        raise _bad_value(series, bad, source, indicator, "is not a number")
    return np.asarray(converted.astype("float64").to_numpy(na_value=np.nan), dtype=np.float64)


def _truth(series: pd.Series, source: DataSource, indicator: Indicator) -> FloatArray:
    """1.0 for true, 0.0 for false, NaN for missing; anything else is refused."""
    if pd.api.types.is_bool_dtype(series.dtype) or pd.api.types.is_numeric_dtype(series.dtype):
        values = np.asarray(series.astype("float64").to_numpy(na_value=np.nan), dtype=np.float64)
        bad = ~np.isnan(values) & ~np.isin(values, (0.0, 1.0))
        if bad.any():
            raise _bad_value(series, bad, source, indicator, "is not yes/no (true or false)")
        return values
    text = series.astype("string").str.strip().str.lower()
    out = np.full(len(series), np.nan)
    is_true = text.isin(_TRUE).to_numpy(dtype=bool, na_value=False)
    is_false = text.isin(_FALSE).to_numpy(dtype=bool, na_value=False)
    out[is_true] = 1.0
    out[is_false] = 0.0
    bad = series.notna().to_numpy() & ~is_true & ~is_false
    if bad.any():
        raise _bad_value(series, bad, source, indicator, "is not yes/no (true or false)")
    return out


def condition_mask(
    frame: pd.DataFrame, condition: Condition, source: DataSource, indicator: Indicator
) -> FloatArray:
    """Evaluate a declared condition row by row: 1.0 holds, 0.0 does not, NaN unknown.

    Only the fixed vocabulary of :class:`~getting_to_outcomes.definitions.models.Condition` is
    understood; nothing is evaluated as code.
    """
    series = _column(frame, condition.field, source, indicator)
    if condition.op in ("is_true", "is_false"):
        truth = _truth(series, source, indicator)
        return truth if condition.op == "is_true" else np.where(np.isnan(truth), np.nan, 1 - truth)
    wanted = condition.value if isinstance(condition.value, list) else [condition.value]
    missing = series.isna().to_numpy()
    numbers = [v for v in wanted if isinstance(v, (int, float)) and not isinstance(v, bool)]
    if len(numbers) == len(wanted):
        values = numeric(frame, condition.field, source, indicator)
        targets = np.asarray(numbers, dtype=np.float64)
        left: npt.NDArray[np.generic] = values
    else:
        # Missing values are masked below; "" only stands in for them while comparing.
        stripped = series.astype("string").str.strip().fillna("")
        left = np.asarray(stripped.astype(object), dtype=object)
        targets = np.asarray([str(v) for v in wanted], dtype=object)
    op = condition.op
    with np.errstate(invalid="ignore"):
        if op in ("in", "eq"):
            holds = np.isin(left, targets)
        elif op in ("not_in", "ne"):
            holds = ~np.isin(left, targets)
        else:
            if targets.dtype == object:
                raise ScoringError(
                    f"indicator {indicator.id!r}: condition {condition.field} {op} "
                    f"{condition.value!r} compares order, so it needs a number"
                )
            target = float(targets[0])
            compare = {"lt": np.less, "le": np.less_equal, "gt": np.greater,
                       "ge": np.greater_equal}[op]
            holds = compare(np.asarray(left, dtype=np.float64), target)
    return np.where(missing, np.nan, holds.astype(np.float64))


def _refuse_negative(
    values: FloatArray, frame: pd.DataFrame, name: str, source: DataSource,
    indicator: Indicator, *, whole: bool,
) -> None:
    present = ~np.isnan(values)
    bad = present & ((values < 0) | ~np.isfinite(values))
    if whole:
        bad |= present & np.isfinite(values) & (values != np.round(values))
    if bad.any():
        what = "is not a whole number >= 0: a count cannot be negative or fractional" if whole \
            else "is negative or infinite, which this measure cannot take"
        raise _bad_value(frame[name], bad, source, indicator, what)


def _numerator(
    frame: pd.DataFrame, spec: str | Condition, source: DataSource, indicator: Indicator
) -> FloatArray:
    if isinstance(spec, Condition):
        return condition_mask(frame, spec, source, indicator)
    values = numeric(frame, spec, source, indicator)
    _refuse_negative(values, frame, spec, source, indicator, whole=False)
    return values


def _scale(
    frame: pd.DataFrame, measure: ScaleMeasure, source: DataSource, indicator: Indicator,
    framework: Framework, min_answered: float | None,
) -> UnitValues:
    items = [_column(frame, c, source, indicator) for c in measure.items]
    codes = np.asarray([c.code for c in framework.scale(measure.scale).codes], dtype=np.int64)
    low, high, k, m = int(codes.min()), int(codes.max()), len(items), len(codes)
    # Each answer becomes its position among the scale's codes (m: missing), through a
    # lookup table over the codes' range, or, for whole codes counting up from a small
    # ``low``, as the answer less ``low``; anything else is refused.
    lookup: npt.NDArray[np.signedinteger[Any]] = np.full(
        high - low + 3, -1, dtype=np.int8 if m < 127 else np.int64)
    lookup[codes - low + 1] = np.arange(m)  # one more at each end: off range
    plain = m < 100 and -100 < low < 27 and np.array_equal(codes, np.arange(low, low + m))
    positions = np.empty((k, len(frame)), dtype=lookup.dtype)  # item by item, contiguous
    first_bad: tuple[int, int, BoolArray] | None = None
    for j, name in enumerate(measure.items):
        raw = numeric(frame, name, source, indicator)
        with np.errstate(invalid="ignore"):
            at: npt.NDArray[np.signedinteger[Any]] = raw.astype(  # NaN, huge: caught below
                np.int8 if plain else np.int32)
        if plain:
            found = at - low
            ok = found.view(np.uint8) < m
        else:
            np.clip(at, low - 1, high + 1, out=at)
            found = lookup[at - (low - 1)]
            ok = found >= 0
        ok &= at == raw
        blank = np.isnan(raw)
        if np.count_nonzero(ok) + np.count_nonzero(blank) < len(raw):
            bad = ~ok & ~blank
            row = int(np.argmax(bad))
            if first_bad is None or row < first_bad[0]:
                first_bad = (row, j, bad)
        np.copyto(found, m, where=~ok)
        positions[j] = found
    if first_bad is not None:  # the first row with a value off the scale, at its first item
        listed = ", ".join(f"{c:g}" for c in codes)
        raise _bad_value(items[first_bad[1]], first_bad[2], source, indicator,
                         f"is not a code of response scale {measure.scale!r} ({listed})")
    # A row's answers are one of at most (m + 1) ** k patterns: the score is computed once
    # per pattern that occurs, with the formula of stats.score_scale (mean of the answered,
    # reverse-keyed items, prorated for "sum"), and read back for every row.
    patterns, pattern_codes = _patterns(positions, m + 1)
    keyed = np.where(pattern_codes < m, codes[np.minimum(pattern_codes, m - 1)], np.nan)
    for name in measure.reverse:
        j = measure.items.index(name)
        keyed[:, j] = low + high - keyed[:, j]
    share = measure.min_answered if min_answered is None else min_answered
    required = share if isinstance(share, int) and share >= 1 \
        else max(1, math.ceil(float(share) * k - 1e-9))
    answered = (pattern_codes < m).sum(axis=1)
    total = np.zeros(len(keyed))
    for j in range(k):  # item by item, as a row sum adds them
        total += np.where(pattern_codes[:, j] < m, keyed[:, j], 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        score = np.where(answered >= required, total / answered, np.nan)
    if measure.aggregate == "sum":
        score = score * k
    return UnitValues(
        value=None, in_scope=np.ones(len(frame), dtype=bool), empty=None, patterns=patterns,
        pattern_codes=pattern_codes, pattern_keyed=keyed, pattern_values=score,
    )


def _patterns(positions: npt.NDArray[np.integer[Any]], base: int) -> tuple[
        npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Number the distinct columns of ``positions`` (items x rows, each entry below
    ``base``): the number of each row's pattern, and the entries of each pattern."""
    k, n = positions.shape  # small integers add up faster: the least width that holds them
    code: npt.NDArray[np.signedinteger[Any]] = np.zeros(
        n, dtype=np.int16 if base**k < 1 << 15 else np.int32 if base**k < 1 << 31 else np.int64)
    bound, exact = 1, True
    for j in range(k):
        if bound > (1 << 40) // base:  # keep the combined code within int64
            code = np.asarray(pd.factorize(code)[0], dtype=np.int64)
            bound, exact = (int(code.max()) + 1 if n else 1), False
        code *= base
        code += positions[j]
        bound *= base
    if exact and bound <= 4 * n + 4096:
        present = np.flatnonzero(np.bincount(code, minlength=bound))
        number = np.zeros(bound, dtype=np.int64)
        number[present] = np.arange(len(present))
        powers = base ** np.arange(k - 1, -1, -1, dtype=np.int64)
        return np.take(number, code), (present[:, None] // powers) % base
    ids = np.asarray(pd.factorize(code)[0], dtype=np.int64)
    first = np.zeros(int(ids.max()) + 1 if n else 0, dtype=np.int64)
    first[ids] = np.arange(n)  # any row of each pattern stands for it
    return ids, positions[:, first].T.astype(np.int64)


def _milestone(
    frame: pd.DataFrame, measure: MilestoneMeasure, source: DataSource, indicator: Indicator
) -> UnitValues:
    series = _column(frame, measure.stage_field, source, indicator)
    text = series.astype("string").str.strip()
    order = {s.id: float(i) for i, s in enumerate(measure.stages, start=1)}
    order.update({s: 0.0 for s in measure.setbacks})
    weights = {s.id: s.weight for s in measure.stages}
    weights.update({s: 0.0 for s in measure.setbacks})
    known = text.isin(list(order)).to_numpy(dtype=bool, na_value=False)
    unknown = series.notna().to_numpy() & ~known
    if unknown.any():
        allowed = ", ".join([*order])
        raise _bad_value(series, unknown, source, indicator,
                         f"is not a stage of this milestone ({allowed})")
    stage_order = np.asarray(text.map(order).astype("float64"), dtype=np.float64)
    value = np.asarray(text.map(weights).astype("float64"), dtype=np.float64)
    return UnitValues(
        value=value, in_scope=np.ones(len(frame), dtype=bool), empty=np.isnan(value),
        stage_order=stage_order,
    )


def unit_values(
    frame: pd.DataFrame, indicator: Indicator, source: DataSource, framework: Framework, *,
    min_answered: float | None = None,
) -> UnitValues:
    """Turn the rows of one source into the values they contribute to ``indicator``.

    Parameters
    ----------
    frame : DataFrame
        Rows of ``source`` with canonical column names (as validation returns them).
    indicator, source, framework : Indicator, DataSource, Framework
        The indicator to compute, its data source, and (for response scales) the framework.
    min_answered : float, optional
        Overrides every scale's ``min_answered``.

    Returns
    -------
    UnitValues

    Raises
    ------
    ScoringError
        A column the measure needs is absent, or a value that cannot be (see the module
        docstring).
    """
    measure = indicator.measure
    n = len(frame)
    everything = np.ones(n, dtype=bool)
    if isinstance(measure, ScaleMeasure):
        return _scale(frame, measure, source, indicator, framework, min_answered)
    if isinstance(measure, MilestoneMeasure):
        return _milestone(frame, measure, source, indicator)
    if isinstance(measure, MeanMeasure):
        value = numeric(frame, measure.field, source, indicator)
        if np.isinf(value).any():
            _refuse_negative(np.where(np.isinf(value), -1.0, 0.0), frame, measure.field,
                             source, indicator, whole=False)
        return UnitValues(value=value, in_scope=everything, empty=np.isnan(value))
    if isinstance(measure, LevelMeasure):
        value = numeric(frame, measure.field, source, indicator)
        rungs = np.asarray([r.value for r in measure.ladder], dtype=np.float64)
        off = ~np.isnan(value) & ~np.isin(value, rungs)
        if off.any():
            ladder = ", ".join(f"{r:g}" for r in rungs)
            raise _bad_value(frame[measure.field], off, source, indicator,
                             f"is not a rung of the ladder ({ladder})")
        return UnitValues(value=value, in_scope=everything, empty=np.isnan(value),
                          threshold=float(measure.at_or_above))
    if isinstance(measure, CountMeasure):
        if measure.field is None:
            value = np.ones(n)
        else:
            value = numeric(frame, measure.field, source, indicator)
            _refuse_negative(value, frame, measure.field, source, indicator, whole=True)
        empty = np.isnan(value)
        if measure.where is not None:
            holds = condition_mask(frame, measure.where, source, indicator)
            value = np.where(holds == 0, 0.0, np.where(np.isnan(holds), np.nan, value))
            empty = np.isnan(value)
        return UnitValues(value=value, in_scope=everything, empty=empty)
    if isinstance(measure, RateMeasure):
        num = _numerator(frame, measure.numerator, source, indicator)
        if isinstance(measure.numerator, str):
            _refuse_negative(num, frame, measure.numerator, source, indicator, whole=True)
        den = numeric(frame, measure.denominator, source, indicator)
        _refuse_negative(den, frame, measure.denominator, source, indicator, whole=False)
        both = ~np.isnan(num) & ~np.isnan(den)
        return UnitValues(value=np.where(both, num, np.nan), in_scope=everything,
                          empty=np.isnan(num) & np.isnan(den),
                          denominator=np.where(both, den, np.nan))
    assert isinstance(measure, ProportionMeasure)
    return _proportion(frame, measure, source, indicator)


def _proportion(
    frame: pd.DataFrame, measure: ProportionMeasure, source: DataSource, indicator: Indicator
) -> UnitValues:
    n = len(frame)
    num = _numerator(frame, measure.numerator, source, indicator)
    spec = measure.denominator
    if isinstance(measure.numerator, Condition) and not isinstance(spec, str):
        # One yes/no per row: rows outside the denominator condition are not asked.
        in_scope = np.ones(n, dtype=bool)
        value = num
        if isinstance(spec, Condition):
            asked = condition_mask(frame, spec, source, indicator)
            in_scope = asked != 0  # NaN (unknown) stays in scope, as a missing value
            value = np.where(np.isnan(asked), np.nan, num)
        return UnitValues(value=value, in_scope=in_scope, empty=np.isnan(value), threshold=1.0)
    # Pooled sums: numerator and denominator per row.
    if spec is None:
        den = np.where(np.isnan(num), np.nan, 1.0)
        name = None
    elif isinstance(spec, Condition):
        den = condition_mask(frame, spec, source, indicator)
        name = spec.field
    else:
        den = numeric(frame, spec, source, indicator)
        _refuse_negative(den, frame, spec, source, indicator, whole=False)
        name = spec
    both = ~np.isnan(num) & ~np.isnan(den)
    above = both & (num > den)
    if above.any():
        label = measure.numerator if isinstance(measure.numerator, str) else measure.numerator.field
        row = _plain(frame.index[int(np.flatnonzero(above)[0])])
        raise ScoringError(
            f"source {source.id!r}, row {row!r}: the numerator "
            f"{label!r} ({num[above][0]:g}) exceeds the denominator {name!r} "
            f"({den[above][0]:g}) of indicator {indicator.id!r} ({int(above.sum())} such "
            f"row(s)); a share cannot exceed 1: {_VALIDATE_HINT}"
        )
    return UnitValues(
        value=np.where(both, num, np.nan), in_scope=np.ones(n, dtype=bool),
        empty=np.isnan(num) & np.isnan(den), denominator=np.where(both, den, np.nan),
    )
