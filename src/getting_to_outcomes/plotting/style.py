"""The house style of every chart: colours, type, titles, captions, withheld cells, export.

One place decides how the library's charts look, so that a heatmap in a funder's board deck
and a bullet chart in a grantee's newsletter read as one family:

* colours come from the Okabe-Ito palette (Okabe & Ito, 2008, *Color Universal Design*),
  which stays distinguishable for the common forms of colour-vision deficiency; scores use
  ``viridis`` (perceptually uniform, readable in grey) and Likert answers ColorBrewer's
  ``PuOr`` diverging scheme (Brewer, colorbrewer2.org, marked colour-blind safe);
* colour never carries meaning alone: statuses are also written out, withheld cells carry a
  hatch and a text label such as ``"n < 5"``;
* type is sized for a page printed at the figure's own size (9-12 pt);
* titles say what, who and when; a caption names the data source and says when data are
  synthetic;
* settings apply only inside :func:`house_style`, a :func:`matplotlib.rc_context`, so a
  user's own rcParams are never changed.

Figures that the library saves are built on matplotlib's Agg canvas (:func:`new_figure`),
never through pyplot, so writing a report needs no display and leaves no figure open.
"""

from __future__ import annotations

import contextvars
import io
import os
import textwrap
import weakref
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal, cast

import matplotlib as mpl
from cycler import cycler
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import Colormap, ListedColormap, to_rgb
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.transforms import Bbox

from getting_to_outcomes.io import write_bytes_atomic
from getting_to_outcomes.plotting._canvas import MeasuringCanvasAgg, MeasuringCanvasSVG

__all__ = [
    "GROUP_COLORS",
    "NO_DATA_COLOR",
    "OKABE_ITO",
    "REALM_COLORS",
    "STATUS_COLORS",
    "STATUS_LABELS",
    "STATUS_ORDER",
    "STATUS_SYMBOLS",
    "WITHHELD_COLOR",
    "WITHHELD_HATCH",
    "add_caption",
    "alt_text",
    "bounded",
    "chart_figure",
    "figure_bytes",
    "house_style",
    "likert_colors",
    "new_figure",
    "offscreen",
    "render",
    "save_figure",
    "score_cmap",
    "set_alt_text",
    "set_title",
    "status_label",
    "status_legend_handles",
    "text_color_on",
    "withheld_label",
    "wrap",
]

#: Okabe & Ito (2008) colour-universal-design palette, by name.
OKABE_ITO: dict[str, str] = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}

#: Colours of groups (grantees) on one chart, in order; yellow is last because it is faint on white.
GROUP_COLORS: list[str] = [
    OKABE_ITO[name]
    for name in (
        "blue", "orange", "bluish_green", "reddish_purple", "sky_blue", "vermillion", "black",
        "yellow",
    )
]

#: Statuses from best to worst, then the two that carry no judgement.
STATUS_ORDER: list[str] = [
    "target_achieved",
    "target_met_declining",
    "on_track",
    "needs_acceleration",
    "limited",
    "deteriorating",
    "insufficient_data",
]

#: Words shown for each status.
STATUS_LABELS: dict[str, str] = {
    "target_achieved": "Target achieved",
    "target_met_declining": "Target met, declining",
    "on_track": "On track",
    "needs_acceleration": "Needs acceleration",
    "limited": "Limited progress",
    "deteriorating": "Deteriorating",
    "insufficient_data": "Insufficient data",
    "withheld": "Withheld (small group)",
    "no_data": "No data",
}

#: A symbol per status, drawn in cells and stations so that colour never carries meaning alone.
STATUS_SYMBOLS: dict[str, str] = {
    "target_achieved": "✓",
    "target_met_declining": "✓↓",
    "on_track": "↑",
    "needs_acceleration": "→",
    "limited": "↘",
    "deteriorating": "↓",
    "insufficient_data": "?",
    "no_data": "",
}

#: A blue-to-vermillion scale (the colour-blind-safe axis of Okabe-Ito) for ordered statuses.
STATUS_COLORS: dict[str, str] = {
    "target_achieved": OKABE_ITO["blue"],
    # A mid grey, darker than "insufficient data": met, but no colour of progress; the
    # symbol and the words say it is declining.
    "target_met_declining": "#7F7F7F",
    "on_track": OKABE_ITO["sky_blue"],
    "needs_acceleration": OKABE_ITO["yellow"],
    "limited": OKABE_ITO["orange"],
    "deteriorating": OKABE_ITO["vermillion"],
    "insufficient_data": "#BDBDBD",
    "no_data": "#FFFFFF",
}

