"""Statistics for scoring progress, usable on any DataFrame without a framework.

Reliability of scales (Cronbach's alpha with a Feldt interval), scale scores, means and
proportions with confidence intervals, change from baseline for paired and independent
designs with effect sizes, reliable change, false discovery rate control, and the comparison
of grantees: funnel plots with overdispersion, empirical-Bayes shrinkage, and the intraclass
correlation and design effect of people nested in grantees. Every function
takes array-likes or pandas objects and returns a tidy DataFrame with documented columns, or a
small frozen result object with ``.to_frame()``.

The ``*_from_moments`` functions work on grouped sufficient statistics (counts, sums, sums of
squares, cross-products). Those add up across groups, so statistics computed from merged
moments equal statistics computed from the pooled raw data. The formulas and their sources are
listed in ``docs/methods.md``.

Examples
--------
>>> from getting_to_outcomes import stats
>>> stats.proportion_ci(12, 40)[["proportion", "ci_low", "ci_high"]].round(3).to_dict("records")
[{'proportion': 0.3, 'ci_low': 0.181, 'ci_high': 0.454}]
"""

from getting_to_outcomes.stats._common import CHANGE_COLUMNS
from getting_to_outcomes.stats._moments import ItemMoments, covariance_from_moments
from getting_to_outcomes.stats.change import (
    MEAN_CI_COLUMNS,
    independent_change,
    independent_change_from_moments,
    mean_ci,
    mean_ci_from_moments,
    paired_change,
    paired_change_from_moments,
)
from getting_to_outcomes.stats.clustering import (
    CLUSTERED_MEAN_COLUMNS,
    clustered_mean,
    clustered_mean_from_moments,
)
from getting_to_outcomes.stats.correlation import CORRELATION_COLUMNS, score_correlations
from getting_to_outcomes.stats.funnel import (
    EMPIRICAL_BAYES_COLUMNS,
    FUNNEL_COLUMNS,
    FUNNEL_LIMITS,
    OVERDISPERSION_METHODS,
    FunnelResult,
    empirical_bayes,
    funnel_means,
    funnel_proportions,
    funnel_rates,
)
from getting_to_outcomes.stats.multiple import benjamini_hochberg, bonferroni, holm
from getting_to_outcomes.stats.planning import (
    MDE_COLUMNS,
    SAMPLE_SIZE_COLUMNS,
    minimum_detectable_effect,
    sample_size,
)
from getting_to_outcomes.stats.proportions import (
    PROPORTION_CI_COLUMNS,
    paired_proportion_change,
    proportion_change,
    proportion_ci,
)
from getting_to_outcomes.stats.reliability import (
    ALPHA_COLUMNS,
    ALPHA_ITEM_COLUMNS,
    AlphaResult,
    alpha_from_covariance,
    cronbach_alpha,
    cronbach_alpha_from_moments,
    feldt_interval,
    score_scale,
)
from getting_to_outcomes.stats.reliable_change import (
    RCI_CATEGORIES,
    RELIABLE_CHANGE_COLUMNS,
    RELIABLE_CHANGE_SUMMARY_COLUMNS,
    reliable_change,
    reliable_change_summary,
)
from getting_to_outcomes.stats.retention import (
    ATTRITION_COLUMNS,
    EQUIVALENCE_COLUMNS,
    EQUIVALENCE_COUNT_COLUMNS,
    WWC_ATTRITION_BOUNDARIES,
    attrition,
    baseline_equivalence,
    baseline_equivalence_from_counts,
    baseline_equivalence_from_moments,
)

__all__ = [
    "ALPHA_COLUMNS",
    "ALPHA_ITEM_COLUMNS",
    "ATTRITION_COLUMNS",
    "CHANGE_COLUMNS",
    "CLUSTERED_MEAN_COLUMNS",
    "CORRELATION_COLUMNS",
    "EMPIRICAL_BAYES_COLUMNS",
    "EQUIVALENCE_COLUMNS",
    "EQUIVALENCE_COUNT_COLUMNS",
    "FUNNEL_COLUMNS",
    "FUNNEL_LIMITS",
    "MDE_COLUMNS",
    "MEAN_CI_COLUMNS",
    "OVERDISPERSION_METHODS",
    "PROPORTION_CI_COLUMNS",
    "RCI_CATEGORIES",
    "RELIABLE_CHANGE_COLUMNS",
    "RELIABLE_CHANGE_SUMMARY_COLUMNS",
    "SAMPLE_SIZE_COLUMNS",
    "WWC_ATTRITION_BOUNDARIES",
    "AlphaResult",
    "FunnelResult",
    "ItemMoments",
    "alpha_from_covariance",
    "attrition",
    "baseline_equivalence",
    "baseline_equivalence_from_counts",
    "baseline_equivalence_from_moments",
    "benjamini_hochberg",
    "bonferroni",
    "clustered_mean",
    "clustered_mean_from_moments",
    "covariance_from_moments",
    "cronbach_alpha",
    "cronbach_alpha_from_moments",
    "empirical_bayes",
    "feldt_interval",
    "funnel_means",
    "funnel_proportions",
    "funnel_rates",
    "holm",
    "independent_change",
    "independent_change_from_moments",
    "mean_ci",
    "mean_ci_from_moments",
    "minimum_detectable_effect",
    "paired_change",
    "paired_change_from_moments",
    "paired_proportion_change",
    "proportion_change",
    "proportion_ci",
    "reliable_change",
    "reliable_change_summary",
    "sample_size",
    "score_correlations",
    "score_scale",
]
