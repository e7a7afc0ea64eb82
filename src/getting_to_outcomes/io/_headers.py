"""Matching the headers of a file to the columns of a data source.

Headers are compared with each column's name, aliases and question text, ignoring case,
spaces and punctuation; survey tools' forms of a header are tried as well:

- a Google Forms grid item ``Question [item]``, a Qualtrics matrix item ``Question - item``;
- a group path, as KoboToolbox and Ona write it (``group/question``, names or labels) and
  ODK Central (``group-question``): the question is found at the end of the path;
- one 0/1 column per option of a select-multiple question (``question/option``, or
  ``question-option``);
- the metadata columns that each tool adds to an export (``_id``, ``_uuid``,
  ``SubmissionDate``, ``meta-instanceID``, ``KEY``, ``start``, ``deviceid``...): they are
  recognised as such, never taken for a column of the source (``_id`` is not a person id).

The metadata columns follow the export layouts that the tools document: KoboToolbox's
CSV and XLSX exports, ODK Central's CSV export (the ODK Briefcase layout with Central's
own columns), SurveyCTO's exported data, and Ona's CSV export; plus the XLSForm metadata
questions (``start``, ``end``, ``today``, ``deviceid``...) that any of them may carry.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import numpy as np
import pandas as pd

from getting_to_outcomes.definitions.models import Column, DataSource

__all__ = [
    "TOOL_METADATA",
    "HeaderIndex",
    "HeaderMap",
    "column_letter",
    "header_key",
    "join_options",
    "map_headers",
    "tool_of",
]

_KOBO = "KoboToolbox"
_ODK = "ODK Central"
_CTO = "SurveyCTO"
_ONA = "Ona"
_XLSFORM = "XLSForm metadata"
#: Metadata columns of survey-tool exports, by their exact header (case ignored), with the
#: tools that write them. They are recognised before aliases and question texts, so that
#: ``_id`` (a submission number) is never read as the person id that an alias ``ID`` names.
TOOL_METADATA: Final[dict[str, tuple[str, ...]]] = {
    # KoboToolbox and Ona (both descend from formhub): underscored system columns.
    **{
        name: (_KOBO, _ONA)
        for name in (
            "_id",
            "_uuid",
            "_submission_time",
            "_index",
            "_parent_index",
            "_parent_table_name",
            "_validation_status",
            "_status",
            "_submitted_by",
            "__version__",
            "_version",
            "_notes",
            "_tags",
            "_attachments",
            "_geolocation",
            "_xform_id_string",
            "_xform_id",
            "_date_modified",
            "_duration",
            "_total_media",
            "_media_count",
            "_media_all_received",
            "_edited",
            "_last_edited",
            "_review_status",
            "_review_comment",
            "_bamboo_dataset_id",
            "_deleted_at",
            "meta/instanceid",
            "meta/instancename",
            "meta/rootuuid",
            "meta/deprecatedid",
            "meta/audit",
            "formhub/uuid",
        )
    },
    # ODK Central's CSV export (group paths joined by "-").
    **{
        name: (_ODK,)
        for name in (
            "submissiondate",
            "meta-instanceid",
            "meta-instancename",
            "meta-audit",
            "meta-deprecatedid",
            "key",
            "parent_key",
            "submitterid",
            "submittername",
            "attachmentspresent",
            "attachmentsexpected",
            "status",
            "reviewstate",
            "deviceid",
            "edits",
            "formversion",
            "isvalidated",
        )
    },
    # SurveyCTO's exported data.
    **{
        name: (_CTO,)
        for name in (
            "completiondate",
            "starttime",
            "endtime",
            "simid",
            "devicephonenum",
            "duration",
            "caseid",
            "instanceid",
            "instancename",
            "formdef_version",
            "review_quality",
            "review_status",
            "review_comments",
            "review_corrections",
            "text_audit",
        )
    },
    # XLSForm metadata questions, in any tool's export.
    **{
        name: (_XLSFORM,)
        for name in (
            "start",
            "end",
            "today",
            "username",
            "email",
            "simserial",
            "subscriberid",
            "phonenumber",
            "audit",
            "start-geopoint",
        )
    },
}
TOOL_METADATA["submissiondate"] = (_ODK, _CTO)
TOOL_METADATA["key"] = (_ODK, _CTO)
TOOL_METADATA["deviceid"] = (_XLSFORM, _ODK)
# Columns of other tools' exports (Qualtrics, SurveyMonkey, Google Forms), compared after
# the source's own columns: several are aliases of a column ("EndDate" is a survey date).
_LATE_TOOL_KEYS: Final = frozenset(
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
_LATE_TOOLS: Final = ("Qualtrics", "SurveyMonkey", "Google Forms")
#: Separators of group paths and of select-multiple option columns: KoboToolbox and Ona
#: write ``/``, ODK Central ``-``.
_PATH_SEPARATORS: Final = ("/", "-")
_CHOSEN: Final = frozenset({"1", "1.0", "true", "yes"})
_NOT_CHOSEN: Final = frozenset({"0", "0.0", "false", "no"})


def header_key(text: str) -> str:
    return re.sub(r"[\W_]+", "", unicodedata.normalize("NFKC", str(text)).casefold())


def _exact(text: str) -> str:
    return unicodedata.normalize("NFKC", str(text)).strip().casefold()


def tool_of(header: str) -> tuple[str, ...] | None:
    """The tools whose exports carry ``header`` as a metadata column, or None.

    Examples
    --------
    >>> tool_of("_submission_time"), tool_of("meta-instanceID"), tool_of("k1")
    (('KoboToolbox', 'Ona'), ('ODK Central',), None)
    """
    tools = _early_tool(header)
    if tools is None and header_key(header) in _LATE_TOOL_KEYS:
        return _LATE_TOOLS
    return tools


def _early_tool(header: str) -> tuple[str, ...] | None:
    text = _exact(header)
    tools = TOOL_METADATA.get(text)
    if tools is not None:
        return tools
    # Kobo splits a geopoint into _<name>_latitude, _<name>_longitude...
    if re.fullmatch(r"_.+_(latitude|longitude|altitude|precision)", text):
        return (_KOBO, _ONA)
    return None


def _header_forms(text: str) -> list[str]:
    """The header itself, a Google Forms grid item ``Q [item]``, a Qualtrics ``Q - item``."""
    forms = [text]
    bracket = re.fullmatch(r"(.*)\[(.+)\]\s*", text, flags=re.DOTALL)
    if bracket:
        forms.append(bracket.group(2))
    if " - " in text:
        forms.append(text.rsplit(" - ", 1)[1])
    return forms


def _path_tails(text: str) -> list[str]:
    """The ends of a group path, longest first: ``a/b/c`` gives ``b/c`` and ``c``."""
    tails: list[str] = []
    for separator in _PATH_SEPARATORS:
        parts = text.split(separator)
        tails += [separator.join(parts[k:]) for k in range(1, len(parts))]
    return [t for t in tails if t.strip()]


def _humanised(value: str) -> str:
    return value.replace("_", " ").strip().capitalize()


class HeaderIndex:
    """Source column names, aliases and questions, by their normalised text."""

    def __init__(self, source: DataSource) -> None:
        self.names: dict[str, str] = {}
        # Headers written exactly as a name, alias or question: these win over a tool's
        # metadata column of the same spelling (an alias "Status" of a stage column).
        self.exact: dict[str, str] = {}
        # Names first, then aliases, then question texts: the first claim wins.
        for claim in ("name", "aliases", "question"):
            for column in source.columns:
                texts = {
                    "name": [column.name],
                    "aliases": list(column.aliases),
                    "question": [column.question] if column.question else [],
                }[claim]
                for text in texts:
                    self.names.setdefault(header_key(text), column.name)
                    self.exact.setdefault(_exact(text), column.name)
        self.names.pop("", None)
        # The answers of category columns, by their normalised spellings (name, label as
        # an XLSForm shows it, value aliases): what a select-multiple option column names.
        self.options: dict[str, dict[str, str]] = {
            c.name: _option_keys(c) for c in source.columns if c.type == "category"
        }

    def _direct(self, text: str) -> str | None:
        for form in _header_forms(text):
            name = self.names.get(header_key(form))
            if name is not None:
                return name
        return None

    def match(self, candidates: Sequence[str]) -> str | None:
        for candidate in candidates:
            name = self._direct(candidate)
            if name is not None:
                return name
        for candidate in candidates:
            for tail in _path_tails(candidate):
                name = self._direct(tail)
                if name is not None:
                    return name
        return None

    def option(self, candidates: Sequence[str]) -> tuple[str, str] | None:
        """(column, answer) of a select-multiple option column ``question/option``."""
        for candidate in candidates:
            for separator in _PATH_SEPARATORS:
                parts = candidate.split(separator)
                for k in range(len(parts) - 1, 0, -1):
                    head, tail = separator.join(parts[:k]), separator.join(parts[k:])
                    name = self.match([head])
                    answer = self.options.get(name or "", {}).get(header_key(tail))
                    if name is not None and answer is not None:
                        return name, answer
        return None

    def score(self, cells: Sequence[Any]) -> int:
        return sum(1 for c in cells if isinstance(c, str) and self.match([c]) is not None)


def _option_keys(column: Column) -> dict[str, str]:
    keys: dict[str, str] = {}
    for value in column.allowed or []:
        text = str(value)
        for spelling in (text, _humanised(text), *column.value_aliases.get(text, [])):
            keys.setdefault(header_key(spelling), text)
    keys.pop("", None)
    return keys


@dataclass(frozen=True)
class HeaderMap:
    """How the columns of a file map to the columns of a source.

    Attributes
    ----------
    columns : dict
        Canonical column name -> position of the file column used for it.
    unknown : list of (position, header)
        File columns that match no column of the source.
    duplicates : list of (position, header, canonical name)
        File columns that match a column already matched by an earlier one.
    metadata : list of (position, header)
        Columns that survey tools add to an export (submission ids, times, devices).
    options : dict
        Canonical column name -> ``[(position, answer), ...]``: the 0/1 columns of a
        select-multiple question, one per answer (``question/answer``).
    """

    columns: dict[str, int]
    unknown: list[tuple[int, str]]
    duplicates: list[tuple[int, str, str]]
    metadata: list[tuple[int, str]] = field(default_factory=list)
    options: dict[str, list[tuple[int, str]]] = field(default_factory=dict)

    @property
    def joined(self) -> dict[str, list[tuple[int, str]]]:
        """The option columns of the columns that the file has only as option columns."""
        return {name: opts for name, opts in self.options.items() if name not in self.columns}


def column_letter(position: int) -> str:
    """Spreadsheet letter of a 0-based column position.

    Examples
    --------
    >>> column_letter(0), column_letter(25), column_letter(26)
    ('A', 'Z', 'AA')
    """
    letters = ""
    n = position + 1
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def map_headers(headers: Sequence[Sequence[str]], source: DataSource) -> HeaderMap:
    """Match file headers to the columns of ``source``.

    Each file column may offer several header texts: its header, then question texts
    from extra header rows or SPSS labels. They are compared with the source's column
    names, aliases and questions, ignoring case, spaces and punctuation. Headers are
    tried first, then question texts first (survey tools put internal ids such as
    ``Q1`` in the header row); the reading that recognises more columns wins.

    A header that is exactly a column's name, alias or question is that column;
    otherwise a survey tool's metadata column (:data:`TOOL_METADATA`) is metadata;
    otherwise the header, then the end of its group path, is compared with names,
    aliases and questions; otherwise it may be one 0/1 column of a select-multiple
    question (``question/answer``).

    Examples
    --------
    >>> from getting_to_outcomes import load_framework
    >>> src = load_framework().source("leadership_survey")
    >>> m = map_headers([["Respondent ID"], ["SURVEY WAVE"], ["Favourite colour"]], src)
    >>> m.columns, m.unknown
    ({'person_id': 0, 'survey_wave': 1}, [(2, 'Favourite colour')])
    >>> kobo = map_headers([["_id"], ["person_id"], ["grp_know/k1_district_decisions"]], src)
    >>> kobo.columns, kobo.metadata
    ({'person_id': 1, 'k1_district_decisions': 2}, [(0, '_id')])
    >>> map_headers([["race_ethnicity-black"], ["race_ethnicity-latino"]], src).options
    {'race_ethnicity': [(0, 'black'), (1, 'latino')]}
    """
    index = HeaderIndex(source)
    header_first = _map(headers, index, reverse=False)
    if all(len(h) <= 1 for h in headers):
        return header_first
    text_first = _map(headers, index, reverse=True)
    better = (len(text_first.columns), -len(text_first.duplicates)) > (
        len(header_first.columns),
        -len(header_first.duplicates),
    )
    return text_first if better else header_first


def _map(headers: Sequence[Sequence[str]], index: HeaderIndex, *, reverse: bool) -> HeaderMap:
    columns: dict[str, int] = {}
    unknown: list[tuple[int, str]] = []
    duplicates: list[tuple[int, str, str]] = []
    metadata: list[tuple[int, str]] = []
    options: dict[str, list[tuple[int, str]]] = {}
    for position, candidates in enumerate(headers):
        texts = [c for c in candidates if c.strip()]
        shown = texts[0] if texts else ""
        ordered = texts[::-1] if reverse else texts
        name = next((index.exact[k] for k in map(_exact, ordered) if k in index.exact), None)
        if name is None and shown and _early_tool(shown) is not None:
            metadata.append((position, shown))
            continue
        if name is None:
            name = index.match(ordered)
        if name is None:
            option = index.option(ordered)
            if option is not None:
                options.setdefault(option[0], []).append((position, option[1]))
                continue
            if shown and header_key(shown) in _LATE_TOOL_KEYS:
                metadata.append((position, shown))
            else:
                unknown.append((position, shown or f"(unnamed column {column_letter(position)})"))
        elif name in columns:
            duplicates.append((position, shown, name))
        else:
            columns[name] = position
    return HeaderMap(columns, unknown, duplicates, metadata, options)


def join_options(frame: pd.DataFrame, options: Sequence[tuple[int, str]]) -> pd.Series:
    """One select-multiple answer per row from its 0/1 option columns.

    The answers whose cell is 1 (``True``, ``yes``) are joined by spaces, as the tools
    write a select-multiple answer in one column; a row whose option cells are all blank
    is blank, and one whose cells are all 0 chose nothing (blank too). A cell that is
    neither 0 nor 1 is kept as it is, so that validation shows it.

    Examples
    --------
    >>> cells = pd.DataFrame({0: ["1", "0", None, "x"], 1: ["1", "1", None, "0"]})
    >>> join_options(cells, [(0, "black"), (1, "latino")]).tolist()
    ['black latino', 'latino', None, 'x']
    """
    out: list[Any] = []
    columns = [frame[position].tolist() for position, _ in options]
    answers = [answer for _, answer in options]
    for cells in zip(*columns, strict=True):
        chosen: list[str] = []
        odd: str | None = None
        for answer, cell in zip(answers, cells, strict=True):
            text = _option_text(cell)
            if text in _CHOSEN:
                chosen.append(answer)
            elif text and text not in _NOT_CHOSEN and odd is None:
                odd = str(cell).strip()
        out.append(odd if odd is not None else (" ".join(chosen) or None))
    return pd.Series(np.array(out, dtype=object), index=frame.index, dtype=object)


def _option_text(cell: Any) -> str:
    if cell is None or (isinstance(cell, float) and cell != cell):
        return ""
    if isinstance(cell, bool | np.bool_):
        return "true" if cell else "false"
    return str(cell).strip().casefold()
