"""Progress of a report being written: off unless asked, a tqdm bar or the caller's function.

Private: see :func:`getting_to_outcomes.write_report` (``progress=``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["Progress", "progress_function"]

#: Called as ``progress(done, total, label)`` after each step.
Progress = Callable[[int, int, str], None]


def progress_function(progress: bool | Progress | None) -> Progress | None:
    """What ``progress=`` asks for: nothing, a tqdm bar (``True``), or the caller's function.

    The bar is :mod:`tqdm.auto`'s: a widget in a notebook, a line redrawn on standard error
    in a terminal. It closes itself after the last step.

    Examples
    --------
    >>> progress_function(None) is None, progress_function(False) is None
    (True, True)
    >>> calls = []
    >>> progress_function(lambda *step: calls.append(step))(1, 3, "charts") or calls
    [(1, 3, 'charts')]
    """
    if progress is None or progress is False:
        return None
    if progress is True:
        return _TqdmSteps()
    if not callable(progress):
        msg = (f"progress must be True, False, None or a function progress(done, total, label); "
               f"got {type(progress).__name__}")
        raise TypeError(msg)
    return progress


class _TqdmSteps:
    """A tqdm.auto bar fed ``(done, total, label)``, created at the first step."""

    def __init__(self) -> None:
        self._bar: Any = None

    def __call__(self, done: int, total: int, label: str) -> None:
        if self._bar is None:
            from tqdm.auto import tqdm  # type: ignore[import-untyped]

            self._bar = tqdm(total=total, unit="step", desc="report", leave=True)
        self._bar.total = total
        self._bar.set_postfix_str(label[:40], refresh=False)
        self._bar.update(done - self._bar.n)
        if done >= total:
            self._bar.close()
