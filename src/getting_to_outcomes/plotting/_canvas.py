"""Canvases whose renderers measure each string once per process, for the library's charts.

Private: :func:`getting_to_outcomes.plotting.style.new_figure` and
:func:`~getting_to_outcomes.plotting.style.render` use them.

Matplotlib keeps the sizes of the strings it has measured per renderer, and every figure
gets new renderers: one to lay it out, another to save its SVG. Shaping a string (FreeType
and libraqm) costs about 25 µs a character, so a report that shows the same names and
numbers on twenty charts measured each of them about forty times. These renderers keep the
measurements in one table for the process, keyed by everything that decides them (the
string, the font properties, math or not, the resolution and the hinting settings), and
return exactly what the stock renderer returns, so the charts are drawn the same, to the
byte. The SVG renderer also writes a mesh without edges (a heatmap's cells) as one path per
colour rather than one per cell: the same picture in fewer elements.
"""

from __future__ import annotations

import codecs
from collections.abc import Callable
from functools import partial
from typing import Any

import matplotlib as mpl
import numpy as np
from matplotlib import cbook
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg
from matplotlib.backends.backend_mixed import MixedModeRenderer
from matplotlib.backends.backend_svg import FigureCanvasSVG, RendererSVG
from matplotlib.font_manager import FontProperties, findfont, get_font
from matplotlib.path import Path

__all__ = ["MeasuringCanvasAgg", "MeasuringCanvasSVG", "forget_measurements"]

#: Width, height and descent of each string measured, by renderer kind and settings.
_SIZES: dict[tuple[Any, ...], tuple[float, float, float]] = {}
#: Ascent, descent and line gap of each font at each resolution.
_HEIGHTS: dict[tuple[Any, ...], tuple[float, float, float] | tuple[None, None, None]] = {}
#: Past this many strings the tables start again (a long notebook session stays small).
_LIMIT = 50_000


def forget_measurements() -> None:
    """Empty the tables of measured strings and fonts (they refill as charts are drawn)."""
    _SIZES.clear()
    _HEIGHTS.clear()


def _hinting() -> tuple[Any, Any]:
    return mpl.rcParams["text.hinting"], mpl.rcParams["text.hinting_factor"]


def _font_heights(prop: FontProperties, dpi: float
                  ) -> tuple[float, float, float] | tuple[None, None, None]:
    """Ascent, descent and line gap of ``prop``'s font in pixels at ``dpi``, as text.py has them.

    The same arithmetic as :class:`matplotlib.text.Text` applies when the renderer has no
    such method (typographic metrics of the OS/2 table, else those of hhea), done once per
    font and resolution instead of once per text drawn.
    """
    key = (hash(prop), dpi)
    found = _HEIGHTS.get(key)
    if found is not None:
        return found
    font: Any = get_font(findfont(prop))
    heights: tuple[float, float, float] | tuple[None, None, None] = (None, None, None)
    for table_name, gap_key, ascent_key, descent_key in (
            ("OS/2", "sTypoLineGap", "sTypoAscender", "sTypoDescender"),
            ("hhea", "lineGap", "ascent", "descent")):
        table = font.get_sfnt_table(table_name)
        if table is None:
            continue
        head = font.get_sfnt_table("head")
        units_per_em = head["unitsPerEm"] if head is not None else 2048
        scale = prop.get_size_in_points() * dpi / 72 / units_per_em
        heights = (table[ascent_key] * scale, -table[descent_key] * scale,
                   table[gap_key] * scale)
        break
    if len(_HEIGHTS) > _LIMIT:
        _HEIGHTS.clear()
    _HEIGHTS[key] = heights
    return heights


def _measured(key: tuple[Any, ...], measure: Callable[[], tuple[float, float, float]]
              ) -> tuple[float, float, float]:
    """The size kept under ``key``, measured (and kept) the first time it is asked for."""
    size = _SIZES.get(key)
    if size is None:
        if len(_SIZES) > _LIMIT:
            _SIZES.clear()
        size = _SIZES[key] = measure()
    return size


class _RendererAgg(RendererAgg):
    """Agg renderer measuring each string once per process."""

    def get_text_width_height_descent(self, s: str, prop: FontProperties,
                                      ismath: Any) -> tuple[float, float, float]:
        return _measured(("agg", s, hash(prop), ismath, self.dpi, *_hinting()),
                         partial(super().get_text_width_height_descent, s, prop, ismath))

    # Matplotlib's text layout asks a renderer for this where it has it (text.py), and
    # otherwise looks the font up and reads its tables for every text drawn.
    def _get_font_height_metrics(self, prop: FontProperties
                                 ) -> tuple[float, float, float] | tuple[None, None, None]:
        return _font_heights(prop, self.dpi)


