"""One pydantic record model per data source, and the cell rules it is built from.

A data source in YAML (:class:`~getting_to_outcomes.definitions.models.DataSource`) says what one
row of a table must look like. :func:`record_model` turns it into a pydantic model
(built with :func:`pydantic.create_model`) that validates one row at a time. The
column-wise checks in :mod:`getting_to_outcomes.validation._validate` read their rules from the
very same model, so both paths flag the same cells.

Every cell goes through :func:`parse_cell`:

1. blanks and missing-value codes (``""``, ``"N/A"``, ``"-"``, ``"refused"``,
   ``"don't know"``, declared codes such as 99 or -9) become an explicit *missing
   reason* (``not_asked``, ``skipped``, ``not_applicable``, ``refused``,
   ``dont_know``) that scoring treats as missing, never as zero;
2. the rest is converted to the column's type: Likert answers given as labels
   (``"Strongly agree"``), codes (``"5"``) or both (``"5 - Strongly agree"``) map
   through the response scale, case- and whitespace-insensitively;
3. a value that cannot be converted raises :class:`CellProblem` with a reason code.

Examples
--------
>>> from getting_to_outcomes import load_framework
>>> fw = load_framework()
>>> Record = record_model(fw.source("leadership_survey"), fw)
>>> row = Record.model_validate({"person_id": " P-001 ",
...                              "k1_district_decisions": "5 - Strongly agree",
...                              "k2_school_budget": "Don't know"})
>>> row.person_id, row.k1_district_decisions, row.k2_school_budget
('P-001', 5.0, None)
"""

from __future__ import annotations

import datetime as dt
import math
import numbers
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from functools import partial
from typing import TYPE_CHECKING, Any, Final, Literal, get_args

import annotated_types as at
import numpy as np
import pandas as pd
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    ValidationInfo,
    create_model,
    model_validator,
)
from pydantic_core import PydanticCustomError

from getting_to_outcomes.definitions.models import (
    Column,
    DataSource,
    MissingCode,
    ResponseScale,
    date_format_pattern,
)
from getting_to_outcomes.errors import CellProblem

if TYPE_CHECKING:
    from getting_to_outcomes.definitions import Framework

__all__ = [
    "DEFAULT_MISSING_CODES",
    "MISSING_REASONS",
    "DateOrder",
    "FieldSpec",
    "Plausible",
    "RecordRules",
    "cell_key",
    "date_fields",
    "field_specs",
    "parse_cell",
    "record_model",
    "record_rules",
]

#: Why a value is missing, in the order reports list them.
MISSING_REASONS: Final = ("not_asked", "skipped", "not_applicable", "refused", "dont_know")

#: Missing-value codes understood in every column, whatever the source declares.
#: A value that is a valid answer of the column (an allowed category, a scale
#: label) is never read as missing.
DEFAULT_MISSING_CODES: Final[tuple[tuple[str, str], ...]] = (
    ("", "skipped"),
    ("-", "skipped"),
    ("--", "skipped"),
    ("n/a", "not_applicable"),
    ("na", "not_applicable"),
    ("not applicable", "not_applicable"),
    ("refused", "refused"),
    ("prefer not to say", "refused"),
    ("prefer not to answer", "refused"),
    ("don't know", "dont_know"),
    ("dont know", "dont_know"),
    ("do not know", "dont_know"),
    ("not asked", "not_asked"),
)

ColumnType = Literal["string", "integer", "number", "boolean", "date", "category", "likert"]

_TRUE: Final = frozenset({"true", "yes", "y", "t", "1", "si", "sí", "x"})
_FALSE: Final = frozenset({"false", "no", "n", "f", "0"})
_QUOTES: Final = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'"})
_NUMBER: Final = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?")
_THOUSANDS: Final = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?")
_SEPARATORS: Final = re.compile(r"[\s_\-–—]+")
_CODE_FIRST: Final = re.compile(r"([+-]?\d+)\s*(?:[-–—.:=)]|\s)\s*(.*\S)")
_CODE_LAST: Final = re.compile(r"(.*?\S)\s*[(\[]\s*([+-]?\d+)\s*[)\]]")


