"""Property: every public statistic refuses input that no data could have, naming the argument.

Each public callable of :mod:`getting_to_outcomes.stats` has a :class:`Case` below: a strategy
for a valid call, the arguments that hold data (an infinite value is refused), counts (a
negative, fractional or missing count is refused), shares (a value outside [0, 1] is
refused), arguments whose lengths must agree, and what it does when an argument holds no
value at all: it is refused, or the function returns the NaN (with its note) that its
docstring promises. A new public callable without a case fails
``test_every_public_callable_has_a_case``.
"""

from __future__ import annotations

import inspect
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from getting_to_outcomes import stats

Kwargs = dict[str, Any]

#: Result types: built by the functions, never from a caller's data.
RESULT_TYPES = {"AlphaResult", "FunnelResult"}


@dataclass(frozen=True)
class Case:
    """How one public callable is called, and how its arguments can go wrong."""

    name: str
    valid: st.SearchStrategy[Kwargs]
    call: Callable[[Kwargs], Any]
    data: tuple[str, ...] = ()
    counts: tuple[str, ...] = ()
    shares: tuple[str, ...] = ()
    same_length: tuple[tuple[str, str], ...] = ()
    #: argument -> "refuse", or a check of the result the docstring promises.
    no_value: dict[str, Any] = field(default_factory=dict)
    #: name -> (argument the message names, a change that makes the input impossible)
    impossible: dict[str, tuple[str, Callable[[Kwargs], Kwargs]]] = field(default_factory=dict)


# ---------------------------------------------------------------------------------------------
# strategies of valid input

number = st.floats(-50, 50, allow_nan=False, allow_infinity=False).map(lambda v: round(v, 3))
vector = st.lists(number, min_size=3, max_size=12)
answer = st.integers(1, 5)
item_rows = st.lists(st.lists(answer, min_size=3, max_size=3), min_size=3, max_size=10)
groups = st.lists(st.lists(number, min_size=1, max_size=8), min_size=2, max_size=4)


