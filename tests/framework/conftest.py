from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

DEFINITIONS = Path(__file__).parents[1] / "data" / "definitions"


@pytest.fixture
def minimal_framework(tmp_path: Path) -> Path:
    """A copy of the smallest complete framework, safe to add defects to."""
    target = tmp_path / "framework"
    shutil.copytree(DEFINITIONS / "minimal", target)
    return target


@pytest.fixture
def with_defect(minimal_framework: Path) -> Callable[[str], Path]:
    """The minimal framework plus one defect file from tests/data/definitions/defects."""

    def add(name: str) -> Path:
        shutil.copy(DEFINITIONS / "defects" / f"{name}.yaml", minimal_framework)
        return minimal_framework

    return add
