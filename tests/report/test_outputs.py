"""The files of a report: charts, tables safe to open in a spreadsheet, JSON, the manifest."""

from __future__ import annotations

import csv
import json
import xml.etree.ElementTree as ET

import openpyxl
import pytest
from PIL import Image

from getting_to_outcomes import write_report
from getting_to_outcomes.errors import ChartDataError
from getting_to_outcomes.plotting.style import new_figure
from getting_to_outcomes.reporting._data import Chart
from getting_to_outcomes.reporting._render import draw_charts, render_chart
from getting_to_outcomes.reporting._write import neutralise_formulas

from .conftest import FORMULA_NAME, SCRIPT_NAME, SECRET, make_summary


@pytest.fixture(scope="module")
def funder(framework, tmp_path_factory):
    hostile = make_summary(framework, alpha=SCRIPT_NAME, beta=FORMULA_NAME, synthetic=True)
    out = tmp_path_factory.mktemp("report") / "funder"
    return write_report(hostile, out, mode="funder")


def _all_text(files) -> str:
    parts = []
    for path in files.files:
        if path.suffix in (".html", ".csv", ".json"):
            parts.append(path.read_text(encoding="utf-8-sig"))
    return "\n".join(parts)


def test_every_chart_is_written_as_svg_with_its_text_kept_as_text(funder) -> None:
    assert funder.charts
    for key, (svg,) in funder.charts.items():
        assert svg.name == f"{key}.svg"
        root = ET.parse(svg).getroot()
        assert root.tag.endswith("svg")
        assert root.iter("{http://www.w3.org/2000/svg}text")
    assert not list((funder.out_dir / "charts").glob("*.png"))


def test_png_files_are_written_at_200_dpi_when_asked(summary, tmp_path) -> None:
    files = write_report(summary, tmp_path / "out", org="Alpha", png=True)
    assert files.charts
    for key, (png, svg) in files.charts.items():
        assert (png.name, svg.name) == (f"{key}.png", f"{key}.svg")
        image = Image.open(png)
        assert min(image.info["dpi"]) >= 199.5
        assert {png, svg} <= set(files.files)


def test_with_png_each_chart_is_drawn_once_and_saved_in_both_formats(tmp_path) -> None:
    builds = []

    def build():
        builds.append("built")
        fig = new_figure(4, 2.5)
        ax = fig.add_subplot()
        ax.plot([0, 1, 2], [3, 1, 2])
        ax.set_title("A line drawn once")
        return ax

    rendered = render_chart(Chart("line", "glance", "Line", "", build), tmp_path, 200, "svg",
                            True)
    assert builds == ["built"]
    png, svg = rendered.files
    assert (png.name, svg.name) == ("line.png", "line.svg")
    # One figure, laid out once: the PNG is the SVG's box (points) at 200 dots per inch.
    root = ET.parse(svg).getroot()
    width_pt, height_pt = (float(root.get(k).removesuffix("pt")) for k in ("width", "height"))
    with Image.open(png) as image:
        assert image.size[0] == pytest.approx(width_pt * 200 / 72, abs=1.5)
        assert image.size[1] == pytest.approx(height_pt * 200 / 72, abs=1.5)


def test_charts_drawn_by_worker_processes_are_the_charts_drawn_in_one(framework,
                                                                       tmp_path) -> None:
    summary = make_summary(framework, synthetic=True)
    # Forking is what the workers need; where it is missing both runs draw in this process.
    serial = write_report(summary, tmp_path / "serial", mode="funder", workers=1, png=True)
    pooled = write_report(summary, tmp_path / "pooled", mode="funder", workers=2, png=True)
    assert list(pooled.charts) == list(serial.charts)
    for key, paths in serial.charts.items():
        assert [p.read_bytes() for p in pooled.charts[key]] == [p.read_bytes() for p in paths]
    assert pooled.html.read_bytes() == serial.html.read_bytes()


def _small_chart():
    fig = new_figure(2, 1, layout=None)
    fig.text(0.1, 0.5, "a chart")
    return fig


