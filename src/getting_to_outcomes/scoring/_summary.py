"""The result of scoring: :class:`ProgressSummary`, with its tidy tables and roll-ups."""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from scipy import stats as sps

from getting_to_outcomes.columns import (
    ITEM_COLUMNS,
    MILESTONE_COLUMNS,
    ROLLUP_COLUMNS,
)
from getting_to_outcomes.definitions import Framework
from getting_to_outcomes.definitions.models import LevelMeasure, ScaleMeasure
from getting_to_outcomes.errors import ScoringError, did_you_mean
from getting_to_outcomes.scoring._attrition import attrition_table
from getting_to_outcomes.scoring._funnel import clustering_table, funnel_of
from getting_to_outcomes.stats import (
    FunnelResult,
    cronbach_alpha_from_moments,
    reliable_change_summary,
)

if TYPE_CHECKING:
    from getting_to_outcomes.scoring._tables import Aggregates, Window

__all__ = [
    "GAP_COLUMNS",
    "MOVEMENT_COLUMNS",
    "RELIABILITY_COLUMNS",
    "ProgressSummary",
]

#: :meth:`ProgressSummary.reliability`: one row per scale x group x period x item.
RELIABILITY_COLUMNS: list[str] = [
    "indicator_id", "group", "period", "n", "k", "alpha", "std_alpha", "ci_low", "ci_high",
    "threshold", "flag", "item", "alpha_if_dropped", "item_total_r", "item_mean", "item_sd",
    "item_n", "note",
]

#: :meth:`ProgressSummary.movement`: matched units by direction of change, per indicator x
#: group x period.
MOVEMENT_COLUMNS: list[str] = [
    "indicator_id", "group", "period", "baseline_period", "method", "category", "count",
    "share", "n_pairs",
]

#: :meth:`ProgressSummary.gaps`: focal minus reference subgroup, per indicator x group x period.
GAP_COLUMNS: list[str] = [
    "indicator_id", "group", "period", "baseline_period", "dimension", "focal", "reference",
    "focal_value", "reference_value", "gap", "gap_ci_low", "gap_ci_high", "baseline_gap",
    "gap_change", "suppressed",
]

# A target met while declining significantly counts as needing acceleration in a roll-up's
# median: the value is where it should be but moving away from it. Listed last, so that a
# median of rank 2 reads "needs_acceleration".
_STATUS_RANK = {"deteriorating": 0, "limited": 1, "needs_acceleration": 2, "on_track": 3,
                "target_achieved": 4, "target_met_declining": 2}
_LEVELS = ("stop", "zone", "realm")


