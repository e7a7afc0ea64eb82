"""``gto plan``: the minimum detectable effect of a design, or the sample an effect needs."""

from __future__ import annotations

import click

_DESIGNS = ("paired", "independent", "clustered")
_ALTERNATIVES = ("two-sided", "greater", "less")


@click.command("plan")
@click.option("--design", type=click.Choice(_DESIGNS), default="paired", show_default=True,
              help="The same people twice, two independent groups, or people nested in "
                   "grantees with whole grantees compared.")
@click.option("--n", "n", type=click.IntRange(min=2), default=None,
              help="People analysed (pairs for paired); gives the minimum detectable effect.")
@click.option("--clusters", "n_clusters", type=click.IntRange(min=3), default=None,
              help="Clustered: grantees; gives the minimum detectable effect.")
@click.option("--cluster-size", type=click.IntRange(min=1), default=None,
              help="Clustered: people per grantee.")
@click.option("--icc", type=click.FloatRange(0, 1), default=None,
              help="Clustered: intraclass correlation (share of variance between grantees).")
@click.option("--effect", type=click.FloatRange(min=0, min_open=True), default=None,
              help="Effect to detect, in standard deviations; gives the sample needed.")
@click.option("--share-treated", type=click.FloatRange(0, 1, min_open=True, max_open=True),
              default=0.5, show_default=True,
              help="Share of people (or grantees) in the treated or current group.")
@click.option("--alpha", type=click.FloatRange(0, 1, min_open=True, max_open=True),
              default=0.05, show_default=True, help="Significance level.")
@click.option("--power", type=click.FloatRange(0, 1, min_open=True, max_open=True),
              default=0.8, show_default=True, help="Chance of detecting the effect.")
@click.option("--alternative", type=click.Choice(_ALTERNATIVES), default="two-sided",
              show_default=True, help="Two-sided or one-sided test.")
@click.option("--attrition", type=click.FloatRange(0, 1, max_open=True), default=0.0,
              show_default=True, help="With --effect: expected share lost before follow-up.")
def plan(design: str, n: int | None, n_clusters: int | None, cluster_size: int | None,
         icc: float | None, effect: float | None, share_treated: float, alpha: float,
         power: float, alternative: str, attrition: float) -> None:
    """Plan the next wave: the smallest effect a sample detects, or the sample an effect needs.

    \b
    Examples:
      gto plan --design paired --n 40
      gto plan --design clustered --clusters 20 --cluster-size 15 --icc 0.1
      gto plan --design clustered --effect 0.3 --cluster-size 20 --icc 0.05 --attrition 0.1

    Effects are in standard deviations (Bloom 1995; clustered as PowerUp!'s CRA2_2r).
    """
    from getting_to_outcomes import stats

    sized = n_clusters is not None if design == "clustered" else n is not None
    if design == "clustered" and (cluster_size is None or icc is None):
        raise click.UsageError("--design clustered needs --cluster-size and --icc")
    if effect is not None and sized:
        raise click.UsageError("give either --effect (to find the sample) or the sample "
                               "(--n, or --clusters when clustered), not both")
    if effect is None and not sized:
        raise click.UsageError("give the sample (--n, or --clusters when clustered) or the "
                               "--effect to detect")
    if effect is not None:
        row = stats.sample_size(
            effect, design=design, cluster_size=cluster_size, icc=icc,
            share_treated=share_treated, alpha=alpha, power=power, alternative=alternative,
            attrition=attrition).iloc[0]
    else:
        row = stats.minimum_detectable_effect(
            n, design=design, n_clusters=n_clusters, cluster_size=cluster_size, icc=icc,
            share_treated=share_treated, alpha=alpha, power=power,
            alternative=alternative).iloc[0]
    tails = "two-sided" if alternative == "two-sided" else f"one-sided ({alternative})"
    click.echo(f"Design: {design}; alpha {alpha:g} {tails}; power {power:g}")
    if design == "clustered":
        click.echo(f"Grantees: {int(row['n_clusters'])} of {int(row['cluster_size'])} people "
                   f"({int(row['n'])} people); ICC {row['icc']:g}")
    else:
        click.echo(f"{'Pairs' if design == 'paired' else 'People'}: {int(row['n'])}")
    unit = "sd of the changes (d_z)" if design == "paired" else "sd (d)"
    click.echo(f"Minimum detectable effect: {row['mde']:.3f} {unit} "
               f"(multiplier {row['multiplier']:.3f}, {int(row['df'])} df)")
    if effect is not None:
        what = "grantees" if design == "clustered" else (
            "pairs" if design == "paired" else "people")
        click.echo(f"To detect {effect:g}: recruit {int(row['to_recruit'])} {what}"
                   + (f" (allowing for {attrition:.0%} attrition)" if attrition else ""))
