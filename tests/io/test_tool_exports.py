"""Exports of KoboToolbox, ODK Central, SurveyCTO and Ona validate with every answer kept."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from getting_to_outcomes import Framework, read_table, validate
from getting_to_outcomes.io import map_headers, tool_of
from tests.io.tool_exports import (
    FORM_META,
    KOBO_META,
    ODK_CENTRAL_META,
    ONA_META,
    SURVEYCTO_META,
    reasons,
    same_answers,
    tool_export,
)

SOURCE = "leadership_survey"
#: The metadata columns each export carries (see tool_exports.py for the layouts).
META_COUNT = {
    "kobo": len(FORM_META) + len(KOBO_META),
    "ona": len(FORM_META) + len(ONA_META),
    "odk_central": 1 + len(FORM_META) + len(ODK_CENTRAL_META),
    "surveycto": 5 + len(SURVEYCTO_META),
}


def _groups(rows: pd.DataFrame) -> dict[str, str]:
    """A group per block of questions: grp_k1 for k1_district_decisions, and so on."""
    return {name: f"grp_{name.split('_')[0]}" for name in rows.columns if name[1].isdigit()}


def _same_answers(report: object, rows: pd.DataFrame, framework: Framework) -> None:
    same_answers(report, rows, framework, SOURCE)


@pytest.mark.parametrize(
    ("tool", "suffix", "delimiter"),
    [
        ("kobo", ".csv", ";"),
        ("kobo", ".csv", ","),
        ("kobo", ".xlsx", ","),
        ("odk_central", ".csv", ","),
        ("surveycto", ".csv", ","),
        ("ona", ".csv", ","),
    ],
)
def test_an_export_validates_with_every_answer_kept(
    tool: str,
    suffix: str,
    delimiter: str,
    survey_sample: pd.DataFrame,
    framework: Framework,
    tmp_path: Path,
) -> None:
    path = tool_export(
        survey_sample,
        tool,
        tmp_path / f"export{suffix}",
        groups=_groups(survey_sample),
        delimiter=delimiter,
    )
    report = validate(path, framework, source=SOURCE)
    _same_answers(report, survey_sample, framework)
    # The tool's own columns: one note that names and counts them, never an id.
    tool_notes = reasons(report, "tool_column")
    assert tool_notes["value"].tolist() == [str(META_COUNT[tool])]
    assert report.ok


def test_kobo_id_is_never_the_person_id(survey_sample: pd.DataFrame, framework: Framework,
                                        tmp_path: Path) -> None:
    # person_id's aliases include "ID"; Kobo's _id (1, 2, 3...) is a submission number.
    rows = survey_sample.drop(columns="person_id")
    report = validate(tool_export(rows, "kobo", tmp_path / "kobo.csv"), framework, source=SOURCE)
    missing = reasons(report, "missing_column")
    assert missing["column"].tolist() == ["person_id"]
    assert not report.ok
    assert "_id" in reasons(report, "tool_column")["message"].iloc[0]


def test_kobo_labels_as_headers_with_group_labels(
    survey_sample: pd.DataFrame, framework: Framework, tmp_path: Path
) -> None:
    # "Labels" exports: the group label and the question label, joined by "/".
    source = framework.source(SOURCE)
    headers = {
        c.name: f"Section {c.name[0].upper()}/{c.question}"
        for c in source.columns
        if c.question and c.name in survey_sample.columns
    }
    path = tool_export(survey_sample, "kobo", tmp_path / "labels.xlsx", headers=headers)
    report = validate(path, framework, source=SOURCE)
    _same_answers(report, survey_sample, framework)


def test_select_multiple_in_both_layouts(
    survey_sample: pd.DataFrame, framework: Framework, tmp_path: Path
) -> None:
    answers = ["black", "latino", "asian", "white", "native", "multiracial", "other"]
    both = tool_export(
        survey_sample,
        "kobo",
        tmp_path / "both.csv",
        groups={"race_ethnicity": "grp_about"},
        options={"race_ethnicity": answers},
    )
    report = validate(both, framework, source=SOURCE)
    _same_answers(report, survey_sample, framework)
    note = reasons(report, "select_options")
    assert note["column"].tolist() == ["race_ethnicity"]
    assert note["value"].tolist() == ["7"]
    assert "read from column 'grp_about/race_ethnicity'" in note["message"].iloc[0]

    for tool in ("odk_central", "ona"):  # only the 0/1 (Ona: True/False) columns
        split = tool_export(
            survey_sample,
            tool,
            tmp_path / f"split-{tool}.csv",
            groups={"race_ethnicity": "grp_about"},
            options={"race_ethnicity": answers},
            single_column=False,
        )
        report = validate(split, framework, source=SOURCE)
        _same_answers(report, survey_sample, framework)
        assert "were read from its one-per-answer" in reasons(report, "select_options")[
            "message"
        ].iloc[0]
        # read_table gives the question its own column, as validate reads it.
        table = read_table(split, source=SOURCE)
        filled = survey_sample["race_ethnicity"].replace("", None).tolist()
        assert table["race_ethnicity"].tolist() == filled


def test_two_answers_to_a_single_answer_column_are_shown(
    framework: Framework, tmp_path: Path
) -> None:
    rows = pd.DataFrame(
        {
            "org_id": ["o1", "o1"],
            "person_id": ["P1", "P2"],
            "survey_wave": ["pre", "pre"],
            "k1_district_decisions": ["4", "5"],
            "race_ethnicity/black": ["1", "0"],
            "race_ethnicity/latino": ["1", "1"],
        }
    )
    path = tmp_path / "two.csv"
    rows.to_csv(path, index=False)
    report = validate(path, framework, source=SOURCE)
    errors = report.issues[report.issues["severity"] == "error"]
    assert errors[["row", "column", "value", "reason"]].values.tolist() == [
        [2, "race_ethnicity", "black latino", "not_allowed"]
    ]
    assert report.valid_rows.loc[3, "race_ethnicity"] == "latino"


def test_an_alias_spelled_like_a_metadata_column_stays_the_column(framework: Framework) -> None:
    # commitments_log's stage column is also exported as "Status"; ODK Central writes a
    # "Status" column too. The alias the framework declares wins, and _id stays metadata.
    fw = __import__("getting_to_outcomes").load_framework("community-schools-organizing")
    source = fw.source("commitments_log")
    mapping = map_headers([["Status"], ["_id"], ["SubmissionDate"]], source)
    assert mapping.columns == {"stage": 0}
    assert mapping.metadata == [(1, "_id"), (2, "SubmissionDate")]


def test_every_documented_metadata_column_is_known() -> None:
    for name in [*FORM_META, *KOBO_META, *ODK_CENTRAL_META, *SURVEYCTO_META, *ONA_META]:
        assert tool_of(name) is not None, name
    assert tool_of("k1_district_decisions") is None
    assert tool_of("_gps_latitude") == ("KoboToolbox", "Ona")
