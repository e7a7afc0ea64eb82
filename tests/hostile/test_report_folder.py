"""A report folder is replaced whole or not at all, and no temporary file outlives its run.

The report is written into a hidden folder beside the target and swapped in when complete.
A failure, a Ctrl-C or a SIGKILL partway leaves the previous report exactly as it was; what
a killed process could not remove is removed by the next write beside it.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from getting_to_outcomes import load_framework, write_report
from getting_to_outcomes.io import PARTIAL_PREFIX, write_atomic
from getting_to_outcomes.reporting import _render

from ..report.conftest import make_summary

REPO = Path(__file__).parents[2]


@pytest.fixture(scope="module")
def summary():  # type: ignore[no-untyped-def]
    return make_summary(load_framework())


def _contents(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` by relative path, with a hash of its bytes."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _leftovers(parent: Path) -> list[str]:
    """Hidden partial folders and temporary files anywhere under ``parent``."""
    return sorted(p.relative_to(parent).as_posix() for p in parent.rglob("*")
                  if p.name.startswith(PARTIAL_PREFIX) or p.name.endswith(".tmp"))


def _dead_pid() -> int:
    """The id of a process that has ended."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def _failing_after(count: int, error: BaseException, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the chart writer raise ``error`` once ``count`` charts are drawn."""
    real = _render.render_chart
    drawn = []

    def render(*args, **kwargs):  # type: ignore[no-untyped-def]
        if len(drawn) == count:
            raise error
        drawn.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(_render, "render_chart", render)


@pytest.mark.parametrize("error", [RuntimeError("the disk went away"), KeyboardInterrupt()],
                         ids=["an error", "Ctrl-C"])
def test_a_report_that_fails_midway_leaves_the_previous_one_intact(
    summary, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, error: BaseException,
) -> None:
    out = tmp_path / "report"
    write_report(summary, out, org="Alpha")
    (out / "board-notes.txt").write_text("mine", encoding="utf-8")
    before = _contents(out)
    _failing_after(1, error, monkeypatch)
    with pytest.raises(type(error)):
        write_report(summary, out, org="Beta", title="A new title", force=True, workers=1)
    assert _contents(out) == before
    assert _leftovers(tmp_path) == []


def test_a_finished_report_replaces_the_old_one_whole(summary, tmp_path: Path) -> None:
    out = tmp_path / "report"
    write_report(summary, out, org="Alpha", title="First")
    (out / "board-notes.txt").write_text("mine", encoding="utf-8")
    files = write_report(summary, out, org="Alpha", title="Second", force=True)
    assert "Second" in files.html.read_text(encoding="utf-8")
    assert (out / "board-notes.txt").read_text(encoding="utf-8") == "mine"
    assert all(p.is_file() and out in p.parents for p in files.files)
    assert _leftovers(tmp_path) == []


def test_leftovers_of_a_killed_run_are_cleaned_by_the_next(summary, tmp_path: Path) -> None:
    dead = _dead_pid()
    stale_new = tmp_path / f"{PARTIAL_PREFIX}new-{dead}-0badc0de-report"
    (stale_new / "charts").mkdir(parents=True)
    (stale_new / "charts" / "half.png").write_bytes(b"\x89PNG" + bytes(1000))
    # Killed between moving its old folder away and the new one in: the old one comes back.
    stale_old = tmp_path / f"{PARTIAL_PREFIX}old-{dead}-0badc0de-previous"
    stale_old.mkdir()
    (stale_old / "report.html").write_text("the previous report", encoding="utf-8")
    stale_file = tmp_path / "report" / f".summary.json.gto-{dead}-x1y2z3.tmp"
    stale_file.parent.mkdir()
    stale_file.write_bytes(bytes(10_000))
    # A partial folder of a process that still runs (this one) is not touched.
    running = tmp_path / f"{PARTIAL_PREFIX}new-{os.getpid()}-0000abcd-elsewhere"
    running.mkdir()
    write_report(summary, tmp_path / "report", org="Alpha", force=True)
    assert not stale_new.exists()
    assert not stale_file.exists()
    assert (tmp_path / "previous" / "report.html").read_text(encoding="utf-8") == (
        "the previous report")
    assert running.is_dir()


def test_a_stale_temporary_file_is_removed_by_the_next_write_of_that_file(tmp_path: Path) -> None:
    target = tmp_path / "scores.csv"
    stale = tmp_path / f".scores.csv.gto-{_dead_pid()}-abc123.tmp"
    stale.write_bytes(bytes(10_000))
    write_atomic(target, lambda temporary: temporary.write_text("a,b\n", encoding="utf-8"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["scores.csv"]


# The child writes a report over the old one and stalls after its first chart, as a long
# report would, until it is killed.
_STALLING_CHILD = """
import sys, time
from getting_to_outcomes import load_framework, write_report
from getting_to_outcomes.reporting import _render
from tests.report.conftest import make_summary

real = _render.render_chart
drawn = []

def render(*args, **kwargs):
    if drawn:
        time.sleep(600)
    drawn.append(1)
    return real(*args, **kwargs)

_render.render_chart = render
write_report(make_summary(load_framework()), sys.argv[1], org="Beta", title="Second",
             force=True, workers=1)
"""


def test_a_report_killed_partway_leaves_the_old_one_and_the_next_run_cleans_up(
    summary, tmp_path: Path,
) -> None:
    out = tmp_path / "report"
    write_report(summary, out, org="Alpha", title="First")
    before = _contents(out)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO / "src"), str(REPO)])}
    child = subprocess.Popen([sys.executable, "-c", _STALLING_CHILD, str(out)], env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and child.poll() is None:
            if any(tmp_path.glob(f"{PARTIAL_PREFIX}new-*/charts/*.svg")):
                break
            time.sleep(0.05)
        assert child.poll() is None, child.stderr.read() if child.stderr else ""
        child.send_signal(signal.SIGKILL)
    finally:
        child.kill()
        child.wait()
    assert _contents(out) == before
    assert _leftovers(tmp_path)  # a killed process cannot clean up after itself
    write_report(summary, tmp_path / "another", org="Alpha")
    assert _leftovers(tmp_path) == []
    assert _contents(out) == before
