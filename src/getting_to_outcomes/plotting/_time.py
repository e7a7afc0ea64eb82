"""Charts over time: trends and small multiples.

Private: the public names are in :mod:`getting_to_outcomes.plotting`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.ticker import MaxNLocator

from getting_to_outcomes._format import plural
from getting_to_outcomes.columns import NETWORK
from getting_to_outcomes.errors import ChartDataError
from getting_to_outcomes.plotting import chart_data as _d
from getting_to_outcomes.plotting import style as _style

if TYPE_CHECKING:
    from getting_to_outcomes.definitions import Framework


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
            msg = (f"{plural(len(_d.groups(frame, None, network=False)), 'group')} are too "
                   "many for one "
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
        withheld = _draw_series(ax, points, positions, color=color, label=_d.short(name, 60),
                                show_n=single, band=len(chosen) <= 2, dodge=dodge,
                                slot=(0.03, 0.94) if single else (0.02, 0.22))
        descriptions.append(
            f"{_d.label(g, labels)}: "
            + ", ".join(f"{p['period']} {p['withheld'] or fv(p['value'])}"
                        for p in points) + "." + (f" {plural(len(withheld), 'period')} withheld."
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
        ax.yaxis.set_major_formatter(_d.PercentTicks())
    found = _d.indicator(fw, str(indicator))
    if found is not None:
        ax.set_ylabel(found.unit)
    handles, _names = ax.get_legend_handles_labels()
    if len(handles) > 1 or not single:
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8)
    band_note = _d.ci_label(data) + ("" if len(chosen) <= 2 else "s")
    _d.default_title(title, ax, f"{_d.indicator_name(fw, str(indicator))} over time",
                   _d.label(chosen[0], labels) if single else plural(len(chosen), "group"),
                   f"{_d.when(list(order))}; {'band' if len(chosen) <= 2 else 'bars'}: "
                   f"{band_note}")
    alt = (f"Line chart of {_d.indicator_name(fw, str(indicator))} over "
           f"{plural(len(order), 'period')} "
           f"with {_d.ci_label(data)}s. " + " ".join(descriptions))
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
        if indicators is not None:
            # An indicator this group lacks gets a "no data" panel; one the summary lacks
            # altogether is a typing mistake.
            for wanted in indicators:
                _d.choose(frame, "indicator_id", wanted, what="indicator")
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
    # A pooled count is the network's total, not a typical grantee: it is no reference line.
    comparable = facet == "group" and not _d.is_whole(fw, str(indicator), frame)
    network_points = (_series(frame[frame["group"] == NETWORK], order, fw)
                      if comparable and network and NETWORK in set(frame["group"]) else [])
    if facet == "group":
        what = f"{_d.indicator_name(fw, str(indicator))}, grantee by grantee"
        who = plural(len(keys), "group") + (" (grey dashed: network)" if network_points else "")
    else:
        what = "Every indicator over time"
        who = _d.label(group, labels)
    suptitle = title if title is not None else (
        f"{what}\n{who} · {_d.when(order) if shared else 'each indicator over its own periods'}"
        f"; bands: {_d.ci_label(data)}s, dashed: targets")
    grid: dict[str, float] = {}
    if fig is None:
        # Panels are alike, so a fixed grid (in inches) replaces the layout engine, which
        # would measure every panel's texts before each export.
        panel_w, panel_h = 2.45, 1.25
        gap_w, gap_h = (0.3 if shared else 0.62), 0.78
        left, right, bottom = 0.62, 0.15, 0.45
        width = left + right + cols * panel_w + (cols - 1) * gap_w
        # The title is wrapped to the figure's width (a bold glyph is wider than the
        # average the helper assumes), and the panels start below however many lines it has.
        suptitle = _style.bounded(suptitle, int(_style.chars_per_line(width, 12) * 0.9),
                                  max_lines=4)
        top = 0.6 + 0.21 * (suptitle.count("\n") + 1 if suptitle else 0)
        height = top + bottom + nrows * panel_h + (nrows - 1) * gap_h
        fig = _style.chart_figure(width, height, layout=None)
        grid = {"left": left / width, "right": 1 - right / width, "top": 1 - top / height,
                "bottom": bottom / height, "wspace": gap_w / panel_w, "hspace": gap_h / panel_h}
    axes = fig.subplots(nrows, cols, sharex=shared, sharey=shared, squeeze=False,
                        gridspec_kw=grid or None)
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
            panel.yaxis.set_major_formatter(_d.PercentTicks())
        descriptions.append(f"{name}: " + ", ".join(
            f"{p['period']} {p['withheld'] or fv(p['value'])}" for p in points
        ) + ".")
    if suptitle:
        fig.suptitle(suptitle, x=0.01, y=1 - 0.1 / fig.get_figheight() if grid else 0.98,
                     ha="left", va="top", fontsize=12, fontweight="bold")
    alt = (f"Small multiples: {plural(len(keys), 'panel')} of {what.lower()}, periods "
           f"{', '.join(map(str, order))}. " + " ".join(descriptions))
    on_chart = frame[frame[key_col].isin(keys)]
    _d.finish(fig, created=created, caption=caption, data=data, frame=on_chart, framework=fw,
            alt=alt)
    return fig
