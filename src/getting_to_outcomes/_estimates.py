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

Design: units matched by id between the baseline and the row's period make the design
*paired* when there are at least 2 pairs and they are at least half of the smaller of the
two samples; otherwise the two samples are compared as *independent* (and the row notes how
many units they share). Count, rate and pooled-ratio measures are always compared as
independent totals.

Poisson formulas (not part of :mod:`getting_to_outcomes.stats`): the exact interval of a
count ``x`` is ``chi2(a/2; 2x) / 2`` to ``chi2(1 - a/2; 2x + 2) / 2`` (Garwood 1936); two
counts ``x1`` and ``x2`` with exposures ``E1`` and ``E2`` are compared by the exact binomial
test of ``x2`` in ``x1 + x2`` trials with probability ``E2 / (E1 + E2)`` (Przyborowski &
Wilenski 1940); the interval of the difference of rates is the normal approximation
``d -/+ z sqrt(x1 / E1^2 + x2 / E2^2)``.
"""

from __future__ import annotations

import zlib
from collections.abc import Collection, Mapping
from typing import Any, cast

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import stats as sps

from getting_to_outcomes._aggregate import KEY, Aggregates, key_codes, positions
from getting_to_outcomes._measures import Family
from getting_to_outcomes._ranks import mann_whitney_from_counts, wilcoxon_from_counts
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

__all__ = ["ESTIMATE_COLUMNS", "estimate", "locate"]

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
ObjectArray = npt.NDArray[np.object_]

#: Columns returned by :func:`estimate`, besides ``notes`` (a list of texts per row).
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
_PAIRED_SHARE = 0.5
_BOOTSTRAP_RESAMPLES = 9999


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


def locate(table: pd.DataFrame, rows: pd.DataFrame, key: list[str] | None = None) -> npt.NDArray[
        np.int64]:
    """Position in ``rows`` of each row of ``table`` with the same key (-1 where none)."""
    columns = KEY if key is None else key
    if table.empty:
        return np.empty(0, dtype=np.int64)
    mine, theirs = key_codes([rows[columns], table[columns]], columns)
    return positions(mine, theirs)


class _Out:
    """The estimate columns as arrays, and a list of notes per row."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.columns: dict[str, Any] = {
            c: np.full(n, None, dtype=object) if c in _TEXT else np.full(n, np.nan)
            for c in ESTIMATE_COLUMNS
        }
        self.columns["design"][:] = "none"
        self.notes: dict[int, list[str]] = {}

    def note(self, mask: BoolArray, text: str | Any) -> None:
        """A note on the masked rows: one text for all, or one per masked row."""
        positions = np.flatnonzero(mask).tolist()
        texts = [text] * len(positions) if isinstance(text, str) else list(text)
        for pos, item in zip(positions, texts, strict=True):
            if isinstance(item, str) and item:
                self.notes.setdefault(pos, []).append(item)

    def change(self, mask: BoolArray, res: pd.DataFrame) -> None:
        """Copy a change table of :mod:`getting_to_outcomes.stats` into the masked rows."""
        for source, target in _CHANGE_COLUMNS.items():
            self.columns[target][mask] = res[source].to_numpy()
        self.note(mask, res["note"].to_numpy(dtype=object))

    def frame(self, index: pd.Index) -> pd.DataFrame:
        out = pd.DataFrame(self.columns, index=index, columns=ESTIMATE_COLUMNS)
        notes = np.empty(self.n, dtype=object)
        for pos in range(self.n):
            notes[pos] = self.notes.get(pos, [])
        out["notes"] = pd.Series(notes, index=index, dtype=object)
        return out


def _per_row(where: npt.NDArray[np.int64], weights: FloatArray, n: int) -> FloatArray:
    ok = where >= 0
    return np.bincount(where[ok], weights=weights[ok], minlength=n).astype(np.float64)


