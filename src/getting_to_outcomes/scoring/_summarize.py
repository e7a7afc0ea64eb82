"""The statistics step of scoring: :class:`Aggregates` in, the rows of a
:class:`~getting_to_outcomes.ProgressSummary` out.

Per indicator, group, period and subgroup: values with intervals and change with tests and
effect sizes (:mod:`._estimates`), reliability of scales, targets, statuses, rubric levels
and 0-100 scores (:mod:`._status`), data notes, small groups withheld (:mod:`._suppress`).
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, cast

import numpy as np
import numpy.typing as npt
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
from getting_to_outcomes.scoring._estimates import estimate, key_frame
from getting_to_outcomes.scoring._inputs import Options
from getting_to_outcomes.scoring._measures import Family, family_of
from getting_to_outcomes.scoring._notes import Notes, written_once
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
    decided = suppress(_cells(draft), draft.min_n, network=NETWORK if draft.network else None)
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
        cells = _cells(draft)
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
        size = len(draft.frame["n"])
        result = pd.DataFrame({"suppressed": False, "suppression_reason": None},
                              index=pd.RangeIndex(size))
        result.loc[mine["at"].to_numpy(), "suppressed"] = mine["suppressed"].to_numpy()
        result.loc[mine["at"].to_numpy(), "suppression_reason"] = \
            mine["suppression_reason"].to_numpy()
        at_network = draft.frame["group"] == NETWORK
        if at_network.any():
            found = network_cells.reindex(pd.MultiIndex.from_frame(key_frame(
                {c: draft.frame[c][at_network] for c in KEY})))
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
    """A summary's rows before small groups are withheld.

    ``frame`` holds the columns as arrays (text as ``object`` arrays); the DataFrame is made
    once, in :func:`_finish`. ``ind`` is each row's position in ``inds`` (rows come in
    framework order, so each indicator's rows are one slice); ``dtypes``, the dtype each
    column of the summary takes.
    """

    frame: dict[str, Any]
    notes: Notes
    aggregates: Aggregates
    inds: list[Indicator]
    min_n: dict[str, int]
    network: bool
    ind: npt.NDArray[np.int64]
    dtypes: dict[str, Any]


def _cells(draft: _Draft) -> pd.DataFrame:
    """The draft's cells and their ``n`` (0 where there is none), as :func:`suppress` takes."""
    frame = key_frame(draft.frame)
    frame["n"] = np.nan_to_num(np.asarray(draft.frame["n"], dtype=np.float64), nan=0.0,
                               posinf=np.inf, neginf=-np.inf)
    return frame


def _text_dtype(values: npt.NDArray[np.object_]) -> Any:
    """The dtype pandas gives a column of these values: ``str`` when any is text, else
    ``object`` (no value, or only missing ones)."""
    present = values[~pd.isna(values)]
    return "str" if any(isinstance(v, str) for v in present) else object


def _segments(ind: npt.NDArray[np.int64], count: int) -> list[slice]:
    """The rows of each indicator (rows come in framework order)."""
    bounds = np.searchsorted(ind, np.arange(count + 1)).tolist()
    return [slice(a, b) for a, b in itertools.pairwise(bounds)]


