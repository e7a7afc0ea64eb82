"""Reading, choosing and formatting the data behind charts; shared by plotting and reports.

Every chart accepts a ``ProgressSummary`` or one of its tidy frames. The functions here turn
either into the frame a chart needs (checking its columns against
:mod:`getting_to_outcomes.columns`), pick the group, period or indicator a chart is about,
put periods in time order, format numbers the way people read them, and finish a figure
with its title, caption and text description.
"""

from __future__ import annotations

import functools
import math
import weakref
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

import pandas as pd
from matplotlib.artist import Artist, allow_rasterization
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.text import Text
from matplotlib.ticker import Formatter
from matplotlib.transforms import Bbox, offset_copy

from getting_to_outcomes.columns import (
    DEFAULT_MIN_N,
    ITEM_COLUMNS,
    MILESTONE_COLUMNS,
    NETWORK,
    ROLLUP_COLUMNS,
    SUMMARY_COLUMNS,
)
from getting_to_outcomes.errors import ChartDataError, did_you_mean
from getting_to_outcomes.plotting import style as _style

if TYPE_CHECKING:
    from getting_to_outcomes.definitions import Framework
    from getting_to_outcomes.definitions.models import Indicator

_P = ParamSpec("_P")
_R = TypeVar("_R")


def styled(function: Callable[_P, _R]) -> Callable[_P, _R]:
    """Draw the whole chart inside the house style, so every artist is created with it."""

    @functools.wraps(function)
    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        with _style.house_style():
            return function(*args, **kwargs)

    return wrapper


def legend_below(ax: Axes, handles: Sequence[Any], *, ncol: int, gap: float = 44) -> None:
    """A legend under the x axis label, ``gap`` points below the bottom of the axes."""
    fig = figure_of(ax)
    anchor = offset_copy(ax.transAxes, fig=fig, y=-gap, units="points")
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, 0.0),
              bbox_transform=anchor, ncol=ncol, frameon=False, fontsize=8.5)


class _Stamp(Text):
    """The Text a :class:`CellLabels` moves from cell to cell, laying out each label once.

    A text's layout (its lines' sizes and offsets from its anchor) depends on its string,
    its font and alignment (the same for every label of one grid) and the renderer, not on
    where it stands or its colour. A grid repeats the same few strings ("0" to "100", the
    status symbols) hundreds of times, so each string's layout is kept for the renderer
    that made it; the labels are placed and written exactly as before.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._layouts: dict[tuple[str, float], Any] = {}
        self._layout_renderer: weakref.ReferenceType[Any] | None = None

    def _get_layout(self, renderer: Any) -> Any:
        if self._layout_renderer is None or self._layout_renderer() is not renderer:
            self._layouts.clear()
            self._layout_renderer = weakref.ref(renderer)
        figure: Any = self.figure
        key = (self.get_text(), float(figure.dpi))
        found = self._layouts.get(key)
        if found is None:
            found = self._layouts[key] = super()._get_layout(renderer)  # type: ignore[misc]
        return found


class CellLabels(Artist):
    """Short texts in the cells of a grid, alike but for their place and colour, as one artist.

    A heatmap writes a label in each of hundreds of cells. A :class:`~matplotlib.text.Text`
    per cell made half of such a chart's time: building each one, laying it out and, at the
    end, collecting its few dozen objects. Here one Text is moved from cell to cell as the
    grid is drawn, so every label is laid out and written exactly as its own Text would be
    (the same ``<text>`` elements in an SVG file, the same pixels in a PNG), with one object
    for them all. ``text_kwargs`` are the labels' common properties (size, alignment, line
    spacing), as given to :meth:`~matplotlib.axes.Axes.text`.

    Examples
    --------
    >>> fig = _style.new_figure(3, 2)
    >>> ax = fig.add_subplot()
    >>> labels = CellLabels(ax, ha="center", va="center", fontsize=7)
    >>> labels.add(0.5, 0.5, "80", "white")
    >>> labels.add(1.5, 0.5, "95\\nn=7", "black")
    >>> labels.get_texts()
    ['80', '95\\nn=7']
    >>> labels in ax.get_children()
    True
    """

    def __init__(self, ax: Axes, **text_kwargs: Any) -> None:
        super().__init__()
        self.cells: list[tuple[float, float, str, Any]] = []
        # The labels lie inside the axes: they take no part in laying the figure out.
        self.set_in_layout(False)
        ax.add_artist(self)
        self.set_zorder(text_kwargs.pop("zorder", Text.zorder))
        # As Axes.text makes its Text (data coordinates, not clipped), but held by no one.
        self._stamp = _Stamp(0, 0, "", transform=ax.transData, clip_on=False,
                           **{"in_layout": False, **text_kwargs})
        self._stamp.set_figure(figure_of(ax))
        self._stamp.axes = ax

    def add(self, x: float, y: float, text: str, color: Any) -> None:
        """Write ``text`` centred on ``(x, y)`` (data coordinates) in ``color``."""
        self.cells.append((x, y, text, color))
        self.stale = True

    def get_texts(self) -> list[str]:
        """The labels, in the order they were added."""
        return [text for _, _, text, _ in self.cells]

    def extents(self, renderer: Any) -> list[Bbox]:
        """Each label's box in display coordinates, as its own Text would have it."""
        boxes = []
        for k in range(len(self.cells)):
            self._place(k)
            boxes.append(self._stamp.get_window_extent(renderer))
        return boxes

    def _place(self, index: int) -> Text:
        x, y, text, color = self.cells[index]
        stamp = self._stamp
        stamp.set_position((x, y))
        stamp.set_text(text)
        stamp.set_color(color)
        return stamp

    @allow_rasterization  # type: ignore[untyped-decorator]
    def draw(self, renderer: Any) -> None:
        if not self.get_visible():
            return
        for k in range(len(self.cells)):
            self._place(k).draw(renderer)
        self.stale = False


