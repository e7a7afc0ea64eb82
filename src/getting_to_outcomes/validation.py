"""Validate survey and campaign data against a data source of the framework.

:func:`validate` reads one or more files (or DataFrames), finds every problem in one
pass and returns a :class:`~getting_to_outcomes.ValidationReport`; it never raises
for problems in the data. Rules come from the source's YAML through its pydantic
record model (:func:`~getting_to_outcomes.records.record_model`): types, ranges,
allowed answers, response scales, missing-value codes and required fields are checked
column-wise; keys, waves and comparisons across rows and fields follow.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from getting_to_outcomes._columnwise import CheckedTable, Coded, check_columns, typed_empty
from getting_to_outcomes._crossrow import check_across_rows
from getting_to_outcomes._headers import column_letter, header_key, map_headers
from getting_to_outcomes._issues import Issues, cell_text, column_text, comparison_text, shown
from getting_to_outcomes._recordwise import check_records
from getting_to_outcomes.errors import DataReadError
from getting_to_outcomes.privacy import PseudonymKey, load_key
from getting_to_outcomes.readers import RawTable, read_raw
from getting_to_outcomes.records import (
    CellProblem,
    FieldSpec,
    model_specs,
    parse_cell,
    record_model,
)
from getting_to_outcomes.report_validation import ISSUE_COLUMNS, REASONS, ValidationReport

if TYPE_CHECKING:
    from getting_to_outcomes.framework import Framework
    from getting_to_outcomes.models import DataSource

__all__ = ["validate"]

DataInput = str | os.PathLike[str] | pd.DataFrame
_HIDDEN = "(hidden: personal data)"
# Columns that survey tools add to every export; not worth a warning.
_TOOL_COLUMNS = frozenset(
    [
        "startdate",
        "enddate",
        "status",
        "responsetype",
        "ipaddress",
        "progress",
        "durationinseconds",
        "finished",
        "recordeddate",
        "responseid",
        "recipientlastname",
        "recipientfirstname",
        "recipientemail",
        "externalreference",
        "externaldatareference",
        "locationlatitude",
        "locationlongitude",
        "distributionchannel",
        "userlanguage",
        "collectorid",
        "respondentid",
        "customdata1",
        "timestamp",
    ]
)


@dataclass
class _Input:
    raw: RawTable
    frame: pd.DataFrame
    offset: int
    lacks_required: list[str]
    checked: CheckedTable | None = None


def _framework(framework: Framework | str | os.PathLike[str] | None) -> Framework:
    from getting_to_outcomes.framework import Framework
    from getting_to_outcomes.loading import load_framework

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
    engine: Literal["columns", "records"] = "columns",
) -> ValidationReport:
    """Check data against a data source and report every problem at once.

    Parameters
    ----------
    data : path, DataFrame, or a list of them
        CSV, Excel, Parquet or SPSS files, or DataFrames. Several inputs (e.g. a pre
        and a post file) are checked together: keys must be unique across them and
        later waves are matched with the baseline.
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
    engine : {"columns", "records"}
        ``"columns"`` (fast, vectorized) or ``"records"`` (one pydantic model per row);
        both report the same problems.

    Returns
    -------
    ValidationReport
        Issues, counts, valid and rejected rows, missing-value codes.

    Raises
    ------
    DataReadError
        A file cannot be read as a table (missing, empty, not a table).
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
    fw = _framework(framework)
    src = fw.source(source)
    model = record_model(src, fw)
    specs = {name: spec for name, (spec, _, _) in model_specs(model).items()}
    items: list[DataInput] = list(data) if isinstance(data, list | tuple) else [data]  # type: ignore[list-item]
    if not items:
        raise DataReadError("no data given: pass a file, a DataFrame or a list of them")
    key: PseudonymKey | None = None
    if isinstance(pseudonymize, PseudonymKey):
        key = pseudonymize
    elif pseudonymize:
        key = load_key(key_file)
    issues = Issues()
    inputs: list[_Input] = []
    offset = 0
    for item in items:
        raw = read_raw(item, sheet=sheet, encoding=encoding, delimiter=delimiter, source=src)
        entry = _prepare(raw, src, specs, issues, offset)
        ident = src.id_column
        if key is not None and ident is not None and ident in entry.frame.columns:
            entry.frame[ident] = _pseudonymize(entry.frame[ident], specs[ident], key)
        check = check_records if engine == "records" else check_columns
        entry.checked = check(entry.frame, model)
        _personal(entry, src, issues)
        inputs.append(entry)
        offset += len(entry.frame)
    hidden = {c.name for c in src.columns if c.personal} if key is not None else set()
    for entry in inputs:
        _cell_issues(entry, src, model, issues, hidden)
    return _assemble(fw, src, specs, inputs, issues, offset, hidden)


