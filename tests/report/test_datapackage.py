"""The report folder describes its tables as a Frictionless Data Package."""

from __future__ import annotations

import csv
import json

import frictionless
import pytest

from getting_to_outcomes import write_report

from .conftest import FORMULA_NAME, SCRIPT_NAME, make_summary


@pytest.fixture(scope="module", params=["grantee", "funder"])
def report(request, framework, tmp_path_factory):
    summary = make_summary(framework, alpha=SCRIPT_NAME, beta=FORMULA_NAME, synthetic=True)
    out = tmp_path_factory.mktemp(request.param) / "report"
    org = SCRIPT_NAME if request.param == "grantee" else None
    return write_report(summary, out, mode=request.param, org=org)


def _package(report) -> dict:
    return json.loads((report.out_dir / "datapackage.json").read_text(encoding="utf-8"))


def _field(resource: dict, name: str) -> dict:
    return next(f for f in resource["schema"]["fields"] if f["name"] == name)


def test_frictionless_finds_the_package_valid(report) -> None:
    result = frictionless.validate(str(report.out_dir / "datapackage.json"))
    assert result.valid, result.flatten(["rowNumber", "fieldName", "type", "note"])


def test_every_csv_table_is_a_resource_with_its_columns_in_order(report) -> None:
    resources = {r["path"]: r for r in _package(report)["resources"]}
    assert sorted(resources) == sorted(f"tables/{p.name}" for p in report.tables.values())
    for path, resource in resources.items():
        with (report.out_dir / path).open(encoding="utf-8-sig", newline="") as handle:
            header = next(csv.reader(handle))
        assert [f["name"] for f in resource["schema"]["fields"]] == header


def test_the_package_is_listed_in_the_manifest(report) -> None:
    manifest = json.loads((report.out_dir / "manifest.json").read_text())
    assert "datapackage.json" in manifest["files"]


def test_columns_named_after_the_framework_allow_only_its_ids(report, framework) -> None:
    indicators = next(r for r in _package(report)["resources"] if r["name"] == "indicators")
    assert _field(indicators, "indicator_id")["constraints"]["enum"] == framework.indicators.ids
    assert _field(indicators, "realm")["constraints"]["enum"] == ["individual", "community",
                                                                 "policy"]
    assert _field(indicators, "suppressed")["type"] == "boolean"
    assert _field(indicators, "score_0_100")["unit"] == "points"
    assert _field(indicators, "n")["description"].startswith("Number of units")


def test_a_value_outside_the_allowed_ones_is_caught(report, tmp_path) -> None:
    # The schema constrains, it does not merely list: an unknown indicator id fails.
    package = _package(report)
    indicators = next(r for r in package["resources"] if r["name"] == "indicators")
    source = report.out_dir / indicators["path"]
    text = source.read_text(encoding="utf-8-sig")
    broken = tmp_path / "indicators.csv"
    broken.write_text(text.replace("leadership.knowledge_of_system", "leadership.unknown", 1),
                      encoding="utf-8-sig")
    resource = frictionless.Resource({**indicators, "path": broken.name},
                                     basepath=str(tmp_path))
    result = frictionless.validate(resource)
    assert result.flatten(["type", "fieldName"]) == [["constraint-error", "indicator_id"]]


def test_blank_cells_are_missing_values_and_keys_identify_rows(report) -> None:
    for resource in _package(report)["resources"]:
        schema = resource["schema"]
        assert schema["missingValues"] == [""]
        if "primaryKey" in schema:
            assert set(schema["primaryKey"]) <= {f["name"] for f in schema["fields"]}
    by_realm = next(r for r in _package(report)["resources"] if r["name"] == "by_realm")
    assert by_realm["schema"]["primaryKey"] == ["group", "level", "level_id", "period"]


def test_the_package_names_the_framework(report, framework) -> None:
    package = _package(report)
    assert package["$schema"] == "https://datapackage.org/profiles/2.0/datapackage.json"
    assert framework.id in package["keywords"]
    assert framework.version in package["sources"][0]["title"]
