"""Read the files people actually export into tables, numbered as they see them.

Supported: CSV and other delimited text (the delimiter is sniffed; UTF-8 with or
without a byte-order mark, UTF-16 as Excel writes it, and Windows-1252/Latin-1 as a
fallback with a warning), Excel ``.xlsx`` (any sheet), Parquet, SPSS ``.sav``
(value labels kept) and pandas DataFrames.

Rows keep the number a person sees in a spreadsheet: the header is row 1 and the
first answer row 2. Blank rows are skipped and reported, extra header rows written by
survey tools (Qualtrics' question-text and ImportId rows, SurveyMonkey's "Response"
row) are recognised, and headers are matched to a source's columns through their
names, aliases and question texts, ignoring case, spaces and punctuation.

Anything that is not a readable table raises :class:`~getting_to_outcomes.DataReadError`
naming the file and what is wrong with it.
"""

from __future__ import annotations

import dataclasses
import io
import os
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import numpy as np
import pandas as pd

from getting_to_outcomes.definitions.models import DataSource
from getting_to_outcomes.errors import DataReadError, did_you_mean
from getting_to_outcomes.io._delimited import (
    MAX_CELL_CHARS,
    detect_encoding,
    first_part_checks,
    parse_part,
    read_text,
    record_parts,
)
from getting_to_outcomes.io._headers import (
    HeaderIndex,
    HeaderMap,
    column_letter,
    join_options,
    map_headers,
)
from getting_to_outcomes.io._limits import (
    _RATIO_FLOOR,
    ReadLimits,
    check_regular_file,
    resolve_limits,
)

if TYPE_CHECKING:
    from getting_to_outcomes.definitions import Framework

__all__ = [
    "MAX_CELL_CHARS",
    "HeaderMap",
    "RawTable",
    "ReadLimits",
    "ReadNote",
    "map_headers",
    "read_raw",
    "read_raw_chunks",
    "read_table",
]

#: A CSV file larger than this is read a part of about this many characters at a time.
CHUNK_BYTES: Final = 1 << 24
#: Key of ``DataFrame.attrs`` where :func:`read_table` keeps what it learned from the file.
READ_ATTRS: Final = "getting_to_outcomes.read"
_HEADER_SEARCH: Final = 10
_EXTRA_HEADER_ROWS: Final = 3
_SUBHEADER_WORDS: Final = frozenset({"response", "open-ended response"})
_SUFFIXES: Final = {
    ".csv": "csv",
    ".tsv": "csv",
    ".txt": "csv",
    ".tab": "csv",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".sav": "sav",
    ".zsav": "sav",
}
_MAGIC: Final = (
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\xd0\xcf\x11\xe0", "an old-style Excel (.xls) or Word (.doc) file"),
    (b"{\\rtf", "an RTF document"),
)


@dataclass(frozen=True)
class ReadNote:
    """Something worth telling about how a file was read (not an error).

    ``reason`` is one of ``encoding``, ``delimiter``, ``format``, ``header_rows``,
    ``rows_above_header``, ``blank_row``, ``blank_rows``, ``extra_cells``.
    """

    reason: str
    message: str
    fix: str = ""
    row: int | None = None
    column: str | None = None
    value: str | None = None


@dataclass(frozen=True, eq=False)
class RawTable:
    """A table as read from one file, before any checking.

    Attributes
    ----------
    file : str
        Path of the file, or ``"<DataFrame>"``.
    format : str
        ``csv``, ``xlsx``, ``parquet``, ``sav`` or ``dataframe``.
    frame : DataFrame
        The cells; columns are positions 0..k-1 (headers may repeat in a file).
    headers : list of tuple of str
        For each column, the header texts found for it: the header row first, then
        question texts from extra header rows or SPSS variable labels.
    rows : ndarray of int
        Row number, as the user sees it, of each row of ``frame``.
    notes : list of ReadNote
        What was noticed while reading (encoding fallback, blank rows...).
    value_labels : dict
        SPSS value labels per column position, ``{code: label}``.
    """

    file: str
    format: str
    frame: pd.DataFrame
    headers: list[tuple[str, ...]]
    rows: np.ndarray
    notes: list[ReadNote] = field(default_factory=list)
    value_labels: dict[int, dict[Any, str]] = field(default_factory=dict)

    @property
    def header_names(self) -> list[str]:
        return [h[0] if h else "" for h in self.headers]


