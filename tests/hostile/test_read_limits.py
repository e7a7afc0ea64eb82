"""Files made to exhaust memory or to block are refused before they can, with a located error.

Each attack is a small file made here: an Excel sheet declaring a cell at XFD1048576, a
workbook whose zip archive declares a member of gigabytes or expands a thousandfold, a
header of a million columns, a named pipe, a device, a folder. Reading each ends in a
:class:`DataReadError` naming the file, what was found and the limit; ``gto validate``
ends with that message and exit status 1, without a traceback.
"""

from __future__ import annotations

import io
import os
import re
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

from getting_to_outcomes import DataReadError, ReadLimits, read_table, validate
from getting_to_outcomes.cli import main
from getting_to_outcomes.io import read_raw

SOURCE = "leadership_survey"
HEADER = ["org_id", "person_id", "survey_wave", "survey_date", "role_type"]


def _workbook(far_cell: str | None = None) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER)
    sheet.append(["CA-01", "P1", "pre", "2024-03-01", "parent"])
    if far_cell is not None:
        sheet[far_cell] = 1
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _rewrite_sheet(raw: bytes, change: re.Pattern[bytes], into: bytes) -> bytes:
    """The workbook with its sheet's XML changed (to remove or falsify the dimension)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw)) as source, zipfile.ZipFile(
        out, "w", zipfile.ZIP_DEFLATED
    ) as target:
        for member in source.infolist():
            data = source.read(member.filename)
            if member.filename.startswith("xl/worksheets/"):
                data, count = change.subn(into, data)
                assert count == 1
            target.writestr(member, data)
    return out.getvalue()


_DIMENSION = re.compile(rb'<dimension ref="[^"]*" ?/>')


def _declare_size(raw: bytes, member: str, size: int) -> bytes:
    """The archive with ``member``'s uncompressed size in the central directory set to ``size``."""
    at = raw.index(b"PK\x01\x02")
    while True:
        name_length = struct.unpack_from("<H", raw, at + 28)[0]
        name = raw[at + 46 : at + 46 + name_length].decode()
        if name == member:
            return raw[: at + 24] + struct.pack("<I", size) + raw[at + 28 :]
        extra, comment = struct.unpack_from("<HH", raw, at + 30)
        at = raw.index(b"PK\x01\x02", at + 46 + name_length + extra + comment)


def _refused(path: Path, *expected: str, limits: ReadLimits | None = None) -> str:
    with pytest.raises(DataReadError) as caught:
        read_raw(path, limits=limits)
    message = str(caught.value)
    assert message.startswith(f"{path}: "), message
    for words in expected:
        assert words in message, message
    return message


def _cli_refuses(path: Path, *expected: str, env: dict[str, str] | None = None) -> None:
    result = CliRunner().invoke(main, ["validate", str(path), "--source", SOURCE], env=env)
    shown = result.output + (result.stderr if result.stderr_bytes is not None else "")
    assert "Traceback" not in shown
    assert result.exception is None or isinstance(result.exception, SystemExit), shown
    assert result.exit_code == 1, shown
    assert str(path) in shown
    for words in expected:
        assert words in shown, shown


# --- Excel: dimension bombs and zip bombs ---------------------------------------------


def test_a_sheet_declaring_a_cell_at_xfd1048576_is_refused_from_its_dimension(
    tmp_path: Path,
) -> None:
    bomb = tmp_path / "far_cell.xlsx"
    bomb.write_bytes(_workbook("XFD1048576"))
    assert bomb.stat().st_size < 10_000  # the attack is a tiny file
    _refused(bomb, "declares a grid of 1,048,576 rows x 16,384 columns", "XFD1048576",
             "17,179,869,184 cells", "limit of 25,000,000", "GTO_MAX_CELLS")
    _cli_refuses(bomb, "XFD1048576", "GTO_MAX_CELLS")


@pytest.mark.parametrize(
    "dimension",
    [pytest.param(b"", id="no dimension"), pytest.param(b'<dimension ref="A1:E2"/>', id="lying")],
)
def test_a_far_cell_is_refused_while_reading_when_the_dimension_hides_it(
    tmp_path: Path, dimension: bytes
) -> None:
    bomb = tmp_path / "hidden_far_cell.xlsx"
    bomb.write_bytes(_rewrite_sheet(_workbook("XFD1048576"), _DIMENSION, dimension))
    # The empty rows up to the far cell are read (a few seconds), never the grid built.
    _refused(bomb, "reaches a grid of 1,048,576 rows x 16,384 columns", "XFD1048576",
             "GTO_MAX_CELLS")


def test_a_lying_dimension_does_not_hide_cells_within_the_limits(tmp_path: Path) -> None:
    small = tmp_path / "lying_dimension.xlsx"
    small.write_bytes(_rewrite_sheet(_workbook("F3"), _DIMENSION, b'<dimension ref="A1:A1"/>'))
    table = read_raw(small)
    assert table.header_names == HEADER  # read past the declared A1
    assert table.frame.shape == (2, 5)
    # The stray value right of the header is reported, not dropped.
    assert any(n.reason == "extra_cells" and n.row == 3 and n.value == "1" for n in table.notes)


def test_a_workbook_declaring_a_member_of_gigabytes_is_refused_before_unzipping(
    tmp_path: Path,
) -> None:
    bomb = tmp_path / "huge_member.xlsx"
    bomb.write_bytes(_declare_size(_workbook(), "xl/worksheets/sheet1.xml", 4_000_000_000))
    _refused(bomb, "expands to 4,0", "more than the limit of 1,073,741,824",
             "GTO_MAX_EXPANDED_BYTES")
    _cli_refuses(bomb, "zip bomb", "GTO_MAX_EXPANDED_BYTES")


