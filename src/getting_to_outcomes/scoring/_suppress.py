"""Small-group suppression: withhold values from fewer than ``min_n`` people, recoverably never.

Primary suppression withholds every cell (indicator x group x period x subgroup) whose
``n`` lies between 1 and ``min_n - 1``. A withheld cell could still be worked out from a
total printed beside it and the other parts of that total, so complementary (secondary)
suppression also withholds, in every such *line* where exactly one part is withheld and the
total is not, the smallest other part (or the total itself when there is no other part).
It repeats until no line has a single withheld part. The lines are:

* the subgroups of one disaggregation dimension, with the whole group as their total;
* the groups of a network, with the network as their total (when a network row exists).

Cells with ``n = 0`` are never withheld: they reveal nobody.

This is the usual cell-suppression practice of statistical agencies (see e.g. the U.S.
Federal Committee on Statistical Methodology, *Statistical Policy Working Paper 22: Report on
Statistical Disclosure Limitation Methodology*, 2005, chapter 4: primary and complementary
suppression).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

__all__ = ["COMPLEMENTARY", "SMALL_N", "suppress"]

SMALL_N = "small_n"
COMPLEMENTARY = "complementary"


def _line_pass(
    frame: pd.DataFrame, hidden: np.ndarray, line: pd.Series, parent: pd.Series
) -> bool:
    """One pass over lines: withhold one more part where exactly one is withheld."""
    parts = line.notna().to_numpy()
    if not parts.any():
        return False
    table = pd.DataFrame({
        "line": line[parts].to_numpy(),
        "row": np.flatnonzero(parts),
        "hidden": hidden[parts],
        "n": frame["n"].to_numpy()[parts],
        "parent": parent[parts].to_numpy(),
    })
    per_line = table.groupby("line", sort=False).agg(
        n_hidden=("hidden", "sum"), parent=("parent", "first")
    )
    parent_rows = per_line["parent"].to_numpy()
    parent_known = parent_rows >= 0
    parent_shown = np.zeros(len(per_line), dtype=bool)
    parent_shown[parent_known] = ~hidden[parent_rows[parent_known].astype(np.int64)]
    exposed = per_line.index[(per_line["n_hidden"].to_numpy() == 1) & parent_shown]
    if len(exposed) == 0:
        return False
    candidates = table[table["line"].isin(exposed) & ~table["hidden"] & (table["n"] > 0)]
    chosen = candidates.sort_values(["n", "row"]).groupby("line", sort=False).head(1)
    hidden[chosen["row"].to_numpy()] = True
    # A line whose only visible parts are empty: withhold the total instead.
    lonely = exposed.difference(pd.Index(chosen["line"]))
    for name in lonely:
        hidden[int(per_line.loc[name, "parent"])] = True
    return True


def suppress(
    frame: pd.DataFrame,
    min_n: Mapping[str, int],
    *,
    network: str | None = None,
    all_label: str = "all",
) -> pd.DataFrame:
    """Which cells to withhold, and why.

    Parameters
    ----------
    frame : DataFrame
        One row per cell with columns ``indicator_id``, ``group``, ``period``,
        ``dimension``, ``subgroup`` and ``n``.
    min_n : Mapping[str, int]
        Smallest ``n`` shown, per indicator id.
    network : str, optional
        Label of the network (all groups pooled), whose rows total the groups' rows.
    all_label : str
        Label of the whole group in ``dimension`` and ``subgroup``.

    Returns
    -------
    DataFrame
        Same index as ``frame``; columns ``suppressed`` (bool) and ``suppression_reason``
        (``"small_n"``, ``"complementary"`` or None).

    Examples
    --------
    >>> import pandas as pd
    >>> cells = pd.DataFrame({
    ...     "indicator_id": "x", "group": "a", "period": "post",
    ...     "dimension": ["all", "role", "role", "role"],
    ...     "subgroup": ["all", "parent", "youth", "staff"], "n": [40, 27, 10, 3]})
    >>> suppress(cells, {"x": 5})["suppression_reason"].tolist()
    [None, None, 'complementary', 'small_n']
    """
    n = frame["n"].to_numpy(dtype=np.float64)
    limits = frame["indicator_id"].map(min_n).to_numpy(dtype=np.float64)
    primary = (n > 0) & (n < limits)
    hidden = primary.copy()
    if len(frame) == 0:
        return pd.DataFrame({"suppressed": hidden, "suppression_reason": []}, index=frame.index)
    positions = pd.Series(np.arange(len(frame)), index=pd.MultiIndex.from_frame(
        frame[["indicator_id", "group", "period", "dimension", "subgroup"]].astype(str)))
    ind = frame["indicator_id"].astype(str)
    grp = frame["group"].astype(str)
    per = frame["period"].astype(str)
    dim = frame["dimension"].astype(str)
    sub = frame["subgroup"].astype(str)
    whole = dim == all_label

    def parent_of(keys: pd.MultiIndex) -> pd.Series:
        found = positions.reindex(keys)
        return pd.Series(found.to_numpy(dtype=np.float64), index=frame.index).fillna(-1)

    lines: list[tuple[pd.Series, pd.Series]] = []
    # Subgroups of a dimension, totalled by the whole group.
    line = (ind + "\x1f" + grp + "\x1f" + per + "\x1f" + dim).where(~whole)
    parent = parent_of(pd.MultiIndex.from_arrays(
        [ind, grp, per, pd.Series(all_label, index=frame.index),
         pd.Series(all_label, index=frame.index)]))
    lines.append((line, parent))
    if network is not None and (grp == network).any():
        line = (ind + "\x1f" + per + "\x1f" + dim + "\x1f" + sub).where(grp != network)
        parent = parent_of(pd.MultiIndex.from_arrays(
            [ind, pd.Series(network, index=frame.index), per, dim, sub]))
        lines.append((line, parent))
    changed = True
    while changed:
        changed = False
        for line, parent in lines:
            changed |= _line_pass(frame, hidden, line, parent)
    reason = np.full(len(frame), None, dtype=object)
    reason[hidden] = COMPLEMENTARY
    reason[primary] = SMALL_N
    return pd.DataFrame({"suppressed": hidden, "suppression_reason": pd.Series(
        list(reason), index=frame.index, dtype=object)})
