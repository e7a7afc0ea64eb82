"""Compare grantees for a funder: one summary with every grantee and the pooled network."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pandas as pd

from getting_to_outcomes.columns import NETWORK
from getting_to_outcomes.definitions import Framework
from getting_to_outcomes.errors import ScoringError
from getting_to_outcomes.scoring._inputs import (
    Options,
    combine_marks,
    frames_by_source,
    synthetic_mark,
)
from getting_to_outcomes.scoring._score import score
from getting_to_outcomes.scoring._summarize import summarize
from getting_to_outcomes.scoring._summary import ProgressSummary
from getting_to_outcomes.scoring._tables import ALL, Aggregates, merge_aggregates

__all__ = ["compare"]

_GRANTEE = "__grantee__"
#: Columns of a targets table that can name the grantee, in order of preference: those
#: :func:`~getting_to_outcomes.score` accepts (``group``, its default ``group_by``), then
#: ``grantee``.
_TARGET_KEYS = ("group", "org_id", "grantee")


def _grantee_targets(targets: object) -> object:
    """A targets table keyed by grantee as ``group``, whichever key column names it."""
    if not isinstance(targets, pd.DataFrame):
        return targets  # score says what a targets table must be
    for key in _TARGET_KEYS:
        if key in targets.columns:
            return targets.rename(columns={key: "group"}) if key != "group" else targets
    raise ScoringError(
        "targets needs a column naming the grantee: one of "
        f"{', '.join(repr(k) for k in _TARGET_KEYS)}, with the grantee names given to "
        f"compare; its columns are {', '.join(repr(str(c)) for c in targets.columns)}"
    )


def _versions(summary: ProgressSummary) -> dict[str, str]:
    fw = summary.framework
    return {i: fw.indicators[i].version for i in summary.indicator_ids}


def _check_same_definitions(named: Sequence[tuple[str, ProgressSummary]]) -> None:
    first_name, first = named[0]
    for name, other in named[1:]:
        if (other.framework_id, other.framework_version) != (first.framework_id,
                                                            first.framework_version):
            raise ScoringError(
                f"cannot compare results scored with different definitions: {first_name!r} used "
                f"{first.framework_id} version {first.framework_version}, {name!r} used "
                f"{other.framework_id} version {other.framework_version}; score every grantee "
                "with the same framework version"
            )
        mine, theirs = _versions(first), _versions(other)
        for indicator in sorted(set(mine) & set(theirs)):
            if mine[indicator] != theirs[indicator]:
                raise ScoringError(
                    f"cannot compare indicator {indicator!r}: {first_name!r} scored version "
                    f"{mine[indicator]}, {name!r} version {theirs[indicator]}; score every "
                    "grantee with the same definitions"
                )
        for option in ("confidence", "min_answered"):
            if first.options.get(option) != other.options.get(option):
                raise ScoringError(
                    f"cannot compare results scored with different {option}: "
                    f"{first.options.get(option)!r} ({first_name!r}) and "
                    f"{other.options.get(option)!r} ({name!r})"
                )


def _groups_only(aggregates: Aggregates, rename: Mapping[str, str]) -> Aggregates:
    tables = {}
    for name, table in aggregates.tables().items():
        kept = table[table["group"] != NETWORK]
        tables[name] = kept.assign(group=kept["group"].replace(dict(rename))) if rename else kept
    return Aggregates.from_tables(tables, aggregates.windows, aggregates.notes)


def _merge_summaries(
    named: Sequence[tuple[str, ProgressSummary]], *, by_name: bool
) -> ProgressSummary:
    _check_same_definitions(named)
    seen: dict[str, str] = {}
    parts = []
    targets = []
    for name, summary in named:
        groups = [g for g in summary.groups if g != NETWORK]
        # A grantee scored without grouping (group "all") takes its name in the mapping.
        rename = {ALL: name} if by_name and groups == [ALL] else {}
        for group in groups:
            label = rename.get(group, group)
            if label in seen:
                raise ScoringError(
                    f"group {label!r} appears in both {seen[label]!r} and {name!r}; each grantee "
                    "must appear once"
                )
            seen[label] = name
        parts.append(_groups_only(summary.aggregates, rename))
        if summary.targets is not None:
            table = summary.targets
            targets.append(table.assign(group=table["group"].replace(rename)) if rename
                           else table)
    merged = merge_aggregates(parts)
    first = named[0][1]
    fw = first.framework
    wanted = {i for _, s in named for i in s.indicator_ids}
    ids = [i.id for i in fw.indicators if i.id in wanted]
    options = Options(**{k: v for k, v in first.options.items()})
    if len({s.group_by for _, s in named}) > 1:
        options = dataclasses.replace(options, group_by="grantee")
    warnings = [w for _, s in named for w in s.warnings]
    return summarize(
        merged,
        fw, ids, options, pd.concat(targets, ignore_index=True) if targets else None,
        list(dict.fromkeys(warnings)), synthetic=combine_marks(s.synthetic for _, s in named),
    )


def compare(
    grantees: Sequence[ProgressSummary] | Mapping[str, Any],
    framework: Framework | str | Path | None = None,
    **options: Any,
) -> ProgressSummary:
    """Put grantees side by side with the network they form, pooled exactly.

    Parameters
    ----------
    grantees : sequence of ProgressSummary, or mapping of grantee name to a summary or data
        Either summaries already scored (one per grantee, or several grantees each), or each
        grantee's data (anything :func:`~getting_to_outcomes.score` accepts), which is then
        scored with one group per grantee, named by its key.
    framework : Framework, path or name, optional
        For data: the framework to score against (default: the bundled one).
    **options
        For data: options of :func:`~getting_to_outcomes.score` (``group_by`` is set to
        the grantee). A ``targets`` table names the grantee in a ``group``, ``org_id`` or
        ``grantee`` column.

    Returns
    -------
    ProgressSummary
        Every grantee as a group, plus ``"network"``: the network totals are computed from
        the summed sufficient statistics of all grantees (counts, sums, sums of squares,
        cross-products, distributions), so they equal scoring the pooled raw data, not an
        average of grantee results.

    Raises
    ------
    ScoringError
        Summaries scored with different framework or indicator versions (the message names
        both), different options, or the same grantee twice.

    Examples
    --------
    >>> import pandas as pd
    >>> import getting_to_outcomes as gto
    >>> def log(n):
    ...     return pd.DataFrame({"org_id": "x", "period": ["2023"] * n + ["2024"] * n,
    ...         "contact_id": [f"c{i}" for i in range(2 * n)],
    ...         "date": pd.Timestamp("2024-01-01"), "official_role": "principal",
    ...         "meeting_type": "testimony", "outcome": "info_only"})
    >>> both = gto.compare({"east": log(2), "west": log(3)}, source="contacts_log",
    ...                    indicators=["decision_makers.testimony"])
    >>> now = both.to_frame().query("period == '2024'")
    >>> dict(zip(now["group"], now["value"]))
    {'east': 2.0, 'west': 3.0, 'network': 5.0}
    """
    if isinstance(grantees, Mapping):
        named = list(grantees.items())
    elif isinstance(grantees, Sequence) and not isinstance(grantees, (str, bytes)):
        named = [(str(i), g) for i, g in enumerate(grantees)]
    else:
        raise ScoringError(
            "grantees must be a list of ProgressSummary or a mapping of grantee name to a "
            f"summary or data; got {type(grantees).__name__}"
        )
    if not named:
        raise ScoringError("compare needs at least one grantee")
    summaries = [isinstance(g, ProgressSummary) for _, g in named]
    if all(summaries):
        if options or framework is not None:
            raise ScoringError("scoring options apply to data, not to summaries already scored")
        return _merge_summaries([(str(k), g) for k, g in named],
                                by_name=isinstance(grantees, Mapping))
    if any(summaries):
        raise ScoringError("give either summaries or data for every grantee, not a mix")
    if "group_by" in options:
        raise ScoringError("compare groups by grantee; leave group_by out")
    source = options.pop("source", None)
    if "targets" in options and options["targets"] is not None:
        options["targets"] = _grantee_targets(options["targets"])
    from getting_to_outcomes.definitions import load_framework

    fw = framework if isinstance(framework, Framework) else load_framework(framework)
    pooled: dict[str, list[pd.DataFrame]] = {}
    for name, data in named:
        frames, _ = frames_by_source(data, fw, source)
        for sid, frame in frames.items():
            pooled.setdefault(sid, []).append(frame.assign(**{_GRANTEE: str(name)}))
    combined = {sid: pd.concat(parts, ignore_index=True) for sid, parts in pooled.items()}
    summary = score(combined, fw, group_by=_GRANTEE, **options)
    return ProgressSummary(
        framework=summary.framework, frame=summary.frame, aggregates=summary.aggregates,
        indicator_ids=summary.indicator_ids,
        options=MappingProxyType({**summary.options, "group_by": "grantee"}),
        targets=summary.targets, min_n=summary.min_n, warnings=summary.warnings,
        # Tables concatenated keep no attrs unless all agree: mark from each grantee's data.
        synthetic=combine_marks(synthetic_mark(data) for _, data in named),
    )
