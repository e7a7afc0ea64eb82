"""The order of day and month in each date column, found from the dates of a whole file.

``04/03/2024`` is 4 March to some and 3 April to others. A date whose first number is over
12 (``13/03/2024``) can only be day/month/year; one whose second number is over 12
(``03/13/2024``) only month/day/year; ISO dates (``2024-03-13``), dates with dots
(``13.03.2024``, always day first) and dates with a month's name say their order
themselves. Each date column of a file is read in the one order its unambiguous dates
prove, so that in a file holding ``13/03/2024`` the date ``04/03/2024`` is 4 March:

- dates of one order only: the column is read in that order;
- no date that proves an order, but dates that could be read both ways: the column is read
  month/day/year (the library's default) with a warning, ``ambiguous_dates``;
- dates of both orders: the column contradicts itself, an error, ``mixed_date_orders``;
  it is read in the order of most of its proving dates, and each date of the other
  order is an error of its cell, ``date_order_conflict``.

Evidence is gathered over the whole file before any cell is checked: a large CSV file
read a part at a time (or an engine's table, a slice at a time) is read once for its
dates, then again to be checked; a file that comes whole is read once. A column or
source with a ``date_format`` is read in that format, and nothing is detected.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from getting_to_outcomes.definitions.models import Column, DataSource
from getting_to_outcomes.errors import CellProblem
from getting_to_outcomes.validation._records import (
    DateOrder,
    FieldSpec,
    _text_key,
    date_fields,
    field_specs,
    parse_cell,
)

__all__ = ["DateEvidence", "detected_columns", "read_dates"]


def detected_columns(specs: dict[str, FieldSpec]) -> list[str]:
    """The date columns whose order of day and month is found from the file."""
    return [name for name, spec in specs.items() if spec.type == "date" and not spec.date_format]


@dataclass
class _Seen:
    """Cells of one kind in a column: how many, and the first (its text and row)."""

    count: int = 0
    example: str = ""
    row: int | None = None

    def add(self, count: int, text: str, row: int) -> None:
        if self.row is None or row < self.row:
            self.example, self.row = text, row
        self.count += count


def _kind(text: str) -> str | None:
    """``day_first``, ``month_first`` or ``ambiguous`` for a date whose order is not
    written in it; None for any other cell (including a date the same either way)."""
    fields = date_fields(_text_key(text))
    if fields is None:
        return None
    first, second, year = fields

    def valid(month: int, day: int) -> bool:
        try:
            dt.date(year, month, day)
        except ValueError:
            return False
        return True

    day_first, month_first = valid(second, first), valid(first, second)
    if day_first and month_first:
        return "ambiguous" if first != second else None
    if day_first:
        return "day_first"
    if month_first:
        return "month_first"
    return None


@dataclass
class DateEvidence:
    """What the cells of a file's date columns say about their order of day and month.

    Cells are added a part (or slice) at a time with :meth:`add`; :meth:`orders` then
    gives each column's order and :meth:`issues` what to tell about it.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> evidence = DateEvidence(["held_on"])
    >>> evidence.add("held_on", pd.Series(["04/03/2024", "13/03/2024"]), np.array([2, 3]))
    >>> evidence.orders()["held_on"]
    DateOrder(order='day_first', example='13/03/2024', row=3)
    """

    columns: list[str]
    seen: dict[str, dict[str, _Seen]] = field(default_factory=dict)

    def add(self, name: str, cells: pd.Series, rows: np.ndarray) -> None:
        """Count the dates of ``cells`` (one column of a part) by what they prove."""
        if cells.dtype.kind in "biufcmM":  # numbers and real dates carry no order
            return
        codes, uniques = pd.factorize(cells, use_na_sentinel=True)
        codes = np.asarray(codes)
        if not len(uniques):
            return
        kinds = [_kind(u) if isinstance(u, str) else None for u in uniques]
        wanted = [k for k, kind in enumerate(kinds) if kind is not None]
        if not wanted:
            return
        filled = codes >= 0
        counts = np.bincount(codes[filled], minlength=len(uniques))
        first_at = np.full(len(uniques), len(codes), dtype=np.int64)
        positions = np.flatnonzero(filled)
        np.minimum.at(first_at, codes[filled], positions)
        column = self.seen.setdefault(name, {})
        for k in wanted:
            kind = kinds[k]
            assert kind is not None
            column.setdefault(kind, _Seen()).add(
                int(counts[k]), str(uniques[k]), int(rows[first_at[k]])
            )

    def orders(self) -> dict[str, DateOrder]:
        """The order of each column with a date that could be read both ways or one way."""
        out: dict[str, DateOrder] = {}
        for name, kinds in self.seen.items():
            day, month = kinds.get("day_first"), kinds.get("month_first")
            if day is not None and (month is None or day.count > month.count):
                out[name] = DateOrder("day_first", day.example, day.row)
            elif month is not None:
                out[name] = DateOrder("month_first", month.example, month.row)
            else:
                out[name] = DateOrder("month_first")
        return out

    def issues(
        self, source: DataSource, hidden: set[str]
    ) -> list[tuple[str, str, str, str, str]]:
        """(reason, column, value, message, fix) of each column read in a guessed order."""
        found = []
        for name in self.columns:
            kinds = self.seen.get(name, {})
            day, month = kinds.get("day_first"), kinds.get("month_first")
            both = kinds.get("ambiguous")
            secret = name in hidden
            where = f"column {name} of data source {source.id}"
            if day is not None and month is not None:
                chosen = "day/month/year" if day.count > month.count else "month/day/year"
                why = (
                    "as most of them" if day.count != month.count
                    else "the default, as neither order is the more common"
                )
                read = (
                    f" Its {both.count} date(s) that read both ways, such as "
                    f"{_example(both, secret)}, were read {chosen} and may be wrong."
                    if both is not None
                    else ""
                )
                found.append((
                    "mixed_date_orders",
                    name,
                    "" if secret else f"{day.example}; {month.example}",
                    f"{name} mixes day/month/year dates ({day.count}, such as "
                    f"{_example(day, secret)}) with month/day/year dates ({month.count}, such "
                    f"as {_example(month, secret)}): the column was read {chosen}, {why}, "
                    f"and each date of the other order is an error.{read}",
                    "Find out which order each part of the file was entered in; then write "
                    "the dates as YYYY-MM-DD, or add date_format: DD/MM/YYYY (or MM/DD/YYYY) "
                    f"to {where} and correct the dates that do not follow it.",
                ))
            elif day is None and month is None and both is not None:
                read = _month_first(both.example)
                found.append((
                    "ambiguous_dates",
                    name,
                    "" if secret else both.example,
                    f"Every date of {name} could be day/month/year or month/day/year: none "
                    f"has a number over 12 that tells ({both.count} date(s), such as "
                    f"{_example(both, secret)}). They were read month/day/year"
                    + ("" if secret else f" ({both.example} as {read})")
                    + ".",
                    f"If they are day/month/year, add date_format: DD/MM/YYYY to {where}; if "
                    "they are month/day/year, add date_format: MM/DD/YYYY to say so (or write "
                    "the dates as YYYY-MM-DD).",
                ))
        return found


def _example(seen: _Seen, secret: bool) -> str:
    return f"row {seen.row}" if secret else f"{seen.example} in row {seen.row}"


def _month_first(text: str) -> str:
    fields = date_fields(_text_key(text))
    assert fields is not None
    first, second, year = fields
    return _spoken(dt.date(year, first, second))


def _spoken(day: Any) -> str:
    """A date as words: ``4 March 2024``."""
    return f"{day.day} {day.strftime('%B')} {day.year}"


def read_dates(values: pd.Series, source: DataSource, column: str) -> pd.Series:
    """The dates of one column of ``source``, read as :func:`validate` reads them.

    The column's (or the source's) ``date_format`` if it has one, else the order of day and
    month that ``values`` prove (month/day/year when nothing proves it). Blanks,
    missing-value codes, text that is not a date and dates of the other order are ``NaT``.

    Examples
    --------
    >>> from getting_to_outcomes.definitions.models import Column, DataSource
    >>> log = DataSource(id="log", name="Log", unit_of_analysis="event", keys=["held_on"],
    ...                  time_column="held_on", columns=[Column(name="held_on", type="date")])
    >>> read_dates(pd.Series(["13/03/2024", "04/03/2024", ""]), log, "held_on").tolist()
    [Timestamp('2024-03-13 00:00:00'), Timestamp('2024-03-04 00:00:00'), NaT]
    """
    spec = field_specs(source, {}).get(column)
    if spec is None:  # a column the source does not declare: read with the source's format
        spec = FieldSpec(Column.model_construct(name=column, type="date"),
                         date_format=source.date_format)
    if spec.date_format is None:
        evidence = DateEvidence([column])
        evidence.add(column, values, np.arange(len(values)))
        order = evidence.orders().get(column)
        if order is not None:
            spec = replace(spec, date_order=order)
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    days: list[Any] = []
    for value in uniques:
        try:
            day, _reason = parse_cell(spec, value)
        except CellProblem:
            day = None
        days.append(np.datetime64("NaT") if day is None else np.datetime64(day, "D"))
    days.append(np.datetime64("NaT"))
    read = np.array(days, dtype="datetime64[ns]")[np.asarray(codes)]
    return pd.Series(read, index=values.index, name=values.name)
