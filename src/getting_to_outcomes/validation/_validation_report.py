"""The result of validating data: :class:`ValidationReport`, and the catalogue of checks.

Every problem is one row of :attr:`ValidationReport.issues`, with the columns of
:data:`ISSUE_COLUMNS`. ``reason`` is a short code from :data:`REASONS`, which also
gives each reason its ``check`` (the family of rule) and its ``severity``:

- ``error``: the row cannot be used and is moved to ``rejected_rows``;
- ``warning``: probably a mistake, worth a look; the row is kept;
- ``info``: worth knowing; nothing to fix.
"""

from __future__ import annotations

import html
import json
import os
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Final

import pandas as pd

from getting_to_outcomes.errors import DataValidationError

__all__ = ["ISSUE_COLUMNS", "REASONS", "SEVERITIES", "ValidationReport", "shown_files"]

#: Columns of :attr:`ValidationReport.issues`.
ISSUE_COLUMNS: Final = [
    "source",
    "file",
    "row",
    "column",
    "value",
    "check",
    "reason",
    "severity",
    "message",
    "fix",
]
#: Severities, most serious first.
SEVERITIES: Final = ("error", "warning", "info")

#: reason -> (check, severity, what it means). The meanings are listed in the docs.
REASONS: Final[dict[str, tuple[str, str, str]]] = {
    # the file as a whole
    "encoding": ("file", "warning", "the file is not UTF-8 and was read with a fallback encoding"),
    "delimiter": ("file", "info", "columns are separated by something other than commas"),
    "format": ("file", "warning", "the file's content does not match its name"),
    "header_rows": ("file", "info", "extra header rows written by a survey tool were skipped"),
    "rows_above_header": ("file", "info", "rows above the header (a title) were skipped"),
    "blank_rows": ("file", "info", "blank rows at the end of the table were ignored"),
    "blank_row": ("file", "warning", "a blank row inside the table was skipped"),
    "extra_cells": ("file", "warning", "a row has cells beyond the last column with a header"),
    "shifted_row": (
        "file",
        "error",
        "under pseudonymisation, a row with cells beyond the last header (a separator inside "
        "an unquoted value), rejected without showing its cells",
    ),
    # columns
    "missing_column": ("columns", "error", "a required column is not in the file"),
    "absent_column": ("columns", "info", "an optional column is not in the file"),
    "unknown_column": ("columns", "warning", "a column that the source does not define"),
    "value_labels": ("columns", "warning", "the file's value labels (SPSS) give a code the "
                     "label that the scale gives to another code"),
    "tool_column": (
        "columns",
        "info",
        "columns of survey-tool metadata (submission ids and times, devices), ignored",
    ),
    "select_options": (
        "columns",
        "info",
        "the one-per-answer (0/1) columns of a select-multiple question were recognised",
    ),
    "duplicate_column": ("columns", "error", "two columns of the file are the same column"),
    "personal_data": ("privacy", "info", "a column holds personal data (names, emails, phones)"),
    # answers
    "no_answers": (
        "answers",
        "error",
        "the file holds no answers: no rows, or no indicator of the source can be scored",
    ),
    "unscorable": (
        "answers",
        "warning",
        "an indicator cannot be scored from the file: the columns it needs hold no answer",
    ),
    # cells
    "missing_required": ("required", "error", "a required cell is blank or holds a missing code"),
    "not_a_number": ("type", "error", "text where a number is expected"),
    "control_character": ("type", "error", "a cell holds a control character (NUL, escape...) "
                          "that no one types: a damaged or binary file"),
    "not_an_integer": ("type", "error", "a fraction where a whole number is expected"),
    "not_a_date": ("type", "error", "something that is not a date in a date column"),
    "wrong_date_format": (
        "dates", "error", "a date not written in the date_format of its column or source"
    ),
    "date_order_conflict": (
        "dates",
        "error",
        "a date that can be read only day/month/year in a column read month/day/year, or the "
        "other way round",
    ),
    "mixed_date_orders": (
        "dates",
        "error",
        "a date column holds dates that can be read only day/month/year and others that can "
        "be read only month/day/year",
    ),
    "ambiguous_dates": (
        "dates",
        "warning",
        "every date of a column could be day/month/year or month/day/year (04/03/2024); they "
        "were read month/day/year",
    ),
    "not_a_boolean": ("type", "error", "something other than yes/no in a yes/no column"),
    "not_allowed": ("allowed", "error", "a category that is not among the allowed answers"),
    "unknown_answer": ("allowed", "error", "an answer that is not on the response scale"),
    "out_of_range": ("range", "error", "a number outside its valid range"),
    "too_large": ("range", "error", "a number beyond 1e100, whose sums would overflow"),
    "outside_period": ("range", "error", "a date outside the collection period"),
    "implausible": ("range", "warning", "a valid but unusual number"),
    # rows and fields together
    "comparison_failed": ("comparison", "error", "two fields of a row contradict each other"),
    "straightlining": ("straightlining", "warning", "the same answer to every Likert item"),
    "duplicate_key": ("unique", "error", "the same respondent (or key) twice in one wave"),
    "no_baseline": ("pre_post", "info", "a respondent in a later wave has no baseline answer"),
    "missing_evidence": ("evidence", "warning", "a milestone stage that needs evidence has none"),
}

