"""Delimited text files (CSV, TSV and the like): encodings, delimiters, parsing.

UTF-8 with or without a byte-order mark and UTF-16 (as Excel's "Unicode text" writes it)
are recognised; other bytes fall back to Windows-1252, then Latin-1, with a note. The
delimiter is sniffed among comma, semicolon, tab and vertical bar. Rows are parsed with
pandas' C parser, or Python's csv module for ragged rows.
"""

from __future__ import annotations

import csv
import io
import re
from typing import Final

import numpy as np
import pandas as pd

from getting_to_outcomes.errors import DataReadError

__all__ = ["MAX_CELL_CHARS", "read_text"]

#: Longest cell accepted, as in a spreadsheet cell: longer means a broken file.
MAX_CELL_CHARS: Final = 32_767
_SAMPLE_LINES: Final = 50
_DELIMITERS: Final = (",", ";", "\t", "|")
Note = tuple[str, str, str]


def _fail(file: str, reason: str) -> DataReadError:
    return DataReadError(f"{file}: {reason}")


def _decode(file: str, raw: bytes, encoding: str | None, notes: list[Note]) -> str:
    if encoding is not None:
        try:
            return raw.decode(encoding)
        except (UnicodeDecodeError, LookupError) as exc:
            raise _fail(file, f"cannot be read as {encoding}: {exc}") from None
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", errors="strict")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise _fail(file, f"starts like UTF-16 text but is not: {exc.reason}") from None
    sample = raw[:4096]
    if len(sample) >= 4 and sample.count(b"\x00") >= len(sample) // 3:
        # UTF-16 without a byte-order mark: every other byte is zero for plain text.
        zeros_even = sample[0::2].count(b"\x00")
        zeros_odd = sample[1::2].count(b"\x00")
        guess = "utf-16-le" if zeros_odd > zeros_even else "utf-16-be"
        try:
            return raw.decode(guess)
        except UnicodeDecodeError:
            raise _fail(file, "is binary data, not a text table") from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad = raw[exc.start : exc.start + 1]
        line = raw[: exc.start].count(b"\n") + 1
    for fallback, label in (("cp1252", "Windows-1252 (Western European)"), ("latin-1", "Latin-1")):
        try:
            text = raw.decode(fallback)
        except UnicodeDecodeError:
            continue
        notes.append(
            (
                "encoding",
                f"The file is not UTF-8 (byte {bad!r} on line {line}); it was read as {label}.",
                "Check that accented letters look right; when saving, choose 'CSV UTF-8'.",
            )
        )
        return text
    raise _fail(file, "is not text in any known encoding")  # pragma: no cover - latin-1 never fails


def _looks_binary(text: str) -> bool:
    sample = text[:8192]
    if "\x00" in sample:
        return True
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\r\n\x0b\x0c")
    return controls > max(8, len(sample) // 50)


def _sniff_delimiter(text: str) -> str:
    lines = [line for line in text.splitlines()[:_SAMPLE_LINES] if line.strip()]
    if not lines:
        return ","
    best, best_score = ",", (0.0, 0)
    for delimiter in _DELIMITERS:
        try:
            counts = [len(row) for row in csv.reader(lines, delimiter=delimiter)]
        except csv.Error:  # e.g. a huge cell: the parser reports it properly
            continue
        widest = max(counts)
        if widest < 2:
            continue
        modal = max(set(counts), key=counts.count)
        score = (counts.count(modal) / len(counts), modal)
        if modal >= 2 and score > best_score:
            best, best_score = delimiter, score
    return best


def _check_width(file: str, text: str, delimiter: str, max_columns: int, first_line: int) -> None:
    """Refuse a line of more than ``max_columns`` fields before parsing builds the columns.

    Such a line holds at least ``max_columns`` characters, so it spans a whole window of
    half that length without a line break: windows are searched for line breaks at the
    speed of ``str.find``, and only the lines found that long are counted (a separator
    inside quotes does not count).
    """
    window = max(max_columns // 2, 1)
    size = len(text)
    checked_to = -1
    for start in range(0, size, window):
        if start < checked_to or text.find("\n", start, start + window) >= 0:
            continue
        begin = text.rfind("\n", 0, start) + 1
        end = text.find("\n", start)
        end = size if end < 0 else end
        checked_to = end
        if text.count(delimiter, begin, end) < max_columns:
            continue
        fields = max((len(r) for r in csv.reader([text[begin:end]], delimiter=delimiter)),
                     default=0)
        if fields > max_columns:
            line = first_line + text.count("\n", 0, begin)
            raise _fail(
                file,
                f"line {line} has {fields:,} columns, more than the limit of "
                f"{max_columns:,}; a table this wide is most likely not a table of answers "
                "(if it is, raise the limit with the environment variable GTO_MAX_COLUMNS "
                "or ReadLimits(max_columns=...))",
            )


def _parse_delimited(file: str, text: str, delimiter: str) -> pd.DataFrame:
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            sep=delimiter,
            header=None,
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            skip_blank_lines=False,
            engine="c",
            quotechar='"',
        )
    except pd.errors.EmptyDataError:
        raise _fail(file, "is empty: there is no header row and no data") from None
    except pd.errors.ParserError as exc:
        message = str(exc)
        eof = re.search(r"EOF inside string starting at row (\d+)", message)
        if eof:
            raise _fail(
                file,
                f'a quote (") opened in row {int(eof.group(1)) + 1} is never closed; '
                "close it or remove the stray quote",
            ) from None
        frame = _parse_ragged(file, text, delimiter)
    return frame


def _parse_ragged(file: str, text: str, delimiter: str) -> pd.DataFrame:
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            raise _fail(
                file,
                f"holds a cell of more than {MAX_CELL_CHARS:,} characters, more than a "
                'spreadsheet cell can hold; this usually means a quote (") opened and '
                "never closed, or a file that is not a table",
            ) from None
        raise _fail(file, f"is not a readable delimited table ({exc})") from None
    width = max((len(r) for r in rows), default=0)
    return pd.DataFrame([r + [""] * (width - len(r)) for r in rows], dtype=str)


def read_text(
    file: str,
    raw: bytes,
    encoding: str | None,
    delimiter: str | None,
    max_columns: int = 16_384,
) -> tuple[pd.DataFrame, np.ndarray, list[Note]]:
    """Decode and parse a delimited text file: the cells as text, row numbers, notes.

    Notes are ``(reason, message, fix)``: a fallback encoding, a delimiter other than a
    comma. Raises :class:`~getting_to_outcomes.DataReadError` for what is not a table,
    and for a line of more than ``max_columns`` fields.
    """
    notes: list[Note] = []
    text = _decode(file, raw, encoding, notes)
    if not text.strip():
        raise _fail(file, "is empty: there is no header row and no data")
    if _looks_binary(text):
        raise _fail(file, "is binary data, not a text table; export the data as CSV or Excel")
    if delimiter is not None and len(delimiter) != 1:
        raise _fail(file, f"the delimiter must be one character, such as ',' ';' or a tab; "
                    f"got {delimiter!r}")
    if delimiter is None:
        delimiter = _sniff_delimiter(text)
        if delimiter != ",":
            shown = {"\t": "tab", ";": "semicolon", "|": "vertical bar"}[delimiter]
            notes.append(("delimiter", f"Columns are separated by {shown}s ({delimiter!r}).", ""))
    _check_width(file, text, delimiter, max_columns, 1)
    frame = _parse_delimited(file, text, delimiter)
    frame.columns = pd.RangeIndex(frame.shape[1])
    return frame, np.arange(1, len(frame) + 1), notes
