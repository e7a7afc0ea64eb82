"""Campaigns and wins: actions, meetings with officials, media and the wins they led to.

The twelve (synthetic) groups of the example network log every public action, every meeting
with a decision-maker, every media item and every policy win. This script

1. checks the four logs with ``gto.validate`` (every problem at once, with its row),
2. scores the campaign indicators with ``gto.score``, per group and for the whole network,
   for 2023, 2024 and 2025,
3. prints the yearly counts of the network with their 95% intervals, and a group-by-group
   table of the last year,
4. prints the wins pipeline: how many wins reached which stage (proposed, under
   consideration, adopted, implemented, sustained, or set back), at which level (school,
   district, state), and lists the wins that validation found marked adopted (or further)
   without evidence,
5. draws two charts (the wins pipeline, and public actions per group over time) and writes
   the tables.

Run it as it is::

    python examples/03_campaigns_and_wins.py
    python examples/03_campaigns_and_wins.py my-results

The first writes to ./gto-output/03_campaigns_and_wins, the second to ./my-results.

The example data are SYNTHETIC: every group, action, official, outlet and win is invented.
"""

from __future__ import annotations

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only, no window

import matplotlib.pyplot as plt
import pandas as pd

import getting_to_outcomes as gto
from getting_to_outcomes import plotting

SOURCES = ("actions_log", "contacts_log", "media_log", "wins_log")
COUNTS = [
    "action.public_actions",
    "action.mean_turnout",
    "decision_makers.meetings",
    "decision_makers.testimony",
    "dialogue.media_mentions",
    "dialogue.op_eds",
    "dialogue.leader_quoted_share",
    "wins.adopted",
]
PIPELINE = "wins.progress"


def main(argv: list[str]) -> None:
    out = Path(argv[0]) if argv else Path("gto-output") / "03_campaigns_and_wins"
    out.mkdir(parents=True, exist_ok=True)

    network = gto.load_example("cper-network")
    framework = network.framework
    names = dict(zip(network.orgs["org_id"], network.orgs["name"], strict=True))
    print(f"Example network: {len(names)} organizing groups (SYNTHETIC data)")

    # 1. Check each log.
    reports = {}
    for source in SOURCES:
        report = gto.validate(network.files[f"{source}.csv"], framework, source=source)
        severity = report.issues["severity"].value_counts()
        print(f"Checked {source}.csv: {report.rows_read} rows, {severity.get('error', 0)} "
              f"errors, {severity.get('warning', 0)} warnings")
        reports[source] = report.raise_if_invalid()

    # 2. Score the indicators of these four logs, per group and for the network.
    indicators = [i.id for source in SOURCES for i in framework.indicators.filter(source=source)]
    summary = gto.score(reports, framework, indicators=indicators, targets=network.targets)
    scores = summary.to_frame()
    whole = scores[scores["subgroup_dimension"] == "all"]
    print(f"Scored {len(indicators)} indicators for {len(summary.groups) - 1} groups "
          "and the network\n")

    # 3. Yearly counts of the whole network, and the last year group by group.
    years = list(summary.windows["actions_log"].periods)
    pooled = whole[(whole["group"] == "network") & whole["indicator_id"].isin(COUNTS)]
    yearly = pd.DataFrame(
        {year: [_with_interval(pooled, indicator_id, year) for indicator_id in COUNTS]
         for year in years},
        index=COUNTS,
    )
    yearly["unit"] = [framework.indicators[i].unit for i in COUNTS]
    print("The network, year by year (95% interval)")
    print(yearly.to_string())

    last = whole[(whole["period"] == years[-1]) & (whole["group"] != "network")
                 & whole["indicator_id"].isin(COUNTS)]
    by_group = last.pivot(index="group", columns="indicator_id", values="value")[COUNTS]
    by_group.columns = [c.split(".")[1] for c in COUNTS]
    print(f"\nEach group in {years[-1]}")
    print(by_group.round(2).to_string())

    # 4. The wins pipeline: the highest stage each win reached by the last year, by level.
    milestones = summary.milestones()
    pooled_wins = milestones[(milestones["group"] == "network")
                             & (milestones["indicator_id"] == PIPELINE)]
    pipeline = pooled_wins.pivot_table(index=["stage_order", "stage"], columns="level",
                                       values="count", aggfunc="sum", fill_value=0)
    pipeline["all levels"] = pipeline.sum(axis=1)
    # Stages in their order, setbacks (stage_order 0) last, as in the chart.
    order = pipeline.index.get_level_values("stage_order")
    pipeline = pd.concat([pipeline[order > 0], pipeline[order == 0]]).droplevel("stage_order")
    print(f"\nWins pipeline of the network in {years[-1]} (stage reached, by level;"
          " defeated and reversed are setbacks)")
    print(pipeline.to_string())

    # Validation warns about wins recorded as adopted (or further) without evidence; they
    # are still scored, but a funder will ask for the resolution, budget line or article.
    issues = reports["wins_log"].issues
    rows = issues.loc[issues["reason"] == "missing_evidence", "row"].astype(int)
    gaps = reports["wins_log"].valid_rows.loc[rows].reset_index()
    print(f"\nWins at 'adopted' or beyond without evidence ({len(gaps)}): add a resolution, "
          "budget line or article before reporting them")
    for win in gaps.to_dict("records"):
        print(f"  row {win['row']:3d}  {win['period']} {win['win_id']:10s} {win['status']:12s} "
              f"{win['title']}")

    # 5. Charts and tables.
    synthetic = "SYNTHETIC example data: every group and win is invented."
    ax = plotting.plot_wins_pipeline(
        summary, indicator=PIPELINE, framework=framework,
        caption=f"Source: wins log of {len(names)} groups, {years[-1]}. {synthetic}")
    figure = ax.get_figure(root=True)
    assert figure is not None
    figure.savefig(out / "wins_pipeline.png", dpi=200, bbox_inches="tight")
    plt.close(figure)
    panels = plotting.plot_small_multiples(
        summary, indicator="action.public_actions", labels=names, framework=framework,
        caption=f"Source: public actions log; dashed lines: each group's target. {synthetic}")
    panels.savefig(out / "public_actions_by_group.png", dpi=200, bbox_inches="tight")
    plt.close(panels)

    tables = {
        "scores.csv": scores,
        "wins_pipeline.csv": milestones,
        "wins_without_evidence.csv": gaps,
    }
    for file_name, table in tables.items():
        table.to_csv(out / file_name, index=False)

    print(f"\nWrote to {out.resolve()}:")
    print("  wins_pipeline.png            wins by the stage they reached, stacked by level")
    print("  public_actions_by_group.png  public actions per year, one panel per group")
    for file_name in tables:
        print(f"  {file_name}")
    print("The data are synthetic: every group, action, official, outlet and win is invented.")


def _with_interval(rows: pd.DataFrame, indicator_id: str, period: str) -> str:
    """One value with its interval: whole numbers for counts, two decimals for shares."""
    row = rows[(rows["indicator_id"] == indicator_id) & (rows["period"] == period)]
    if row.empty or pd.isna(row["value"].iloc[0]):
        return "withheld" if not row.empty and row["suppressed"].iloc[0] else "-"
    value, low, high = row[["value", "ci_low", "ci_high"]].iloc[0]
    digits = {"count": 0, "proportion": 2}.get(str(row["kind"].iloc[0]), 1)
    return f"{value:.{digits}f} [{low:.{digits}f}, {high:.{digits}f}]"


if __name__ == "__main__":
    main(sys.argv[1:])