def _draft(
    aggregates: Aggregates,
    framework: Framework,
    indicator_ids: Sequence[str],
    options: Options,
    targets: pd.DataFrame | None,
) -> _Draft:
    if aggregates.pooled != NETWORK:
        aggregates = aggregates.unpooled()
    groups = [g for g in aggregates.groups if g != NETWORK]
    if NETWORK in aggregates.groups and aggregates.pooled is None:
        raise ScoringError(
            f"a group is called {NETWORK!r}, the name of the pooled network; rename it"
        )
    network = len(groups) > 1
    if not network:
        aggregates = aggregates.unpooled()
    elif aggregates.pooled is None:  # pooled here, unless the kernel pooled it already
        both = merge_aggregates([aggregates, aggregates.with_group(NETWORK)], disjoint=True)
        aggregates = Aggregates.from_tables(both.tables(), both.windows, both.notes,
                                            both.rows_outside, both.found_runs(), NETWORK)
    all_groups = [*groups, NETWORK] if network else groups
    inds = [framework.indicators[i] for i in indicator_ids]
    families = {i.id: family_of(i) for i in inds}
    rows = _rows(aggregates, inds, families, all_groups)
    thresholds = {i.id: _threshold(i) for i in inds}
    per = {i.id: i.measure.per if isinstance(i.measure, RateMeasure) else 1.0 for i in inds}
    ladders = {i.id for i in inds if isinstance(i.measure, LevelMeasure)}
    min_n = _min_n(inds, options.min_n)
    columns = {c: rows[c].to_numpy() for c in rows.columns}
    est, notes = estimate(columns, aggregates, families, thresholds=thresholds, ladders=ladders,
                          per=per, min_n=min_n, confidence=options.confidence,
                          bootstrap=options.bootstrap, seed=options.seed)
    frame: dict[str, Any] = {c: columns[c] for c in [*KEY, "b_period", "is_baseline", "n_rows",
                                                     "n_empty", "source_present", "b_row"]}
    frame.update(est)
    # Text columns keep the dtype the estimates gave them, whatever is withheld later.
    dtypes: dict[str, Any] = {c: rows[c].dtype for c in [*KEY, "b_period"]}
    dtypes.update({c: _text_dtype(est[c]) for c in ("design", "test", "effect_size_name")})
    ind = columns["ind"].astype(np.int64)
    _clip_to_range(frame, notes, inds, families, ind)
    _add_data_notes(frame, notes, inds, families, aggregates, ind)
    _add_reliability(frame, notes, aggregates, inds, options.confidence, ind, dtypes)
    _add_status(frame, notes, inds, aggregates.windows, targets, framework, families, ind)
    return _Draft(frame, notes, aggregates, inds, min_n, network, ind, dtypes)


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
    frame = dict(draft.frame)
    notes = draft.notes.copy()
    aggregates, dtypes = draft.aggregates, dict(draft.dtypes)
    _withhold(frame, notes, decided, draft.min_n, options.reliability, draft.inds, draft.ind,
              dtypes)
    _adjust(frame)
    _describe(frame, draft.inds, framework, draft.ind, dtypes)
    text = notes.joined()
    frame["notes"] = text
    dtypes["notes"] = _text_dtype(text)
    return ProgressSummary(
        framework=framework,
        frame=_assemble(frame, dtypes),
        aggregates=aggregates,
        indicator_ids=tuple(indicator_ids),
        options=MappingProxyType(options.as_dict()),
        targets=targets,
        min_n=MappingProxyType(draft.min_n),
        warnings=tuple(dict.fromkeys([*warnings, *aggregates.messages])),
        synthetic=synthetic,
    )


