"""XLSForms of a data source: the form that KoboToolbox, ODK, SurveyCTO and Ona load.

An XLSForm is a workbook with a ``survey``, a ``choices`` and a ``settings`` sheet
(https://xlsform.org). The form made here asks for every column of a data source under
the column's own name, so that what a survey tool exports is read back with no renaming:

- each column is a question of the matching type (``text``, ``integer``, ``decimal``,
  ``date``; ``select_one`` for categories, Likert items and yes/no columns), labelled with
  its question text, with a hint for ranges, missing-value codes and personal data;
- ``required`` comes from the framework, and the valid range becomes a ``constraint``
  (``. >= 0 and . <= 600``) with a ``constraint_message``;
- the answers of a Likert item are its scale's codes, labelled as the scale labels them,
  followed by the scale's missing-value codes (one per reason: "Don't know", "Refused"...);
- the columns that the indicators of a stop read are grouped in one group per stop, in the
  framework's order; identifiers, periods and background questions come first, ungrouped;
- ``settings`` gives the form id (the framework's and the source's ids) and the version
  (the framework's).

Labels, hints and messages are written per language (``label::English (en)``). The
definition files are written in English and carry no translations, so the form has one
language; a translator adds ``label::Español (es)`` columns beside them.

The framework has no select-multiple columns: a category column holds one answer per row
(validation refuses two), so every choice question is ``select_one``.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import os
from collections.abc import Iterable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import pandas as pd

from getting_to_outcomes.definitions.models import Column, DataSource, MissingCode, ResponseScale
from getting_to_outcomes.io._atomic import write_bytes_atomic

if TYPE_CHECKING:
    from getting_to_outcomes.definitions import Framework

__all__ = ["XLSFORM_LANGUAGE", "write_xlsform", "xlsform"]

#: The language of the labels, hints and messages, as XLSForm names it (``name (code)``).
XLSFORM_LANGUAGE: Final = "English (en)"
_SURVEY_COLUMNS: Final = [
    "type",
    "name",
    f"label::{XLSFORM_LANGUAGE}",
    f"hint::{XLSFORM_LANGUAGE}",
    "required",
    f"required_message::{XLSFORM_LANGUAGE}",
    "constraint",
    f"constraint_message::{XLSFORM_LANGUAGE}",
]
_CHOICES_COLUMNS: Final = ["list_name", "name", f"label::{XLSFORM_LANGUAGE}"]
_SETTINGS_COLUMNS: Final = ["form_title", "form_id", "version", "default_language"]
_QUESTION_TYPES: Final = {
    "string": "text",
    "integer": "integer",
    "number": "decimal",
    "date": "date",
}
_REASON_LABELS: Final = {
    "dont_know": "Don't know",
    "refused": "Refused",
    "not_applicable": "Not applicable",
    "skipped": "Skipped",
    "not_asked": "Not asked",
}
_PERSONAL_HINT: Final = "Personal information: ask for it only when it is needed."


def _resolve(
    source: str | DataSource, framework: Framework | str | os.PathLike[str] | None
) -> tuple[Framework, DataSource]:
    from getting_to_outcomes.definitions import Framework, load_framework

    fw = framework if isinstance(framework, Framework) else load_framework(framework)
    src = source if isinstance(source, DataSource) else fw.source(source)
    return fw, src


def _number(value: float, *, whole: bool) -> str:
    """A bound as XPath reads it: never in exponent notation (``1e+08`` is not a number)."""
    if whole:
        return str(int(value))
    return f"{Decimal(repr(float(value))).normalize():f}"


def _missing_codes(column: Column, scales: dict[str, ResponseScale]) -> list[MissingCode]:
    codes = list(column.missing_codes)
    if column.scale in scales:
        codes += scales[str(column.scale)].missing
    return codes


def _missing_choices(codes: Sequence[MissingCode]) -> list[tuple[str, str]]:
    """One answer per reason, labelled with the first spelling the framework gives it.

    The answer's name (what a tool exports) is the reason's numeric code if it has one,
    else its first spelling without spaces (``N/A`` rather than ``Not applicable``).
    """
    reasons: dict[str, list[MissingCode]] = {}
    for code in codes:
        reasons.setdefault(code.reason, []).append(code)
    out = []
    for reason, found in reasons.items():
        numbers = [c.value for c in found if isinstance(c.value, int)]
        words = [str(c.value) for c in found if isinstance(c.value, str)]
        name = str(numbers[0]) if numbers else next((w for w in words if " " not in w), words[0])
        out.append((name, words[0] if words else _REASON_LABELS[reason]))
    return out


def _choices(column: Column, scales: dict[str, ResponseScale]) -> list[tuple[str, str]]:
    """(name, label) of each answer of a choice question; empty for other questions."""
    if column.type == "likert":
        answers = [(str(c.code), c.label) for c in scales[str(column.scale)].codes]
    elif column.type == "category":
        answers = [
            (str(a), (column.value_aliases.get(str(a)) or [_humanised(str(a))])[0])
            for a in column.allowed or []
        ]
    elif column.type == "boolean":
        answers = [("yes", "Yes"), ("no", "No")]
    else:
        return []
    taken = {name for name, _ in answers}
    extra = [
        (name, label)
        for name, label in _missing_choices(_missing_codes(column, scales))
        if name not in taken
    ]
    return answers + extra


def _humanised(value: str) -> str:
    return value.replace("_", " ").strip().capitalize()


def _bounds(column: Column) -> tuple[str | None, str | None, str]:
    """The XPath of each bound and how a person reads the range."""
    if column.type == "date":
        low = column.min if isinstance(column.min, dt.date) else None
        high = column.max if isinstance(column.max, dt.date) else None
        return (
            f"date('{low.isoformat()}')" if low else None,
            f"date('{high.isoformat()}')" if high else None,
            "a date",
        )
    whole = column.type == "integer"
    low_value = column.min if isinstance(column.min, int | float) else None
    high_value = column.max if isinstance(column.max, int | float) else None
    if whole:
        low_value = None if low_value is None else math.ceil(low_value)
        high_value = None if high_value is None else math.floor(high_value)
    return (
        None if low_value is None else _number(low_value, whole=whole),
        None if high_value is None else _number(high_value, whole=whole),
        "a whole number" if whole else "a number",
    )


def _constraint(column: Column, scales: dict[str, ResponseScale]) -> tuple[str, str, str]:
    """(constraint, its message, the hint) of a number or date question."""
    if column.type not in ("integer", "number", "date"):
        return "", "", ""
    low, high, what = _bounds(column)
    if column.type == "date":
        shown_low = column.min.isoformat() if isinstance(column.min, dt.date) else None
        shown_high = column.max.isoformat() if isinstance(column.max, dt.date) else None
    else:
        shown_low, shown_high = low, high
    tests = [f". >= {low}" if low else "", f". <= {high}" if high else ""]
    if shown_low is not None and shown_high is not None:
        text = f"{what} from {shown_low} to {shown_high}"
    elif shown_low is not None:
        text = f"{what} of at least {shown_low}"
    elif shown_high is not None:
        text = f"{what} of at most {shown_high}"
    else:
        text = ""
    # Numeric missing-value codes (-1 for "not asked") are answers too, outside the range.
    codes = [
        m
        for m in _missing_codes(column, scales)
        if column.type != "date" and isinstance(m.value, int | float)
    ]
    range_test = " and ".join(t for t in tests if t)
    alternatives = [f". = {m.value}" for m in codes]
    if range_test and alternatives:
        constraint = " or ".join([f"({range_test})", *alternatives])
    else:
        constraint = range_test
    spelled = [f"{m.value} ({_REASON_LABELS[m.reason].casefold()})" for m in codes]
    if not text:
        return constraint, "", ""
    message = f"Expected {text}" + (f", or {_or(spelled)}" if spelled else "") + "."
    hint = text[0].upper() + text[1:] + (f"; {_or(spelled)}" if spelled else "") + "."
    return constraint, message, hint


def _or(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]


def _named(value: Any, names: set[str]) -> Iterable[str]:
    """Column names that a measure's definition names anywhere (fields, conditions...)."""
    if isinstance(value, str):
        if value in names:
            yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _named(item, names)
    elif isinstance(value, list):
        for item in value:
            yield from _named(item, names)


