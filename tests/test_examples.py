"""The numbered example scripts 01-04 run as a grantee would run them, and their outputs are right.

Each script runs once, as a subprocess, into its own temporary folder; the tests then read what
it printed and wrote and check it against numbers computed here from the example network's
tables with plain pandas and scipy (not through the library's scoring). The program examples
21-24 are run by ``tests/test_frameworks.py``.
"""

from __future__ import annotations

import csv
import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from getting_to_outcomes import ExampleDataset, load_example, validate

# Every example script runs as a grantee runs it: minutes, so in the full lane only.
pytestmark = pytest.mark.slow

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@dataclass(frozen=True)
class Run:
    out: Path
    stdout: str
    returncode: int


SCRIPTS = {
    "check_run": "01_check_a_survey_file.py",
    "leadership_run": "02_leadership_progress.py",
    "campaigns_run": "03_campaigns_and_wins.py",
    "funder_run": "04_funder_comparison.py",
}


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Run]:
    """Start the four scripts together (they are independent) and wait for all of them."""
    started = {}
    for name, script in SCRIPTS.items():
        out = tmp_path_factory.mktemp(script[:2]) / "out"
        process = subprocess.Popen(
            [sys.executable, str(EXAMPLES / script), str(out)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=out.parent,
            env={**os.environ, "MPLBACKEND": "Agg"},
        )
        started[name] = (out, process)
    finished = {}
    for name, (out, process) in started.items():
        stdout, stderr = process.communicate(timeout=900)
        assert process.returncode in (0, 1), f"{SCRIPTS[name]} failed:\n{stderr[-3000:]}"
        finished[name] = Run(out, stdout, process.returncode)
    return finished


@pytest.fixture(scope="module")
def network() -> ExampleDataset:
    return load_example("cper-network")


@pytest.fixture
def check_run(runs: dict[str, Run]) -> Run:
    return runs["check_run"]


@pytest.fixture
def leadership_run(runs: dict[str, Run]) -> Run:
    return runs["leadership_run"]


@pytest.fixture
def campaigns_run(runs: dict[str, Run]) -> Run:
    return runs["campaigns_run"]


@pytest.fixture
def funder_run(runs: dict[str, Run]) -> Run:
    return runs["funder_run"]


ALL_RUNS = list(SCRIPTS)


@pytest.mark.parametrize("run_name", ALL_RUNS)
def test_every_example_says_the_data_are_synthetic_and_where_it_wrote(
    run_name: str, request: pytest.FixtureRequest
) -> None:
    run: Run = request.getfixturevalue(run_name)
    assert "synthetic" in run.stdout.lower()
    assert str(run.out.resolve()) in run.stdout
    assert any(run.out.iterdir())


# --- 01: checking a survey file ---------------------------------------------------------------


def test_checking_the_messy_export_exits_1_because_it_has_errors(check_run: Run) -> None:
    issues = pd.read_csv(check_run.out / "issues.csv")
    assert (issues["severity"] == "error").any()
    assert check_run.returncode == 1
    assert "Exit status 1" in check_run.stdout


def test_checking_a_clean_file_of_your_own_exits_0(
    tmp_path: Path, network: ExampleDataset
) -> None:
    clean = network.files["leadership_survey.csv"]
    result = subprocess.run(
        [sys.executable, str(EXAMPLES / SCRIPTS["check_run"]), str(tmp_path / "out"), str(clean)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "MPLBACKEND": "Agg"},
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert "Exit status 0" in result.stdout
    valid = pd.read_csv(tmp_path / "out" / "valid_rows.csv")
    assert len(valid) == len(network.tables["leadership_survey"])


def test_every_seeded_defect_is_in_issues_csv_at_its_row(
    check_run: Run, network: ExampleDataset
) -> None:
    seeded = json.loads(network.files["seeded_defects.json"].read_text(encoding="utf-8"))
    issues = pd.read_csv(check_run.out / "issues.csv")
    for defect in seeded["leadership_survey_export_messy.csv"]:
        at_row = issues[issues["row"] == defect["row"]]
        assert set(at_row["severity"]) & {defect["severity"]}, defect
        if defect["field"] is not None:
            assert defect["field"] in set(at_row["column"]), defect


def test_kept_and_rejected_rows_add_up_to_the_non_blank_rows_of_the_file(
    check_run: Run, network: ExampleDataset
) -> None:
    with network.files["leadership_survey_export_messy.csv"].open(
        newline="", encoding="utf-8-sig"
    ) as handle:
        lines = list(csv.reader(handle))[1:]
    # Blank lines are not data rows (they are reported as warnings).
    data_rows = [line for line in lines if any(cell.strip() for cell in line)]
    valid = pd.read_csv(check_run.out / "valid_rows.csv")
    rejected = pd.read_csv(check_run.out / "rejected_rows.csv")
    errors = pd.read_csv(check_run.out / "issues.csv").query("severity == 'error'")
    assert len(valid) + len(rejected) == len(data_rows)
    assert set(rejected["row"]) == set(errors["row"].dropna().astype(int))
    assert not set(valid["row"]) & set(rejected["row"])


def test_row_files_leave_personal_columns_out(check_run: Run, network: ExampleDataset) -> None:
    personal = {c.name for c in network.framework.source("leadership_survey").columns
                if c.personal}
    assert personal  # the source declares names, e-mail addresses and phone numbers
    for name in ("valid_rows.csv", "rejected_rows.csv"):
        header = set(pd.read_csv(check_run.out / name, nrows=0).columns)
        assert not header & personal, name
    text = (check_run.out / "valid_rows.csv").read_text(encoding="utf-8")
    assert "@example.org" not in text


def test_the_valid_rows_pass_validation_again(check_run: Run) -> None:
    again = validate(check_run.out / "valid_rows.csv", source="leadership_survey")
    assert again.ok
    assert again.rows_read == len(pd.read_csv(check_run.out / "valid_rows.csv"))


# --- 02: one organization's leadership progress ------------------------------------------------


def test_the_grantee_report_is_written_and_says_synthetic(leadership_run: Run) -> None:
    report = leadership_run.out / "report" / "report.html"
    html = report.read_text(encoding="utf-8")
    assert "Harbor Valley Parent Alliance" in html
    assert "ynthetic" in html
    charts = list((leadership_run.out / "report" / "charts").glob("*.png"))
    assert charts
    assert all(path.read_bytes()[:8] == PNG_MAGIC for path in charts)


def test_ladder_movement_matches_a_count_of_the_tracking_table(
    leadership_run: Run, network: ExampleDataset
) -> None:
    tracking = network.tables["leadership_tracking"]
    ours = tracking[tracking["org_id"] == "CA-01"]
    first = ours[ours["period"] == "2023"].set_index("person_id")["leadership_level"]
    last = ours[ours["period"] == "2025"].set_index("person_id")["leadership_level"]
    both = pd.concat([first, last], axis=1, join="inner", keys=["first", "last"]).dropna()
    expected = {
        "moved_up": int((both["last"] > both["first"]).sum()),
        "no_change": int((both["last"] == both["first"]).sum()),
        "moved_down": int((both["last"] < both["first"]).sum()),
    }
    movement = pd.read_csv(leadership_run.out / "movement.csv", dtype={"period": str})
    ladder = movement[(movement["indicator_id"] == "leadership.ladder_level3plus")
                      & (movement["period"] == "2025")]
    assert dict(zip(ladder["category"], ladder["count"].astype(int), strict=True)) == expected
    steps = pd.read_csv(leadership_run.out / "ladder_steps.csv", index_col=0)
    assert int(steps.to_numpy().sum()) == len(both)


def test_reliability_matches_alpha_from_pairwise_covariances(
    leadership_run: Run, network: ExampleDataset
) -> None:
    survey = network.tables["leadership_survey"]
    items = ["k1_district_decisions", "k2_school_budget", "k3_rights"]
    pre = survey[(survey["org_id"] == "CA-01") & (survey["survey_wave"] == "pre")][items]
    pre = pre.dropna(how="all")
    # Cronbach (1951) from the pairwise-complete covariance matrix, as psych's alpha.
    cov = pre.cov().to_numpy()
    k = len(items)
    expected = k / (k - 1) * (1 - np.trace(cov) / cov.sum())
    reliability = pd.read_csv(leadership_run.out / "reliability.csv")
    row = reliability[(reliability["indicator_id"] == "leadership.knowledge_of_system")
                      & (reliability["period"] == "pre")].iloc[0]
    assert row["alpha"] == pytest.approx(expected, abs=1e-9)
    assert f"alpha {expected:.2f}" in leadership_run.stdout


def test_scores_hold_only_the_one_organization(leadership_run: Run) -> None:
    scores = pd.read_csv(leadership_run.out / "scores.csv")
    assert set(scores["group"]) == {"CA-01"}
    assert set(scores["indicator_id"].str.split(".").str[0]) <= {"leadership", "relationships"}


# --- 03: campaigns and wins ---------------------------------------------------------------------


def test_the_charts_are_png_files(campaigns_run: Run) -> None:
    for name in ("wins_pipeline.png", "public_actions_by_group.png"):
        data = (campaigns_run.out / name).read_bytes()
        assert data[:8] == PNG_MAGIC
        assert len(data) > 20_000  # a drawn chart, not an empty canvas


def test_the_pipeline_counts_every_win_of_the_last_year_once(
    campaigns_run: Run, network: ExampleDataset
) -> None:
    wins = network.tables["wins_log"]
    last_year = wins[wins["period"] == "2025"]
    pipeline = pd.read_csv(campaigns_run.out / "wins_pipeline.csv")
    pooled = pipeline[(pipeline["group"] == "network")
                      & (pipeline["indicator_id"] == "wins.progress")]
    assert pooled["count"].sum() == last_year["win_id"].nunique()
    by_status = last_year.groupby("status")["win_id"].nunique()
    assert pooled.groupby("stage")["count"].sum().to_dict() == by_status.to_dict()


def test_wins_without_evidence_are_the_seeded_ones(
    campaigns_run: Run, network: ExampleDataset
) -> None:
    seeded = json.loads(network.files["seeded_defects.json"].read_text(encoding="utf-8"))
    expected = {(d["win_id"], d["period"]) for d in seeded["wins_log.csv"]}
    gaps = pd.read_csv(campaigns_run.out / "wins_without_evidence.csv", dtype={"period": str})
    assert set(zip(gaps["win_id"], gaps["period"], strict=True)) == expected
    assert set(gaps["row"]) == {d["row"] for d in seeded["wins_log.csv"]}


def test_yearly_action_counts_are_the_rows_of_the_log(
    campaigns_run: Run, network: ExampleDataset
) -> None:
    actions = network.tables["actions_log"]
    scores = pd.read_csv(campaigns_run.out / "scores.csv", dtype={"period": str})
    pooled = scores[(scores["indicator_id"] == "action.public_actions")
                    & (scores["group"] == "network") & (scores["subgroup_dimension"] == "all")]
    assert pooled.set_index("period")["value"].to_dict() == (
        actions.groupby("period").size().astype(float).to_dict()
    )


# --- 04: the funder comparison ------------------------------------------------------------------


def test_the_funder_report_names_every_grantee(funder_run: Run, network: ExampleDataset) -> None:
    html = (funder_run.out / "report" / "report.html").read_text(encoding="utf-8")
    for name in network.orgs["name"]:
        assert name in html
    assert "ynthetic" in html


def test_funder_outputs_hold_no_personal_data(funder_run: Run, network: ExampleDataset) -> None:
    survey = network.tables["leadership_survey"]
    personal = set(survey["email"].dropna()) | set(survey["phone"].dropna())
    personal |= set(survey["respondent_name"].dropna())
    person_id = re.compile(r"\b[A-Z]{2,3}-\d{2}-P\d{3,}\b")
    for path in funder_run.out.rglob("*"):
        if path.suffix not in {".csv", ".html", ".json", ".svg"}:
            continue
        text = path.read_text(encoding="utf-8")
        assert not person_id.search(text), path
        assert not any(value in text for value in personal), path


def test_every_indicator_of_every_grantee_has_one_status(
    funder_run: Run, network: ExampleDataset
) -> None:
    statuses = pd.read_csv(funder_run.out / "statuses.csv", index_col=0)
    assert list(statuses.index) == [*network.orgs["org_id"], "network"]
    assert (statuses.sum(axis=1) == len(network.framework.indicators)).all()


def test_the_ranking_orders_the_change_and_brackets_each_rank(
    funder_run: Run, network: ExampleDataset
) -> None:
    ranking = pd.read_csv(funder_run.out / "ranking_civic_efficacy.csv")
    assert sorted(ranking["group"]) == sorted(network.orgs["org_id"])
    assert ranking["value"].is_monotonic_decreasing
    assert (ranking["rank_best"] <= ranking["rank"]).all()
    assert (ranking["rank"] <= ranking["rank_worst"]).all()
