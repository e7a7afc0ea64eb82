"""Funnel plots for comparing grantees, with overdispersion and empirical-Bayes shrinkage.

A funnel plot draws each grantee's value against the number of people it comes from, with
control limits around the network value that narrow as that number grows (Spiegelhalter
2005a). A grantee outside the 99.8% limits differs from the network by more than chance
would explain; with many grantees, about 1 in 20 falls outside the 95% limits by chance
alone, so those are worth a look, not a verdict.

When grantees differ by more than sampling error (they nearly always do: different
communities, different programmes), plain limits flag too many. Two remedies from
Spiegelhalter (2005a, 2005b) are offered: a multiplicative overdispersion factor ``phi``,
which widens every limit by ``sqrt(phi)``, and an additive random effect ``tau^2`` (the
DerSimonian-Laird estimate), which adds the between-grantee variance to each grantee's
sampling variance. The method used is stated in the result.

References
----------
Spiegelhalter, D. J. (2005a). Funnel plots for comparing institutional performance.
*Statistics in Medicine*, 24, 1185-1202.
Spiegelhalter, D. J. (2005b). Handling over-dispersion of performance indicators.
*Quality and Safety in Health Care*, 14, 347-351.
DerSimonian, R., & Laird, N. (1986). Meta-analysis in clinical trials. *Controlled Clinical
Trials*, 7, 177-188.
Morris, C. N. (1983). Parametric empirical Bayes inference: theory and applications.
*Journal of the American Statistical Association*, 78, 47-55.
The R package FunnelPlotR (Mainey, NHS-R Community) implements the same method.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats as sps

from getting_to_outcomes.errors import ScoringError
from getting_to_outcomes.stats._input import (
    FloatArray,
    as_counts,
    as_vector,
    broadcast_float,
    check_at_most,
    check_choice,
    check_counts,
    check_finite,
    label_list,
)

__all__ = [
    "EMPIRICAL_BAYES_COLUMNS",
    "FUNNEL_COLUMNS",
    "FUNNEL_LIMITS",
    "OVERDISPERSION_METHODS",
    "FunnelResult",
    "empirical_bayes",
    "funnel_means",
    "funnel_proportions",
    "funnel_rates",
]

#: Coverage of the two pairs of control limits: about 2 and 3 standard errors.
FUNNEL_LIMITS: tuple[float, float] = (0.95, 0.998)

#: What ``overdispersion=`` accepts.
OVERDISPERSION_METHODS: tuple[str, ...] = ("auto", "none", "multiplicative", "additive")

#: Columns of :meth:`FunnelResult.to_frame`, one row per grantee.
FUNNEL_COLUMNS: list[str] = [
    "group",            # the grantee
    "n",                # people (or exposure, for rates): the x-axis
    "value",            # the grantee's proportion, rate or mean
    "z",                # (y - target) / s on the analysis scale, before any adjustment
    "z_adjusted",       # the same under the method used: z / sqrt(phi), or with tau^2 added
    "low_95",           # 95% control limits at this n
    "high_95",
    "low_998",          # 99.8% control limits at this n
    "high_998",
    "position",         # "within", "above_95", "above_998", "below_95", "below_998"
    "shrunk",           # empirical-Bayes estimate (see FunnelResult)
    "shrinkage_weight", # tau^2 / (tau^2 + s^2): the weight of the grantee's own value
    "note",             # why a value is missing; else missing
]

#: Share of z-scores winsorised at each end before phi is estimated (Spiegelhalter 2005b).
_WINSORISE = 0.10


@dataclass(frozen=True)
class _Kind:
    """How one kind of value is put on the scale where its sampling variance is known."""

    name: str
    scale: str
    to_scale: Callable[[FloatArray], FloatArray]
    from_scale: Callable[[FloatArray], FloatArray]


def _arcsine(p: FloatArray) -> FloatArray:
    return np.asarray(np.arcsin(np.sqrt(np.clip(p, 0.0, 1.0))), dtype=np.float64)


def _arcsine_back(x: FloatArray) -> FloatArray:
    return np.asarray(np.sin(np.clip(x, 0.0, np.pi / 2.0)) ** 2, dtype=np.float64)


def _root(r: FloatArray) -> FloatArray:
    return np.asarray(np.sqrt(np.maximum(r, 0.0)), dtype=np.float64)


def _root_back(x: FloatArray) -> FloatArray:
    return np.asarray(np.maximum(x, 0.0) ** 2, dtype=np.float64)


def _identity(x: FloatArray) -> FloatArray:
    return np.asarray(x, dtype=np.float64)


_PROPORTION = _Kind("proportion", "arcsine", _arcsine, _arcsine_back)
_RATE = _Kind("rate", "square_root", _root, _root_back)
_MEAN = _Kind("mean", "identity", _identity, _identity)


@dataclass(frozen=True)
class FunnelResult:
    """Grantees against control limits around the network value.

    Attributes
    ----------
    kind : str
        ``"proportion"``, ``"rate"`` or ``"mean"``.
    target : float
        The network value the limits surround: pooled successes over pooled people, pooled
        events over pooled exposure, or the mean of all people (unless given).
    method : str
        Limits used: ``"none"`` (sampling error only), ``"multiplicative"`` (``phi``) or
        ``"additive"`` (random effects, ``tau2``).
    method_reason : str
        Why that method: asked for, or what ``"auto"`` found.
    phi : float
        Overdispersion factor: the mean of the squared z-scores after winsorising 10% at
        each end (``phi = sum(z_w^2) / I``). Near 1 without overdispersion.
    tau2 : float
        Between-grantee variance on the analysis scale (DerSimonian-Laird, Spiegelhalter
        2005a): ``max(0, (I phi - (I - 1)) / (sum(w) - sum(w^2) / sum(w)))``, ``w = 1 / s^2``.
    overdispersion_p : float
        P-value of ``I phi`` against chi-square with ``I - 1`` degrees of freedom: small
        values say grantees differ by more than sampling error.
    n_groups : int
        Grantees with at least one person (``I``).
    scale : str
        Scale of the z-scores, ``phi``, ``tau2`` and shrinkage: ``"arcsine"``
        (``asin(sqrt(p))``, variance ``1 / (4 n)``) for proportions, ``"square_root"``
        (variance ``1 / (4 n)`` with n the exposure) for rates, ``"identity"``
        (variance ``sigma^2 / n``) for means.
    sigma : float
        Means only: the pooled within-grantee standard deviation; NaN otherwise.
    left_out : tuple of str
        Grantees of the network not drawn (e.g. withheld for privacy by
        :meth:`~getting_to_outcomes.ProgressSummary.funnel`); empty when all are drawn.
    """

    kind: str
    target: float
    method: str
    method_reason: str
    phi: float
    tau2: float
    overdispersion_p: float
    n_groups: int
    scale: str
    sigma: float
    _table: pd.DataFrame = field(repr=False)
    _limits: Callable[[FloatArray], dict[str, FloatArray]] = field(repr=False)
    left_out: tuple[str, ...] = ()

    def to_frame(self) -> pd.DataFrame:
        """One row per grantee, columns :data:`FUNNEL_COLUMNS`."""
        return self._table.copy()

    @property
    def outside(self) -> pd.DataFrame:
        """Grantees outside the 95% limits (and so also those outside 99.8%).

        The rows of :meth:`to_frame` whose ``position`` is not ``"within"``, furthest out
        first (by ``|z_adjusted|``).
        """
        table = self._table
        out = table[table["position"].isin(["above_95", "above_998", "below_95", "below_998"])]
        order = out["z_adjusted"].abs().sort_values(ascending=False, kind="stable").index
        return out.loc[order].reset_index(drop=True)

    def curve(self, n: Any = None, *, points: int = 200) -> pd.DataFrame:
        """The control limits as lines over a range of n, for drawing the funnel.

        Parameters
        ----------
        n : array-like, optional
            Where to evaluate the limits; by default ``points`` values spread evenly on a
            log scale from half the smallest grantee to twice the largest (whole numbers for
            proportions, whose exact limits need a whole number of people).
        points : int
            How many values of n by default.

        Returns
        -------
        DataFrame
            Columns ``n``, ``low_95``, ``high_95``, ``low_998``, ``high_998``.
        """
        if n is None:
            sizes = self._table["n"].to_numpy(dtype=np.float64)
            sizes = sizes[sizes > 0]
            if sizes.size == 0:
                return pd.DataFrame(columns=["n", "low_95", "high_95", "low_998", "high_998"])
            grid = np.geomspace(max(sizes.min() / 2.0, 1.0 if self.kind != "rate" else 1e-9),
                                sizes.max() * 2.0, points)
            if self.kind != "rate":
                grid = np.unique(np.round(grid))
        else:
            grid = as_vector(n, "n").to_numpy()
            if (grid <= 0).any():
                raise ScoringError("n must be above 0 to draw limits; got "
                                   f"{grid[grid <= 0][0]:g}")
        return pd.DataFrame({"n": grid, **self._limits(grid)})

    def plot(self, **kwargs: Any) -> Any:
        """Draw the funnel (:func:`getting_to_outcomes.plotting.plot_funnel`); returns the Axes."""
        from getting_to_outcomes.plotting import plot_funnel

        return plot_funnel(self, **kwargs)

    def _repr_html_(self) -> str:
        head = (
            f"<p>Funnel of {self.n_groups} grantees' {self.kind}s around the network value "
            f"{self.target:.4g}; limits: {self.method} ({self.method_reason}); "
            f"phi = {self.phi:.3g}, tau&sup2; = {self.tau2:.3g}; "
            f"{len(self.outside)} outside the 95% limits"
            + (f"; not drawn (withheld): {html.escape(', '.join(self.left_out))}"
               if self.left_out else "")
            + ".</p>"
        )
        body: str = self._table.fillna({"note": "", "position": ""}).to_html(
            index=False, float_format=lambda v: f"{v:.4g}", na_rep="")
        return head + body


# ---------------------------------------------------------------------------------------------
# the pieces of Spiegelhalter's method


def winsorised_phi(z: FloatArray) -> float:
    """``phi = sum(z_w^2) / I`` with z winsorised at its 10th and 90th percentiles."""
    low, high = np.quantile(z, [_WINSORISE, 1.0 - _WINSORISE])
    return float(np.mean(np.clip(z, low, high) ** 2))


def dersimonian_laird(q: float, weights: FloatArray) -> float:
    """``tau^2 = max(0, (Q - (I - 1)) / (sum(w) - sum(w^2) / sum(w)))``; NaN for I < 2."""
    if weights.size < 2:
        return float("nan")
    denominator = weights.sum() - (weights**2).sum() / weights.sum()
    if denominator <= 0:
        return float("nan")
    return max(0.0, (q - (weights.size - 1)) / float(denominator))


def _exact_limit(p: float, grid: FloatArray, target: float, kind: str) -> FloatArray:
    """Spiegelhalter (2005a, appendix A.1): the interpolated p-quantile of the count, over n.

    ``r_p`` is the smallest count with ``P(R <= r_p) >= p``; then
    ``alpha = (P(R <= r_p) - p) / (P(R <= r_p) - P(R <= r_p - 1))`` and the limit is
    ``(r_p - alpha) / n``. R is Binomial(n, target) or Poisson(n target). The Stata command
    ``funnelcompar`` (Gini & Forni 2010, option ``exact``) computes the same interpolation.
    """
    dist = (sps.binom(np.round(grid), target) if kind == "proportion"
            else sps.poisson(grid * target))
    r = dist.ppf(p)
    upper = dist.cdf(r)
    lower = dist.cdf(r - 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        alpha = np.where(upper > lower, (upper - p) / (upper - lower), 0.0)
        limit = (r - alpha) / grid
    if kind == "proportion":
        limit = np.clip(limit, 0.0, 1.0)
    return np.asarray(np.maximum(limit, 0.0), dtype=np.float64)


def _funnel(
    kind: _Kind,
    labels: Any,
    n: FloatArray,
    value: FloatArray,
    target: float,
    s_of: Callable[[FloatArray], FloatArray],
    overdispersion: str,
    empty: str,
    sigma: float = float("nan"),
) -> FunnelResult:
    """Shared steps once the values, the target and the standard error on scale are known.

    ``labels`` are checked against the number of grantees; a grantee with ``n = 0`` keeps
    its row with the note ``empty``.
    """
    groups = _labels(labels, n.size)
    notes_by_group: list[str | None] = [None if v > 0 else empty for v in n]
    used = n > 0
    t = float(kind.to_scale(np.array(target)))
    y = kind.to_scale(value)
    s = np.where(used, s_of(np.where(used, n, 1.0)), np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(used & (s > 0), (y - t) / s, np.where(used, 0.0, np.nan))
    count = int(used.sum())
    if count >= 2 and np.isfinite(t) and (s[used] > 0).all():
        phi = winsorised_phi(z[used])
        tau2 = dersimonian_laird(count * phi, 1.0 / s[used] ** 2)
        p_over = float(sps.chi2.sf(count * phi, count - 1))
    else:
        phi = tau2 = p_over = float("nan")
    if overdispersion == "auto":
        if np.isnan(p_over):
            method, reason = "none", "too few grantees to estimate overdispersion"
        elif p_over < 0.05:
            method = "additive"
            reason = (f"grantees differ by more than sampling error (I phi = {count * phi:.1f}, "
                      f"chi-square p = {p_over:.3g} on {count - 1} df): random effects")
        else:
            method = "none"
            reason = (f"no evidence of overdispersion (I phi = {count * phi:.1f}, chi-square "
                      f"p = {p_over:.3g} on {count - 1} df)")
    else:
        method = overdispersion
        reason = "as asked"
        if method != "none" and np.isnan(phi):
            raise ScoringError(
                f"overdispersion={method!r} needs at least 2 grantees with people and a "
                f"network value strictly inside its range; got {count} grantee(s) with people"
            )
    multiplier = max(phi, 1.0) if method == "multiplicative" else 1.0
    # A multiplicative phi below 1 would narrow the limits: Spiegelhalter (2005b) keeps 1.

    def limits(grid: FloatArray) -> dict[str, FloatArray]:
        out: dict[str, FloatArray] = {}
        for level, suffix in zip(FUNNEL_LIMITS, ("95", "998"), strict=True):
            q = 0.5 + level / 2.0
            if method == "none" and kind.name in ("proportion", "rate"):
                out[f"low_{suffix}"] = _exact_limit(1.0 - q, grid, target, kind.name)
                out[f"high_{suffix}"] = _exact_limit(q, grid, target, kind.name)
                continue
            spread = s_of(grid) ** 2 * multiplier + (tau2 if method == "additive" else 0.0)
            half = float(sps.norm.ppf(q)) * np.sqrt(spread)
            out[f"low_{suffix}"] = kind.from_scale(t - half)
            out[f"high_{suffix}"] = kind.from_scale(t + half)
        return out

    at = limits(np.where(used, n, 1.0))
    for key in at:
        at[key] = np.where(used, at[key], np.nan)
    if method == "multiplicative":
        z_adjusted = z / np.sqrt(multiplier)
    elif method == "additive":
        with np.errstate(invalid="ignore"):
            z_adjusted = (y - t) / np.sqrt(s**2 + tau2)
    else:
        z_adjusted = z
    position = np.full(n.shape, "within", dtype=object)
    position[value > at["high_95"]] = "above_95"
    position[value > at["high_998"]] = "above_998"
    position[value < at["low_95"]] = "below_95"
    position[value < at["low_998"]] = "below_998"
    position[~used] = None
    with np.errstate(divide="ignore", invalid="ignore"):
        weight = np.where(used, tau2 / (tau2 + s**2), np.nan)
    shrunk = kind.from_scale(t + weight * (y - t))
    shrunk = np.where(np.isnan(weight), np.nan, shrunk)
    table = pd.DataFrame({
        "group": groups, "n": n, "value": value, "z": z, "z_adjusted": z_adjusted,
        **at, "position": position, "shrunk": shrunk, "shrinkage_weight": weight,
        "note": notes_by_group,
    }, columns=FUNNEL_COLUMNS)
    return FunnelResult(
        kind=kind.name, target=float(target), method=method, method_reason=reason,
        phi=phi, tau2=tau2, overdispersion_p=p_over, n_groups=count, scale=kind.scale,
        sigma=sigma, _table=table, _limits=limits,
    )


def _labels(labels: Any, size: int) -> list[Hashable]:
    names: list[Hashable] = label_list(labels) if labels is not None else list(range(size))
    if len(names) != size:
        raise ScoringError(f"labels has {len(names)} names for {size} grantees; give one each")
    if len(set(names)) != len(names):
        counts = pd.Series([str(g) for g in names]).value_counts()
        dupes = sorted(counts.index[counts > 1])
        raise ScoringError(f"labels must name each grantee once; repeated: {', '.join(dupes)}")
    return names


def _target(given: float | None, pooled: float, bounds: tuple[float, float]) -> float:
    """The target asked for (checked to be a finite number within ``bounds``), else pooled."""
    if given is None:
        return pooled
    if isinstance(given, bool) or not isinstance(given, (int, float, np.floating, np.integer)):
        raise ScoringError(f"target must be a number; got {given!r}")
    value = float(given)
    if not np.isfinite(value) or not bounds[0] <= value <= bounds[1]:
        raise ScoringError(
            f"target must be a finite number between {bounds[0]:g} and {bounds[1]:g}; "
            f"got {given!r}"
        )
    return value


def _ratio(numerator: FloatArray, denominator: FloatArray) -> FloatArray:
    """``numerator / denominator``, NaN where the denominator is 0."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray(np.where(denominator > 0, numerator / denominator, np.nan),
                          dtype=np.float64)


