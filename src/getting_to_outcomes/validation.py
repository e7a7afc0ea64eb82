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
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from getting_to_outcomes._columnwise import CheckedTable, check_columns, typed_empty
from getting_to_outcomes._issues import column_text, comparison_text, cell_text, shown
from getting_to_outcomes._recordwise import check_records
from getting_to_outcomes.errors import DataReadError
from getting_to_outcomes.privacy import PseudonymKey, load_key
from getting_to_outcomes.readers import RawTable, column_letter, map_headers, read_raw
from getting_to_outcomes.records import FieldSpec, model_specs, parse_cell, CellProblem, record_model
from getting_to_outcomes.report_validation import ISSUE_COLUMNS, REASONS, ValidationReport

if TYPE_CHECKING:
    from getting_to_outcomes.framework import Framework
    from getting_to_outcomes.models import DataSource

__all__ = ["validate"]

DataInput = str | os.PathLike[str] | pd.DataFrame
_HIDDEN = "(hidden: personal data)"
# Columns that survey tools add to every export; not worth a warning.
_TOOL_COLUMNS = frozenset(
    "startdate enddate status ipaddress progress durationinseconds finished recordeddate "
    "responseid recipientlastname recipientfirstname recipientemail externalreference "
    "locationlatitude locationlongitude distributionchannel userlanguage collectorid "
    "respondentid ipaddress emailaddress firstname lastname customdata1".split()
)


@dataclass
class _Input:
    raw: RawTable
    frame: pd.DataFrame
    offset: int
    lacks_required: list[str]
    checked: CheckedTable | None = None