class _RendererSVG(RendererSVG):
    """SVG renderer measuring each string once per process."""

    def get_text_width_height_descent(self, s: str, prop: FontProperties,
                                      ismath: Any) -> tuple[float, float, float]:
        return _measured(("svg", s, hash(prop), ismath),
                         partial(super().get_text_width_height_descent, s, prop, ismath))

    def _get_font_height_metrics(self, prop: FontProperties
                                 ) -> tuple[float, float, float] | tuple[None, None, None]:
        # Text is laid out for SVG at 72 dots per inch (print_svg sets the figure's).
        return _font_heights(prop, 72.0)

    def draw_quad_mesh(self, gc: Any, master_transform: Any, meshWidth: int,
                       meshHeight: int, coordinates: Any, offsets: Any, offsetTrans: Any,
                       facecolors: Any, antialiased: Any, edgecolors: Any) -> None:
        """A mesh without edges as one path per fill colour, not one per cell.

        Matplotlib writes each cell of a mesh as its own ``<path>`` with its own style and
        clip: a heatmap of 25 x 15 cells made 375 elements, a seventh of its SVG's time. The
        cells of one colour are drawn as one compound path of the same quadrilaterals, so
        the picture is the same; fully transparent cells (masked values) are left out, as
        they draw nothing. A mesh with edges, hatches, links or several offsets is drawn as
        matplotlib draws it.
        """
        faces = np.asarray(facecolors, dtype=float).reshape(-1, 4)
        cells = meshWidth * meshHeight
        if (len(edgecolors) or gc.get_hatch() is not None or gc.get_url() is not None
                or len(offsets) > 1 or len(faces) not in (1, cells)):
            super().draw_quad_mesh(gc, master_transform, meshWidth, meshHeight, coordinates,
                                   offsets, offsetTrans, facecolors, antialiased, edgecolors)
            return
        corners = np.ma.getdata(coordinates)
        # Each cell as matplotlib's QuadMesh makes it: four corners and back to the first.
        quads = np.concatenate([corners[:-1, :-1], corners[:-1, 1:], corners[1:, 1:],
                                corners[1:, :-1], corners[:-1, :-1]], axis=2
                               ).reshape(-1, 5, 2)
        transform = master_transform
        if len(offsets):
            x_offset, y_offset = offsetTrans.transform(offsets)[0]
            if x_offset or y_offset:
                transform = master_transform.frozen().translate(x_offset, y_offset)
        if len(faces) == 1:
            faces = np.repeat(faces, cells, axis=0)
        colours, first, which = np.unique(faces, axis=0, return_index=True,
                                          return_inverse=True)
        which = which.reshape(-1)
        one_cell = np.array([Path.MOVETO] + [Path.LINETO] * 4, dtype=Path.code_type)
        fill = self.new_gc()
        fill.copy_properties(gc)
        fill.set_linewidth(0.0)
        fill.set_antialiased(antialiased)
        # Colours in the order the cells first show them, as the cells were drawn.
        for index in np.argsort(first, kind="stable"):
            colour = colours[index]
            if colour[3] == 0:
                continue
            chosen = quads[which == index]
            path = Path(chosen.reshape(-1, 2), np.tile(one_cell, len(chosen)))
            self.draw_path(fill, path, transform,  # type: ignore[no-untyped-call]
                           tuple(colour))
        fill.restore()


class MeasuringCanvasAgg(FigureCanvasAgg):
    """The Agg canvas, with a renderer that measures each string once per process."""

    def get_renderer(self) -> RendererAgg:
        # As FigureCanvasAgg.get_renderer, with the measuring renderer.
        figure: Any = self.figure
        w, h = self.get_width_height(physical=True)
        key = w, h, figure.dpi
        if self._lastKey != key:
            self.renderer = _RendererAgg(w, h, figure.dpi)  # type: ignore[no-untyped-call]
            self._lastKey = key
        renderer: RendererAgg = self.renderer
        return renderer


class MeasuringCanvasSVG(FigureCanvasSVG):
    """The SVG canvas, with a renderer that measures each string once per process."""

    def print_svg(self, filename: Any, *, bbox_inches_restore: Any = None,
                  metadata: dict[str, Any] | None = None, **_handled: Any) -> None:
        # As FigureCanvasSVG.print_svg, with the measuring renderer. print_figure passes
        # this canvas what it has already applied (dpi, face and edge colours).
        figure: Any = self.figure
        with cbook.open_file_cm(filename, "w", encoding="utf-8") as opened:
            fh: Any = opened
            if not cbook.file_requires_unicode(fh):
                fh = codecs.getwriter("utf-8")(fh)
            dpi = figure.dpi
            figure.dpi = 72
            width, height = figure.get_size_inches()
            w, h = width * 72, height * 72
            renderer: Any = MixedModeRenderer(  # type: ignore[no-untyped-call]
                figure, width, height, dpi,
                _RendererSVG(w, h, fh, image_dpi=dpi,  # type: ignore[no-untyped-call]
                             metadata=metadata),
                bbox_inches_restore=bbox_inches_restore)
            figure.draw(renderer)
            renderer.finalize()
