"""The funder report shows a funnel plot, the grantees outside the limits, shrunk values."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from getting_to_outcomes import write_report

from .conftest import parse_page


@pytest.fixture(scope="module")
def funder(example_funder_report):
    return example_funder_report


def _outside_of_every_funnel(summary, labels, periods) -> pd.DataFrame:
    parts = []
    for indicator in summary.indicator_ids:
        if indicator not in periods:
            continue
        try:
            result = summary.funnel(indicator, period=periods[indicator])
        except ValueError:
            continue
        if result.n_groups >= 3 and len(result.outside):
            parts.append(result.outside.assign(indicator_id=indicator,
                                               group=result.outside["group"].map(labels)))
    return pd.concat(parts, ignore_index=True)


def test_the_funder_report_draws_one_funnel_with_its_method_stated(funder) -> None:
    funnels = [key for key in funder.charts if key.startswith("funnel_")]
    assert len(funnels) == 1
    page = parse_page(funder.html.read_text(encoding="utf-8"))
    assert "Funnel plot:" in "".join(page.text)
    alt = [attrs["alt"] for tag, attrs in page.tags if tag == "img"
           and "Funnel plot of" in (attrs.get("alt") or "")]
    assert len(alt) == 1
    assert "limits" in alt[0]


def test_the_outside_table_lists_what_each_funnel_finds(funder, example_network) -> None:
    _, summary, labels = example_network
    # The report compares grantees at each indicator's latest period, as in the rankings.
    rankings = pd.read_csv(funder.tables["rankings"], encoding="utf-8-sig", dtype=str)
    periods = dict(zip(rankings["indicator_id"], rankings["period"], strict=False))
    expected = _outside_of_every_funnel(summary, labels, periods)
    table = pd.read_csv(funder.tables["outside_limits"], encoding="utf-8-sig")
    assert len(table) == len(expected) > 0
    got = table.set_index(["indicator_id", "group"]).sort_index()
    want = expected.set_index(["indicator_id", "group"]).sort_index()
    assert got.index.equals(want.index)
    assert got["value"].to_numpy() == pytest.approx(want["value"].to_numpy(), rel=1e-9)
    assert got["high_95"].to_numpy() == pytest.approx(want["high_95"].to_numpy(), rel=1e-9)
    assert set(got["position"]) <= {"above_95", "above_998", "below_95", "below_998"}


def test_withheld_grantees_stay_out_of_the_funnel(funder, example_network) -> None:
    _, summary, labels = example_network
    # The fixture withholds the knowledge scale for grantees with fewer than 100 people.
    result = summary.funnel("leadership.knowledge_of_system")
    assert result.left_out
    table = pd.read_csv(funder.tables["outside_limits"], encoding="utf-8-sig")
    mine = table[table["indicator_id"] == "leadership.knowledge_of_system"]
    assert not set(mine["group"]) & {labels[g] for g in result.left_out}


def test_rankings_carry_the_shrunk_value_beside_the_raw_one(funder, example_network) -> None:
    _, summary, labels = example_network
    rankings = pd.read_csv(funder.tables["rankings"], encoding="utf-8-sig")
    mine = rankings[rankings["indicator_id"] == "leadership.decision_body_seats"]
    result = summary.funnel("leadership.decision_body_seats",
                            period=str(mine["period"].iloc[0])).to_frame()
    shrunk = dict(zip(result["group"].map(labels), result["shrunk"], strict=True))
    assert len(mine) == len(shrunk)
    for row in mine.itertuples():
        assert row.shrunk == pytest.approx(shrunk[row.group], rel=1e-9)
    counts = rankings[rankings["indicator_id"] == "decision_makers.testimony"]
    assert counts["shrunk"].map(math.isnan).all()  # counts have no funnel, so no shrinkage


def test_a_report_from_tables_has_no_funnel(example_network, tmp_path) -> None:
    _, summary, labels = example_network
    files = write_report(summary.to_frame(), tmp_path / "out", mode="funder",
                         framework=summary.framework, labels=labels)
    assert not [key for key in files.charts if key.startswith("funnel_")]
    assert pd.read_csv(files.tables["outside_limits"], encoding="utf-8-sig").empty
    assert pd.read_csv(files.tables["network_clustering"], encoding="utf-8-sig").empty


def test_the_network_section_reports_icc_and_design_effect(funder, example_network) -> None:
    _, summary, _ = example_network
    expected = summary.clustering()
    table = pd.read_csv(funder.tables["network_clustering"], encoding="utf-8-sig",
                        dtype={"period": str})
    assert len(table) == len(expected) > 0
    assert table["icc"].to_numpy() == pytest.approx(expected["icc"].to_numpy(), rel=1e-9)
    assert table["design_effect"].to_numpy() == pytest.approx(
        expected["design_effect"].to_numpy(), rel=1e-9)
    assert set(table["ci_method"]) == {"cluster_robust"}
    assert "Design effect" in funder.html.read_text(encoding="utf-8")