def _clip_to_range(
    frame: dict[str, Any], notes: Notes, inds: Sequence[Indicator],
    families: Mapping[str, Family], ind: npt.NDArray[np.int64],
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
    low = np.array([ranges[i.id][0] if i.id in ranges else np.nan for i in inds],
                   dtype=np.float64)[ind]
    high = np.array([ranges[i.id][1] if i.id in ranges else np.nan for i in inds],
                    dtype=np.float64)[ind]
    span = high - low
    cut = np.zeros(len(ind), dtype=bool)
    for column, bottom, top in (("ci_low", low, high), ("ci_high", low, high),
                                ("change_ci_low", -span, span),
                                ("change_ci_high", -span, span)):
        values = np.asarray(frame[column], dtype=np.float64)
        with np.errstate(invalid="ignore"):
            outside = (values < bottom) | (values > top)
        cut |= outside
        frame[column] = np.where(outside, np.clip(values, bottom, top), values)
    notes.add(cut, [f"interval clipped to the valid range {a:g} to {b:g}"
                    for a, b in zip(low[cut].tolist(), high[cut].tolist(), strict=True)])


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
    whole_cells = ((cells["dimension"] == ALL) & (cells["subgroup"] == ALL)).to_numpy(dtype=bool)
    found_keys, wanted = key_codes([cells.loc[whole_cells, KEY[:3]], grid[KEY[:3]].astype(object)],
                                   KEY[:3])
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
    rows["source_present"] = _looked_up(rows["indicator_id"], present, dtype=bool)
    # Typed as Series.map types it, then as baseline_period has always been typed.
    rows["b_period"] = pd.Series(_looked_up(rows["indicator_id"], baseline, dtype=object),
                                 index=rows.index).astype(object)
    # Each row's baseline cell: the cell of the same key in the baseline period. The cells
    # are the first rows, so the rows' codes (without the period, then with each period)
    # are the cells' too.
    (unit,) = key_codes([rows], ["indicator_id", "group", "dimension", "subgroup"])
    when, labels = pd.factorize(np.r_[rows["period"].to_numpy(dtype=object),
                                      rows["b_period"].to_numpy(dtype=object)],
                                use_na_sentinel=False)
    own, wanted = np.split(np.tile(unit, 2) * max(len(labels), 1) + when, 2)
    at = positions(own[:len(cells)], wanted)
    # And each row's baseline row, kept for withholding what a withheld baseline reveals.
    base_row = positions(own, wanted)
    found = at >= 0
    for stat in stats:
        values = cells[stat].to_numpy(dtype=np.float64)
        rows[f"b_{stat}"] = np.where(found, values[np.maximum(at, 0)] if len(values) else np.nan,
                                     np.nan)
    rows["is_baseline"] = (rows["period"] == rows["b_period"]) | rows["period"].isna()
    # Order: framework order of indicators, then groups, periods and subgroups.
    ind_order = {i.id: k for k, i in enumerate(inds)}
    group_order = {g: k for k, g in enumerate(groups)}
    period_order: dict[str, int] = {}
    for window in windows.values():
        for k, p in enumerate(window.periods):
            period_order.setdefault(p, k)
    keys = {"_i": _looked_up(rows["indicator_id"], ind_order),
            "_g": _looked_up(rows["group"], group_order),
            "_p": np.nan_to_num(_looked_up(rows["period"], period_order), nan=-1.0),
            "_d": (rows["dimension"] != ALL).to_numpy(dtype=bool)}
    dim_at, sub_at = _text_order(rows["dimension"]), _text_order(rows["subgroup"])
    if dim_at is not None and sub_at is not None:
        # The order of a stable sort_values over these columns, on numbers.
        order = np.lexsort((sub_at, dim_at, keys["_d"], keys["_p"], keys["_g"], keys["_i"]))
    else:
        order = rows.assign(**keys).sort_values([*keys, "dimension", "subgroup"],
                                                kind="stable").index.to_numpy()
    rows = rows.take(order).reset_index(drop=True)
    rows["ind"] = keys["_i"][order]
    now_at = np.empty(len(order), dtype=np.int64)
    now_at[order] = np.arange(len(order))
    base_row = base_row[order]
    rows["b_row"] = np.where(base_row >= 0, now_at[np.maximum(base_row, 0)], -1)
    rows["row"] = np.arange(len(rows))
    return rows


def _looked_up(column: pd.Series, mapping: Mapping[Any, Any], dtype: Any = np.float64) -> Any:
    """``mapping[value]`` of each value of ``column`` (NaN where absent), as ``Series.map``
    gives it, as an array of ``dtype``; each distinct value looked up once."""
    codes, uniques = pd.factorize(column.to_numpy(dtype=object))
    table = np.empty(len(uniques) + 1, dtype=dtype)
    table[:] = [*(mapping.get(u, np.nan) for u in uniques), np.nan]
    return table[codes]


def _text_order(column: pd.Series) -> npt.NDArray[np.float64] | None:
    """Each label's place among the column's distinct labels in sorted order (missing
    last), or None when the labels are not all text."""
    codes, uniques = pd.factorize(column.to_numpy(dtype=object))
    if not all(isinstance(u, str) for u in uniques):
        return None
    place = np.empty(len(uniques) + 1, dtype=np.float64)
    place[np.argsort(np.asarray(uniques, dtype=object), kind="stable")] = \
        np.arange(len(uniques))
    place[-1] = np.nan
    return place[codes]


def _by_key(frame: Mapping[str, Any], mask: np.ndarray, texts: Mapping[tuple[Any, ...], str],
            notes: Notes, keys: Sequence[str]) -> None:
    """Append ``texts[key]`` to the notes of the masked rows whose ``keys`` match."""
    if not texts:
        return
    table = pd.Series(list(texts.values()), index=pd.MultiIndex.from_tuples(list(texts)))
    found = table.reindex(pd.MultiIndex.from_frame(key_frame(frame, keys))).to_numpy(
        dtype=object)
    hit = mask & pd.notna(found)
    notes.add(hit, [str(text) for text in found[hit]])


def _add_data_notes(
    frame: dict[str, Any], notes: Notes, inds: Sequence[Indicator],
    families: Mapping[str, Family], agg: Aggregates, ind: npt.NDArray[np.int64],
) -> None:
    """Rows without a value, missing sources, milestone evidence and timing."""
    by_id = {i.id: i for i in inds}
    n_rows = np.asarray(frame["n_rows"], dtype=np.float64)
    without = n_rows - np.asarray(frame["n"], dtype=np.float64)
    empty = np.asarray(frame["n_empty"], dtype=np.float64)
    present = np.asarray(frame["source_present"], dtype=bool)
    whole = frame["dimension"] == ALL
    counted = np.array([families[i.id] == "count" for i in inds], dtype=bool)[ind]
    context = np.array([i.contribution_only for i in inds], dtype=bool)[ind]
    # A count subgroup without rows counts zero; anything else without rows has no data.
    nothing = present & (n_rows == 0) & (~counted | whole)
    # The notes of each indicator's rows, in the order they have always been added.
    for indicator, rows in zip(inds, _segments(ind, len(inds)), strict=True):
        start = rows.start
        notes.add(np.flatnonzero(~present[rows]) + start,
                  f"no data given for source {indicator.source!r}" if indicator.source
                  else "the indicator names no data source")
        measure = indicator.measure
        left_out = np.flatnonzero(without[rows] > 0) + start
        if isinstance(measure, ScaleMeasure):
            notes.add(left_out, written_once(
                [without[left_out], empty[left_out]],
                functools.partial(_left_out_of_scale, min_answered=measure.min_answered)))
        else:
            notes.add(left_out, [f"{int(gone)} row(s) without a value left out "
                                 "(missing is never zero)" for gone in without[left_out].tolist()])
        notes.add(np.flatnonzero(nothing[rows]) + start, "no data in this period")
        if indicator.contribution_only:
            notes.add(np.flatnonzero(context[rows]) + start,
                      "system-level context: shown as contribution, not as the group's effect")
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


def _left_out_of_scale(gone: float, none: float, min_answered: float) -> str:
    """The note of respondents left out of a scale's score (``gone`` of them, ``none`` of
    whom answered no item)."""
    few = int(gone - none)
    parts = []
    if few:
        parts.append(f"{few} respondent(s) answered fewer than {min_answered:.0%} of the items")
    if none:
        parts.append(f"{int(none)} answered none")
    return "; ".join(parts) + " (left out; missing is never zero)"


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
    frame: dict[str, Any], notes: Notes, agg: Aggregates, inds: Sequence[Indicator],
    confidence: float, ind: npt.NDArray[np.int64], dtypes: dict[str, Any],
) -> None:
    """Alpha of the whole group and period on every row of a scale, flagged and noted.

    Per scale, Cronbach's alpha with its Feldt interval of each group and period, from the
    pairwise item moments (``Aggregates.items``) and the respondents of the whole group.
    """
    n = len(ind)
    for column in ("reliability", "reliability_ci_low", "reliability_ci_high"):
        frame[column] = np.full(n, np.nan)
    frame["reliability_flag"] = np.full(n, None, dtype=object)
    dtypes["reliability_flag"] = object
    scales = [i for i in inds if isinstance(i.measure, ScaleMeasure)]
    items = agg.items
    if not scales or items.empty:
        return
    keys = ["indicator_id", "group", "period"]
    item_cell, row_cell = key_codes([items[keys], key_frame(frame, keys)], keys)
    cells = int(max(item_cell.max(initial=-1), row_cell.max(initial=-1))) + 1
    whole = np.flatnonzero(frame["dimension"] == ALL)
    respondents = np.zeros(cells)
    respondents[row_cell[whole]] = (np.asarray(frame["n_rows"], dtype=np.float64)
                                    - np.asarray(frame["n_empty"], dtype=np.float64))[whole]
    found = np.zeros(cells, dtype=bool)
    alpha_at, low_at, high_at = (np.full(cells, np.nan) for _ in range(3))
    negative_at = np.full(cells, "", dtype=object)
    which, labels = pd.factorize(items["indicator_id"].to_numpy(dtype=object))
    item_i, labels_i = pd.factorize(items["item_i"].to_numpy(dtype=object))
    item_j, labels_j = pd.factorize(items["item_j"].to_numpy(dtype=object))
    count = items["n"].to_numpy(dtype=np.float64)
    sum_i = items["sum_i"].to_numpy(dtype=np.float64)
    cross_product = items["cross_product"].to_numpy(dtype=np.float64)
    code_of = {label: k for k, label in enumerate(labels)}
    for scale in scales:
        measure = scale.measure
        assert isinstance(measure, ScaleMeasure)
        if scale.id not in code_of:
            continue
        mine = np.flatnonzero(which == code_of[scale.id])
        k = len(measure.items)
        index = {name: i for i, name in enumerate(measure.items)}
        ii = np.array([index.get(x, -1) for x in labels_i], dtype=np.int64)[item_i[mine]]
        jj = np.array([index.get(x, -1) for x in labels_j], dtype=np.int64)[item_j[mine]]
        present, local = np.unique(item_cell[mine], return_inverse=True)
        moments = np.zeros((3, len(present), k, k))
        moments[0, local, ii, jj] = count[mine]
        moments[1, local, ii, jj] = sum_i[mine]
        moments[2, local, ii, jj] = cross_product[mine]
        cov = covariance_from_moments(moments[0], moments[1], moments[2])
        table = alpha_from_covariance(cov, respondents[present], confidence=confidence)
        found[present] = True
        alpha_at[present] = table["alpha"].to_numpy(dtype=np.float64)
        low_at[present] = table["ci_low"].to_numpy(dtype=np.float64)
        high_at[present] = table["ci_high"].to_numpy(dtype=np.float64)
        below_zero = _negative_items(cov) < 0
        for c in np.flatnonzero(below_zero.any(axis=1)).tolist():
            negative_at[present[c]] = ", ".join(measure.items[j]
                                                for j in np.flatnonzero(below_zero[c]))
    hit = found[row_cell]
    alpha = alpha_at[row_cell]
    frame["reliability"] = alpha
    frame["reliability_ci_low"] = low_at[row_cell]
    frame["reliability_ci_high"] = high_at[row_cell]
    threshold = np.array([np.nan if i.reliability_threshold is None else i.reliability_threshold
                          for i in inds], dtype=np.float64)[ind]
    shown = hit & (np.asarray(frame["n"], dtype=np.float64) > 0)
    below = alpha < threshold
    flag = np.where(np.isnan(alpha), "undefined", np.where(below, "below_threshold", "ok")
                    ).astype(object)
    flag[~shown] = None
    frame["reliability_flag"] = flag
    dtypes["reliability_flag"] = _text_dtype(flag)
    negative = negative_at[row_cell]
    low = shown & below
    # numpy scalars, as ever: alpha_note rounds them with numpy's round.
    notes.add(low, [alpha_note(a, t) for a, t in zip(alpha[low], threshold[low], strict=True)])
    notes.add(shown & ~below & np.isnan(alpha),
              "Cronbach's alpha is undefined here (too few answers or no variation)")
    odd = shown & (negative != "")
    notes.add(odd, [f"warning: item(s) {items} correlate negatively with the rest of the "
                    "scale; is a reverse key missing?" for items in negative[odd].tolist()])


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


