"""The package starts at once: what each entry point imports, checked in a fresh process.

``import getting_to_outcomes`` loads no heavy dependency, the command line answers
``--help`` and ``--version`` without the scientific stack, and ``gto indicators list``
without scipy or matplotlib. Each check runs in a subprocess, because this test session
has long since imported everything.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

import getting_to_outcomes

ENGINES = ["polars", "pyarrow", "duckdb", "dask", "pyspark", "narwhals"]
SCIENTIFIC = ["pandas", "numpy", "scipy", "matplotlib"]

_REPORT_MODULES = """
import json, sys
loaded = sorted({name.split(".")[0] for name in sys.modules})
print(json.dumps(loaded), file=sys.stderr)
"""


def loaded_after(code: str) -> set[str]:
    """Top-level packages imported by ``code`` run in a fresh interpreter."""
    result = subprocess.run(
        [sys.executable, "-c", f"{code}\n{_REPORT_MODULES}"],
        capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stderr
    return set(json.loads(result.stderr.strip().splitlines()[-1]))


def run_cli(*args: str) -> str:
    return (
        "from getting_to_outcomes.cli import main\n"
        "try:\n"
        f"    main({list(args)!r})\n"
        "except SystemExit as exit:\n"
        "    assert exit.code in (0, None), exit.code\n"
    )


def test_importing_the_package_loads_no_heavy_dependency() -> None:
    loaded = loaded_after("import getting_to_outcomes")
    assert not loaded & {"scipy", "matplotlib", *ENGINES}


@pytest.mark.parametrize("option", ["--help", "--version"])
def test_the_command_line_answers_help_and_version_without_the_scientific_stack(
    option: str,
) -> None:
    loaded = loaded_after(run_cli(option))
    assert not loaded & {*SCIENTIFIC, *ENGINES}


def test_listing_indicators_needs_neither_scipy_nor_matplotlib() -> None:
    loaded = loaded_after(run_cli("indicators", "list", "--format", "csv"))
    # pandas itself loads pyarrow, where installed, for its string columns.
    assert not loaded & {"scipy", "matplotlib", *ENGINES} - {"pyarrow"}


def test_every_public_name_resolves_lazily() -> None:
    code = (
        "import getting_to_outcomes as gto\n"
        "missing = [n for n in gto.__all__ if getattr(gto, n, None) is None]\n"
        "assert not missing, missing\n"
        "assert set(gto.__all__) <= set(dir(gto))\n"
    )
    assert "getting_to_outcomes" in loaded_after(code)


def test_a_stage_is_reachable_as_an_attribute_without_an_import() -> None:
    loaded = loaded_after("import getting_to_outcomes as gto\nassert gto.stats.mean_ci")
    assert "scipy" in loaded
    assert "matplotlib" not in loaded


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'scorre'"):
        getting_to_outcomes.scorre  # noqa: B018
