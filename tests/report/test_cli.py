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


def test_a_grantee_report_from_a_folder(data_folder, tmp_path) -> None:
    result = _run(str(data_folder), "--org", "CA-01", "--out", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    html = (tmp_path / "out" / "report.html").read_text()
    assert "Harbor Valley Parent Alliance: progress report" in html
    assert "Wrote" in result.output
    assert "report.html" in result.output
    # Files that are not data of a source are named, not silently ignored.
    assert "minutes.docx" in html


def test_a_funder_report_with_compare(data_folder, tmp_path) -> None:
    result = _run(str(data_folder), "--compare", "--out", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    html = (tmp_path / "out" / "report.html").read_text()
    assert "Funder report" in html
    for name in ("Harbor Valley", "Lakeshore", "Schuylkill"):
        assert name in html


def test_no_progress_bar_when_not_on_a_terminal(data_folder, tmp_path) -> None:
    result = _run(str(data_folder), "--compare", "--out", str(tmp_path / "out"))
    assert "\r" not in result.output
    assert "step" not in result.output


def test_a_folder_that_is_not_empty_needs_force(data_folder, tmp_path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("x")
    refused = _run(str(data_folder), "--org", "CA-01", "--out", str(out))
    assert refused.exit_code == 1
    assert "not empty" in refused.output
    assert "--force" in refused.output
    forced = _run(str(data_folder), "--org", "CA-01", "--out", str(out), "--force")
    assert forced.exit_code == 0, forced.output
    assert (out / "keep.txt").exists()


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
    result = _run(f"contacts_log={odd}", "--org", "PA-01", "--out", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output


def test_a_missing_file_is_named(tmp_path) -> None:
    result = _run(str(tmp_path / "nowhere.csv"), "--out", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert "nowhere.csv: no such file or folder" in result.output


def test_the_command_is_listed_in_the_help() -> None:
    result = CliRunner().invoke(main, ["--help"])
    assert "report" in result.output
