"""The statistics step of scoring: :class:`Aggregates` in, the rows of a
:class:`~getting_to_outcomes.ProgressSummary` out.

Per indicator, group, period and subgroup: values with intervals and change with tests and
effect sizes (:mod:`._estimates`), reliability of scales, targets, statuses, rubric levels
and 0-100 scores (:mod:`._status`), data notes, small groups withheld (:mod:`._suppress`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, cast

import numpy as np
import pandas as pd

from getting_to_outcomes._format import fmt_against
from getting_to_outcomes.columns import NETWORK, SUMMARY_COLUMNS
from getting_to_outcomes.definitions import Framework
from getting_to_outcomes.definitions.models import (
    Indicator,
    LevelMeasure,
    MilestoneMeasure,
    RateMeasure,
    ScaleMeasure,
)
from getting_to_outcomes.errors import ScoringError
from getting_to_outcomes.scoring._estimates import estimate
from getting_to_outcomes.scoring._inputs import Options
from getting_to_outcomes.scoring._measures import Family, family_of
from getting_to_outcomes.scoring._status import (
    assess,
    period_times,
    rubric_levels,
    score_0_100,
)
from getting_to_outcomes.scoring._summary import ProgressSummary
from getting_to_outcomes.scoring._suppress import suppress
from getting_to_outcomes.scoring._tables import (
    ALL,
    KEY,
    Aggregates,
    Window,
    first_rows,
    key_codes,
    merge_aggregates,
    positions,
)
from getting_to_outcomes.stats import alpha_from_covariance, covariance_from_moments

__all__ = ["alpha_note", "summarize", "summarize_jointly"]

_WITHHELD = [
    "n", "value", "ci_low", "ci_high", "baseline_n", "baseline_value", "n_pairs", "change",
    "change_ci_low", "change_ci_high", "statistic", "p_value", "p_adjusted", "effect_size",
    "progress", "score_0_100", "reliability", "reliability_ci_low", "reliability_ci_high",
]
_CHANGE_FIELDS = ["n_pairs", "change", "change_ci_low", "change_ci_high", "statistic",
                  "p_value", "p_adjusted", "effect_size"]






def summarize(
    aggregates: Aggregates,
    framework: Framework,
    indicator_ids: Sequence[str],
    options: Options,
    targets: pd.DataFrame | None,
    warnings: Sequence[str] = (),
    *,
    synthetic: bool | None = None,
) -> ProgressSummary:
    """Turn grouped sufficient statistics into a :class:`ProgressSummary`.

    Adds the pooled network group when there are several groups (and none is called
    ``"network"`` already). ``synthetic`` is recorded on the summary (see
    :func:`synthetic_mark`).
    """
    draft = _draft(aggregates, framework, indicator_ids, options, targets)
    decided = suppress(draft.frame[[*KEY, "n"]].fillna({"n": 0}), draft.min_n,
                       network=NETWORK if draft.network else None)
    return _finish(draft, decided, framework, indicator_ids, options, targets, warnings,
                   synthetic)


def summarize_jointly(
    parts: Mapping[str, tuple[Aggregates, Options, pd.DataFrame | None]],
    framework: Framework,
    indicator_ids: Sequence[str],
    atoms: Mapping[str, Mapping[str, Sequence[str]]],
    warnings: Sequence[str] = (),
    *,
    synthetic: bool | None = None,
) -> dict[str, ProgressSummary]:
    """One summary per grouping, with small groups withheld jointly across all of them.

    ``parts`` maps each grouping (a column name) to its aggregates, options and targets;
    ``atoms`` maps each grouping and group to the cells of the crossing of all groupings
    that the group holds. Every grouping pools the same rows, so the network rows are one
    set of cells, withheld alike in every summary.
    """
    drafts = {name: _draft(agg, framework, indicator_ids, options, targets)
              for name, (agg, options, targets) in parts.items()}
    tables = []
    network_from = next((name for name, d in drafts.items() if d.network), None)
    for name, draft in drafts.items():
        cells = draft.frame[[*KEY, "n"]].fillna({"n": 0})
        own = cells["group"] != NETWORK
        if name != network_from:
            cells = cells[own]
        tables.append(cells.assign(
            grouping=name, at=cells.index, draft=name,
            group=cells["group"].where(~own[cells.index], name + "\x1f" + cells["group"])))
    joint = pd.concat(tables, ignore_index=True)
    held = {f"{name}\x1f{group}": cells for name, groups in atoms.items()
            for group, cells in groups.items()}
    min_n = dict(next(iter(drafts.values())).min_n)
    decided = suppress(joint, min_n, network=NETWORK if network_from else None, atoms=held)
    joint = pd.concat([joint, decided], axis=1)
    out: dict[str, ProgressSummary] = {}
    network_cells = joint[joint["group"] == NETWORK].set_index(KEY)
    for name, draft in drafts.items():
        mine = joint[(joint["draft"] == name) & (joint["group"] != NETWORK)]
        result = pd.DataFrame({"suppressed": False, "suppression_reason": None},
                              index=draft.frame.index)
        result.loc[mine["at"].to_numpy(), "suppressed"] = mine["suppressed"].to_numpy()
        result.loc[mine["at"].to_numpy(), "suppression_reason"] = \
            mine["suppression_reason"].to_numpy()
        at_network = (draft.frame["group"] == NETWORK).to_numpy()
        if at_network.any():
            found = network_cells.reindex(pd.MultiIndex.from_frame(
                draft.frame.loc[at_network, KEY]))
            result.loc[at_network, "suppressed"] = found["suppressed"].fillna(False) \
                .to_numpy(dtype=bool)
            result.loc[at_network, "suppression_reason"] = found["suppression_reason"] \
                .to_numpy(dtype=object)
        _, options, targets = parts[name]
        out[name] = _finish(draft, result, framework, indicator_ids, options, targets,
                            warnings, synthetic)
    return out


@dataclass
class _Draft:
    """A summary's rows before small groups are withheld."""

    frame: pd.DataFrame
    notes: list[list[str]]
    aggregates: Aggregates
    inds: list[Indicator]
    min_n: dict[str, int]
    network: bool


