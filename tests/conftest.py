"""Fixtures shared by the whole test suite."""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib
import pytest

# Charts are drawn off-screen in tests.
matplotlib.use("Agg")

TESTS = Path(__file__).parent
DATA = TESTS / "data"


def reference_data_dir() -> Path | None:
    """The public reference data sets, when present (see /work/shared/reference-data)."""
    configured = os.environ.get("GTO_REFERENCE_DATA")
    candidates = [Path(configured)] if configured else []
    candidates.append(TESTS.parent.parent / "shared" / "reference-data")
    for candidate in candidates:
        if candidate.is_dir():
            return candidate.resolve()
    return None


@pytest.fixture
def data_dir() -> Path:
    return DATA
