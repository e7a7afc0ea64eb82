"""Family-engagement partnerships: check and score three years of (synthetic) data.

Three cross-sector partnerships (a district, its schools and early childhood centers,
community organizations and parents) work at 12 sites from 2022-23 to 2024-25. This script

1. loads the bundled framework ``family-engagement-partnerships`` (buy-in and shared
   leadership at every level, parent engagement coordinators, family trust and
   participation, transitions into kindergarten, the program's reach across sites),
2. checks each example file against its data source with ``gto.validate``,
3. scores progress on every indicator with ``gto.score``, per partnership and for all three,
4. shows buy-in at each level of the partnership, and whether children with disabilities
   start kindergarten with their services in place,
5. writes the tables to a folder and tells you where.

Run it as it is::

    python examples/23_family_engagement_partnerships.py
    python examples/23_family_engagement_partnerships.py my-results

The first writes to ./gto-output/family-engagement-partnerships, the second to ./my-results.

The example data are SYNTHETIC: they describe no real partnership, site, family or child. To
use your own data, give ``gto.validate`` your files instead (same columns; ``gto template
SOURCE --framework family-engagement-partnerships`` writes an empty one).
"""

from __future__ import annotations

import sys

import pandas as pd
from _program_example import check_example, output_folder, write_tables

import getting_to_outcomes as gto

NAME = "family-engagement-partnerships"


def main(argv: list[str]) -> None:
    out = output_folder(argv, NAME)

    # 1. Check every file against its data source.
    example, reports = check_example(NAME)
    framework = example.framework

    # 2. Score every indicator, per partnership and for all of them ("network").
    summary = gto.score(reports, framework)
    scores = summary.to_frame()
    print(f"Scored {scores['indicator_id'].nunique()} indicators for {len(summary.groups)} groups")

    # 3. Buy-in from the superintendent's office to parents: the same scale, level by level.
    network = scores[scores["group"] == "network"]
    buy_in = network[
        (network["indicator_id"] == "buyin.scale")
        & (network["subgroup_dimension"] == "role_level")
        & (network["period"] == summary.windows["partner_survey"].current)
    ][["subgroup", "n", "value", "baseline_value", "change", "suppressed"]]
    print("\nBuy-in by level of the partnership, last survey (1-5 scale):")
    for row in buy_in.to_dict("records"):
        if row["suppressed"]:
            print(f"  {row['subgroup']:18s} withheld (too few respondents)")
        elif pd.isna(row["change"]):
            print(
                f"  {row['subgroup']:18s} {row['value']:.2f} "
                f"(n = {row['n']}; no baseline to compare)"
            )
        else:
            print(
                f"  {row['subgroup']:18s} {row['value']:.2f} "
                f"(n = {row['n']}, change {row['change']:+.2f})"
            )

    # 4. Children with disabilities: services in place on the first day of kindergarten.
    services = scores[
        (scores["indicator_id"] == "transitions.services_day_one")
        & (scores["subgroup_dimension"] == "all")
    ][["group", "period", "n", "value", "ci_low", "ci_high", "suppressed"]]
    print("\nServices in place on the first day, children with disabilities:")
    for row in services.to_dict("records"):
        if row["suppressed"]:
            print(f"  {row['group']:26s} {row['period']}: withheld (too few children)")
        else:
            print(
                f"  {row['group']:26s} {row['period']}: {row['value']:.0%} of {row['n']} "
                f"(95% CI {row['ci_low']:.0%} to {row['ci_high']:.0%})"
            )

    # 5. Write the tables.
    write_tables(
        out,
        summary,
        reports,
        {
            "site_milestones.csv": summary.milestones(),
            "buy_in_by_level.csv": buy_in,
            "services_day_one.csv": services,
        },
        nobody="partnership, site, family or child",
    )


if __name__ == "__main__":
    main(sys.argv[1:])
