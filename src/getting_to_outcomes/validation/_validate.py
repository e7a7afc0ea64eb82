"""Validate survey and campaign data against a data source of the framework.

:func:`validate` reads one or more files or tables (pandas, or Polars, PyArrow, DuckDB
and Dask through :mod:`getting_to_outcomes.engines`), finds every problem in one pass
and returns a :class:`~getting_to_outcomes.ValidationReport`; it never raises for
problems in the data. Rules come from the source's YAML through its pydantic
record model (:func:`~getting_to_outcomes.validation._records.record_model`): types, ranges,
allowed answers, response scales, missing-value codes and required fields are checked
column-wise; keys, waves and comparisons across rows and fields follow.
"""

from __future__ import annotations

import contextlib
import ctypes
import dataclasses
import os
import re
import sys
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Final, Literal, cast

import numpy as np
import pandas as pd

from getting_to_outcomes.errors import CellProblem, DataReadError
from getting_to_outcomes.io import (
    CHUNK_BYTES,
    RawTable,
    ReadLimits,
    column_letter,
    frame_table,
    join_options,
    map_headers,
    read_raw_chunks,
)
from getting_to_outcomes.privacy import PseudonymKey, load_key
from getting_to_outcomes.validation._answers import answered_columns, check_answers
from getting_to_outcomes.validation._columnwise import check_columns
from getting_to_outcomes.validation._crossrow import (
    check_across_rows,
    check_evidence,
    key_columns,
)
from getting_to_outcomes.validation._dates import DateEvidence, detected_columns
from getting_to_outcomes.validation._issues import (
    Issues,
    cell_text,
    column_text,
    comparison_text,
    shown,
)
from getting_to_outcomes.validation._records import (
    MISSING_REASONS,
    DateOrder,
    FieldSpec,
    model_specs,
    parse_cell,
    record_model,
)
from getting_to_outcomes.validation._recordwise import check_records
from getting_to_outcomes.validation._table import (
    CheckedTable,
    Coded,
    RowNumbers,
    TextCodes,
    typed_empty,
)
from getting_to_outcomes.validation._validation_report import (
    ISSUE_COLUMNS,
    REASONS,
    ValidationReport,
)

if TYPE_CHECKING:
    from getting_to_outcomes.definitions import Framework
    from getting_to_outcomes.definitions.models import DataSource

__all__ = ["validate"]

#: A file, a pandas DataFrame, or a table of another engine: a Polars DataFrame or
#: LazyFrame, a PyArrow Table, a DuckDB relation, a Dask or a Spark DataFrame (typed loosely:
#: those libraries are optional).
DataInput = str | os.PathLike[str] | pd.DataFrame | Any
_HIDDEN = "(hidden: personal data)"
#: Rows of a table of another engine checked at a time (a Dask partition is cut to this).
_SLICE_ROWS = 250_000
#: How a table of another engine is named in the report, where a file gives its path.
_ENGINE_LABELS = {
    ("polars", "DataFrame"): "<Polars DataFrame>",
    ("polars", "LazyFrame"): "<Polars LazyFrame>",
    ("pyarrow", "Table"): "<PyArrow Table>",
    ("duckdb", "DuckDBPyRelation"): "<DuckDB relation>",
    ("dask", "DataFrame"): "<Dask DataFrame>",
    ("pyspark", "DataFrame"): "<Spark DataFrame>",
}
@dataclass
class _Input:
    """One table read, or one slice of the rows of an engine's table."""

    raw: RawTable
    frame: pd.DataFrame
    offset: int
    lacks_required: list[str]
    checked: CheckedTable | None = None
    #: number of the input (file or table) in the list given to validate
    input: int = 0
    #: rows of the table or slice
    n: int = 0
    #: positions of rows shifted by a stray separator, shown nowhere (pseudonymisation)
    shifted: np.ndarray = dataclasses.field(default_factory=lambda: np.zeros(0, np.int64))
    #: the file (or table) it belongs to holds no answers: its rows are rejected
    no_answers: bool = False
    #: filled cells of each personal column
    filled: dict[str, int] = dataclasses.field(default_factory=dict)
    #: cells with a missing-value code per column and reason, when the cells are let go
    missing: np.ndarray | None = None
    #: the order of day and month of each date column, found in the whole input
    date_orders: dict[str, DateOrder] = dataclasses.field(default_factory=dict)
    #: columns present, and columns holding an answer in some row
    answered: tuple[set[str], set[str]] = dataclasses.field(
        default_factory=lambda: (set(), set())
    )

    def release(self) -> None:
        """Let go of the cells once checked and worded: the typed values are kept."""
        self.raw = dataclasses.replace(self.raw, frame=_empty_like(self.raw.frame))
        self.frame = _empty_like(self.frame)


def _give_back_memory() -> None:
    """Return the memory freed since the last call to the system, where the C library can.

    Each part of a large file leaves many freed blocks in glibc's heap, which it keeps
    for later use, interleaved with what is kept: the process would hold on to hundreds
    of megabytes it no longer uses. ``malloc_trim`` hands free pages back (as Dask
    workers do); elsewhere this does nothing.
    """
    if not sys.platform.startswith("linux"):
        return
    # Another C library (musl) has no such call: nothing to trim.
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def _empty_like(frame: pd.DataFrame) -> pd.DataFrame:
    """No rows, the same columns and types, and nothing shared with ``frame``.

    An empty slice would share its columns' buffers (Arrow arrays are not copied, even by
    ``copy()``), and so keep every cell alive.
    """
    return pd.DataFrame(
        {k: pd.Series([], dtype=cast(Any, frame.dtypes.iloc[k])) for k in range(frame.shape[1])}
    ).set_axis(frame.columns, axis=1)