def estimate(
    rows: pd.DataFrame,
    aggregates: Aggregates,
    families: Mapping[str, Family],
    *,
    thresholds: Mapping[str, float],
    ladders: Collection[str] = (),
    per: Mapping[str, float],
    confidence: float,
    bootstrap: bool,
    seed: int,
) -> pd.DataFrame:
    """Value, interval and change from baseline of every row.

    Parameters
    ----------
    rows : DataFrame
        Columns KEY, ``is_baseline``, ``b_period``, the cell statistics (``n``, ``sum``,
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
    confidence : float
        Coverage of the intervals.
    bootstrap : bool
        BCa bootstrap intervals for the ``mean`` family.
    seed : int
        Seed of the bootstrap.

    Returns
    -------
    DataFrame
        Indexed like ``rows``, columns :data:`ESTIMATE_COLUMNS` and ``notes`` (a list of
        strings per row).
    """
    n = len(rows)
    out = _Out(n)
    cols = out.columns
    family = rows["indicator_id"].map(families).to_numpy(dtype=object)
    count_now = rows["n"].to_numpy(dtype=np.float64)
    count_base = rows["b_n"].to_numpy(dtype=np.float64)
    later = ~rows["is_baseline"].to_numpy(dtype=bool)
    has_base = ~np.isnan(count_base) & later
    cols["n"][:] = count_now
    cols["baseline_n"][:] = count_base

    # Matched units, per row.
    pair_row = locate(aggregates.pair_sums, rows)
    table = aggregates.pair_sums
    n_pairs = _per_row(pair_row, table["n_pairs"].to_numpy(dtype=np.float64), n)
    sum_before = _per_row(pair_row, table["sum_before"].to_numpy(dtype=np.float64), n)
    sum_after = _per_row(pair_row, table["sum_after"].to_numpy(dtype=np.float64), n)
    smaller = np.fmin(count_now, np.nan_to_num(count_base))
    can_pair = has_base & (n_pairs >= 2) & (n_pairs >= _PAIRED_SHARE * smaller)
    with_both = has_base & (count_now > 0) & (np.nan_to_num(count_base) > 0)

    def overlap(mask: BoolArray) -> None:
        shared = mask & (n_pairs > 0)
        out.note(shared, [f"{int(k)} unit(s) appear in both periods, too few to pair; "
                          "compared as independent samples" for k in n_pairs[shared]])

    # ---- mean family -----------------------------------------------------------------
    mask = family == "mean"
    if mask.any():
        now = mean_ci_from_moments(count_now[mask], rows["sum"].to_numpy()[mask],
                                   rows["sum_sq"].to_numpy()[mask], confidence=confidence)
        cols["value"][mask] = now["mean"].to_numpy()
        cols["ci_low"][mask] = now["ci_low"].to_numpy()
        cols["ci_high"][mask] = now["ci_high"].to_numpy()
        base = mean_ci_from_moments(np.nan_to_num(count_base[mask]),
                                    rows["b_sum"].fillna(0).to_numpy()[mask],
                                    rows["b_sum_sq"].fillna(0).to_numpy()[mask],
                                    confidence=confidence)
        cols["baseline_value"][mask] = base["mean"].to_numpy()
        out.note(mask & (count_now == 1), "a single value: no interval")
        paired = mask & can_pair
        independent = mask & with_both & ~paired
        diffs = aggregates.differences
        diff_row = locate(diffs, rows)
        if paired.any():
            d = diffs["difference"].to_numpy(dtype=np.float64)
            c = diffs["count"].to_numpy(dtype=np.float64)
            sum_d = _per_row(diff_row, c * d, n)
            sumsq_d = _per_row(diff_row, c * d * d, n)
            res = paired_change_from_moments(
                n_pairs[paired], sum_d[paired], sumsq_d[paired],
                sum_before[paired] / n_pairs[paired], sum_after[paired] / n_pairs[paired],
                confidence=confidence)
            out.change(paired, res)
            keep = (diff_row >= 0) & paired[np.maximum(diff_row, 0)]
            ranks = wilcoxon_from_counts(pd.DataFrame({
                "row": diff_row[keep], "before": 0.0, "after": d[keep], "count": c[keep]}))
            _rank_notes(out, paired, ranks, "Wilcoxon signed-rank V", smaller)
        if independent.any():
            sub = rows[independent]
            res = independent_change_from_moments(
                sub["b_n"], sub["b_sum"], sub["b_sum_sq"], sub["n"], sub["sum"], sub["sum_sq"],
                confidence=confidence)
            out.change(independent, res)
            ranks = mann_whitney_from_counts(_both_distributions(aggregates, rows, independent))
            _rank_notes(out, independent, ranks, "Mann-Whitney U", smaller)
        if bootstrap:
            _bootstrap(out, rows, aggregates, mask, paired, independent, diff_row, confidence,
                       seed)
        overlap(mask & has_base & ~paired)
    # ---- share family ----------------------------------------------------------------
    mask = family == "share"
    if mask.any():
        successes = rows["successes"].fillna(0).to_numpy()
        now = proportion_ci(successes[mask], count_now[mask], confidence=confidence)
        cols["value"][mask] = now["proportion"].to_numpy()
        cols["ci_low"][mask] = now["ci_low"].to_numpy()
        cols["ci_high"][mask] = now["ci_high"].to_numpy()
        with np.errstate(divide="ignore", invalid="ignore"):
            cols["baseline_value"][mask] = (rows["b_successes"].to_numpy() / count_base)[mask]
        paired = mask & can_pair
        independent = mask & with_both & ~paired
        if paired.any():
            moves = aggregates.transitions
            where = locate(moves, rows)
            b = moves["before"].to_numpy(dtype=np.float64)
            a = moves["after"].to_numpy(dtype=np.float64)
            c = moves["count"].to_numpy(dtype=np.float64)
            thr = moves["indicator_id"].map(thresholds).to_numpy(dtype=np.float64)
            yes_b, yes_a = b >= thr, a >= thr
            cells = [_per_row(where, c * (yes_b & yes_a), n),
                     _per_row(where, c * (yes_b & ~yes_a), n),
                     _per_row(where, c * (~yes_b & yes_a), n),
                     _per_row(where, c * (~yes_b & ~yes_a), n)]
            res = paired_proportion_change(*(x[paired] for x in cells), confidence=confidence)
            out.change(paired, res)
            ladder = paired & rows["indicator_id"].isin(list(ladders)).to_numpy()
            up = _per_row(where, c * (a > b), n)
            down = _per_row(where, c * (a < b), n)
            out.note(ladder, [f"{int(u)} moved up and {int(d_)} down among {int(k)} matched"
                              for u, d_, k in zip(up[ladder], down[ladder], n_pairs[ladder],
                                                  strict=True)])
        if independent.any():
            res = proportion_change(
                rows["b_successes"].to_numpy()[independent], count_base[independent],
                successes[independent], count_now[independent], confidence=confidence)
            out.change(independent, res)
        overlap(mask & has_base & ~paired)
    # ---- pooled ratio ----------------------------------------------------------------
    mask = family == "ratio"
    if mask.any():
        num, den = rows["sum"].to_numpy(), rows["denominator"].to_numpy()
        bnum, bden = rows["b_sum"].to_numpy(), rows["b_denominator"].to_numpy()
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
        x = rows["sum"].to_numpy(dtype=np.float64)
        bx = rows["b_sum"].to_numpy(dtype=np.float64)
        exposure: FloatArray
        b_exposure: FloatArray
        scale: FloatArray
        if kind == "count":
            exposure = b_exposure = scale = np.ones(n)
        else:
            exposure = np.asarray(rows["denominator"], dtype=np.float64)
            b_exposure = np.asarray(rows["b_denominator"], dtype=np.float64)
            scale = np.asarray(rows["indicator_id"].map(per), dtype=np.float64)
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
    return out.frame(rows.index)