def _fail(file: str, reason: str) -> DataReadError:
    return DataReadError(f"{file}: {reason}")


# --- binary formats ------------------------------------------------------------------


def _check_archive(file: str, raw: bytes, limits: ReadLimits) -> None:
    """Refuse a zip bomb from the archive's directory, before anything is decompressed.

    Python's zipfile never gives more bytes of a member than its declared size (a member
    that holds more fails its check), so the declared sizes bound what openpyxl can
    expand.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise _fail(file, f"is not a readable Excel workbook ({exc})") from None
    expanded = sum(m.file_size for m in members)
    if expanded > limits.max_expanded_bytes:
        raise _fail(
            file,
            f"expands to {expanded:,} bytes when unzipped ({len(raw):,} bytes on disk), more "
            f"than the limit of {limits.max_expanded_bytes:,}: a workbook this large, or a "
            f"zip bomb; save the sheet as CSV, or {limits.hint('max_expanded_bytes')}",
        )
    for member in members:
        if member.file_size < _RATIO_FLOOR:
            continue
        ratio = member.file_size / max(member.compress_size, 1)
        if ratio > limits.max_compression_ratio:
            raise _fail(
                file,
                f"its part {member.filename!r} expands {ratio:,.0f} times "
                f"({member.compress_size:,} to {member.file_size:,} bytes), more than the "
                f"limit of {limits.max_compression_ratio:,.0f}: spreadsheets compress far "
                f"less, zip bombs far more; {limits.hint('max_compression_ratio')}",
            )


def _check_grid(
    file: str, sheet: str, rows: int, columns: int, limits: ReadLimits, declared: bool
) -> None:
    where = "declares" if declared else "reaches"
    if columns > limits.max_columns:
        raise _fail(
            file,
            f"sheet {sheet!r} {where} {columns:,} columns (to column {column_letter(columns - 1)}),"
            f" more than the limit of {limits.max_columns:,}; delete the cells far to the "
            f"right, or {limits.hint('max_columns')}",
        )
    if rows * columns > limits.max_cells:
        raise _fail(
            file,
            f"sheet {sheet!r} {where} a grid of {rows:,} rows x {columns:,} columns "
            f"(to cell {column_letter(columns - 1)}{rows}), {rows * columns:,} cells, more "
            f"than the limit of {limits.max_cells:,}; delete stray cells far below or to the "
            f"right of the table (a lone value at the sheet's last cell does this), or "
            f"{limits.hint('max_cells')}",
        )


def _read_xlsx(
    file: str, raw: bytes, sheet: str | int | None, limits: ReadLimits
) -> tuple[pd.DataFrame, np.ndarray]:
    try:
        import openpyxl
    except ImportError:  # pragma: no cover - depends on the installation
        raise _fail(
            file,
            "reading Excel files needs openpyxl, which getting-to-outcomes depends on; "
            "reinstall getting-to-outcomes",
        ) from None
    _check_archive(file, raw, limits)
    try:
        # From the bytes, not the path: openpyxl refuses names that do not end in .xlsx.
        workbook = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        raise _fail(file, f"is not a readable Excel workbook ({exc})") from None
    try:
        names = list(workbook.sheetnames)
        if sheet is None:
            worksheet = workbook.worksheets[0]
        elif isinstance(sheet, int):
            if not 0 <= sheet < len(names):
                raise _fail(file, f"has no sheet number {sheet}; its sheets are {names}")
            worksheet = workbook.worksheets[sheet]
        else:
            if sheet not in names:
                raise _fail(
                    file,
                    f"has no sheet {sheet!r}{did_you_mean(sheet, names)}; its sheets are {names}",
                )
            worksheet = workbook[sheet]
        title = str(worksheet.title)
        # The declared dimension (<dimension ref="A1:XFD1048576"/>) costs nothing to read.
        declared_rows, declared_columns = worksheet.max_row, worksheet.max_column
        if isinstance(declared_rows, int) and isinstance(declared_columns, int):
            _check_grid(file, title, declared_rows, declared_columns, limits, declared=True)
        # The dimension may be absent or wrong: openpyxl would stop at a wrong one, leaving
        # cells unread, so every cell is read and the grid counted as it grows.
        worksheet.reset_dimensions()
        rows: list[list[Any]] = []
        width = 0
        for values in worksheet.iter_rows(min_row=1, min_col=1, values_only=True):
            width = max(width, len(values))
            if width > limits.max_columns or (len(rows) + 1) * width > limits.max_cells:
                _check_grid(file, title, len(rows) + 1, width, limits, declared=False)
            rows.append(list(values))
    finally:
        workbook.close()
    grid = pd.DataFrame([r + [None] * (width - len(r)) for r in rows], dtype=object)
    if grid.empty and sheet is None and len(names) > 1:
        raise _fail(file, f"its first sheet is empty; choose another sheet of {names}")
    grid.columns = pd.RangeIndex(grid.shape[1])
    return grid, np.arange(1, len(grid) + 1)


def _check_columns(file: str, columns: int, limits: ReadLimits) -> None:
    if columns > limits.max_columns:
        raise _fail(
            file,
            f"has {columns:,} columns, more than the limit of {limits.max_columns:,}; keep "
            f"the columns of one data source, or {limits.hint('max_columns')}",
        )


def _read_parquet(file: str, path: Path, limits: ReadLimits) -> pd.DataFrame:
    try:
        import pyarrow.parquet as pq

        # The schema is in the file's footer: the columns are counted before any is read.
        schema = pq.read_schema(path)
        _check_columns(file, len(schema.names), limits)
        _check_flat(file, schema)
        return pd.read_parquet(path)
    except DataReadError:
        raise
    except ImportError:  # pragma: no cover - depends on the installation
        raise _fail(
            file, "reading Parquet needs pyarrow: pip install 'getting-to-outcomes[parquet]'"
        ) from None
    except Exception as exc:  # pyarrow raises many unrelated types for a broken file
        raise _fail(file, f"is not a readable Parquet file ({type(exc).__name__}: {exc})") from None


def _check_flat(file: str, schema: Any) -> None:
    """Refuse columns that hold lists, records, maps or arrays: a cell holds one value."""
    import pyarrow as pa

    nested = []
    for column in schema:
        # Extension types (tensors among them) are judged by what they store.
        kind = getattr(column.type, "storage_type", column.type)
        if pa.types.is_nested(kind):
            nested.append(f"{column.name} ({column.type})")
    if nested:
        raise _fail(file, f"column(s) {', '.join(nested[:5])}"
                    f"{' and more' if len(nested) > 5 else ''} hold lists, records or arrays in "
                    "each cell, not single values; write one column per value (for example "
                    "q1_1, q1_2) and read the file again")


def _read_sav(
    file: str, path: Path, limits: ReadLimits
) -> tuple[pd.DataFrame, list[str], dict[str, dict[Any, str]]]:
    try:
        import pyreadstat
    except ImportError:  # pragma: no cover - depends on the installation
        raise _fail(
            file, "reading SPSS files needs pyreadstat: pip install 'getting-to-outcomes[spss]'"
        ) from None
    try:
        _, header = pyreadstat.read_sav(str(path), metadataonly=True)
        _check_columns(file, int(header.number_columns or 0), limits)
        frame, meta = pyreadstat.read_sav(str(path), user_missing=True, apply_value_formats=False)
    except DataReadError:
        raise
    except Exception as exc:  # pyreadstat raises its own error types
        raise _fail(file, f"is not a readable SPSS file ({exc})") from None
    labels = [meta.column_names_to_labels.get(c) or "" for c in frame.columns]
    return frame, labels, dict(meta.variable_value_labels)


def _sniff_format(raw: bytes) -> str | None:
    if raw.startswith(b"PK\x03\x04"):
        return "xlsx"
    if raw.startswith(b"PAR1"):
        return "parquet"
    if raw.startswith((b"$FL2", b"$FL3")):
        return "sav"
    return None


# --- shaping a grid into a table ----------------------------------------------------


def _blank_mask(grid: pd.DataFrame) -> np.ndarray:
    if grid.shape[1] == 0:
        return np.ones(len(grid), dtype=bool)
    blank = np.ones(len(grid), dtype=bool)
    for position in range(grid.shape[1]):
        column = grid[position]
        if column.dtype == object:
            cells = column.map(
                lambda v: (
                    v is None
                    or (isinstance(v, str) and not v.strip())
                    or (isinstance(v, float) and v != v)
                )
            )
            blank &= cells.to_numpy(dtype=bool)
        else:
            blank &= (column.str.strip() == "").to_numpy(dtype=bool)
        if not blank.any():
            break
    return blank


def _cell_text(value: Any) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return str(value).strip()


def _filled_count(cells: Sequence[Any]) -> int:
    return sum(1 for c in cells if _cell_text(c))


def _is_import_id_row(cells: Sequence[Any]) -> bool:
    texts = [_cell_text(c) for c in cells if _cell_text(c)]
    return bool(texts) and all(t.casefold().startswith('{"importid"') for t in texts)


def _is_subheader_row(cells: Sequence[Any]) -> bool:
    return any(_cell_text(c).casefold() in _SUBHEADER_WORDS for c in cells)


def _find_header(
    file: str,
    grid: pd.DataFrame,
    blank: np.ndarray,
    rows: np.ndarray,
    notes: list[ReadNote],
    source: DataSource | None,
) -> tuple[list[tuple[str, ...]], int]:
    """The header texts of each column and the position of the first row after the header."""
    filled = np.flatnonzero(~blank)
    if len(filled) == 0:
        raise _fail(file, "is empty: there is no header row and no data")
    index = HeaderIndex(source) if source is not None else None

    def cells(position: int) -> list[Any]:
        return list(grid.iloc[position])

    header_at = int(filled[0])
    if index is not None:
        best = index.score(cells(header_at))
        for position in filled[1:_HEADER_SEARCH]:
            score = index.score(cells(int(position)))
            if score > best and score >= 2:
                header_at, best = int(position), score
        # Rows above a header are titles only when they are much sparser than the header;
        # a full row above it (Qualtrics' column ids) is the header, and it is a header row.
        width = _filled_count(cells(header_at))
        first = int(filled[0])
        if header_at != first and _filled_count(cells(first)) * 2 > width:
            header_at = first
        above = [int(rows[p]) for p in filled if p < header_at]
        if above:
            notes.append(
                ReadNote(
                    "rows_above_header",
                    f"Row(s) {_row_list(above)} above the header were skipped.",
                    "Keep the header in the first row of the sheet.",
                )
            )
    header_cells = cells(header_at)
    headers = [[_cell_text(c)] for c in header_cells]
    extra: list[int] = []
    following = [int(p) for p in filled if p > header_at][: _EXTRA_HEADER_ROWS + 1]
    for k, position in enumerate(following[:_EXTRA_HEADER_ROWS]):
        row_cells = cells(position)
        after = following[k + 1] if k + 1 < len(following) else None
        is_header = _is_import_id_row(row_cells) or _is_subheader_row(row_cells)
        if not is_header and after is not None and _is_import_id_row(cells(after)):
            is_header = True  # Qualtrics: the question-text row comes before the ImportId row
        if not is_header and index is not None:
            is_header = index.score(row_cells) > max(index.score(header_cells), 1)
        if not is_header:
            break
        extra.append(position)
        if not _is_import_id_row(row_cells):
            for j, c in enumerate(row_cells):
                text = _cell_text(c)
                if text and text.casefold() not in _SUBHEADER_WORDS:
                    headers[j].append(text)
    if extra:
        notes.append(
            ReadNote(
                "header_rows",
                f"Row(s) {_row_list([int(rows[p]) for p in extra])} were read as extra header rows "
                "(question texts or survey-tool codes), not as answers.",
            )
        )
    data_start = (extra[-1] if extra else header_at) + 1
    return [tuple(h) for h in headers], data_start


def _blank_row_note(row: int) -> ReadNote:
    return ReadNote(
        "blank_row",
        "This row is blank; it was skipped.",
        "Delete blank rows inside the table.",
        row=row,
    )


def _trailing_note(count: int) -> ReadNote:
    return ReadNote("blank_rows", f"{count} blank row(s) at the end of the table were ignored.")


def _shape_grid(
    file: str,
    grid: pd.DataFrame,
    rows: np.ndarray,
    notes: list[ReadNote],
    source: DataSource | None,
) -> tuple[pd.DataFrame, list[tuple[str, ...]], np.ndarray]:
    blank = _blank_mask(grid)
    headers, data_start = _find_header(file, grid, blank, rows, notes, source)
    body = np.arange(data_start, len(grid))
    body_blank = blank[data_start:]
    last = np.flatnonzero(~body_blank)
    trailing = len(body) - (int(last[-1]) + 1 if len(last) else 0)
    if trailing:
        notes.append(_trailing_note(trailing))
        body, body_blank = body[: len(body) - trailing], body_blank[: len(body_blank) - trailing]
    notes += [_blank_row_note(int(rows[position])) for position in body[body_blank]]
    kept = body[~body_blank]
    return grid.iloc[kept], headers, rows[kept]


def _row_list(rows: Sequence[int], limit: int = 10) -> str:
    shown = ", ".join(str(r) for r in rows[:limit])
    return shown + (f" and {len(rows) - limit} more" if len(rows) > limit else "")


def _check_cell_sizes(
    file: str, frame: pd.DataFrame, headers: list[tuple[str, ...]], rows: np.ndarray
) -> None:
    for position in range(frame.shape[1]):
        column = frame.iloc[:, position]
        if column.dtype == object:
            lengths = column.map(lambda v: len(v) if isinstance(v, str) else 0)
        elif pd.api.types.is_string_dtype(column.dtype):
            lengths = column.str.len().fillna(0)
        else:
            continue
        at = np.flatnonzero(lengths.to_numpy(dtype=np.int64) > MAX_CELL_CHARS)
        if len(at):
            where = int(at[0])
            name = headers[position][0] if headers[position] else column_letter(position)
            raise _fail(
                file,
                f"row {int(rows[where])}, column {name!r} holds a cell of "
                f"{int(lengths.iloc[where]):,} characters, more than a spreadsheet cell can hold "
                f'({MAX_CELL_CHARS:,}); this usually means a quote (") opened and never closed, '
                "or a file that is not a table",
            )


# --- the entry points ----------------------------------------------------------------


def read_raw(
    data: str | os.PathLike[str] | pd.DataFrame,
    *,
    sheet: str | int | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
    source: DataSource | None = None,
    limits: ReadLimits | None = None,
) -> RawTable:
    """Read one file or DataFrame into a :class:`RawTable`.

    ``source``, when given, helps find the header row (a title above it, question-text
    rows under it). ``limits`` bound what a file may ask of memory (default:
    :meth:`ReadLimits.from_environment`). Raises :class:`~getting_to_outcomes.DataReadError`.
    """
    if isinstance(data, pd.DataFrame):
        return frame_table(data)
    path = Path(data)
    file = str(path)
    limits = resolve_limits(limits)
    check_regular_file(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise _fail(file, "no such file") from None
    except OSError as exc:
        raise _fail(file, f"cannot be read ({exc.strerror})") from None
    if not raw.strip(b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"):
        raise _fail(file, "is empty: there is no header row and no data")
    notes: list[ReadNote] = []
    kind = _SUFFIXES.get(path.suffix.casefold())
    sniffed = _sniff_format(raw)
    for magic, what in _MAGIC:
        if raw.startswith(magic):
            raise _fail(file, f"is {what}, not a table; export the data as CSV or Excel (.xlsx)")
    if sniffed is not None and sniffed != kind:
        notes.append(
            ReadNote(
                "format",
                f"The file is a {sniffed} file although its name ends in {path.suffix!r}.",
                f"Rename it to end in .{sniffed}.",
            )
        )
        kind = sniffed
    if kind is None:
        kind = "csv"
    if kind == "parquet":
        return frame_table(
            _read_parquet(file, path, limits), file=file, fmt="parquet", notes=notes
        )
    if kind == "sav":
        frame, labels, value_labels = _read_sav(file, path, limits)
        table = frame_table(frame, file=file, fmt="sav", notes=notes, first_row=1)
        headers = [(h[0], lab) if lab else h for h, lab in zip(table.headers, labels, strict=True)]
        positional = {i: value_labels[c] for i, c in enumerate(frame.columns) if c in value_labels}
        return RawTable(file, "sav", table.frame, headers, table.rows, notes, positional)
    if kind == "xlsx":
        grid, rows = _read_xlsx(file, raw, sheet, limits)
    else:
        grid, rows, text_notes = read_text(file, raw, encoding, delimiter, limits.max_columns)
        notes += [ReadNote(reason, message, fix) for reason, message, fix in text_notes]
    frame, headers, kept_rows = _shape_grid(file, grid, rows, notes, source)
    return _finish(file, kind, frame, headers, kept_rows, notes)


def _finish(
    file: str,
    kind: str,
    frame: pd.DataFrame,
    headers: list[tuple[str, ...]],
    kept_rows: np.ndarray,
    notes: list[ReadNote],
) -> RawTable:
    """The table of the rows kept: one column per header, stray cells right of it noted."""
    # Cells right of the last header belong to no column (a stray value, a trailing comma).
    width = max((k + 1 for k, h in enumerate(headers) if any(t.strip() for t in h)), default=0)
    for position in range(width, frame.shape[1]):
        cells = frame.iloc[:, position]
        for at in np.flatnonzero(~_blank_cells(cells)):
            notes.append(
                ReadNote(
                    "extra_cells",
                    "This row has more cells than the header has columns.",
                    "Give the column a header, or delete the stray cell.",
                    row=int(kept_rows[at]),
                    column=f"(unnamed column {column_letter(position)})",
                    value=str(cells.iloc[at])[:80],
                )
            )
    frame = frame.iloc[:, :width]
    frame.columns = pd.RangeIndex(frame.shape[1])
    if frame.shape[1] < width:
        # A part of a file read in chunks whose rows are all shorter than the header.
        for position in range(frame.shape[1], width):
            frame[position] = pd.array([None] * len(frame), dtype="str")
    frame.index = pd.RangeIndex(len(frame))
    headers = headers[:width]
    _check_cell_sizes(file, frame, headers, kept_rows)
    return RawTable(file, kind, frame, headers, kept_rows, notes)


def read_raw_chunks(
    data: str | os.PathLike[str] | pd.DataFrame,
    *,
    sheet: str | int | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
    source: DataSource | None = None,
    limits: ReadLimits | None = None,
    chunk_bytes: int = CHUNK_BYTES,
) -> Iterator[RawTable]:
    """Read one file as :func:`read_raw` does, a CSV file larger than ``chunk_bytes`` in parts.

    Each part is a :class:`RawTable` of whole records with the file's headers; rows keep
    their numbers in the file, and the notes of each part are those of its rows (the
    file's own notes, such as the encoding, come with the first part). Memory grows with
    ``chunk_bytes``, not with the file. Other files, and smaller CSV files, come whole.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "waves.csv").write_text("id,wave\\n" + "P1,pre\\nP2,post\\n" * 3)
    >>> [table.rows.tolist() for table in read_raw_chunks(folder / "waves.csv", chunk_bytes=16)]
    [[2], [3, 4], [5, 6], [7]]
    """
    if chunk_bytes < 1:
        raise ValueError(f"chunk_bytes must be positive; got {chunk_bytes!r}")
    whole = {"sheet": sheet, "encoding": encoding, "delimiter": delimiter, "source": source,
             "limits": limits}
    if isinstance(data, pd.DataFrame):
        yield frame_table(data)
        return
    path = Path(data)
    file = str(path)
    info = check_regular_file(path)
    if info.st_size <= chunk_bytes or not _plain_text(path):
        yield read_raw(path, **whole)  # type: ignore[arg-type]
        return
    limits = resolve_limits(limits)
    chosen, text_notes = detect_encoding(file, path, encoding)
    parts = record_parts(file, path, chosen, chunk_bytes)
    part = next(parts, "")
    if not part.strip():  # blanks first: the whole file says best what it is
        yield read_raw(path, **whole)  # type: ignore[arg-type]
        return
    separator, delimiter_notes = first_part_checks(file, part, delimiter)
    notes = [ReadNote(*n) for n in (*text_notes, *delimiter_notes)]
    headers: list[tuple[str, ...]] | None = None
    row = line = 1
    pending: list[int] = []  # blank rows at the end of the parts so far
    following: str | None = next(parts, None)
    while True:
        grid = parse_part(file, part, separator, limits.max_columns, row, line)
        rows = np.arange(row, row + len(grid))
        row += len(grid)
        line += part.count("\n")
        blank = _blank_mask(grid)
        start = 0
        if headers is None:
            headers, start = _find_header(file, grid, blank, rows, notes, source)
        body = np.arange(start, len(grid))
        body_blank = blank[start:]
        filled = np.flatnonzero(~body_blank)
        if len(filled):
            inside = body[: int(filled[-1]) + 1]
            notes += [_blank_row_note(r) for r in pending]
            notes += [_blank_row_note(int(rows[p])) for p in inside[blank[inside]]]
            pending = [int(rows[p]) for p in body[int(filled[-1]) + 1 :]]
        else:
            pending += [int(rows[p]) for p in body]
        last = following is None
        if last and pending:
            notes.append(_trailing_note(len(pending)))
        kept = body[~body_blank]
        yield _finish(file, "csv", grid.iloc[kept], headers, rows[kept], notes)
        if following is None:
            return
        part, following, notes = following, next(parts, None), []


def _plain_text(path: Path) -> bool:
    """True when a file is read as delimited text: by its name, and no other format's bytes."""
    if _SUFFIXES.get(path.suffix.casefold(), "csv") != "csv":
        return False
    with path.open("rb") as stream:
        head = stream.read(8)
    return _sniff_format(head) is None and not any(head.startswith(m) for m, _ in _MAGIC)


