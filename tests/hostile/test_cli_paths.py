"""A path that is not a readable data file is named, with what to give instead.

A folder, a missing file, an empty name or a file whose ending no reader knows is a usage
error (exit 2) that names the path and shows a file that would be right; a file that exists
but cannot be read is an input error (exit 1) that says why. Never a traceback, never the
words of a dependency.
"""

from __future__ import annotations

import pathlib
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from getting_to_outcomes.cli import main

SOURCE = "leadership_survey"
ROWS = "org_id,person_id,survey_wave,k1_district_decisions\nCA-01,P1,pre,3\n"


def _run(*args: str) -> Result:
    result = CliRunner().invoke(main, list(args))
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


@pytest.fixture
def survey_folder(tmp_path: Path) -> Path:
    """A folder holding one data file named after its source."""
    folder = tmp_path / "spring-2024"
    folder.mkdir()
    (folder / f"{SOURCE}.csv").write_text(ROWS, encoding="utf-8")
    return folder


@pytest.mark.parametrize("command", [["validate"], ["score"]])
def test_a_folder_given_as_a_data_file_names_a_file_inside_it(
    survey_folder: Path, command: list[str]
) -> None:
    result = _run(*command, str(survey_folder), "--source", SOURCE)
    assert result.exit_code == 2, result.output
    assert (f"{survey_folder} is a folder; give a data file, e.g. "
            f"{survey_folder / (SOURCE + '.csv')}") in result.output


def test_an_empty_folder_given_as_a_data_file_shows_where_a_file_would_go(
    tmp_path: Path,
) -> None:
    result = _run("validate", str(tmp_path), "--source", SOURCE)
    assert result.exit_code == 2, result.output
    assert f"{tmp_path} is a folder; give a data file, e.g. {tmp_path / 'survey.csv'}" \
        in result.output


@pytest.mark.parametrize("command", [["validate"], ["score"]])
def test_a_missing_data_file_is_named(tmp_path: Path, command: list[str]) -> None:
    missing = tmp_path / "leadership_survey.csv"
    result = _run(*command, str(missing), "--source", SOURCE)
    assert result.exit_code == 2, result.output
    assert f"{missing}: no such file; give the path of a data file" in result.output


def test_an_empty_name_is_refused_rather_than_read_as_the_current_folder() -> None:
    for args in (["validate", "", "--source", SOURCE], ["report", "", "--out", "never"]):
        result = _run(*args)
        assert result.exit_code == 2, result.output
        assert "an empty name was given" in result.output
    assert not Path("never").exists()


@pytest.mark.parametrize(("name", "said"), [
    ("answers.json", "is JSON, not a table; export the data as CSV or Excel (.xlsx)"),
    ("answers.xls", "is an Excel 97-2003 workbook; save it as .xlsx"),
    ("answers.ods", "is an OpenDocument spreadsheet"),
    ("definitions.yaml", "is YAML, not a table; definitions are given with --framework"),
    ("answers.dat", "ends in '.dat', which gto does not read as a data file; give a file "
                    "ending in .csv"),
    ("answers", "has no ending, which gto does not read as a data file"),
])
def test_a_file_with_an_ending_no_reader_knows_is_refused_before_reading(
    tmp_path: Path, name: str, said: str
) -> None:
    path = tmp_path / name
    path.write_text(ROWS, encoding="utf-8")
    for command in (["validate"], ["score"]):
        result = _run(*command, str(path), "--source", SOURCE)
        assert result.exit_code == 2, result.output
        assert f"{path} {said}" in result.output


def test_the_report_refuses_a_data_file_named_after_a_source_with_a_wrong_ending(
    tmp_path: Path,
) -> None:
    path = tmp_path / f"{SOURCE}.json"
    path.write_text(ROWS, encoding="utf-8")
    result = _run("report", str(path), "--out", str(tmp_path / "out"), "--quiet")
    assert result.exit_code == 2, result.output
    assert f"{path} is JSON, not a table" in result.output
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(("args", "option", "example"), [
    (["score", "{survey}", "--source", SOURCE, "--targets", "{folder}"], "--targets",
     "targets.csv"),
    (["report", "{survey}", "--targets", "{folder}", "--out", "{out}"], "--targets",
     "targets.csv"),
    (["report", "{survey}", "--names", "{folder}", "--out", "{out}"], "--names", "orgs.csv"),
])
def test_a_folder_given_for_a_table_beside_the_data_is_named(
    tmp_path: Path, survey_folder: Path, args: list[str], option: str, example: str
) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    values = {"survey": str(survey_folder / f"{SOURCE}.csv"), "folder": str(empty),
              "out": str(tmp_path / "out")}
    result = _run(*(a.format(**values) for a in args))
    assert result.exit_code == 2, result.output
    assert f"Invalid value for '{option}': {empty} is a folder" in result.output
    assert f"e.g. {empty / example}" in result.output


def test_a_targets_file_with_a_wrong_ending_is_refused(tmp_path: Path) -> None:
    survey = tmp_path / f"{SOURCE}.csv"
    survey.write_text(ROWS, encoding="utf-8")
    targets = tmp_path / "targets.xlsx"
    targets.write_bytes(b"PK\x03\x04")
    result = _run("score", str(survey), "--source", SOURCE, "--targets", str(targets))
    assert result.exit_code == 2, result.output
    assert f"{targets} ends in '.xlsx', which gto does not read as a targets file" \
        in result.output


def test_a_data_file_that_cannot_be_read_says_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    survey = tmp_path / f"{SOURCE}.csv"
    survey.write_text(ROWS, encoding="utf-8")
    # Permissions cannot be relied on (tests may run as root): the read itself is refused.
    real_read_bytes = pathlib.Path.read_bytes
    real_open = pathlib.Path.open

    def refused(path: Path) -> None:
        if path == survey:
            raise PermissionError(13, "Permission denied", str(path))

    def read_bytes(self: Path) -> bytes:
        refused(self)
        return real_read_bytes(self)

    def open_(self: Path, *args: object, **kwargs: object) -> object:
        refused(self)
        return real_open(self, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(pathlib.Path, "read_bytes", read_bytes)
    monkeypatch.setattr(pathlib.Path, "open", open_)
    result = _run("validate", str(survey), "--source", SOURCE)
    assert result.exit_code == 1, result.output
    assert str(survey) in result.output
    assert "Permission denied" in result.output