_SUMMARY_ROWS: Final = 50
#: Issues worded at a time by :meth:`ValidationReport.summary_lines`.
_BLOCK_ROWS: Final = 10_000


def _severity_order(frame: pd.DataFrame) -> pd.Series:
    return frame["severity"].map({s: k for k, s in enumerate(SEVERITIES)})


@dataclass(frozen=True, eq=False, repr=False)
class ValidationReport:
    """Everything found while validating one or more files of a data source.

    Attributes
    ----------
    source : str
        Id of the data source.
    files : tuple of str
        The files read (``"<DataFrame>"`` for a DataFrame).
    issues : DataFrame
        One row per problem; columns :data:`ISSUE_COLUMNS`. ``row`` is the row number
        a person sees in the file (header = row 1), empty for problems of a whole
        file or column.
    rows_read : int
        Data rows read (blank rows are not data rows).
    valid_rows : DataFrame
        The rows without errors, typed, columns named as in the source, index ``row``.
    rejected_rows : DataFrame
        The rows with at least one error, same columns plus ``reasons``.
    missing : DataFrame
        One row per cell holding a missing-value code: ``row``, ``column``, ``reason``.
    rows_valid, rows_rejected : int
        How many rows are valid and rejected; they add up to ``rows_read``.
    missing_counts : DataFrame
        Cells with a missing-value code per ``column`` and ``reason`` (``count``), in the
        source's order of columns.

    With ``validate(keep_rows=False)``, ``valid_rows``, ``rejected_rows`` and
    ``missing`` keep their columns but no rows, and the numbers above are all there is
    of them: what grows with the data is left out.

    Examples
    --------
    >>> import pandas as pd
    >>> from getting_to_outcomes import validate
    >>> rows = pd.DataFrame({"org_id": ["o1", "o1"], "person_id": ["P1", "P2"],
    ...                      "survey_wave": ["pre", "later"], "k1_district_decisions": [4, 99]})
    >>> report = validate(rows, source="leadership_survey")
    >>> report.ok, report.rows_read, list(report.rejected_rows.index)
    (False, 2, [3])
    >>> report.rejected_rows.loc[3, "reasons"]
    'survey_wave: not_allowed'
    >>> report.missing.astype(str).values.tolist()
    [['3', 'k1_district_decisions', 'dont_know']]
    """

    source: str
    files: tuple[str, ...]
    issues: pd.DataFrame
    rows_read: int
    valid_rows: pd.DataFrame
    rejected_rows: pd.DataFrame
    missing: pd.DataFrame
    rows_valid: int = -1
    rows_rejected: int = -1
    missing_counts: pd.DataFrame | None = None

    def __post_init__(self) -> None:
        # Built from the tables when not given.
        if self.rows_valid < 0:
            object.__setattr__(self, "rows_valid", len(self.valid_rows))
        if self.rows_rejected < 0:
            object.__setattr__(self, "rows_rejected", len(self.rejected_rows))
        if self.missing_counts is None:
            counts = (
                self.missing.groupby(["column", "reason"], observed=True, sort=True)
                .size()
                .rename("count")
                .reset_index()
            )
            object.__setattr__(self, "missing_counts", pd.DataFrame({
                "column": pd.Series(counts["column"].astype(object).tolist(), dtype="str"),
                "reason": pd.Series(counts["reason"].astype(object).tolist(), dtype="str"),
                "count": counts["count"].to_numpy(dtype="int64"),
            }))

    @property
    def _counts(self) -> pd.DataFrame:
        assert self.missing_counts is not None  # set in __post_init__
        return self.missing_counts

    @property
    def ok(self) -> bool:
        """True when there is no error (warnings and information allowed)."""
        return not bool((self.issues["severity"] == "error").any())

    @property
    def counts(self) -> pd.DataFrame:
        """Number of issues per check, reason and severity (they add up to ``len(issues)``)."""
        if self.issues.empty:
            return pd.DataFrame({"check": [], "reason": [], "severity": [], "count": []}).astype(
                {"count": "int64"}
            )
        counts = (
            self.issues.groupby(["check", "reason", "severity"], observed=True, sort=False)
            .size()
            .rename("count")
            .reset_index()
        )
        order = _severity_order(counts)
        return (
            counts.assign(_o=order)
            .sort_values(["_o", "count"], ascending=[True, False])
            .drop(columns="_o")
            .reset_index(drop=True)
        )

    def _totals(self) -> dict[str, int]:
        found = self.issues["severity"].value_counts()
        return {s: int(found.get(s, 0)) for s in SEVERITIES}

    def _unanswered(self) -> tuple[list[str], dict[str, list[str]]]:
        """Files without answers, and per file the indicators it cannot be scored for.

        Files are named as the report shows them.
        """
        names = shown_files(self.files)
        reasons = self.issues["reason"]
        empty = self.issues.loc[reasons == "no_answers", "file"]
        files = [names.get(f, f) for f in dict.fromkeys(empty)]
        unscorable: dict[str, list[str]] = {}
        for file, indicator in self.issues.loc[reasons == "unscorable", ["file", "value"]].values:
            unscorable.setdefault(names.get(file, file), []).append(str(indicator))
        return files, unscorable

    @property
    def status(self) -> str:
        """The verdict in one line: ``OK``, ``OK, but`` indicators that cannot be scored,
        or ``NOT OK`` (naming the files that hold no answers).

        Examples
        --------
        >>> import pandas as pd
        >>> from getting_to_outcomes import validate
        >>> ids_only = pd.DataFrame({"org_id": ["o1"], "person_id": ["P1"],
        ...                          "survey_wave": ["pre"]})
        >>> validate(ids_only, source="leadership_survey").status
        'NOT OK: no answers in <DataFrame>; fix the errors below'
        """
        empty, unscorable = self._unanswered()
        if not self.ok:
            if empty:
                return f"NOT OK: no answers in {', '.join(empty)}; fix the errors below"
            return "NOT OK: fix the errors below"
        if unscorable:
            count = len({i for ids in unscorable.values() for i in ids})
            where = (
                ", ".join(next(iter(unscorable.values())))
                if len(self.files) == 1
                else "; ".join(f"{f}: {', '.join(ids)}" for f, ids in unscorable.items())
            )
            return (
                f"OK, but {count} indicator(s) cannot be scored (no answers to what they "
                f"need): {where}"
            )
        return "OK: no errors"

    def to_frame(self) -> pd.DataFrame:
        """The issues, one per row (the same as :attr:`issues`)."""
        return self.issues.copy()

    def raise_if_invalid(self) -> ValidationReport:
        """Raise :class:`~getting_to_outcomes.DataValidationError` when there are errors.

        Returns the report itself otherwise, so calls can be chained.
        """
        if not self.ok:
            totals = self._totals()
            first = self.issues[self.issues["severity"] == "error"].head(5)
            names = shown_files(self.files)
            lines = [f"  {_where(r, names)}: {r['message']}" for _, r in first.iterrows()]
            more = totals["error"] - len(first)
            if more > 0:
                lines.append(f"  ... and {more} more error(s); see report.issues")
            msg = "\n".join(
                [
                    f"{self.source}: {totals['error']} error(s) in {self.rows_read} row(s) read; "
                    f"{self.rows_rejected} row(s) rejected.",
                    *lines,
                ]
            )
            raise DataValidationError(msg, self)
        return self

    def summary(self, max_issues: int | None = _SUMMARY_ROWS) -> str:
        """A plain-text account: totals, counts by check, then the issues.

        ``max_issues`` limits how many issues are listed (``None``: all); the text then
        says how many more there are.
        """
        return "\n".join(self.summary_lines(max_issues))

    def summary_lines(self, max_issues: int | None = _SUMMARY_ROWS) -> Iterator[str]:
        """The lines of :meth:`summary`, one at a time, for printing a long account.

        Hundreds of thousands of issues make a text of hundreds of megabytes; printed a
        line (or a block of lines) at a time it is never held whole.

        Examples
        --------
        >>> import pandas as pd
        >>> from getting_to_outcomes import validate
        >>> rows = pd.DataFrame({"org_id": ["o1"], "person_id": ["P1"],
        ...                      "survey_wave": ["pre"], "k1_district_decisions": [4]})
        >>> report = validate(rows, source="leadership_survey")
        >>> "\\n".join(report.summary_lines()) == report.summary()
        True
        >>> next(iter(report.summary_lines()))
        'Validation of leadership_survey (<DataFrame>)'
        """
        totals = self._totals()
        names = shown_files(self.files)
        files = ", ".join(names.values())
        yield from [
            f"Validation of {self.source} ({files})",
            f"  {self.rows_read} row(s) read: {self.rows_valid} valid, "
            f"{self.rows_rejected} rejected",
            f"  {totals['error']} error(s), {totals['warning']} warning(s), "
            f"{totals['info']} note(s); "
            f"{int(self._counts['count'].sum())} missing-value code(s) recorded",
            f"  {self.status}",
        ]
        if self.issues.empty:
            return
        yield from ["", "Counts by check:", self.counts.to_string(index=False), "", "Issues:"]
        shown = self.issues if max_issues is None else self.issues.head(max_issues)
        many_files = len(self.files) > 1
        # Column by column, not row by row (iterrows builds a Series per issue), and a block
        # of issues at a time: each cell becomes a Python string only while it is printed.
        for start in range(0, len(shown), _BLOCK_ROWS):
            block = shown.iloc[start : start + _BLOCK_ROWS]
            columns = [block[c].to_numpy(dtype=object) for c in
                       ("severity", "file", "row", "column", "message", "fix")]
            for severity, file, row, column, message, fix in zip(*columns, strict=True):
                where = _place(file, row, column, names, with_file=many_files)
                yield f"  {severity:<7} {where}: {message}"
                if fix:
                    yield f"          fix: {fix}"
        if len(self.issues) > len(shown):
            yield (
                f"... {len(self.issues) - len(shown)} more issue(s) not shown here; "
                "all are in .issues (or gto validate --format csv)"
            )

    def __repr__(self) -> str:
        totals = self._totals()
        return (
            f"<ValidationReport {self.source}: {self.rows_read} rows, "
            f"{self.rows_rejected} rejected; {totals['error']} errors, "
            f"{totals['warning']} warnings, {totals['info']} notes>"
        )

    def _repr_html_(self) -> str:
        totals = self._totals()
        status = "OK" if self.ok else "Not OK"
        empty, unscorable = self._unanswered()
        if self.ok and unscorable:
            status = "OK, but some indicators cannot be scored"
        names = shown_files(self.files)
        verdict = f"<p><strong>{html.escape(self.status)}</strong></p>" if (
            empty or unscorable
        ) else ""
        head = (
            f"<h4>Validation of {html.escape(self.source)}: {status}</h4>{verdict}"
            f"<p>{self.rows_read} rows read from {html.escape(', '.join(names.values()))}: "
            f"{self.rows_valid} valid, {self.rows_rejected} rejected. "
            f"{totals['error']} errors, {totals['warning']} warnings, {totals['info']} notes.</p>"
        )
        if self.issues.empty:
            return f"<div>{head}</div>"
        # One file is named above; several are named in each row, as the report shows them.
        columns = ["row", "column", "value", "severity", "message", "fix"]
        shown = self.issues.head(_SUMMARY_ROWS)
        if len(self.files) > 1:
            shown = shown.assign(file=shown["file"].map(names))
            columns.insert(0, "file")
        shown = shown[columns]
        more = len(self.issues) - len(shown)
        tail = f"<p>{more} more issues in <code>.issues</code>.</p>" if more > 0 else ""
        return (
            f"<div>{head}{self.counts.to_html(index=False, escape=True)}"
            f"{shown.to_html(index=False, escape=True, na_rep='')}{tail}</div>"
        )

    def to_json(self, indent: int | None = 2) -> str:
        """The report as JSON: totals, counts and every issue (not the data rows)."""
        issues = self.issues.astype(object).where(self.issues.notna(), None)
        empty, unscorable = self._unanswered()
        data: dict[str, Any] = {
            "source": self.source,
            "files": list(self.files),
            "ok": self.ok,
            "status": self.status,
            "rows_read": self.rows_read,
            "valid_rows": self.rows_valid,
            "rejected_rows": self.rows_rejected,
            "totals": self._totals(),
            "counts": self.counts.to_dict(orient="records"),
            "no_answers": empty,
            "unscorable": unscorable,
            "missing_values": {
                str(k): int(v)
                for k, v in self._counts.groupby("reason", sort=False)["count"].sum().items()
                if v
            },
            "issues": [
                {k: (int(v) if k == "row" and v is not None else v) for k, v in record.items()}
                for record in issues.to_dict(orient="records")
            ],
        }
        return json.dumps(data, indent=indent, ensure_ascii=False, default=str)