def _blank_cells(cells: pd.Series) -> np.ndarray:
    return cells.map(lambda v: not _cell_text(v)).to_numpy(dtype=bool)


def frame_table(
    frame: pd.DataFrame,
    *,
    file: str = "<DataFrame>",
    fmt: str = "dataframe",
    notes: list[ReadNote] | None = None,
    first_row: int = 2,
) -> RawTable:
    if frame.index.name == "row" and pd.api.types.is_integer_dtype(frame.index.dtype):
        rows = frame.index.to_numpy(dtype=np.int64)
    else:
        rows = np.arange(first_row, first_row + len(frame), dtype=np.int64)
    headers: list[tuple[str, ...]] = [(str(c),) for c in frame.columns]
    read = frame.attrs.get(READ_ATTRS)
    if isinstance(read, dict) and [h[0] for h in read.get("headers", [])] == [
        h[0] for h in headers
    ]:
        # A frame from read_table: keep what was learned reading the file.
        headers = [tuple(h) for h in read["headers"]]
        notes = [*(notes or []), *(ReadNote(**n) for n in read.get("notes", []))]
        file = str(read.get("file", file))
    positional = frame.set_axis(range(frame.shape[1]), axis=1)
    positional.index = pd.RangeIndex(len(frame))
    return RawTable(file, fmt, positional, headers, rows, list(notes or []))