#: Realm colours, used for the lines of the theory-of-change map and realm profiles; none of
#: them is a status colour, so a station's ring never merges with its fill.
REALM_COLORS: dict[str, str] = {
    "individual": OKABE_ITO["reddish_purple"],
    "community": OKABE_ITO["bluish_green"],
    "policy": "#3D3D3D",
}

#: Face colour and hatch of a withheld (suppressed) cell; the hatch survives greyscale printing.
WITHHELD_COLOR = "#E6E6E6"
WITHHELD_HATCH = "///"
#: Face colour of a cell without data (missing is never drawn as zero).
NO_DATA_COLOR = "#FFFFFF"
CAPTION_COLOR = "#444444"
MUTED = "#6B6B6B"

_RC: dict[str, Any] = {
    # DejaVu Sans ships with matplotlib, so every machine draws the same glyphs.
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans"],
    "font.size": 10,
    "axes.titlesize": 12,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.titlepad": 10,
    "axes.labelsize": 10,
    "axes.labelcolor": "#222222",
    "axes.edgecolor": "#555555",
    "axes.linewidth": 0.8,
    "axes.spines.top": False,
    "axes.axisbelow": True,
    "axes.spines.right": False,
    "axes.prop_cycle": cycler(color=GROUP_COLORS),
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
    "xtick.color": "#333333",
    "ytick.color": "#333333",
    "legend.fontsize": 9,
    "legend.frameon": False,
    "figure.facecolor": "white",
    "figure.titlesize": 13,
    "figure.titleweight": "bold",
    "hatch.color": "#7A7A7A",
    "hatch.linewidth": 0.8,
    # Charts choose their own layout; a user's global default must not add a second one.
    "figure.autolayout": False,
    "figure.constrained_layout.use": False,
    "savefig.dpi": 200,
    "savefig.facecolor": "white",
    # Text stays text in SVG: smaller files, selectable and readable by screen readers.
    "svg.fonttype": "none",
    # Stable element ids so that the same chart gives the same SVG file.
    "svg.hashsalt": "getting_to_outcomes",
}

#: Minimum resolution of PNG exports.
MIN_DPI = 200


@contextmanager
def house_style() -> Iterator[None]:
    """Apply the house style inside a ``with`` block; the user's rcParams come back after it.

    Examples
    --------
    >>> import matplotlib as mpl
    >>> before = mpl.rcParams["font.size"]
    >>> with house_style():
    ...     inside = mpl.rcParams["axes.titlelocation"]
    >>> inside, mpl.rcParams["font.size"] == before
    ('left', True)
    """
    with mpl.rc_context(cast("Any", _RC)):
        yield


_OFFSCREEN: contextvars.ContextVar[bool] = contextvars.ContextVar("offscreen", default=False)
_ALT_TEXT: weakref.WeakKeyDictionary[Figure, list[str]] = weakref.WeakKeyDictionary()


@contextmanager
def offscreen() -> Iterator[None]:
    """Inside this block, charts draw on Agg figures outside pyplot (for files, not screens)."""
    token = _OFFSCREEN.set(True)
    try:
        yield
    finally:
        _OFFSCREEN.reset(token)


def chart_figure(
    width: float,
    height: float,
    *,
    layout: Literal["constrained", "compressed", "tight"] | None = "constrained",
    margins: tuple[float, float, float, float] | None = None,
) -> Figure:
    """A new figure for a chart: through pyplot for notebooks, on Agg inside :func:`offscreen`.

    ``margins`` (left, bottom, right, top, in inches) are the room a chart of a known shape
    needs around its axes. Inside :func:`offscreen` they replace the layout engine: the
    axes go where the margins put them and :func:`render` saves whatever lies around them,
    so the engine's measuring of every label (a third of such a chart's time) is saved.
    """
    if _OFFSCREEN.get():
        if margins is None:
            return new_figure(width, height, layout=layout)
        fig = new_figure(width, height, layout=None)
        left, bottom, right, top = margins
        fig.subplots_adjust(left=min(left / width, 0.45), bottom=min(bottom / height, 0.45),
                            right=max(1 - right / width, 0.55), top=max(1 - top / height, 0.55))
        return fig
    import matplotlib.pyplot as plt

    with house_style():
        return plt.figure(figsize=(width, height), layout=layout)


def set_alt_text(fig: Figure, text: str) -> None:
    """Record a text description of what ``fig`` shows (alt text in reports, SVG metadata)."""
    _ALT_TEXT.setdefault(fig, []).append(" ".join(str(text).split()))


def alt_text(fig: Figure) -> str:
    """The text description recorded for ``fig`` by the chart functions, or ``""``."""
    return " ".join(_ALT_TEXT.get(fig, []))


