"""``gto report``: files in, a report folder out, clear messages, quiet off a terminal."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from getting_to_outcomes import load_example
from getting_to_outcomes.cli import main

ORGS = ["CA-01", "CHI-01", "PA-01"]


@pytest.fixture(scope="module")
def data_folder(tmp_path_factory):
    """Decision-maker contacts of three organizations of the bundled synthetic example, as a
    grantee would hand them over: one CSV named after its data source, and their names."""
    example = load_example("cper-network")
    folder = tmp_path_factory.mktemp("data")
    contacts = example.tables["contacts_log"]
    contacts[contacts["org_id"].isin(ORGS)].to_csv(folder / "contacts_log.csv", index=False)
    orgs = example.orgs[example.orgs["org_id"].isin(ORGS)]
    orgs.to_csv(folder / "orgs.csv", index=False)
    (folder / "minutes.docx").write_bytes(b"")
    return folder


def _run(*args: str):
    return CliRunner().invoke(main, ["report", *args], catch_exceptions=False)


@pytest.fixture(scope="module")
def grantee_run(data_folder, tmp_path_factory):
    out = tmp_path_factory.mktemp("grantee") / "out"
    return _run(str(data_folder), "--org", "CA-01", "--out", str(out)), out


@pytest.fixture(scope="module")
def funder_run(data_folder, tmp_path_factory):
    out = tmp_path_factory.mktemp("funder") / "out"
    return _run(str(data_folder), "--compare", "--out", str(out)), out


def test_a_grantee_report_from_a_folder(grantee_run) -> None:
    result, out = grantee_run
    assert result.exit_code == 0, result.output
    html = (out / "report.html").read_text()
    assert "Harbor Valley Parent Alliance: progress report" in html
    assert f"Wrote {out / 'report.html'}" in result.output
    # Files that are not data of a source are not silently ignored: counted in the report
    # (which is shared, so it does not name them), named to the person running it.
    assert "1 other file in the data folder was not read" in html
    assert "minutes.docx" not in html
    assert "minutes.docx" in result.stderr


def test_indicators_without_data_are_listed_not_charted(grantee_run) -> None:
    _, out = grantee_run
    quality = (out / "tables" / "data_quality.csv").read_text(encoding="utf-8-sig")
    assert "leadership.knowledge_of_system" in quality
    assert "no data" in quality
    charted = (out / "tables" / "indicators.csv").read_text(encoding="utf-8-sig")
    assert "leadership.knowledge_of_system" not in charted


def test_a_funder_report_with_compare(funder_run) -> None:
    result, out = funder_run
    assert result.exit_code == 0, result.output
    html = (out / "report.html").read_text()
    assert "Funder report" in html
    for name in ("Harbor Valley", "Lakeshore", "Schuylkill"):
        assert name in html


def test_off_a_terminal_each_step_is_one_plain_line_on_standard_error(funder_run) -> None:
    result, out = funder_run
    assert "\r" not in result.output
    lines = result.stderr.splitlines()
    assert lines[0] == "[0/2] validating contacts_log"
    assert lines[1] == "[1/2] scoring"
    report = [line for line in lines if "report:" in line]
    charts = sorted(p.stem for p in (out / "charts").iterdir())
    # One line per chart drawn, then the tables, summary.json and report.html.
    assert len(report) == len(charts) + 3
    assert report[-1] == f"[{len(report)}/{len(report)}] report: report.html"
    assert sorted(line.split("report: ")[1] for line in report[:-3]) == charts
    assert "[" not in result.stdout


def test_quiet_prints_no_progress(data_folder, tmp_path) -> None:
    result = _run(str(data_folder), "--compare", "--quiet", "--out", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    assert "report:" not in result.stderr
    assert "scoring" not in result.stderr


def test_a_folder_that_is_not_empty_is_refused_before_any_work(data_folder, tmp_path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("x")
    refused = _run(str(data_folder), "--org", "CA-01", "--out", str(out))
    assert refused.exit_code == 1
    assert "not empty" in refused.output
    assert "--force" in refused.output
    assert [p.name for p in out.iterdir()] == ["keep.txt"]


def test_force_writes_into_a_folder_that_is_not_empty(data_folder, tmp_path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("x")
    forced = _run(str(data_folder), "--org", "PA-01", "--out", str(out), "--force")
    assert forced.exit_code == 0, forced.output
    assert (out / "keep.txt").exists()
    assert (out / "report.html").exists()


def test_several_organizations_without_org_or_compare_is_explained(data_folder,
                                                                   tmp_path) -> None:
    result = _run(str(data_folder), "--out", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert "--org" in result.output
    assert "--compare" in result.output


def test_a_file_not_named_after_a_source_is_explained(data_folder, tmp_path) -> None:
    odd = tmp_path / "export.csv"
    odd.write_text((data_folder / "contacts_log.csv").read_text())
    result = _run(str(odd), "--out", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert "SOURCE=" in result.output
    assert "contacts_log" in result.output


def test_source_equals_file_names_the_source(data_folder, tmp_path) -> None:
    odd = tmp_path / "export.csv"
    odd.write_text((data_folder / "contacts_log.csv").read_text())
    result = _run(f"contacts_log={odd}", "--org", "PA-01", "--out", str(tmp_path / "out"),
                  "--quiet")
    assert result.exit_code == 0, result.output
    assert "PA-01: progress report" in (tmp_path / "out" / "report.html").read_text()


def test_a_missing_file_is_named(tmp_path) -> None:
    result = _run(str(tmp_path / "nowhere.csv"), "--out", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert "nowhere.csv: no such file or folder" in result.output


def test_the_command_is_listed_in_the_help() -> None:
    result = CliRunner().invoke(main, ["--help"])
    assert "report" in result.output
