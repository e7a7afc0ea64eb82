"""The XLSForm of a data source: pyxform converts it, and what the tools export validates.

pyxform is the converter that KoboToolbox, ODK Central and Ona run on an uploaded form;
when Java is installed, ODK Validate (shipped with pyxform) checks the XForm as well.
"""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from pyxform.xls2xform import convert

from getting_to_outcomes import Framework, bundled_frameworks, load_framework, validate
from getting_to_outcomes.definitions.models import ScaleMeasure
from getting_to_outcomes.io import XLSFORM_LANGUAGE, write_template, write_xlsform, xlsform
from tests.io.tool_exports import reasons, same_answers, tool_export

SOURCE = "leadership_survey"
LABEL = f"label::{XLSFORM_LANGUAGE}"
XFORMS = {"x": "http://www.w3.org/2002/xforms", "jr": "http://openrosa.org/javarosa"}
EVERY_SOURCE = [
    (name, source)
    for name in bundled_frameworks()
    for source in sorted(load_framework(name).sources)
]


def _sheets(path: Path) -> dict[str, pd.DataFrame]:
    """The sheets as a survey tool reads them: every cell as text, blanks as ''."""
    sheets = pd.read_excel(path, sheet_name=None, dtype=str, keep_default_na=False)
    return {name: frame.fillna("") for name, frame in sheets.items()}


def _field_paths(survey: pd.DataFrame) -> dict[str, tuple[str, ...]]:
    """Each question's group path, read from the begin_group/end_group rows."""
    open_groups: list[str] = []
    paths: dict[str, tuple[str, ...]] = {}
    for kind, name in zip(survey["type"], survey["name"], strict=True):
        if kind == "begin_group":
            open_groups.append(name)
        elif kind == "end_group":
            assert open_groups.pop() == name
        else:
            paths[name] = tuple(open_groups)
    assert not open_groups
    return paths


def _binds(xform: str) -> dict[str, dict[str, str]]:
    """The XForm's bind of each field, by the field's name (the end of its nodeset)."""
    root = ET.fromstring(xform)
    return {
        b.attrib["nodeset"].rsplit("/", 1)[-1]: b.attrib
        for b in root.iter(f"{{{XFORMS['x']}}}bind")
    }


@pytest.mark.parametrize(("framework_name", "source"), EVERY_SOURCE)
def test_the_form_of_every_bundled_source_converts_with_pyxform(
    framework_name: str, source: str, tmp_path: Path
) -> None:
    fw = load_framework(framework_name)
    path = write_xlsform(source, tmp_path / f"{source}.xlsx", framework=fw)[0]
    warnings: list[str] = []
    result = convert(str(path), warnings=warnings)
    assert warnings == []
    # Every column of the source is a question of the form, under its own name.
    binds = _binds(result.xform)
    columns = [c.name for c in fw.source(source).columns]
    assert set(columns) <= set(binds)
    required = {name for name, bind in binds.items() if bind.get("required") == "true()"}
    assert required == {c.name for c in fw.source(source).columns if c.required}


@pytest.mark.skipif(shutil.which("java") is None, reason="ODK Validate needs Java")
@pytest.mark.parametrize(
    ("framework_name", "source"),
    # Likert items, categories, personal data, dates; then yes/no, decimals, many dates.
    [("getting-to-outcomes-2013", SOURCE), ("family-engagement-partnerships", "site_log")],
)
def test_odk_validate_accepts_the_xform(framework_name: str, source: str, tmp_path: Path) -> None:
    path = write_xlsform(source, tmp_path / "form.xlsx", framework=load_framework(framework_name))
    warnings: list[str] = []
    convert(str(path[0]), warnings=warnings, validate=True)
    assert warnings == []


def test_the_survey_sheet_asks_each_column_with_its_type_range_and_requirement(
    framework: Framework, tmp_path: Path
) -> None:
    path = write_template(SOURCE, tmp_path / "form.xlsx", framework=framework, format="xlsform")
    assert openpyxl.load_workbook(path[0]).sheetnames == ["survey", "choices", "settings"]
    survey = _sheets(path[0])["survey"].set_index("name")
    question = survey.loc["months_in_group"]
    assert question["type"] == "integer"
    assert question[LABEL] == "How many months have you been involved with the group?"
    assert question["constraint"] == ". >= 0 and . <= 600"
    assert question[f"constraint_message::{XLSFORM_LANGUAGE}"] == (
        "Expected a whole number from 0 to 600."
    )
    assert question[f"hint::{XLSFORM_LANGUAGE}"] == "A whole number from 0 to 600."
    date = survey.loc["survey_date"]
    assert (date["type"], date["constraint"]) == (
        "date",
        ". >= date('2022-08-01') and . <= date('2026-07-31')",
    )
    assert survey.loc["survey_wave", "type"] == "select_one survey_wave"
    assert survey.loc["k1_district_decisions", "type"] == "select_one agree5"
    assert survey.loc["p1_testify", "type"] == "select_one confidence4"
    assert survey.loc["email", "type"] == "text"
    assert "Personal information" in survey.loc["email", f"hint::{XLSFORM_LANGUAGE}"]
    required = survey.index[survey["required"] == "yes"].tolist()
    assert required == ["org_id", "person_id", "survey_wave"]