def new_figure(
    width: float,
    height: float,
    *,
    layout: Literal["constrained", "compressed", "tight"] | None = "constrained",
) -> Figure:
    """A figure on the Agg canvas, outside pyplot: nothing to close, no display needed.

    Examples
    --------
    >>> from matplotlib.backends.backend_agg import FigureCanvasAgg
    >>> fig = new_figure(4, 3)
    >>> isinstance(fig.canvas, FigureCanvasAgg)
    True
    """
    with house_style():
        fig = Figure(figsize=(width, height), layout=layout)
    # Its renderers measure each string once per process, not once per figure.
    MeasuringCanvasAgg(fig)
    return fig


def wrap(text: str, width: int) -> str:
    """Wrap ``text`` to lines of at most ``width`` characters, keeping existing line breaks.

    Examples
    --------
    >>> wrap("Building Relationships and Alliances", 20)
    'Building\\nRelationships and\\nAlliances'
    """
    return "\n".join(
        textwrap.fill(line, width=max(width, 8), break_long_words=False) or line
        for line in str(text).split("\n")
    )


def chars_per_line(width_inches: float, fontsize: float) -> int:
    """How many characters of average width fit on a line ``width_inches`` wide.

    Examples
    --------
    >>> chars_per_line(6.0, 12.0)
    62
    """
    # An average DejaVu Sans glyph is about 0.55 em wide.
    return max(20, int(width_inches * 72 / (fontsize * 0.58)))


def bounded(text: str, chars: int, max_lines: int = 3) -> str:
    """``text`` wrapped to ``chars`` per line, at most ``max_lines`` lines, cut with "…".

    Examples
    --------
    >>> bounded("x" * 50, 20)
    'xxxxxxxxxxxxxxxxxxx…'
    >>> bounded("one two three four five six", 8, max_lines=2)
    'one two\\nthree…'
    """
    lines = [line if len(line) <= chars else line[: chars - 1].rstrip() + "…"
             for line in wrap(text, chars).split("\n")]
    if len(lines) > max_lines:
        last = lines[max_lines - 1]
        last = last[: chars - 1].rstrip() if len(last) >= chars else last.rstrip("…").rstrip()
        lines = [*lines[: max_lines - 1], last + "…"]
    return "\n".join(lines)


def set_title(
    ax: Axes, what: str, who: str | None = None, when: str | None = None, *, pad: float = 10
) -> None:
    """Title an Axes with what is shown, then who and when on a second line.

    Lines are wrapped to the width of the figure so that long names are never clipped; a
    part longer than three lines, or a word longer than a line, ends in "…" (a name of
    thousands of characters would otherwise make the figure as wide or tall as itself).

    Examples
    --------
    >>> fig = new_figure(6, 3)
    >>> ax = fig.add_subplot()
    >>> set_title(ax, "Knowledge of the school system", "Parents United", "pre to post")
    >>> ax.get_title(loc="left")
    'Knowledge of the school system\\nParents United · pre to post'
    """
    figure = ax.get_figure(root=True)
    width = figure.get_figwidth() * ax.get_position().width if figure is not None else 6.0
    chars = chars_per_line(max(width, 3.0), 12.0)
    detail = " · ".join(part for part in (who, when) if part)
    lines = [bounded(what, chars)]
    if detail:
        lines.append(bounded(detail, chars))
    ax.set_title("\n".join(lines), loc="left", fontsize=12, fontweight="bold", pad=pad)


def add_caption(fig: Figure, text: str) -> None:
    """Write a caption (data source, synthetic data) just below the figure.

    The caption sits outside the figure's own area, under whatever the layout put at the
    bottom (legends included); saving with ``bbox_inches="tight"``, as :func:`render`,
    :func:`save_figure` and notebooks do, takes it in.

    Examples
    --------
    >>> fig = new_figure(6, 3)
    >>> _ = fig.add_subplot()
    >>> add_caption(fig, "Source: leadership survey. Synthetic data.")
    >>> [t.get_text() for t in fig.texts]
    ['Source: leadership survey. Synthetic data.']
    """
    if not text:
        return
    fontsize = 8.0
    body = wrap(text, chars_per_line(fig.get_figwidth(), fontsize))
    fig.text(0.01, -18 / 72 / fig.get_figheight(), body, ha="left", va="top",
             fontsize=fontsize, color=CAPTION_COLOR, gid="caption")