# --- normalising text ---------------------------------------------------------------


def _text_key(text: str) -> str:
    """NFKC, straight quotes, single spaces, case-folded."""
    return " ".join(unicodedata.normalize("NFKC", text).translate(_QUOTES).split()).casefold()


def _number_key(x: float) -> str:
    if x.is_integer() and abs(x) < 1e15:
        return str(int(x))
    return repr(x)


def _number_from_text(t: str) -> float | None:
    """The number written in ``t`` (already a text key), or None."""
    if _NUMBER.fullmatch(t):
        x = float(t)
    elif _THOUSANDS.fullmatch(t):
        x = float(t.replace(",", ""))
    else:
        return None
    return x if math.isfinite(x) else None


def _is_real(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool | np.bool_)


def _is_blank(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float | np.floating):
        return bool(np.isnan(value))
    if isinstance(value, np.datetime64):
        return bool(np.isnat(value))
    return False


def cell_key(value: Any) -> str:
    """The key under which a cell is looked up among codes, labels and categories.

    Numbers, and texts that spell a number, become the shortest spelling of the
    number (``99.0``, ``"99"`` and ``" 99 "`` are all ``"99"``); other texts are
    case-folded, with straight quotes and runs of spaces, underscores and dashes
    made into one space.

    Examples
    --------
    >>> cell_key("  Strongly_Agree "), cell_key(99.0), cell_key("1,000"), cell_key("Don’t know")
    ('strongly agree', '99', '1000', "don't know")
    """
    if _is_real(value):
        x = float(value)
        return _number_key(x) if math.isfinite(x) else "\x00not finite"
    t = _text_key(str(value))
    number = _number_from_text(t)
    if number is not None:
        return _number_key(number)
    loose = _SEPARATORS.sub(" ", t).strip()
    return loose if loose else t


# --- what one column accepts ---------------------------------------------------------


@dataclass(frozen=True)
class Plausible:
    """Bounds outside which a value is implausible (a warning, not an error)."""

    low: float | None
    high: float | None


@dataclass(frozen=True)
class DateOrder:
    """The order of day and month in a file's dates of one column (``04/03/2024``).

    ``order`` is ``"day_first"`` or ``"month_first"``; ``example`` is a date of the column
    that can be read only that way, and ``row`` its row (both empty when nothing proved
    the order and the library's default, month first, was taken).
    """

    order: Literal["day_first", "month_first"]
    example: str = ""
    row: int | None = None

    @property
    def written(self) -> str:
        """The order as a person writes it: ``day/month/year`` or ``month/day/year``."""
        return "day/month/year" if self.order == "day_first" else "month/day/year"


@dataclass(frozen=True, eq=False)
class FieldSpec:
    """Everything needed to read one column: type, codes, categories, missing codes.

    Built from a :class:`~getting_to_outcomes.definitions.models.Column` (and its response scale)
    by :func:`field_specs`, and attached to the record model's fields.
    """

    column: Column
    scale: ResponseScale | None = None
    missing: Mapping[str, str] = field(default_factory=dict)
    answers: Mapping[str, Any] = field(default_factory=dict)
    #: how the dates of a date column are written (the column's or the source's)
    date_format: str | None = None
    #: the order of day and month found in the file being read (no ``date_format``)
    date_order: DateOrder | None = None

    @property
    def name(self) -> str:
        return self.column.name

    @property
    def type(self) -> ColumnType:
        return self.column.type

    @property
    def codes(self) -> tuple[int, ...]:
        return tuple(c.code for c in self.scale.codes) if self.scale else ()

    def describe_answers(self, limit: int = 12) -> str:
        """The allowed answers, as a person would read them."""
        if self.scale is not None:
            parts = [f"{c.code} = {c.label}" for c in self.scale.codes]
        elif self.column.allowed:
            parts = [str(a) for a in self.column.allowed]
        else:
            return ""
        if len(parts) > limit:
            parts = [*parts[:limit], f"+{len(parts) - limit} more"]
        return ", ".join(parts)


