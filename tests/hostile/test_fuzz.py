"""Fuzzing the YAML loader and the CSV reader: every input ends in a result or a library error.

The strategies (``strategies.py``) change real definition files and tables, write text of
the characters that mean something to each parser, and raw bytes. Whatever comes in,
``load_framework`` returns a framework or raises a
:class:`~getting_to_outcomes.errors.GTOError`; ``check_framework`` returns its problems
without raising; ``read_raw`` and ``validate`` return a table or a report or raise a
``GTOError``. Any other exception is a crash that the command line would show as an
internal error.

The slow tests run each for ``GTO_FUZZ_SECONDS`` seconds (default 20), in batches of
examples until the time is up; the quick ones run a few dozen examples in every test run.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from getting_to_outcomes import Framework, ValidationReport, load_framework, validate
from getting_to_outcomes.definitions import check_framework
from getting_to_outcomes.errors import GTOError
from getting_to_outcomes.io import RawTable, read_raw
from tests.scoring.conftest import FRAMEWORK_DIR

from .strategies import data_files, yaml_documents

DEFINITION_FILES = ("framework.yaml", "indicators.yaml", "sources.yaml")
SOURCE = "survey"


def fuzz_seconds() -> float:
    """The time each slow fuzz test runs for: GTO_FUZZ_SECONDS, default 20."""
    return float(os.environ.get("GTO_FUZZ_SECONDS", "20"))


def run_for(seconds: float, strategy: st.SearchStrategy[Any],
            check: Callable[[Any], None]) -> int:
    """Run ``check`` on examples of ``strategy`` in batches until ``seconds`` have passed.

    Returns the number of batches of 25 examples run (at least one). A failing example is
    shrunk and raised by hypothesis as usual.
    """
    @settings(max_examples=25, deadline=None, database=None, derandomize=False,
              suppress_health_check=list(HealthCheck),
              phases=[Phase.generate, Phase.shrink])
    @given(strategy)
    def batch(example: Any) -> None:
        check(example)

    ends = time.monotonic() + seconds
    batches = 0
    while batches == 0 or time.monotonic() < ends:
        batch()
        batches += 1
    return batches


# --- the YAML loader ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def framework_copy() -> Iterator[Path]:
    """A folder holding the scoring test framework, whose files the checks overwrite."""
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "framework"
        shutil.copytree(FRAMEWORK_DIR, target)
        yield target


def _originals() -> list[str]:
    return [(FRAMEWORK_DIR / name).read_text(encoding="utf-8") for name in DEFINITION_FILES]


def yaml_check(folder: Path) -> Callable[[tuple[str, bytes]], None]:
    """Write one file of the framework, then load and check the framework."""
    def check(example: tuple[str, bytes]) -> None:
        name, document = example
        for original in DEFINITION_FILES:
            shutil.copyfile(FRAMEWORK_DIR / original, folder / original)
        (folder / name).write_bytes(document)
        try:
            loaded = load_framework(folder)
        except GTOError:
            pass
        else:
            assert isinstance(loaded, Framework)
        problems = check_framework(folder)
        assert isinstance(problems, list)
        # A single file given alone goes through the same loader.
        with contextlib.suppress(GTOError):
            load_framework(folder / name)
    return check


YAML_INPUTS = st.tuples(st.sampled_from(DEFINITION_FILES), yaml_documents(_originals()))


def test_the_yaml_loader_ends_in_a_framework_or_a_library_error(framework_copy: Path) -> None:
    assert run_for(0, YAML_INPUTS, yaml_check(framework_copy)) == 1


@pytest.mark.slow
def test_the_yaml_loader_fuzzed_for_a_bounded_time(framework_copy: Path) -> None:
    assert run_for(fuzz_seconds(), YAML_INPUTS, yaml_check(framework_copy)) >= 1


# --- the CSV reader -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def fw() -> Framework:
    return load_framework(FRAMEWORK_DIR)


#: Good values of each column of the scoring framework's survey (tests/scoring/data).
GOOD = {
    "org_id": ["org_a", "org_b", "org_c"], "person_id": ["p1", "p2", "p3"],
    "wave": ["pre", "mid", "post"], "role": ["parent", "youth", "staff", ""],
    **{f"q{k}": ["1", "2", "3", "4", "5", "Agree", ""] for k in range(1, 5)},
    "level": ["0", "1", "2", "3", "4", ""], "spoke": ["true", "false", "yes", "no", ""],
}


def _table_inputs(fw: Framework) -> st.SearchStrategy[tuple[bytes, int | None]]:
    source = fw.source(SOURCE)
    assert set(GOOD) == {c.name for c in source.columns}
    required = [c.name for c in source.columns if c.required]
    # Small parts as well as whole files: the reader of large files splits them.
    return st.tuples(data_files(GOOD, required), st.sampled_from([None, 64, 1024]))


def csv_check(fw: Framework, folder: Path) -> Callable[[tuple[bytes, int | None]], None]:
    """Write the bytes as survey.csv, then read and validate them."""
    path = folder / f"{SOURCE}.csv"

    def check(example: tuple[bytes, int | None]) -> None:
        raw, chunk_bytes = example
        path.write_bytes(raw)
        try:
            table = read_raw(path, source=fw.source(SOURCE))
        except GTOError:
            pass
        else:
            assert isinstance(table, RawTable)
        try:
            report = validate(path, fw, source=SOURCE, chunk_bytes=chunk_bytes)
        except GTOError:
            return
        assert isinstance(report, ValidationReport)
        assert report.rows_valid + report.rows_rejected <= report.rows_read
    return check


def test_the_csv_reader_ends_in_a_table_or_a_library_error(fw: Framework,
                                                           tmp_path: Path) -> None:
    assert run_for(0, _table_inputs(fw), csv_check(fw, tmp_path)) == 1


@pytest.mark.slow
def test_the_csv_reader_fuzzed_for_a_bounded_time(fw: Framework, tmp_path: Path) -> None:
    assert run_for(fuzz_seconds(), _table_inputs(fw), csv_check(fw, tmp_path)) >= 1


# --- what the fuzzing found ---------------------------------------------------------------


def test_a_utf8_mark_followed_by_bytes_that_are_not_utf8_is_a_located_error(
    fw: Framework, tmp_path: Path
) -> None:
    # Found by the CSV fuzzing: a UnicodeDecodeError escaped the reader.
    path = tmp_path / f"{SOURCE}.csv"
    path.write_bytes(b"\xef\xbb\xbforg_id,person_id,wave\norg_a,p1,pr\x80e\n")
    expected = r"starts with the UTF-8 mark but byte b'\\x80' on line 2 is not UTF-8"
    with pytest.raises(GTOError, match=expected):
        read_raw(path)
    with pytest.raises(GTOError, match=expected):
        validate(path, fw, source=SOURCE)