def withheld_label(min_n: int | float | None = None, reason: str | None = None) -> str:
    """The label of a withheld cell from the reason it was withheld.

    ``"n < 5"`` for a small group (reason ``small_n`` or none given), ``"withheld"`` for
    complementary suppression (the value could be worked out from others), ``"low
    reliability"`` for a scale withheld because its reliability is below threshold.

    Examples
    --------
    >>> withheld_label(5)
    'n < 5'
    >>> withheld_label(5, "complementary")
    'withheld'
    >>> withheld_label(5, "low_reliability")
    'low reliability'
    """
    text = str(reason).lower() if reason else ""
    if "reliab" in text:
        return "low reliability"
    if "complement" in text:
        return "withheld"
    if text and "small" not in text and "min_n" not in text and not text.startswith("n"):
        return "withheld"
    if min_n is None or min_n != min_n:  # NaN
        return "withheld"
    return f"n < {int(min_n)}"


def score_cmap() -> Colormap:
    """Colour map of 0-100 scores (viridis: uniform in lightness, colour-blind safe)."""
    return mpl.colormaps["viridis"]


def status_cmap(statuses: Sequence[str]) -> ListedColormap:
    """A colour map with one colour per status, in the order given."""
    return ListedColormap([STATUS_COLORS.get(s, NO_DATA_COLOR) for s in statuses])


def status_legend_handles(statuses: Sequence[str] | None = None) -> list[Patch]:
    """Legend patches for statuses, plus one for withheld cells."""
    shown = list(statuses) if statuses is not None else list(STATUS_ORDER)
    handles = [
        Patch(facecolor=STATUS_COLORS.get(s, NO_DATA_COLOR), edgecolor="#555555", linewidth=0.6,
              label=status_label(s, symbol=True))
        for s in shown
        if s != "withheld"
    ]
    handles.append(
        Patch(facecolor=WITHHELD_COLOR, edgecolor="#555555", hatch=WITHHELD_HATCH, linewidth=0.6,
              label=STATUS_LABELS["withheld"])
    )
    return handles


def status_label(status: str, *, symbol: bool = False) -> str:
    """Words for a status, optionally after its symbol.

    Examples
    --------
    >>> status_label("on_track", symbol=True)
    '↑ On track'
    """
    words = STATUS_LABELS.get(status, str(status).replace("_", " ").capitalize())
    mark = STATUS_SYMBOLS.get(status, "") if symbol else ""
    return f"{mark} {words}" if mark else words


def likert_colors(n_codes: int) -> list[str]:
    """``n_codes`` diverging colours from disagreement (orange) to agreement (purple).

    With an odd number of codes the middle one is a neutral grey.

    Examples
    --------
    >>> colors = likert_colors(5)
    >>> len(colors), colors[2]
    (5, '#d9d9d9')
    """
    cmap = mpl.colormaps["PuOr"]
    if n_codes < 1:
        return []
    half = n_codes // 2
    # Sample both arms away from the pale centre of PuOr so that every answer is distinct.
    low = [cmap(0.05 + 0.3 * i / max(half - 1, 1)) for i in range(half)]
    high = [cmap(0.95 - 0.3 * i / max(half - 1, 1)) for i in range(half)][::-1]
    middle = ["#d9d9d9"] if n_codes % 2 else []
    return [mpl.colors.to_hex(c) for c in low] + middle + [mpl.colors.to_hex(c) for c in high]


def text_color_on(color: Any) -> str:
    """Black or white, whichever reads better on ``color`` (WCAG relative luminance).

    Examples
    --------
    >>> text_color_on("#000000"), text_color_on("#F0E442")
    ('white', 'black')
    """
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in to_rgb(color))
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return "black" if luminance > 0.179 else "white"


