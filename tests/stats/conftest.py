"""Fixtures of the stats tests."""

from __future__ import annotations

import pytest

from getting_to_outcomes import ProgressSummary, load_example, score


@pytest.fixture(scope="session")
def scored_example() -> ProgressSummary:
    """The bundled example network, scored with the defaults."""
    example = load_example("cper-network")
    return score(example.tables)