def _stabilised_se(n: FloatArray) -> FloatArray:
    """``1 / (2 sqrt(n))``: the standard error of ``asin(sqrt(p))`` and of ``sqrt(rate)``."""
    return np.asarray(1.0 / (2.0 * np.sqrt(n)), dtype=np.float64)


def _check_method(overdispersion: str) -> str:
    return check_choice("overdispersion", overdispersion, OVERDISPERSION_METHODS)


# ---------------------------------------------------------------------------------------------
# public functions


def funnel_proportions(
    successes: Any, n: Any, *, labels: Any = None, overdispersion: str = "auto",
    target: float | None = None,
) -> FunnelResult:
    """Funnel plot of grantees' proportions against the number of people asked.

    Parameters
    ----------
    successes : array-like of int
        People with the outcome, one count per grantee.
    n : array-like of int
        People asked, one count per grantee (the x-axis).
    labels : array-like, optional
        Grantee names (default 0, 1, ...).
    overdispersion : {"auto", "none", "multiplicative", "additive"}
        Limits from sampling error only, widened by ``sqrt(phi)``, or with the random effect
        ``tau2`` added; ``"auto"`` (default) uses ``"additive"`` when ``I phi`` exceeds the
        95th percentile of chi-square on ``I - 1`` degrees of freedom, else ``"none"``.
    target : float, optional
        The network value the limits surround. By default the value of all grantees given
        pooled; give it when some grantees are left out (e.g. withheld for privacy) but
        belong to the network.

    Returns
    -------
    FunnelResult
        ``to_frame()`` gives one row per grantee (:data:`FUNNEL_COLUMNS`), ``outside`` the
        grantees outside the 95% limits, ``curve()`` the limits over n, ``plot()`` the chart.
        A grantee with ``n = 0`` keeps its row, with NaN values and a note.

    Raises
    ------
    ScoringError
        Counts that are missing, negative, fractional or infinite; ``successes > n``;
        arguments of different lengths; nobody asked at all.

    Notes
    -----
    Spiegelhalter (2005a). Target ``p0 = sum(successes) / sum(n)``. Without overdispersion
    the limits are the exact binomial ones with interpolation: with ``R ~ Binomial(n, p0)``
    and ``r`` the smallest count with ``P(R <= r) >= q``,
    ``alpha = (P(R <= r) - q) / (P(R <= r) - P(R <= r - 1))`` and the limit is
    ``(r - alpha) / n``, for ``q`` = 0.025, 0.975 (95%) and 0.001, 0.999 (99.8%).
    Overdispersion is estimated on the arcsine scale, where the variance is known
    (``y = asin(sqrt(p))``, ``s^2 = 1 / (4 n)``, as FunnelPlotR): z-scores
    ``z = (y - asin(sqrt(p0))) / s`` are winsorised at their 10th and 90th percentiles and
    ``phi = sum(z_w^2) / I``; ``tau^2 = max(0, (I phi - (I - 1)) / (sum(w) - sum(w^2) / sum(w)))``
    with ``w = 1 / s^2`` (DerSimonian & Laird 1986 as Spiegelhalter 2005a). Limits:
    ``sin^2(asin(sqrt(p0)) +/- z_q sqrt(phi) s)`` (multiplicative) or
    ``sin^2(asin(sqrt(p0)) +/- z_q sqrt(s^2 + tau^2))`` (additive). Shrinkage (Morris 1983):
    ``y* = y0 + B (y - y0)`` with ``B = tau^2 / (tau^2 + s^2)``, back on the proportion scale.

    Examples
    --------
    >>> result = funnel_proportions([8, 30, 52], [20, 60, 100], labels=["a", "b", "c"],
    ...                             overdispersion="none")
    >>> round(result.target, 4), result.method
    (0.5, 'none')
    >>> result.to_frame()[["group", "low_95", "high_95"]].round(3).values.tolist()[0]
    ['a', 0.256, 0.694]
    """
    method = _check_method(overdispersion)
    x, nn = as_counts(successes=successes, n=n)
    check_at_most("successes", x, "n", nn)
    if x.ndim != 1:
        raise ScoringError(f"successes and n must be one count per grantee; got shape {x.shape}")
    if nn.sum() <= 0:
        raise ScoringError("n has nobody asked at any grantee; there is nothing to compare")
    return _funnel(_PROPORTION, labels, nn, _ratio(x, nn),
                   _target(target, float(x.sum() / nn.sum()), (0.0, 1.0)),
                   _stabilised_se, method, "nobody asked")


