"""Plain-language messages and fixes for every reason a validation issue can have.

Written for the people who fill in the spreadsheets: what is wrong, then how to fix it.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from getting_to_outcomes.definitions.models import DataSource
from getting_to_outcomes.errors import did_you_mean
from getting_to_outcomes.validation._records import OP_SYMBOLS, FieldSpec

__all__ = ["Issues", "cell_text", "column_text", "comparison_text", "shown", "written_date"]


def shown(value: Any, limit: int = 60) -> str:
    """A cell value as a person would type it, shortened."""
    if value is None:
        return ""
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
    text = str(value)
    if text in ("nan", "NaT", "<NA>", "None"):
        return ""
    text = " ".join(text.split()) if len(text) > limit else text
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _number(x: Any) -> str:
    if isinstance(x, float) and x.is_integer():
        return str(int(x))
    return str(x)


def _range_text(low: Any, high: Any) -> str:
    if low is not None and high is not None:
        return f"from {_number(low)} to {_number(high)}"
    if low is not None:
        return f"at least {_number(low)}"
    return f"at most {_number(high)}"


def _missing_words(spec: FieldSpec) -> str:
    words = [
        str(m.value) for m in (spec.scale.missing if spec.scale else []) if isinstance(m.value, str)
    ]
    return ", ".join(words[:3]) if words else "Don't know, Refused"


#: What an id of each column type must be, written without an example (an example id
#: could be someone's).
_ID_TYPES = {
    "integer": "a whole number (digits only)",
    "number": "a number (digits only)",
    "date": "a date (YYYY-MM-DD)",
    "boolean": "yes or no",
}


_DATE_TOKENS = (
    ("YYYY", "%Y"), ("YY", "%y"), ("MMMM", "%B"), ("MMM", "%b"), ("MM", "%m"), ("M", "{m}"),
    ("DD", "%d"), ("D", "{d}"),
)


def written_date(date_format: str, day: dt.date = dt.date(2024, 3, 15)) -> str:
    """``day`` written in ``date_format`` (``DD/MM/YYYY``: ``15/03/2024``).

    Examples
    --------
    >>> written_date("DD/MM/YYYY"), written_date("D MMM YY", dt.date(2024, 3, 4))
    ('15/03/2024', '4 Mar 24')
    """
    out, rest = [], date_format
    while rest:
        for token, code in _DATE_TOKENS:
            if rest.startswith(token):
                out.append(code.format(m=day.month, d=day.day) if "{" in code
                           else day.strftime(code))
                rest = rest[len(token):]
                break
        else:
            out.append(rest[0])
            rest = rest[1:]
    return "".join(out)


def cell_text(
    reason: str,
    spec: FieldSpec | None,
    value: str,
    bounds: tuple[Any, Any] = (None, None),
    plausible: tuple[Any, Any] = (None, None),
    *,
    pseudonym: bool = False,
) -> tuple[str, str]:
    """(message, fix) for a flagged cell; ``pseudonym``: ``value`` is the pseudonym of an id."""
    name = spec.name if spec is not None else ""
    question = spec.column.question if spec is not None and spec.column.question else name
    answers = spec.describe_answers() if spec is not None else ""
    low, high = bounds
    if pseudonym and spec is not None and spec.type in _ID_TYPES:
        # The id as written is never shown: the value is its pseudonym, not the cell.
        return (
            f"The {name} of this row is not {_ID_TYPES[spec.type]} as written in the file "
            f"(it is shown by its pseudonym {value}, as every id is under pseudonymisation).",
            f"Correct the {name} in the original file: it must be {_ID_TYPES[spec.type]}.",
        )
    if reason == "not_a_number":
        return (
            f"{name} holds '{value}', which is not a number.",
            f"Write {name} as a number (digits only, e.g. 12), or leave it blank if unknown.",
        )
    if reason == "not_an_integer":
        return (
            f"{name} holds '{value}', which is not a whole number.",
            f"Write {name} as a whole number, e.g. 3.",
        )
    if reason == "not_a_date":
        return (
            f"'{value}' is not a date.",
            "Write dates as YYYY-MM-DD (e.g. 2024-03-15), or format the cells as dates.",
        )
    if reason == "wrong_date_format" and spec is not None and spec.date_format:
        written = spec.date_format
        return (
            f"'{value}' is not a date written {written}, as {name} is declared.",
            f"Write the date as {written} (15 March 2024 is {written_date(written)}), or as "
            "YYYY-MM-DD.",
        )
    if reason == "date_order_conflict" and spec is not None and spec.date_order is not None:
        order = spec.date_order
        other = "month/day/year" if order.order == "day_first" else "day/month/year"
        proof = (
            f"as {order.example} in row {order.row} shows" if order.example
            else f"as row {order.row} shows"
        )
        return (
            f"'{value}' can only be read {other}, but {name} is read {order.written} in "
            f"this file ({proof}).",
            "Check the date where it was recorded and write it as YYYY-MM-DD; if the whole "
            f"column is {other}, set date_format for {name} in the data source.",
        )
    if reason == "not_a_boolean":
        return f"'{value}' is not yes or no.", "Write yes or no, or leave the cell blank."
    if reason == "not_allowed":
        return (f"'{value}' is not an allowed answer for {name}.", f"Use one of: {answers}.")
    if reason == "unknown_answer":
        scale = spec.scale.name if spec is not None and spec.scale else "response"
        return (
            f"'{value}' is not an answer on the {scale} scale.",
            f"Use a code or its label ({answers}); for no answer leave the cell blank or "
            f"write {_missing_words(spec) if spec is not None else 'Refused'}.",
        )
    if reason == "out_of_range":
        if spec is not None and spec.type == "likert" and spec.codes:
            return (
                f"{value} is outside the scale ({spec.codes[0]} to {spec.codes[-1]}).",
                f"Use a code from {spec.codes[0]} to {spec.codes[-1]} ({answers}).",
            )
        return (
            f"{value} is outside the valid range of {name} ({_range_text(low, high)}).",
            f"Correct the value: {name} must be {_range_text(low, high)}.",
        )
    if reason == "outside_period":
        return (
            f"{value} is outside the collection period ({_range_text(low, high)}).",
            "Check the year, and whether day and month were swapped.",
        )
    if reason == "implausible":
        return (
            f"{value} is unusual for {name} (usually {_range_text(*plausible)}).",
            "Check the value; if it is right, there is nothing to do.",
        )
    if reason == "missing_required":
        what = "is blank" if not value else f"holds '{value}' (no answer)"
        return (f"{name} {what}, but every row needs it.", f"Fill in {name} ({question}).")
    if reason == "straightlining":
        return (
            f"The same answer ({value}) to every answered Likert item.",
            "Check the answers were entered correctly; the row is kept.",
        )
    raise KeyError(reason)  # pragma: no cover - every cell reason is handled above


def comparison_text(
    left: str, op: str, right: str, a: str, b: str, note: str | None
) -> tuple[str, str]:
    message = f"{left} ({a}) should be {OP_SYMBOLS[op]} {right} ({b})."
    return (
        f"{message} {note}" if note else message
    ), "Check both numbers and correct the wrong one."


def column_text(
    reason: str,
    source: DataSource,
    column: str,
    *,
    header: str = "",
    letter: str = "",
    first: str = "",
    first_letter: str = "",
) -> tuple[str, str]:
    """(message, fix) for an issue about a whole column."""
    spec = next((c for c in source.columns if c.name == column), None)
    question = f" ({spec.question})" if spec is not None and spec.question else ""
    if reason == "missing_column":
        also = (
            f" (also recognised: {', '.join(spec.aliases)})"
            if spec is not None and spec.aliases
            else ""
        )
        return (
            f"Required column {column}{question} is not in the file; every row is rejected.",
            f"Add a column headed {column}{also}.",
        )
    if reason == "absent_column":
        count = column.count(", ") + 1
        return (
            f"{count} optional column(s) of {source.id} are not in the file: {column}.",
            "Nothing to do unless you collected them under another header.",
        )
    if reason == "unknown_column":
        names = [c.name for c in source.columns]
        return (
            f"Column '{header}' is not part of {source.id}; it was ignored.",
            "If it is one of the source's columns, rename its header"
            f"{did_you_mean(header, names)}; "
            "otherwise nothing to do.",
        )
    if reason == "tool_column":
        count = header.count(", ") + 1
        return (
            f"{count} column(s) of survey-tool metadata (submission ids and times, devices, "
            f"review states), not answers of {source.id}, were ignored: {header}.",
            "",
        )
    if reason == "select_options":
        if first:
            return (
                f"Column(s) {header} are the one-per-answer (0/1) columns of the "
                f"select-multiple question {column}; its answers were read from column "
                f"'{first}'.",
                "",
            )
        return (
            f"The answers of {column}{question} were read from its one-per-answer (0/1) "
            f"column(s) {header}: the answers marked 1 are the answer.",
            "",
        )
    if reason == "duplicate_column":
        return (
            f"Column {letter} ('{header}') is a second {column} column; the first, column "
            f"{first_letter} ('{first}'), is used.",
            "Delete or rename one of the two columns.",
        )
    if reason == "personal_data":
        return (
            f"Column {column}{question} holds personal data.",
            "Keep this file private. Personal columns never go into funder reports; "
            "use --pseudonymize to replace respondent ids before sharing data.",
        )
    raise KeyError(reason)  # pragma: no cover


@dataclass
class Issues:
    """Issues as they are found: single ones in ``rows``, whole tables of them in ``frames``."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    frames: list[pd.DataFrame] = field(default_factory=list)

    def add(
        self,
        reason: str,
        message: str,
        fix: str = "",
        *,
        file: str,
        row: int | None = None,
        column: str | None = None,
        value: str | None = None,
        pos: int = -1,
    ) -> None:
        self.rows.append(
            {
                "file": file,
                "row": row,
                "column": column,
                "value": value,
                "reason": reason,
                "message": message,
                "fix": fix,
                "pos": pos,
            }
        )
