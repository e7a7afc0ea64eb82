"""Score progress: validated data in, a :class:`~getting_to_outcomes.ProgressSummary` out.

:func:`score` runs in two steps. The seam (:mod:`._seam`) reduces the rows of each data
source to grouped sufficient statistics; the statistics step (:mod:`._summarize`) turns
those small tables into values with confidence intervals, change from baseline with tests
and effect sizes, targets, statuses, rubric levels and 0-100 scores, and withholds small
groups. This module makes the inputs uniform (:mod:`._inputs`) and runs the two.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal, cast, overload

import pandas as pd

from getting_to_outcomes.columns import NETWORK
from getting_to_outcomes.definitions import Framework, load_framework
from getting_to_outcomes.definitions.models import DataSource, Indicator
from getting_to_outcomes.engines import frames as engines
from getting_to_outcomes.errors import ScoringError
from getting_to_outcomes.scoring._aggregate import label_text
from getting_to_outcomes.scoring._inputs import (
    Options,
    check_options,
    check_periods_request,
    frames_by_source,
    group_column,
    synthetic_mark,
    target_warnings,
    targets_table,
    window_of,
)
from getting_to_outcomes.scoring._seam import aggregate
from getting_to_outcomes.scoring._summarize import summarize, summarize_jointly
from getting_to_outcomes.scoring._summary import ProgressSummary
from getting_to_outcomes.scoring._tables import (
    ALL,
    Aggregates,
    Window,
    merge_aggregates,
)

__all__ = ["score"]


@overload
def score(
    data: Any,
    framework: Framework | str | Path | None = None,
    *,
    source: str | None = None,
    group_by: str | None = "org_id",
    baseline_period: str | Mapping[str, str] | None = None,
    current_period: str | Mapping[str, str] | None = None,
    targets: pd.DataFrame | None = None,
    indicators: Sequence[str] | None = None,
    min_n: int | Mapping[str, int] | None = None,
    confidence: float = 0.95,
    bootstrap: bool = False,
    seed: int = 0,
    min_answered: float | None = None,
    reliability: Literal["flag", "withhold"] = "flag",
) -> ProgressSummary: ...


@overload
def score(
    data: Any,
    framework: Framework | str | Path | None = None,
    *,
    source: str | None = None,
    group_by: list[str] | tuple[str, ...],
    baseline_period: str | Mapping[str, str] | None = None,
    current_period: str | Mapping[str, str] | None = None,
    targets: pd.DataFrame | None = None,
    indicators: Sequence[str] | None = None,
    min_n: int | Mapping[str, int] | None = None,
    confidence: float = 0.95,
    bootstrap: bool = False,
    seed: int = 0,
    min_answered: float | None = None,
    reliability: Literal["flag", "withhold"] = "flag",
) -> dict[str, ProgressSummary]: ...


def score(
    data: Any,
    framework: Framework | str | Path | None = None,
    *,
    source: str | None = None,
    group_by: str | list[str] | tuple[str, ...] | None = "org_id",
    baseline_period: str | Mapping[str, str] | None = None,
    current_period: str | Mapping[str, str] | None = None,
    targets: pd.DataFrame | None = None,
    indicators: Sequence[str] | None = None,
    min_n: int | Mapping[str, int] | None = None,
    confidence: float = 0.95,
    bootstrap: bool = False,
    seed: int = 0,
    min_answered: float | None = None,
    reliability: Literal["flag", "withhold"] = "flag",
) -> ProgressSummary | dict[str, ProgressSummary]:
    """Score progress on every indicator of a framework, per group, period and subgroup.

    Parameters
    ----------
    data : DataFrame, validation report, or mapping of source id to either
        Validated rows with canonical column names (likert answers as numeric codes, missing
        as NaN). A single DataFrame needs ``source=`` unless its columns fit exactly one data
        source of the framework. Objects with ``.valid_rows`` and ``.source`` (validation
        reports) are read through those attributes.
    framework : Framework, path or name, optional
        The framework to score against (default: the bundled Getting to Outcomes 2013).
    source : str, optional
        Source id of a single table.
    group_by : str, list of str, or None
        Column whose values are the groups (an organization, site, region or cohort column);
        None scores all rows as one group called ``"all"``. With more than one group a
        ``"network"`` group pools them all, exactly, from the sufficient statistics.
        A list of columns (``["org_id", "region"]``) scores each grouping and returns one
        summary per column, with small groups withheld *jointly*: no withheld value of one
        summary can be worked out from what all of them show together (a region's total
        minus the organizations shown in it, the network minus either). Two separate calls
        with different groupings give no such guarantee; publish groupings together only
        from one call.
    baseline_period, current_period : str or mapping, optional
        Periods to compare (per source id with a mapping). By default the first and last
        periods present, in the source's ``period_order`` (else sorted). Periods outside are
        not scored.
    targets : DataFrame, optional
        Grantee-specific baselines and targets, given separately from the shared
        definitions: columns ``group`` (or the ``group_by`` column), ``indicator_id``,
        ``baseline``, ``target`` and ``period``. They replace the YAML baseline and targets of
        that group and indicator. With several groupings they belong to the one whose column
        they name (else the first). Targets for groups without rows, and targets on the
        wrong side of the baseline for the indicator's direction, are listed in the
        summary's ``warnings``.
    indicators : sequence of str, optional
        Indicator ids to score (default: every indicator of the framework; those without
        data are reported as ``insufficient_data``).
    min_n : int or mapping, optional
        Smallest number of units behind a value that is shown; overrides the ``min_n`` of
        every indicator (an int) or of some (a mapping of indicator id to int).
    confidence : float
        Coverage of every interval.
    bootstrap : bool
        Add BCa bootstrap intervals (``scipy.stats.bootstrap``, seeded) for means and scale
        scores instead of t intervals.
    seed : int
        Seed of the bootstrap; recorded in the summary.
    min_answered : float, optional
        Share of a scale's items a person must answer to get a score; overrides the YAML.
    reliability : {"flag", "withhold"}
        What to do with a scale whose Cronbach's alpha in a group and period falls below the
        indicator's ``reliability_threshold``: flag it, or withhold its values.

    Returns
    -------
    ProgressSummary, or dict of str to ProgressSummary
        One summary; with a list given to ``group_by``, one per column, in its order.

    Raises
    ------
    ScoringError
        Data or options that cannot be scored (unknown columns or periods, negative or
        impossible counts, which validation should have caught first).
    UnknownIndicatorError
        An unknown indicator or source id.

    Notes
    -----
    The 0-100 score of an indicator is its progress toward the target (clipped to 0-100)
    where there is a target, otherwise the position of its value in its valid range, 100 at
    the good end. A stop, zone or realm scores the weighted mean (YAML weights) of its
    indicators that have a score; its coverage is the share of its indicators that have one.
    Missing is never counted as zero. The formulas of every statistic are listed in
    ``docs/methods.md``.

    Examples
    --------
    >>> import pandas as pd
    >>> import getting_to_outcomes as gto
    >>> rows = pd.DataFrame({
    ...     "org_id": "org_a", "person_id": [f"p{i}" for i in range(6)] * 2,
    ...     "survey_wave": ["pre"] * 6 + ["post"] * 6,
    ...     "k1_district_decisions": [2, 3, 2, 3, 2, 3, 4, 4, 3, 4, 4, 5],
    ...     "k2_school_budget": [2, 2, 3, 3, 2, 2, 3, 4, 4, 4, 3, 4],
    ...     "k3_rights": [3, 2, 2, 3, 3, 2, 4, 3, 4, 5, 4, 4]})
    >>> summary = gto.score(rows, source="leadership_survey",
    ...                     indicators=["leadership.knowledge_of_system"], min_n=5)
    >>> row = summary.to_frame().query("period == 'post'").iloc[0]
    >>> row["design"], round(float(row["value"]), 2), round(float(row["change"]), 2)
    ('paired', 3.89, 1.44)
    """
    if framework is None:
        fw = load_framework()
    elif isinstance(framework, Framework):
        fw = framework
    else:
        fw = load_framework(framework)
    check_options(confidence, min_n, min_answered, reliability, seed, fw)
    groupings = _groupings(group_by)
    if indicators is None:
        selected = list(fw.indicators)
    else:
        if isinstance(indicators, str):
            indicators = [indicators]
        selected = [fw.indicators[str(i)] for i in indicators]
    frames, warnings = frames_by_source(data, fw, source)
    windows: dict[str, Window] = {}
    for sid, frame in frames.items():
        window = window_of(frame, fw.source(sid), baseline_period, current_period, warnings)
        if window is None:
            warnings.append(f"source {sid!r} has no rows to score")
            continue
        windows[sid] = window
    check_periods_request(baseline_period, windows, "baseline_period", frames, fw)
    check_periods_request(current_period, windows, "current_period", frames, fw)

    def grouped(column: str | None, given: pd.DataFrame | None) -> tuple[
            Aggregates, Options, pd.DataFrame | None]:
        """One grouping's aggregates, options and targets (``given``), their warnings kept."""
        aggregates = _aggregates(frames, windows, selected, fw, column, min_answered)
        wanted = targets_table(given, column, fw)
        groups = [g for g in aggregates.groups if g != aggregates.pooled]
        warnings.extend(target_warnings(wanted, groups, fw, column))
        others = [] if groupings is None else [g for g in groupings if g != column]
        options = Options(group_by=column, confidence=float(confidence),
                          bootstrap=bool(bootstrap), seed=int(seed), min_n=min_n,
                          min_answered=min_answered, reliability=reliability,
                          joint_groupings=tuple(others))
        return aggregates, options, wanted

    if groupings is None:
        aggregates, options, wanted = grouped(cast("str | None", group_by), targets)
        return summarize(aggregates, fw, [i.id for i in selected], options, wanted, warnings,
                         synthetic=synthetic_mark(data))
    parts = {column: grouped(column, targets if _targets_of(targets, groupings) == column
                             else None) for column in groupings}
    return summarize_jointly(parts, fw, [i.id for i in selected],
                             _crossing(frames, windows, selected, fw, groupings), warnings,
                             synthetic=synthetic_mark(data))