def test_a_member_that_expands_a_thousandfold_is_refused(tmp_path: Path) -> None:
    raw = _workbook()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw)) as source, zipfile.ZipFile(
        out, "w", zipfile.ZIP_DEFLATED
    ) as target:
        for member in source.infolist():
            target.writestr(member.filename, source.read(member.filename))
        # 20 MB of blanks compress to about 20 KB.
        target.writestr("xl/padding.xml", b" " * 20_000_000)
    bomb = tmp_path / "thousandfold.xlsx"
    bomb.write_bytes(out.getvalue())
    message = _refused(bomb, "'xl/padding.xml' expands", "limit of 200",
                       "GTO_MAX_COMPRESSION_RATIO")
    ratio = float(re.search(r"expands ([\d,]+) times", message).group(1).replace(",", ""))  # type: ignore[union-attr]
    assert ratio > 500
    _cli_refuses(bomb, "xl/padding.xml", "GTO_MAX_COMPRESSION_RATIO")


def test_an_ordinary_workbook_reads_within_the_default_limits(tmp_path: Path) -> None:
    book = tmp_path / "ordinary.xlsx"
    book.write_bytes(_workbook())
    assert read_table(book)["person_id"].tolist() == ["P1"]


# --- too many columns ----------------------------------------------------------------


def test_a_header_of_a_million_columns_is_refused_before_parsing(tmp_path: Path) -> None:
    wide = tmp_path / "million_columns.csv"
    wide.write_text(",".join(f"c{k}" for k in range(1_000_000)) + "\n1,2\n", encoding="utf-8")
    _refused(wide, "line 1 has 1,000,000 columns", "limit of 16,384", "GTO_MAX_COLUMNS")
    _cli_refuses(wide, "line 1 has 1,000,000 columns")


def test_a_wide_data_line_is_refused_with_its_line_number(tmp_path: Path) -> None:
    wide = tmp_path / "wide_line.csv"
    wide.write_text("a,b\n1,2\n" + ",".join(["x"] * 40) + "\n", encoding="utf-8")
    _refused(wide, "line 3 has 40 columns", "limit of 30", limits=ReadLimits(max_columns=30))


def test_quoted_separators_do_not_count_as_columns(tmp_path: Path) -> None:
    quoted = tmp_path / "quoted.csv"
    quoted.write_text('a,b\n1,"' + "," * 50 + '"\n', encoding="utf-8")
    table = read_raw(quoted, limits=ReadLimits(max_columns=4))
    assert table.frame.iloc[0, 1] == "," * 50


def test_the_column_limit_comes_from_the_environment(tmp_path: Path) -> None:
    survey = tmp_path / "survey.csv"
    survey.write_text(",".join(HEADER) + "\nCA-01,P1,pre,2024-03-01,parent\n", encoding="utf-8")
    _cli_refuses(survey, "line 1 has 5 columns", "limit of 4", env={"GTO_MAX_COLUMNS": "4"})
    at_limit = CliRunner().invoke(main, ["validate", str(survey), "--source", SOURCE],
                                  env={"GTO_MAX_COLUMNS": "5"})
    assert "more than the limit" not in at_limit.output
    assert "1 row(s) read" in at_limit.output
    garbled = CliRunner().invoke(main, ["validate", str(survey), "--source", SOURCE],
                                 env={"GTO_MAX_COLUMNS": "many"})
    assert garbled.exit_code == 1
    assert "Traceback" not in garbled.output
    assert "GTO_MAX_COLUMNS='many' is not a positive whole number" in garbled.output


def test_excel_and_parquet_columns_are_counted_before_reading(tmp_path: Path) -> None:
    book = tmp_path / "five_columns.xlsx"
    book.write_bytes(_workbook())
    _refused(book, "declares 5 columns (to column E)", "limit of 3",
             limits=ReadLimits(max_columns=3))
    table = tmp_path / "five_columns.parquet"
    pd.DataFrame({name: ["x"] for name in HEADER}).to_parquet(table)
    _refused(table, "has 5 columns, more than the limit of 3", limits=ReadLimits(max_columns=3))
    report = validate(table, source=SOURCE, limits=ReadLimits(max_columns=5))
    assert report.rows_read == 1


def test_limits_must_be_positive() -> None:
    with pytest.raises(ValueError, match="max_cells must be a positive number"):
        ReadLimits(max_cells=0)


# --- what is not a regular file -----------------------------------------------------


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes need a POSIX system")
def test_a_named_pipe_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    pipe = tmp_path / "survey.csv"
    os.mkfifo(pipe)
    # In a separate process with a timeout: a reader that opened the pipe would wait forever.
    done = subprocess.run(
        [sys.executable, "-c", "from getting_to_outcomes.cli import main; main()",
         "validate", str(pipe), "--source", SOURCE],
        capture_output=True, text=True, timeout=120, check=False,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(
            [str(Path(__file__).parents[2] / "src"), os.environ.get("PYTHONPATH", "")])},
    )
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert f"{pipe}: is a named pipe (FIFO), not a regular file" in done.stderr
    _refused(pipe, "is a named pipe (FIFO)", "give the path of a data file")


@pytest.mark.skipif(not Path("/dev/null").exists(), reason="no /dev/null on this system")
def test_a_device_is_refused() -> None:
    _refused(Path("/dev/null"), "is a character device, not a regular file")
    _cli_refuses(Path("/dev/null"), "is a character device")


def test_a_folder_is_refused_by_the_reader(tmp_path: Path) -> None:
    _refused(tmp_path, "is a folder, not a regular file")
    with pytest.raises(DataReadError, match="is a folder"):
        validate(tmp_path, source=SOURCE)
