"""Delimited text files (CSV, TSV and the like): encodings, delimiters, parsing.

UTF-8 with or without a byte-order mark and UTF-16 (as Excel's "Unicode text" writes it)
are recognised; other bytes fall back to Windows-1252, then Latin-1, with a note. The
delimiter is sniffed among comma, semicolon, tab and vertical bar. Rows are parsed with
pandas' C parser, or Python's csv module for ragged rows.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Final

import numpy as np
import pandas as pd

from getting_to_outcomes.errors import DataReadError

__all__ = [
    "MAX_CELL_CHARS",
    "detect_encoding",
    "first_part_checks",
    "parse_part",
    "read_text",
    "record_parts",
]

#: Longest cell accepted, as in a spreadsheet cell: longer means a broken file.
MAX_CELL_CHARS: Final = 32_767
_SAMPLE_LINES: Final = 50
_DELIMITERS: Final = (",", ";", "\t", "|")
#: Bytes read at a time while checking the encoding of a file read in parts.
_SCAN_BYTES: Final = 1 << 24
#: How much of a file's first part is looked at to sniff the delimiter.
_SNIFF_CHARS: Final = 1 << 22
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
        try:
            return raw[3:].decode("utf-8", errors="strict")
        except UnicodeDecodeError as exc:
            # The mark says UTF-8: guessing another encoding would garble the rest.
            at = exc.start + 3
            line = raw[:at].count(b"\n") + 1
            raise _fail(file, f"starts with the UTF-8 mark but byte {raw[at:at + 1]!r} on line "
                        f"{line} is not UTF-8; save the file again as CSV UTF-8") from None
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


def _parse_delimited(file: str, text: str, delimiter: str, first_row: int = 1) -> pd.DataFrame:
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
                f'a quote (") opened in row {int(eof.group(1)) + first_row} is never closed; '
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


def _check_delimiter(file: str, delimiter: str | None) -> None:
    if delimiter is not None and len(delimiter) != 1:
        raise _fail(file, f"the delimiter must be one character, such as ',' ';' or a tab; "
                    f"got {delimiter!r}")


def _delimiter_note(delimiter: str) -> Note:
    shown = {"\t": "tab", ";": "semicolon", "|": "vertical bar"}[delimiter]
    return ("delimiter", f"Columns are separated by {shown}s ({delimiter!r}).", "")


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
    _check_delimiter(file, delimiter)
    if delimiter is None:
        delimiter = _sniff_delimiter(text)
        if delimiter != ",":
            notes.append(_delimiter_note(delimiter))
    _check_width(file, text, delimiter, max_columns, 1)
    frame = _parse_delimited(file, text, delimiter)
    frame.columns = pd.RangeIndex(frame.shape[1])
    return frame, np.arange(1, len(frame) + 1), notes


# --- a large file, read a part at a time -------------------------------------------------


def detect_encoding(file: str, path: Path, encoding: str | None) -> tuple[str, list[Note]]:
    """The encoding to read a file with, decided as :func:`read_text` does, in bounded memory.

    A byte-order mark or the zeros of UTF-16 decide from the first bytes; otherwise the
    whole file is checked as UTF-8 a block at a time (a byte that is not UTF-8 may come
    last), with Windows-1252, then Latin-1, as the fallback and a note saying where.
    """
    notes: list[Note] = []
    if encoding is not None:
        try:
            codecs.lookup(encoding)
        except LookupError as exc:
            raise _fail(file, f"cannot be read as {encoding}: {exc}") from None
        return encoding, notes
    with path.open("rb") as stream:
        head = stream.read(4096)
        if head.startswith(b"\xef\xbb\xbf"):
            return "utf-8-sig", notes
        if head.startswith((b"\xff\xfe", b"\xfe\xff")):
            return "utf-16", notes
        if len(head) >= 4 and head.count(b"\x00") >= len(head) // 3:
            zeros_even = head[0::2].count(b"\x00")
            zeros_odd = head[1::2].count(b"\x00")
            return ("utf-16-le" if zeros_odd > zeros_even else "utf-16-be"), notes
        stream.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")()
        lines = 0
        while True:
            block = stream.read(_SCAN_BYTES)
            try:
                decoder.decode(block, final=not block)
            except UnicodeDecodeError as exc:
                # The decoder's own buffer holds at most the start of one character: no
                # line break, so the line count of the earlier blocks stands.
                bad = exc.object[exc.start : exc.start + 1]
                line = lines + exc.object[: exc.start].count(b"\n") + 1
                break
            if not block:
                return "utf-8", notes
            lines += block.count(b"\n")
        for fallback, label in (
            ("cp1252", "Windows-1252 (Western European)"),
            ("latin-1", "Latin-1"),
        ):
            stream.seek(0)
            try:
                while block := stream.read(_SCAN_BYTES):
                    block.decode(fallback)  # one byte per character: blocks split anywhere
            except UnicodeDecodeError:
                continue
            notes.append(
                (
                    "encoding",
                    f"The file is not UTF-8 (byte {bad!r} on line {line}); it was read as "
                    f"{label}.",
                    "Check that accented letters look right; when saving, choose 'CSV UTF-8'.",
                )
            )
            return fallback, notes
    raise _fail(file, "is not text in any known encoding")  # pragma: no cover - latin-1 never fails


def _record_end(text: str) -> int:
    """Where the last whole record of ``text`` ends: after a line break outside quotes.

    A line break is outside quotes when an even number of quotes comes before it (an
    escaped quote is written twice). 0 when there is none.
    """
    quotes = text.count('"')
    end = len(text)
    at = text.rfind("\n")
    while at >= 0:
        quotes -= text.count('"', at, end)
        if quotes % 2 == 0:
            return at + 1
        end = at
        at = text.rfind("\n", 0, at)
    return 0


def record_parts(file: str, path: Path, encoding: str, size: int) -> Iterator[str]:
    """The text of a file in parts of about ``size`` characters, each ending with a record.

    A part that would hold more than four times ``size`` without a record ending outside
    quotes (a quote opened and never closed, or a quote written inside a cell) is cut at
    its last line break: the parser then reports the unclosed quote, or reads the quote
    as a character.
    """
    carry = ""
    with path.open(encoding=encoding, newline="") as stream:
        while True:
            try:
                text = stream.read(size)
            except UnicodeDecodeError as exc:
                raise _fail(file, f"cannot be read as {encoding}: {exc}") from None
            if not text:
                if carry:
                    yield carry
                return
            buffer = carry + text
            cut = _record_end(buffer)
            if cut == 0 and len(buffer) > 4 * size:
                cut = buffer.rfind("\n") + 1
            if cut == 0:
                carry = buffer
                continue
            carry = buffer[cut:]
            yield buffer[:cut]


def first_part_checks(
    file: str, text: str, delimiter: str | None
) -> tuple[str, list[Note]]:
    """What :func:`read_text` checks on a whole file, on the first part: the delimiter."""
    notes: list[Note] = []
    if _looks_binary(text):
        raise _fail(file, "is binary data, not a text table; export the data as CSV or Excel")
    _check_delimiter(file, delimiter)
    if delimiter is None:
        delimiter = _sniff_delimiter(text[:_SNIFF_CHARS])
        if delimiter != ",":
            notes.append(_delimiter_note(delimiter))
    return delimiter, notes


def parse_part(
    file: str, text: str, delimiter: str, max_columns: int, first_row: int, first_line: int
) -> pd.DataFrame:
    """The cells of one part of a file, as text; rows and lines are counted from the file's."""
    _check_width(file, text, delimiter, max_columns, first_line)
    frame = _parse_delimited(file, text, delimiter, first_row)
    frame.columns = pd.RangeIndex(frame.shape[1])
    return frame
