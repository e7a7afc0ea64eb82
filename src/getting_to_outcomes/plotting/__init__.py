"""Charts of progress: the ones people in education organizing and philanthropy already read.

Every function takes a :class:`~getting_to_outcomes.ProgressSummary` (or the matching tidy
frame: :data:`~getting_to_outcomes.columns.SUMMARY_COLUMNS`, ``ROLLUP_COLUMNS``,
``ITEM_COLUMNS`` or ``MILESTONE_COLUMNS``) first, except :func:`plot_funnel`, which takes a
:class:`~getting_to_outcomes.stats.FunnelResult`; every option after it is keyword-only.
Axes-level charts draw on ``ax=`` when given (else on a new figure) and return the Axes;
figure-level charts (:func:`plot_small_multiples`, :func:`plot_realm_profiles`) return the
Figure. No function calls ``show()``.

=============================  ===================================================  ==========
chart                          what it answers                                      reads
=============================  ===================================================  ==========
:func:`plot_likert`            How did people answer, wave by wave or group by       items
                               group? (diverging stacked bars)
:func:`plot_before_after`      What changed since baseline, and how sure are we?     summary
                               (dumbbell with confidence interval)
:func:`plot_heatmap`           Which grantee is where on which indicator?            summary
:func:`plot_targets`           How far along the way to each target?                 summary
                               (bullet bars)
:func:`plot_theory_of_change`  Where on the theory of change is progress?            by stop
                               (the guide's transit map)
:func:`plot_trend`             How has it moved over time, against the target?       summary
:func:`plot_ranking`           How do grantees compare, with uncertainty?            summary
:func:`plot_funnel`            Which grantees differ from the network by more than   funnel
                               chance? (funnel plot with control limits)
:func:`plot_wins_pipeline`     How many wins reached which stage, at which level?    milestones
:func:`plot_small_multiples`   One indicator across grantees (or indicators of one   summary
                               grantee), panel by panel
:func:`plot_realm_profiles`    Individual, community and policy scores side by side  by realm
:func:`plot_progress`          The default ``ProgressSummary.plot()``                summary
=============================  ===================================================  ==========

:func:`save_figure` writes a figure as PNG (200 dpi or more) and SVG in the house style.

Honesty rules every chart follows: withheld values (fewer people than the indicator's
minimum, or complementary suppression) are drawn as hatched cells labelled ``"n < 5"`` or
``"withheld"``, never as a value; missing data are drawn as empty, never as zero; n is shown;
uncertainty is drawn wherever the summary carries it. The look comes from
:mod:`getting_to_outcomes.plotting.style`.
"""

from __future__ import annotations

from typing import Any

from matplotlib.axes import Axes

from getting_to_outcomes.columns import NETWORK
from getting_to_outcomes.errors import ChartDataError
from getting_to_outcomes.plotting import chart_data as _d
from getting_to_outcomes.plotting._funnel import plot_funnel
from getting_to_outcomes.plotting._grids import (
    plot_heatmap,
    plot_ranking,
    plot_realm_profiles,
    plot_wins_pipeline,
    rank_ranges,
)
from getting_to_outcomes.plotting._map import plot_theory_of_change
from getting_to_outcomes.plotting._rows import plot_before_after, plot_likert, plot_targets
from getting_to_outcomes.plotting._time import plot_small_multiples, plot_trend
from getting_to_outcomes.plotting.style import save_figure

__all__ = [
    "ChartDataError",
    "plot_before_after",
    "plot_funnel",
    "plot_heatmap",
    "plot_likert",
    "plot_progress",
    "plot_ranking",
    "plot_realm_profiles",
    "plot_small_multiples",
    "plot_targets",
    "plot_theory_of_change",
    "plot_trend",
    "plot_wins_pipeline",
    "rank_ranges",
    "save_figure",
]


# ----------------------------------------------------------------------------------------
# The default .plot()
# ----------------------------------------------------------------------------------------


def plot_progress(summary: Any, *, ax: Axes | None = None, **options: Any) -> Axes:
    """The default picture of a summary: ``ProgressSummary.plot()`` calls this.

    Several groups give the grantee x indicator heatmap of scores (:func:`plot_heatmap`);
    one group gives its progress toward targets (:func:`plot_targets`), or, when no
    indicator has a target, its change since baseline (:func:`plot_before_after`).

    Parameters
    ----------
    summary : ProgressSummary or DataFrame
        A summary or a frame with ``SUMMARY_COLUMNS``.
    ax : matplotlib Axes, optional
        Where to draw.
    **options
        Passed on to the chart chosen.

    Returns
    -------
    matplotlib.axes.Axes
    """
    frame = _d.overall(_d.table(summary, "summary", ["group", "indicator_id", "target"],
                            "plot_progress"))
    members = [g for g in dict.fromkeys(frame["group"].dropna()) if g != NETWORK]
    if len(members) > 1:
        return plot_heatmap(summary, ax=ax, **options)
    if frame["target"].map(_d.is_num).any():
        return plot_targets(summary, ax=ax, **options)
    return plot_before_after(summary, by="indicator", ax=ax, **options)


# The functions live in private modules; they belong to this one.
for _function in (plot_before_after, plot_funnel, plot_heatmap, plot_likert, plot_ranking,
                  plot_realm_profiles, plot_small_multiples, plot_targets, plot_theory_of_change,
                  plot_trend, plot_wins_pipeline, rank_ranges):
    _function.__module__ = __name__
del _function