def _draft(
    aggregates: Aggregates,
    framework: Framework,
    indicator_ids: Sequence[str],
    options: Options,
    targets: pd.DataFrame | None,
) -> _Draft:
    groups = [g for g in aggregates.groups if g != NETWORK]
    if NETWORK in aggregates.groups:
        raise ScoringError(
            f"a group is called {NETWORK!r}, the name of the pooled network; rename it"
        )
    network = len(groups) > 1
    if network:
        aggregates = merge_aggregates([aggregates, aggregates.with_group(NETWORK)],
                                      disjoint=True)
    all_groups = [*groups, NETWORK] if network else groups
    inds = [framework.indicators[i] for i in indicator_ids]
    families = {i.id: family_of(i) for i in inds}
    rows = _rows(aggregates, inds, families, all_groups)
    thresholds = {i.id: _threshold(i) for i in inds}
    per = {i.id: i.measure.per if isinstance(i.measure, RateMeasure) else 1.0 for i in inds}
    ladders = {i.id for i in inds if isinstance(i.measure, LevelMeasure)}
    min_n = _min_n(inds, options.min_n)
    est = estimate(rows, aggregates, families, thresholds=thresholds, ladders=ladders, per=per,
                   min_n=min_n, confidence=options.confidence, bootstrap=options.bootstrap,
                   seed=options.seed)
    frame = pd.concat([rows[[*KEY, "b_period", "is_baseline", "n_rows", "n_empty",
                             "source_present"]], est], axis=1)
    notes: list[list[str]] = [list(n) for n in frame.pop("notes")]
    _clip_to_range(frame, notes, inds, families)
    _add_data_notes(frame, notes, inds, families, aggregates)
    _add_reliability(frame, notes, aggregates, inds, options.confidence)
    _add_status(frame, notes, inds, aggregates.windows, targets, framework, families)
    return _Draft(frame, notes, aggregates, inds, min_n, network)


def _finish(
    draft: _Draft,
    decided: pd.DataFrame,
    framework: Framework,
    indicator_ids: Sequence[str],
    options: Options,
    targets: pd.DataFrame | None,
    warnings: Sequence[str],
    synthetic: bool | None,
) -> ProgressSummary:
    frame, notes, aggregates = draft.frame, draft.notes, draft.aggregates
    _withhold(frame, notes, decided, draft.min_n, options.reliability)
    _adjust(frame)
    _describe(frame, draft.inds, framework)
    frame["notes"] = ["; ".join(dict.fromkeys(n)) if n else None for n in notes]
    frame = frame[SUMMARY_COLUMNS].reset_index(drop=True)
    return ProgressSummary(
        framework=framework,
        frame=frame,
        aggregates=aggregates,
        indicator_ids=tuple(indicator_ids),
        options=MappingProxyType(options.as_dict()),
        targets=targets,
        min_n=MappingProxyType(draft.min_n),
        warnings=tuple(dict.fromkeys([*warnings, *aggregates.messages])),
        synthetic=synthetic,
    )


def _clip_to_range(
    frame: pd.DataFrame, notes: list[list[str]], inds: Sequence[Indicator],
    families: Mapping[str, Family],
) -> None:
    """Clip intervals to the indicator's ``valid_range``, and say so on the row.

    A t or normal interval can reach past what the measure can take (a mean stage weight
    below 0); the possible values bound the truth, so the interval is cut there. The
    change's interval is cut to the widest possible change, ``+/- (high - low)``. Counts are
    left alone: a network total can exceed the range of one grantee's count.
    """
    ranges = {i.id: i.valid_range for i in inds
              if i.valid_range is not None and families[i.id] != "count"}
    if not ranges:
        return
    ids = frame["indicator_id"]
    low = ids.map({k: v[0] for k, v in ranges.items()}).to_numpy(dtype=np.float64)
    high = ids.map({k: v[1] for k, v in ranges.items()}).to_numpy(dtype=np.float64)
    span = high - low
    cut = np.zeros(len(frame), dtype=bool)
    for column, bottom, top in (("ci_low", low, high), ("ci_high", low, high),
                                ("change_ci_low", -span, span),
                                ("change_ci_high", -span, span)):
        values = frame[column].to_numpy(dtype=np.float64)
        with np.errstate(invalid="ignore"):
            outside = (values < bottom) | (values > top)
        cut |= outside
        frame[column] = np.where(outside, np.clip(values, bottom, top), values)
    for pos in np.flatnonzero(cut).tolist():
        notes[pos].append(f"interval clipped to the valid range {low[pos]:g} to {high[pos]:g}")