def _stop_of_columns(fw: Framework, src: DataSource) -> dict[str, str]:
    """The stop whose indicators first read each column (stops in the framework's order).

    Identifiers, groups and periods are not asked per stop: they stay out of the groups.
    """
    identifying = {*src.keys, src.id_column, src.org_column, src.time_column}
    names = {c.name for c in src.columns} - identifying
    order = {s.id: k for k, s in enumerate(fw.stops)}
    stop_of: dict[str, str] = {}
    indicators = sorted(
        (i for i in fw.indicators if i.source == src.id), key=lambda i: order.get(i.stop, -1)
    )
    for indicator in indicators:
        for name in _named(indicator.measure.model_dump(), names):
            stop_of.setdefault(name, indicator.stop)
    return stop_of


def _question(
    column: Column, scales: dict[str, ResponseScale], list_of: dict[str, str]
) -> dict[str, str]:
    constraint, message, hint = _constraint(column, scales)
    if column.name in list_of:
        # Missing-value codes are answers in the list: nothing to explain in a hint.
        kind = f"select_one {list_of[column.name]}"
    else:
        kind = _QUESTION_TYPES[column.type]
    if column.personal:
        hint = f"{hint} {_PERSONAL_HINT}".strip()
    label = column.question or _humanised(column.name)
    return {
        "type": kind,
        "name": column.name,
        f"label::{XLSFORM_LANGUAGE}": label,
        f"hint::{XLSFORM_LANGUAGE}": hint,
        "required": "yes" if column.required else "",
        f"required_message::{XLSFORM_LANGUAGE}": (
            f"{label} is required." if column.required else ""
        ),
        "constraint": constraint,
        f"constraint_message::{XLSFORM_LANGUAGE}": message,
    }


