"""Scoring: raw rows -> grouped sufficient statistics -> a :class:`ProgressSummary`.

The aggregation seam reduces the rows of each data source, held by pandas or any engine of
:mod:`getting_to_outcomes.engines`, to small tables that add up across groups; the
statistics step (estimates, statuses, suppression, roll-ups) works on those tables only.
"""

from getting_to_outcomes.scoring._compare import compare
from getting_to_outcomes.scoring._score import score
from getting_to_outcomes.scoring._summary import ProgressSummary

__all__ = ["ProgressSummary", "compare", "score"]
