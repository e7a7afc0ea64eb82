"""Fixtures of the scoring tests: a small framework with every measure kind, and data builders.

The framework in ``data/scoring_framework`` is written for these tests so that they do not
depend on the bundled definitions, which change as the framework grows.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from getting_to_outcomes import Framework, load_framework

FRAMEWORK_DIR = Path(__file__).parent / "data" / "scoring_framework"


@pytest.fixture(scope="session")
def fw() -> Framework:
    return load_framework(FRAMEWORK_DIR)


def survey(
    answers: Sequence[Sequence[float | None]],
    *,
    wave: str | Sequence[str] = "pre",
    org: str | Sequence[str] = "org_a",
    people: Sequence[str] | None = None,
    role: str | Sequence[str] = "parent",
    level: Sequence[float] | None = None,
    spoke: Sequence[bool | None] | None = None,
) -> pd.DataFrame:
    """Survey rows from a list of (q1, q2, q3, q4) answers."""
    n = len(answers)
    table = pd.DataFrame(
        [[np.nan if v is None else float(v) for v in row] for row in answers],
        columns=["q1", "q2", "q3", "q4"],
    )
    table.insert(0, "org_id", org if isinstance(org, str) else list(org))
    table.insert(1, "person_id", [f"p{i}" for i in range(n)] if people is None else list(people))
    table.insert(2, "wave", wave if isinstance(wave, str) else list(wave))
    table.insert(3, "role", role if isinstance(role, str) else list(role))
    table["level"] = np.full(n, np.nan) if level is None else np.asarray(level, dtype=float)
    table["spoke"] = pd.array([None] * n if spoke is None else list(spoke), dtype="boolean")
    return table


def synthetic_network(
    n_orgs: int = 8, people: int = 24, seed: int = 20240, attrition: float = 0.25
) -> dict[str, pd.DataFrame]:
    """A seeded network: a 3-wave survey, actions, records and wins for ``n_orgs`` groups.

    Groups improve by different amounts (the last one declines), a quarter of the people
    drop out after each wave, and about 5% of the answers are missing.
    """
    rng = np.random.default_rng(seed)
    survey_rows = []
    for o in range(n_orgs):
        org = f"org_{o:02d}"
        effect = -0.2 if o == n_orgs - 1 else rng.uniform(0.1, 0.6)
        size = people if o else 2  # the first group is too small to show
        for p in range(size):
            trait = rng.normal(0.0, 0.8)
            role = rng.choice(["parent", "youth", "staff"], p=[0.5, 0.4, 0.1])
            stayed = True
            for w, wave in enumerate(["pre", "mid", "post"]):
                if w and rng.random() < attrition:
                    stayed = False
                if not stayed:
                    continue
                base = 3.0 + trait + effect * w
                row: dict[str, object] = {
                    "org_id": org, "person_id": f"{org}-p{p}", "wave": wave, "role": role,
                }
                for q in ("q1", "q2", "q3", "q4"):
                    x = base + rng.normal(0.0, 0.7)
                    x = 6.0 - x if q == "q4" else x
                    row[q] = np.nan if rng.random() < 0.05 else float(np.clip(round(x), 1, 5))
                row["level"] = float(np.clip(round(1.5 + trait + effect * w * 2), 0, 4))
                row["spoke"] = bool(rng.random() < 0.2 + 0.1 * w)
                survey_rows.append(row)
    survey_frame = pd.DataFrame(survey_rows)
    survey_frame["spoke"] = survey_frame["spoke"].astype("boolean")
    actions, records, wins = [], [], []
    for o in range(n_orgs):
        org = f"org_{o:02d}"
        for year in ("2023", "2024"):
            for a in range(int(rng.integers(4, 12))):
                turnout = int(rng.integers(20, 200))
                actions.append({
                    "org_id": org, "action_id": f"{org}-{year}-a{a}", "period": year,
                    "action_type": rng.choice(["rally", "testimony"]), "turnout": turnout,
                    "members_turnout": int(rng.integers(0, turnout + 1)),
                })
            total = int(rng.integers(100, 800))
            records.append({
                "org_id": org, "period": year, "members_total": total,
                "members_active": int(rng.integers(10, total // 2)),
                "one_on_ones": int(rng.integers(20, 400)),
                "staff_turnover": float(np.round(rng.uniform(0.0, 0.5), 2)),
            })
        stages = ["proposed", "under_consideration", "adopted", "implemented"]
        for w in range(int(rng.integers(2, 5))):
            start = int(rng.integers(0, 3))
            for step, year in enumerate(("2023", "2024")):
                status = stages[min(start + step, 3)]
                wins.append({
                    "org_id": org, "win_id": f"{org}-w{w}", "period": year, "status": status,
                    "level": rng.choice(["school", "district"]),
                    "evidence": "board resolution" if stages.index(status) >= 2 else None,
                    "date_proposed": pd.Timestamp("2022-09-01"),
                    "date_adopted": pd.Timestamp("2023-03-01") if stages.index(status) >= 2
                    else pd.NaT,
                })
    return {
        "survey": survey_frame,
        "actions": pd.DataFrame(actions),
        "records": pd.DataFrame(records),
        "wins": pd.DataFrame(wins),
    }


@pytest.fixture(scope="session")
def network() -> dict[str, pd.DataFrame]:
    return synthetic_network()