def _list_names(
    src: DataSource, scales: dict[str, ResponseScale]
) -> tuple[dict[str, str], dict[str, list[tuple[str, str]]]]:
    """The choice list of each choice question, lists with the same answers shared.

    A Likert item's list is named after its scale, a yes/no column's ``yes_no``, a
    category's after the column; a column whose answers differ from its scale's (its own
    missing-value codes) gets a list of its own.
    """
    lists: dict[str, list[tuple[str, str]]] = {}
    list_of: dict[str, str] = {}
    for column in src.columns:
        answers = _choices(column, scales)
        if not answers:
            continue
        preferred = {"likert": str(column.scale), "boolean": "yes_no"}.get(
            column.type, column.name
        )
        name = next((n for n, a in lists.items() if a == answers), None)
        if name is None:
            name = preferred if preferred not in lists else column.name
            suffix = 2
            while name in lists:
                name, suffix = f"{column.name}_{suffix}", suffix + 1
            lists[name] = answers
        list_of[column.name] = name
    return list_of, lists


def xlsform(
    source: str | DataSource, framework: Framework | str | os.PathLike[str] | None = None
) -> dict[str, pd.DataFrame]:
    """The ``survey``, ``choices`` and ``settings`` sheets of an XLSForm for ``source``.

    Every cell is text (blank when empty), as the sheets are written. See the module
    documentation for what the form holds.

    Parameters
    ----------
    source : str or DataSource
        The data source.
    framework : Framework or path, optional
        Where the source is defined (default: the bundled framework). A ``DataSource``
        given as ``source`` should come from it: its stops and scales are used.

    Returns
    -------
    dict of str to DataFrame
        ``{"survey": ..., "choices": ..., "settings": ...}``.

    Examples
    --------
    >>> sheets = xlsform("leadership_survey")
    >>> survey = sheets["survey"].set_index("name")
    >>> survey.loc["months_in_group", ["type", "constraint"]].tolist()
    ['integer', '. >= 0 and . <= 600']
    >>> survey.loc["k1_district_decisions", "type"]
    'select_one agree5'
    >>> sheets["settings"][["form_id", "version"]].values.tolist()
    [['getting_to_outcomes_2013-leadership_survey', '2013.1']]
    """
    fw, src = _resolve(source, framework)
    scales = dict(fw.scales)
    list_of, lists = _list_names(src, scales)
    stop_of = _stop_of_columns(fw, src)
    rows = [_question(c, scales, list_of) for c in src.columns if c.name not in stop_of]
    for stop in fw.stops:
        asked = [c for c in src.columns if stop_of.get(c.name) == stop.id]
        if not asked:
            continue
        rows.append(
            {"type": "begin_group", "name": stop.id, f"label::{XLSFORM_LANGUAGE}": stop.name}
        )
        rows += [_question(c, scales, list_of) for c in asked]
        rows.append({"type": "end_group", "name": stop.id})
    survey = pd.DataFrame(rows, columns=_SURVEY_COLUMNS).fillna("")
    choices = pd.DataFrame(
        [
            {"list_name": name, "name": value, f"label::{XLSFORM_LANGUAGE}": label}
            for name, answers in lists.items()
            for value, label in answers
        ],
        columns=_CHOICES_COLUMNS,
    )
    settings = pd.DataFrame(
        [
            {
                "form_title": src.name,
                "form_id": f"{fw.id}-{src.id}",
                "version": fw.version,
                "default_language": XLSFORM_LANGUAGE,
            }
        ],
        columns=_SETTINGS_COLUMNS,
    )
    return {"survey": survey, "choices": choices, "settings": settings}


