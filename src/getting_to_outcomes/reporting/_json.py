"""``summary.json``: the report's tables as JSON, written as :func:`json.dumps` writes them.

Private: see :func:`getting_to_outcomes.write_report`. ``json.dumps`` with ``indent`` runs
its pure-Python encoder, a generator per value; the tables of a funder report hold a million
values. Their records are flat (JSON scalars only), so each is written here field by field
with the encoder's own scalar functions: the text is the same, byte for byte.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping, Sequence
from json.encoder import encode_basestring
from typing import Any

__all__ = ["dumps_records", "dumps_report", "dumps_tables", "join_report"]


def _float_text(value: float) -> str:
    # As json.encoder's floatstr with allow_nan=True.
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return float.__repr__(value)


_SCALARS: dict[type, Callable[[Any], str]] = {
    str: encode_basestring,
    int: int.__repr__,
    float: _float_text,
    bool: lambda value: "true" if value else "false",
    type(None): lambda value: "null",
}


class _NotFlat(Exception):
    """A record holds a key or value that is not a plain JSON scalar."""


def _dumps(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False, default=str)


def dumps_records(records: Sequence[Mapping[Any, Any]]) -> str:
    """``json.dumps(records, indent=2, ensure_ascii=False, default=str)``, faster for flat
    records (str keys; str, int, float, bool or None values); other records go to
    ``json.dumps`` itself.

    Examples
    --------
    >>> print(dumps_records([{"a": 1, "b": "x"}, {}]))
    [
      {
        "a": 1,
        "b": "x"
      },
      {}
    ]
    """
    if not isinstance(records, list) or not all(type(r) is dict for r in records):
        return _dumps(records)
    keys: dict[Any, str] = {}

    def key_text(key: Any) -> str:
        if type(key) is not str:
            raise _NotFlat
        text = f"    {encode_basestring(key)}: "
        keys[key] = text
        return text

    out = []
    try:
        for record in records:
            if not record:
                out.append("{}")
                continue
            fields = [(keys.get(key) or key_text(key)) + _SCALARS[type(value)](value)
                      for key, value in record.items()]
            out.append("{\n" + ",\n".join(fields) + "\n  }")
    except (KeyError, _NotFlat):
        return _dumps(records)
    return "[\n  " + ",\n  ".join(out) + "\n]" if out else "[]"


def _nested(text: str, level: int) -> str:
    # JSON text holds no raw line break (strings escape theirs), so every line break is
    # the layout's and the text moves right by adding to each.
    return text.replace("\n", "\n" + "  " * level)


def dumps_report(report: Mapping[str, Any], tables: Mapping[str, Sequence[Mapping[Any, Any]]],
                 notes: Sequence[str]) -> str:
    """``json.dumps({"report": report, "tables": tables, "notes": notes}, indent=2,
    ensure_ascii=False, default=str)``.

    Examples
    --------
    >>> text = dumps_report({"title": "Ü"}, {"t": [{"v": 1.5}]}, ["a note"])
    >>> text == json.dumps({"report": {"title": "Ü"}, "tables": {"t": [{"v": 1.5}]},
    ...                     "notes": ["a note"]}, indent=2, ensure_ascii=False, default=str)
    True
    """
    return join_report(report, dumps_tables(tables), notes)


def dumps_tables(tables: Mapping[str, Sequence[Mapping[Any, Any]]]) -> str:
    """The ``"tables"`` part of :func:`dumps_report`, for :func:`join_report`.

    A report writes its tables while its charts are drawn, before it knows the notes.

    Examples
    --------
    >>> print(dumps_tables({"t": [{"v": 1}]}))
    {
        "t": [
          {
            "v": 1
          }
        ]
      }
    """
    if not tables:
        return "{}"
    inner = ",\n    ".join(f"{encode_basestring(str(key))}: "
                           f"{_nested(dumps_records(records), 2)}"
                           for key, records in tables.items())
    return "{\n    " + inner + "\n  }"


def join_report(report: Mapping[str, Any], tables_text: str, notes: Sequence[str]) -> str:
    """:func:`dumps_report` of ``report``, tables already written by :func:`dumps_tables`,
    and ``notes``.

    Examples
    --------
    >>> tables = {"t": [{"v": 1.5}]}
    >>> join_report({"title": "x"}, dumps_tables(tables), []) == dumps_report(
    ...     {"title": "x"}, tables, [])
    True
    """
    return ("{\n  \"report\": " + _nested(_dumps(report), 1)
            + ",\n  \"tables\": " + tables_text
            + ",\n  \"notes\": " + _nested(_dumps(list(notes)), 1) + "\n}")