#: A target as (time, value, period).
_Target = tuple[float, float, str]
#: A row's target: its value and time, whether a target falls at the row's time, that
#: target, and the share of the way to the target.
_Chosen = tuple[float, float, bool, float, float]


def _target_at(
    candidates: tuple[_Target, ...], t: float, t0: float,
) -> tuple[str | None, _Chosen | None]:
    """The target of a row at time ``t`` (baseline at ``t0``) among ``candidates`` (time,
    value, period): the note on targets outside the data's periods, and None without a
    target placed in time, else the target, its time, whether a target falls at ``t``, that
    target (NaN if none) and the share of the way to the target at ``t`` (NaN if one falls
    at ``t``)."""
    unplaced = [c[2] for c in candidates if np.isnan(c[0])]
    note = (f"target period(s) {', '.join(unplaced)} are not periods of the data and were "
            "not used") if unplaced else None
    placed = sorted((c for c in candidates if not np.isnan(c[0])), key=lambda c: c[0])
    if not placed:
        return note, None
    ahead = [c for c in placed if c[0] >= t]
    chosen = ahead[0] if ahead else placed[-1]
    exact = [c for c in placed if c[0] == t]
    if exact:
        return note, (chosen[1], chosen[0], True, exact[0][1], np.nan)
    share = min(max((t - t0) / (chosen[0] - t0), 0.0), 1.0) if chosen[0] > t0 else 1.0
    return note, (chosen[1], chosen[0], False, np.nan, share)


