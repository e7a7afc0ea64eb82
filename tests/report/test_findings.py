"""Key findings read as sentences: capitals where sentences start, nothing said about nothing."""

from __future__ import annotations

import pytest

from getting_to_outcomes.reporting._findings import funder_findings, grantee_findings

from ..plotting.tables import SCALE_ID, summary_frame, summary_row

COMMON = {"indicator_id": SCALE_ID, "baseline_period": "pre", "target": 3.4,
          "realm": "individual", "kind": "scale"}


def _pair(group: str, *, change: float, low: float, high: float, status: str = "on_track",
          suppressed: bool = False) -> list[dict]:
    """A baseline row and a later row whose change has the interval given."""
    later = summary_row(**COMMON, group=group, period="post", n=30, value=2.5 + change,
                        baseline_value=2.5, change=change, change_ci_low=low,
                        change_ci_high=high, status=status)
    if suppressed:
        later.update(value=None, change=None, change_ci_low=None, change_ci_high=None,
                     status="withheld", suppressed=True)
    return [summary_row(**COMMON, group=group, period="pre", n=30, value=2.5), later]


def _items(found) -> dict[str, str]:
    return dict(found.items)


def test_a_network_with_no_clear_decline_says_so_in_one_sentence(framework) -> None:
    # The network improved clearly (0.1 to 0.5 excludes zero); nothing declined.
    frame = summary_frame([*_pair("network", change=0.3, low=0.1, high=0.5),
                           *_pair("Alpha", change=0.3, low=0.1, high=0.5)])
    items = _items(funder_findings(frame, ["Alpha"], framework, None))
    assert items["Declines"] == ("Pooled over the network, no indicator moved clearly the "
                                 "wrong way.")
    assert items["Biggest gains"].startswith("Pooled over the network, 1 indicator improved")


def test_a_network_change_too_uncertain_to_call_is_one_sentence(framework) -> None:
    frame = summary_frame([*_pair("network", change=0.1, low=-0.2, high=0.4),
                           *_pair("Alpha", change=0.1, low=-0.2, high=0.4)])
    items = _items(funder_findings(frame, ["Alpha"], framework, None))
    assert items["Gains"] == ("Pooled over the network, no indicator changed clearly for the "
                              "better since its baseline.")
    assert items["Too uncertain to say"].startswith("Pooled over the network, 1 change could")


def test_a_grantee_sentence_starts_with_a_capital(framework) -> None:
    frame = summary_frame(_pair("Alpha", change=0.3, low=0.1, high=0.5))
    items = _items(grantee_findings(frame, "Alpha", framework, None))
    assert items["Declines"] == "No indicator moved clearly the wrong way."


def test_nothing_withheld_is_not_mentioned(framework) -> None:
    frame = summary_frame([*_pair("network", change=0.3, low=0.1, high=0.5),
                           *_pair("Alpha", change=0.3, low=0.1, high=0.5)])
    missing = _items(funder_findings(frame, ["Alpha"], framework, None))["Missing data"]
    assert "withheld" not in missing
    assert "0 values" not in missing
    assert missing.endswith(". Missing values are never counted as zero.")


@pytest.mark.parametrize(("withheld", "sentence"), [
    (1, "1 value is withheld because too few people are behind them."),
    (2, "2 values are withheld because too few people are behind them."),
])
def test_withheld_values_are_counted(framework, withheld, sentence) -> None:
    groups = ["Alpha", "Beta", "Gamma"]
    rows = [*_pair("network", change=0.3, low=0.1, high=0.5)]
    for k, group in enumerate(groups):
        rows += _pair(group, change=0.3, low=0.1, high=0.5, suppressed=k < withheld)
    missing = _items(funder_findings(summary_frame(rows), groups, framework, None))[
        "Missing data"]
    assert sentence in missing


def test_targets_across_grantees_count_grantee_indicators(framework) -> None:
    frame = summary_frame([*_pair("network", change=0.3, low=0.1, high=0.5),
                           *_pair("Alpha", change=0.3, low=0.1, high=0.5),
                           *_pair("Beta", change=0.3, low=0.1, high=0.5)])
    targets = _items(funder_findings(frame, ["Alpha", "Beta"], framework, None))["Targets"]
    assert "Of 2 grantee indicators with a target: 0 met, 2 on track" in targets
