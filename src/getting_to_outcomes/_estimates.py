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
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import stats as sps

from getting_to_outcomes._aggregate import KEY, Aggregates
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

__all__ = ["ESTIMATE_COLUMNS", "estimate"]

FloatArray = npt.NDArray[np.float64]

#: Columns returned by :func:`estimate`, besides ``notes`` (a list of texts per row).
ESTIMATE_COLUMNS = [
    "n", "value", "ci_low", "ci_high", "baseline_n", "baseline_value", "design", "n_pairs",
    "change", "change_ci_low", "change_ci_high", "test", "statistic", "p_value",
    "effect_size", "effect_size_name",
]
#: Columns of a change table of :mod:`getting_to_outcomes.stats` -> summary columns.
_CHANGE_COLUMNS = {
    "design": "design", "change": "change", "ci_low": "change_ci_low",
    "ci_high": "change_ci_high", "test": "test", "statistic": "statistic",
    "p_value": "p_value", "effect_size": "effect_size", "effect_size_name": "effect_size_name",
}
_PAIRED_SHARE = 0.5
_BOOTSTRAP_RESAMPLES = 9999


def _whole(x: FloatArray) -> npt.NDArray[np.bool_]:
    return np.isfinite(x) & (x >= 0) & (x == np.round(x))


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
) -> dict[str, Any]:
    """Difference of two Poisson rates, its interval, the exact conditional test, rate ratio."""
    z = float(sps.norm.ppf(0.5 + confidence / 2.0))
    with np.errstate(divide="ignore", invalid="ignore"):
        r1, r2 = x1 / e1, x2 / e2
        diff = (r2 - r1) * per
        half = z * np.sqrt(x1 / e1**2 + x2 / e2**2) * per
        ratio = np.where((x1 > 0) & (e1 > 0) & (e2 > 0), r2 / r1, np.nan)
    p = np.full(x1.shape, np.nan)
    ok = _whole(x1) & _whole(x2) & (x1 + x2 > 0) & (e1 > 0) & (e2 > 0)
    for i in np.flatnonzero(ok):
        p[i] = sps.binomtest(int(x2[i]), int(x1[i] + x2[i]), e2[i] / (e1[i] + e2[i])).pvalue
    return {"change": diff, "ci_low": diff - half, "ci_high": diff + half, "p_value": p,
            "effect_size": ratio}


def _seed_for(seed: int, key: tuple[object, ...]) -> int:
    """A seed per row that depends only on the run's seed and the row's key."""
    text = "\x1f".join(str(k) for k in key).encode()
    state = np.random.SeedSequence([seed, zlib.crc32(text)]).generate_state(1, dtype=np.uint32)
    return int(state[0])


def _pair_moments(pairs: pd.DataFrame, threshold: Mapping[str, float]) -> pd.DataFrame:
    """Per row: pairs, sums of differences, means, and the 2 x 2 counts around a threshold."""
    if pairs.empty:
        return pd.DataFrame(columns=["n_pairs", "sum_d", "sumsq_d", "sum_b", "sum_a", "yy",
                                     "yn", "ny", "nn", "up", "down"])
    c = pairs["count"].to_numpy()
    b = pairs["before"].to_numpy()
    a = pairs["after"].to_numpy()
    d = a - b
    thr = pairs["indicator_id"].map(threshold).to_numpy(dtype=np.float64)
    yes_b, yes_a = b >= thr, a >= thr
    table = pd.DataFrame({
        "row": pairs["row"].to_numpy(), "n_pairs": c, "sum_d": c * d, "sumsq_d": c * d * d,
        "sum_b": c * b, "sum_a": c * a,
        "yy": c * (yes_b & yes_a), "yn": c * (yes_b & ~yes_a),
        "ny": c * (~yes_b & yes_a), "nn": c * (~yes_b & ~yes_a),
        "up": c * (d > 0), "down": c * (d < 0),
    })
    return table.groupby("row").sum()


