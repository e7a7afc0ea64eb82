"""Attacks of issue 16 that had no regression test of their own (see README.md here).

Each test gives the input the issue describes and checks that it ends in a clear, located
error or a correct result.
"""

from __future__ import annotations

import random
import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import getting_to_outcomes as gto
from getting_to_outcomes.cli import main
from getting_to_outcomes.definitions import check_framework
from getting_to_outcomes.errors import GTOError, IndicatorDefinitionError
from tests.plotting.tables import summary_frame, summary_row
from tests.scoring.conftest import FRAMEWORK_DIR


@pytest.fixture
def framework_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "framework"
    shutil.copytree(FRAMEWORK_DIR, folder)
    return folder


@pytest.fixture(scope="module")
def fw() -> gto.Framework:
    return gto.load_framework(FRAMEWORK_DIR)


SURVEY = ("org_id,person_id,wave,q1,q2,q3,q4\n"
          + "".join(f"org_a,p{i},pre,{1 + i % 5},3,4,2\n" for i in range(8)))


# --- definitions ---------------------------------------------------------------------------


def test_personal_given_twice_is_refused_with_both_lines(framework_dir: Path) -> None:
    # true then false would silently un-mark a personal column.
    sources = framework_dir / "sources.yaml"
    text = sources.read_text(encoding="utf-8")
    old = "{name: person_id, type: string, required: true}"
    assert old in text
    sources.write_text(text.replace(old, "{name: person_id, type: string, required: true,\n"
                                          "         personal: true,\n"
                                          "         personal: false}"), encoding="utf-8")
    line = text[:text.index(old)].count("\n") + 1
    with pytest.raises(IndicatorDefinitionError,
                       match=rf"the key 'personal' is given twice in one mapping \(first on "
                             rf"line {line + 1}\)") as caught:
        gto.load_framework(framework_dir)
    assert f"sources.yaml:{line + 2}:" in str(caught.value)


def test_check_framework_lists_a_missing_path_without_raising(tmp_path: Path) -> None:
    problems = check_framework(tmp_path / "no-such-framework")
    assert [p.severity for p in problems] == ["error"]
    assert "no such file or folder" in problems[0].message


def test_a_long_definition_file_without_aliases_is_not_called_an_alias_bomb(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from getting_to_outcomes.definitions import _yaml

    # The limit is lowered so that the file stays small; the rule is the same.
    monkeypatch.setattr(_yaml, "_MAX_NODES", 1_000)
    long = tmp_path / "long.yaml"
    long.write_text("scales:\n" + "".join(
        f"  - {{id: s{i}, name: n, codes: [{{code: 1, label: a}}, {{code: 2, label: b}}]}}\n"
        for i in range(100)), encoding="utf-8")
    problems = check_framework(long)
    # Counted by hand: the root mapping, 'scales' and its list (3), and per scale its
    # mapping, three keys, two values, the codes list and two mappings of five (17).
    assert "the file holds 1,703 values, more than the 1,000 a definition file may hold" \
        in problems[0].message
    assert "alias bomb" not in problems[0].message
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text("a: &a [x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a]\n"
                    "c: &c [*b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c]\n",
                    encoding="utf-8")
    assert "this looks like an alias bomb" in check_framework(bomb)[0].message


# --- data files ----------------------------------------------------------------------------


def _parquet(path: Path, column: object) -> Path:
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.table({"org_id": ["org_a"], "person_id": ["p1"], "wave": ["pre"],
                             "q1": column}), path)
    return path


@pytest.mark.parametrize(("kind", "make"), [
    ("list<element: int64>", lambda pa: pa.array([[1, 2]])),
    ("struct<x: int64>", lambda pa: pa.array([{"x": 1}])),
    ("fixed_size_list<element: int64>[2]", lambda pa: pa.array([[1, 2]],
                                                               type=pa.list_(pa.int64(), 2))),
    ("arrow.fixed_shape_tensor", lambda pa: pa.FixedShapeTensorArray.from_numpy_ndarray(
        np.ones((1, 2, 2)))),
])
def test_parquet_columns_holding_lists_records_or_arrays_are_refused_by_name(
    fw: gto.Framework, tmp_path: Path, kind: str, make: object
) -> None:
    import pyarrow as pa

    path = _parquet(tmp_path / "survey.parquet", make(pa))  # type: ignore[operator]
    with pytest.raises(GTOError, match=r"column\(s\) q1 \(.*hold lists, records or arrays") \
            as caught:
        gto.validate(path, fw, source="survey")
    assert kind in str(caught.value)
    result = CliRunner().invoke(main, ["validate", str(path), "--source", "survey",
                                       "--framework", str(FRAMEWORK_DIR)])
    assert result.exit_code == 1, result.output
    assert "hold lists, records or arrays" in result.output