def _threshold(indicator: Indicator) -> float:
    measure = indicator.measure
    return float(measure.at_or_above) if isinstance(measure, LevelMeasure) else 1.0


def _min_n(inds: Sequence[Indicator], option: int | Mapping[str, int] | None) -> dict[str, int]:
    out = {i.id: i.min_n for i in inds}
    if isinstance(option, Mapping):
        out.update({str(k): int(v) for k, v in option.items()})
    elif option is not None:
        out = dict.fromkeys(out, int(option))
    return out


def _rows(
    agg: Aggregates, inds: Sequence[Indicator], families: Mapping[str, Family],
    groups: Sequence[str],
) -> pd.DataFrame:
    """One row per indicator x group x period x subgroup, with its baseline cell beside it."""
    ids = {i.id for i in inds}
    cells = agg.cells[agg.cells["indicator_id"].isin(ids)].copy()
    stats = ["n_rows", "n_empty", "n", "sum", "sum_sq", "denominator", "successes"]
    extra = []
    # Counts: a subgroup with no rows in a period that has rows counts zero events.
    count_ids = [i for i in ids if families[i] == "count"]
    if count_ids:
        counted = cells[cells["indicator_id"].isin(count_ids)]
        whole = counted[counted["dimension"] == ALL][["indicator_id", "group", "period"]]
        subs = counted[counted["dimension"] != ALL][["indicator_id", "group", "dimension",
                                                     "subgroup"]].drop_duplicates()
        grid = whole.merge(subs, on=["indicator_id", "group"])
        have = counted.set_index(KEY).index
        fill = grid[~grid.set_index(KEY).index.isin(have)]
        if not fill.empty:
            extra.append(fill.assign(n_rows=0.0, n_empty=0.0, n=0.0, sum=0.0, sum_sq=0.0,
                                     denominator=0.0, successes=np.nan))
    # Every indicator, group and scored period appears, with NaN where there are no data.
    grid_rows = []
    for ind in inds:
        window = agg.windows.get(ind.source or "")
        periods = window.periods if window is not None else (None,)
        for group in groups:
            for period in periods:
                grid_rows.append((ind.id, group, period, ALL, ALL))
    grid = pd.DataFrame(grid_rows, columns=KEY)
    found_keys, wanted = key_codes([cells[KEY], grid], KEY)
    missing = grid[positions(found_keys, wanted) < 0]
    if not missing.empty:
        extra.append(missing.assign(n_rows=0.0, n_empty=0.0, n=0.0, sum=np.nan, sum_sq=np.nan,
                                    denominator=np.nan, successes=np.nan))
    rows = pd.concat([cells, *extra], ignore_index=True) if extra else cells
    rows = rows.reset_index(drop=True)
    windows = dict(agg.windows)
    present = {i.id: i.source in windows for i in inds}
    baseline = {i.id: windows[i.source].baseline if i.source in windows else None
                for i in inds}
    rows["source_present"] = rows["indicator_id"].map(present).astype(bool)
    rows["b_period"] = rows["indicator_id"].map(baseline)
    # Each row's baseline cell: the cell of the same key in the baseline period.
    found_keys, wanted = key_codes([cells[KEY], rows[KEY].assign(period=rows["b_period"])],
                                   KEY)
    at = positions(found_keys, wanted)
    found = at >= 0
    for stat in stats:
        values = cells[stat].to_numpy(dtype=np.float64)
        rows[f"b_{stat}"] = np.where(found, values[np.maximum(at, 0)] if len(values) else np.nan,
                                     np.nan)
    rows["b_period"] = rows["b_period"].astype(object)  # the dtype baseline_period has always had
    rows["is_baseline"] = (rows["period"] == rows["b_period"]) | rows["period"].isna()
    # Order: framework order of indicators, then groups, periods and subgroups.
    ind_order = {i.id: k for k, i in enumerate(inds)}
    group_order = {g: k for k, g in enumerate(groups)}
    period_order: dict[str, int] = {}
    for window in windows.values():
        for k, p in enumerate(window.periods):
            period_order.setdefault(p, k)
    rows = rows.assign(
        _i=rows["indicator_id"].map(ind_order), _g=rows["group"].map(group_order),
        _p=rows["period"].map(period_order).fillna(-1), _d=(rows["dimension"] != ALL),
    ).sort_values(["_i", "_g", "_p", "_d", "dimension", "subgroup"], kind="stable")
    rows = rows.drop(columns=["_i", "_g", "_p", "_d"]).reset_index(drop=True)
    rows["row"] = np.arange(len(rows))
    return rows


