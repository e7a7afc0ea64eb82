"""Numbers and tables for people: one format per indicator, human column names, few columns.

Private: see :func:`getting_to_outcomes.write_report`. The files beside the report (CSV,
Excel, JSON) keep every column and full precision; what the page shows is made here.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from getting_to_outcomes.columns import NETWORK
from getting_to_outcomes.plotting import chart_data as _d
from getting_to_outcomes.plotting import style as _style

if TYPE_CHECKING:
    from getting_to_outcomes.definitions import Framework

#: Most columns a table on the page shows; the files keep the rest.
MAX_COLUMNS = 8

DIRECTION_SIGN = {"increase": 1.0, "decrease": -1.0, "maintain": 0.0}


@dataclass(frozen=True)
class Format:
    """How one indicator's numbers are written: the same decimals for every value of it.

    ``scale`` multiplies the stored value (100 for shares 0-1), ``suffix`` follows it
    (``"%"``), and changes of percentages are written in percentage points.

    Examples
    --------
    >>> share = Format(scale=100.0, decimals=0, suffix="%")
    >>> share.value(0.456), share.change(0.052)
    ('46%', '+5 pts')
    >>> scale = Format(decimals=2)
    >>> scale.value(1.3), scale.value(29.61), scale.change(-0.4)
    ('1.30', '29.61', '−0.40')
    """

    scale: float = 1.0
    decimals: int = 2
    suffix: str = ""

    def value(self, number: Any) -> str:
        x = _d.num(number)
        if math.isnan(x):
            return ""
        return f"{x * self.scale:,.{self.decimals}f}{self.suffix}"

    def change(self, number: Any) -> str:
        x = _d.num(number)
        if math.isnan(x):
            return ""
        shown = round(x * self.scale, self.decimals)
        text = f"{abs(shown):,.{self.decimals}f}"
        sign = "+" if shown > 0 else "−" if shown < 0 else "±"
        unit = " pts" if self.suffix == "%" else ""
        return f"{sign}{text}{unit}"


def indicator_format(framework: Framework | None, indicator_id: str,
                     values: Iterable[Any]) -> Format:
    """The one format of an indicator's values: %, whole counts, or fixed decimals.

    Shares (0-1) are percentages without decimals; values already in percent keep their
    unit; counts are whole numbers (one decimal where some value is not whole, as a pooled
    mean of counts can be); other values get two decimals when every value is under 10, one
    under 100, none above, decided once for the indicator so that a column never mixes
    ``1.300`` with ``29.6``.

    Examples
    --------
    >>> indicator_format(None, "x", [1.3, 2.25]).value(1.3)
    '1.30'
    >>> indicator_format(None, "x", [12.5, 29.6]).value(12.5)
    '12.5'
    """
    numbers = [abs(v) for v in (_d.num(x) for x in values) if not math.isnan(v)]
    found = _d.indicator(framework, indicator_id)
    frame = pd.DataFrame({"indicator_id": [indicator_id]})
    if framework is not None and _d.is_share(framework, indicator_id, frame):
        return Format(scale=100.0, decimals=0, suffix="%")
    unit = (found.unit if found is not None else "").strip().lower()
    if unit in ("percent", "%"):
        return Format(decimals=0 if all(v >= 10 for v in numbers) else 1, suffix="%")
    if framework is not None and _d.is_whole(framework, indicator_id, frame):
        whole = all(abs(v - round(v)) < 1e-9 for v in numbers)
        return Format(decimals=0 if whole else 1)
    largest = max(numbers, default=0.0)
    return Format(decimals=2 if largest < 10 else 1 if largest < 100 else 0)


def formats(frame: pd.DataFrame, framework: Framework | None) -> dict[str, Format]:
    """The format of every indicator of ``frame``, from its values and baselines."""
    out: dict[str, Format] = {}
    if frame.empty:
        return out
    for indicator_id, block in frame.groupby("indicator_id", sort=False):
        values = [*block["value"].tolist(),
                  *block.get("baseline_value", pd.Series(dtype=float)).tolist()]
        out[str(indicator_id)] = indicator_format(framework, str(indicator_id), values)
    return out


def direction(framework: Framework | None, indicator_id: str, frame: pd.DataFrame) -> float:
    """+1 when higher is better, -1 when lower is better, 0 to hold steady."""
    found = _d.indicator(framework, indicator_id)
    if found is not None:
        return DIRECTION_SIGN.get(found.direction, 1.0)
    if "direction" in frame.columns:
        given = frame.loc[frame["indicator_id"] == indicator_id, "direction"].dropna()
        if len(given):
            return DIRECTION_SIGN.get(str(given.iloc[0]), 1.0)
    return 1.0


def change_verdict(row: Mapping[Any, Any], sign: float) -> str:
    """``"gain"``, ``"decline"``, ``"uncertain"`` or ``""`` (no change measured).

    A change is a gain or a decline only when its confidence interval excludes zero.

    Examples
    --------
    >>> change_verdict({"change": 0.4, "change_ci_low": 0.1, "change_ci_high": 0.7}, 1.0)
    'gain'
    >>> change_verdict({"change": 0.4, "change_ci_low": 0.1, "change_ci_high": 0.7}, -1.0)
    'decline'
    >>> change_verdict({"change": 0.4, "change_ci_low": -0.1, "change_ci_high": 0.9}, 1.0)
    'uncertain'
    """
    change = _d.num(row.get("change"))
    if math.isnan(change) or sign == 0:
        return ""
    low, high = _d.num(row.get("change_ci_low")), _d.num(row.get("change_ci_high"))
    if math.isnan(low) or math.isnan(high):
        return "uncertain"
    if low > 0 or high < 0:
        return "gain" if sign * change > 0 else "decline"
    return "uncertain"


def numbers(values: pd.Series) -> np.ndarray:
    """The values as floats, NaN where one is missing or not a number (as ``_d.num`` each).

    Examples
    --------
    >>> numbers(pd.Series([1, None, "x", 2.5], dtype=object)).tolist()
    [1.0, nan, nan, 2.5]
    """
    if pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(
            values.dtype):
        return values.to_numpy(dtype="float64", na_value=math.nan)
    return np.fromiter((_d.num(v) for v in values), dtype="float64", count=len(values))


def verdicts(rows: pd.DataFrame, framework: Framework | None,
             frame: pd.DataFrame) -> np.ndarray:
    """:func:`change_verdict` of every row, the direction of each indicator looked up once.

    ``frame`` is where an indicator the framework does not define finds its direction.

    Examples
    --------
    >>> rows = pd.DataFrame({"indicator_id": ["a", "a", "a"], "change": [0.4, 0.4, None],
    ...                      "change_ci_low": [0.1, -0.1, None],
    ...                      "change_ci_high": [0.7, 0.9, None]})
    >>> verdicts(rows, None, rows).tolist()
    ['gain', 'uncertain', '']
    """
    out = np.full(len(rows), "", dtype=object)
    if rows.empty:
        return out
    ids = rows["indicator_id"].astype(str)
    signs = ids.map({i: direction(framework, i, frame) for i in ids.unique()}).to_numpy(
        dtype="float64")

    def column(name: str) -> np.ndarray:
        if name not in rows.columns:
            return np.full(len(rows), math.nan)
        return numbers(rows[name])

    change, low, high = column("change"), column("change_ci_low"), column("change_ci_high")
    measured = ~np.isnan(change) & (signs != 0)
    bounded = ~np.isnan(low) & ~np.isnan(high)
    clear = bounded & ((low > 0) | (high < 0))
    out[measured] = "uncertain"
    out[measured & clear & (signs * change > 0)] = "gain"
    out[measured & clear & ~(signs * change > 0)] = "decline"
    return out


def latest_by_group(frame: pd.DataFrame, orders: Mapping[Any, Sequence[Any]] | Sequence[Any]
                    ) -> pd.DataFrame:
    """Each group's rows after its baseline, at each indicator's latest such period.

    What ``_d.latest_rows`` gives one group's rows whose period is not their baseline
    period, for every group in one pass. ``orders`` is the time order of the periods: one
    for every group, or a mapping of group to its own order. Rows keep their order.
    """
    if "baseline_period" in frame.columns:
        frame = frame[frame["period"].astype(str) != frame["baseline_period"].astype(str)]
    if frame.empty:
        return frame
    if isinstance(orders, Mapping):
        ranks = {g: {p: k for k, p in enumerate(order)} for g, order in orders.items()}
        empty: dict[Any, int] = {}
        rank = pd.Series([ranks.get(g, empty).get(p, -1) for g, p in
                          zip(frame["group"].tolist(), frame["period"].tolist(), strict=True)],
                         index=frame.index, dtype="float64")
    else:
        rank = frame["period"].map({p: k for k, p in enumerate(orders)}).fillna(-1)
    best = rank.groupby([frame["group"], frame["indicator_id"]], sort=False).transform("max")
    chosen: pd.DataFrame = frame[rank == best]
    return chosen


def status_words(row: Mapping[Any, Any]) -> str:
    """The status of a row in words, ``"withheld (n < 5)"`` style for withheld rows."""
    status = row.get("status")
    if status == "withheld" or bool(row.get("suppressed")) is True:
        return "withheld"
    if not isinstance(status, str) or not status:
        return ""
    words = _style.status_label(status)
    if row.get("status_uncertain") is True:
        words += " (uncertain)"
    return words


def indicator_view(frame: pd.DataFrame, framework: Framework | None,
                   labels: Mapping[Any, str] | None, *, with_group: bool) -> pd.DataFrame:
    """The latest row of each indicator (and group) in at most eight human columns."""
    if frame.empty:
        return pd.DataFrame()
    order = _d.period_order(frame, None, framework)
    latest = _d.latest_rows(frame, order, None) if not with_group else pd.concat(
        [_d.latest_rows(block, order, None) for _, block in frame.groupby("group", sort=False)])
    fmts = formats(frame, framework)
    rank = {i: k for k, i in enumerate(_d.indicator_order(frame, framework))}
    latest = latest.assign(_order=latest["indicator_id"].map(rank)).sort_values(
        ["_order"], kind="stable")
    records = []
    for row, verdict in zip(latest.to_dict("records"), verdicts(latest, framework, frame),
                            strict=True):
        indicator_id = str(row["indicator_id"])
        fmt = fmts.get(indicator_id, Format())
        record: dict[str, Any] = {}
        if with_group:
            record["Grantee"] = _d.label(row["group"], labels)
        base_period = row.get("baseline_period")
        withheld = _d.withheld(row, framework)
        record.update({
            "Indicator": _d.indicator_name(framework, indicator_id),
            "Period": "" if row.get("period") is None else str(row.get("period")),
            "n": "" if not _d.is_num(row.get("n")) else f"{_d.num(row.get('n')):,.0f}",
            "Value": withheld or fmt.value(row.get("value")),
            "Change since baseline": "" if withheld else (
                f"{fmt.change(row.get('change'))} since {base_period}"
                + ({"gain": " (clear gain)", "decline": " (clear decline)",
                    "uncertain": " (uncertain)"}.get(verdict, ""))
                if _d.is_num(row.get("change")) else ""),
            "Target": fmt.value(row.get("target")),
            "Status": status_words(row),
        })
        records.append(record)
    return pd.DataFrame(records)


def rename(frame: pd.DataFrame, names: Mapping[str, str],
           keep: Sequence[str] | None = None) -> pd.DataFrame:
    """``frame`` with columns renamed for people, only those in ``keep`` (in that order)."""
    columns = [c for c in (keep or list(names)) if c in frame.columns]
    return frame[columns].rename(columns=dict(names)).reset_index(drop=True)


def percent(value: Any) -> str:
    """A share (0-1) as a whole percentage; blank when missing.

    Examples
    --------
    >>> percent(0.909), percent(None)
    ('91%', '')
    """
    x = _d.num(value)
    return "" if math.isnan(x) else f"{x * 100:.0f}%"


def score(value: Any) -> str:
    """A 0-100 score as an integer; blank when missing.

    Examples
    --------
    >>> score(64.4), score(float("nan"))
    ('64', '')
    """
    x = _d.num(value)
    return "" if math.isnan(x) else f"{x:.0f}"


def members_of(frame: pd.DataFrame) -> list[Any]:
    return [g for g in dict.fromkeys(frame["group"].dropna()) if g != NETWORK]


Formatter = Callable[[Any], str]