@dataclass(frozen=True, eq=False)
class ProgressSummary:
    """Scored progress of every indicator, per group, period and subgroup.

    Build one with :func:`getting_to_outcomes.score` (or
    :func:`getting_to_outcomes.scoring._compare`). It is immutable: every method returns a new
    DataFrame.

    Attributes
    ----------
    framework : Framework
        The framework scored against.
    indicator_ids : tuple of str
        Indicators scored, in framework order.
    options : Mapping
        Options of the run (group_by, confidence, bootstrap, seed, min_n, min_answered,
        reliability).
    min_n : Mapping[str, int]
        Smallest n shown, per indicator.
    warnings : tuple of str
        What the run left out or could not use (periods outside the window, absent
        disaggregation columns, rows that failed validation).
    synthetic : bool or None
        True when any table scored was marked synthetic (``attrs["synthetic"]``, as the
        tables of :func:`getting_to_outcomes.load_example` are), False when every one was
        marked real, None when the data did not say. Charts of a synthetic summary say so
        in their caption.

    Examples
    --------
    >>> import pandas as pd
    >>> import getting_to_outcomes as gto
    >>> rows = pd.DataFrame({
    ...     "org_id": ["a"] * 6 + ["b"] * 6, "period": ["2023"] * 3 + ["2024"] * 3 + ["2023"]
    ...     * 3 + ["2024"] * 3, "contact_id": [f"c{i}" for i in range(12)],
    ...     "date": pd.Timestamp("2024-01-01"), "official_role": "principal",
    ...     "meeting_type": "testimony", "outcome": "info_only"})
    >>> summary = gto.score(rows, source="contacts_log", indicators=["decision_makers.testimony"])
    >>> summary.groups
    ('a', 'b', 'network')
    >>> summary.to_frame().query("group == 'network'")[["period", "value"]].to_dict("records")
    [{'period': '2023', 'value': 6.0}, {'period': '2024', 'value': 6.0}]
    """

    framework: Framework = field(repr=False)
    frame: pd.DataFrame = field(repr=False)
    aggregates: Aggregates = field(repr=False)
    indicator_ids: tuple[str, ...]
    options: Mapping[str, Any]
    targets: pd.DataFrame | None = field(default=None, repr=False)
    min_n: Mapping[str, int] = field(default_factory=dict, repr=False)
    warnings: tuple[str, ...] = ()
    synthetic: bool | None = None

    # -- what was scored ------------------------------------------------------------------

    @property
    def framework_id(self) -> str:
        return self.framework.id

    @property
    def framework_version(self) -> str:
        return self.framework.version

    @property
    def group_by(self) -> str | None:
        value = self.options.get("group_by")
        return None if value is None else str(value)

    @property
    def confidence(self) -> float:
        return float(self.options["confidence"])

    @property
    def seed(self) -> int:
        return int(self.options["seed"])

    @property
    def groups(self) -> tuple[str, ...]:
        """Groups in order; ``"network"`` (all groups pooled) last when present."""
        return tuple(pd.unique(self.frame["group"]))

    @property
    def windows(self) -> Mapping[str, Window]:
        """Per source id, the periods scored (the first is the baseline)."""
        return self.aggregates.windows

    @property
    def periods(self) -> tuple[str, ...]:
        """Every period scored, in time order within each source."""
        out: list[str] = []
        for window in self.windows.values():
            out.extend(p for p in window.periods if p not in out)
        return tuple(out)

    @property
    def baseline_period(self) -> str | None:
        """The baseline period when every source has the same one, else None."""
        found = {w.baseline for w in self.windows.values()}
        return found.pop() if len(found) == 1 else None

    @property
    def current_period(self) -> str | None:
        """The current period when every source has the same one, else None."""
        found = {w.current for w in self.windows.values()}
        return found.pop() if len(found) == 1 else None

    # -- tables ------------------------------------------------------------------------------

    def to_frame(self) -> pd.DataFrame:
        """The tidy long table: one row per indicator x group x period x subgroup.

        Columns are :data:`getting_to_outcomes.columns.SUMMARY_COLUMNS`. Withheld values
        (``suppressed``) are missing in every column that could reveal them. When the data
        said whether they are synthetic, ``attrs["synthetic"]`` of the table says it too.
        """
        frame = self.frame.copy()
        if self.synthetic is not None:
            frame.attrs["synthetic"] = self.synthetic
        return frame

    def _whole(self) -> pd.DataFrame:
        frame = self.frame
        return frame[frame["subgroup_dimension"] == "all"]

    def _views(self) -> list[tuple[str, pd.DataFrame]]:
        """Rows per roll-up period: each period when all sources share their periods, else
        each indicator's baseline and current period (labelled so)."""
        whole = self._whole()
        windows = self.windows
        shared = {w.periods for w in windows.values()}
        missing = whole[whole["period"].isna()]
        if len(shared) == 1:
            periods = next(iter(shared))
            return [(p, pd.concat([whole[whole["period"] == p], missing])) for p in periods]
        current = {sid: w.current for sid, w in windows.items()}
        source = {i.id: i.source for i in self.framework.indicators}
        src = whole["indicator_id"].map(source)
        is_current = whole["period"] == src.map(current)
        is_baseline = whole["period"] == whole["baseline_period"]
        return [("baseline", pd.concat([whole[is_baseline], missing])),
                ("current", pd.concat([whole[is_current], missing]))]

    def _rollup(self, level: str) -> pd.DataFrame:
        fw = self.framework
        inds = [fw.indicators[i] for i in self.indicator_ids]
        if level == "stop":
            entities = [(s.id, s.name) for s in fw.stops]
        elif level == "zone":
            entities = [(z.id, z.name) for z in fw.zones]
        else:
            entities = [(r.id, r.name) for r in fw.realms]
        member = {i.id: getattr(i, level) for i in inds}
        weight = {i.id: i.weight for i in inds}
        defined = pd.Series(member).value_counts()
        groups = self.groups
        entity_at = {entity_id: k for k, (entity_id, _) in enumerate(entities)}
        group_at = {g: k for k, g in enumerate(groups)}
        rows = []
        for period, view in self._views():
            # One stable sort puts each group x entity's rows together, in the view's order,
            # so that every sum and median below sees its rows in the same order as a filter.
            entity = view["indicator_id"].map(member).map(entity_at).to_numpy(dtype=np.float64)
            group = view["group"].map(group_at).to_numpy(dtype=np.float64)
            code = np.where(np.isnan(entity) | np.isnan(group), -1.0,
                            group * len(entities) + entity)
            order = np.argsort(code, kind="stable")
            sorted_code = code[order]
            weights = view["indicator_id"].map(weight).to_numpy(dtype=np.float64)
            scores = view["score_0_100"].to_numpy(dtype=np.float64)
            suppressed = view["suppressed"].to_numpy(dtype=bool)
            usable = ~np.isnan(scores) & ~suppressed
            statuses = view["status"].to_numpy(dtype=object)
            ranks = view["status"].map(_STATUS_RANK).to_numpy(dtype=np.float64)
            for g, group_label in enumerate(groups):
                for e, (entity_id, name) in enumerate(entities):
                    n_defined = int(defined.get(entity_id, 0))
                    if n_defined == 0:
                        continue
                    key = float(g * len(entities) + e)
                    part = order[np.searchsorted(sorted_code, key, "left"):
                                 np.searchsorted(sorted_code, key, "right")]
                    scored = part[usable[part]]
                    w = weights[scored]
                    s = scores[scored]
                    value = float(np.sum(w * s) / np.sum(w)) if len(scored) else np.nan
                    shown = part[~suppressed[part]]
                    rows.append({
                        "group": group_label, "period": period, "level": level,
                        "level_id": entity_id, "level_name": name, "score_0_100": value,
                        "n_indicators_defined": n_defined,
                        "n_indicators_with_data": len(scored),
                        "coverage": len(scored) / n_defined,
                        "status": _median_of(ranks[shown], statuses[shown], weights[shown]),
                    })
        return pd.DataFrame(rows, columns=ROLLUP_COLUMNS)

    @cached_property
    def _rollups(self) -> dict[str, pd.DataFrame]:
        """Every roll-up, computed once: the summary never changes after it is built."""
        return {level: self._rollup(level) for level in _LEVELS}

    def by_stop(self) -> pd.DataFrame:
        """Roll-up per stop of the theory of change; columns :data:`ROLLUP_COLUMNS`.

        ``score_0_100`` is the weighted mean (YAML weights) of the 0-100 scores of the stop's
        indicators that have one (withheld indicators do not count); ``coverage`` is the
        share of the stop's indicators that have one (missing never counts as zero);
        ``status`` the weighted median status of its assessed indicators, the worse one on a
        tie, or ``insufficient_data``. Periods are the periods scored when all sources share
        them, else ``"baseline"`` and ``"current"`` (each indicator's own). The roll-ups are
        computed once per summary; each call returns a copy.
        """
        return self._rollups["stop"].copy()

    def by_zone(self) -> pd.DataFrame:
        """Roll-up per zone, as :meth:`by_stop`."""
        return self._rollups["zone"].copy()

    def by_realm(self) -> pd.DataFrame:
        """Roll-up per realm (individual, community, policy), as :meth:`by_stop`."""
        return self._rollups["realm"].copy()

    def _cell_hidden(self) -> pd.Series:
        whole = self._whole()
        keys = pd.MultiIndex.from_frame(whole[["indicator_id", "group", "period"]].astype(str))
        reason = whole["suppression_reason"].to_numpy(dtype=object)
        privacy = whole["suppressed"].to_numpy(dtype=bool) & (reason != "low_reliability")
        return pd.Series(privacy, index=keys)

    def _hide(self, table: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
        if table.empty:
            return table
        keys = pd.MultiIndex.from_frame(table[["indicator_id", "group", "period"]].astype(str))
        hidden = self._cell_hidden().reindex(keys).fillna(False).to_numpy(dtype=bool)
        table = table.copy()
        table.loc[hidden, list(columns)] = np.nan
        return table

    def items(self) -> pd.DataFrame:
        """Answer distributions of scale items and ladders, for diverging bar charts.

        Columns :data:`ITEM_COLUMNS`: one row per group x period x indicator x item x answer
        code, with the code's label, the count and the share among those who answered the
        item. Answers are as given (before reverse keying). Withheld cells have missing
        counts and shares.
        """
        fw = self.framework
        parts = []
        answers = self.aggregates.answers
        if not answers.empty:
            table = answers[answers["indicator_id"].isin(self.indicator_ids)].copy()
            labels: dict[tuple[str, float], str] = {}
            for ind_id in table["indicator_id"].unique():
                measure = fw.indicators[ind_id].measure
                assert isinstance(measure, ScaleMeasure)
                for code in fw.scale(measure.scale).codes:
                    labels[(ind_id, float(code.code))] = code.label
            table["label"] = [labels.get((i, c), str(c)) for i, c in
                              zip(table["indicator_id"], table["code"], strict=True)]
            parts.append(table)
        values = self.aggregates.values
        for ind_id in self.indicator_ids:
            measure = fw.indicators[ind_id].measure
            if not isinstance(measure, LevelMeasure) or values.empty:
                continue
            mine = values[(values["indicator_id"] == ind_id) & (values["dimension"] == "all")]
            ladder = {float(r.value): r.label for r in measure.ladder}
            grid = mine[["group", "period"]].drop_duplicates().merge(
                pd.DataFrame({"code": list(ladder)}), how="cross")
            counted = grid.merge(mine.rename(columns={"value": "code"})[
                ["group", "period", "code", "count"]], how="left").fillna({"count": 0.0})
            parts.append(counted.assign(indicator_id=ind_id, item=measure.field,
                                        label=counted["code"].map(ladder)))
        if not parts:
            return pd.DataFrame(columns=ITEM_COLUMNS)
        table = pd.concat(parts, ignore_index=True)
        totals = table.groupby(["indicator_id", "group", "period", "item"])["count"].transform(
            "sum")
        table["share"] = np.where(totals > 0, table["count"] / totals, np.nan)
        table = self._hide(table, ["count", "share"])
        return table[ITEM_COLUMNS].reset_index(drop=True)

    def milestones(self) -> pd.DataFrame:
        """Milestone items (e.g. policy wins) by stage and level in the current period.

        Columns :data:`MILESTONE_COLUMNS`; ``stage_order`` is 1 for the first stage onwards
        and 0 for setbacks (defeated, reversed).
        """
        stages = self.aggregates.stages
        if stages.empty:
            return pd.DataFrame(columns=MILESTONE_COLUMNS)
        source = {i.id: i.source for i in self.framework.indicators}
        current = {sid: w.current for sid, w in self.windows.items()}
        table = stages[stages["indicator_id"].isin(self.indicator_ids)]
        table = table[table["period"] == table["indicator_id"].map(source).map(current)]
        table = self._hide(table, ["count"])
        table = table.assign(stage_order=table["stage_order"].astype("int64"),
                             count=table["count"].astype("Float64").round().astype("Int64"))
        return table.sort_values(["group", "indicator_id", "stage_order", "level"])[
            MILESTONE_COLUMNS].reset_index(drop=True)

    def reliability(self) -> pd.DataFrame:
        """Cronbach's alpha of every scale per group and period, with item statistics.

        Columns :data:`RELIABILITY_COLUMNS`, one row per item: the scale's ``n``
        (respondents), ``k``, raw and standardized alpha with its Feldt interval, the
        indicator's ``threshold`` and ``flag`` (``ok``, ``below_threshold``, ``undefined``),
        then per item the alpha if it is dropped, the corrected item-total correlation, its
        mean, sd and n, and a ``note``. Computed from the pooled item moments with
        :func:`getting_to_outcomes.stats.cronbach_alpha_from_moments` (pairwise-complete
        covariances, as psych's ``alpha``). Small groups are withheld.
        """
        rows = []
        for ind_id in self.indicator_ids:
            ind = self.framework.indicators[ind_id]
            if not isinstance(ind.measure, ScaleMeasure):
                continue
            cells = self.aggregates.items
            cells = cells[cells["indicator_id"] == ind_id][["group", "period"]].drop_duplicates()
            for group, period in cells.itertuples(index=False):
                moments = self.aggregates.item_moments(ind_id, group, period)
                if moments is None:
                    continue
                res = cronbach_alpha_from_moments(moments, confidence=self.confidence)
                threshold = ind.reliability_threshold
                flag = "undefined" if np.isnan(res.alpha) else (
                    "below_threshold" if threshold is not None and res.alpha < threshold
                    else "ok")
                for item in res.items.itertuples(index=False):
                    rows.append({
                        "indicator_id": ind_id, "group": group, "period": period,
                        "n": res.n, "k": res.k, "alpha": res.alpha, "std_alpha": res.std_alpha,
                        "ci_low": res.ci_low, "ci_high": res.ci_high, "threshold": threshold,
                        "flag": flag, "item": item.item,
                        "alpha_if_dropped": item.alpha_if_dropped,
                        "item_total_r": item.item_total_r, "item_mean": item.mean,
                        "item_sd": item.sd, "item_n": item.n, "note": res.note,
                    })
        table = pd.DataFrame(rows, columns=RELIABILITY_COLUMNS)
        return self._hide(table, ["n", "alpha", "std_alpha", "ci_low", "ci_high",
                                  "alpha_if_dropped", "item_total_r", "item_mean", "item_sd",
                                  "item_n"])

    def movement(self) -> pd.DataFrame:
        """Who changed, among units matched between the baseline and each later period.

        Scales: the Jacobson-Truax reliable change index
        (:func:`getting_to_outcomes.stats.reliable_change_summary`), with the group's
        baseline alpha as the reliability and the sd of its baseline scores; categories
        ``improved``, ``no_reliable_change``, ``declined`` (in the indicator's good
        direction). Ladders (level measures): ``moved_up``, ``no_change``, ``moved_down``.
        Columns :data:`MOVEMENT_COLUMNS`. Shown exactly where the summary's ``design`` is
        ``paired``: the rule that decides the design of the change (at least
        ``max(2, min_n)`` matched units, :func:`getting_to_outcomes.scoring._estimates.pairing`)
        decides here too, and counts are missing elsewhere.
        """
        rows: list[dict[str, Any]] = []
        aggregates = self.aggregates
        cells = aggregates.cells
        whole = self._whole()
        base_of = dict(zip(whole["indicator_id"], whole["baseline_period"], strict=False))
        for ind_id in self.indicator_ids:
            ind = self.framework.indicators[ind_id]
            measure = ind.measure
            if isinstance(measure, ScaleMeasure):
                table = aggregates.differences
                method = "reliable_change_index"
                categories = ["improved", "no_reliable_change", "declined"]
            elif isinstance(measure, LevelMeasure):
                table = aggregates.transitions
                method = "ladder"
                categories = ["moved_up", "no_change", "moved_down"]
            else:
                continue
            mine = table[(table["indicator_id"] == ind_id) & (table["dimension"] == "all")]
            base_period = base_of.get(ind_id)
            for (group, period), part in mine.groupby(["group", "period"], sort=False):
                counts = part["count"].to_numpy(dtype=np.int64)
                n_pairs = int(counts.sum())
                if method == "ladder":
                    d = part["after"].to_numpy() - part["before"].to_numpy()
                    values = [float(counts[d > 0].sum()), float(counts[d == 0].sum()),
                              float(counts[d < 0].sum())]
                else:
                    values = self._reliable_change(ind_id, str(group), str(base_period), part,
                                                   counts, cells, ind.direction)
                for category, count in zip(categories, values, strict=True):
                    rows.append({"indicator_id": ind_id, "group": group, "period": period,
                                 "baseline_period": base_period, "method": method,
                                 "category": category, "count": count,
                                 "share": count / n_pairs if n_pairs else np.nan,
                                 "n_pairs": n_pairs})
        table = pd.DataFrame(rows, columns=MOVEMENT_COLUMNS)
        if table.empty:
            return table
        table = self._hide(table, ["count", "share", "n_pairs"])
        design = pd.Series(whole["design"].to_numpy(dtype=object), index=pd.MultiIndex.from_frame(
            whole[["indicator_id", "group", "period"]].astype(str)))
        keys = pd.MultiIndex.from_frame(table[["indicator_id", "group", "period"]].astype(str))
        unpaired = design.reindex(keys).to_numpy(dtype=object) != "paired"
        table.loc[unpaired, ["count", "share", "n_pairs"]] = np.nan
        return table.reset_index(drop=True)

    def _reliable_change(
        self, ind_id: str, group: str, base_period: str, part: pd.DataFrame,
        counts: np.ndarray, cells: pd.DataFrame, direction: str,
    ) -> list[float]:
        """Counts improved / no reliable change / declined, or NaN without a usable alpha."""
        moments = self.aggregates.item_moments(ind_id, group, base_period)
        alpha = np.nan if moments is None else cronbach_alpha_from_moments(
            moments, confidence=self.confidence).alpha
        if np.isnan(alpha) or not 0 <= alpha < 1:
            return [np.nan, np.nan, np.nan]
        base = cells[(cells["indicator_id"] == ind_id) & (cells["group"] == group)
                     & (cells["period"] == base_period) & (cells["dimension"] == "all")]
        n_b, s_b, ss_b = (float(base[c].sum()) for c in ("n", "sum", "sum_sq"))
        sd = np.sqrt(max(ss_b - s_b * s_b / n_b, 0.0) / (n_b - 1.0)) if n_b >= 2 else np.nan
        d = np.repeat(part["difference"].to_numpy(), counts)
        summary = reliable_change_summary(
            np.zeros_like(d), d, float(alpha), sd_baseline=sd, confidence=self.confidence,
            direction="decrease" if direction == "decrease" else "increase")
        found = dict(zip(summary["category"], summary["count"], strict=True))
        return [float(found.get(c, 0)) for c in ("improved", "no_reliable_change", "declined")]

    def funnel(
        self, indicator: str, *, period: str | None = None, overdispersion: str = "auto",
        change: bool = False,
    ) -> FunnelResult:
        """Funnel plot of one indicator across the grantees: who differs from the network.

        Parameters
        ----------
        indicator : str
            A scale, mean or proportion indicator (a value that is the mean, or the share,
            of people's values).
        period : str, optional
            The period; by default the indicator's latest.
        overdispersion : {"auto", "none", "multiplicative", "additive"}
            As :func:`getting_to_outcomes.stats.funnel_proportions`.
        change : bool
            Compare the grantees' mean change since baseline instead of their value: each
            grantee's mean and sd of the changes of its people measured at both times (from
            the summary's distribution of differences), around the network's mean change of
            everyone so measured. Scale and mean indicators, at a later period.

        Returns
        -------
        FunnelResult
            From :func:`~getting_to_outcomes.stats.funnel_means` (pooled standard deviation
            from each grantee's sums) or :func:`~getting_to_outcomes.stats.funnel_proportions`,
            around the network value. Grantees whose value is withheld (too few people,
            complementary suppression, low reliability) are not drawn and are named in
            ``left_out``.

        Raises
        ------
        ScoringError
            An indicator that is not in the summary or has no funnel (counts, ratios,
            milestones), or a period it was not scored for; with ``change``, a share, or a
            period with nobody matched to the baseline.
        """
        return funnel_of(self, indicator, period=period, overdispersion=overdispersion,
                         change=change)

    def clustering(self, *, confidence: float | None = None) -> pd.DataFrame:
        """Intraclass correlation, design effect and cluster-robust interval of network values.

        People are nested in grantees, so the network value (pooled over everyone) is less
        precise than its n suggests. For every scale, mean and proportion indicator and
        period with at least two grantees of more than one person, one row from
        :func:`getting_to_outcomes.stats.clustered_mean_from_moments` on the grantees' sums.

        Parameters
        ----------
        confidence : float, optional
            Coverage of the interval (default: the summary's).

        Returns
        -------
        DataFrame
            Columns ``indicator_id``, ``period``, ``family`` (``"mean"`` or
            ``"proportion"``), then those of
            :data:`~getting_to_outcomes.stats.CLUSTERED_MEAN_COLUMNS`: ``mean`` (the network
            value), ``ci_low``, ``ci_high`` (cluster-robust, t with clusters - 1 df; for a
            proportion cut to [0, 1]),
            ``icc`` (one-way ANOVA estimator), ``cluster_size`` (m, the mean number of people
            per grantee) and ``design_effect`` (``1 + (m - 1) icc``), among others.
        """
        return clustering_table(self, confidence=confidence)

    def attrition(self, *, assumption: str = "cautious") -> pd.DataFrame:
        """Attrition per grantee between baseline and each later period, WWC-rated.

        For every indicator whose people are matched by id across periods: the people with a
        value at baseline, those of them with a value again, and the What Works
        Clearinghouse rating of the grantee's attrition against the rest of the network
        (:func:`getting_to_outcomes.stats.attrition`), with the baseline equivalence of the
        people who stayed and those who left: Hedges' g for scale and mean indicators
        (:func:`getting_to_outcomes.stats.baseline_equivalence_from_moments`), the Cox index
        for yes/no shares and levels, as the WWC does for binary characteristics
        (:func:`getting_to_outcomes.stats.baseline_equivalence_from_counts`).

        Parameters
        ----------
        assumption : {"cautious", "optimistic"}
            The WWC attrition boundary.

        Returns
        -------
        DataFrame
            Columns ``indicator_id``, ``group``, ``baseline_period``, ``period``,
            ``n_baseline``, ``n_retained``, ``attrition``, ``network_attrition`` (the rest
            of the network), ``overall_attrition``, ``differential_attrition`` (the
            grantee's minus the rest's), ``assumption``, ``boundary``, ``rating`` (``"low"``
            or ``"high"``), ``hedges_g`` (stayed minus left at baseline, in pooled sd;
            means), ``cox_index`` (the difference of their log odds of a yes at baseline,
            over 1.65; shares), ``equivalence`` (``"satisfied"``, ``"adjustment required"``,
            ``"not satisfied"``) and ``note``. Small groups are withheld.
        """
        return attrition_table(self, assumption=assumption)

    def gaps(self, dimension: str, focal: str, reference: str) -> pd.DataFrame:
        """Equity gaps: the focal subgroup's value minus the reference subgroup's.

        Parameters
        ----------
        dimension : str
            A disaggregation column, e.g. ``"role_type"``.
        focal, reference : str
            Subgroup values to compare, e.g. ``"youth"`` and ``"parent"``.

        Returns
        -------
        DataFrame
            Columns :data:`GAP_COLUMNS`, one row per indicator x group x period:
            ``gap = focal_value - reference_value``, its interval (normal approximation from
            the two intervals, treating the subgroups as independent), ``baseline_gap`` and
            ``gap_change`` (the gap now minus the gap at baseline). Missing where either
            subgroup is withheld (``suppressed``).
        """
        frame = self.frame
        rows = frame[frame["subgroup_dimension"] == dimension]
        if rows.empty:
            known = sorted(set(frame["subgroup_dimension"]) - {"all"})
            raise ScoringError(f"no indicator was broken down by {dimension!r} "
                               f"(dimensions: {', '.join(known) or 'none'})"
                               f"{did_you_mean(dimension, known)}")
        keys = ["indicator_id", "group", "period"]
        cols = [*keys, "baseline_period", "value", "ci_low", "ci_high", "suppressed"]
        a = rows[rows["subgroup"] == focal][cols]
        b = rows[rows["subgroup"] == reference][cols]
        for name, part in ((focal, a), (reference, b)):
            if part.empty:
                known = sorted(set(rows["subgroup"]))
                raise ScoringError(f"{dimension} has no subgroup {name!r} "
                                   f"({', '.join(known)}){did_you_mean(name, known)}")
        merged = a.merge(b, on=[*keys, "baseline_period"], suffixes=("_f", "_r"))
        z = float(sps.norm.ppf(0.5 + self.confidence / 2.0))
        se_f = (merged["ci_high_f"] - merged["ci_low_f"]) / (2 * z)
        se_r = (merged["ci_high_r"] - merged["ci_low_r"]) / (2 * z)
        gap = merged["value_f"] - merged["value_r"]
        half = z * np.sqrt(se_f**2 + se_r**2)
        out = pd.DataFrame({
            "indicator_id": merged["indicator_id"], "group": merged["group"],
            "period": merged["period"], "baseline_period": merged["baseline_period"],
            "dimension": dimension, "focal": focal, "reference": reference,
            "focal_value": merged["value_f"], "reference_value": merged["value_r"],
            "gap": gap, "gap_ci_low": gap - half, "gap_ci_high": gap + half,
            "suppressed": merged["suppressed_f"] | merged["suppressed_r"],
        })
        base = out[out["period"] == out["baseline_period"]].set_index(
            ["indicator_id", "group"])["gap"]
        out["baseline_gap"] = base.reindex(
            pd.MultiIndex.from_frame(out[["indicator_id", "group"]])).to_numpy()
        out["gap_change"] = out["gap"] - out["baseline_gap"]
        return out[GAP_COLUMNS].reset_index(drop=True)

    # -- display -------------------------------------------------------------------------

    @cached_property
    def _current_rows(self) -> pd.DataFrame:
        whole = self._whole()
        source = {i.id: i.source for i in self.framework.indicators}
        current = {sid: w.current for sid, w in self.windows.items()}
        is_current = whole["period"] == whole["indicator_id"].map(source).map(current)
        return whole[is_current | whole["period"].isna()]

    def summary(self) -> str:
        """A plain-text overview: what was scored, statuses, roll-ups by realm, warnings."""
        rows = self._current_rows
        lines = [
            f"Progress summary: {self.framework.title} (version {self.framework_version})",
            f"Groups: {', '.join(self.groups)} (grouped by {self.group_by or 'nothing'})",
            "Periods: " + "; ".join(f"{sid} {w.baseline} -> {w.current}"
                                    for sid, w in self.windows.items()),
            f"Indicators: {len(self.indicator_ids)}; confidence {self.confidence:.0%}; "
            f"seed {self.seed}; bootstrap {'on' if self.options.get('bootstrap') else 'off'}",
        ]
        if self.synthetic:
            lines.append("Synthetic data, generated for illustration: not real organizations "
                         "or people.")
        lines.append("")
        for group in self.groups:
            mine = rows[rows["group"] == group]
            counts = mine["status"].value_counts()
            statuses = ", ".join(f"{counts[s]} {s}" for s in (*_STATUS_RANK, "insufficient_data")
                                 if s in counts)
            withheld = int(mine["suppressed"].sum())
            lines.append(f"{group}: {statuses or 'no statuses'}"
                         + (f"; {withheld} withheld (small groups)" if withheld else ""))
            realms = self.by_realm()
            realms = realms[(realms["group"] == group) & (realms["period"] == realms[
                "period"].iloc[-1])] if not realms.empty else realms
            for name, value, with_data, defined, status in realms[
                    ["level_name", "score_0_100", "n_indicators_with_data",
                     "n_indicators_defined", "status"]].to_numpy(dtype=object):
                shown = "no score" if pd.isna(value) else f"{float(value):.0f}/100"
                lines.append(f"    {name!s:<12} {shown:<10} coverage "
                             f"{with_data}/{defined}  {status}")
        if self.warnings:
            lines.append("")
            lines.append("Notes:")
            lines.extend(f"  - {w}" for w in self.warnings)
        return "\n".join(lines)

    def __repr__(self) -> str:
        return (f"<ProgressSummary {self.framework_id} v{self.framework_version}: "
                f"{len(self.indicator_ids)} indicators, {len(self.groups)} groups, "
                f"periods {', '.join(self.periods) or 'none'}>")

    def _repr_html_(self) -> str:
        rows = self._current_rows
        shown = rows[rows["n"].notna() | rows["suppressed"]].head(60)

        def fmt(value: Any, digits: int = 2) -> str:
            return "" if pd.isna(value) else f"{value:.{digits}f}"

        body = []
        for r in shown.itertuples(index=False):
            if r.suppressed:
                value, change = "withheld", ""
            else:
                value = f"{fmt(r.value)} [{fmt(r.ci_low)}, {fmt(r.ci_high)}]"
                change = fmt(r.change)
            cells = [r.group, r.indicator_id, str(r.period), value, change,
                     "" if r.status is None else str(r.status)]
            body.append("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in cells)
                        + "</tr>")
        head = "".join(f"<th>{h}</th>" for h in ("group", "indicator", "period",
                                                 f"value [{self.confidence:.0%} CI]", "change",
                                                 "status"))
        more = len(rows) - len(shown)
        return (
            f"<div><p><b>Progress summary</b>: {html.escape(self.framework.title)} "
            f"v{html.escape(self.framework_version)}; {len(self.groups)} groups; "
            f"{len(self.indicator_ids)} indicators"
            + ("; <b>synthetic data</b>, generated for illustration" if self.synthetic else "")
            + "</p>"
            f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
            + (f"<p>{more} more rows (no data or not shown): use .to_frame()</p>" if more > 0
               else "")
            + "</div>"
        )

    def plot(self, **kwargs: Any) -> Any:
        """Draw the summary with :func:`getting_to_outcomes.plotting.plot_progress`."""
        try:
            from getting_to_outcomes import plotting
        except ImportError as exc:
            raise ImportError(
                "ProgressSummary.plot needs getting_to_outcomes.plotting, which this "
                "installation does not have"
            ) from exc
        return plotting.plot_progress(self, **kwargs)


def _median_of(ranks: np.ndarray, statuses: np.ndarray, weights: np.ndarray) -> str | None:
    """Weighted median of the assessed statuses (``ranks``: their places in the order of
    :data:`_STATUS_RANK`, NaN where not assessed), the worse on a tie; ``insufficient_data``
    when none could be assessed; None when none was to be assessed (baseline rows)."""
    ok = ~np.isnan(ranks)
    if not ok.any():
        return None if len(statuses) and pd.isna(statuses).all() else "insufficient_data"
    order = np.argsort(ranks[ok], kind="stable")
    cumulative = np.cumsum(weights[ok][order])
    chosen = int(ranks[ok][order][np.searchsorted(cumulative, cumulative[-1] / 2.0)])
    return next(s for s, r in _STATUS_RANK.items() if r == chosen)
