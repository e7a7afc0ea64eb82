"""Benchmark: full scoring against a hand-written pandas groupby and one numpy pass.

Run on demand (not part of the test suite)::

    python benchmarks/bench_scoring.py                  # 1,000,000 responses
    python benchmarks/bench_scoring.py --rows 200000 --repeat 3

The table holds ``--rows`` survey responses to 24 Likert items (five-point agreement) from
200 organizations in 3 waves (pre, mid, post): every person answers in every wave, so the
design is paired; answers depend on a person's level and the wave, with 2% left blank. Six
scale indicators of four items each (one item of each reverse-keyed) are broken down by role
and language, as the bundled leadership scales are.

Every timing is the best of ``--repeat`` runs, measured in this one process:

- ``score``: ``getting_to_outcomes.score`` followed by ``to_frame()``: scale scores,
  reliability, item distributions, the paired design with its tests, the network pooled,
  targets and statuses, suppression, for every organization, wave and subgroup;
- ``aggregate``: the aggregation step of ``score`` alone (raw rows -> sufficient statistics,
  the part an engine such as DuckDB or Dask can take over); the rest of ``score`` works on
  those small tables;
- ``groupby``: a hand-written ``DataFrame.groupby([org, wave])[items].agg(["mean", "std"])``,
  which computes only item means and standard deviations;
- ``numpy``: one numpy pass over the 1,000,000 x 24 item matrix: the grouped sums and sums of
  squares of every item with ``np.bincount`` (group codes computed beforehand), the least any
  engine must do to report a mean and a standard deviation per organization and wave.

Peak memory of ``score`` is measured with ``tracemalloc`` (Python and numpy allocations) and
compared with the in-memory size of the table (``DataFrame.memory_usage(deep=True)``).
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from getting_to_outcomes import load_framework, score
from getting_to_outcomes.definitions._framework import Framework, IndicatorSet
from getting_to_outcomes.definitions.models import DataSource, Indicator
from getting_to_outcomes.scoring._aggregate import aggregate_source
from getting_to_outcomes.scoring._tables import Window

ITEMS = [f"item_{k:02d}" for k in range(1, 25)]
ROLES = ["parent", "youth", "community_member", "educator_ally"]
LANGUAGES = ["english", "spanish", "other"]
WAVES = ["pre", "mid", "post"]
ORGS = 200


def bench_framework() -> Framework:
    """The bundled framework with a benchmark survey source and six 4-item scales."""
    framework = load_framework()
    source = DataSource.model_validate({
        "id": "bench_survey", "name": "Benchmark survey", "unit_of_analysis": "person",
        "keys": ["org_id", "person_id", "survey_wave"], "id_column": "person_id",
        "time_column": "survey_wave", "period_order": WAVES,
        "columns": [
            {"name": "org_id", "type": "string", "required": True},
            {"name": "person_id", "type": "string", "required": True},
            {"name": "survey_wave", "type": "category", "required": True, "allowed": WAVES},
            {"name": "role_type", "type": "category", "allowed": ROLES},
            {"name": "language", "type": "category", "allowed": LANGUAGES},
            *({"name": item, "type": "likert", "scale": "agree5"} for item in ITEMS),
        ],
    })
    template = framework.indicators["leadership.organizing_skills"].model_dump()
    scales = []
    for s in range(6):
        items = ITEMS[4 * s: 4 * s + 4]
        spec = {**template, "id": f"bench.scale_{s + 1}", "source": "bench_survey",
                "measure": {"kind": "scale", "items": items, "reverse": [items[-1]],
                            "scale": "agree5", "min_answered": 0.75},
                "disaggregate_by": ["role_type", "language"]}
        scales.append(Indicator.model_validate(spec))
    return dataclasses.replace(
        framework, sources={**framework.sources, "bench_survey": source},
        indicators=IndicatorSet([*framework.indicators, *scales]),
    )


def make_table(rows: int, seed: int = 20250101) -> pd.DataFrame:
    """Survey responses: person ``i // 3`` answers in wave ``i % 3``."""
    rng = np.random.default_rng(seed)
    i = np.arange(rows)
    person = i // 3
    wave = i % 3
    n_people = int(person.max()) + 1
    level = rng.normal(0.0, 0.8, n_people)[person]
    growth = rng.uniform(-0.1, 0.4, ORGS)[person % ORGS]
    roles = rng.choice(ROLES, n_people)[person]
    languages = rng.choice(LANGUAGES, n_people)[person]
    latent = 3.0 + level + growth * wave
    answers = np.clip(np.rint(latent[:, None] + rng.normal(0, 0.8, (rows, len(ITEMS)))), 1, 5)
    reverse = [4 * s + 3 for s in range(6)]
    answers[:, reverse] = 6 - answers[:, reverse]
    answers[rng.random((rows, len(ITEMS))) < 0.02] = np.nan
    frame = pd.DataFrame({
        "org_id": pd.array(np.char.add("org", (person % ORGS).astype(str)), dtype="str"),
        "person_id": pd.array(np.char.add("P", person.astype(str)), dtype="str"),
        "survey_wave": pd.array(np.asarray(WAVES)[wave], dtype="str"),
        "role_type": pd.array(roles, dtype="str"),
        "language": pd.array(languages, dtype="str"),
    })
    for k, item in enumerate(ITEMS):
        frame[item] = answers[:, k]
    return frame


