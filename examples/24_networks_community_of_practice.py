"""Education networks community of practice: check and score two years of (synthetic) data.

Eight education networks meet for two years as a community of practice. This script

1. loads the bundled framework ``networks-community-of-practice`` (relationship and network
   building; new approaches, tools and resources; collaboration and field building; reaching
   the educators with the greatest need),
2. checks each example file against its data source with ``gto.validate``,
3. scores progress on every indicator with ``gto.score``, per network and for the cohort,
   from the baseline to the end of year 2,
4. shows how the networks' own members moved on the engagement ladder, from low-touch
   readers to active contributors, and how many participants formed partnerships,
5. writes the tables to a folder and tells you where.

Run it as it is::

    python examples/24_networks_community_of_practice.py
    python examples/24_networks_community_of_practice.py my-results

The first writes to ./gto-output/networks-community-of-practice, the second to ./my-results.

The example data are SYNTHETIC: they describe no real network or person. To use your own
data, give ``gto.validate`` your files instead (same columns; ``gto template SOURCE
--framework networks-community-of-practice`` writes an empty one).
"""

from __future__ import annotations

import sys

from _program_example import check_example, output_folder, write_tables

import getting_to_outcomes as gto

NAME = "networks-community-of-practice"


def main(argv: list[str]) -> None:
    out = output_folder(argv, NAME)

    # 1. Check every file against its data source.
    example, reports = check_example(NAME)
    framework = example.framework

    # 2. Score every indicator, per network and for the whole cohort ("network").
    summary = gto.score(reports, framework)
    scores = summary.to_frame()
    print(f"Scored {scores['indicator_id'].nunique()} indicators for {len(summary.groups)} groups")

    # 3. Members followed from the baseline: who moved up the engagement ladder?
    movement = summary.movement()
    ladder = movement[
        (movement["group"] == "network")
        & (movement["indicator_id"] == "engagement.contributor_or_above")
    ]
    print("\nNetwork members followed since the baseline, on the engagement ladder:")
    for period, part in ladder.groupby("period", sort=False):
        shares = ", ".join(
            f"{row['category'].replace('_', ' ')} {row['share']:.0%}"
            for row in part.to_dict("records")
        )
        print(f"  {period}: {shares} (of {int(part['n_pairs'].iloc[0])} members)")

    # 4. Partnerships between members: the case description reports 82% after two years.
    formed = scores[
        (scores["indicator_id"] == "partnerships.formed_share")
        & (scores["group"] == "network")
        & (scores["subgroup_dimension"] == "all")
    ]
    print("\nParticipants whose organization formed a partnership with another member")
    print("(the case description reports 82% after two years):")
    for row in formed.to_dict("records"):
        interval = f"95% CI {row['ci_low']:.0%} to {row['ci_high']:.0%}"
        print(f"  {row['period']:9s} {row['value']:.0%} of {row['n']} ({interval})")

    # 5. Write the tables.
    write_tables(
        out,
        summary,
        reports,
        {
            "movement.csv": movement,
            "practice_milestones.csv": summary.milestones(),
        },
        nobody="network or person",
    )


if __name__ == "__main__":
    main(sys.argv[1:])