@pytest.mark.parametrize("workers", [1, 2])
def test_the_tables_are_written_once_before_any_chart_comes_back(tmp_path, workers) -> None:
    charts = [Chart(f"chart_{k}", "glance", f"Chart {k}", "", _small_chart) for k in range(4)]
    events: list[str] = []
    drawn = draw_charts(charts, tmp_path, dpi=200, embed="svg", png=False, workers=workers,
                        done=lambda result: events.append(result.chart.key),
                        meanwhile=lambda: events.append("tables"))
    # With workers, the tables are written while they draw; without, before the charts.
    assert events[0] == "tables"
    assert sorted(events[1:]) == [f"chart_{k}" for k in range(4)]
    assert [d.chart.key for d in drawn] == [f"chart_{k}" for k in range(4)]
    assert all(d.rendered is not None for d in drawn)


@pytest.mark.parametrize("workers", [0, -1, 1.5, True])
def test_workers_must_be_a_whole_number_of_at_least_one(summary, tmp_path, workers) -> None:
    with pytest.raises(ChartDataError, match="workers must be a whole number"):
        write_report(summary, tmp_path / "out", org="Alpha", workers=workers)


def test_the_manifest_lists_exactly_the_files_written(funder) -> None:
    manifest = json.loads((funder.out_dir / "manifest.json").read_text())
    on_disk = sorted(str(p.relative_to(funder.out_dir)) for p in funder.out_dir.rglob("*")
                     if p.is_file())
    assert manifest["files"] == on_disk
    assert sorted(str(p.relative_to(funder.out_dir)) for p in funder.files) == on_disk


def test_csv_cells_that_a_spreadsheet_would_run_are_neutralised(funder) -> None:
    with funder.tables["indicators"].open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    groups = {row["group"] for row in rows}
    assert f"'{FORMULA_NAME}" in groups
    assert FORMULA_NAME not in groups
    # Numbers stay numbers, negative ones included.
    assert all(not row["n"].startswith("'") for row in rows)


def test_excel_cells_hold_text_not_formulas(funder) -> None:
    workbook = openpyxl.load_workbook(funder.out_dir / "tables.xlsx")
    cells = [cell for sheet in workbook.worksheets for row in sheet.iter_rows()
             for cell in row if isinstance(cell.value, str)]
    assert any(cell.value == f"'{FORMULA_NAME}" for cell in cells)
    assert all(cell.data_type != "f" for cell in cells)
    assert not any(cell.value.startswith(("=", "+", "@")) for cell in cells)


def test_the_json_is_strict_and_says_what_the_report_is(funder) -> None:
    def refuse(token: str) -> None:
        raise AssertionError(f"{token} is not JSON")

    payload = json.loads((funder.out_dir / "summary.json").read_text(),
                         parse_constant=refuse)
    assert payload["report"]["mode"] == "funder"
    assert payload["report"]["framework_version"] == "2013.1"
    assert payload["report"]["synthetic"] is True
    assert set(payload["tables"]) == set(funder.tables)


def test_a_withheld_value_is_in_no_file(funder) -> None:
    assert str(SECRET) not in _all_text(funder)
    workbook = openpyxl.load_workbook(funder.out_dir / "tables.xlsx")
    values = [cell.value for sheet in workbook.worksheets for row in sheet.iter_rows()
              for cell in row]
    assert SECRET not in values


def test_free_text_notes_stay_out_of_funder_reports(funder) -> None:
    text = _all_text(funder)
    assert "R-0042" not in text
    with funder.tables["indicators"].open(encoding="utf-8-sig") as handle:
        assert "notes" not in next(csv.reader(handle))


def test_grantee_reports_keep_their_own_notes(summary, tmp_path) -> None:
    files = write_report(summary, tmp_path / "out", org="Alpha")
    assert "R-0042" in files.tables["data_quality"].read_text(encoding="utf-8-sig")


