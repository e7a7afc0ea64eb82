"""Validation: every problem of a data file at once, with where, why and a fix.

A pydantic record model is built from each data source's YAML (:func:`record_model`);
whole tables are checked column-wise by rules derived from the same models, or record by
record, then across fields and rows. The answer is a :class:`ValidationReport`.
"""

from getting_to_outcomes.validation._dates import read_dates
from getting_to_outcomes.validation._records import record_model
from getting_to_outcomes.validation._validate import validate
from getting_to_outcomes.validation._validation_report import (
    ISSUE_COLUMNS,
    REASONS,
    SEVERITIES,
    ValidationReport,
)

__all__ = [
    "ISSUE_COLUMNS",
    "REASONS",
    "SEVERITIES",
    "ValidationReport",
    "read_dates",
    "record_model",
    "validate",
]
