"""Draw the chart gallery of docs/charts.md from the bundled example network.

Run from the repository root::

    python docs/gallery.py            # writes docs/images/charts/*.svg

Every image is made by the public functions of ``getting_to_outcomes.plotting`` on the
synthetic example network, scored with one change from the defaults: the minimum n of the
knowledge-of-the-system scale is raised to 100, so that the smaller organizations' values
are withheld and the gallery shows how withheld cells look.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt

import getting_to_outcomes as gto
from getting_to_outcomes import plotting

OUT = Path(__file__).resolve().parent / "images" / "charts"
SCALE = "leadership.knowledge_of_system"
ORG = "CA-01"
CAPTION = ("Source: the example network bundled with getting_to_outcomes "
           "(load_example('cper-network')). Synthetic data, generated for illustration: "
           "not real organizations or people.")


def charts(summary: gto.ProgressSummary, labels: dict[str, str],
           framework: gto.Framework) -> dict[str, Callable[[], Any]]:
    """Each gallery image: its file name and how to draw it."""
    individual = [i.id for i in framework.indicators.filter(realm="individual")]
    common: dict[str, Any] = {"labels": labels, "caption": CAPTION}
    return {
        "theory_of_change": lambda: plotting.plot_theory_of_change(
            summary, group=ORG, **common),
        "targets": lambda: plotting.plot_targets(
            summary, group=ORG, indicators=individual, **common),
        "before_after_indicators": lambda: plotting.plot_before_after(
            summary, by="indicator", group=ORG, indicators=individual, **common),
        "before_after_groups": lambda: plotting.plot_before_after(
            summary, indicator="leadership.organizing_skills", sort=True, **common),
        "likert": lambda: plotting.plot_likert(
            summary, indicator=SCALE, group=ORG, **common),
        "heatmap_scores": lambda: plotting.plot_heatmap(
            summary, indicators=individual, network=True, **common),
        "heatmap_status": lambda: plotting.plot_heatmap(
            summary, value="status", indicators=individual, network=True, **common),
        "trend": lambda: plotting.plot_trend(
            summary, indicator="leadership.organizing_skills",
            groups=["CA-01", "CHI-02", "PA-01"], **common),
        "ranking": lambda: plotting.plot_ranking(
            summary, indicator="leadership.organizing_skills", **common),
        "small_multiples": lambda: plotting.plot_small_multiples(
            summary, indicator=SCALE, **common),
        "wins_pipeline": lambda: plotting.plot_wins_pipeline(
            summary, indicator="wins.progress", **common),
        "realm_profiles": lambda: plotting.plot_realm_profiles(summary, **common),
    }


def main() -> int:
    example = gto.load_example("cper-network")
    summary = gto.score(example.tables, example.framework, targets=example.targets,
                        min_n={SCALE: 100})
    labels = dict(zip(example.orgs["org_id"], example.orgs["name"], strict=True))
    OUT.mkdir(parents=True, exist_ok=True)
    for name, draw in charts(summary, labels, example.framework).items():
        drawn = draw()
        figure = drawn if hasattr(drawn, "savefig") else drawn.get_figure(root=True)
        (path,) = plotting.save_figure(figure, OUT / name, formats=("svg",))
        plt.close(figure)
        print(f"wrote {path.relative_to(OUT.parents[2])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
