"""Browsing a framework from Python."""

from __future__ import annotations

from pathlib import Path

import pytest

from getting_to_outcomes import UnknownIndicatorError, load_framework
from getting_to_outcomes.definitions._framework import FRAME_COLUMNS


def test_indicators_filter_by_realm_zone_and_stop(minimal_framework: Path) -> None:
    fw = load_framework(minimal_framework)
    assert fw.indicators.filter(realm="policy").ids == ["wins.adopted"]
    assert fw.indicators.filter(zone="building_power").ids == [
        "leadership.confidence",
        "base.active_share",
    ]
    assert fw.indicators.filter(stop="growing_base", kind="proportion").ids == ["base.active_share"]
    assert len(fw.indicators.filter(realm="community", kind="scale")) == 0


def test_indicators_by_id_suggest_close_ids(minimal_framework: Path) -> None:
    fw = load_framework(minimal_framework)
    assert fw.indicators["wins.adopted"].measure.kind == "count"
    with pytest.raises(UnknownIndicatorError, match=r"did you mean 'wins\.adopted'"):
        fw.indicators["wins.adopt"]
    with pytest.raises(KeyError):
        fw.source("surveys")


def test_to_frame_has_one_row_per_indicator(minimal_framework: Path) -> None:
    frame = load_framework(minimal_framework).to_frame()
    assert list(frame.columns) == FRAME_COLUMNS
    assert frame["indicator_id"].tolist() == [
        "leadership.confidence",
        "base.active_share",
        "wins.adopted",
    ]
    assert frame.loc[0, "source"] == "survey"


def test_notebook_display_draws_the_map_and_escapes_text(minimal_framework: Path) -> None:
    path = minimal_framework / "framework.yaml"
    path.write_text(path.read_text().replace("Growing the Base", "<b>Growing</b> & Base"))
    html = load_framework(minimal_framework)._repr_html_()
    assert "Zone 1: Building Power" in html
    assert "&lt;b&gt;Growing&lt;/b&gt; &amp; Base" in html
    assert "<b>Growing</b>" not in html


def test_map_text_lists_zones_and_stops_in_order(minimal_framework: Path) -> None:
    text = load_framework(minimal_framework).map_text()
    assert text.index("Zone 1: Building Power") < text.index("Growing the Base")
    assert text.index("Growing the Base") < text.index("Zone 2: Education Wins")


def test_an_indicator_set_shows_its_ids_in_text_and_a_table_in_notebooks(
    minimal_framework: Path,
) -> None:
    indicators = load_framework(minimal_framework).indicators
    assert repr(indicators) == (
        "IndicatorSet(3 indicators: leadership.confidence, base.active_share, wins.adopted)"
    )
    html = indicators._repr_html_()
    assert html.count("<tr><td>") == 3
    assert "<code>base.active_share</code>" in html


def test_an_indicator_shows_its_name_measure_and_place_and_escapes_text(
    minimal_framework: Path,
) -> None:
    indicator = load_framework(minimal_framework).indicators["wins.adopted"]
    assert repr(indicator).startswith("<Indicator 'wins.adopted': ")
    assert "(count, " in repr(indicator)
    changed = indicator.model_copy(update={"name": "Wins <adopted> & kept"})
    html = changed._repr_html_()
    assert "Wins &lt;adopted&gt; &amp; kept" in html
    assert "<code>wins.adopted</code>" in html
    assert "<th style='text-align:left'>stop</th>" in html
