"""Benchmark: column-wise validation against pandera, per-record pydantic and one numpy pass.

Run on demand (not part of the test suite)::

    python benchmarks/bench_validation.py            # 1,000,000 rows
    python benchmarks/bench_validation.py --rows 200000 --repeat 3

The table is a survey export of ``--rows`` rows: 24 Likert items on the five-point
agreement scale plus 8 other columns (organization, respondent id, wave, date, three
categories, a count), generated with a fixed seed. About 1% of the rows carry a seeded
defect (an out-of-range or non-integer answer, a date outside the period, an unknown
category, a negative or implausible count, a duplicated respondent, a blank id, the
same answer to every item); about 1% of the answers are declared missing codes (99,
-9) and 2% are blank.

Every timing is the best of ``--repeat`` runs, measured in this one process, both as
wall-clock time and as processor time (the ratios use processor time, which other
programs running on the same machine disturb less; both are printed):

- ``columns``: ``getting_to_outcomes.validate`` (the whole report: issues, valid and
  rejected rows, missing codes);
- ``pandera``: a pandera ``DataFrameSchema`` with the same checks, ``lazy=True``;
- ``records``: the per-record pydantic path (``validate(..., checks="records")``),
  run on ``--record-rows`` rows and scaled linearly to the whole table;
- ``numpy``: one numpy pass over the 24-column item matrix asking, for every cell,
  whether it is blank or one of the scale's codes (the least any validator must do).

Peak memory of the column-wise validation is measured with ``tracemalloc`` (Python
and numpy allocations) plus the growth of Arrow's memory pool, and compared with the
in-memory size of the table (``DataFrame.memory_usage(deep=True)``).
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import os
import sys
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from getting_to_outcomes import load_framework, validate
from getting_to_outcomes.definitions._framework import Framework
from getting_to_outcomes.definitions.models import DataSource

ITEMS = [f"item_{k:02d}" for k in range(1, 25)]
ROLES = ["parent", "youth", "community_member", "educator_ally"]
AGES = ["13-15", "16-18", "19-24", "25-44", "45+"]
LANGUAGES = ["english", "spanish", "other"]
PERIOD = ("2022-08-01", "2026-07-31")


def bench_source() -> DataSource:
    """The benchmark's data source: 8 columns plus 24 Likert items."""
    columns: list[dict[str, Any]] = [
        {"name": "org_id", "type": "string", "required": True},
        {"name": "person_id", "type": "string", "required": True},
        {"name": "survey_wave", "type": "category", "required": True, "allowed": ["pre", "post"]},
        {"name": "survey_date", "type": "date", "min": PERIOD[0], "max": PERIOD[1]},
        {"name": "role_type", "type": "category", "allowed": ROLES},
        {"name": "age_band", "type": "category", "allowed": AGES},
        {"name": "language", "type": "category", "allowed": LANGUAGES},
        {"name": "trainings_attended", "type": "integer", "min": 0, "max": 60, "plausible_max": 30},
        *({"name": item, "type": "likert", "scale": "agree5"} for item in ITEMS),
    ]
    return DataSource.model_validate(
        {
            "id": "bench_survey",
            "name": "Benchmark survey",
            "unit_of_analysis": "person",
            "columns": columns,
            "keys": ["org_id", "person_id", "survey_wave"],
            "id_column": "person_id",
            "time_column": "survey_wave",
            "period_order": ["pre", "post"],
        }
    )


def bench_framework() -> Framework:
    framework = load_framework()
    return dataclasses.replace(
        framework, sources={**framework.sources, "bench_survey": bench_source()}
    )