def moments_of(values: list[list[float]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    arrays = [np.asarray(g, dtype=float) for g in values]
    return (np.array([a.size for a in arrays], dtype=float),
            np.array([a.sum() for a in arrays]),
            np.array([(a * a).sum() for a in arrays]))


def items_frame(rows: list[list[int]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["q1", "q2", "q3"], dtype="float64")


@st.composite
def moment_kwargs(draw: st.DrawFn, names: tuple[str, str, str]) -> Kwargs:
    n, total, total_sq = moments_of(draw(groups))
    return dict(zip(names, (n, total, total_sq), strict=True))


@st.composite
def yes_no_stayers(draw: st.DrawFn) -> Kwargs:
    """Everyone at baseline and the stayers, each with how many said yes."""
    n_all = draw(st.integers(2, 300))
    yes_all = draw(st.integers(0, n_all))
    n_stayed = draw(st.integers(0, n_all))
    yes_stayed = draw(st.integers(max(0, yes_all - (n_all - n_stayed)),
                                  min(n_stayed, yes_all)))
    return {"n_all": float(n_all), "yes_all": float(yes_all), "n_stayed": float(n_stayed),
            "yes_stayed": float(yes_stayed)}


@st.composite
def paired_moments(draw: st.DrawFn) -> Kwargs:
    kwargs = draw(moment_kwargs(("n", "sum_diff", "sumsq_diff")))
    size = kwargs["n"].size
    kwargs["mean_before"] = np.full(size, draw(number))
    kwargs["mean_after"] = np.full(size, draw(number))
    return kwargs


@st.composite
def independent_moments(draw: st.DrawFn) -> Kwargs:
    first = draw(moment_kwargs(("n1", "s1", "ss1")))
    second = moments_of(draw(st.lists(st.lists(number, min_size=1, max_size=8),
                                      min_size=first["n1"].size, max_size=first["n1"].size)))
    return {**first, **dict(zip(("n2", "s2", "ss2"), second, strict=True))}


@st.composite
def proportion_counts(draw: st.DrawFn, names: tuple[str, str]) -> Kwargs:
    size = draw(st.integers(2, 5))
    n = np.array(draw(st.lists(st.integers(1, 60), min_size=size, max_size=size)), dtype=float)
    x = np.array([draw(st.integers(0, int(v))) for v in n], dtype=float)
    return {names[0]: x, names[1]: n}


@st.composite
def two_by_two(draw: st.DrawFn) -> Kwargs:
    size = draw(st.integers(2, 4))
    cell = st.lists(st.integers(0, 40).map(float), min_size=size, max_size=size)
    return {name: np.array(draw(cell)) for name in ("yes_yes", "yes_no", "no_yes", "no_no")}


@st.composite
def item_moment_parts(draw: st.DrawFn) -> Kwargs:
    m = stats.ItemMoments.from_items(items_frame(draw(item_rows)))
    return {"items": m.items, "n": np.array(m.n), "sums": np.array(m.sums),
            "cross_products": np.array(m.cross_products), "n_rows": m.n_rows}


@st.composite
def centred_moment_parts(draw: st.DrawFn) -> Kwargs:
    m = stats.ItemMoments.from_items(items_frame(draw(item_rows)))
    return {"items": m.items, "n": np.array(m.n), "means": np.array(m.pair_means),
            "comoments": np.array(m.comoments), "n_rows": m.n_rows}


def from_centred(kwargs: Kwargs) -> Any:
    return stats.ItemMoments.from_centred(**kwargs)


def negative_sum_of_squares(kwargs: Kwargs) -> Kwargs:
    comoments = np.array(kwargs["comoments"], dtype=float)
    comoments[0, 0] = -1.0
    return {**kwargs, "comoments": comoments}


@st.composite
def covariance_parts(draw: st.DrawFn) -> Kwargs:
    values = items_frame(draw(item_rows)).to_numpy()
    return {"n": np.array(float(values.shape[0])), "sums": values.sum(axis=0),
            "cross_products": values.T @ values}


@st.composite
def covariance_and_n(draw: st.DrawFn) -> Kwargs:
    values = items_frame(draw(item_rows)).to_numpy()
    return {"cov": np.cov(values, rowvar=False), "n": np.array(float(values.shape[0]))}


@st.composite
def scores(draw: st.DrawFn) -> Kwargs:
    before = draw(vector)
    after = draw(st.lists(number, min_size=len(before), max_size=len(before)))
    reliability = draw(st.floats(0.0, 0.95))
    return {"before": before, "after": after, "reliability": reliability}


@st.composite
def paired_values(draw: st.DrawFn) -> Kwargs:
    before = draw(vector)
    return {"before": before,
            "after": draw(st.lists(number, min_size=len(before), max_size=len(before)))}


# ---------------------------------------------------------------------------------------------
# changes that make a valid input impossible


def negative_variance(sq: str, total: str, n: str) -> Callable[[Kwargs], Kwargs]:
    """A sum of squares below total**2 / n for the first group: a negative variance."""
    def change(kwargs: Kwargs) -> Kwargs:
        out = dict(kwargs)
        values = np.array(out[sq], dtype=float)
        first = float(np.asarray(out[total], dtype=float).ravel()[0])
        count = float(np.asarray(out[n], dtype=float).ravel()[0])
        values.ravel()[0] = first * first / count / 2.0 - 1.0
        out[sq] = values
        return out
    return change


def item_variance_below_zero(kwargs: Kwargs) -> Kwargs:
    out = dict(kwargs)
    cross = np.array(out["cross_products"], dtype=float)
    cross[0, 0] = -1.0
    out["cross_products"] = cross
    return out


def negative_cov_diagonal(kwargs: Kwargs) -> Kwargs:
    cov = np.array(kwargs["cov"], dtype=float)
    cov[0, 0] = -abs(cov[0, 0]) - 1.0
    return {**kwargs, "cov": cov}


def asymmetric_cov(kwargs: Kwargs) -> Kwargs:
    cov = np.array(kwargs["cov"], dtype=float)
    cov[0, 1] = cov[1, 0] + 1.0
    return {**kwargs, "cov": cov}


def pair_above_item(kwargs: Kwargs) -> Kwargs:
    n = np.array(kwargs["n"], dtype=float)
    n[0, 1] = n[1, 0] = n[0, 0] + 1.0
    return {**kwargs, "n": n}


# ---------------------------------------------------------------------------------------------
# what "no value at all" gives where the docstring promises NaN


def nan_change_with_note(result: pd.DataFrame) -> bool:
    row = result.iloc[0]
    return bool(math.isnan(row["change"]) and isinstance(row["note"], str) and row["note"])


def nan_alpha_with_note(result: Any) -> bool:
    return bool(math.isnan(result.alpha) and result.note)


def all_nan(result: Any) -> bool:
    values = np.asarray(result, dtype=float)
    return bool(np.isnan(values).all())


def categories_missing(result: pd.DataFrame) -> bool:
    return bool(result["category"].isna().all() and result["rci"].isna().all())


def summary_of_nobody(result: pd.DataFrame) -> bool:
    return bool((result["count"] == 0).all() and result["share"].isna().all())


def correlations_nan_with_note(result: pd.DataFrame) -> bool:
    return bool(result["r"].isna().all() and result["note"].notna().all())


def call(function: Callable[..., Any]) -> Callable[[Kwargs], Any]:
    return lambda kwargs: function(**kwargs)


def from_items(kwargs: Kwargs) -> Any:
    return stats.ItemMoments.from_items(kwargs["items"])


def alpha_from_moments(kwargs: Kwargs) -> Any:
    return stats.cronbach_alpha_from_moments(
        stats.ItemMoments.from_items(kwargs["items"]), n_obs=kwargs["n_obs"])


@st.composite
def items_and_n_obs(draw: st.DrawFn) -> Kwargs:
    frame = items_frame(draw(item_rows))
    return {"items": frame, "n_obs": float(len(frame))}


def n_obs_below_answers(kwargs: Kwargs) -> Kwargs:
    return {**kwargs, "n_obs": float(len(kwargs["items"]) - 1)}


@st.composite
def rate_inputs(draw: st.DrawFn) -> Kwargs:
    size = draw(st.integers(2, 6))
    events = st.lists(st.integers(0, 80).map(float), min_size=size, max_size=size)
    exposure = st.lists(st.floats(0.5, 200.0), min_size=size, max_size=size)
    return {"events": np.array(draw(events)), "exposure": np.array(draw(exposure))}


@st.composite
def grantee_means(draw: st.DrawFn) -> Kwargs:
    size = draw(st.integers(2, 6))
    means = st.lists(number, min_size=size, max_size=size)
    sds = st.lists(st.floats(0.1, 20.0), min_size=size, max_size=size)
    n = st.lists(st.integers(2, 200).map(float), min_size=size, max_size=size)
    return {"means": np.array(draw(means)), "sds": np.array(draw(sds)), "n": np.array(draw(n))}


@st.composite
def estimates_with_errors(draw: st.DrawFn) -> Kwargs:
    size = draw(st.integers(2, 8))
    estimates = st.lists(number, min_size=size, max_size=size)
    errors = st.lists(st.floats(0.01, 10.0), min_size=size, max_size=size)
    return {"estimates": np.array(draw(estimates)), "standard_errors": np.array(draw(errors))}


@st.composite
def values_in_clusters(draw: st.DrawFn) -> Kwargs:
    values = draw(vector)
    labels = st.lists(st.sampled_from(["a", "b", "c"]), min_size=len(values),
                      max_size=len(values))
    return {"values": values, "clusters": draw(labels)}


def nothing_to_shrink(result: pd.DataFrame) -> bool:
    return bool(result["shrunk"].isna().all() and result["weight"].isna().all())


def negative_first(argument: str) -> Callable[[Kwargs], Kwargs]:
    def change(kwargs: Kwargs) -> Kwargs:
        values = np.array(kwargs[argument], dtype=float)
        values[0] = -1.0
        return {**kwargs, argument: values}
    return change


items_table = item_rows.map(lambda rows: {"items": items_frame(rows)})
p_values = st.lists(st.floats(0, 1), min_size=2, max_size=10).map(
    lambda p: {"p_values": p})

CASES: list[Case] = [
    Case("mean_ci", vector.map(lambda v: {"values": v}), call(stats.mean_ci),
         data=("values",), no_value={"values": "refuse"}),
    Case("mean_ci_from_moments", moment_kwargs(("n", "total", "total_sq")),
         call(stats.mean_ci_from_moments), data=("n", "total", "total_sq"), counts=("n",),
         same_length=(("n", "total"), ("total", "total_sq")),
         no_value={"n": "refuse", "total": "refuse", "total_sq": "refuse"},
         impossible={"negative variance": ("total_sq",
                                           negative_variance("total_sq", "total", "n"))}),
    Case("paired_change", paired_values(), call(stats.paired_change),
         data=("before", "after"), same_length=(("before", "after"),),
         no_value={"before": nan_change_with_note, "after": nan_change_with_note}),
    Case("paired_change_from_moments", paired_moments(),
         call(stats.paired_change_from_moments),
         data=("n", "sum_diff", "sumsq_diff", "mean_before", "mean_after"), counts=("n",),
         same_length=(("n", "sum_diff"), ("sum_diff", "mean_after")),
         no_value={"n": "refuse", "sum_diff": "refuse", "sumsq_diff": "refuse"},
         impossible={"negative variance": (
             "sumsq_diff", negative_variance("sumsq_diff", "sum_diff", "n"))}),
    Case("independent_change", paired_values().map(
        lambda kw: {"a": kw["before"], "b": kw["after"][:-1]}),
         call(stats.independent_change), data=("a", "b"),
         no_value={"a": nan_change_with_note, "b": nan_change_with_note}),
    Case("independent_change_from_moments", independent_moments(),
         call(stats.independent_change_from_moments),
         data=("n1", "s1", "ss1", "n2", "s2", "ss2"), counts=("n1", "n2"),
         same_length=(("n1", "s2"), ("ss1", "n2")),
         no_value={"n1": "refuse", "s2": "refuse", "ss1": "refuse"},
         impossible={"negative variance": ("ss2", negative_variance("ss2", "s2", "n2"))}),
    Case("benjamini_hochberg", p_values, call(stats.benjamini_hochberg),
         data=("p_values",), shares=("p_values",), no_value={"p_values": all_nan}),
    Case("holm", p_values, call(stats.holm), data=("p_values",), shares=("p_values",),
         no_value={"p_values": all_nan}),
    Case("bonferroni", p_values, call(stats.bonferroni), data=("p_values",),
         shares=("p_values",), no_value={"p_values": all_nan}),
    Case("proportion_ci", proportion_counts(("successes", "n")), call(stats.proportion_ci),
         data=("successes", "n"), counts=("successes", "n"),
         same_length=(("successes", "n"),),
         no_value={"successes": "refuse", "n": "refuse"},
         impossible={"more successes than people": (
             "successes", lambda kw: {**kw, "successes": kw["n"] + 1})}),
    Case("proportion_change", st.tuples(
        proportion_counts(("successes_before", "n_before")),
        proportion_counts(("successes_after", "n_after"))).filter(
            lambda t: t[0]["n_before"].size == t[1]["n_after"].size).map(
            lambda t: {**t[0], **t[1]}),
         call(stats.proportion_change),
         data=("successes_before", "n_before", "successes_after", "n_after"),
         counts=("successes_before", "n_before", "successes_after", "n_after"),
         same_length=(("successes_before", "n_after"),),
         no_value={"n_before": "refuse", "successes_after": "refuse"},
         impossible={"more successes than people": (
             "successes_after", lambda kw: {**kw, "successes_after": kw["n_after"] + 1})}),
    Case("paired_proportion_change", two_by_two(), call(stats.paired_proportion_change),
         data=("yes_yes", "yes_no", "no_yes", "no_no"),
         counts=("yes_yes", "yes_no", "no_yes", "no_no"),
         same_length=(("yes_yes", "no_no"),),
         no_value={"yes_no": "refuse", "no_no": "refuse"}),
    Case("ItemMoments", item_moment_parts(), call(stats.ItemMoments),
         data=("n", "sums", "cross_products"), counts=("n",),
         impossible={"negative variance": ("cross_products", item_variance_below_zero),
                     "a pair answered by more than an item": ("n", pair_above_item)}),
    Case("ItemMoments.from_items", items_table, from_items, data=("items",)),
    Case("ItemMoments.from_centred", centred_moment_parts(), from_centred,
         data=("n", "means", "comoments"), counts=("n",),
         impossible={"negative variance": ("comoments", negative_sum_of_squares),
                     "a pair answered by more than an item": ("n", pair_above_item)}),
    Case("covariance_from_moments", covariance_parts(), call(stats.covariance_from_moments),
         data=("n", "sums", "cross_products"), counts=("n",),
         impossible={"negative variance": ("cross_products", item_variance_below_zero)}),
    Case("alpha_from_covariance", covariance_and_n(), call(stats.alpha_from_covariance),
         data=("cov", "n"), counts=("n",), no_value={"n": "refuse"},
         impossible={"negative variance": ("cov", negative_cov_diagonal),
                     "asymmetric": ("cov", asymmetric_cov)}),
    Case("cronbach_alpha", items_table, call(stats.cronbach_alpha), data=("items",),
         no_value={"items": nan_alpha_with_note}),
    Case("cronbach_alpha_from_moments", items_and_n_obs(), alpha_from_moments,
         data=("items",), counts=("n_obs",), no_value={"n_obs": "refuse"},
         impossible={"fewer respondents than answers": ("n_obs", n_obs_below_answers)}),
    Case("feldt_interval", st.fixed_dictionaries({
        "alpha": st.floats(-1, 0.99), "n": st.integers(2, 200).map(float),
        "k": st.integers(2, 20).map(float)}), call(stats.feldt_interval),
         data=("alpha", "n", "k"), counts=("n", "k"), no_value={"n": "refuse", "k": "refuse"}),
    Case("score_correlations", item_rows.map(lambda rows: {"scores": items_frame(rows)}),
         call(stats.score_correlations), data=("scores",),
         no_value={"scores": correlations_nan_with_note}),
    Case("minimum_detectable_effect", st.fixed_dictionaries({
        "n": st.integers(4, 500).map(float),
        "design": st.sampled_from(["paired", "independent"])}),
         call(stats.minimum_detectable_effect), data=("n",), counts=("n",),
         no_value={"n": "refuse"}),
    Case("minimum_detectable_effect.clustered", st.fixed_dictionaries({
        "design": st.just("clustered"), "n_clusters": st.integers(3, 60).map(float),
        "cluster_size": st.integers(1, 40).map(float), "icc": st.floats(0, 1)}),
         call(stats.minimum_detectable_effect), data=("n_clusters", "cluster_size", "icc"),
         counts=("n_clusters", "cluster_size"), shares=("icc",),
         no_value={"n_clusters": "refuse", "icc": "refuse"}),
    Case("sample_size", st.fixed_dictionaries({
        "effect": st.floats(0.1, 2.0), "design": st.sampled_from(["paired", "independent"]),
        "attrition": st.floats(0, 0.5)}),
         call(stats.sample_size), data=("effect", "attrition"), shares=("attrition",),
         no_value={"effect": "refuse", "attrition": "refuse"}),
    Case("attrition", st.tuples(st.integers(1, 300), st.integers(1, 300)).flatmap(
        lambda t: st.fixed_dictionaries({
            "n_baseline": st.just(float(t[0])),
            "n_retained": st.integers(0, t[0]).map(float),
            "comparison_n_baseline": st.just(float(t[1])),
            "comparison_n_retained": st.integers(0, t[1]).map(float)})),
         call(stats.attrition),
         data=("n_baseline", "n_retained", "comparison_n_baseline", "comparison_n_retained"),
         counts=("n_baseline", "n_retained", "comparison_n_baseline",
                 "comparison_n_retained"),
         no_value={"n_baseline": "refuse", "comparison_n_retained": "refuse"},
         impossible={"more retained than at baseline": (
             "n_retained", lambda kw: {**kw, "n_retained": kw["n_baseline"] + 1})}),
    Case("baseline_equivalence", paired_values().map(
        lambda kw: {"stayed": kw["before"], "left": kw["after"][:-1]}),
         call(stats.baseline_equivalence), data=("stayed", "left"),
         no_value={"left": lambda r: bool(r["equivalence"].isna().all()
                                          and r["note"].notna().all())}),
    Case("baseline_equivalence_from_moments", moment_kwargs(("n_all", "sum_all", "sumsq_all"))
         .map(lambda kw: {**kw, "n_stayed": np.floor(kw["n_all"] / 2),
                          "sum_stayed": kw["sum_all"] / 2}),
         call(stats.baseline_equivalence_from_moments),
         data=("n_all", "sum_all", "sumsq_all", "n_stayed", "sum_stayed"),
         counts=("n_all", "n_stayed"), same_length=(("n_all", "sum_stayed"),),
         no_value={"n_all": "refuse", "sumsq_all": "refuse"},
         impossible={"negative variance": (
             "sumsq_all", negative_variance("sumsq_all", "sum_all", "n_all")),
             "more stayed than at baseline": (
             "n_stayed", lambda kw: {**kw, "n_stayed": kw["n_all"] + 1})}),
    Case("baseline_equivalence_from_counts", yes_no_stayers(),
         call(stats.baseline_equivalence_from_counts),
         data=("n_all", "yes_all", "n_stayed", "yes_stayed"),
         counts=("n_all", "yes_all", "n_stayed", "yes_stayed"),
         no_value={"n_all": "refuse", "yes_stayed": "refuse"},
         impossible={"more yes than people": (
             "yes_all", lambda kw: {**kw, "yes_all": kw["n_all"] + 1}),
             "more stayed than at baseline": (
             "n_stayed", lambda kw: {**kw, "n_stayed": kw["n_all"] + 1})}),
    Case("score_scale", items_table, call(stats.score_scale), data=("items",),
         no_value={"items": all_nan}),
    Case("funnel_proportions", proportion_counts(("successes", "n")),
         call(stats.funnel_proportions), data=("successes", "n"), counts=("successes", "n"),
         same_length=(("successes", "n"),),
         no_value={"successes": "refuse", "n": "refuse"},
         impossible={"more successes than people": (
             "successes", lambda kw: {**kw, "successes": kw["n"] + 1})}),
    Case("funnel_rates", rate_inputs(), call(stats.funnel_rates),
         data=("events", "exposure"), counts=("events",),
         same_length=(("events", "exposure"), ("exposure", "events")),
         no_value={"events": "refuse", "exposure": "refuse"},
         impossible={"negative exposure": ("exposure", negative_first("exposure"))}),
    Case("funnel_means", grantee_means(), call(stats.funnel_means),
         data=("means", "sds", "n"), counts=("n",),
         same_length=(("means", "n"), ("sds", "n")),
         no_value={"means": "refuse", "sds": "refuse", "n": "refuse"},
         impossible={"negative standard deviation": ("sds", negative_first("sds"))}),
    Case("empirical_bayes", estimates_with_errors(), call(stats.empirical_bayes),
         data=("estimates", "standard_errors"),
         same_length=(("estimates", "standard_errors"),),
         no_value={"estimates": nothing_to_shrink, "standard_errors": "refuse"},
         impossible={"negative standard error": (
             "standard_errors", negative_first("standard_errors"))}),
    Case("clustered_mean", values_in_clusters(), call(stats.clustered_mean),
         data=("values",), same_length=(("values", "clusters"),),
         no_value={"values": "refuse"}),
    Case("clustered_mean_from_moments", moment_kwargs(("n", "total", "total_sq")),
         call(stats.clustered_mean_from_moments), data=("n", "total", "total_sq"),
         counts=("n",), same_length=(("n", "total"), ("total", "total_sq")),
         no_value={"n": "refuse", "total": "refuse", "total_sq": "refuse"},
         impossible={"negative variance": ("total_sq",
                                           negative_variance("total_sq", "total", "n"))}),
    Case("reliable_change", scores(), call(stats.reliable_change),
         data=("before", "after"), shares=("reliability",),
         same_length=(("before", "after"),),
         no_value={"before": categories_missing, "after": categories_missing}),
    Case("reliable_change_summary", scores(), call(stats.reliable_change_summary),
         data=("before", "after"), shares=("reliability",),
         same_length=(("before", "after"),),
         no_value={"before": summary_of_nobody, "after": summary_of_nobody}),
]


# ---------------------------------------------------------------------------------------------
# changing one argument


def _as_array(value: Any) -> np.ndarray:
    if isinstance(value, pd.DataFrame):
        return value.to_numpy(dtype=float).copy()
    return np.array(value, dtype=float)


def _put_back(original: Any, array: np.ndarray) -> Any:
    if isinstance(original, pd.DataFrame):
        return pd.DataFrame(array, columns=original.columns, index=original.index)
    if isinstance(original, list):
        return array.tolist()
    if isinstance(original, float):
        return float(array)
    return array


def set_one(kwargs: Kwargs, argument: str, value: float, draw: Any) -> Kwargs:
    """The arguments with one entry of ``argument`` (drawn) set to ``value``."""
    original = kwargs[argument]
    array = _as_array(original)
    at = draw(st.integers(0, max(array.size - 1, 0)))
    flat = array.reshape(-1)
    flat[at] = value
    if array.ndim == 2 and array.shape[0] == array.shape[1] and argument != "items":
        # Square matrices of moments are symmetric: change both halves.
        i, j = divmod(at, array.shape[1])
        array[j, i] = array[i, j]
    return {**kwargs, argument: _put_back(original, array)}


def set_all_missing(kwargs: Kwargs, argument: str) -> Kwargs:
    original = kwargs[argument]
    array = np.full(_as_array(original).shape, np.nan)
    return {**kwargs, argument: _put_back(original, array)}


def names(argument: str) -> str:
    return re.escape(argument)


FAST = settings(max_examples=12, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])

BY_DATA = [(c, a) for c in CASES for a in c.data]
BY_COUNT = [(c, a) for c in CASES for a in c.counts]
BY_SHARE = [(c, a) for c in CASES for a in c.shares]
BY_LENGTH = [(c, pair) for c in CASES for pair in c.same_length]
BY_NO_VALUE = [(c, a, want) for c in CASES for a, want in c.no_value.items()]
BY_IMPOSSIBLE = [(c, what, spec) for c in CASES for what, spec in c.impossible.items()]


def case_id(value: Any) -> str:
    if isinstance(value, Case):
        return value.name
    if isinstance(value, tuple):
        return "-".join(str(v) for v in value if isinstance(v, str))
    return str(value) if isinstance(value, str) else "check"


def test_every_public_callable_has_a_case():
    public = {name for name in stats.__all__ if callable(getattr(stats, name))}
    covered = {case.name.split(".")[0] for case in CASES}
    assert public - RESULT_TYPES - covered == set()
    assert {case.name.split(".")[0] for case in CASES} <= public


@pytest.mark.parametrize("case", CASES, ids=case_id)
@FAST
@given(data=st.data())
def test_valid_input_is_accepted(case, data):
    case.call(data.draw(case.valid))


@pytest.mark.parametrize(("case", "argument"), BY_DATA, ids=case_id)
@pytest.mark.parametrize("infinity", [np.inf, -np.inf], ids=["inf", "-inf"])
@FAST
@given(data=st.data())
def test_an_infinite_value_is_refused_naming_the_argument(case, argument, infinity, data):
    kwargs = set_one(data.draw(case.valid), argument, infinity, data.draw)
    with pytest.raises(ValueError, match=names(argument)):
        case.call(kwargs)


@pytest.mark.parametrize(("case", "argument"), BY_COUNT, ids=case_id)
@pytest.mark.parametrize("count", [-1.0, 2.5, np.nan], ids=["negative", "fractional", "missing"])
@FAST
@given(data=st.data())
def test_a_count_that_no_data_could_have_is_refused(case, argument, count, data):
    kwargs = data.draw(case.valid)
    original = kwargs[argument]
    bad = set_one(kwargs, argument, count, data.draw) if np.ndim(original) else {
        **kwargs, argument: count}
    with pytest.raises(ValueError, match=names(argument)):
        case.call(bad)


@pytest.mark.parametrize(("case", "argument"), BY_SHARE, ids=case_id)
@pytest.mark.parametrize("share", [-0.25, 1.5], ids=["below_0", "above_1"])
@FAST
@given(data=st.data())
def test_a_share_outside_0_and_1_is_refused(case, argument, share, data):
    kwargs = data.draw(case.valid)
    bad = set_one(kwargs, argument, share, data.draw) if np.ndim(kwargs[argument]) else {
        **kwargs, argument: share}
    with pytest.raises(ValueError, match=names(argument)):
        case.call(bad)


@pytest.mark.parametrize(("case", "pair"), BY_LENGTH, ids=case_id)
@FAST
@given(data=st.data())
def test_arguments_of_different_lengths_are_refused_naming_both(case, pair, data):
    kwargs = data.draw(case.valid)
    first, second = pair
    longer = _as_array(kwargs[first])
    kwargs = {**kwargs, first: _put_back(kwargs[first], np.append(longer, longer[:1]))}
    with pytest.raises(ValueError, match=names(first)) as raised:
        case.call(kwargs)
    assert second in str(raised.value)


@pytest.mark.parametrize(("case", "argument", "want"), BY_NO_VALUE, ids=case_id)
@FAST
@given(data=st.data())
def test_an_argument_without_any_value_is_refused_or_gives_the_documented_nan(
        case, argument, want, data):
    kwargs = set_all_missing(data.draw(case.valid), argument)
    if want == "refuse":
        with pytest.raises(ValueError, match=names(argument)):
            case.call(kwargs)
    else:
        assert want(case.call(kwargs)), inspect.getsource(want)


@pytest.mark.parametrize(("case", "what", "spec"), BY_IMPOSSIBLE, ids=case_id)
@FAST
@given(data=st.data())
def test_inconsistent_input_is_refused_naming_the_argument(case, what, spec, data):
    argument, change = spec
    with pytest.raises(ValueError, match=names(argument)):
        case.call(change(data.draw(case.valid)))
