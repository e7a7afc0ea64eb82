"""Diverging stacked Likert bars: shares, the split neutral answer, withheld waves."""

from __future__ import annotations

import pandas as pd
import pytest
from matplotlib.colors import to_hex, to_rgba
from matplotlib.patches import Rectangle

from getting_to_outcomes.errors import ChartDataError
from getting_to_outcomes.plotting import plot_likert
from getting_to_outcomes.plotting import style as _style

from .tables import SCALE_ID


def _bars_by_row(ax) -> dict[int, list[Rectangle]]:
    rows: dict[int, list[Rectangle]] = {}
    for patch in ax.patches:
        if isinstance(patch, Rectangle) and patch.get_gid() != "withheld":
            centre = round(patch.get_y() + patch.get_height() / 2)
            rows.setdefault(centre, []).append(patch)
    return rows


def test_each_wave_is_one_bar_of_segments_adding_to_100_percent(likert_items) -> None:
    ax = plot_likert(likert_items, group="Alpha", caption=False)
    rows = _bars_by_row(ax)
    # pre and post have answers; mid is withheld.
    assert sorted(rows) == [0, 2]
    for segments in rows.values():
        assert sum(s.get_width() for s in segments) == pytest.approx(100)


def test_the_neutral_answer_is_split_evenly_across_zero(likert_items) -> None:
    ax = plot_likert(likert_items, group="Alpha", caption=False)
    pre = sorted(_bars_by_row(ax)[0], key=lambda s: s.get_x())
    # pre: 4, 6, 4, 4, 2 of 20 -> 20%, 30%, 20%, 20%, 10%; left edge = -(20 + 30 + 20/2).
    assert pre[0].get_x() == pytest.approx(-60)
    assert [s.get_width() for s in pre] == pytest.approx([20, 30, 20, 20, 10])


def test_disagreement_and_agreement_have_the_diverging_colours(likert_items) -> None:
    ax = plot_likert(likert_items, group="Alpha", caption=False)
    post = sorted(_bars_by_row(ax)[2], key=lambda s: s.get_x())
    expected = _style.likert_colors(5)
    assert [to_hex(s.get_facecolor()) for s in post] == expected


def test_a_withheld_wave_is_hatched_and_labelled_not_drawn(likert_items) -> None:
    ax = plot_likert(likert_items, group="Alpha", caption=False)
    (box,) = [p for p in ax.patches if p.get_gid() == "withheld"]
    assert box.get_hatch() == _style.WITHHELD_HATCH
    assert box.get_facecolor() == pytest.approx(to_rgba(_style.WITHHELD_COLOR))
    assert round(box.get_y() + box.get_height() / 2) == 1
    assert any(t.get_text() == "withheld: n < 5" for t in ax.texts)


def test_a_wave_answered_by_fewer_than_min_n_people_is_withheld(likert_items) -> None:
    # post has 20 answers: below a minimum of 25 it must not be drawn.
    ax = plot_likert(likert_items, group="Alpha", min_n=25, caption=False)
    assert _bars_by_row(ax) == {}
    assert len([p for p in ax.patches if p.get_gid() == "withheld"]) == 3


def test_row_labels_name_the_item_and_wave_with_n(likert_items) -> None:
    ax = plot_likert(likert_items, group="Alpha", caption=False)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == ["k1_district_decisions · pre (n=20)", "k1_district_decisions · mid",
                      "k1_district_decisions · post (n=20)"]


def test_with_the_framework_rows_show_the_question_and_its_minimum_n(likert_items,
                                                                      framework) -> None:
    ax = plot_likert(likert_items, group="Alpha", framework=framework, caption=False)
    first = ax.get_yticklabels()[0].get_text()
    assert first.startswith("I understand how decisions about")
    minimum = framework.indicators[SCALE_ID].min_n
    assert any(t.get_text() == f"withheld: n < {minimum}" for t in ax.texts)


def test_the_legend_lists_the_answers_in_order(likert_items) -> None:
    ax = plot_likert(likert_items, group="Alpha", caption=False)
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["Strongly disagree", "Disagree", "Neither", "Agree", "Strongly agree"]


def test_by_group_compares_groups_in_the_latest_wave(likert_items) -> None:
    beta = likert_items.assign(group="Beta")
    both = pd.concat([likert_items, beta], ignore_index=True)
    ax = plot_likert(both, by="group", pool_items=True, caption=False)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == ["Alpha (answers=20)", "Beta (answers=20)"]
    assert "post" in ax.get_title(loc="left")


def test_the_title_says_what_who_and_when(likert_items) -> None:
    ax = plot_likert(likert_items, group="Alpha", caption=False)
    title = ax.get_title(loc="left")
    assert SCALE_ID in title
    assert "Alpha" in title
    assert "pre to post" in title


def test_a_table_with_several_indicators_needs_a_choice(likert_items) -> None:
    other = likert_items.assign(indicator_id="leadership.organizing_skills")
    with pytest.raises(ChartDataError, match="choose one indicator"):
        plot_likert(pd.concat([likert_items, other]), group="Alpha")


def test_a_missing_column_is_named(likert_items) -> None:
    with pytest.raises(ChartDataError, match=r"\['count'\]"):
        plot_likert(likert_items.drop(columns="count"))


def test_an_unknown_group_suggests_the_closest(likert_items) -> None:
    with pytest.raises(ChartDataError, match="did you mean 'Alpha'"):
        plot_likert(likert_items, group="Alpah")


def test_it_draws_on_the_axes_given(likert_items) -> None:
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    assert plot_likert(likert_items, group="Alpha", ax=ax) is ax
    assert not [t for t in fig.texts if t.get_gid() == "caption"]
