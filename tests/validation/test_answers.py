"""A file is never OK when it carries no answers; an indicator it cannot score is named.

Each file is judged on its own, after missing-value codes became missing answers: no rows,
or no indicator of the source scorable, is a ``no_answers`` error that rejects the file's
rows; an indicator whose needed columns are absent or blank is an ``unscorable`` warning.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from getting_to_outcomes import Framework, score, validate
from getting_to_outcomes.cli import main
from getting_to_outcomes.validation._answers import needed_columns
from tests.io.tool_exports import tool_export

SOURCE = "leadership_survey"
CLEAN = (
    Path(__file__).parents[2]
    / "src/getting_to_outcomes/datasets/data/cper-network/leadership_survey.csv"
)
IDS = ["org_id", "person_id", "survey_wave", "survey_date"]
#: The items of the civic efficacy scale (leadership.civic_efficacy).
CIVIC = ["c1_public_speaking", "c2_people_like_me", "c3_officials_listen", "c4_no_difference"]


@functools.cache
def _clean() -> pd.DataFrame:
    # Every 40th row: 97 rows of every wave and organization, as text as the file holds it.
    return pd.read_csv(CLEAN, dtype=str, keep_default_na=False).iloc[::40].reset_index(drop=True)


@pytest.fixture
def answered() -> pd.DataFrame:
    """Rows of the bundled clean survey, every answer given."""
    return _clean().copy()


def _items(framework: Framework) -> list[str]:
    return [c.name for c in framework.source(SOURCE).columns if c.type == "likert"]


def _indicators(framework: Framework) -> list[str]:
    return framework.indicators.filter(source=SOURCE).ids


def _write(rows: pd.DataFrame, path: Path) -> Path:
    rows.to_csv(path, index=False)
    return path


def _only(report: object, reason: str) -> pd.DataFrame:
    issues: pd.DataFrame = report.issues  # type: ignore[attr-defined]
    return issues[issues["reason"] == reason]


def _assert_no_answers(report: object, framework: Framework, file: str) -> None:
    """One no_answers error for the file, naming every indicator; every row rejected."""
    errors = _only(report, "no_answers")
    assert errors["severity"].tolist() == ["error"]
    assert errors["file"].tolist() == [file]
    assert errors["value"].iloc[0].split(", ") == _indicators(framework)
    assert not report.ok  # type: ignore[attr-defined]
    assert report.status.startswith("NOT OK: no answers in ")  # type: ignore[attr-defined]
    assert report.valid_rows.empty  # type: ignore[attr-defined]
    rejected = report.rejected_rows  # type: ignore[attr-defined]
    assert len(rejected) == report.rows_read  # type: ignore[attr-defined]
    assert (rejected["reasons"] == "no_answers").all()
    assert _only(report, "unscorable").empty


def test_a_file_of_ids_alone_holds_no_answers(
    answered: pd.DataFrame, framework: Framework, tmp_path: Path
) -> None:
    path = _write(answered[IDS], tmp_path / "ids.csv")
    report = validate(path, framework, source=SOURCE)
    _assert_no_answers(report, framework, str(path))
    assert report.status == "NOT OK: no answers in ids.csv; fix the errors below"
    assert len(report.rejected_rows) == len(answered)
    # Every item the six scales read is absent.
    read = {c for i in framework.indicators.filter(source=SOURCE) for g in needed_columns(i)
            for c in g}
    assert f"Of the {len(read)} column(s) they read, {len(read)} are not in the file;" in (
        _only(report, "no_answers")["message"].iloc[0]
    )


def test_a_header_without_rows_holds_no_answers(
    answered: pd.DataFrame, framework: Framework, tmp_path: Path
) -> None:
    path = _write(answered.iloc[:0], tmp_path / "header.csv")
    report = validate(path, framework, source=SOURCE)
    assert report.rows_read == 0
    _assert_no_answers(report, framework, str(path))
    assert "no rows of answers" in _only(report, "no_answers")["message"].iloc[0]


def test_a_full_header_with_every_answer_blank_holds_no_answers(
    answered: pd.DataFrame, framework: Framework, tmp_path: Path
) -> None:
    blank = answered.copy()
    blank[blank.columns[len(IDS):]] = ""
    report = validate(_write(blank, tmp_path / "blank.csv"), framework, source=SOURCE)
    _assert_no_answers(report, framework, str(tmp_path / "blank.csv"))
    message = _only(report, "no_answers")["message"].iloc[0]
    assert "hold no answer in any of its 97 row(s)" in message


def test_answers_that_are_all_missing_codes_are_no_answers(
    answered: pd.DataFrame, framework: Framework, tmp_path: Path
) -> None:
    coded = answered.copy()
    codes = ["99", "-9", "N/A", "Refused", "Don't know", ""]
    for k, item in enumerate(_items(framework)):
        coded[item] = [codes[(k + r) % len(codes)] for r in range(len(coded))]
    report = validate(_write(coded, tmp_path / "codes.csv"), framework, source=SOURCE)
    _assert_no_answers(report, framework, str(tmp_path / "codes.csv"))
    # The codes are still recorded as missing answers with their reasons.
    assert {"dont_know", "refused", "not_applicable", "skipped"} <= set(report.missing["reason"])


def test_one_blank_scale_among_answered_ones_is_a_warning_naming_it(
    answered: pd.DataFrame, framework: Framework, tmp_path: Path
) -> None:
    partial = answered.copy()
    partial[CIVIC[:2]] = ""
    partial[CIVIC[2]] = "99"
    partial = partial.drop(columns=CIVIC[3])
    path = _write(partial, tmp_path / "partial.csv")
    report = validate(path, framework, source=SOURCE)
    assert report.ok
    warning = _only(report, "unscorable")
    assert warning["severity"].tolist() == ["warning"]
    assert warning["value"].tolist() == ["leadership.civic_efficacy"]
    assert warning["message"].iloc[0].endswith(
        "cannot be scored from this file: none of its 4 items has an answer: "
        "c4_no_difference is not in the file; c1_public_speaking, c2_people_like_me, "
        "c3_officials_listen hold no answer in any row (only blanks or missing-value codes)."
    )
    assert report.status == (
        "OK, but 1 indicator(s) cannot be scored (no answers to what they need): "
        "leadership.civic_efficacy"
    )
    assert report.status in report.summary()
    assert len(report.valid_rows) == len(partial)
    # Scoring still works: the other scales have values, the blank one has none.
    summary = score(report, framework, group_by=None, indicators=_indicators(framework))
    results = summary.to_frame()
    values = results[results["subgroup"] == "all"].groupby("indicator_id")["value"].count()
    assert values["leadership.civic_efficacy"] == 0
    assert (values.drop("leadership.civic_efficacy") > 0).all()


def test_a_kobo_export_with_only_metadata_filled_holds_no_answers(
    answered: pd.DataFrame, framework: Framework, tmp_path: Path
) -> None:
    # The keys are filled, as a tool fills them from the form's calculations; every
    # question is left unanswered. The tool's columns (_id, _uuid, times...) are full.
    empty = answered.copy()
    empty[empty.columns[len(IDS):]] = ""
    groups = {name: f"grp_{name.split('_')[0]}" for name in empty.columns if name[1].isdigit()}
    path = tool_export(empty, "kobo", tmp_path / "kobo.csv", groups=groups, delimiter=";")
    report = validate(path, framework, source=SOURCE)
    assert not _only(report, "tool_column").empty
    _assert_no_answers(report, framework, str(path))


def test_files_validated_together_are_judged_each_on_its_own(
    answered: pd.DataFrame, framework: Framework, tmp_path: Path
) -> None:
    pre = _write(answered[answered["survey_wave"] == "pre"], tmp_path / "pre.csv")
    later = answered[answered["survey_wave"] != "pre"]
    post = _write(later[IDS], tmp_path / "post.csv")
    report = validate([pre, post], framework, source=SOURCE)
    errors = _only(report, "no_answers")
    assert errors["file"].tolist() == [str(post)]
    assert report.status == "NOT OK: no answers in post.csv; fix the errors below"
    assert len(report.valid_rows) == (answered["survey_wave"] == "pre").sum()
    assert len(report.rejected_rows) == len(later)
    assert "post.csv: No answers: none of the 6 indicator(s)" in report.summary()


def test_an_indicator_unscorable_in_one_of_two_files_is_named_with_its_file(
    answered: pd.DataFrame, framework: Framework, tmp_path: Path
) -> None:
    pre = _write(answered[answered["survey_wave"] == "pre"], tmp_path / "pre.csv")
    later = answered[answered["survey_wave"] != "pre"].drop(columns=CIVIC)
    post = _write(later, tmp_path / "post.csv")
    report = validate([pre, post], framework, source=SOURCE)
    warning = _only(report, "unscorable")
    assert warning[["file", "value"]].values.tolist() == [[str(post), "leadership.civic_efficacy"]]
    assert report.status.endswith("cannot be scored (no answers to what they need): "
                                  "post.csv: leadership.civic_efficacy")


def test_the_slices_of_a_table_are_one_input(
    answered: pd.DataFrame, framework: Framework, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Only the last slice of the table holds answers of the civic efficacy scale.
    polars = pytest.importorskip("polars")
    from getting_to_outcomes.validation import _validate

    monkeypatch.setattr(_validate, "_SLICE_ROWS", 10)
    rows = answered.copy()
    rows.loc[: len(rows) - 5, CIVIC] = ""
    report = validate(polars.from_pandas(rows), framework, source=SOURCE)
    assert _only(report, "unscorable").empty
    assert report.ok
    rows[CIVIC] = ""
    report = validate(polars.from_pandas(rows), framework, source=SOURCE)
    assert _only(report, "unscorable")["value"].tolist() == ["leadership.civic_efficacy"]


def test_a_share_is_unscorable_when_its_column_is_blank(framework: Framework) -> None:
    # Contacts with officials, but who initiated each meeting was never recorded: the
    # meetings are still counted from the rows, their outcomes still shared out.
    contacts = pd.read_csv(CLEAN.parent / "contacts_log.csv", dtype=str, keep_default_na=False)
    contacts["initiated_by"] = ""
    report = validate(contacts, framework, source="contacts_log")
    warning = _only(report, "unscorable")
    assert warning["value"].tolist() == ["accountability.officials_seek_input"]
    assert "it needs initiated_by: initiated_by holds no answer in any row" in (
        warning["message"].iloc[0]
    )
    assert report.ok


def test_a_source_without_indicators_needs_an_answer_beyond_its_keys(
    framework: Framework, survey_rows: pd.DataFrame
) -> None:
    keys_only = survey_rows[["org_id", "person_id", "wave"]]
    report = validate(keys_only, framework, source="test_survey")
    assert _only(report, "no_answers")["severity"].tolist() == ["error"]
    with_roles = survey_rows[["org_id", "person_id", "wave", "role"]]
    assert validate(with_roles, framework, source="test_survey").ok


@pytest.mark.parametrize(
    ("kind", "needed"),
    [
        ("scale", [("k1_district_decisions", "k2_school_budget", "k3_rights")]),
        ("milestone", [("win_id",), ("status",)]),
    ],
)
def test_the_columns_an_indicator_needs(framework: Framework, kind: str, needed: list) -> None:
    indicator = framework.indicators.filter(kind=kind)[0]
    assert needed_columns(indicator) == needed


def test_the_command_line_exits_1_and_says_so_in_every_format(
    answered: pd.DataFrame, framework_dir: Path, tmp_path: Path
) -> None:
    path = _write(answered[IDS], tmp_path / "ids.csv")

    def run(*options: str):  # type: ignore[no-untyped-def]
        args = ["validate", str(path), "--source", SOURCE, "--framework", str(framework_dir)]
        return CliRunner().invoke(main, [*args, *options])

    table = run()
    assert table.exit_code == 1
    assert "  NOT OK: no answers in ids.csv; fix the errors below" in table.output
    assert "OK: no errors" not in table.output
    as_json = run("--format", "json")
    assert as_json.exit_code == 1
    data = json.loads(as_json.output)
    assert (data["ok"], data["no_answers"], data["status"]) == (
        False, ["ids.csv"], "NOT OK: no answers in ids.csv; fix the errors below"
    )
    as_csv = run("--format", "csv")
    assert as_csv.exit_code == 1
    issues = pd.read_csv(pd.io.common.StringIO(as_csv.output))
    assert issues.loc[issues["reason"] == "no_answers", "severity"].tolist() == ["error"]


def test_the_notebook_display_states_what_cannot_be_scored(
    answered: pd.DataFrame, framework: Framework
) -> None:
    report = validate(answered.drop(columns=CIVIC), framework, source=SOURCE)
    shown = report._repr_html_()
    assert "OK, but some indicators cannot be scored" in shown
    assert f"<strong>{report.status}</strong>" in shown
    assert json.loads(report.to_json())["unscorable"] == {
        "<DataFrame>": ["leadership.civic_efficacy"]
    }


def test_gto_score_scores_a_partly_answered_file_and_names_what_it_cannot(
    answered: pd.DataFrame, framework_dir: Path, tmp_path: Path
) -> None:
    path = _write(answered.drop(columns=CIVIC), tmp_path / "partial.csv")
    args = ["score", str(path), "--source", SOURCE, "--framework", str(framework_dir),
            "--by", "none", "--format", "csv"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert result.stderr.startswith(
        "Warning: partial.csv: Indicator leadership.civic_efficacy ("
    )
    scores = pd.read_csv(pd.io.common.StringIO(result.stdout))
    scored = scores[scores["subgroup"] == "all"].groupby("indicator_id")["value"].count()
    assert scored["leadership.civic_efficacy"] == 0
    assert (scored.drop("leadership.civic_efficacy") > 0).all()


def test_answers_in_error_are_answers_with_their_own_errors(
    answered: pd.DataFrame, framework: Framework
) -> None:
    # Every answer of the civic efficacy scale is mistyped: each cell is an error of its
    # row, and the scale is not reported as unanswered on top of that.
    mistyped = answered.copy()
    mistyped[CIVIC] = "Agreee"
    report = validate(mistyped, framework, source=SOURCE)
    assert set(_only(report, "unknown_answer")["column"]) == set(CIVIC)
    assert _only(report, "unscorable").empty
    assert _only(report, "no_answers").empty
