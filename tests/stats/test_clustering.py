"""People nested in grantees: ICC, design effect and the cluster-robust interval.

Checked against hand formulas on tiny data, against statsmodels MixedLM (REML) on the
example network, and against statsmodels' cluster-robust OLS.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from getting_to_outcomes import load_example, load_framework, stats
from getting_to_outcomes.errors import ScoringError

sm = pytest.importorskip("statsmodels.api", reason="statsmodels is in the dev extra")
smf = pytest.importorskip("statsmodels.formula.api", reason="statsmodels is in the dev extra")

#: Three grantees of three people, each with within-grantee variance 1 and means 1, 2, 3.
THREE_BY_THREE = ([0.0, 1.0, 2.0, 1.0, 2.0, 3.0, 2.0, 3.0, 4.0], list("aaabbbccc"))


def test_icc_and_design_effect_of_a_known_balanced_layout():
    out = stats.clustered_mean(*THREE_BY_THREE).iloc[0]
    # MSB = 3 * ((1-2)^2 + 0 + (3-2)^2) / 2 = 3; MSW = 6 / 6 = 1; n0 = 3.
    icc = (3 - 1) / (3 + (3 - 1) * 1)
    assert out["icc"] == pytest.approx(icc)
    assert out["icc"] == pytest.approx(0.4)
    assert out["cluster_size"] == 3.0
    assert out["design_effect"] == pytest.approx(1 + (3 - 1) * 0.4)
    assert out["effective_n"] == pytest.approx(9 / 1.8)


def test_moments_give_the_same_row_as_raw_values():
    values, groups = THREE_BY_THREE
    frame = pd.DataFrame({"y": values, "g": groups})
    sums = frame.groupby("g")["y"].agg(["size", "sum", lambda v: (v**2).sum()])
    from_moments = stats.clustered_mean_from_moments(*(sums[c].to_numpy() for c in sums))
    pd.testing.assert_frame_equal(from_moments, stats.clustered_mean(values, groups))


def test_the_anova_icc_of_unequal_clusters_follows_the_n0_formula():
    rng = np.random.default_rng(7)
    sizes = [3, 8, 15, 4, 30]
    groups = np.repeat(np.arange(5), sizes)
    y = rng.normal(size=5)[groups] + rng.normal(size=groups.size)
    n = np.array(sizes, dtype=float)
    means = np.array([y[groups == j].mean() for j in range(5)])
    grand = y.mean()
    msb = (n * (means - grand) ** 2).sum() / 4
    msw = sum(((y[groups == j] - means[j]) ** 2).sum() for j in range(5)) / (n.sum() - 5)
    n0 = (n.sum() - (n**2).sum() / n.sum()) / 4
    out = stats.clustered_mean(y, groups).iloc[0]
    assert out["icc"] == pytest.approx((msb - msw) / (msb + (n0 - 1) * msw), rel=1e-12)
    assert out["design_effect"] == pytest.approx(1 + (n.mean() - 1) * out["icc"], rel=1e-12)


def test_interval_equals_statsmodels_cluster_robust_ols():
    rng = np.random.default_rng(3)
    groups = np.repeat(np.arange(8), [5, 9, 12, 3, 20, 7, 11, 6])
    y = rng.normal(size=8)[groups] * 0.5 + rng.normal(size=groups.size)
    fit = sm.OLS(y, np.ones(y.size)).fit(cov_type="cluster", cov_kwds={"groups": groups},
                                         use_t=True)
    out = stats.clustered_mean(y, groups).iloc[0]
    assert out["se"] == pytest.approx(float(fit.bse[0]), rel=1e-10)
    low, high = fit.conf_int()[0]
    assert out["ci_low"] == pytest.approx(low, rel=1e-10)
    assert out["ci_high"] == pytest.approx(high, rel=1e-10)
    assert out["ci_method"] == "cluster_robust"


def test_a_negative_anova_icc_is_set_to_0_with_a_note():
    # Grantee means identical, people differ: MSB = 0 < MSW.
    out = stats.clustered_mean([1, 3, 1, 3, 1, 3], list("aabbcc")).iloc[0]
    assert out["icc"] == 0.0
    assert out["design_effect"] == 1.0
    assert "negative" in out["note"]


def test_one_cluster_gives_no_icc_and_says_why():
    out = stats.clustered_mean([1.0, 2.0, 4.0], ["a", "a", "a"]).iloc[0]
    assert np.isnan(out["icc"])
    assert np.isnan(out["ci_low"])
    assert "1 cluster(s)" in out["note"]


def test_a_missing_cluster_is_refused():
    with pytest.raises(ScoringError, match="clusters is missing at position 1"):
        stats.clustered_mean([1.0, 2.0], ["a", None])


# ---------------------------------------------------------------------------------------------
# against statsmodels MixedLM on the example network


def survey_scores(indicator: str, wave: str) -> pd.DataFrame:
    """Person scale scores of one wave of the example network, as scoring computes them."""
    example = load_example("cper-network")
    measure = load_framework().indicators[indicator].measure
    survey = example.tables["leadership_survey"]
    part = survey[survey["survey_wave"] == wave]
    score = stats.score_scale(part[measure.items], reverse=measure.reverse,
                              scale_range=(1, 5), min_answered=measure.min_answered)
    return pd.DataFrame({"y": score, "g": part["org_id"]}).dropna()


def reml_icc(frame: pd.DataFrame) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = smf.mixedlm("y ~ 1", frame, groups=frame["g"]).fit(reml=True)
    assert fit.converged
    between = float(fit.cov_re.iloc[0, 0])
    return between / (between + float(fit.scale))


@pytest.mark.parametrize("indicator", ["leadership.knowledge_of_system",
                                       "leadership.organizing_skills",
                                       "relationships.member_trust"])
def test_icc_and_design_effect_equal_mixedlm_on_equal_grantee_sizes(indicator):
    # With equal cluster sizes the ANOVA estimator is the REML estimate (when positive):
    # sixty people from each grantee of the example network at the last wave.
    frame = survey_scores(indicator, "post").groupby("g").head(60)
    assert (frame["g"].value_counts() == 60).all()
    icc = reml_icc(frame)
    out = stats.clustered_mean(frame["y"], frame["g"]).iloc[0]
    # MixedLM's optimiser stops within about 1e-5 of the REML maximum.
    assert out["icc"] == pytest.approx(icc, abs=1e-4)
    assert out["design_effect"] == pytest.approx(1 + (60 - 1) * icc, abs=60 * 1e-4)


def test_icc_of_the_whole_network_is_near_mixedlm_and_matches_the_summary(scored_example):
    # Unequal sizes (63 to 134 people): ANOVA and REML are different estimators and need not
    # agree; on this network they differ by less than a fifth.
    frame = survey_scores("leadership.knowledge_of_system", "post")
    icc = reml_icc(frame)
    out = stats.clustered_mean(frame["y"], frame["g"]).iloc[0]
    assert out["icc"] == pytest.approx(icc, rel=0.2)
    from_summary = scored_example.clustering().set_index(["indicator_id", "period"])
    row = from_summary.loc[("leadership.knowledge_of_system", "post")]
    assert row["n"] == len(frame)
    assert row["icc"] == pytest.approx(out["icc"], rel=1e-9)
    assert row["mean"] == pytest.approx(frame["y"].mean(), rel=1e-12)