def _add_status(
    frame: dict[str, Any], notes: Notes, inds: Sequence[Indicator],
    windows: Mapping[str, Window], targets: pd.DataFrame | None, framework: Framework,
    family: Mapping[str, Family], ind: npt.NDArray[np.int64],
) -> None:
    times = _time_table(windows)
    members = [g for g in pd.unique(frame["group"]) if g != NETWORK]
    by_id = {i.id: i for i in inds}
    n = len(ind)
    base = np.array(frame["baseline_value"], dtype=np.float64)
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
    (combo,) = key_codes([key_frame(frame, keys)], keys)
    first = first_rows(combo)
    cells = len(first)
    t_c, t0_c, given_c, yaml_c = (np.full(cells, np.nan) for _ in range(4))
    target_c, target_time_c, exact_c, share_c = (np.full(cells, np.nan) for _ in range(4))
    scored_c, placed_c, exact_found_c = (np.zeros(cells, dtype=bool) for _ in range(3))
    unplaced_c = np.full(cells, None, dtype=object)
    chosen_for: dict[tuple[str, str], tuple[float, tuple[_Target, ...], Any]] = {}
    seen: dict[tuple[Any, ...], tuple[str | None, _Chosen | None]] = {}
    firsts = zip(*(np.asarray(frame[c], dtype=object)[first].tolist() for c in keys),
                 strict=True)
    for k, (ind_id, group, period) in enumerate(firsts):
        indicator = by_id[ind_id]
        clock = times.get(indicator.source or "")
        if clock is None or period is None or (isinstance(period, float) and math.isnan(period)):
            continue
        scored_c[k] = True
        t = t_c[k] = clock.get(str(period), np.nan)
        t0 = t0_c[k] = clock.get(windows[indicator.source or ""].baseline, np.nan)
        if (ind_id, group) not in chosen_for:
            if group == NETWORK and family[ind_id] == "count":
                # A network total is measured against the sum of its grantees' targets.
                each = [_targets_for(indicator, g, own, clock, windows) for g in members]
                given_base = np.nan
                labels = set.intersection(*({c[2] for c in e[1]} for e in each)) \
                    if each else set()
                candidates = [(clock.get(label, np.nan),
                               sum(next(c[1] for c in e[1] if c[2] == label) for e in each),
                               label) for label in sorted(labels)]
                yaml_base = None if indicator.baseline is None \
                    else indicator.baseline * len(members)
            else:
                given_base, candidates = _targets_for(indicator, group, own, clock, windows)
                yaml_base = indicator.baseline
            chosen_for[(ind_id, group)] = (given_base, tuple(candidates), yaml_base)
        given_base, offered, yaml_base = chosen_for[(ind_id, group)]
        # Groups sharing their targets (the framework's) share what follows from them.
        key = (offered, t, t0)
        if key not in seen:
            seen[key] = _target_at(offered, t, t0)
        unplaced, chosen = seen[key]
        if unplaced:
            unplaced_c[k] = unplaced
        given_c[k] = given_base
        yaml_c[k] = np.nan if yaml_base is None else yaml_base
        if chosen is None:
            continue
        placed_c[k] = True
        target_c[k], target_time_c[k], exact_found, exact_c[k], share_c[k] = chosen
        exact_found_c[k] = exact_found
    scored = scored_c[combo]
    time, base_time = t_c[combo], t0_c[combo]
    notes.add(scored, unplaced_c[combo][scored])
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
    value = np.asarray(frame["value"], dtype=np.float64)
    change = np.asarray(frame["change"], dtype=np.float64)
    change_low = np.asarray(frame["change_ci_low"], dtype=np.float64)
    change_high = np.asarray(frame["change_ci_high"], dtype=np.float64)
    shift_ok = (origin == "observed") & ~np.isnan(change_low)
    low = np.where(shift_ok, value + change_low - change,
                   np.asarray(frame["ci_low"], dtype=np.float64))
    high = np.where(shift_ok, value + change_high - change,
                    np.asarray(frame["ci_high"], dtype=np.float64))
    directions = np.array([i.direction for i in inds], dtype=object)[ind].tolist()
    result = assess(value=value, low=low, high=high, base=base, target=target,
                    period_target=period_target, time=time, base_time=base_time,
                    target_time=target_time, direction=directions,
                    rules=framework.meta.status_rules)
    for column in ("target", "progress", "status", "status_method"):
        frame[column] = np.array(result[column].to_numpy())
    frame["status_uncertain"] = result["status_uncertain"].array.copy()
    frame["status"][pd.isna(frame["period"])] = "insufficient_data"
    frame["_progress_from"] = origin
    status_notes = result["status_note"].to_numpy(dtype=object)
    notes.add(np.ones(n, dtype=bool), status_notes)
    later = ~np.isnan(value) & ~np.asarray(frame["is_baseline"], dtype=bool)
    own_base = later & (origin == "given")
    notes.add(own_base, [f"progress measured from the group's own baseline {b:g}"
                         for b in base[own_base].tolist()])
    yaml_base = later & (origin == "yaml")
    notes.add(yaml_base, [f"no baseline observed: progress from the framework baseline {b:g}"
                          for b in base[yaml_base].tolist()])
    levels = np.full(n, None, dtype=object)
    scores = np.full(n, np.nan)
    progress = np.asarray(frame["progress"], dtype=np.float64)
    aims = np.asarray(frame["target"], dtype=np.float64)
    for indicator, mine in zip(inds, _segments(ind, len(inds)), strict=True):
        if indicator.rubric:
            levels[mine] = np.asarray(rubric_levels(value[mine], indicator), dtype=object)
        scores[mine] = score_0_100(value[mine], progress[mine], aims[mine], indicator)
    frame["rubric_level"] = levels
    frame["score_0_100"] = scores


