"""What score accepts, and the clear errors it gives for what it cannot score."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest

from getting_to_outcomes import Framework, ScoringError, UnknownIndicatorError, score
from getting_to_outcomes.stats import benjamini_hochberg

from .conftest import survey

ANSWERS = [[2, 3, 4, 2], [3, 4, 4, 3], [4, 4, 5, 1], [3, 3, 3, 3], [5, 4, 4, 2]]


@dataclass
class Report:
    """The two attributes of a validation report that scoring reads."""

    source: str
    valid_rows: pd.DataFrame
    rejected_rows: pd.DataFrame


def test_the_source_is_inferred_when_the_columns_fit_only_one(fw: Framework) -> None:
    summary = score(survey(ANSWERS), fw, indicators=["survey.confidence"])
    assert summary.to_frame()["n"].iloc[0] == 5


def test_columns_that_fit_no_source_ask_for_source(fw: Framework) -> None:
    with pytest.raises(ScoringError, match=r"cannot tell which data source.*source="):
        score(pd.DataFrame({"org_id": ["a"], "colour": ["red"]}), fw)


def test_a_validation_report_is_read_through_valid_rows(fw: Framework) -> None:
    rejected = survey(ANSWERS[:1])
    report = Report("survey", survey(ANSWERS), rejected)
    summary = score(report, fw, indicators=["survey.confidence"])
    assert summary.to_frame()["n"].iloc[0] == 5
    assert "1 row(s) of source 'survey' failed validation and were not scored" in \
        summary.warnings


def test_an_unknown_source_is_refused_with_a_suggestion(fw: Framework) -> None:
    with pytest.raises(UnknownIndicatorError, match="did you mean 'survey'"):
        score({"survey_": survey(ANSWERS)}, fw)


def test_an_unknown_indicator_is_refused(fw: Framework) -> None:
    with pytest.raises(UnknownIndicatorError, match=r"survey\.confidence"):
        score(survey(ANSWERS), fw, indicators=["survey.confidense"])


def test_a_missing_grouping_column_is_refused(fw: Framework) -> None:
    with pytest.raises(ScoringError, match="cannot group source 'survey' by 'region'"):
        score(survey(ANSWERS), fw, group_by="region")


def test_an_unknown_period_is_refused(fw: Framework) -> None:
    with pytest.raises(ScoringError, match="baseline_period 'before' is not a period"):
        score(survey(ANSWERS), fw, baseline_period="before")


def test_a_baseline_after_the_current_period_is_refused(fw: Framework) -> None:
    rows = pd.concat([survey(ANSWERS, wave="pre"), survey(ANSWERS, wave="post")])
    with pytest.raises(ScoringError, match="baseline period 'post' comes after"):
        score(rows, fw, baseline_period="post", current_period="pre")


def test_periods_outside_the_window_are_left_out_and_said_so(fw: Framework) -> None:
    rows = pd.concat([survey(ANSWERS, wave=w) for w in ("pre", "mid", "post")])
    summary = score(rows, fw, indicators=["survey.confidence"], current_period="mid")
    assert summary.periods == ("pre", "mid")
    assert any("5 row(s) from periods outside pre, mid" in w for w in summary.warnings)


def test_an_indicator_with_no_data_in_one_period_is_insufficient_not_zero(
    fw: Framework
) -> None:
    before = survey(ANSWERS, wave="pre", spoke=[True, False, True, False, False])
    after = survey(ANSWERS, wave="post")  # nobody answered the yes/no question
    frame = score(pd.concat([before, after]), fw, indicators=["survey.spoke_share"],
                  min_n=1).to_frame()
    post = frame.set_index("period").loc["post"]
    assert post["n"] == 0
    assert np.isnan(post["value"])
    assert np.isnan(post["score_0_100"])
    assert post["status"] == "insufficient_data"
    assert "5 row(s) without a value left out (missing is never zero)" in post["notes"]


def test_a_period_without_any_row_for_a_group_is_insufficient(fw: Framework) -> None:
    rows = pd.concat([survey(ANSWERS, wave="pre", org="a"), survey(ANSWERS, wave="post",
                                                                    org="a"),
                      survey(ANSWERS, wave="pre", org="b")])
    frame = score(rows, fw, indicators=["survey.confidence"], min_n=1).to_frame()
    b_post = frame[(frame["group"] == "b") & (frame["period"] == "post")].iloc[0]
    assert b_post["n"] == 0
    assert np.isnan(b_post["value"])
    assert b_post["status"] == "insufficient_data"
    assert "no data in this period" in b_post["notes"]


def test_indicators_whose_source_was_not_given_are_listed_as_insufficient(
    fw: Framework
) -> None:
    frame = score(survey(ANSWERS), fw, min_n=1).to_frame()
    assert set(frame["indicator_id"]) == set(fw.indicators.ids)
    actions = frame[frame["indicator_id"] == "actions.count"].iloc[0]
    assert actions["status"] == "insufficient_data"
    assert np.isnan(actions["value"])
    assert actions["notes"] == "no data given for source 'actions'"


def test_the_same_respondent_twice_in_a_wave_is_refused(fw: Framework) -> None:
    rows = survey(ANSWERS, wave="pre", people=["p0", "p1", "p2", "p3", "p3"])
    rows = pd.concat([rows, survey(ANSWERS, wave="post")])
    with pytest.raises(ScoringError, match=r"'person_id' appears more than once.*gto validate"):
        score(rows, fw, indicators=["survey.confidence"])


def test_text_in_a_likert_column_is_refused_with_its_row(fw: Framework) -> None:
    rows = survey(ANSWERS)
    rows["q2"] = rows["q2"].astype(object)
    rows.loc[3, "q2"] = "Agree"
    with pytest.raises(ScoringError, match=r"column 'q2', row 3: 'Agree' is not a number"):
        score(rows, fw, indicators=["survey.confidence"])


def test_answers_off_the_response_scale_are_refused(fw: Framework) -> None:
    rows = survey([*ANSWERS, [3, 9, 3, 3]])
    with pytest.raises(ScoringError, match=r"9.0 is not a code of response scale 'agree5'"):
        score(rows, fw, indicators=["survey.confidence"])


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [("confidence", 1.5, "confidence must be between 0 and 1"),
     ("reliability", "drop", "reliability must be 'flag' or 'withhold'"),
     ("min_n", 0, "min_n must be a whole number >= 1"),
     ("min_answered", 2, "min_answered must be a share"),
     ("seed", -1, "seed must be a whole number")],
)
def test_bad_options_are_refused(fw: Framework, option: str, value: object,
                                 message: str) -> None:
    with pytest.raises(ScoringError, match=message):
        score(survey(ANSWERS), fw, **{option: value})  # type: ignore[arg-type]


def test_p_values_are_adjusted_across_indicators_within_a_group(
    fw: Framework, network: dict[str, pd.DataFrame]
) -> None:
    frame = score(network, fw, min_n=1).to_frame()
    family = frame[(frame["group"] == "org_03") & (frame["period"] == "post")
                   & (frame["subgroup_dimension"] == "all")]
    tested = family[family["p_value"].notna()]
    assert len(tested) >= 2
    assert tested["p_adjusted"].tolist() == pytest.approx(
        benjamini_hochberg(tested["p_value"].to_numpy()).tolist())


def test_the_bootstrap_is_seeded_and_the_seed_recorded(fw: Framework) -> None:
    rng = np.random.default_rng(3)
    answers = rng.integers(1, 6, size=(30, 4)).tolist()
    later = np.clip(np.asarray(answers) + rng.integers(-1, 3, size=(30, 4)), 1, 5).tolist()
    rows = pd.concat([survey(answers, wave="pre"), survey(later, wave="post")])
    first, again, other = (
        score(rows, fw, indicators=["survey.confidence"], bootstrap=True, seed=seed)
        for seed in (7, 7, 8)
    )
    assert first.seed == 7
    assert first.options["bootstrap"]
    bounds = ["ci_low", "ci_high", "change_ci_low", "change_ci_high"]
    a, b, c = (s.to_frame()[bounds].to_numpy(dtype=float) for s in (first, again, other))
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c, equal_nan=True)
    post = first.to_frame().set_index(["period", "subgroup"]).loc[("post", "all")]
    assert "bootstrap BCa intervals (9999 resamples, seed 7)" in post["notes"]
    # The t interval is replaced, not kept.
    plain = score(rows, fw, indicators=["survey.confidence"]).to_frame()
    assert not np.array_equal(plain[bounds].to_numpy(dtype=float), a, equal_nan=True)
