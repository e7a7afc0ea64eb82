"""Notes that compare a number with a threshold say the same thing as the numbers."""

from __future__ import annotations

import csv

import pandas as pd

from getting_to_outcomes import write_report
from getting_to_outcomes._format import fmt_against
from getting_to_outcomes.scoring._summarize import alpha_note

from .conftest import make_summary


def test_an_alpha_just_below_its_threshold_never_prints_as_equal_to_it() -> None:
    # Two places would print 0.596 as 0.60 next to a threshold of 0.6.
    note = alpha_note(0.596, 0.6)
    assert note == "Cronbach's alpha 0.596 is below the threshold 0.600 of this scale"


def test_values_and_thresholds_get_the_decimals_their_order_needs() -> None:
    # Each pair differs only past the second decimal, so two places would print them equal.
    for value, threshold in ((0.596, 0.6), (0.6004, 0.6), (0.7, 0.6999)):
        shown_value, shown_threshold = fmt_against(value, threshold)
        assert shown_value != shown_threshold
        assert (float(shown_value) < float(shown_threshold)) == (value < threshold)
    # Two places suffice when the difference is plain.
    assert fmt_against(0.42, 0.6) == ("0.42", "0.60")


def test_a_grantee_report_leaves_out_what_only_the_network_has_data_for(framework,
                                                                        tmp_path) -> None:
    from ..plotting.tables import summary_row

    summary = make_summary(framework)
    # A community indicator with a value for the pooled network only (another grantee's
    # data): Alpha has none, so its report draws no community page and names no such source.
    community = "capacity.organizers_fte"
    source = framework.sources[framework.indicators[community].source].name
    rows = [summary_row(indicator_id=community, group=g, period="post", n=n, value=v,
                        ci_low=v - 0.5, ci_high=v + 0.5, target=3.0, realm="community",
                        kind="mean") for g, n, v in (("Alpha", 0, float("nan")),
                                                     ("network", 12, 2.0))]
    summary.frame = pd.concat([summary.frame, pd.DataFrame(rows)], ignore_index=True)
    files = write_report(summary, tmp_path / "out", org="Alpha")
    assert files.charts
    assert not [key for key in files.charts if "community" in key]
    for (svg,) in files.charts.values():
        assert source not in svg.read_text(encoding="utf-8")
    with (files.html.parent / "tables" / "data_quality.csv").open(encoding="utf-8-sig") as f:
        notes = {row["indicator_id"]: row["note"] for row in csv.DictReader(f)}
    assert notes[community].startswith("no data")
