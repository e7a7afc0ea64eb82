"""The exception tree of getting_to_outcomes.

Every error the library raises on purpose derives from :class:`GTOError`, and also
from the built-in exception a caller would naturally catch::

    GTOError
    ├── IndicatorDefinitionError (ValueError)   an indicator, source or framework file is wrong
    ├── UnknownIndicatorError (KeyError)        an id that the framework does not define
    ├── DataReadError (ValueError)              a data file cannot be read as a table
    ├── DataWriteError (ValueError)             a table cannot be written as asked
    ├── DataValidationError (ValueError)        data failed validation; carries ``.report``
    ├── ScoringError (ValueError)               data that cannot be scored as asked
    ├── ChartDataError (ValueError)             a chart was given data it cannot draw
    └── PseudonymKeyError (ValueError)          no usable pseudonymisation key was found

:class:`CellProblem` is not raised to callers: validation raises and catches it for one cell
that cannot be used, and files it as an issue of the report.

Data problems found by validation are collected in a report, not raised one by one.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "CellProblem",
    "ChartDataError",
    "DataReadError",
    "DataValidationError",
    "DataWriteError",
    "DefinitionProblem",
    "GTOError",
    "IndicatorDefinitionError",
    "PseudonymKeyError",
    "ReportPdfError",
    "ScoringError",
    "UnknownIndicatorError",
    "did_you_mean",
]


class GTOError(Exception):
    """Base class of every error raised by getting_to_outcomes."""


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """Return ``" (did you mean 'x'?)"`` for the closest choice, or ``""``.

    Examples
    --------
    >>> did_you_mean("realn", ["realm", "zone"])
    " (did you mean 'realm'?)"
    >>> did_you_mean("status", ["status", "statuses"])
    " (did you mean 'statuses'?)"
    """
    # The word itself is never a suggestion: it is known elsewhere, or the caller said so.
    matches = difflib.get_close_matches(
        str(word), [c for c in choices if c != str(word)], n=1, cutoff=0.6
    )
    return f" (did you mean {matches[0]!r}?)" if matches else ""


@dataclass(frozen=True)
class DefinitionProblem:
    """One problem in an indicator, source or framework file.

    Attributes
    ----------
    file : str
        Path of the YAML file (or ``"<framework>"`` for problems across files).
    line, column : int or None
        1-based position in the file, when known.
    field : str
        Dotted path of the offending field, e.g. ``indicators.3.measure.items``.
    value : Any
        The value found (shortened when long).
    message : str
        What is wrong and what is expected.
    severity : str
        ``"error"`` or ``"warning"``.
    """

    file: str
    line: int | None
    column: int | None
    field: str
    value: Any
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        field = f" {self.field}:" if self.field else ""
        found = ""
        if self.value is not None and repr(self.value) not in self.message:
            found = f" (found {self.value!r})"
        return f"{where}: {self.severity}:{field} {self.message}{found}"


class IndicatorDefinitionError(GTOError, ValueError):
    """One or more framework, indicator, scale or source files are invalid.

    Carries every problem found in every file in :attr:`problems`.
    """

    def __init__(self, problems: Sequence[DefinitionProblem]) -> None:
        self.problems = list(problems)
        errors = [p for p in self.problems if p.severity == "error"]
        head = f"{len(errors)} problem(s) in the indicator definitions:"
        super().__init__("\n".join([head, *(f"  {p}" for p in errors)]))


class UnknownIndicatorError(GTOError, KeyError):
    """An indicator, source, stop or scale id that the framework does not define."""

    def __init__(self, kind: str, name: str, choices: Iterable[str]) -> None:
        self.kind = kind
        self.name = name
        self.message = f"unknown {kind} {name!r}{did_you_mean(name, choices)}"
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message


class DataReadError(GTOError, ValueError):
    """A data file cannot be read as a table (wrong format, empty, unreadable)."""


class DataWriteError(GTOError, ValueError):
    """A table cannot be written as asked (unknown format, too large for an Excel sheet)."""


class DataValidationError(GTOError, ValueError):
    """Data failed validation; :attr:`report` holds every problem found."""

    def __init__(self, message: str, report: Any = None) -> None:
        self.report = report
        super().__init__(message)


class ScoringError(GTOError, ValueError):
    """Data or options that cannot be scored as asked."""


class ChartDataError(GTOError, ValueError):
    """Data that a chart or report cannot draw: a column is missing, or a choice is needed."""


class PseudonymKeyError(GTOError, ValueError):
    """No usable pseudonymisation key was found."""


class ReportPdfError(GTOError, RuntimeError):
    """A report could not be printed to PDF: no PDF engine is installed, or it failed."""


class CellProblem(ValueError):
    """A cell whose value cannot be used; ``reason`` is a short code such as ``not_a_number``."""

    def __init__(self, reason: str, message: str) -> None:
        self.reason = reason
        super().__init__(message)
