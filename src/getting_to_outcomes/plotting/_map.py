"""The theory of change drawn as a transit map.

Private: the public names are in :mod:`getting_to_outcomes.plotting`.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Collection, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.colors import to_hex
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


#: Bands of the 0-100 score that fill the stations, low to high. A station's colour is a
#: function of the number written in it, so two stations never disagree: 64 and 65 share a
#: band. The thresholds are written in the legend.
SCORE_BANDS: tuple[tuple[int, int], ...] = ((0, 19), (20, 39), (40, 59), (60, 79), (80, 100))

Place = dict[str, tuple[int, float]]
Edge = tuple[str, str]


def _layout(framework: Framework) -> tuple[Place, dict[Edge, float], set[Edge]]:
    """Where the stops and lines go, so that few lines cross.

    Returns the column (zone) and row of each stop, the lane of each line in the gap after
    its zone, and the lines that skip a zone and run below the map instead of above it.

    Layered-graph drawing (Sugiyama, Tagawa & Toda, 1981): the zones are the layers; a
    first order places each stop at the barycentre (mean row) of the stops that lead to it,
    zone after zone, then of the stops it leads to, back again. The order kept is then
    improved by swapping neighbouring stops of a zone while that lowers the number of
    crossings of the routes as drawn (:func:`_route_crossings`), YAML order first on ties.
    Last, the lines that share the gap after a zone are put in the order, among those that
    swapping neighbouring lanes reaches, with the fewest crossings, and each line that
    skips a zone runs above or below the map, whichever crosses fewer lines.
    """
    zones = [z.id for z in framework.zones]
    columns: list[list[str]] = [[s.id for s in framework.stops_in(z)] for z in zones]
    known = {s for column in columns for s in column}
    edges = [(s.id, t) for s in framework.stops for t in s.leads_to
             if s.id in known and t in known]
    incoming: dict[str, list[str]] = {}
    outgoing: dict[str, list[str]] = {}
    for source, target in edges:
        incoming.setdefault(target, []).append(source)
        outgoing.setdefault(source, []).append(target)
    tallest = max((len(c) for c in columns), default=1)

    def placed(order: list[list[str]]) -> dict[str, tuple[int, float]]:
        place: dict[str, tuple[int, float]] = {}
        for k, column in enumerate(order):
            offset = (tallest - len(column)) / 2
            for j, stop_id in enumerate(column):
                place[stop_id] = (k, offset + j)
        return place

    def sweep(order: list[list[str]], ks: range, neighbours: dict[str, list[str]]
              ) -> list[list[str]]:
        order = [list(c) for c in order]
        for k in ks:
            place = placed(order)
            column = order[k]

            def weight(stop_id: str, place: dict[str, tuple[int, float]] = place,
                       column: list[str] = column, k: int = k) -> tuple[float, int]:
                rows = [place[s][1] for s in neighbours.get(stop_id, [])
                        if s in place and place[s][0] != k]
                return (sum(rows) / len(rows) if rows else place[stop_id][1],
                        column.index(stop_id))

            order[k] = sorted(column, key=weight)
        return order

    candidates = [columns]
    order = columns
    for _ in range(3):
        order = sweep(order, range(1, len(order)), incoming)
        candidates.append(order)
        order = sweep(order, range(len(order) - 2, -1, -1), outgoing)
        candidates.append(order)
    best = min(candidates, key=lambda o: _route_crossings(placed(o), _lanes(placed(o), edges)))
    score = _route_crossings(placed(best), _lanes(placed(best), edges))
    improved = True
    while improved:
        improved = False
        for k, column in enumerate(best):
            for j in range(len(column) - 1):
                trial = [list(c) for c in best]
                trial[k][j], trial[k][j + 1] = trial[k][j + 1], trial[k][j]
                count = _route_crossings(placed(trial), _lanes(placed(trial), edges))
                if count < score:
                    best, score, improved = trial, count, True
    place = placed(best)
    gaps = _gaps(place, edges)
    improved = True
    while improved:
        improved = False
        for key, gap_edges in gaps.items():
            for j in range(len(gap_edges) - 1):
                trial_gaps = {**gaps, key: list(gap_edges)}
                trial_gaps[key][j], trial_gaps[key][j + 1] = gap_edges[j + 1], gap_edges[j]
                count = _route_crossings(place, _lane_offsets(trial_gaps))
                if count < score:
                    gaps, gap_edges, score, improved = trial_gaps, trial_gaps[key], count, True
    lanes = _lane_offsets(gaps)
    below: set[Edge] = set()
    for edge in lanes:
        if place[edge[1]][0] > place[edge[0]][0] + 1:
            count = _route_crossings(place, lanes, below | {edge})
            if count < score:
                below, score = below | {edge}, count
    return place, lanes, below


def _gaps(place: Place, edges: Sequence[Edge]) -> dict[int, list[Edge]]:
    """The lines leaving each zone, left to right in its gap: by target row, then source."""
    leaving: dict[int, list[Edge]] = {}
    for edge in edges:
        leaving.setdefault(place[edge[0]][0], []).append(edge)
    for column_edges in leaving.values():
        column_edges.sort(key=lambda e: (place[e[1]][1], place[e[0]][1]))
    return leaving


def _lane_offsets(gaps: Mapping[int, Sequence[Edge]]) -> dict[Edge, float]:
    lanes: dict[Edge, float] = {}
    for column_edges in gaps.values():
        count = len(column_edges)
        for index, edge in enumerate(column_edges):
            lanes[edge] = (index - (count - 1) / 2) * (0.24 / max(count - 1, 1))
    return lanes


def _lanes(place: Place, edges: Sequence[Edge]) -> dict[Edge, float]:
    """The lane of each line: lines leaving one zone share its gap, side by side."""
    return _lane_offsets(_gaps(place, edges))


def _route_crossings(place: Place, lanes: Mapping[Edge, float],
                     below: Collection[Edge] = ()) -> int:
    """How many times the routes of the lines (corners only) cross one another."""
    edges = list(lanes)
    bottom = _bottom(place)
    segments = []
    owner = []
    for number, (source, target) in enumerate(edges):
        (ca, ra), (cb, rb) = place[source], place[target]
        corners = _corners((ca, ra), (cb, rb), (ca, cb), lane=lanes[(source, target)],
                           top=0.0, gap=0.075,
                           bottom=bottom if (source, target) in below else None)
        for start, end in itertools.pairwise(corners):
            segments.append((*start, *end))
            owner.append(number)
    if len(segments) < 2:
        return 0
    seg = np.asarray(segments)
    p, r = seg[:, None, :2], seg[None, :, :2]
    d1, d2 = seg[:, None, 2:] - p, seg[None, :, 2:] - r
    denominator = d1[..., 0] * d2[..., 1] - d1[..., 1] * d2[..., 0]
    offset = r - p
    with np.errstate(divide="ignore", invalid="ignore"):
        t = (offset[..., 0] * d2[..., 1] - offset[..., 1] * d2[..., 0]) / denominator
        u = (offset[..., 0] * d1[..., 1] - offset[..., 1] * d1[..., 0]) / denominator
    eps = 1e-9
    crossing = ((np.abs(denominator) > eps) & (t > eps) & (t < 1 - eps) & (u > eps)
                & (u < 1 - eps))
    who = np.asarray(owner)
    crossing &= who[:, None] < who[None, :]
    return int(crossing.sum())


def _bottom(place: Place) -> float:
    """Where lines that run below the map go: under the lowest stations' labels."""
    return max((p[1] for p in place.values()), default=0.0) + 1.0