def test_choices_are_the_scales_codes_and_the_categories_answers(
    framework: Framework, tmp_path: Path
) -> None:
    choices = _sheets(write_xlsform(SOURCE, tmp_path / "form.xlsx", framework=framework)[0])[
        "choices"
    ]
    agree5 = choices[choices["list_name"] == "agree5"]
    scale = framework.scale("agree5")
    # The codes, then one answer per missing-value reason: its numeric code when it has
    # one (99, -9), else a spelling without spaces ("N/A" for not applicable).
    assert agree5["name"].tolist() == ["1", "2", "3", "4", "5", "99", "-9", "N/A"]
    assert agree5[LABEL].tolist() == [
        *(c.label for c in scale.codes),
        "Don't know",
        "Refused",
        "Not applicable",
    ]
    roles = choices[choices["list_name"] == "role_type"]
    assert roles["name"].tolist() == ["parent", "youth", "community_member", "educator_ally"]
    # A category's label is the first spelling the framework gives it, or its name.
    assert roles[LABEL].tolist() == [
        "Parent or guardian",
        "Student",
        "Community member",
        "Teacher or school staff",
    ]
    # One list per scale, shared by its items.
    assert choices["list_name"].drop_duplicates().tolist() == [
        "survey_wave",
        "role_type",
        "age_band",
        "race_ethnicity",
        "language",
        "agree5",
        "confidence4",
    ]


def test_one_group_per_stop_holds_the_columns_its_indicators_read(
    framework: Framework, tmp_path: Path
) -> None:
    survey = _sheets(write_xlsform(SOURCE, tmp_path / "form.xlsx", framework=framework)[0])[
        "survey"
    ]
    groups = survey.loc[survey["type"] == "begin_group", ["name", LABEL]].values.tolist()
    assert groups == [
        ["developing_leadership", framework.stop("developing_leadership").name],
        ["building_relationships", framework.stop("building_relationships").name],
    ]
    paths = _field_paths(survey)
    # The items of the scales of each stop's indicators, worked out from the indicators.
    for stop in ("developing_leadership", "building_relationships"):
        items = {
            item
            for indicator in framework.indicators.filter(stop=stop, source=SOURCE)
            if isinstance(indicator.measure, ScaleMeasure)
            for item in indicator.measure.items
        }
        assert items
        assert {name for name, path in paths.items() if path == (stop,)} == items
    # Identifiers, the wave and questions that no indicator reads come first, ungrouped.
    assert [name for name, path in paths.items() if not path][:3] == [
        "org_id",
        "person_id",
        "survey_wave",
    ]
    assert paths["e2_community"] == ()
    assert not any(
        "e2_community" in str(i.measure.model_dump())
        for i in framework.indicators.filter(source=SOURCE)
    )


def test_settings_give_the_form_id_and_version_of_the_framework(
    framework: Framework, tmp_path: Path
) -> None:
    path = write_xlsform(SOURCE, tmp_path / "form.xlsx", framework=framework)[0]
    settings = _sheets(path)["settings"]
    assert settings.to_dict("records") == [
        {
            "form_title": framework.source(SOURCE).name,
            "form_id": f"{framework.id}-{SOURCE}",
            "version": framework.version,
            "default_language": "English (en)",
        }
    ]
    root = ET.fromstring(convert(str(path)).xform)
    instance = root.find(".//x:instance/*", XFORMS)
    assert instance is not None
    assert (instance.attrib["id"], instance.attrib["version"]) == (
        "getting_to_outcomes_2013-leadership_survey",
        "2013.1",
    )


def test_xlsform_gives_the_sheets_that_are_written(framework: Framework, tmp_path: Path) -> None:
    sheets = xlsform(SOURCE, framework)
    written = _sheets(write_xlsform(SOURCE, tmp_path / "form.xlsx", framework=framework)[0])
    for name, frame in sheets.items():
        pd.testing.assert_frame_equal(written[name], frame, check_dtype=False)


@pytest.mark.parametrize(("tool", "separator"), [("kobo", "/"), ("odk_central", "-")])
def test_exports_of_data_collected_with_the_form_keep_every_row_and_answer(
    tool: str, separator: str, clean_survey: pd.DataFrame, framework: Framework,
    tmp_path: Path
) -> None:
    """The clean survey as the tool exports it: the form's names, its group paths."""
    form = _sheets(write_xlsform(SOURCE, tmp_path / "form.xlsx", framework=framework)[0])
    paths = _field_paths(form["survey"])
    assert set(clean_survey.columns) <= set(paths)
    groups = {name: separator.join(path) for name, path in paths.items() if path}
    export = tool_export(clean_survey, tool, tmp_path / f"{tool}.csv", groups=groups)
    header = pd.read_csv(export, nrows=0).columns
    assert f"developing_leadership{separator}k1_district_decisions" in header
    if tool == "odk_central":
        assert {"SubmissionDate", "meta-instanceID", "KEY"} <= set(header)
    report = validate(export, framework, source=SOURCE)
    same_answers(report, clean_survey, framework, SOURCE)
    assert report.ok
    assert len(report.valid_rows) == len(clean_survey) == 3841
    assert reasons(report, "tool_column")["value"].astype(int).sum() > 0