def written(ax: Axes) -> list[str]:
    """Every text written inside ``ax``: its texts, then the labels of its grids' cells.

    Examples
    --------
    >>> fig = _style.new_figure(3, 2)
    >>> ax = fig.add_subplot()
    >>> _ = ax.text(0, 0, "no data")
    >>> CellLabels(ax, fontsize=7).add(0.5, 0.5, "80", "white")
    >>> written(ax)
    ['no data', '80']
    """
    texts = [t.get_text() for t in ax.texts]
    for artist in ax.artists:
        if isinstance(artist, CellLabels):
            texts += artist.get_texts()
    return texts


def row_pitch(rows: int) -> float:
    """Inches per row of a chart with one row per group: roomy for a few, tighter for many
    (never below the 0.22 inch that 8-point labels need), so 50 grantees fit on a page.

    Examples
    --------
    >>> row_pitch(10), row_pitch(50)
    (0.36, 0.22)
    """
    return max(0.22, 0.36 - 0.007 * max(rows - 15, 0))


def tick_label_depth(ax: Axes) -> float:
    """How far, in points, the x tick labels reach below the axes (they may be rotated)."""
    fig = figure_of(ax)
    canvas: Any = fig.canvas
    renderer = canvas.get_renderer() if hasattr(canvas, "get_renderer") else None
    if renderer is None:  # pragma: no cover - every matplotlib canvas used here has one
        return 60.0
    bottom = ax.get_window_extent(renderer).y0
    depths = [bottom - label.get_window_extent(renderer).y0
              for label in ax.get_xticklabels() if label.get_text()]
    return float(max([0.0, *depths])) * 72 / float(fig.dpi)


# ----------------------------------------------------------------------------------------
# Reading the input: a ProgressSummary or a tidy frame
# ----------------------------------------------------------------------------------------

_METHODS = {
    "summary": "to_frame",
    "stop": "by_stop",
    "zone": "by_zone",
    "realm": "by_realm",
    "items": "items",
    "milestones": "milestones",
}
_CONTRACT = {
    "summary": SUMMARY_COLUMNS,
    "stop": ROLLUP_COLUMNS,
    "zone": ROLLUP_COLUMNS,
    "realm": ROLLUP_COLUMNS,
    "items": ITEM_COLUMNS,
    "milestones": MILESTONE_COLUMNS,
}