def _by_key(frame: pd.DataFrame, mask: np.ndarray, texts: Mapping[tuple[Any, ...], str],
            notes: list[list[str]], keys: Sequence[str]) -> None:
    """Append ``texts[key]`` to the notes of the masked rows whose ``keys`` match."""
    if not texts:
        return
    table = pd.Series(list(texts.values()), index=pd.MultiIndex.from_tuples(list(texts)))
    found = table.reindex(pd.MultiIndex.from_frame(frame[list(keys)])).to_numpy(dtype=object)
    for pos in np.flatnonzero(mask & pd.notna(found)):
        notes[pos].append(str(found[pos]))


def _add_data_notes(
    frame: pd.DataFrame, notes: list[list[str]], inds: Sequence[Indicator],
    families: Mapping[str, Family], agg: Aggregates,
) -> None:
    """Rows without a value, missing sources, milestone evidence and timing."""
    by_id = {i.id: i for i in inds}
    ids = frame["indicator_id"].to_numpy(dtype=object)
    without = (frame["n_rows"] - frame["n"]).to_numpy()
    empty = frame["n_empty"].to_numpy()
    for pos in np.flatnonzero(~frame["source_present"].to_numpy(dtype=bool)):
        source = by_id[ids[pos]].source
        notes[pos].append(f"no data given for source {source!r}" if source
                          else "the indicator names no data source")
    for pos in np.flatnonzero(without > 0):
        measure = by_id[ids[pos]].measure
        if isinstance(measure, ScaleMeasure):
            few = int(without[pos] - empty[pos])
            parts = []
            if few:
                parts.append(f"{few} respondent(s) answered fewer than "
                             f"{measure.min_answered:.0%} of the items")
            if empty[pos]:
                parts.append(f"{int(empty[pos])} answered none")
            notes[pos].append("; ".join(parts) + " (left out; missing is never zero)")
        else:
            notes[pos].append(f"{int(without[pos])} row(s) without a value left out "
                              "(missing is never zero)")
    counted = np.array([families[i] == "count" for i in ids], dtype=bool)
    nothing = frame["source_present"].to_numpy(dtype=bool) & (frame["n_rows"].to_numpy() == 0)
    # A count subgroup without rows counts zero; anything else without rows has no data.
    nothing &= ~counted | (frame["dimension"].to_numpy() == ALL)
    for pos in np.flatnonzero(nothing):
        notes[pos].append("no data in this period")
    context = np.array([by_id[i].contribution_only for i in ids], dtype=bool)
    for pos in np.flatnonzero(context):
        notes[pos].append("system-level context: shown as contribution, not as the group's "
                          "effect")
    whole = (frame["dimension"] == ALL).to_numpy()
    keys = ["indicator_id", "group", "period"]
    stages = agg.stages
    if not stages.empty:
        missing = stages[stages["missing_evidence"] > 0].groupby(keys, as_index=False)[
            "missing_evidence"].sum()
        texts: dict[tuple[Any, ...], str] = {}
        for ind_id, group, period, count in missing[[*keys, "missing_evidence"]].to_numpy():
            measure = by_id[ind_id].measure
            if isinstance(measure, MilestoneMeasure):
                texts[(ind_id, group, period)] = (
                    f"warning: {int(count)} item(s) at or past {measure.evidence_required_from!r} "
                    "have no evidence recorded")
        _by_key(frame, whole, texts, notes, keys)
    times = agg.stage_times
    if not times.empty:
        spans: dict[tuple[Any, ...], list[str]] = {}
        for ind_id, group, period, first, second, count, days in times[
                [*keys, "from_stage", "to_stage", "n", "sum_days"]].to_numpy():
            spans.setdefault((ind_id, group, period), []).append(
                f"mean {days / count:.0f} days from {first} to {second} (n = {int(count)})")
        _by_key(frame, whole, {k: "; ".join(v) for k, v in spans.items()}, notes, keys)


def _negative_items(cov: np.ndarray) -> np.ndarray:
    """Corrected item-total correlations of stacked covariance matrices.

    The correlation of each item with the sum of the other items, from the covariance
    matrix ``C``: ``sum_j C_ij (j != i) / sqrt(C_ii * sum of C over the other items)``, the
    formula of :func:`getting_to_outcomes.stats.cronbach_alpha` (psych's ``r.drop``).
    """
    k = cov.shape[-1]
    idx = np.arange(k)
    variances = cov[..., idx, idx]
    row_sums = cov.sum(axis=-1)
    total = cov.sum(axis=(-1, -2))[..., None]
    rest_cov = row_sums - variances
    rest_var = total - 2.0 * row_sums + variances
    with np.errstate(divide="ignore", invalid="ignore"):
        r: np.ndarray = rest_cov / np.sqrt(variances * rest_var)
    return r


