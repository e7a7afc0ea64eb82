"""The statistics step: values, intervals and change from the aggregated tables, per family.

Each function takes the rows of the summary (one per indicator x group x period x
subgroup, joined with their baseline cell) and the :class:`~._aggregate.Aggregates`, and
returns the estimate columns, vectorized over rows with the ``*_from_moments`` functions of
:mod:`getting_to_outcomes.stats`.

=========  ====================  =================================  =========================
family     value and interval    paired change                      independent change
=========  ====================  =================================  =========================
mean       mean, t interval      paired t (Cohen's d_z); Wilcoxon   Welch t (Hedges' g);
                                 signed-rank in the notes           Mann-Whitney in the notes
share      Wilson                McNemar (Newcombe interval,        two-proportion z or
                                 Cohen's h)                         Fisher (Newcombe, h)
ratio      pooled sums, Wilson   (not paired)                       two-proportion z or Fisher
count      total, exact Poisson  (not paired)                       conditional exact test,
                                                                    rate ratio
rate       pooled, exact         (not paired)                       conditional exact test,
           Poisson                                                  rate ratio
=========  ====================  =================================  =========================

Design (one rule, :func:`pairing`, also behind ``ProgressSummary.movement()``): a row is
*paired* when at least ``max(2, min_n)`` units are matched by id between the baseline and
the row's period, else *independent* (the row notes how many units the periods share).
Whatever the design, ``change`` is ``value - baseline_value``: the change of the group's
value, the same quantity the status and progress are computed from. When every unit of both
periods is matched the paired tests above apply unchanged. When only some are (people who
joined or left), the matched units enter the standard error through their covariance, as in
the partially overlapping samples tests of Derrick et al.: means by ``T_new2`` (Derrick,
Russ, Toher & White 2017) with ``se^2 = s0^2/n0 + s1^2/n1 - 2 m c / (n0 n1)`` and
``df = (m - 1) + (gamma - m + 1) (u0 + u1) / (u0 + u1 + 2 m)`` (``m`` matched units, ``u0``,
``u1`` unmatched, ``gamma`` the Welch df), where the covariance ``c`` of the matched units is
``(s0^2 + s1^2 - s_d^2) / 2`` (``s_d`` the sd of their differences; the two samples'
variances stand in for the matched units' own, which the aggregation does not keep);
proportions by the ``z`` test of Derrick, Dobson-McKittrick, Toher & White (2015) with the
pooled proportion ``p`` and the phi correlation ``r`` of the matched units:
``se^2 = p (1 - p) (1/n0 + 1/n1 - 2 r m / (n0 n1))``, with Newcombe's hybrid score interval
(Wilson limits of each share, Newcombe 1998 method 10) whose correlation term is
``r m / sqrt(n0 n1)``, the correlation of the two shares (it is the paired interval when
every unit is matched). Count, rate and
pooled-ratio measures are always compared as independent totals.

Poisson formulas (not part of :mod:`getting_to_outcomes.stats`): the exact interval of a
count ``x`` is ``chi2(a/2; 2x) / 2`` to ``chi2(1 - a/2; 2x + 2) / 2`` (Garwood 1936); two
counts ``x1`` and ``x2`` with exposures ``E1`` and ``E2`` are compared by the exact binomial
test of ``x2`` in ``x1 + x2`` trials with probability ``E2 / (E1 + E2)`` (Przyborowski &
Wilenski 1940); the interval of the difference of rates is the normal approximation
``d -/+ z sqrt(x1 / E1^2 + x2 / E2^2)``.
"""

from __future__ import annotations

import zlib
from collections.abc import Collection, Mapping, Sequence
from typing import Any, cast

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import stats as sps

from getting_to_outcomes.scoring._measures import Family
from getting_to_outcomes.scoring._notes import Notes, written_once
from getting_to_outcomes.scoring._ranks import (
    RANK_DECIMALS,
    mann_whitney_from_counts,
    signed_ranks,
)
from getting_to_outcomes.scoring._tables import KEY, Aggregates, key_codes, positions
from getting_to_outcomes.stats import (
    independent_change,
    independent_change_from_moments,
    mean_ci_from_moments,
    paired_change,
    paired_change_from_moments,
    paired_proportion_change,
    proportion_change,
    proportion_ci,
)

__all__ = ["ESTIMATE_COLUMNS", "RowIndex", "estimate", "key_frame", "locate", "pairing",
           "per_indicator"]

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
ObjectArray = npt.NDArray[np.object_]
#: Rows of the summary: a DataFrame or a mapping of column arrays.
Rows = pd.DataFrame | Mapping[str, Any]

