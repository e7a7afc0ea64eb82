"""load_framework: every problem in every file, located, in one error."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from getting_to_outcomes import (
    DefinitionProblem,
    IndicatorDefinitionError,
    check_framework,
    load_framework,
)

DEFINITIONS = Path(__file__).parents[1] / "data" / "definitions"


def problems_of(path: Path) -> list[DefinitionProblem]:
    with pytest.raises(IndicatorDefinitionError) as caught:
        load_framework(path)
    return caught.value.problems


def only_problem(path: Path) -> DefinitionProblem:
    problems = problems_of(path)
    assert len(problems) == 1, problems
    return problems[0]


def test_minimal_framework_loads_with_no_warning(minimal_framework: Path) -> None:
    fw = load_framework(minimal_framework)
    assert fw.id == "minimal"
    assert fw.indicators.ids == ["leadership.confidence", "base.active_share", "wins.adopted"]
    assert fw.warnings == ()


def test_a_single_file_is_a_framework_too(tmp_path: Path) -> None:
    combined = tmp_path / "all.yaml"
    parts = [
        (DEFINITIONS / "minimal" / n).read_text() for n in ("framework.yaml", "indicators.yaml")
    ]
    combined.write_text("\n".join(parts))
    assert len(load_framework(combined).indicators) == 3


def test_yaml_syntax_error_reports_line_and_column(with_defect: Callable[[str], Path]) -> None:
    problem = only_problem(with_defect("yaml_syntax_error"))
    assert problem.file.endswith("yaml_syntax_error.yaml")
    assert "YAML syntax error" in problem.message
    assert (problem.line, problem.column) == (4, 1)


def test_a_mapping_where_a_list_belongs(with_defect: Callable[[str], Path]) -> None:
    problem = only_problem(with_defect("mapping_where_list_belongs"))
    assert problem.field == "indicators"
    assert "valid list" in problem.message
    assert problem.line == 2


def test_unknown_key_suggests_the_right_one(with_defect: Callable[[str], Path]) -> None:
    problem = only_problem(with_defect("unknown_key"))
    assert problem.field == "scales.0.missng"
    assert "did you mean 'missing'?" in problem.message
    assert (problem.line, problem.column) == (7, 5)


def test_a_key_valid_elsewhere_is_never_suggested_as_itself(
    with_defect: Callable[[str], Path],
) -> None:
    problems = problems_of(with_defect("misplaced_key"))
    misplaced = next(p for p in problems if p.field == "indicators.0.status")
    assert "did you mean 'status'" not in misplaced.message
    assert misplaced.message == (
        "key 'status' does not belong here: it is a key of a provenance (move it there)"
    )
    assert (misplaced.line, misplaced.column) == (12, 5)


def test_wrong_types_are_all_reported(with_defect: Callable[[str], Path]) -> None:
    problems = problems_of(with_defect("wrong_type"))
    assert [(p.field, p.value, p.line) for p in problems] == [
        ("indicators.0.baseline", "lots", 12),
        ("indicators.0.min_n", "five", 13),
    ]


def test_duplicate_id_across_two_files_names_both(with_defect: Callable[[str], Path]) -> None:
    problem = only_problem(with_defect("duplicate_id"))
    assert "duplicate indicator id 'wins.adopted'" in problem.message
    files = {Path(problem.file).name, Path(problem.message.rsplit(" ", 1)[-1]).name}
    assert files == {"indicators.yaml", "duplicate_id.yaml"}


def test_dangling_references_suggest_close_names(with_defect: Callable[[str], Path]) -> None:
    problems = problems_of(with_defect("dangling_reference"))
    assert [(p.field, p.line) for p in problems] == [
        ("indicators.0.stop", 7),
        ("indicators.0.measure.field", 8),
    ]
    assert "did you mean 'developing_leadership'?" in problems[0].message
    assert "did you mean 'level'?" in problems[1].message


def test_reversed_rubric_thresholds(with_defect: Callable[[str], Path]) -> None:
    problem = only_problem(with_defect("reversed_thresholds"))
    assert problem.field == "indicators.0.rubric"
    assert "must be increasing" in problem.message


def test_target_against_the_direction(with_defect: Callable[[str], Path]) -> None:
    problem = only_problem(with_defect("target_against_direction"))
    assert problem.field == "indicators.0.targets.0.value"
    assert "should be above the baseline 30.0" in problem.message


def test_empty_file(with_defect: Callable[[str], Path]) -> None:
    problem = only_problem(with_defect("empty_file"))
    assert "the file is empty" in problem.message


def test_file_not_in_utf8_names_the_line(with_defect: Callable[[str], Path]) -> None:
    problem = only_problem(with_defect("not_utf8"))
    assert "not UTF-8" in problem.message
    assert (problem.line, problem.column) == (3, 14)


def test_alias_bomb_is_refused_without_expanding(with_defect: Callable[[str], Path]) -> None:
    # Nine levels of nine aliases each would expand to 9**9 (about 387 million) strings.
    problem = only_problem(with_defect("alias_bomb"))
    assert "alias bomb" in problem.message


def test_recursive_alias_is_refused(minimal_framework: Path) -> None:
    (minimal_framework / "loop.yaml").write_text("scales: &loop [*loop]\n")
    problem = only_problem(minimal_framework)
    assert "refers to itself" in problem.message or "alias" in problem.message


def test_deep_nesting_is_refused(minimal_framework: Path) -> None:
    (minimal_framework / "deep.yaml").write_text("scales: " + "[" * 50_000 + "]" * 50_000 + "\n")
    problem = only_problem(minimal_framework)
    assert "nested too deeply" in problem.message


def test_python_tags_are_refused_and_never_run(
    with_defect: Callable[[str], Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ran: list[str] = []
    monkeypatch.setattr("os.system", lambda command: ran.append(command) or 0)
    problem = only_problem(with_defect("python_object_tag"))
    assert "is not allowed" in problem.message
    assert ran == []


def test_a_key_given_twice_is_refused_where_it_repeats(
    with_defect: Callable[[str], Path],
) -> None:
    problem = only_problem(with_defect("duplicate_key"))
    assert "the key 'min_n' is given twice in one mapping (first on line 14)" in problem.message
    assert (problem.line, problem.column) == (15, 5)


def test_a_second_top_level_section_is_refused(minimal_framework: Path) -> None:
    text = (minimal_framework / "indicators.yaml").read_text()
    (minimal_framework / "indicators.yaml").write_text(text + "\nindicators: []\n")
    problem = only_problem(minimal_framework)
    assert "the key 'indicators' is given twice" in problem.message


def test_every_defect_is_reported_at_once(minimal_framework: Path) -> None:
    defects = sorted((DEFINITIONS / "defects").glob("*.yaml"))
    for defect in defects:
        shutil.copy(defect, minimal_framework)
    problems = problems_of(minimal_framework)
    files_with_problems = {Path(p.file).name for p in problems}
    # duplicate_id's problem is reported on the second definition, in indicators.yaml.
    expected = {d.name for d in defects} - {"duplicate_id.yaml"} | {"indicators.yaml"}
    assert files_with_problems == expected
    assert all(p.line is not None for p in problems if p.file.endswith("utf8.yaml"))


def test_missing_path_suggests_a_bundled_framework() -> None:
    with pytest.raises(IndicatorDefinitionError, match="did you mean 'getting-to-outcomes-2013'"):
        load_framework("getting-to-outcome-2013")


def test_error_message_lists_file_and_line(with_defect: Callable[[str], Path]) -> None:
    path = with_defect("unknown_key")
    with pytest.raises(IndicatorDefinitionError) as caught:
        load_framework(path)
    assert f"{path / 'unknown_key.yaml'}:7:5" in str(caught.value)


def test_errors_are_value_errors_for_callers_who_catch_builtins(
    with_defect: Callable[[str], Path],
) -> None:
    with pytest.raises(ValueError, match="problem"):
        load_framework(with_defect("empty_file"))


def test_lint_warns_about_gaps(minimal_framework: Path) -> None:
    text = (minimal_framework / "indicators.yaml").read_text()
    text = text.replace("    reliability_threshold: 0.7\n", "")
    (minimal_framework / "indicators.yaml").write_text(text)
    (minimal_framework / "extra_stop.yaml").write_text(
        "indicators:\n"
        "  - id: base.no_source\n"
        "    name: No source\n"
        "    definition: An indicator with nothing to read.\n"
        "    realm: community\n"
        "    zone: building_power\n"
        "    stop: growing_base\n"
        "    measure: {kind: count}\n"
        "    unit: events\n"
        "    direction: increase\n"
        "    provenance: {status: new, citation: fixture}\n"
    )
    messages = [p.message for p in check_framework(minimal_framework)]
    assert "scale indicator without a reliability_threshold (0.7 is usual)" in messages
    assert "indicator has no data source" in messages
    assert "indicator has neither a baseline nor a target" in messages
    fw = load_framework(minimal_framework)
    assert {p.severity for p in fw.warnings} == {"warning"}


def test_stop_without_indicators_is_a_warning_located_in_framework_yaml(
    minimal_framework: Path,
) -> None:
    text = (minimal_framework / "indicators.yaml").read_text()
    (minimal_framework / "indicators.yaml").write_text(text.split("  - id: wins.adopted")[0])
    warnings = check_framework(minimal_framework)
    stop_warning = next(p for p in warnings if "policy_wins" in p.message)
    assert stop_warning.severity == "warning"
    assert stop_warning.file.endswith("framework.yaml")
    assert stop_warning.line is not None
    realm_warning = next(p for p in warnings if "realm 'policy'" in p.message)
    assert realm_warning.severity == "warning"


@pytest.mark.parametrize(
    ("column", "expected"),
    [
        ({"name": "role", "type": "category", "allowed": ["parent"],
          "value_aliases": {"teacher": ["Educator"]}}, "not an allowed value"),
        ({"name": "role", "type": "category", "allowed": ["parent", "youth"],
          "value_aliases": {"parent": ["Youth"]}}, "already reads as 'youth'"),
        ({"name": "n", "type": "integer", "value_aliases": {"1": ["one"]}},
         "value_aliases is for category columns"),
    ],
)
def test_value_aliases_must_name_allowed_values_and_read_as_one_value(
    column: dict[str, object], expected: str
) -> None:
    from pydantic import ValidationError

    from getting_to_outcomes.definitions.models import Column

    with pytest.raises(ValidationError, match=expected):
        Column.model_validate(column)