def render(fig: Figure, formats: Sequence[str] = ("png",), *, dpi: int = MIN_DPI
           ) -> dict[str, bytes]:
    """Render ``fig`` in each format (``"png"``, ``"svg"``), laying it out only once.

    The layout engine runs once; the figure is then saved with that layout and the same
    tight bounding box for every format, so each format costs one draw instead of the three
    that ``bbox_inches="tight"`` with a layout engine takes. The figure's layout engine is
    restored afterwards. PNG files carry no timestamp, SVG files no date, so the same chart
    gives the same bytes.
    """
    for fmt in formats:
        if fmt not in ("png", "svg"):
            msg = f"format must be 'png' or 'svg', got {fmt!r}"
            raise ValueError(msg)
    if "png" in formats and dpi < MIN_DPI:
        msg = f"PNG exports need at least {MIN_DPI} dpi so that they print sharply; got {dpi}"
        raise ValueError(msg)
    canvas = (fig.canvas if isinstance(fig.canvas, FigureCanvasAgg)
              else MeasuringCanvasAgg(fig))
    description = alt_text(fig)
    out: dict[str, bytes] = {}
    engine = fig.get_layout_engine()
    old_dpi = fig.get_dpi()
    with house_style():
        # Lay out at the resolution of the first drawing, so that the text sizes measured
        # for the layout are reused (cached) when it is drawn: the PNG's, or the 72 dots per
        # inch an SVG is drawn at.
        fig.set_dpi(dpi if "png" in formats else 72)
        if engine is not None:
            # Running the engine measures what the layout needs; a full draw without
            # rendering would also walk every patch and line, for the same result.
            engine.execute(fig)
        renderer = canvas.get_renderer()  # type: ignore[no-untyped-call]
        bbox = _place_caption(fig, renderer).padded(0.15)
        # No engine at all (not "none", whose placeholder still makes savefig draw twice).
        fig.set_layout_engine(None)
        try:
            for fmt in formats:
                metadata: dict[str, Any] = {"Software": None} if fmt == "png" else {"Date": None}
                if description:
                    metadata["Description"] = description
                # The fastest zlib level: big charts encode in half the time, files grow a
                # little; the report embeds SVG anyway.
                extra: dict[str, Any] = (
                    {"pil_kwargs": {"compress_level": 1}} if fmt == "png" else {})
                if fmt == "svg":
                    # Saved by the SVG canvas whose renderer measures each string once per
                    # process; the figure goes back to its own canvas after. Written as
                    # text and encoded once: a binary buffer would pass each of the
                    # thousands of pieces of the file through an encoding writer.
                    text = io.StringIO()
                    MeasuringCanvasSVG(fig).print_figure(
                        text, format=fmt, dpi=dpi, bbox_inches=bbox, metadata=metadata)
                    fig.set_canvas(canvas)
                    out[fmt] = text.getvalue().encode("utf-8")
                else:
                    buffer = io.BytesIO()
                    fig.savefig(buffer, format=fmt, dpi=dpi, bbox_inches=bbox,
                                metadata=metadata, **extra)
                    out[fmt] = buffer.getvalue()
        finally:
            fig.set_canvas(canvas)
            fig.set_layout_engine(engine)
            fig.set_dpi(old_dpi)
    return out


def _place_caption(fig: Figure, renderer: Any) -> Bbox:
    """Put the caption just under everything else drawn; the box (inches) of it all.

    The caption is first placed under the figure's own area (:func:`add_caption`); a chart
    laid out without an engine may draw its legend below that area, so the caption moves to
    12 points under the lowest thing drawn, aligned with the leftmost.
    """
    captions = [t for t in fig.texts if t.get_gid() == "caption" and t.get_visible()]
    for text in captions:
        text.set_visible(False)
    try:
        bbox = fig.get_tightbbox(renderer)
    finally:
        for text in captions:
            text.set_visible(True)
    if not captions:
        return bbox
    width, height = fig.get_size_inches()
    boxes = [bbox]
    for text in captions:
        text.set_position((max(bbox.x0, 0.0) / width + 0.005, (bbox.y0 - 12 / 72) / height))
        extent = text.get_window_extent(renderer)
        boxes.append(extent.transformed(fig.dpi_scale_trans.inverted()))
    return Bbox.union(boxes)


def figure_bytes(fig: Figure, fmt: str, *, dpi: int = MIN_DPI) -> bytes:
    """Render ``fig`` as ``"png"`` or ``"svg"`` bytes, in the house style, without a display."""
    return render(fig, (fmt,), dpi=dpi)[fmt]


def save_figure(
    fig: Figure,
    path: str | os.PathLike[str],
    *,
    formats: Sequence[str] = ("png", "svg"),
    dpi: int = MIN_DPI,
) -> list[Path]:
    """Save ``fig`` next to ``path`` in each format (``chart.png``, ``chart.svg``), atomically.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure to save.
    path : path-like
        File name with or without a suffix; the suffix is replaced by each format.
    formats : sequence of {"png", "svg"}
        Formats to write.
    dpi : int
        Resolution of the PNG, at least 200.

    Returns
    -------
    list of pathlib.Path
        The files written, in the order of ``formats``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> fig = new_figure(3, 2)
    >>> _ = fig.add_subplot().plot([0, 1], [0, 1])
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     [p.name for p in save_figure(fig, pathlib.Path(folder) / "line")]
    ['line.png', 'line.svg']
    """
    base = Path(path)
    if base.suffix.lower() in (".png", ".svg"):
        base = base.with_suffix("")
    written = []
    for fmt, data in render(fig, tuple(formats), dpi=dpi).items():
        target = base.with_name(f"{base.name}.{fmt}")
        write_bytes_atomic(target, data)
        written.append(target)
    return written