def _withhold(
    frame: dict[str, Any], notes: Notes, decided: pd.DataFrame,
    min_n: Mapping[str, int], reliability: str, inds: Sequence[Indicator],
    ind: npt.NDArray[np.int64], dtypes: dict[str, Any],
) -> None:
    """Small-group suppression (with complementary cells), low reliability, small baselines."""
    hidden = np.array(decided["suppressed"].to_numpy(), dtype=bool)
    reasons = np.array(decided["suppression_reason"].to_numpy(), dtype=object)
    # The reasons keep the dtype that the decided ones gave them.
    dtypes["suppression_reason"] = _text_dtype(reasons)
    limit = np.array([min_n[i.id] for i in inds], dtype=np.int64)[ind]
    # Low reliability withholds every subgroup of the group and period.
    if reliability == "withhold":
        low = (frame["reliability_flag"] == "below_threshold") & ~hidden
        hidden[low] = True
        reasons[low] = "low_reliability"
    frame["suppressed"] = hidden
    frame["suppression_reason"] = reasons
    # A withheld row's notes are the reason only.
    for reason, text in (("complementary", "withheld so that a small group cannot be worked "
                                           "out from the totals"),
                         ("low_reliability", "withheld: reliability below the threshold")):
        notes.replace(hidden & (reasons == reason), text)
    small = hidden & (reasons == "small_n")
    notes.replace(small, [f"withheld: fewer than {k} units" for k in limit[small].tolist()])
    # A withheld baseline cell hides everything computed from it in later periods.
    base_at = np.asarray(frame["b_row"], dtype=np.int64)
    is_baseline = np.asarray(frame["is_baseline"], dtype=bool)
    base_hidden = np.where(base_at >= 0, hidden[np.maximum(base_at, 0)], False) \
        & ~is_baseline & ~hidden
    from_observed = frame["_progress_from"] == "observed"
    notes.add(base_hidden, "baseline withheld (a small group), and the change with it")
    for column in ("baseline_n", "baseline_value", *_CHANGE_FIELDS[:-2], "effect_size"):
        frame[column][base_hidden] = np.nan
    for column in ("test", "effect_size_name"):
        frame[column][base_hidden] = None
    frame["design"][base_hidden] = "none"
    status_hidden = base_hidden & from_observed
    frame["progress"][status_hidden] = np.nan
    frame["score_0_100"][status_hidden] = np.nan
    frame["status"][status_hidden] = "insufficient_data"
    uncertain = frame["status_uncertain"]
    uncertain[status_hidden] = pd.NA
    for column in _WITHHELD:
        if column in frame:
            frame[column][hidden] = np.nan
    for column in ("test", "effect_size_name", "rubric_level"):
        frame[column][hidden] = None
    frame["design"][hidden] = "none"
    status = frame["status"]
    status[hidden] = "insufficient_data"
    status[hidden & is_baseline] = None
    uncertain[hidden] = pd.NA


