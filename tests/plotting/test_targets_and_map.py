"""Bullet bars of progress toward targets, and the theory-of-change transit map."""

from __future__ import annotations

import itertools

import pytest
from matplotlib.colors import to_hex
from matplotlib.patches import FancyArrowPatch

from getting_to_outcomes.plotting import plot_targets, plot_theory_of_change
from getting_to_outcomes.plotting import style as _style

from .tables import summary_frame, summary_row

# --- bullet bars -----------------------------------------------------------------------


def _progress_bars(ax) -> dict[str, object]:
    return {p.get_gid().split(":", 1)[1]: p for p in ax.patches
            if (p.get_gid() or "").startswith("progress:")}


def _targets_table() -> list[dict]:
    return [
        # 60% of the way from 2.5 to 3.4.
        summary_row(indicator_id="a.scale", group="Alpha", period="post", n=30, value=3.04,
                    baseline_value=2.5, target=3.4, progress=0.6, status="on_track"),
        # Moving away from the target: progress -20%.
        summary_row(indicator_id="b.rate", group="Alpha", period="post", n=30, value=0.12,
                    baseline_value=0.10, target=0.0, progress=-0.2, status="deteriorating",
                    direction="decrease"),
        summary_row(indicator_id="c.count", group="Alpha", period="post", n=1, value=12,
                    kind="count"),
        summary_row(indicator_id="d.small", group="Alpha", period="post", suppressed=True,
                    suppression_reason="small_n", target=5.0),
    ]


def test_each_bar_runs_from_baseline_to_the_progress_made() -> None:
    ax = plot_targets(summary_frame(_targets_table()), caption=False)
    bars = _progress_bars(ax)
    assert set(bars) == {"a.scale", "b.rate"}
    assert bars["a.scale"].get_width() == pytest.approx(60)
    assert bars["b.rate"].get_width() == pytest.approx(-20)


def test_bars_take_the_colour_of_their_status() -> None:
    ax = plot_targets(summary_frame(_targets_table()), caption=False)
    bars = _progress_bars(ax)
    assert to_hex(bars["a.scale"].get_facecolor()) == _style.STATUS_COLORS["on_track"].lower()
    assert to_hex(bars["b.rate"].get_facecolor()) == \
        _style.STATUS_COLORS["deteriorating"].lower()


def test_the_target_is_a_mark_at_100_percent_on_every_row_with_a_target() -> None:
    ax = plot_targets(summary_frame(_targets_table()), caption=False)
    marks = [line for line in ax.get_lines() if list(line.get_xdata()) == [100, 100]]
    assert len(marks) == 2


def test_rows_without_a_target_or_withheld_say_so() -> None:
    ax = plot_targets(summary_frame(_targets_table()), caption=False)
    texts = [t.get_text() for t in ax.texts]
    assert "no target set · now 12" in texts
    assert "n < 5" in texts
    assert [p for p in ax.patches if p.get_gid() == "withheld"]


def test_status_progress_and_values_are_written_beside_each_bar() -> None:
    ax = plot_targets(summary_frame(_targets_table()), caption=False)
    texts = [t.get_text() for t in ax.texts]
    assert "↑ On track · 60% · 3.04 of 3.40" in texts


def test_a_row_without_progress_says_why() -> None:
    # Progress is the share of the way from baseline to target; each row below lacks it for a
    # different reason, and the label must name that reason.
    rows = [
        # The baseline 0.8 already meets the target 0.7: no distance left to cover.
        summary_row(indicator_id="met.share", group="Alpha", period="post", n=40, value=0.85,
                    baseline_value=0.8, target=0.7, status="target_achieved"),
        # Lower is better, and the baseline 3 is already under the target 5.
        summary_row(indicator_id="met.rate", group="Alpha", period="post", n=40, value=2.0,
                    baseline_value=3.0, target=5.0, status="target_achieved",
                    direction="decrease"),
        summary_row(indicator_id="new.count", group="Alpha", period="post", n=40, value=12,
                    target=20.0),
    ]
    ax = plot_targets(summary_frame(rows), caption=False)
    notes = [t.get_text() for t in ax.texts]
    assert sum("target met at baseline" in note for note in notes) == 2
    assert sum("no baseline" in note for note in notes) == 1


# --- the transit map --------------------------------------------------------------------


def test_every_stop_is_a_station_and_every_arrow_a_line(framework) -> None:
    ax = plot_theory_of_change(framework=framework, caption=False)
    stations = [line.get_gid() for line in ax.get_lines()
                if (line.get_gid() or "").startswith("stop:")]
    assert sorted(stations) == sorted(f"stop:{s.id}" for s in framework.stops)
    edges = {p.get_gid() for p in ax.patches if isinstance(p, FancyArrowPatch)}
    expected = {f"edge:{s.id}->{t}" for s in framework.stops for t in s.leads_to}
    assert edges == expected


