"""summary.json is written field by field, and reads exactly as json.dumps would write it."""

from __future__ import annotations

import json
import math

import pytest

from getting_to_outcomes.reporting._json import dumps_records, dumps_report


def _reference(value: object) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False, default=str)


RECORDS = [
    {"text": 'quote " backslash \\ slash / tab \t line\nbreak \r bell \x07', "n": 3,
     "value": 0.1 + 0.2, "tiny": 1.5e-05, "big": 1e16, "negative": -0.0, "flag": True,
     "off": False, "blank": None},
    {"text": "Ünïcödé ✓ 名前 \u2028 \U0001F600", "n": -12345678901234567890, "value": math.nan,
     "tiny": math.inf, "big": -math.inf, "negative": 0, "flag": False, "off": True,
     "blank": ""},
    {},
]


@pytest.mark.parametrize("records", [RECORDS, [], [{}], RECORDS[:1]])
def test_flat_records_are_written_as_json_dumps_writes_them(records: list) -> None:
    assert dumps_records(records) == _reference(records)


@pytest.mark.parametrize("odd", [
    [{"nested": [1, {"a": 2}]}],   # a list in a cell
    [{1: "a number as key"}],      # json.dumps turns the key to text
    [{"when": object}],            # default=str
    ({"a": 1},),                   # not a list
])
def test_records_that_are_not_flat_go_to_json_dumps(odd: object) -> None:
    assert dumps_records(odd) == _reference(odd)  # type: ignore[arg-type]


def test_the_whole_file_is_json_dumps_of_report_tables_and_notes() -> None:
    report = {"title": "Réseau: \"network\"", "periods": ["pre", "post"], "confidence": 0.95,
              "empty": {}, "none": []}
    tables = {"indicators": RECORDS, "empty": [], "oddly named \n": [{"x": 1}]}
    notes = ["a note", "ünïcode"]
    expected = _reference({"report": report, "tables": tables, "notes": notes})
    assert dumps_report(report, tables, notes) == expected
    assert dumps_report(report, {}, []) == _reference(
        {"report": report, "tables": {}, "notes": []})