@pytest.mark.skipif(not Path("/sys/kernel").is_dir(), reason="needs /sys, unwritable to all")
@pytest.mark.parametrize("command", [
    ["score", "{survey}", "--source", "survey", "--out", "/sys/gto-test/scores.csv"],
    ["score", "{survey}", "--source", "survey", "--out", "/sys/gto-test.xlsx"],
    ["validate", "{survey}", "--source", "survey", "--out-valid", "/sys/gto-valid.csv"],
    ["validate", "{survey}", "--source", "survey", "--out-valid", "/sys/gto-valid.xlsx"],
    ["template", "survey", "--out", "/sys/gto-template.xlsx"],
    ["template", "survey", "--format", "csv", "--out", "/sys/gto-template.csv"],
    ["report", "survey={survey}", "--org", "org_a", "--out", "/sys/gto-report", "--quiet"],
])
def test_an_output_that_cannot_be_written_is_a_message_and_exit_1(
    tmp_path: Path, command: list[str]
) -> None:
    survey = tmp_path / "survey.csv"
    survey.write_text(SURVEY, encoding="utf-8")
    args = [a.format(survey=survey) for a in command]
    result = CliRunner().invoke(main, [*args, "--framework", str(FRAMEWORK_DIR)])
    assert result.exit_code == 1, result.output
    assert "/sys/gto" in result.output
    assert "Permission denied" in result.output or "Operation not permitted" in result.output


# --- charts ----------------------------------------------------------------------------------


def test_a_label_of_ten_thousand_characters_keeps_the_chart_narrow() -> None:
    # It drew a chart 141,685 px wide; the label now ends in an ellipsis.
    name = "x" * 10_000
    rows = [summary_row(indicator_id="a.one", group=g, period="2024", n=30, score_0_100=s)
            for g, s in (("Alpha", 90.0), ("Long", 10.0))]
    ax = gto.plotting.plot_heatmap(summary_frame(rows), labels={"Long": name}, caption=False)
    width, height = ax.figure.get_size_inches() * ax.figure.dpi
    assert width < 2_000
    assert height < 2_000
    assert max(len(t.get_text()) for t in ax.get_yticklabels()) < 100


# --- reports --------------------------------------------------------------------------------

LEADERSHIP = "org_id,person_id,survey_wave,k1_district_decisions,k2_school_budget,k3_rights\n"


def _leadership_folder(folder: Path, orgs: list[str], people: int) -> Path:
    """A data folder with a leadership survey of ``people`` per organization, two waves."""
    folder.mkdir()
    draw = random.Random(16)
    lines = [f"{o},{o}-p{i},{w},{draw.randint(1, 5)},{draw.randint(1, 5)},{draw.randint(1, 5)}\n"
             for o in orgs for i in range(people) for w in ("pre", "post")]
    (folder / "leadership_survey.csv").write_text(LEADERSHIP + "".join(lines),
                                                  encoding="utf-8")
    return folder


def _svg_points(svg: Path) -> tuple[float, float]:
    text = svg.read_text(encoding="utf-8")
    width = re.search(r'<svg[^>]*\bwidth="([\d.]+)pt"', text)
    height = re.search(r'<svg[^>]*\bheight="([\d.]+)pt"', text)
    assert width is not None
    assert height is not None
    return float(width[1]), float(height[1])


def test_a_manifest_holding_a_list_is_read_as_saying_nothing(tmp_path: Path) -> None:
    folder = _leadership_folder(tmp_path / "data", ["CA-01"], 12)
    (folder / "MANIFEST.json").write_text("[1, 2]", encoding="utf-8")
    result = CliRunner().invoke(main, ["report", str(folder), "--org", "CA-01", "--out",
                                       str(tmp_path / "out"), "--quiet"])
    assert result.exit_code == 0, result.output
    assert "synthetic" not in (tmp_path / "out" / "report.html").read_text(
        encoding="utf-8").casefold()


def test_an_organization_name_of_32000_characters_draws_charts_of_the_usual_size(
    tmp_path: Path,
) -> None:
    # It passed validation, then the report needed 9.6 GB and 126 s.
    folder = _leadership_folder(tmp_path / "data", ["CA-01", "CA-02"], 12)
    name = "Organizing Collective " + "x" * 32_000
    (folder / "orgs.csv").write_text(f"org_id,name\nCA-01,{name}\nCA-02,Other\n",
                                     encoding="utf-8")
    result = CliRunner().invoke(main, ["report", str(folder), "--org", "CA-01", "--out",
                                       str(tmp_path / "out"), "--quiet"])
    assert result.exit_code == 0, result.output
    charts = sorted((tmp_path / "out" / "charts").glob("*.svg"))
    assert charts
    for chart in charts:
        width, height = _svg_points(chart)
        assert width < 1_500, chart.name
        assert height < 3_000, chart.name


