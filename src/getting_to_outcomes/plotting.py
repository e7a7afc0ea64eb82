"""Charts of progress: the ones people in education organizing and philanthropy already read.

Every function takes a :class:`~getting_to_outcomes.ProgressSummary` (or the matching tidy
frame: :data:`~getting_to_outcomes.columns.SUMMARY_COLUMNS`, ``ROLLUP_COLUMNS``,
``ITEM_COLUMNS`` or ``MILESTONE_COLUMNS``) first; every option after it is keyword-only.
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
:mod:`getting_to_outcomes._style`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.colors import BoundaryNorm, Normalize
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrowPatch, Patch, Rectangle
from matplotlib.path import Path as MplPath
from matplotlib.ticker import FuncFormatter, MaxNLocator

from getting_to_outcomes import _chart_data as _d
from getting_to_outcomes import _style
from getting_to_outcomes._chart_data import NETWORK, ChartDataError
from getting_to_outcomes._style import save_figure
from getting_to_outcomes.columns import (
    ROLLUP_COLUMNS,
)

if TYPE_CHECKING:
    from getting_to_outcomes.framework import Framework

__all__ = [
    "ChartDataError",
    "plot_before_after",
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

_LEVEL_ORDER = ["school", "district", "county", "city", "state", "federal", "national"]


# ----------------------------------------------------------------------------------------
# Diverging stacked Likert bars
# ----------------------------------------------------------------------------------------


@_d.styled
def plot_likert(
    data: Any,
    *,
    indicator: str | None = None,
    by: Literal["period", "group"] = "period",
    group: Any = None,
    period: Any = None,
    items: Sequence[str] | None = None,
    pool_items: bool = False,
    min_n: int | None = None,
    labels: Mapping[Any, str] | None = None,
    framework: Framework | None = None,
    ax: Axes | None = None,
    title: str | None = None,
    caption: str | bool | None = None,
) -> Axes:
    """Diverging stacked bars of Likert answers, by wave or by group.

    Disagreement extends left of zero and agreement right; a neutral middle answer is split
    evenly across zero (Robbins & Heiberger, 2011, "Plotting Likert and other rating
    scales"). Each bar is one item in one wave (or group) and shows its n; a bar answered by
    fewer than ``min_n`` people is withheld and hatched.

    Parameters
    ----------
    data : ProgressSummary or DataFrame
        A summary (its ``.items()`` is used) or a frame with ``ITEM_COLUMNS``.
    indicator : str, optional
        Scale indicator whose items to draw; needed when the table holds several.
    by : {"period", "group"}
        Compare waves of one group, or groups in one wave.
    group, period : optional
        The group (for ``by="period"``) or wave (for ``by="group"``, default the latest).
    items : sequence of str, optional
        Items to show, in order (default all).
    pool_items : bool
        Add the items' answers together: one bar per wave or group.
    min_n : int, optional
        Fewest answers a bar may show (default the indicator's ``min_n``, else 5).
    labels : mapping, optional
        Display names of groups.
    framework : Framework, optional
        Used for indicator names and item questions when ``data`` does not carry it.
    ax : matplotlib Axes, optional
        Where to draw; a new figure when omitted.
    title : str, optional
        Title; by default it says what, who and when. ``""`` for none.
    caption : str or bool, optional
        Caption text; by default a caption naming the source is added to new figures.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import pandas as pd
    >>> rows = [("org_a", w, "trust", "q1", c, lab, k, None)
    ...         for w, counts in (("pre", [6, 4, 10]), ("post", [2, 5, 13]))
    ...         for c, lab, k in zip([1, 2, 3], ["No", "Unsure", "Yes"], counts)]
    >>> items = pd.DataFrame(rows, columns=["group", "period", "indicator_id", "item",
    ...                                     "code", "label", "count", "share"])
    >>> ax = plot_likert(items, caption=False)
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['q1 · pre (n=20)', 'q1 · post (n=20)']
    """
    chart = "plot_likert"
    fw = _d.framework_of(data, framework)
    frame = _d.table(data, "items", ["group", "period", "indicator_id", "item", "code", "label",
                                   "count"], chart)
    indicator = _d.choose(frame, "indicator_id", indicator, what="indicator")
    frame = frame[frame["indicator_id"] == indicator]
    if by not in ("period", "group"):
        msg = f"by must be 'period' or 'group', got {by!r}"
        raise ChartDataError(msg)
    periods = _d.period_order(frame, data, fw)
    if by == "period":
        group = _d.choose(frame, "group", group, what="group", prefer=[NETWORK])
        frame = frame[frame["group"] == group]
        outer = periods
        outer_col = "period"
    else:
        period = _d.choose(frame, "period", period, what="period", prefer=periods[::-1])
        frame = frame[frame["period"] == period]
        outer = _d.groups(frame, None, network=True)
        outer_col = "group"
    item_ids = list(items) if items is not None else list(dict.fromkeys(frame["item"]))
    unknown = [i for i in item_ids if i not in set(frame["item"])]
    if unknown:
        msg = (f"items {_d.preview(unknown)} are not in the table; items are "
               f"{_d.preview(list(dict.fromkeys(frame['item'])))}")
        raise ChartDataError(msg)
    codes = (
        frame[["code", "label"]].drop_duplicates("code").sort_values("code").reset_index(drop=True)
    )
    code_list = codes["code"].tolist()
    colors = _style.likert_colors(len(code_list))
    threshold = min_n if min_n is not None else _d.min_n(fw, str(indicator))
    counts = frame.pivot_table(index=["item", outer_col], columns="code", values="count",
                               aggfunc="sum", dropna=False, observed=True)
    counts = counts.reindex(columns=code_list)
    nan_rows = frame.groupby(["item", outer_col], observed=True)["count"].apply(
        lambda s: bool(s.isna().any())
    )
    questions = _item_questions(fw, str(indicator))
    rows: list[tuple[str, np.ndarray | None, int | None, str | None]] = []
    if pool_items:
        for key in outer:
            block = counts[counts.index.get_level_values(1) == key]
            withheld = bool(nan_rows[nan_rows.index.get_level_values(1) == key].any())
            values = block.sum(axis=0, min_count=1).to_numpy(dtype=float)
            rows.append(_likert_row(_d.label(key, labels) if by == "group" else str(key), values,
                                    withheld, threshold, n_label="answers"))
    else:
        for item in item_ids:
            for key in outer:
                if (item, key) not in counts.index:
                    continue
                values = counts.loc[(item, key)].to_numpy(dtype=float)
                who = _d.label(key, labels) if by == "group" else str(key)
                name = questions.get(item, str(item))
                rows.append(_likert_row(f"{name} · {who}", values,
                                        bool(nan_rows.get((item, key), False)), threshold))
    height = 1.6 + 0.42 * len(rows)
    ax, created = _d.new_axes(ax, 9.0, max(height, 3.0))
    _draw_likert(ax, rows, code_list, codes["label"].tolist(), colors)
    who = _d.label(group, labels) if by == "period" else f"all groups, {period}"
    when = _d.when(periods) if by == "period" else None
    _d.default_title(title, ax, f"{_d.indicator_name(fw, str(indicator))}: answers",
                   who, when)
    shown = [r for r in rows if r[1] is not None]
    alt = (
        f"Diverging stacked bar chart of answers to {_d.indicator_name(fw, str(indicator))}, "
        f"{len(rows)} bars by {by}. "
        + " ".join(
            f"{r[0]}: {_agree_share(r[1], len(code_list)):.0f}% agree, n={r[2]}." for r in shown
            if r[1] is not None
        )
        + (f" {len(rows) - len(shown)} bar(s) withheld (fewer than {threshold} answers)."
           if len(shown) < len(rows) else "")
    )
    _d.finish(_d.figure_of(ax), created=created, caption=caption, data=data, frame=frame,
            framework=fw, alt=alt)
    return ax


def _item_questions(framework: Framework | None, indicator_id: str) -> dict[str, str]:
    found = _d.indicator(framework, indicator_id)
    if framework is None or found is None or not found.source:
        return {}
    if found.source not in framework.sources:
        return {}
    return {
        c.name: _style.wrap(c.question, 38)
        for c in framework.sources[found.source].columns
        if c.question and len(c.question) <= 90
    }


def _likert_row(
    name: str, values: np.ndarray, withheld: bool, threshold: int, *, n_label: str = "n"
) -> tuple[str, np.ndarray | None, int | None, str | None]:
    total = float(np.nansum(values))
    if withheld or total < threshold:
        return (name, None, None, f"n < {threshold}")
    n = round(total)
    return (f"{name} ({n_label}={n})", np.nan_to_num(values) / total * 100, n, None)


def _agree_share(shares: np.ndarray, n_codes: int) -> float:
    half = n_codes // 2
    return float(np.sum(shares[n_codes - half:]))


def _draw_likert(
    ax: Axes,
    rows: Sequence[tuple[str, np.ndarray | None, int | None, str | None]],
    codes: Sequence[Any],
    code_labels: Sequence[str],
    colors: Sequence[str],
) -> None:
    k = len(codes)
    half = k // 2
    middle = k // 2 if k % 2 else None
    extent = 0.0
    for position, (_, shares, _, _) in enumerate(rows):
        if shares is None:
            continue
        left_total = shares[:half].sum() + (shares[middle] / 2 if middle is not None else 0)
        start = -left_total
        extent = max(extent, left_total, 100 - left_total)
        for index in range(k):
            width = float(shares[index])
            ax.barh(position, width, left=start, height=0.72, color=colors[index],
                    edgecolor="white", linewidth=0.6, label=None)
            if width >= 7:
                ax.text(start + width / 2, position, f"{width:.0f}%", ha="center", va="center",
                        fontsize=8, color=_style.text_color_on(colors[index]), in_layout=False)
            start += width
    extent = 10 * math.ceil(max(extent, 50) / 10)
    for position, (_, shares, _, label) in enumerate(rows):
        if shares is None and label is not None:
            _d.hatch_box(ax, -extent, position - 0.36, 2 * extent, 0.72, f"withheld: {label}")
    ax.set_xlim(-extent, extent)
    ax.set_ylim(len(rows) - 0.5, -0.5)
    ax.set_yticks(range(len(rows)), [r[0] for r in rows])
    ax.axvline(0, color="#333333", linewidth=0.8, zorder=3)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{abs(v):.0f}%"))
    ax.set_xlabel("← share disagreeing    |    share agreeing →")
    ax.spines["left"].set_visible(False)
    ax.tick_params(axis="y", length=0)
    handles = [Patch(facecolor=c, edgecolor="white", label=str(lab))
               for c, lab in zip(colors, code_labels, strict=True)]
    _d.legend_below(ax, handles, ncol=min(k, 5))


# ----------------------------------------------------------------------------------------
# Before/after dumbbell
# ----------------------------------------------------------------------------------------

_CHANGE_COLORS = {
    "better": _style.OKABE_ITO["blue"],
    "worse": _style.OKABE_ITO["vermillion"],
    "unclear": "#8C8C8C",
}
_CHANGE_WORDS = {
    "better": "improved (interval excludes no change)",
    "worse": "declined (interval excludes no change)",
    "unclear": "no clear change",
}


def _change_verdict(row: Mapping[str, Any]) -> str:
    low, high = _d.num(row.get("change_ci_low")), _d.num(row.get("change_ci_high"))
    if math.isnan(low) or math.isnan(high):
        return "unclear"
    sign = -1.0 if row.get("direction") == "decrease" else 1.0
    if row.get("direction") == "maintain":
        return "unclear"
    if sign * low > 0 and sign * high > 0:
        return "better"
    if sign * low < 0 and sign * high < 0:
        return "worse"
    return "unclear"


@_d.styled
def plot_before_after(
    data: Any,
    *,
    indicator: str | None = None,
    by: Literal["group", "indicator", "subgroup"] = "group",
    group: Any = None,
    period: Any = None,
    groups: Sequence[Any] | None = None,
    indicators: Sequence[str] | None = None,
    sort: bool = False,
    labels: Mapping[Any, str] | None = None,
    framework: Framework | None = None,
    ax: Axes | None = None,
    title: str | None = None,
    caption: str | bool | None = None,
) -> Axes:
    """A dumbbell chart: baseline (hollow) to now (filled), with the confidence interval now.

    ``by="group"`` compares groups on one indicator on a shared axis; ``by="subgroup"``
    compares the subgroups of one group; ``by="indicator"`` shows every indicator of one
    group, each row on its own scale (its valid range, or zero to a little above its largest
    value), with that scale written at both ends of the row. The line is blue when the change
    is an improvement whose confidence interval excludes no change, vermillion for a clear
    decline and grey otherwise; the change and its interval are written at the right.

    Parameters
    ----------
    data : ProgressSummary or DataFrame
        A summary or a frame with ``SUMMARY_COLUMNS``.
    indicator : str, optional
        The indicator (``by="group"`` or ``"subgroup"``).
    by : {"group", "indicator", "subgroup"}
        What the rows are.
    group : optional
        The group (``by="indicator"`` or ``"subgroup"``).
    period : optional
        The current period (default the latest).
    groups, indicators : sequence, optional
        Rows to show, in order.
    sort : bool
        Sort rows by the change.
    labels : mapping, optional
        Display names of groups.
    framework : Framework, optional
        Names, minimum n and valid ranges when ``data`` does not carry them.
    ax, title, caption
        As in :func:`plot_likert`.

    Returns
    -------
    matplotlib.axes.Axes
    """
    chart = "plot_before_after"
    fw = _d.framework_of(data, framework)
    needed = ["indicator_id", "group", "period", "n", "value", "ci_low", "ci_high",
              "baseline_value", "change", "change_ci_low", "change_ci_high", "suppressed"]
    if by not in ("group", "indicator", "subgroup"):
        msg = f"by must be 'group', 'indicator' or 'subgroup', got {by!r}"
        raise ChartDataError(msg)
    if by == "subgroup":
        needed += ["subgroup_dimension", "subgroup"]
    whole = _d.table(data, "summary", needed, chart)
    # Subgroup rows are the point of by="subgroup"; elsewhere only whole groups count.
    frame = whole if by == "subgroup" else _d.overall(whole)
    periods = _d.period_order(frame, data, fw)
    if by == "indicator":
        group = _d.choose(frame, "group", group, what="group", prefer=[NETWORK])
        frame = frame[frame["group"] == group]
    else:
        indicator = _d.choose(frame, "indicator_id", indicator, what="indicator")
        frame = frame[frame["indicator_id"] == indicator]
    if by == "indicator" and period is None:
        # Indicators of different sources have different periods (waves, years): each
        # shows its own latest.
        frame = _d.latest_rows(frame, periods, None)
    else:
        current = [p for p in periods if p in set(frame["period"])]
        period = _d.choose(frame, "period", period, what="period", prefer=current[::-1])
        frame = frame[frame["period"] == period]
    if by == "group":
        keys = _d.groups(frame, groups, network=True)
        key_col = "group"
    elif by == "indicator":
        keys = list(indicators) if indicators is not None else _d.indicator_order(frame, fw)
        key_col = "indicator_id"
    else:
        group = _d.choose(frame, "group", group, what="group", prefer=[NETWORK])
        frame = frame[(frame["group"] == group)
                      & (frame["subgroup_dimension"].astype(str) != "all")]
        keys = [g for g in dict.fromkeys(frame["subgroup"].dropna())]
        key_col = "subgroup"
    rows = [frame[frame[key_col] == k].iloc[0].to_dict() for k in keys
            if (frame[key_col] == k).any()]
    if sort:
        # Largest change first; the pooled network stays last, as a reference.
        rows.sort(key=lambda r: (r.get("group") == NETWORK and key_col == "group",
                                 -_d.num(r.get("change")) if _d.is_num(r.get("change"))
                                 else math.inf))
    per_row_scale = by == "indicator"
    height = 1.9 + 0.55 * len(rows)
    ax, created = _d.new_axes(ax, 9.5, max(height, 3.0))
    descriptions = _draw_dumbbells(ax, rows, key_col=key_col, labels=labels,
                                   framework=fw, per_row_scale=per_row_scale)
    spans = list(dict.fromkeys(
        f"{r['baseline_period']} to {r['period']}" if isinstance(r.get("baseline_period"), str)
        and r.get("baseline_period") != r.get("period") else str(r.get("period"))
        for r in rows))
    when = "; ".join(spans[:3]) + ("; …" if len(spans) > 3 else "")
    if by == "indicator":
        _d.default_title(title, ax, "Change since baseline, by indicator",
                       _d.label(group, labels), when)
    else:
        who = (_d.label(group, labels) + ", by subgroup") if by == "subgroup" else (
            "by group")
        _d.default_title(title, ax, f"{_d.indicator_name(fw, str(indicator))}: change since "
                       "baseline", who, when)
    if not per_row_scale and fw is not None and indicator is not None:
        found = _d.indicator(fw, str(indicator))
        if found is not None:
            ax.set_xlabel(found.unit)
    _change_legend(ax, _d.ci_label(data))
    alt = (f"Dumbbell chart of change from baseline ({when}), {len(rows)} rows by "
           f"{key_col.replace('_id', '')}. " + " ".join(descriptions))
    on_chart = frame[frame[key_col].isin(keys)]
    _d.finish(_d.figure_of(ax), created=created, caption=caption, data=data, frame=on_chart,
            framework=fw, alt=alt)
    return ax


def _row_scale(row: Mapping[str, Any], framework: Framework | None) -> tuple[float, float]:
    """The scale of one dumbbell row: the valid range of a bounded measure (a rating scale,
    a share, a ladder), else zero to a little above the largest value shown (the valid range
    of a count, such as 0 to 100,000, would squash every dot against zero)."""
    found = _d.indicator(framework, str(row.get("indicator_id")))
    bounded = found is not None and (
        found.measure.kind in ("scale", "proportion", "level")
        or any(word in found.unit.lower() for word in ("share", "percent", "(0-1)"))
    )
    if found is not None and found.valid_range is not None and bounded:
        return float(found.valid_range[0]), float(found.valid_range[1])
    values = [_d.num(row.get(c)) for c in ("value", "ci_low", "ci_high", "baseline_value",
                                          "target")]
    values = [v for v in values if not math.isnan(v)]
    if not values:
        return 0.0, 1.0
    low = min(0.0, min(values))
    high = max(values)
    span = (high - low) or 1.0
    return low, high + 0.12 * span


def _draw_dumbbells(
    ax: Axes,
    rows: Sequence[Mapping[str, Any]],
    *,
    key_col: str,
    labels: Mapping[Any, str] | None,
    framework: Framework | None,
    per_row_scale: bool,
) -> list[str]:
    descriptions = []
    tick_labels = []
    all_values: list[float] = []
    for row in rows:
        all_values += [_d.num(row.get(c)) for c in ("value", "ci_low", "ci_high",
                                                   "baseline_value")]
    finite = [v for v in all_values if not math.isnan(v)]
    low_all, high_all = (min(finite), max(finite)) if finite else (0.0, 1.0)
    pad = 0.08 * ((high_all - low_all) or 1.0)
    xlim = (0.0, 100.0) if per_row_scale else (low_all - pad, high_all + pad)
    for position, row in enumerate(rows):
        key = row.get(key_col)
        indicator_id = str(row.get("indicator_id"))
        name = (_d.indicator_name(framework, indicator_id) if key_col == "indicator_id"
                else _d.label(key, labels))
        fv = _d.formatter(framework, indicator_id, pd.DataFrame([row]))
        withheld = _d.withheld(row, framework)
        n = _d.num(row.get("n"))
        tick_labels.append(_style.wrap(name, 34) + (f" (n={n:.0f})" if not withheld
                                                     and not math.isnan(n) else ""))
        if per_row_scale:
            low, high = _row_scale(row, framework)

            def place(v: float, low: float = low, high: float = high) -> float:
                return (v - low) / ((high - low) or 1.0) * 100

            ax.plot([0, 100], [position, position], color="#E3E3E3", linewidth=5,
                    solid_capstyle="round", zorder=1)
            # Scale ends such as 1 and 5 read best without decimals.
            end = _d.formatter(framework, indicator_id, pd.DataFrame([row]), whole=True)
            ax.text(0, position + 0.33, end(low), ha="left", va="center",
                    fontsize=7, color=_style.MUTED, in_layout=False)
            ax.text(100, position + 0.33, end(high), ha="right",
                    va="center", fontsize=7, color=_style.MUTED, in_layout=False)
        else:
            def place(v: float, low: float = 0.0, high: float = 0.0) -> float:
                return v
        if withheld:
            _d.hatch_box(ax, xlim[0], position - 0.3, xlim[1] - xlim[0], 0.6, withheld)
            descriptions.append(f"{name}: withheld ({withheld}).")
            continue
        before, now = _d.num(row.get("baseline_value")), _d.num(row.get("value"))
        low_ci, high_ci = _d.num(row.get("ci_low")), _d.num(row.get("ci_high"))
        verdict = _change_verdict(row)
        color = _CHANGE_COLORS[verdict]
        if not math.isnan(before) and not math.isnan(now):
            ax.plot([place(before), place(now)], [position, position], color=color,
                    linewidth=2.4, zorder=2, solid_capstyle="round")
        if not math.isnan(low_ci) and not math.isnan(high_ci):
            ax.errorbar([place(now)], [position], xerr=[[place(now) - place(low_ci)],
                                                        [place(high_ci) - place(now)]],
                        fmt="none", ecolor="#222222", elinewidth=1.1, capsize=3.5, zorder=3)
        if not math.isnan(before):
            ax.plot([place(before)], [position], marker="o", markersize=8, markerfacecolor="white",
                    markeredgecolor=color, markeredgewidth=1.8, linestyle="none", zorder=4)
        if not math.isnan(now):
            ax.plot([place(now)], [position], marker="o", markersize=8, color=color,
                    linestyle="none", zorder=5)
        change = _d.num(row.get("change"))
        if math.isnan(before):
            note = f"{fv(now)} · no baseline"
        elif math.isnan(now):
            note = f"{fv(before)} → no value now"
        elif math.isnan(change):
            note = f"{fv(before)} → {fv(now)}"
        else:
            sign = "+" if change > 0 else ""
            pairs = _d.num(row.get("n_pairs"))
            # A paired change is measured on the people seen both times, so it need not
            # equal the difference of the two group values: say so.
            who = (f"matched n={pairs:.0f}: " if row.get("design") == "paired"
                   and not math.isnan(pairs) else "")
            note = f"{fv(before)} → {fv(now)}  ({who}{sign}{fv(change)}"
            c_low, c_high = _d.num(row.get("change_ci_low")), _d.num(row.get("change_ci_high"))
            if not math.isnan(c_low):
                note += f", CI {fv(c_low)} to {fv(c_high)}"
            note += ")"
        ax.annotate(note, xy=(1.0, position), xycoords=("axes fraction", "data"),
                    xytext=(8, 0), textcoords="offset points", va="center", fontsize=8,
                    color="#222222", annotation_clip=False)
        descriptions.append(f"{name}: {note}, {_CHANGE_WORDS[verdict]}.")
    ax.set_xlim(*xlim)
    ax.set_ylim(len(rows) - 0.5, -0.7)
    ax.set_yticks(range(len(rows)), tick_labels)
    ax.tick_params(axis="y", length=0)
    ax.spines["left"].set_visible(False)
    if per_row_scale:
        ax.set_xticks([])
        ax.spines["bottom"].set_visible(False)
        ax.set_xlabel("each row on its own scale (ends labelled)", color=_style.MUTED,
                      fontsize=8)
    else:
        ax.grid(axis="x", color="#EEEEEE", linewidth=0.8, zorder=0)
    return descriptions


def _change_legend(ax: Axes, ci_label: str) -> None:
    handles = [
        Line2D([], [], marker="o", markerfacecolor="white", markeredgecolor="#444444",
               linestyle="none", label="Baseline"),
        Line2D([], [], marker="o", color="#444444", linestyle="none", label="Now"),
        Line2D([], [], color="#222222", marker="|", markersize=8, label=ci_label),
        Line2D([], [], color=_CHANGE_COLORS["better"], linewidth=2.4, label="Improved"),
        Line2D([], [], color=_CHANGE_COLORS["worse"], linewidth=2.4, label="Declined"),
        Line2D([], [], color=_CHANGE_COLORS["unclear"], linewidth=2.4, label="No clear change"),
    ]
    _d.legend_below(ax, handles, ncol=3, gap=30 if ax.get_xlabel() else 18)


# ----------------------------------------------------------------------------------------
# Grantee x indicator heatmap
# ----------------------------------------------------------------------------------------




@_d.styled
def plot_heatmap(
    data: Any,
    *,
    value: Literal["score", "status"] = "score",
    period: Any = None,
    groups: Sequence[Any] | None = None,
    indicators: Sequence[str] | None = None,
    network: bool = False,
    annotate: bool | None = None,
    labels: Mapping[Any, str] | None = None,
    framework: Framework | None = None,
    ax: Axes | None = None,
    title: str | None = None,
    caption: str | bool | None = None,
) -> Axes:
    """A grantee x indicator heatmap of 0-100 scores or of statuses, with n in each cell.

    Withheld cells are grey, hatched and labelled (for example ``"n < 5"``); cells without
    data are left blank, never drawn as zero. Statuses carry a symbol as well as a colour
    (✓ target achieved, ↑ on track, → needs acceleration, ↘ limited, ↓ deteriorating).

    Parameters
    ----------
    data : ProgressSummary or DataFrame
        A summary or a frame with ``SUMMARY_COLUMNS``.
    value : {"score", "status"}
        Colour cells by ``score_0_100`` or by ``status``.
    period : optional
        One period for every indicator; by default each indicator's latest period.
    groups, indicators : sequence, optional
        Rows and columns to show, in order (default all, indicators in framework order).
    network : bool
        Add the pooled network as a last row, when the summary has one.
    annotate : bool, optional
        Write score (or status symbol) and n in each cell; by default when there are at
        most 420 cells.
    labels, framework, ax, title, caption
        As in :func:`plot_likert`.

    Returns
    -------
    matplotlib.axes.Axes
        The heatmap's Axes; withheld cells are patches with ``gid="withheld"``.
    """
    chart = "plot_heatmap"
    if value not in ("score", "status"):
        msg = f"value must be 'score' or 'status', got {value!r}"
        raise ChartDataError(msg)
    fw = _d.framework_of(data, framework)
    needed = ["indicator_id", "group", "period", "n", "score_0_100", "status", "suppressed"]
    frame = _d.overall(_d.table(data, "summary", needed, chart))
    order = _d.period_order(frame, data, fw)
    if period is not None:
        _d.choose(frame, "period", period, what="period")
    frame = _d.latest_rows(frame, order, period)
    row_keys = _d.groups(frame, groups, network=network)
    col_keys = list(indicators) if indicators is not None else _d.indicator_order(frame, fw)
    unknown = [i for i in col_keys if i not in set(frame["indicator_id"])]
    if unknown:
        msg = f"indicators {_d.preview(unknown)} have no rows in the table"
        raise ChartDataError(msg)
    n_rows, n_cols = len(row_keys), len(col_keys)
    if n_rows == 0 or n_cols == 0:
        msg = "the heatmap has no groups or no indicators to draw"
        raise ChartDataError(msg)
    lookup = {(r["group"], r["indicator_id"]): r for r in frame.to_dict("records")}
    scores = np.full((n_rows, n_cols), np.nan)
    codes = np.full((n_rows, n_cols), np.nan)
    cells: list[tuple[int, int, dict[Any, Any] | None]] = []
    for i, g in enumerate(row_keys):
        for j, ind in enumerate(col_keys):
            row = lookup.get((g, ind))
            cells.append((i, j, row))
            if row is None or _d.withheld(row, fw):
                continue
            scores[i, j] = _d.num(row.get("score_0_100"))
            status = row.get("status")
            if isinstance(status, str) and status in _style.STATUS_ORDER:
                codes[i, j] = _style.STATUS_ORDER.index(status)
    if annotate is None:
        annotate = n_rows * n_cols <= 420
    names = [_d.short(_d.indicator_name(fw, i), 40) for i in col_keys]
    # Height of the longest indicator name, rotated 55 degrees, at about 0.055 inch a letter.
    label_room = min(0.045 * max(len(n) for n in names), 2.0)
    group_room = min(0.065 * max(len(_d.label(g, labels)) for g in row_keys), 3.0)
    width = min(1.0 + group_room + 0.4 * n_cols + (1.0 if value == "score" else 0.0), 22.0)
    height = min(1.9 + _d.row_pitch(n_rows) * n_rows + label_room, 26.0)
    ax, created = _d.new_axes(ax, max(width, 6.0), max(height, 3.5))
    fig = _d.figure_of(ax)
    x_edges, y_edges = np.arange(n_cols + 1), np.arange(n_rows + 1)
    if value == "score":
        mesh = ax.pcolormesh(x_edges, y_edges, np.ma.masked_invalid(scores),
                             cmap=_style.score_cmap(), norm=Normalize(0, 100),
                             linewidth=0)
        bar = fig.colorbar(mesh, ax=ax, shrink=min(1.0, 4.0 / max(height - 1.5, 1.0)),
                           aspect=18, pad=0.02)
        bar.set_label("Score (0-100)")
        bar.outline.set_visible(False)
    else:
        statuses = _style.STATUS_ORDER
        cmap = _style.status_cmap(statuses)
        mesh = ax.pcolormesh(x_edges, y_edges, np.ma.masked_invalid(codes), cmap=cmap,
                             norm=BoundaryNorm(np.arange(len(statuses) + 1) - 0.5, cmap.N),
                             linewidth=0)
    mesh.set_gid("cells")
    # White gaps between cells as two line sets: much cheaper than stroking every cell.
    ax.hlines(np.arange(1, n_rows), 0, n_cols, colors="white", linewidth=1.2, zorder=1.5)
    ax.vlines(np.arange(1, n_cols), 0, n_rows, colors="white", linewidth=1.2, zorder=1.5)
    withheld_count = no_data = 0
    for i, j, row in cells:
        label = _d.withheld(row, fw) if row is not None else None
        if label:
            withheld_count += 1
            _d.hatch_box(ax, j + 0.04, i + 0.04, 0.92, 0.92, label, fontsize=6.5, text=annotate)
            continue
        empty = row is None or (math.isnan(scores[i, j]) if value == "score"
                                else math.isnan(codes[i, j]))
        if empty:
            no_data += 1
            ax.add_patch(Rectangle((j + 0.04, i + 0.04), 0.92, 0.92, facecolor="white",
                                   edgecolor="#D0D0D0", linewidth=0.6, gid="no_data"))
            if annotate:
                ax.text(j + 0.5, i + 0.5, "no\ndata", ha="center", va="center", fontsize=6,
                        color=_style.MUTED, in_layout=False)
            continue
        if not annotate or row is None:
            continue
        n = _d.num(row.get("n"))
        n_text = "" if math.isnan(n) else f"n={n / 1000:.1f}k" if n >= 1000 else f"n={n:.0f}"
        if value == "score":
            face = _style.score_cmap()(scores[i, j] / 100)
            head = f"{scores[i, j]:.0f}"
        else:
            status = _style.STATUS_ORDER[int(codes[i, j])]
            face = _style.STATUS_COLORS[status]
            head = _style.STATUS_SYMBOLS.get(status, "")
        # One text per cell, left out of the layout (it lies inside the axes): hundreds of
        # cells would otherwise be measured and drawn twice over in every export.
        ax.text(j + 0.5, i + 0.5, f"{head}\n{n_text}" if n_text else head, ha="center",
                va="center", fontsize=7, linespacing=1.05,
                color=_style.text_color_on(face), in_layout=False)
    if network and NETWORK in row_keys and n_rows > 1:
        ax.axhline(row_keys.index(NETWORK), color="#333333", linewidth=1.2)
    _realm_dividers(ax, col_keys, fw, frame)
    ax.set_xlim(0, n_cols)
    ax.set_ylim(n_rows, 0)
    ax.set_xticks(np.arange(n_cols) + 0.5, names, rotation=55, ha="right",
                  rotation_mode="anchor", fontsize=8)
    ax.set_yticks(np.arange(n_rows) + 0.5, [_d.label(g, labels) for g in row_keys], fontsize=8.5)
    ax.tick_params(length=0)
    for side in ("left", "bottom"):
        ax.spines[side].set_visible(False)
    handles: list[Any] = []
    if value == "status":
        handles = _style.status_legend_handles()
    else:
        handles = [Patch(facecolor=_style.WITHHELD_COLOR, edgecolor="#555555",
                         hatch=_style.WITHHELD_HATCH, label="Withheld (small group)")]
    handles.append(Patch(facecolor="white", edgecolor="#BBBBBB", label="No data"))
    _d.legend_below(ax, handles, ncol=4, gap=14 + _d.tick_label_depth(ax))
    periods_used = list(dict.fromkeys(frame["period"]))
    when = str(period) if period is not None else (
        str(periods_used[0]) if len(periods_used) == 1 else "latest period of each indicator")
    what = "Scores (0-100) by indicator" if value == "score" else "Status by indicator"
    _d.default_title(title, ax, what, f"{len([g for g in row_keys if g != NETWORK])} groups",
                   when, pad=22)
    finite = [(scores[i, j], row_keys[i], col_keys[j]) for i in range(n_rows)
              for j in range(n_cols) if not math.isnan(scores[i, j])]
    alt = f"Heatmap of {what.lower()} for {n_rows} groups and {n_cols} indicators ({when}). "
    if finite and value == "score":
        top, low = max(finite), min(finite)
        alt += (f"Highest: {_d.label(top[1], labels)} on {_d.indicator_name(fw, top[2])} "
                f"({top[0]:.0f}). Lowest: {_d.label(low[1], labels)} on "
                f"{_d.indicator_name(fw, low[2])} ({low[0]:.0f}). ")
        for i, g in enumerate(row_keys[:15]):
            row_scores = scores[i][~np.isnan(scores[i])]
            if row_scores.size:
                alt += f"{_d.label(g, labels)}: median {np.median(row_scores):.0f}. "
    elif value == "status":
        counts = pd.Series([_style.STATUS_ORDER[int(c)] for c in codes[~np.isnan(codes)]])
        alt += " ".join(f"{_style.status_label(str(s))}: {k} cells." for s, k in
                        counts.value_counts().items())
    alt += f" {withheld_count} cells withheld for small groups; {no_data} without data."
    on_chart = frame[frame["indicator_id"].isin(col_keys)]
    _d.finish(fig, created=created, caption=caption, data=data, frame=on_chart, framework=fw,
            alt=alt)
    return ax


def _realm_dividers(ax: Axes, col_keys: Sequence[str], framework: Framework | None,
                    frame: pd.DataFrame) -> None:
    """Realm names above their block of columns, with a line between blocks."""
    realm_of: dict[str, str] = {}
    for ind in col_keys:
        found = _d.indicator(framework, ind)
        if found is not None:
            realm_of[ind] = found.realm
        elif "realm" in frame.columns:
            realms = frame.loc[frame["indicator_id"] == ind, "realm"].dropna()
            if len(realms):
                realm_of[ind] = str(realms.iloc[0])
    if not realm_of:
        return
    blocks: list[tuple[str, int, int]] = []
    for j, ind in enumerate(col_keys):
        realm = realm_of.get(ind, "")
        if blocks and blocks[-1][0] == realm:
            blocks[-1] = (realm, blocks[-1][1], j + 1)
        else:
            blocks.append((realm, j, j + 1))
    for k, (realm, start, stop) in enumerate(blocks):
        if k:
            ax.axvline(start, color="#333333", linewidth=1.2)
        color = _style.REALM_COLORS.get(realm, "#555555")
        ax.annotate(realm.capitalize(), xy=((start + stop) / 2, 1.0),
                    xycoords=("data", "axes fraction"), xytext=(0, 3),
                    textcoords="offset points", ha="center", va="bottom", fontsize=8.5,
                    fontweight="bold", color=color)


# ----------------------------------------------------------------------------------------
# Progress-to-target bullet bars
# ----------------------------------------------------------------------------------------


@_d.styled
def plot_targets(
    data: Any,
    *,
    group: Any = None,
    period: Any = None,
    indicators: Sequence[str] | None = None,
    labels: Mapping[Any, str] | None = None,
    framework: Framework | None = None,
    ax: Axes | None = None,
    title: str | None = None,
    caption: str | bool | None = None,
) -> Axes:
    """Bullet bars of progress from baseline (0%) to target (100%), one row per indicator.

    A bullet graph (Few, 2006, "Bullet graph design specification") shows a measure against
    a target over shaded bands: here the bands mark moving away from the target, the first
    half, the second half and beyond it. The bar is coloured by status and the status is
    written at the right with the value now and the target, respecting each indicator's
    direction (``progress`` from the summary already does).

    Parameters
    ----------
    data : ProgressSummary or DataFrame
        A summary or a frame with ``SUMMARY_COLUMNS`` (``progress`` is a fraction:
        1 means the target is reached).
    group : optional
        The group (default the only one, or the pooled network).
    period : optional
        Period for every indicator (default each indicator's latest).
    indicators : sequence of str, optional
        Rows, in order (default all, in framework order).
    labels, framework, ax, title, caption
        As in :func:`plot_likert`.

    Returns
    -------
    matplotlib.axes.Axes
    """
    chart = "plot_targets"
    fw = _d.framework_of(data, framework)
    needed = ["indicator_id", "group", "period", "n", "value", "target", "progress", "status",
              "suppressed"]
    frame = _d.overall(_d.table(data, "summary", needed, chart))
    group = _d.choose(frame, "group", group, what="group", prefer=[NETWORK])
    frame = frame[frame["group"] == group]
    order = _d.period_order(frame, data, fw)
    if period is not None:
        _d.choose(frame, "period", period, what="period")
    frame = _d.latest_rows(frame, order, period)
    keys = list(indicators) if indicators is not None else _d.indicator_order(frame, fw)
    rows = [frame[frame["indicator_id"] == k].iloc[0].to_dict() for k in keys
            if (frame["indicator_id"] == k).any()]
    progress = [_d.num(r.get("progress")) * 100 for r in rows if not _d.withheld(r, fw)]
    finite = [p for p in progress if not math.isnan(p)]
    low = max(-100.0, min([-25.0, *[p - 10 for p in finite]]))
    high = min(200.0, max([125.0, *[p + 10 for p in finite]]))
    ax, created = _d.new_axes(ax, 11.0, max(2.0 + 0.5 * len(rows), 3.0))
    bands = [(low, 0.0, "#CFCFCF"), (0.0, 50.0, "#DCDCDC"), (50.0, 100.0, "#E9E9E9"),
             (100.0, high, "#F5F5F5")]
    tick_labels, descriptions = [], []
    for position, row in enumerate(rows):
        indicator_id = str(row["indicator_id"])
        name = _d.indicator_name(fw, indicator_id)
        fv = _d.formatter(fw, indicator_id, frame)
        withheld = _d.withheld(row, fw)
        n = _d.num(row.get("n"))
        tick_labels.append(_style.wrap(name, 36) + (f" (n={n:.0f})" if not withheld and
                                                     not math.isnan(n) else ""))
        if withheld:
            _d.hatch_box(ax, low, position - 0.3, high - low, 0.6, withheld)
            descriptions.append(f"{name}: withheld ({withheld}).")
            continue
        target, now = _d.num(row.get("target")), _d.num(row.get("value"))
        if math.isnan(target):
            ax.text(0, position, f"no target set · now {fv(now)}",
                    va="center", ha="left", fontsize=8, color=_style.MUTED, style="italic")
            descriptions.append(f"{name}: no target set, now {fv(now)}.")
            continue
        for start, stop, color in bands:
            ax.barh(position, stop - start, left=start, height=0.62, color=color, linewidth=0,
                    zorder=1)
        value = _d.num(row.get("progress")) * 100
        status = str(row["status"]) if isinstance(row.get("status"), str) else "insufficient_data"
        color = _style.STATUS_COLORS.get(status, "#BDBDBD")
        if not math.isnan(value):
            shown = min(max(value, low), high)
            ax.barh(position, shown, left=0, height=0.26, color=color, edgecolor="#222222",
                    linewidth=0.7, zorder=3, gid=f"progress:{indicator_id}")
            if shown != value:
                ax.plot([shown], [position], marker=">" if value > 0 else "<", color="#222222",
                        markersize=6, zorder=4)
        ax.plot([100, 100], [position - 0.3, position + 0.3], color="#111111", linewidth=2.6,
                zorder=4, solid_capstyle="butt")
        progress_text = "no baseline" if math.isnan(value) else f"{value:,.0f}%"
        note = (f"{_style.status_label(status, symbol=True)} · {progress_text} · "
                f"{fv(now)} of {fv(target)}")
        ax.annotate(note, xy=(1.0, position), xycoords=("axes fraction", "data"),
                    xytext=(8, 0), textcoords="offset points", va="center", fontsize=8,
                    annotation_clip=False)
        descriptions.append(f"{name}: {note}.")
    ax.set_xlim(low, high)
    ax.set_ylim(len(rows) - 0.5, -0.5)
    ax.set_yticks(range(len(rows)), tick_labels)
    ax.tick_params(axis="y", length=0)
    ax.spines["left"].set_visible(False)
    ticks = [t for t in (-100, -50, 0, 50, 100, 150, 200) if low <= t <= high]
    ax.set_xticks(ticks, [f"{t}%" for t in ticks])
    ax.set_xlabel("Progress from baseline (0%) to target (100%); right: status · progress · "
                  "value now of target", fontsize=8.5)
    handles: list[Any] = [
        Patch(facecolor=_style.STATUS_COLORS[s], edgecolor="#222222", linewidth=0.6,
              label=_style.status_label(s, symbol=True))
        for s in _style.STATUS_ORDER[:5]
    ]
    handles.append(Line2D([], [], color="#111111", linewidth=2.6, label="Target"))
    _d.legend_below(ax, handles, ncol=3)
    periods_used = list(dict.fromkeys(frame["period"]))
    when = str(periods_used[0]) if len(periods_used) == 1 else "latest period of each indicator"
    _d.default_title(title, ax, "Progress toward targets", _d.label(group, labels), when)
    alt = (f"Bullet chart of progress toward targets for {_d.label(group, labels)}, "
           f"{len(rows)} indicators. " + " ".join(descriptions))
    on_chart = frame[frame["indicator_id"].isin(keys)]
    _d.finish(_d.figure_of(ax), created=created, caption=caption, data=data, frame=on_chart,
            framework=fw, alt=alt)
    return ax


# ----------------------------------------------------------------------------------------
# The theory-of-change transit map
# ----------------------------------------------------------------------------------------


def _stop_rows(framework: Framework) -> dict[str, tuple[int, float]]:
    """Column (zone) and row of each stop, rows ordered to reduce crossing lines."""
    zones = [z.id for z in framework.zones]
    columns: list[list[str]] = [[s.id for s in framework.stops_in(z)] for z in zones]
    incoming: dict[str, list[str]] = {}
    for stop in framework.stops:
        for target in stop.leads_to:
            incoming.setdefault(target, []).append(stop.id)
    place: dict[str, tuple[int, float]] = {}
    tallest = max((len(c) for c in columns), default=1)
    for k, column in enumerate(columns):
        if k:
            # Barycentre heuristic (Sugiyama et al., 1981): order by the mean row of the
            # stops in earlier zones that lead here; keep the YAML order on ties.
            def weight(stop_id: str) -> float:
                rows = [place[s][1] for s in incoming.get(stop_id, []) if s in place]
                return sum(rows) / len(rows) if rows else math.inf

            column = sorted(column, key=lambda s: (weight(s), column.index(s)))
        offset = (tallest - len(column)) / 2
        for j, stop_id in enumerate(column):
            place[stop_id] = (k, offset + j)
    return place


def _edge_path(
    start: tuple[float, float], end: tuple[float, float], columns: tuple[int, int],
    *, lane: float, top: float, gap: float, radius: tuple[float, float],
) -> MplPath:
    """An orthogonal, transit-style route between two stations, with rounded corners.

    Stations in neighbouring zones meet in the gap between the zones (each line in its own
    lane); a stop that leads to a stop of its own zone loops round its left side; a line
    that skips zones runs along the top of the map.
    """
    (xa, ya), (xb, yb) = start, end
    ca, cb = columns
    corners: list[tuple[float, float]]
    if cb == ca + 1:
        xm = (xa + xb) / 2 + lane
        corners = [(xa, ya), (xm, ya), (xm, yb), (xb - gap, yb)]
    elif cb == ca:
        xm = xa - 0.27 - abs(lane) * 0.3
        corners = [(xa - gap, ya), (xm, ya), (xm, yb), (xb - gap, yb)]
    else:
        x1 = xa + 0.5 + lane
        x2 = xb - 0.5 + lane
        bus = top - 0.4 - abs(lane) * 0.8
        corners = [(xa, ya), (x1, ya), (x1, bus), (x2, bus), (x2, yb), (xb - gap, yb)]
    verts: list[tuple[float, float]] = [corners[0]]
    codes = [MplPath.MOVETO]
    rx, ry = radius
    for before, corner, after in zip(corners, corners[1:], corners[2:], strict=False):
        # Cut each corner short by the radius (never more than half a segment) and join
        # the two ends with a quadratic curve through the corner.
        def toward(point: tuple[float, float], corner: tuple[float, float] = corner
                   ) -> tuple[float, float]:
            dx, dy = point[0] - corner[0], point[1] - corner[1]
            cut_x = math.copysign(min(rx, abs(dx) / 2), dx) if dx else 0.0
            cut_y = math.copysign(min(ry, abs(dy) / 2), dy) if dy else 0.0
            return (corner[0] + cut_x, corner[1] + cut_y)

        verts += [toward(before), corner, toward(after)]
        codes += [MplPath.LINETO, MplPath.CURVE3, MplPath.CURVE3]
    verts.append(corners[-1])
    codes.append(MplPath.LINETO)
    return MplPath(verts, codes)


@_d.styled
def plot_theory_of_change(
    data: Any = None,
    *,
    group: Any = None,
    period: Any = None,
    framework: Framework | None = None,
    labels: Mapping[Any, str] | None = None,
    ax: Axes | None = None,
    title: str | None = None,
    caption: str | bool | None = None,
) -> Axes:
    """The theory of change as a transit map, each stop coloured by its roll-up status.

    The guide draws its theory of change as a transit map; here the four zones are columns,
    each stop is a station ringed in its realm's colour and filled with its status colour
    (with the status symbol inside), and the framework's ``leads_to`` arrows are the lines
    between stations, coloured by the realm they leave from. Under each station: its name,
    its 0-100 score and how many of its indicators have data.

    Parameters
    ----------
    data : ProgressSummary or DataFrame, optional
        A summary (its ``.by_stop()``) or a roll-up frame with ``ROLLUP_COLUMNS``; omit it
        to draw the bare map of the framework.
    group, period : optional
        Which roll-up to show (default the only group or the network, and the latest period).
    framework : Framework, optional
        The theory of change; default the summary's, else the bundled framework.
    labels, ax, title, caption
        As in :func:`plot_likert`.

    Returns
    -------
    matplotlib.axes.Axes
        Each station is a line artist with ``gid="stop:<stop id>"``.
    """
    chart = "plot_theory_of_change"
    fw = _d.framework_of(data, framework)
    if fw is None:
        from getting_to_outcomes.loading import load_framework

        fw = load_framework()
    rollup: dict[str, dict[str, Any]] = {}
    frame = pd.DataFrame(columns=ROLLUP_COLUMNS)
    if data is not None:
        frame = _d.table(data, "stop", ["group", "period", "level_id", "score_0_100", "status",
                                      "n_indicators_defined", "n_indicators_with_data"], chart)
        group = _d.choose(frame, "group", group, what="group", prefer=[NETWORK])
        frame = frame[frame["group"] == group]
        order = _d.period_order(frame, data, fw)
        period = _d.choose(frame, "period", period, what="period", prefer=order[::-1])
        frame = frame[frame["period"] == period]
        rollup = {str(r["level_id"]): r for r in frame.to_dict("records")}
    place = _stop_rows(fw)
    tallest = max((p[1] for p in place.values()), default=0) + 1
    n_zones = len(fw.zones)
    ax, created = _d.new_axes(ax, 3.0 * n_zones, 2.4 + 1.15 * tallest)
    fig = _d.figure_of(ax)
    box = ax.get_position()
    # Corner radius of 0.09 inch, in data units of each axis.
    radius = (0.09 * n_zones / max(fig.get_figwidth() * box.width * 0.92, 1.0),
              0.09 * (tallest + 1.4) / max(fig.get_figheight() * box.height * 0.8, 1.0))
    realm_of = {s.id: s.realm for s in fw.stops}
    for k, zone in enumerate(fw.zones):
        if k % 2 == 0:
            ax.axvspan(k - 0.5, k + 0.5, color="#F3F3F3", zorder=0, linewidth=0)
        ax.text(k, -0.95, f"ZONE {k + 1}\n{zone.name}", ha="center", va="center",
                fontsize=10, fontweight="bold", color="#222222")
    edges = [(s.id, t) for s in fw.stops for t in s.leads_to if t in place]
    leaving: dict[int, list[tuple[str, str]]] = {}
    for edge in edges:
        leaving.setdefault(place[edge[0]][0], []).append(edge)
    for column_edges in leaving.values():
        column_edges.sort(key=lambda e: (place[e[1]][1], place[e[0]][1]))
        count = len(column_edges)
        for index, (source, target) in enumerate(column_edges):
            lane = (index - (count - 1) / 2) * (0.24 / max(count - 1, 1))
            (ca, ra), (cb, rb) = place[source], place[target]
            path = _edge_path((ca, ra), (cb, rb), (ca, cb), lane=lane, top=0.0, gap=0.075,
                              radius=radius)
            arrow = FancyArrowPatch(path=path, arrowstyle="-|>,head_length=5,head_width=3",
                                    color=_style.REALM_COLORS.get(realm_of[source], "#555555"),
                                    linewidth=1.8, alpha=0.9, zorder=2,
                                    joinstyle="round", capstyle="round",
                                    mutation_scale=1.0, gid=f"edge:{source}->{target}")
            ax.add_patch(arrow)
    described = []
    for stop in fw.stops:
        column, row = place[stop.id]
        info = rollup.get(stop.id)
        status = info.get("status") if info else None
        status = status if isinstance(status, str) else "no_data"
        face = _style.STATUS_COLORS.get(status, _style.NO_DATA_COLOR)
        ring = _style.REALM_COLORS.get(stop.realm, "#555555")
        ax.plot([column], [row], marker="o", markersize=24, markerfacecolor="white",
                markeredgecolor=ring, markeredgewidth=3.5, linestyle="none", zorder=5)
        ax.plot([column], [row], marker="o", markersize=17, markerfacecolor=face,
                markeredgecolor="white", markeredgewidth=0.0, linestyle="none", zorder=5.5,
                gid=f"stop:{stop.id}")
        symbol = _style.STATUS_SYMBOLS.get(status, "")
        if symbol:
            ax.text(column, row, symbol, ha="center", va="center", fontsize=10,
                    fontweight="bold", color=_style.text_color_on(face), zorder=6)
        ax.text(column, row + 0.2, _style.wrap(stop.name, 20), ha="center", va="top",
                fontsize=8.5, fontweight="bold", color="#1A1A1A", zorder=6, linespacing=1.1,
                bbox={"boxstyle": "round,pad=0.12", "facecolor": "white", "edgecolor": "none",
                      "alpha": 0.8})
        if data is not None:
            detail = _stop_detail(info, status)
            lines = _style.wrap(stop.name, 20).count("\n") + 1
            ax.text(column, row + 0.24 + 0.115 * lines, detail, ha="center", va="top",
                    fontsize=7.5, color="#333333", zorder=6)
            described.append(f"{stop.name}: {detail.replace(chr(10), ', ')}.")
    ax.set_xlim(-0.5, n_zones - 0.5)
    ax.set_ylim(tallest + 0.05, -1.35)
    ax.set_axis_off()
    handles: list[Any] = []
    if data is not None:
        handles += [Patch(facecolor=_style.STATUS_COLORS[s], edgecolor="#555555",
                          label=_style.status_label(s, symbol=True))
                    for s in _style.STATUS_ORDER]
        handles.append(Patch(facecolor="white", edgecolor="#555555", label="No data"))
    handles += [Line2D([], [], color=c, linewidth=3, label=f"{r.capitalize()} realm")
                for r, c in _style.REALM_COLORS.items()]
    _d.legend_below(ax, handles, ncol=5, gap=2)
    who = _d.label(group, labels) if data is not None else None
    _d.default_title(title, ax, f"Theory of change: {fw.title}" if data is None else
                   "Progress along the theory of change", who,
                   str(period) if period is not None else None)
    alt = (f"Transit map of the theory of change with {n_zones} zones and {len(fw.stops)} "
           f"stops; arrows show which stop leads to which. ")
    if data is not None:
        alt += f"Stops coloured by status for {_d.label(group, labels)}, {period}. "
        alt += " ".join(described)
    _d.finish(fig, created=created, caption=caption, data=data, frame=frame, framework=fw,
            alt=alt)
    return ax


def _stop_detail(info: Mapping[str, Any] | None, status: str) -> str:
    if info is None:
        return "no indicators scored"
    score = _d.num(info.get("score_0_100"))
    defined = _d.num(info.get("n_indicators_defined"))
    with_data = _d.num(info.get("n_indicators_with_data"))
    head = f"{score:.0f}/100" if not math.isnan(score) else "no score"
    if status not in ("no_data",):
        head += f" · {_style.status_label(status)}"
    if not math.isnan(defined):
        coverage = f"{0 if math.isnan(with_data) else with_data:.0f} of {defined:.0f} indicators"
        return f"{head}\n{coverage}"
    return head


# ----------------------------------------------------------------------------------------
# Trends, rankings, small multiples
# ----------------------------------------------------------------------------------------


def _series(frame: pd.DataFrame, order: Sequence[Any], framework: Framework | None
            ) -> list[dict[str, Any]]:
    """One point per period of one group: value, CI, n, target and the withheld label.

    When the summary has no row for the baseline period itself, the baseline value is used
    there (without an interval), so the line starts where the change was measured from.
    """
    points: dict[Any, dict[str, Any]] = {}
    for row in frame.to_dict("records"):
        points[row["period"]] = {
            "period": row["period"],
            "value": _d.num(row.get("value")),
            "ci_low": _d.num(row.get("ci_low")),
            "ci_high": _d.num(row.get("ci_high")),
            "n": _d.num(row.get("n")),
            "target": _d.num(row.get("target")),
            "withheld": _d.withheld(row, framework),
        }
        if points[row["period"]]["withheld"]:
            # Nothing about a withheld cell is shown, not even its n.
            points[row["period"]].update(value=math.nan, ci_low=math.nan, ci_high=math.nan,
                                         n=math.nan)
    for row in frame.to_dict("records"):
        base = row.get("baseline_period")
        if base is not None and base == base and base not in points:
            value = _d.num(row.get("baseline_value"))
            if not math.isnan(value):
                points[base] = {"period": base, "value": value, "ci_low": math.nan,
                                "ci_high": math.nan, "n": _d.num(row.get("baseline_n")),
                                "target": math.nan, "withheld": None}
    return [points[p] for p in order if p in points]


def _draw_series(
    ax: Axes, points: Sequence[Mapping[str, Any]], positions: Mapping[Any, float], *,
    color: str, label: str | None, band: bool = True, show_n: bool = False,
    linestyle: str = "-", linewidth: float = 2.0, marker: str = "o", zorder: float = 3,
    dodge: float = 0.0, slot: tuple[float, float] = (0.03, 0.94),
) -> list[str]:
    """Draw a line with its CI (a band, or error bars when ``band`` is False and the points
    are dodged); withheld points become hatched, labelled slots. Returns the withheld labels.
    """
    xs = np.array([positions[p["period"]] + dodge for p in points], dtype=float)
    ys = np.array([math.nan if p["withheld"] else p["value"] for p in points], dtype=float)
    low = np.array([p["ci_low"] for p in points], dtype=float)
    high = np.array([p["ci_high"] for p in points], dtype=float)
    ax.plot(xs, ys, color=color, linestyle=linestyle, linewidth=linewidth, marker=marker,
            markersize=5.5, label=label, zorder=zorder)
    if np.isfinite(low).any():
        if band:
            ax.fill_between(xs, low, high, color=color, alpha=0.16, linewidth=0,
                            zorder=zorder - 1)
        elif dodge or marker:
            ax.errorbar(xs, ys, yerr=[ys - low, high - ys], fmt="none", ecolor=color,
                        elinewidth=1.1, capsize=2.5, alpha=0.8, zorder=zorder - 1)
    withheld = []
    transform = ax.get_xaxis_transform()
    for x, point in zip(xs, points, strict=True):
        if point["withheld"]:
            withheld.append(str(point["withheld"]))
            box = Rectangle((x - 0.07, slot[0]), 0.14, slot[1], transform=transform,
                            facecolor=_style.WITHHELD_COLOR, edgecolor=color,
                            hatch=_style.WITHHELD_HATCH, linewidth=0.8, gid="withheld",
                            label=f"_{point['withheld']}", zorder=1)
            ax.add_patch(box)
            ax.text(x, slot[0] + slot[1] / 2, point["withheld"], transform=transform,
                    rotation=90, ha="center", va="center", fontsize=7, color="#333333",
                    zorder=2, bbox={"boxstyle": "round,pad=0.1", "facecolor": "white",
                                    "edgecolor": "none", "alpha": 0.85})
        elif show_n and not math.isnan(point["n"]) and not math.isnan(point["value"]):
            ax.annotate(f"n={point['n']:.0f}", xy=(x, point["value"]), xytext=(0, -14),
                        textcoords="offset points", ha="center", fontsize=7, color=_style.MUTED)
    return withheld


def _trend_targets(ax: Axes, per_group: Sequence[tuple[str, Sequence[Mapping[str, Any]]]],
                   positions: Mapping[Any, float], fv: Callable[[Any], str]) -> None:
    """One target line when the groups share their targets, else one per group, in its
    colour."""
    by_period: dict[Any, set[float]] = {}
    for _, points in per_group:
        for p in points:
            if not math.isnan(p["target"]):
                by_period.setdefault(p["period"], set()).add(p["target"])
    if all(len(targets) == 1 for targets in by_period.values()):
        shared = [{"period": period, "target": next(iter(targets))}
                  for period, targets in by_period.items()]
        _draw_targets(ax, shared, positions, fv)
        return
    for color, points in per_group:
        targets = [(positions[p["period"]], p["target"]) for p in points
                   if not math.isnan(p["target"])]
        if targets:
            ax.plot([x for x, _ in targets], [t for _, t in targets], color=color,
                    linestyle=(0, (5, 3)), linewidth=1.1, marker="_", markersize=12,
                    zorder=2, gid="target", label="_target")
    ax.plot([], [], color="#111111", linestyle=(0, (5, 3)), linewidth=1.1,
            label="Targets (each group's colour)")


def _draw_targets(ax: Axes, points: Sequence[Mapping[str, Any]],
                  positions: Mapping[Any, float], fv: Callable[[Any], str], *,
                  annotate: bool = True) -> str | None:
    """Draw the target as a dashed line; return how to name it ("target 3.40") or None."""
    targets = [(positions[p["period"]], p["target"]) for p in points
               if not math.isnan(p["target"])]
    if not targets:
        return None
    values = {t for _, t in targets}
    if len(values) == 1:
        (value,) = values
        ax.axhline(value, color="#111111", linestyle=(0, (5, 3)), linewidth=1.3, zorder=2,
                   gid="target")
        if annotate:
            ax.annotate(f"Target {fv(value)}", xy=(1.0, value),
                        xycoords=("axes fraction", "data"), xytext=(-2, 3),
                        textcoords="offset points", ha="right", va="bottom", fontsize=8)
        return f"target {fv(value)}"
    ax.plot([x for x, _ in targets], [t for _, t in targets], color="#111111",
            linestyle=(0, (5, 3)), linewidth=1.3, marker="_", markersize=14, zorder=2,
            gid="target", label="Target")
    return "targets by period"


@_d.styled
def plot_trend(
    data: Any,
    *,
    indicator: str | None = None,
    groups: Sequence[Any] | None = None,
    network: bool = True,
    periods: Sequence[Any] | None = None,
    show_target: bool = True,
    labels: Mapping[Any, str] | None = None,
    framework: Framework | None = None,
    ax: Axes | None = None,
    title: str | None = None,
    caption: str | bool | None = None,
) -> Axes:
    """The value of one indicator period by period, with its confidence band and target.

    Parameters
    ----------
    data : ProgressSummary or DataFrame
        A summary or a frame with ``SUMMARY_COLUMNS``.
    indicator : str, optional
        The indicator (needed when the table holds several).
    groups : sequence, optional
        Groups to draw (at most 8; default every group, or the network alone when there are
        more than 8).
    network : bool
        Draw the pooled network as a grey dashed line for context, when present.
    periods : sequence, optional
        Periods in time order, when the summary and framework do not say.
    show_target : bool
        Draw the target as a dashed line.
    labels, framework, ax, title, caption
        As in :func:`plot_likert`.

    Returns
    -------
    matplotlib.axes.Axes
    """
    chart = "plot_trend"
    fw = _d.framework_of(data, framework)
    needed = ["indicator_id", "group", "period", "n", "value", "ci_low", "ci_high",
              "suppressed"]
    frame = _d.overall(_d.table(data, "summary", needed, chart))
    indicator = _d.choose(frame, "indicator_id", indicator, what="indicator")
    frame = frame[frame["indicator_id"] == indicator]
    order = _d.period_order(frame, data, fw, periods)
    chosen = _d.groups(frame, groups, network=False)
    if groups is None and len(chosen) > 8:
        chosen = [NETWORK] if NETWORK in set(frame["group"]) else chosen[:0]
        if not chosen:
            msg = (f"{len(_d.groups(frame, None, network=False))} groups are too many for one "
                   "trend chart; pass groups=[...] (at most 8) or use plot_small_multiples")
            raise ChartDataError(msg)
    if len(chosen) > 8:
        msg = "plot_trend draws at most 8 groups; use plot_small_multiples for more"
        raise ChartDataError(msg)
    positions = {p: float(k) for k, p in enumerate(order)}
    share = _d.is_share(fw, str(indicator), frame)
    fv = _d.formatter(fw, str(indicator), frame)
    ax, created = _d.new_axes(ax, 8.0, 4.8)
    descriptions = []
    single = len(chosen) == 1
    per_group: list[tuple[str, list[dict[str, Any]]]] = []
    for k, g in enumerate(chosen):
        points = _series(frame[frame["group"] == g], order, fw)
        color = _style.GROUP_COLORS[k % len(_style.GROUP_COLORS)]
        name = _d.label(g, labels)
        if not single and points:
            latest = points[-1]
            name += (f" (latest {latest['withheld']})" if latest["withheld"] else
                     f" (n={latest['n']:.0f})" if not math.isnan(latest["n"]) else "")
        per_group.append((color, points))
        dodge = 0.0 if len(chosen) <= 2 else (k - (len(chosen) - 1) / 2) * 0.045
        withheld = _draw_series(ax, points, positions, color=color, label=name,
                                show_n=single, band=len(chosen) <= 2, dodge=dodge,
                                slot=(0.03, 0.94) if single else (0.02, 0.22))
        descriptions.append(
            f"{_d.label(g, labels)}: "
            + ", ".join(f"{p['period']} {p['withheld'] or fv(p['value'])}"
                        for p in points) + "." + (f" {len(withheld)} period(s) withheld."
                                                  if withheld else "")
        )
    # A pooled count is the network's total, not a typical grantee: it is no reference line.
    comparable = not _d.is_whole(fw, str(indicator), frame)
    if comparable and network and NETWORK not in chosen and NETWORK in set(frame["group"]):
        points = _series(frame[frame["group"] == NETWORK], order, fw)
        _draw_series(ax, points, positions, color="#7F7F7F", label="Network (pooled)",
                     band=False, linestyle="--", linewidth=1.4, marker="", zorder=2)
    if show_target:
        _trend_targets(ax, per_group, positions, fv)
    ax.set_xticks(list(positions.values()), [str(p) for p in order])
    ax.set_xlim(-0.35, len(order) - 0.65)
    ax.grid(axis="y", color="#EEEEEE")
    if share:
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v * 100:.0f}%"))
    found = _d.indicator(fw, str(indicator))
    if found is not None:
        ax.set_ylabel(found.unit)
    handles, _names = ax.get_legend_handles_labels()
    if len(handles) > 1 or not single:
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8)
    band_note = _d.ci_label(data) + ("" if len(chosen) <= 2 else "s")
    _d.default_title(title, ax, f"{_d.indicator_name(fw, str(indicator))} over time",
                   _d.label(chosen[0], labels) if single else f"{len(chosen)} groups",
                   f"{_d.when(list(order))}; {'band' if len(chosen) <= 2 else 'bars'}: "
                   f"{band_note}")
    alt = (f"Line chart of {_d.indicator_name(fw, str(indicator))} over {len(order)} periods "
           f"with {_d.ci_label(data)}s. " + " ".join(descriptions))
    _d.finish(_d.figure_of(ax), created=created, caption=caption, data=data, frame=frame,
            framework=fw, alt=alt)
    return ax


def rank_ranges(frame: pd.DataFrame, *, direction: str = "increase") -> pd.DataFrame:
    """Rank of each group with the range of ranks its confidence interval allows.

    A group certainly ranks behind every group whose whole interval lies beyond its own,
    and certainly ahead of every group whose whole interval lies behind; between those
    bounds its rank is uncertain. Judging by non-overlapping intervals is conservative
    (Schenker & Gentleman, 2001, *The American Statistician* 55(3)), so the range is wide
    rather than falsely narrow. Rank 1 is the best given ``direction``.

    Parameters
    ----------
    frame : DataFrame
        Columns ``group``, ``value``, ``ci_low``, ``ci_high``; rows without a value are left
        out.
    direction : {"increase", "decrease"}
        Whether higher or lower values are better.

    Returns
    -------
    DataFrame
        Columns ``group``, ``value``, ``rank``, ``rank_best``, ``rank_worst``, ordered by rank.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"group": ["a", "b", "c"], "value": [3.0, 2.0, 1.0],
    ...                       "ci_low": [2.8, 1.5, 0.2], "ci_high": [3.2, 2.5, 1.7]})
    >>> rank_ranges(frame)[["group", "rank", "rank_best", "rank_worst"]].values.tolist()
    [['a', 1, 1, 1], ['b', 2, 2, 3], ['c', 3, 2, 3]]
    """
    data = frame[["group", "value", "ci_low", "ci_high"]].copy()
    data = data[data["value"].map(_d.is_num)]
    sign = -1.0 if direction == "decrease" else 1.0
    value = data["value"].astype(float).to_numpy() * sign
    low = data["ci_low"].map(_d.num).to_numpy() * sign
    high = data["ci_high"].map(_d.num).to_numpy() * sign
    if sign < 0:
        low, high = high, low
    low = np.where(np.isnan(low), value, low)
    high = np.where(np.isnan(high), value, high)
    surely_ahead = (low[None, :] > high[:, None]).sum(axis=1)
    surely_behind = (high[None, :] < low[:, None]).sum(axis=1)
    count = len(value)
    order = (-value).argsort(kind="stable")
    ranks = np.empty(count, dtype=int)
    ranks[order] = np.arange(1, count + 1)
    out = data.assign(rank=ranks, rank_best=1 + surely_ahead, rank_worst=count - surely_behind)
    return out.sort_values("rank").reset_index(drop=True)[
        ["group", "value", "rank", "rank_best", "rank_worst"]
    ]


@_d.styled
def plot_ranking(
    data: Any,
    *,
    indicator: str | None = None,
    period: Any = None,
    network: bool = True,
    labels: Mapping[Any, str] | None = None,
    framework: Framework | None = None,
    ax: Axes | None = None,
    title: str | None = None,
    caption: str | bool | None = None,
) -> Axes:
    """Groups ranked on one indicator, each with its confidence interval and rank range.

    A caterpillar plot: best at the top (respecting the indicator's direction), the pooled
    network as a dashed line, and at the right the ranks each group could hold given the
    intervals (see :func:`rank_ranges`). Withheld groups are listed at the bottom, hatched.

    Parameters
    ----------
    data : ProgressSummary or DataFrame
        A summary or a frame with ``SUMMARY_COLUMNS``.
    indicator : str, optional
        The indicator (needed when the table holds several).
    period : optional
        The period (default the latest).
    network : bool
        Draw the pooled network value, when present.
    labels, framework, ax, title, caption
        As in :func:`plot_likert`.

    Returns
    -------
    matplotlib.axes.Axes
    """
    chart = "plot_ranking"
    fw = _d.framework_of(data, framework)
    needed = ["indicator_id", "group", "period", "n", "value", "ci_low", "ci_high",
              "suppressed"]
    frame = _d.overall(_d.table(data, "summary", needed, chart))
    indicator = _d.choose(frame, "indicator_id", indicator, what="indicator")
    frame = frame[frame["indicator_id"] == indicator]
    order = _d.period_order(frame, data, fw)
    period = _d.choose(frame, "period", period, what="period",
                     prefer=[p for p in order if p in set(frame["period"])][::-1])
    frame = frame[frame["period"] == period]
    found = _d.indicator(fw, str(indicator))
    direction = found.direction if found is not None else str(
        frame["direction"].dropna().iloc[0]) if "direction" in frame and frame[
        "direction"].notna().any() else "increase"
    records = {r["group"]: r for r in frame.to_dict("records")}
    members = [g for g in _d.groups(frame, None, network=False)]
    shown = [g for g in members if not _d.withheld(records[g], fw)
             and _d.is_num(records[g].get("value"))]
    hidden = [g for g in members if g not in shown]
    ranks = rank_ranges(frame[frame["group"].isin(shown)], direction=direction)
    rows = ranks["group"].tolist() + hidden
    share = _d.is_share(fw, str(indicator), frame)
    fv = _d.formatter(fw, str(indicator), frame)
    ax, created = _d.new_axes(ax, 8.5, max(2.2 + _d.row_pitch(len(rows)) * len(rows), 3.2))
    values = [_d.num(records[g].get(c)) for g in shown for c in ("value", "ci_low", "ci_high")]
    finite = [v for v in values if not math.isnan(v)]
    low, high = (min(finite), max(finite)) if finite else (0.0, 1.0)
    pad = 0.06 * ((high - low) or 1.0)
    # A pooled count is the network's total, not a typical grantee: it is no reference line.
    pooled = math.nan
    if network and NETWORK in records and not _d.is_whole(fw, str(indicator), frame) \
            and not _d.withheld(records[NETWORK], fw):
        pooled = _d.num(records[NETWORK].get("value"))
    if not math.isnan(pooled):
        low, high = min(low, pooled), max(high, pooled)
    low, high = low - pad, high + pad
    descriptions = []
    intervals: list[tuple[float, float, float]] = []
    dots: list[tuple[float, float]] = []
    for position, g in enumerate(rows):
        row = records[g]
        if g in hidden:
            label = _d.withheld(row, fw) or "no data"
            _d.hatch_box(ax, low, position - 0.32, high - low, 0.64, label, fontsize=7)
            descriptions.append(f"{_d.label(g, labels)}: {label}.")
            continue
        value, c_low, c_high = (_d.num(row.get(c)) for c in ("value", "ci_low", "ci_high"))
        info = ranks[ranks["group"] == g].iloc[0]
        if not math.isnan(c_low):
            intervals.append((position, c_low, c_high))
        dots.append((value, position))
        span = (f"rank {info['rank_best']}" if info["rank_best"] == info["rank_worst"] else
                f"rank {info['rank_best']}–{info['rank_worst']}")
        ax.annotate(f"{fv(value)}  ·  {span}", xy=(1.0, position),
                    xycoords=("axes fraction", "data"), xytext=(8, 0),
                    textcoords="offset points", va="center", fontsize=8, annotation_clip=False)
        descriptions.append(f"{_d.label(g, labels)}: {fv(value)} "
                            f"(CI {fv(c_low)} to "
                            f"{fv(c_high)}), {span} of {len(shown)}.")
    # All intervals and all dots as two artists: cheaper to draw than one per grantee.
    if intervals:
        ax.hlines([y for y, _, _ in intervals], [lo for _, lo, _ in intervals],
                  [hi for _, _, hi in intervals], colors="#555555", linewidth=1.4, zorder=2,
                  gid="intervals")
    if dots:
        ax.plot([x for x, _ in dots], [y for _, y in dots], marker="o", markersize=6.5,
                color=_style.OKABE_ITO["blue"], linestyle="none", zorder=3, gid="values")
    if not math.isnan(pooled):
        ax.axvline(pooled, color="#7F7F7F", linestyle="--", linewidth=1.2, zorder=1)
        ax.annotate(f"Network {fv(pooled)}", xy=(pooled, 1.0),
                    xycoords=("data", "axes fraction"), xytext=(3, 2),
                    textcoords="offset points", fontsize=8, color="#555555")
        descriptions.append(f"Network pooled value {fv(pooled)}.")
    ax.set_xlim(low, high)
    ax.set_ylim(len(rows) - 0.5, -0.7)
    ax.set_yticks(range(len(rows)), [
        _d.label(g, labels) + (f" (n={_d.num(records[g].get('n')):.0f})"
                             if g in shown and _d.is_num(records[g].get("n")) else "")
        for g in rows])
    ax.tick_params(axis="y", length=0)
    ax.spines["left"].set_visible(False)
    ax.grid(axis="x", color="#EEEEEE")
    if share:
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v * 100:.0f}%"))
    if found is not None:
        ax.set_xlabel(found.unit + (" (lower is better)" if direction == "decrease" else ""))
    _d.default_title(title, ax, f"{_d.indicator_name(fw, str(indicator))}: ranking with "
                   f"{_d.ci_label(data)}s", f"{len(members)} groups", str(period))
    alt = (f"Ranking of {len(members)} groups on {_d.indicator_name(fw, str(indicator))}, "
           f"{period}, best first. " + " ".join(descriptions))
    _d.finish(_d.figure_of(ax), created=created, caption=caption, data=data, frame=frame,
            framework=fw, alt=alt)
    return ax


@_d.styled
def plot_small_multiples(
    data: Any,
    *,
    indicator: str | None = None,
    facet: Literal["group", "indicator"] = "group",
    group: Any = None,
    groups: Sequence[Any] | None = None,
    indicators: Sequence[str] | None = None,
    network: bool = True,
    periods: Sequence[Any] | None = None,
    ncols: int | None = None,
    labels: Mapping[Any, str] | None = None,
    framework: Framework | None = None,
    fig: Figure | None = None,
    title: str | None = None,
    caption: str | bool | None = None,
) -> Figure:
    """One small trend panel per grantee for one indicator (or per indicator for one grantee).

    With ``facet="group"`` every panel shares the y axis so grantees compare at a glance and
    the pooled network is drawn in grey in each for context; with ``facet="indicator"`` each
    panel keeps its own axis (units differ). Bands are confidence intervals, dashed black
    lines targets, hatched slots withheld periods.

    Parameters
    ----------
    data : ProgressSummary or DataFrame
        A summary or a frame with ``SUMMARY_COLUMNS``.
    indicator : str, optional
        The indicator (``facet="group"``).
    facet : {"group", "indicator"}
        What each panel is.
    group : optional
        The group (``facet="indicator"``).
    groups, indicators : sequence, optional
        Panels to draw, in order.
    network : bool
        Draw the network for context (``facet="group"``).
    periods : sequence, optional
        Periods in time order, when the summary and framework do not say.
    ncols : int, optional
        Panels per row (default up to 4, or 5 for more than 16 panels).
    fig : matplotlib Figure, optional
        An empty figure to draw on; a new one when omitted.
    labels, framework, title, caption
        As in :func:`plot_likert`.

    Returns
    -------
    matplotlib.figure.Figure
    """
    chart = "plot_small_multiples"
    fw = _d.framework_of(data, framework)
    needed = ["indicator_id", "group", "period", "n", "value", "ci_low", "ci_high",
              "suppressed"]
    frame = _d.overall(_d.table(data, "summary", needed, chart))
    if facet == "group":
        indicator = _d.choose(frame, "indicator_id", indicator, what="indicator")
        frame = frame[frame["indicator_id"] == indicator]
        keys: list[Any] = _d.groups(frame, groups, network=False)
        key_col = "group"
    elif facet == "indicator":
        group = _d.choose(frame, "group", group, what="group", prefer=[NETWORK])
        frame = frame[frame["group"] == group]
        keys = list(indicators) if indicators is not None else _d.indicator_order(frame, fw)
        key_col = "indicator_id"
    else:
        msg = f"facet must be 'group' or 'indicator', got {facet!r}"
        raise ChartDataError(msg)
    if not keys:
        msg = "there are no panels to draw"
        raise ChartDataError(msg)
    order = _d.period_order(frame, data, fw, periods)
    cols = ncols or (min(4, len(keys)) if len(keys) <= 16 else 5)
    nrows = math.ceil(len(keys) / cols)
    created = fig is None
    shared = facet == "group"
    grid: dict[str, float] = {}
    if fig is None:
        # Panels are alike, so a fixed grid (in inches) replaces the layout engine, which
        # would measure every panel's texts before each export.
        panel_w, panel_h = 2.45, 1.25
        gap_w, gap_h = (0.3 if shared else 0.62), 0.78
        left, right, top, bottom = 0.62, 0.15, 1.0, 0.45
        width = left + right + cols * panel_w + (cols - 1) * gap_w
        height = top + bottom + nrows * panel_h + (nrows - 1) * gap_h
        fig = _style.chart_figure(width, height, layout=None)
        grid = {"left": left / width, "right": 1 - right / width, "top": 1 - top / height,
                "bottom": bottom / height, "wspace": gap_w / panel_w, "hspace": gap_h / panel_h}
    axes = fig.subplots(nrows, cols, sharex=shared, sharey=shared, squeeze=False,
                        gridspec_kw=grid or None)
    # A pooled count is the network's total, not a typical grantee: it is no reference line.
    comparable = facet == "group" and not _d.is_whole(fw, str(indicator), frame)
    network_points = (_series(frame[frame["group"] == NETWORK], order, fw)
                      if comparable and network and NETWORK in set(frame["group"]) else [])
    descriptions = []
    for index, panel in enumerate(axes.flat):
        if index >= len(keys):
            panel.set_visible(False)
            # The panel above an empty slot is the last of its column: it shows the periods.
            if shared and index >= cols:
                axes.flat[index - cols].xaxis.set_tick_params(labelbottom=True)
            continue
        key = keys[index]
        block = frame[frame[key_col] == key]
        indicator_id = str(indicator) if facet == "group" else str(key)
        # Each indicator keeps its own periods (waves or years); grantees share theirs.
        own = set(block["period"]) | set(block.get("baseline_period", pd.Series()).dropna())
        panel_order = order if shared else [p for p in order if p in own]
        positions = {p: float(k) for k, p in enumerate(panel_order)}
        share = _d.is_share(fw, indicator_id, frame)
        fv = _d.formatter(fw, indicator_id, frame)
        points = _series(block, panel_order, fw)
        if network_points:
            _draw_series(panel, network_points, positions, color="#9A9A9A", label=None,
                         band=False, linestyle="--", linewidth=1.1, marker="", zorder=2)
        target = None
        if points:
            _draw_series(panel, points, positions, color=_style.OKABE_ITO["blue"],
                         label=None, linewidth=1.8)
            target = _draw_targets(panel, points, positions, fv, annotate=False)
        else:
            panel.text(0.5, 0.5, "no data", transform=panel.transAxes, ha="center",
                       va="center", color=_style.MUTED, fontsize=8)
        name = _d.label(key, labels) if facet == "group" else _d.indicator_name(fw, indicator_id)
        head = _style.wrap(_d.short(name, 60), 34)
        details = []
        if points and points[-1]["withheld"]:
            details.append(f"latest: {points[-1]['withheld']}")
        elif points and not math.isnan(points[-1]["n"]):
            details.append(f"n={points[-1]['n']:.0f}")
        if target:
            details.append(target)
        if details:
            head += "\n" + " · ".join(details)
        panel.set_title(head, fontsize=8, loc="left", fontweight="bold", pad=3)
        panel.set_xticks(list(positions.values()), [str(p) for p in panel_order],
                         fontsize=7.5)
        panel.set_xlim(-0.35, len(panel_order) - 0.65)
        panel.yaxis.set_major_locator(MaxNLocator(4))
        panel.tick_params(axis="y", labelsize=7.5)
        panel.grid(axis="y", color="#EEEEEE")
        if share:
            panel.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v * 100:.0f}%"))
        descriptions.append(f"{name}: " + ", ".join(
            f"{p['period']} {p['withheld'] or fv(p['value'])}" for p in points
        ) + ".")
    if facet == "group":
        what = f"{_d.indicator_name(fw, str(indicator))}, grantee by grantee"
        who = f"{len(keys)} groups" + (" (grey dashed: network)" if network_points else "")
    else:
        what = "Every indicator over time"
        who = _d.label(group, labels)
    suptitle = title if title is not None else (
        f"{what}\n{who} · {_d.when(order) if shared else 'each indicator over its own periods'}"
        f"; bands: {_d.ci_label(data)}s, dashed: targets")
    if suptitle:
        fig.suptitle(suptitle, x=0.01, y=1 - 0.1 / fig.get_figheight() if grid else 0.98,
                     ha="left", va="top", fontsize=12, fontweight="bold")
    alt = (f"Small multiples: {len(keys)} panels of {what.lower()}, periods "
           f"{', '.join(map(str, order))}. " + " ".join(descriptions))
    on_chart = frame[frame[key_col].isin(keys)]
    _d.finish(fig, created=created, caption=caption, data=data, frame=on_chart, framework=fw,
            alt=alt)
    return fig


# ----------------------------------------------------------------------------------------
# Wins pipeline and realm profiles
# ----------------------------------------------------------------------------------------


@_d.styled
def plot_wins_pipeline(
    data: Any,
    *,
    indicator: str | None = None,
    group: Any = None,
    labels: Mapping[Any, str] | None = None,
    framework: Framework | None = None,
    ax: Axes | None = None,
    title: str | None = None,
    caption: str | bool | None = None,
) -> Axes:
    """Wins by the highest stage they reached, stacked by level (school, district, state...).

    Stages run top to bottom in their declared order; setbacks (for example defeated or
    reversed) are hatched and set apart. Counts are written at the end of each bar.

    Parameters
    ----------
    data : ProgressSummary or DataFrame
        A summary (its ``.milestones()``) or a frame with ``MILESTONE_COLUMNS``.
    indicator : str, optional
        The milestone indicator (needed when the table holds several).
    group : optional
        One group; by default the network (its pooled rows, else the sum over groups).
    labels, framework, ax, title, caption
        As in :func:`plot_likert`.

    Returns
    -------
    matplotlib.axes.Axes
    """
    chart = "plot_wins_pipeline"
    fw = _d.framework_of(data, framework)
    frame = _d.table(data, "milestones", ["group", "indicator_id", "stage", "stage_order",
                                        "level", "count"], chart)
    indicator = _d.choose(frame, "indicator_id", indicator, what="indicator")
    frame = frame[frame["indicator_id"] == indicator]
    if group is not None:
        _d.choose(frame, "group", group, what="group")
        frame = frame[frame["group"] == group]
        who = _d.label(group, labels)
    elif NETWORK in set(frame["group"]):
        frame = frame[frame["group"] == NETWORK]
        who = _d.label(NETWORK, labels)
    else:
        who = f"{frame['group'].nunique()} groups combined"
    frame = frame.assign(level=frame["level"].where(frame["level"].notna(), "unspecified")
                         .astype(str))
    table = frame.pivot_table(index=["stage_order", "stage"], columns="level", values="count",
                              aggfunc="sum", fill_value=0, observed=True).sort_index()
    levels = sorted(table.columns, key=lambda v: (
        _LEVEL_ORDER.index(v) if v in _LEVEL_ORDER else len(_LEVEL_ORDER), v))
    table = table[levels]
    found = _d.indicator(fw, str(indicator))
    setbacks = set(getattr(found.measure, "setbacks", []) if found is not None else []) | {
        "defeated", "reversed", "withdrawn"}
    stage_labels = {}
    if found is not None and found.measure.kind == "milestone":
        stage_labels = {s.id: s.label for s in found.measure.stages}
    # Stages in their order, setbacks (which end an item) after all of them.
    table = table.iloc[sorted(range(len(table)), key=lambda k: (
        table.index[k][1] in setbacks, table.index[k][0]))]
    stages = [s for _, s in table.index]
    ax, created = _d.new_axes(ax, 8.5, max(2.4 + 0.5 * len(stages), 3.2))
    palette = [_style.OKABE_ITO[c] for c in ("sky_blue", "blue", "bluish_green",
                                              "reddish_purple", "orange", "black")]
    positions: list[float] = []
    position = 0.0
    for stage in stages:
        if stage in setbacks and positions and stages[len(positions) - 1] not in setbacks:
            position += 0.5
        positions.append(position)
        position += 1.0
    totals = table.sum(axis=1).to_numpy()
    for k, level in enumerate(levels):
        lefts = table.iloc[:, :k].sum(axis=1).to_numpy() if k else np.zeros(len(stages))
        widths = table[level].to_numpy()
        hatches = ["\\\\\\" if s in setbacks else "" for s in stages]
        for y, left, width, hatch in zip(positions, lefts, widths, hatches, strict=True):
            if width <= 0:
                continue
            ax.barh(y, width, left=left, height=0.66, color=palette[k % len(palette)],
                    edgecolor="white", linewidth=0.8, hatch=hatch, label=None,
                    gid=f"wins:{level}")
            if width >= max(totals.max() * 0.06, 1):
                ax.text(left + width / 2, y, f"{width:.0f}", ha="center", va="center",
                        fontsize=8, color=_style.text_color_on(palette[k % len(palette)]),
                        in_layout=False)
    for y, total in zip(positions, totals, strict=True):
        ax.annotate(f"{total:.0f}", xy=(total, y), xytext=(4, 0), textcoords="offset points",
                    va="center", fontsize=8.5, fontweight="bold")
    ax.set_yticks(positions, [stage_labels.get(s, str(s).replace("_", " ").capitalize())
                              + (" (setback)" if s in setbacks else "") for s in stages])
    ax.set_ylim(max(positions, default=0) + 0.6, -0.6)
    ax.set_xlim(0, max(float(totals.max()) if len(totals) else 1.0, 1.0) * 1.12)
    ax.tick_params(axis="y", length=0)
    ax.spines["left"].set_visible(False)
    ax.set_xlabel("Wins, by the highest stage reached")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    handles = [Patch(facecolor=palette[k % len(palette)], label=str(level).capitalize())
               for k, level in enumerate(levels)]
    _d.legend_below(ax, handles, ncol=min(len(handles), 6), gap=34)
    _d.default_title(title, ax, f"{_d.indicator_name(fw, str(indicator))}: pipeline by stage and "
                   "level", who, None)
    alt = (f"Stacked bar chart of {_d.indicator_name(fw, str(indicator))} for {who}: "
           + " ".join(f"{s}: {t:.0f} ("
                      + ", ".join(f"{lvl} {table.loc[(o, s), lvl]:.0f}" for lvl in levels
                                  if table.loc[(o, s), lvl] > 0) + ")."
                      for (o, s), t in zip(table.index, totals, strict=True)))
    _d.finish(_d.figure_of(ax), created=created, caption=caption, data=data, frame=frame,
            framework=fw, alt=alt)
    return ax


@_d.styled
def plot_realm_profiles(
    data: Any,
    *,
    groups: Sequence[Any] | None = None,
    period: Any = None,
    network: bool = True,
    labels: Mapping[Any, str] | None = None,
    framework: Framework | None = None,
    fig: Figure | None = None,
    title: str | None = None,
    caption: str | bool | None = None,
) -> Figure:
    """Individual, community and policy scores (0-100) side by side, one row per grantee.

    Each realm is a panel; bars are roll-up scores, the text at the end says how many of the
    realm's indicators have data (missing is never counted as zero), and a dashed line marks
    the pooled network.

    Parameters
    ----------
    data : ProgressSummary or DataFrame
        A summary (its ``.by_realm()``) or a roll-up frame with ``ROLLUP_COLUMNS``.
    groups : sequence, optional
        Rows, in order (default every group).
    period : optional
        The period (default each group's latest).
    network : bool
        Mark the pooled network, when present.
    fig : matplotlib Figure, optional
        An empty figure to draw on; a new one when omitted.
    labels, framework, title, caption
        As in :func:`plot_likert`.

    Returns
    -------
    matplotlib.figure.Figure
    """
    chart = "plot_realm_profiles"
    fw = _d.framework_of(data, framework)
    frame = _d.table(data, "realm", ["group", "period", "level_id", "score_0_100",
                                   "n_indicators_defined", "n_indicators_with_data"], chart)
    order = _d.period_order(frame, data, fw)
    if period is not None:
        _d.choose(frame, "period", period, what="period")
        frame = frame[frame["period"] == period]
    else:
        rank = {p: k for k, p in enumerate(order)}
        frame = frame.assign(_rank=frame["period"].map(rank).fillna(-1))
        latest = frame.groupby("group")["_rank"].transform("max")
        frame = frame[frame["_rank"] == latest].drop(columns="_rank")
    members = _d.groups(frame, groups, network=False)
    realms = ([r.id for r in fw.realms] if fw is not None
              else ["individual", "community", "policy"])
    records = {(r["group"], r["level_id"]): r for r in frame.to_dict("records")}
    created = fig is None
    if fig is None:
        fig = _style.chart_figure(10.0, max(2.4 + _d.row_pitch(len(members)) * len(members),
                                            3.4))
    axes = fig.subplots(1, len(realms), sharey=True, squeeze=False)[0]
    descriptions = []
    for panel, realm in zip(axes, realms, strict=True):
        color = _style.REALM_COLORS.get(realm, "#555555")
        parts = []
        bars: list[tuple[int, float]] = []
        for position, g in enumerate(members):
            row = records.get((g, realm))
            score = _d.num(row.get("score_0_100")) if row else math.nan
            defined = _d.num(row.get("n_indicators_defined")) if row else math.nan
            with_data = _d.num(row.get("n_indicators_with_data")) if row else math.nan
            if math.isnan(score):
                panel.text(2, position, "no data", va="center", fontsize=7.5,
                           color=_style.MUTED, style="italic", in_layout=False)
                parts.append(f"{_d.label(g, labels)} no data")
                continue
            bars.append((position, score))
            coverage = ("" if math.isnan(defined) else
                        f" · {0 if math.isnan(with_data) else with_data:.0f}/{defined:.0f}")
            panel.text(min(score, 100) + 1.5, position, f"{score:.0f}{coverage}",
                       va="center", fontsize=7.5, color="#222222", in_layout=False)
            parts.append(f"{_d.label(g, labels)} {score:.0f}")
        if bars:
            # One call for all of a realm's bars: cheaper to draw than one per grantee.
            container = panel.barh([y for y, _ in bars], [x for _, x in bars], height=0.66,
                                   color=color)
            for bar in container:
                bar.set_gid(f"realm:{realm}")
        pooled = records.get((NETWORK, realm))
        if network and pooled is not None and _d.is_num(pooled.get("score_0_100")):
            value = _d.num(pooled["score_0_100"])
            panel.axvline(value, color="#444444", linestyle="--", linewidth=1.1, zorder=3)
            panel.annotate(f"network {value:.0f}", xy=(value, 1.0),
                           xycoords=("data", "axes fraction"), xytext=(2, 2),
                           textcoords="offset points", fontsize=7.5, color="#444444")
            parts.append(f"network {value:.0f}")
        name = next((r.name for r in fw.realms if r.id == realm), realm) if fw else realm
        panel.set_title(name.capitalize(), loc="left", fontsize=10, color=color, pad=14)
        panel.set_xlim(0, 118)
        panel.set_xticks([0, 25, 50, 75, 100])
        panel.grid(axis="x", color="#EEEEEE")
        panel.tick_params(axis="y", length=0)
        descriptions.append(f"{name}: " + ", ".join(parts) + ".")
    axes[0].set_yticks(range(len(members)), [_d.label(g, labels) for g in members])
    axes[0].set_ylim(len(members) - 0.5, -0.6)
    for panel in axes[1:]:
        # The names are on the first panel; the others need no y axis at all.
        panel.yaxis.set_visible(False)
    fig.supxlabel("Roll-up score (0-100) · text: score · indicators with data / defined",
                  fontsize=8.5, color="#333333")
    periods_used = list(dict.fromkeys(frame["period"]))
    when = str(periods_used[0]) if len(periods_used) == 1 else "latest period of each group"
    suptitle = title if title is not None else (
        f"Realm profiles: individual, community and policy\n{len(members)} groups · {when}")
    if suptitle:
        fig.suptitle(suptitle, x=0.01, ha="left", fontsize=12, fontweight="bold")
    alt = (f"Bar charts of roll-up scores (0-100) in {len(realms)} realms for "
           f"{len(members)} groups, {when}. " + " ".join(descriptions))
    _d.finish(fig, created=created, caption=caption, data=data, frame=frame, framework=fw,
            alt=alt)
    return fig


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
