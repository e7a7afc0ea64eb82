"""Charts measure each string once per process and write a grid's labels through one artist,
and are drawn exactly as matplotlib draws them otherwise."""

from __future__ import annotations

import io
import re

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg
from matplotlib.backends.backend_svg import FigureCanvasSVG, RendererSVG
from matplotlib.figure import Figure

from getting_to_outcomes.plotting import _canvas
from getting_to_outcomes.plotting import style as _style
from getting_to_outcomes.plotting.chart_data import CellLabels


def _chart_with_every_kind_of_text() -> Figure:
    fig = _style.new_figure(5, 3, layout=None)
    ax = fig.add_subplot()
    ax.plot([0, 1, 2], [2, 0, 1])
    _style.set_title(ax, "Knowledge of the school system", "Parents United", "pre to post")
    ax.set_xticks([0, 1, 2], ["Baseline", "Midline ✓↓", "Endline"], rotation=55, ha="right",
                  rotation_mode="anchor")
    ax.text(1, 1, "100\nn=12", ha="center", va="center", fontsize=7, linespacing=1.05)
    ax.text(0.2, 1.5, "bold italic", fontweight="bold", style="italic")
    ax.text(1.5, 0.5, r"$\alpha = 0.8$")
    _style.add_caption(fig, "Synthetic data, generated for illustration.")
    return fig


def _as_matplotlib_saves_it(fig: Figure, fmt: str) -> bytes:
    """The figure saved by matplotlib's own canvases, with render()'s settings."""
    with _style.house_style():
        fig.set_dpi(72 if fmt == "svg" else 200)  # as render() lays it out
        bbox = _style._place_caption(fig, FigureCanvasAgg(fig).get_renderer()).padded(0.15)
        buffer = io.BytesIO()
        canvas = FigureCanvasSVG(fig) if fmt == "svg" else FigureCanvasAgg(fig)
        metadata = {"Date": None} if fmt == "svg" else {"Software": None}
        extra = {"pil_kwargs": {"compress_level": 1}} if fmt == "png" else {}
        canvas.print_figure(buffer, format=fmt, dpi=200, bbox_inches=bbox, metadata=metadata,
                            **extra)
    return buffer.getvalue()


@pytest.mark.parametrize("fmt", ["svg", "png"])
def test_a_chart_is_saved_byte_for_byte_as_by_matplotlibs_own_canvases(fmt: str) -> None:
    _canvas.forget_measurements()
    # Twice: the second time every string and font comes from the shared tables.
    for _ in range(2):
        ours = _style.render(_chart_with_every_kind_of_text(), (fmt,), dpi=200)[fmt]
        theirs = _as_matplotlib_saves_it(_chart_with_every_kind_of_text(), fmt)
        assert ours == theirs


def test_a_string_is_measured_once_whichever_figure_shows_it(monkeypatch) -> None:
    measured: list[tuple[str, str]] = []
    agg_measure = RendererAgg.get_text_width_height_descent
    svg_measure = RendererSVG.get_text_width_height_descent

    def counting(kind, measure):
        def wrapped(self, s, prop, ismath):
            measured.append((kind, s))
            return measure(self, s, prop, ismath)
        return wrapped

    monkeypatch.setattr(RendererAgg, "get_text_width_height_descent",
                        counting("agg", agg_measure))
    monkeypatch.setattr(RendererSVG, "get_text_width_height_descent",
                        counting("svg", svg_measure))
    _canvas.forget_measurements()
    for _ in range(3):
        fig = _style.new_figure(4, 2, layout=None)
        fig.text(0.1, 0.5, "Harbor Valley Parent Alliance")
        _style.render(fig, ("svg",))
    shown = [m for m in measured if m[1] == "Harbor Valley Parent Alliance"]
    # Once to place it (Agg at 72 dpi), once for the SVG's own metrics: not once per figure.
    assert sorted(shown) == [("agg", "Harbor Valley Parent Alliance"),
                             ("svg", "Harbor Valley Parent Alliance")]


