"""Rank tests from frequency tables equal the stats functions on the raw values."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from getting_to_outcomes.scoring._ranks import mann_whitney_from_counts, wilcoxon_from_counts
from getting_to_outcomes.stats import independent_change, paired_change


def as_pairs(before: np.ndarray, after: np.ndarray, row: int) -> pd.DataFrame:
    table = pd.DataFrame({"before": before, "after": after}).value_counts()
    return table.rename("count").reset_index().assign(row=row)


def as_values(before: np.ndarray, after: np.ndarray, row: int) -> pd.DataFrame:
    table = pd.concat([pd.Series(before).value_counts().rename("before"),
                       pd.Series(after).value_counts().rename("after")], axis=1).fillna(0)
    return table.rename_axis("value").reset_index().assign(row=row)


CASES = [
    ("likert ties, many", 200, lambda rng, n: rng.integers(1, 6, n).astype(float)),
    ("continuous, small (exact)", 12, lambda rng, n: rng.normal(size=n).round(3)),
    ("continuous, large", 80, lambda rng, n: rng.normal(size=n).round(4)),
]


@pytest.mark.parametrize(("label", "n", "draw"), CASES)
def test_wilcoxon_from_counts_equals_paired_change(label: str, n: int, draw: object) -> None:
    rng = np.random.default_rng(5)
    before = draw(rng, n)  # type: ignore[operator]
    after = before + draw(rng, n) * 0.5 + 0.2  # type: ignore[operator]
    got = wilcoxon_from_counts(as_pairs(before, after, 0)).loc[0]
    expected = paired_change(before, after, test="wilcoxon").iloc[0]
    assert got["statistic"] == pytest.approx(expected["statistic"])
    assert got["p_value"] == pytest.approx(expected["p_value"], rel=1e-9)
    assert got["effect_size"] == pytest.approx(expected["effect_size"])
    assert got["exact"] == ("exact" in expected["note"] and "approx" not in expected["note"])


def test_wilcoxon_from_counts_with_a_zero_difference_is_not_exact_as_in_r() -> None:
    before, after = np.zeros(8), np.array([0.0, 1, 2, 3, 4, 5, 6, -7])
    got = wilcoxon_from_counts(as_pairs(before, after, 0)).loc[0]
    expected = paired_change(before, after, test="wilcoxon").iloc[0]
    assert not got["exact"]
    assert got["p_value"] == pytest.approx(expected["p_value"], rel=1e-12)
    assert round(float(got["p_value"]), 4) == 0.2719  # R's wilcox.test


@pytest.mark.parametrize(("label", "n", "draw"), CASES)
def test_mann_whitney_from_counts_equals_independent_change(label: str, n: int,
                                                            draw: object) -> None:
    rng = np.random.default_rng(6)
    before = draw(rng, n)  # type: ignore[operator]
    after = draw(rng, n + 3) + 0.3  # type: ignore[operator]
    got = mann_whitney_from_counts(as_values(before, after, 0)).loc[0]
    expected = independent_change(before, after, test="mann_whitney").iloc[0]
    assert got["statistic"] == pytest.approx(expected["statistic"])
    assert got["p_value"] == pytest.approx(expected["p_value"], rel=1e-9)
    assert got["effect_size"] == pytest.approx(expected["effect_size"])


def test_many_groups_in_one_pass() -> None:
    rng = np.random.default_rng(8)
    tables, expected = [], []
    for row in range(5):
        before = rng.integers(1, 6, 40).astype(float)
        after = np.clip(before + rng.integers(-1, 3, 40), 1, 5).astype(float)
        tables.append(as_pairs(before, after, row))
        expected.append(paired_change(before, after, test="wilcoxon")["p_value"].iloc[0])
    got = wilcoxon_from_counts(pd.concat(tables))
    assert got["p_value"].tolist() == pytest.approx(expected)


def test_no_change_at_all_gives_no_test() -> None:
    same = np.array([2.0, 3.0, 4.0])
    assert np.isnan(wilcoxon_from_counts(as_pairs(same, same, 0)).loc[0, "p_value"])


def test_many_small_groups_each_get_the_exact_test_of_their_own_values() -> None:
    # 60 groups of 3 to 7 untied values: many share a statistic and sample sizes (and so an
    # exact p-value), some do not; every group must equal the stats functions on its values.
    rng = np.random.default_rng(9)
    pairs, values, paired, independent = [], [], [], []
    for row in range(60):
        n = int(rng.integers(3, 8))
        before = rng.permutation(np.arange(1.0, 2 * n + 1))[:n] / 10
        after = before + rng.choice([-1.0, 1.0], n) * rng.permutation(np.arange(1.0, n + 1))
        pairs.append(as_pairs(before, after, row))
        paired.append(paired_change(before, after, test="wilcoxon").iloc[0])
        values.append(as_values(before, after + 0.05, row))
        independent.append(independent_change(before, after + 0.05,
                                               test="mann_whitney").iloc[0])
    for got, expected in ((wilcoxon_from_counts(pd.concat(pairs)), paired),
                          (mann_whitney_from_counts(pd.concat(values)), independent)):
        assert got["exact"].all()
        assert got["statistic"].tolist() == pytest.approx([e["statistic"] for e in expected])
        assert got["p_value"].tolist() == pytest.approx([e["p_value"] for e in expected],
                                                        rel=1e-12)
        assert got["effect_size"].tolist() == pytest.approx(
            [e["effect_size"] for e in expected])