def test_lines_take_the_colour_of_the_realm_they_leave(framework) -> None:
    ax = plot_theory_of_change(framework=framework, caption=False)
    realm = {s.id: s.realm for s in framework.stops}
    for patch in ax.patches:
        if isinstance(patch, FancyArrowPatch):
            source = patch.get_gid().split(":", 1)[1].split("->")[0]
            assert to_hex(patch.get_edgecolor()) == _style.REALM_COLORS[realm[source]].lower()


def test_stations_are_filled_with_the_band_of_their_score(framework, stop_rollup) -> None:
    ax = plot_theory_of_change(stop_rollup, framework=framework, caption=False)
    faces = {line.get_gid(): to_hex(line.get_markerfacecolor()) for line in ax.get_lines()
             if (line.get_gid() or "").startswith("stop:")}
    cmap = _style.score_cmap()
    # 62 lies in the band 60-79, drawn in the score colour of its middle (70); 30 in 20-39.
    assert faces["stop:developing_leadership"] == to_hex(cmap(0.695))
    assert faces["stop:policy_wins"] == to_hex(cmap(0.295))
    # A stop with no roll-up row has no score: it is left white, not coloured as zero.
    assert faces["stop:equity"] == "#ffffff"


def test_scores_in_one_band_share_a_colour_whatever_their_status(framework, stop_rollup
                                                                  ) -> None:
    # 64 needs acceleration and 65 is limited: the fill follows the number, not the status.
    rollup = stop_rollup.copy()
    rollup.loc[0, ["score_0_100", "status"]] = [64.0, "needs_acceleration"]
    rollup.loc[1, ["score_0_100", "status"]] = [65.0, "limited"]
    ax = plot_theory_of_change(rollup, framework=framework, caption=False)
    faces = {line.get_gid(): to_hex(line.get_markerfacecolor()) for line in ax.get_lines()
             if (line.get_gid() or "").startswith("stop:")}
    assert faces["stop:developing_leadership"] == faces["stop:policy_wins"]
    texts = [t.get_text() for t in ax.texts]
    assert "64" in texts
    assert "65" in texts
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    bands = ["Score 0-19", "Score 20-39", "Score 40-59", "Score 60-79", "Score 80-100"]
    assert [t for t in legend if t.startswith("Score")] == bands


def test_each_station_is_labelled_with_its_score_coverage_and_median_status(
        framework, stop_rollup) -> None:
    ax = plot_theory_of_change(stop_rollup, framework=framework, caption=False)
    texts = [t.get_text() for t in ax.texts]
    assert "62/100 · 2 of 3 indicators\nmedian status: on track" in texts
    assert "no indicators scored" in texts


def _crossings(ax) -> int:
    """Proper crossings between the drawn lines, counted segment by segment.

    Each line's curves are flattened to straight segments; two segments of different lines
    cross when they meet at one point inside both (not at an end, not along a shared run).
    """
    routes = []
    for patch in ax.patches:
        if isinstance(patch, FancyArrowPatch):
            # The shaft: the first polygon of the path (the head is the second).
            shaft = patch.get_path().cleaned(curves=False).to_polygons(closed_only=False)[0]
            routes.append(shaft)
    count = 0
    for one, other in itertools.combinations(routes, 2):
        for (p, q) in itertools.pairwise(one):
            for (r, t) in itertools.pairwise(other):
                denominator = (q[0] - p[0]) * (t[1] - r[1]) - (q[1] - p[1]) * (t[0] - r[0])
                if abs(denominator) < 1e-12:
                    continue
                a = ((r[0] - p[0]) * (t[1] - r[1]) - (r[1] - p[1]) * (t[0] - r[0])) / denominator
                b = ((r[0] - p[0]) * (q[1] - p[1]) - (r[1] - p[1]) * (q[0] - p[0])) / denominator
                count += 1e-6 < a < 1 - 1e-6 and 1e-6 < b < 1 - 1e-6
    return count


def test_the_map_of_the_bundled_framework_has_few_crossing_lines(framework) -> None:
    ax = plot_theory_of_change(framework=framework, caption=False)
    # Regression values of this counter: 33 crossings with the stops in one barycentre pass
    # and every zone-skipping line over the top (the layout before ordered layers); 5 now.
    assert _crossings(ax) <= 5


def test_the_four_zones_head_their_columns(framework) -> None:
    ax = plot_theory_of_change(framework=framework, caption=False)
    texts = [t.get_text() for t in ax.texts]
    for number, zone in enumerate(framework.zones, start=1):
        assert f"ZONE {number}\n{zone.name}" in texts


def test_the_title_names_who_and_when(framework, stop_rollup) -> None:
    ax = plot_theory_of_change(stop_rollup, framework=framework, caption=False)
    title = ax.get_title(loc="left")
    assert "Alpha" in title
    assert "post" in title


def test_the_map_uses_the_bundled_framework_when_none_is_given(stop_rollup) -> None:
    ax = plot_theory_of_change(stop_rollup, caption=False)
    assert [line for line in ax.get_lines() if line.get_gid() == "stop:developing_leadership"]
