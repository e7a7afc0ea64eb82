"""Column names of every tidy table the library returns, defined once.

Scoring, charts, reports and the command line all use these constants, so a column
cannot be called ``p_val`` in one place and ``pvalue`` in another.
"""

from __future__ import annotations

__all__ = [
    "DEFAULT_MIN_N",
    "ITEM_COLUMNS",
    "MILESTONE_COLUMNS",
    "NETWORK",
    "ROLLUP_COLUMNS",
    "SUMMARY_COLUMNS",
]

#: The group of the summary's rows pooled across a whole network.
NETWORK = "network"
#: Fewest people a value may come from when an indicator does not say (``min_n``).
DEFAULT_MIN_N = 5

#: One row per indicator x group x period x subgroup, from ``ProgressSummary.to_frame()``.
SUMMARY_COLUMNS: list[str] = [
    # what
    "framework_id",
    "framework_version",
    "indicator_id",
    "indicator_version",
    "realm",
    "zone",
    "stop",
    "kind",
    "unit",
    "direction",
    # for whom and when
    "group",  # value of the grouping column (e.g. an org_id), "network" for pooled
    "period",  # the current period or wave
    "baseline_period",
    "subgroup_dimension",  # "all" for the whole group, else the disaggregation column
    "subgroup",  # "all", else the subgroup value
    # the value now, with its uncertainty
    "n",
    "value",
    "ci_low",
    "ci_high",
    # the baseline and the change
    "baseline_n",
    "baseline_value",
    "design",  # "paired", "independent" or "none"
    "n_pairs",
    "change",
    "change_ci_low",
    "change_ci_high",
    "test",
    "statistic",
    "p_value",
    "p_adjusted",
    "effect_size",
    "effect_size_name",
    # targets and status
    "target",
    "progress",
    "status",
    "status_method",
    "status_uncertain",
    "rubric_level",
    "score_0_100",
    # reliability (scales)
    "reliability",
    "reliability_ci_low",
    "reliability_ci_high",
    "reliability_flag",
    # small groups
    "suppressed",
    "suppression_reason",
    "notes",
]

#: One row per group x period x roll-up level x entity (stop, zone or realm).
ROLLUP_COLUMNS: list[str] = [
    "group",
    "period",
    "level",
    "level_id",
    "level_name",
    "score_0_100",
    "n_indicators_defined",
    "n_indicators_with_data",
    "coverage",
    "status",
]

#: Likert answer distributions: one row per group x period x indicator x item x answer code.
ITEM_COLUMNS: list[str] = [
    "group",
    "period",
    "indicator_id",
    "item",
    "code",
    "label",
    "count",
    "share",
]

#: Milestones: one row per group x indicator x stage x level.
MILESTONE_COLUMNS: list[str] = [
    "group",
    "indicator_id",
    "stage",
    "stage_order",
    "level",
    "count",
]