def make_table(rows: int, seed: int = 20240601) -> tuple[pd.DataFrame, dict[str, int]]:
    """The survey table and the number of seeded defects of each kind."""
    rng = np.random.default_rng(seed)
    i = np.arange(rows)
    person = i // 2
    frame = pd.DataFrame(
        {
            "org_id": pd.array(np.char.add("org", (person % 40).astype(str)), dtype="str"),
            "person_id": pd.array(
                np.char.add("P", np.char.zfill(person.astype(str), 7)), dtype="str"
            ),
            "survey_wave": pd.array(np.where(i % 2 == 0, "pre", "post"), dtype="str"),
            "survey_date": pd.Timestamp("2023-09-01")
            + pd.to_timedelta(rng.integers(0, 700, rows), unit="D"),
            "role_type": pd.array(rng.choice(ROLES, rows), dtype="str"),
            "age_band": pd.array(rng.choice(AGES, rows), dtype="str"),
            "language": pd.array(rng.choice(LANGUAGES, rows), dtype="str"),
            "trainings_attended": rng.poisson(3, rows).astype(np.float64),
        }
    )
    answers = rng.integers(1, 6, (rows, len(ITEMS))).astype(np.float64)
    draw = rng.random((rows, len(ITEMS)))
    answers[draw < 0.02] = np.nan
    answers[(draw >= 0.02) & (draw < 0.025)] = 99
    answers[(draw >= 0.025) & (draw < 0.03)] = -9
    defective = rng.choice(rows, size=rows // 100, replace=False)
    kinds = rng.integers(0, 9, len(defective))
    counts: dict[str, int] = {}

    def seed_defect(name: str, where: np.ndarray) -> None:
        counts[name] = counts.get(name, 0) + len(where)

    columns = {
        name: frame[name].to_numpy(dtype=object)
        for name in ("org_id", "person_id", "role_type", "survey_wave")
    }
    dates = frame["survey_date"].to_numpy().copy()
    trainings = frame["trainings_attended"].to_numpy().copy()
    for kind in range(9):
        where = defective[kinds == kind]
        item = rng.integers(0, len(ITEMS), len(where))
        if kind == 0:
            answers[where, item] = 7
            seed_defect("out_of_range", where)
        elif kind == 1:
            answers[where, item] = 2.5
            seed_defect("unknown_answer", where)
        elif kind == 2:
            dates[where] = np.datetime64("2019-05-04")
            seed_defect("outside_period", where)
        elif kind == 3:
            columns["role_type"][where] = "teacher"
            seed_defect("not_allowed", where)
        elif kind == 4:
            trainings[where] = -3
            seed_defect("out_of_range", where)
        elif kind == 5:
            trainings[where] = 45
            seed_defect("implausible", where)
        elif kind == 6:
            # the same person and wave as the row before: both rows are reported
            where = where[where > 0]
            for name in ("org_id", "person_id", "survey_wave"):
                columns[name][where] = columns[name][where - 1]
            seed_defect("duplicate_key", where)
        elif kind == 7:
            columns["person_id"][where] = ""
            seed_defect("missing_required", where)
        else:
            answers[where, :] = 3
            seed_defect("straightlining", where)
    for name, values in columns.items():
        frame[name] = pd.array(values, dtype="str")
    frame["survey_date"] = dates
    frame["trainings_attended"] = trainings
    for k, item in enumerate(ITEMS):
        frame[item] = answers[:, k].copy()
    return frame, counts


def pandera_schema() -> Any:
    """A pandera schema performing the same checks, written with efficient pandas idioms."""
    import pandera.pandas as pa

    codes = [1.0, 2.0, 3.0, 4.0, 5.0]
    missing_text = [
        "",
        "-",
        "--",
        "n/a",
        "na",
        "not applicable",
        "refused",
        "prefer not to say",
        "prefer not to answer",
        "don't know",
        "dont know",
        "do not know",
        "not asked",
    ]

    def no_missing_code(series: pd.Series) -> pd.Series:
        return ~series.str.strip().str.lower().isin(missing_text)

    def not_straightlined(frame: pd.DataFrame) -> pd.Series:
        items = frame[ITEMS].where(frame[ITEMS].isin(codes))
        answered = items.notna().sum(axis=1)
        return ~((answered >= 12) & (items.min(axis=1) == items.max(axis=1)))

    def has_baseline(frame: pd.DataFrame) -> pd.Series:
        person = frame["org_id"] + "\x1f" + frame["person_id"]
        baseline = frame["survey_wave"] == "pre"
        return baseline | person.isin(person[baseline])

    columns = {
        "org_id": pa.Column(str, pa.Check(no_missing_code), nullable=False),
        "person_id": pa.Column(str, pa.Check(no_missing_code), nullable=False),
        "survey_wave": pa.Column(str, pa.Check.isin(["pre", "post"]), nullable=False),
        "survey_date": pa.Column(
            "datetime64[us]",
            pa.Check.in_range(pd.Timestamp(PERIOD[0]), pd.Timestamp(PERIOD[1])),
            nullable=True,
        ),
        "role_type": pa.Column(str, pa.Check.isin(ROLES), nullable=True),
        "age_band": pa.Column(str, pa.Check.isin(AGES), nullable=True),
        "language": pa.Column(str, pa.Check.isin(LANGUAGES), nullable=True),
        "trainings_attended": pa.Column(
            float,
            [
                pa.Check.in_range(0, 60),
                pa.Check(lambda s: s == np.floor(s)),
                pa.Check.le(30, raise_warning=True),
            ],
            nullable=True,
        ),
        **{
            item: pa.Column(float, pa.Check.isin([*codes, 99.0, -9.0]), nullable=True)
            for item in ITEMS
        },
    }
    return pa.DataFrameSchema(
        columns,
        checks=[
            pa.Check(not_straightlined, raise_warning=True),
            pa.Check(has_baseline, raise_warning=True),
        ],
        unique=["org_id", "person_id", "survey_wave"],
        report_duplicates="all",
    )


def run_pandera(schema: Any, frame: pd.DataFrame) -> tuple[int, pd.DataFrame]:
    """Validate lazily, then keep the rows without failures (as ``valid_rows`` does)."""
    import warnings

    import pandera.errors

    failures = pd.DataFrame({"index": []})
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # warnings print every failing value
            schema.validate(frame, lazy=True)
    except pandera.errors.SchemaErrors as exc:
        failures = exc.failure_cases
    bad = failures["index"].dropna().astype(np.int64).unique()
    return len(failures), frame[~frame.index.isin(bad)]


def numpy_pass(matrix: np.ndarray) -> np.ndarray:
    """The goal's baseline: is every answer blank or one of the scale's codes (np.isin)."""
    return ~np.isnan(matrix) & ~np.isin(matrix, [1.0, 2.0, 3.0, 4.0, 5.0])


def numpy_equalities(matrix: np.ndarray) -> np.ndarray:
    """The same question with one comparison per code: faster than np.isin for five codes."""
    fine = np.isnan(matrix)
    for code in (1.0, 2.0, 3.0, 4.0, 5.0):
        fine |= matrix == code
    return ~fine


def numpy_range(matrix: np.ndarray) -> np.ndarray:
    """A bare range comparison: less than any validator must do (no fractions, no blanks)."""
    return (matrix < 1) | (matrix > 5)


@dataclasses.dataclass
class Timing:
    """Best wall-clock and processor times of several runs, in seconds."""

    wall: float
    cpu: float


def best(function: Callable[[], Any], repeat: int) -> tuple[Timing, Any]:
    walls, cpus, result = [], [], None
    for _ in range(repeat):
        gc.collect()
        wall, cpu = time.perf_counter(), time.process_time()
        result = function()
        cpus.append(time.process_time() - cpu)
        walls.append(time.perf_counter() - wall)
    return Timing(min(walls), min(cpus)), result


def peak_memory(function: Callable[[], Any]) -> int:
    """Peak bytes allocated while ``function`` runs (tracemalloc + Arrow's pool)."""
    try:
        import pyarrow as pa

        pool = pa.default_memory_pool()
        arrow_before = pool.bytes_allocated()
        arrow_peak_before = pool.max_memory() or 0
    except ImportError:  # pragma: no cover - pyarrow is optional
        pool = None
    gc.collect()
    tracemalloc.start()
    result = function()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    arrow_extra = 0
    if pool is not None:
        arrow_extra = max(0, (pool.max_memory() or 0) - max(arrow_peak_before, arrow_before))
    del result
    return peak + arrow_extra


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5, help="best of this many runs")
    parser.add_argument(
        "--record-rows",
        type=int,
        default=50_000,
        help="rows for the per-record pydantic path (scaled to --rows)",
    )
    parser.add_argument("--skip-pandera", action="store_true")
    args = parser.parse_args(argv)

    framework = bench_framework()
    print(
        f"python {sys.version.split()[0]}, pandas {pd.__version__}, numpy {np.__version__}, "
        f"{os.cpu_count()} CPU(s), load average {os.getloadavg()[0]:.2f}"
    )
    start = time.perf_counter()
    frame, seeded = make_table(args.rows)
    table_bytes = int(frame.memory_usage(deep=True).sum())
    print(
        f"table: {args.rows:,} rows x {frame.shape[1]} columns, "
        f"{table_bytes / 1e6:,.0f} MB in memory "
        f"(built in {time.perf_counter() - start:.1f} s); seeded defects: "
        + ", ".join(f"{k} {v:,}" for k, v in sorted(seeded.items()))
    )

    t_columns, report = best(lambda: validate(frame, framework, source="bench_survey"), args.repeat)
    counts = report.issues.groupby("reason").size()
    print(f"{'':8}  {'cpu s':>8}  {'wall s':>8}")
    print(
        f"columns : {t_columns.cpu:8.3f}  {t_columns.wall:8.3f}   ({report.rows_read:,} rows read, "
        f"{len(report.rejected_rows):,} rejected, {len(report.issues):,} issues, "
        f"{len(report.missing):,} missing codes)"
    )
    print("          issues found: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))

    matrix = frame[ITEMS].to_numpy()
    t_numpy, _ = best(lambda: numpy_pass(matrix), args.repeat)
    print(
        f"numpy   : {t_numpy.cpu:8.3f}  {t_numpy.wall:8.3f}   (one pass over the "
        f"{matrix.shape[0]:,} x {matrix.shape[1]} item matrix)"
    )

    t_equalities, _ = best(lambda: numpy_equalities(matrix), args.repeat)
    t_range, _ = best(lambda: numpy_range(matrix), args.repeat)
    print(
        f"          other numpy formulations: one comparison per code {t_equalities.cpu:.3f} s, "
        f"bare range comparison {t_range.cpu:.3f} s (processor time)"
    )

    sample = frame.iloc[: args.record_rows]
    t_sample, _ = best(
        lambda: validate(sample, framework, source="bench_survey", checks="records"),
        max(1, args.repeat // 2),
    )
    scale = len(frame) / len(sample)
    t_records = Timing(t_sample.wall * scale, t_sample.cpu * scale)
    print(
        f"records : {t_records.cpu:8.3f}  {t_records.wall:8.3f}   (per-record pydantic: "
        f"{t_sample.cpu:.2f} s for {len(sample):,} rows, scaled linearly)"
    )

    t_pandera = Timing(float("nan"), float("nan"))
    if not args.skip_pandera:
        schema = pandera_schema()
        t_pandera, (failures, kept) = best(
            lambda: run_pandera(schema, frame), max(1, args.repeat // 2)
        )
        print(
            f"pandera : {t_pandera.cpu:8.3f}  {t_pandera.wall:8.3f}   ({failures:,} failure cases, "
            f"{len(kept):,} rows kept)"
        )

    peak = peak_memory(lambda: validate(frame, framework, source="bench_survey"))
    print(
        f"memory  : peak {peak / 1e6:,.0f} MB while validating "
        f"= {peak / table_bytes:.2f} x the table"
    )
    print()
    print(f"ratios, processor time (wall clock)  [goal]   load average {os.getloadavg()[0]:.2f}")
    for label, ratio, goal in (
        ("pandera / columns", lambda t: t_pandera.__dict__[t] / t_columns.__dict__[t], ">= 5"),
        ("records / columns", lambda t: t_records.__dict__[t] / t_columns.__dict__[t], ">= 50"),
        ("columns / numpy  ", lambda t: t_columns.__dict__[t] / t_numpy.__dict__[t], "<= 5"),
    ):
        print(f"  {label} : {ratio('cpu'):7.2f} x ({ratio('wall'):7.2f} x)   [{goal}]")
    print(f"  peak memory/table : {peak / table_bytes:7.2f} x               [<= 3]")
    print(
        "  (columns against the other numpy formulations: "
        f"{t_columns.cpu / t_equalities.cpu:.1f} x one comparison per code, "
        f"{t_columns.cpu / t_range.cpu:.1f} x a bare range comparison)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
