"""Trends, rankings with uncertainty, small multiples, the wins pipeline and realm profiles."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PolyCollection
from matplotlib.colors import to_hex

from getting_to_outcomes.errors import ChartDataError
from getting_to_outcomes.plotting import (
    plot_progress,
    plot_ranking,
    plot_realm_profiles,
    plot_small_multiples,
    plot_trend,
    plot_wins_pipeline,
    rank_ranges,
)
from getting_to_outcomes.plotting import style as _style
from getting_to_outcomes.plotting.chart_data import CellLabels, written

from .tables import SCALE_ID, summary_frame, summary_row

# --- trends -----------------------------------------------------------------------------


def _main_line(ax, label: str):
    (line,) = [line for line in ax.get_lines() if line.get_label() == label]
    return line


def test_the_trend_follows_the_periods_in_time_order(two_orgs_one_withheld, framework) -> None:
    frame = two_orgs_one_withheld[two_orgs_one_withheld["group"] == "Alpha"]
    # Shuffled rows: the framework says the waves run pre, mid, post.
    ax = plot_trend(frame.iloc[::-1], indicator=SCALE_ID, framework=framework, caption=False)
    line = _main_line(ax, "Alpha")
    assert list(line.get_ydata()) == pytest.approx([2.5, 3.1])
    assert [t.get_text() for t in ax.get_xticklabels()] == ["pre", "post"]


def test_the_band_is_the_confidence_interval(two_orgs_one_withheld) -> None:
    frame = two_orgs_one_withheld[two_orgs_one_withheld["group"] == "Alpha"]
    ax = plot_trend(frame, caption=False)
    (band,) = [c for c in ax.collections if isinstance(c, PolyCollection)]
    ys = band.get_paths()[0].vertices[:, 1]
    assert {round(y, 6) for y in ys} >= {2.3, 2.7, 2.9, 3.3}


def test_the_target_is_a_dashed_line(two_orgs_one_withheld) -> None:
    frame = two_orgs_one_withheld[two_orgs_one_withheld["group"] == "Alpha"]
    ax = plot_trend(frame, caption=False)
    (target,) = [line for line in ax.get_lines() if line.get_gid() == "target"]
    assert list(target.get_ydata()) == [3.4, 3.4]
    assert "Target 3.40" in [t.get_text() for t in ax.texts]


def test_a_withheld_period_breaks_the_line_and_is_hatched(two_orgs_one_withheld) -> None:
    ax = plot_trend(two_orgs_one_withheld, caption=False)
    beta = _main_line(ax, "Beta (latest n < 5)")
    assert math.isnan(beta.get_ydata()[1])
    assert [p for p in ax.patches if p.get_gid() == "withheld"]


def test_the_network_is_drawn_grey_and_dashed_for_context(two_orgs_one_withheld) -> None:
    ax = plot_trend(two_orgs_one_withheld, groups=["Alpha"], caption=False)
    network = _main_line(ax, "Network (pooled)")
    assert network.get_linestyle() == "--"
    assert list(network.get_ydata()) == pytest.approx([2.6, 3.0])


def test_the_baseline_value_starts_the_line_when_the_baseline_row_is_missing() -> None:
    frame = summary_frame([summary_row(indicator_id="x", group="Alpha", period="2025",
                                       baseline_period="2023", n=1, value=14.0,
                                       baseline_value=8.0, baseline_n=1)])
    ax = plot_trend(frame, caption=False)
    assert list(_main_line(ax, "Alpha").get_ydata()) == [8.0, 14.0]


def test_more_than_eight_groups_are_refused_with_a_pointer() -> None:
    rows = [summary_row(indicator_id="x", group=f"g{k}", period="2024", n=9, value=1.0)
            for k in range(9)]
    with pytest.raises(ChartDataError, match="plot_small_multiples"):
        plot_trend(summary_frame(rows), groups=[f"g{k}" for k in range(9)])


# --- rankings ---------------------------------------------------------------------------


def test_rank_ranges_follow_non_overlapping_intervals() -> None:
    # a's interval lies wholly above b's and c's; b and c overlap, so each could be 2nd.
    frame = pd.DataFrame({"group": ["c", "a", "b"], "value": [1.2, 3.0, 1.5],
                          "ci_low": [0.5, 2.8, 1.0], "ci_high": [1.7, 3.2, 2.0]})
    ranked = rank_ranges(frame)
    assert ranked["group"].tolist() == ["a", "b", "c"]
    assert ranked[["rank", "rank_best", "rank_worst"]].values.tolist() == [
        [1, 1, 1], [2, 2, 3], [3, 2, 3]]


def test_rank_ranges_put_the_lowest_first_when_lower_is_better() -> None:
    frame = pd.DataFrame({"group": ["a", "b"], "value": [0.05, 0.20], "ci_low": [0.04, 0.18],
                          "ci_high": [0.06, 0.22]})
    ranked = rank_ranges(frame, direction="decrease")
    assert ranked[["group", "rank_best", "rank_worst"]].values.tolist() == [["a", 1, 1],
                                                                           ["b", 2, 2]]


def test_the_ranking_chart_puts_the_best_first_and_withheld_last(two_orgs_one_withheld) -> None:
    extra = summary_row(indicator_id=SCALE_ID, group="Delta", period="post", n=25, value=3.5,
                        ci_low=3.2, ci_high=3.8)
    frame = pd.concat([two_orgs_one_withheld, summary_frame([extra])], ignore_index=True)
    ax = plot_ranking(frame, caption=False)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == ["Delta (n=25)", "Alpha (n=28)", "Beta"]
    texts = [t.get_text() for t in ax.texts]
    # Delta [3.2, 3.8] and Alpha [2.9, 3.3] overlap: either could rank first.
    assert "3.50  ·  rank 1–2" in texts
    assert any(t.startswith("Network 3.00") for t in texts)


# --- small multiples --------------------------------------------------------------------


def test_one_panel_per_group_sharing_the_value_axis(two_orgs_one_withheld) -> None:
    fig = plot_small_multiples(two_orgs_one_withheld, caption=False)
    panels = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title(loc="left").split("\n")[0] for ax in panels] == ["Alpha", "Beta"]
    assert panels[0].get_shared_y_axes().joined(panels[0], panels[1])
    # The network is drawn in every panel for context.
    for ax in panels:
        assert [line for line in ax.get_lines() if line.get_linestyle() == "--"
                and to_hex(line.get_color()) == "#9a9a9a"]


def test_panel_titles_give_n_or_say_the_latest_value_is_withheld(two_orgs_one_withheld) -> None:
    fig = plot_small_multiples(two_orgs_one_withheld, caption=False)
    titles = [ax.get_title(loc="left") for ax in fig.axes if ax.get_visible()]
    assert titles[0] == "Alpha\nn=28 · target 3.40"
    assert titles[1].startswith("Beta\nlatest: n < 5")


def test_indicator_panels_keep_their_own_periods(framework) -> None:
    rows = [summary_row(indicator_id=SCALE_ID, group="Alpha", period=p, n=20, value=v)
            for p, v in (("pre", 2.5), ("post", 3.0))]
    rows += [summary_row(indicator_id="base.new_members", group="Alpha", period=p, n=1,
                         value=v) for p, v in (("2023", 100), ("2024", 110), ("2025", 130))]
    fig = plot_small_multiples(summary_frame(rows), facet="indicator", framework=framework,
                               caption=False)
    panels = [ax for ax in fig.axes if ax.get_visible()]
    ticks = [[t.get_text() for t in ax.get_xticklabels()] for ax in panels]
    assert ticks == [["pre", "post"], ["2023", "2024", "2025"]]


def test_the_title_of_two_panels_is_wrapped_within_the_figure(two_orgs_one_withheld) -> None:
    fig = plot_small_multiples(two_orgs_one_withheld, caption=False)
    renderer = fig.canvas.get_renderer()
    title = fig.get_suptitle()
    assert "\n" in title
    box = fig._suptitle.get_window_extent(renderer)
    assert box.x1 <= fig.bbox.x1
    # The panels start below the title.
    top_of_panels = max(ax.get_window_extent(renderer).y1 for ax in fig.axes if ax.get_visible())
    assert top_of_panels < box.y0


def test_an_indicator_panel_for_an_indicator_the_summary_lacks_is_refused(framework) -> None:
    rows = [summary_row(indicator_id=SCALE_ID, group="Alpha", period=p, n=20, value=v)
            for p, v in (("pre", 2.5), ("post", 3.0))]
    with pytest.raises(ChartDataError, match="did you mean"):
        plot_small_multiples(summary_frame(rows), facet="indicator", framework=framework,
                             indicators=[SCALE_ID, SCALE_ID + "s"], caption=False)


def test_empty_slots_of_the_grid_are_hidden() -> None:
    rows = [summary_row(indicator_id="x", group=f"g{k}", period="2024", n=9, value=1.0)
            for k in range(5)]
    fig = plot_small_multiples(summary_frame(rows), ncols=4, caption=False)
    assert sum(ax.get_visible() for ax in fig.axes) == 5
    assert len(fig.axes) == 8


# --- wins pipeline ----------------------------------------------------------------------


def test_wins_are_stacked_by_level_and_summed_over_groups(milestones) -> None:
    ax = plot_wins_pipeline(milestones, caption=False)
    stages = [t.get_text() for t in ax.get_yticklabels()]
    assert stages == ["Proposed", "Adopted", "Implemented", "Reversed (setback)"]
    widths: dict[str, float] = {}
    for patch in ax.patches:
        if (patch.get_gid() or "").startswith("wins:"):
            widths[patch.get_gid()] = widths.get(patch.get_gid(), 0) + patch.get_width()
    expected = milestones.groupby("level")["count"].sum()
    assert widths == {f"wins:{k}": v for k, v in expected.items() if v}


def test_totals_are_written_and_setbacks_hatched(milestones) -> None:
    ax = plot_wins_pipeline(milestones, caption=False)
    totals = milestones.groupby("stage_order")["count"].sum().tolist()
    written = [t.get_text() for t in ax.texts if t.get_fontweight() == "bold"]
    assert written == [f"{t:.0f}" for t in totals]
    hatched = [p for p in ax.patches if p.get_hatch()]
    assert hatched
    # The setback stage sits half a row apart from the others, at 3.5.
    assert all(round(p.get_y() + p.get_height() / 2, 1) == 3.5 for p in hatched)


def test_one_group_s_pipeline(milestones) -> None:
    ax = plot_wins_pipeline(milestones, group="Beta", caption=False)
    total = sum(p.get_width() for p in ax.patches if (p.get_gid() or "").startswith("wins:"))
    assert total == milestones.loc[milestones["group"] == "Beta", "count"].sum()
    assert "Beta" in ax.get_title(loc="left")


# --- realm profiles ---------------------------------------------------------------------


def _realm_bars(ax) -> list[tuple[float, str]]:
    """Each bar of a realm panel (one collection of rectangles from zero): width, colour."""
    (bars,) = [c for c in ax.collections if (c.get_gid() or "").startswith("realm:")]
    paths = bars.get_paths()
    faces = list(bars.get_facecolor())
    faces = faces * len(paths) if len(faces) == 1 else faces  # one colour for every bar
    return [(float(path.vertices[:, 0].max() - path.vertices[:, 0].min()), to_hex(face))
            for path, face in zip(paths, faces, strict=True)]


def test_three_realm_panels_with_bars_for_scores_and_words_for_gaps(realm_rollup) -> None:
    fig = plot_realm_profiles(realm_rollup, caption=False)
    panels = fig.axes
    assert [ax.get_title(loc="left") for ax in panels] == ["Individual", "Community", "Policy"]
    policy = panels[2]
    widths = [width for width, _ in _realm_bars(policy)]
    assert widths == [40.0]  # Alpha; Beta has no policy score
    assert "no data" in written(policy)
    assert "40 · 3/4" in written(policy)


def test_the_network_is_a_dashed_reference_line(realm_rollup) -> None:
    fig = plot_realm_profiles(realm_rollup, caption=False)
    lines = [line for line in fig.axes[0].get_lines() if line.get_linestyle() == "--"]
    assert [line.get_xdata()[0] for line in lines] == [60.0]


def test_realm_bars_take_the_realm_colour(realm_rollup) -> None:
    fig = plot_realm_profiles(realm_rollup, caption=False)
    for ax, realm in zip(fig.axes, ("individual", "community", "policy"), strict=True):
        colours = {colour for _, colour in _realm_bars(ax)}
        assert colours == {_style.REALM_COLORS[realm].lower()}


# --- the default picture ----------------------------------------------------------------


def test_plot_progress_draws_a_heatmap_for_several_groups(two_orgs_one_withheld) -> None:
    from matplotlib.collections import QuadMesh

    ax = plot_progress(two_orgs_one_withheld)
    assert [c for c in ax.collections if isinstance(c, QuadMesh)]


def test_plot_progress_draws_targets_for_one_group(two_orgs_one_withheld) -> None:
    alpha = two_orgs_one_withheld[two_orgs_one_withheld["group"] == "Alpha"]
    ax = plot_progress(alpha)
    assert [p for p in ax.patches if (p.get_gid() or "").startswith("progress:")]


def test_plot_progress_falls_back_to_change_without_targets(two_orgs_one_withheld) -> None:
    alpha = two_orgs_one_withheld[two_orgs_one_withheld["group"] == "Alpha"]
    ax = plot_progress(alpha.assign(target=np.nan))
    assert "Change since baseline" in ax.get_title(loc="left")


def test_a_full_bar_keeps_its_label_inside_its_own_panel(realm_rollup) -> None:
    # A full community bar: to the right of 100 there is no room for "100 · 1/1".
    community = realm_rollup["level_id"] == "community"
    realm_rollup.loc[community, ["score_0_100", "n_indicators_defined",
                                 "n_indicators_with_data"]] = [100.0, 1, 1]
    fig = plot_realm_profiles(realm_rollup, caption=False)
    fig.draw_without_rendering()
    renderer = fig.canvas.get_renderer()
    for panel in fig.axes:
        box = panel.get_window_extent(renderer)
        shown = [(t.get_text(), t.get_window_extent(renderer)) for t in panel.texts]
        for labels in panel.artists:
            if isinstance(labels, CellLabels):
                shown += zip(labels.get_texts(), labels.extents(renderer), strict=True)
        for text, extent in shown:
            assert box.x0 <= extent.x0, text
            assert extent.x1 <= box.x1, text
    assert written(fig.axes[1]).count("100 · 1/1") == 2


def test_one_group_is_counted_in_the_singular(realm_rollup) -> None:
    fig = plot_realm_profiles(realm_rollup, groups=["Alpha"], caption=False)
    assert "1 group ·" in fig.get_suptitle()
    assert "1 groups" not in fig.get_suptitle() + " ".join(_style.alt_text(fig))


def test_percent_ticks_print_the_value_they_mark() -> None:
    # Shares of seats on decision bodies between 2% and 8%: four ticks a panel fall on 2.5%
    # steps, which whole percents would print as "2%" and "8%".
    rows = [summary_row(indicator_id="seats.share", group=g, period=p, n=40, value=v * k,
                        ci_low=v * k - 0.01, ci_high=v * k + 0.01, kind="proportion")
            for g, k in (("Alpha", 1.0), ("Beta", 0.9))
            for p, v in (("pre", 0.02), ("mid", 0.05), ("post", 0.08))]
    fig = plot_small_multiples(summary_frame(rows), indicator="seats.share", caption=False)
    fig.draw_without_rendering()
    ax = fig.axes[0]
    ticks = list(zip(ax.get_yticks(), [t.get_text() for t in ax.get_yticklabels()],
                     strict=True))
    assert any(round(loc * 1000) % 10 for loc, _ in ticks)  # some tick is off whole percents
    for loc, text in ticks:
        assert text.endswith("%")
        assert float(text.rstrip("%")) == pytest.approx(loc * 100, abs=1e-9)
