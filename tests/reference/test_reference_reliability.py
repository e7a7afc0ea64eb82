"""Cronbach's alpha against psych::alpha output printed by others on psych's bfi data."""

from __future__ import annotations

import pytest

from getting_to_outcomes.stats import ItemMoments, cronbach_alpha, cronbach_alpha_from_moments


def check(value: float, published: float, tolerance: float, what: str) -> None:
    assert value == pytest.approx(published, abs=tolerance), what


@pytest.mark.parametrize(
    "case",
    ["psych_alpha_neuroticism", "psych_alpha_agreeableness", "psych_alpha_openness_unreversed"],
)
def test_scale_level_numbers_match_psych(case, expected, reference_csv):
    spec = expected[case]
    bfi = reference_csv(spec["data"])
    res = cronbach_alpha(
        bfi[spec["items"]],
        reverse=spec.get("reverse"),
        scale_range=tuple(spec["scale_range"]) if "scale_range" in spec else None,
    )
    # psych's default is pairwise-complete covariances over every row of the data frame.
    assert res.missing == "pairwise"
    assert res.n == len(bfi)
    for name, published in spec["values"].items():
        check(getattr(res, name), published, spec["tolerance"], f"{case}.{name}")


def test_item_statistics_match_psych(expected, reference_csv):
    spec = expected["psych_alpha_agreeableness"]
    bfi = reference_csv(spec["data"])
    items = cronbach_alpha(bfi[spec["items"]], reverse=["A1"], scale_range=(1, 6)).items
    items = items.set_index("item")
    for column, published in spec["items_table"].items():
        for item, value in published.items():
            tolerance = spec["items_tolerance"][column]
            check(items.loc[item, column], value, tolerance, f"{column}[{item}]")


def test_unreversed_openness_items_are_flagged(expected, reference_csv):
    spec = expected["psych_alpha_openness_unreversed"]
    res = cronbach_alpha(reference_csv(spec["data"])[spec["items"]])
    # psych warns that O2 and O5 "were negatively correlated with the total scale".
    assert set(spec["negative_items_include"]) <= set(res.negative_items)


def test_alpha_from_merged_study_moments_equals_pooled_sai(reference_csv):
    """psychTools' sai: 28 studies, pooled alpha equals alpha from summed per-study moments."""
    sai = reference_csv("psychTools_sai.csv")
    first_wave = sai[sai["time"] == 1]
    items = ["calm", "secure", "at.ease", "rested", "comfortable", "confident", "relaxed",
             "content", "joyful", "pleasant"]
    per_study = [ItemMoments.from_items(g[items]) for _, g in first_wave.groupby("study")]
    merged = per_study[0]
    for m in per_study[1:]:
        merged = merged + m
    pooled = cronbach_alpha(first_wave[items])
    res = cronbach_alpha_from_moments(merged)
    assert res.alpha == pytest.approx(pooled.alpha, rel=1e-10)
    assert res.std_alpha == pytest.approx(pooled.std_alpha, rel=1e-10)
    assert res.n == pooled.n


def test_pisa_country_moments_merge_to_the_pooled_alpha(reference_csv):
    """PISA 2009 reading attitudes (likert's pisaitems): three countries merged exactly."""
    pisa = reference_csv("likert_pisaitems_ST24Q_coded.csv")
    items = [c for c in pisa.columns if c.startswith("ST24Q")]
    # Negatively worded (e.g. Q01 "I read only if I have to", Q06 "reading is a waste of
    # time"): reversed on the 1-4 scale.
    negative = ["ST24Q01", "ST24Q04", "ST24Q06", "ST24Q08", "ST24Q09"]
    flipped = pisa[items].copy()
    flipped[negative] = 5 - flipped[negative]
    per_country = [ItemMoments.from_items(flipped[pisa["CNT"] == c])
                   for c in ("CAN", "MEX", "USA")]
    merged = per_country[0] + per_country[1] + per_country[2]
    pooled = cronbach_alpha(pisa[items], reverse=negative, scale_range=(1, 4))
    res = cronbach_alpha_from_moments(merged)
    assert res.alpha == pytest.approx(pooled.alpha, rel=1e-9)
    assert res.n_empty == pooled.n_empty
    assert res.negative_items == []