def _framework(framework: Framework | str | os.PathLike[str] | None) -> Framework:
    from getting_to_outcomes.definitions import Framework, load_framework

    return framework if isinstance(framework, Framework) else load_framework(framework)


def validate(
    data: DataInput | Sequence[DataInput],
    framework: Framework | str | os.PathLike[str] | None = None,
    *,
    source: str,
    sheet: str | int | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
    pseudonymize: bool | PseudonymKey = False,
    key_file: str | os.PathLike[str] | None = None,
    checks: Literal["columns", "records"] = "columns",
    engine: Literal["columns", "records"] | None = None,
    limits: ReadLimits | None = None,
    keep_rows: bool = True,
    chunk_bytes: int | None = None,
) -> ValidationReport:
    """Check data against a data source and report every problem at once.

    Parameters
    ----------
    data : path, table, or a list of them
        CSV, Excel, Parquet or SPSS files, pandas DataFrames, or tables of another
        engine: a Polars DataFrame or LazyFrame, a PyArrow Table, a DuckDB relation, a
        Dask DataFrame (these need ``pip install 'getting-to-outcomes[scale]'``) or a
        PySpark DataFrame (``[spark]``). Several
        inputs (e.g. a pre and a post file) are checked together: keys must be unique
        across them and later waves are matched with the baseline.

        The rows of an engine's table are read a slice at a time (250,000 rows, or a Dask
        partition) and go through the same checks as a pandas DataFrame; the report is
        the one the same table converted to pandas gets, rows numbered from 2 across the
        slices, with the table named ``"<Polars DataFrame>"``, ``"<DuckDB relation>"``
        etc. where a file gives its path. The checked rows come back as pandas
        (``valid_rows``, ``rejected_rows``): for data larger than memory, validate a part
        at a time (one organization's files, or a filtered
        :func:`~getting_to_outcomes.engines.read_partitioned` data set), write each
        part's valid rows with :func:`~getting_to_outcomes.engines.write_partitioned`,
        and score the data set on the engine.
    framework : Framework or path, optional
        Framework defining the source (default: the bundled framework).
    source : str
        Id of the data source, e.g. ``"leadership_survey"``.
    sheet, encoding, delimiter
        Passed to the reader (see :func:`~getting_to_outcomes.read_table`).
    pseudonymize : bool or PseudonymKey
        Replace respondent ids (the source's ``id_column``) by keyed hashes before
        anything else, and hide the values of personal columns. ``True`` reads the key
        with :func:`~getting_to_outcomes.privacy.load_key` (``key_file`` or the
        environment).
    checks : {"columns", "records"}
        ``"columns"`` (fast, vectorized) or ``"records"`` (one pydantic model per row);
        both report the same problems.
    engine : {"columns", "records"}, optional
        The former name of ``checks`` (deprecated: an engine is the dataframe library
        that holds a table).
    limits : ReadLimits, optional
        How large a file may be before reading it is refused (see
        :class:`~getting_to_outcomes.ReadLimits`; default: the ``GTO_MAX_*`` environment
        variables, else the defaults).
    keep_rows : bool
        Keep the typed ``valid_rows`` and ``rejected_rows`` (the default). With
        ``False`` they are left empty (their columns only) and the report gives their
        numbers, ``rows_valid`` and ``rows_rejected``: memory then grows with the
        issues found and a few bytes per row for the rules across rows (the key columns),
        not with the data.
    chunk_bytes : int, optional
        A CSV file larger than this is read and checked a part of about this many
        characters at a time (default 16 MiB), so that its cells are never all in memory
        at once; the report is the same as for the file read whole.

    Returns
    -------
    ValidationReport
        Issues, counts, valid and rejected rows, missing-value codes.

    Raises
    ------
    DataReadError
        A file cannot be read as a table (missing, empty, not a regular file, not a
        table, past one of ``limits``), or a table of another engine cannot be read
        because a package is missing.
    UnknownIndicatorError
        ``source`` is not a data source of the framework.

    Examples
    --------
    >>> import pandas as pd
    >>> survey = pd.DataFrame({
    ...     "Organization": ["org1", "org1"], "Respondent ID": ["P1", "P2"],
    ...     "Wave": ["pre", "pre"], "k1_district_decisions": ["Agree", "7"],
    ... })
    >>> report = validate(survey, source="leadership_survey")
    >>> report.ok, report.rows_read, len(report.valid_rows), len(report.rejected_rows)
    (False, 2, 1, 1)
    >>> errors = report.issues[report.issues.severity == "error"]
    >>> errors[["row", "column", "reason"]].values.tolist()
    [[3, 'k1_district_decisions', 'out_of_range']]
    """
    if engine is not None:
        warnings.warn("validate(engine=...) is now validate(checks=...): an engine is the "
                      "dataframe library that holds a table", FutureWarning, stacklevel=2)
        checks = engine
    if checks not in ("columns", "records"):
        raise ValueError(f"checks must be 'columns' or 'records'; got {checks!r}")
    fw = _framework(framework)
    src = fw.source(source)
    model = record_model(src, fw)
    specs = {name: spec for name, (spec, _, _) in model_specs(model).items()}
    items: list[DataInput] = list(data) if isinstance(data, list | tuple) else [data]
    if not items:
        raise DataReadError("no data given: pass a file, a table or a list of them")
    key: PseudonymKey | None = None
    if isinstance(pseudonymize, PseudonymKey):
        key = pseudonymize
    elif pseudonymize:
        key = load_key(key_file)
    issues = Issues()
    # Issues of cells go after every input's own issues (as they are listed when nothing
    # is sliced), although each slice's cells are worded as soon as they are checked.
    cell_issues = Issues()
    hidden = {c.name for c in src.columns if c.personal} if key is not None else set()
    kept = set(key_columns(src)) & set(specs)
    check = check_records if checks == "records" else check_columns
    ident = src.id_column
    slices: list[_Input] = []
    numbers = RowNumbers()
    offset = 0
    dated = detected_columns(specs)
    for number, item in enumerate(items):
        parts: list[_Input] = []

        def tables(item: DataInput = item) -> Iterator[RawTable]:
            return _raw_tables(item, sheet=sheet, encoding=encoding, delimiter=delimiter,
                               src=src, limits=limits,
                               chunk_bytes=CHUNK_BYTES if chunk_bytes is None else chunk_bytes)

        # The order of day and month is the whole file's: a file that comes in parts is
        # first read once for the dates alone (one that comes whole is not read again).
        evidence, whole = (
            _date_evidence(tables(), src, specs, dated) if dated else (None, None)
        )
        raws = tables() if whole is None else _once(whole)
        del whole  # the part's cells go once it is checked, as they do when read in the loop
        orders: dict[str, DateOrder] = {}
        for raw in raws:
            # Issues of the header (unknown, missing columns...) are the input's, once;
            # the notes of each part (blank rows, stray cells) are its own.
            entry = _prepare(raw, src, specs, issues, offset, first_part=not parts,
                             shield=key is not None)
            entry.input = number
            if evidence is not None and not parts:
                orders = evidence.orders()
                for reason, column, value, message, fix in evidence.issues(src, hidden):
                    issues.add(reason, message, fix, file=raw.file, column=column,
                               value=value)
            entry.date_orders = {
                name: (replace(order, example="") if name in hidden else order)
                for name, order in orders.items()
            }
            entry.checked = check(entry.frame, model, orders)
            # Before ids are replaced by pseudonyms, which would hide a damaged id.
            _control_characters(entry, cell_issues,
                                hidden | ({ident} if key is not None and ident else set()))
            if key is not None and ident is not None and ident in entry.frame.columns:
                # Checked as written (an integer id is an integer), then every id, readable
                # or not, is replaced before any issue or row can show it.
                entry.frame[ident] = _pseudonymize(entry.frame[ident], specs[ident], key)
                _pseudonymize_typed(entry.checked, ident, key)
            if key is not None:
                _shield_shifted(entry, cell_issues)
            _cell_issues(entry, src, model, cell_issues, hidden,
                         ident if key is not None else None)
            _row_rules(fw, src, entry, cell_issues, None if keep_rows else kept, list(specs))
            entry.release()
            numbers.add(entry.raw.rows, number)
            if not keep_rows:
                # Each row's number is kept by ``numbers``, compactly: the part's own go.
                entry.raw = dataclasses.replace(entry.raw, rows=np.zeros(0, dtype=np.int64))
                _give_back_memory()
            parts.append(entry)
            offset += entry.n
        _personal(parts, src, issues)
        _answers(parts, fw, src, issues)
        slices += parts
    issues.rows += cell_issues.rows
    issues.frames += cell_issues.frames
    return _assemble(fw, src, specs, slices, numbers, issues, offset, hidden,
                     keep_rows=keep_rows)


