"""Both reports on the bundled (synthetic) example network, from real scores."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from .conftest import parse_page

# A chart whose layout collapses is a chart nobody can read.
# Whole reports of the example network (tens of seconds each): in the full lane only.
pytestmark = [
    pytest.mark.filterwarnings("error:constrained_layout not applied:UserWarning"),
    pytest.mark.slow,
]


@pytest.fixture(scope="module")
def network(example_network):
    return example_network


@pytest.fixture(scope="module")
def grantee(example_grantee_report):
    return example_grantee_report


@pytest.fixture(scope="module")
def funder(example_funder_report):
    return example_funder_report


def _kinds(files) -> set[str]:
    return {key.split("_")[0] for key in files.charts}


def test_the_grantee_report_has_every_kind_of_chart(grantee) -> None:
    assert grantee.notes == []
    assert {"theory", "targets", "before", "answers", "trends", "wins", "realm"} <= \
        _kinds(grantee)


def test_the_funder_report_has_every_kind_of_chart(funder) -> None:
    assert funder.notes == []
    assert {"theory", "heatmap", "realm", "ranking", "small", "wins"} <= _kinds(funder)


@pytest.mark.parametrize("which", ["grantee", "funder"])
def test_every_chart_is_in_the_page_with_alt_text(which, request) -> None:
    files = request.getfixturevalue(which)
    page = parse_page(files.html.read_text(encoding="utf-8"))
    images = [attrs for tag, attrs in page.tags if tag == "img"]
    assert len(images) == len(files.charts)
    assert all(len(attrs["alt"] or "") > 40 for attrs in images)
    assert "Synthetic data." in "".join(page.text)


def test_the_grantee_report_names_only_its_organization(grantee, network) -> None:
    _example, _, labels = network
    text = grantee.html.read_text(encoding="utf-8")
    assert labels["CA-01"] in text
    others = [name for org, name in labels.items() if org != "CA-01"]
    assert not [name for name in others if name in text]


def test_withheld_cells_stay_withheld_in_the_funder_tables(funder, network) -> None:
    _, summary, _ = network
    frame = summary.to_frame()
    hidden = frame[frame["suppressed"] & (frame["subgroup_dimension"] == "all")]
    assert len(hidden)
    table = pd.read_csv(funder.tables["indicators"], encoding="utf-8-sig")
    withheld = table[table["status"] == "withheld"]
    assert len(withheld) == len(hidden)
    assert withheld["value"].isna().all()


def test_the_summary_json_matches_the_tables(funder) -> None:
    payload = json.loads((funder.out_dir / "summary.json").read_text())
    table = pd.read_csv(funder.tables["rankings"], encoding="utf-8-sig")
    assert len(payload["tables"]["rankings"]) == len(table)


@pytest.mark.parametrize("which", ["grantee", "funder"])
def test_the_report_folder_is_a_valid_data_package(which, request) -> None:
    import frictionless

    files = request.getfixturevalue(which)
    result = frictionless.validate(str(files.out_dir / "datapackage.json"))
    assert result.valid, result.flatten(["rowNumber", "fieldName", "type", "note"])[:10]


def _direction(example, indicator_id: str) -> int:
    return {"increase": 1, "decrease": -1, "maintain": 0}[
        example.framework.indicators[indicator_id].direction]


def test_no_target_reads_achieved_while_the_value_declines_significantly(network) -> None:
    example, summary, _ = network
    rows = summary.to_frame()
    rows = rows[(rows["subgroup"] == "all") & rows["target"].notna()]
    sign = rows["indicator_id"].map(lambda i: _direction(example, i))
    declining = ((sign > 0) & (rows["change_ci_high"] < 0)) | \
        ((sign < 0) & (rows["change_ci_low"] > 0))
    assert not (declining & (rows["status"] == "target_achieved")).any()


def test_at_most_five_percent_of_the_example_targets_are_met_at_baseline(network) -> None:
    example, summary, _ = network
    rows = summary.to_frame()
    rows = rows[(rows["subgroup"] == "all") & rows["target"].notna()
                & (rows["period"] != rows["baseline_period"])]
    sign = rows["indicator_id"].map(lambda i: _direction(example, i))
    met = (sign != 0) & (sign * (rows["baseline_value"] - rows["target"]) >= 0)
    assert len(rows) > 1000
    assert met.mean() <= 0.05
