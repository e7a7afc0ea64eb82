"""Check a survey file before you score it: every problem at once, with its row and a fix.

This script takes the leadership self-assessment survey of one (synthetic) organizing group,
Harbor Valley Parent Alliance (CA-01), exactly as a Google Forms export would look: question
text as column headers, answers written as labels ("4 - Agree"), some in Spanish, some as bare
codes, and a few mistakes left in on purpose. It

1. checks the file against the ``leadership_survey`` data source of the bundled framework
   with ``gto.validate``,
2. prints the summary: how many rows were read, kept and rejected, and every problem with
   the row number you see in a spreadsheet (the header is row 1) and how to fix it,
3. writes the problems to ``issues.csv``, the rows that passed to ``valid_rows.csv`` (ready
   to score) and the rows that did not to ``rejected_rows.csv``,
4. exits with status 0 when the file has no errors and 1 when it has some, like
   ``gto validate``, so a batch file or a scheduled job can stop before scoring bad data.

Run it as it is::

    python examples/01_check_a_survey_file.py
    python examples/01_check_a_survey_file.py my-results
    python examples/01_check_a_survey_file.py my-results our_survey_export.csv

The first writes to ./gto-output/01_check_a_survey_file, the second to ./my-results; the
third checks your own export (CSV or Excel) instead of the example. The example file has
errors on purpose, so this script ends with exit status 1 when run on it.

The example data are SYNTHETIC: they describe no real person or organization.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import getting_to_outcomes as gto

SOURCE = "leadership_survey"


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else Path("gto-output") / "01_check_a_survey_file"
    out.mkdir(parents=True, exist_ok=True)

    network = gto.load_example("cper-network")
    framework = network.framework
    if len(argv) > 1:
        path = Path(argv[1])
        print(f"Checking your file {path}")
    else:
        path = network.files["leadership_survey_export_messy.csv"]
        print(f"Checking the example file {path.name}")
        print("(SYNTHETIC data, with mistakes left in on purpose)")
    print(f"against the data source {SOURCE!r} of {framework.title} "
          f"(version {framework.version})\n")

    # 1. Check the file: every problem is collected, nothing stops at the first one.
    report = gto.validate(path, framework, source=SOURCE)
    print(report.summary(max_issues=15))

    # 2. Write what was found. Personal columns (names, e-mail addresses, phone numbers) are
    # left out of the row files: scoring does not need them, and files travel further than
    # you expect.
    personal = [c.name for c in framework.source(SOURCE).columns if c.personal]
    report.issues.to_csv(out / "issues.csv", index=False)
    report.valid_rows.drop(columns=personal, errors="ignore").to_csv(out / "valid_rows.csv")
    report.rejected_rows.drop(columns=personal, errors="ignore").to_csv(out / "rejected_rows.csv")
    (out / "validation.json").write_text(report.to_json(), encoding="utf-8")

    severities = report.issues["severity"].value_counts()
    print(
        f"\n{report.rows_read} rows read: {len(report.valid_rows)} kept, "
        f"{len(report.rejected_rows)} rejected; {severities.get('error', 0)} errors, "
        f"{severities.get('warning', 0)} warnings, {severities.get('info', 0)} notes; "
        f"{len(report.missing)} answers marked as no answer (blank, Don't know, Refused)."
    )

    # 3. The example file lists the mistakes that were seeded into it: were they all found?
    if len(argv) <= 1:
        seeded = json.loads(network.files["seeded_defects.json"].read_text(encoding="utf-8"))
        defects = seeded[path.name]
        found_rows = set(report.issues["row"].dropna().astype(int))
        found = [d for d in defects if d["row"] in found_rows]
        print(f"Of the {len(defects)} mistakes seeded into the example file, "
              f"{len(found)} were found.")

    print(f"\nWrote 4 files to {out.resolve()}:")
    print("  issues.csv         one row per problem: row, column, value, reason, how to fix it")
    print("  valid_rows.csv     the rows without errors, columns renamed, answers as codes")
    print("  rejected_rows.csv  the rows with errors and their reasons (row = row in your file)")
    print("  validation.json    the same report for other programs")
    if len(argv) <= 1:
        print("The data are synthetic: they describe no real person or organization.")

    if report.ok:
        print("\nExit status 0: no errors. Score valid_rows.csv, or the file itself.")
        return 0
    print(
        "\nExit status 1: the file has errors. Fix them in your file (issues.csv says where and "
        "how) and run this again;\nor score valid_rows.csv knowing that the rejected rows are "
        "left out. Warnings and notes do not change the exit status."
    )
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