def _raw_tables(
    item: DataInput,
    *,
    sheet: str | int | None,
    encoding: str | None,
    delimiter: str | None,
    src: DataSource,
    limits: ReadLimits | None,
    chunk_bytes: int,
) -> Iterator[RawTable]:
    """A file (a large CSV file in parts) or pandas DataFrame; another engine's table in slices."""
    from getting_to_outcomes.engines import frames as _frame

    engine = _frame.engine_of(item)
    if engine is None or engine == "pandas":
        yield from read_raw_chunks(
            item,
            sheet=sheet,
            encoding=encoding,
            delimiter=delimiter,
            source=src,
            limits=limits,
            chunk_bytes=chunk_bytes,
        )
        return
    module = type(item).__module__.split(".")[0].lstrip("_")
    label = _ENGINE_LABELS.get((module, type(item).__name__), f"<{engine} table>")
    try:
        first, empty = 2, None
        for part in _frame.slices(item, _SLICE_ROWS):
            if not len(part):
                empty = part
                continue
            yield _engine_slice(part, label, first)
            first += len(part)
        if first == 2:  # no rows: the header is still checked
            names = _frame.columns(item)
            yield _engine_slice(pd.DataFrame(columns=names) if empty is None else empty, label, 2)
    except ImportError as exc:
        extra = "spark" if engine == "spark" else "scale"
        raise DataReadError(
            f"{label}: reading a {engine} table needs {exc.name or 'a missing package'}: "
            f"pip install 'getting-to-outcomes[{extra}]'"
        ) from None


def _engine_slice(part: pd.DataFrame, label: str, first_row: int) -> RawTable:
    # attrs may carry what read_table learned from a file (its notes): they belong to the
    # whole table, not to each slice, and an engine's table has no file.
    part = part.copy(deep=False)
    part.attrs = {}
    return frame_table(part, file=label, first_row=first_row)


def _date_evidence(
    raws: Iterator[RawTable], src: DataSource, specs: dict[str, FieldSpec], dated: list[str]
) -> tuple[DateEvidence, RawTable | None]:
    """What the date columns of every part of an input say about their order, and the
    input's one part when it came whole (so that it is not read twice)."""
    evidence = DateEvidence(dated)
    only: RawTable | None = None
    for k, raw in enumerate(raws):
        only = raw if k == 0 else None
        mapping = map_headers(raw.headers, src)
        for name in dated:
            position = mapping.columns.get(name)
            if position is not None:
                evidence.add(name, _labelled(raw, position, specs[name]), raw.rows)
    return evidence, only


