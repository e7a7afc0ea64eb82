"""The funder report's data-health section shows attrition per grantee, WWC-rated."""

from __future__ import annotations

import csv

import pytest

from getting_to_outcomes import load_framework, score, write_report
from tests.scoring.conftest import FRAMEWORK_DIR, synthetic_network


@pytest.fixture(scope="module")
def summary():
    return score(synthetic_network(), load_framework(FRAMEWORK_DIR),
                 indicators=["survey.confidence"])


def test_the_funder_report_lists_attrition_in_data_health(summary, tmp_path):
    files = write_report(summary, tmp_path / "funder", mode="funder")
    with files.tables["attrition"].open(encoding="utf-8-sig") as handle:
        written = list(csv.DictReader(handle))
    expected = summary.attrition()
    assert len(written) == len(expected)
    assert {row["rating"] for row in written} <= {"low", "high", ""}
    page = (tmp_path / "funder" / "report.html").read_text(encoding="utf-8")
    assert "Attrition between baseline and follow-up" in page
    assert "What Works Clearinghouse" in page
