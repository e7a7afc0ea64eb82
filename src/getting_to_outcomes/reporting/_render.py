"""Drawing the charts of a report: each once, in worker processes where that helps.

Private: see :func:`getting_to_outcomes.write_report` (``workers=``).

Each chart is built once and saved from the same figure as SVG and, when asked, PNG
(:func:`getting_to_outcomes.plotting.style.render` lays it out once). The page embeds the
SVG: drawing a PNG at 200 dpi costs more than building the chart and saving its SVG
together (matplotlib rasterizes every glyph of every label), so it is written only for
those who want one. With more than one
worker the charts are drawn by a pool of processes forked from this one: a forked worker
shares the report's tables and the loaded libraries with its parent, so it starts in
milliseconds and nothing is pickled but each chart's number on the way in and its SVG on the
way back. Where forking is not available (Windows) or not safe (macOS, where system
frameworks may not survive a fork), charts are drawn one after the other, with the same
result byte for byte.
"""

from __future__ import annotations

import gc
import math
import multiprocessing
import os
import re
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from getting_to_outcomes.errors import ChartDataError
from getting_to_outcomes.io import write_bytes_atomic
from getting_to_outcomes.plotting import style as _style
from getting_to_outcomes.reporting._data import Chart, Rendered

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["MIN_TEXT_PX", "Drawn", "draw_charts", "readable_width", "sparing_collector",
           "worker_count"]

#: Smallest text, in CSS pixels, that a chart may show on screen.
MIN_TEXT_PX = 9.0

#: Fewer charts than this are drawn in this process: starting workers would cost more.
MIN_CHARTS_PER_POOL = 4

_VIEWBOX = re.compile(rb'viewBox="[-0-9.]+ [-0-9.]+ ([0-9.]+) [0-9.]+"')
_FONT_SIZE = re.compile(rb"font-size:\s*([0-9.]+)px")


def readable_width(svg: bytes) -> int:
    """The narrowest width (CSS px) at which the smallest text of an SVG chart is 9 px high.

    An image scaled to ``w`` pixels draws text of size ``s`` (SVG user units) at
    ``s * w / viewBox width`` pixels; the page never shows a chart narrower than this (it
    scrolls sideways inside its own frame instead).

    Examples
    --------
    >>> readable_width(b'<svg viewBox="0 0 720 400"><text style="font-size: 7.5px">a</text>'
    ...                b'<text style="font-size: 10px">b</text></svg>')
    864
    """
    box = _VIEWBOX.search(svg)
    sizes = [float(m) for m in _FONT_SIZE.findall(svg)]
    if box is None or not sizes:
        return 0
    return math.ceil(float(box.group(1)) * MIN_TEXT_PX / min(sizes))


@dataclass
class Drawn:
    """One chart's outcome: what the page shows, or why it was not drawn, and its cost."""

    chart: Chart
    rendered: Rendered | None
    problem: str | None
    #: Seconds (wall clock) and processor seconds spent building and saving the chart, in
    #: whichever process drew it.
    wall: float
    cpu: float


def render_chart(chart: Chart, out: Path, dpi: int, embed: str, png: bool) -> Rendered:
    """Build ``chart`` once and save it under ``out/charts``: SVG, and PNG when asked.

    The page embeds the SVG (or the PNG, ``embed="png"``, which is then always written).
    """
    with _style.offscreen():
        drawn = chart.build()
    fig: Figure = drawn if hasattr(drawn, "savefig") else drawn.get_figure(root=True)
    formats = ("png", "svg") if png or embed == "png" else ("svg",)
    images = _style.render(fig, formats, dpi=dpi)
    files = []
    for fmt in formats:
        files.append(out / "charts" / f"{chart.key}.{fmt}")
        write_bytes_atomic(files[-1], images[fmt])
    svg = images["svg"]
    image, media_type = (svg, "image/svg+xml") if embed == "svg" else (images["png"],
                                                                         "image/png")
    return Rendered(chart.key, chart.section, chart.heading, chart.intro, image, media_type,
                    _style.alt_text(fig), files, lead=chart.lead,
                    min_width=readable_width(svg))


