"""What :func:`~getting_to_outcomes.score` is given, made uniform: the tables by source,
their periods and groups, the options and the targets, each checked with a clear error."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from getting_to_outcomes.definitions import Framework
from getting_to_outcomes.definitions.models import (
    DataSource,
)
from getting_to_outcomes.engines import frames as engines
from getting_to_outcomes.errors import ScoringError, did_you_mean
from getting_to_outcomes.scoring._tables import (
    Window,
)

__all__ = [
    "Options",
    "check_options",
    "check_periods_request",
    "combine_marks",
    "frames_by_source",
    "group_column",
    "synthetic_mark",
    "target_warnings",
    "targets_table",
    "window_of",
]


@dataclass(frozen=True)
class Options:
    """The options of a scoring run, recorded in the summary."""

    group_by: str | None
    confidence: float
    bootstrap: bool
    seed: int
    min_n: int | Mapping[str, int] | None
    min_answered: float | None
    reliability: Literal["flag", "withhold"]
    #: The other groupings scored in the same call, withheld jointly with this one.
    joint_groupings: Sequence[str] = ()

    def as_dict(self) -> dict[str, Any]:
        min_n = dict(self.min_n) if isinstance(self.min_n, Mapping) else self.min_n
        out: dict[str, Any] = {"group_by": self.group_by, "confidence": self.confidence,
               "bootstrap": self.bootstrap, "seed": self.seed, "min_n": min_n,
               "min_answered": self.min_answered, "reliability": self.reliability}
        if self.joint_groupings:
            out["joint_groupings"] = list(self.joint_groupings)
        return out





def _is_report(obj: object) -> bool:
    return hasattr(obj, "valid_rows") and hasattr(obj, "source")


def _report_source(report: Any) -> str:
    source = report.source
    return str(getattr(source, "id", source))


def _is_table(obj: object) -> bool:
    """A pandas DataFrame, or a table of another engine (Polars, PyArrow, DuckDB, Dask)."""
    return isinstance(obj, pd.DataFrame) or engines.is_other_engine(obj)


def _columns(frame: Any) -> list[str]:
    return [str(c) for c in frame.columns] if isinstance(frame, pd.DataFrame) \
        else engines.columns(frame)


def _column_values(frame: Any, name: str) -> pd.Series:
    """A column of a pandas DataFrame; the distinct values of a column of another engine."""
    return frame[name] if isinstance(frame, pd.DataFrame) else engines.distinct(frame, name)


def _infer_source(frame: Any, framework: Framework) -> str:
    columns = set(_columns(frame))
    matches = []
    for source in framework.sources.values():
        needed = {c.name for c in source.columns if c.required} | {source.time_column}
        if needed <= columns:
            matches.append(source.id)
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise ScoringError(
            f"the columns of the data fit several sources ({', '.join(sorted(matches))}); "
            "say which with source=..."
        )
    best = max(framework.sources.values(),
               key=lambda s: len(columns & {c.name for c in s.columns}), default=None)
    hint = ""
    if best is not None:
        missing = sorted({c.name for c in best.columns if c.required} | {best.time_column}
                         - columns)
        hint = (f"; the closest is {best.id!r}, which also needs "
                f"{', '.join(repr(m) for m in missing)}")
    raise ScoringError(
        "cannot tell which data source these columns belong to" + hint
        + ". Pass source=... or validate the file first with `gto validate`"
    )


def frames_by_source(
    data: Any, framework: Framework, source: str | None
) -> tuple[dict[str, pd.DataFrame], list[str]]:
    """Normalize what the caller passed to ``{source_id: DataFrame}``."""
    warnings: list[str] = []
    pieces: list[tuple[str, pd.DataFrame]] = []

    def add(key: str | None, item: Any) -> None:
        if _is_report(item):
            sid = key or _report_source(item)
            rejected = getattr(item, "rejected_rows", None)
            if isinstance(rejected, pd.DataFrame) and len(rejected):
                warnings.append(f"{len(rejected)} row(s) of source {sid!r} failed validation "
                                "and were not scored")
            item = item.valid_rows
        if not _is_table(item):
            raise ScoringError(
                f"data must be a DataFrame, a validation report, or a mapping of source id to "
                f"either; got {type(item).__name__}"
            )
        sid = key or source or _infer_source(item, framework)
        framework.source(sid)
        pieces.append((sid, item))

    if _is_table(data) or _is_report(data):
        add(source, data)
    elif isinstance(data, Mapping):
        if source is not None:
            raise ScoringError("source= is for a single table; a mapping names its sources")
        for key, item in data.items():
            add(str(key), item)
    elif isinstance(data, Sequence) and not isinstance(data, (str, bytes)) and all(
            _is_report(d) for d in data):
        for item in data:
            add(None, item)
    else:
        raise ScoringError(
            f"data must be a DataFrame, a validation report, or a mapping of source id to "
            f"either; got {type(data).__name__}"
        )
    frames: dict[str, list[pd.DataFrame]] = {}
    for sid, frame in pieces:
        frames.setdefault(sid, []).append(frame)
        if len(frames[sid]) > 1 and not all(isinstance(f, pd.DataFrame) for f in frames[sid]):
            raise ScoringError(
                f"source {sid!r} is given as several tables, not all pandas DataFrames; "
                "combine them in their engine first (one table per source)"
            )
    joined = {sid: parts[0] if len(parts) == 1 else pd.concat(parts) for sid, parts in
              frames.items()}
    return joined, warnings


def _mark(item: Any) -> bool | None:
    """The synthetic mark of one input: ``attrs["synthetic"]`` of a table (as
    :func:`getting_to_outcomes.load_example` sets it), or a report's ``synthetic`` or that of
    its rows; None when unmarked."""
    candidates = [item]
    if _is_report(item):
        candidates = [getattr(item, "valid_rows", None), item]
    for candidate in candidates:
        attrs = getattr(candidate, "attrs", None)
        flag = attrs.get("synthetic") if isinstance(attrs, Mapping) else None
        if flag is None and candidate is item and _is_report(item):
            flag = getattr(item, "synthetic", None)
        if isinstance(flag, (bool, np.bool_)):
            return bool(flag)
    return None


def synthetic_mark(data: Any) -> bool | None:
    """Whether the data are synthetic: True when any table is marked so, False when every
    table is marked real, None when that is not known.

    Examples
    --------
    >>> import pandas as pd
    >>> made_up = pd.DataFrame({"x": [1]})
    >>> made_up.attrs["synthetic"] = True
    >>> synthetic_mark({"a": made_up, "b": pd.DataFrame({"x": [2]})})
    True
    >>> synthetic_mark(pd.DataFrame({"x": [2]})) is None
    True
    """
    if _is_table(data) or _is_report(data):
        items = [data]
    elif isinstance(data, Mapping):
        items = list(data.values())
    elif isinstance(data, Sequence) and not isinstance(data, (str, bytes)):
        items = list(data)
    else:
        items = []
    return combine_marks(_mark(item) for item in items)


def combine_marks(marks: Iterable[bool | None]) -> bool | None:
    """Any synthetic part makes the whole synthetic; all parts real make it real."""
    found = list(marks)
    if any(m is True for m in found):
        return True
    if found and all(m is False for m in found):
        return False
    return None


def _period_text(values: pd.Series) -> list[str]:
    series = pd.Series(pd.unique(values.dropna()))
    if pd.api.types.is_float_dtype(series.dtype) and (series == np.round(series)).all():
        series = series.astype("int64")
    return sorted(set(series.astype(str).str.strip()))


def window_of(
    frame: pd.DataFrame,
    src: DataSource,
    baseline: str | Mapping[str, str] | None,
    current: str | Mapping[str, str] | None,
    notes: list[str],
) -> Window | None:
    columns = _columns(frame)
    if src.time_column not in columns:
        raise ScoringError(
            f"source {src.id!r} needs its period column {src.time_column!r}, which the data do "
            f"not have{did_you_mean(src.time_column, columns)}; run "
            "`gto validate` to map the file's headers"
        )
    present = _period_text(_column_values(frame, src.time_column))
    if not present:
        return None
    declared = [str(p) for p in src.period_order]
    order = declared + [p for p in present if p not in declared]
    in_data = [p for p in order if p in present]

    def pick(request: str | Mapping[str, str] | None, default: str, what: str) -> str:
        wanted = request.get(src.id) if isinstance(request, Mapping) else request
        if wanted is None:
            return default
        if str(wanted) in in_data:
            return str(wanted)
        if isinstance(request, Mapping):
            raise ScoringError(
                f"{what} {wanted!r} of source {src.id!r} is not among its periods "
                f"({', '.join(in_data)}){did_you_mean(str(wanted), in_data)}"
            )
        notes.append(f"source {src.id!r} has no period {wanted!r}; its {what} is "
                     f"{default!r} instead")
        return default

    first = pick(baseline, in_data[0], "baseline period")
    last = pick(current, in_data[-1], "current period")
    if in_data.index(first) > in_data.index(last):
        raise ScoringError(
            f"source {src.id!r}: the baseline period {first!r} comes after the current period "
            f"{last!r} in its period order ({', '.join(order)})"
        )
    return Window(periods=tuple(in_data[in_data.index(first): in_data.index(last) + 1]),
                  order=tuple(order))


def group_column(frame: pd.DataFrame, src: DataSource, group_by: str) -> str:
    columns = _columns(frame)
    if group_by in columns:
        return group_by
    if group_by == "org_id" and src.org_column and src.org_column in columns:
        return src.org_column
    raise ScoringError(
        f"cannot group source {src.id!r} by {group_by!r}: the data have no such column"
        f"{did_you_mean(group_by, columns)}; pass group_by=None to "
        "score all rows as one group"
    )


def check_periods_request(
    request: str | Mapping[str, str] | None, windows: Mapping[str, Window], what: str,
    frames: Mapping[str, pd.DataFrame], framework: Framework,
) -> None:
    if request is None or isinstance(request, Mapping):
        return
    everywhere = [p for w in windows.values() for p in w.order]
    if str(request) not in everywhere:
        known = sorted({p for sid, f in frames.items()
                        for p in _period_text(
                            _column_values(f, framework.source(sid).time_column))})
        raise ScoringError(
            f"{what} {request!r} is not a period of the data ({', '.join(known)})"
            f"{did_you_mean(str(request), known)}"
        )


def check_options(
    confidence: float, min_n: object, min_answered: object, reliability: str, seed: object,
    framework: Framework,
) -> None:
    if isinstance(confidence, bool) or not isinstance(confidence, (int, float)) \
            or not 0 < float(confidence) < 1:
        raise ScoringError(f"confidence must be between 0 and 1 (e.g. 0.95); got {confidence!r}")
    if reliability not in ("flag", "withhold"):
        raise ScoringError(f"reliability must be 'flag' or 'withhold'; got {reliability!r}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or int(seed) < 0:
        raise ScoringError(f"seed must be a whole number >= 0; got {seed!r}")
    if min_answered is not None and (
            isinstance(min_answered, bool) or not isinstance(min_answered, (int, float))
            or not 0 < float(min_answered) <= 1):
        raise ScoringError(
            f"min_answered must be a share of items in (0, 1], e.g. 0.8; got {min_answered!r}")
    values = min_n.values() if isinstance(min_n, Mapping) else [] if min_n is None else [min_n]
    for value in values:
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ScoringError(f"min_n must be a whole number >= 1; got {value!r}")
    if isinstance(min_n, Mapping):
        for key in min_n:
            framework.indicators[str(key)]


def _label(value: object) -> str:
    """A period label as text: 2025, 2025.0 and "2025" all read "2025"."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def targets_table(
    targets: pd.DataFrame | None, group_by: str | None, framework: Framework
) -> pd.DataFrame | None:
    """Grantee baselines and targets as ``group, indicator_id, baseline, target, period``."""
    if targets is None:
        return None
    if not isinstance(targets, pd.DataFrame):
        raise ScoringError(f"targets must be a DataFrame; got {type(targets).__name__}")
    table = targets.copy()
    if "group" not in table.columns and group_by is not None and group_by in table.columns:
        table = table.rename(columns={group_by: "group"})
    needed = ["group", "indicator_id"]
    missing = [c for c in needed if c not in table.columns]
    if missing:
        raise ScoringError(
            f"targets needs the columns group (or {group_by!r}) and indicator_id, plus baseline "
            f"and/or target and period; missing {', '.join(missing)}"
        )
    for column in ("baseline", "target", "period"):
        if column not in table.columns:
            table[column] = np.nan
    for ind in table["indicator_id"].astype(str).unique():
        framework.indicators[ind]
    out = pd.DataFrame({
        "group": table["group"].astype("string").str.strip().to_numpy(dtype=object),
        "indicator_id": table["indicator_id"].astype(str).to_numpy(dtype=object),
        "period": [None if pd.isna(p) else _label(p) for p in table["period"]],
    })
    for column in ("baseline", "target"):
        converted = pd.to_numeric(table[column], errors="coerce")
        bad = converted.isna() & table[column].notna()
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise ScoringError(
                f"targets row {table.index[i]!r}: {column} {table[column].iloc[i]!r} is not a "
                "number"
            )
        out[column] = converted.to_numpy(dtype=np.float64)
    return out



