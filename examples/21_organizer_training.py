"""Organizer training program: check and score six months of (synthetic) data.

Six organizations sent organizers to a six-month training program: four virtual sessions,
coaching in between, and a closing Parent Leader Institute. This script

1. loads the bundled framework ``organizer-training`` (from the organizer's own practice to
   the local policy changes that parents win),
2. checks each example file against its data source with ``gto.validate``,
3. scores progress on every indicator with ``gto.score``, per organization and for the
   whole cohort, from the first month (2021-09) to the last (2022-02),
4. looks at the program's own yardstick: five one-to-one meetings a week per organizer,
5. writes the tables to a folder and tells you where.

Run it as it is::

    python examples/21_organizer_training.py
    python examples/21_organizer_training.py my-results

The first writes to ./gto-output/organizer-training, the second to ./my-results.

The example data are SYNTHETIC: they describe no real organizer or organization. To use your
own data, give ``gto.validate`` your files instead (same columns; ``gto template SOURCE
--framework organizer-training`` writes an empty one).
"""

from __future__ import annotations

import sys

from _program_example import check_example, output_folder, write_tables

import getting_to_outcomes as gto

NAME = "organizer-training"


def main(argv: list[str]) -> None:
    out = output_folder(argv, NAME)

    # 1. Check every file against its data source.
    example, reports = check_example(NAME)
    framework = example.framework

    # 2. Score every indicator, per organization and for the whole cohort ("network").
    summary = gto.score(reports, framework)
    scores = summary.to_frame()
    print(f"Scored {scores['indicator_id'].nunique()} indicators for {len(summary.groups)} groups")

    # 3. The program asks for five one-to-ones a week. Who gets there by the last month?
    whole = scores[scores["subgroup_dimension"] == "all"]
    weekly = whole[
        (whole["indicator_id"] == "relational.one_to_ones_per_week")
        & (whole["period"] == whole["period"].max())
    ][["group", "n", "value", "baseline_value", "status", "suppressed"]]
    print("\nOne-to-ones per week in the last month (the program asks for 5):")
    for row in weekly.to_dict("records"):
        if row["suppressed"]:
            print(f"  {row['group']:30s} withheld: too few organizers to show without naming them")
        else:
            print(
                f"  {row['group']:30s} {row['value']:4.1f} "
                f"(from {row['baseline_value']:.1f}), {row['status']}"
            )

    # 4. Write the tables.
    write_tables(
        out,
        summary,
        reports,
        {
            "policy_milestones.csv": summary.milestones(),
            "one_to_ones_per_week.csv": weekly,
        },
        nobody="organizer or organization",
    )


if __name__ == "__main__":
    main(sys.argv[1:])
