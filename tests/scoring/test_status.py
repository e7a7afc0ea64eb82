"""Targets, progress, statuses (growth ratio and tolerance), rubric levels and 0-100 scores."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from getting_to_outcomes import Framework, load_framework, score
from getting_to_outcomes.definitions.models import StatusRules
from getting_to_outcomes.scoring._status import assess, rubric_levels, score_0_100

from .conftest import survey


def one(
    value: float, base: float, target: float = np.nan, *, t: float = 1.0, t_target: float = 2.0,
    direction: str = "increase", low: float | None = None, high: float | None = None,
    period_target: float | None = None, rules: StatusRules | None = None,
) -> pd.Series:
    """Assess a single row (baseline at time 0)."""
    out = assess(
        value=np.array([value]), low=np.array([value if low is None else low]),
        high=np.array([value if high is None else high]), base=np.array([base]),
        target=np.array([target]),
        period_target=np.array([target if period_target is None else period_target]),
        time=np.array([t]), base_time=np.array([0.0]), target_time=np.array([t_target]),
        direction=[direction], rules=rules or StatusRules(),
    )
    return out.iloc[0]


def cagr(y: float, y0: float, years: float) -> float:
    return (y / y0) ** (1 / years) - 1


# ---- growth ratio (Open SDG / Statistics Canada) -----------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [(3.6, "target_achieved"), (3.3, "on_track"), (3.2, "needs_acceleration"),
     (3.05, "limited"), (2.9, "deteriorating")],
)
def test_growth_ratio_with_a_target(value: float, expected: str) -> None:
    # Target 3.6 two periods after a baseline of 3.0; one period has passed.
    # The ratio of observed to required growth, against the default thresholds 0.95, 0.5, 0.
    ratio = cagr(value, 3.0, 1) / abs(cagr(3.6, 3.0, 2))
    by_hand = ("target_achieved" if value >= 3.6 else "on_track" if ratio >= 0.95 else
               "needs_acceleration" if ratio >= 0.5 else "limited" if ratio >= 0 else
               "deteriorating")
    assert by_hand == expected
    assert one(value, 3.0, 3.6)["status"] == expected


def test_growth_ratio_respects_a_lower_is_better_direction() -> None:
    # Suspensions from 12% toward 8% in two years; 9.6% after one year is ahead of pace.
    row = one(9.6, 12.0, 8.0, direction="decrease")
    ratio = -cagr(9.6, 12.0, 1) / abs(cagr(8.0, 12.0, 2))
    assert ratio > 0.95
    assert row["status"] == "on_track"
    assert row["progress"] == pytest.approx((9.6 - 12) / (8 - 12))
    assert one(13.0, 12.0, 8.0, direction="decrease")["status"] == "deteriorating"


@pytest.mark.parametrize(
    ("value", "expected"),
    [(1.02, "on_track"), (1.007, "needs_acceleration"), (1.002, "limited"),
     (0.99, "deteriorating")],
)
def test_growth_ratio_without_a_target_uses_fixed_growth_rates(value: float,
                                                                expected: str) -> None:
    # Open SDG without a target: CAGR >= 1% on track, >= 0.5% needs acceleration, >= 0 limited.
    row = one(value, 1.0)
    assert row["status"] == expected
    assert row["status_method"] == "growth_ratio_no_target"
    assert np.isnan(row["progress"])


def test_a_target_equal_to_the_baseline_has_no_progress_but_a_status() -> None:
    met = one(5.0, 5.0, 5.0)
    assert np.isnan(met["progress"])
    assert met["status"] == "target_achieved"
    missed = one(4.5, 5.0, 5.0)
    assert missed["status"] == "deteriorating"
    assert "equals the baseline" in missed["status_note"]


def test_a_zero_baseline_falls_back_to_linear_change() -> None:
    row = one(1.0, 0.0, 2.0, t=1.0, t_target=2.0)
    # Half the way in half the time: ratio 1.
    assert row["status"] == "on_track"
    assert "linear change" in row["status_note"]


def test_status_is_uncertain_when_the_interval_spans_a_threshold() -> None:
    sure = one(3.3, 3.0, 3.6, low=3.28, high=3.35)
    assert sure["status"] == "on_track"
    assert not sure["status_uncertain"]
    unsure = one(3.3, 3.0, 3.6, low=3.1, high=3.5)
    assert unsure["status_uncertain"]


def test_the_baseline_period_itself_is_not_assessed() -> None:
    row = one(3.0, 3.0, 3.6, t=0.0)
    assert row["status"] is None
    assert row["progress"] == 0.0


# ---- tolerance band ----------------------------------------------------------------------


TOLERANCE = StatusRules(method="tolerance", tolerance=0.05)


@pytest.mark.parametrize(
    ("value", "expected"),
    [(4.0, "target_achieved"), (3.45, "on_track"), (3.3, "needs_acceleration"),
     (3.1, "limited"), (2.9, "deteriorating")],
)
def test_tolerance_band_around_the_period_target(value: float, expected: str) -> None:
    # Expected by now: 3.5 (halfway from 3.0 to 4.0); within 5% of it (>= 3.325) is on track.
    row = one(value, 3.0, 4.0, period_target=3.5, rules=TOLERANCE)
    assert row["status"] == expected
    assert row["status_method"] == "tolerance"


@pytest.mark.parametrize(("value", "expected"),
                         [(3.3, "on_track"), (3.1, "limited"), (2.7, "deteriorating")])
def test_tolerance_without_a_target_compares_with_the_baseline(value: float,
                                                                expected: str) -> None:
    row = one(value, 3.0, rules=TOLERANCE)
    assert row["status"] == expected
    assert row["status_method"] == "tolerance_no_target"


def test_maintain_stays_within_the_band_of_its_target() -> None:
    assert one(0.95, 0.9, 0.92, direction="maintain")["status"] == "on_track"
    assert one(0.7, 0.9, 0.92, direction="maintain")["status"] == "deteriorating"


# ---- scores, rubric levels, targets in the summary ------------------------------------------


def test_score_is_progress_to_target_or_position_in_range(fw: Framework) -> None:
    confidence = fw.indicators["survey.confidence"]
    scores = score_0_100(np.array([3.3, 4.0, 2.0, np.nan]), np.array([0.5, np.nan, np.nan, 0.1]),
                         np.array([3.6, np.nan, np.nan, 3.6]), confidence)
    # 50% of the way to target; 4 of 1..5 is 75% up the range; missing stays missing.
    assert scores[:3].tolist() == pytest.approx([50.0, 75.0, 25.0])
    assert np.isnan(scores[3])
    turnover = fw.indicators["records.staff_turnover"]
    # Lower is better: 0.2 in [0, 1] scores 80.
    assert score_0_100(np.array([0.2]), np.array([np.nan]), np.array([np.nan]),
                       turnover).tolist() == pytest.approx([80.0])


def test_rubric_levels_respect_direction(fw: Framework) -> None:
    rows = pd.DataFrame({"org_id": "a", "period": ["2023", "2023"], "members_total": 10,
                         "members_active": 5, "one_on_ones": 5,
                         "staff_turnover": [0.05, 0.25]})
    rows["org_id"] = ["a", "b"]
    frame = score(rows, fw, source="records", indicators=["records.staff_turnover"]
                  ).to_frame().set_index("group")
    # Lower is better: 0.05 passes "low" (<= 0.1); 0.25 passes "moderate" (<= 0.3) only.
    assert frame.loc["a", "rubric_level"] == "low"
    assert frame.loc["b", "rubric_level"] == "moderate"


def test_a_value_on_a_rubric_threshold_up_to_its_last_bits_reaches_the_level() -> None:
    # "established" starts at 3.5; a mean of 3.5 summed in another order can come out one
    # unit in the last place below it, and must not drop to "developing".
    knowledge = load_framework().indicators["leadership.knowledge_of_system"]
    just_below = np.nextafter(3.5, 0.0)
    assert rubric_levels(np.array([just_below, 3.5, 3.49]), knowledge) == \
        ["established", "established", "developing"]


def test_grantee_targets_replace_the_shared_ones(fw: Framework) -> None:
    rows = pd.concat([survey([[3, 3, 3, 3]] * 4, wave="pre"),
                      survey([[4, 4, 4, 2]] * 4, wave="post")])
    targets = pd.DataFrame({"org_id": ["org_a"], "indicator_id": ["survey.confidence"],
                            "baseline": [2.0], "target": [5.0], "period": ["post"]})
    frame = score(rows, fw, source="survey", indicators=["survey.confidence"], min_n=1,
                  targets=targets).to_frame()
    post = frame[(frame["period"] == "post") & (frame["subgroup_dimension"] == "all")].iloc[0]
    assert post["target"] == 5.0
    assert post["progress"] == pytest.approx((4.0 - 2.0) / (5.0 - 2.0))
    assert "group's own baseline 2" in post["notes"]


def test_a_network_count_is_held_to_the_sum_of_its_grantees_targets(fw: Framework) -> None:
    rows = []
    for org, n in (("a", 3), ("b", 5)):
        for period in ("2023", "2024"):
            rows += [{"org_id": org, "action_id": f"{org}{period}{i}", "period": period,
                      "action_type": "rally", "turnout": 10, "members_turnout": 5}
                     for i in range(n)]
    targets = pd.DataFrame({"org_id": ["a", "b"], "indicator_id": "actions.count",
                            "target": [6.0, 7.0], "period": "2024"})
    frame = score(pd.DataFrame(rows), fw, source="actions", indicators=["actions.count"],
                  targets=targets).to_frame()
    network = frame[(frame["group"] == "network") & (frame["period"] == "2024")
                    & (frame["subgroup_dimension"] == "all")].iloc[0]
    assert network["target"] == 13.0
    assert network["progress"] == pytest.approx((8 - 8) / (13 - 8))


def test_target_periods_given_as_numbers_match_the_data(fw: Framework) -> None:
    rows = pd.DataFrame({"org_id": "a", "period": ["2023", "2024"], "members_total": 100,
                         "members_active": 10, "one_on_ones": 5,
                         "staff_turnover": [0.4, 0.3]})
    targets = pd.DataFrame({"org_id": ["a"], "indicator_id": ["records.staff_turnover"],
                            "target": [0.2], "period": [2024.0]})
    frame = score(rows, fw, source="records", indicators=["records.staff_turnover"],
                  targets=targets).to_frame().set_index("period")
    assert frame.loc["2024", "target"] == 0.2
    assert frame.loc["2024", "progress"] == pytest.approx((0.3 - 0.4) / (0.2 - 0.4))


# ---- a target met while declining says both -----------------------------------------------


def test_a_target_met_while_declining_significantly_says_both() -> None:
    # CA-01's public commitments: target 5 already met at a baseline of 19, now 8, and the
    # change's interval (shifted onto the value: 6 to 10) lies wholly below the baseline.
    row = one(8.0, 19.0, 5.0, low=6.0, high=10.0)
    assert row["status"] == "target_met_declining"
    assert "declined significantly" in row["status_note"]


def test_a_target_met_with_a_decline_inside_the_noise_stays_achieved() -> None:
    # The interval 6 to 20 reaches back over the baseline of 19: not a significant decline.
    assert one(8.0, 19.0, 5.0, low=6.0, high=20.0)["status"] == "target_achieved"

    # Lower is better: 3.9 meets the target 4 (already met by the baseline 3.2), and its
    # interval 3.5 to 4.2 lies wholly above the baseline.
    assert one(3.9, 3.2, 4.0, direction="decrease", low=3.5, high=4.2)["status"] == \
        "target_met_declining"


# ---- values summed in another order get the same status ------------------------------------


@pytest.mark.parametrize("value", [3.1116666666666664, 3.111666666666667])
@pytest.mark.parametrize("target", [np.nan, 3.6])
def test_a_value_equal_to_its_baseline_up_to_its_last_bits_neither_gains_nor_declines(
    value: float, target: float,
) -> None:
    # The same mean of 600 answers summed in two row orders (pandas and Polars, 1 ulp apart):
    # before, the smaller one read as a decline of -1e-16 and the status as "deteriorating".
    for base in (3.1116666666666664, 3.111666666666667):
        assert one(value, base, target, t=2.0, t_target=2.0)["status"] == "limited"


def test_a_value_exactly_half_way_to_its_target_is_half_way_in_floating_point_too() -> None:
    # (0.15 - 0.1) / (0.2 - 0.1) is 0.4999999999999999 in binary floating point; half the
    # way or more reads "needs_acceleration" (module docstring), and so does this value.
    rules = StatusRules(method="tolerance")
    assert (0.15 - 0.1) / (0.2 - 0.1) < 0.5
    assert one(0.15, 0.1, 0.2, t=1.0, t_target=1.0, rules=rules)["status"] == \
        "needs_acceleration"
    assert one(0.14, 0.1, 0.2, t=1.0, t_target=1.0, rules=rules)["status"] == "limited"


@pytest.mark.parametrize("base", [np.nextafter(3.6, 0.0), 3.6, np.nextafter(3.6, 4.0)])
def test_a_baseline_at_its_target_up_to_its_last_bits_equals_it(base: float) -> None:
    # Summed in two orders, one baseline mean came out a unit in the last place above its
    # target of 3.6 and was said to have "already met the target"; it equals it.
    row = one(3.7, base, 3.6)
    assert row["status_note"] == "the target equals the baseline, so progress is undefined"
    assert np.isnan(row["progress"])