def field_specs(source: DataSource, scales: Mapping[str, ResponseScale]) -> dict[str, FieldSpec]:
    """A :class:`FieldSpec` per column of ``source``, in column order."""
    specs: dict[str, FieldSpec] = {}
    for column in source.columns:
        scale = scales.get(column.scale) if column.scale else None
        answers: dict[str, Any] = {}
        if column.type == "likert" and scale is not None:
            for code in scale.codes:
                for spelling in (code.code, code.label, *code.aliases):
                    answers.setdefault(cell_key(spelling), code.code)
        elif column.type == "category" and column.allowed:
            for allowed in column.allowed:
                answers.setdefault(cell_key(allowed), str(allowed))
            for value, spellings in column.value_aliases.items():
                for spelling in spellings:
                    answers.setdefault(cell_key(spelling), value)
        missing: dict[str, str] = {}
        declared: list[MissingCode] = [*column.missing_codes, *(scale.missing if scale else [])]
        for missing_code in declared:
            missing.setdefault(cell_key(missing_code.value), missing_code.reason)
        for text, reason in DEFAULT_MISSING_CODES:
            missing.setdefault(cell_key(text), reason)
        # A valid answer is never a missing code; a declared code wins over a number.
        for key in answers:
            missing.pop(key, None)
        date_format = (column.date_format or source.date_format) if column.type == "date" else None
        specs[column.name] = FieldSpec(column, scale, missing, answers, date_format)
    return specs


# --- reading one cell ---------------------------------------------------------------


def _show(value: Any) -> str:
    text = _number_key(float(value)) if _is_real(value) else str(value)
    return text if len(text) <= 60 else text[:57] + "..."


_MONTHS: Final = {
    m: i
    for i, m in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"),
        start=1,
    )
}
_TIME: Final = (
    r"(?:[ t]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?: ?[ap]\.?m\.?)?"
    r"(?: ?(?:z|(?:utc|gmt)?[+-]\d{1,2}(?::?\d{2})?|[a-z]{1,5}))?)?"
)
_DATE_FORMATS: Final = (
    (re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})" + _TIME), "ymd"),
    (re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})" + _TIME), "mdy"),
    (re.compile(r"(\d{1,2})-(\d{1,2})-(\d{4})" + _TIME), "mdy"),
    (re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})" + _TIME), "dmy"),
    (re.compile(r"(\d{1,2}) ([a-z]{3})[a-z]*\.?,? (\d{4})" + _TIME), "d_month_y"),
    (re.compile(r"([a-z]{3})[a-z]*\.? (\d{1,2}),? (\d{4})" + _TIME), "month_d_y"),
)


def date_fields(t: str) -> tuple[int, int, int] | None:
    """(first number, second number, year) of a date whose order of day and month is not
    written in it (``04/03/2024``, ``4-3-2024``; ``t`` is a text key), or None.

    Examples
    --------
    >>> date_fields("13/03/2024"), date_fields("2024-03-13"), date_fields("13.03.2024")
    ((13, 3, 2024), None, None)
    """
    for pattern, order in _DATE_FORMATS:
        if order != "mdy":
            continue
        match = pattern.fullmatch(t)
        if match is not None:
            a, b, c = match.group(1), match.group(2), match.group(3)
            return int(a), int(b), int(c) if len(c) == 4 else 2000 + int(c)
    return None


def _is_date(y: int, m: int, d: int) -> bool:
    try:
        dt.date(y, m, d)
    except ValueError:
        return False
    return True


