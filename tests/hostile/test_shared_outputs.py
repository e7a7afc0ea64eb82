"""Nothing made to be shared names the folder the data came from or its other files.

The data sit in a folder named like a home folder, beside a file that has nothing to do
with the report. A report, its summary.json, datapackage.json and manifest.json, and the
valid rows and scores with their descriptors, are searched for both names.
"""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from getting_to_outcomes import load_example
from getting_to_outcomes.cli import main

SOURCE = "org_capacity"
HOME = "jane-q-private-9f3a"
UNRELATED = "custody-hearing-notes.docx"


def _run(*args: str) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code in (0, 1), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.output


def _text_of_every_file(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): p.read_bytes().decode("utf-8", "replace")
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_shared_outputs_name_no_input_folder_and_no_unrelated_file(tmp_path: Path) -> None:
    data = tmp_path / "home" / HOME / "survey"
    data.mkdir(parents=True)
    table = load_example("cper-network").tables[SOURCE]
    table.loc[0, "members_total"] = -5  # one rejected row: the report says how to list it
    table.to_csv(data / f"{SOURCE}.csv", index=False)
    (data / UNRELATED).write_text("private", encoding="utf-8")
    shared = tmp_path / "shared"
    said = _run("report", str(data), "--compare", "--quiet", "--out", str(shared / "report"))
    _run("validate", str(data / f"{SOURCE}.csv"), "--source", SOURCE,
         "--out-valid", str(shared / "valid.csv"))
    _run("score", str(data / f"{SOURCE}.csv"), "--source", SOURCE,
         "--out", str(shared / "scores.json"))
    files = _text_of_every_file(shared)
    assert {"report/report.html", "report/summary.json", "report/datapackage.json",
            "report/manifest.json", "valid.csv", "valid.datapackage.json",
            "scores.json"} <= set(files)
    for name, text in files.items():
        assert HOME not in text, f"{name} names the input folder"
        assert UNRELATED not in text, f"{name} names an unrelated file"
        assert str(tmp_path) not in text, f"{name} holds an absolute path"
    # The report still says which file to check, by its name, and that one file was not
    # read; the person running the command is told which.
    assert f"gto validate {SOURCE}.csv --source {SOURCE}" in files["report/report.html"]
    assert "1 other file in the data folder was not read" in files["report/summary.json"]
    assert UNRELATED in said
