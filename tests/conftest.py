"""Fixtures shared by the whole test suite."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import matplotlib
import pytest
from click.testing import CliRunner, Result

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


def _debugging(args: object, env: object) -> bool:
    """Whether a command-line run asked for tracebacks (``--debug`` or ``GTO_DEBUG``)."""
    words = [args] if isinstance(args, str) else list(args) if isinstance(args, Sequence) else []
    asked = any(str(w) == "--debug" for w in words)
    if isinstance(env, dict) and env.get("GTO_DEBUG"):
        return True
    return asked or bool(os.environ.get("GTO_DEBUG"))


def traceback_shown(result: Result) -> str | None:
    """Why a run's output amounts to a traceback, or None.

    A Python traceback in what the command printed, or an exception other than SystemExit
    left in the result: outside the test runner, that exception would have been printed as
    a traceback.
    """
    shown = result.output + (result.stderr if result.stderr_bytes is not None else "")
    if "Traceback (most recent call last)" in shown:
        return "it printed a traceback"
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        return f"it ended in {type(result.exception).__name__}: {result.exception}"
    return None


@pytest.fixture(autouse=True)
def no_traceback_without_debug(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail any test whose command-line run shows a traceback without ``--debug``.

    The command line prints a traceback only when asked; every run through click's
    ``CliRunner`` in the test suite is held to it.
    """
    invoke = CliRunner.invoke

    def checked(self: CliRunner, cli: Any, args: Any = None, *rest: Any,
                **options: Any) -> Result:
        result = invoke(self, cli, args, *rest, **options)
        if not _debugging(args, options.get("env")):
            why = traceback_shown(result)
            if why is not None:
                pytest.fail(f"gto {args!r} showed a traceback without --debug: {why}\n"
                            f"{result.output}", pytrace=False)
        return result

    monkeypatch.setattr(CliRunner, "invoke", checked)
