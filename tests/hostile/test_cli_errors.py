"""No command-line run shows a traceback unless asked (``--debug`` or ``GTO_DEBUG=1``).

Every command is given bad input: it must end with a message on stderr and the documented
exit code (1: the input has errors or a file cannot be read or written; 2: usage error;
3: an internal error), never with Python's call stack.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from getting_to_outcomes.cli import main

SOURCE = "leadership_survey"
HEADER = "org_id,person_id,wave,survey_date,role\n"


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    """Small bad files of every kind a command reads, and a file where a folder should be."""
    made = {
        "survey": tmp_path / f"{SOURCE}.csv",
        "unclosed_quote": tmp_path / "unclosed.csv",
        "binary": tmp_path / "binary.csv",
        "a_file": tmp_path / "plain.txt",
        "list_manifest": tmp_path / "folder",
        "bad_yaml": tmp_path / "bad.yaml",
        "nul_yaml": tmp_path / "nul.yaml",
    }
    made["survey"].write_text(HEADER + "CA-01,P1,pre,2024-03-01,parent\n", encoding="utf-8")
    made["unclosed_quote"].write_text('org_id,indicator_id,target\n"CA-01,x,1\n',
                                      encoding="utf-8")
    made["binary"].write_bytes(bytes(range(256)) * 4)
    made["a_file"].write_text("not a folder\n", encoding="utf-8")
    made["list_manifest"].mkdir()
    (made["list_manifest"] / "MANIFEST.json").write_text("[1, 2]", encoding="utf-8")
    (made["list_manifest"] / f"{SOURCE}.csv").write_text(
        made["survey"].read_text(encoding="utf-8"), encoding="utf-8")
    made["bad_yaml"].write_text("id: x\nname: \"a\x1bb\"\n", encoding="utf-8")
    made["nul_yaml"].write_text("id: x\nname: \"a\x00b\"\n", encoding="utf-8")
    return made


Case = Callable[[dict[str, Path]], list[str]]

# (what is wrong, arguments, exit code)
CASES: list[tuple[str, Case, int]] = [
    ("check: a path that names nothing", lambda f: ["check", str(f["a_file"]) + "-missing"], 1),
    ("check: YAML with an escape character", lambda f: ["check", str(f["bad_yaml"])], 1),
    ("check: YAML with a NUL", lambda f: ["check", str(f["nul_yaml"])], 1),
    ("indicators list: missing framework",
     lambda f: ["indicators", "list", "--framework", "/no/such/framework"], 1),
    ("indicators list: empty framework path",
     lambda f: ["indicators", "list", "--framework", ""], 2),
    ("indicators show: unknown id", lambda f: ["indicators", "show", "no_such_indicator"], 1),
    ("schema: unknown kind", lambda f: ["schema", "--kind", "nonsense"], 2),
    ("example export: unknown example",
     lambda f: ["example", "export", "no-such-example", "--out", str(f["a_file"].parent / "e")],
     1),
    ("example export: into a file",
     lambda f: ["example", "export", "--out", str(f["a_file"] / "e")], 1),
    ("example regenerate: no --out (the bundled copy is read-only)",
     lambda f: ["example", "regenerate"], 2),
    ("demo: output under a file", lambda f: ["demo", "--out", str(f["a_file"] / "d")], 1),
    ("validate: multi-character delimiter",
     lambda f: ["validate", str(f["survey"]), "--source", SOURCE, "--delimiter", ";;"], 1),
    ("validate: sheet 0",
     lambda f: ["validate", str(f["survey"]), "--source", SOURCE, "--sheet", "0"], 2),
    ("validate: binary data file",
     lambda f: ["validate", str(f["binary"]), "--source", SOURCE], 1),
    ("validate: unknown source", lambda f: ["validate", str(f["survey"]), "--source", "nope"], 2),
    ("validate: --out-valid -",
     lambda f: ["validate", str(f["survey"]), "--source", SOURCE, "--out-valid", "-"], 2),
    ("validate: --out-valid under a file",
     lambda f: ["validate", str(f["survey"]), "--source", SOURCE, "--out-valid",
                str(f["a_file"] / "valid.csv")], 1),
    ("validate: folder given as a data file",
     lambda f: ["validate", str(f["list_manifest"]), "--source", SOURCE], 2),
    ("template: output under a file",
     lambda f: ["template", SOURCE, "--out", str(f["a_file"] / "t.xlsx")], 1),
    ("template: csv output under a file",
     lambda f: ["template", SOURCE, "--format", "csv", "--out", str(f["a_file"] / "t.csv")], 1),
    ("template: xlsform output under a file",
     lambda f: ["template", SOURCE, "--format", "xlsform", "--out",
                str(f["a_file"] / "t.xlsx")], 1),
    ("template: --out -", lambda f: ["template", SOURCE, "--out", "-"], 2),
    ("score: targets with an unclosed quote",
     lambda f: ["score", str(f["survey"]), "--source", SOURCE, "--targets",
                str(f["unclosed_quote"])], 1),
    ("score: binary targets",
     lambda f: ["score", str(f["survey"]), "--source", SOURCE, "--targets", str(f["binary"])], 1),
    ("score: --out under a file",
     lambda f: ["score", str(f["survey"]), "--source", SOURCE, "--out",
                str(f["a_file"] / "s.csv")], 1),
    ("report: unknown example", lambda f: ["report", "example:nope", "--out",
                                           str(f["a_file"].parent / "r")], 1),
    ("report: binary names file",
     lambda f: ["report", str(f["survey"]), "--names", str(f["binary"]), "--out",
                str(f["a_file"].parent / "r")], 1),
    ("report: targets with an unclosed quote",
     lambda f: ["report", str(f["survey"]), "--targets", str(f["unclosed_quote"]), "--out",
                str(f["a_file"].parent / "r")], 1),
    ("report: --out -", lambda f: ["report", str(f["survey"]), "--out", "-"], 2),
    ("report: --out under a file",
     lambda f: ["report", str(f["survey"]), "--out", str(f["a_file"] / "r"), "--quiet"], 1),
]


@pytest.mark.parametrize(("args", "code"), [pytest.param(a, c, id=w) for w, a, c in CASES])
def test_bad_input_ends_in_a_message_and_an_exit_code_not_a_traceback(
    files: dict[str, Path], args: Case, code: int
) -> None:
    result = CliRunner().invoke(main, args(files))
    shown = result.output + (result.stderr if result.stderr_bytes is not None else "")
    assert "Traceback" not in shown
    # Anything but SystemExit would have been a traceback outside the test runner.
    assert result.exception is None or isinstance(result.exception, SystemExit), shown
    assert result.exit_code == code, shown
    assert shown.strip(), "the command ended without saying why"


def _gto(*args: str, env: dict[str, str] | None = None,
         **options: object) -> subprocess.CompletedProcess[str]:
    """Run gto in a new process (stdout and stderr captured unless given)."""
    environment = {**os.environ, **(env or {})}
    environment["PYTHONPATH"] = os.pathsep.join(
        [str(Path(__file__).parents[2] / "src"), environment.get("PYTHONPATH", "")])
    options.setdefault("stdout", subprocess.PIPE)
    options.setdefault("stderr", subprocess.PIPE)
    command = [sys.executable, "-c", "from getting_to_outcomes.cli import main; main()", *args]
    return subprocess.run(command, text=True, env=environment, check=False,
                          **options)  # type: ignore[call-overload]


def test_an_internal_error_has_its_own_exit_code_and_the_traceback_only_with_debug(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import getting_to_outcomes.definitions as definitions

    def broken(kind: str) -> dict[str, object]:
        raise RuntimeError("a fault inside the library")

    monkeypatch.setattr(definitions, "json_schema", broken)
    monkeypatch.setattr("getting_to_outcomes.cli._framework.json_schema", broken)
    quiet = CliRunner().invoke(main, ["schema"])
    assert quiet.exit_code == 3
    assert "Traceback" not in quiet.output
    assert "RuntimeError" in quiet.output
    assert "a fault inside the library" in quiet.output
    assert "--debug" in quiet.output
    assert "GTO_DEBUG=1" in quiet.output
    loud = CliRunner().invoke(main, ["--debug", "schema"])
    assert isinstance(loud.exception, RuntimeError)
    by_env = CliRunner().invoke(main, ["schema"], env={"GTO_DEBUG": "1"})
    assert isinstance(by_env.exception, RuntimeError)


def test_debug_shows_the_traceback_of_a_library_error_in_a_real_process() -> None:
    quiet = _gto("report", "example:nope", "--out", "never-written")
    assert (quiet.returncode, "Traceback" in quiet.stderr) == (1, False)
    assert "unknown example data set 'nope'" in quiet.stderr
    loud = _gto("--debug", "report", "example:nope", "--out", "never-written")
    assert loud.returncode == 1
    assert "Traceback" in loud.stderr
    assert "UnknownIndicatorError" in loud.stderr


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full on this system")
def test_a_full_standard_output_is_an_error_not_success() -> None:
    with open("/dev/full", "w") as full:
        done = _gto("schema", stdout=full)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert "No space left on device" in done.stderr


def test_a_closed_standard_output_is_an_error_not_success() -> None:
    done = _gto("schema", stdout=subprocess.DEVNULL, preexec_fn=lambda: os.close(1))
    assert done.returncode == 1
    assert "standard output is closed" in done.stderr


def test_the_suite_fails_a_command_line_run_that_shows_a_traceback_without_debug() -> None:
    # tests/conftest.py holds every CliRunner run of the suite to this.
    @click.command()
    @click.option("--debug", is_flag=True)
    def broken(debug: bool) -> None:
        raise RuntimeError("a fault")

    @click.command()
    def printing() -> None:
        click.echo('Traceback (most recent call last):\n  File "x.py", line 1')

    with pytest.raises(pytest.fail.Exception, match="RuntimeError: a fault"):
        CliRunner().invoke(broken, [])
    with pytest.raises(pytest.fail.Exception, match="printed a traceback"):
        CliRunner().invoke(printing, [])
    asked = CliRunner().invoke(broken, ["--debug"])
    assert isinstance(asked.exception, RuntimeError)
    by_env = CliRunner().invoke(broken, [], env={"GTO_DEBUG": "1"})
    assert isinstance(by_env.exception, RuntimeError)
