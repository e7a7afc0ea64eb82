"""Change from baseline against R's t.test and wilcox.test on public data."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats as sps

from getting_to_outcomes.stats import independent_change, paired_change


@pytest.fixture
def sleep(reference_csv):
    """R's sleep: extra hours of sleep for 10 people (ID) under drug 1 and drug 2 (group)."""
    data = reference_csv("rdatasets_datasets_sleep.csv")
    wide = data.pivot(index="ID", columns="group", values="extra")
    return wide[1], wide[2]


def test_sleep_paired_t_matches_r(sleep, expected):
    published = expected["r_sleep_paired_t"]["values"]
    drug1, drug2 = sleep
    # R reports group 1 - group 2; with drug 1 as baseline the library reports the reverse.
    row = paired_change(drug2, drug1).iloc[0]
    assert row.statistic == pytest.approx(published["statistic"], abs=5e-5)
    assert row.df == published["df"]
    assert row.p_value == pytest.approx(published["p_value"], abs=5e-7)
    assert (row.ci_low, row.ci_high) == pytest.approx(
        (published["ci_low"], published["ci_high"]), abs=5e-8)
    assert row.change == pytest.approx(published["change"], abs=5e-3)


def test_sleep_welch_matches_r(sleep, expected):
    published = expected["r_sleep_welch"]["values"]
    drug1, drug2 = sleep
    row = independent_change(drug2, drug1).iloc[0]
    assert row.statistic == pytest.approx(published["statistic"], abs=5e-5)
    assert row.df == pytest.approx(published["df"], abs=5e-4)
    assert row.p_value == pytest.approx(published["p_value"], abs=5e-6)
    assert (row.ci_low, row.ci_high) == pytest.approx(
        (published["ci_low"], published["ci_high"]), abs=5e-8)


def test_sleep_wilcoxon_signed_rank_follows_r_method(sleep, expected):
    values = expected["r_sleep_wilcoxon"]["values"]
    drug1, drug2 = sleep
    d = (drug2 - drug1).to_numpy()
    # By hand, as R's wilcox.test: drop the zero, rank |d| with average ranks for the tie,
    # normal approximation with tie correction and continuity correction.
    nz = d[d != 0]
    n = nz.size
    ranks = sps.rankdata(np.abs(nz))
    v = ranks[nz > 0].sum()
    _, ties = np.unique(np.abs(nz), return_counts=True)
    sigma = math.sqrt(n * (n + 1) * (2 * n + 1) / 24 - (ties**3 - ties).sum() / 48)
    z = (v - n * (n + 1) / 4 - 0.5) / sigma
    by_hand = 2 * sps.norm.sf(z)

    row = paired_change(drug1, drug2, test="wilcoxon").iloc[0]
    assert row.statistic == v == 45  # R's V for drug1 - drug2 is 0 = 45 - 45
    assert row.p_value == pytest.approx(by_hand, rel=1e-12)
    assert row.p_value == pytest.approx(values["paired_p_value"], abs=5e-7)


def test_sleep_mann_whitney_follows_r_method(sleep, expected):
    values = expected["r_sleep_wilcoxon"]["values"]
    drug1, drug2 = sleep
    pooled = np.concatenate([drug1, drug2])
    ranks = sps.rankdata(pooled)
    w_drug1 = ranks[:10].sum() - 10 * 11 / 2  # R's W for wilcox.test(drug1, drug2)
    _, ties = np.unique(pooled, return_counts=True)
    sigma = math.sqrt(10 * 10 / 12 * (21 - (ties**3 - ties).sum() / (20 * 19)))
    z = (abs(w_drug1 - 50) - 0.5) / sigma
    row = independent_change(drug1, drug2, test="mann_whitney").iloc[0]
    assert w_drug1 == values["unpaired_w_group1"]
    assert row.statistic == 100 - w_drug1  # U of the current sample (drug 2)
    assert row.p_value == pytest.approx(2 * sps.norm.sf(z), rel=1e-12)
    assert row.p_value == pytest.approx(values["unpaired_p_value"], abs=5e-6)