def _prepare(
    raw: RawTable, src: DataSource, specs: dict[str, FieldSpec], issues: Issues, offset: int
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
            value=note.value,
        )
    mapping = map_headers(raw.headers, src)
    for _position, header in mapping.unknown:
        reason = "tool_column" if header_key(header) in _TOOL_COLUMNS else "unknown_column"
        message, fix = column_text(reason, src, "", header=header)
        issues.add(reason, message, fix, file=file, column=header)
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
    for column in src.columns:
        if column.name in mapping.columns:
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
    # copy=False: the columns are only read, and copying a million rows costs time and memory.
    frame = pd.DataFrame(
        {name: _labelled(raw, position, specs[name]) for name, position in mapping.columns.items()},
        index=pd.RangeIndex(len(raw.frame)),
        copy=False,
    )
    return _Input(raw, frame, offset, lacks_required)


def _personal(entry: _Input, src: DataSource, issues: Issues) -> None:
    assert entry.checked is not None
    for column in src.columns:
        values = entry.checked.values.get(column.name)
        if column.personal and values is not None:
            filled = int(pd.notna(values).sum())
            if filled:
                message, fix = column_text("personal_data", src, column.name)
                issues.add(
                    "personal_data",
                    message,
                    fix,
                    file=entry.raw.file,
                    column=column.name,
                    value=f"{filled} filled cell(s)",
                )


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


def _pseudonymize(column: pd.Series, spec: FieldSpec, key: PseudonymKey) -> pd.Series:
    codes, uniques = pd.factorize(column, use_na_sentinel=True)
    out: list[Any] = []
    for value in uniques:
        try:
            parsed, _reason = parse_cell(spec, value)
        except CellProblem:
            parsed = None
        out.append(key.pseudonym(parsed) if parsed is not None else value)
    return pd.Series(np.array([*out, None], dtype=object)[codes], index=column.index, dtype=object)


# --- issues of cells ------------------------------------------------------------------


def _cell_issues(
    entry: _Input, src: DataSource, model: Any, issues: Issues, hidden: set[str]
) -> None:
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
        # Word each distinct value once; the same problem often repeats down a column.
        texts: dict[str, tuple[str, str]] = {}
        for value in values:
            text = texts.get(value)
            if text is None:
                text = texts[value] = cell_text(reason, spec, value, bounds, plausible)
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
        parts.append(typed_empty(spec, len(entry.frame)) if values is None else values)
    if len(parts) == 1:
        return parts[0]
    if isinstance(parts[0], Coded):
        return Coded(np.concatenate([p.index for p in parts]), parts[0].codes)
    if isinstance(parts[0], np.ndarray):
        return np.concatenate(parts)
    return pd.concat([pd.Series(p) for p in parts], ignore_index=True).array


def _assemble(
    framework: Framework,
    src: DataSource,
    specs: dict[str, FieldSpec],
    entries: list[_Input],
    issues: Issues,
    n: int,
    hidden: set[str],
) -> ValidationReport:
    files = [e.raw.file for e in entries]
    rows = np.concatenate([e.raw.rows for e in entries]) if entries else np.array([], np.int64)
    file_of = np.concatenate(
        [np.full(len(e.frame), k, dtype=np.int64) for k, e in enumerate(entries)]
    )
    typed = {name: _combine(entries, name, spec) for name, spec in specs.items()}
    check_across_rows(
        framework,
        src,
        [e.checked for e in entries if e.checked is not None],
        typed,
        rows,
        files,
        file_of,
        issues,
    )
    table = _issue_table(src.id, issues, list(specs))
    rejected = np.zeros(n, dtype=bool)
    errors = table[(table["severity"] == "error") & (table["pos"] >= 0)]
    rejected[errors["pos"].to_numpy(dtype=np.int64)] = True
    reasons = pd.Series("", index=range(n), dtype=object)
    for entry in entries:
        if entry.lacks_required:
            span = slice(entry.offset, entry.offset + len(entry.frame))
            rejected[span] = True
            reasons.iloc[span] = "; ".join(f"{c}: missing_column" for c in entry.lacks_required)
    if len(errors):
        _join_reasons(errors, reasons)
    for name in hidden:
        typed[name] = typed_empty(specs[name], n)
    valid_rows = _rows_frame(typed, ~rejected, rows)
    rejected_rows = _rows_frame(typed, rejected, rows)
    rejected_rows["reasons"] = pd.array(reasons.to_numpy()[rejected], dtype="str")
    missing = _missing_table(entries, list(specs))
    return ValidationReport(
        source=src.id,
        files=tuple(files),
        issues=table.drop(columns="pos"),
        rows_read=n,
        valid_rows=valid_rows,
        rejected_rows=rejected_rows,
        missing=missing,
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

    Both checking paths list the cells column by column in the source's order, so no
    sorting is needed.
    """
    parts = []
    for entry in entries:
        assert entry.checked is not None
        frame = entry.checked.missing_frame()
        parts.append(
            pd.DataFrame(
                {
                    "row": entry.raw.rows[frame["pos"].to_numpy()].astype(np.int64),
                    "column": frame["column"].cat.set_categories(order),
                    "reason": frame["reason"],
                }
            )
        )
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
    for name in (
        "source",
        "file",
        "column",
        "value",
        "check",
        "reason",
        "severity",
        "message",
        "fix",
    ):
        table[name] = table[name].astype("str")
    return table[[*ISSUE_COLUMNS, "pos"]].reset_index(drop=True)
