"""The kernel's tables of a scale equal the same statistics computed row by row with pandas.

The kernel counts patterns of answers, codes and pairs instead of looking at each row; these
tests recompute every table of one scale the plain way (a scale score per row with
``stats.score_scale``, group-bys, a merge of each person's baseline row with the later ones)
on a generated network with missing answers, a blank subgroup and people who drop out.
"""

from __future__ import annotations

import dataclasses
import os

import numpy as np
import pandas as pd
import pytest

from getting_to_outcomes import Framework
from getting_to_outcomes.definitions.models import ResponseScale
from getting_to_outcomes.errors import ScoringError
from getting_to_outcomes.scoring import _aggregate as kernel
from getting_to_outcomes.scoring._aggregate import aggregate_source
from getting_to_outcomes.scoring._tables import TABLE_KEYS, Aggregates, Window
from getting_to_outcomes.stats import ItemMoments, score_scale

from .conftest import synthetic_network

ITEMS = ["q1", "q2", "q3", "q4"]
WAVES = ("pre", "mid", "post")


@pytest.fixture(scope="module")
def rows() -> pd.DataFrame:
    frame = synthetic_network(n_orgs=5, people=60, seed=7, attrition=0.2)["survey"]
    frame.loc[frame.index[::13], "role"] = None  # a "missing" subgroup
    return frame.reset_index(drop=True)


@pytest.fixture(scope="module")
def tables(rows: pd.DataFrame, fw: Framework) -> Aggregates:
    indicator = fw.indicators["survey.confidence"]
    return aggregate_source(rows, fw.source("survey"), [indicator], fw,
                            window=Window(periods=WAVES), group_column="org_id")


@pytest.fixture(scope="module")
def scored(rows: pd.DataFrame) -> pd.DataFrame:
    out = rows.copy()
    out["score"] = score_scale(rows[ITEMS], reverse="q4", scale_range=(1, 5),
                               min_answered=0.75).to_numpy()
    out["role"] = out["role"].fillna("missing")
    return out


