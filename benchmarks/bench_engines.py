"""Benchmark: the same scoring on pandas, Polars, DuckDB and Dask, time and peak memory.

Run on demand (not part of the test suite)::

    python benchmarks/bench_engines.py                      # 10,000,000 responses
    python benchmarks/bench_engines.py --rows 1000000       # a quick run
    python benchmarks/bench_engines.py --engines pandas,duckdb --data /tmp/gto-bench

The data are the survey of ``bench_scoring.py`` (24 five-point items, 200 organizations x 3
waves, every person in every wave, six four-item scales broken down by role and language),
written as a hive-partitioned Parquet data set, one folder per organization and wave, a
million rows at a time. The data set is kept in ``--data`` and reused by later runs of the
same size.

Each engine runs in a process of its own, which opens the data set and scores it:

- ``pandas``: reads the whole data set into a DataFrame, then ``score``;
- ``polars``: ``score`` on a LazyFrame scanning the files;
- ``duckdb``: ``score`` on a DuckDB relation reading the files;
- ``dask``: ``score`` on a Dask DataFrame, on a ``distributed.LocalCluster`` of two worker
  processes with one thread each (started before the clock, as a running cluster would be).

Time is the wall-clock time from opening the data set to the finished summary table. Peak
memory is the largest total resident memory of the engine's process and every process it
started (Dask's workers), sampled every 20 ms with psutil; the largest single process's
``ru_maxrss`` is printed beside it. Ratios are against pandas in the same run. Each engine's
summary is compared with pandas' (numbers to 1e-9, everything else exactly).

``--step aggregate`` measures the aggregation step only (raw rows -> grouped sufficient
statistics), the part that each engine computes.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))

from bench_scoring import ITEMS, ORGS, WAVES, bench_framework, make_table

SCALES = [f"bench.scale_{s + 1}" for s in range(6)]
CHUNK = 999_999  # whole people: each answers in all three waves
ENGINES = ("pandas", "polars", "duckdb", "dask")


def write_data(root: Path, rows: int) -> Path:
    """The survey as a partitioned data set, written a million rows at a time (once)."""
    done = root / f"survey-{rows}.done"
    data = root / f"survey-{rows}"
    if done.exists():
        return data
    from getting_to_outcomes.engines import write_partitioned

    start = 0
    chunk_no = 0
    while start < rows:
        size = min(CHUNK, rows - start)
        size -= size % len(WAVES)
        if size <= 0:
            break
        part = make_table(size, seed=20250101 + chunk_no)
        # Each chunk has its own people.
        part["person_id"] = f"c{chunk_no}-" + part["person_id"]
        write_partitioned(part, data, partition_by=["org_id", "survey_wave"])
        start += size
        chunk_no += 1
        print(f"  wrote {start:,} of {rows:,} rows", flush=True)
    done.touch()
    return data


def child(engine: str, data: Path, out: Path, step: str) -> None:
    """Open the data set on ``engine``, score it, write the result and the time."""
    from getting_to_outcomes import score
    from getting_to_outcomes.engines import read_partitioned

    framework = bench_framework()
    client = None
    if engine == "dask":
        from distributed import Client, LocalCluster

        client = Client(LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                     dashboard_address=None))
    start = time.perf_counter()
    table = read_partitioned(data, engine=engine)
    if step == "score":
        result = score(table, framework, source="bench_survey", indicators=SCALES).to_frame()
    else:
        result = _aggregate(table, engine, framework)
    seconds = time.perf_counter() - start
    result.to_pickle(out)
    print(json.dumps({"seconds": seconds, "rows": len(result)}), flush=True)
    if client is not None:
        client.close()


def _aggregate(table: Any, engine: str, framework: Any) -> pd.DataFrame:
    """The aggregation step alone, as one long table."""
    from getting_to_outcomes.scoring._seam import aggregate
    from getting_to_outcomes.scoring._tables import Window

    source = framework.source("bench_survey")
    indicators = [framework.indicators[i] for i in SCALES]
    aggregates = aggregate(table, source, indicators, framework, window=Window(tuple(WAVES)),
                     group_column="org_id")
    return pd.concat([t.assign(table=name) for name, t in aggregates.tables().items()],
                     ignore_index=True)


def measure(engine: str, data: Path, out: Path, step: str) -> dict[str, Any]:
    """Run one engine in a child process; its time, and its peak memory with its children."""
    import psutil

    command = [sys.executable, __file__, "--child", engine, "--data", str(data),
               "--out", str(out), "--step", step]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    watched = psutil.Process(process.pid)
    peak = 0
    while process.poll() is None:
        with contextlib.suppress(psutil.Error):
            total = 0
            for p in [watched, *watched.children(recursive=True)]:
                with contextlib.suppress(psutil.Error):  # a process that just ended
                    total += p.memory_info().rss
            peak = max(peak, total)
        time.sleep(0.02)
    output = process.stdout.read() if process.stdout else ""
    if process.returncode != 0:
        raise SystemExit(f"{engine} failed (exit {process.returncode})")
    report = json.loads(output.strip().splitlines()[-1])
    report["peak"] = peak
    return report


def same(expected: pd.DataFrame, got: pd.DataFrame) -> str:
    """'equal', or what differs (numbers to 1e-9, everything else exactly)."""
    if len(expected) != len(got):
        return f"{len(got)} rows, pandas {len(expected)}"
    texts = [c for c in expected.columns if not pd.api.types.is_numeric_dtype(expected[c])]
    order = [c for c in texts if expected[c].notna().any()]
    expected = expected.sort_values(order).reset_index(drop=True)
    got = got[expected.columns].sort_values(order).reset_index(drop=True)
    for column in expected.columns:
        a, b = expected[column], got[column]
        if column in texts:
            if a.astype(str).tolist() != b.astype(str).tolist():
                return f"column {column} differs"
        elif not np.allclose(a.to_numpy(dtype=np.float64), b.to_numpy(dtype=np.float64),
                             rtol=1e-9, atol=1e-9, equal_nan=True):
            return f"column {column} differs"
    return "equal"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--engines", default=",".join(ENGINES))
    parser.add_argument("--data", type=Path, default=Path(tempfile.gettempdir()) / "gto-bench")
    parser.add_argument("--step", choices=["score", "aggregate"], default="score")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.data, args.out, args.step)
        return

    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    print(f"{args.rows:,} responses x {len(ITEMS)} items, {ORGS} organizations x {len(WAVES)} "
          f"waves, six 4-item scales by role and language; step: {args.step}", flush=True)
    data = write_data(args.data, args.rows)
    files = sum(1 for _ in data.rglob("*.parquet"))
    size = sum(p.stat().st_size for p in data.rglob("*.parquet"))
    print(f"data set: {data} ({files} files, {size / 2**20:.0f} MiB on disk); "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}", flush=True)
    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory() as scratch:
        for engine in engines:
            out = Path(scratch) / f"{engine}.pkl"
            results[engine] = measure(engine, data, out, args.step)
            results[engine]["frame"] = pd.read_pickle(out)
            print(f"  {engine}: {results[engine]['seconds']:.1f} s", flush=True)
    base = results.get("pandas")
    print()
    print(f"{'engine':8s} {'time':>9s} {'speed-up':>9s} {'peak memory':>12s} {'of pandas':>10s}"
          "  result")
    for engine, r in results.items():
        speed = base["seconds"] / r["seconds"] if base else float("nan")
        memory = r["peak"] / base["peak"] if base else float("nan")
        verdict = same(base["frame"], r["frame"]) if base and engine != "pandas" else ""
        print(f"{engine:8s} {r['seconds']:8.1f}s {speed:8.2f}x {r['peak'] / 2**30:10.2f} GiB "
              f"{memory:9.2f}x  {verdict}")
    if base and len(results) > 1:
        others = {e: r for e, r in results.items() if e != "pandas"}
        fastest = min(others, key=lambda e: others[e]["seconds"])
        speed = base["seconds"] / others[fastest]["seconds"]
        print(f"\nfastest: {fastest}, {speed:.2f}x pandas (goal >= 3x: "
              f"{'met' if speed >= 3 else 'not met'})")
        light = [e for e in ("duckdb", "dask") if e in others]
        if light:
            lightest = min(light, key=lambda e: others[e]["peak"])
            share = others[lightest]["peak"] / base["peak"]
            print(f"lightest of DuckDB and Dask: {lightest}, peak memory {share:.2f} of pandas' "
                  f"(goal < 0.5: {'met' if share < 0.5 else 'not met'})")


if __name__ == "__main__":
    main()
