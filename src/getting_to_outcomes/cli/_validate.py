"""``gto validate`` and ``gto template``."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal

import click

from getting_to_outcomes.cli._common import (
    DATA_SUFFIXES,
    InputFile,
    echo_frame,
    fail,
    format_option,
    framework_option,
    open_framework,
    raw_cells_option,
)
from getting_to_outcomes.errors import DataReadError, PseudonymKeyError, UnknownIndicatorError

if TYPE_CHECKING:
    import pandas as pd

    from getting_to_outcomes.definitions import Framework

__all__ = ["template", "validate_command"]

_USAGE = 2
_OUTPUT_SUFFIXES = (".csv", ".xlsx", ".parquet")
_SHEET = "valid_rows"
_TEMPLATE_KINDS: Final[dict[str, Literal["csv", "xlsx", "xlsform"]]] = {
    "csv": "csv",
    "xlsx": "xlsx",
    "xlsform": "xlsform",
}


def _sheet(value: str | None, files: tuple[str, ...]) -> str | int | None:
    """A sheet name, or a 1-based sheet number when no sheet of the first workbook has that name."""
    if value is None or not value.isdigit():
        return value
    if int(value) < 1:
        fail(f"Error: --sheet {value}: sheet numbers start at 1 (or give the sheet's name)",
             _USAGE)
    first = next((f for f in files if f.lower().endswith((".xlsx", ".xlsm"))), None)
    if first is not None:
        import openpyxl

        try:
            workbook = openpyxl.load_workbook(first, read_only=True)
            names = workbook.sheetnames
            workbook.close()
        except Exception:  # the reader reports a broken workbook properly
            return value
        if value not in names:
            return int(value) - 1
    return value


def _write_rows(
    frame: pd.DataFrame, path: Path, framework: Framework, source: str, raw_cells: bool,
    *, pseudonymized: bool = False,
) -> Path | None:
    """Write the valid rows, and for CSV and Excel a data package describing them.

    The descriptor is ``<name>.datapackage.json`` beside the file (another output in the
    same folder keeps its own); Parquet files carry their own schema.
    """
    import pandas as pd

    from getting_to_outcomes.io import TABLE_FORMATS, source_schema, write_table

    table = frame.reset_index()
    suffix = path.suffix.casefold()
    schema = source_schema(source, framework, columns=[str(c) for c in table.columns])
    # Answers and counts are read as floats (a blank is NaN); written as whole numbers
    # they match the integer fields of the schema.
    for field in schema["fields"]:
        column = table[field["name"]]
        if field["type"] == "integer" and pd.api.types.is_float_dtype(column):
            whole = column.dropna()
            if bool((whole == whole.round()).all()):
                table[field["name"]] = column.astype("Int64")
    ident = framework.source(source).id_column
    if pseudonymized and ident is not None:
        # Whatever the ids were, their pseudonyms are text.
        for field in schema["fields"]:
            if field["name"] == ident:
                field["type"] = "string"
                field.pop("constraints", None)
                field["description"] = "Keyed pseudonym (HMAC-SHA256) of the respondent id."
    if "row" in table.columns:
        row = next(f for f in schema["fields"] if f["name"] == "row")
        row.update(type="integer", description="Row number of the record in the file read "
                   "(header = row 1).")

    kind = TABLE_FORMATS[suffix]
    rows: pd.DataFrame | dict[str, pd.DataFrame] = {_SHEET: table} if kind == "xlsx" else table
    write_table(rows, path, raw_cells=raw_cells, date_format="%Y-%m-%d")
    if kind == "parquet":
        return None
    return _describe_rows(path, schema, framework, source, raw_cells)


def _describe_rows(
    path: Path, schema: dict[str, Any], framework: Framework, source: str, raw_cells: bool
) -> Path:
    from getting_to_outcomes.io import data_package, table_resource, write_data_package

    declared = framework.source(source)
    description = f"Rows of {declared.name!r} that passed validation."
    if not raw_cells:
        description += (" A text cell that a spreadsheet would run as a formula (it starts "
                        "with =, +, -, @, a tab or a carriage return, and is not a number) "
                        "is written with a leading ' that is not part of the value.")
    resource = table_resource(path.name, schema, name=path.stem, title=declared.name,
                              description=description)
    if path.suffix.casefold() == ".xlsx":
        resource.update(format="xlsx", mediatype="application/vnd.openxmlformats-"
                        "officedocument.spreadsheetml.sheet",
                        dialect={"sheetName": _SHEET})
        del resource["encoding"]
    package = data_package([resource], name=path.stem, title=f"Valid rows: {declared.name}",
                           description=declared.description or None, framework=framework)
    return write_data_package(package, path.with_name(f"{path.stem}.datapackage.json"))


@click.command("validate")
@click.argument(
    "files", nargs=-1, required=True, type=InputFile("data file", DATA_SUFFIXES, "survey.csv")
)
@click.option(
    "--source",
    required=True,
    metavar="NAME",
    help="Data source of the framework, e.g. leadership_survey.",
)
@framework_option
@format_option
@click.option(
    "--out-valid",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the valid rows to this .csv, .xlsx or .parquet file.",
)
@click.option("--sheet", default=None, help="Excel sheet name (or number, from 1).")
@click.option("--encoding", default=None, help="Text encoding of CSV files (default: detected).")
@click.option("--delimiter", default=None, help="Column separator of CSV files (default: sniffed).")
@click.option(
    "--pseudonymize",
    is_flag=True,
    help="Replace respondent ids by keyed hashes and hide personal columns. The key comes "
    "from --key-file, GTO_PSEUDONYM_KEY or GTO_PSEUDONYM_KEY_FILE.",
)
@click.option(
    "--key-file",
    type=InputFile("key file", (), "pseudonym.key"),
    default=None,
    help="File holding the pseudonymisation key.",
)
@raw_cells_option
def validate_command(
    files: tuple[str, ...],
    source: str,
    framework_path: str | None,
    output_format: str,
    out_valid: Path | None,
    sheet: str | None,
    encoding: str | None,
    delimiter: str | None,
    pseudonymize: bool,
    key_file: str | None,
    raw_cells: bool,
) -> None:
    """Check survey or campaign FILES against a data source; report every problem.

    Exit status: 0 without errors, 1 with errors (or an unreadable file), 2 on a usage
    error. Input files are never written to; --out-valid is written atomically.
    """
    from getting_to_outcomes.privacy import load_key
    from getting_to_outcomes.validation import validate

    framework = open_framework(framework_path)
    try:
        framework.source(source)
    except UnknownIndicatorError as exc:
        fail(f"Error: {exc}; data sources: {', '.join(framework.sources)}", _USAGE)
    if out_valid is not None:
        if out_valid.suffix.casefold() not in _OUTPUT_SUFFIXES:
            fail(f"Error: --out-valid must end in {', '.join(_OUTPUT_SUFFIXES)}", _USAGE)
        inputs = {Path(f).resolve() for f in files}
        if out_valid.resolve() in inputs:
            fail(
                f"Error: --out-valid {out_valid} is one of the input files; choose another name",
                _USAGE,
            )
    key = None
    if pseudonymize:
        try:
            key = load_key(key_file)
        except PseudonymKeyError as exc:
            fail(f"Error: {exc}", _USAGE)
    try:
        report = validate(
            list(files),
            framework,
            source=source,
            sheet=_sheet(sheet, files),
            encoding=encoding,
            delimiter=delimiter,
            pseudonymize=key if key is not None else False,
            # Without --out-valid no row is written: memory stays bounded by the parts.
            keep_rows=out_valid is not None,
        )
    except DataReadError as exc:
        fail(f"Error: {exc}", 1)
        return
    if output_format == "json":
        click.echo(report.to_json())
    elif output_format == "csv":
        echo_frame(report.issues, "csv", raw_cells=raw_cells)
    else:
        # A block of lines at a time: the text of every issue of a large file is not held.
        lines = report.summary_lines(max_issues=None)
        while block := list(itertools.islice(lines, 10_000)):
            click.echo("\n".join(block))
    if out_valid is not None:
        described = _write_rows(report.valid_rows, out_valid, framework, source, raw_cells,
                                pseudonymized=key is not None)
        if output_format == "table":
            click.echo(f"\n{len(report.valid_rows)} valid row(s) written to {out_valid}"
                       + (f", described in {described}" if described else ""))
    raise SystemExit(0 if report.ok else 1)


@click.command()
@click.argument("source")
@framework_option
@click.option(
    "--format",
    "template_format",
    type=click.Choice(["csv", "xlsx", "xlsform"]),
    default="xlsx",
    show_default=True,
    help="xlsx has drop-down lists and a codebook sheet; xlsform is the form to load in "
    "KoboToolbox, ODK, SurveyCTO or Ona.",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="File to write (default: SOURCE.csv, SOURCE.xlsx or SOURCE-xlsform.xlsx here).",
)
@click.option("--force", is_flag=True, help="Overwrite existing files.")
def template(
    source: str, framework_path: str | None, template_format: str, out: Path | None, force: bool
) -> None:
    """Write an empty collection file for SOURCE, with its codebook, or its XLSForm."""
    from getting_to_outcomes.io import write_template

    framework = open_framework(framework_path)
    try:
        framework.source(source)
    except UnknownIndicatorError as exc:
        fail(f"Error: {exc}; data sources: {', '.join(framework.sources)}", _USAGE)
    if out is not None and str(out) == "-":
        fail("Error: --out - : a template is a file; give its name", _USAGE)
    named = {"csv": f"{source}.csv", "xlsx": f"{source}.xlsx", "xlsform": f"{source}-xlsform.xlsx"}
    target = out if out is not None else Path(named[template_format])
    companions = (
        [target, target.with_name(f"{target.stem}-codebook.csv")]
        if template_format == "csv"
        else [target]
    )
    existing = [str(p) for p in companions if p.exists()]
    if existing and not force:
        fail(f"Error: {', '.join(existing)} already exist(s); use --force to overwrite", _USAGE)
    try:
        written = write_template(
            source, target, framework=framework, format=_TEMPLATE_KINDS[template_format]
        )
    except Exception as exc:
        # xlsxwriter reports a file it cannot create in its own exception, not an OSError.
        if type(exc).__name__ != "FileCreateError":
            raise
        fail(f"Error: cannot write {str(target)!r}: {exc.__cause__ or exc}", 1)
        return
    for path in written:
        click.echo(f"wrote {path}")
