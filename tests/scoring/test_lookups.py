"""The lookups of the statistics step: key codes over the aggregated tables, and row notes."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from getting_to_outcomes import Framework
from getting_to_outcomes.scoring._aggregate import aggregate_source
from getting_to_outcomes.scoring._estimates import RowIndex, locate
from getting_to_outcomes.scoring._notes import Notes
from getting_to_outcomes.scoring._tables import (
    KEY,
    TABLE_KEYS,
    Aggregates,
    Window,
    key_codes,
    merge_aggregates,
)


def factorized(tables: list[pd.DataFrame], columns: list[str]) -> list[np.ndarray]:
    """The codes key_codes must give: pandas' factorize of the rows' tuples (first seen)."""
    rows = pd.concat([t[columns] for t in tables], ignore_index=True)
    keys = pd.Series(list(rows.itertuples(index=False, name=None)), dtype=object)
    codes = pd.factorize(keys.map(lambda k: tuple("<missing>" if pd.isna(v) else v
                                                  for v in k)))[0]
    bounds = np.cumsum([0, *(len(t) for t in tables)])
    return [codes[a:b] for a, b in itertools.pairwise(bounds)]


def test_key_codes_number_runs_and_values_in_order_of_first_appearance() -> None:
    # Runs of one cell's labels, a numeric column varying inside them, and a second table
    # sharing some keys: codes are shared across the tables.
    first = pd.DataFrame({
        "cell": pd.Series(["a", "a", "a", "b", "b", "a"], dtype=object),
        "sub": pd.Series(["x", "x", "y", "y", "y", "x"], dtype=object),
        "value": [1.0, 2.0, 1.0, 1.0, 1.0, 2.0],
    })
    second = pd.DataFrame({
        "cell": pd.Series(["b", "c", "a"], dtype=object),
        "sub": pd.Series(["y", "y", "x"], dtype=object),
        "value": [1.0, 1.0, 2.0],
    })
    got = key_codes([first, second], ["cell", "sub", "value"])
    assert [g.tolist() for g in got] == [[0, 1, 2, 3, 3, 1], [3, 4, 1]]
    for g, want in zip(got, factorized([first, second], ["cell", "sub", "value"]),
                       strict=True):
        assert g.tolist() == want.tolist()


def test_key_codes_treat_missing_labels_as_one_value_even_without_equality() -> None:
    # pd.NA has no plain truth of equality; None and NaN are both missing.
    table = pd.DataFrame({
        "cell": pd.Series(["a", pd.NA, pd.NA, "a", None], dtype=object),
        "period": pd.Series(["pre", "pre", "pre", "post", "pre"], dtype=object),
    })
    (codes,) = key_codes([table], ["cell", "period"])
    assert codes.tolist() == [0, 1, 1, 2, 1]


def test_key_codes_of_text_columns_of_other_types_and_of_empty_tables() -> None:
    typed = pd.DataFrame({"cell": pd.array(["a", "b", "a"], dtype="str"),
                          "n": [1.0, 1.0, 1.0]})
    empty = pd.DataFrame({"cell": pd.Series([], dtype=object), "n": pd.Series([], dtype=float)})
    got = key_codes([typed, empty], ["cell", "n"])
    assert [g.tolist() for g in got] == [[0, 1, 0], []]


def test_notes_join_each_rows_distinct_texts_in_the_order_noted() -> None:
    notes = Notes(4)
    notes.add(np.array([True, False, True, False]), "first")
    notes.add([3, 0], ["third row", "second"])
    notes.add([0], "first")  # said again: shown once
    assert notes.joined().tolist() == ["first; second", None, "first", "third row"]


def test_notes_skip_missing_and_empty_texts() -> None:
    notes = Notes(3)
    notes.add([0, 1, 2], ["kept", None, ""])
    notes.add([1], np.array([np.nan], dtype=object))
    notes.add([2], "")
    assert notes.joined().tolist() == ["kept", None, None]


def test_notes_replaced_rows_keep_only_the_new_text_and_what_follows() -> None:
    notes = Notes(2)
    notes.add([0, 1], "early")
    copy = notes.copy()
    notes.replace([0], "withheld")
    notes.add([0, 1], "later")
    assert notes.joined().tolist() == ["withheld; later", "early; later"]
    assert copy.joined().tolist() == ["early", "early"]


def test_notes_need_one_text_per_noted_row() -> None:
    with pytest.raises(ValueError, match="one note per noted row"):
        Notes(3).add([0, 1], ["only one"])


def split_where_keys_change(aggregates: Aggregates, name: str) -> bool:
    """Whether the runs of a table start at every row whose text key differs from the row
    before (they may start more often, never less)."""
    table = getattr(aggregates, name)
    if table.empty:
        return len(aggregates.runs(name)) == 0
    labels = [c for c in TABLE_KEYS[name] if table[c].dtype == object]
    changes = np.zeros(len(table), dtype=bool)
    changes[0] = True
    for column in labels:
        values = table[column].astype(str).to_numpy()
        changes[1:] |= values[1:] != values[:-1]
    starts = np.zeros(len(table), dtype=bool)
    starts[aggregates.runs(name)] = True
    return bool((starts >= changes).all())


@pytest.fixture
def grouped(fw: Framework, network: dict[str, pd.DataFrame]) -> Aggregates:
    """The survey of the seeded network aggregated by organization."""
    src = fw.source("survey")
    frame = network["survey"]
    indicators = list(fw.indicators.filter(source="survey"))
    periods = tuple(p for p in src.period_order if p in set(frame[src.time_column]))
    return aggregate_source(frame, src, indicators, fw, window=Window(periods=periods),
                            group_column="org_id")


def test_runs_of_pooled_and_merged_aggregates_start_wherever_a_key_changes(
    grouped: Aggregates,
) -> None:
    for name in TABLE_KEYS:
        assert split_where_keys_change(grouped, name), name
    merged = merge_aggregates([grouped, grouped.with_group("network")], disjoint=True)
    for name in TABLE_KEYS:
        assert split_where_keys_change(merged, name), name
    # Lookups with the kept runs give what lookups that find the runs themselves give.
    (fresh,) = key_codes([merged.values], KEY)
    (kept,) = key_codes([merged.values], KEY, [merged.runs("values")])
    assert fresh.tolist() == kept.tolist()


def test_the_pooled_network_labels_its_group_as_the_groups_are_labelled(
    grouped: Aggregates,
) -> None:
    pooled = grouped.with_group("network")
    for name in TABLE_KEYS:
        assert getattr(pooled, name)["group"].dtype == getattr(grouped, name)["group"].dtype
    # So the groups and the network merge keeping the runs both parts found: nothing
    # is compared again row by row.
    merged = merge_aggregates([grouped, pooled], disjoint=True)
    present = {name for name in TABLE_KEYS if not getattr(merged, name).empty}
    assert present <= set(merged.found_runs())


def test_rows_coded_once_find_the_rows_that_key_codes_find(grouped: Aggregates) -> None:
    merged = merge_aggregates([grouped, grouped.with_group("network")], disjoint=True)
    # Every other cell (so that some keys have no row), and a row without a period.
    rows = {c: np.r_[merged.cells[c].to_numpy(dtype=object)[::2],
                     np.array([None if c == "period" else merged.cells[c].iloc[0]],
                              dtype=object)] for c in KEY}
    index = RowIndex(rows)
    for name in ("values", "differences", "pair_sums"):
        table = getattr(merged, name)
        found = locate(table, rows, runs=merged.runs(name), index=index)
        assert found.tolist() == locate(table, rows).tolist()
        assert (found >= 0).any()
        assert (found < 0).any()


def test_a_network_pooled_in_some_parts_only_is_dropped_when_merging(
    fw: Framework, network: dict[str, pd.DataFrame],
) -> None:
    src = fw.source("survey")
    frame = network["survey"]
    indicators = list(fw.indicators.filter(source="survey"))
    periods = tuple(p for p in src.period_order if p in set(frame[src.time_column]))
    halves = [frame[frame["org_id"] < "org_04"], frame[frame["org_id"] >= "org_04"]]
    parts = [aggregate_source(half, src, indicators, fw, window=Window(periods=periods),
                              group_column="org_id", network=label)
             for half, label in zip(halves, ["network", None], strict=True)]
    both_pooled = [aggregate_source(half, src, indicators, fw, window=Window(periods=periods),
                                    group_column="org_id", network="network")
                   for half in halves]
    mixed = merge_aggregates(parts)
    assert mixed.pooled is None
    assert "network" not in mixed.groups
    pooled = merge_aggregates(both_pooled)
    assert pooled.pooled == "network"
    # The network of the merged parts is the sum of both parts' networks.
    whole = aggregate_source(frame, src, indicators, fw, window=Window(periods=periods),
                             group_column="org_id", network="network")
    for name in ("cells", "values"):
        mine = getattr(pooled, name)
        theirs = getattr(whole, name)
        keys = TABLE_KEYS[name]
        mine = mine[mine["group"] == "network"].sort_values(keys).reset_index(drop=True)
        theirs = theirs[theirs["group"] == "network"].sort_values(keys).reset_index(drop=True)
        pd.testing.assert_frame_equal(mine, theirs, check_exact=False, rtol=1e-12)