def test_anorexia_all_patients_match_the_published_paired_t(reference_csv, expected):
    published = expected["mass_anorexia_all"]["values"]
    anorexia = reference_csv("rdatasets_MASS_anorexia.csv")
    # Printed as Prewt - Postwt, so the library's Postwt - Prewt has the opposite sign.
    row = paired_change(anorexia["Postwt"], anorexia["Prewt"]).iloc[0]
    assert row.statistic == pytest.approx(published["statistic"], abs=5e-5)
    assert row.df == published["df"]
    assert row.p_value == pytest.approx(published["p_value"], abs=5e-7)
    assert (row.ci_low, row.ci_high) == pytest.approx(
        (published["ci_low"], published["ci_high"]), abs=5e-8)
    assert row.change == pytest.approx(published["change"], abs=5e-7)


@pytest.mark.parametrize("case", ["mass_anorexia_family_therapy", "mass_anorexia_control"])
def test_anorexia_treatment_groups_match_textbook_summaries(case, reference_csv, expected):
    spec = expected[case]
    anorexia = reference_csv("rdatasets_MASS_anorexia.csv")
    group = anorexia[anorexia["Treat"] == spec["treatment"]]
    row = paired_change(group["Prewt"], group["Postwt"]).iloc[0]
    # Cohen's d_z is change / sd(change), so sd(change) = change / d_z.
    found = {
        "n": row.n, "mean_before": row.mean_before, "mean_after": row.mean_after,
        "change": row.change, "sd_change": row.change / row.effect_size,
    }
    for name, published in spec["values"].items():
        assert found[name] == pytest.approx(published, abs=spec["tolerance"]), name


def test_anorexia_treatment_groups_match_scipy(reference_csv):
    anorexia = reference_csv("rdatasets_MASS_anorexia.csv")
    for _, group in anorexia.groupby("Treat"):
        row = paired_change(group["Prewt"], group["Postwt"]).iloc[0]
        ref = sps.ttest_rel(group["Postwt"], group["Prewt"])
        assert row.statistic == pytest.approx(ref.statistic, rel=1e-12)
        assert row.p_value == pytest.approx(ref.pvalue, rel=1e-10)


def test_anorexia_family_therapy_gain_above_4_matches_r_one_sided(reference_csv, expected):
    spec = expected["mass_anorexia_family_therapy_one_sided"]
    anorexia = reference_csv("rdatasets_MASS_anorexia.csv")
    group = anorexia[anorexia["Treat"] == spec["treatment"]]
    row = paired_change(group["Prewt"], group["Postwt"], mu=4, alternative="greater").iloc[0]
    gains = (group["Postwt"] - group["Prewt"]).to_numpy()
    by_hand = (gains.mean() - 4) / (gains.std(ddof=1) / math.sqrt(gains.size))
    scipy_result = sps.ttest_1samp(gains, 4, alternative="greater")
    published = spec["values"]
    assert row.statistic == pytest.approx(published["statistic"],
                                          abs=spec["tolerance"]["statistic"])
    assert row.p_value == pytest.approx(published["p_value"], abs=spec["tolerance"]["p_value"])
    assert row.df == published["df"]
    assert row.ci_low == pytest.approx(published["ci_low"], abs=spec["tolerance"]["ci"])
    assert row.change == pytest.approx(published["change"], abs=spec["tolerance"]["ci"])
    assert row.statistic == pytest.approx(by_hand, rel=1e-12)
    assert row.p_value == pytest.approx(sps.t.sf(by_hand, gains.size - 1), rel=1e-12)
    assert row.p_value == pytest.approx(scipy_result.pvalue, rel=1e-12)
    # One-sided interval, as R's t.test: from the lower bound to infinity.
    assert row.ci_low == pytest.approx(scipy_result.confidence_interval(0.95).low, rel=1e-12)
    assert row.ci_high == math.inf
    assert (row.alternative, row.mu) == ("greater", 4.0)


def test_anorexia_family_therapy_two_sided_matches_the_same_r_output(reference_csv, expected):
    spec = expected["mass_anorexia_family_therapy_one_sided"]
    anorexia = reference_csv("rdatasets_MASS_anorexia.csv")
    group = anorexia[anorexia["Treat"] == spec["treatment"]]
    row = paired_change(group["Prewt"], group["Postwt"]).iloc[0]
    published, tolerance = spec["two_sided"], spec["tolerance"]
    assert row.statistic == pytest.approx(published["statistic"], abs=tolerance["statistic"])
    assert row.p_value == pytest.approx(published["p_value"],
                                        abs=tolerance["p_value_two_sided"])
    assert (row.ci_low, row.ci_high) == pytest.approx(
        (published["ci_low"], published["ci_high"]), abs=tolerance["ci"])