def _put_change(out: pd.DataFrame, mask: npt.NDArray[np.bool_], res: pd.DataFrame) -> pd.Series:
    """Copy a change table of :mod:`getting_to_outcomes.stats` into the masked rows."""
    for source, target in _CHANGE_COLUMNS.items():
        out.loc[mask, target] = res[source].to_numpy()
    return pd.Series(res["note"].to_numpy(), index=out.index[mask])


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
        Columns KEY, ``row`` (a unique integer id), ``is_baseline``, the cell statistics
        (``n``, ``sum``, ``sum_sq``, ``denominator``, ``successes``) and the same of the
        baseline cell prefixed ``b_`` (NaN where there is none).
    aggregates : Aggregates
        For the distributions and pairs.
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
    out = pd.DataFrame(index=rows.index, columns=ESTIMATE_COLUMNS, dtype=object)
    numeric = [c for c in ESTIMATE_COLUMNS if c not in ("design", "test", "effect_size_name")]
    out[numeric] = np.nan
    out = out.astype({c: "float64" for c in numeric})
    out["design"] = "none"
    out["test"] = None
    out["effect_size_name"] = None
    notes: list[list[str]] = [[] for _ in range(len(rows))]
    position = pd.Series(np.arange(len(rows)), index=rows.index)
    family = rows["indicator_id"].map(families)
    later = ~rows["is_baseline"].to_numpy(dtype=bool)
    has_base = rows["b_n"].notna().to_numpy() & later
    pairs = aggregates.pairs.merge(rows[[*KEY, "row"]], on=KEY, how="inner") \
        if not aggregates.pairs.empty else aggregates.pairs.assign(row=pd.Series(dtype="int64"))
    moments = _pair_moments(pairs, thresholds).reindex(rows["row"].to_numpy()).fillna(0.0)
    moments.index = rows.index
    out["baseline_n"] = rows["b_n"].to_numpy()
    out["n"] = rows["n"].to_numpy()

    def add_note(mask: Any, text: str | pd.Series) -> None:
        for label in rows.index[np.asarray(mask, dtype=bool)]:
            item = text if isinstance(text, str) else text.loc[label]
            if isinstance(item, str) and item:
                notes[position[label]].append(item)

    def paired_rows(mask: npt.NDArray[np.bool_]) -> npt.NDArray[np.bool_]:
        n_pairs = moments["n_pairs"].to_numpy()
        smaller = np.fmin(rows["n"].to_numpy(), rows["b_n"].fillna(0).to_numpy())
        return mask & (n_pairs >= 2) & (n_pairs >= _PAIRED_SHARE * smaller)

    # ---- mean family -----------------------------------------------------------------
    mask = (family == "mean").to_numpy()
    if mask.any():
        sub = rows[mask]
        now = mean_ci_from_moments(sub["n"], sub["sum"], sub["sum_sq"], confidence=confidence)
        out.loc[mask, ["value", "ci_low", "ci_high"]] = now[["mean", "ci_low", "ci_high"]].to_numpy()
        base = mean_ci_from_moments(sub["b_n"].fillna(0), sub["b_sum"].fillna(0),
                                    sub["b_sum_sq"].fillna(0), confidence=confidence)
        out.loc[mask, "baseline_value"] = base["mean"].to_numpy()
        add_note(mask & (rows["n"].to_numpy() == 1), "a single value: no interval")
        paired = paired_rows(mask & has_base)
        independent = mask & has_base & ~paired & (rows["n"].to_numpy() > 0) \
            & (rows["b_n"].to_numpy() > 0)
        if paired.any():
            m = moments[paired]
            res = paired_change_from_moments(
                m["n_pairs"], m["sum_d"], m["sumsq_d"], m["sum_b"] / m["n_pairs"],
                m["sum_a"] / m["n_pairs"], confidence=confidence)
            add_note(paired, _put_change(out, paired, res))
            ranks = wilcoxon_from_counts(pairs[pairs["row"].isin(rows.loc[paired, "row"])])
            _rank_notes(add_note, rows, paired, ranks, "Wilcoxon signed-rank V")
        if independent.any():
            sub = rows[independent]
            res = independent_change_from_moments(
                sub["b_n"], sub["b_sum"], sub["b_sum_sq"], sub["n"], sub["sum"], sub["sum_sq"],
                confidence=confidence)
            add_note(independent, _put_change(out, independent, res))
            ranks = mann_whitney_from_counts(_value_pairs(aggregates, rows[independent]))
            _rank_notes(add_note, rows, independent, ranks, "Mann-Whitney U")
        if bootstrap:
            _bootstrap(out, rows, aggregates, pairs, mask, paired, independent, confidence,
                       seed, add_note)
        _overlap_notes(add_note, rows, moments, mask & has_base & ~paired)
    # ---- share family ----------------------------------------------------------------
    mask = (family == "share").to_numpy()
    if mask.any():
        sub = rows[mask]
        now = proportion_ci(sub["successes"].fillna(0), sub["n"], confidence=confidence)
        out.loc[mask, ["value", "ci_low", "ci_high"]] = \
            now[["proportion", "ci_low", "ci_high"]].to_numpy()
        with np.errstate(divide="ignore", invalid="ignore"):
            out.loc[mask, "baseline_value"] = (sub["b_successes"] / sub["b_n"]).to_numpy()
        paired = paired_rows(mask & has_base)
        independent = mask & has_base & ~paired & (rows["n"].to_numpy() > 0) \
            & (rows["b_n"].to_numpy() > 0)
        if paired.any():
            m = moments[paired]
            res = paired_proportion_change(m["yy"], m["yn"], m["ny"], m["nn"],
                                           confidence=confidence)
            add_note(paired, _put_change(out, paired, res))
            ladder = paired & rows["indicator_id"].isin(ladders).to_numpy()
            moved = moments[ladder]
            add_note(ladder, pd.Series(
                [f"{int(u)} moved up and {int(d)} down among {int(n)} matched"
                 for u, d, n in zip(moved["up"], moved["down"], moved["n_pairs"], strict=True)],
                index=rows.index[ladder]))
        if independent.any():
            sub = rows[independent]
            res = proportion_change(sub["b_successes"], sub["b_n"], sub["successes"], sub["n"],
                                    confidence=confidence)
            add_note(independent, _put_change(out, independent, res))
        _overlap_notes(add_note, rows, moments, mask & has_base & ~paired)
    # ---- pooled ratio ----------------------------------------------------------------
    mask = (family == "ratio").to_numpy()
    if mask.any():
        num, den = rows["sum"].to_numpy(), rows["denominator"].to_numpy()
        counts = mask & _whole(num) & _whole(den) & (num <= den)
        with np.errstate(divide="ignore", invalid="ignore"):
            out.loc[mask, "value"] = (num / den)[mask]
            out.loc[mask, "baseline_value"] = (rows["b_sum"] / rows["b_denominator"]).to_numpy()[
                mask]
        if counts.any():
            now = proportion_ci(num[counts], den[counts], confidence=confidence)
            out.loc[counts, ["ci_low", "ci_high"]] = now[["ci_low", "ci_high"]].to_numpy()
        add_note(mask & ~counts & (den > 0),
                 "numerator and denominator are not whole counts: no interval")
        bnum, bden = rows["b_sum"].to_numpy(), rows["b_denominator"].to_numpy()
        both = counts & has_base & _whole(bnum) & _whole(bden) & (bnum <= bden) & (bden > 0) \
            & (den > 0)
        if both.any():
            res = proportion_change(bnum[both], bden[both], num[both], den[both],
                                    confidence=confidence)
            add_note(both, _put_change(out, both, res))
            add_note(both, "pooled counts compared as independent samples")
    # ---- counts and rates ------------------------------------------------------------
    for kind in ("count", "rate"):
        mask = (family == kind).to_numpy()
        if not mask.any():
            continue
        x = rows["sum"].to_numpy()
        bx = rows["b_sum"].to_numpy()
        if kind == "count":
            exposure = np.ones(len(rows))
            b_exposure = np.ones(len(rows))
            scale = np.ones(len(rows))
        else:
            exposure = rows["denominator"].to_numpy()
            b_exposure = rows["b_denominator"].to_numpy()
            scale = rows["indicator_id"].map(per).to_numpy(dtype=np.float64)
        low, high = poisson_interval(x, confidence)
        with np.errstate(divide="ignore", invalid="ignore"):
            value = np.where(exposure > 0, x / exposure * scale, np.nan)
            out.loc[mask, "value"] = value[mask]
            out.loc[mask, "ci_low"] = np.where(exposure > 0, low / exposure * scale, np.nan)[mask]
            out.loc[mask, "ci_high"] = np.where(exposure > 0, high / exposure * scale,
                                                np.nan)[mask]
            out.loc[mask, "baseline_value"] = np.where(b_exposure > 0,
                                                       bx / b_exposure * scale, np.nan)[mask]
        add_note(mask & ~_whole(x) & (rows["n"].to_numpy() > 0),
                 "the total is not a whole number: no Poisson interval")
        both = mask & has_base & (exposure > 0) & (b_exposure > 0)
        if both.any():
            res = _rate_change(bx[both], b_exposure[both], x[both], exposure[both], confidence,
                               scale[both])
            out.loc[both, "design"] = "independent"
            out.loc[both, "test"] = "poisson_exact"
            out.loc[both, "change"] = res["change"]
            out.loc[both, "change_ci_low"] = res["ci_low"]
            out.loc[both, "change_ci_high"] = res["ci_high"]
            out.loc[both, "p_value"] = res["p_value"]
            out.loc[both, "effect_size"] = res["effect_size"]
            out.loc[both, "effect_size_name"] = "rate_ratio"
    out["n_pairs"] = np.where(out["design"] == "paired", moments["n_pairs"].to_numpy(), np.nan)
    out["notes"] = notes
    return out


