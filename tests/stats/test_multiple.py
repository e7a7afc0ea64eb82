"""Adjusted p-values: Benjamini-Hochberg against scipy, Holm and Bonferroni by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from getting_to_outcomes.errors import ScoringError
from getting_to_outcomes.stats import benjamini_hochberg, bonferroni, holm


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


# R's p.adjust on p = (0.01, 0.02, 0.03, 0.04, 0.05), computed by hand:
# Holm sorts and multiplies by m - i + 1 = 5, 4, 3, 2, 1 -> .05 .08 .09 .08 .05, then takes
# the running maximum -> .05 .08 .09 .09 .09; Bonferroni multiplies by m = 5.
FIVE = [0.01, 0.02, 0.03, 0.04, 0.05]


def test_holm_by_hand():
    np.testing.assert_allclose(holm(FIVE), [0.05, 0.08, 0.09, 0.09, 0.09], rtol=1e-12)


def test_holm_keeps_the_order_of_the_input_and_caps_at_one():
    np.testing.assert_allclose(holm([0.05, 0.01, 0.6, 0.4]), [0.15, 0.04, 0.8, 0.8],
                               rtol=1e-12)
    assert holm([0.5, 0.6]).tolist() == [1.0, 1.0]


def test_bonferroni_by_hand():
    np.testing.assert_allclose(bonferroni(FIVE), [0.05, 0.10, 0.15, 0.20, 0.25], rtol=1e-12)
    assert bonferroni([0.3, 0.6]).tolist() == [0.6, 1.0]


@pytest.mark.parametrize("adjust", [holm, bonferroni])
def test_holm_and_bonferroni_skip_missing_values_and_refuse_bad_ones(adjust):
    adjusted = adjust(pd.Series([0.01, np.nan, 0.04], index=["a", "b", "c"]))
    assert adjusted.index.tolist() == ["a", "b", "c"]
    assert np.isnan(adjusted["b"])
    np.testing.assert_allclose(adjusted[["a", "c"]], adjust([0.01, 0.04]), rtol=1e-12)
    with pytest.raises(ScoringError, match="between 0 and 1"):
        adjust([0.2, 1.2])


def test_holm_is_never_above_bonferroni_nor_below_benjamini_hochberg():
    p = np.random.default_rng(9).uniform(size=30) ** 3
    assert (holm(p) <= bonferroni(p) + 1e-15).all()
    assert (benjamini_hochberg(p) <= holm(p) + 1e-15).all()