def funnel_rates(
    events: Any, exposure: Any, *, labels: Any = None, overdispersion: str = "auto",
    target: float | None = None,
) -> FunnelResult:
    """Funnel plot of grantees' event rates against their exposure (people or person-time).

    Parameters
    ----------
    events : array-like of int
        Events counted at each grantee (contacts made, meetings held, ...).
    exposure : array-like
        What the rate is per, one value > 0 per grantee: people, people-years (the x-axis).
    labels : array-like, optional
        Grantee names (default 0, 1, ...).
    overdispersion : {"auto", "none", "multiplicative", "additive"}
        As :func:`funnel_proportions`.
    target : float, optional
        As :func:`funnel_proportions`.

    Returns
    -------
    FunnelResult
        As :func:`funnel_proportions`, with ``value = events / exposure``.

    Raises
    ------
    ScoringError
        Events that are not counts; exposure that is missing, infinite or negative;
        arguments of different lengths; no exposure at all.

    Notes
    -----
    Spiegelhalter (2005a). Target ``r0 = sum(events) / sum(exposure)``. Without
    overdispersion the limits are the exact Poisson ones with interpolation, as the binomial
    ones of :func:`funnel_proportions` with ``R ~ Poisson(exposure r0)`` and limit
    ``(r - alpha) / exposure``. Overdispersion is estimated on the square-root scale
    (``y = sqrt(rate)``, ``s^2 = 1 / (4 exposure)``, as FunnelPlotR's CQC method), with
    ``phi``, ``tau^2``, the limits ``(sqrt(r0) +/- z_q sqrt(phi) s)^2`` or
    ``(sqrt(r0) +/- z_q sqrt(s^2 + tau^2))^2`` and shrinkage as in
    :func:`funnel_proportions`.

    Examples
    --------
    >>> result = funnel_rates([4, 12, 20], [10.0, 30.0, 50.0], overdispersion="none")
    >>> result.target
    0.4
    """
    method = _check_method(overdispersion)
    (counts,) = as_counts(events=events)
    exposure_arr = as_vector(exposure, "exposure").to_numpy()
    if exposure_arr.shape != counts.shape:
        raise ScoringError(
            f"events and exposure must have one value per grantee each; got {counts.size} "
            f"events and {exposure_arr.size} exposure values"
        )
    bad = np.isnan(exposure_arr) | (exposure_arr < 0)
    if bad.any():
        at = int(np.flatnonzero(bad)[0])
        raise ScoringError(
            f"exposure must be a number >= 0 for every grantee; position {at} holds "
            f"{exposure_arr[at]:g}"
        )
    check_finite("exposure", exposure_arr)
    events_without = (exposure_arr == 0) & (counts > 0)
    if events_without.any():
        at = int(np.flatnonzero(events_without)[0])
        raise ScoringError(
            f"events at position {at} ({counts[at]:g}) come with exposure 0: a rate needs "
            "exposure"
        )
    if exposure_arr.sum() <= 0:
        raise ScoringError("exposure is 0 at every grantee; there is nothing to compare")
    return _funnel(_RATE, labels, exposure_arr, _ratio(counts, exposure_arr),
                   _target(target, float(counts.sum() / exposure_arr.sum()), (0.0, np.inf)),
                   _stabilised_se, method, "no exposure")