def _value_pairs(aggregates: Aggregates, rows: pd.DataFrame) -> pd.DataFrame:
    """Baseline and current distributions side by side, per row id."""
    values = aggregates.values
    now = values.merge(rows[[*KEY, "row"]], on=KEY)
    base_key = rows[["indicator_id", "group", "dimension", "subgroup", "row"]].assign(
        period=rows["b_period"])
    before = values.merge(base_key, on=KEY)
    table = pd.concat([
        now[["row", "value", "count"]].rename(columns={"count": "after"}).assign(before=0.0),
        before[["row", "value", "count"]].rename(columns={"count": "before"}).assign(after=0.0),
    ], ignore_index=True)
    return table.groupby(["row", "value"], sort=True)[["before", "after"]].sum().reset_index()


def _rank_notes(
    add_note: Any, rows: pd.DataFrame, mask: npt.NDArray[np.bool_], ranks: pd.DataFrame,
    label: str,
) -> None:
    found = ranks.reindex(rows.loc[mask, "row"].to_numpy())
    kind = np.where(found["exact"].fillna(False).to_numpy(dtype=bool), "exact",
                    "normal approximation")
    sizes = np.minimum(rows.loc[mask, "n"].to_numpy(dtype=np.float64),
                       rows.loc[mask, "b_n"].to_numpy(dtype=np.float64))
    texts = [
        "" if np.isnan(p) or size < 2 else
        f"{label} = {s:g}, p = {p:.3g} ({k}; rank-biserial {e:.2f})"
        for s, p, e, k, size in zip(found["statistic"].to_numpy(dtype=np.float64),
                                    found["p_value"].to_numpy(dtype=np.float64),
                                    found["effect_size"].to_numpy(dtype=np.float64), kind,
                                    sizes, strict=True)
    ]
    add_note(mask, pd.Series(texts, index=rows.index[mask]))