def target_warnings(
    table: pd.DataFrame | None, groups: Sequence[str], framework: Framework,
    column: str | None,
) -> list[str]:
    """What looks wrong in grantee targets: groups without rows, targets behind the baseline.

    A target for a group the data do not hold is never used; one on the wrong side of the
    baseline for the indicator's direction (a typo such as 25 for 52) would read as met from
    the start. Both are said, not refused: the scoring itself is still right.
    """
    if table is None or table.empty:
        return []
    out = []
    unknown = sorted(set(table["group"].dropna()) - set(groups))
    if unknown:
        shown = ", ".join(map(repr, unknown[:10])) + (" ..." if len(unknown) > 10 else "")
        out.append(
            f"targets are given for {len(unknown)} group(s) with no rows in the data "
            f"(grouped by {column!r}): {shown}; they are not used")
    given = table["baseline"].to_numpy(dtype=np.float64)
    for k, (group, ind_id, target) in enumerate(zip(
            table["group"], table["indicator_id"], table["target"].to_numpy(dtype=np.float64),
            strict=True)):
        ind = framework.indicators[str(ind_id)]
        baseline = ind.baseline if np.isnan(given[k]) else float(given[k])
        if baseline is None or np.isnan(target):
            continue
        behind = (ind.direction == "increase" and target < baseline) or \
            (ind.direction == "decrease" and target > baseline)
        if behind:
            side = "below" if ind.direction == "increase" else "above"
            out.append(
                f"target {target:g} of {ind.id!r} for group {group!r} is {side} its "
                f"baseline {baseline:g}, although the indicator should {ind.direction}: it "
                "would count as met from the start; check it for a typo")
    return out