#: Columns returned by :func:`estimate`, besides the notes of the rows.
ESTIMATE_COLUMNS = [
    "n", "value", "ci_low", "ci_high", "baseline_n", "baseline_value", "design", "n_pairs",
    "change", "change_ci_low", "change_ci_high", "test", "statistic", "p_value",
    "effect_size", "effect_size_name",
]
_TEXT = ("design", "test", "effect_size_name")
#: Columns of a change table of :mod:`getting_to_outcomes.stats` -> summary columns.
_CHANGE_COLUMNS = {
    "design": "design", "change": "change", "ci_low": "change_ci_low",
    "ci_high": "change_ci_high", "test": "test", "statistic": "statistic",
    "p_value": "p_value", "effect_size": "effect_size", "effect_size_name": "effect_size_name",
}
_BOOTSTRAP_RESAMPLES = 9999
_SINGLE = "fewer than 2 values in a period: no interval or test"


def pairing(n_pairs: Any, min_n: Any) -> BoolArray:
    """Whether change is computed with matched units: at least ``max(2, min_n)`` of them.

    The one rule for the design of every change and for ``ProgressSummary.movement()``:
    enough matched units to show a value about them (the indicator's ``min_n``), and never
    fewer than 2.

    Examples
    --------
    >>> pairing([0, 1, 4, 5, 119], 5).tolist()
    [False, False, False, True, True]
    """
    pairs = np.asarray(n_pairs, dtype=np.float64)
    need = np.maximum(np.asarray(min_n, dtype=np.float64), 2.0)
    return np.asarray(np.nan_to_num(pairs) >= need, dtype=bool)


def _overlap_means(
    n0: FloatArray, s0: FloatArray, ss0: FloatArray, n1: FloatArray, s1: FloatArray,
    ss1: FloatArray, m: FloatArray, var_d: FloatArray, confidence: float,
) -> pd.DataFrame:
    """Change of two means whose samples share ``m`` units (Derrick et al. 2017, T_new2).

    See the module notes for the formulas. Hedges' g of the two samples is the effect size.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        mean0, mean1 = s0 / n0, s1 / n1
        v0 = np.maximum(ss0 - s0 * mean0, 0.0) / (n0 - 1.0)
        v1 = np.maximum(ss1 - s1 * mean1, 0.0) / (n1 - 1.0)
        bound = np.sqrt(v0 * v1)
        cov = np.clip((v0 + v1 - var_d) / 2.0, -bound, bound)
        se = np.sqrt(np.maximum(v0 / n0 + v1 / n1 - 2.0 * m * cov / (n0 * n1), 0.0))
        welch = (v0 / n0 + v1 / n1) ** 2 / (
            (v0 / n0) ** 2 / (n0 - 1.0) + (v1 / n1) ** 2 / (n1 - 1.0))
        unmatched = (n0 - m) + (n1 - m)
        df = (m - 1.0) + (welch - m + 1.0) * unmatched / (unmatched + 2.0 * m)
        diff = mean1 - mean0
        t = diff / se
        p = 2.0 * sps.t.sf(np.abs(t), df)
        half = sps.t.ppf(0.5 + confidence / 2.0, df) * se
        pooled = np.sqrt(((n0 - 1.0) * v0 + (n1 - 1.0) * v1) / (n0 + n1 - 2.0))
        g = diff / pooled * (1.0 - 3.0 / (4.0 * (n0 + n1) - 9.0))
    return pd.DataFrame({
        "design": "paired", "change": diff, "ci_low": diff - half, "ci_high": diff + half,
        "test": "overlap_t", "statistic": t, "p_value": p, "effect_size": g,
        "effect_size_name": "hedges_g",
        "note": _overlap_notes("means", m, n0, n1),
    })


def _overlap_shares(
    x0: FloatArray, n0: FloatArray, x1: FloatArray, n1: FloatArray, both: FloatArray,
    before: FloatArray, after: FloatArray, m: FloatArray, confidence: float,
) -> pd.DataFrame:
    """Change of two proportions whose samples share ``m`` units (Derrick et al. 2015).

    ``both``, ``before`` and ``after`` count the matched units with a success in both
    periods, at baseline and now. See the module notes for the formulas.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        p0, p1 = x0 / n0, x1 / n1
        pa, pb = before / m, after / m
        spread = np.sqrt(pa * (1.0 - pa) * pb * (1.0 - pb))
        r = np.where(spread > 0, (both / m - pa * pb) / spread, 0.0)
        pooled = (x0 + x1) / (n0 + n1)
        w = pooled * (1.0 - pooled)
        se = np.sqrt(np.maximum(w / n0 + w / n1 - 2.0 * r * w * m / (n0 * n1), 0.0))
        diff = p1 - p0
        stat = diff / se
        p = np.where(se > 0, 2.0 * sps.norm.sf(np.abs(stat)), np.where(diff == 0, 1.0, 0.0))
        h = 2.0 * np.arcsin(np.sqrt(p1)) - 2.0 * np.arcsin(np.sqrt(p0))
        share_r = r * m / np.sqrt(n0 * n1)
    then = proportion_ci(x0, n0, confidence=confidence)
    now = proportion_ci(x1, n1, confidence=confidence)
    l0, u0 = then["ci_low"].to_numpy(), then["ci_high"].to_numpy()
    l1, u1 = now["ci_low"].to_numpy(), now["ci_high"].to_numpy()
    low = diff - np.sqrt(np.maximum(
        (p1 - l1) ** 2 - 2.0 * share_r * (p1 - l1) * (u0 - p0) + (u0 - p0) ** 2, 0.0))
    high = diff + np.sqrt(np.maximum(
        (u1 - p1) ** 2 - 2.0 * share_r * (u1 - p1) * (p0 - l0) + (p0 - l0) ** 2, 0.0))
    return pd.DataFrame({
        "design": "paired", "change": diff, "ci_low": low, "ci_high": high,
        "test": "overlap_z", "statistic": stat, "p_value": p, "effect_size": h,
        "effect_size_name": "cohen_h",
        "note": _overlap_notes("shares", m, n0, n1),
    })