def _both_distributions(aggregates: Aggregates, rows: pd.DataFrame,
                        mask: BoolArray) -> pd.DataFrame:
    """Baseline and current distributions of the masked rows side by side, per row position.

    Several rows (periods) share one baseline cell, so the baseline side is a join on the
    key codes rather than a lookup.
    """
    values = aggregates.values
    count = values["count"].to_numpy(dtype=np.float64)
    value = values["value"].to_numpy(dtype=np.float64)
    now = locate(values, rows)
    keep_now = (now >= 0) & mask[np.maximum(now, 0)]
    positions = np.flatnonzero(mask)
    base_keys = rows.iloc[positions].assign(period=rows["b_period"].to_numpy()[positions])
    wanted, have = key_codes([base_keys[KEY], values[KEY]], KEY)
    then = pd.DataFrame({"code": wanted, "row": positions}).merge(
        pd.DataFrame({"code": have, "value": value, "before": count}), on="code")
    table = pd.concat([
        pd.DataFrame({"row": now[keep_now], "value": value[keep_now], "after": count[keep_now],
                      "before": 0.0}),
        then[["row", "value", "before"]].assign(after=0.0),
    ], ignore_index=True)
    return table.groupby(["row", "value"], sort=True)[["before", "after"]].sum().reset_index()


def _rank_notes(out: _Out, mask: BoolArray, ranks: pd.DataFrame, label: str,
                sizes: FloatArray) -> None:
    positions = np.flatnonzero(mask)
    found = ranks.reindex(positions)
    exact = found["exact"].fillna(False).to_numpy(dtype=bool)
    texts = [
        "" if np.isnan(p) or size < 2 else
        f"{label} = {s:g}, p = {p:.3g} ({'exact' if x else 'normal approximation'}; "
        f"rank-biserial {e:.2f})"
        for s, p, e, x, size in zip(found["statistic"].to_numpy(dtype=np.float64),
                                    found["p_value"].to_numpy(dtype=np.float64),
                                    found["effect_size"].to_numpy(dtype=np.float64), exact,
                                    sizes[positions], strict=True)
    ]
    out.note(mask, texts)


def _bootstrap(
    out: _Out, rows: pd.DataFrame, aggregates: Aggregates, mask: BoolArray, paired: BoolArray,
    independent: BoolArray, diff_row: npt.NDArray[np.int64], confidence: float, seed: int,
) -> None:
    """BCa bootstrap intervals of the value and the change, rebuilt from the distributions."""
    cols = out.columns
    keys = rows[KEY].to_numpy(dtype=object)
    values = aggregates.values
    where = locate(values, rows)
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