def _alpha_cells(agg: Aggregates, ind: Indicator, confidence: float) -> pd.DataFrame:
    """Cronbach's alpha with its Feldt interval per group and period of one scale."""
    measure = ind.measure
    assert isinstance(measure, ScaleMeasure)
    items = agg.items[agg.items["indicator_id"] == ind.id]
    if items.empty:
        return pd.DataFrame(columns=["group", "period", "alpha", "low", "high", "negative"])
    k = len(measure.items)
    index = {name: i for i, name in enumerate(measure.items)}
    whole = agg.cells[(agg.cells["indicator_id"] == ind.id) & (agg.cells["dimension"] == ALL)]
    cell_codes, whole_codes = key_codes([items, whole], ["group", "period"])
    first = first_rows(cell_codes)  # the cells, numbered in order of first appearance
    n = np.zeros((len(first), k, k))
    sums = np.zeros_like(n)
    cross = np.zeros_like(n)
    ii = items["item_i"].map(index).to_numpy()
    jj = items["item_j"].map(index).to_numpy()
    n[cell_codes, ii, jj] = items["n"].to_numpy()
    sums[cell_codes, ii, jj] = items["sum_i"].to_numpy()
    cross[cell_codes, ii, jj] = items["cross_product"].to_numpy()
    cov = covariance_from_moments(n, sums, cross)
    answered = (whole["n_rows"] - whole["n_empty"]).to_numpy(dtype=np.float64)
    at = positions(whole_codes, np.arange(len(first)))
    respondents = np.where(at >= 0, np.r_[answered, 0.0][at], 0.0)
    table = alpha_from_covariance(cov, respondents, confidence=confidence)
    item_total = _negative_items(cov)
    negative = [", ".join(measure.items[j] for j in np.flatnonzero(r < 0)) for r in item_total]
    return pd.DataFrame({
        "group": items["group"].to_numpy()[first], "period": items["period"].to_numpy()[first],
        "alpha": table["alpha"].to_numpy(), "low": table["ci_low"].to_numpy(),
        "high": table["ci_high"].to_numpy(), "negative": negative,
    })


def alpha_note(alpha: float, threshold: float) -> str:
    """The note of a scale whose alpha is below its threshold, never printing them equal.

    Examples
    --------
    >>> alpha_note(0.596, 0.6)
    "Cronbach's alpha 0.596 is below the threshold 0.600 of this scale"
    """
    shown_alpha, shown_threshold = fmt_against(alpha, threshold)
    return f"Cronbach's alpha {shown_alpha} is below the threshold {shown_threshold} of this scale"


def _add_reliability(
    frame: pd.DataFrame, notes: list[list[str]], agg: Aggregates, inds: Sequence[Indicator],
    confidence: float,
) -> None:
    """Alpha of the whole group and period on every row of a scale, flagged and noted."""
    for column in ("reliability", "reliability_ci_low", "reliability_ci_high"):
        frame[column] = np.nan
    frame["reliability_flag"] = None
    scales = [i for i in inds if isinstance(i.measure, ScaleMeasure)]
    tables = [_alpha_cells(agg, i, confidence).assign(indicator_id=i.id) for i in scales]
    tables = [t for t in tables if not t.empty]
    if not tables:
        return
    alphas = pd.concat(tables, ignore_index=True)
    keys = ["indicator_id", "group", "period"]
    theirs, mine = key_codes([alphas[keys], frame[keys]], keys)
    found = positions(theirs, mine)
    hit = found >= 0
    at = np.maximum(found, 0)
    alpha = np.where(hit, alphas["alpha"].to_numpy(dtype=np.float64)[at], np.nan)
    frame["reliability"] = alpha
    frame["reliability_ci_low"] = np.where(hit, alphas["low"].to_numpy(dtype=np.float64)[at],
                                           np.nan)
    frame["reliability_ci_high"] = np.where(hit, alphas["high"].to_numpy(dtype=np.float64)[at],
                                            np.nan)
    thresholds = {i.id: np.nan if i.reliability_threshold is None else i.reliability_threshold
                  for i in inds}
    threshold = frame["indicator_id"].map(thresholds).to_numpy(dtype=np.float64)
    shown = hit & (frame["n"].to_numpy() > 0)
    below = alpha < threshold
    flag = np.where(np.isnan(alpha), "undefined", np.where(below, "below_threshold", "ok")
                    ).astype(object)
    flag[~shown] = None
    frame["reliability_flag"] = flag
    negative = alphas["negative"].to_numpy(dtype=object)[at]
    for pos in np.flatnonzero(shown & below).tolist():
        notes[pos].append(alpha_note(alpha[pos], threshold[pos]))
    for pos in np.flatnonzero(shown & ~below & np.isnan(alpha)).tolist():
        notes[pos].append("Cronbach's alpha is undefined here (too few answers or no "
                          "variation)")
    warned = shown & (negative != "") & pd.notna(negative)
    for pos in np.flatnonzero(warned).tolist():
        notes[pos].append(f"warning: item(s) {negative[pos]} correlate negatively with the "
                          "rest of the scale; is a reverse key missing?")