def _where(issue: pd.Series, names: Mapping[str, str], *, with_file: bool = True) -> str:
    """Where an issue is: the file as the report shows it, the row, the column."""
    return _place(issue["file"], issue["row"], issue["column"], names, with_file=with_file)


def _place(
    file: Any, row: Any, column: Any, names: Mapping[str, str], *, with_file: bool
) -> str:
    parts = [str(names.get(file, file))] if with_file else []
    if pd.notna(row):
        parts.append(f"row {int(row)}")
    if pd.notna(column) and column:
        parts.append(f"column {column}")
    return ", ".join(parts) or "file"


def shown_files(files: Iterable[str]) -> dict[str, str]:
    """How a report names each file read: from the folder that holds them all.

    One file is shown by its name, several by their paths from the deepest folder they
    share, so that a report never shows where a folder lies on someone's computer (a
    report is shared). A table that is not a file keeps its label (``<DataFrame>``).

    Examples
    --------
    >>> shown_files(["/home/ana/grant/2024/survey.csv"])
    {'/home/ana/grant/2024/survey.csv': 'survey.csv'}
    >>> list(shown_files(["/srv/a/pre.csv", "/srv/b/pre.csv", "<DataFrame>"]).values())
    ['a/pre.csv', 'b/pre.csv', '<DataFrame>']
    """
    labels = list(dict.fromkeys(str(f) for f in files))
    paths = [f for f in labels if not (f.startswith("<") and f.endswith(">"))]
    absolute = [os.path.abspath(p) for p in paths]
    try:
        folder = os.path.commonpath([os.path.dirname(a) for a in absolute]) if paths else ""
    except ValueError:  # paths on different drives share no folder
        folder = ""
    shown = {
        p: os.path.relpath(a, folder) if folder else os.path.basename(a)
        for p, a in zip(paths, absolute, strict=True)
    }
    return {f: shown.get(f, f) for f in labels}