def table(data: Any, kind: str, needed: Sequence[str], chart: str) -> pd.DataFrame:
    """The tidy frame of ``kind`` from a summary (by its method) or a DataFrame (as given)."""
    method = _METHODS[kind]
    if isinstance(data, pd.DataFrame):
        frame = data
    elif hasattr(data, method):
        frame = getattr(data, method)()
    else:
        msg = (
            f"{chart} needs a ProgressSummary or a DataFrame with the columns of "
            f"summary.{method}(); got {type(data).__name__}"
        )
        raise ChartDataError(msg)
    if kind in ("stop", "zone", "realm") and "level" in frame.columns:
        frame = frame[frame["level"].astype(str) == kind]
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        msg = (
            f"{chart} needs the column(s) {missing} of summary.{method}() "
            f"(see getting_to_outcomes.columns); the table given has {list(frame.columns)}"
        )
        raise ChartDataError(msg)
    frame = frame.copy()
    frame.attrs = {**getattr(data, "attrs", {}), **frame.attrs} if isinstance(
        data, pd.DataFrame
    ) else dict(frame.attrs)
    return frame


def framework_of(data: Any, framework: Framework | None) -> Framework | None:
    if framework is not None:
        return framework
    found = getattr(data, "framework", None)
    from getting_to_outcomes.definitions import Framework

    return found if isinstance(found, Framework) else None


def indicator(framework: Framework | None, indicator_id: str) -> Indicator | None:
    if framework is None or indicator_id not in framework.indicators.ids:
        return None
    return framework.indicators[indicator_id]


def indicator_name(framework: Framework | None, indicator_id: str) -> str:
    found = indicator(framework, indicator_id)
    return found.name if found is not None else str(indicator_id)


def min_n(framework: Framework | None, indicator_id: str | None) -> int:
    found = indicator(framework, indicator_id) if indicator_id else None
    return found.min_n if found is not None else DEFAULT_MIN_N


def as_bool(series: pd.Series) -> pd.Series:
    return series.map(lambda v: bool(v) if v is not None and v == v else False).astype(bool)


def num(value: Any) -> float:
    """A float, with None, NA and text that is not a number as NaN."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return math.nan
    return number


def is_num(value: Any) -> bool:
    return not math.isnan(num(value))


def fmt(value: Any, *, percent: bool = False, whole: bool = False) -> str:
    """A number as people read it: 3.42, 41.5, 1,250 or 45%; counts (``whole``) as 12.

    Examples
    --------
    >>> fmt(3.0), fmt(3.0, whole=True), fmt(0.456, percent=True), fmt(1250.4)
    ('3.00', '3', '46%', '1,250')
    """
    number = num(value)
    if math.isnan(number):
        return "–"
    if percent:
        return f"{number * 100:.0f}%"
    size = abs(number)
    if size >= 100 or (whole and number == int(number)):
        return f"{number:,.0f}"
    if size >= 10:
        return f"{number:.1f}"
    return f"{number:.2f}"


class PercentTicks(Formatter):
    """Tick labels of shares (0-1) as percentages, with the decimals the ticks need.

    The number of decimals is chosen for all the ticks of the axis at once, the fewest (up to
    3) that print every tick exactly: ticks at 0, 2.5%, 5%, 7.5% read "0.0%, 2.5%, 5.0%,
    7.5%", never "0%, 2%, 5%, 8%". ``scale`` is 100 for shares, 1 for values that already
    are percentages; ``signed=False`` drops the sign (both sides of a diverging bar).

    Examples
    --------
    >>> ticks = PercentTicks()
    >>> ticks.set_locs([0.0, 0.025, 0.05, 0.075])
    >>> [ticks(v) for v in (0.0, 0.025, 0.075)]
    ['0.0%', '2.5%', '7.5%']
    >>> ticks.set_locs([0.0, 0.25, 0.5])
    >>> ticks(0.25)
    '25%'
    """

    def __init__(self, scale: float = 100.0, *, signed: bool = True) -> None:
        super().__init__()
        self.scale = scale
        self.signed = signed
        self.decimals = 0

    def set_locs(self, locs: Sequence[float]) -> None:
        shown = [v * self.scale for v in locs if math.isfinite(v)]
        self.decimals = next((d for d in range(4)
                              if all(abs(v - round(v, d)) < 1e-9 * max(1.0, abs(v))
                                     for v in shown)), 3)

    def __call__(self, x: float, pos: int | None = None) -> str:
        value = x * self.scale if self.signed else abs(x * self.scale)
        if value == 0:
            value = 0.0  # no "-0%"
        return f"{value:.{self.decimals}f}%"


def is_share(framework: Framework | None, indicator_id: str, frame: pd.DataFrame) -> bool:
    """Whether an indicator's values are shares (0-1) best shown as percentages."""
    found = indicator(framework, indicator_id)
    kind: str | None = found.measure.kind if found is not None else None
    if kind is None and "kind" in frame.columns:
        kinds = frame.loc[frame["indicator_id"] == indicator_id, "kind"].dropna().unique()
        kind = str(kinds[0]) if len(kinds) else None
    if kind in ("proportion", "level"):
        return True
    unit = found.unit if found is not None else ""
    return "share" in unit.lower() or "proportion" in unit.lower()