def _overlap_notes(what: str, m: FloatArray, n0: FloatArray, n1: FloatArray) -> ObjectArray:
    """The note of each change of partially overlapping samples, written once per distinct
    number of matched units and sample sizes."""
    return written_once(
        [m, n0, n1], lambda k, a, b: f"change of the group {what}; {int(k)} matched unit(s) "
        f"of {int(a)} and {int(b)} enter its standard error (partially overlapping samples)")


def _whole(x: FloatArray) -> BoolArray:
    return np.asarray(np.isfinite(x) & (x >= 0) & (x == np.round(x)), dtype=bool)


def poisson_interval(count: FloatArray, confidence: float) -> tuple[FloatArray, FloatArray]:
    """Exact (Garwood) interval of Poisson counts; NaN for counts that are not whole numbers.

    Examples
    --------
    >>> import numpy as np
    >>> low, high = poisson_interval(np.array([0.0, 10.0]), 0.95)
    >>> np.round(low, 3).tolist(), np.round(high, 3).tolist()
    ([0.0, 4.795], [3.689, 18.39])
    """
    alpha = 1.0 - confidence
    ok = _whole(count)
    safe = np.where(ok, count, 0.0)
    with np.errstate(invalid="ignore"):
        low = np.where(safe > 0, sps.chi2.ppf(alpha / 2.0, 2.0 * safe) / 2.0, 0.0)
        high = sps.chi2.ppf(1.0 - alpha / 2.0, 2.0 * safe + 2.0) / 2.0
    return np.where(ok, low, np.nan), np.where(ok, high, np.nan)


def _rate_change(
    x1: FloatArray, e1: FloatArray, x2: FloatArray, e2: FloatArray, confidence: float,
    per: FloatArray,
) -> dict[str, FloatArray]:
    """Difference of two Poisson rates, its interval, the exact conditional test, rate ratio."""
    z = float(sps.norm.ppf(0.5 + confidence / 2.0))
    with np.errstate(divide="ignore", invalid="ignore"):
        r1, r2 = x1 / e1, x2 / e2
        diff = (r2 - r1) * per
        half = z * np.sqrt(x1 / e1**2 + x2 / e2**2) * per
        ratio = np.where((x1 > 0) & (e1 > 0) & (e2 > 0), r2 / r1, np.nan)
    p = np.full(x1.shape, np.nan)
    ok = _whole(x1) & _whole(x2) & (x1 + x2 > 0) & (e1 > 0) & (e2 > 0)
    # Many rows share the same counts: each distinct test is run once.
    cases: dict[tuple[int, int, float], float] = {}
    for i in np.flatnonzero(ok):
        case = (int(x2[i]), int(x1[i] + x2[i]), float(e2[i] / (e1[i] + e2[i])))
        if case not in cases:
            cases[case] = float(sps.binomtest(*case).pvalue)
        p[i] = cases[case]
    return {"change": diff, "ci_low": diff - half, "ci_high": diff + half, "p_value": p,
            "effect_size": ratio}


def _seed_for(seed: int, key: tuple[object, ...]) -> int:
    """A seed per row that depends only on the run's seed and the row's key."""
    text = "\x1f".join(str(k) for k in key).encode()
    state = np.random.SeedSequence([seed, zlib.crc32(text)]).generate_state(1, dtype=np.uint32)
    return int(state[0])


def key_frame(rows: Rows, columns: Sequence[str] = KEY) -> pd.DataFrame:
    """The key columns of ``rows`` (a DataFrame or a mapping of column arrays) as a DataFrame,
    the arrays kept as they are (text stays ``object``, not converted to ``str``)."""
    if isinstance(rows, pd.DataFrame):
        return rows[list(columns)]
    return pd.DataFrame({c: pd.Series(rows[c], dtype=object, copy=False) for c in columns},
                        copy=False)


