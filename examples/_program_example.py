"""What the four program examples (21-24) share: check every example file, write the tables.

Each script keeps what is particular to its program (the indicators it looks at and how it
prints them); the steps below are the same for all of them.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd

import getting_to_outcomes as gto


def output_folder(argv: list[str], name: str) -> Path:
    """The folder given as first argument, or ./gto-output/<name>; created if needed."""
    out = Path(argv[0]) if argv else Path("gto-output") / name
    out.mkdir(parents=True, exist_ok=True)
    return out


def check_example(name: str) -> tuple[gto.ExampleDataset, dict[str, gto.ValidationReport]]:
    """Load a bundled example and validate each of its files against its data source.

    Stops with a DataValidationError at the first file with errors.
    """
    example = gto.load_example(name)
    framework = example.framework
    print(f"Framework: {framework.title} (version {framework.version})")
    print(f"  {len(framework.indicators)} indicators in {len(framework.stops)} stops")
    print(f"Example data: {example.description}")

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
    return example, reports


def write_tables(
    out: Path,
    summary: gto.ProgressSummary,
    reports: Mapping[str, gto.ValidationReport],
    program_tables: Mapping[str, pd.DataFrame],
    *,
    nobody: str,
) -> None:
    """Write the validation issues, the scores, the roll-ups and the program's own tables.

    ``nobody`` completes "they describe no real ..." in the closing line.
    """
    files = {
        "validation_issues.csv": pd.concat([r.issues for r in reports.values()], ignore_index=True),
        "scores.csv": summary.to_frame(),
        "by_realm.csv": summary.by_realm(),
        "by_stop.csv": summary.by_stop(),
        "reliability.csv": summary.reliability(),
        **program_tables,
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
    print(f"The data are synthetic: they describe no real {nobody}.")
