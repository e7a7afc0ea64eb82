"""A funder's view: every grantee of a network side by side, and the network as a whole.

A funder supports twelve (synthetic) education organizing groups in six regions. Each sends
the same kinds of records: member surveys, leadership tracking, a yearly capacity profile,
logs of actions, meetings with officials, media and wins, and their district's public
indicators. This script

1. checks every file with ``gto.validate`` and stops on errors,
2. scores every indicator of the framework with ``gto.score``: one group per grantee, plus
   the pooled network (computed from all the raw data, not an average of grantees), against
   each grantee's own targets,
3. compares grantees: their individual, community and policy scores (0-100, with how many
   indicators had data), how many indicators reached which status, and a ranking of the
   change in civic efficacy with the range of ranks each grantee could hold given the
   uncertainty (grantees whose intervals overlap cannot be told apart),
4. writes a funder report (``report/report.html``: heatmaps, realm profiles, rankings, the
   wins pipeline, tables) and the tables behind it.

Funder outputs hold no personal data: scores are per grantee, and values from fewer people
than an indicator's minimum are withheld. If grantees send their files or summaries one by
one, ``gto.compare`` puts them side by side with the same result.

Run it as it is::

    python examples/04_funder_comparison.py
    python examples/04_funder_comparison.py my-results

The first writes to ./gto-output/04_funder_comparison, the second to ./my-results.

The example data are SYNTHETIC: they describe no real grantee, district or person.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

import getting_to_outcomes as gto
from getting_to_outcomes.plotting import rank_ranges

RANKED = "leadership.civic_efficacy"
STATUSES = [
    "target_achieved",
    "on_track",
    "needs_acceleration",
    "limited",
    "deteriorating",
    "insufficient_data",
]


def main(argv: list[str]) -> None:
    out = Path(argv[0]) if argv else Path("gto-output") / "04_funder_comparison"
    out.mkdir(parents=True, exist_ok=True)

    network = gto.load_example("cper-network")
    framework = network.framework
    names = dict(zip(network.orgs["org_id"], network.orgs["name"], strict=True))
    print(f"{network.description}\n")

    # 1. Check every file of every data source.
    reports = {}
    for source in framework.sources:
        report = gto.validate(network.files[f"{source}.csv"], framework, source=source)
        errors = int((report.issues["severity"] == "error").sum())
        print(f"Checked {source + '.csv':26s} {report.rows_read:6d} rows, {errors} errors")
        reports[source] = report.raise_if_invalid()

    # 2. Score everything: each grantee and the pooled network, against grantee targets.
    summary = gto.score(reports, framework, targets=network.targets)
    scores = summary.to_frame()
    whole = scores[scores["subgroup_dimension"] == "all"]
    grantees = [g for g in summary.groups if g != "network"]
    print(f"\nScored {len(summary.indicator_ids)} indicators for {len(grantees)} grantees "
          f"and the network ({len(scores)} rows, with subgroups)")

    # 3a. Realm scores: 0-100 toward targets; coverage says how many indicators had data.
    realms = summary.by_realm()
    now = realms[realms["period"] == "current"].copy()
    now["cell"] = [
        f"{score:3.0f} ({with_data:.0f}/{defined:.0f})" if pd.notna(score)
        else f"  - (0/{defined:.0f})"
        for score, with_data, defined in now[
            ["score_0_100", "n_indicators_with_data", "n_indicators_defined"]
        ].to_numpy()
    ]
    table = now.pivot(index="group", columns="level_name", values="cell")
    table = table.reindex([*grantees, "network"])
    table.index = [f"{g:8s} {names.get(g, 'all grantees pooled')}" for g in table.index]
    print("\nRealm scores now (0-100; indicators with data / defined)")
    print(table.to_string())

    # 3b. Statuses of each grantee's indicators in their latest period.
    latest = {i.id: summary.windows[i.source].periods[-1] for i in framework.indicators
              if i.source is not None and i.source in summary.windows}
    current = whole[whole["period"] == whole["indicator_id"].map(latest)]
    counts = pd.crosstab(current["group"], current["status"]).reindex(
        index=[*grantees, "network"], columns=STATUSES, fill_value=0)
    print("\nIndicators by status, latest period")
    print(counts.to_string())

    # 3c. A ranking that shows its uncertainty: change in civic efficacy, pre to post.
    post = whole[(whole["indicator_id"] == RANKED) & (whole["period"] == "post")
                 & (whole["group"] != "network") & ~whole["suppressed"]]
    change = post[["group", "change", "change_ci_low", "change_ci_high"]].set_axis(
        ["group", "value", "ci_low", "ci_high"], axis=1)
    ranking = rank_ranges(change)
    print(f"\nChange in {framework.indicators[RANKED].name.lower()}, pre to post, ranked "
          "(95% interval; ranks each grantee could hold)")
    for r in ranking.merge(change, on=["group", "value"]).to_dict("records"):
        print(f"  {r['rank']:2d}. {names[r['group']]:40s} {r['value']:+.2f} "
              f"[{r['ci_low']:+.2f}, {r['ci_high']:+.2f}]  "
              f"ranks {r['rank_best']}-{r['rank_worst']}")

    # 4. The funder report and the tables.
    files = gto.write_report(summary, out / "report", mode="funder", labels=names,
                             synthetic=network.synthetic, force=True)
    tables = {
        "scores.csv": scores,
        "by_realm.csv": realms,
        "by_stop.csv": summary.by_stop(),
        "statuses.csv": counts,
        "ranking_civic_efficacy.csv": ranking,
    }
    for file_name, frame in tables.items():
        frame.to_csv(out / file_name, index=file_name == "statuses.csv")

    print(f"\nWrote to {out.resolve()}:")
    for file_name in tables:
        print(f"  {file_name}")
    print(f"  report/report.html  the funder report ({len(files.charts)} charts, "
          f"{len(files.tables)} tables; open it in a browser)")
    print("The data are synthetic: they describe no real grantee, district or person.")


if __name__ == "__main__":
    main(sys.argv[1:])
