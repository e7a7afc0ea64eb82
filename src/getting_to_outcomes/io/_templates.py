"""Empty collection files and codebooks for a data source.

A template has exactly the headers :func:`~getting_to_outcomes.validate` expects. As
an Excel workbook it also carries a codebook sheet, the question text as a comment on
each header, and drop-down lists for categories, Likert items and yes/no columns (a
typed value outside the list gets a warning, so codes such as ``5`` still fit). As
CSV, the codebook is written beside it as ``<name>-codebook.csv``. As an XLSForm
(:mod:`getting_to_outcomes.io._xlsform`), it is the form that KoboToolbox, ODK, SurveyCTO
and Ona load, so that what they export has the source's column names.
"""

from __future__ import annotations

import datetime as dt
import math
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal

import pandas as pd

from getting_to_outcomes.definitions.models import Column, DataSource, ResponseScale
from getting_to_outcomes.io._xlsform import write_xlsform

if TYPE_CHECKING:
    from getting_to_outcomes.definitions import Framework

__all__ = ["CODEBOOK_COLUMNS", "codebook", "write_template"]

#: Columns of :func:`codebook`.
CODEBOOK_COLUMNS: Final = [
    "column",
    "question",
    "type",
    "required",
    "allowed_answers",
    "valid_range",
    "missing_codes",
    "personal",
    "also_recognised",
]
_ROWS_WITH_LISTS: Final = 5000


def _resolve(
    source: str | DataSource, framework: Framework | str | os.PathLike[str] | None
) -> tuple[DataSource, dict[str, ResponseScale]]:
    from getting_to_outcomes.definitions import Framework, load_framework

    fw = framework if isinstance(framework, Framework) else load_framework(framework)
    src = source if isinstance(source, DataSource) else fw.source(source)
    return src, dict(fw.scales)


def _answers(column: Column, scales: dict[str, ResponseScale]) -> list[str]:
    if column.type == "likert" and column.scale in scales:
        return [c.label for c in scales[column.scale].codes]
    if column.type == "category":
        return [str(a) for a in column.allowed or []]
    if column.type == "boolean":
        return ["yes", "no"]
    return []


def _missing(column: Column, scales: dict[str, ResponseScale]) -> list[str]:
    codes = list(column.missing_codes)
    if column.scale in scales:
        codes += scales[str(column.scale)].missing
    return [f"{m.value} ({m.reason.replace('_', ' ')})" for m in codes]


def _range(column: Column, scales: dict[str, ResponseScale]) -> str:
    if column.type == "likert" and column.scale in scales:
        codes = scales[str(column.scale)].codes
        return f"{codes[0].code} to {codes[-1].code}"
    low, high = (f"{b:g}" if isinstance(b, float) else b for b in (column.min, column.max))
    if low is None and high is None:
        return ""
    if low is not None and high is not None:
        return f"{low} to {high}"
    return f"at least {low}" if low is not None else f"at most {high}"


def codebook(
    source: str | DataSource, framework: Framework | str | os.PathLike[str] | None = None
) -> pd.DataFrame:
    """One row per column of a data source: question, type, allowed answers, missing codes.

    Examples
    --------
    >>> book = codebook("leadership_survey")
    >>> wave = book.set_index("column").loc["survey_wave"]
    >>> wave["type"], bool(wave["required"]), wave["allowed_answers"]
    ('category', True, 'pre; mid; post')
    """
    src, scales = _resolve(source, framework)
    rows = []
    for column in src.columns:
        answers = _answers(column, scales)
        if column.type == "likert" and column.scale in scales:
            answers = [f"{c.code} = {c.label}" for c in scales[str(column.scale)].codes]
        rows.append(
            {
                "column": column.name,
                "question": column.question or "",
                "type": column.type,
                "required": column.required,
                "allowed_answers": "; ".join(answers),
                "valid_range": _range(column, scales),
                "missing_codes": "; ".join(_missing(column, scales)),
                "personal": column.personal,
                "also_recognised": "; ".join(column.aliases),
            }
        )
    return pd.DataFrame(rows, columns=CODEBOOK_COLUMNS)


