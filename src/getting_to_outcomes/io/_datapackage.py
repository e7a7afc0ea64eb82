"""Frictionless Data Packages: folders of tables that describe themselves.

A ``datapackage.json`` beside the tables says, for each CSV file, what its columns hold
(Table Schema: type, allowed values, missing-value codes, primary key, units and a
description), so that another program can check the files without this library. The
descriptors follow the Data Package standard, version 2 (https://datapackage.org), and are
built as plain dictionaries: writing one needs nothing beyond the standard library.

Two kinds of table are described:

* rows of a data source (what ``gto validate --out-valid`` writes): the schema comes from
  the framework's declaration of the source (:func:`source_schema`);
* result tables (what a report writes): the types come from the table itself, the
  descriptions, units and allowed values of the columns the library names from the
  framework and :mod:`getting_to_outcomes.columns` (:func:`table_schema`).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import pandas as pd

from getting_to_outcomes.io._atomic import write_bytes_atomic

if TYPE_CHECKING:
    from getting_to_outcomes.definitions import Framework
    from getting_to_outcomes.definitions.models import Column, DataSource

__all__ = [
    "DATA_PACKAGE",
    "DATA_PACKAGE_PROFILE",
    "data_package",
    "source_schema",
    "table_resource",
    "table_schema",
    "write_data_package",
]

#: File name of the descriptor that frictionless and other tools look for.
DATA_PACKAGE: Final = "datapackage.json"
#: The profile the descriptors follow (Data Package 2.0).
DATA_PACKAGE_PROFILE: Final = "https://datapackage.org/profiles/2.0/datapackage.json"

_TYPES: Final = {
    "string": "string",
    "integer": "integer",
    "number": "number",
    "boolean": "boolean",
    "date": "date",
}
_BLANK: Final = {"value": "", "label": "blank: no value"}

# Columns of the library's result tables (columns.py) that mean the same in every table.
_RESULT_FIELDS: Final[dict[str, dict[str, str]]] = {
    "framework_id": {"description": "Id of the framework the values were scored with."},
    "framework_version": {"description": "Version of that framework."},
    "group": {"description": "The group a row describes (an organization by default); "
              "'network' is every group pooled."},
    "period": {"description": "Period or wave of the value."},
    "baseline_period": {"description": "Period the change is measured from."},
    "realm": {"description": "Realm of the indicator: individual, community or policy."},
    "zone": {"description": "Zone of the theory of change (id)."},
    "stop": {"description": "Stop of the theory of change (id)."},
    "indicator": {"description": "Name of the indicator."},
    "indicator_id": {"description": "Stable id of the indicator."},
    "indicator_version": {"description": "Version of the indicator's definition."},
    "kind": {"description": "Kind of measure (scale, count, proportion, rate, mean, level, "
             "milestone)."},
    "unit": {"description": "Unit of value, ci_low, ci_high, baseline_value, change and "
             "target."},
    "direction": {"description": "Which way is progress: increase, decrease or maintain."},
    "subgroup_dimension": {"description": "'all' for the whole group, else the column the "
                           "row is broken down by."},
    "subgroup": {"description": "'all', else the subgroup's value."},
    "n": {"description": "Number of units (people, events...) the value comes from.",
          "unit": "units"},
    "value": {"description": "The indicator's value in the period, in its unit."},
    "ci_low": {"description": "Lower end of the confidence interval of value."},
    "ci_high": {"description": "Upper end of the confidence interval of value."},
    "baseline_n": {"description": "Number of units at baseline.", "unit": "units"},
    "baseline_value": {"description": "The value at baseline, in the indicator's unit."},
    "design": {"description": "How the change was estimated: paired, independent or none."},
    "n_pairs": {"description": "Units seen both at baseline and now.", "unit": "units"},
    "change": {"description": "Value now minus value at baseline, in the indicator's unit."},
    "change_ci_low": {"description": "Lower end of the confidence interval of change."},
    "change_ci_high": {"description": "Upper end of the confidence interval of change."},
    "test": {"description": "Test of the change."},
    "statistic": {"description": "Test statistic."},
    "p_value": {"description": "p-value of the test."},
    "p_adjusted": {"description": "p-value adjusted for the number of indicators tested."},
    "effect_size": {"description": "Standardised size of the change."},
    "effect_size_name": {"description": "Which effect size (e.g. hedges_g)."},
    "target": {"description": "Target for the period, in the indicator's unit."},
    "progress": {"description": "Share of the way from baseline to target.",
                 "unit": "share (1 = target reached)"},
    "status": {"description": "Progress status from the framework's status rules."},
    "status_method": {"description": "Rule that gave the status."},
    "status_uncertain": {"description": "True when the confidence interval spans more than "
                         "one status."},
    "rubric_level": {"description": "Rubric level reached."},
    "score_0_100": {"description": "Progress as a score from 0 to 100.", "unit": "points"},
    "reliability": {"description": "Internal consistency of a scale (Cronbach's alpha)."},
    "reliability_ci_low": {"description": "Lower end of the interval of reliability."},
    "reliability_ci_high": {"description": "Upper end of the interval of reliability."},
    "reliability_flag": {"description": "Reliability below the indicator's threshold."},
    "suppressed": {"description": "True when the value is withheld because it comes from "
                   "fewer units than the indicator's min_n."},
    "suppression_reason": {"description": "Why the value is withheld."},
    "notes": {"description": "Notes on the value."},
    "level": {"description": "Roll-up level: stop, zone or realm."},
    "level_id": {"description": "Id of the stop, zone or realm."},
    "level_name": {"description": "Name of the stop, zone or realm."},
    "n_indicators_defined": {"description": "Indicators the framework defines there.",
                             "unit": "indicators"},
    "n_indicators_with_data": {"description": "Indicators with a value.",
                               "unit": "indicators"},
    "indicators_defined": {"description": "Indicators the framework defines.",
                           "unit": "indicators"},
    "indicators_with_data": {"description": "Indicators with a value.",
                             "unit": "indicators"},
    "coverage": {"description": "Share of the indicators defined that have a value.",
                 "unit": "share (0-1)"},
    "cells_withheld": {"description": "Values withheld for small groups.", "unit": "values"},
    "reliability_flags": {"description": "Scales below their reliability threshold.",
                          "unit": "scales"},
    "median_n": {"description": "Median number of units per value.", "unit": "units"},
    "periods": {"description": "Periods with data."},
    "rank": {"description": "Rank among the groups (1 = best).", "unit": "rank"},
    "rank_best": {"description": "Best rank within the uncertainty of the value.",
                  "unit": "rank"},
    "rank_worst": {"description": "Worst rank within the uncertainty of the value.",
                   "unit": "rank"},
    "item": {"description": "Survey item (column of the data source)."},
    "code": {"description": "Answer code."},
    "label": {"description": "Label of the answer code."},
    "count": {"description": "Number of answers.", "unit": "answers"},
    "share": {"description": "Share of the answers.", "unit": "share (0-1)"},
    "note": {"description": "Data-quality note."},
}
_RESULT_KEYS: Final = ("group", "indicator_id", "level", "level_id", "period",
                       "subgroup_dimension", "subgroup", "item", "code", "stage")


def _name(text: str) -> str:
    """A resource or package name as the standard asks: lower case, digits, ``-._``."""
    name = re.sub(r"[^a-z0-9._-]+", "-", text.casefold()).strip("-")
    return name or "table"


def _scalar(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _missing_values(codes: Iterable[tuple[str, str]]) -> list[dict[str, str]]:
    entries = [dict(_BLANK)]
    for value, reason in codes:
        if value not in (e["value"] for e in entries):
            # Labels must be unique in a field: the reason, then the code it is read from.
            entries.append({"value": value, "label": f"{reason}: {value}"})
    return entries


def _column_field(column: Column, framework: Framework) -> dict[str, Any]:
    """One field of a source's Table Schema, from the framework's declaration."""
    constraints: dict[str, Any] = {}
    description = column.question or ""
    codes = [(str(m.value), m.reason) for m in column.missing_codes]
    unit: str | None = None
    if column.type == "likert":
        scale = framework.scale(str(column.scale))
        kind = "integer"
        constraints["enum"] = [c.code for c in scale.codes]
        labels = "; ".join(f"{c.code} = {c.label}" for c in scale.codes)
        description = f"{description} ({scale.name}: {labels})".strip()
        codes += [(str(m.value), m.reason) for m in scale.missing]
        unit = scale.name
    elif column.type == "category":
        allowed = list(column.allowed or [])
        numeric = all(isinstance(a, int) and not isinstance(a, bool) for a in allowed)
        kind = "integer" if numeric else "string"
        constraints["enum"] = allowed if numeric else [str(a) for a in allowed]
    else:
        kind = _TYPES[column.type]
    if column.required:
        constraints["required"] = True
    if kind in ("integer", "number", "date"):
        if column.min is not None:
            constraints["minimum"] = _scalar(column.min)
        if column.max is not None:
            constraints["maximum"] = _scalar(column.max)
    if column.personal:
        description = f"{description} Identifies a person.".strip()
    field: dict[str, Any] = {"name": column.name, "type": kind}
    if column.question:
        field["title"] = column.question
    if description:
        field["description"] = description
    if unit is not None:
        field["unit"] = unit
    if constraints:
        field["constraints"] = constraints
    field["missingValues"] = _missing_values(codes)
    return field


def source_schema(
    source: str | DataSource,
    framework: Framework,
    *,
    columns: Sequence[str] | None = None,
) -> dict[str, Any]:
    """The Table Schema of a data source's rows, from the framework's declaration.

    Column types become Table Schema types (a Likert item an integer whose allowed values
    are its scale's codes, a category a string or integer with its allowed values), the
    ``min``/``max`` of a column its ``minimum``/``maximum``, its own and its scale's missing
    codes its ``missingValues``, and the source's keys the primary key.

    Parameters
    ----------
    source : str or DataSource
        The data source, or its id in ``framework``.
    framework : Framework
        The framework declaring it.
    columns : sequence of str, optional
        The columns of the table, in order, when it does not hold exactly the source's
        columns: a name the source does not declare becomes a string field, and the
        source's columns missing from the table are left out.

    Returns
    -------
    dict
        A Table Schema (Data Package 2.0) as plain data, ready for ``json.dumps``.

    Examples
    --------
    >>> from getting_to_outcomes import load_framework
    >>> schema = source_schema("leadership_survey", load_framework())
    >>> schema["primaryKey"]
    ['org_id', 'person_id', 'survey_wave']
    >>> k1 = next(f for f in schema["fields"] if f["name"] == "k1_district_decisions")
    >>> k1["type"], k1["constraints"]["enum"]
    ('integer', [1, 2, 3, 4, 5])
    """
    src = framework.source(source) if isinstance(source, str) else source
    declared = {c.name: c for c in src.columns}
    names = list(declared) if columns is None else [str(c) for c in columns]
    fields: list[dict[str, Any]] = []
    for name in names:
        if name in declared:
            fields.append(_column_field(declared[name], framework))
        else:
            fields.append({"name": name, "type": "string",
                           "description": f"Not a column of the source {src.id!r}."})
    schema: dict[str, Any] = {"fields": fields, "missingValues": [""]}
    if all(k in names for k in src.keys):
        schema["primaryKey"] = list(src.keys)
    return schema


def _infer_type(series: pd.Series) -> str:
    """The Table Schema type a column's values have once written as CSV."""
    values = series.dropna()
    if pd.api.types.is_bool_dtype(series):
        return "boolean"
    if pd.api.types.is_integer_dtype(series):
        return "integer"
    if pd.api.types.is_float_dtype(series):
        return "number"
    if pd.api.types.is_datetime64_any_dtype(series):
        stamps = pd.to_datetime(values)
        whole_days = bool((stamps == stamps.dt.normalize()).all())
        return "date" if whole_days else "datetime"
    if values.empty:
        return "string"
    items = list(values)
    if all(isinstance(v, bool) for v in items):
        return "boolean"
    if all(isinstance(v, int) and not isinstance(v, bool) for v in items):
        return "integer"
    if all(isinstance(v, int | float) and not isinstance(v, bool) for v in items):
        return "number" if all(math.isfinite(float(v)) for v in items) else "string"
    return "string"


def _vocabulary(framework: Framework | None) -> dict[str, list[str]]:
    """Allowed values the framework fixes for the result columns named after its parts."""
    if framework is None:
        return {}
    indicators = list(framework.indicators)
    return {
        "realm": [r.id for r in framework.realms],
        "zone": [z.id for z in framework.zones],
        "stop": [s.id for s in framework.stops],
        "indicator_id": [i.id for i in indicators],
        "indicator": list(dict.fromkeys(i.name for i in indicators)),
        "direction": ["increase", "decrease", "maintain"],
        "kind": sorted({i.measure.kind for i in indicators}),
    }


def table_schema(
    frame: pd.DataFrame,
    *,
    framework: Framework | None = None,
    enums: Mapping[str, Sequence[str]] | None = None,
    descriptions: Mapping[str, str] | None = None,
    units: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The Table Schema of a result table as it is written to CSV.

    Types come from the table's values; descriptions and units of the columns the
    library names (:mod:`getting_to_outcomes.columns`) from one list; the allowed values
    of ``realm``, ``zone``, ``stop``, ``indicator``, ``indicator_id``, ``direction`` and
    ``kind`` from the framework. The primary key is the first of ``group``,
    ``indicator_id``, ``level``, ``level_id``, ``period``, ``subgroup_dimension``,
    ``subgroup``, ``item``, ``code``, ``stage`` present, taken together, when they
    identify every row; a table they do not identify gets no primary key. Blank cells are
    missing values.

    Parameters
    ----------
    frame : DataFrame
        The table, as written (one field per column, in order).
    framework : Framework, optional
        The framework the values come from: the source of the allowed values.
    enums : mapping of str to sequence of str, optional
        Further allowed values by column, e.g. the statuses of a status column.
    descriptions, units : mapping of str to str, optional
        Descriptions and units by column, over the library's own.

    Returns
    -------
    dict
        A Table Schema (Data Package 2.0) as plain data.

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"group": ["CA-01", "network"], "n": [24, 96],
    ...                       "value": [3.4, None]})
    >>> schema = table_schema(table)
    >>> [(f["name"], f["type"]) for f in schema["fields"]], schema["primaryKey"]
    ([('group', 'string'), ('n', 'integer'), ('value', 'number')], ['group'])
    """
    allowed = {**_vocabulary(framework), **dict(enums or {})}
    fields: list[dict[str, Any]] = []
    for name in frame.columns:
        column = frame[name]
        field: dict[str, Any] = {"name": str(name), "type": _infer_type(column)}
        known = dict(_RESULT_FIELDS.get(str(name), {}))
        if descriptions and str(name) in descriptions:
            known["description"] = descriptions[str(name)]
        if units and str(name) in units:
            known["unit"] = units[str(name)]
        field.update(known)
        if str(name) in allowed and field["type"] == "string":
            field["constraints"] = {"enum": [str(v) for v in allowed[str(name)]]}
        fields.append(field)
    schema: dict[str, Any] = {"fields": fields, "missingValues": [""]}
    key = [k for k in _RESULT_KEYS if k in frame.columns]
    if key and not frame.empty and not frame[key].isna().any().any() \
            and not frame.duplicated(subset=key).any():
        schema["primaryKey"] = key
    return schema


def table_resource(
    path: str,
    schema: Mapping[str, Any],
    *,
    name: str | None = None,
    title: str | None = None,
    description: str | None = None,
    encoding: str = "utf-8",
) -> dict[str, Any]:
    """The descriptor of one CSV file of a package (its path relative to the package).

    Examples
    --------
    >>> resource = table_resource("tables/indicators.csv", {"fields": []})
    >>> resource["name"], resource["format"]
    ('indicators', 'csv')
    """
    resource: dict[str, Any] = {
        "name": _name(name if name is not None else Path(path).stem),
        "type": "table",
        "path": Path(path).as_posix(),
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": encoding,
    }
    if title:
        resource["title"] = title
    if description:
        resource["description"] = description
    resource["schema"] = dict(schema)
    return resource


def data_package(
    resources: Sequence[Mapping[str, Any]],
    *,
    name: str,
    title: str | None = None,
    description: str | None = None,
    framework: Framework | None = None,
) -> dict[str, Any]:
    """A Data Package descriptor holding ``resources``, naming the framework and library.

    Examples
    --------
    >>> package = data_package([table_resource("rows.csv", {"fields": []})], name="Rows")
    >>> package["name"], [r["name"] for r in package["resources"]]
    ('rows', ['rows'])
    """
    from getting_to_outcomes._version import __version__

    package: dict[str, Any] = {"$schema": DATA_PACKAGE_PROFILE, "name": _name(name)}
    if title:
        package["title"] = title
    if description:
        package["description"] = description
    if framework is not None:
        package["keywords"] = [framework.id, f"{framework.id} {framework.version}"]
        package["sources"] = [{"title": f"{framework.title}, version {framework.version}"}]
    package["created"] = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    package["contributors"] = [{"title": f"getting_to_outcomes {__version__}",
                                "roles": ["producer"]}]
    package["resources"] = [dict(r) for r in resources]
    return package


def write_data_package(
    descriptor: Mapping[str, Any], path: str | os.PathLike[str]
) -> Path:
    """Write a descriptor as JSON, replacing the file whole or not at all.

    ``path`` is a folder (the descriptor is written there as ``datapackage.json``) or the
    descriptor's file name (tools recognise names ending in ``datapackage.json``).
    """
    target = Path(path)
    if target.is_dir():
        target = target / DATA_PACKAGE
    text = json.dumps(dict(descriptor), indent=2, ensure_ascii=False, default=str)
    write_bytes_atomic(target, (text + "\n").encode("utf-8"))
    return target