def _once(raw: RawTable) -> Iterator[RawTable]:
    yield raw


def _prepare(
    raw: RawTable,
    src: DataSource,
    specs: dict[str, FieldSpec],
    issues: Issues,
    offset: int,
    *,
    first_part: bool,
    shield: bool = False,
) -> _Input:
    file = raw.file
    for note in raw.notes:
        issues.add(
            note.reason,
            note.message,
            note.fix,
            file=file,
            row=note.row,
            column=note.column,
            # A stray cell of a shifted row may be part of a name.
            value=_HIDDEN if shield and note.reason == "extra_cells" else note.value,
        )
    mapping = map_headers(raw.headers, src)
    if not first_part:
        issues = Issues()  # the first part said them
    if mapping.metadata:
        headers = [header for _position, header in mapping.metadata]
        message, fix = column_text("tool_column", src, "", header=", ".join(headers))
        issues.add("tool_column", message, fix, file=file, value=str(len(headers)))
    for _position, header in mapping.unknown:
        message, fix = column_text("unknown_column", src, "", header=header)
        issues.add("unknown_column", message, fix, file=file, column=header)
    for name, options in mapping.options.items():
        headers = [raw.header_names[position] for position, _answer in options]
        read_from = raw.header_names[mapping.columns[name]] if name in mapping.columns else ""
        message, fix = column_text(
            "select_options", src, name, header=", ".join(headers), first=read_from
        )
        issues.add("select_options", message, fix, file=file, column=name, value=str(len(headers)))
    for position, header, name in mapping.duplicates:
        first_at = mapping.columns[name]
        message, fix = column_text(
            "duplicate_column",
            src,
            name,
            header=header,
            letter=column_letter(position),
            first=raw.header_names[first_at],
            first_letter=column_letter(first_at),
        )
        issues.add("duplicate_column", message, fix, file=file, column=name)
    lacks_required = []
    absent = []
    joined = mapping.joined
    for column in src.columns:
        if column.name in mapping.columns or column.name in joined:
            continue
        if column.required:
            message, fix = column_text("missing_column", src, column.name)
            issues.add("missing_column", message, fix, file=file, column=column.name)
            lacks_required.append(column.name)
        else:
            absent.append(column.name)
    if absent:
        message, fix = column_text("absent_column", src, ", ".join(absent))
        issues.add("absent_column", message, fix, file=file, value=", ".join(absent))
    for name, position in mapping.columns.items():
        _check_value_labels(raw, position, specs[name], file, issues)
    # copy=False: the columns are only read, and copying a million rows costs time and memory.
    cells = {
        name: _labelled(raw, position, specs[name]) for name, position in mapping.columns.items()
    }
    for name, options in joined.items():
        cells[name] = join_options(raw.frame, options)
    frame = pd.DataFrame(cells, index=pd.RangeIndex(len(raw.frame)), copy=False)
    return _Input(raw, frame, offset, lacks_required, n=len(raw.frame))


def _row_rules(
    framework: Framework,
    src: DataSource,
    entry: _Input,
    issues: Issues,
    keep: set[str] | None,
    columns: list[str],
) -> None:
    """What needs the typed cells of a part beyond its own checks, then, with ``keep``, only
    the key columns are kept (compactly) for the rules across rows."""
    checked = entry.checked
    assert checked is not None
    for column in src.columns:
        values = checked.values.get(column.name)
        if column.personal and values is not None:
            entry.filled[column.name] = int(pd.notna(values).sum())
    check_evidence(framework, src, checked.values, entry.raw.rows, entry.raw.file, entry.offset,
                   issues)
    _too_large(src, checked.values, entry, issues)
    entry.answered = answered_columns([checked])
    if keep is not None:
        entry.missing = checked.missing_counts(columns)
        checked.keep_only(keep)


#: The largest magnitude of a number that is scored. Below it no sum of squares or of
#: products of fewer than 1e100 rows can overflow float64 (1.8e308); two cells of 1e308
#: made a mean infinite.
LARGEST_NUMBER: Final = 1e100


def _magnitudes(values: Any) -> np.ndarray:
    try:
        numbers: np.ndarray = np.asarray(values, dtype=float)
    except (TypeError, ValueError, OverflowError):  # object cells, pandas NA
        coerced = pd.to_numeric(pd.Series(list(values), dtype=object), errors="coerce")
        numbers = coerced.to_numpy(dtype=float, na_value=np.nan)
    magnitudes: np.ndarray = np.abs(numbers)
    return magnitudes


def _too_large(src: DataSource, values: dict[str, Any], entry: _Input, issues: Issues) -> None:
    """An error for each number too large to compute with, naming its row and column."""
    for column in src.columns:
        if column.type not in ("integer", "number") or values.get(column.name) is None:
            continue
        magnitudes = _magnitudes(values[column.name])
        with np.errstate(invalid="ignore"):
            found = np.flatnonzero(magnitudes > LARGEST_NUMBER)
        for at in found:
            issues.add(
                "too_large",
                f"{column.name} is {magnitudes[at]:.3g} in size, beyond {LARGEST_NUMBER:.0e}: "
                "sums of such numbers overflow to infinity, so the row is rejected.",
                "Check the cell for a typing or export error (an exponent, a pasted id).",
                file=entry.raw.file, row=int(entry.raw.rows[at]), column=column.name,
                value=f"{magnitudes[at]:.3g}", pos=entry.offset + int(at))


