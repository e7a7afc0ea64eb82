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
from pathlib import Path

import pandas as pd

import getting_to_outcomes as gto

NAME = "community-schools-organizing"


def main(argv: list[str]) -> None:
    out = Path(argv[0]) if argv else Path("gto-output") / NAME
    out.mkdir(parents=True, exist_ok=True)

    example = gto.load_example(NAME)
    framework = example.framework
    print(f"Framework: {framework.title} (version {framework.version})")
    print(f"  {len(framework.indicators)} indicators in {len(framework.stops)} stops")
    print(f"Example data: {example.description}")

    # 1. Check every file against its data source.
    reports = {}
    for source_id in framework.sources:
        path = example.files[f"{source_id}.csv"]
        report = gto.validate(path, framework, source=source_id)
        reports[source_id] = report
        counts = report.issues["severity"].value_counts()
        print(
            f"Checked {path.name}: {report.rows_read} rows, {counts.get('error', 0)} errors, "
            f"{counts.get('warning', 0)} warnings"
        )
        report.raise_if_invalid()

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
    issues = pd.concat([r.issues for r in reports.values()], ignore_index=True)
    files = {
        "validation_issues.csv": issues,
        "scores.csv": scores,
        "by_realm.csv": summary.by_realm(),
        "by_stop.csv": summary.by_stop(),
        "reliability.csv": summary.reliability(),
        "commitment_milestones.csv": summary.milestones(),
        "language_gaps.csv": gaps,
    }
    for file_name, table in files.items():
        table.to_csv(out / file_name, index=False)
    (out / "summary.txt").write_text(
        "SYNTHETIC EXAMPLE DATA\n\n" + summary.summary() + "\n", encoding="utf-8"
    )

    print("\n" + summary.summary())
    print(f"\nWrote {len(files) + 1} files to {out.resolve()}:")
    for file_name in [*files, "summary.txt"]:
        print(f"  {file_name}")
    print("The data are synthetic: they describe no real school, family or organization.")


if __name__ == "__main__":
    main(sys.argv[1:])