def funnel_means(
    means: Any, sds: Any, n: Any, *, labels: Any = None, overdispersion: str = "auto",
    target: float | None = None,
) -> FunnelResult:
    """Funnel plot of grantees' mean scores (or mean changes) against their number of people.

    Parameters
    ----------
    means : array-like
        Each grantee's mean (NaN where ``n = 0``).
    sds : array-like
        Each grantee's standard deviation (``ddof = 1``; NaN where ``n < 2``).
    n : array-like of int
        People behind each mean (the x-axis).
    labels : array-like, optional
        Grantee names (default 0, 1, ...).
    overdispersion : {"auto", "none", "multiplicative", "additive"}
        As :func:`funnel_proportions`.
    target : float, optional
        As :func:`funnel_proportions`.

    Returns
    -------
    FunnelResult
        As :func:`funnel_proportions`; ``sigma`` holds the pooled standard deviation.

    Raises
    ------
    ScoringError
        Infinite values, a negative standard deviation, counts that are not whole numbers
        >= 0, a missing mean where ``n > 0``, arguments of different lengths, or no grantee
        with two people or more (no standard deviation to pool).

    Notes
    -----
    Spiegelhalter (2005a), normal data. Target ``y0 = sum(n mean) / sum(n)``, the mean of
    everyone. The within-grantee standard deviation is pooled,
    ``sigma^2 = sum((n - 1) sd^2) / sum(n - 1)``, so ``s = sigma / sqrt(n)`` and the limits
    are ``y0 +/- z_q s`` (none), ``y0 +/- z_q sqrt(phi) s`` (multiplicative) or
    ``y0 +/- z_q sqrt(s^2 + tau^2)`` (additive), with ``phi``, ``tau^2`` and shrinkage as
    in :func:`funnel_proportions` on the scale of the scores.

    Examples
    --------
    >>> result = funnel_means([3.0, 3.5, 2.8], [1.0, 1.0, 1.0], [25, 100, 64],
    ...                       overdispersion="none")
    >>> round(result.target, 4), result.sigma
    (3.1968, 1.0)
    >>> result.to_frame()["low_95"].round(4).tolist()
    [2.8048, 3.0008, 2.9518]
    """
    method = _check_method(overdispersion)
    mean_arr, sd_arr, nn = (np.atleast_1d(a) for a in broadcast_float(means=means, sds=sds,
                                                                       n=n))
    check_counts("n", nn)
    check_finite("means", mean_arr)
    check_finite("sds", sd_arr)
    missing = np.isnan(mean_arr) & (nn > 0)
    if missing.any():
        at = int(np.flatnonzero(missing)[0])
        raise ScoringError(f"means is missing at position {at}, where n = {nn[at]:g}")
    if (sd_arr < 0).any():
        at = int(np.flatnonzero(sd_arr < 0)[0])
        raise ScoringError(f"sds cannot be negative; position {at} holds {sd_arr[at]:g}")
    missing_sd = np.isnan(sd_arr) & (nn >= 2)
    if missing_sd.any():
        at = int(np.flatnonzero(missing_sd)[0])
        raise ScoringError(f"sds is missing at position {at}, where n = {nn[at]:g}")
    dof = np.maximum(nn - 1.0, 0.0)
    if dof.sum() <= 0:
        raise ScoringError(
            "n has no grantee with 2 people or more: no standard deviation to pool"
        )
    sigma = float(np.sqrt(np.nansum(dof * sd_arr**2) / dof.sum()))
    if sigma <= 0:
        raise ScoringError("sds are all 0: everyone scored alike, there is nothing to compare")
    return _funnel(_MEAN, labels, nn, np.where(nn > 0, mean_arr, np.nan),
                   _target(target, float(np.nansum(nn * mean_arr) / nn.sum()),
                           (-np.inf, np.inf)),
                   lambda m: sigma / np.sqrt(m), method, "nobody scored", sigma=sigma)