def write_template(
    source: str | DataSource,
    path: str | os.PathLike[str],
    *,
    framework: Framework | str | os.PathLike[str] | None = None,
    format: Literal["csv", "xlsx", "xlsform"] | None = None,
) -> list[Path]:
    """Write an empty collection file for ``source`` (and its codebook); return the paths written.

    Parameters
    ----------
    source : str or DataSource
        The data source.
    path : path
        The file to write; its suffix gives the format unless ``format`` is given.
    framework : Framework or path, optional
        Where the source is defined (default: the bundled framework).
    format : {"csv", "xlsx", "xlsform"}, optional
        ``csv``: the headers, plus ``<name>-codebook.csv``. ``xlsx``: a workbook with a
        ``data`` sheet (drop-down lists, header comments) and a ``codebook`` sheet.
        ``xlsform``: the XLSForm of the source (:func:`~getting_to_outcomes.io.xlsform`),
        for KoboToolbox, ODK, SurveyCTO and Ona; never chosen from the suffix, since an
        XLSForm is an ``.xlsx`` file too.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> [p.name for p in write_template("leadership_survey", folder / "survey.csv")]
    ['survey.csv', 'survey-codebook.csv']
    >>> (folder / "survey.csv").read_text().split(",")[:3]
    ['org_id', 'person_id', 'survey_wave']
    """
    if format == "xlsform":
        return write_xlsform(source, path, framework=framework)
    src, scales = _resolve(source, framework)
    target = Path(path)
    kind = format or ("xlsx" if target.suffix.casefold() == ".xlsx" else "csv")
    book = codebook(src, framework if framework is not None else None)
    if kind == "csv":
        headers = pd.DataFrame(columns=[c.name for c in src.columns])
        headers.to_csv(target, index=False)
        companion = target.with_name(f"{target.stem}-codebook.csv")
        book.to_csv(companion, index=False)
        return [target, companion]
    _write_xlsx(src, scales, book, target)
    return [target]


def _write_xlsx(
    src: DataSource, scales: dict[str, ResponseScale], book: pd.DataFrame, target: Path
) -> None:
    import xlsxwriter

    # Definition text (questions, labels) is shown, never run: no cell becomes a formula or link.
    workbook = xlsxwriter.Workbook(
        str(target), {"strings_to_formulas": False, "strings_to_urls": False}
    )
    try:
        data = workbook.add_worksheet("data")
        sheet_book = workbook.add_worksheet("codebook")
        lists = workbook.add_worksheet("lists")
        bold = workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
        wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
        date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
        last = _ROWS_WITH_LISTS
        list_column = 0
        for k, column in enumerate(src.columns):
            data.write(0, k, column.name, bold)
            data.set_column(
                k,
                k,
                max(12, min(40, len(column.name) + 2)),
                date_format if column.type == "date" else None,
            )
            if column.question:
                data.write_comment(0, k, column.question, {"x_scale": 2, "y_scale": 1.5})
            validation = _validation(column, scales, lists, list_column)
            if validation is not None:
                if validation.get("source", "").startswith("=lists!"):
                    list_column += 1
                data.data_validation(1, k, last, k, validation)
        data.freeze_panes(1, 0)
        for j, name in enumerate(book.columns):
            sheet_book.write(0, j, name, bold)
            sheet_book.set_column(j, j, 60 if name == "question" else 22, wrap)
        for i, row in enumerate(book.itertuples(index=False), start=1):
            for j, value in enumerate(row):
                sheet_book.write(i, j, value)
        lists.hide()
    finally:
        workbook.close()


def _validation(
    column: Column, scales: dict[str, ResponseScale], lists: Any, at: int
) -> dict[str, Any] | None:
    answers = _answers(column, scales)
    message = {
        "error_type": "warning",
        "error_title": column.name,
        "input_title": column.name[:32],
        "input_message": (column.question or "")[:250],
    }
    if answers:
        missing = [
            str(m.value)
            for m in (scales[str(column.scale)].missing if column.scale in scales else [])
            if isinstance(m.value, str)
        ]
        choices = [*answers, *missing]
        letter = _letter(at)
        for i, choice in enumerate(choices):
            lists.write_string(i, at, choice)
        return {
            "validate": "list",
            "source": f"=lists!${letter}$1:${letter}${len(choices)}",
            "error_message": "Pick an answer from the list, or type its code.",
            **message,
        }
    if column.type in ("integer", "number"):
        low: float = column.min if isinstance(column.min, int | float) else -1e12
        high: float = column.max if isinstance(column.max, int | float) else 1e12
        if column.type == "integer":
            low, high = math.ceil(low), math.floor(high)
        return {
            "validate": "integer" if column.type == "integer" else "decimal",
            "criteria": "between",
            "minimum": low,
            "maximum": high,
            "error_message": f"Expected a number from {low:g} to {high:g}.",
            **message,
        }
    if column.type == "date":
        first = column.min if isinstance(column.min, dt.date) else dt.date(1900, 1, 1)
        last = column.max if isinstance(column.max, dt.date) else dt.date(2100, 12, 31)
        return {
            "validate": "date",
            "criteria": "between",
            "minimum": dt.datetime.combine(first, dt.time()),
            "maximum": dt.datetime.combine(last, dt.time()),
            "error_message": f"Expected a date from {first} to {last}.",
            **message,
        }
    return None


def _letter(position: int) -> str:
    from getting_to_outcomes.io._headers import column_letter

    return column_letter(position)
