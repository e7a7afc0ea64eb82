"""gto indicators / check / schema."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from click.testing import CliRunner

from getting_to_outcomes.cli import main

DEFINITIONS = Path(__file__).parents[1] / "data" / "definitions"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_indicators_list_json_covers_realms_zones_and_stops() -> None:
    code, out, _ = run("indicators", "list", "--format", "json")
    assert code == 0
    rows = json.loads(out)
    assert len(rows) >= 40
    assert {r["realm"] for r in rows} == {"individual", "community", "policy"}
    assert len({r["zone"] for r in rows}) == 4


def test_indicators_list_filters(minimal_framework: Path) -> None:
    code, out, _ = run(
        "indicators",
        "list",
        "--framework",
        str(minimal_framework),
        "--realm",
        "policy",
        "--format",
        "csv",
    )
    assert code == 0
    assert out.splitlines()[1].startswith("wins.adopted,")
    assert len(out.splitlines()) == 2


def test_indicators_show_prints_the_definition(minimal_framework: Path) -> None:
    code, out, _ = run(
        "indicators", "show", "base.active_share", "--framework", str(minimal_framework)
    )
    assert code == 0
    assert "Active members as a share of all members." in out
    assert "Growing the Base" in out


def test_indicators_show_unknown_id_suggests(minimal_framework: Path) -> None:
    code, _, err = run("indicators", "show", "base.active", "--framework", str(minimal_framework))
    assert code == 1
    assert "did you mean 'base.active_share'" in err


def test_check_passes_on_a_clean_framework(minimal_framework: Path) -> None:
    code, out, _ = run("check", str(minimal_framework))
    assert code == 0
    assert out.strip().endswith("0 error(s), 0 warning(s)")


def test_check_names_file_and_line_for_every_seeded_error(minimal_framework: Path) -> None:
    seeded = ["unknown_key", "wrong_type", "dangling_reference", "target_against_direction"]
    for name in seeded:
        shutil.copy(DEFINITIONS / "defects" / f"{name}.yaml", minimal_framework)
    code, out, _ = run("check", str(minimal_framework))
    assert code == 1
    error_lines = [line for line in out.splitlines() if ": error:" in line]
    assert len(error_lines) == 6
    for name in seeded:
        assert any(f"{name}.yaml:" in line for line in error_lines), name
    for line in error_lines:
        location = line.split(": error:")[0]
        file, line_number, column = location.rsplit(":", 2)
        assert Path(file).exists()
        assert int(line_number) > 0
        assert int(column) > 0


def test_check_json_output(minimal_framework: Path) -> None:
    shutil.copy(DEFINITIONS / "defects" / "unknown_key.yaml", minimal_framework)
    code, out, _ = run("check", str(minimal_framework), "--format", "json")
    assert code == 1
    (problem,) = json.loads(out)
    assert problem["field"] == "scales.0.missng"
    assert problem["line"] == 7


def test_schema_is_json_schema_of_a_definition_file() -> None:
    code, out, _ = run("schema")
    assert code == 0
    schema = json.loads(out)
    assert schema["$schema"].startswith("https://json-schema.org/")
    assert set(schema["properties"]) == {"framework", "scales", "sources", "indicators"}


def test_usage_error_exits_2() -> None:
    code, _, _ = run("indicators", "list", "--realm", "planet")
    assert code == 2


def test_published_schema_file_matches_the_models() -> None:
    # docs/schema/definition-file.schema.json is what editors point at; regenerate it
    # with `gto schema > docs/schema/definition-file.schema.json` when the models change.
    published = Path(__file__).parents[2] / "docs" / "schema" / "definition-file.schema.json"
    _, out, _ = run("schema")
    assert json.loads(published.read_text()) == json.loads(out)