def is_whole(framework: Framework | None, indicator_id: str, frame: pd.DataFrame) -> bool:
    """Whether an indicator counts things (shown without decimals when whole)."""
    found = indicator(framework, indicator_id)
    if found is not None:
        return found.measure.kind == "count"
    if "kind" in frame.columns:
        kinds = frame.loc[frame["indicator_id"] == indicator_id, "kind"].dropna().unique()
        return bool(len(kinds)) and str(kinds[0]) == "count"
    return False


def formatter(framework: Framework | None, indicator_id: str, frame: pd.DataFrame, *,
              whole: bool | None = None) -> Callable[[Any], str]:
    """How to write the values of one indicator: as percentages, counts or decimals."""
    share = is_share(framework, indicator_id, frame)
    if whole is None:
        whole = is_whole(framework, indicator_id, frame)
    return functools.partial(fmt, percent=share, whole=whole)


def choose(
    frame: pd.DataFrame,
    column: str,
    value: Any,
    *,
    what: str,
    prefer: Sequence[Any] = (),
    allow_many: bool = False,
) -> Any:
    """Resolve ``value`` for ``column``: check it exists, or pick the only/preferred one."""
    present = list(dict.fromkeys(frame[column].dropna().tolist()))
    if value is not None:
        if value not in present:
            msg = (
                f"no rows with {column} = {value!r}{did_you_mean(str(value), map(str, present))}; "
                f"the {what}s present are {preview(present)}"
            )
            raise ChartDataError(msg)
        return value
    if len(present) == 1 or allow_many:
        return present[0] if present else None
    for candidate in prefer:
        if candidate in present:
            return candidate
    if not present:
        msg = f"the table has no {what} to draw"
        raise ChartDataError(msg)
    msg = f"choose one {what} with {what}=...; the table has {preview(present)}"
    raise ChartDataError(msg)


def preview(values: Sequence[Any], limit: int = 10) -> str:
    shown = ", ".join(repr(v) for v in list(values)[:limit])
    more = len(values) - limit
    return f"[{shown}{f', +{more} more' if more > 0 else ''}]"


def period_order(
    frame: pd.DataFrame,
    data: Any,
    framework: Framework | None,
    periods: Sequence[str] | None = None,
) -> list[Any]:
    """Periods in time order.

    Order of preference: ``periods`` given; the summary's own ``periods``; the declared
    ``period_order`` of the indicators' data sources; numbers or dates sorted; baselines first,
    then the order of appearance.
    """
    present: list[Any] = []
    for column in ("baseline_period", "period"):
        if column in frame.columns:
            present.extend(frame[column].dropna().tolist())
    present = list(dict.fromkeys(present))
    candidates: list[Sequence[Any]] = []
    if periods is not None:
        candidates.append(list(periods))
    carried = getattr(data, "periods", None)
    if isinstance(carried, Sequence) and not isinstance(carried, str):
        candidates.append(list(carried))
    if framework is not None and "indicator_id" in frame.columns:
        declared: list[Any] = []
        for indicator_id in frame["indicator_id"].dropna().unique():
            found = indicator(framework, str(indicator_id))
            if found is not None and found.source and found.source in framework.sources:
                declared.extend(framework.sources[found.source].period_order)
        candidates.append(list(dict.fromkeys(declared)))
    for order in candidates:
        if present and all(p in order for p in present):
            return [p for p in order if p in present]
    if periods is not None:
        missing = [p for p in present if p not in periods]
        msg = f"periods= does not list {preview(missing)}, which the table has"
        raise ChartDataError(msg)
    numbers = [num(p) for p in present]
    if present and not any(math.isnan(n) for n in numbers):
        return [p for _, p in sorted(zip(numbers, present, strict=True))]
    try:
        stamps = pd.to_datetime(pd.Series(present, dtype=object), errors="raise", format="mixed")
        return [p for _, p in sorted(zip(stamps.tolist(), present, strict=True))]
    except (ValueError, TypeError):
        pass
    baselines = frame["baseline_period"].dropna().tolist() if "baseline_period" in frame else []
    return sorted(present, key=lambda p: (p not in baselines, present.index(p)))


