"""The funnel plot draws what the FunnelResult holds: limits, the network line, every grantee."""

from __future__ import annotations

import numpy as np
import pytest

from getting_to_outcomes import stats
from getting_to_outcomes.errors import ChartDataError
from getting_to_outcomes.plotting import plot_funnel
from getting_to_outcomes.plotting import style as _style

#: Six grantees; the first (5 of 40) lies below the 95% limits, the last above them.
YES = [5, 30, 12, 48, 20, 70]
ASKED = [40, 80, 30, 90, 100, 120]


def by_gid(ax, gid):
    return [a for a in [*ax.get_lines(), *ax.collections] if a.get_gid() == gid]


def test_every_grantee_is_a_dot_at_its_n_and_value():
    result = stats.funnel_proportions(YES, ASKED, overdispersion="none")
    ax = plot_funnel(result, caption=False)
    (dots,) = by_gid(ax, "values")
    drawn = np.asarray(dots.get_offsets())
    assert drawn[:, 0] == pytest.approx(ASKED)
    assert drawn[:, 1] == pytest.approx(np.array(YES) / np.array(ASKED))


def test_limits_are_the_curves_of_the_result_and_the_target_a_line():
    result = stats.funnel_proportions(YES, ASKED, overdispersion="additive")
    ax = plot_funnel(result, caption=False)
    curve = result.curve()
    lines95 = by_gid(ax, "limit_95")
    assert len(lines95) == 2
    assert np.asarray(lines95[1].get_ydata()) == pytest.approx(curve["high_95"].to_numpy())
    (target,) = by_gid(ax, "target")
    assert target.get_ydata()[0] == pytest.approx(result.target)


def test_grantees_outside_the_limits_are_named_and_coloured():
    result = stats.funnel_proportions(YES, ASKED, labels=list("abcdef"), overdispersion="none")
    outside = set(result.outside["group"])
    assert outside
    ax = plot_funnel(result, caption=False)
    named = {t.get_text() for t in ax.texts}
    assert outside <= named
    (dots,) = by_gid(ax, "values")
    colours = {tuple(c) for c in np.round(dots.get_facecolors(), 3)}
    assert len(colours) >= 2  # blue within, orange or vermillion outside
    assert "a" in outside


def test_the_caption_states_the_method():
    result = stats.funnel_proportions(YES, ASKED, overdispersion="multiplicative")
    ax = plot_funnel(result)
    caption = " ".join(t.get_text() for t in ax.figure.texts)
    assert "multiplicative phi" in caption
    assert "about 1 in 20" in caption
    assert "Funnel plot of 6 grantees" in _style.alt_text(ax.figure)


def test_shrunk_values_are_drawn_next_to_raw_ones():
    result = stats.funnel_proportions(YES, ASKED, overdispersion="additive")
    ax = plot_funnel(result, shrunk=True, caption=False)
    (hollow,) = by_gid(ax, "shrunk")
    assert np.asarray(hollow.get_offsets())[:, 1] == pytest.approx(
        result.to_frame()["shrunk"].to_numpy())


def test_anything_but_a_funnel_result_is_refused():
    with pytest.raises(ChartDataError, match="draws a FunnelResult"):
        plot_funnel([1, 2, 3])


def test_a_caption_given_follows_the_method_never_replaces_it():
    result = stats.funnel_proportions(YES, ASKED, overdispersion="none")
    ax = plot_funnel(result, caption="Source: example data.")
    caption = " ".join(t.get_text() for t in ax.figure.texts)
    assert "limits from sampling error alone" in caption
    assert caption.rstrip().endswith("Source: example data.")


# --- shrunk values in the ranking chart ---------------------------------------------------


@pytest.fixture(scope="module")
def scored_network():
    from getting_to_outcomes import load_framework, score
    from tests.scoring.conftest import FRAMEWORK_DIR, synthetic_network

    fw = load_framework(FRAMEWORK_DIR)
    return score(synthetic_network(), fw, indicators=["survey.confidence", "actions.count"])


def test_the_ranking_chart_can_draw_each_grantees_shrunk_value(scored_network):
    from getting_to_outcomes.plotting import plot_ranking

    period = "post"
    expected = scored_network.funnel("survey.confidence", period=period).to_frame()
    ax = plot_ranking(scored_network, indicator="survey.confidence", period=period,
                      shrunk=True, caption=False)
    (hollow,) = by_gid(ax, "shrunk")
    (raw,) = by_gid(ax, "values")
    # Hollow dots sit on the rows of their grantees, at the funnel's shrunk values.
    shown = {t.get_text().split(" (n=")[0]: y for y, t in enumerate(ax.get_yticklabels())}
    by_row = dict(zip(hollow.get_ydata(), hollow.get_xdata(), strict=True))
    drawn = {g: s for g, s in zip(expected["group"], expected["shrunk"], strict=True)
             if g in shown and np.isfinite(s)}
    assert drawn
    for group, value in drawn.items():
        assert by_row[shown[group]] == pytest.approx(value)
    assert len(raw.get_xdata()) >= len(drawn)
    assert any("shrunk" in t.get_text() for t in ax.texts)
    plain = plot_ranking(scored_network, indicator="survey.confidence", period=period,
                         caption=False)
    assert by_gid(plain, "shrunk") == []


def test_shrunk_rankings_need_a_summary_and_an_indicator_with_a_funnel(scored_network):
    from getting_to_outcomes.plotting import plot_ranking

    with pytest.raises(ChartDataError, match="needs a ProgressSummary"):
        plot_ranking(scored_network.to_frame(), indicator="survey.confidence", shrunk=True)
    with pytest.raises(ChartDataError, match=r"plot_ranking\(shrunk=True\)"):
        plot_ranking(scored_network, indicator="actions.count", shrunk=True)