def best_of(repeat: int, run: Callable[[], Any]) -> float:
    times = []
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def peak_memory(run: Callable[[], Any]) -> int:
    gc.collect()
    tracemalloc.start()
    run()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    framework = bench_framework()
    frame = make_table(args.rows)
    indicators = [f"bench.scale_{s + 1}" for s in range(6)]
    size = int(frame.memory_usage(deep=True).sum())
    print(f"{len(frame):,} responses x {len(ITEMS)} items, {ORGS} organizations x "
          f"{len(WAVES)} waves; table in memory {size / 2**20:.0f} MiB")

    def full() -> pd.DataFrame:
        return score(frame, framework, source="bench_survey", indicators=indicators).to_frame()

    source = framework.source("bench_survey")
    scales = [framework.indicators[i] for i in indicators]
    window = Window(periods=tuple(WAVES))

    def aggregate() -> object:
        return aggregate_source(frame, source, scales, framework, window=window,
                                group_column="org_id")

    def groupby() -> pd.DataFrame:
        return frame.groupby(["org_id", "survey_wave"])[ITEMS].agg(["mean", "std"])

    codes = (pd.factorize(frame["org_id"])[0] * len(WAVES)
             + pd.factorize(frame["survey_wave"])[0])
    matrix = frame[ITEMS].to_numpy()

    def numpy_pass() -> list[np.ndarray]:
        out = []
        for k in range(matrix.shape[1]):
            x = matrix[:, k]
            ok = ~np.isnan(x)
            out.append(np.bincount(codes[ok], weights=x[ok]))
            out.append(np.bincount(codes[ok], weights=x[ok] ** 2))
        return out

    result = full()
    print(f"score: {len(result):,} summary rows")
    t_score = best_of(args.repeat, full)
    t_aggregate = best_of(args.repeat, aggregate)
    t_groupby = best_of(args.repeat, groupby)
    t_numpy = best_of(args.repeat, numpy_pass)
    peak = peak_memory(full)
    print(f"{'score':<10}{t_score:8.2f} s   of which aggregation {t_aggregate:.2f} s, "
          f"statistics on the aggregated tables {t_score - t_aggregate:.2f} s")
    print(f"{'groupby':<10}{t_groupby:8.2f} s   score / groupby = {t_score / t_groupby:.2f}x "
          "(goal: at most 3x)")
    print(f"{'numpy':<10}{t_numpy:8.2f} s   score / numpy   = {t_score / t_numpy:.2f}x")
    print(f"peak memory of score: {peak / 2**20:.0f} MiB = {peak / size:.2f}x the table "
          "(goal: at most 3x)")


if __name__ == "__main__":
    main()
