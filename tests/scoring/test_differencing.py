"""Differencing attacks: nothing withheld can be worked out from what is published together.

A reader who holds every shown cell of the summaries of one call knows, for each shown cell,
its ``n`` and its sum ``n * value``. Each published cell is the sum of the cells of the
finest crossing of everything published (group of every grouping x subgroup), so a withheld
cell is recoverable exactly when its row of that crossing lies in the span of the shown
cells' rows. The attacker here is written independently of the library: it builds that
matrix from the raw rows and tests the span with ``numpy.linalg.matrix_rank``, then solves
(``numpy.linalg.lstsq``) for the ``n`` and the sum of anything it can fix, and compares with
the truth (the same data scored with ``min_n=1``).
"""

from __future__ import annotations

import itertools
import zlib
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import pytest

from getting_to_outcomes import Framework, ProgressSummary, score
from getting_to_outcomes.scoring._suppress import suppress

from .conftest import survey

IND = "survey.confidence"
ANSWER = [3, 4, 4, 2]


def people(org: str, region: str, roles: Mapping[str, int]) -> pd.DataFrame:
    """Rows of one organization in one region: ``roles`` maps a role to its head count."""
    names = [r for r, k in roles.items() for _ in range(k)]
    rng = np.random.default_rng(zlib.crc32(f"{org}|{region}".encode()))
    answers = rng.integers(1, 6, size=(len(names), 4)).tolist()
    rows = survey(answers, org=org, role=names,
                  people=[f"{org}-{region}-{i}" for i in range(len(names))])
    rows["region"] = region
    return rows


def network(*parts: tuple[str, str, Mapping[str, int]]) -> pd.DataFrame:
    return pd.concat([people(*p) for p in parts], ignore_index=True)


def shown_and_hidden(frame: pd.DataFrame, grouping: str) -> pd.DataFrame:
    out = frame[["group", "period", "subgroup_dimension", "subgroup", "n", "value",
                 "suppressed"]].copy()
    out["grouping"] = np.where(out["group"] == "network", "network", grouping)
    return out


def recoverable(
    rows: pd.DataFrame, published: pd.DataFrame, groupings: Sequence[str],
    truth: Mapping[tuple[str, str, str, str], tuple[float, float]],
) -> list[str]:
    """Withheld cells a reader can solve for, each with what it solved (n and sum)."""
    # The finest cells: one per combination of every grouping and role seen in the rows.
    finest = rows[[*groupings, "role"]].astype(str).drop_duplicates().reset_index(drop=True)

    def covers(cell: pd.Series) -> np.ndarray:
        mask = np.ones(len(finest), dtype=bool)
        if cell["grouping"] != "network":
            mask &= (finest[cell["grouping"]] == cell["group"]).to_numpy()
        if cell["subgroup_dimension"] != "all":
            mask &= (finest["role"] == cell["subgroup"]).to_numpy()
        return mask.astype(float)

    found = []
    for _, cells in published.groupby("period"):
        cells = cells.drop_duplicates(["grouping", "group", "subgroup_dimension", "subgroup"])
        matrix = np.array([covers(c) for _, c in cells.iterrows()])
        shown = ~cells["suppressed"].to_numpy(dtype=bool)
        known = matrix[shown]
        n = cells["n"].to_numpy(dtype=float)[shown]
        sums = n * cells["value"].to_numpy(dtype=float)[shown]
        base = np.linalg.matrix_rank(known) if len(known) else 0
        for pos in np.flatnonzero(~shown):
            row = matrix[pos]
            if np.linalg.matrix_rank(np.vstack([known, row])) > base:
                continue  # not in the span: no combination of shown cells gives it
            weights = np.linalg.lstsq(known.T, row, rcond=None)[0]
            cell = cells.iloc[pos]
            key = (cell["grouping"], cell["group"], cell["period"], cell["subgroup"])
            got = (float(weights @ n), float(weights @ sums))
            assert got == pytest.approx(truth[key])  # the attack really works
            found.append(f"{key}: n={got[0]:.0f}, sum={got[1]:.2f}")
    return found