def _overlap_notes(
    add_note: Any, rows: pd.DataFrame, moments: pd.DataFrame, mask: npt.NDArray[np.bool_]
) -> None:
    shared = moments["n_pairs"].to_numpy()
    where = mask & (shared > 0)
    if where.any():
        add_note(where, pd.Series(
            [f"{int(s)} unit(s) appear in both periods, too few to pair; compared as "
             "independent samples" for s in shared[where]], index=rows.index[where]))


def _bootstrap(
    out: pd.DataFrame, rows: pd.DataFrame, aggregates: Aggregates, pairs: pd.DataFrame,
    mask: npt.NDArray[np.bool_], paired: npt.NDArray[np.bool_],
    independent: npt.NDArray[np.bool_], confidence: float, seed: int, add_note: Any,
) -> None:
    """BCa bootstrap intervals of the value and the change, rebuilt from the distributions."""
    values = aggregates.values.merge(rows[[*KEY, "row"]], on=KEY)
    by_row = {r: part for r, part in values.groupby("row")}
    base_values = _value_pairs(aggregates, rows[independent]) if independent.any() else None
    pair_rows = {r: part for r, part in pairs.groupby("row")} if not pairs.empty else {}
    for label in rows.index[mask]:
        row = rows.loc[label]
        key = tuple(row[k] for k in KEY)
        part = by_row.get(row["row"])
        if part is None or part["count"].sum() < 2:
            continue
        sample = np.repeat(part["value"].to_numpy(), part["count"].to_numpy(dtype=np.int64))
        if np.ptp(sample) > 0:
            res = sps.bootstrap((sample,), np.mean, confidence_level=confidence, method="BCa",
                                n_resamples=_BOOTSTRAP_RESAMPLES,
                                rng=np.random.default_rng(_seed_for(seed, key)))
            out.loc[label, ["ci_low", "ci_high"]] = [res.confidence_interval.low,
                                                    res.confidence_interval.high]
    for label in rows.index[paired]:
        row = rows.loc[label]
        part = pair_rows.get(row["row"])
        if part is None:
            continue
        counts = part["count"].to_numpy(dtype=np.int64)
        res = paired_change(np.repeat(part["before"].to_numpy(), counts),
                            np.repeat(part["after"].to_numpy(), counts), bootstrap=True,
                            n_resamples=_BOOTSTRAP_RESAMPLES,
                            seed=_seed_for(seed, ("change", *(row[k] for k in KEY))))
        out.loc[label, ["change_ci_low", "change_ci_high"]] = \
            res[["ci_low", "ci_high"]].to_numpy()[0]
    if base_values is not None:
        for label in rows.index[independent]:
            row = rows.loc[label]
            part = base_values[base_values["row"] == row["row"]]
            x = np.repeat(part["value"].to_numpy(), part["before"].to_numpy(dtype=np.int64))
            y = np.repeat(part["value"].to_numpy(), part["after"].to_numpy(dtype=np.int64))
            res = independent_change(x, y, bootstrap=True, n_resamples=_BOOTSTRAP_RESAMPLES,
                                     seed=_seed_for(seed, ("change", *(row[k] for k in KEY))))
            out.loc[label, ["change_ci_low", "change_ci_high"]] = \
                res[["ci_low", "ci_high"]].to_numpy()[0]
    add_note(mask, f"bootstrap BCa intervals ({_BOOTSTRAP_RESAMPLES} resamples, seed {seed})")