def _date_from_text(t: str, order: DateOrder | None = None, shown: str = "") -> dt.date | None:
    """The date written in ``t`` (a text key), or None.

    ISO dates (with or without a time), year/month/day, day/month/year or month/day/year
    as ``order`` says (without one: month/day/year, day/month/year when the first number
    is over 12), day.month.year and dates with month names.

    Raises
    ------
    CellProblem
        ``date_order_conflict``: the date can be read only in the order ``order`` is not.
    """
    fields = date_fields(t)
    if fields is not None:
        first, second, y = fields
        if order is None:
            m, d = (second, first) if first > 12 else (first, second)
        elif order.order == "day_first":
            d, m = first, second
        else:
            m, d = first, second
        if order is not None and m > 12 and _is_date(y, d, m):
            raise CellProblem(
                "date_order_conflict",
                f"'{shown}' can only be read {_OTHER[order.order]}, but the column's dates "
                f"are {order.written}",
            )
        return dt.date(y, m, d) if _is_date(y, m, d) else None
    for pattern, kind in _DATE_FORMATS:
        match = pattern.fullmatch(t)
        if match is None:
            continue
        a, b, c = match.group(1), match.group(2), match.group(3)
        try:
            if kind == "ymd":
                y, m, d = int(a), int(b), int(c)
            elif kind == "dmy":
                y, m, d = int(c), int(b), int(a)
            elif kind == "d_month_y":
                y, m, d = int(c), _MONTHS.get(b[:3], 0), int(a)
            else:
                y, m, d = int(c), _MONTHS.get(a[:3], 0), int(b)
            return dt.date(y, m, d)
        except ValueError:
            return None
    return None


_OTHER: Final = {"day_first": "month/day/year", "month_first": "day/month/year"}
_FORMATS: dict[str, re.Pattern[str]] = {}


def _formatted_date(date_format: str, t: str) -> dt.date | None:
    """The date written in ``t`` (a text key) in ``date_format``, or an ISO date; else None."""
    iso = _DATE_FORMATS[0][0].fullmatch(t)
    if iso is not None:
        y, m, d = int(iso.group(1)), int(iso.group(2)), int(iso.group(3))
        return dt.date(y, m, d) if _is_date(y, m, d) else None
    pattern = _FORMATS.get(date_format)
    if pattern is None:
        pattern = _FORMATS[date_format] = re.compile(
            date_format_pattern(date_format).pattern + _TIME
        )
    match = pattern.fullmatch(t)
    if match is None:
        return None
    parts = match.groupdict()
    year = int(parts["year"]) if parts.get("year") else 2000 + int(parts["year2"])
    if parts.get("month_name"):
        month = _MONTHS.get(parts["month_name"][:3], 0)
    else:
        month = int(parts["month"])
    day = int(parts["day"])
    return dt.date(year, month, day) if _is_date(year, month, day) else None


def _as_date(value: Any) -> dt.date | None:
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, np.datetime64):
        return pd.Timestamp(value).date()
    return None


def _convert(spec: FieldSpec, value: Any, key: str) -> Any:
    kind = spec.type
    if kind == "string":
        if isinstance(value, str):
            return value.strip()
        if _is_real(value):
            return _number_key(float(value))
        if isinstance(value, pd.Timestamp | dt.date | np.datetime64):
            return str(_as_date(value))
        return str(value).strip()
    if kind in ("category", "likert"):
        if not isinstance(value, bool | np.bool_) and key in spec.answers:
            answer = spec.answers[key]
            return float(answer) if kind == "likert" else answer
        if kind == "category":
            raise CellProblem("not_allowed", f"'{_show(value)}' is not an allowed answer")
        return _likert_fallback(spec, value)
    if kind in ("integer", "number"):
        number: float | None = None
        if _is_real(value):
            number = float(value) if math.isfinite(float(value)) else None
        elif isinstance(value, str):
            number = _number_from_text(_text_key(value))
        if number is None:
            raise CellProblem("not_a_number", f"'{_show(value)}' is not a number")
        if kind == "integer":
            if not number.is_integer():
                raise CellProblem("not_an_integer", f"'{_show(value)}' is not a whole number")
            return int(number)
        return number
    if kind == "boolean":
        if isinstance(value, bool | np.bool_):
            return bool(value)
        if key in _TRUE:
            return True
        if key in _FALSE:
            return False
        raise CellProblem("not_a_boolean", f"'{_show(value)}' is not yes or no")
    # date
    day = _as_date(value)
    if day is None and isinstance(value, str):
        if spec.date_format is not None:
            day = _formatted_date(spec.date_format, _text_key(value))
            if day is None:
                raise CellProblem(
                    "wrong_date_format",
                    f"'{_show(value)}' is not a date written {spec.date_format}",
                )
        else:
            day = _date_from_text(_text_key(value), spec.date_order, _show(value))
    if day is None:
        raise CellProblem("not_a_date", f"'{_show(value)}' is not a date")
    return day


