"""Key findings in plain words, generated from the numbers of a report.

Private: see :func:`getting_to_outcomes.write_report`.

Rules, the same in both reports:

* a *gain* or a *decline* is a change since baseline whose confidence interval excludes
  zero, in the indicator's good or wrong direction; gains are ranked by how far the
  interval lies from zero (the change divided by half the interval's width);
* a change whose interval includes zero is *too uncertain to say*;
* *targets*: the statuses of the latest period of each indicator with a target;
* *missing data*: indicators of the framework without any value, and withheld values.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from getting_to_outcomes._format import plural
from getting_to_outcomes.columns import NETWORK
from getting_to_outcomes.plotting import chart_data as _d
from getting_to_outcomes.reporting._readable import (
    Format,
    formats,
    latest_by_group,
    verdicts,
)

if TYPE_CHECKING:
    from getting_to_outcomes.definitions import Framework

#: Gains and declines named one by one; the rest are counted.
NAMED = 3


@dataclass
class Findings:
    """Sentences under headings, and the indicators they name (for the chart that shows them)."""

    items: list[tuple[str, str]] = field(default_factory=list)
    indicators: list[str] = field(default_factory=list)


def _names(ids: Sequence[str], framework: Framework | None, limit: int = NAMED) -> str:
    names = [_d.indicator_name(framework, i) for i in ids[:limit]]
    more = len(ids) - len(names)
    text = "; ".join(names)
    return f"{text}; and {more} more" if more > 0 else text


def _strength(row: Mapping[Any, Any]) -> float:
    low, high = _d.num(row.get("change_ci_low")), _d.num(row.get("change_ci_high"))
    change = _d.num(row.get("change"))
    half = (high - low) / 2
    return abs(change) / half if half > 0 else math.inf


def _moves(latest: pd.DataFrame, frame: pd.DataFrame, framework: Framework | None
           ) -> dict[str, list[dict[Any, Any]]]:
    moves: dict[str, list[dict[Any, Any]]] = {"gain": [], "decline": [], "uncertain": []}
    for row, verdict in zip(latest.to_dict("records"), verdicts(latest, framework, frame),
                            strict=True):
        if verdict:
            moves[verdict].append(row)
    for verdict in ("gain", "decline"):
        moves[verdict].sort(key=lambda r: -_strength(r))
    return moves


def _moved(row: Mapping[Any, Any], fmt: Format, framework: Framework | None) -> str:
    name = _d.indicator_name(framework, str(row["indicator_id"]))
    return (f"{name}: {fmt.value(row.get('baseline_value'))} in {row.get('baseline_period')}"
            f" to {fmt.value(row.get('value'))} in {row.get('period')}")


def _latest(frame: pd.DataFrame, framework: Framework | None) -> pd.DataFrame:
    order = _d.period_order(frame, None, framework)
    later = frame[frame["period"].astype(str) != frame["baseline_period"].astype(str)] \
        if "baseline_period" in frame.columns else frame
    return _d.latest_rows(later, order, None) if not later.empty else later


def _target_sentence(latest: pd.DataFrame, what: str = "indicator") -> str | None:
    with_target = latest[latest["target"].map(_d.is_num)] if "target" in latest else latest
    if with_target.empty:
        return None
    counts = with_target["status"].value_counts()
    parts = [f"{counts.get('target_achieved', 0)} met"]
    if counts.get("target_met_declining", 0):
        parts.append(f"{counts['target_met_declining']} met but declining")
    parts.append(f"{counts.get('on_track', 0)} on track")
    behind = int(counts.get("needs_acceleration", 0) + counts.get("limited", 0))
    parts.append(f"{behind} behind pace")
    parts.append(f"{counts.get('deteriorating', 0)} moving away from the target")
    rest = len(with_target) - sum(int(counts.get(s, 0)) for s in (
        "target_achieved", "target_met_declining", "on_track", "needs_acceleration",
        "limited", "deteriorating"))
    if rest:
        parts.append(f"{rest} not assessed (withheld or too little data)")
    return f"Of {plural(len(with_target), what)} with a target: {', '.join(parts)}."


def grantee_findings(frame: pd.DataFrame, org: Any, framework: Framework | None,
                     labels: Mapping[Any, str] | None) -> Findings:
    """Findings of one organization: its gains, declines, uncertain changes, targets, gaps."""
    mine = _d.overall(frame[frame["group"] == org])
    found = Findings()
    if mine.empty:
        found.items.append(("Data", "No indicator has data for this organization."))
        return found
    latest = _latest(mine, framework)
    fmts = formats(mine, framework)
    moves = _moves(latest, mine, framework)
    _describe_moves(found, moves, fmts, framework, "")
    sentence = _target_sentence(latest)
    if sentence:
        found.items.append(("Targets", sentence))
    _missing(found, mine, framework)
    return found


def _lead(who: str, sentence: str) -> str:
    """``sentence`` as it stands, or after ``who`` and a comma, its first word in lower case.

    Examples
    --------
    >>> _lead("", "No indicator moved clearly the wrong way.")
    'No indicator moved clearly the wrong way.'
    >>> _lead("Pooled over the network", "No indicator moved clearly the wrong way.")
    'Pooled over the network, no indicator moved clearly the wrong way.'
    """
    return f"{who}, {sentence[:1].lower()}{sentence[1:]}" if who else sentence


def _describe_moves(found: Findings, moves: Mapping[str, list[dict[Any, Any]]],
                    fmts: Mapping[str, Format], framework: Framework | None, who: str) -> None:
    gains, declines = moves["gain"], moves["decline"]
    if gains:
        named = "; ".join(_moved(r, fmts[str(r["indicator_id"])], framework)
                          for r in gains[:NAMED])
        more = f" ({len(gains) - NAMED} more in the tables)" if len(gains) > NAMED else ""
        found.items.append(("Biggest gains", _lead(who, f"{plural(len(gains), 'indicator')} "
                            f"improved clearly (the interval excludes no change). Largest: {named}."
                            f"{more}")))
    else:
        found.items.append(("Gains", _lead(who, "No indicator changed clearly for the better "
                                                "since its baseline.")))
    if declines:
        named = "; ".join(_moved(r, fmts[str(r["indicator_id"])], framework)
                          for r in declines[:NAMED])
        more = f" ({len(declines) - NAMED} more in the tables)" if len(declines) > NAMED else ""
        found.items.append(("Declines", _lead(who, f"{plural(len(declines), 'indicator')} "
                            f"moved clearly the wrong way: {named}.{more}")))
    else:
        found.items.append(("Declines", _lead(who, "No indicator moved clearly the wrong way.")))
    uncertain = [str(r["indicator_id"]) for r in moves["uncertain"]]
    if uncertain:
        found.items.append(("Too uncertain to say", _lead(who, (
            f"{plural(len(uncertain), 'change')} could be noise (the interval includes no "
            f"change): {_names(uncertain, framework)}."))))
    found.indicators = [str(r["indicator_id"]) for r in (*gains[:NAMED], *declines[:NAMED])]


def _missing(found: Findings, frame: pd.DataFrame, framework: Framework | None) -> None:
    present = set(frame.loc[frame["value"].map(_d.is_num), "indicator_id"].astype(str))
    withheld = frame[frame["status"] == "withheld"] if "status" in frame.columns else frame[:0]
    parts = []
    if framework is not None:
        absent = [i for i in framework.indicators.ids if i not in present
                  and i not in set(withheld["indicator_id"].astype(str))]
        if absent:
            parts.append(f"{plural(len(absent), 'indicator')} of the framework "
                         f"{'has' if len(absent) == 1 else 'have'} no data "
                         f"({_names(absent, framework)})")
    if len(withheld):
        parts.append(f"{plural(len(withheld), 'value')} {'is' if len(withheld) == 1 else 'are'}"
                     " withheld because too few people are behind them")
    if parts:
        found.items.append(("Missing data", "; ".join(parts) + ". Missing values are never "
                            "counted as zero."))


def funder_findings(frame: pd.DataFrame, members: Sequence[Any], framework: Framework | None,
                    labels: Mapping[Any, str] | None) -> Findings:
    """Findings of the network: pooled gains and declines, grantees' targets, coverage."""
    overall = _d.overall(frame)
    found = Findings()
    network = overall[overall["group"] == NETWORK]
    if not network.empty:
        latest = _latest(network, framework)
        _describe_moves(found, _moves(latest, network, framework), formats(network, framework),
                        framework, "Pooled over the network")
    grantees = overall[overall["group"].isin(set(members))]
    if not grantees.empty:
        order = _d.period_order(grantees, None, framework)
        # Each grantee's periods in its own time order, as a report of it alone would say.
        orders = {g: _d.period_order(block, None, framework)
                  for g, block in grantees.groupby("group", sort=False)}
        latest = latest_by_group(grantees, orders) if order else grantees
        # One row per grantee and indicator: counted as grantees' indicators, not indicators.
        sentence = _target_sentence(latest, "grantee indicator")
        if sentence:
            found.items.append(("Targets", "Across grantees' own targets. " + sentence))
        met = latest[latest["status"] == "target_achieved"].groupby("group").size()
        moved = verdicts(latest, framework, grantees)
        falling = latest[moved == "decline"].groupby("group").size()
        if len(met):
            best = met.sort_values(ascending=False, kind="stable").head(NAMED)
            found.items.append(("Most targets met", "; ".join(
                f"{_d.label(g, labels)} ({plural(int(k), 'target')})" for g, k in best.items())
                + "."))
        if len(falling):
            worst = falling.sort_values(ascending=False, kind="stable").head(NAMED)
            found.items.append(("Most clear declines", "; ".join(
                f"{_d.label(g, labels)} ({plural(int(k), 'indicator')})"
                for g, k in worst.items()) + "."))
        defined = len(framework.indicators) if framework is not None else \
            grantees["indicator_id"].nunique()
        coverage = grantees[grantees["value"].map(_d.is_num)].groupby("group")[
            "indicator_id"].nunique().reindex(list(members), fill_value=0)
        lowest = coverage.sort_values(kind="stable").head(NAMED)
        withheld = int((grantees["status"] == "withheld").sum())
        # Nothing withheld is not news: withheld values are named only when there are some.
        small = (f" {plural(withheld, 'value')} {'is' if withheld == 1 else 'are'} withheld "
                 "because too few people are behind them." if withheld else "")
        if defined:
            found.items.append(("Missing data", "Lowest coverage: " + "; ".join(
                f"{_d.label(g, labels)} ({int(k)} of {defined} indicators)"
                for g, k in lowest.items()) + f".{small} Missing values are never counted as "
                "zero."))
    return found
