"""getting_to_outcomes: indicators, validation, scoring and reports for education organizing.

The library encodes Research for Action's "Getting to Outcomes" theory of change (2013)
as YAML indicator definitions, validates the data that organizing groups collect,
scores progress with honest uncertainty, and draws charts and reports.

The package is a pipeline of stages, each a subpackage that imports only the stages below
it (``docs/architecture.md``): ``definitions`` -> ``io`` -> ``validation`` -> ``scoring`` ->
``plotting`` -> ``reporting``, with ``cli`` on top. The names below are loaded when first
used (PEP 562), so that ``import getting_to_outcomes`` costs little and a script pays only
for the stages it calls.

Examples
--------
>>> import getting_to_outcomes as gto
>>> fw = gto.load_framework()
>>> sorted({i.realm for i in fw.indicators})
['community', 'individual', 'policy']
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from getting_to_outcomes._version import __version__
from getting_to_outcomes.errors import (
    DataReadError,
    DataValidationError,
    DataWriteError,
    DefinitionProblem,
    GTOError,
    IndicatorDefinitionError,
    PseudonymKeyError,
    ScoringError,
    UnknownIndicatorError,
)

if TYPE_CHECKING:
    from getting_to_outcomes.datasets import ExampleDataset, list_examples, load_example
    from getting_to_outcomes.definitions import (
        Framework,
        IndicatorSet,
        bundled_frameworks,
        check_framework,
        load_framework,
    )
    from getting_to_outcomes.io import (
        ReadLimits,
        codebook,
        read_table,
        write_table,
        write_template,
    )
    from getting_to_outcomes.privacy import PseudonymKey, generate_key, load_key, pseudonymize
    from getting_to_outcomes.reporting import write_report
    from getting_to_outcomes.scoring import ProgressSummary, compare, score
    from getting_to_outcomes.validation import ValidationReport, record_model, validate

#: Where each lazily loaded public name lives.
_LAZY: dict[str, str] = {
    "ExampleDataset": "datasets",
    "list_examples": "datasets",
    "load_example": "datasets",
    "Framework": "definitions",
    "IndicatorSet": "definitions",
    "bundled_frameworks": "definitions",
    "check_framework": "definitions",
    "load_framework": "definitions",
    "ReadLimits": "io",
    "codebook": "io",
    "read_table": "io",
    "write_table": "io",
    "write_template": "io",
    "PseudonymKey": "privacy",
    "generate_key": "privacy",
    "load_key": "privacy",
    "pseudonymize": "privacy",
    "write_report": "reporting",
    "ProgressSummary": "scoring",
    "compare": "scoring",
    "score": "scoring",
    "ValidationReport": "validation",
    "record_model": "validation",
    "validate": "validation",
}

__all__ = [
    "DataReadError",
    "DataValidationError",
    "DataWriteError",
    "DefinitionProblem",
    "ExampleDataset",
    "Framework",
    "GTOError",
    "IndicatorDefinitionError",
    "IndicatorSet",
    "ProgressSummary",
    "PseudonymKey",
    "PseudonymKeyError",
    "ReadLimits",
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
    "write_table",
    "write_template",
]


#: Subpackages and modules reachable as attributes (``gto.stats``) without an import.
_SUBMODULES = frozenset({
    "cli", "columns", "datasets", "definitions", "engines", "errors", "io", "plotting",
    "privacy", "reporting", "scoring", "stats", "validation",
})


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    stage = _LAZY.get(name)
    if stage is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{stage}"), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