def _likert_fallback(spec: FieldSpec, value: Any) -> float:
    codes = spec.codes
    if not isinstance(value, bool | np.bool_):
        number: float | None = None
        if _is_real(value):
            number = float(value)
        elif isinstance(value, str):
            t = _text_key(value)
            number = _number_from_text(t)
            if number is None:
                for pattern, code_group in ((_CODE_FIRST, 1), (_CODE_LAST, 2)):
                    match = pattern.fullmatch(t)
                    if match is None:
                        continue
                    code = int(match.group(code_group))
                    label = match.group(3 - code_group)
                    if code in codes and spec.answers.get(cell_key(label)) == code:
                        return float(code)
        if number is not None and number.is_integer() and not codes[0] <= number <= codes[-1]:
            raise CellProblem(
                "out_of_range",
                f"{_show(value)} is outside the scale ({codes[0]} to {codes[-1]})",
            )
    name = spec.scale.name if spec.scale else "response"
    raise CellProblem("unknown_answer", f"'{_show(value)}' is not an answer on the {name} scale")


def parse_cell(spec: FieldSpec, value: Any) -> tuple[Any, str | None]:
    """Read one cell: ``(value, None)``, or ``(None, missing_reason)``.

    Raises :class:`CellProblem` when the cell holds something the column does not
    accept. Range checks are not done here: they belong to the record model.

    Examples
    --------
    >>> from getting_to_outcomes import load_framework
    >>> fw = load_framework()
    >>> specs = field_specs(fw.source("leadership_survey"), fw.scales)
    >>> parse_cell(specs["k1_district_decisions"], " strongly AGREE ")
    (5.0, None)
    >>> parse_cell(specs["k1_district_decisions"], 99)
    (None, 'dont_know')
    >>> parse_cell(specs["role_type"], "Community member")
    ('community_member', None)
    """
    if _is_blank(value):
        return None, "skipped"
    key = cell_key(value)
    reason = spec.missing.get(key)
    if reason is not None:
        return None, reason
    return _convert(spec, value, key), None


# --- the record model ----------------------------------------------------------------


@dataclass(frozen=True)
class RecordRules:
    """Rules of a source that involve more than one field of a row.

    ``comparisons`` keeps only the declared comparisons between two columns of the
    source that are both numeric (likert, integer, number) or both dates.
    """

    source: DataSource
    likert: tuple[str, ...]
    straightlining_min: int
    comparisons: tuple[tuple[str, str, str], ...]


_OPS: Final[dict[str, Callable[[Any, Any], bool]]] = {
    "lt": lambda a, b: bool(a < b),
    "le": lambda a, b: bool(a <= b),
    "eq": lambda a, b: bool(a == b),
    "ge": lambda a, b: bool(a >= b),
    "gt": lambda a, b: bool(a > b),
}
OP_SYMBOLS: Final = {"lt": "<", "le": "<=", "eq": "=", "ge": ">=", "gt": ">"}


def straightlining_threshold(n_items: int) -> int:
    """Fewest answered Likert items for identical answers to count as straight-lining.

    At least three items, and at least half of the source's items.

    Examples
    --------
    >>> straightlining_threshold(13), straightlining_threshold(4)
    (7, 3)
    """
    return max(3, math.ceil(n_items / 2))


def _comparable(kind: str) -> str | None:
    return (
        "number" if kind in ("likert", "integer", "number") else "date" if kind == "date" else None
    )


