"""Reporting: the grantee and funder reports (HTML page, chart images, table files)."""

from getting_to_outcomes.reporting._pdf import check_pdf_engine
from getting_to_outcomes.reporting._write import ReportFiles, neutralise_formulas, write_report

__all__ = ["ReportFiles", "check_pdf_engine", "neutralise_formulas", "write_report"]