def _with_labels(table: RawTable) -> pd.DataFrame:
    frame = table.frame
    if not table.value_labels:
        return frame
    frame = frame.copy()
    for position, labels in table.value_labels.items():
        frame[position] = frame[position].map(lambda v, lab=labels: lab.get(v, v)).astype(object)
    return frame


def read_table(
    data: str | os.PathLike[str] | pd.DataFrame,
    *,
    sheet: str | int | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
    source: str | DataSource | None = None,
    framework: Framework | str | os.PathLike[str] | None = None,
    limits: ReadLimits | None = None,
) -> pd.DataFrame:
    """Read a CSV, Excel, Parquet or SPSS file into a DataFrame, rows numbered as in the file.

    Parameters
    ----------
    data : path or DataFrame
        The file. The format follows the file's content and name.
    sheet : str or int, optional
        Excel sheet name or 0-based position (default: the first sheet).
    encoding : str, optional
        Text encoding of a CSV file (default: detected).
    delimiter : str, optional
        Column separator of a CSV file (default: sniffed among ``, ; tab |``).
    source : str or DataSource, optional
        A data source of the framework: its columns are then found by their names,
        aliases and question texts and renamed to the canonical names.
    framework : Framework or path, optional
        Where ``source`` is defined (default: the bundled framework).
    limits : ReadLimits, optional
        How large a file may be before reading it is refused: columns, cells of an Excel
        sheet, bytes an Excel workbook expands to (default:
        :meth:`ReadLimits.from_environment`, the ``GTO_MAX_*`` environment variables).

    Returns
    -------
    DataFrame
        One column per header (blank cells are NaN, SPSS value labels applied); the
        index, named ``row``, is the row number a person sees in the spreadsheet.

    Raises
    ------
    DataReadError
        When the file is missing, empty, not a regular file (a folder, a pipe, a
        device) or not a table, or when it is past one of ``limits``.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "wave.csv").write_text("Respondent ID;Wave\\nP1;pre\\n\\nP2;post\\n\\n")
    >>> table = read_table(folder / "wave.csv", source="leadership_survey")
    >>> table.index.tolist(), table["person_id"].tolist(), table["survey_wave"].tolist()
    ([2, 4], ['P1', 'P2'], ['pre', 'post'])
    """
    spec: DataSource | None = None
    if source is not None:
        spec = source if isinstance(source, DataSource) else _framework(framework).source(source)
    table = read_raw(
        data, sheet=sheet, encoding=encoding, delimiter=delimiter, source=spec, limits=limits
    )
    frame = _with_labels(table)
    names = table.header_names
    if spec is not None:
        mapping = map_headers(table.headers, spec)
        for name, position in mapping.columns.items():
            names[position] = name
    out = frame.set_axis(names, axis=1).copy()
    if spec is not None:
        # A select-multiple question exported only as one 0/1 column per answer.
        for name, options in mapping.joined.items():
            out[name] = join_options(frame, options).to_numpy()
    for name in out.columns.unique():
        if out[name].ndim == 1 and pd.api.types.is_string_dtype(out[name].dtype):
            out[name] = out[name].where(out[name].str.strip() != "")
    out.index = pd.Index(table.rows, name="row")
    # What the file said beyond its cells (blank rows skipped, question texts of extra
    # header rows), so that validating this frame reports what validating the file does.
    out.attrs[READ_ATTRS] = {
        "file": table.file,
        "notes": [dataclasses.asdict(n) for n in table.notes],
        "headers": [
            [str(c), *h[1:]] if str(c) != h[0] else list(h)
            for c, h in zip(out.columns, table.headers, strict=False)
        ]
        + [[str(c)] for c in out.columns[len(table.headers) :]],
    }
    return out


def _framework(framework: Framework | str | os.PathLike[str] | None) -> Framework:
    from getting_to_outcomes.definitions import Framework, load_framework

    if isinstance(framework, Framework):
        return framework
    return load_framework(framework)
