"""Fixtures for the validation tests: a framework with two small test sources."""

from __future__ import annotations

import functools
import shutil
import tempfile
from pathlib import Path

import pandas as pd
import pytest

from getting_to_outcomes import Framework, load_framework
from getting_to_outcomes.definitions._loading import DEFAULT_FRAMEWORK, _bundled_root

DATA = Path(__file__).parent.parent / "data"
INVALID = DATA / "invalid"
EXPORTS = DATA / "exports"


@functools.cache
def test_framework_dir() -> Path:
    """The bundled framework plus ``tests/data/validation_sources.yaml``, in a temporary folder."""
    folder = Path(tempfile.mkdtemp(prefix="gto-validation-")) / "with-test-sources"
    shutil.copytree(_bundled_root() / DEFAULT_FRAMEWORK, folder)
    shutil.copy(DATA / "validation_sources.yaml", folder / "sources" / "validation_sources.yaml")
    return folder


@functools.cache
def test_framework() -> Framework:
    """Loaded once; property-based tests call this instead of taking a fixture argument."""
    return load_framework(test_framework_dir())


test_framework_dir.__test__ = False  # type: ignore[attr-defined]
test_framework.__test__ = False  # type: ignore[attr-defined]


@pytest.fixture(scope="session")
def framework_dir() -> Path:
    return test_framework_dir()


@pytest.fixture(scope="session")
def framework() -> Framework:
    return test_framework()


@pytest.fixture
def survey_rows() -> pd.DataFrame:
    """Four clean rows of the test survey, headed by the canonical names."""
    return pd.DataFrame(
        {
            "org_id": ["org1", "org1", "org1", "org2"],
            "person_id": ["P1", "P2", "P1", "P9"],
            "wave": ["pre", "pre", "post", "pre"],
            "completed": ["2023-03-01", "2023-03-02", "2023-11-20", "2023-03-05"],
            "name": ["Ana", "", "Ana", ""],
            "role": ["parent", "youth", "parent", "community_member"],
            "meetings": ["4", "0", "12", ""],
            "q1": ["Agree", "5", "4 - Agree", "Strongly disagree"],
            "q2": ["Disagree", "2", "3", "Don't know"],
            "q3": ["3", "Neither agree nor disagree", "5", "1"],
            "q4": ["4", "4", "Refused", "2"],
        }
    )