@contextmanager
def sparing_collector() -> Iterator[None]:
    """Pause Python's automatic garbage collection inside the block; restore it after.

    A report creates hundreds of thousands of short-lived objects (a chart's texts,
    transforms and paths), so the collector runs its full collection, which walks every
    object of the process (the loaded libraries, the summary), again and again: that took
    a third of the charts' time. Objects freed by reference counting go at once either way;
    the cycles a figure makes (figure, canvas, axes) are collected after each chart by
    :func:`_timed`, among the objects created since the last chart only.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _timed(chart: Chart, out: Path, dpi: int, embed: str, png: bool) -> Drawn:
    wall, cpu = time.perf_counter(), time.process_time()
    try:
        rendered, problem = render_chart(chart, out, dpi, embed, png), None
    except ChartDataError as exc:
        rendered, problem = None, str(exc)
    # The youngest generation holds what this chart created: its figure's cycles go now.
    gc.collect(0)
    return Drawn(chart, rendered, problem, time.perf_counter() - wall,
                 time.process_time() - cpu)


# The charts a pool's workers draw. A forked worker inherits this list as it was when the
# pool started, so a chart's build function (often a closure over the report's tables) never
# has to be pickled.
_PENDING: list[Chart] = []


def _draw_pending(index: int, out: Path, dpi: int, embed: str, png: bool
                  ) -> tuple[int, Rendered | None, str | None, float, float]:
    drawn = _timed(_PENDING[index], out, dpi, embed, png)
    return index, drawn.rendered, drawn.problem, drawn.wall, drawn.cpu


def _fork_safe() -> bool:
    return "fork" in multiprocessing.get_all_start_methods() and sys.platform != "darwin"


def _available_cpus() -> int:
    affinity = getattr(os, "sched_getaffinity", None)
    count = len(affinity(0)) if affinity is not None else (os.cpu_count() or 1)
    return max(count, 1)


def worker_count(workers: int | None, charts: int) -> int:
    """How many processes draw ``charts`` charts: 1 means in this process.

    ``workers=None`` chooses: one per available processor, at most one per chart, and none
    (1) for fewer than four charts, where forking is not possible or safe, or while other
    threads run in this process (a forked child gets only the calling thread, so a lock
    another thread holds would stay locked; notebooks run such threads). A number given is
    used as it is (capped at the number of charts) wherever forking is possible.

    Examples
    --------
    One process is asked for, or one chart to draw, wherever this runs:

    >>> worker_count(1, 14), worker_count(4, 1), worker_count(None, 1)
    (1, 1, 1)
    """
    if workers is not None and (not isinstance(workers, int) or isinstance(workers, bool)
                                or workers < 1):
        msg = f"workers must be a whole number of at least 1, or None to choose; got {workers!r}"
        raise ChartDataError(msg)
    if charts <= 1 or not _fork_safe():
        return 1
    if workers is not None:
        return min(workers, charts)
    if charts < MIN_CHARTS_PER_POOL or threading.active_count() > 1:
        return 1
    return min(_available_cpus(), charts)


def draw_charts(charts: Sequence[Chart], out: Path, *, dpi: int, embed: str, png: bool,
                workers: int | None = None,
                done: Callable[[Drawn], None] | None = None,
                meanwhile: Callable[[], None] | None = None) -> list[Drawn]:
    """Draw every chart, in order of ``charts``; ``done`` is called as each one finishes.

    Charts are drawn in forked worker processes when :func:`worker_count` says so; a pool
    that breaks (a worker killed) leaves its unfinished charts to be drawn here.
    ``meanwhile`` is run in this process while the workers draw (the report writes its
    tables then), or before the charts when they are drawn here.
    """
    count = worker_count(workers, len(charts))
    results: dict[int, Drawn] = {}
    if count > 1:
        results = _draw_in_pool(charts, out, dpi, embed, png, count, done, meanwhile)
    else:
        if meanwhile is not None:
            meanwhile()
        if charts:
            _warm_up()
    for index, chart in enumerate(charts):
        if index not in results:
            results[index] = _timed(chart, out, dpi, embed, png)
            if done is not None:
                done(results[index])
    return [results[k] for k in range(len(charts))]


def _warm_up() -> None:
    """Load the fonts once here, so that every forked worker inherits them loaded.

    Where the charts are drawn in this process, it keeps the first chart's time its own.
    """
    fig = _style.new_figure(2.0, 1.0, layout=None)
    fig.text(0.05, 0.6, "Warm up ✓↓→↑↘?", fontweight="bold")
    fig.text(0.05, 0.2, "Warm up ✓↓→↑↘? 0123456789", style="italic")
    fig.text(0.5, 0.2, "Warm up ✓↓→↑↘? 0123456789")
    _style.render(fig, ("svg",))


def _draw_in_pool(charts: Sequence[Chart], out: Path, dpi: int, embed: str, png: bool,
                  count: int, done: Callable[[Drawn], None] | None,
                  meanwhile: Callable[[], None] | None) -> dict[int, Drawn]:
    results: dict[int, Drawn] = {}
    _PENDING[:] = list(charts)
    _warm_up()
    context = multiprocessing.get_context("fork")
    try:
        with ProcessPoolExecutor(max_workers=count, mp_context=context) as pool:
            futures: list[Future[tuple[int, Rendered | None, str | None, float, float]]] = [
                pool.submit(_draw_pending, k, out, dpi, embed, png) for k in range(len(charts))]
            if meanwhile is not None:
                # Run while the workers draw; an error in it still ends the pool cleanly.
                meanwhile()
                meanwhile = None
            for future in as_completed(futures):
                index, rendered, problem, wall, cpu = future.result()
                results[index] = Drawn(charts[index], rendered, problem, wall, cpu)
                if done is not None:
                    done(results[index])
    except BrokenProcessPool:
        pass  # what was not drawn is drawn in this process by the caller
    finally:
        _PENDING.clear()
    if meanwhile is not None:
        meanwhile()  # the pool broke before it could run
    return results