def truth_of(rows: pd.DataFrame, fw: Framework, groupings: Sequence[str]
             ) -> dict[tuple[str, str, str, str], tuple[float, float]]:
    out = {}
    for grouping in groupings:
        frame = score(rows, fw, source="survey", indicators=[IND], group_by=grouping,
                      min_n=1).to_frame()
        for r in frame.itertuples():
            name = "network" if r.group == "network" else grouping
            out[(name, r.group, r.period, r.subgroup)] = (float(r.n), float(r.n * r.value))
    return out


def published_of(summaries: Mapping[str, ProgressSummary]) -> pd.DataFrame:
    return pd.concat([shown_and_hidden(s.to_frame(), g) for g, s in summaries.items()],
                     ignore_index=True)


# Region north holds the small organization A and C; region south holds B, D and E.
NESTED = network(
    ("A", "north", {"parent": 2}),
    ("C", "north", {"parent": 5, "youth": 4}),
    ("B", "south", {"parent": 5, "youth": 3}),
    ("D", "south", {"parent": 6, "youth": 4}),
    ("E", "south", {"parent": 7, "youth": 5}),
)


def test_the_network_total_minus_the_shown_groups_recovers_no_withheld_group(
    fw: Framework,
) -> None:
    summary = score(NESTED, fw, source="survey", indicators=[IND], min_n=5)
    frame = summary.to_frame()
    whole = frame[frame["subgroup_dimension"] == "all"].set_index("group")
    shown = whole[~whole["suppressed"]]
    groups = shown.drop(index="network", errors="ignore")
    left_n = whole.loc["network", "n"] - groups["n"].sum()
    left_sum = (whole.loc["network", "n"] * whole.loc["network", "value"]
                - (groups["n"] * groups["value"]).sum())
    withheld = whole[whole["suppressed"]].index.tolist()
    assert withheld == ["A", "B"]  # A is small; B, the smallest other, goes with it
    # What is left over pools two groups: neither's own n or sum.
    truth = truth_of(NESTED, fw, ["org_id"])
    assert left_n == truth[("org_id", "A", "pre", "all")][0] + truth[("org_id", "B", "pre",
                                                                        "all")][0]
    assert left_sum != pytest.approx(truth[("org_id", "A", "pre", "all")][1])
    assert recoverable(NESTED, published_of({"org_id": summary}), ["org_id"], truth) == []


def test_subgroup_sums_recover_no_withheld_subgroup(fw: Framework) -> None:
    # Every group has a small youth subgroup somewhere: the group totals, the network's
    # subgroups and the other groups' subgroups make a table with sums both ways.
    rows = network(
        ("A", "r", {"parent": 9, "youth": 2, "staff": 6}),
        ("B", "r", {"parent": 7, "youth": 8, "staff": 3}),
        ("C", "r", {"parent": 6, "youth": 9, "staff": 7}),
        ("D", "r", {"parent": 12, "youth": 10, "staff": 9}),
    )
    summary = score(rows, fw, source="survey", indicators=[IND], min_n=5)
    frame = summary.to_frame()
    assert frame["suppressed"].sum() >= 4
    by_line = frame[frame["subgroup_dimension"] == "role"]
    for (group, _), line in by_line.groupby(["group", "period"]):
        whole = frame[(frame["group"] == group) & (frame["subgroup_dimension"] == "all")]
        if not whole["suppressed"].iloc[0]:
            assert line["suppressed"].sum() != 1, group
    truth = truth_of(rows, fw, ["org_id"])
    assert recoverable(rows, published_of({"org_id": summary}), ["org_id"], truth) == []


