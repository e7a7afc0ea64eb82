"""getting_to_outcomes: indicators, validation, scoring and reports for education organizing.

The library encodes Research for Action's "Getting to Outcomes" theory of change (2013)
as YAML indicator definitions, validates the data that organizing groups collect,
scores progress with honest uncertainty, and draws charts and reports.

Examples
--------
>>> import getting_to_outcomes as gto
>>> fw = gto.load_framework()
>>> sorted({i.realm for i in fw.indicators})
['community', 'individual', 'policy']
"""

from getting_to_outcomes.compare import compare
from getting_to_outcomes.datasets import ExampleDataset, list_examples, load_example
from getting_to_outcomes.errors import (
    DataReadError,
    DataValidationError,
    DefinitionProblem,
    GTOError,
    IndicatorDefinitionError,
    ScoringError,
    UnknownIndicatorError,
)
from getting_to_outcomes.framework import Framework, IndicatorSet
from getting_to_outcomes.loading import bundled_frameworks, check_framework, load_framework
from getting_to_outcomes.privacy import (
    PseudonymKey,
    PseudonymKeyError,
    generate_key,
    load_key,
    pseudonymize,
)
from getting_to_outcomes.readers import read_table
from getting_to_outcomes.records import record_model
from getting_to_outcomes.report import write_report
from getting_to_outcomes.report_validation import ValidationReport
from getting_to_outcomes.scoring import score
from getting_to_outcomes.summary import ProgressSummary
from getting_to_outcomes.templates import codebook, write_template
from getting_to_outcomes.validation import validate

__version__ = "0.1.0"

__all__ = [
    "DataReadError",
    "DataValidationError",
    "DefinitionProblem",
    "ExampleDataset",
    "Framework",
    "GTOError",
    "IndicatorDefinitionError",
    "IndicatorSet",
    "ProgressSummary",
    "PseudonymKey",
    "PseudonymKeyError",
    "ScoringError",
    "UnknownIndicatorError",
    "ValidationReport",
    "__version__",
    "bundled_frameworks",
    "check_framework",
    "codebook",
    "compare",
    "generate_key",
    "list_examples",
    "load_example",
    "load_framework",
    "load_key",
    "pseudonymize",
    "read_table",
    "record_model",
    "score",
    "validate",
    "write_report",
    "write_template",
]