def _personal(parts: list[_Input], src: DataSource, issues: Issues) -> None:
    """One issue per personal column with filled cells in an input (all its slices)."""
    for column in src.columns:
        if not column.personal:
            continue
        filled = sum(entry.filled.get(column.name, 0) for entry in parts)
        if filled:
            message, fix = column_text("personal_data", src, column.name)
            issues.add(
                "personal_data",
                message,
                fix,
                file=parts[0].raw.file,
                column=column.name,
                value=f"{filled} filled cell(s)",
            )


def _answers(parts: list[_Input], fw: Framework, src: DataSource, issues: Issues) -> None:
    """Judge whether an input (all its slices) holds answers; reject its rows if not."""
    rows = sum(entry.n for entry in parts)
    # Gathered per slice: the cells may have been let go (validate(keep_rows=False)).
    present = set().union(*(entry.answered[0] for entry in parts))
    answered = set().union(*(entry.answered[1] for entry in parts))
    if check_answers(parts[0].raw.file, rows, [], fw, src, issues, (present, answered)):
        for entry in parts:
            entry.no_answers = True


def _check_value_labels(raw: RawTable, position: int, spec: FieldSpec, file: str,
                        issues: Issues) -> None:
    """Warn when a file's value labels (SPSS) give a code the label of another on the scale.

    Codes are read as the scale's codes whatever the file's labels say; a label that the
    scale gives to another code (1 labelled "Strongly agree" on a scale where that is 5)
    means the file was coded the other way round, and every answer would be misread.
    """
    labels = raw.value_labels.get(position)
    if not labels or spec.type != "likert" or spec.scale is None:
        return
    by_label = {str(c.label).strip().casefold(): c.code for c in spec.scale.codes}
    clashes = []
    for code, label in labels.items():
        meant = by_label.get(str(label).strip().casefold())
        if meant is not None and _is_number(code) and float(code) != float(meant):
            clashes.append(f"{_id_text(code)} is labelled {label!r}, which the scale gives "
                           f"to {meant}")
    if clashes:
        issues.add(
            "value_labels",
            f"The file's value labels contradict the scale {spec.scale.id!r}: "
            f"{'; '.join(clashes[:4])}{'; ...' if len(clashes) > 4 else ''}. The answers are "
            "read by their codes.",
            "Check how the survey tool coded this question; recode the column to the scale's "
            "codes (or fix the labels) before scoring.",
            file=file, column=spec.name, value=str(len(clashes)))


def _is_number(value: Any) -> bool:
    try:
        float(value)
    except (TypeError, ValueError):
        return False
    return True


def _labelled(raw: RawTable, position: int, spec: FieldSpec) -> pd.Series:
    column = raw.frame[position]
    labels = raw.value_labels.get(position)
    if not labels:
        return column
    if spec.type in ("integer", "number"):
        return column
    if spec.type == "likert":
        codes = {float(c) for c in spec.codes}
        return column.map(lambda v: v if v in codes or v not in labels else labels[v]).astype(
            object
        )
    return column.map(lambda v: labels.get(v, v)).astype(object)


def _id_text(value: Any) -> str:
    """An id as the text that is hashed: a whole number without its ``.0`` (20045.0 is 20045)."""
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value))
    return str(value)


def _pseudonymize(column: pd.Series, spec: FieldSpec, key: PseudonymKey) -> pd.Series:
    """Ids as written -> pseudonyms; one that does not read as the id type is hashed as text.

    An unreadable id (``20O45`` in an integer column) is still an error of its row, but the
    error shows its pseudonym: the raw id is never kept.
    """
    codes, uniques = pd.factorize(column, use_na_sentinel=True)
    out: list[Any] = []
    for value in uniques:
        try:
            parsed, _reason = parse_cell(spec, value)
        except CellProblem:
            parsed = str(value).strip()
        out.append(key.pseudonym(_id_text(parsed)) if parsed is not None else None)
    return pd.Series(np.array([*out, None], dtype=object)[codes], index=column.index, dtype=object)


def _pseudonymize_typed(checked: CheckedTable, ident: str, key: PseudonymKey) -> None:
    """The checked (typed) ids -> their pseudonyms, missing ones left missing."""
    values = checked.values.get(ident)
    if values is None:
        return
    typed = pd.Series(values, dtype=object)
    codes, uniques = pd.factorize(typed, use_na_sentinel=True)
    hashed = np.array([key.pseudonym(_id_text(u)) for u in uniques] + [np.nan], dtype=object)
    checked.values[ident] = pd.array(hashed[codes], dtype="str")


def _shield_shifted(entry: _Input, issues: Issues) -> None:
    """Under pseudonymisation, a row with cells past the last header is rejected unseen.

    A separator inside an unquoted value (``Smith, John``) pushes the row's cells one column
    to the right, so a fragment of a name lands in another column, where no personal flag
    hides it. The row is rejected with an error that names it and shows none of its cells;
    its cells are blanked so that no later issue or output can show them.
    """
    shifted = sorted({n.row for n in entry.raw.notes if n.reason == "extra_cells"
                      and n.row is not None})
    if not shifted:
        return
    at = np.flatnonzero(np.isin(entry.raw.rows, shifted))
    entry.shifted = at
    checked = entry.checked
    assert checked is not None
    for name, values in list(checked.values.items()):
        if isinstance(values, Coded):
            index = values.index.copy()
            index[at] = -1
            checked.values[name] = Coded(index, values.codes)
        elif isinstance(values, np.ndarray):
            blank = values.copy()
            blank[at] = np.datetime64("NaT") if blank.dtype.kind == "M" else np.nan
            checked.values[name] = blank
        else:
            series = pd.Series(values, copy=True)
            series.iloc[at] = None
            checked.values[name] = series.array
    for position in at.tolist():
        issues.add(
            "shifted_row",
            "This row has more cells than the header has columns: a separator inside an "
            "unquoted value (a name written Smith, John) has shifted its cells. The row is "
            "rejected, and its cells are not shown because ids are pseudonymised.",
            "Put the value in quotes (\"Smith, John\") or remove the separator, and check the "
            "row in the original file.",
            file=entry.raw.file,
            row=int(entry.raw.rows[position]),
            pos=int(position) + entry.offset,
        )


