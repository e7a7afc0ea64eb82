"""Charts of many grantees: the heatmap, rankings, the wins pipeline, realm profiles.

Private: the public names are in :mod:`getting_to_outcomes.plotting`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.collections import PolyCollection
from matplotlib.colors import BoundaryNorm, Normalize
from matplotlib.figure import Figure
from matplotlib.patches import Patch, Rectangle
from matplotlib.text import Annotation, Text
from matplotlib.ticker import MaxNLocator

from getting_to_outcomes._format import plural
from getting_to_outcomes.columns import NETWORK
from getting_to_outcomes.errors import ChartDataError
from getting_to_outcomes.plotting import chart_data as _d
from getting_to_outcomes.plotting import style as _style

if TYPE_CHECKING:
    from getting_to_outcomes.definitions import Framework

_LEVEL_ORDER = ["school", "district", "county", "city", "state", "federal", "national"]


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
    """A grantee x indicator heatmap of 0-100 scores or of statuses.

    Withheld cells are grey, hatched and labelled (for example ``"n < 5"``); cells without
    data are left blank, never drawn as zero. Statuses carry a symbol as well as a colour
    (✓ target achieved, ↑ on track, → needs acceleration, ↘ limited, ↓ deteriorating).
    A cell says its n only where n matters: when it is below twice the indicator's minimum
    group size (``min_n``, if that is more than one), where an estimate is least certain.
    Names longer than :data:`~getting_to_outcomes.plotting.chart_data.LABEL_LIMIT`
    characters end in "…" (the alt text keeps them whole).

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
        Write the score (or status symbol) in each cell, and n where it is small; by default
        when there are at most 420 cells.
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
    # Only the rows and columns drawn: a chart of one realm need not read every indicator.
    shown = frame[frame["indicator_id"].isin(col_keys) & frame["group"].isin(row_keys)]
    wanted = [*needed, *(c for c in ("suppression_reason",) if c in frame.columns)]
    lookup = {(r["group"], r["indicator_id"]): r for r in shown[wanted].to_dict("records")}
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
    names = [_d.short(_d.indicator_name(fw, i)) for i in col_keys]
    row_names = [_d.short(_d.label(g, labels)) for g in row_keys]
    # Height of the longest indicator name, rotated 55 degrees, at about 0.055 inch a letter.
    label_room = min(0.045 * max(len(n) for n in names), 2.0)
    group_room = min(0.065 * max(len(n) for n in row_names), 3.0)
    width = min(1.0 + group_room + 0.4 * n_cols + (1.0 if value == "score" else 0.0), 22.0)
    height = min(1.9 + _d.row_pitch(n_rows) * n_rows + label_room, 26.0)
    legend_rows = math.ceil((len(_style.STATUS_ORDER) + 2 if value == "status" else 2)
                            / max(1, min(4, int(max(width, 6.0) / 2.3))))
    title_lines = (title.count("\n") + 2) if title else 3
    # Room around the cells (inches): row names, colour bar, rotated names and the legend,
    # then the title and realm names. A report lays the chart out with these alone.
    margins = (group_room + 0.3, label_room + 0.45 + 0.2 * legend_rows,
               1.0 if value == "score" else 0.2, 0.55 + 0.2 * title_lines)
    ax, created = _d.new_axes(ax, max(width, 6.0), max(height, 3.5), margins)
    fig = _d.figure_of(ax)
    x_edges, y_edges = np.arange(n_cols + 1), np.arange(n_rows + 1)
    # Every cell's colour at once: calling a fresh colour map once per cell builds its
    # lookup table every time (a third of a large heatmap's time).
    score_cmap = _style.score_cmap()
    faces = score_cmap(np.nan_to_num(scores) / 100)
    if value == "score":
        mesh = ax.pcolormesh(x_edges, y_edges, np.ma.masked_invalid(scores),
                             cmap=score_cmap, norm=Normalize(0, 100),
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
    # Every cell's label through one artist each for values and for blanks (a Text per
    # cell was half of a large heatmap's time); the files are the same.
    value_labels = _d.CellLabels(ax, ha="center", va="center", fontsize=7, linespacing=1.05)
    blank_labels = _d.CellLabels(ax, ha="center", va="center", fontsize=6)
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
                blank_labels.add(j + 0.5, i + 0.5, "no\ndata", _style.MUTED)
            continue
        if not annotate or row is None:
            continue
        n = _d.num(row.get("n"))
        # An indicator whose minimum group is one counts records, not people: its n is no
        # sample size.
        least = _d.min_n(fw, str(col_keys[j]))
        small = least > 1 and not math.isnan(n) and n < 2 * least
        n_text = f"n={n:.0f}" if small else ""
        face: tuple[float, ...] | str
        if value == "score":
            face = tuple(faces[i, j])
            head = f"{scores[i, j]:.0f}"
        else:
            status = _style.STATUS_ORDER[int(codes[i, j])]
            face = _style.STATUS_COLORS[status]
            head = _style.STATUS_SYMBOLS.get(status, "")
        value_labels.add(j + 0.5, i + 0.5, f"{head}\n{n_text}" if n_text else head,
                         _style.text_color_on(face))
    if network and NETWORK in row_keys and n_rows > 1:
        ax.axhline(row_keys.index(NETWORK), color="#333333", linewidth=1.2)
    _realm_dividers(ax, col_keys, fw, frame)
    ax.set_xlim(0, n_cols)
    ax.set_ylim(n_rows, 0)
    # Tick marks of no length, said before the ticks are made: each is made so, rather than
    # made and then changed.
    ax.tick_params(length=0)
    ax.set_xticks(np.arange(n_cols) + 0.5, names, rotation=55, ha="right",
                  rotation_mode="anchor", fontsize=8)
    ax.set_yticks(np.arange(n_rows) + 0.5, row_names, fontsize=8.5)
    for side in ("left", "bottom"):
        ax.spines[side].set_visible(False)
    handles: list[Any] = []
    if value == "status":
        handles = _style.status_legend_handles()
    else:
        handles = [Patch(facecolor=_style.WITHHELD_COLOR, edgecolor="#555555",
                         hatch=_style.WITHHELD_HATCH, label="Withheld (small group)")]
    handles.append(Patch(facecolor="white", edgecolor="#BBBBBB", label="No data"))
    # As many legend columns as the figure is wide: a legend wider than the figure would
    # leave the layout no room for the cells.
    _d.legend_below(ax, handles, ncol=max(1, min(4, int(max(width, 6.0) / 2.3))),
                    gap=14 + _d.tick_label_depth(ax))
    periods_used = list(dict.fromkeys(frame["period"]))
    when = str(period) if period is not None else (
        str(periods_used[0]) if len(periods_used) == 1 else "latest period of each indicator")
    what = "Scores (0-100) by indicator" if value == "score" else "Status by indicator"
    shown_groups = plural(len([g for g in row_keys if g != NETWORK]), "group")
    _d.default_title(title, ax, what, shown_groups, when, pad=22)
    finite = [(scores[i, j], row_keys[i], col_keys[j]) for i in range(n_rows)
              for j in range(n_cols) if not math.isnan(scores[i, j])]
    alt = (f"Heatmap of {what.lower()} for {plural(n_rows, 'group')} and "
           f"{plural(n_cols, 'indicator')} ({when}). ")
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
        alt += " ".join(f"{_style.status_label(str(s))}: {plural(k, 'cell')}." for s, k in
                        counts.value_counts().items())
    alt += (f" {plural(withheld_count, 'cell')} withheld for small groups; {no_data} "
            "without data.")
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


def _shrunk_values(data: Any, indicator: str, period: str) -> dict[Any, float]:
    """Each drawn grantee's empirical-Bayes value, from the summary's funnel."""
    if not callable(getattr(data, "funnel", None)):
        raise ChartDataError(
            "plot_ranking(shrunk=True) needs a ProgressSummary: the shrunk values come from "
            f"ProgressSummary.funnel; got {type(data).__name__}")
    try:
        table = data.funnel(indicator, period=period).to_frame()
    except ValueError as error:
        raise ChartDataError(f"plot_ranking(shrunk=True): {error}") from error
    return {g: float(v) for g, v in zip(table["group"], table["shrunk"], strict=True)
            if _d.is_num(v)}


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
    shrunk: bool = False,
) -> Axes:
    """Groups ranked on one indicator, each with its confidence interval and rank range.

    A caterpillar plot: best at the top (respecting the indicator's direction), the pooled
    network as a dashed line, and at the right the ranks each group could hold given the
    intervals (see :func:`rank_ranges`). Withheld groups are listed at the bottom, hatched.
    With ``shrunk=True`` each grantee's empirical-Bayes value is drawn beside its raw one.

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
    shrunk : bool
        Also draw each grantee's empirical-Bayes value (a hollow dot joined to its raw value):
        the value pulled toward the network by as much as its noise exceeds the real spread
        between grantees, from the funnel of the indicator
        (:meth:`~getting_to_outcomes.ProgressSummary.funnel`, ``shrunk``). Needs a
        ProgressSummary and a scale, mean or proportion indicator. The order stays that of
        the raw values.

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    ChartDataError
        ``shrunk=True`` with a table instead of a summary, or for an indicator without a
        funnel (counts, ratios, milestones).
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
    # Looked up by group once, not filtered row by row (50 pandas filters per chart).
    rank_of = {r["group"]: r for r in ranks.to_dict("records")}
    share = _d.is_share(fw, str(indicator), frame)
    fv = _d.formatter(fw, str(indicator), frame)
    pulled = _shrunk_values(data, str(indicator), str(period)) if shrunk else {}
    names = max((len(_d.label(g, labels)) + 8 for g in rows), default=8)
    # Room (inches) for names with n, the value and rank written after each row, the axis
    # and the title: a report lays the chart out with these alone (see style.chart_figure).
    margins = (min(0.07 * names, 4.0) + 0.2, 0.75, 2.3 if pulled else 1.6, 0.95)
    ax, created = _d.new_axes(ax, 8.5, max(2.2 + _d.row_pitch(len(rows)) * len(rows), 3.2),
                              margins)
    values = [_d.num(records[g].get(c)) for g in shown for c in ("value", "ci_low", "ci_high")]
    values += [pulled[g] for g in shown if g in pulled]
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
    hollow: list[tuple[float, float]] = []
    for position, g in enumerate(rows):
        row = records[g]
        if g in hidden:
            label = _d.withheld(row, fw) or "no data"
            _d.hatch_box(ax, low, position - 0.32, high - low, 0.64, label, fontsize=7)
            descriptions.append(f"{_d.label(g, labels)}: {label}.")
            continue
        value, c_low, c_high = (_d.num(row.get(c)) for c in ("value", "ci_low", "ci_high"))
        info = rank_of[g]
        if not math.isnan(c_low):
            intervals.append((position, c_low, c_high))
        dots.append((value, position))
        span = (f"rank {info['rank_best']}" if info["rank_best"] == info["rank_worst"] else
                f"rank {info['rank_best']}–{info['rank_worst']}")
        toward = pulled.get(g, math.nan)
        if not math.isnan(toward):
            hollow.append((toward, position))
        aside = "" if math.isnan(toward) else f"  ·  shrunk {fv(toward)}"
        ax.annotate(f"{fv(value)}  ·  {span}{aside}", xy=(1.0, position),
                    xycoords=("axes fraction", "data"), xytext=(8, 0),
                    textcoords="offset points", va="center", fontsize=8, annotation_clip=False)
        descriptions.append(f"{_d.label(g, labels)}: {fv(value)} "
                            f"(CI {fv(c_low)} to "
                            f"{fv(c_high)}), {span} of {len(shown)}"
                            + ("" if math.isnan(toward) else f", shrunk {fv(toward)}") + ".")
    # All intervals and all dots as two artists: cheaper to draw than one per grantee.
    if intervals:
        ax.hlines([y for y, _, _ in intervals], [lo for _, lo, _ in intervals],
                  [hi for _, _, hi in intervals], colors="#555555", linewidth=1.4, zorder=2,
                  gid="intervals")
    if dots:
        ax.plot([x for x, _ in dots], [y for _, y in dots], marker="o", markersize=6.5,
                color=_style.OKABE_ITO["blue"], linestyle="none", zorder=3, gid="values")
    if hollow:
        ax.plot([x for x, _ in hollow], [y for _, y in hollow], marker="o", markersize=6.0,
                markerfacecolor="white", markeredgecolor="#555555", linestyle="none",
                zorder=4, gid="shrunk")
        descriptions.append("Hollow dots: values shrunk toward the network (empirical Bayes).")
    if not math.isnan(pooled):
        ax.axvline(pooled, color="#7F7F7F", linestyle="--", linewidth=1.2, zorder=1)
        ax.annotate(f"Network {fv(pooled)}", xy=(pooled, 1.0),
                    xycoords=("data", "axes fraction"), xytext=(3, 2),
                    textcoords="offset points", fontsize=8, color="#555555")
        descriptions.append(f"Network pooled value {fv(pooled)}.")
    ax.set_xlim(low, high)
    ax.set_ylim(len(rows) - 0.5, -0.7)
    ax.set_yticks(range(len(rows)), [
        _d.short(_d.label(g, labels)) + (f" (n={_d.num(records[g].get('n')):.0f})"
                             if g in shown and _d.is_num(records[g].get("n")) else "")
        for g in rows])
    ax.tick_params(axis="y", length=0)
    ax.spines["left"].set_visible(False)
    ax.grid(axis="x", color="#EEEEEE")
    if share:
        ax.xaxis.set_major_formatter(_d.PercentTicks())
    if found is not None:
        ax.set_xlabel(found.unit + (" (lower is better)" if direction == "decrease" else ""))
    _d.default_title(title, ax, f"{_d.indicator_name(fw, str(indicator))}: ranking with "
                   f"{_d.ci_label(data)}s", plural(len(members), "group"), str(period))
    alt = (f"Ranking of {plural(len(members), 'group')} on "
           f"{_d.indicator_name(fw, str(indicator))}, "
           f"{period}, best first. " + " ".join(descriptions))
    _d.finish(_d.figure_of(ax), created=created, caption=caption, data=data, frame=frame,
            framework=fw, alt=alt)
    return ax


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
        who = f"{plural(frame['group'].nunique(), 'group')} combined"
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
        names = max((len(_d.label(g, labels)) for g in members), default=8)
        lines = (title.count("\n") + 1) if title else 2
        # Room (inches) for the names, the score axis and its label, the titles: a report
        # lays the chart out with these alone (see style.chart_figure).
        margins = (min(0.07 * names, 3.5) + 0.25, 0.7, 0.3, 0.55 + 0.22 * lines)
        fig = _style.chart_figure(10.0, max(2.4 + _d.row_pitch(len(members)) * len(members),
                                            3.4), margins=margins)
    axes = fig.subplots(1, len(realms), sharey=True, squeeze=False)[0]
    descriptions = []
    end_labels: list[tuple[Axes, Text | _d.CellLabels, int, float, str]] = []
    for panel, realm in zip(axes, realms, strict=True):
        color = _style.REALM_COLORS.get(realm, "#555555")
        parts = []
        bars: list[tuple[int, float]] = []
        # A label per bar and per gap, each set through one artist (see CellLabels).
        gaps = _d.CellLabels(panel, va="center", fontsize=7.5, style="italic")
        ends = _d.CellLabels(panel, va="center", fontsize=7.5, zorder=4,
                             bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.6,
                                   "alpha": 0.85})
        for position, g in enumerate(members):
            row = records.get((g, realm))
            score = _d.num(row.get("score_0_100")) if row else math.nan
            defined = _d.num(row.get("n_indicators_defined")) if row else math.nan
            with_data = _d.num(row.get("n_indicators_with_data")) if row else math.nan
            if math.isnan(score):
                gaps.add(2, position, "no data", _style.MUTED)
                parts.append(f"{_d.label(g, labels)} no data")
                continue
            bars.append((position, score))
            coverage = ("" if math.isnan(defined) else
                        f" · {0 if math.isnan(with_data) else with_data:.0f}/{defined:.0f}")
            ends.add(min(score, 100) + 1.5, position, f"{score:.0f}{coverage}", "#222222")
            end_labels.append((panel, ends, len(ends.cells) - 1, min(score, 100), color))
            parts.append(f"{_d.label(g, labels)} {score:.0f}")
        if bars:
            # A realm's bars as one collection of rectangles (0.66 high, from zero): one
            # artist to build and draw instead of a patch per grantee.
            boxes = [[(0.0, y - 0.33), (x, y - 0.33), (x, y + 0.33), (0.0, y + 0.33)]
                     for y, x in bars]
            panel.add_collection(PolyCollection(boxes, facecolors=color, edgecolors="none",
                                                linewidths=0, gid=f"realm:{realm}"))
        pooled = records.get((NETWORK, realm))
        if network and pooled is not None and _d.is_num(pooled.get("score_0_100")):
            value = _d.num(pooled["score_0_100"])
            panel.axvline(value, color="#444444", linestyle="--", linewidth=1.1, zorder=3)
            note = panel.annotate(f"network {value:.0f}", xy=(value, 1.0),
                                  xycoords=("data", "axes fraction"), xytext=(2, 2),
                                  textcoords="offset points", fontsize=7.5, color="#444444")
            end_labels.append((panel, note, 0, value, ""))
            parts.append(f"network {value:.0f}")
        name = next((r.name for r in fw.realms if r.id == realm), realm) if fw else realm
        panel.set_title(name.capitalize(), loc="left", fontsize=10, color=color, pad=14)
        panel.set_xlim(0, 118)
        panel.set_xticks([0, 25, 50, 75, 100])
        panel.grid(axis="x", color="#EEEEEE")
        panel.tick_params(axis="y", length=0)
        descriptions.append(f"{name}: " + ", ".join(parts) + ".")
    axes[0].set_yticks(range(len(members)), [_d.short(_d.label(g, labels)) for g in members])
    axes[0].set_ylim(len(members) - 0.5, -0.6)
    for panel in axes[1:]:
        # The names are on the first panel; the others need no y axis at all.
        panel.yaxis.set_visible(False)
    fig.supxlabel("Roll-up score (0-100) · text: score · indicators with data / defined",
                  fontsize=8.5, color="#333333")
    periods_used = list(dict.fromkeys(frame["period"]))
    when = str(periods_used[0]) if len(periods_used) == 1 else "latest period of each group"
    suptitle = title if title is not None else (
        "Realm profiles: individual, community and policy\n"
        f"{plural(len(members), 'group')} · {when}")
    if suptitle:
        fig.suptitle(_style.bounded(suptitle, int(_style.chars_per_line(10.0, 12) * 0.9),
                                    max_lines=4),
                     x=0.01, ha="left", fontsize=12, fontweight="bold")
    alt = (f"Bar charts of roll-up scores (0-100) in {len(realms)} realms for "
           f"{plural(len(members), 'group')}, {when}. " + " ".join(descriptions))
    _d.finish(fig, created=created, caption=caption, data=data, frame=frame, framework=fw,
            alt=alt)
    _keep_in_panel(fig, end_labels)
    return fig


def _keep_in_panel(fig: Figure,
                   labels: Sequence[tuple[Axes, Text | _d.CellLabels, int, float, str]]
                   ) -> None:
    """Move a label that would run into the next panel back inside its own.

    A bar's end label (``index`` of a :class:`~.chart_data.CellLabels`) goes inside the end
    of its bar, as a text of its own (``colour`` is the bar's); the network line's label (a
    Text, no colour) goes to the left of the line.

    Whether a label fits is known only once the layout has placed the panels, so the layout
    engine places them first (a full draw would also walk every bar, for the same answer).
    """
    if not labels:
        return
    engine = fig.get_layout_engine()
    if engine is not None:
        engine.execute(fig)
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    rights = {panel: panel.get_window_extent(renderer).x1 for panel, *_ in labels}
    groups = {id(group): group for _, group, *_ in labels if isinstance(group, _d.CellLabels)}
    extents = {key: group.extents(renderer) for key, group in groups.items()}
    moved: dict[_d.CellLabels, set[int]] = {}
    for panel, text, index, end, color in labels:
        if isinstance(text, _d.CellLabels):
            if extents[id(text)][index].x1 <= rights[panel]:
                continue
            _, y, words, _ = text.cells[index]
            moved.setdefault(text, set()).add(index)
            # On the bar's own colour, so that the network line does not cross the text.
            panel.text(end - 1.5, y, words, ha="right", va="center", fontsize=7.5,
                       color=_style.text_color_on(color), in_layout=False, zorder=4,
                       bbox={"facecolor": color, "edgecolor": "none", "pad": 0.6})
            continue
        if text.get_window_extent(renderer).x1 <= rights[panel]:
            continue
        text.set_horizontalalignment("right")
        if isinstance(text, Annotation):
            text.xyann = (-2, 2)
        else:
            text.set_x(end - 1.5)
    for group, gone in moved.items():
        group.cells = [cell for k, cell in enumerate(group.cells) if k not in gone]
