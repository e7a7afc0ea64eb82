"""Targets, progress, statuses, rubric levels and the 0-100 score of each indicator row.

Everything here is vectorized over the rows of the summary table and has no knowledge of
how the values were estimated.

Progress
    ``(current - baseline) / (target - baseline)``; NaN without a target, or when the target
    is not ahead of the baseline in the good direction (equal to it, or already met). The
    baseline is, in order of preference: the grantee's own baseline from the ``targets``
    table, the value observed in the baseline period, the baseline in the indicator's YAML.
    The target is the first target at or after the row's period (the last one when all lie
    before it), from the ``targets`` table or else the YAML.

Statuses
    ``target_achieved``, ``on_track``, ``needs_acceleration``, ``limited``,
    ``deteriorating``, ``insufficient_data``; rows of the baseline period itself are not
    assessed (status missing). Thresholds come from the framework's ``status_rules``.

    *growth_ratio* (Open SDG / Statistics Canada progress measure). With a target ``y_T`` at
    time ``t_T``: ``CAGR(y) = (y / y_0) ** (1 / (t - t_0)) - 1`` and the ratio
    ``R = s * d * CAGR_observed / |CAGR_required|`` (``d`` +1 when higher is better, -1 when
    lower is better; ``s`` -1 when the baseline is negative) is compared with ``on_track``,
    ``needs_acceleration`` and ``limited``; the target is achieved when the current value is
    at or beyond it. Without a target the observed ``s * d * CAGR`` is compared with
    ``no_target_on_track`` and ``no_target_needs_acceleration`` (and 0). Where a growth rate
    cannot be taken (a baseline of zero, or values of opposite signs) the same ratio is
    formed from linear change per period instead, and the row says so.

    *tolerance*. With a target, the target expected by now is interpolated linearly between
    the baseline and the target; within ``tolerance`` (relative) of it, or better, is
    ``on_track``; otherwise the share of the expected change achieved so far is compared with
    ``needs_acceleration`` and ``limited``. Without a target, change beyond the band in the
    good direction is ``on_track``, change within the band ``limited``, and change beyond it
    in the wrong direction ``deteriorating``.

    Direction ``maintain``: within ``tolerance`` of the target (or of the baseline without a
    target) is ``on_track``, outside it ``deteriorating``.

    A status is *uncertain* when the statuses at the two ends of the value's confidence
    interval differ, that is, when the interval spans a threshold.

    Rounding. A value equal to its target, its baseline or the period target up to 12
    significant decimals is taken as equal to it, and ratios and growth rates are rounded to
    12 decimals before they meet a threshold: the same mean summed in another order (another
    engine, another row order) differs in its last bits and must get the same status.

    *Target met, declining* (``target_met_declining``). A value at or beyond its target
    whose interval lies wholly on the wrong side of the baseline (below it when higher is
    better, above it when lower is better) has met the target while declining
    significantly: it happens when the target was already met at baseline. Such a row says
    both, never ``target_achieved`` alone. The interval is the change's confidence interval
    shifted onto the value when progress is measured from the observed baseline, so the rule
    reads "the change's interval excludes zero in the wrong direction".

Time
    Periods whose labels are all numbers (years) are placed at those numbers; otherwise at
    their positions in the source's period order (0, 1, 2...), so growth is per period.

References
----------
Statistics Canada / Open SDG, *Progress Measurement Methodology for the Sustainable
Development Goals*, https://open-sdg.readthedocs.io/en/latest/progress-methodology/ (after the
Eurostat SDG progress method).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd

from getting_to_outcomes.definitions.models import Indicator, StatusRules

__all__ = [
    "STATUSES",
    "assess",
    "period_times",
    "rubric_levels",
    "score_0_100",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

#: Statuses from best to worst, then the one for rows that cannot be assessed.
STATUSES: tuple[str, ...] = (
    "target_achieved", "target_met_declining", "on_track", "needs_acceleration", "limited",
    "deteriorating", "insufficient_data",
)
DIRECTION_SIGN = {"increase": 1.0, "decrease": -1.0, "maintain": 0.0}
# Statuses are worked out as their positions in STATUSES, and written out once at the end.
_ACHIEVED, _MET_DECLINING, _ON_TRACK, _NEEDS_ACCELERATION, _LIMITED, _DETERIORATING, \
    _INSUFFICIENT = range(len(STATUSES))
_STATUS_TEXT = np.array(STATUSES, dtype=object)


def period_times(order: Sequence[str]) -> dict[str, float]:
    """Where each period lies in time: its number when all labels are numbers, else its rank."""
    try:
        return {p: float(p) for p in order}
    except ValueError:
        return {p: float(i) for i, p in enumerate(order)}


#: Decimals a ratio or growth rate is rounded to before it meets a threshold.
_DECIMALS = 12


def _settled(value: FloatArray, *references: FloatArray) -> FloatArray:
    """``value`` with each element equal to a reference up to rounding replaced by it.

    A mean summed in another order (another engine, another row order) differs in its last
    bits: without this, a value equal to its baseline could read as a decline by 1e-16 and
    a ratio on a threshold fall either side of it.
    """
    out = value.copy()
    for reference in references:
        with np.errstate(invalid="ignore"):
            scale = np.maximum(np.maximum(np.abs(out), np.abs(reference)), 1.0)
            close = np.abs(out - reference) <= scale * 10.0**-_DECIMALS
        out = np.where(close, reference, out)
    return out


def _ratio_status(ratio: FloatArray, rules: StatusRules) -> IntArray:
    ratio = np.round(ratio, _DECIMALS)
    return np.select(
        [ratio >= rules.on_track, ratio >= rules.needs_acceleration, ratio >= rules.limited,
         ratio < rules.limited],
        [_ON_TRACK, _NEEDS_ACCELERATION, _LIMITED, _DETERIORATING],
        default=_INSUFFICIENT,
    )


def _growth(value: FloatArray, base: FloatArray, elapsed: FloatArray) -> FloatArray:
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = value / base
        usable = np.isfinite(ratio) & (ratio > 0)
        grown: FloatArray = np.where(usable, ratio, np.nan) ** (1.0 / elapsed) - 1.0
    return grown


def _status_at(
    value: FloatArray,
    base: FloatArray,
    target: FloatArray,
    period_target: FloatArray,
    elapsed: FloatArray,
    horizon: FloatArray,
    d: FloatArray,
    method: str,
    rules: StatusRules,
) -> tuple[IntArray, BoolArray]:
    """Status of each row at ``value`` (its position in :data:`STATUSES`); also whether the
    linear fallback was used."""
    has_target = ~np.isnan(target)
    sign = np.where(base < 0, -1.0, 1.0)
    linear = np.zeros(value.shape, dtype=bool)
    known = ~np.isnan(value) & ~np.isnan(base) & (elapsed > 0)
    tol = rules.tolerance
    value = _settled(value, base, target, period_target)
    with np.errstate(divide="ignore", invalid="ignore"):
        achieved = has_target & (d * (value - target) >= 0) & (d != 0)
        if method == "growth_ratio":
            observed = _growth(value, base, elapsed)
            required = _growth(target, base, horizon)
            ratio = sign * d * observed / np.abs(required)
            fallback = np.isnan(observed) | np.isnan(required)
            per_period = (value - base) / elapsed
            needed = (target - base) / horizon
            ratio = np.where(fallback, d * per_period / np.abs(needed), ratio)
            with_target = np.where(target == base, _DETERIORATING, _ratio_status(ratio, rules))
            growth = np.where(np.isnan(observed), np.nan, sign * d * observed)
            no_target_fallback = np.isnan(observed)
            relative = d * per_period / np.abs(base)
            growth = np.round(np.where(no_target_fallback, relative, growth), _DECIMALS)
            without = np.select(
                [growth >= rules.no_target_on_track,
                 growth >= rules.no_target_needs_acceleration, growth >= 0, growth < 0],
                [_ON_TRACK, _NEEDS_ACCELERATION, _LIMITED, _DETERIORATING],
                default=_INSUFFICIENT,
            )
            # With a zero baseline any gain is unbounded growth.
            zero = no_target_fallback & (base == 0)
            without = np.where(zero, np.select(
                [d * value > 0, d * value == 0], [_ON_TRACK, _LIMITED], _DETERIORATING
            ), without)
            linear = np.where(has_target, fallback & (target != base), no_target_fallback)
        else:
            band = tol * np.abs(period_target)
            band = np.where(period_target == 0, tol * np.abs(target - base), band)
            on_track = d * (value - period_target) >= -band
            share = (value - base) / (period_target - base)
            behind = np.where(
                period_target == base,
                np.where(d * (value - base) >= 0, _LIMITED, _DETERIORATING),
                _ratio_status(np.where(np.isfinite(share), share, -np.inf), rules),
            )
            with_target = np.where(on_track, _ON_TRACK, behind)
            base_band = tol * np.abs(base)
            moved = d * (value - base)
            without = np.select(
                [moved > base_band, moved >= -base_band], [_ON_TRACK, _LIMITED], _DETERIORATING)
        status = np.where(has_target, np.where(achieved, _ACHIEVED, with_target), without)
        # Direction "maintain": stay within the band around the target (or the baseline).
        reference = np.where(has_target, target, base)
        band = tol * np.abs(reference)
        keep = np.where(np.abs(value - reference) <= band, _ON_TRACK, _DETERIORATING)
        status = np.where(d == 0, keep, status)
    status = np.asarray(np.where(known, status, _INSUFFICIENT), dtype=np.int64)
    return status, linear & known & (d != 0)


def _declining(low: FloatArray, high: FloatArray, base: FloatArray, d: FloatArray) -> BoolArray:
    """Rows whose interval lies wholly on the wrong side of the baseline."""
    with np.errstate(invalid="ignore"):
        wrong: BoolArray = ((d > 0) & (high < base)) | ((d < 0) & (low > base))
    return wrong


def assess(
    *,
    value: FloatArray,
    low: FloatArray,
    high: FloatArray,
    base: FloatArray,
    target: FloatArray,
    period_target: FloatArray,
    time: FloatArray,
    base_time: FloatArray,
    target_time: FloatArray,
    direction: Sequence[str],
    rules: StatusRules,
) -> pd.DataFrame:
    """Progress and status of each row.

    Parameters
    ----------
    value, low, high : array
        Current value and the ends of its uncertainty interval.
    base : array
        Baseline the progress is measured from (NaN when unknown).
    target, period_target : array
        Next target (NaN without) and the target expected at the row's period.
    time, base_time, target_time : array
        Times of the row, the baseline and the target (see :func:`period_times`).
    direction : sequence of str
        ``increase``, ``decrease`` or ``maintain`` per row.
    rules : StatusRules
        Method and thresholds.

    Returns
    -------
    DataFrame
        Columns ``target`` (the target used: NaN when there is none or it lies at or before
        the baseline), ``progress``, ``status`` (missing for baseline rows),
        ``status_method``, ``status_uncertain`` (nullable boolean) and ``status_note``.

    Examples
    --------
    >>> import numpy as np
    >>> from getting_to_outcomes.definitions.models import StatusRules
    >>> out = assess(value=np.array([3.3]), low=np.array([3.1]), high=np.array([3.5]),
    ...              base=np.array([3.0]), target=np.array([3.4]),
    ...              period_target=np.array([3.4]), time=np.array([1.0]),
    ...              base_time=np.array([0.0]), target_time=np.array([1.0]),
    ...              direction=["increase"], rules=StatusRules())
    >>> out[["progress", "status", "status_uncertain"]].round(2).to_dict("records")
    [{'progress': 0.75, 'status': 'needs_acceleration', 'status_uncertain': True}]
    """
    d = np.asarray([DIRECTION_SIGN[x] for x in direction], dtype=np.float64)
    elapsed = time - base_time
    horizon = target_time - base_time
    # A target placed at or before the baseline gives no direction of travel.
    usable = ~np.isnan(target) & (horizon > 0)
    target = np.where(usable, target, np.nan)
    # A baseline at its target up to rounding is at it (Rounding, module docstring).
    base = _settled(base, target)
    method = rules.method
    args = (base, target, period_target, elapsed, horizon, d, method, rules)
    status, linear = _status_at(value, *args)
    at_low, _ = _status_at(low, *args)
    at_high, _ = _status_at(high, *args)
    # A target met while the value declines significantly says both (module docstring).
    declining = _declining(low, high, base, d)
    status = np.where((status == _ACHIEVED) & declining, _MET_DECLINING, status)
    # Progress toward a target needs the target ahead of the baseline in the good direction.
    ahead = usable & (d * (target - base) > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        progress = np.where(ahead, (value - base) / (target - base), np.nan)
    baseline_row = elapsed == 0
    interval = ~np.isnan(low) & ~np.isnan(high)
    uncertain = pd.array(np.where(interval, at_low != at_high, False), dtype="boolean")
    uncertain[~interval | (status == _INSUFFICIENT) | baseline_row] = pd.NA
    status_out = _STATUS_TEXT[status]
    status_out[baseline_row] = None
    method_name = np.where(usable, method, f"{method}_no_target").astype(object)
    notes: list[str | None] = [None] * len(value)
    # Only rows with a value are assessed, so only they explain how.
    assessed = ~baseline_row & ~np.isnan(value)
    for i in np.flatnonzero(linear & assessed):
        notes[i] = "status from linear change per period (a growth rate needs a baseline above 0)"
    for i in np.flatnonzero(usable & (target == base) & assessed):
        notes[i] = "the target equals the baseline, so progress is undefined"
    for i in np.flatnonzero(usable & (d * (target - base) < 0) & assessed):
        notes[i] = "the baseline already met the target, so progress is undefined"
    for i in np.flatnonzero((status == _MET_DECLINING) & assessed):
        notes[i] = ("the target is met, but the value declined significantly since the "
                    "baseline (its interval lies wholly on the wrong side of it)")
    for i in np.flatnonzero(~np.isnan(target_time) & (horizon <= 0) & assessed):
        notes[i] = "the target lies at or before the baseline period and was not used"
    return pd.DataFrame({
        "target": target,
        "progress": np.where(baseline_row & ahead, 0.0, progress) + 0.0,
        "status": status_out,
        "status_method": method_name,
        "status_uncertain": uncertain,
        "status_note": notes,
    })


def rubric_levels(value: FloatArray, indicator: Indicator) -> list[str | None]:
    """The rubric level each value reaches: the highest level whose threshold it passes.

    A level is passed at or above its threshold, or at or below it when lower is better; a
    value equal to the threshold up to 12 significant decimals is at it (see Rounding in
    the module docstring).

    Examples
    --------
    >>> import numpy as np
    >>> from getting_to_outcomes import load_framework
    >>> fw = load_framework()
    >>> rubric_levels(np.array([1.2, 3.0, np.nan]), fw.indicators["leadership.knowledge_of_system"])
    ['emerging', 'developing', None]
    """
    levels = indicator.rubric
    if not levels:
        return [None] * len(value)
    out = np.full(len(value), None, dtype=object)
    known = ~np.isnan(value)
    lower_is_better = indicator.direction == "decrease"
    # Levels in order, each passed one overwriting the last: the highest passed wins.
    for level in levels:
        at = _settled(value, np.full(value.shape, level.threshold))
        passed = at <= level.threshold if lower_is_better else at >= level.threshold
        out[known & passed] = level.label
    result: list[str | None] = out.tolist()
    return result


def score_0_100(
    value: FloatArray, progress: FloatArray, target: FloatArray, indicator: Indicator
) -> FloatArray:
    """The 0-100 score of each value of one indicator.

    Where there is a target: 100 when the value is at or beyond it, else the progress toward
    it times 100, clipped to 0-100 (0 when progress is undefined because the target equals
    the baseline). Otherwise the position of the value in the indicator's valid range, 100
    at the good end. Direction ``maintain``: 100 minus the distance from the target as a
    percentage of the valid range. NaN without a value, or when neither a target nor a valid
    range places it; never 0 for missing.

    Examples
    --------
    >>> import numpy as np
    >>> from getting_to_outcomes import load_framework
    >>> ind = load_framework().indicators["leadership.knowledge_of_system"]
    >>> score_0_100(np.array([3.0, 4.0]), np.array([np.nan, np.nan]),
    ...             np.array([np.nan, np.nan]), ind).tolist()
    [50.0, 75.0]
    """
    score = np.full(value.shape, np.nan)
    known = ~np.isnan(value)
    sign = DIRECTION_SIGN[indicator.direction]
    with_target = known & ~np.isnan(target)
    span = None if indicator.valid_range is None else indicator.valid_range
    if sign == 0:
        if span is not None:
            width = span[1] - span[0]
            score[with_target] = np.clip(
                1.0 - np.abs(value[with_target] - target[with_target]) / width, 0.0, 1.0) * 100
        return score
    has_progress = with_target & ~np.isnan(progress)
    score[has_progress] = np.clip(progress[has_progress], 0.0, 1.0) * 100.0
    # A met target scores 100 even when the baseline already lay beyond it.
    score[with_target & (sign * (value - target) >= 0)] = 100.0
    score[with_target & np.isnan(score)] = 0.0
    score += 0.0  # no negative zero
    rest = known & ~with_target
    if span is not None and rest.any():
        position = (value[rest] - span[0]) / (span[1] - span[0])
        score[rest] = np.clip(position if sign > 0 else 1.0 - position, 0.0, 1.0) * 100.0
    return score
