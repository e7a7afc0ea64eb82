"""Funnel plots: every limit, phi, tau-squared and shrunken value against Spiegelhalter (2005).

The expected numbers are computed here from the formulas of Spiegelhalter (2005a, "Funnel
plots for comparing institutional performance", Stat Med 24:1185-1202; 2005b, "Handling
over-dispersion of performance indicators", QSHC 14:347-351) with plain Python and numpy:
binomial and Poisson probabilities from their mass functions, percentiles, sums. Where the
data are built so that the answer is known in closed form, the test says so.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from getting_to_outcomes import stats
from getting_to_outcomes.errors import ScoringError

Z95 = 1.959963984540054    # standard normal 0.975 quantile
Z998 = 3.090232306167813   # standard normal 0.999 quantile


# ---------------------------------------------------------------------------------------------
# hand formulas


def binomial_cdf(r: int, n: int, p: float) -> float:
    return sum(math.comb(n, k) * p**k * (1 - p) ** (n - k) for k in range(0, r + 1))


def poisson_cdf(r: int, mu: float) -> float:
    return sum(math.exp(-mu) * mu**k / math.factorial(k) for k in range(0, r + 1))


def interpolated_limit(q: float, cdf, scale: float) -> float:
    """Spiegelhalter (2005a), appendix: (r_q - alpha) / scale, r_q the q-quantile."""
    r = 0
    while cdf(r) < q:
        r += 1
    above, below = cdf(r), (cdf(r - 1) if r > 0 else 0.0)
    alpha = (above - q) / (above - below)
    return max((r - alpha) / scale, 0.0)


def winsorised_phi(z: np.ndarray) -> float:
    low, high = np.percentile(z, [10, 90])
    return float(np.mean(np.clip(z, low, high) ** 2))


def dl_tau2(i_phi: float, w: np.ndarray) -> float:
    return max(0.0, (i_phi - (len(w) - 1)) / (w.sum() - (w**2).sum() / w.sum()))


# ---------------------------------------------------------------------------------------------
# small data sets named for what they show

#: Twelve grantees whose shares of yes differ far more than sampling error allows.
SPREAD_YES = np.array([5, 30, 12, 48, 20, 70, 9, 33, 60, 15, 44, 25])
SPREAD_ASKED = np.array([40, 80, 30, 90, 100, 120, 20, 60, 150, 70, 75, 50])

#: Ten grantees of 100 people with sigma = 1 whose z-scores are exactly these numbers
#: around a network mean of 3.0 (equal sizes, symmetric z: the pooled mean is 3.0).
KNOWN_Z = np.array([-3.0, -2.0, -1.0, -0.5, 0.0, 0.0, 0.5, 1.0, 2.0, 3.0])


def test_exact_binomial_limits_follow_spiegelhalters_interpolation():
    result = stats.funnel_proportions([8, 30, 52], [20, 60, 100], labels=["a", "b", "c"],
                                      overdispersion="none")
    p0 = 90 / 180
    table = result.to_frame().set_index("group")
    for name, n in (("a", 20), ("b", 60), ("c", 100)):
        cdf = lambda r, n=n: binomial_cdf(r, n, p0)  # noqa: E731
        assert table.loc[name, "low_95"] == pytest.approx(interpolated_limit(0.025, cdf, n),
                                                          abs=1e-12)
        assert table.loc[name, "high_95"] == pytest.approx(interpolated_limit(0.975, cdf, n),
                                                           abs=1e-12)
        assert table.loc[name, "low_998"] == pytest.approx(interpolated_limit(0.001, cdf, n),
                                                           abs=1e-12)
        assert table.loc[name, "high_998"] == pytest.approx(interpolated_limit(0.999, cdf, n),
                                                            abs=1e-12)
    assert result.method == "none"
    assert result.target == p0


def test_exact_binomial_limits_away_from_one_half_and_along_the_curve():
    # A network share of 77 / 565 (about 0.136): the binomial is skewed, so a limit taken
    # from the wrong tail, or without the interpolation, would not match.
    successes, asked = [3, 14, 60], [25, 140, 400]
    result = stats.funnel_proportions(successes, asked, overdispersion="none")
    p0 = sum(successes) / sum(asked)
    table = result.to_frame()
    for row, n in zip(table.itertuples(), asked, strict=True):
        cdf = lambda r, n=n: binomial_cdf(r, n, p0)  # noqa: E731
        expected = [interpolated_limit(q, cdf, n) for q in (0.001, 0.025, 0.975, 0.999)]
        assert [row.low_998, row.low_95, row.high_95, row.high_998] == pytest.approx(
            expected, abs=1e-12)
        # Interpolation puts the limit strictly between two attainable shares.
        assert round(row.high_95 * n) != pytest.approx(row.high_95 * n, abs=1e-9)
    curve = result.curve([7, 50, 333]).set_index("n")
    for n in (7, 50, 333):
        cdf = lambda r, n=n: binomial_cdf(r, n, p0)  # noqa: E731
        assert curve.loc[n, "high_998"] == pytest.approx(interpolated_limit(0.999, cdf, n),
                                                         abs=1e-12)
        assert curve.loc[n, "low_95"] == pytest.approx(interpolated_limit(0.025, cdf, n),
                                                       abs=1e-12)


def test_exact_poisson_limits_follow_spiegelhalters_interpolation():
    result = stats.funnel_rates([4, 12, 20], [10.0, 30.0, 50.0], overdispersion="none")
    r0 = 36 / 90
    table = result.to_frame()
    for row, exposure in zip(table.itertuples(), (10.0, 30.0, 50.0), strict=True):
        cdf = lambda r, e=exposure: poisson_cdf(r, e * r0)  # noqa: E731
        assert row.low_95 == pytest.approx(interpolated_limit(0.025, cdf, exposure), abs=1e-12)
        assert row.high_998 == pytest.approx(interpolated_limit(0.999, cdf, exposure),
                                             abs=1e-12)


def test_phi_and_tau2_of_known_z_scores():
    # z = (mean - 3) / (1 / sqrt(100)), so mean = 3 + z / 10.
    result = stats.funnel_means(3.0 + KNOWN_Z / 10.0, np.ones(10), np.full(10, 100),
                                overdispersion="additive")
    # 10th and 90th percentiles of KNOWN_Z (linear interpolation): -2.1 and 2.1.
    winsorised = np.array([-2.1, -2.0, -1.0, -0.5, 0.0, 0.0, 0.5, 1.0, 2.0, 2.1])
    phi = float(np.mean(winsorised**2))
    assert phi == pytest.approx(1.932)
    assert result.phi == pytest.approx(phi, rel=1e-12)
    # w = 1 / 0.1^2 = 100 for all: sum(w) - sum(w^2) / sum(w) = 1000 - 100 = 900.
    tau2 = (10 * phi - 9) / 900
    assert result.tau2 == pytest.approx(tau2, rel=1e-12)
    table = result.to_frame()
    assert table["z"].to_numpy() == pytest.approx(KNOWN_Z, abs=1e-9)
    half95 = Z95 * math.sqrt(0.01 + tau2)
    assert table["low_95"].to_numpy() == pytest.approx(3.0 - half95, rel=1e-12)
    assert table["high_998"].to_numpy() == pytest.approx(3.0 + Z998 * math.sqrt(0.01 + tau2),
                                                         rel=1e-12)
    # Only z = +/-3 lie beyond 1.96 sqrt(1 + 100 tau2) = 2.46 standard errors.
    assert sorted(result.outside["z"].round(6).tolist()) == [-3.0, 3.0]


def test_multiplicative_limits_widen_by_the_root_of_phi_on_the_arcsine_scale():
    result = stats.funnel_proportions(SPREAD_YES, SPREAD_ASKED, overdispersion="multiplicative")
    p0 = SPREAD_YES.sum() / SPREAD_ASKED.sum()
    y = np.arcsin(np.sqrt(SPREAD_YES / SPREAD_ASKED))
    s = 1 / (2 * np.sqrt(SPREAD_ASKED))
    z = (y - np.arcsin(np.sqrt(p0))) / s
    phi = winsorised_phi(z)
    assert phi > 1
    assert result.phi == pytest.approx(phi, rel=1e-12)
    table = result.to_frame()
    low = np.sin(np.arcsin(np.sqrt(p0)) - Z95 * np.sqrt(phi) * s) ** 2
    # A limit beyond pi/2 on the arcsine scale is a share of 1: sin^2 would turn back down.
    high = np.sin(np.minimum(np.arcsin(np.sqrt(p0)) + Z998 * np.sqrt(phi) * s, np.pi / 2)) ** 2
    assert table["low_95"].to_numpy() == pytest.approx(low, rel=1e-12)
    assert table["high_998"].to_numpy() == pytest.approx(high, rel=1e-12)
    assert table["z_adjusted"].to_numpy() == pytest.approx(z / np.sqrt(phi), rel=1e-12)


def test_additive_limits_add_dersimonian_laird_tau2_and_shrink_by_its_weight():
    result = stats.funnel_proportions(SPREAD_YES, SPREAD_ASKED, overdispersion="additive")
    p0 = SPREAD_YES.sum() / SPREAD_ASKED.sum()
    t = np.arcsin(np.sqrt(p0))
    y = np.arcsin(np.sqrt(SPREAD_YES / SPREAD_ASKED))
    s = 1 / (2 * np.sqrt(SPREAD_ASKED))
    phi = winsorised_phi((y - t) / s)
    tau2 = dl_tau2(len(s) * phi, 1 / s**2)
    assert tau2 > 0
    assert result.tau2 == pytest.approx(tau2, rel=1e-12)
    table = result.to_frame()
    assert table["low_95"].to_numpy() == pytest.approx(
        np.sin(t - Z95 * np.sqrt(s**2 + tau2)) ** 2, rel=1e-12)
    assert table["high_95"].to_numpy() == pytest.approx(
        np.sin(t + Z95 * np.sqrt(s**2 + tau2)) ** 2, rel=1e-12)
    weight = tau2 / (tau2 + s**2)
    assert table["shrinkage_weight"].to_numpy() == pytest.approx(weight, rel=1e-12)
    assert table["shrunk"].to_numpy() == pytest.approx(np.sin(t + weight * (y - t)) ** 2,
                                                       rel=1e-12)
    position = np.where(table["value"] > table["high_95"], "above",
                        np.where(table["value"] < table["low_95"], "below", "within"))
    assert (table["position"].str.split("_").str[0].to_numpy() == position).all()


def test_auto_chooses_random_effects_only_when_the_chi_square_test_says_so():
    spread = stats.funnel_proportions(SPREAD_YES, SPREAD_ASKED)
    assert spread.method == "additive"
    assert "random effects" in spread.method_reason
    # Every grantee at exactly the network share: I phi = 0, no overdispersion.
    alike = stats.funnel_proportions([10, 20, 30, 40], [50, 100, 150, 200])
    assert alike.method == "none"
    assert alike.phi == 0.0
    assert alike.tau2 == 0.0
    assert "no evidence" in alike.method_reason


def test_rates_on_the_square_root_scale():
    events = np.array([3, 40, 12, 90, 8, 55])
    exposure = np.array([10.0, 50.0, 40.0, 60.0, 30.0, 45.0])
    result = stats.funnel_rates(events, exposure, overdispersion="additive")
    r0 = events.sum() / exposure.sum()
    s = 1 / (2 * np.sqrt(exposure))
    z = (np.sqrt(events / exposure) - np.sqrt(r0)) / s
    phi = winsorised_phi(z)
    tau2 = dl_tau2(len(s) * phi, 1 / s**2)
    assert result.phi == pytest.approx(phi, rel=1e-12)
    assert result.tau2 == pytest.approx(tau2, rel=1e-12)
    assert result.to_frame()["high_95"].to_numpy() == pytest.approx(
        (np.sqrt(r0) + Z95 * np.sqrt(s**2 + tau2)) ** 2, rel=1e-12)


def test_mean_scores_pool_the_within_grantee_sd():
    result = stats.funnel_means([3.0, 3.5, 2.8], [0.8, 1.2, 1.0], [25, 100, 64],
                                overdispersion="none")
    sigma = math.sqrt((24 * 0.64 + 99 * 1.44 + 63 * 1.0) / (24 + 99 + 63))
    target = (25 * 3.0 + 100 * 3.5 + 64 * 2.8) / 189
    assert result.sigma == pytest.approx(sigma, rel=1e-12)
    assert result.target == pytest.approx(target, rel=1e-12)
    assert result.to_frame()["low_998"].to_numpy() == pytest.approx(
        target - Z998 * sigma / np.sqrt([25, 100, 64]), rel=1e-12)


def test_a_given_target_is_the_centre_of_the_limits():
    result = stats.funnel_means([3.0, 3.5], [1.0, 1.0], [25, 100], overdispersion="none",
                                target=3.2)
    assert result.target == 3.2
    assert result.to_frame()["high_95"].to_numpy() == pytest.approx(
        3.2 + Z95 / np.sqrt([25, 100]), rel=1e-12)


def test_the_curve_gives_the_same_limits_as_the_table_at_the_grantees_n():
    result = stats.funnel_proportions(SPREAD_YES, SPREAD_ASKED, overdispersion="additive")
    curve = result.curve(SPREAD_ASKED)
    table = result.to_frame()
    for column in ("low_95", "high_95", "low_998", "high_998"):
        assert curve[column].to_numpy() == pytest.approx(table[column].to_numpy(), rel=1e-12)
    default = result.curve()
    assert default["n"].min() >= 1
    assert default["n"].max() >= SPREAD_ASKED.max()
    assert (np.diff(default["high_95"]) <= 1e-12).all()  # the funnel narrows


def test_a_grantee_without_people_keeps_its_row_with_a_note():
    result = stats.funnel_proportions([5, 0, 9], [20, 0, 30], labels=["a", "b", "c"])
    row = result.to_frame().set_index("group").loc["b"]
    assert np.isnan(row["value"])
    assert row["note"] == "nobody asked"
    assert result.n_groups == 2


def test_outside_lists_only_grantees_beyond_the_95_limits():
    result = stats.funnel_proportions(SPREAD_YES, SPREAD_ASKED, overdispersion="none")
    outside = result.outside
    assert set(outside["position"]) <= {"above_95", "above_998", "below_95", "below_998"}
    table = result.to_frame()
    beyond = (table["value"] > table["high_95"]) | (table["value"] < table["low_95"])
    assert len(outside) == int(beyond.sum()) > 0
    assert list(outside.columns) == stats.FUNNEL_COLUMNS


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: stats.funnel_proportions([1, 2], [5, 6], overdispersion="huge"),
         "overdispersion must be one of"),
        (lambda: stats.funnel_proportions([1], [5], overdispersion="additive"),
         "needs at least 2 grantees"),
        (lambda: stats.funnel_proportions([1, 2], [5, 6], labels=["a", "a"]),
         "repeated: a"),
        (lambda: stats.funnel_proportions([0, 0], [0, 0]), "nobody asked at any grantee"),
        (lambda: stats.funnel_rates([2, 1], [0.0, 3.0]), "come with exposure 0"),
        (lambda: stats.funnel_means([1.0, 2.0], [1.0, -1.0], [4, 5]), "sds cannot be negative"),
        (lambda: stats.funnel_means([1.0, 2.0], [1.0, 1.0], [1, 1]), "no grantee with 2"),
        (lambda: stats.funnel_proportions([1, 2], [5, 6], target=1.5), "target must be"),
    ],
)
def test_what_cannot_be_drawn_is_refused_with_a_reason(call, message):
    with pytest.raises(ScoringError, match=message):
        call()


# ---------------------------------------------------------------------------------------------
# empirical Bayes


def test_empirical_bayes_follows_dersimonian_laird_and_the_normal_normal_model():
    y = np.array([0.9, 0.5, 0.4, 0.62, 0.3])
    se = np.array([0.2, 0.05, 0.05, 0.1, 0.08])
    out = stats.empirical_bayes(y, se)
    w = 1 / se**2
    mean_w = (w * y).sum() / w.sum()
    q = (w * (y - mean_w) ** 2).sum()
    tau2 = dl_tau2(q, w)
    weight = tau2 / (tau2 + se**2)
    assert out["tau2"].iloc[0] == pytest.approx(tau2, rel=1e-12)
    assert out["shrunk"].to_numpy() == pytest.approx(mean_w + weight * (y - mean_w), rel=1e-12)
    assert out["shrunk_se"].to_numpy() == pytest.approx(np.sqrt(weight) * se, rel=1e-12)


def test_the_noisiest_value_moves_most_toward_the_target():
    out = stats.empirical_bayes([0.9, 0.5, 0.4], [0.2, 0.05, 0.05], target=0.5)
    moved = (out["estimate"] - out["shrunk"]).abs() / (out["estimate"] - 0.5).abs()
    assert moved.iloc[0] > moved.iloc[2]
    assert (out["target"] == 0.5).all()


def test_empirical_bayes_equals_the_funnel_shrinkage_for_mean_scores():
    means = 3.0 + np.array([-0.4, 0.3, 0.05, 0.6, -0.2, 0.1])
    n = np.array([8, 40, 100, 12, 30, 60])
    funnel = stats.funnel_means(means, np.ones(6), n, overdispersion="additive")
    # The funnel's tau2 comes from winsorised z (Spiegelhalter); pass it to compare weights.
    s = 1 / np.sqrt(n)
    weight = funnel.tau2 / (funnel.tau2 + s**2)
    expected = funnel.target + weight * (means - funnel.target)
    assert funnel.to_frame()["shrunk"].to_numpy() == pytest.approx(expected, rel=1e-12)


def test_result_displays_in_a_notebook():
    result = stats.funnel_proportions(SPREAD_YES, SPREAD_ASKED)
    html = result._repr_html_()
    assert "limits: additive" in html
    assert f"{len(result.outside)} outside the 95% limits" in html
    assert html.count("</tr>") == 1 + len(SPREAD_ASKED)
    assert "None" not in html
    assert isinstance(result.to_frame(), pd.DataFrame)
