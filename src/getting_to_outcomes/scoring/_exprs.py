"""What one row contributes to an indicator, as narwhals expressions.

These expressions say, for any engine, what
:func:`getting_to_outcomes.scoring._measures.unit_values` computes with numpy for pandas:
the value of each row, whether it is in the indicator's population, whether all its inputs
are missing, its denominator and whether it is a success. Missing is null (NaN counts as
missing, as in pandas). Values that cannot be (text in a number column, a negative count, an
answer off the response scale) are turned into *checks*: boolean expressions that the caller
counts in one pass and reports as a :class:`~getting_to_outcomes.errors.ScoringError`. """

from __future__ import annotations

import math
import operator
from dataclasses import dataclass, field
from functools import reduce
from typing import Any, Final

from getting_to_outcomes.definitions import Framework
from getting_to_outcomes.definitions.models import (
    Condition,
    CountMeasure,
    Indicator,
    LevelMeasure,
    MeanMeasure,
    MilestoneMeasure,
    ProportionMeasure,
    RateMeasure,
    ScaleMeasure,
)
from getting_to_outcomes.errors import ScoringError, did_you_mean

__all__ = ["Check", "ExprBuilder", "UnitExprs", "required_items"]

# The spellings of yes and no that pandas scoring accepts (see ``_measures._truth``).
_TRUE: Final = ["true", "yes", "y", "1", "t"]
_FALSE: Final = ["false", "no", "n", "0", "f"]
_NUMBER: Final = r"^\s*[+-]?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))([eE][+-]?[0-9]+)?\s*$"


@dataclass(frozen=True)
class Check:
    """A value that scoring refuses: rows where ``bad`` holds, in ``column``."""

    bad: Any
    column: str
    what: str


@dataclass
class UnitExprs:
    """Expressions for one indicator (see :class:`.UnitValues` of ``scoring._measures``)."""

    value: Any
    in_scope: Any | None
    empty: Any
    denominator: Any | None = None
    threshold: float | None = None
    checks: list[Check] = field(default_factory=list)
    #: scales: (item name, raw answer expression) in item order
    items: list[tuple[str, Any]] = field(default_factory=list)


def required_items(min_answered: float, k: int) -> int:
    """Items a person must answer for a scale score (the rule of ``stats.score_scale``)."""
    if isinstance(min_answered, int) and not isinstance(min_answered, bool) and min_answered >= 1:
        if min_answered > k:
            raise ScoringError(f"min_answered = {min_answered} items, but the scale has {k}")
        return min_answered
    if not 0 < float(min_answered) <= 1:
        raise ScoringError(
            f"min_answered must be a fraction in (0, 1] or a whole number of items; "
            f"got {min_answered!r}"
        )
    # The same small tolerance as score_scale, so that 0.8 of 5 items is 4.
    return max(1, math.ceil(float(min_answered) * k - 1e-9))