def in_order(table: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    return table.sort_values(keys).reset_index(drop=True)


def test_cells_hold_the_count_sum_and_sum_of_squares_of_the_scale_scores(
    tables: Aggregates, scored: pd.DataFrame
) -> None:
    for dimension, by in (("all", ["org_id", "survey_wave"]), ("role", ["org_id", "wave", "role"])):
        by = [c if c != "survey_wave" else "wave" for c in by]
        expected = scored.groupby(by).agg(
            n_rows=("score", "size"), n=("score", "count"), sum=("score", "sum"),
            sum_sq=("score", lambda s: float((s ** 2).sum())),
            n_empty=("q1", lambda s: int(scored.loc[s.index, ITEMS].isna().all(axis=1).sum())),
        ).reset_index()
        got = tables.cells[tables.cells["dimension"] == dimension]
        got = got.rename(columns={"group": "org_id", "period": "wave", "subgroup": "role"})
        keys = ["org_id", "wave"] + (["role"] if dimension == "role" else [])
        columns = ["n_rows", "n", "sum", "sum_sq", "n_empty"]
        pd.testing.assert_frame_equal(
            in_order(got[keys + columns], keys), in_order(expected[keys + columns], keys),
            check_dtype=False, rtol=1e-12)


def test_the_runs_of_equal_keys_the_kernel_hands_over_are_those_of_its_tables(
    tables: Aggregates,
) -> None:
    found_on_text = Aggregates.from_tables(tables.tables())  # no runs given: found anew
    for name in tables.tables():
        np.testing.assert_array_equal(tables.runs(name), found_on_text.runs(name), name)


def test_values_are_the_distribution_of_the_scores(
    tables: Aggregates, scored: pd.DataFrame
) -> None:
    expected = (scored.dropna(subset=["score"]).groupby(["org_id", "wave", "score"]).size()
                .rename("count").reset_index())
    got = tables.values[tables.values["dimension"] == "all"].rename(
        columns={"group": "org_id", "period": "wave", "value": "score"})
    keys = ["org_id", "wave", "score"]
    pd.testing.assert_frame_equal(in_order(got[[*keys, "count"]], keys),
                                  in_order(expected, keys), check_dtype=False)


def test_items_are_the_pairwise_moments_of_the_keyed_answers(
    tables: Aggregates, rows: pd.DataFrame
) -> None:
    keyed = rows[ITEMS].assign(q4=6 - rows["q4"])
    for (org, wave), part in keyed.groupby([rows["org_id"], rows["wave"]]):
        expected = ItemMoments.from_items(part).to_frame()
        got = tables.items[(tables.items["group"] == org) & (tables.items["period"] == wave)]
        columns = ["item_i", "item_j", "n", "sum_i", "sum_j", "cross_product"]
        pd.testing.assert_frame_equal(
            in_order(got[columns], ["item_i", "item_j"]),
            in_order(expected[columns], ["item_i", "item_j"]), check_dtype=False)


def test_answers_count_each_code_as_given(tables: Aggregates, rows: pd.DataFrame) -> None:
    long = rows.melt(id_vars=["org_id", "wave"], value_vars=ITEMS, var_name="item",
                     value_name="code").dropna()
    expected = long.groupby(["org_id", "wave", "item", "code"]).size().rename("count")
    got = tables.answers.set_index(["group", "period", "item", "code"])["count"]
    got = got[got > 0]
    got.index.names = expected.index.names
    pd.testing.assert_series_equal(got.sort_index(), expected.sort_index().astype(float),
                                   check_dtype=False, check_index_type=False)


def test_pairs_match_each_person_with_their_baseline(
    tables: Aggregates, scored: pd.DataFrame
) -> None:
    has = scored.dropna(subset=["score"])
    base = has[has["wave"] == "pre"][["org_id", "person_id", "score", "role"]]
    later = has[has["wave"] != "pre"].merge(base, on=["org_id", "person_id"],
                                            suffixes=("", "_before"))
    expected = later.groupby(["org_id", "wave"]).agg(
        n_pairs=("score", "size"), sum_before=("score_before", "sum"),
        sum_after=("score", "sum")).reset_index()
    got = tables.pair_sums[tables.pair_sums["dimension"] == "all"].rename(
        columns={"group": "org_id", "period": "wave"})
    keys = ["org_id", "wave"]
    pd.testing.assert_frame_equal(
        in_order(got[[*keys, "n_pairs", "sum_before", "sum_after"]], keys),
        in_order(expected, keys), check_dtype=False, rtol=1e-12)
    later["difference"] = np.round(later["score"] - later["score_before"], 12) + 0.0
    # A person whose role changed is paired in the whole group only.
    same = later[later["role"] == later["role_before"]]
    for dimension, frame, by in (("all", later, ["org_id", "wave"]),
                                 ("role", same, ["org_id", "wave", "role"])):
        expected_d = frame.groupby([*by, "difference"]).size().rename("count").reset_index()
        got_d = tables.differences[tables.differences["dimension"] == dimension].rename(
            columns={"group": "org_id", "period": "wave", "subgroup": "role"})
        keys = [*by, "difference"]
        pd.testing.assert_frame_equal(in_order(got_d[[*keys, "count"]], keys),
                                      in_order(expected_d, keys), check_dtype=False)


@pytest.mark.parametrize("case", ["stable subgroups", "changing subgroups", "many subgroups"])
def test_each_breakdown_of_two_dimensions_equals_a_plain_group_by(case: str, fw: Framework) -> None:
    # The kernel counts all dimensions at once and takes each breakdown as a margin when the
    # cells are few, counts each breakdown alone when a unit changes subgroup between
    # periods, and counts only the cells present when they are very many (one zone a person).
    many = case == "many subgroups"
    rows = synthetic_network(n_orgs=60 if many else 6, people=10 if many else 40, seed=11,
                             attrition=0.2)["survey"].reset_index(drop=True)
    rows["zone"] = rows["person_id"] if many else "z" + (rows.index // 3 % 3).astype(str)
    if case == "changing subgroups":
        rows.loc[rows.index[::7], "zone"] = "moved"
    indicator = fw.indicators["survey.confidence"].model_copy(
        update={"disaggregate_by": ["role", "zone"]})
    tables = aggregate_source(rows, fw.source("survey"), [indicator], fw,
                              window=Window(periods=WAVES), group_column="org_id")
    scored = rows.assign(score=score_scale(rows[ITEMS], reverse="q4", scale_range=(1, 5),
                                           min_answered=0.75).to_numpy())
    has = scored.dropna(subset=["score"])
    later = has[has["wave"] != "pre"].merge(has[has["wave"] == "pre"],
                                            on=["org_id", "person_id"], suffixes=("", "_b"))
    for dimension in ("all", "role", "zone"):
        by = ["org_id", "wave", *([dimension] if dimension != "all" else [])]
        sub = {"group": "org_id", "period": "wave", "subgroup": dimension}
        expected = scored.groupby(by).agg(n_rows=("score", "size"), n=("score", "count"),
                                          sum=("score", "sum")).reset_index()
        got = tables.cells[tables.cells["dimension"] == dimension].rename(columns=sub)
        pd.testing.assert_frame_equal(in_order(got[expected.columns], by), in_order(expected, by),
                                      check_dtype=False, rtol=1e-12)
        paired = later if dimension == "all" else later[later[dimension] == later[f"{dimension}_b"]]
        expected = paired.groupby(by).agg(n_pairs=("score", "size"),
                                          sum_before=("score_b", "sum"),
                                          sum_after=("score", "sum")).reset_index()
        got = tables.pair_sums[tables.pair_sums["dimension"] == dimension].rename(columns=sub)
        pd.testing.assert_frame_equal(in_order(got[expected.columns], by), in_order(expected, by),
                                      check_dtype=False, rtol=1e-12)


@pytest.mark.parametrize("first_code", [1, 1000])
def test_item_moments_are_exact_whether_their_sums_fit_single_precision_or_not(
    first_code: int, fw: Framework
) -> None:
    # Codes 1-5: every sum stays below 2**24, so the kernel may add them in single
    # precision; codes 1000-1004: 200 rows of squares near 10**6 do not, so it must not.
    scale = ResponseScale(id="wide", name="Five codes", codes=[
        {"code": first_code + k, "label": f"answer {k}"} for k in range(5)])
    framework = dataclasses.replace(fw, scales={**fw.scales, "wide": scale})
    indicator = fw.indicators["survey.confidence"].model_copy(update={"measure": fw.indicators[
        "survey.confidence"].measure.model_copy(update={"scale": "wide", "reverse": []})})
    rng = np.random.default_rng(5)
    answers = first_code + rng.integers(0, 5, size=(200, len(ITEMS))).astype(float)
    answers[rng.random(answers.shape) < 0.1] = np.nan
    rows = pd.DataFrame(answers, columns=ITEMS).assign(
        org_id="org_a", person_id=[f"p{i}" for i in range(200)], wave="pre", role="parent")
    tables = aggregate_source(rows, fw.source("survey"), [indicator], framework,
                              window=Window(periods=("pre",)), group_column="org_id")
    # The pairwise-complete sums in whole numbers: answered (m) and answers, 0 if not (f).
    m = rows[ITEMS].notna().to_numpy().astype(np.int64)
    f = rows[ITEMS].fillna(0).to_numpy().astype(np.int64)
    expected = pd.DataFrame({
        "item_i": np.repeat(ITEMS, len(ITEMS)), "item_j": np.tile(ITEMS, len(ITEMS)),
        "n": (m.T @ m).ravel(), "sum_i": (f.T @ m).ravel(), "sum_j": (m.T @ f).ravel(),
        "cross_product": (f.T @ f).ravel()})
    pd.testing.assert_frame_equal(
        in_order(tables.items[expected.columns], ["item_i", "item_j"]),
        in_order(expected, ["item_i", "item_j"]), check_dtype=False, check_exact=True)


def test_threads_give_the_tables_one_thread_gives(
    rows: pd.DataFrame, fw: Framework, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Indicators of every kind of the survey, taken in parallel threads even on few rows.
    indicators = list(fw.indicators.filter(source="survey"))
    window = Window(periods=WAVES)
    one = aggregate_source(rows, fw.source("survey"), indicators, fw, window=window,
                           group_column="org_id")
    monkeypatch.setattr(kernel, "_THREADED_FROM", 0)
    monkeypatch.setattr(os, "cpu_count", lambda: 3)
    threaded = aggregate_source(rows, fw.source("survey"), indicators, fw, window=window,
                                group_column="org_id")
    for name, table in one.tables().items():
        pd.testing.assert_frame_equal(getattr(threaded, name), table, check_exact=True)
        assert threaded.runs(name).tolist() == one.runs(name).tolist(), name


@pytest.mark.parametrize("threads", [False, True])
def test_an_indicator_reading_a_bad_value_is_refused_before_units_are_found_twice(
    rows: pd.DataFrame, fw: Framework, monkeypatch: pytest.MonkeyPatch, threads: bool
) -> None:
    # Two errors: a person twice in one wave (refused for indicators that pair people) and
    # an answer off the scale. The first indicator in order that meets one names it.
    twice = pd.concat([rows, rows.iloc[[0]]], ignore_index=True)
    twice.loc[len(twice) - 1, "q1"] = 9.0
    if threads:
        monkeypatch.setattr(kernel, "_THREADED_FROM", 0)
    survey = fw.source("survey")
    window = Window(periods=WAVES)
    with pytest.raises(ScoringError, match=r"9\.0 is not a code of response scale"):
        aggregate_source(twice, survey, [fw.indicators["survey.confidence"]], fw,
                         window=window, group_column="org_id")
    twice.loc[len(twice) - 1, "q1"] = 3.0
    with pytest.raises(ScoringError, match="'person_id' appears more than once"):
        aggregate_source(twice, survey, [fw.indicators["survey.confidence"]], fw,
                         window=window, group_column="org_id")


def by_key(table: pd.DataFrame, name: str) -> pd.DataFrame:
    return table.sort_values(TABLE_KEYS[name]).reset_index(drop=True)


@pytest.mark.parametrize("subgroups", ["few", "one per person"])
def test_the_network_pooled_by_the_kernel_is_the_sum_of_the_groups(
    subgroups: str, fw: Framework
) -> None:
    # With one subgroup per person, breakdowns number the cells they hold instead of
    # counting every possible one: the network is pooled that way too.
    rows = synthetic_network(n_orgs=4, people=40 if subgroups == "few" else 1500,
                             seed=11)["survey"].reset_index(drop=True)
    if subgroups != "few":
        rows["role"] = rows["person_id"]
    source, window = fw.source("survey"), Window(periods=WAVES)
    indicators = list(fw.indicators.filter(source="survey"))
    plain = aggregate_source(rows, source, indicators, fw, window=window,
                             group_column="org_id")
    pooled = aggregate_source(rows, source, indicators, fw, window=window,
                              group_column="org_id", network="network")
    assert pooled.pooled == "network"
    network = plain.with_group("network")
    for name, table in pooled.tables().items():
        mine = (table["group"] == "network").to_numpy(dtype=bool)
        # The groups' rows are those counted without pooling, in the same order.
        pd.testing.assert_frame_equal(table[~mine].reset_index(drop=True),
                                      getattr(plain, name), check_exact=True)
        # The network's hold every group's counts, and sums to the last bits.
        pd.testing.assert_frame_equal(by_key(table[mine], name),
                                      by_key(getattr(network, name), name),
                                      check_exact=False, rtol=1e-12, atol=0)
        assert pooled.runs(name).tolist() == Aggregates.from_tables(
            pooled.tables()).runs(name).tolist()


def test_a_group_with_the_networks_name_is_refused_when_pooling(
    rows: pd.DataFrame, fw: Framework
) -> None:
    renamed = rows.assign(org_id=rows["org_id"].where(rows["org_id"] != "org_00", "network"))
    with pytest.raises(ScoringError, match="a group is called 'network'"):
        aggregate_source(renamed, fw.source("survey"), [fw.indicators["survey.confidence"]], fw,
                         window=Window(periods=WAVES), group_column="org_id",
                         network="network")
