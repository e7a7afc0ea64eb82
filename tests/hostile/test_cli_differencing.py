"""Differencing attacks on what ``gto score --by`` and ``gto report --by`` write.

The attacker of ``tests/scoring/test_differencing.py`` (written independently of the
library: a span test over the finest crossing of everything published) is turned on the
files the command line writes. Two separate runs with different groupings give a withheld
organization back; one run with ``--by org_id,region`` gives nothing back, in every file.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml
from click.testing import CliRunner, Result

from getting_to_outcomes import Framework, load_framework
from getting_to_outcomes.cli import main
from tests.scoring.conftest import FRAMEWORK_DIR
from tests.scoring.test_differencing import IND, NESTED, recoverable, shown_and_hidden, truth_of


@pytest.fixture(scope="module")
def framework_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The scoring test framework, its survey also recording each person's region."""
    folder = tmp_path_factory.mktemp("framework") / "fw"
    shutil.copytree(FRAMEWORK_DIR, folder)
    sources_file = folder / "sources.yaml"
    sources = yaml.safe_load(sources_file.read_text(encoding="utf-8"))
    survey = next(s for s in sources["sources"] if s["id"] == "survey")
    survey["columns"].append({"name": "region", "type": "string"})
    sources_file.write_text(yaml.safe_dump(sources, sort_keys=False), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def fw(framework_dir: Path) -> Framework:
    return load_framework(framework_dir)


@pytest.fixture(scope="module")
def survey_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Region north holds the small organization A and C; region south B, D and E."""
    path = tmp_path_factory.mktemp("data") / "survey.csv"
    NESTED.to_csv(path, index=False)
    return path


def _score(framework_dir: Path, survey_file: Path, *args: str) -> Result:
    result = CliRunner().invoke(main, ["score", str(survey_file), "--source", "survey",
                                       "--min-n", "5", "--framework", str(framework_dir),
                                       *args])
    assert result.exit_code == 0, result.output
    return result


def _published(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """The cells of the one indicator the attacker models, from every table written."""
    parts = []
    for grouping, table in tables.items():
        mine = table[table["indicator_id"] == IND].astype(
            {"group": str, "period": str, "subgroup": str})
        parts.append(shown_and_hidden(mine, grouping))
    return pd.concat(parts, ignore_index=True)


def test_two_separate_runs_with_different_groupings_can_be_differenced(
    framework_dir: Path, survey_file: Path, fw: Framework, tmp_path: Path
) -> None:
    # The attack works on the files: this is what --by with several columns prevents.
    tables = {}
    for column in ("org_id", "region"):
        out = tmp_path / f"{column}.csv"
        _score(framework_dir, survey_file, "--by", column, "--out", str(out))
        tables[column] = pd.read_csv(out)
    truth = truth_of(NESTED, fw, ["org_id", "region"])
    found = recoverable(NESTED, _published(tables), ["org_id", "region"], truth)
    assert any("'A'" in f for f in found), found


def test_one_run_by_two_columns_writes_a_file_per_column_and_nothing_can_be_recovered(
    framework_dir: Path, survey_file: Path, fw: Framework, tmp_path: Path
) -> None:
    out = tmp_path / "scores.csv"
    result = _score(framework_dir, survey_file, "--by", "org_id,region", "--out", str(out))
    written = {c: tmp_path / f"scores-{c}.csv" for c in ("org_id", "region")}
    assert sorted(tmp_path.iterdir()) == sorted(written.values())
    assert f"wrote {written['org_id']} (by org_id, withheld jointly with region)" \
        in result.output
    tables = {c: pd.read_csv(p) for c, p in written.items()}
    assert set(tables["org_id"]["group"]) == {"A", "B", "C", "D", "E", "network"}
    assert set(tables["region"]["group"]) == {"north", "south", "network"}
    whole = tables["org_id"].query("indicator_id == @IND and subgroup_dimension == 'all'")
    assert whole.set_index("group").loc["A", "suppressed"]
    truth = truth_of(NESTED, fw, ["org_id", "region"])
    assert recoverable(NESTED, _published(tables), ["org_id", "region"], truth) == []


@pytest.mark.parametrize("suffix", [".json", ".xlsx"])
def test_every_output_format_of_a_joint_run_keeps_the_joint_suppression(
    framework_dir: Path, survey_file: Path, fw: Framework, tmp_path: Path, suffix: str
) -> None:
    out = tmp_path / f"scores{suffix}"
    _score(framework_dir, survey_file, "--by", "org_id,region", "--out", str(out))
    tables = {}
    for column in ("org_id", "region"):
        path = tmp_path / f"scores-{column}{suffix}"
        if suffix == ".json":
            payload = json.loads(path.read_text(encoding="utf-8"))
            assert payload["options"]["group_by"] == column
            tables[column] = pd.DataFrame(payload["indicators"])
        else:
            tables[column] = pd.read_excel(path, sheet_name="indicators")
    truth = truth_of(NESTED, fw, ["org_id", "region"])
    assert recoverable(NESTED, _published(tables), ["org_id", "region"], truth) == []


def test_a_joint_run_printed_as_csv_or_json_names_each_rows_grouping(
    framework_dir: Path, survey_file: Path, fw: Framework
) -> None:
    import io

    printed = _score(framework_dir, survey_file, "--by", "org_id,region", "--format", "csv")
    table = pd.read_csv(io.StringIO(printed.stdout))
    assert table.columns[0] == "grouping"
    tables = {c: part for c, part in table.groupby("grouping")}
    truth = truth_of(NESTED, fw, ["org_id", "region"])
    assert recoverable(NESTED, _published(tables), ["org_id", "region"], truth) == []
    as_json = json.loads(_score(framework_dir, survey_file, "--by", "org_id,region",
                                "--format", "json").stdout)
    assert as_json["groupings"] == ["org_id", "region"]
    tables = {c: pd.DataFrame(s["indicators"]) for c, s in as_json["summaries"].items()}
    assert recoverable(NESTED, _published(tables), ["org_id", "region"], truth) == []


def test_a_joint_run_printed_as_a_table_shows_each_grouping_under_its_heading(
    framework_dir: Path, survey_file: Path
) -> None:
    shown = _score(framework_dir, survey_file, "--by", "org_id,region").stdout
    assert "By org_id (small groups withheld jointly with region):" in shown
    assert "By region (small groups withheld jointly with org_id):" in shown
    assert shown.index("By org_id") < shown.index("By region")


@pytest.mark.parametrize(("by", "said"), [
    ("org_id,", "a column name is empty"),
    ("org_id,org_id", "names org_id more than once"),
    ("none,region", "'none' (one group) cannot be combined with columns"),
])
def test_a_malformed_by_is_a_usage_error(
    framework_dir: Path, survey_file: Path, by: str, said: str
) -> None:
    result = CliRunner().invoke(main, ["score", str(survey_file), "--source", "survey",
                                       "--framework", str(framework_dir), "--by", by])
    assert result.exit_code == 2, result.output
    assert said in result.output


def test_the_report_by_two_columns_writes_a_funder_report_per_column_withheld_jointly(
    framework_dir: Path, survey_file: Path, fw: Framework, tmp_path: Path
) -> None:
    out = tmp_path / "reports"
    result = CliRunner().invoke(main, [
        "report", f"survey={survey_file}", "--framework", str(framework_dir), "--compare",
        "--by", "org_id,region", "--out", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["org_id", "region"]
    tables = {}
    for column in ("org_id", "region"):
        assert (out / column / "report.html").is_file()
        summary = json.loads((out / column / "summary.json").read_text(encoding="utf-8"))
        table = pd.DataFrame(summary["tables"]["indicators"])
        # The report's table holds whole groups only, one row per group, indicator, period.
        assert not table.duplicated(["group", "indicator_id", "period"]).any()
        tables[column] = table.assign(subgroup_dimension="all", subgroup="all")
    assert set(tables["region"]["group"]) == {"north", "south", "network"}
    small = tables["org_id"].query("indicator_id == @IND and group == 'A'")
    assert small["suppressed"].all()
    # The indicators' own min_n (3) applies: the attack is run on what the reports show.
    truth = truth_of(NESTED, fw, ["org_id", "region"])
    assert recoverable(NESTED, _published(tables), ["org_id", "region"], truth) == []


def test_a_grantee_report_by_two_columns_is_a_usage_error(
    framework_dir: Path, survey_file: Path, tmp_path: Path
) -> None:
    result = CliRunner().invoke(main, [
        "report", f"survey={survey_file}", "--framework", str(framework_dir), "--org", "A",
        "--by", "org_id,region", "--out", str(tmp_path / "r"), "--quiet"])
    assert result.exit_code == 2, result.output
    assert "--compare" in result.output
    assert not (tmp_path / "r").exists()
