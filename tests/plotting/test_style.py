"""The house style: colours people can tell apart, settings that do not leak, sharp exports."""

from __future__ import annotations

import io
import itertools
import os
import xml.etree.ElementTree as ET

import matplotlib as mpl
import matplotlib.pyplot as plt
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgb
from PIL import Image

from getting_to_outcomes.plotting import style as _style


def _relative_luminance(color: str) -> float:
    # WCAG 2.1, definition of relative luminance (sRGB).
    channels = []
    for c in to_rgb(color):
        channels.append(c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4)
    r, g, b = channels
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _contrast(a: str, b: str) -> float:
    # WCAG 2.1, definition of contrast ratio.
    high, low = sorted((_relative_luminance(a), _relative_luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_house_style_restores_every_rc_setting_it_changed() -> None:
    before = dict(mpl.rcParams)
    with _style.house_style():
        assert mpl.rcParams["axes.spines.top"] is False
        assert mpl.rcParams["svg.fonttype"] == "none"
    assert dict(mpl.rcParams) == before


def test_charts_leave_global_rc_settings_alone(two_orgs_one_withheld) -> None:
    from getting_to_outcomes.plotting import plot_heatmap

    before = dict(mpl.rcParams)
    plot_heatmap(two_orgs_one_withheld)
    assert dict(mpl.rcParams) == before


def test_status_colours_come_from_the_colour_blind_safe_palette_or_are_grey() -> None:
    okabe_ito = set(_style.OKABE_ITO.values())
    for status, color in _style.STATUS_COLORS.items():
        r, g, b = to_rgb(color)
        grey = r == g == b
        assert color in okabe_ito or grey, status


def test_status_colours_are_all_different_and_differ_from_realm_colours() -> None:
    statuses = [c.upper() for c in _style.STATUS_COLORS.values()]
    assert len(set(statuses)) == len(statuses)
    assert not set(statuses) & {c.upper() for c in _style.REALM_COLORS.values()}


@pytest.mark.parametrize("color", [
    *_style.STATUS_COLORS.values(),
    *[mpl.colors.to_hex(_style.score_cmap()(x / 10)) for x in range(11)],
    *_style.likert_colors(5),
])
def test_text_on_any_cell_colour_has_at_least_aa_contrast(color: str) -> None:
    # WCAG 2.1 level AA asks for 4.5:1 for normal text.
    text = _style.text_color_on(color)
    assert _contrast(text, color) >= 4.5, (color, text)


def test_likert_colours_diverge_around_a_grey_middle() -> None:
    colors = _style.likert_colors(5)
    assert len(set(colors)) == 5
    r, g, b = to_rgb(colors[2])
    assert r == g == b
    # Disagreement (orange side of PuOr) is redder than agreement (purple side).
    assert to_rgb(colors[0])[0] > to_rgb(colors[0])[2]
    assert to_rgb(colors[-1])[2] > to_rgb(colors[-1])[1]


def test_an_even_scale_has_no_neutral_colour() -> None:
    colors = _style.likert_colors(4)
    assert all(len({*to_rgb(c)}) > 1 for c in colors)


@pytest.mark.parametrize(("min_n", "reason", "label"), [
    (5, None, "n < 5"),
    (10, "small_n", "n < 10"),
    (5, "complementary", "withheld"),
    (5, "low_reliability", "low reliability"),
])
def test_withheld_cells_say_why(min_n: int, reason: str | None, label: str) -> None:
    assert _style.withheld_label(min_n, reason) == label


def test_titles_are_wrapped_to_the_width_of_the_figure() -> None:
    fig = _style.new_figure(4, 3)
    ax = fig.add_subplot()
    what = "Knowledge of how the school system works, organizing skills and civic efficacy"
    _style.set_title(ax, what, "Harbor Valley Parent Alliance", "pre to post")
    title = ax.get_title(loc="left")
    assert title.replace("\n", " ").startswith(what)
    assert all(len(line) <= 60 for line in title.split("\n"))


def _figure_with_alt_text() -> mpl.figure.Figure:
    fig = _style.new_figure(4, 3)
    ax = fig.add_subplot()
    ax.plot([0, 1], [0, 1])
    ax.set_title("A line")
    _style.set_alt_text(fig, "A line rising from 0 to 1.")
    return fig


def test_png_exports_have_at_least_200_dpi_and_carry_the_description() -> None:
    png = _style.render(_figure_with_alt_text(), ("png",))["png"]
    image = Image.open(io.BytesIO(png))
    assert min(image.info["dpi"]) >= 199.5
    assert image.info["Description"] == "A line rising from 0 to 1."


def test_png_exports_below_200_dpi_are_refused() -> None:
    with pytest.raises(ValueError, match="200 dpi"):
        _style.render(_figure_with_alt_text(), ("png",), dpi=100)


def test_svg_exports_keep_text_as_text_and_describe_the_chart() -> None:
    svg = _style.render(_figure_with_alt_text(), ("svg",))["svg"]
    root = ET.fromstring(svg)
    texts = [el.text for el in root.iter("{http://www.w3.org/2000/svg}text")]
    assert "A line" in texts
    assert b"A line rising from 0 to 1." in svg


def test_the_same_chart_gives_the_same_bytes() -> None:
    first = _style.render(_figure_with_alt_text(), ("png", "svg"))
    second = _style.render(_figure_with_alt_text(), ("png", "svg"))
    assert first == second


def test_rendering_leaves_the_figure_as_it_was() -> None:
    fig = _figure_with_alt_text()
    engine, dpi = fig.get_layout_engine(), fig.get_dpi()
    _style.render(fig, ("png", "svg"))
    assert fig.get_layout_engine() is engine
    assert fig.get_dpi() == dpi


def test_save_figure_writes_each_format_and_no_temporary_file(tmp_path) -> None:
    written = _style.save_figure(_figure_with_alt_text(), tmp_path / "line.png")
    assert [p.name for p in written] == ["line.png", "line.svg"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["line.png", "line.svg"]


def test_saved_files_get_ordinary_permissions_not_private_ones(tmp_path) -> None:
    mask = os.umask(0)
    os.umask(mask)
    (png,) = _style.save_figure(_figure_with_alt_text(), tmp_path / "line", formats=("png",))
    assert png.stat().st_mode & 0o777 == 0o666 & ~mask


def test_offscreen_figures_are_not_held_by_pyplot(two_orgs_one_withheld) -> None:
    from getting_to_outcomes.plotting import plot_before_after

    plt.close("all")
    with _style.offscreen():
        ax = plot_before_after(two_orgs_one_withheld)
    assert plt.get_fignums() == []
    assert isinstance(ax.figure.canvas, FigureCanvasAgg)


def test_charts_made_on_screen_go_through_pyplot(two_orgs_one_withheld) -> None:
    from getting_to_outcomes.plotting import plot_before_after

    plt.close("all")
    plot_before_after(two_orgs_one_withheld)
    assert len(plt.get_fignums()) == 1


def test_captions_are_written_under_the_figure() -> None:
    fig = _style.new_figure(5, 3)
    fig.add_subplot()
    _style.add_caption(fig, "Source: leadership survey. Synthetic data.")
    (caption,) = [t for t in fig.texts if t.get_gid() == "caption"]
    assert caption.get_text() == "Source: leadership survey. Synthetic data."
    assert caption.get_position()[1] < 0


def test_all_status_symbols_are_distinct() -> None:
    symbols = [s for s in _style.STATUS_SYMBOLS.values() if s]
    assert len(set(symbols)) == len(symbols)
    for a, b in itertools.combinations(_style.STATUS_ORDER, 2):
        assert _style.status_label(a) != _style.status_label(b)
