"""Leadership progress of one organization: survey scales, change, the ladder, a report.

Harbor Valley Parent Alliance (CA-01) is one of twelve (synthetic) organizing groups in the
example network. It surveyed its members three times in the 2023-24 program year (pre, mid,
post) and keeps a yearly record of each member's step on the leadership ladder (contact,
participant, active member, leader, core leader). This script uses only the group's own rows,
as the group itself would, and

1. scores its leadership indicators with ``gto.score``, against the group's own targets,
2. shows each survey scale with its reliability (Cronbach's alpha with a confidence
   interval) in every wave, so you know the scale measured something consistent,
3. shows the change from pre to post for the people who answered both, with its 95%
   confidence interval and effect size, and how many people changed by more than the
   scale's measurement error (reliable change),
4. shows who moved up or down the leadership ladder between the first and last year,
5. writes a grantee report (``report/report.html`` with charts and tables) and the tables.

Run it as it is::

    python examples/02_leadership_progress.py
    python examples/02_leadership_progress.py my-results
    python examples/02_leadership_progress.py my-results NJ-01

The first writes to ./gto-output/02_leadership_progress, the second to ./my-results; the third
reports on another group of the network (see ``orgs.csv``: CHI-02, MS-02 and PA-02 were made
to show no improvement).

The example data are SYNTHETIC: they describe no real person or organization.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

import getting_to_outcomes as gto
from getting_to_outcomes.definitions.models import LevelMeasure

SOURCES = ("leadership_survey", "leadership_tracking")
LADDER = "leadership.ladder_level3plus"


def main(argv: list[str]) -> None:
    out = Path(argv[0]) if argv else Path("gto-output") / "02_leadership_progress"
    org = argv[1] if len(argv) > 1 else "CA-01"
    out.mkdir(parents=True, exist_ok=True)

    network = gto.load_example("cper-network")
    framework = network.framework
    names = dict(zip(network.orgs["org_id"], network.orgs["name"], strict=True))
    if org not in names:
        sys.exit(f"{org!r} is not a group of the example network; choose one of {sorted(names)}")
    print(f"{names[org]} ({org}), SYNTHETIC example data")

    # 1. The group's own data: its survey and its ladder records, nothing of the others.
    data = {source: network.tables[source] for source in SOURCES}
    data = {source: rows[rows["org_id"] == org] for source, rows in data.items()}
    for source, rows in data.items():
        print(f"  {framework.source(source).name}: {len(rows)} rows")
    indicators = [i.id for source in SOURCES for i in framework.indicators.filter(source=source)]
    targets = network.targets[network.targets["org_id"] == org]
    summary = gto.score(data, framework, indicators=indicators, targets=targets)
    scores = summary.to_frame()
    whole = scores[scores["subgroup_dimension"] == "all"]
    print(f"Scored {len(indicators)} leadership indicators against {len(targets)} targets.\n")

    # 2. Survey scales and their reliability, wave by wave.
    scales = whole[whole["kind"] == "scale"]
    print("Survey scales: mean score (n) and Cronbach's alpha [95% CI], per wave")
    for indicator_id, rows in scales.groupby("indicator_id", sort=False):
        cells = [
            f"{r['period']} {r['value']:.2f} (n={r['n']}) alpha {r['reliability']:.2f} "
            f"[{r['reliability_ci_low']:.2f}, {r['reliability_ci_high']:.2f}]"
            + ("*" if r["reliability_flag"] == "below_threshold" else "")
            for r in rows.to_dict("records")
        ]
        print(f"  {indicator_id}\n    " + "; ".join(cells))
    print("  * alpha below the indicator's threshold in that wave: read that wave with care.\n")

    # 3. Change from pre to post for the same people: paired t interval, Cohen's d_z.
    post = scales[scales["period"] == summary.windows["leadership_survey"].periods[-1]]
    movement = summary.movement()
    rci = movement[(movement["method"] == "reliable_change_index")
                   & (movement["period"] == "post")]
    print("Change from pre to post (people who answered both waves)")
    for r in post.to_dict("records"):
        improved = rci[(rci["indicator_id"] == r["indicator_id"])
                       & (rci["category"] == "improved")]["share"]
        print(
            f"  {r['indicator_id']:36s} {r['baseline_value']:.2f} -> {r['value']:.2f}  "
            f"change {r['change']:+.2f} [{r['change_ci_low']:+.2f}, {r['change_ci_high']:+.2f}], "
            f"{r['effect_size_name']} {r['effect_size']:.2f}, n = {r['n_pairs']} pairs; "
            f"{improved.iloc[0]:.0%} improved reliably; {r['status']}"
        )

    # 4. The leadership ladder: who moved between the first and the last year.
    years = summary.windows["leadership_tracking"].periods
    ladder = movement[(movement["indicator_id"] == LADDER) & (movement["period"] == years[-1])]
    print(f"\nLeadership ladder, {years[0]} to {years[-1]} (members tracked in both years)")
    for r in ladder.to_dict("records"):
        print(f"  {r['category']:10s} {int(r['count']):4d}  ({r['share']:.0%})")
    tracking = data["leadership_tracking"]
    measure = framework.indicators[LADDER].measure
    assert isinstance(measure, LevelMeasure)
    level_names = {level.value: level.label for level in measure.ladder}
    first = tracking[tracking["period"] == years[0]].set_index("person_id")["leadership_level"]
    last = tracking[tracking["period"] == years[-1]].set_index("person_id")["leadership_level"]
    both = pd.concat({years[0]: first, years[-1]: last}, axis=1, join="inner")
    steps = pd.crosstab(both[years[0]].map(level_names), both[years[-1]].map(level_names))
    order = [name for name in level_names.values() if name in steps.index or name in steps.columns]
    steps = steps.reindex(index=order, columns=order, fill_value=0)
    steps.index.name, steps.columns.name = f"level in {years[0]}", f"level in {years[-1]}"
    print(steps.to_string())
    share = whole[(whole["indicator_id"] == LADDER)].set_index("period")["value"]
    print(f"  Members at leader level or above: {share[years[0]]:.0%} in {years[0]}, "
          f"{share[years[-1]]:.0%} in {years[-1]}")

    # 5. The grantee report and the tables behind this page; png=True adds PNG images of
    #    the charts beside the SVG ones, for a newsletter or slides.
    files = gto.write_report(summary, out / "report", mode="grantee", org=org,
                             labels=names, synthetic=network.synthetic, force=True, png=True)
    tables = {
        "scores.csv": scores,
        "reliability.csv": summary.reliability(),
        "movement.csv": movement,
        "ladder_steps.csv": steps,
    }
    for file_name, table in tables.items():
        table.to_csv(out / file_name, index=file_name == "ladder_steps.csv")

    print(f"\nWrote to {out.resolve()}:")
    for file_name in tables:
        print(f"  {file_name}")
    print(f"  report/report.html  the grantee report ({len(files.charts)} charts, "
          f"{len(files.tables)} tables; open it in a browser)")
    print("The data are synthetic: they describe no real person or organization.")


if __name__ == "__main__":
    main(sys.argv[1:])
