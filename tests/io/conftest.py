"""Fixtures for the io tests: the bundled clean leadership survey."""

from __future__ import annotations

import functools
from pathlib import Path

import pandas as pd
import pytest

from getting_to_outcomes import Framework, load_framework

CLEAN = (
    Path(__file__).parents[2]
    / "src/getting_to_outcomes/datasets/data/cper-network/leadership_survey.csv"
)


@functools.cache
def _clean() -> pd.DataFrame:
    # As text, as the file holds it: an export carries the same strings.
    return pd.read_csv(CLEAN, dtype=str, keep_default_na=False)


@pytest.fixture(scope="session")
def framework() -> Framework:
    return load_framework()


@pytest.fixture
def clean_survey() -> pd.DataFrame:
    """The bundled clean leadership survey, all 3,841 rows, every cell as text."""
    return _clean().copy()


@pytest.fixture
def survey_sample() -> pd.DataFrame:
    """Every twelfth row of it (321 rows of every wave and organization), for speed."""
    return _clean().iloc[::12].reset_index(drop=True)