# --- issues of cells ------------------------------------------------------------------

# C0 controls and DEL, less tab, line feed and carriage return (which quoted cells may hold).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _control_characters(entry: _Input, issues: Issues, hidden: set[str]) -> None:
    """Reject each row with a cell that holds a control character, naming row and column.

    No one types a NUL or an escape character: they come from damaged or binary files, and
    an id with one would silently count as another person.
    """
    for column in entry.frame.columns:
        cells = entry.frame[column]
        if not (cells.dtype == object or pd.api.types.is_string_dtype(cells)):
            continue
        texts = cells.astype(object)
        found = texts.map(lambda v: isinstance(v, str) and _CONTROL.search(v) is not None)
        for position in np.flatnonzero(found.to_numpy(dtype=bool)).tolist():
            text = texts.iloc[position]
            character = _CONTROL.search(text)
            assert character is not None
            code = f"U+{ord(character.group()):04X}"
            shown_value = _HIDDEN if column in hidden else _CONTROL.sub(
                lambda m: f"<U+{ord(m.group()):04X}>", text)
            issues.add(
                "control_character",
                f"The cell holds the control character {code}, which no one types: the file "
                "may be damaged, or was saved from another program as binary data.",
                "Retype the cell (or export the file again from its program); the row is left "
                "out until then.",
                file=entry.raw.file,
                row=int(entry.raw.rows[position]),
                column=str(column),
                value=shown_value,
                pos=position + entry.offset,
            )



def _cell_issues(
    entry: _Input,
    src: DataSource,
    model: Any,
    issues: Issues,
    hidden: set[str],
    pseudonymised: str | None = None,
) -> None:
    """Word the flagged cells of a part; ``pseudonymised``: the id column shown by pseudonyms."""
    checked = entry.checked
    assert checked is not None
    flags = checked.flag_frame()
    flags = flags[flags["reason"] != "comparison_failed"]
    if flags.empty and not checked.comparisons:
        return
    rules = model.__gto_rules__
    details = model_specs(model)
    rows = entry.raw.rows
    out: dict[str, list[Any]] = {
        k: [] for k in ("row", "column", "value", "reason", "message", "fix", "pos")
    }
    groups = flags.groupby(["column", "reason"], observed=True, sort=False)
    for (column_key, reason_key), group in groups:
        column, reason = str(column_key), str(reason_key)
        positions = group["pos"].to_numpy()
        spec: FieldSpec | None = None
        bounds: tuple[Any, Any] = (None, None)
        plausible: tuple[Any, Any] = (None, None)
        if column == "":
            values = [_straight_value(checked, rules.likert, p, details) for p in positions]
        elif column in hidden:
            values = [_HIDDEN] * len(positions)
            spec, bounds, _ = details[column]
        else:
            spec, bounds, plaus = details[column]
            plausible = (plaus.low, plaus.high)
            values = _shown_cells(entry.frame[column], positions)
        if spec is not None and column in entry.date_orders:
            spec = replace(spec, date_order=entry.date_orders[column])
        if len(entry.shifted):
            keep = ~np.isin(positions, entry.shifted)
            positions = positions[keep]
            values = [v for v, k in zip(values, keep, strict=True) if k]
        # Word each distinct value once; the same problem often repeats down a column.
        texts: dict[str, tuple[str, str]] = {}
        for value in values:
            text = texts.get(value)
            if text is None:
                text = texts[value] = cell_text(reason, spec, value, bounds, plausible,
                                                pseudonym=column == pseudonymised)
            out["message"].append(text[0])
            out["fix"].append(text[1])
        out["row"].append(rows[positions])
        out["pos"].append(positions + entry.offset)
        out["column"] += [column or None] * len(positions)
        out["value"] += values
        out["reason"] += [reason] * len(positions)
    if out["row"]:
        columns: dict[str, Any] = {
            **out,
            "row": np.concatenate(out["row"]),
            "pos": np.concatenate(out["pos"]),
        }
        issues.frames.append(pd.DataFrame({"file": entry.raw.file, **columns}))
    for k, positions in checked.comparisons:
        left, op, right = rules.comparisons[k]
        note = next(
            (c.message for c in src.comparisons if (c.left, c.op, c.right) == (left, op, right)),
            None,
        )
        for p in positions:
            a = shown(entry.frame[left].iloc[p])
            b = shown(entry.frame[right].iloc[p])
            message, fix = comparison_text(left, op, right, a, b, note)
            issues.add(
                "comparison_failed",
                message,
                fix,
                file=entry.raw.file,
                row=int(rows[p]),
                column=left,
                value=a,
                pos=int(p) + entry.offset,
            )


def _shown_cells(column: pd.Series, positions: np.ndarray) -> list[str]:
    """The cells at ``positions`` as a person would type them (numbers without ``.0``)."""
    if column.dtype.kind == "f":
        numbers = column.to_numpy()[positions]
        with np.errstate(invalid="ignore"):
            whole = np.isfinite(numbers) & (numbers == np.floor(numbers)) & (abs(numbers) < 1e15)
        if whole.all():
            return [str(v) for v in numbers.astype(np.int64).tolist()]
    return [shown(v) for v in column.iloc[positions].tolist()]


