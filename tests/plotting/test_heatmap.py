"""The grantee x indicator heatmap: scores or statuses, n where it is small, withheld cells
hatched."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.collections import QuadMesh
from matplotlib.colors import to_hex, to_rgba

from getting_to_outcomes.plotting import plot_heatmap
from getting_to_outcomes.plotting import style as _style
from getting_to_outcomes.plotting.chart_data import CellLabels, written

from .tables import SCALE_ID, summary_frame, summary_row


def _mesh(ax) -> QuadMesh:
    (mesh,) = [c for c in ax.collections if isinstance(c, QuadMesh)]
    return mesh


def _grid() -> list[dict]:
    """Three organizations x two indicators in 2024; Gamma's second indicator is withheld
    although the table still carries a value (13.0) that must never be drawn."""
    rows = []
    values = {("Alpha", "a.one"): (80.0, 40, "on_track"), ("Alpha", "a.two"): (20.0, 35, "limited"),
              ("Beta", "a.one"): (55.0, 22, "needs_acceleration"),
              ("Gamma", "a.one"): (95.0, 7, "target_achieved")}
    for group in ("Alpha", "Beta", "Gamma"):
        for indicator in ("a.one", "a.two"):
            if (group, indicator) in values:
                score, n, status = values[(group, indicator)]
                rows.append(summary_row(indicator_id=indicator, realm="community",
                                        group=group, period="2024", n=n, value=score / 10,
                                        score_0_100=score, status=status))
    rows.append(summary_row(indicator_id="a.two", realm="community", group="Gamma",
                            period="2024", score_0_100=13.0, suppressed=True,
                            suppression_reason="small_n"))
    return rows


def test_cells_are_coloured_by_score_with_withheld_and_missing_cells_left_out() -> None:
    ax = plot_heatmap(summary_frame(_grid()), caption=False)
    data = _mesh(ax).get_array()
    # Rows Alpha, Beta, Gamma; columns a.one, a.two. Beta has no a.two row at all.
    assert data.reshape(3, 2).tolist() == [[80.0, 20.0], [55.0, None], [95.0, None]]
    assert bool(np.ma.getmaskarray(data).reshape(3, 2)[2, 1])


def test_a_withheld_cell_is_grey_hatched_and_labelled(framework) -> None:
    ax = plot_heatmap(summary_frame(_grid()), caption=False)
    (box,) = [p for p in ax.patches if p.get_gid() == "withheld"]
    assert box.get_hatch() == _style.WITHHELD_HATCH
    assert box.get_facecolor() == pytest.approx(to_rgba(_style.WITHHELD_COLOR))
    # Column 1 (a.two), row 2 (Gamma).
    assert (int(box.get_x()), int(box.get_y())) == (1, 2)
    assert "n < 5" in written(ax)


def test_a_withheld_value_is_never_written_anywhere() -> None:
    ax = plot_heatmap(summary_frame(_grid()), caption=False)
    assert all("13" not in text for text in written(ax))
    assert "13" not in _style.alt_text(ax.figure)


def test_a_cell_without_data_is_blank_not_zero() -> None:
    ax = plot_heatmap(summary_frame(_grid()), caption=False)
    (empty,) = [p for p in ax.patches if p.get_gid() == "no_data"]
    assert to_hex(empty.get_facecolor()) == "#ffffff"
    assert (int(empty.get_x()), int(empty.get_y())) == (1, 1)


def test_cells_show_the_score_and_n_only_where_n_is_below_twice_the_minimum() -> None:
    # Without a framework the minimum group size is 5: n = 7 is small, 22 and 40 are not.
    ax = plot_heatmap(summary_frame(_grid()), caption=False)
    texts = written(ax)
    assert "80" in texts
    assert "55" in texts
    assert "95\nn=7" in texts
    assert not [t for t in texts if "n=4" in t or "n=2" in t]
    # Each in its own cell: column a.one, rows Alpha, Beta and Gamma.
    cells = {(x, y): text for labels in ax.artists if isinstance(labels, CellLabels)
             for x, y, text, _ in labels.cells}
    assert cells[(0.5, 0.5)] == "80"
    assert cells[(0.5, 1.5)] == "55"
    assert cells[(0.5, 2.5)] == "95\nn=7"
    assert cells[(1.5, 1.5)] == "no\ndata"


def test_the_cells_labels_are_text_in_the_svg_file_centred_on_their_cells() -> None:
    import xml.etree.ElementTree as ET

    ax = plot_heatmap(summary_frame(_grid()), caption=False)
    svg = ET.fromstring(_style.figure_bytes(ax.figure, "svg"))
    texts = [(t.text, t.get("style", "")) for t in svg.iter("{http://www.w3.org/2000/svg}text")]
    cells = [(text, style) for text, style in texts if "font-size: 7px" in style]
    assert [text for text, _ in cells] == ["80", "20", "55", "95", "n=7"]
    # One line: anchored on the cell's centre; two lines are placed line by line.
    assert all("text-anchor: middle" in style for _, style in cells[:3])


def test_long_names_end_in_an_ellipsis_on_the_chart_and_stay_whole_in_the_alt_text() -> None:
    name = "Southwest Youth Organizing Collective of the Greater Metropolitan Area"
    rows = [summary_row(indicator_id="a.one", group=g, period="2024", n=30, score_0_100=s)
            for g, s in (("Alpha", 90.0), ("Long", 10.0))]
    ax = plot_heatmap(summary_frame(rows), labels={"Long": name}, caption=False)
    shown = [t.get_text() for t in ax.get_yticklabels()]
    assert shown[1] == name[:39].rstrip() + "…"
    assert f"Lowest: {name} on a.one (10)" in _style.alt_text(ax.figure)


def test_status_cells_use_the_status_colour_and_symbol() -> None:
    ax = plot_heatmap(summary_frame(_grid()), value="status", caption=False)
    mesh = _mesh(ax)
    mesh.update_scalarmappable()  # colours are mapped from the data when drawn
    faces = mesh.get_facecolors()
    data = mesh.get_array().reshape(3, 2)
    # Alpha / a.one is on track: its face is the on-track colour.
    on_track = _style.STATUS_ORDER.index("on_track")
    assert data[0, 0] == on_track
    assert to_hex(faces[0]) == _style.STATUS_COLORS["on_track"].lower()
    assert f"{_style.STATUS_SYMBOLS['target_achieved']}\nn=7" in written(ax)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "Withheld (small group)" in legend


def test_columns_follow_the_framework_and_the_network_row_comes_last(framework) -> None:
    rows = [summary_row(indicator_id=i, group=g, period="post", n=20, score_0_100=50.0)
            for g in ("network", "Alpha") for i in ("leadership.organizing_skills", SCALE_ID)]
    ax = plot_heatmap(summary_frame(rows), network=True, framework=framework, caption=False)
    columns = [t.get_text() for t in ax.get_xticklabels()]
    order = framework.indicators.ids
    names = [framework.indicators[i].name for i in sorted(
        [SCALE_ID, "leadership.organizing_skills"], key=order.index)]
    assert columns == names
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Alpha", "Network (pooled)"]


def test_each_indicator_shows_its_own_latest_period() -> None:
    rows = [summary_row(indicator_id="survey", group="Alpha", period=p, n=20, score_0_100=s)
            for p, s in (("pre", 10.0), ("post", 30.0))]
    rows += [summary_row(indicator_id="yearly", group="Alpha", period=p, n=1, score_0_100=s)
             for p, s in (("2023", 60.0), ("2025", 90.0))]
    ax = plot_heatmap(summary_frame(rows), caption=False)
    assert _mesh(ax).get_array().ravel().tolist() == [30.0, 90.0]


def test_big_grids_are_not_annotated() -> None:
    rows = [summary_row(indicator_id=f"i{j:02d}", group=f"g{i:02d}", period="2024", n=30,
                        score_0_100=float((i * j) % 100))
            for i in range(30) for j in range(20)]
    ax = plot_heatmap(summary_frame(rows), caption=False)
    assert written(ax) == []


def test_the_alt_text_names_the_highest_and_lowest_cells() -> None:
    ax = plot_heatmap(summary_frame(_grid()), caption=False)
    alt = _style.alt_text(ax.figure)
    assert "Highest: Gamma on a.one (95)" in alt
    assert "Lowest: Alpha on a.two (20)" in alt
    assert "1 cell withheld" in alt


def test_a_new_figure_gets_a_caption_that_says_the_data_are_synthetic() -> None:
    frame = summary_frame(_grid())
    frame.attrs["synthetic"] = True
    ax = plot_heatmap(frame)
    (caption,) = [t for t in ax.figure.texts if t.get_gid() == "caption"]
    assert "Synthetic data" in caption.get_text()