def _adjust(frame: dict[str, Any]) -> None:
    """Benjamini-Hochberg across the indicators of each group, period and subgroup.

    The adjustment of :func:`getting_to_outcomes.stats.benjamini_hochberg`, done for every
    family at once: within a family of ``m`` tests sorted by p-value, the ``i``-th becomes
    ``min over j >= i of min(1, m p_(j) / j)``.
    """
    p_value = np.asarray(frame["p_value"], dtype=np.float64)
    frame["p_adjusted"] = adjusted_all = np.full(len(p_value), np.nan)
    tested = ~np.isnan(p_value) & ~np.asarray(frame["suppressed"], dtype=bool)
    if not tested.any():
        return
    columns = ["group", "period", "dimension", "subgroup"]
    (family,) = key_codes([key_frame({c: frame[c][tested] for c in columns}, columns)],
                          columns)
    p = p_value[tested]
    order = np.lexsort((p, family))
    fam = family[order]
    size = np.bincount(family)
    start = np.r_[0, np.cumsum(size)[:-1]]
    rank = np.arange(len(p)) - start[fam] + 1.0
    ranked = p[order] * size[fam] / rank
    cumulative = pd.Series(ranked[::-1]).groupby(fam[::-1]).cummin().to_numpy()[::-1]
    adjusted = np.empty(len(p))
    adjusted[order] = np.minimum(cumulative, 1.0)
    adjusted_all[tested] = adjusted


