"""The public surface of getting_to_outcomes.stats."""

from __future__ import annotations

import inspect

import pytest

import getting_to_outcomes
from getting_to_outcomes import stats


def test_every_name_in_all_exists():
    for name in stats.__all__:
        assert hasattr(stats, name), name


def test_stats_functions_are_not_re_exported_from_the_top_level():
    assert not set(stats.__all__) & set(getting_to_outcomes.__all__)


FUNCTIONS = [n for n in stats.__all__ if inspect.isfunction(getattr(stats, n))]


@pytest.mark.parametrize("name", FUNCTIONS)
def test_every_public_function_documents_returns_and_an_example(name):
    doc = inspect.getdoc(getattr(stats, name)) or ""
    assert "Returns\n-------" in doc
    assert "Examples\n--------" in doc


@pytest.mark.parametrize("name", ["paired_change", "independent_change"])
def test_change_functions_document_every_column(name):
    doc = inspect.getdoc(getattr(stats, name)) or ""
    for column in stats.CHANGE_COLUMNS:
        assert f"``{column}``" in doc, column
