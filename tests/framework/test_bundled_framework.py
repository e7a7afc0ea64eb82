"""The bundled 'Getting to Outcomes' (2013) framework is complete and consistent."""

from __future__ import annotations

import pytest

from getting_to_outcomes import bundled_frameworks, check_framework, load_framework
from getting_to_outcomes.definitions._framework import Framework

KINDS = {"scale", "count", "proportion", "rate", "mean", "level", "milestone"}


@pytest.fixture(scope="module")
def fw() -> Framework:
    return load_framework()


def test_default_is_the_2013_framework(fw: Framework) -> None:
    assert "getting-to-outcomes-2013" in bundled_frameworks()
    assert fw.id == "getting_to_outcomes_2013"
    assert "Research for Action" in fw.meta.citation or "Gold" in fw.meta.citation


def test_four_zones_in_order(fw: Framework) -> None:
    assert [z.name for z in fw.zones] == [
        "Building Power",
        "Taking Action",
        "Education Wins",
        "Transformational Changes",
    ]


def test_the_two_confirmed_stops_are_marked_named(fw: Framework) -> None:
    named = {s.name for s in fw.stops if s.provenance.status == "named"}
    assert named == {"Developing Leadership", "Increasing Organizational Capacity"}


def test_every_stop_has_at_least_two_indicators(fw: Framework) -> None:
    thin = {s.id: len(fw.indicators.filter(stop=s.id)) for s in fw.stops}
    assert {k: v for k, v in thin.items() if v < 2} == {}


def test_at_least_forty_indicators_over_every_realm_and_kind(fw: Framework) -> None:
    frame = fw.to_frame()
    assert len(frame) >= 40
    assert set(frame["realm"]) == {"individual", "community", "policy"}
    assert set(frame["zone"]) == {z.id for z in fw.zones}
    assert set(frame["kind"]) == KINDS


def test_lower_is_better_where_it_should_be(fw: Framework) -> None:
    decreasing = " ".join(i.id for i in fw.indicators if i.direction == "decrease")
    for word in ("suspension", "absentee", "turnover"):
        assert word in decreasing


def test_every_scale_has_a_reliability_threshold(fw: Framework) -> None:
    scales = fw.indicators.filter(kind="scale")
    assert len(scales) >= 2
    assert all(i.reliability_threshold is not None for i in scales)


def test_every_indicator_has_provenance_and_a_source(fw: Framework) -> None:
    assert all(i.provenance.citation for i in fw.indicators)
    assert all(i.source in fw.sources for i in fw.indicators)


def test_the_named_data_sources_exist(fw: Framework) -> None:
    expected = {
        "leadership_survey",
        "leadership_tracking",
        "org_capacity",
        "actions_log",
        "contacts_log",
        "media_log",
        "wins_log",
        "system_indicators",
    }
    assert expected <= set(fw.sources)


def test_bundled_framework_checks_without_errors() -> None:
    assert [p for p in check_framework() if p.severity == "error"] == []


@pytest.mark.parametrize("name", bundled_frameworks())
def test_every_bundled_framework_loads(name: str) -> None:
    assert len(load_framework(name).indicators) > 0
