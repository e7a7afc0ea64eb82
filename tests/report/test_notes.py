"""Notes that compare a number with a threshold say the same thing as the numbers."""

from __future__ import annotations

from getting_to_outcomes import write_report
from getting_to_outcomes._chart_data import fmt_against

from .conftest import make_summary, parse_page

# The scale of the hand-made summary has reliability_threshold 0.6 in the bundled framework.
_SCORING_NOTE = "Cronbach's alpha 0.60 is below the threshold 0.6 of this scale"


def test_an_alpha_just_below_its_threshold_never_prints_as_equal_to_it(framework,
                                                                      tmp_path) -> None:
    summary = make_summary(framework)
    frame = summary.frame
    latest = (frame["group"] == "Alpha") & (frame["period"] == "post")
    # Scoring rounds alpha to two places in its note: 0.596 reads as 0.60.
    frame.loc[latest, "reliability"] = 0.596
    frame["reliability_flag"] = frame["reliability_flag"].astype(object)
    frame["notes"] = frame["notes"].astype(object)
    frame.loc[latest, "reliability_flag"] = "below_threshold"
    frame.loc[latest, "notes"] = _SCORING_NOTE
    files = write_report(summary, tmp_path / "out", org="Alpha")
    text = " ".join(parse_page(files.html.read_text(encoding="utf-8")).text)
    written = "\n".join(p.read_text(encoding="utf-8-sig") for p in files.files
                        if p.suffix in (".csv", ".json"))
    for shown in (text, written):
        assert "0.60 is below" not in shown
        assert "Cronbach's alpha 0.596 is below the threshold 0.600" in shown


def test_values_and_thresholds_get_the_decimals_their_order_needs() -> None:
    # Each pair differs only past the second decimal, so two places would print them equal.
    for value, threshold in ((0.596, 0.6), (0.6004, 0.6), (0.7, 0.6999)):
        shown_value, shown_threshold = fmt_against(value, threshold)
        assert shown_value != shown_threshold
        assert (float(shown_value) < float(shown_threshold)) == (value < threshold)
    # Two places suffice when the difference is plain.
    assert fmt_against(0.42, 0.6) == ("0.42", "0.60")
