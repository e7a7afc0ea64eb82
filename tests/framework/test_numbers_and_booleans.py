"""Every number in a definition is finite and consistent; yes and no are text (YAML 1.2).

Each case edits one line of the minimal framework and loads it: a bad number must end in one
problem located at its line and column, naming the field and the value; YAML 1.1's bare
booleans must load as the text they were written as.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from getting_to_outcomes import IndicatorDefinitionError, load_framework
from getting_to_outcomes.definitions.models import Column, DataSource

LEVEL = "{name: level, type: integer, min: 0, max: 4}"
CONFIDENCE_END = "    reliability_threshold: 0.7\n"


def column_of(source: DataSource, name: str) -> Column:
    return next(c for c in source.columns if c.name == name)


def edited(folder: Path, file: str, old: str, new: str) -> Path:
    path = folder / file
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return folder


def located(folder: Path, field: str) -> tuple[int | None, int | None, object, str]:
    """The problem at ``field`` (others may follow from it: a bad source's indicators)."""
    with pytest.raises(IndicatorDefinitionError) as caught:
        load_framework(folder)
    found = [p for p in caught.value.problems if p.field == field]
    assert len(found) == 1, caught.value.problems
    p = found[0]
    return p.line, p.column, p.value, p.message


FINITE = "must be finite"

# (case, file, text replaced, replacement, field, line, value, words of the message)
CASES = [
    ("valid_range_nan", "indicators.yaml", "valid_range: [1, 5]", "valid_range: [.nan, 5]",
     "indicators.0.valid_range.0", 11, "nan", FINITE),
    ("valid_range_inf", "indicators.yaml", "valid_range: [1, 5]", "valid_range: [1, .inf]",
     "indicators.0.valid_range.1", 11, "inf", FINITE),
    ("column_min_nan", "framework.yaml", LEVEL, LEVEL.replace("min: 0", "min: .nan"),
     "sources.0.columns.6.min", 60, "nan", FINITE),
    ("column_max_inf", "framework.yaml", LEVEL, LEVEL.replace("max: 4", "max: .inf"),
     "sources.0.columns.6.max", 60, "inf", FINITE),
    ("column_min_above_max", "framework.yaml", LEVEL, LEVEL.replace("min: 0", "min: 5"),
     "sources.0.columns.6", 60, None, "min (5.0) is greater than max (4.0)"),
    ("plausible_min_above_max", "framework.yaml", LEVEL,
     LEVEL.replace("}", ", plausible_min: 6}"), "sources.0.columns.6", 60, None,
     "plausible_min (6.0) is above max (4.0)"),
    ("plausible_max_below_min", "framework.yaml", LEVEL,
     LEVEL.replace("}", ", plausible_max: -1}"), "sources.0.columns.6", 60, None,
     "plausible_max (-1.0) is below min (0.0)"),
    ("plausible_range_reversed", "framework.yaml", LEVEL,
     LEVEL.replace("}", ", plausible_min: 3, plausible_max: 1}"), "sources.0.columns.6", 60,
     None, "plausible_min (3.0) is greater than plausible_max (1.0)"),
    ("plausible_max_nan", "framework.yaml", LEVEL, LEVEL.replace("}", ", plausible_max: .nan}"),
     "sources.0.columns.6.plausible_max", 60, "nan", FINITE),
    ("rubric_threshold_nan", "indicators.yaml", "{label: established, threshold: 3.5}",
     "{label: established, threshold: .nan}", "indicators.0.rubric.1.threshold", 17, "nan",
     FINITE),
    ("rubric_threshold_inf", "indicators.yaml", "{label: established, threshold: 3.5}",
     "{label: established, threshold: .inf}", "indicators.0.rubric.1.threshold", 17, "inf",
     FINITE),
    ("rubric_thresholds_unordered", "indicators.yaml", "{label: established, threshold: 3.5}",
     "{label: established, threshold: 0.5}", "indicators.0.rubric", 16, None,
     "must be increasing"),
    ("weight_inf", "indicators.yaml", CONFIDENCE_END, CONFIDENCE_END + "    weight: .inf\n",
     "indicators.0.weight", 19, "inf", FINITE),
    ("weight_nan", "indicators.yaml", CONFIDENCE_END, CONFIDENCE_END + "    weight: .nan\n",
     "indicators.0.weight", 19, "nan", FINITE),
    ("weight_zero", "indicators.yaml", CONFIDENCE_END, CONFIDENCE_END + "    weight: 0\n",
     "indicators.0.weight", 19, 0, "greater than 0"),
    ("weight_negative", "indicators.yaml", CONFIDENCE_END, CONFIDENCE_END + "    weight: -2\n",
     "indicators.0.weight", 19, -2, "greater than 0"),
    ("baseline_nan", "indicators.yaml", "baseline: 3.0", "baseline: .nan",
     "indicators.0.baseline", 13, "nan", FINITE),
    ("target_inf", "indicators.yaml", "{period: post, value: 3.5}", "{period: post, value: .inf}",
     "indicators.0.targets.0.value", 14, "inf", FINITE),
    ("min_n_nan", "indicators.yaml", CONFIDENCE_END, CONFIDENCE_END + "    min_n: .nan\n",
     "indicators.0.min_n", 19, "nan", FINITE),
    ("rate_per_inf", "indicators.yaml",
     "measure: {kind: count, field: wins_adopted}",
     "measure: {kind: rate, numerator: wins_adopted, denominator: members_total, per: .inf}",
     "indicators.2.measure.per", 40, "inf", FINITE),
    ("rate_per_zero", "indicators.yaml",
     "measure: {kind: count, field: wins_adopted}",
     "measure: {kind: rate, numerator: wins_adopted, denominator: members_total, per: 0}",
     "indicators.2.measure.per", 40, 0, "greater than 0"),
    ("status_tolerance_inf", "framework.yaml", "  citation: Test fixture.\n",
     "  citation: Test fixture.\n  status_rules: {method: tolerance, tolerance: .inf}\n",
     "framework.status_rules.tolerance", 7, "inf", FINITE),
    ("status_tolerance_nan", "framework.yaml", "  citation: Test fixture.\n",
     "  citation: Test fixture.\n  status_rules: {method: tolerance, tolerance: .nan}\n",
     "framework.status_rules.tolerance", 7, "nan", FINITE),
    ("status_threshold_inf", "framework.yaml", "  citation: Test fixture.\n",
     "  citation: Test fixture.\n  status_rules: {on_track: .inf}\n",
     "framework.status_rules.on_track", 7, "inf", FINITE),
]


@pytest.mark.parametrize(("file", "old", "new", "field", "line", "value", "words"),
                         [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_a_bad_number_is_refused_where_it_is_written(
    minimal_framework: Path, file: str, old: str, new: str, field: str, line: int,
    value: object, words: str,
) -> None:
    got_line, column, got_value, message = located(edited(minimal_framework, file, old, new),
                                                   field)
    assert got_line == line
    assert column is not None
    assert words in message
    if value is not None:
        assert str(got_value) == str(value)


def test_a_milestone_stage_weight_must_be_positive_and_finite(minimal_framework: Path) -> None:
    stages = ("measure: {kind: milestone, item_field: win_id, stage_field: stage, stages: ["
              "{id: proposed, label: Proposed, weight: 1}, "
              "{id: adopted, label: Adopted, weight: %s}]}")
    for bad, words in ((".inf", FINITE), (".nan", FINITE), ("-1", "greater than 0")):
        folder = edited(minimal_framework, "indicators.yaml",
                        "measure: {kind: count, field: wins_adopted}", stages % bad)
        _, _, _, message = located(folder, "indicators.2.measure.stages.1.weight")
        assert words in message
        edited(minimal_framework, "indicators.yaml", stages % bad,
               "measure: {kind: count, field: wins_adopted}")


def test_yes_and_no_in_a_list_of_allowed_values_stay_text(minimal_framework: Path) -> None:
    folder = edited(minimal_framework, "framework.yaml", "allowed: [pre, post]",
                    "allowed: [yes, no, on, off, y, n]")
    wave = column_of(load_framework(folder).source("survey"), "wave")
    assert wave.allowed == ["yes", "no", "on", "off", "y", "n"]


def test_a_bare_yes_where_text_is_expected_is_text(minimal_framework: Path) -> None:
    folder = edited(minimal_framework, "framework.yaml", "    name: Survey\n", "    name: yes\n")
    assert load_framework(folder).source("survey").name == "yes"


def test_a_period_written_on_is_the_period_on(minimal_framework: Path) -> None:
    folder = edited(minimal_framework, "indicators.yaml", "{period: post, value: 3.5}",
                    "{period: on, value: 3.5}")
    assert load_framework(folder).indicators["leadership.confidence"].targets[0].period == "on"


@pytest.mark.parametrize(("written", "meant"), [("yes", True), ("true", True), ("no", False),
                                                ("false", False), ("True", True)])
def test_a_flag_still_reads_yes_and_true_as_true(
    minimal_framework: Path, written: str, meant: bool,
) -> None:
    folder = edited(minimal_framework, "framework.yaml",
                    "{name: org_id, type: string, required: true}",
                    f"{{name: org_id, type: string, required: {written}}}")
    assert column_of(load_framework(folder).source("survey"), "org_id").required is meant