def test_a_grantee_report_shows_no_other_grantee(summary, tmp_path) -> None:
    files = write_report(summary, tmp_path / "out", org="Alpha")
    text = _all_text(files)
    assert "Alpha" in text
    assert "Beta" not in text


def test_the_funder_report_ranks_and_checks_the_health_of_every_grantee(funder) -> None:
    with funder.tables["coverage"].open(encoding="utf-8-sig") as handle:
        coverage = list(csv.DictReader(handle))
    assert [row["group"] for row in coverage] == [SCRIPT_NAME, f"'{FORMULA_NAME}"]
    # Beta's only scored period is withheld: one cell withheld, one indicator with data.
    beta = coverage[1]
    assert (beta["cells_withheld"], beta["indicators_with_data"]) == ("1", "1")
    with funder.tables["rankings"].open(encoding="utf-8-sig") as handle:
        ranks = list(csv.DictReader(handle))
    assert [(r["group"], r["rank"]) for r in ranks] == [(SCRIPT_NAME, "1")]


def test_neutralising_leaves_ordinary_text_and_numbers_alone() -> None:
    import pandas as pd

    frame = pd.DataFrame({"name": ["Parents United", "-5 members", "@home", "+1 555 0100",
                                   "-2+3", "+1", "-0.5e3"],
                          "value": [-1.5, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0]})
    out = neutralise_formulas(frame)
    # Text that is only a number is read by a spreadsheet as that number: nothing to run.
    assert out["name"].tolist() == ["Parents United", "'-5 members", "'@home", "'+1 555 0100",
                                    "'-2+3", "+1", "-0.5e3"]
    assert out["value"].tolist() == [-1.5, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0]


def test_summaries_of_different_framework_versions_are_not_mixed(framework, tmp_path) -> None:
    old = make_summary(framework)
    new = make_summary(framework, alpha="Gamma", beta="Delta")
    new.frame["framework_version"] = "2014.1"
    with pytest.raises(ChartDataError, match="different frameworks or versions"):
        write_report([old, new], tmp_path / "out", mode="funder")


def test_several_summaries_are_reported_together(framework, tmp_path) -> None:
    first = make_summary(framework)
    second = make_summary(framework, alpha="Gamma", beta="Delta")
    files = write_report([first, second], tmp_path / "out", mode="funder")
    text = files.tables["coverage"].read_text(encoding="utf-8-sig")
    assert all(name in text for name in ("Alpha", "Beta", "Gamma", "Delta"))


def test_progress_is_reported_step_by_step(summary, tmp_path) -> None:
    calls = []
    files = write_report(summary, tmp_path / "out", org="Alpha",
                         progress=lambda done, total, label: calls.append((done, total)))
    done = [d for d, _ in calls]
    assert done == list(range(1, len(calls) + 1))
    assert calls[-1][0] == calls[-1][1] == len(files.charts) + 3


def test_charts_are_timed(summary, tmp_path) -> None:
    files = write_report(summary, tmp_path / "out", org="Alpha")
    assert set(files.timings) == set(files.charts) == set(files.cpu_timings)
    assert all(t >= 0 for t in files.timings.values())


def test_a_report_shows_no_progress_unless_asked(summary, tmp_path, capsys) -> None:
    write_report(summary, tmp_path / "out", org="Alpha")
    captured = capsys.readouterr()
    assert (captured.out, captured.err) == ("", "")


def test_progress_true_shows_a_bar_that_ends_at_the_last_step(summary, tmp_path,
                                                               capsys) -> None:
    files = write_report(summary, tmp_path / "out", org="Alpha", progress=True)
    err = capsys.readouterr().err
    steps = len(files.charts) + 3
    assert f"{steps}/{steps}" in err
    assert "100%" in err


def test_progress_must_be_a_flag_or_a_function(summary, tmp_path) -> None:
    with pytest.raises(TypeError, match="progress must be True, False, None or a function"):
        write_report(summary, tmp_path / "out", org="Alpha", progress="yes")
    assert not (tmp_path / "out").exists()