def _targets_of(targets: pd.DataFrame | None, groupings: Sequence[str]) -> str | None:
    """The grouping that grantee targets belong to in a joint call.

    The one whose column the targets name; else (a ``group`` column) the first.
    """
    if targets is None:
        return None
    named = [g for g in groupings if g in getattr(targets, "columns", ())]
    return named[0] if named else groupings[0]


def _groupings(group_by: object) -> list[str] | None:
    """The columns of a joint call, or None for one grouping (a column name or None)."""
    if group_by is None or isinstance(group_by, str):
        return None
    if not isinstance(group_by, (list, tuple)) or not all(isinstance(g, str) for g in group_by):
        raise ScoringError(
            f"group_by must be a column name, a list of column names or None; got {group_by!r}")
    if not group_by:
        raise ScoringError("group_by is an empty list: name at least one column")
    repeated = sorted({g for g in group_by if group_by.count(g) > 1})
    if repeated:
        raise ScoringError(f"group_by names {', '.join(map(repr, repeated))} more than once")
    return list(group_by)


def _aggregates(
    frames: Mapping[str, Any], windows: Mapping[str, Window], selected: Sequence[Indicator],
    fw: Framework, group_by: str | None, min_answered: float | None,
) -> Aggregates:
    """The sufficient statistics of every source, grouped by one column (or none)."""
    parts = []
    for sid, frame in frames.items():
        if sid not in windows:
            continue
        src = fw.source(sid)
        own = [i for i in selected if i.source == sid]
        if not own:
            continue
        column = None if group_by is None else group_column(frame, src, group_by)
        parts.append(aggregate(
            frame, src, own, fw, window=windows[sid], group_column=column,
            group_label=ALL if group_by is None else None, min_answered=min_answered,
            network=None if group_by is None else NETWORK))
    aggregates = merge_aggregates(parts) if parts else Aggregates.empty()
    return Aggregates.from_tables(aggregates.tables(), windows, aggregates.notes,
                                  aggregates.rows_outside, aggregates.found_runs(),
                                  aggregates.pooled)


