"""The funnel plot: grantees against control limits that narrow as n grows.

Private: the public name is in :mod:`getting_to_outcomes.plotting`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

from getting_to_outcomes.errors import ChartDataError
from getting_to_outcomes.plotting import chart_data as _d
from getting_to_outcomes.plotting import style as _style

# The result is read by its attributes, not imported: stats hands its results to plotting
# (FunnelResult.plot), so plotting may not import stats back.
FunnelResult = Any
_READS = ("kind", "target", "method", "phi", "tau2", "n_groups", "left_out", "to_frame",
          "curve", "outside")

_METHOD_TEXT = {
    "none": "limits from sampling error alone",
    "multiplicative": "limits widened for overdispersion (multiplicative phi)",
    "additive": "limits widened for overdispersion (random effects, tau\u00b2)",
}
_POSITION_COLOR = {"within": _style.OKABE_ITO["blue"], "above_95": _style.OKABE_ITO["orange"],
                   "below_95": _style.OKABE_ITO["orange"],
                   "above_998": _style.OKABE_ITO["vermillion"],
                   "below_998": _style.OKABE_ITO["vermillion"]}
_POSITION_TEXT = {"within": "within the limits", "above_95": "above the 95% limits",
                  "below_95": "below the 95% limits", "above_998": "above the 99.8% limits",
                  "below_998": "below the 99.8% limits"}


def _percent(result: FunnelResult) -> bool:
    return bool(result.kind == "proportion")


def _fmt(value: float, percent: bool) -> str:
    if math.isnan(value):
        return "–"
    return f"{value:.0%}" if percent else f"{value:.3g}"


@_d.styled
def plot_funnel(
    result: FunnelResult,
    *,
    shrunk: bool = False,
    labels: Mapping[Any, str] | None = None,
    value_label: str | None = None,
    ax: Axes | None = None,
    title: str | None = None,
    caption: str | bool | None = None,
) -> Axes:
    """Funnel plot: each grantee's value against its number of people, with 95% and 99.8%
    control limits around the network value.

    Points outside the 95% limits are orange and named, outside the 99.8% limits red and
    named; the method of the limits (with or without overdispersion) is stated in the
    caption.

    Parameters
    ----------
    result : FunnelResult
        From :func:`getting_to_outcomes.stats.funnel_proportions`,
        :func:`~getting_to_outcomes.stats.funnel_rates`,
        :func:`~getting_to_outcomes.stats.funnel_means` or
        :meth:`getting_to_outcomes.ProgressSummary.funnel`.
    shrunk : bool
        Also draw each grantee's empirical-Bayes estimate (hollow marker, joined to its raw
        value by a thin line).
    labels : mapping, optional
        Display names of the grantees.
    value_label : str, optional
        Label of the y axis (default: the kind of value).
    ax : matplotlib Axes, optional
        Where to draw; by default a new figure.
    title : str, optional
        Title; ``""`` for none.
    caption : str or bool, optional
        Caption under the chart: the method of the limits (by default on a new figure, or
        when True), followed by the text given as a string (such as the data source);
        False for none.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> from getting_to_outcomes import stats
    >>> result = stats.funnel_proportions([5, 30, 12, 48, 20, 70], [40, 80, 30, 90, 100, 120])
    >>> ax = plot_funnel(result)
    >>> ax.get_xlabel()
    'People (n, log scale)'
    """
    if not all(hasattr(result, name) for name in _READS):  # duck-typed FunnelResult
        raise ChartDataError(
            "plot_funnel draws a FunnelResult (from stats.funnel_proportions, funnel_rates, "
            f"funnel_means or ProgressSummary.funnel); got {type(result).__name__}"
        )
    table = result.to_frame()
    table = table[table["n"] > 0]
    if table.empty:
        raise ChartDataError("plot_funnel: no grantee with people to draw")
    percent = _percent(result)
    ax, created = _d.new_axes(ax, 8.0, 5.2)
    curve = result.curve()
    ax.fill_between(curve["n"], curve["low_998"], curve["high_998"], color="#F2F2F2",
                    zorder=0, linewidth=0)
    for suffix, style in (("95", "--"), ("998", "-")):
        for side in ("low", "high"):
            ax.plot(curve["n"], curve[f"{side}_{suffix}"], color="#7F7F7F", linestyle=style,
                    linewidth=1.0, zorder=1, gid=f"limit_{suffix}")
    ax.axhline(result.target, color="#444444", linewidth=1.0, zorder=1, gid="target")
    colors = [_POSITION_COLOR.get(str(p), _style.OKABE_ITO["blue"]) for p in table["position"]]
    if shrunk and table["shrunk"].notna().any():
        ax.vlines(table["n"], table["value"], table["shrunk"], colors="#BBBBBB", linewidth=0.8,
                  zorder=2)
        ax.scatter(table["n"], table["shrunk"], s=26, facecolors="white", edgecolors="#555555",
                   linewidths=1.0, zorder=3, gid="shrunk")
    ax.scatter(table["n"], table["value"], s=36, c=colors, edgecolors="white", linewidths=0.6,
               zorder=4, gid="values")
    descriptions = []
    for row in table.itertuples(index=False):
        name = _d.label(row.group, labels)
        where = str(row.position)
        if where != "within":
            ax.annotate(_d.short(name), xy=(row.n, row.value), xytext=(5, 3),
                        textcoords="offset points",
                        fontsize=8, color="#333333")
        descriptions.append(f"{name}: {_fmt(_d.num(row.value), percent)} from n = {row.n:.0f}, "
                            f"{_POSITION_TEXT.get(where, where)}.")
    ax.set_xscale("log")
    ax.xaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}" if v >= 1 else f"{v:g}"))
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_xlabel("Exposure (log scale)" if result.kind == "rate" else "People (n, log scale)")
    ax.set_ylabel(value_label or {"proportion": "Share", "rate": "Rate",
                                  "mean": "Mean"}[result.kind])
    if percent:
        ax.yaxis.set_major_formatter(_d.PercentTicks())
    values = np.concatenate([table["value"].to_numpy(dtype=float),
                             curve["low_998"].to_numpy(dtype=float),
                             curve["high_998"].to_numpy(dtype=float)])
    finite = values[np.isfinite(values)]
    # Limits at the smallest n can be far wider than any grantee: keep the grantees in view.
    span = table["value"].to_numpy(dtype=float)
    low = min(float(np.nanmin(span)), float(np.nanmin(table["low_998"]))) if finite.size else 0
    high = max(float(np.nanmax(span)), float(np.nanmax(table["high_998"]))) if finite.size else 1
    pad = 0.08 * ((high - low) or 1.0)
    ax.set_ylim(low - pad, high + pad)
    ax.grid(axis="y", color="#EEEEEE")
    network = _fmt(result.target, percent)
    handles = [
        Line2D([], [], color="#444444", linewidth=1.0, label=f"Network {network}"),
        Line2D([], [], color="#7F7F7F", linestyle="--", linewidth=1.0, label="95% limits"),
        Line2D([], [], color="#7F7F7F", linestyle="-", linewidth=1.0, label="99.8% limits"),
    ]
    if shrunk:
        handles.append(Line2D([], [], marker="o", linestyle="none", markerfacecolor="white",
                              markeredgecolor="#555555", label="Shrunk (empirical Bayes)"))
    ax.legend(handles=handles, loc="best", frameon=False, fontsize=8)
    outside = len(result.outside)
    _d.default_title(title, ax, "Funnel plot: grantees against the network",
                     f"{result.n_groups} grantees", None)
    method = _METHOD_TEXT[result.method]
    text = (f"Each dot is a grantee; {method}"
            + (f" (phi = {result.phi:.2f}, tau\u00b2 = {result.tau2:.3g})"
               if result.method != "none" else "")
            + f". {outside} outside the 95% limits; about 1 in 20 falls there by chance."
            + (f" Not drawn (withheld): {', '.join(_d.label(g, labels) for g in result.left_out)}."
               if result.left_out else ""))
    alt = (f"Funnel plot of {result.n_groups} grantees around the network value "
           f"{_fmt(result.target, percent)}; {method}. " + " ".join(descriptions))
    _style.set_alt_text(_d.figure_of(ax), alt)
    if isinstance(caption, str):
        _style.add_caption(_d.figure_of(ax), f"{text} {caption}".strip())
    elif caption is True or (caption is None and created):
        _style.add_caption(_d.figure_of(ax), text)
    return ax
