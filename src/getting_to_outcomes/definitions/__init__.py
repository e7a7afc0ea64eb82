"""Definitions: a theory of change as data.

pydantic models of every definition file (:mod:`getting_to_outcomes.definitions.models`),
safe YAML loading with located errors, the cross-reference lint, the JSON Schema for
editors, and :class:`Framework`, the loaded whole. Nothing here knows about data files.
"""

from getting_to_outcomes.definitions._framework import FRAME_COLUMNS, Framework, IndicatorSet
from getting_to_outcomes.definitions._loading import (
    DEFAULT_FRAMEWORK,
    bundled_frameworks,
    check_framework,
    load_framework,
)
from getting_to_outcomes.definitions._schema import SCHEMA_KINDS, json_schema

__all__ = [
    "DEFAULT_FRAMEWORK",
    "FRAME_COLUMNS",
    "SCHEMA_KINDS",
    "Framework",
    "IndicatorSet",
    "bundled_frameworks",
    "check_framework",
    "json_schema",
    "load_framework",
]