def _time_table(windows: Mapping[str, Window]) -> dict[str, dict[str, float]]:
    return {sid: period_times(w.order) for sid, w in windows.items()}


def _targets_for(
    ind: Indicator, group: str, own: Mapping[tuple[str, str], pd.DataFrame],
    clock: Mapping[str, float], windows: Mapping[str, Window],
) -> tuple[float, list[tuple[float, float, str]]]:
    """A group's own baseline (NaN if none) and its targets as (time, value, period).

    The group's rows of the targets table replace the indicator's YAML targets.
    """
    mine = own.get((ind.id, group))
    candidates: list[tuple[float, float, str]] = []
    given_base = np.nan
    if mine is not None:
        known = mine["baseline"].dropna()
        if len(known):
            given_base = float(known.iloc[-1])
        for p, v in zip(mine["period"], mine["target"], strict=True):
            if not np.isnan(v):
                label = windows[ind.source or ""].current if p is None else str(p)
                candidates.append((clock.get(label, np.nan), float(v), label))
    if not candidates:
        candidates = [(clock.get(tg.period, np.nan), tg.value, tg.period) for tg in ind.targets]
    return given_base, candidates


def _add_status(
    frame: pd.DataFrame, notes: list[list[str]], inds: Sequence[Indicator],
    windows: Mapping[str, Window], targets: pd.DataFrame | None, framework: Framework,
    family: Mapping[str, Family],
) -> None:
    times = _time_table(windows)
    members = [g for g in pd.unique(frame["group"]) if g != NETWORK]
    by_id = {i.id: i for i in inds}
    n = len(frame)
    base = frame["baseline_value"].to_numpy(dtype=np.float64).copy()
    target = np.full(n, np.nan)
    target_time = np.full(n, np.nan)
    period_target = np.full(n, np.nan)
    origin = np.full(n, None, dtype=object)
    table = targets if targets is not None else pd.DataFrame(
        columns=["group", "indicator_id", "baseline", "target", "period"])
    own: dict[tuple[str, str], pd.DataFrame] = {}
    for key, part in table.groupby(["indicator_id", "group"]):
        own[cast(tuple[str, str], key)] = part
    # What depends on the indicator, group and period alone is decided once per such cell
    # (the targets once per indicator and group), then spread over the cell's rows.
    keys = ["indicator_id", "group", "period"]
    (combo,) = key_codes([frame[keys]], keys)
    first = first_rows(combo)
    cells = len(first)
    t_c, t0_c, given_c, yaml_c = (np.full(cells, np.nan) for _ in range(4))
    target_c, target_time_c, exact_c, share_c = (np.full(cells, np.nan) for _ in range(4))
    scored_c, placed_c, exact_found_c = (np.zeros(cells, dtype=bool) for _ in range(3))
    unplaced_c = np.full(cells, None, dtype=object)
    chosen_for: dict[tuple[str, str], tuple[float, list[tuple[float, float, str]], Any]] = {}
    for k, (ind_id, group, period) in enumerate(frame[keys].to_numpy(dtype=object)[first]):
        ind = by_id[ind_id]
        clock = times.get(ind.source or "")
        if clock is None or period is None or (isinstance(period, float) and math.isnan(period)):
            continue
        scored_c[k] = True
        t = t_c[k] = clock.get(str(period), np.nan)
        t0 = t0_c[k] = clock.get(windows[ind.source or ""].baseline, np.nan)
        if (ind_id, group) not in chosen_for:
            if group == NETWORK and family[ind_id] == "count":
                # A network total is measured against the sum of its grantees' targets.
                each = [_targets_for(ind, g, own, clock, windows) for g in members]
                given_base = np.nan
                labels = set.intersection(*({c[2] for c in e[1]} for e in each)) \
                    if each else set()
                candidates = [(clock.get(label, np.nan),
                               sum(next(c[1] for c in e[1] if c[2] == label) for e in each),
                               label) for label in sorted(labels)]
                yaml_base = None if ind.baseline is None else ind.baseline * len(members)
            else:
                given_base, candidates = _targets_for(ind, group, own, clock, windows)
                yaml_base = ind.baseline
            chosen_for[(ind_id, group)] = (given_base, candidates, yaml_base)
        given_base, candidates, yaml_base = chosen_for[(ind_id, group)]
        unplaced = [c[2] for c in candidates if np.isnan(c[0])]
        if unplaced:
            unplaced_c[k] = (f"target period(s) {', '.join(unplaced)} are not periods of the "
                             "data and were not used")
        placed = sorted((c for c in candidates if not np.isnan(c[0])), key=lambda c: c[0])
        given_c[k] = given_base
        yaml_c[k] = np.nan if yaml_base is None else yaml_base
        if not placed:
            continue
        ahead = [c for c in placed if c[0] >= t]
        chosen = ahead[0] if ahead else placed[-1]
        placed_c[k] = True
        target_c[k], target_time_c[k] = chosen[1], chosen[0]
        exact = [c for c in placed if c[0] == t]
        if exact:
            exact_found_c[k], exact_c[k] = True, exact[0][1]
        else:
            share_c[k] = np.clip((t - t0) / (chosen[0] - t0), 0.0, 1.0) if chosen[0] > t0 \
                else 1.0
    scored = scored_c[combo]
    time, base_time = t_c[combo], t0_c[combo]
    for pos in np.flatnonzero(scored & pd.notna(unplaced_c[combo])).tolist():
        notes[pos].append(unplaced_c[combo[pos]])
    given = scored & ~np.isnan(given_c[combo])
    base[given] = given_c[combo][given]
    origin[given] = "given"
    rest = scored & ~given
    unknown = np.isnan(base)
    origin[rest & ~unknown] = "observed"
    from_yaml = rest & unknown & ~np.isnan(yaml_c[combo])
    base[from_yaml] = yaml_c[combo][from_yaml]
    origin[from_yaml] = "yaml"
    placed_rows = scored & placed_c[combo]
    target[placed_rows] = target_c[combo][placed_rows]
    target_time[placed_rows] = target_time_c[combo][placed_rows]
    exact_rows = placed_rows & exact_found_c[combo]
    period_target[exact_rows] = exact_c[combo][exact_rows]
    between = placed_rows & ~exact_found_c[combo]
    b = base[between]
    period_target[between] = b + (target_c[combo][between] - b) * share_c[combo][between]
    # Uncertainty of the current value: the change interval shifted onto the value when the
    # progress is measured from the observed baseline, else the value's own interval.
    value = frame["value"].to_numpy(dtype=np.float64)
    change = frame["change"].to_numpy(dtype=np.float64)
    shift_ok = (origin == "observed") & ~np.isnan(
        frame["change_ci_low"].to_numpy(dtype=np.float64))
    low = np.where(shift_ok, value + frame["change_ci_low"].to_numpy(dtype=np.float64) - change,
                   frame["ci_low"].to_numpy(dtype=np.float64))
    high = np.where(shift_ok, value + frame["change_ci_high"].to_numpy(dtype=np.float64) - change,
                    frame["ci_high"].to_numpy(dtype=np.float64))
    directions = frame["indicator_id"].map(lambda i: by_id[i].direction).tolist()
    result = assess(value=value, low=low, high=high, base=base, target=target,
                    period_target=period_target, time=time, base_time=base_time,
                    target_time=target_time, direction=directions,
                    rules=framework.meta.status_rules)
    for column in ("target", "progress", "status", "status_method", "status_uncertain"):
        frame[column] = result[column].to_numpy()
    frame["status_uncertain"] = result["status_uncertain"].array
    frame.loc[frame["period"].isna(), "status"] = "insufficient_data"
    frame["_progress_from"] = origin
    status_notes = result["status_note"].to_numpy(dtype=object)
    for pos in np.flatnonzero(pd.notna(status_notes)).tolist():
        notes[pos].append(status_notes[pos])
    later = ~np.isnan(value) & ~frame["is_baseline"].to_numpy(dtype=bool)
    for pos in np.flatnonzero(later & (origin == "given")).tolist():
        notes[pos].append(f"progress measured from the group's own baseline {base[pos]:g}")
    for pos in np.flatnonzero(later & (origin == "yaml")).tolist():
        notes[pos].append(f"no baseline observed: progress from the framework baseline "
                          f"{base[pos]:g}")
    levels = np.full(n, None, dtype=object)
    scores = np.full(n, np.nan)
    progress = frame["progress"].to_numpy(dtype=np.float64)
    aims = frame["target"].to_numpy(dtype=np.float64)
    ids = frame["indicator_id"].to_numpy(dtype=object)
    for ind in inds:
        mine = ids == ind.id
        levels[mine] = np.asarray(rubric_levels(value[mine], ind), dtype=object)
        scores[mine] = score_0_100(value[mine], progress[mine], aims[mine], ind)
    frame["rubric_level"] = pd.Series(levels, index=frame.index, dtype=object)
    frame["score_0_100"] = scores