def groups(frame: pd.DataFrame, groups: Sequence[Any] | None, *, network: bool) -> list[Any]:
    present = list(dict.fromkeys(frame["group"].dropna().tolist()))
    if groups is not None:
        unknown = [g for g in groups if g not in present]
        if unknown:
            msg = (
                f"no rows for group(s) {preview(unknown)}"
                f"{did_you_mean(str(unknown[0]), map(str, present))}; groups are {preview(present)}"
            )
            raise ChartDataError(msg)
        return list(groups)
    ordered = [g for g in present if g != NETWORK]
    if network and NETWORK in present:
        ordered.append(NETWORK)
    return ordered


def label(group: Any, labels: Mapping[Any, str] | None) -> str:
    if labels and group in labels:
        return str(labels[group])
    return "Network (pooled)" if group == NETWORK else str(group)


def overall(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows for the whole group, not a subgroup."""
    if "subgroup_dimension" not in frame.columns:
        return frame
    keep = frame["subgroup_dimension"].isna() | (frame["subgroup_dimension"].astype(str) == "all")
    return frame[keep]


def indicator_order(frame: pd.DataFrame, framework: Framework | None) -> list[str]:
    present = [str(i) for i in dict.fromkeys(frame["indicator_id"].dropna().tolist())]
    if framework is None:
        return present
    order = {i: k for k, i in enumerate(framework.indicators.ids)}
    return sorted(present, key=lambda i: order.get(i, len(order)))


def withheld(row: Mapping[Any, Any], framework: Framework | None) -> str | None:
    """The withheld label of a summary row, or None when its value may be shown."""
    if not bool(row.get("suppressed")) or row.get("suppressed") != row.get("suppressed"):
        return None
    reason = row.get("suppression_reason")
    return _style.withheld_label(
        min_n(framework, str(row.get("indicator_id", "")) or None),
        reason if isinstance(reason, str) else None,
    )


def new_axes(ax: Axes | None, width: float, height: float,
             margins: tuple[float, float, float, float] | None = None) -> tuple[Axes, bool]:
    """The Axes to draw on: ``ax``, or one on a new figure (see :func:`style.chart_figure`)."""
    if ax is not None:
        return ax, False
    fig = _style.chart_figure(width, height, margins=margins)
    return fig.add_subplot(), True


def figure_of(ax: Axes) -> Figure:
    fig = ax.get_figure(root=True)
    assert isinstance(fig, Figure)
    return fig


def caption_text(data: Any, frame: pd.DataFrame, framework: Framework | None) -> str:
    """Data source, framework and, when true, that the data are synthetic."""
    parts: list[str] = []
    source = frame.attrs.get("source") or getattr(data, "source", None)
    if not isinstance(source, str) and framework is not None and "indicator_id" in frame:
        names = []
        for indicator_id in frame["indicator_id"].dropna().unique():
            found = indicator(framework, str(indicator_id))
            if found is not None and found.source and found.source in framework.sources:
                names.append(framework.sources[found.source].name)
        source = "; ".join(dict.fromkeys(names)) or None
    if isinstance(source, str) and source:
        parts.append(f"Source: {source}.")
    if framework is not None:
        parts.append(f"Indicators: {framework.title} (version {framework.version}).")
    elif "framework_id" in frame.columns and frame["framework_id"].notna().any():
        first = frame.dropna(subset=["framework_id"]).iloc[0]
        parts.append(f"Indicators: {first['framework_id']} "
                     f"(version {first.get('framework_version')}).")
    if is_synthetic(data, frame, framework):
        parts.append("Synthetic data, generated for illustration: "
                     "not real organizations or people.")
    return " ".join(parts)


def is_synthetic(data: Any, frame: pd.DataFrame, framework: Framework | None) -> bool:
    for flag in (frame.attrs.get("synthetic"), getattr(data, "synthetic", None)):
        if isinstance(flag, bool):
            return flag
    if framework is None:
        return False
    if framework.meta.synthetic_note:
        return True
    used = set()
    if "indicator_id" in frame.columns:
        for indicator_id in frame["indicator_id"].dropna().unique():
            found = indicator(framework, str(indicator_id))
            if found is not None and found.source:
                used.add(found.source)
    return any(framework.sources[s].synthetic for s in used if s in framework.sources)


def finish(
    fig: Figure,
    *,
    created: bool,
    caption: str | bool | None,
    data: Any,
    frame: pd.DataFrame,
    framework: Framework | None,
    alt: str,
) -> None:
    _style.set_alt_text(fig, alt)
    if isinstance(caption, str):
        _style.add_caption(fig, caption)
    elif caption is True or (caption is None and created):
        _style.add_caption(fig, caption_text(data, frame, framework))


def hatch_box(ax: Axes, x: float, y: float, width: float, height: float, label: str,
               *, fontsize: float = 8, text: bool = True) -> Rectangle:
    """A withheld cell: grey, hatched, labelled, with ``gid="withheld"`` for inspection."""
    box = Rectangle((x, y), width, height, facecolor=_style.WITHHELD_COLOR,
                    edgecolor="#9A9A9A", hatch=_style.WITHHELD_HATCH, linewidth=0.6,
                    gid="withheld", label=label, zorder=2)
    ax.add_patch(box)
    if text:
        ax.text(x + width / 2, y + height / 2, label, ha="center", va="center",
                fontsize=fontsize, color="#333333", zorder=3, in_layout=False,
                bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none",
                      "alpha": 0.85})
    return box


def default_title(title: str | None, ax: Axes, what: str, who: str | None,
                   when: str | None, *, pad: float = 10) -> None:
    if title is None:
        _style.set_title(ax, what, who, when, pad=pad)
    elif title:
        _style.set_title(ax, title, pad=pad)


def when(periods: Sequence[Any]) -> str | None:
    if not periods:
        return None
    if len(periods) == 1:
        return str(periods[0])
    return f"{periods[0]} to {periods[-1]}"


def ci_label(data: Any) -> str:
    for name in ("confidence", "conf_level", "ci_level"):
        level = getattr(data, name, None)
        if isinstance(level, float) and 0 < level < 1:
            return f"{level * 100:g}% confidence interval"
    return "95% confidence interval"



def latest_rows(frame: pd.DataFrame, order: Sequence[Any], period: Any) -> pd.DataFrame:
    """One row per group x indicator: the period asked for, else each indicator's latest."""
    if period is not None:
        asked: pd.DataFrame = frame[frame["period"] == period]
        return asked
    rank = {p: k for k, p in enumerate(order)}
    frame = frame.assign(_rank=frame["period"].map(rank).fillna(-1))
    latest = frame.groupby("indicator_id", sort=False)["_rank"].transform("max")
    chosen: pd.DataFrame = frame[frame["_rank"] == latest].drop(columns="_rank")
    return chosen


#: Longest label a chart writes beside a row or under a column; longer ones end in "…" (the
#: alt text and the tables keep the full text).
LABEL_LIMIT = 40


def short(text: str, limit: int = LABEL_LIMIT) -> str:
    """``text`` cut to ``limit`` characters, the last one an ellipsis.

    Examples
    --------
    >>> short("Southwest Youth Organizing Collective (4)", 30)
    'Southwest Youth Organizing Co…'
    >>> short("Riverside Parent Power", 30)
    'Riverside Parent Power'
    """
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
