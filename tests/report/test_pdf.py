"""A report printed to PDF: headless Chromium where installed, else WeasyPrint, else a clear
refusal before any work."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from getting_to_outcomes import write_report
from getting_to_outcomes.cli import main
from getting_to_outcomes.errors import ReportPdfError

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def _pages(pdf: Path) -> int:
    pypdf = pytest.importorskip("pypdf", reason="pypdf is not installed (pip install -e "
                                "'.[dev]')")
    return len(pypdf.PdfReader(pdf).pages)


def _without_chromium(monkeypatch, tmp_path: Path) -> None:
    """No Chromium on PATH, and none named by GTO_CHROMIUM."""
    empty = tmp_path / "no-programs"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    monkeypatch.delenv("GTO_CHROMIUM", raising=False)


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (Debian: apt-get "
                    "install chromium; .ci/run does it)")
def test_chromium_prints_the_report_to_a_pdf_listed_with_its_files(summary, tmp_path) -> None:
    files = write_report(summary, tmp_path / "out", org="Alpha", pdf=True)
    pdf = files.out_dir / "report.pdf"
    assert pdf.read_bytes()[:5] == b"%PDF-"
    assert _pages(pdf) >= 1
    assert pdf in files.files
    manifest = json.loads((files.out_dir / "manifest.json").read_text())
    assert "report.pdf" in manifest["files"]


def test_weasyprint_prints_it_where_there_is_no_chromium(summary, tmp_path,
                                                          monkeypatch) -> None:
    pytest.importorskip("weasyprint", reason="WeasyPrint is not installed (pip install "
                        "'getting-to-outcomes[pdf]')", exc_type=ImportError)
    _without_chromium(monkeypatch, tmp_path)
    files = write_report(summary, tmp_path / "out", org="Alpha", pdf=True)
    pdf = files.out_dir / "report.pdf"
    assert pdf.read_bytes()[:5] == b"%PDF-"
    assert _pages(pdf) >= 1


def test_neither_installed_is_refused_before_any_work(summary, tmp_path,
                                                      monkeypatch) -> None:
    _without_chromium(monkeypatch, tmp_path)
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # import weasyprint fails
    with pytest.raises(ReportPdfError) as raised:
        write_report(summary, tmp_path / "out", org="Alpha", pdf=True)
    message = str(raised.value)
    assert "Chromium or WeasyPrint is needed" in message
    assert "apt-get install chromium" in message
    assert "getting-to-outcomes[pdf]" in message
    assert not (tmp_path / "out").exists()


def test_the_command_line_refuses_pdf_without_an_engine_before_scoring(
        tmp_path, monkeypatch) -> None:
    _without_chromium(monkeypatch, tmp_path)
    monkeypatch.setitem(sys.modules, "weasyprint", None)
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["report", "example:cper-network", "--compare", "--pdf",
                                       "--quiet", "--out", str(out)])
    assert result.exit_code == 1
    assert "Chromium or WeasyPrint is needed" in result.output
    assert "Traceback" not in result.output
    assert not out.exists()


@pytest.mark.skipif(sys.platform == "win32", reason="the stand-in browser is a shell script")
def test_a_chromium_that_fails_is_quoted(summary, tmp_path, monkeypatch) -> None:
    broken = tmp_path / "broken-chromium"
    broken.write_text("#!/bin/sh\necho 'cannot open display :99' >&2\nexit 3\n")
    broken.chmod(0o755)
    monkeypatch.setenv("GTO_CHROMIUM", str(broken))
    with pytest.raises(ReportPdfError, match=r"exit status 3\): cannot open display :99"):
        write_report(summary, tmp_path / "out", org="Alpha", pdf=True)


def test_a_gto_chromium_that_is_no_program_is_named(summary, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("GTO_CHROMIUM", str(tmp_path / "nowhere" / "chrome"))
    with pytest.raises(ReportPdfError, match=r"GTO_CHROMIUM is .*not a program"):
        write_report(summary, tmp_path / "out", org="Alpha", pdf=True)
