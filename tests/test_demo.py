"""gto demo: the README's main command runs the whole pipeline on bundled data."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from getting_to_outcomes.cli import main

pytestmark = pytest.mark.slow


def test_demo_validates_scores_and_reports_and_can_run_again(tmp_path: Path) -> None:
    out = tmp_path / "demo-report"
    for _ in range(2):  # a second run replaces the first demo's report
        result = CliRunner().invoke(main, ["demo", "--out", str(out)])
        assert result.exit_code == 0, result.output
    assert "Zone 1: Building Power" in result.output
    assert "NOT OK: fix the errors below" in result.output
    assert result.output.strip().endswith(str((out / "report.html").resolve()))
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "Synthetic" in html or "synthetic" in html
    assert any((out / "charts").glob("*.svg"))


def test_demo_never_replaces_a_folder_it_did_not_write(tmp_path: Path) -> None:
    out = tmp_path / "someone-elses-folder"
    out.mkdir()
    (out / "notes.txt").write_text("keep me")
    result = CliRunner().invoke(main, ["demo", "--out", str(out)])
    assert result.exit_code != 0
    assert (out / "notes.txt").read_text() == "keep me"