def _straight_value(
    checked: CheckedTable, likert: tuple[str, ...], pos: int, details: dict[str, Any]
) -> str:
    for name in likert:
        values = checked.values.get(name)
        if values is not None and not np.isnan(values[pos]):
            spec = details[name][0]
            code = int(values[pos])  # a Coded column gives the code at a position
            label = (
                next((c.label for c in spec.scale.codes if c.code == code), "")
                if spec.scale
                else ""
            )
            return f"{code} = {label}" if label else str(code)
    return ""


# --- the report ---------------------------------------------------------------------------


def _combine(entries: list[_Input], name: str, spec: FieldSpec) -> Any:
    parts = []
    for entry in entries:
        assert entry.checked is not None
        values = entry.checked.values.get(name)
        parts.append(typed_empty(spec, entry.n) if values is None else values)
    if any(isinstance(p, TextCodes) for p in parts):
        # Key columns kept alone (validate(keep_rows=False)) are coded in each part.
        coded = [p if isinstance(p, TextCodes) else TextCodes.encode(p) for p in parts]
        for entry in entries:
            assert entry.checked is not None
            entry.checked.values.pop(name, None)  # the parts' codes go as the whole's come
        return TextCodes.union(coded)
    if len(parts) == 1:
        return parts[0]
    if isinstance(parts[0], Coded):
        return Coded(np.concatenate([p.index for p in parts]), parts[0].codes)
    if isinstance(parts[0], np.ndarray):
        return np.concatenate(parts)
    series = [pd.Series(p) for p in parts]
    if len({s.dtype for s in series}) > 1 and all(
        isinstance(s.dtype, pd.StringDtype) for s in series
    ):
        # Answers all written exactly as answers keep their column's own text dtype, others
        # are "str": slices of one column can differ where the whole column would be "str".
        series = [s.astype("str") for s in series]
    return pd.concat(series, ignore_index=True).array


def _assemble(
    framework: Framework,
    src: DataSource,
    specs: dict[str, FieldSpec],
    entries: list[_Input],
    numbers: RowNumbers,
    issues: Issues,
    n: int,
    hidden: set[str],
    *,
    keep_rows: bool,
) -> ValidationReport:
    # The slices of an engine's table are one input: one file for the rules across rows.
    files = list({e.input: e.raw.file for e in entries}.values())
    names = specs if keep_rows else [n for n in key_columns(src) if n in specs]
    # The key columns first: joining them is the largest step, and needs nothing else.
    typed = {name: _combine(entries, name, specs[name]) for name in names}
    if not keep_rows:
        _give_back_memory()  # what joining the parts' keys used
    check_across_rows(
        framework,
        src,
        [e.checked for e in entries if e.checked is not None],
        typed,
        numbers,
        files,
        issues,
    )
    if not keep_rows:
        # The key columns served the rules across rows alone: they go before the issue table
        # is made (of as many notes as the rules found).
        typed.clear()
        _give_back_memory()
    table = _issue_table(src.id, issues, list(specs))
    rejected = np.zeros(n, dtype=bool)
    errors = table[(table["severity"] == "error") & (table["pos"] >= 0)]
    rejected[errors["pos"].to_numpy(dtype=np.int64)] = True
    for entry in entries:
        if entry.lacks_required:
            rejected[entry.offset : entry.offset + entry.n] = True
        if entry.no_answers:
            rejected[entry.offset : entry.offset + entry.n] = True
    if keep_rows:
        reasons = pd.Series("", index=range(n), dtype=object)
        for entry in entries:
            span = slice(entry.offset, entry.offset + entry.n)
            if entry.lacks_required:
                reasons.iloc[span] = "; ".join(
                    f"{c}: missing_column" for c in entry.lacks_required
                )
            if entry.no_answers:
                before = reasons.iloc[span]
                reasons.iloc[span] = (before + "; no_answers").where(before != "", "no_answers")
        if len(errors):
            _join_reasons(errors, reasons)
        for name in hidden:
            typed[name] = typed_empty(specs[name], n)
        rows = np.concatenate([np.zeros(0, np.int64), *(e.raw.rows for e in entries)])
        valid_rows = _rows_frame(typed, ~rejected, rows)
        rejected_rows = _rows_frame(typed, rejected, rows)
        rejected_rows["reasons"] = pd.array(reasons.to_numpy()[rejected], dtype="str")
    else:
        # The columns alone, typed as they would be, so that code reading them still runs.
        empty = {name: typed_empty(spec, 0) for name, spec in specs.items()}
        none = np.zeros(0, dtype=bool)
        valid_rows = _rows_frame(empty, none, np.zeros(0, dtype=np.int64))
        rejected_rows = valid_rows.copy()
        rejected_rows["reasons"] = pd.array([], dtype="str")
    counts: pd.DataFrame | None = None
    if keep_rows:
        missing = _missing_table(entries, list(specs))
    else:
        missing = pd.DataFrame({
            "row": np.zeros(0, dtype=np.int64),
            "column": pd.Categorical([], categories=list(specs)),
            "reason": pd.Categorical([], categories=list(MISSING_REASONS)),
        })
        total = sum((e.missing for e in entries if e.missing is not None),
                    np.zeros((len(specs), len(MISSING_REASONS)), dtype=np.int64))
        column, reason = np.nonzero(total)
        counts = pd.DataFrame({
            "column": pd.array(np.array(list(specs), dtype=object)[column], dtype="str"),
            "reason": pd.array(np.array(MISSING_REASONS, dtype=object)[reason], dtype="str"),
            "count": total[column, reason].astype(np.int64),
        })
    if not keep_rows:
        _give_back_memory()  # what the rules across rows and the issue table used
    return ValidationReport(
        source=src.id,
        files=tuple(files),
        issues=table.drop(columns="pos"),
        rows_read=n,
        valid_rows=valid_rows,
        rejected_rows=rejected_rows,
        missing=missing,
        rows_valid=int(n - rejected.sum()),
        rows_rejected=int(rejected.sum()),
        missing_counts=counts,
    )


