"""Survey-tool exports made from clean rows, in each tool's documented layout.

Each function writes what the tool's export of a form with these questions would hold:
the answers under the form's field names, group paths joined as the tool joins them, and
the tool's own metadata columns with plausible values (submission numbers, uuids, times,
device ids). The layouts follow the tools' documentation:

- KoboToolbox, *Data > Downloads* (CSV or XLS; "XML values and headers" or labels;
  groups included, separator ``/``; select-multiple "single and separate columns"):
  ``start``, ``end``... then the fields, then ``__version__``, ``meta/instanceID``,
  ``_id``, ``_uuid``, ``_submission_time``, ``_validation_status``, ``_notes``,
  ``_status``, ``_submitted_by``, ``_tags``, ``_index``.
- ODK Central, *Submissions > Download > CSV* (the Briefcase layout: ``SubmissionDate``,
  the fields with group paths joined by ``-``, ``meta-instanceID``, ``KEY``, then Central's
  ``SubmitterID``, ``SubmitterName``, ``AttachmentsPresent``, ``AttachmentsExpected``,
  ``Status``, ``ReviewState``, ``DeviceID``, ``Edits``, ``FormVersion``); select-multiple
  choices split into ``question/choice`` columns on request.
- SurveyCTO, exported wide CSV: field names without groups, with ``SubmissionDate``,
  ``CompletionDate``, ``starttime``, ``endtime``, ``deviceid``..., ``instanceID``,
  ``formdef_version``, ``review_status``, ``KEY``.
- Ona, CSV export: Kobo's layout with Ona's system columns (``_xform_id``, ``_duration``,
  ``_media_count``...) and select-multiple split into ``question/choice`` columns holding
  ``True``/``False``.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from getting_to_outcomes import Framework, validate

KOBO_META = [
    "__version__",
    "meta/instanceID",
    "_id",
    "_uuid",
    "_submission_time",
    "_validation_status",
    "_notes",
    "_status",
    "_submitted_by",
    "_tags",
    "_index",
]
ODK_CENTRAL_META = [
    "meta-instanceID",
    "KEY",
    "SubmitterID",
    "SubmitterName",
    "AttachmentsPresent",
    "AttachmentsExpected",
    "Status",
    "ReviewState",
    "DeviceID",
    "Edits",
    "FormVersion",
]
SURVEYCTO_META = ["instanceID", "formdef_version", "review_status", "KEY"]
ONA_META = [
    "meta/instanceID",
    "_id",
    "_uuid",
    "_submission_time",
    "_date_modified",
    "_tags",
    "_notes",
    "_version",
    "_duration",
    "_submitted_by",
    "_total_media",
    "_media_count",
    "_media_all_received",
    "_xform_id",
]
#: XLSForm metadata questions a form usually starts with (Kobo adds them by default).
FORM_META = ["start", "end", "today", "deviceid"]


def _uuids(n: int, seed: int) -> list[str]:
    rng = np.random.default_rng(seed)
    return [str(uuid.UUID(bytes=bytes(rng.integers(0, 256, 16, dtype=np.uint8)), version=4))
            for _ in range(n)]


def _meta_values(name: str, n: int) -> list[object]:
    """Plausible values of a metadata column (submission numbers look like ids on purpose)."""
    times = pd.date_range("2024-03-01 09:00", periods=n, freq="17min")
    key = name.casefold().lstrip("_")
    if key in ("id", "index", "submitterid", "edits"):
        return list(range(1, n + 1))
    if key in ("uuid", "meta/instanceid", "meta-instanceid", "key", "instanceid"):
        return [f"uuid:{u}" if "instance" in key or key == "key" else u for u in _uuids(n, 7)]
    if key in ("submission_time", "submissiondate", "date_modified", "completiondate"):
        return [t.isoformat() for t in times]
    if key in ("start", "starttime"):
        return [(t - pd.Timedelta(minutes=12)).isoformat() for t in times]
    if key in ("end", "endtime"):
        return [(t - pd.Timedelta(minutes=1)).isoformat() for t in times]
    if key == "today":
        return [t.date().isoformat() for t in times]
    if key in ("deviceid",):
        return [f"collect:{k % 7:04d}" for k in range(n)]
    if key in ("submitted_by", "submittername", "xform_id"):
        return ["enumerator1"] * n
    if key in ("validation_status", "notes", "tags", "status", "reviewstate"):
        return [""] * n
    return ["1"] * n


def _field_header(name: str, groups: Mapping[str, str], separator: str) -> str:
    group = groups.get(name, "")
    return f"{group}{separator}{name}" if group else name


def tool_export(
    rows: pd.DataFrame,
    tool: str,
    path: Path,
    *,
    groups: Mapping[str, str] | None = None,
    headers: Mapping[str, str] | None = None,
    options: Mapping[str, Sequence[str]] | None = None,
    single_column: bool = True,
    delimiter: str = ",",
) -> Path:
    """Write ``rows`` (answers under the form's field names) as ``tool`` exports them.

    ``groups`` gives the group path of each field, ``headers`` other header texts (labels
    instead of names), ``options`` the answers of select-multiple fields: their 0/1
    columns are written after the field, and the field itself only if ``single_column``.
    """
    groups = groups or {}
    headers = headers or {}
    options = options or {}
    n = len(rows)
    separator = {"kobo": "/", "ona": "/", "odk_central": "-", "surveycto": ""}[tool]
    out: dict[str, list[object]] = {}
    front = {
        "kobo": FORM_META,
        "ona": FORM_META,
        "odk_central": ["SubmissionDate", *FORM_META],
        "surveycto": ["SubmissionDate", "CompletionDate", "starttime", "endtime", "deviceid"],
    }[tool]
    back = {
        "kobo": KOBO_META,
        "ona": ONA_META,
        "odk_central": ODK_CENTRAL_META,
        "surveycto": SURVEYCTO_META,
    }[tool]
    for name in front:
        out[name] = _meta_values(name, n)
    for name in rows.columns:
        header = headers.get(name) or (
            _field_header(name, groups, separator) if separator else name
        )
        values = rows[name].astype(object).where(rows[name].notna(), "").tolist()
        if name not in options or single_column:
            out[header] = values
        for answer in options.get(name, []):
            chosen = [answer in str(v).split() if v != "" else None for v in values]
            if tool == "ona":
                cells: list[object] = ["" if c is None else ("True" if c else "False")
                                       for c in chosen]
            else:
                cells = ["" if c is None else int(c) for c in chosen]
            out[f"{header}{separator or '_'}{answer}"] = cells
    for name in back:
        out[name] = _meta_values(name, n)
    frame = pd.DataFrame(out)
    if path.suffix == ".xlsx":
        frame.to_excel(path, index=False)
    else:
        frame.to_csv(path, index=False, sep=delimiter)
    return path


def reasons(report: Any, reason: str) -> pd.DataFrame:
    """The issues of a validation report with this reason."""
    issues: pd.DataFrame = report.issues
    return issues[issues["reason"] == reason]


def same_answers(report: Any, rows: pd.DataFrame, framework: Framework, source: str) -> None:
    """Every row and every answer of an export is what validating the rows themselves gives."""
    reference = validate(rows, framework, source=source)
    assert report.rows_read == len(rows)
    pd.testing.assert_frame_equal(report.valid_rows, reference.valid_rows)
    pd.testing.assert_frame_equal(report.missing, reference.missing)
    assert reasons(report, "unknown_column").empty
    assert reasons(report, "missing_column").empty
    assert reasons(report, "absent_column").empty
