"""Whether a file carries answers: which indicators of its source it can be scored for.

A file can pass every cell check and still hold nothing to score: only the id columns, a
header without rows, or every answer blank or a missing-value code. Each file (every
slice of it together) is judged on its own, from the typed values the checks produced,
after missing-value codes became missing answers:

- an indicator is *unscorable* from the file when a column its measure needs is absent
  or holds no answer in any row (for a scale: when none of its items has an answer), a
  warning naming the indicator;
- a file with no rows, or from which no indicator of its source can be scored, holds
  *no answers*: an error, and its rows are rejected. A source without indicators holds
  no answers when every column beyond its keys, ids, organization and period is blank.

Survey-tool metadata columns are never columns of the source, so they never count as
answers.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd

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
from getting_to_outcomes.validation._issues import Issues
from getting_to_outcomes.validation._table import CELL_REASONS, CheckedTable, Coded

if TYPE_CHECKING:
    from getting_to_outcomes.definitions import Framework
    from getting_to_outcomes.definitions.models import DataSource

__all__ = ["answered_columns", "check_answers", "needed_columns"]

#: Reasons a cell is flagged for that hold something written, however wrong: every cell
#: reason listed before ``missing_required`` (the first for a cell with no answer).
_WRONG_ANSWERS = CELL_REASONS[: CELL_REASONS.index("missing_required")]
#: How many column or indicator names a message lists before saying how many more.
_LISTED = 8


def needed_columns(indicator: Indicator) -> list[tuple[str, ...]]:
    """The columns an indicator's measure cannot be scored without, as groups.

    Each group is satisfied when one of its columns holds an answer: a scale needs one
    answered item (one group of all its items); every other measure needs each column
    it reads (one group per column): the summed field and the field of its condition
    (count), numerator and denominator fields or the fields of their conditions
    (proportion, rate), the field (mean, level), the item and stage fields (milestone;
    its level, evidence and date fields only add detail). A count of rows without a
    condition needs no column.

    Examples
    --------
    >>> from getting_to_outcomes import load_framework
    >>> fw = load_framework()
    >>> needed_columns(fw.indicators.filter(source="wins_log", kind="milestone")[0])
    [('win_id',), ('status',)]
    """
    measure = indicator.measure
    if isinstance(measure, ScaleMeasure):
        return [tuple(measure.items)]
    fields: list[str | Condition | None] = []
    if isinstance(measure, CountMeasure):
        fields = [measure.field, measure.where]
    elif isinstance(measure, ProportionMeasure | RateMeasure):
        fields = [measure.numerator, measure.denominator]
    elif isinstance(measure, MeanMeasure | LevelMeasure):
        fields = [measure.field]
    elif isinstance(measure, MilestoneMeasure):
        fields = [measure.item_field, measure.stage_field]
    names = [f.field if isinstance(f, Condition) else f for f in fields if f is not None]
    return [(name,) for name in dict.fromkeys(names)]


def _has_answer(values: Any) -> bool:
    if isinstance(values, Coded):
        return bool((values.index >= 0).any())
    return bool(pd.notna(values).any())


def answered_columns(tables: Sequence[CheckedTable]) -> tuple[set[str], set[str]]:
    """The columns present in the tables, and those holding an answer in some row.

    A cell holding a missing-value code (99, -9, N/A, Refused) is missing in the typed
    values, so it is no answer. A cell in error (a typo, a number out of range) is an
    answer, a wrong one: its own error says so.
    """
    present: set[str] = set()
    answered: set[str] = set()
    for table in tables:
        for name, values in table.values.items():
            present.add(name)
            if name not in answered and _has_answer(values):
                answered.add(name)
        flags = table.flag_frame()
        wrong = flags[flags["reason"].isin(_WRONG_ANSWERS)]
        answered.update(str(name) for name in wrong["column"].unique() if name)
    return present, answered


def _listed(names: Sequence[str]) -> str:
    shown = ", ".join(names[:_LISTED])
    more = len(names) - _LISTED
    return f"{shown} and {more} more" if more > 0 else shown


def _states(columns: Sequence[str], present: set[str]) -> str:
    """'a, b are not in the file; c holds no answer in any row', for unanswered columns."""
    absent = [c for c in columns if c not in present]
    blank = [c for c in columns if c in present]
    parts = []
    if absent:
        parts.append(f"{_listed(absent)} {'is' if len(absent) == 1 else 'are'} not in the file")
    if blank:
        verb = "holds" if len(blank) == 1 else "hold"
        parts.append(
            f"{_listed(blank)} {verb} no answer in any row (only blanks or missing-value codes)"
        )
    return "; ".join(parts)


def _why(indicator: Indicator, groups: list[tuple[str, ...]], present: set[str],
         answered: set[str]) -> str:
    if isinstance(indicator.measure, ScaleMeasure):
        items = groups[0]
        return f"none of its {len(items)} items has an answer: {_states(items, present)}"
    lacking = [g[0] for g in groups if not set(g) & answered]
    return f"it needs {_listed([g[0] for g in groups])}: {_states(lacking, present)}"


def check_answers(
    file: str,
    rows: int,
    tables: Sequence[CheckedTable],
    framework: Framework,
    source: DataSource,
    issues: Issues,
    columns: tuple[set[str], set[str]] | None = None,
) -> bool:
    """Add the issues of a file without answers, or of its unscorable indicators.

    ``tables`` are the checked slices of one file (or table), ``rows`` their rows. True
    when the file holds no answers (a ``no_answers`` error was added: its rows are to be
    rejected); otherwise one ``unscorable`` warning per indicator of the source that the
    file cannot be scored for. ``columns``, when given, are :func:`answered_columns` of
    the slices, gathered while their cells were still held.
    """
    present, answered = answered_columns(tables) if columns is None else columns
    indicators = list(framework.indicators.filter(source=source.id))
    unscorable: list[tuple[Indicator, list[tuple[str, ...]]]] = []
    for indicator in indicators:
        groups = needed_columns(indicator)
        if rows == 0 or any(not set(group) & answered for group in groups):
            unscorable.append((indicator, groups))
    ids = [i.id for i, _ in unscorable]
    if rows == 0:
        what = f"none of the {len(indicators)} indicator(s) of {source.id} can be scored"
        issues.add(
            "no_answers",
            f"The file has a header but no rows of answers: {what}"
            + (f" ({_listed(ids)})." if ids else "."),
            "Check that this is the export holding the submissions, not an empty form or "
            "template; export the data again if it is.",
            file=file,
            value=", ".join(ids) or None,
        )
        return True
    if indicators and len(unscorable) == len(indicators):
        read = [c for _, groups in unscorable for g in groups for c in g]
        read = list(dict.fromkeys(read))
        absent = sum(c not in present for c in read)
        counts = [f"{absent} {'is' if absent == 1 else 'are'} not in the file"] if absent else []
        if len(read) > absent:
            blank = len(read) - absent
            counts.append(
                f"{blank} {'holds' if blank == 1 else 'hold'} no answer in any of its {rows} "
                "row(s) (only blanks or missing-value codes)"
            )
        issues.add(
            "no_answers",
            f"No answers: none of the {len(indicators)} indicator(s) of {source.id} "
            f"({_listed(ids)}) can be scored from this file. Of the {len(read)} column(s) "
            f"they read, {' and '.join(counts)}; every row is rejected.",
            "Check that this is the export holding the answers, and that its headers are the "
            f"source's column names or aliases (gto template {source.id} writes them); ids "
            "alone are not answers.",
            file=file,
            value=", ".join(ids),
        )
        return True
    if not indicators:
        ids_and_keys = {*source.keys, source.id_column, source.org_column, source.time_column}
        others = [c.name for c in source.columns if c.name not in ids_and_keys]
        if others and not set(others) & answered:
            issues.add(
                "no_answers",
                f"No answers: beyond its keys, no column of {source.id} holds an answer in "
                f"any of the file's {rows} row(s): {_states(others, present)}; every row is "
                "rejected.",
                "Check that this is the export holding the answers, and that its headers are "
                f"the source's column names or aliases (gto template {source.id} writes them).",
                file=file,
            )
            return True
        return False
    for indicator, groups in unscorable:
        issues.add(
            "unscorable",
            f"Indicator {indicator.id} ({indicator.name}) cannot be scored from this file: "
            f"{_why(indicator, groups, present, answered)}.",
            "If these answers were collected, check the headers (or export them again) so "
            "that they are read; otherwise nothing to do: the other indicators are scored.",
            file=file,
            value=indicator.id,
        )
    return False
