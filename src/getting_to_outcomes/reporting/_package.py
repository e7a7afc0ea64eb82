"""The report folder as a Frictionless Data Package: ``datapackage.json`` beside the tables."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from getting_to_outcomes.io import data_package, table_resource, table_schema
from getting_to_outcomes.plotting import style as _style
from getting_to_outcomes.reporting._data import Table

if TYPE_CHECKING:
    import pandas as pd

    from getting_to_outcomes.definitions import Framework

__all__ = ["report_package"]

# Tables one column per indicator, whose cells hold a status or a 0-100 score.
_WIDE_STATUS = "statuses"
_WIDE_SCORE = "scores"


def report_package(
    tables: Sequence[Table],
    cells: Mapping[str, pd.DataFrame],
    paths: Mapping[str, Path],
    out: Path,
    meta: Mapping[str, Any],
    framework: Framework | None,
) -> dict[str, Any]:
    """The descriptor of a report's CSV tables (``paths``: table key -> file written).

    ``cells`` holds each table as its CSV file does (formulas neutralised), so that each
    field's type is the type of the cells in the file.
    """
    statuses = list(_style.STATUS_LABELS)
    definitions = ({i.name: i.definition for i in framework.indicators}
                   if framework is not None else {})
    resources = []
    for table in tables:
        others = [str(c) for c in table.frame.columns if c != "group"]
        enums: dict[str, Sequence[str]] = {"status": statuses}
        units: dict[str, str] = {}
        descriptions: dict[str, str] = {}
        if table.key in (_WIDE_STATUS, _WIDE_SCORE):
            descriptions = {c: definitions[c] for c in others if c in definitions}
        if table.key == _WIDE_STATUS:
            enums.update(dict.fromkeys(others, statuses))
        elif table.key == _WIDE_SCORE:
            units = dict.fromkeys(others, "points (0-100)")
        schema = table_schema(cells[table.key], framework=framework, enums=enums,
                              descriptions=descriptions, units=units)
        resources.append(table_resource(
            paths[table.key].relative_to(out).as_posix(), schema, name=table.key,
            title=table.heading, description=table.intro or None, encoding="utf-8-sig"))
    description = ("The tables of the report (also in tables.xlsx and summary.json). "
                   "Values withheld for small groups are blank.")
    return data_package(resources, name=str(meta.get("title") or "report"),
                        title=meta.get("title"), description=description,
                        framework=framework)
