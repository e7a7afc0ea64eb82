"""Benjamini-Hochberg adjustment, checked against scipy."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from getting_to_outcomes.errors import ScoringError
from getting_to_outcomes.stats import benjamini_hochberg


def test_matches_scipy_false_discovery_control():
    p = np.random.default_rng(5).uniform(size=40) ** 2
    np.testing.assert_allclose(benjamini_hochberg(p), sps.false_discovery_control(p),
                               rtol=1e-12)


def test_missing_p_values_stay_missing_and_do_not_count():
    p = [0.01, np.nan, 0.04, 0.03]
    adjusted = benjamini_hochberg(p)
    assert np.isnan(adjusted[1])
    np.testing.assert_allclose(adjusted[[0, 2, 3]],
                               sps.false_discovery_control([0.01, 0.04, 0.03]))


def test_series_keep_their_index():
    p = pd.Series([0.2, 0.01], index=["voice", "turnout"])
    out = benjamini_hochberg(p)
    assert out.index.tolist() == ["voice", "turnout"]
    assert out.name == "p_adjusted"


def test_empty_input():
    assert benjamini_hochberg([]).size == 0


@pytest.mark.parametrize("bad", [-0.1, 1.5])
def test_values_outside_zero_one_are_refused(bad):
    with pytest.raises(ScoringError, match="between 0 and 1"):
        benjamini_hochberg([0.5, bad])