def _describe(frame: dict[str, Any], inds: Sequence[Indicator], framework: Framework,
              ind: npt.NDArray[np.int64], dtypes: dict[str, Any]) -> None:
    """The framework's and each indicator's descriptions, and the columns' final types."""
    size = len(ind)
    index = pd.RangeIndex(size)
    # As a column set to one value: its type is the value's.
    frame["framework_id"] = pd.Series(framework.id, index=index)
    frame["framework_version"] = pd.Series(framework.version, index=index)
    described = {
        "indicator_version": [i.version for i in inds],
        "realm": [i.realm for i in inds],
        "zone": [i.zone for i in inds],
        "stop": [i.stop for i in inds],
        "kind": [i.measure.kind for i in inds],
        "unit": [i.unit for i in inds],
        "direction": [i.direction for i in inds],
    }
    for column, values in described.items():
        # Typed as a column of the indicators' values (as ``Series.map`` of a dict types it),
        # then spread over each indicator's rows.
        frame[column] = pd.Series(values).iloc[ind].reset_index(drop=True)
    frame["baseline_period"] = frame["b_period"]
    dtypes["baseline_period"] = dtypes["b_period"]
    frame["subgroup_dimension"] = frame["dimension"]
    dtypes["subgroup_dimension"] = dtypes["dimension"]
    for column in ("n", "baseline_n", "n_pairs"):
        frame[column] = pd.Series(np.round(np.asarray(frame[column], dtype=np.float64)),
                                  index=index).astype("Int64")
    frame["suppressed"] = np.asarray(frame["suppressed"], dtype=bool)
    for column in ("status", "status_method"):
        dtypes[column] = _text_dtype(frame[column])
    dtypes["rubric_level"] = object


def _assemble(frame: Mapping[str, Any], dtypes: Mapping[str, Any]) -> pd.DataFrame:
    """The summary table: every column of :data:`SUMMARY_COLUMNS`, made once."""
    data: dict[str, Any] = {}
    for column in SUMMARY_COLUMNS:
        values = frame[column]
        if column in dtypes and not isinstance(values, pd.Series):
            values = pd.Series(values, dtype=dtypes[column], copy=False)
        data[column] = values
    return pd.DataFrame(data, columns=SUMMARY_COLUMNS)