#: Columns of :func:`empirical_bayes`.
EMPIRICAL_BAYES_COLUMNS: list[str] = [
    "estimate", "standard_error", "target", "tau2", "weight", "shrunk", "shrunk_se",
]


def empirical_bayes(
    estimates: Any, standard_errors: Any, *, target: float | None = None
) -> pd.DataFrame:
    """Empirical-Bayes (shrunken) estimates: each value pulled toward a common target.

    A grantee with few people has a noisy value; ranked raw, it lands at the top or the
    bottom by chance. The shrunken value moves it toward the target by as much as its
    noise exceeds the real spread between grantees.

    Parameters
    ----------
    estimates : array-like
        One value per grantee (NaN where there is none).
    standard_errors : array-like
        Their standard errors (> 0 where there is an estimate).
    target : float, optional
        What to shrink toward, e.g. the network value. By default the precision-weighted
        mean ``sum(w y) / sum(w)``.

    Returns
    -------
    DataFrame
        One row per estimate: ``estimate``, ``standard_error``, ``target``, ``tau2`` (the
        between-grantee variance, the same on every row), ``weight``
        (``tau^2 / (tau^2 + s^2)``, the weight of the grantee's own value), ``shrunk``
        (``target + weight (estimate - target)``), ``shrunk_se`` (``sqrt(weight) s``, the
        posterior standard deviation given ``tau^2``, which leaves out the uncertainty of
        ``tau^2`` itself). NaN where the estimate is missing, and everywhere with fewer than
        2 estimates.

    Raises
    ------
    ScoringError
        Infinite values, a standard error <= 0 or missing where there is an estimate, or
        arguments of different lengths.

    Notes
    -----
    Normal-normal model ``y_i ~ N(theta_i, s_i^2)``, ``theta_i ~ N(mu, tau^2)`` (Morris
    1983). ``tau^2`` by DerSimonian & Laird (1986):
    ``Q = sum(w (y - ybar_w)^2)``, ``w = 1 / s^2``,
    ``tau^2 = max(0, (Q - (I - 1)) / (sum(w) - sum(w^2) / sum(w)))``.

    Examples
    --------
    >>> out = empirical_bayes([0.9, 0.5, 0.4], [0.2, 0.05, 0.05])
    >>> out["shrunk"].round(3).tolist()
    [0.559, 0.493, 0.412]
    """
    y, se = (np.atleast_1d(a) for a in broadcast_float(estimates=estimates,
                                                       standard_errors=standard_errors))
    check_finite("estimates", y)
    check_finite("standard_errors", se)
    if target is not None:
        check_finite("target", np.asarray(float(target)))
    used = ~np.isnan(y)
    bad = used & ~(se > 0)
    if bad.any():
        at = int(np.flatnonzero(bad)[0])
        raise ScoringError(
            f"standard_errors must be above 0 where there is an estimate; position {at} "
            f"holds {se[at]:g}"
        )
    w = np.where(used, 1.0 / np.where(used, se, 1.0) ** 2, 0.0)
    count = int(used.sum())
    if count >= 2:
        mean_w = float((w * np.where(used, y, 0.0)).sum() / w.sum())
        q = float((w * np.where(used, y - mean_w, 0.0) ** 2).sum())
        tau2 = dersimonian_laird(q, w[used])
        centre = mean_w if target is None else float(target)
    else:
        tau2 = centre = float("nan")
    weight = np.where(used, tau2 / (tau2 + se**2), np.nan)
    shrunk = centre + weight * (y - centre)
    return pd.DataFrame({
        "estimate": y, "standard_error": se, "target": centre, "tau2": tau2,
        "weight": weight, "shrunk": shrunk, "shrunk_se": np.sqrt(weight) * se,
    }, columns=EMPIRICAL_BAYES_COLUMNS)