def _withhold(
    frame: pd.DataFrame, notes: list[list[str]], decided: pd.DataFrame,
    min_n: Mapping[str, int], reliability: str,
) -> None:
    """Small-group suppression (with complementary cells), low reliability, small baselines."""
    frame["suppressed"] = decided["suppressed"].to_numpy()
    frame["suppression_reason"] = decided["suppression_reason"].to_numpy()
    limit = frame["indicator_id"].map(min_n).to_numpy()
    # Low reliability withholds every subgroup of the group and period.
    if reliability == "withhold":
        low = (frame["reliability_flag"] == "below_threshold").to_numpy()
        low = low & ~frame["suppressed"].to_numpy()
        frame.loc[low, "suppressed"] = True
        frame.loc[low, "suppression_reason"] = "low_reliability"
    hidden = frame["suppressed"].to_numpy(dtype=bool)
    reasons = frame["suppression_reason"].to_numpy(dtype=object)
    for pos in np.flatnonzero(hidden).tolist():
        text = {"small_n": f"withheld: fewer than {limit[pos]} units",
                "complementary": "withheld so that a small group cannot be worked out from "
                                 "the totals",
                "low_reliability": "withheld: reliability below the threshold"}[reasons[pos]]
        notes[pos] = [text]
    # A withheld baseline cell hides everything computed from it in later periods.
    cells, bases = key_codes([frame[KEY], frame[KEY].assign(period=frame["b_period"])], KEY)
    base_at = positions(cells, bases)
    base_hidden = np.where(base_at >= 0, hidden[np.maximum(base_at, 0)], False) \
        & ~frame["is_baseline"].to_numpy(dtype=bool) & ~hidden
    from_observed = (frame["_progress_from"] == "observed").to_numpy()
    for pos in np.flatnonzero(base_hidden).tolist():
        notes[pos].append("baseline withheld (a small group), and the change with it")
    frame.loc[base_hidden, ["baseline_n", "baseline_value"]] = np.nan
    frame.loc[base_hidden, [*_CHANGE_FIELDS[:-2], "effect_size"]] = np.nan
    frame.loc[base_hidden, ["test", "effect_size_name"]] = None
    frame.loc[base_hidden, "design"] = "none"
    status_hidden = base_hidden & from_observed
    frame.loc[status_hidden, ["progress", "score_0_100"]] = np.nan
    frame.loc[status_hidden, "status"] = "insufficient_data"
    frame.loc[status_hidden, "status_uncertain"] = pd.NA
    frame.loc[hidden, [c for c in _WITHHELD if c in frame.columns]] = np.nan
    frame.loc[hidden, ["test", "effect_size_name", "rubric_level"]] = None
    frame.loc[hidden, "design"] = "none"
    status = frame["status"].to_numpy(dtype=object).copy()
    status[hidden] = "insufficient_data"
    status[hidden & frame["is_baseline"].to_numpy(dtype=bool)] = None
    frame["status"] = status
    frame.loc[hidden, "status_uncertain"] = pd.NA


