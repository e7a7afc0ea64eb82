"""Where a report may be written, and what each mode may show."""

from __future__ import annotations

import os

import pytest

from getting_to_outcomes import write_report
from getting_to_outcomes.errors import ChartDataError

# --- the output folder ----------------------------------------------------------------


def test_a_folder_that_is_not_empty_is_refused(summary, tmp_path) -> None:
    (tmp_path / "thesis.docx").write_text("not mine to replace")
    with pytest.raises(FileExistsError, match=r"not empty.*force=True"):
        write_report(summary, tmp_path, org="Alpha")
    assert [p.name for p in tmp_path.iterdir()] == ["thesis.docx"]


def test_a_file_in_place_of_the_folder_is_refused(summary, tmp_path) -> None:
    target = tmp_path / "report"
    target.write_text("")
    with pytest.raises(FileExistsError, match="is a file"):
        write_report(summary, target, org="Alpha")


def test_force_replaces_the_previous_report_and_keeps_other_files(summary, tmp_path) -> None:
    out = tmp_path / "out"
    first = write_report(summary, out, org="Alpha")
    (out / "notes-for-board.txt").write_text("mine")
    stale = out / "charts" / "old_chart.png"
    stale.write_bytes(b"")
    # A chart that an earlier report made but this one does not is removed only because the
    # earlier report's manifest lists it.
    manifest = (out / "manifest.json").read_text()
    (out / "manifest.json").write_text(manifest.replace('"files": [', '"files": [\n'
                                                        '    "charts/old_chart.png",', 1))
    second = write_report(summary, out, org="Alpha", force=True)
    assert not stale.exists()
    assert (out / "notes-for-board.txt").read_text() == "mine"
    assert sorted(second.charts) == sorted(first.charts)


def test_no_temporary_file_is_left_behind(summary, tmp_path) -> None:
    files = write_report(summary, tmp_path / "out", org="Alpha")
    leftovers = [p for p in files.out_dir.rglob("*") if p.name.startswith(".")]
    assert leftovers == []


def test_report_files_are_readable_by_others_as_usual(summary, tmp_path) -> None:
    mask = os.umask(0)
    os.umask(mask)
    files = write_report(summary, tmp_path / "out", org="Alpha")
    assert files.html.stat().st_mode & 0o777 == 0o666 & ~mask


# --- modes and choices ---------------------------------------------------------------


def test_a_summary_of_several_organizations_needs_a_choice(summary, tmp_path) -> None:
    with pytest.raises(ChartDataError, match=r"org=\.\.\. \(--org\).*--compare"):
        write_report(summary, tmp_path / "out")


def test_an_unknown_organization_suggests_the_closest(summary, tmp_path) -> None:
    with pytest.raises(ChartDataError, match="did you mean 'Alpha'"):
        write_report(summary, tmp_path / "out", org="Alfa")


def test_a_funder_report_of_people_is_refused(summary, framework, tmp_path) -> None:
    person = framework.source("leadership_survey").id_column
    summary.group_by = person
    with pytest.raises(ChartDataError, match="identifies people"):
        write_report(summary, tmp_path / "out", mode="funder")


@pytest.mark.parametrize(("option", "value", "message"), [
    ("mode", "board", "mode must be"),
    ("dpi", 96, "at least 200"),
    ("embed", "jpeg", "embed must be"),
])
def test_bad_options_are_refused_before_anything_is_written(summary, tmp_path, option, value,
                                                            message) -> None:
    with pytest.raises(ChartDataError, match=message):
        write_report(summary, tmp_path / "out", org="Alpha", **{option: value})
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_labels_replace_group_ids_everywhere(summary, tmp_path) -> None:
    files = write_report(summary, tmp_path / "out", org="Alpha",
                         labels={"Alpha": "Harbor Valley Parent Alliance"})
    assert "Harbor Valley Parent Alliance: progress report" in files.html.read_text()


def test_notes_given_by_the_caller_appear_in_the_report(summary, tmp_path) -> None:
    note = "leadership_survey: 4 of 120 rows failed validation and were left out."
    files = write_report(summary, tmp_path / "out", org="Alpha", notes=[note])
    assert note in files.html.read_text()
    assert note in (files.out_dir / "summary.json").read_text()
