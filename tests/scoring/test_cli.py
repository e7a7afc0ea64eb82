"""``gto score``: files in, progress out, as a table, JSON or CSV, never revealing small groups."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from getting_to_outcomes.cli import main

from .conftest import FRAMEWORK_DIR, synthetic_network


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("score")
    network = synthetic_network(n_orgs=3, people=12)
    survey = folder / "survey.csv"
    network["survey"].to_csv(survey, index=False)
    targets = folder / "targets.csv"
    pd.DataFrame({"org_id": ["org_01"], "indicator_id": ["survey.confidence"],
                  "baseline": [2.5], "target": [4.0], "period": ["post"]}).to_csv(
        targets, index=False)
    return {"survey": survey, "targets": targets}


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["score", *args, "--framework", str(FRAMEWORK_DIR)])
    return result.exit_code, result.stdout, result.stderr


def test_score_prints_a_summary_and_the_current_values(files: dict[str, Path]) -> None:
    code, out, _ = run(str(files["survey"]), "--source", "survey")
    assert code == 0, out
    assert "Progress summary: Scoring test framework" in out
    assert "survey.confidence" in out
    assert "network" in out
    assert "withheld (small group)" in out  # org_00 surveyed 2 people


def test_score_as_json_has_indicators_and_roll_ups(files: dict[str, Path]) -> None:
    code, out, _ = run(str(files["survey"]), "--source", "survey", "--format", "json",
                       "--targets", str(files["targets"]), "--baseline", "pre",
                       "--current", "mid")
    assert code == 0
    data = json.loads(out)
    assert data["periods"] == {"survey": ["pre", "mid"]}
    assert {"indicators", "by_stop", "by_zone", "by_realm", "options"} <= set(data)
    withheld = [r for r in data["indicators"] if r["suppressed"]]
    assert withheld
    assert all(r["value"] is None for r in withheld)
    assert all(r["n"] is None for r in withheld)
    mine = [r for r in data["indicators"] if r["group"] == "org_01" and r["period"] == "mid"
            and r["subgroup"] == "all" and r["indicator_id"] == "survey.confidence"]
    assert mine[0]["target"] == 4.0


def test_score_writes_csv_to_a_file(files: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "summary.csv"
    code, text, _ = run(str(files["survey"]), "--source", "survey", "--format", "csv",
                        "--out", str(out), "--by", "none")
    assert code == 0
    assert f"wrote {out}" in text
    table = pd.read_csv(out)
    assert set(table["group"]) == {"all"}


def test_an_unknown_source_is_a_usage_error(files: dict[str, Path]) -> None:
    code, _, err = run(str(files["survey"]), "--source", "surveys")
    assert code == 2
    assert "did you mean 'survey'" in err


def test_an_unknown_grouping_column_fails_with_the_reason(files: dict[str, Path]) -> None:
    code, _, err = run(str(files["survey"]), "--source", "survey", "--by", "region")
    assert code == 1
    assert "cannot group source 'survey' by 'region'" in err


def test_the_output_never_overwrites_an_input(files: dict[str, Path]) -> None:
    code, _, err = run(str(files["survey"]), "--source", "survey", "--out",
                       str(files["survey"]))
    assert code == 2
    assert "is one of the input files" in err
