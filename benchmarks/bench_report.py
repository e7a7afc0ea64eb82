"""Benchmark: the funder report for 50 grantees x 40 indicators against scoring the same data.

Run on demand (not part of the test suite)::

    python benchmarks/bench_report.py                 # 50 grantees, 40 indicators
    python benchmarks/bench_report.py --grantees 24 --indicators 30 --repeat 2

The data are the bundled synthetic example network (12 grantees in six regions) copied until
there are ``--grantees`` organizations: copy k of grantee ``CA-01`` is ``CA-01~k``, with every
person and record id suffixed the same way and numeric answers left as they are, so each copy
costs the scoring engine as much as a real grantee of the same size. The first
``--indicators`` indicators of the framework with data are scored.

In one process, best of ``--repeat`` runs each:

- ``score``: ``getting_to_outcomes.score`` on the tables (aggregation, statistics, targets,
  statuses, suppression, the pooled network), then ``to_frame()`` and the roll-ups;
- ``report``: ``write_report(summary, mode="funder")`` into an empty folder: every chart as PNG
  (200 dpi) and SVG, the tables as CSV and .xlsx, summary.json and report.html. The roll-ups
  it shows were computed once, in ``score`` above: ``ProgressSummary`` keeps them and hands
  out copies. What asking for them again costs is printed too.

The charts are drawn by worker processes (``write_report(workers=...)``; ``--workers 1``
draws them in the benchmark's own process). The report's processor seconds count the
workers' too, so spreading the charts over processes lowers the wall clock, not the work.

Goals: the report takes at most 2x the time of scoring, and no chart takes more than 0.3 s
(building it and saving both formats, in the process that draws it). Both wall-clock and
processor seconds are printed: processor seconds are not inflated by other programs running
on the machine.
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

import pandas as pd

import getting_to_outcomes as gto

_ID_COLUMNS = ("org_id", "person_id", "action_id", "contact_id", "item_id", "win_id",
               "record_id", "row_id")


def _copies(example: gto.ExampleDataset, grantees: int) -> tuple[dict[str, pd.DataFrame],
                                                                pd.DataFrame, dict[str, str]]:
    """The example's tables with each grantee copied until there are ``grantees``."""
    orgs = list(example.orgs["org_id"])
    names = dict(zip(example.orgs["org_id"], example.orgs["name"], strict=True))
    plan = [(orgs[k % len(orgs)], k // len(orgs)) for k in range(grantees)]
    tables: dict[str, pd.DataFrame] = {}
    for source, table in example.tables.items():
        if "org_id" not in table.columns:
            tables[source] = table
            continue
        parts = []
        for org, copy in plan:
            part = table[table["org_id"] == org].copy()
            if copy:
                for column in _ID_COLUMNS:
                    if column in part.columns:
                        part[column] = part[column].astype("string") + f"~{copy}"
            parts.append(part)
        tables[source] = pd.concat(parts, ignore_index=True)
    targets = []
    for org, copy in plan:
        block = example.targets[example.targets["org_id"] == org].copy()
        block["org_id"] = org if not copy else f"{org}~{copy}"
        targets.append(block)
    labels = {(org if not copy else f"{org}~{copy}"):
              (names[org] if not copy else f"{names[org]} ({copy + 1})") for org, copy in plan}
    return tables, pd.concat(targets, ignore_index=True), labels


def _indicators(framework: gto.Framework, tables: dict[str, pd.DataFrame],
                count: int) -> list[str]:
    with_data = [i.id for i in framework.indicators if i.source in tables]
    return with_data[:count]


def _cpu() -> float:
    """Processor seconds of this process and of its children that have ended."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def _best(runs: list[dict[str, Any]], key: str) -> dict[str, Any]:
    return min(runs, key=lambda run: run[key])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--grantees", type=int, default=50)
    parser.add_argument("--indicators", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--workers", type=int, default=None,
                        help="processes drawing the charts (default: write_report chooses)")
    args = parser.parse_args()

    example = gto.load_example("cper-network")
    framework = example.framework
    tables, targets, labels = _copies(example, args.grantees)
    indicators = _indicators(framework, tables, args.indicators)
    rows = sum(len(t) for t in tables.values())
    print(f"{args.grantees} grantees, {len(indicators)} indicators, {rows:,} rows "
          f"in {len(tables)} tables (synthetic, copied from the example network)")

    scoring, reports = [], []
    for _ in range(args.repeat):
        wall, cpu = time.perf_counter(), _cpu()
        summary = gto.score(tables, framework, targets=targets, indicators=indicators)
        summary.to_frame()
        for method in (summary.by_stop, summary.by_zone, summary.by_realm):
            method()
        scoring.append({"wall": time.perf_counter() - wall, "cpu": _cpu() - cpu})

        folder = Path(tempfile.mkdtemp(prefix="gto-bench-report-"))
        try:
            wall, cpu = time.perf_counter(), _cpu()
            files = gto.write_report(summary, folder / "report", mode="funder", labels=labels,
                                     synthetic=True, workers=args.workers)
            reports.append({"wall": time.perf_counter() - wall,
                            "cpu": _cpu() - cpu, "files": files,
                            "size": files.html.stat().st_size})
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        # The summary keeps the roll-ups it computed: asking again costs a copy. Time it.
        wall, cpu = time.perf_counter(), time.process_time()
        summary.by_stop()
        summary.by_realm()
        reports[-1].update(rollup_wall=time.perf_counter() - wall,
                           rollup_cpu=time.process_time() - cpu)

    best_score, best_report = _best(scoring, "cpu"), _best(reports, "cpu")
    files = best_report["files"]
    charts = sorted(files.cpu_timings.items(), key=lambda kv: -kv[1])
    slow = [(k, v) for k, v in charts if v > 0.3]
    print()
    print(f"{'':24}{'wall s':>10}{'cpu s':>10}")
    print(f"{'score':24}{best_score['wall']:>10.2f}{best_score['cpu']:>10.2f}")
    print(f"{'funder report':24}{best_report['wall']:>10.2f}{best_report['cpu']:>10.2f}")
    print(f"{'  of which charts':24}{'':>10}{sum(files.cpu_timings.values()):>10.2f}"
          "   (summed over the processes drawing them)")
    print(f"{'  of which roll-ups':24}{best_report['rollup_wall']:>10.2f}"
          f"{best_report['rollup_cpu']:>10.2f}   (asked again: kept by the summary)")
    ratio_cpu = best_report["cpu"] / best_score["cpu"]
    ratio_wall = best_report["wall"] / best_score["wall"]
    print()
    print(f"report / score: {ratio_cpu:.2f}x processor time, {ratio_wall:.2f}x wall clock "
          f"(goal <= 2x)")
    print(f"{len(files.charts)} charts; slowest {charts[0][0]} {charts[0][1]:.2f} s processor "
          f"({files.timings[charts[0][0]]:.2f} s wall); charts over 0.3 s: "
          f"{', '.join(f'{k} {v:.2f}' for k, v in slow) or 'none'} (goal: none)")
    print(f"report.html {best_report['size'] / 1e6:.1f} MB, self-contained")
    print()
    print("per chart, processor seconds (wall):")
    for key, seconds in charts:
        print(f"  {key:48}{seconds:>6.2f} ({files.timings[key]:.2f})")


if __name__ == "__main__":
    main()
