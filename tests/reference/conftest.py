"""Access to the public reference data sets and to the published numbers in expected.yaml.

The data are read where they live, never copied into the repository: from the folder named
by the environment variable ``GTO_REFERENCE_DATA``, else from ``../shared/reference-data``
next to the repository. Tests that need a file skip, saying why, when it is absent.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml

ENV_VAR = "GTO_REFERENCE_DATA"
EXPECTED = Path(__file__).with_name("expected.yaml")


def reference_folder() -> Path:
    configured = os.environ.get(ENV_VAR)
    if configured:
        return Path(configured).expanduser().resolve()
    repo = Path(__file__).resolve().parents[2]
    return (repo / ".." / "shared" / "reference-data").resolve()


@pytest.fixture(scope="session")
def expected() -> dict[str, Any]:
    """Published numbers and their origin, keyed by case name."""
    loaded: dict[str, Any] = yaml.safe_load(EXPECTED.read_text(encoding="utf-8"))
    return loaded


@pytest.fixture(scope="session")
def reference_csv() -> Callable[[str], pd.DataFrame]:
    """Read one CSV of the reference folder, or skip the test when it is not there."""
    folder = reference_folder()
    cache: dict[str, pd.DataFrame] = {}

    def read(name: str) -> pd.DataFrame:
        path = folder / name
        if not path.is_file():
            pytest.skip(
                f"public reference data {name} not found in {folder}; set {ENV_VAR} to the "
                "folder holding it to run this comparison with published results"
            )
        if name not in cache:
            cache[name] = pd.read_csv(path)
        return cache[name].copy()

    return read
