"""How the command line ends on an error: a located message and an exit code, no traceback.

Exit codes (documented in ``gto --help``):

* 0: done; for ``gto validate``, no errors in the data;
* 1: the data or the definitions have errors, or a file cannot be read or written;
* 2: a usage error (an unknown option, source or value);
* 3: an unexpected internal error, a fault of the library rather than of the input.

A traceback is printed only with ``gto --debug`` (or ``GTO_DEBUG=1``): a person who
gave a bad file needs the file, row and value, not the library's call stack.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import sys
from typing import Any, Final

import click

from getting_to_outcomes.errors import GTOError

__all__ = ["DATA_ERROR", "INTERNAL_ERROR", "USAGE_ERROR", "GuardedGroup", "os_error_message"]

DATA_ERROR: Final = 1
USAGE_ERROR: Final = 2
INTERNAL_ERROR: Final = 3

_DEBUG_HINT: Final = "rerun with gto --debug (or GTO_DEBUG=1) to see the traceback"
# Names of the temporary files and folders that atomic writes make beside their target
# (io.write_atomic, io.replacing_folder): an error names the target instead.
_TEMPORARY: Final = (re.compile(r"\A\.(?P<name>.+)\.gto-\d+-[^/]*\.tmp\Z", re.DOTALL),
                     re.compile(r"\A\.gto-partial-(?:new|old)-\d+-[0-9a-f]+-(?P<name>.+)\Z",
                                re.DOTALL))


def _target(filename: object) -> str:
    """The path a temporary file or folder of an atomic write stands for (else itself).

    Examples
    --------
    >>> _target("/srv/out/.scores.csv.gto-311-ab12cd.tmp")
    '/srv/out/scores.csv'
    >>> _target("/srv/.gto-partial-new-311-0a1b2c3d-report")
    '/srv/report'
    >>> _target("/srv/out/scores.csv")
    '/srv/out/scores.csv'
    """
    path = str(filename)
    folder, _, name = path.rpartition("/")
    for pattern in _TEMPORARY:
        found = pattern.match(name)
        if found:
            return f"{folder}/{found['name']}" if folder else found["name"]
    return path


def os_error_message(exc: OSError) -> str:
    """``cannot read or write FILE: reason``, or the reason alone when no file is named.

    Examples
    --------
    >>> os_error_message(PermissionError(13, "Permission denied", "/srv/out.csv"))
    "cannot write or read '/srv/out.csv': Permission denied"
    >>> os_error_message(OSError(28, "No space left on device"))
    'No space left on device'
    """
    reason = exc.strerror or str(exc) or type(exc).__name__
    if exc.errno == errno.ENOSPC:
        reason = "No space left on device"
    if exc.filename is None:
        return reason
    return f"cannot write or read {_target(exc.filename)!r}: {reason}"


def _one_line(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= 300 else line[:297] + "..."


def _say(message: str) -> None:
    """Write to stderr, never failing itself (stderr may be closed as well)."""
    with contextlib.suppress(OSError, ValueError):  # nowhere left to say it
        click.echo(message, err=True)


class GuardedGroup(click.Group):
    """A click group whose commands end with a message and an exit code, not a traceback.

    Errors the library raises on purpose (:class:`~getting_to_outcomes.errors.GTOError`)
    and files that cannot be read or written exit 1 with their message; anything else is
    an internal error: one line, exit 3, and the way to see the traceback.
    """

    def invoke(self, ctx: click.Context) -> Any:
        debug = bool(ctx.params.get("debug"))
        try:
            result = super().invoke(ctx)
            _flush_stdout()
            return result
        except (click.exceptions.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except SystemExit as exc:
            _flush_stdout(code=exc.code)
            raise
        except OSError as exc:
            if exc.errno == errno.EPIPE:
                raise  # click ends quietly when the reader of a pipe goes away
            if debug:
                raise
            _say(f"Error: {os_error_message(exc)}")
            ctx.exit(DATA_ERROR)
        except GTOError as exc:
            if debug:
                raise
            _say(f"Error: {exc}")
            ctx.exit(DATA_ERROR)
        except MemoryError:
            if debug:
                raise
            _say("Error: out of memory; the input is larger than this machine can hold "
                 "(see the read limits in the documentation)")
            ctx.exit(DATA_ERROR)
        except Exception as exc:
            if debug:
                raise
            _say(f"Internal error ({type(exc).__name__}): {_one_line(str(exc))}; "
                 f"{_DEBUG_HINT}, and please report it.")
            ctx.exit(INTERNAL_ERROR)


def _flush_stdout(code: Any = 0) -> None:
    """Make a failed write to stdout (a full disk, a closed stream) an error, not exit 0."""
    if sys.stdout is None:  # started with stdout closed: nothing can be shown
        _say("Error: cannot write the output: standard output is closed")
        raise SystemExit(code or DATA_ERROR)
    try:
        sys.stdout.flush()
    except OSError as exc:
        if exc.errno == errno.EPIPE:
            raise
        _say(f"Error: cannot write the output: {os_error_message(exc)}")
        _discard_stdout()
        raise SystemExit(code or DATA_ERROR) from None
    except ValueError:  # stdout closed while running
        _say("Error: cannot write the output: standard output is closed")
        raise SystemExit(code or DATA_ERROR) from None


def _discard_stdout() -> None:
    """Point stdout at the null device, so that the flush at exit cannot fail again."""
    with contextlib.suppress(OSError, ValueError):  # no file descriptor to redirect
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())
        os.close(null)