def test_two_separate_calls_with_different_groupings_can_be_differenced(
    fw: Framework,
) -> None:
    # This is why the joint call exists: each summary alone is safe, the two together not.
    by_org = score(NESTED, fw, source="survey", indicators=[IND], min_n=5)
    by_region = score(NESTED, fw, source="survey", indicators=[IND], group_by="region",
                      min_n=5)
    orgs = by_org.to_frame().query("subgroup_dimension == 'all'").set_index("group")
    regions = by_region.to_frame().query("subgroup_dimension == 'all'").set_index("group")
    assert orgs.loc["A", "suppressed"]
    assert not regions.loc["north", "suppressed"]
    assert not orgs.loc["C", "suppressed"]
    n_a = regions.loc["north", "n"] - orgs.loc["C", "n"]
    sum_a = (regions.loc["north", "n"] * regions.loc["north", "value"]
             - orgs.loc["C", "n"] * orgs.loc["C", "value"])
    truth = truth_of(NESTED, fw, ["org_id", "region"])
    assert (n_a, sum_a) == pytest.approx(truth[("org_id", "A", "pre", "all")])
    found = recoverable(NESTED, published_of({"org_id": by_org, "region": by_region}),
                        ["org_id", "region"], truth)
    assert any("'A'" in f for f in found)


def test_groupings_scored_jointly_cannot_be_differenced(fw: Framework) -> None:
    joint = score(NESTED, fw, source="survey", indicators=[IND], min_n=5,
                  group_by=["org_id", "region"])
    assert list(joint) == ["org_id", "region"]
    orgs = joint["org_id"].to_frame().query("subgroup_dimension == 'all'").set_index("group")
    regions = joint["region"].to_frame().query("subgroup_dimension == 'all'") \
        .set_index("group")
    assert orgs.loc["A", "suppression_reason"] == "small_n"
    # The region's total minus its other organization no longer isolates A.
    assert regions.loc["north", "suppressed"] or orgs.loc["C", "suppressed"]
    truth = truth_of(NESTED, fw, ["org_id", "region"])
    assert recoverable(NESTED, published_of(joint), ["org_id", "region"], truth) == []
    # The network is one set of cells, withheld alike in both summaries.
    nets = [s.to_frame().query("group == 'network'")[["subgroup", "suppressed"]]
            .reset_index(drop=True) for s in joint.values()]
    pd.testing.assert_frame_equal(nets[0], nets[1])
    assert joint["org_id"].options["joint_groupings"] == ["region"]


def test_overlapping_groupings_scored_jointly_cannot_be_differenced(fw: Framework) -> None:
    # Organizations that work in several regions: the groupings cross, not nest.
    rows = network(
        ("A", "north", {"parent": 2, "youth": 1}),
        ("A", "south", {"parent": 6, "youth": 5}),
        ("B", "north", {"parent": 5, "youth": 6}),
        ("B", "east", {"parent": 3, "youth": 4}),
        ("C", "south", {"parent": 8, "youth": 2}),
        ("C", "east", {"parent": 7, "youth": 9}),
        ("A", "west", {"parent": 3}),
        ("C", "west", {"youth": 1}),
    )
    joint = score(rows, fw, source="survey", indicators=[IND], min_n=5,
                  group_by=["org_id", "region"])
    published = published_of(joint)
    assert published["suppressed"].any()
    truth = truth_of(rows, fw, ["org_id", "region"])
    assert recoverable(rows, published, ["org_id", "region"], truth) == []


def test_a_single_group_in_one_grouping_is_protected_as_the_network(fw: Framework) -> None:
    # One region holds everyone: its cells are the network's cells under another name.
    rows = network(
        ("A", "all_of_it", {"parent": 2, "youth": 6}),
        ("B", "all_of_it", {"parent": 6, "youth": 7}),
        ("C", "all_of_it", {"parent": 7, "youth": 8}),
    )
    joint = score(rows, fw, source="survey", indicators=[IND], min_n=5,
                  group_by=["org_id", "region"])
    truth = truth_of(rows, fw, ["org_id", "region"])
    assert recoverable(rows, published_of(joint), ["org_id", "region"], truth) == []


def test_one_grouping_in_a_list_scores_as_the_single_call(fw: Framework) -> None:
    alone = score(NESTED, fw, source="survey", indicators=[IND], min_n=5).to_frame()
    listed = score(NESTED, fw, source="survey", indicators=[IND], min_n=5,
                   group_by=["org_id"])["org_id"].to_frame()
    pd.testing.assert_frame_equal(alone, listed)


