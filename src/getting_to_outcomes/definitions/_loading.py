"""Read framework definition files (YAML) safely and turn them into a :class:`Framework`.

Every problem in every file is collected, with file, line, column, dotted field path,
the value found and what is expected, and raised once as
:class:`~getting_to_outcomes.errors.IndicatorDefinitionError`.

YAML is read with PyYAML's safe loader only: tags such as ``!!python/object`` are
refused, and alias expansion is bounded so that an alias bomb is rejected at once.
"""

from __future__ import annotations

import importlib.resources
import os
from collections.abc import Iterator
from pathlib import Path

from getting_to_outcomes.definitions._crossref import assemble
from getting_to_outcomes.definitions._framework import Framework
from getting_to_outcomes.definitions._yaml import problem, read_file
from getting_to_outcomes.errors import DefinitionProblem, IndicatorDefinitionError, did_you_mean

__all__ = ["DEFAULT_FRAMEWORK", "bundled_frameworks", "check_framework", "load_framework"]

DEFAULT_FRAMEWORK = "getting-to-outcomes-2013"
_YAML_SUFFIXES = (".yaml", ".yml")


# --- where the bundled frameworks live ------------------------------------------------


def _bundled_root() -> Path:
    # In a wheel the YAML is shipped as package data; in a source checkout it is the
    # top-level indicators/ folder next to src/.
    packaged = Path(str(importlib.resources.files("getting_to_outcomes"))) / "_indicators"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[3] / "indicators"


def bundled_frameworks() -> list[str]:
    """Names of the frameworks shipped with the library.

    Examples
    --------
    >>> "getting-to-outcomes-2013" in bundled_frameworks()
    True
    """
    root = _bundled_root()
    return sorted(p.name for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))


def _resolve(path: str | os.PathLike[str] | None) -> Path:
    if path is None:
        return _bundled_root() / DEFAULT_FRAMEWORK
    candidate = Path(path)
    if candidate.exists():
        return candidate
    names = bundled_frameworks()
    if str(path) in names:
        return _bundled_root() / str(path)
    problem = DefinitionProblem(
        file=str(path),
        line=None,
        column=None,
        field="",
        value=str(path),
        message="no such file or folder, and no bundled framework of that name"
        + did_you_mean(str(path), names)
        + f"; bundled frameworks: {', '.join(names)}",
    )
    raise IndicatorDefinitionError([problem])


# --- the whole framework -----------------------------------------------------------------


def _yaml_files(root: Path) -> Iterator[Path]:
    if root.is_file():
        yield root
        return
    for path in sorted(root.rglob("*")):
        if path.suffix in _YAML_SUFFIXES and path.is_file():
            yield path


def _collect(
    path: str | os.PathLike[str] | None,
) -> tuple[Framework | None, list[DefinitionProblem]]:
    root = _resolve(path)
    problems: list[DefinitionProblem] = []
    files = list(_yaml_files(root))
    if not files:
        problems.append(problem(root, "no .yaml or .yml files found here"))
        return None, problems
    parsed = [p for p in (read_file(f, problems) for f in files) if p is not None]
    framework, cross_problems = assemble(root, parsed, failed_files=len(files) - len(parsed))
    problems.extend(cross_problems)
    return framework, problems


def load_framework(path: str | os.PathLike[str] | None = None) -> Framework:
    """Load a framework from a folder of YAML files, one YAML file, or a bundled name.

    Parameters
    ----------
    path : str or path-like, optional
        A folder (read recursively), a single YAML file, or the name of a bundled
        framework (see :func:`bundled_frameworks`). Defaults to the bundled
        "Getting to Outcomes" framework (Research for Action for CPER, 2013).

    Returns
    -------
    Framework
        The framework; lint warnings are in ``Framework.warnings``.

    Raises
    ------
    IndicatorDefinitionError
        With every problem in every file, each with file, line, column and field.

    Examples
    --------
    >>> fw = load_framework()
    >>> fw.id
    'getting_to_outcomes_2013'
    >>> len(fw.indicators.filter(realm="policy")) > 0
    True
    """
    framework, problems = _collect(path)
    errors = [p for p in problems if p.severity == "error"]
    if errors or framework is None:
        raise IndicatorDefinitionError(errors)
    return framework


def check_framework(path: str | os.PathLike[str] | None = None) -> list[DefinitionProblem]:
    """Every error and lint warning of a framework, without raising.

    Examples
    --------
    >>> [p for p in check_framework() if p.severity == "error"]
    []
    """
    try:
        framework, problems = _collect(path)
    except IndicatorDefinitionError as exc:  # a path that names nothing
        return list(exc.problems)
    if framework is not None:
        problems = problems + list(framework.warnings)
    return problems
