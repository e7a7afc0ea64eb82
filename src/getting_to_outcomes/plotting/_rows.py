"""Rows of one chart each: Likert answers, before/after dumbbells, bullet bars.

Private: the public names are in :mod:`getting_to_outcomes.plotting`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from getting_to_outcomes._format import plural
from getting_to_outcomes.columns import NETWORK
from getting_to_outcomes.errors import ChartDataError
from getting_to_outcomes.plotting import chart_data as _d
from getting_to_outcomes.plotting import style as _style

if TYPE_CHECKING:
    from getting_to_outcomes.definitions import Framework


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
            rows.append(_likert_row(_d.short(_d.label(key, labels)) if by == "group" else str(key),
                                    values,
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
        f"{plural(len(rows), 'bar')} by {by}. "
        + " ".join(
            f"{r[0]}: {_agree_share(r[1], len(code_list)):.0f}% agree, n={r[2]}." for r in shown
            if r[1] is not None
        )
        + (f" {plural(len(rows) - len(shown), 'bar')} withheld (fewer than "
           f"{plural(threshold, 'answer')})."
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
    ax.xaxis.set_major_formatter(_d.PercentTicks(1, signed=False))
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
    alt = (f"Dumbbell chart of change from baseline ({when}), {plural(len(rows), 'row')} by "
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
        tick_labels.append(_style.wrap(_d.short(name, 100), 34) + (f" (n={n:.0f})" if not withheld
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
# Progress-to-target bullet bars
# ----------------------------------------------------------------------------------------


@_d.styled
def _no_progress(row: Mapping[Any, Any]) -> str:
    """Why a row has no progress from baseline to target, as the data show it.

    Progress is the share of the distance from baseline to target covered; it is undefined
    without a baseline, without a value now, and when the baseline already meets the target
    (there is no distance left to cover).
    """
    baseline, target = _d.num(row.get("baseline_value")), _d.num(row.get("target"))
    if math.isnan(baseline):
        return "no baseline"
    if math.isnan(_d.num(row.get("value"))):
        return "no value now"
    lower_is_better = row.get("direction") == "decrease"
    if (baseline <= target) if lower_is_better else (baseline >= target):
        return "target met at baseline"
    return "progress not computed"


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
        progress_text = f"{value:,.0f}%" if not math.isnan(value) else _no_progress(row)
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
        for s in _style.STATUS_ORDER[:-1]
        if s != "target_met_declining" or bool((frame["status"] == s).any())
    ]
    handles.append(Line2D([], [], color="#111111", linewidth=2.6, label="Target"))
    _d.legend_below(ax, handles, ncol=3)
    periods_used = list(dict.fromkeys(frame["period"]))
    when = str(periods_used[0]) if len(periods_used) == 1 else "latest period of each indicator"
    _d.default_title(title, ax, "Progress toward targets", _d.label(group, labels), when)
    alt = (f"Bullet chart of progress toward targets for {_d.label(group, labels)}, "
           f"{plural(len(rows), 'indicator')}. " + " ".join(descriptions))
    on_chart = frame[frame["indicator_id"].isin(keys)]
    _d.finish(_d.figure_of(ax), created=created, caption=caption, data=data, frame=on_chart,
            framework=fw, alt=alt)
    return ax