def test_a_string_is_measured_again_in_another_size_or_weight() -> None:
    _canvas.forget_measurements()
    fig = _style.new_figure(4, 2, layout=None)
    renderer = fig.canvas.get_renderer()
    small = fig.text(0, 0, "Organizing staff", fontsize=8)
    large = fig.text(0, 0, "Organizing staff", fontsize=12)
    bold = fig.text(0, 0, "Organizing staff", fontsize=8, fontweight="bold")
    widths = [t.get_window_extent(renderer).width for t in (small, large, bold)]
    assert widths[0] < widths[2] < widths[1]
    assert widths[1] == pytest.approx(widths[0] * 12 / 8, rel=0.05)


def _grid_of_labels(one_artist: bool) -> Figure:
    fig = _style.new_figure(4, 3, layout=None)
    ax = fig.add_subplot()
    ax.set_xlim(0, 3)
    ax.set_ylim(2, 0)
    cells = [(0.5, 0.5, "80", "white"), (1.5, 0.5, "✓\nn=7", "black"),
             (2.5, 1.5, "100", "#333333"), (0.5, 1.5, "", "black")]
    style = {"ha": "center", "va": "center", "fontsize": 7, "linespacing": 1.05}
    if one_artist:
        labels = CellLabels(ax, **style)
        for x, y, text, color in cells:
            labels.add(x, y, text, color)
    else:
        for x, y, text, color in cells:
            ax.text(x, y, text, color=color, in_layout=False, **style)
    return fig


@pytest.mark.parametrize("fmt", ["svg", "png"])
def test_cell_labels_draw_the_same_file_as_a_text_per_cell(fmt: str) -> None:
    ours = _style.render(_grid_of_labels(one_artist=True), (fmt,))[fmt]
    theirs = _style.render(_grid_of_labels(one_artist=False), (fmt,))[fmt]
    assert ours == theirs


def _mesh_figure() -> Figure:
    fig = _style.new_figure(4, 3, layout=None)
    ax = fig.add_subplot()
    # Two colours, one of them in three cells, and a masked cell that draws nothing.
    values = np.ma.masked_invalid([[10.0, 90.0, 10.0], [np.nan, 10.0, 55.0]])
    ax.pcolormesh(np.arange(4), np.arange(3), values, cmap="viridis", vmin=0, vmax=100,
                  linewidth=0)
    return fig


def _cells_by_fill(svg: bytes) -> dict[str, list[str]]:
    """Each fill colour of the mesh's paths with the outlines of the cells drawn in it."""
    group = re.search(rb'<g id="QuadMesh_1">(.*?)</g>', svg, re.S)
    assert group is not None
    cells: dict[str, list[str]] = {}
    for outline, fill in re.findall(rb'<path d="([^"]*)"[^>]*style="fill: (#[0-9a-f]+)"',
                                    group.group(1)):
        for cell in outline.decode().split("M")[1:]:
            cells.setdefault(fill.decode(), []).append(" ".join(cell.split()))
    return {fill: sorted(outlines) for fill, outlines in cells.items()}


def test_a_mesh_is_written_as_one_path_per_colour_over_the_same_cells() -> None:
    ours = _style.render(_mesh_figure(), ("svg",))["svg"]
    buffer = io.BytesIO()
    fig = _mesh_figure()
    with _style.house_style():
        FigureCanvasSVG(fig).print_figure(buffer, format="svg")
    # render() crops the figure, a plain save does not: the cells are compared by colour
    # and number, and each colour is one path.
    theirs = _cells_by_fill(buffer.getvalue())
    mine = _cells_by_fill(ours)
    assert {fill: len(cells) for fill, cells in mine.items()} == {
        fill: len(cells) for fill, cells in theirs.items()}
    assert sorted(len(cells) for cells in mine.values()) == [1, 1, 3]
    group = re.search(rb'<g id="QuadMesh_1">(.*?)</g>', ours, re.S)
    assert group is not None
    assert group.group(1).count(b"<path") == 3


def test_a_mesh_with_edges_is_drawn_cell_by_cell_as_matplotlib_draws_it() -> None:
    fig = _style.new_figure(4, 3, layout=None)
    ax = fig.add_subplot()
    ax.pcolormesh(np.arange(3), np.arange(2), [[10.0, 10.0]], edgecolors="white",
                  linewidth=1)
    svg = _style.render(fig, ("svg",))["svg"]
    group = re.search(rb'<g id="QuadMesh_1">(.*?)</g>', svg, re.S)
    assert group is not None
    assert group.group(1).count(b"<path") == 2
