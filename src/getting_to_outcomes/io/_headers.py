"""Matching the headers of a file to the columns of a data source.

Headers are compared with each column's name, aliases and question text, ignoring case,
spaces and punctuation; survey tools' forms of a header (a Google Forms grid item
``Question [item]``, a Qualtrics matrix item ``Question - item``) are tried as well.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from getting_to_outcomes.definitions.models import DataSource

__all__ = ["HeaderIndex", "HeaderMap", "column_letter", "header_key", "map_headers"]


def header_key(text: str) -> str:
    return re.sub(r"[\W_]+", "", unicodedata.normalize("NFKC", str(text)).casefold())


def _header_forms(text: str) -> list[str]:
    """The header itself, a Google Forms grid item ``Q [item]``, a Qualtrics ``Q - item``."""
    forms = [text]
    bracket = re.fullmatch(r"(.*)\[(.+)\]\s*", text, flags=re.DOTALL)
    if bracket:
        forms.append(bracket.group(2))
    if " - " in text:
        forms.append(text.rsplit(" - ", 1)[1])
    return forms


class HeaderIndex:
    """Source column names, aliases and questions, by their normalised text."""

    def __init__(self, source: DataSource) -> None:
        self.names: dict[str, str] = {}
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
        self.names.pop("", None)

    def match(self, candidates: Sequence[str]) -> str | None:
        for candidate in candidates:
            for form in _header_forms(candidate):
                name = self.names.get(header_key(form))
                if name is not None:
                    return name
        return None

    def score(self, cells: Sequence[Any]) -> int:
        return sum(1 for c in cells if isinstance(c, str) and self.match([c]) is not None)


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
    """

    columns: dict[str, int]
    unknown: list[tuple[int, str]]
    duplicates: list[tuple[int, str, str]]


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

    Examples
    --------
    >>> from getting_to_outcomes import load_framework
    >>> src = load_framework().source("leadership_survey")
    >>> m = map_headers([["Respondent ID"], ["SURVEY WAVE"], ["Favourite colour"]], src)
    >>> m.columns, m.unknown
    ({'person_id': 0, 'survey_wave': 1}, [(2, 'Favourite colour')])
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
    for position, candidates in enumerate(headers):
        texts = [c for c in candidates if c.strip()]
        shown = texts[0] if texts else ""
        name = index.match(texts[::-1] if reverse else texts)
        if name is None:
            unknown.append((position, shown or f"(unnamed column {column_letter(position)})"))
        elif name in columns:
            duplicates.append((position, shown, name))
        else:
            columns[name] = position
    return HeaderMap(columns, unknown, duplicates)
