"""Property: statistics from merged group moments equal statistics from the pooled rows."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from getting_to_outcomes.stats import (
    ItemMoments,
    cronbach_alpha,
    cronbach_alpha_from_moments,
    mean_ci,
    mean_ci_from_moments,
)

answers = st.integers(min_value=1, max_value=5) | st.none()
row = st.lists(answers, min_size=3, max_size=3)
group = st.lists(row, min_size=0, max_size=12)


def frame(rows: list[list[int | None]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["q1", "q2", "q3"], dtype="float64")


@settings(max_examples=40, deadline=None)
@given(st.lists(group, min_size=1, max_size=5))
def test_alpha_from_merged_moments_equals_pooled_alpha(groups):
    frames = [frame(g) for g in groups]
    merged = ItemMoments.from_items(frames[0])
    for f in frames[1:]:
        merged = merged + ItemMoments.from_items(f)
    pooled = cronbach_alpha(pd.concat(frames, ignore_index=True))
    res = cronbach_alpha_from_moments(merged)
    assert res.n == pooled.n
    assert res.n_empty == pooled.n_empty
    np.testing.assert_allclose(res.alpha, pooled.alpha, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(res.std_alpha, pooled.std_alpha, rtol=1e-9, atol=1e-12)


# Half-point answers are exact in binary, so the one-pass sums lose nothing; the precision
# limit of one-pass moments for arbitrary floats is documented in docs/methods.md.
half_points = st.integers(-100, 100).map(lambda v: v / 2)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(half_points, max_size=10), min_size=1, max_size=5))
def test_mean_ci_from_merged_moments_equals_pooled(groups):
    arrays = [np.asarray(g, dtype=float) for g in groups]
    n = sum(a.size for a in arrays)
    assume(n > 0)  # mean_ci refuses an input without values
    total = sum(a.sum() for a in arrays)
    total_sq = sum((a * a).sum() for a in arrays)
    merged = mean_ci_from_moments(n, total, total_sq)
    pooled = mean_ci(np.concatenate(arrays))
    pd.testing.assert_frame_equal(merged, pooled, rtol=1e-9, atol=1e-12)