def record_rules(source: DataSource) -> RecordRules:
    """The rules across fields of ``source``: straight-lining items and comparisons."""
    kinds = {c.name: _comparable(c.type) for c in source.columns}
    likert = tuple(c.name for c in source.columns if c.type == "likert")
    comparisons = tuple(
        (c.left, c.op, c.right)
        for c in source.comparisons
        if kinds.get(c.left) is not None and kinds.get(c.left) == kinds.get(c.right)
    )
    return RecordRules(source, likert, straightlining_threshold(len(likert)), comparisons)


def _note(info: ValidationInfo, kind: str, item: tuple[Any, ...]) -> None:
    if isinstance(info.context, dict):
        info.context.setdefault(kind, []).append(item)


def _before(spec: FieldSpec, value: Any, info: ValidationInfo) -> Any:
    if spec.type == "date" and isinstance(info.context, dict):
        # The order of day and month belongs to the file being read, not to the model.
        order = info.context.get("date_orders", {}).get(spec.name)
        if order is not None:
            spec = replace(spec, date_order=order)
    try:
        parsed, reason = parse_cell(spec, value)
    except CellProblem as problem:
        raise PydanticCustomError(problem.reason, str(problem)) from None
    if reason is not None:
        _note(info, "missing", (spec.name, reason))
        if spec.column.required:
            raise PydanticCustomError(
                "missing_required",
                "{column} is required but the cell is {reason}",
                {"column": spec.name, "reason": reason},
            )
    return parsed


def _after(plausible: Plausible, name: str, value: Any, info: ValidationInfo) -> Any:
    if value is not None and (
        (plausible.low is not None and value < plausible.low)
        or (plausible.high is not None and value > plausible.high)
    ):
        _note(info, "warnings", (name, "implausible"))
    return value


_BASE_TYPES: Final[dict[str, Any]] = {
    "string": str,
    "integer": int,
    "number": float,
    "boolean": bool,
    "date": dt.date,
    "likert": float,
}


def _annotation(spec: FieldSpec) -> Any:
    column = spec.column
    base: Any
    if column.type == "category":
        base = Literal[tuple(str(a) for a in column.allowed or ())]
    else:
        base = _BASE_TYPES[column.type]
    bounds: list[Any] = []
    if column.type == "likert" and spec.codes:
        bounds = [at.Ge(spec.codes[0]), at.Le(spec.codes[-1])]
    elif column.type in ("integer", "number"):
        bounds = [
            at.Ge(b) if i == 0 else at.Le(b)
            for i, b in enumerate((column.min, column.max))
            if isinstance(b, int | float)
        ]
    elif column.type == "date":
        bounds = [
            at.Ge(b) if i == 0 else at.Le(b)
            for i, b in enumerate((column.min, column.max))
            if isinstance(b, dt.date)
        ]
    inner = base
    for bound in bounds:
        inner = _annotated(inner, bound)
    metadata: list[Any] = [BeforeValidator(partial(_before, spec)), spec]
    if column.type in ("integer", "number") and (
        column.plausible_min is not None or column.plausible_max is not None
    ):
        plausible = Plausible(column.plausible_min, column.plausible_max)
        metadata += [AfterValidator(partial(_after, plausible, spec.name)), plausible]
    annotation: Any = inner | None
    for item in metadata:
        annotation = _annotated(annotation, item)
    return annotation


def _annotated(tp: Any, item: Any) -> Any:
    from typing import Annotated

    return Annotated[tp, item]