def write_xlsform(
    source: str | DataSource,
    path: str | os.PathLike[str],
    *,
    framework: Framework | str | os.PathLike[str] | None = None,
) -> list[Path]:
    """Write the XLSForm of ``source`` (see :func:`xlsform`) as an Excel workbook.

    The file is replaced whole or not at all. Upload it to KoboToolbox, ODK Central,
    SurveyCTO or Ona, or convert it with pyxform (``xls2xform form.xlsx form.xml``).

    Examples
    --------
    >>> import pathlib, tempfile
    >>> import openpyxl
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "form.xlsx"
    >>> [p.name for p in write_xlsform("leadership_survey", path)]
    ['form.xlsx']
    >>> openpyxl.load_workbook(path).sheetnames
    ['survey', 'choices', 'settings']
    """
    target = Path(path)
    write_bytes_atomic(target, _workbook(xlsform(source, framework)))
    return [target]


def _workbook(sheets: dict[str, pd.DataFrame]) -> bytes:
    import xlsxwriter

    buffer = io.BytesIO()
    # Everything is written as text: a constraint such as "=5" must never become a formula.
    workbook = xlsxwriter.Workbook(
        buffer,
        {
            "in_memory": True,
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
        },
    )
    bold = workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
    for name, frame in sheets.items():
        sheet = workbook.add_worksheet(name)
        for k, header in enumerate(frame.columns):
            sheet.write_string(0, k, str(header), bold)
            longest = max([len(str(header)), *(len(str(v)) for v in frame[header])])
            sheet.set_column(k, k, max(10, min(60, longest + 2)), wrap)
        for i, row in enumerate(frame.itertuples(index=False, name=None), start=1):
            for k, value in enumerate(row):
                if value != "":
                    sheet.write_string(i, k, str(value))
        sheet.freeze_panes(1, 0)
    workbook.close()
    return buffer.getvalue()