def _join_reasons(errors: pd.DataFrame, reasons: pd.Series) -> None:
    """Write "column: reason; ..." for each rejected row into ``reasons`` (by position)."""
    labels = (
        errors["column"].fillna("").astype(str) + ": " + errors["reason"].astype(str)
    ).to_numpy(dtype=object)
    pos = errors["pos"].to_numpy(dtype=np.int64)
    order = np.argsort(pos, kind="stable")
    pos, labels = pos[order], labels[order]
    starts = np.flatnonzero(np.r_[True, pos[1:] != pos[:-1]])
    sizes = np.diff(np.r_[starts, len(pos)])
    joined = labels[starts].copy()
    for k in np.flatnonzero(sizes > 1):  # rows with several errors are few
        joined[k] = "; ".join(dict.fromkeys(labels[starts[k] : starts[k] + sizes[k]]))
    at = pos[starts]
    before = reasons.to_numpy()[at]
    reasons.iloc[at] = np.where(before != "", before + "; " + joined, joined)


def _rows_frame(typed: dict[str, Any], keep: np.ndarray, rows: np.ndarray) -> pd.DataFrame:
    """The typed columns at the rows kept (a boolean mask), Likert answers as float64 codes."""
    whole = bool(keep.all())
    few = int(keep.sum()) * 8 < len(keep)
    # A mask is faster for most rows, positions for a few (the rejected rows).
    select: np.ndarray = np.flatnonzero(keep) if few else keep
    arrow_mask = None
    data: dict[str, Any] = {}
    for name, values in typed.items():
        if isinstance(values, Coded):
            data[name] = values.floats(None if whole else select)
        elif whole:
            data[name] = values
        elif hasattr(values, "_pa_array") and not few:
            import pyarrow as pa
            import pyarrow.compute as pc

            if arrow_mask is None:
                arrow_mask = pa.array(keep)
            data[name] = pd.array(pc.filter(values._pa_array, arrow_mask), dtype=values.dtype)
        else:
            data[name] = values[select]
    return pd.DataFrame(data, index=pd.Index(rows[keep], name="row"), copy=False)


def _missing_table(entries: list[_Input], order: list[str]) -> pd.DataFrame:
    """Every missing-value code: ``row``, ``column``, ``reason``; by file, column, then row.

    Both checking paths list the cells column by column in the source's order, so a
    table read whole needs no sorting; the slices of an engine's table are put in that
    order (a stable sort by column keeps the rows in order).
    """
    parts = []
    for number in dict.fromkeys(e.input for e in entries):
        pieces = []
        for entry in (e for e in entries if e.input == number):
            assert entry.checked is not None
            frame = entry.checked.missing_frame()
            pieces.append(
                pd.DataFrame(
                    {
                        "row": entry.raw.rows[frame["pos"].to_numpy()].astype(np.int64),
                        "column": frame["column"].cat.set_categories(order),
                        "reason": frame["reason"],
                    }
                )
            )
        if len(pieces) > 1:
            joined = pd.concat(pieces, ignore_index=True)
            by_column = np.argsort(joined["column"].cat.codes.to_numpy(), kind="stable")
            pieces = [joined.take(by_column).reset_index(drop=True)]
        parts += pieces
    return parts[0] if len(parts) == 1 else pd.concat(parts, ignore_index=True)


def _issue_table(source: str, issues: Issues, columns: list[str]) -> pd.DataFrame:
    """All issues in one table: by file, row (file-wide issues first), severity, column."""
    parts = [
        pd.DataFrame(
            issues.rows,
            columns=[c for c in ISSUE_COLUMNS if c not in ("source", "check", "severity")]
            + ["pos"],
        )
    ]
    parts += issues.frames
    table = pd.concat([p for p in parts if len(p)] or parts[:1], ignore_index=True)
    table["row"] = table["row"].astype("Int64")
    table["pos"] = table["pos"].astype(np.int64)
    table["source"] = source
    table["check"] = table["reason"].map({r: v[0] for r, v in REASONS.items()})
    table["severity"] = table["reason"].map({r: v[1] for r, v in REASONS.items()})
    severity = {"error": 0, "warning": 1, "info": 2}
    files = {f: k for k, f in enumerate(pd.unique(table["file"].to_numpy(dtype=object)))}
    position = {name: k for k, name in enumerate(columns)}
    table = table.assign(
        _f=table["file"].map(files),
        _r=table["row"].fillna(-1),
        _s=table["severity"].map(severity),
        _c=table["column"].map(position).fillna(len(position)),
        _reason=table["reason"],
    )
    keys = ["_f", "_r", "_s", "_c", "_reason"]
    table = table.sort_values(keys, kind="stable").drop(columns=keys)
    for name in ISSUE_COLUMNS:
        if name != "row":  # the one column of numbers
            table[name] = table[name].astype("str")
    return table[[*ISSUE_COLUMNS, "pos"]].reset_index(drop=True)