class RowIndex:
    """The keys of the summary rows, coded once, to find the rows of several tables.

    Each key column's labels are numbered once (missing labels as one more number); a
    table's labels are looked up among them, and the numbers of a key combined.
    """

    def __init__(self, rows: Rows, columns: Sequence[str] = KEY) -> None:
        self.columns = list(columns)
        self._labels: list[pd.Index] = []
        combined = np.zeros(len(rows[self.columns[0]]) if self.columns else 0, dtype=np.int64)
        bound = 1
        for column in self.columns:
            codes, labels = pd.factorize(np.asarray(rows[column], dtype=object))
            self._labels.append(pd.Index(labels, dtype=object))
            combined = combined * (len(labels) + 1) + np.where(codes < 0, len(labels), codes)
            bound *= len(labels) + 1
        # Keys that could overflow int64 are left to key_codes.
        self.usable = bound < 1 << 62
        self._rows = pd.Index(combined)

    def find(self, table: pd.DataFrame, at: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
        """Position in the rows of the key of each row ``at`` of ``table`` (-1 where none)."""
        combined = np.zeros(len(at), dtype=np.int64)
        absent = np.zeros(len(at), dtype=bool)
        for column, labels in zip(self.columns, self._labels, strict=True):
            values = table[column].to_numpy(dtype=object)[at]
            codes = np.asarray(labels.get_indexer(pd.Index(values, dtype=object)),
                               dtype=np.int64)
            missing = np.asarray(pd.isna(values), dtype=bool)
            absent |= (codes < 0) & ~missing
            combined = combined * (len(labels) + 1) + np.where(missing, len(labels), codes)
        found = np.asarray(self._rows.get_indexer(pd.Index(combined)), dtype=np.int64)
        return np.where(absent, -1, found)


def locate(table: pd.DataFrame, rows: Rows, key: Sequence[str] | None = None,
           runs: npt.NDArray[np.int64] | None = None,
           index: RowIndex | None = None) -> npt.NDArray[np.int64]:
    """Position in ``rows`` of each row of ``table`` with the same key (-1 where none).

    ``rows`` is a DataFrame or a mapping of column arrays. The aggregated tables hold each
    key in one run of rows (a cell's distribution), so only the first row of each run is
    looked up, and the answer repeated over the run. ``runs``: the first row of each run,
    when known (:meth:`Aggregates.runs`); ``index``: the rows' keys coded once
    (:class:`RowIndex` over ``key``), when several tables are looked up.
    """
    columns = list(KEY if key is None else key)
    if table.empty:
        return np.empty(0, dtype=np.int64)
    size = len(table)
    if runs is not None:
        first = runs
    else:
        start = np.zeros(size, dtype=bool)
        start[0] = True
        for column in columns:
            values = table[column].to_numpy()
            try:
                start[1:] |= np.asarray(values[1:] != values[:-1], dtype=bool)
            except (TypeError, ValueError):  # a value without a plain truth of equality
                start[:] = True
                break
        first = np.flatnonzero(start)
    if index is not None and index.usable and index.columns == columns:
        found = index.find(table, first)
    else:
        mine, theirs = key_codes([key_frame(rows, columns), table[columns].iloc[first]],
                                 columns)
        found = positions(mine, theirs)
    return np.repeat(found, np.diff(np.r_[first, size]))


def per_indicator(ids: Any, values: Mapping[str, Any], dtype: Any = np.float64,
                  default: Any = np.nan) -> Any:
    """``values[id]`` for each indicator id of ``ids`` (``default`` where absent), as an array;
    each distinct id looked up once."""
    codes, uniques = pd.factorize(np.asarray(ids, dtype=object))
    table = np.empty(len(uniques) + 1, dtype=dtype)
    table[:-1] = [values.get(u, default) for u in uniques]
    table[-1] = default
    return table[codes]


class _Out:
    """The estimate columns as arrays, and the notes of the rows."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.columns: dict[str, Any] = {
            c: np.full(n, None, dtype=object) if c in _TEXT else np.full(n, np.nan)
            for c in ESTIMATE_COLUMNS
        }
        self.columns["design"][:] = "none"
        self.notes = Notes(n)

    def note(self, mask: BoolArray, text: str | Any) -> None:
        """A note on the masked rows: one text for all, or one per masked row."""
        self.notes.add(mask, text)

    def change(self, mask: BoolArray, res: pd.DataFrame) -> None:
        """Copy a change table of :mod:`getting_to_outcomes.stats` into the masked rows."""
        for source, target in _CHANGE_COLUMNS.items():
            self.columns[target][mask] = res[source].to_numpy()
        self.note(mask, res["note"].to_numpy(dtype=object))



def _per_row(where: npt.NDArray[np.int64], weights: FloatArray, n: int) -> FloatArray:
    ok = where >= 0
    return np.bincount(where[ok], weights=weights[ok], minlength=n).astype(np.float64)


def estimate(
    rows: Mapping[str, Any],
    aggregates: Aggregates,
    families: Mapping[str, Family],
    *,
    thresholds: Mapping[str, float],
    ladders: Collection[str] = (),
    per: Mapping[str, float],
    min_n: Mapping[str, int],
    confidence: float,
    bootstrap: bool,
    seed: int,
) -> tuple[dict[str, Any], Notes]:
    """Value, interval and change from baseline of every row.

    Parameters
    ----------
    rows : Mapping[str, array]
        Column arrays: KEY, ``is_baseline``, ``b_period``, the cell statistics (``n``, ``sum``,
        ``sum_sq``, ``denominator``, ``successes``) and the same of the baseline cell
        prefixed ``b_`` (NaN where there is none).
    aggregates : Aggregates
        For the distributions and matched units.
    families : Mapping[str, Family]
        Family of each indicator.
    thresholds : Mapping[str, float]
        ``share`` family: success threshold per indicator.
    ladders : collection of str
        Indicators measured on a ladder (level measures), whose movement is noted.
    per : Mapping[str, float]
        ``rate`` family: the ``per`` multiplier per indicator.
    min_n : Mapping[str, int]
        Smallest number of units shown per indicator; with :func:`pairing` it decides the
        design.
    confidence : float
        Coverage of the intervals.
    bootstrap : bool
        BCa bootstrap intervals for the ``mean`` family.
    seed : int
        Seed of the bootstrap.

    Returns
    -------
    tuple of dict and Notes
        The columns :data:`ESTIMATE_COLUMNS` as arrays in the order of ``rows``, and the
        notes of the rows.
    """
    rows = {k: np.asarray(v) for k, v in rows.items()}
    n = len(rows["n"])
    out = _Out(n)
    cols = out.columns
    ids = rows["indicator_id"]
    family = per_indicator(ids, families, dtype=object, default=None)
    count_now = rows["n"].astype(np.float64)
    count_base = rows["b_n"].astype(np.float64)
    later = ~rows["is_baseline"].astype(bool)
    has_base = ~np.isnan(count_base) & later
    cols["n"][:] = count_now
    cols["baseline_n"][:] = count_base

    # Matched units, per row.
    index = RowIndex(rows)
    pair_row = locate(aggregates.pair_sums, rows, runs=aggregates.runs("pair_sums"), index=index)
    table = aggregates.pair_sums
    n_pairs = _per_row(pair_row, table["n_pairs"].to_numpy(dtype=np.float64), n)
    sum_before = _per_row(pair_row, table["sum_before"].to_numpy(dtype=np.float64), n)
    sum_after = _per_row(pair_row, table["sum_after"].to_numpy(dtype=np.float64), n)
    smaller = np.fmin(count_now, np.nan_to_num(count_base))
    limit = per_indicator(ids, min_n)
    can_pair = has_base & pairing(n_pairs, limit)
    # Every unit of both periods matched: the change of the matched units is the change of
    # the group, and the classic paired tests apply.
    whole = can_pair & (n_pairs == count_now) & (n_pairs == count_base)
    some = can_pair & ~whole
    with_both = has_base & (count_now > 0) & (np.nan_to_num(count_base) > 0)

    def overlap(mask: BoolArray) -> None:
        shared = mask & (n_pairs > 0)
        out.note(shared, written_once(
            [n_pairs[shared], limit[shared]],
            lambda k, lim: f"{int(k)} unit(s) appear in both periods, fewer than the "
                           f"{max(int(lim), 2)} needed to pair; compared as independent samples"))

    # ---- mean family -----------------------------------------------------------------
    mask = family == "mean"
    if mask.any():
        now = mean_ci_from_moments(count_now[mask], rows["sum"][mask],
                                   rows["sum_sq"][mask], confidence=confidence)
        cols["value"][mask] = now["mean"].to_numpy()
        cols["ci_low"][mask] = now["ci_low"].to_numpy()
        cols["ci_high"][mask] = now["ci_high"].to_numpy()
        base = mean_ci_from_moments(np.nan_to_num(count_base[mask]),
                                    _zero_nan(rows["b_sum"])[mask],
                                    _zero_nan(rows["b_sum_sq"])[mask],
                                    confidence=confidence)
        cols["baseline_value"][mask] = base["mean"].to_numpy()
        out.note(mask & (count_now == 1), "a single value: no interval")
        paired = mask & whole
        partly = mask & some & with_both
        independent = mask & with_both & ~can_pair
        diffs = aggregates.differences
        diff_row = locate(diffs, rows, runs=aggregates.runs("differences"), index=index)
        if (paired | partly).any():
            d = diffs["difference"].to_numpy(dtype=np.float64)
            c = diffs["count"].to_numpy(dtype=np.float64)
            sum_d = _per_row(diff_row, c * d, n)
            sumsq_d = _per_row(diff_row, c * d * d, n)
        if partly.any():
            k = n_pairs[partly]
            with np.errstate(divide="ignore", invalid="ignore"):
                var_d = np.maximum(sumsq_d[partly] - sum_d[partly] ** 2 / k, 0.0) / (k - 1.0)
            res = _overlap_means(
                rows["b_n"][partly].astype(np.float64),
                rows["b_sum"][partly].astype(np.float64),
                rows["b_sum_sq"][partly].astype(np.float64), count_now[partly],
                rows["sum"][partly].astype(np.float64),
                rows["sum_sq"][partly].astype(np.float64), k, var_d, confidence)
            out.change(partly, res)
        if paired.any():
            res = paired_change_from_moments(
                n_pairs[paired], sum_d[paired], sumsq_d[paired],
                sum_before[paired] / n_pairs[paired], sum_after[paired] / n_pairs[paired],
                confidence=confidence)
            out.change(paired, res)
            keep = (diff_row >= 0) & paired[np.maximum(diff_row, 0)]
            ranks = signed_ranks(diff_row[keep], np.round(d[keep], RANK_DECIMALS), c[keep], n)
            _rank_notes(out, paired, ranks, "Wilcoxon signed-rank V", smaller)
        if independent.any():
            sub = pd.DataFrame({c: rows[c][independent] for c in (
                "b_n", "b_sum", "b_sum_sq", "n", "sum", "sum_sq")})
            res = independent_change_from_moments(
                sub["b_n"], sub["b_sum"], sub["b_sum_sq"], sub["n"], sub["sum"], sub["sum_sq"],
                confidence=confidence)
            # Say which period has the single value (the note of the stats function cannot).
            single = res["note"].to_numpy(dtype=object) == _SINGLE
            which = np.where(sub["b_n"].to_numpy() < 2, "at baseline", "now")
            res.loc[single, "note"] = [f"a single value {w}: the change has no interval or test"
                                       for w in which[single]]
            out.change(independent, res)
            ranks = _by_position(mann_whitney_from_counts(
                _both_distributions(aggregates, rows, independent)), n)
            _rank_notes(out, independent, ranks, "Mann-Whitney U", smaller)
        if bootstrap:
            _bootstrap(out, rows, aggregates, mask, paired, independent, diff_row, confidence,
                       seed)
        overlap(mask & has_base & ~can_pair)
    # ---- share family ----------------------------------------------------------------
    mask = family == "share"
    if mask.any():
        successes = _zero_nan(rows["successes"])
        now = proportion_ci(successes[mask], count_now[mask], confidence=confidence)
        cols["value"][mask] = now["proportion"].to_numpy()
        cols["ci_low"][mask] = now["ci_low"].to_numpy()
        cols["ci_high"][mask] = now["ci_high"].to_numpy()
        with np.errstate(divide="ignore", invalid="ignore"):
            cols["baseline_value"][mask] = (rows["b_successes"] / count_base)[mask]
        paired = mask & whole
        partly = mask & some & with_both
        independent = mask & with_both & ~can_pair
        if (paired | partly).any():
            moves = aggregates.transitions
            where = locate(moves, rows, runs=aggregates.runs("transitions"), index=index)
            b = moves["before"].to_numpy(dtype=np.float64)
            a = moves["after"].to_numpy(dtype=np.float64)
            c = moves["count"].to_numpy(dtype=np.float64)
            thr = moves["indicator_id"].map(thresholds).to_numpy(dtype=np.float64)
            yes_b, yes_a = b >= thr, a >= thr
            cells = [_per_row(where, c * (yes_b & yes_a), n),
                     _per_row(where, c * (yes_b & ~yes_a), n),
                     _per_row(where, c * (~yes_b & yes_a), n),
                     _per_row(where, c * (~yes_b & ~yes_a), n)]
            if paired.any():
                res = paired_proportion_change(*(x[paired] for x in cells),
                                               confidence=confidence)
                out.change(paired, res)
            if partly.any():
                res = _overlap_shares(
                    rows["b_successes"].astype(np.float64)[partly], count_base[partly],
                    successes[partly], count_now[partly], cells[0][partly],
                    (cells[0] + cells[1])[partly], (cells[0] + cells[2])[partly],
                    n_pairs[partly], confidence)
                out.change(partly, res)
            ladder = (paired | partly) & per_indicator(
                ids, dict.fromkeys(ladders, True), dtype=bool, default=False)
            up = _per_row(where, c * (a > b), n)
            down = _per_row(where, c * (a < b), n)
            out.note(ladder, [f"{int(u)} moved up and {int(d_)} down among {int(k)} matched"
                              for u, d_, k in zip(up[ladder], down[ladder], n_pairs[ladder],
                                                  strict=True)])
        if independent.any():
            res = proportion_change(
                rows["b_successes"][independent], count_base[independent],
                successes[independent], count_now[independent], confidence=confidence)
            out.change(independent, res)
        overlap(mask & has_base & ~can_pair)
    # ---- pooled ratio ----------------------------------------------------------------
    mask = family == "ratio"
    if mask.any():
        num, den = rows["sum"], rows["denominator"]
        bnum, bden = rows["b_sum"], rows["b_denominator"]
        counts = mask & _whole(num) & _whole(den) & (num <= den)
        with np.errstate(divide="ignore", invalid="ignore"):
            cols["value"][mask] = (num / den)[mask]
            cols["baseline_value"][mask] = (bnum / bden)[mask]
        if counts.any():
            now = proportion_ci(num[counts], den[counts], confidence=confidence)
            cols["ci_low"][counts] = now["ci_low"].to_numpy()
            cols["ci_high"][counts] = now["ci_high"].to_numpy()
        out.note(mask & ~counts & (den > 0),
                 "numerator and denominator are not whole counts: no interval")
        both = counts & has_base & _whole(bnum) & _whole(bden) & (bnum <= bden) & (bden > 0) \
            & (den > 0)
        if both.any():
            res = proportion_change(bnum[both], bden[both], num[both], den[both],
                                    confidence=confidence)
            out.change(both, res)
            out.note(both, "pooled counts compared as independent samples")
    # ---- counts and rates ------------------------------------------------------------
    for kind in ("count", "rate"):
        mask = family == kind
        if not mask.any():
            continue
        x = rows["sum"].astype(np.float64)
        bx = rows["b_sum"].astype(np.float64)
        exposure: FloatArray
        b_exposure: FloatArray
        scale: FloatArray
        if kind == "count":
            exposure = b_exposure = scale = np.ones(n)
        else:
            exposure = np.asarray(rows["denominator"], dtype=np.float64)
            b_exposure = np.asarray(rows["b_denominator"], dtype=np.float64)
            scale = per_indicator(ids, per)
        low, high = poisson_interval(x, confidence)
        with np.errstate(divide="ignore", invalid="ignore"):
            ok = exposure > 0
            cols["value"][mask] = np.where(ok, x / exposure * scale, np.nan)[mask]
            cols["ci_low"][mask] = np.where(ok, low / exposure * scale, np.nan)[mask]
            cols["ci_high"][mask] = np.where(ok, high / exposure * scale, np.nan)[mask]
            cols["baseline_value"][mask] = np.where(b_exposure > 0, bx / b_exposure * scale,
                                                    np.nan)[mask]
        out.note(mask & ~_whole(x) & (count_now > 0),
                 "the total is not a whole number: no Poisson interval")
        both = mask & has_base & (exposure > 0) & (b_exposure > 0)
        if both.any():
            rates = _rate_change(bx[both], b_exposure[both], x[both], exposure[both], confidence,
                                 scale[both])
            cols["design"][both] = "independent"
            cols["test"][both] = "poisson_exact"
            cols["change"][both] = rates["change"]
            cols["change_ci_low"][both] = rates["ci_low"]
            cols["change_ci_high"][both] = rates["ci_high"]
            cols["p_value"][both] = rates["p_value"]
            cols["effect_size"][both] = rates["effect_size"]
            cols["effect_size_name"][both] = "rate_ratio"
    cols["n_pairs"][:] = np.where(cols["design"] == "paired", n_pairs, np.nan)
    return cols, out.notes


def _zero_nan(values: FloatArray) -> FloatArray:
    """The values with NaN as 0 (as ``Series.fillna(0)``)."""
    values = np.asarray(values, dtype=np.float64)
    return np.where(np.isnan(values), 0.0, values)


def _by_position(ranks: pd.DataFrame, n: int) -> dict[str, Any]:
    """The results of a rank test indexed by row position, as arrays over all ``n`` rows."""
    at = ranks.index.to_numpy(dtype=np.int64)
    out: dict[str, Any] = {}
    for column in ("statistic", "p_value", "effect_size"):
        values = np.full(n, np.nan)
        values[at] = ranks[column].to_numpy(dtype=np.float64)
        out[column] = values
    exact = np.zeros(n, dtype=bool)
    exact[at] = ranks["exact"].to_numpy(dtype=bool)
    out["exact"] = exact
    return out


def _both_distributions(aggregates: Aggregates, rows: Rows,
                        mask: BoolArray) -> pd.DataFrame:
    """Baseline and current distributions of the masked rows side by side, per row position.

    Several rows (periods) share one baseline cell, so the baseline side is a join on the
    key codes rather than a lookup.
    """
    values = aggregates.values
    count = values["count"].to_numpy(dtype=np.float64)
    value = values["value"].to_numpy(dtype=np.float64)
    now = locate(values, rows, runs=aggregates.runs("values"))
    keep_now = (now >= 0) & mask[np.maximum(now, 0)]
    positions = np.flatnonzero(mask)
    base_keys = key_frame({**{c: rows[c][positions] for c in KEY},
                           "period": rows["b_period"][positions]})
    wanted, have = key_codes([base_keys, values[KEY]], KEY, [None, aggregates.runs("values")])
    then = pd.DataFrame({"code": wanted, "row": positions}).merge(
        pd.DataFrame({"code": have, "value": value, "before": count}), on="code")
    table = pd.concat([
        pd.DataFrame({"row": now[keep_now], "value": value[keep_now], "after": count[keep_now],
                      "before": 0.0}),
        then[["row", "value", "before"]].assign(after=0.0),
    ], ignore_index=True)
    return table.groupby(["row", "value"], sort=True)[["before", "after"]].sum().reset_index()


def _rank_notes(out: _Out, mask: BoolArray, ranks: Mapping[str, Any], label: str,
                sizes: FloatArray) -> None:
    """The rank test of each masked row in its notes (results as arrays over all rows)."""
    p_value = ranks["p_value"]
    shown = mask & ~np.isnan(p_value) & (sizes >= 2)
    where = np.flatnonzero(shown)
    kinds = np.where(ranks["exact"][where], "exact", "normal approximation")
    texts = [f"{label} = {s:g}, p = {p:.3g} ({x}; rank-biserial {e:.2f})"
             for s, p, e, x in zip(ranks["statistic"][where].tolist(),
                                   p_value[where].tolist(),
                                   ranks["effect_size"][where].tolist(), kinds.tolist(),
                                   strict=True)]
    out.note(shown, texts)


def _bootstrap(
    out: _Out, rows: Rows, aggregates: Aggregates, mask: BoolArray, paired: BoolArray,
    independent: BoolArray, diff_row: npt.NDArray[np.int64], confidence: float, seed: int,
) -> None:
    """BCa bootstrap intervals of the value and the change, rebuilt from the distributions."""
    cols = out.columns
    keys = np.column_stack([np.asarray(rows[c], dtype=object) for c in KEY])
    values = aggregates.values
    where = locate(values, rows, runs=aggregates.runs("values"))
    by_row = pd.DataFrame({"row": where, "value": values["value"].to_numpy(),
                           "count": values["count"].to_numpy()})
    samples = {r: part for r, part in by_row[by_row["row"] >= 0].groupby("row")}
    for pos in np.flatnonzero(mask):
        part = samples.get(pos)
        if part is None or part["count"].sum() < 2:
            continue
        sample = np.repeat(part["value"].to_numpy(), part["count"].to_numpy(dtype=np.int64))
        if np.ptp(sample) > 0:
            res = sps.bootstrap((sample,), np.mean, confidence_level=confidence, method="BCa",
                                n_resamples=_BOOTSTRAP_RESAMPLES,
                                rng=np.random.default_rng(_seed_for(seed, tuple(keys[pos]))))
            cols["ci_low"][pos] = res.confidence_interval.low
            cols["ci_high"][pos] = res.confidence_interval.high
    diffs = aggregates.differences
    changes = pd.DataFrame({"row": diff_row, "d": diffs["difference"].to_numpy(),
                            "count": diffs["count"].to_numpy()})
    by_pair = {r: part for r, part in changes[changes["row"] >= 0].groupby("row")}
    for pos in np.flatnonzero(paired):
        part = by_pair.get(pos)
        if part is None:
            continue
        d = np.repeat(part["d"].to_numpy(), part["count"].to_numpy(dtype=np.int64))
        res = paired_change(np.zeros_like(d), d, bootstrap=True,
                            n_resamples=_BOOTSTRAP_RESAMPLES,
                            seed=_seed_for(seed, ("change", *keys[pos])))
        cols["change_ci_low"][pos], cols["change_ci_high"][pos] = \
            res[["ci_low", "ci_high"]].to_numpy()[0]
    if independent.any():
        both = _both_distributions(aggregates, rows, independent)
        for row, part in both.groupby("row"):
            at = int(cast(int, row))
            x = np.repeat(part["value"].to_numpy(), part["before"].to_numpy(dtype=np.int64))
            y = np.repeat(part["value"].to_numpy(), part["after"].to_numpy(dtype=np.int64))
            res = independent_change(x, y, bootstrap=True, n_resamples=_BOOTSTRAP_RESAMPLES,
                                     seed=_seed_for(seed, ("change", *keys[at])))
            cols["change_ci_low"][at], cols["change_ci_high"][at] = \
                res[["ci_low", "ci_high"]].to_numpy()[0]
    out.note(mask, f"bootstrap BCa intervals ({_BOOTSTRAP_RESAMPLES} resamples, seed {seed})")