class _RecordBase(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True, arbitrary_types_allowed=True)

    @model_validator(mode="after")
    def _across_fields(self, info: ValidationInfo) -> _RecordBase:
        rules: RecordRules = type(self).__gto_rules__  # type: ignore[attr-defined]
        answered = [v for v in (getattr(self, name) for name in rules.likert) if v is not None]
        if (
            rules.source.straightlining
            and len(rules.likert) >= 3
            and len(answered) >= rules.straightlining_min
            and len(set(answered)) == 1
        ):
            _note(info, "warnings", ("", "straightlining"))
        if isinstance(info.context, dict) and not info.context.get("comparisons", True):
            return self
        failed = []
        for k, (left, op, right) in enumerate(rules.comparisons):
            a, b = getattr(self, left), getattr(self, right)
            if a is not None and b is not None and not _OPS[op](a, b):
                failed.append(k)
                _note(info, "comparisons", (k, left))
        if failed:
            shown = "; ".join(
                f"{rules.comparisons[k][0]} {OP_SYMBOLS[rules.comparisons[k][1]]} "
                f"{rules.comparisons[k][2]}"
                for k in failed
            )
            raise PydanticCustomError(
                "comparison_failed", "{failed} does not hold", {"failed": shown}
            )
        return self


_MODELS: dict[tuple[int, int], type[BaseModel]] = {}


def record_model(
    source: DataSource, scales: Framework | Mapping[str, ResponseScale] | None = None
) -> type[BaseModel]:
    """The pydantic model of one row of ``source``.

    Each field accepts the raw cell (text, number, date...) and turns it into the
    column's type; missing-value codes become ``None`` and, when a validation context
    dict is passed, are noted in ``context["missing"]`` as ``(column, reason)``.
    Implausible values and straight-lining are noted in ``context["warnings"]``.

    Parameters
    ----------
    source : DataSource
        The data source definition.
    scales : Framework or mapping of ResponseScale, optional
        Where the response scales of Likert columns come from (default: the bundled
        framework).

    Examples
    --------
    >>> from getting_to_outcomes import load_framework
    >>> fw = load_framework()
    >>> Record = record_model(fw.source("leadership_survey"), fw)
    >>> context = {}
    >>> Record.model_validate({"person_id": "P1", "c3_officials_listen": "Refused"},
    ...                       context=context).c3_officials_listen is None
    True
    >>> context["missing"]
    [('c3_officials_listen', 'refused')]
    """
    if scales is None:
        from getting_to_outcomes.definitions import load_framework

        scales = load_framework()
    mapping = scales.scales if not isinstance(scales, Mapping) else scales
    cache_key = (id(source), id(mapping))
    cached = _MODELS.get(cache_key)
    if (
        cached is not None
        and cached.__gto_source__ is source  # type: ignore[attr-defined]
        and cached.__gto_scales__ is mapping  # type: ignore[attr-defined]
    ):
        return cached
    specs = field_specs(source, mapping)
    fields: dict[str, Any] = {name: (_annotation(spec), None) for name, spec in specs.items()}
    name = "".join(part.capitalize() for part in source.id.split("_")) + "Record"
    model: type[BaseModel] = create_model(name, __base__=_RecordBase, __doc__=source.name, **fields)
    model.__gto_rules__ = record_rules(source)  # type: ignore[attr-defined]
    model.__gto_source__ = source  # type: ignore[attr-defined]
    model.__gto_scales__ = mapping  # type: ignore[attr-defined]
    _MODELS[cache_key] = model
    return model


def model_specs(model: type[BaseModel]) -> dict[str, tuple[FieldSpec, tuple[Any, Any], Plausible]]:
    """For each field of a record model: its spec, its (low, high) bounds, its plausible range.

    This is how the column-wise checks derive their rules from the record model.
    """
    out: dict[str, tuple[FieldSpec, tuple[Any, Any], Plausible]] = {}
    for name, info in model.model_fields.items():
        spec = next(m for m in info.metadata if isinstance(m, FieldSpec))
        plausible = next(
            (m for m in info.metadata if isinstance(m, Plausible)), Plausible(None, None)
        )
        low = high = None
        inner = next(a for a in get_args(info.annotation) if a is not type(None))
        while hasattr(inner, "__metadata__"):
            for item in inner.__metadata__:
                if isinstance(item, at.Ge):
                    low = item.ge
                elif isinstance(item, at.Le):
                    high = item.le
            inner = inner.__origin__
        out[name] = (spec, (low, high), plausible)
    return out