def _crossing(
    frames: Mapping[str, Any], windows: Mapping[str, Window], selected: Sequence[Indicator],
    fw: Framework, groupings: Sequence[str],
) -> dict[str, dict[str, list[str]]]:
    """For each grouping and group, the cells of the crossing of all groupings it holds.

    A cell of the crossing is a combination of groups (one per grouping) that some row
    holds: an organization that works in two regions holds two cells.
    """
    seen: list[pd.DataFrame] = []
    for sid, frame in frames.items():
        if sid not in windows or not any(i.source == sid for i in selected):
            continue
        seen.append(_pairs(frame, fw.source(sid), groupings))
    pairs = pd.concat(seen, ignore_index=True).drop_duplicates() if seen else \
        pd.DataFrame(columns=list(groupings))
    cell = pairs.astype(str).agg("\x1e".join, axis=1) if len(pairs) else pd.Series(dtype=str)
    return {g: {str(k): list(v) for k, v in cell.groupby(pairs[g].astype(str)).agg(list).items()}
            for g in groupings}


def _pairs(frame: Any, src: DataSource, groupings: Sequence[str]) -> pd.DataFrame:
    """The distinct combinations of the groups of ``groupings`` in one source's rows.

    Labels are written as the scoring kernel writes them (stripped text; a float column of
    whole numbers as integers, decided over the whole table).
    """
    columns = [group_column(frame, src, g) for g in groupings]
    whole = engines.whole_numbers(frame, columns)

    def distinct(rows: pd.DataFrame) -> pd.DataFrame:
        out = pd.DataFrame({
            g: (rows[c].astype("Int64").astype("string") if whole.get(c) else
                label_text(rows[c])) for g, c in zip(groupings, columns, strict=True)})
        return out.dropna().drop_duplicates()

    if isinstance(frame, pd.DataFrame):
        return distinct(frame[columns])
    found = engines.map_slices(frame, list(dict.fromkeys(columns)), distinct)
    return pd.concat(found, ignore_index=True).drop_duplicates() if found else \
        pd.DataFrame(columns=list(groupings))