@dataclass
class _Issues:
    rows: list[dict[str, Any]] = field(default_factory=list)
    frames: list[pd.DataFrame] = field(default_factory=list)

    def add(self, reason: str, message: str, fix: str = "", *, file: str, row: int | None = None,
            column: str | None = None, value: str | None = None, pos: int = -1) -> None:
        self.rows.append({"file": file, "row": row, "column": column, "value": value,
                          "reason": reason, "message": message, "fix": fix, "pos": pos})


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
    >>> report.issues.loc[report.issues.severity == "error", ["row", "column", "reason"]]
       row                 column        reason
    0    3  k1_district_decisions  out_of_range
    """
    fw = _framework(framework)
    src = fw.source(source)
    model = record_model(src, fw)
    specs = {name: spec for name, (spec, _, _) in model_specs(model).items()}
    items = list(data) if isinstance(data, list | tuple) else [data]
    if not items:
        raise DataReadError("no data given: pass a file, a DataFrame or a list of them")
    key: PseudonymKey | None = None
    if isinstance(pseudonymize, PseudonymKey):
        key = pseudonymize
    elif pseudonymize:
        key = load_key(key_file)
    issues = _Issues()
    inputs: list[_Input] = []
    offset = 0
    for item in items:
        raw = read_raw(item, sheet=sheet, encoding=encoding, delimiter=delimiter, source=src)
        entry = _prepare(raw, src, specs, issues, offset)
        if key is not None and src.id_column in entry.frame.columns:
            entry.frame[src.id_column] = _pseudonymize(entry.frame[src.id_column],
                                                       specs[src.id_column], key)
        check = check_records if engine == "records" else check_columns
        entry.checked = check(entry.frame, model)
        _personal(entry, src, issues)
        inputs.append(entry)
        offset += len(entry.frame)
    hidden = {c.name for c in src.columns if c.personal} if key is not None else set()
    for entry in inputs:
        _cell_issues(entry, src, model, issues, hidden)
    return _assemble(src, specs, inputs, issues, offset, hidden)


def _prepare(raw: RawTable, src: DataSource, specs: dict[str, FieldSpec], issues: _Issues,
             offset: int) -> _Input:
    file = raw.file
    for note in raw.notes:
        issues.add(note.reason, note.message, note.fix, file=file, row=note.row,
                   column=note.column, value=note.value)
    mapping = map_headers(raw.headers, src)
    for position, header in mapping.unknown:
        message, fix = column_text("unknown_column", src, "", header=header)
        issues.add("unknown_column", message, fix, file=file, column=header)
    for position, header, name in mapping.duplicates:
        first = raw.header_names[mapping.columns[name]]
        message, fix = column_text("duplicate_column", src, name, header=header or
                                   column_letter(position), first=first)
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
    frame = pd.DataFrame({name: _labelled(raw, position, specs[name])
                          for name, position in mapping.columns.items()})
    frame.index = pd.RangeIndex(len(raw.frame))
    return _Input(raw, frame, offset, lacks_required)


def _personal(entry: _Input, src: DataSource, issues: _Issues) -> None:
    assert entry.checked is not None  # noqa: S101 - set just before
    for column in src.columns:
        values = entry.checked.values.get(column.name)
        if column.personal and values is not None:
            filled = int(pd.notna(values).sum())
            if filled:
                message, fix = column_text("personal_data", src, column.name)
                issues.add("personal_data", message, fix, file=entry.raw.file, column=column.name,
                           value=f"{filled} filled cell(s)")


def _labelled(raw: RawTable, position: int, spec: FieldSpec) -> pd.Series:
    column = raw.frame[position]
    labels = raw.value_labels.get(position)
    if not labels:
        return column
    if spec.type in ("integer", "number"):
        return column
    if spec.type == "likert":
        codes = {float(c) for c in spec.codes}
        return column.map(lambda v: v if v in codes or v not in labels else labels[v]).astype(object)
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


def _cell_issues(entry: _Input, src: DataSource, model: Any, issues: _Issues, hidden: set[str]) -> None:
    checked = entry.checked
    assert checked is not None  # noqa: S101 - set by validate() just before
    flags = checked.flag_frame()
    flags = flags[flags["reason"] != "comparison_failed"]
    if flags.empty and not checked.comparisons:
        return
    rules = model.__gto_rules__
    details = model_specs(model)
    rows = entry.raw.rows
    cache: dict[tuple[str, str, str], tuple[str, str]] = {}
    parts = []
    for (column, reason), group in flags.groupby(["column", "reason"], observed=True, sort=False):
        positions = group["pos"].to_numpy()
        if column == "":
            values = [_straight_value(checked, rules.likert, p, details) for p in positions]
            spec, bounds, plausible = None, (None, None), (None, None)
        else:
            spec, bounds, plaus = details[column]
            plausible = (plaus.low, plaus.high)
            raw_values = entry.frame[column].iloc[positions]
            values = ([_HIDDEN] * len(positions) if column in hidden
                      else [shown(v) for v in raw_values])
        texts = []
        for value in values:
            cache_key = (column, str(reason), value)
            if cache_key not in cache:
                cache[cache_key] = cell_text(str(reason), spec, value, bounds, plausible)
            texts.append(cache[cache_key])
        parts.append(pd.DataFrame({
            "file": entry.raw.file, "row": rows[positions], "column": column or None,
            "value": values, "reason": str(reason),
            "message": [t[0] for t in texts], "fix": [t[1] for t in texts],
            "pos": positions + entry.offset,
        }))
    for k, positions in checked.comparisons:
        left, op, right = rules.comparisons[k]
        note = next((c.message for c in src.comparisons
                     if (c.left, c.op, c.right) == (left, op, right)), None)
        for p in positions:
            a = shown(entry.frame[left].iloc[p])
            b = shown(entry.frame[right].iloc[p])
            message, fix = comparison_text(left, op, right, a, b, note)
            issues.add("comparison_failed", message, fix, file=entry.raw.file, row=int(rows[p]),
                       column=left, value=a, pos=int(p) + entry.offset)
    if parts:
        issues.frames.append(pd.concat(parts, ignore_index=True))


def _straight_value(checked: CheckedTable, likert: tuple[str, ...], pos: int,
                    details: dict[str, Any]) -> str:
    for name in likert:
        values = checked.values.get(name)
        if values is not None and not np.isnan(values[pos]):
            spec = details[name][0]
            code = int(values[pos])
            label = next((c.label for c in spec.scale.codes if c.code == code), "") if spec.scale else ""
            return f"{code} = {label}" if label else str(code)
    return ""


# --- rules across rows ------------------------------------------------------------------


def _codes(columns: Sequence[Any]) -> np.ndarray:
    """One int64 code per row for the combination of ``columns``; -1 when any is missing."""
    combined: np.ndarray | None = None
    for column in columns:
        codes, uniques = pd.factorize(pd.Series(column), use_na_sentinel=True)
        codes = codes.astype(np.int64)
        if combined is None:
            combined = codes
            continue
        size = len(uniques) + 1
        missing = (combined < 0) | (codes < 0)
        combined = combined * size + codes
        combined[missing] = -1
        if len(uniques) and combined.max(initial=0) > 2**40:
            combined, _ = pd.factorize(combined)
            combined = combined.astype(np.int64)
    assert combined is not None  # noqa: S101 - at least one column
    return combined


def _key_display(typed: dict[str, Any], keys: Sequence[str], pos: int) -> str:
    return " / ".join(shown(typed[k][pos]) for k in keys)


def _cross_row(src: DataSource, typed: dict[str, Any], n: int, rows: np.ndarray,
               files: list[str], file_of: np.ndarray, issues: _Issues) -> None:
    keys = [k for k in src.keys if k in typed]
    if keys and len(keys) == len(src.keys) and n:
        codes = _codes([typed[k] for k in keys])
        present = np.flatnonzero(codes >= 0)
        dup = present[pd.Series(codes[present]).duplicated(keep=False).to_numpy()]
        if len(dup):
            column = next((k for k in keys if k not in (src.org_column, src.time_column)), keys[0])
            groups = pd.Series(dup).groupby(codes[dup], sort=False)
            for _, members in groups:
                where = members.to_numpy()
                shown_rows = ", ".join(
                    (f"{files[file_of[p]]} row {rows[p]}" if len(files) > 1 else str(rows[p]))
                    for p in where)
                value = _key_display(typed, keys, int(where[0]))
                for p in where:
                    issues.add(
                        "duplicate_key",
                        f"{' / '.join(keys)} = {value} appears {len(where)} times (rows {shown_rows}).",
                        f"Keep one row per {', '.join(keys)}: delete the repeated row, or correct "
                        "the id or the wave.",
                        file=files[file_of[p]], row=int(rows[p]), column=column, value=value, pos=int(p))
    _pre_post(src, typed, n, rows, files, file_of, issues)


def _pre_post(src: DataSource, typed: dict[str, Any], n: int, rows: np.ndarray,
              files: list[str], file_of: np.ndarray, issues: _Issues) -> None:
    time, ident = src.time_column, src.id_column
    if not (ident and src.period_order and time in typed and ident in typed and n):
        return
    baseline = src.period_order[0]
    unit = [typed[c] for c in (src.org_column, ident) if c and c in typed]
    codes = _codes(unit)
    waves = pd.Series(typed[time]).to_numpy(dtype=object, na_value=None)
    at_baseline = np.array([w == baseline for w in waves], dtype=bool) & (codes >= 0)
    if not at_baseline.any():
        return
    later = np.array([w is not None and w != baseline for w in waves], dtype=bool) & (codes >= 0)
    lacking = np.flatnonzero(later & ~np.isin(codes, codes[at_baseline]))
    for p in lacking:
        who = shown(typed[ident][p])
        issues.add(
            "no_baseline", f"{who} has a {waves[p]} answer but no {baseline} answer.",
            f"If this person answered the {baseline} survey under another id, use the same id in "
            "both; otherwise nothing to do (the row is kept, without a baseline to compare with).",
            file=files[file_of[p]], row=int(rows[p]), column=ident, value=who, pos=int(p))


# --- the report ---------------------------------------------------------------------------


def _combine(entries: list[_Input], name: str, spec: FieldSpec) -> Any:
    parts = []
    for entry in entries:
        assert entry.checked is not None  # noqa: S101
        values = entry.checked.values.get(name)
        parts.append(typed_empty(spec, len(entry.frame)) if values is None else values)
    if len(parts) == 1:
        return parts[0]
    if isinstance(parts[0], np.ndarray):
        return np.concatenate(parts)
    return pd.concat([pd.Series(p) for p in parts], ignore_index=True).array


def _assemble(src: DataSource, specs: dict[str, FieldSpec], entries: list[_Input],
              issues: _Issues, n: int, hidden: set[str]) -> ValidationReport:
    files = [e.raw.file for e in entries]
    rows = np.concatenate([e.raw.rows for e in entries]) if entries else np.array([], np.int64)
    file_of = np.concatenate([np.full(len(e.frame), k, dtype=np.int64) for k, e in enumerate(entries)])
    typed = {name: _combine(entries, name, spec) for name, spec in specs.items()}
    _cross_row(src, typed, n, rows, files, file_of, issues)
    table = _issue_table(src.id, issues)
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
        labels = errors["column"].fillna("").astype(str) + ": " + errors["reason"].astype(str)
        joined = labels.groupby(errors["pos"].to_numpy()).agg(lambda s: "; ".join(dict.fromkeys(s)))
        before = reasons.iloc[joined.index]
        reasons.iloc[joined.index] = np.where(before != "", before + "; " + joined.to_numpy(),
                                              joined.to_numpy())
    for name in hidden:
        typed[name] = typed_empty(specs[name], n)
    valid_at = np.flatnonzero(~rejected)
    rejected_at = np.flatnonzero(rejected)
    valid_rows = _rows_frame(typed, valid_at, rows, n)
    rejected_rows = _rows_frame(typed, rejected_at, rows, n)
    rejected_rows["reasons"] = reasons.to_numpy()[rejected_at].astype(str)
    missing = _missing_table(entries, rows)
    return ValidationReport(
        source=src.id, files=tuple(files), issues=table.drop(columns="pos"), rows_read=n,
        valid_rows=valid_rows, rejected_rows=rejected_rows, missing=missing,
    )


def _rows_frame(typed: dict[str, Any], at: np.ndarray, rows: np.ndarray, n: int) -> pd.DataFrame:
    whole = len(at) == n
    data = {name: (values if whole else values[at]) for name, values in typed.items()}
    return pd.DataFrame(data, index=pd.Index(rows[at], name="row"), copy=False)


def _missing_table(entries: list[_Input], rows: np.ndarray) -> pd.DataFrame:
    parts = []
    for entry in entries:
        assert entry.checked is not None  # noqa: S101
        frame = entry.checked.missing_frame()
        parts.append(pd.DataFrame({
            "row": entry.raw.rows[frame["pos"].to_numpy()].astype(np.int64),
            "column": frame["column"].to_numpy(),
            "reason": frame["reason"].to_numpy(),
        }))
    out = pd.concat(parts, ignore_index=True)
    out["column"] = out["column"].astype("str")
    return out


def _issue_table(source: str, issues: _Issues) -> pd.DataFrame:
    parts = [pd.DataFrame(issues.rows, columns=[c for c in ISSUE_COLUMNS if c not in
                                                 ("source", "check", "severity")] + ["pos"])]
    parts += issues.frames
    table = pd.concat([p for p in parts if len(p)] or parts[:1], ignore_index=True)
    table["row"] = table["row"].astype("Int64")
    table["pos"] = table["pos"].astype(np.int64)
    table["source"] = source
    table["check"] = table["reason"].map(lambda r: REASONS[r][0])
    table["severity"] = table["reason"].map(lambda r: REASONS[r][1])
    order = {"error": 0, "warning": 1, "info": 2}
    files = {f: k for k, f in enumerate(dict.fromkeys(table["file"]))}
    table = table.assign(_s=table["severity"].map(order), _r=table["row"].fillna(-1),
                         _f=table["file"].map(files))
    table = table.sort_values(["_f", "_r", "_s"], kind="stable").drop(columns=["_s", "_r", "_f"])
    for name in ("source", "file", "column", "value", "check", "reason", "severity", "message", "fix"):
        table[name] = table[name].astype("str")
    return table[[*ISSUE_COLUMNS, "pos"]].reset_index(drop=True)
