"""Summaries say when their data are synthetic; roll-ups are computed once per summary."""

from __future__ import annotations

from types import SimpleNamespace

import matplotlib
import numpy as np
import pandas as pd
import pytest

from getting_to_outcomes import Framework, ProgressSummary, compare, load_example, score

from .conftest import survey

matplotlib.use("Agg")

_STATUS_ORDER = ["deteriorating", "limited", "needs_acceleration", "on_track",
                 "target_achieved"]


def _rows(org: str = "org_a") -> pd.DataFrame:
    return survey([[2, 3, 4, 2], [3, 4, 4, 3], [4, 4, 5, 1], [3, 3, 3, 3]], org=org)


def _marked(frame: pd.DataFrame, flag: bool) -> pd.DataFrame:
    frame = frame.copy()
    frame.attrs["synthetic"] = flag
    return frame


# -- the synthetic flag --------------------------------------------------------------------


def test_unmarked_data_leave_the_flag_unknown(fw: Framework) -> None:
    summary = score(_rows(), fw, source="survey", min_n=1)
    assert summary.synthetic is None
    assert "synthetic" not in summary.to_frame().attrs
    assert "Synthetic" not in summary.summary()


def test_a_table_marked_synthetic_makes_a_synthetic_summary(fw: Framework) -> None:
    summary = score(_marked(_rows(), True), fw, source="survey", min_n=1)
    assert summary.synthetic is True
    assert summary.to_frame().attrs["synthetic"] is True
    assert "Synthetic data, generated for illustration" in summary.summary()
    assert "synthetic data" in summary._repr_html_()


def test_one_synthetic_table_among_several_makes_the_whole_synthetic(
    fw: Framework, network: dict[str, pd.DataFrame]
) -> None:
    tables = dict(network)
    tables["actions"] = _marked(tables["actions"], True)
    assert score(tables, fw).synthetic is True


def test_tables_all_marked_real_make_a_real_summary(fw: Framework) -> None:
    summary = score(_marked(_rows(), False), fw, source="survey", min_n=1)
    assert summary.synthetic is False
    assert summary.to_frame().attrs["synthetic"] is False


def test_a_validation_report_passes_on_the_mark_of_its_rows(fw: Framework) -> None:
    report = SimpleNamespace(valid_rows=_marked(_rows(), True), source="survey",
                             rejected_rows=pd.DataFrame())
    assert score(report, fw, min_n=1).synthetic is True


def test_compare_of_summaries_is_synthetic_when_any_grantee_is(fw: Framework) -> None:
    real = score(_rows("east"), fw, source="survey", min_n=1)
    made_up = score(_marked(_rows("west"), True), fw, source="survey", min_n=1)
    also_real = score(_rows("north"), fw, source="survey", min_n=1)
    assert compare([real, made_up]).synthetic is True
    assert compare([real, also_real]).synthetic is None


def test_compare_of_data_is_synthetic_when_any_grantee_is(fw: Framework) -> None:
    # Concatenating the grantees' tables drops attrs that differ, so the mark is read first.
    both = compare({"east": _rows(), "west": _marked(_rows(), True)}, fw, source="survey",
                   min_n=1)
    assert both.synthetic is True
    assert both.group_by == "grantee"


def test_the_example_network_is_scored_and_drawn_as_synthetic() -> None:
    example = load_example("cper-network")
    assert all(t.attrs["synthetic"] is True for t in example.tables.values())
    summary = score(example.tables, example.framework, targets=example.targets,
                    indicators=["leadership.knowledge_of_system"])
    assert summary.synthetic is True
    ax = summary.plot()
    captions = [t.get_text() for t in ax.get_figure(root=True).texts]
    assert any("Synthetic data" in c for c in captions)
    matplotlib.pyplot.close("all")


# -- roll-ups computed once ---------------------------------------------------------------


@pytest.fixture
def fresh(fw: Framework, network: dict[str, pd.DataFrame]) -> ProgressSummary:
    return score(network, fw, seed=3)


def test_roll_ups_are_computed_once_per_summary(
    fresh: ProgressSummary, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    original = ProgressSummary._rollup

    def counted(self: ProgressSummary, level: str) -> pd.DataFrame:
        calls.append(level)
        return original(self, level)

    monkeypatch.setattr(ProgressSummary, "_rollup", counted)
    first = fresh.by_stop()
    fresh.by_zone()
    fresh.by_realm()
    fresh.summary()
    again = fresh.by_stop()
    assert sorted(calls) == ["realm", "stop", "zone"]
    pd.testing.assert_frame_equal(first, again)


def test_a_caller_changing_a_roll_up_does_not_change_the_summary(
    fresh: ProgressSummary,
) -> None:
    stops = fresh.by_stop()
    before = stops.copy()
    stops.loc[:, "score_0_100"] = -1.0
    pd.testing.assert_frame_equal(fresh.by_stop(), before)


def test_roll_up_status_is_the_weighted_median_status_the_worse_on_a_tie(
    fresh: ProgressSummary, fw: Framework
) -> None:
    frame = fresh.to_frame()
    whole = frame[(frame["subgroup_dimension"] == "all") & ~frame["suppressed"]]
    checked = 0
    for row in fresh.by_stop().itertuples(index=False):
        period = row.period
        rows = whole[(whole["group"] == row.group) & (whole["stop"] == row.level_id)]
        if period in ("baseline", "current"):
            sources = {i.id: i.source for i in fw.indicators}
            current = {s: w.current for s, w in fresh.windows.items()}
            at = rows["indicator_id"].map(sources).map(current) if period == "current" \
                else rows["baseline_period"]
            rows = rows[(rows["period"] == at) | rows["period"].isna()]
        assessed = rows[rows["status"].isin(_STATUS_ORDER)]
        if assessed.empty:
            continue
        # By hand: statuses from worst to best, each repeated by its indicator's weight; the
        # median is the first whose cumulative weight reaches half the total.
        ranked = sorted(zip(assessed["status"].map(_STATUS_ORDER.index),
                            assessed["indicator_id"].map(lambda i: fw.indicators[i].weight),
                            strict=True), key=lambda pair: pair[0])
        total = sum(w for _, w in ranked)
        cumulative = np.cumsum([w for _, w in ranked])
        expected = _STATUS_ORDER[ranked[int(np.argmax(cumulative >= total / 2.0))][0]]
        assert row.status == expected
        checked += 1
    assert checked > 5