def test_many_grantees_are_split_over_heatmaps_whose_rows_stay_readable(
    tmp_path: Path,
) -> None:
    # With 500 grantees the rows of one heatmap were 10.6 px tall; 60 show the split.
    orgs = [f"G{k:03d}" for k in range(60)]
    folder = _leadership_folder(tmp_path / "data", orgs, 6)
    result = CliRunner().invoke(main, ["report", str(folder), "--compare", "--out",
                                       str(tmp_path / "out"), "--quiet"])
    assert result.exit_code == 0, result.output
    pages = sorted((tmp_path / "out" / "charts").glob("heatmap_score_*.svg"))
    assert len(pages) == 3
    seen: set[str] = set()
    for page in pages:
        shown = set(re.findall(r"G\d{3}", page.read_text(encoding="utf-8")))
        assert len(shown) <= 25, page.name
        seen |= shown
        _, height = _svg_points(page)
        assert height / len(shown) >= 18, page.name  # points per row, labels included
    assert seen == set(orgs)


# --- still open -------------------------------------------------------------------------------


@pytest.mark.parametrize("checks", ["columns", "records"])
def test_two_cells_of_1e308_are_an_error_naming_their_rows(
    fw: gto.Framework, tmp_path: Path, checks: str
) -> None:
    # They overflowed a mean to infinity; now their rows are rejected and the rest scored.
    path = tmp_path / "actions.csv"
    path.write_text("org_id,action_id,period,turnout,members_turnout\n" + "".join(
        f"org_a,a{i},2024,{'1e308' if i < 2 else 5},1\n" for i in range(6)), encoding="utf-8")
    report = gto.validate(path, fw, source="actions", checks=checks)  # type: ignore[arg-type]
    found = report.issues[report.issues["reason"] == "too_large"]
    assert list(found["row"]) == [2, 3]
    assert set(found["column"]) == {"turnout"}
    assert set(found["severity"]) == {"error"}
    assert report.rows_valid == 4
    summary = gto.score({"actions": report}, fw, min_n=1, indicators=["actions.turnout"])
    row = summary.to_frame().query("group == 'org_a'").iloc[0]
    assert (row["n"], row["value"]) == (4, 5.0)


def test_a_number_at_the_limit_is_kept(fw: gto.Framework, tmp_path: Path) -> None:
    path = tmp_path / "actions.csv"
    path.write_text("org_id,action_id,period,turnout\norg_a,a1,2024,1e100\n",
                    encoding="utf-8")
    report = gto.validate(path, fw, source="actions")
    assert "too_large" not in set(report.issues["reason"])


def test_spss_labels_that_contradict_the_scale_are_warned_about(fw: gto.Framework,
                                                               tmp_path: Path) -> None:
    pyreadstat = pytest.importorskip("pyreadstat")
    path = tmp_path / "survey.sav"
    frame = pd.DataFrame({"org_id": ["org_a"] * 3, "person_id": ["p1", "p2", "p3"],
                          "wave": ["pre"] * 3, "q1": [1.0, 5.0, 3.0]})
    # Code 1 labelled as the other end of the scale.
    pyreadstat.write_sav(frame, str(path), variable_value_labels={
        "q1": {1.0: "Strongly agree", 5.0: "Strongly disagree"}})
    report = gto.validate(path, fw, source="survey")
    warned = report.issues[report.issues["reason"] == "value_labels"]
    assert list(warned["column"]) == ["q1"]
    assert list(warned["severity"]) == ["warning"]
    message = warned["message"].iloc[0]
    assert "1 is labelled 'Strongly agree', which the scale gives to 5" in message
    assert "5 is labelled 'Strongly disagree', which the scale gives to 1" in message
    # Read by their codes, as the warning says.
    assert sorted(report.valid_rows["q1"]) == [1, 3, 5]


def test_spss_labels_that_agree_with_the_scale_draw_no_warning(fw: gto.Framework,
                                                              tmp_path: Path) -> None:
    pyreadstat = pytest.importorskip("pyreadstat")
    path = tmp_path / "survey.sav"
    frame = pd.DataFrame({"org_id": ["org_a"] * 2, "person_id": ["p1", "p2"],
                          "wave": ["pre"] * 2, "q1": [1.0, 5.0]})
    pyreadstat.write_sav(frame, str(path), variable_value_labels={
        "q1": {1.0: "Strongly disagree", 5.0: "strongly agree"}})
    report = gto.validate(path, fw, source="survey")
    assert "value_labels" not in set(report.issues["reason"])