def _adjust(frame: pd.DataFrame) -> None:
    """Benjamini-Hochberg across the indicators of each group, period and subgroup.

    The adjustment of :func:`getting_to_outcomes.stats.benjamini_hochberg`, done for every
    family at once: within a family of ``m`` tests sorted by p-value, the ``i``-th becomes
    ``min over j >= i of min(1, m p_(j) / j)``.
    """
    frame["p_adjusted"] = np.nan
    tested = (frame["p_value"].notna() & ~frame["suppressed"]).to_numpy()
    if not tested.any():
        return
    family = frame.loc[tested, ["group", "period", "dimension", "subgroup"]].astype(str) \
        .groupby(["group", "period", "dimension", "subgroup"], sort=False).ngroup().to_numpy()
    p = frame.loc[tested, "p_value"].to_numpy(dtype=np.float64)
    order = np.lexsort((p, family))
    fam = family[order]
    size = np.bincount(family)
    start = np.r_[0, np.cumsum(size)[:-1]]
    rank = np.arange(len(p)) - start[fam] + 1.0
    ranked = p[order] * size[fam] / rank
    cumulative = pd.Series(ranked[::-1]).groupby(fam[::-1]).cummin().to_numpy()[::-1]
    adjusted = np.empty(len(p))
    adjusted[order] = np.minimum(cumulative, 1.0)
    frame.loc[tested, "p_adjusted"] = adjusted


def _describe(frame: pd.DataFrame, inds: Sequence[Indicator], framework: Framework) -> None:
    by_id = {i.id: i for i in inds}
    frame["framework_id"] = framework.id
    frame["framework_version"] = framework.version
    described = {
        "indicator_version": {k: i.version for k, i in by_id.items()},
        "realm": {k: i.realm for k, i in by_id.items()},
        "zone": {k: i.zone for k, i in by_id.items()},
        "stop": {k: i.stop for k, i in by_id.items()},
        "kind": {k: i.measure.kind for k, i in by_id.items()},
        "unit": {k: i.unit for k, i in by_id.items()},
        "direction": {k: i.direction for k, i in by_id.items()},
    }
    for column, values in described.items():
        frame[column] = frame["indicator_id"].map(cast(dict[str, str], values))
    frame["baseline_period"] = frame["b_period"]
    frame["subgroup_dimension"] = frame["dimension"]
    for column in ("n", "baseline_n", "n_pairs"):
        frame[column] = pd.Series(np.round(frame[column].to_numpy(dtype=np.float64)),
                                  index=frame.index).astype("Int64")
    frame["suppressed"] = frame["suppressed"].astype(bool)

