"""A report as PDF, for funders who circulate reports: the same HTML page, printed.

Private: see :func:`getting_to_outcomes.write_report` (``pdf=``) and ``gto report --pdf``.

The page is printed with its print stylesheet by headless Chromium where it is installed
(``chromium --headless --print-to-pdf``), else by WeasyPrint where that is installed
(``pip install 'getting-to-outcomes[pdf]'``). Neither is a dependency of the library.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Literal

from getting_to_outcomes.errors import ReportPdfError
from getting_to_outcomes.io import write_bytes_atomic

__all__ = ["PDF_ENGINES", "check_pdf_engine", "chromium_path", "print_pdf"]

Engine = Literal["auto", "chromium", "weasyprint"]
#: The engines that print a report, in the order ``engine="auto"`` tries them.
PDF_ENGINES: tuple[str, ...] = ("chromium", "weasyprint")

#: Seconds a browser may take to print one report.
TIMEOUT = 180

_CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable",
                   "chrome")
_CHROMIUM_FLAGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                   "--no-pdf-header-footer", "--no-first-run", "--disable-extensions")
_INSTALL = ("install Chromium (Debian and Ubuntu: apt-get install chromium; or set "
            "GTO_CHROMIUM to a Chrome or Chromium program) or WeasyPrint (pip install "
            "'getting-to-outcomes[pdf]')")


def chromium_path() -> str | None:
    """The Chromium (or Chrome) program to print with: ``GTO_CHROMIUM``, else on ``PATH``."""
    given = os.environ.get("GTO_CHROMIUM")
    if given:
        found = shutil.which(given)
        if found is None:
            msg = (f"GTO_CHROMIUM is {given!r}, which is not a program that can be run; name "
                   "the Chrome or Chromium program (or unset it to look for chromium on PATH)")
            raise ReportPdfError(msg)
        return found
    return next((found for name in _CHROMIUM_NAMES if (found := shutil.which(name))), None)


def _has_weasyprint() -> bool:
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError):  # OSError: installed, but its system libraries are not
        return False
    return True


def _choose(engine: str) -> tuple[str, str | None] | None:
    """The engine that will print (with Chromium's program), or None when none is installed."""
    if engine not in ("auto", *PDF_ENGINES):
        msg = f"pdf engine must be one of 'auto', 'chromium', 'weasyprint'; got {engine!r}"
        raise ReportPdfError(msg)
    chromium = chromium_path() if engine in ("auto", "chromium") else None
    if chromium is not None:
        return "chromium", chromium
    if engine in ("auto", "weasyprint") and _has_weasyprint():
        return "weasyprint", None
    return None


def _missing(engine: str, pdf: Path, html: Path | None) -> ReportPdfError:
    wanted = {"auto": "Chromium or WeasyPrint", "chromium": "Chromium",
              "weasyprint": "WeasyPrint"}[engine]
    written = (f" The HTML report ({html}) was written and prints from any browser."
               if html is not None else "")
    return ReportPdfError(f"cannot write {pdf}: {wanted} is needed to print the report to PDF "
                          f"and none was found; {_INSTALL}.{written}")


def check_pdf_engine(engine: str, pdf: Path) -> None:
    """Refuse, before any work, a PDF that no installed engine can print.

    Raises
    ------
    ReportPdfError
        Neither Chromium nor WeasyPrint (or not the ``engine`` named) is installed; the
        message says how to install one.
    """
    if _choose(engine) is None:
        raise _missing(engine, pdf, None)


def print_pdf(html: Path, pdf: Path, *, engine: Engine = "auto") -> str:
    """Print the report page ``html`` to ``pdf``; returns the engine that printed it.

    Raises
    ------
    ReportPdfError
        No engine asked for is installed (the message says how to install one), or it
        failed (its own message is quoted).
    """
    chosen = _choose(engine)
    if chosen is None:
        raise _missing(engine, pdf, html)
    name, program = chosen
    data = _chromium_pdf(program, html) if program is not None else _weasyprint_pdf(html)
    write_bytes_atomic(pdf, data)
    return name


def _chromium_pdf(program: str, html: Path) -> bytes:
    with tempfile.TemporaryDirectory(prefix="gto-pdf-") as folder:
        out = Path(folder) / "report.pdf"
        # A profile of its own: a browser the user has open keeps its profile locked.
        command = [program, *_CHROMIUM_FLAGS, f"--user-data-dir={Path(folder) / 'profile'}",
                   f"--print-to-pdf={out}", html.resolve().as_uri()]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT,
                                  check=False)
        except subprocess.TimeoutExpired:
            msg = f"{program} did not print {html.name} within {TIMEOUT} s"
            raise ReportPdfError(msg) from None
        except OSError as exc:
            msg = f"{program} could not be started to print {html.name}: {exc}"
            raise ReportPdfError(msg) from None
        if done.returncode != 0 or not out.is_file() or out.stat().st_size == 0:
            said = " ".join(done.stderr.split()[-60:]) or "no message"
            msg = (f"{program} failed to print {html.name} to PDF (exit status "
                   f"{done.returncode}): {said}")
            raise ReportPdfError(msg)
        return out.read_bytes()


def _weasyprint_pdf(html: Path) -> bytes:
    from weasyprint import HTML

    try:
        document: bytes = HTML(filename=str(html)).write_pdf()
    except Exception as exc:  # WeasyPrint raises many kinds: say which
        msg = f"WeasyPrint failed to print {html.name} to PDF: {type(exc).__name__}: {exc}"
        raise ReportPdfError(msg) from None
    return document
