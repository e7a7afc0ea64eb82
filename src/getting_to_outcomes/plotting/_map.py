"""The theory of change drawn as a transit map.

Private: the public names are in :mod:`getting_to_outcomes.plotting`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrowPatch, Patch
from matplotlib.path import Path as MplPath

from getting_to_outcomes._format import plural
from getting_to_outcomes.columns import NETWORK, ROLLUP_COLUMNS
from getting_to_outcomes.plotting import chart_data as _d
from getting_to_outcomes.plotting import style as _style

if TYPE_CHECKING:
    from getting_to_outcomes.definitions import Framework


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
        from getting_to_outcomes.definitions import load_framework

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
    alt = (f"Transit map of the theory of change with {plural(n_zones, 'zone')} and "
           f"{plural(len(fw.stops), 'stop')}; arrows show which stop leads to which. ")
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
        coverage = (f"{0 if math.isnan(with_data) else with_data:.0f} of "
                    f"{plural(defined, 'indicator')}")
        return f"{head}\n{coverage}"
    return head
