"""Community schools and organizing: check and score three years of (synthetic) data.

Six community schools, each with organizing around it, over the school years 2022-23 to
2024-25. This script

1. loads the bundled framework ``community-schools-organizing`` (family ownership and
   participation; organized support as social, organizational, political and financial
   capital; the school's story told with data; the policy and funding that sustain it),
2. checks each example file against its data source with ``gto.validate``,
3. scores progress on every indicator with ``gto.score``, per school and for all six,
4. compares Spanish-speaking with English-speaking respondents on ownership and trust,
5. writes the tables to a folder and tells you where.

Run it as it is::

    python examples/22_community_schools_organizing.py
    python examples/22_community_schools_organizing.py my-results

The first writes to ./gto-output/community-schools-organizing, the second to ./my-results.

The example data are SYNTHETIC: they describe no real school, family or organization. To use
your own data, give ``gto.validate`` your files instead (same columns; ``gto template SOURCE
--framework community-schools-organizing`` writes an empty one).
"""

from __future__ import annotations

import sys

import pandas as pd
from _program_example import check_example, output_folder, write_tables

import getting_to_outcomes as gto

NAME = "community-schools-organizing"


def main(argv: list[str]) -> None:
    out = output_folder(argv, NAME)

    # 1. Check every file against its data source.
    example, reports = check_example(NAME)
    framework = example.framework

    # 2. Score every indicator, per school and for all schools together ("network").
    summary = gto.score(reports, framework)
    scores = summary.to_frame()
    print(f"Scored {scores['indicator_id'].nunique()} indicators for {len(summary.groups)} groups")

    # 3. Do Spanish-speaking families own the school and trust its staff as much as
    #    English-speaking families do? A gap below zero means less.
    gaps = summary.gaps("language", "spanish", "english")
    shown = gaps[
        (gaps["group"] == "network")
        & gaps["indicator_id"].isin(["ownership.scale", "social.trust"])
    ]
    print("\nSpanish minus English speakers, all schools (1-5 scale):")
    for row in shown.to_dict("records"):
        if row["suppressed"] or pd.isna(row["gap"]):
            print(f"  {row['indicator_id']:18s} {row['period']}: withheld (too few respondents)")
        else:
            print(
                f"  {row['indicator_id']:18s} {row['period']}: {row['gap']:+.2f} "
                f"(95% CI {row['gap_ci_low']:+.2f} to {row['gap_ci_high']:+.2f})"
            )

    # 4. Write the tables.
    write_tables(
        out,
        summary,
        reports,
        {
            "commitment_milestones.csv": summary.milestones(),
            "language_gaps.csv": gaps,
        },
        nobody="school, family or organization",
    )


if __name__ == "__main__":
    main(sys.argv[1:])
