"""Before/after dumbbells: baseline and now, the interval now, the verdict in colour."""

from __future__ import annotations

import pytest
from matplotlib.colors import to_hex
from matplotlib.lines import Line2D

from getting_to_outcomes.errors import ChartDataError
from getting_to_outcomes.plotting import plot_before_after
from getting_to_outcomes.plotting import style as _style

from .tables import SCALE_ID, summary_frame, summary_row


def _dots(ax, *, filled: bool) -> list[Line2D]:
    found = []
    for line in ax.get_lines():
        if line.get_marker() != "o":
            continue
        hollow = to_hex(line.get_markerfacecolor()) == "#ffffff"
        if hollow != filled:
            found.append(line)
    return found


def test_one_row_per_group_with_the_withheld_one_hatched(two_orgs_one_withheld) -> None:
    ax = plot_before_after(two_orgs_one_withheld, caption=False)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    # Beta is withheld: no n in its label, a hatched box, no dots.
    assert labels == ["Alpha (n=28)", "Beta", "Network (pooled) (n=31)"]
    (box,) = [p for p in ax.patches if p.get_gid() == "withheld"]
    assert round(box.get_y() + box.get_height() / 2) == 1
    assert {round(line.get_ydata()[0]) for line in _dots(ax, filled=True)} == {0, 2}


def test_dots_sit_at_the_baseline_and_current_values(two_orgs_one_withheld) -> None:
    ax = plot_before_after(two_orgs_one_withheld, caption=False)
    now = {round(line.get_ydata()[0]): line.get_xdata()[0] for line in _dots(ax, filled=True)}
    before = {round(line.get_ydata()[0]): line.get_xdata()[0]
              for line in _dots(ax, filled=False)}
    assert now == {0: pytest.approx(3.1), 2: pytest.approx(3.0)}
    assert before == {0: pytest.approx(2.5), 2: pytest.approx(2.6)}


def test_the_interval_now_is_drawn_as_an_error_bar(two_orgs_one_withheld) -> None:
    ax = plot_before_after(two_orgs_one_withheld, caption=False)
    bars = [c for c in ax.collections if c.get_segments()]
    spans = sorted((seg[0][0], seg[1][0]) for c in bars for seg in c.get_segments()
                   if seg[0][1] == seg[1][1])
    assert spans[0] == pytest.approx((2.8, 3.2))  # network
    assert spans[1] == pytest.approx((2.9, 3.3))  # Alpha


@pytest.mark.parametrize(("direction", "change", "low", "high", "verdict"), [
    ("increase", 0.6, 0.3, 0.9, "better"),
    ("increase", 0.2, -0.1, 0.5, "unclear"),
    ("increase", -0.6, -0.9, -0.3, "worse"),
    # For a rate where lower is better, a clear fall is an improvement.
    ("decrease", -0.6, -0.9, -0.3, "better"),
    ("decrease", 0.6, 0.3, 0.9, "worse"),
])
def test_the_line_colour_says_whether_the_change_is_clearly_good(
    direction: str, change: float, low: float, high: float, verdict: str
) -> None:
    frame = summary_frame([summary_row(
        indicator_id="x", group="Alpha", period="post", baseline_period="pre", n=30,
        value=2.0 + change, ci_low=1.9 + change, ci_high=2.1 + change, baseline_value=2.0,
        change=change, change_ci_low=low, change_ci_high=high, direction=direction)])
    ax = plot_before_after(frame, caption=False)
    (line,) = [line for line in ax.get_lines() if len(line.get_xdata()) == 2]
    expected = {"better": _style.OKABE_ITO["blue"], "worse": _style.OKABE_ITO["vermillion"],
                "unclear": "#8C8C8C"}[verdict]
    assert to_hex(line.get_color()).upper() == expected.upper()


def test_the_change_and_its_interval_are_written_beside_each_row(two_orgs_one_withheld) -> None:
    ax = plot_before_after(two_orgs_one_withheld, caption=False)
    notes = [t.get_text() for t in ax.texts]
    assert "2.50 → 3.10  (+0.60, CI 0.30 to 0.90)" in notes


def test_by_indicator_puts_each_row_on_its_own_valid_range(framework) -> None:
    # The scale runs 1 to 5 in the framework: 3.0 sits at (3 - 1) / (5 - 1) = 50%.
    frame = summary_frame([summary_row(
        indicator_id=SCALE_ID, group="Alpha", period="post", baseline_period="pre", n=30,
        value=3.0, ci_low=2.8, ci_high=3.2, baseline_value=2.0, change=1.0,
        change_ci_low=0.8, change_ci_high=1.2, kind="scale")])
    ax = plot_before_after(frame, by="indicator", group="Alpha", framework=framework,
                           caption=False)
    (now,) = _dots(ax, filled=True)
    (before,) = _dots(ax, filled=False)
    assert now.get_xdata()[0] == pytest.approx(50)
    assert before.get_xdata()[0] == pytest.approx(25)
    ends = {t.get_text() for t in ax.texts}
    assert {"1", "5"} <= ends


def test_by_indicator_shows_each_indicator_at_its_own_latest_period(framework) -> None:
    # A survey indicator ends in "post", a yearly one in "2025": both must be shown.
    frame = summary_frame([
        summary_row(indicator_id=SCALE_ID, group="Alpha", period="post", baseline_period="pre",
                    n=30, value=3.0, baseline_value=2.5),
        summary_row(indicator_id="base.new_members", group="Alpha", period="2025",
                    baseline_period="2023", n=1, value=120, baseline_value=100),
        summary_row(indicator_id="base.new_members", group="Alpha", period="2024",
                    baseline_period="2023", n=1, value=110, baseline_value=100),
    ])
    ax = plot_before_after(frame, by="indicator", group="Alpha", framework=framework,
                           caption=False)
    assert len(ax.get_yticklabels()) == 2
    assert "100 → 120" in " ".join(t.get_text() for t in ax.texts)
    assert "pre to post" in ax.get_title(loc="left")
    assert "2023 to 2025" in ax.get_title(loc="left")


def test_by_subgroup_compares_the_subgroups_of_one_group() -> None:
    rows = [summary_row(indicator_id="x", group="Alpha", period="post", baseline_period="pre",
                        subgroup_dimension="role_type", subgroup=role, n=n, value=v,
                        baseline_value=b)
            for role, n, v, b in (("parent", 20, 3.0, 2.5), ("youth", 15, 3.4, 2.9))]
    ax = plot_before_after(summary_frame(rows), by="subgroup", group="Alpha", caption=False)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["parent (n=20)", "youth (n=15)"]


def test_by_must_be_one_of_the_three(two_orgs_one_withheld) -> None:
    with pytest.raises(ChartDataError, match="by must be"):
        plot_before_after(two_orgs_one_withheld, by="period")  # type: ignore[arg-type]


def test_the_alt_text_reads_the_numbers(two_orgs_one_withheld) -> None:
    ax = plot_before_after(two_orgs_one_withheld, caption=False)
    alt = _style.alt_text(ax.figure)
    assert "Alpha: 2.50 → 3.10" in alt
    assert "Beta: withheld (n < 5)" in alt