@pytest.mark.parametrize("group_by", [[], ["org_id", "org_id"], [None]])
def test_a_bad_list_of_groupings_is_refused(fw: Framework, group_by: list[object]) -> None:
    from getting_to_outcomes.errors import ScoringError

    with pytest.raises(ScoringError, match="group_by"):
        score(NESTED, fw, source="survey", indicators=[IND],
              group_by=group_by)  # type: ignore[call-overload]


def _cells(table: np.ndarray) -> pd.DataFrame:
    """A groups x subgroups table of counts, with both margins, as suppress() reads it."""
    groups, subs = table.shape
    records = []
    for g, s in itertools.product(range(groups + 1), range(subs + 1)):
        group = "network" if g == groups else f"g{g}"
        whole = s == subs
        if g < groups and s < subs:
            n = table[g, s]
        elif g < groups:
            n = table[g].sum()
        elif s < subs:
            n = table[:, s].sum()
        else:
            n = table.sum()
        records.append(("x", group, "p", "all" if whole else "d",
                        "all" if whole else f"s{s}", float(n)))
    return pd.DataFrame(records, columns=["indicator_id", "group", "period", "dimension",
                                          "subgroup", "n"])


def _solvable(cells: pd.DataFrame, hidden: np.ndarray) -> list[int]:
    """Hidden cells whose n follows from the shown ones, found by the rank test."""
    groups = sorted(set(cells["group"]) - {"network"})
    subs = sorted(set(cells["subgroup"]) - {"all"})
    finest = list(itertools.product(groups, subs))

    def row(c: pd.Series) -> np.ndarray:
        return np.array([float((c["group"] in ("network", g))
                               and (c["subgroup"] in ("all", s))) for g, s in finest])

    matrix = np.array([row(c) for _, c in cells.iterrows()])
    known = matrix[~hidden]
    base = np.linalg.matrix_rank(known)
    return [int(p) for p in np.flatnonzero(hidden)
            if np.linalg.matrix_rank(np.vstack([known, matrix[p]])) == base]


@pytest.mark.parametrize("seed", range(40))
def test_random_tables_with_margins_both_ways_leave_nothing_solvable(seed: int) -> None:
    rng = np.random.default_rng(seed)
    groups, subs = int(rng.integers(2, 6)), int(rng.integers(2, 5))
    # Mostly large counts, a few small ones (primary cells), some empty ones.
    table = rng.choice([0, 1, 2, 3, 8, 9, 12, 15, 20, 30], size=(groups, subs),
                       p=[.08, .08, .08, .06, .14, .14, .14, .1, .1, .08])
    cells = _cells(table)
    decided = suppress(cells, {"x": 5}, network="network")
    hidden = decided["suppressed"].to_numpy(dtype=bool)
    assert _solvable(cells, hidden) == []
    primary = (cells["n"] > 0) & (cells["n"] < 5)
    assert hidden[primary.to_numpy()].all()
    assert not hidden[(cells["n"] == 0).to_numpy()].any()


def test_cells_the_line_rule_leaves_solvable_are_withheld_further() -> None:
    # Found by the random tables above (seed 25): every line holds zero or at least two
    # withheld cells after the line-by-line rule, yet the totals of g1 and g2 follow from
    # the sums of the rows and columns around them (an empty cell is known to be zero).
    table = np.array([[0, 2], [8, 0], [2, 30], [15, 1]])
    cells = _cells(table)
    hidden = suppress(cells, {"x": 5}, network="network")["suppressed"].to_numpy(dtype=bool)
    assert _solvable(cells, hidden) == []
    assert hidden.sum() > 4  # more than the four small cells


def test_a_joint_call_on_another_engine_withholds_the_same_cells(fw: Framework) -> None:
    pl = pytest.importorskip("polars")
    on_pandas = score(NESTED, fw, source="survey", indicators=[IND], min_n=5,
                      group_by=["org_id", "region"])
    on_polars = score(pl.from_pandas(NESTED), fw, source="survey", indicators=[IND], min_n=5,
                      group_by=["org_id", "region"])
    for grouping, summary in on_pandas.items():
        expected = summary.to_frame()[["group", "subgroup", "suppressed"]]
        got = on_polars[grouping].to_frame()[["group", "subgroup", "suppressed"]]
        pd.testing.assert_frame_equal(got, expected)