class ExprBuilder:
    """Builds the expressions of the indicators of one source, given the table's schema.

    Expressions are defined in three stages, each a set of new columns computed from the
    columns before it: the inputs read from the table (numbers, yes/no, text), then what is
    derived from several inputs (conditions, the answered items of a scale), then the value
    of each row for each indicator. Each input is computed once however many indicators use
    it, and no expression is repeated inside another (an engine would evaluate it again).
    """

    def __init__(self, schema: dict[str, Any], source_id: str) -> None:
        import narwhals as nw

        self.nw = nw
        self.schema = schema
        self.source_id = source_id
        self.stages: list[dict[str, Any]] = [{}, {}, {}]
        self._names: dict[tuple[Any, ...], str] = {}
        self._checks: dict[tuple[Any, ...], list[Check]] = {}

    def define(
        self, stage: int, key: tuple[Any, ...], build: Any, checks: list[Check] | None = None
    ) -> Any:
        """The column computed by ``build()`` at ``stage`` (built once per ``key``)."""
        name = self._names.get(key)
        if name is None:
            own: list[Check] = []
            expr = build(own)
            name = f"__x{len(self._names)}"
            self._names[key] = name
            self._checks[key] = own
            self.stages[stage][name] = expr
        if checks is not None:
            checks.extend(self._checks[key])
        return self.nw.col(name)

    def apply(self, frame: Any) -> Any:
        """``frame`` with every defined column added."""
        for stage in self.stages:
            if stage:
                frame = frame.with_columns(**stage)
        return frame

    # --- columns -------------------------------------------------------------------------

    def _require(self, name: str, indicator: Indicator) -> None:
        if name not in self.schema:
            raise ScoringError(
                f"indicator {indicator.id!r} needs column {name!r} of source "
                f"{self.source_id!r}, which the data do not have"
                f"{did_you_mean(name, list(self.schema))}"
            )

    def _is_numeric(self, name: str) -> bool:
        dtype = self.schema[name]
        return bool(dtype.is_numeric()) or dtype == self.nw.Boolean

    def missing(self, name: str) -> Any:
        """Null, or NaN in a float column."""
        col = self.nw.col(name)
        if self.schema[name].is_float():
            return col.is_null() | col.is_nan()
        return col.is_null()

    def number(self, name: str, indicator: Indicator, checks: list[Check]) -> Any:
        """A column as Float64 with null for missing; text that is not a number is refused."""
        self._require(name, indicator)
        return self.define(0, ("number", name), lambda own: self._number(name, own), checks)

    def _number(self, name: str, checks: list[Check]) -> Any:
        nw = self.nw
        col = nw.col(name)
        if self._is_numeric(name):
            value = col.cast(nw.Float64)
            if self.schema[name].is_float():
                return nw.when(~self.missing(name)).then(value).otherwise(None)
            return value
        text = col.cast(nw.String)
        is_number = text.str.contains(_NUMBER)
        checks.append(Check(~col.is_null() & ~is_number.fill_null(False), name, "is not a number"))
        return nw.when(is_number).then(text.str.strip_chars().cast(nw.Float64)).otherwise(None)

    def text(self, name: str) -> Any:
        """A column as stripped text (the rule of pandas ``astype('string').str.strip()``)."""
        nw = self.nw
        col = nw.col(name)
        if self.schema[name] == nw.String:
            return col.str.strip_chars()
        return (
            nw.when(~self.missing(name)).then(col.cast(nw.String).str.strip_chars()).otherwise(None)
        )

    def truth(self, name: str, indicator: Indicator, checks: list[Check]) -> Any:
        """1.0 for true, 0.0 for false, null for missing; anything else is refused."""
        self._require(name, indicator)
        return self.define(0, ("truth", name), lambda own: self._truth(name, own), checks)

    def _truth(self, name: str, checks: list[Check]) -> Any:
        nw = self.nw
        what = "is not yes/no (true or false)"
        if self._is_numeric(name):
            value = nw.when(~self.missing(name)).then(nw.col(name).cast(nw.Float64)).otherwise(None)
            checks.append(
                Check(~value.is_null() & ~value.is_in([0.0, 1.0]).fill_null(False), name, what)
            )
            return value
        lowered = nw.col(name).cast(nw.String).str.strip_chars().str.to_lowercase()
        is_true = lowered.is_in(_TRUE).fill_null(False)
        is_false = lowered.is_in(_FALSE).fill_null(False)
        checks.append(Check(~nw.col(name).is_null() & ~is_true & ~is_false, name, what))
        return (
            nw.when(is_true)
            .then(nw.lit(1.0))
            .otherwise(nw.when(is_false).then(nw.lit(0.0)).otherwise(None))
        )

    def condition(self, condition: Condition, indicator: Indicator, checks: list[Check]) -> Any:
        """A declared condition row by row: 1.0 holds, 0.0 does not, null unknown."""
        self._require(condition.field, indicator)
        key = ("condition", condition.model_dump_json())
        return self.define(1, key, lambda own: self._condition(condition, indicator, own), checks)

    def _condition(self, condition: Condition, indicator: Indicator, checks: list[Check]) -> Any:
        nw = self.nw
        name = condition.field
        if condition.op in ("is_true", "is_false"):
            truth = self.truth(name, indicator, checks)
            return truth if condition.op == "is_true" else 1.0 - truth
        wanted = condition.value if isinstance(condition.value, list) else [condition.value]
        numbers = [v for v in wanted if isinstance(v, (int, float)) and not isinstance(v, bool)]
        op = condition.op
        if len(numbers) == len(wanted):
            left = self.number(name, indicator, checks)
            targets: list[Any] = [float(v) for v in numbers]
        else:
            if op not in ("in", "eq", "not_in", "ne"):
                raise ScoringError(
                    f"indicator {indicator.id!r}: condition {condition.field} {op} "
                    f"{condition.value!r} compares order, so it needs a number"
                )
            left = self.define(0, ("text", name), lambda own: self.text(name))
            targets = [str(v) for v in wanted]
        if op in ("in", "eq"):
            holds = left.is_in(targets)
        elif op in ("not_in", "ne"):
            holds = ~left.is_in(targets)
        else:
            target = targets[0]
            holds = {
                "lt": left < target,
                "le": left <= target,
                "gt": left > target,
                "ge": left >= target,
            }[op]
        return (
            nw.when(~self.missing(name))
            .then(holds.fill_null(False).cast(nw.Float64))
            .otherwise(None)
        )

    def _nonnegative(self, value: Any, name: str, checks: list[Check], *, whole: bool) -> None:
        bad = (~value.is_null()) & ((value < 0) | ~value.is_finite())
        what = "is negative or infinite, which this measure cannot take"
        if whole:
            bad = bad | ((~value.is_null()) & value.is_finite() & (value != value.floor()))
            what = "is not a whole number >= 0: a count cannot be negative or fractional"
        checks.append(Check(bad.fill_null(False), name, what))

    def _numerator(self, spec: str | Condition, indicator: Indicator, checks: list[Check]) -> Any:
        if isinstance(spec, Condition):
            return self.condition(spec, indicator, checks)
        value = self.number(spec, indicator, checks)
        self._nonnegative(value, spec, checks, whole=False)
        return value

    # --- measures ------------------------------------------------------------------------

    def unit(
        self, indicator: Indicator, framework: Framework, min_answered: float | None
    ) -> UnitExprs:
        """The expressions of one indicator, as columns; milestones are not handled here."""
        raw = self._unit(indicator, framework, min_answered)
        key = ("unit", indicator.id)

        def column(part: str, expr: Any) -> Any:
            return None if expr is None else self.define(2, (*key, part), lambda own: expr)

        return UnitExprs(
            value=column("value", raw.value),
            in_scope=column("in_scope", raw.in_scope),
            empty=column("empty", raw.empty),
            denominator=column("denominator", raw.denominator),
            threshold=raw.threshold,
            checks=raw.checks,
            items=raw.items,
        )

    def _unit(
        self, indicator: Indicator, framework: Framework, min_answered: float | None
    ) -> UnitExprs:
        nw = self.nw
        measure = indicator.measure
        checks: list[Check] = []
        if isinstance(measure, ScaleMeasure):
            return self._scale(indicator, measure, framework, min_answered)
        if isinstance(measure, MilestoneMeasure):  # pragma: no cover - routed elsewhere
            raise ScoringError("milestones are aggregated from their collected columns")
        if isinstance(measure, MeanMeasure):
            value = self.number(measure.field, indicator, checks)
            checks.append(
                Check(
                    (~value.is_null() & ~value.is_finite()).fill_null(False),
                    measure.field,
                    "is negative or infinite, which this measure cannot take",
                )
            )
            return UnitExprs(value, None, value.is_null(), checks=checks)
        if isinstance(measure, LevelMeasure):
            value = self.number(measure.field, indicator, checks)
            rungs = [float(r.value) for r in measure.ladder]
            ladder = ", ".join(f"{r:g}" for r in rungs)
            checks.append(
                Check(
                    ~value.is_null() & ~value.is_in(rungs).fill_null(False),
                    measure.field,
                    f"is not a rung of the ladder ({ladder})",
                )
            )
            return UnitExprs(
                value, None, value.is_null(), threshold=float(measure.at_or_above), checks=checks
            )
        if isinstance(measure, CountMeasure):
            if measure.field is None:
                value = nw.lit(1.0)
            else:
                value = self.number(measure.field, indicator, checks)
                self._nonnegative(value, measure.field, checks, whole=True)
            if measure.where is not None:
                holds = self.condition(measure.where, indicator, checks)
                value = (
                    nw.when(holds == 0)
                    .then(nw.lit(0.0))
                    .otherwise(nw.when(~holds.is_null()).then(value).otherwise(None))
                )
            return UnitExprs(value, None, value.is_null(), checks=checks)
        if isinstance(measure, RateMeasure):
            num = self._numerator(measure.numerator, indicator, checks)
            den = self.number(measure.denominator, indicator, checks)
            self._nonnegative(den, measure.denominator, checks, whole=False)
            both = (~num.is_null()) & (~den.is_null())
            return UnitExprs(
                nw.when(both).then(num).otherwise(None),
                None,
                num.is_null() & den.is_null(),
                denominator=nw.when(both).then(den).otherwise(None),
                checks=checks,
            )
        assert isinstance(measure, ProportionMeasure)
        return self._proportion(indicator, measure, checks)

    def _proportion(
        self, indicator: Indicator, measure: ProportionMeasure, checks: list[Check]
    ) -> UnitExprs:
        nw = self.nw
        num = self._numerator(measure.numerator, indicator, checks)
        spec = measure.denominator
        if isinstance(measure.numerator, Condition) and not isinstance(spec, str):
            if isinstance(spec, Condition):
                asked = self.condition(spec, indicator, checks)
                value = nw.when(~asked.is_null()).then(num).otherwise(None)
                # Unknown (null) stays in scope, as a missing value.
                in_scope = asked.is_null() | (asked != 0)
                return UnitExprs(value, in_scope, value.is_null(), threshold=1.0, checks=checks)
            return UnitExprs(num, None, num.is_null(), threshold=1.0, checks=checks)
        if spec is None:
            den = nw.when(~num.is_null()).then(nw.lit(1.0)).otherwise(None)
        elif isinstance(spec, Condition):
            den = self.condition(spec, indicator, checks)
        else:
            den = self.number(spec, indicator, checks)
            self._nonnegative(den, spec, checks, whole=False)
        both = (~num.is_null()) & (~den.is_null())
        label = measure.numerator if isinstance(measure.numerator, str) else measure.numerator.field
        name = spec if isinstance(spec, str) else (spec.field if spec is not None else None)
        checks.append(
            Check(
                (both & (num > den)).fill_null(False),
                label,
                f"exceeds the denominator {name!r}: a share cannot exceed 1",
            )
        )
        return UnitExprs(
            nw.when(both).then(num).otherwise(None),
            None,
            num.is_null() & den.is_null(),
            denominator=nw.when(both).then(den).otherwise(None),
            checks=checks,
        )

    def _scale(
        self,
        indicator: Indicator,
        measure: ScaleMeasure,
        framework: Framework,
        min_answered: float | None,
    ) -> UnitExprs:
        nw = self.nw
        checks: list[Check] = []
        codes = [c.code for c in framework.scale(measure.scale).codes]
        low, high = float(min(codes)), float(max(codes))
        items: list[tuple[str, Any]] = []
        keyed: list[Any] = []
        for name in measure.items:
            raw = self.number(name, indicator, checks)
            checks.append(
                Check(
                    (
                        (~raw.is_null()) & ((raw < low) | (raw > high) | (raw != raw.round(0)))
                    ).fill_null(False),
                    name,
                    f"is not a code of response scale {measure.scale!r} ({low:g} to {high:g})",
                )
            )
            items.append((name, raw))
            keyed.append(low + high - raw if name in measure.reverse else raw)
        k = len(keyed)
        required = required_items(measure.min_answered if min_answered is None else min_answered, k)
        # A chain of additions rather than sum_horizontal, which Dask cannot align in when().
        answered = self.define(
            1,
            ("answered", indicator.id),
            lambda own: reduce(operator.add, [(~x.is_null()).cast(nw.Int32) for x in keyed]),
        )
        total = self.define(
            1,
            ("total", indicator.id),
            lambda own: reduce(operator.add, [x.fill_null(0.0) for x in keyed]),
        )
        score = total / answered
        if measure.aggregate == "sum":
            score = score * k
        value = nw.when(answered >= required).then(score).otherwise(None)
        return UnitExprs(value, None, answered == 0, checks=checks, items=items)