def _corners(start: tuple[float, float], end: tuple[float, float], columns: tuple[int, int],
             *, lane: float, top: float, gap: float, bottom: float | None = None
             ) -> list[tuple[float, float]]:
    """The corners of an orthogonal, transit-style route between two stations.

    Stations in neighbouring zones meet in the gap between the zones (each line in its own
    lane); a stop that leads to a stop of its own zone loops round its left side; a line
    that skips zones runs along the top of the map, or along the bottom (at ``bottom``).
    """
    (xa, ya), (xb, yb) = start, end
    ca, cb = columns
    if cb == ca + 1:
        xm = (xa + xb) / 2 + lane
        return [(xa, ya), (xm, ya), (xm, yb), (xb - gap, yb)]
    if cb == ca:
        xm = xa - 0.27 - abs(lane) * 0.3
        return [(xa - gap, ya), (xm, ya), (xm, yb), (xb - gap, yb)]
    x1 = xa + 0.5 + lane
    x2 = xb - 0.5 + lane
    bus = top - 0.4 - abs(lane) * 0.8 if bottom is None else bottom + abs(lane) * 0.8
    return [(xa, ya), (x1, ya), (x1, bus), (x2, bus), (x2, yb), (xb - gap, yb)]


def _edge_path(
    start: tuple[float, float], end: tuple[float, float], columns: tuple[int, int],
    *, lane: float, top: float, gap: float, radius: tuple[float, float],
    bottom: float | None = None,
) -> MplPath:
    """The route of :func:`_corners`, drawn with rounded corners."""
    corners = _corners(start, end, columns, lane=lane, top=top, gap=gap, bottom=bottom)
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
    """The theory of change as a transit map, each stop coloured by its roll-up score.

    The guide draws its theory of change as a transit map; here the four zones are columns,
    each stop is a station ringed in its realm's colour, with its 0-100 roll-up score written
    inside and filled with the colour of that score's band (:data:`SCORE_BANDS`, thresholds
    in the legend, colours of the score heatmaps), so that the colour never contradicts the
    number. The framework's ``leads_to`` arrows are the lines between stations, coloured by
    the realm they leave from and laid out so that few cross (:func:`_layout`). Under each
    station: its name, its score, how many of its indicators have data, and the median
    status of those indicators (a judgement of pace toward their targets, which the score,
    a distance to them, need not match).

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
    place, lanes, below = _layout(fw)
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
    for (source, target), lane in lanes.items():
        (ca, ra), (cb, rb) = place[source], place[target]
        path = _edge_path((ca, ra), (cb, rb), (ca, cb), lane=lane, top=0.0, gap=0.075,
                          radius=radius,
                          bottom=_bottom(place) if (source, target) in below else None)
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
        score = _d.num(info.get("score_0_100")) if info else math.nan
        band = _score_band(score)
        face = _style.NO_DATA_COLOR if band is None else _band_color(band[0])
        ring = _style.REALM_COLORS.get(stop.realm, "#555555")
        ax.plot([column], [row], marker="o", markersize=24, markerfacecolor="white",
                markeredgecolor=ring, markeredgewidth=3.5, linestyle="none", zorder=5)
        ax.plot([column], [row], marker="o", markersize=17, markerfacecolor=face,
                markeredgecolor="white", markeredgewidth=0.0, linestyle="none", zorder=5.5,
                gid=f"stop:{stop.id}")
        if band is not None:
            # The score itself in the station: its fill is the band of this number.
            ax.text(column, row, f"{score:.0f}", ha="center", va="center", fontsize=7.5,
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
    above = any(place[t][0] > place[f][0] + 1 and (f, t) not in below for f, t in lanes)
    ax.set_ylim(tallest + (0.3 if below else 0.05), -1.35 if above else -1.2)
    ax.set_axis_off()
    handles: list[Any] = []
    if data is not None:
        handles += [Patch(facecolor=_band_color(low), edgecolor="#555555",
                          label=f"Score {low}-{high}") for low, high in SCORE_BANDS]
        handles.append(Patch(facecolor="white", edgecolor="#555555", label="No score"))
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


def _score_band(score: float) -> tuple[int, int] | None:
    """The band of :data:`SCORE_BANDS` that holds a 0-100 score (rounded as written).

    Examples
    --------
    >>> _score_band(64.4), _score_band(65.0), _score_band(100.0), _score_band(float("nan"))
    ((60, 79), (60, 79), (80, 100), None)
    """
    if math.isnan(score):
        return None
    shown = round(score)
    return next(band for band in SCORE_BANDS if band[0] <= shown <= band[1])


def _band_color(low: int) -> str:
    """The colour of a score band: the score colour map (as on the heatmaps) at its middle."""
    band = next(b for b in SCORE_BANDS if b[0] == low)
    return str(to_hex(_style.score_cmap()((band[0] + band[1]) / 200)))


def _stop_detail(info: Mapping[str, Any] | None, status: str) -> str:
    """Score and coverage, then the median status of the indicators, named as such."""
    if info is None:
        return "no indicators scored"
    score = _d.num(info.get("score_0_100"))
    defined = _d.num(info.get("n_indicators_defined"))
    with_data = _d.num(info.get("n_indicators_with_data"))
    head = f"{score:.0f}/100" if not math.isnan(score) else "no score"
    if not math.isnan(defined):
        head += (f" · {0 if math.isnan(with_data) else with_data:.0f} of "
                 f"{plural(defined, 'indicator')}")
    if status not in ("no_data",):
        head += f"\nmedian status: {_style.status_label(status).lower()}"
    return head
