"""Proportions against published percentages and published 2 x 2 table results."""

from __future__ import annotations

import pytest

from getting_to_outcomes.stats import paired_proportion_change, proportion_change, proportion_ci

LEVELS = ["Strongly Disagree", "Disagree", "Neutral", "Agree", "Strongly Agree"]


def percentages(answers, levels=LEVELS):
    """Share of each answer level per item, pooled from counts (never averaged percentages)."""
    counts = {item: [(answers[item] == level).sum() for level in levels] for item in answers}
    return {
        item: (proportion_ci(c, answers[item].notna().sum())["proportion"] * 100).tolist()
        for item, c in counts.items()
    }


def test_math_anxiety_percentages_match_the_likert_package(reference_csv, expected):
    spec = expected["likert_math_anxiety"]
    mass = reference_csv(spec["data"])
    published = reference_csv(spec["percentages"]).set_index("Item")
    found = percentages(mass.drop(columns="Gender"))
    assert set(found) == set(published.index)
    for item, shares in found.items():
        assert shares == pytest.approx(published.loc[item, LEVELS].tolist(),
                                       abs=spec["tolerance"]), item


def test_math_anxiety_percentages_by_gender_match(reference_csv, expected):
    spec = expected["likert_math_anxiety"]
    mass = reference_csv(spec["data"])
    published = reference_csv(spec["percentages_by_gender"])
    for gender, rows in published.groupby("Group"):
        found = percentages(mass[mass["Gender"] == gender].drop(columns="Gender"))
        for _, row in rows.iterrows():
            item = row["Item"]
            assert found[item] == pytest.approx(row[LEVELS].tolist(),
                                                abs=spec["tolerance"]), (gender, item)


def test_newcombe_interval_for_independent_proportions(expected):
    spec = expected["newcombe_independent"]
    (x1, f1), (x2, f2) = spec["table"]
    # Published as group 1 - group 2: group 2 is the baseline here.
    row = proportion_change(x2, x2 + f2, x1, x1 + f1).iloc[0]
    for name, published in spec["values"].items():
        assert row[name] == pytest.approx(published, abs=spec["tolerance"]), name


def test_fisher_exact_p_value(expected):
    spec = expected["fisher_exact"]
    (x1, f1), (x2, f2) = spec["table"]
    row = proportion_change(x2, x2 + f2, x1, x1 + f1).iloc[0]
    assert row.test == "fisher"  # expected counts below 5
    assert row.p_value == pytest.approx(spec["values"]["p_value"], abs=spec["tolerance"])


def test_newcombe_interval_for_paired_proportions(expected):
    spec = expected["newcombe_paired"]
    (yes_yes, yes_no), (no_yes, no_no) = spec["table"]
    row = paired_proportion_change(yes_yes, yes_no, no_yes, no_no).iloc[0]
    published = spec["values"]
    # Published as first minus second; the library reports second minus first.
    assert row.change == pytest.approx(-published["change"], abs=spec["tolerance"])
    assert row.ci_low == pytest.approx(-published["ci_high"], abs=spec["tolerance"])
    assert row.ci_high == pytest.approx(-published["ci_low"], abs=spec["tolerance"])


def test_mcnemar_chi_square_with_yates_correction(expected):
    spec = expected["mcnemar_cardillo"]
    (a, b), (c, d) = spec["table"]
    row = paired_proportion_change(a, b, c, d, test="chi2").iloc[0]
    assert row.statistic == pytest.approx(spec["values"]["statistic"], abs=spec["tolerance"])
