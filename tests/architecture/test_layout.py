"""The package's shape: stages as folders, contracts kept, nothing private crossing stages.

The layer, private-module and cycle contracts live in ``pyproject.toml`` and are checked by
import-linter; the rule about private *names* (which import-linter does not see) is checked
here by reading every import statement, those inside functions included.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import getting_to_outcomes

PACKAGE = Path(getting_to_outcomes.__file__).parent
ROOT_MODULE_LIMIT = 8
#: The seam, raw rows -> sufficient statistics, written once (docs/architecture.md): what each
#: measure kind contributes per row, how rows become tables, and how any engine feeds them.
SEAM_MODULES = ("scoring/_measures.py", "scoring/_aggregate.py", "scoring/_seam.py")
SEAM_LINE_LIMIT = 1400


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _stage(module: str) -> str:
    """The stage a module belongs to: its first package below the root (or the root)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 2 or (len(parts) == 2 and (PACKAGE / parts[1]).is_dir()) \
        else parts[0]


def _imports(path: Path) -> list[tuple[int, str, list[str]]]:
    """(line, module imported from, names) of every ``from ... import`` in a file."""
    found = []
    module = _module_name(path)
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module is not None:
            origin = node.module
            if node.level:
                base = module.split(".")
                if path.name != "__init__.py":
                    base = base[:-1]
                origin = ".".join([*base[: len(base) - node.level + 1], node.module])
            found.append((node.lineno, origin, [alias.name for alias in node.names]))
    return found


def test_no_private_name_is_imported_from_another_stage() -> None:
    crossing = []
    for path in sorted(PACKAGE.rglob("*.py")):
        here = _stage(_module_name(path))
        for line, origin, names in _imports(path):
            if not origin.startswith("getting_to_outcomes") or _stage(origin) == here:
                continue
            if origin.count(".") == 1 and not (PACKAGE / origin.split(".")[1]).is_dir():
                continue  # modules at the root serve every stage
            private = [n for n in names if n.startswith("_") and not n.startswith("__")]
            if private:
                crossing.append(f"{path.relative_to(PACKAGE)}:{line} {origin} {private}")
    assert not crossing, "\n".join(crossing)


def test_few_modules_lie_loose_at_the_root() -> None:
    loose = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert len(loose) <= ROOT_MODULE_LIMIT, loose


def test_the_seam_is_written_once_and_stays_small() -> None:
    lines = {name: len((PACKAGE / name).read_text().splitlines()) for name in SEAM_MODULES}
    assert sum(lines.values()) < SEAM_LINE_LIMIT, lines


def test_import_contracts_are_kept() -> None:
    cli = pytest.importorskip("importlinter.cli")
    config = PACKAGE.parents[1] / "pyproject.toml"
    if not config.is_file():
        pytest.skip("the contracts live in pyproject.toml of a source checkout")
    assert cli.lint_imports(config_filename=str(config)) == 0


def test_the_architecture_page_shows_the_layers_of_the_contract() -> None:
    tomllib = pytest.importorskip("tomllib")
    repository = PACKAGE.parents[1]
    page = repository / "docs" / "architecture.md"
    if not page.is_file():
        pytest.skip("the architecture page lives in a source checkout")
    config = tomllib.loads((repository / "pyproject.toml").read_text(encoding="utf-8"))
    contract = next(c for c in config["tool"]["importlinter"]["contracts"] if c["id"] == "stages")
    text = page.read_text(encoding="utf-8")
    diagram = text.split("## The stages", 1)[1].split("```text", 1)[1].split("```", 1)[0]
    # Each layer starts a line of the diagram, highest first.
    starts = [line.split("  ")[0].strip() for line in diagram.splitlines()
              if line and not line.startswith(" ")]
    assert starts == contract["layers"]
