"""Small-group suppression: withhold values from fewer than ``min_n`` people, recoverably never.

Primary suppression withholds every cell (indicator x group x period x subgroup) whose
``n`` lies between 1 and ``min_n - 1``. A withheld cell could still be worked out from a
total printed beside it and the other parts of that total, so complementary (secondary)
suppression also withholds, in every such *line* where exactly one part is withheld and the
total is not, the smallest other part (or the total itself when there is no other part).
It repeats until no line has a single withheld part. The lines are:

* the subgroups of one disaggregation dimension, with the whole group as their total;
* the groups of a network, with the network as their total (when a network row exists);
  with several groupings scored together, the groups of each grouping.

A line-by-line rule is not enough when the lines cross: two groups' subgroups and the
network's subgroups form a table with totals both ways, and a withheld cell that is the only
link between two blocks of withheld cells can be solved from the sums of the rows and
columns around it. So the rule is followed by an exact check. Every published cell is one
equation of a linear system (a total is the sum of its parts; with several groupings, each
group is the sum of the cells of the crossing of the groupings it holds, and so is the
network); the shown cells are known, the withheld ones and the cells of the crossing are
not. A withheld cell is recoverable when the system fixes its value: when some equation has
it as its only unknown, after substituting everything so recovered (peeling), or else when
its unit vector lies in the row space of the equations left (every solution of the
homogeneous system is zero there; tested with a pivoted QR decomposition). Each
recoverable cell gets one more of its smallest visible neighbours withheld, and the rule
and the check run again until nothing withheld can be recovered. The same equations
hold for ``n`` and for the sums ``n * mean`` (and the counts of successes of a share), so a
cell whose ``n`` cannot be recovered cannot have its sum recovered either.

Cells with ``n = 0`` are never withheld: they reveal nobody. The cells of the crossing of
several groupings are taken to exist wherever the rows hold the pair of groups, and to be
empty (known to be zero) where a group holding them is empty.

This is the usual cell-suppression practice of statistical agencies (see e.g. the U.S.
Federal Committee on Statistical Methodology, *Statistical Policy Working Paper 22: Report on
Statistical Disclosure Limitation Methodology*, 2005, chapter 4: primary and complementary
suppression, and the audit of a suppression pattern by linear algebra).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import scipy.linalg
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from threadpoolctl import threadpool_limits

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


def _text(column: pd.Series) -> pd.Series:
    """Labels as plain text, a missing one (an indicator without a period) as ``"<NA>"``."""
    return column.astype(object).where(column.notna(), "<NA>").astype(str).reset_index(drop=True)


def suppress(
    frame: pd.DataFrame,
    min_n: Mapping[str, int],
    *,
    network: str | None = None,
    all_label: str = "all",
    atoms: Mapping[str, Sequence[str]] | None = None,
) -> pd.DataFrame:
    """Which cells to withhold, and why.

    Parameters
    ----------
    frame : DataFrame
        One row per cell with columns ``indicator_id``, ``group``, ``period``,
        ``dimension``, ``subgroup`` and ``n``; with several groupings, also ``grouping``
        (which grouping each group belongs to; group labels unique across groupings).
    min_n : Mapping[str, int]
        Smallest ``n`` shown, per indicator id.
    network : str, optional
        Label of the network (all groups pooled), whose rows total the groups' rows.
    all_label : str
        Label of the whole group in ``dimension`` and ``subgroup``.
    atoms : Mapping[str, Sequence[str]], optional
        With several groupings: for each group label, the cells of the crossing of every
        grouping that it holds (an organization in one region holds one cell). Each group
        is the sum of its cells, and the network the sum of all.

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
    if not primary.any():
        # Complementary suppression only ever protects a withheld cell: with none, the
        # lines and the linear system have nothing to protect.
        return pd.DataFrame({"suppressed": hidden, "suppression_reason": pd.Series(
            [None] * len(frame), index=frame.index, dtype=object)})
    ind, grp, per, dim, sub = (_text(frame[c]) for c in (
        "indicator_id", "group", "period", "dimension", "subgroup"))
    family = _text(frame["grouping"]) if "grouping" in frame else pd.Series("", index=ind.index)
    cells = pd.DataFrame({"ind": ind, "grp": grp, "per": per, "dim": dim, "sub": sub, "n": n})
    positions = pd.Series(np.arange(len(frame)), index=pd.MultiIndex.from_frame(
        cells[["ind", "grp", "per", "dim", "sub"]]))
    whole = dim == all_label
    everywhere = pd.Series(all_label, index=ind.index)

    def parent_of(keys: pd.MultiIndex) -> pd.Series:
        found = positions.reindex(keys)
        return pd.Series(found.to_numpy(dtype=np.float64), index=ind.index).fillna(-1)

    lines: list[tuple[pd.Series, pd.Series]] = []
    # Subgroups of a dimension, totalled by the whole group.
    line = (ind + "\x1f" + grp + "\x1f" + per + "\x1f" + dim).where(~whole)
    parent = parent_of(pd.MultiIndex.from_arrays([ind, grp, per, everywhere, everywhere]))
    lines.append((line, parent))
    has_network = network is not None and bool((grp == network).any())
    if has_network:
        line = (ind + "\x1f" + per + "\x1f" + dim + "\x1f" + sub + "\x1f" + family
                ).where(grp != network)
        parent = parent_of(pd.MultiIndex.from_arrays(
            [ind, pd.Series(network, index=ind.index), per, dim, sub]))
        lines.append((line, parent))
    system = _System(cells, positions, network if has_network else None, all_label, atoms)
    while True:
        changed = True
        while changed:
            changed = False
            for line, parent in lines:
                changed |= _line_pass(cells, hidden, line, parent)
        if not system.protect(hidden):
            break
    reason = np.full(len(frame), None, dtype=object)
    reason[hidden] = COMPLEMENTARY
    reason[primary] = SMALL_N
    return pd.DataFrame({"suppressed": hidden, "suppression_reason": pd.Series(
        list(reason), index=frame.index, dtype=object)})


def _in_row_space(matrix: np.ndarray) -> np.ndarray:
    """For each column ``i``: whether the unit vector ``e_i`` lies in the row space.

    Exactly the unknowns that the equations fix. A pivoted QR decomposition of the
    transpose gives an orthonormal basis ``Q`` of the row space (its first ``rank``
    columns); ``e_i`` lies in it when its projection keeps all its length,
    ``sum_j Q[i, j]**2 = 1``. (The same as a zero row of a null-space basis, at the cost of
    a QR rather than a full SVD.)
    """
    q, r, _ = scipy.linalg.qr(matrix.T, mode="economic", pivoting=True)
    diag = np.abs(np.diag(r))
    if diag.size == 0 or diag[0] == 0:
        return np.zeros(matrix.shape[1], dtype=bool)
    rank = int((diag > diag[0] * 1e-10 * max(matrix.shape)).sum())
    return np.asarray((q[:, :rank] ** 2).sum(axis=1) > 1 - 1e-8, dtype=bool)


class _System:
    """The published cells as linear equations, and what a reader can solve from them.

    Variables ``0 .. len(cells) - 1`` are the published cells; the ones after are the cells
    of the crossing of several groupings, which are never published. Each equation is a list
    of (variable, coefficient) whose weighted sum is zero.
    """

    def __init__(
        self, cells: pd.DataFrame, positions: pd.Series, network: str | None, all_label: str,
        atoms: Mapping[str, Sequence[str]] | None,
    ) -> None:
        self.n = cells["n"].to_numpy(dtype=np.float64)
        size = len(cells)
        eqs: list[np.ndarray] = []
        vs: list[np.ndarray] = []
        cs: list[np.ndarray] = []
        count = 0

        def add(eq: np.ndarray, var: np.ndarray, coef: np.ndarray) -> None:
            nonlocal count
            if len(eq) == 0:
                return
            codes, uniques = pd.factorize(eq)
            eqs.append(codes.astype(np.int64) + count)
            vs.append(var.astype(np.int64))
            cs.append(coef.astype(np.float64))
            count += len(uniques)

        def lines_of(table: pd.DataFrame, lookup: pd.Series) -> None:
            """Subgroup lines: a whole (``dim == all``) minus its subgroups, per dimension."""
            parts = table[table["dim"] != all_label]
            totals = lookup.reindex(pd.MultiIndex.from_arrays(
                [parts["key"], pd.Series(all_label, index=parts.index),
                 pd.Series(all_label, index=parts.index)])).to_numpy(dtype=np.float64)
            keep = ~np.isnan(totals)
            parts = parts[keep]
            totals = totals[keep].astype(np.int64)
            eq = (parts["key"] + "\x1f" + parts["dim"]).to_numpy(dtype=object)
            var = parts["var"].to_numpy(dtype=np.int64)
            line_codes, first_at = np.unique(pd.factorize(eq)[0], return_index=True)
            add(np.r_[eq, eq[first_at]], np.r_[var, totals[first_at]],
                np.r_[np.ones(len(var)), -np.ones(len(line_codes))])

        published = cells.assign(var=np.arange(size), key=cells["ind"] + "\x1f"
                                 + cells["grp"] + "\x1f" + cells["per"])
        lines_of(published, pd.Series(np.arange(size), index=pd.MultiIndex.from_frame(
            published[["key", "dim", "sub"]])))
        self.size = size
        n_atoms = 0
        if atoms is None:
            if network is not None:
                parts = published[published["grp"] != network]
                total = positions.reindex(pd.MultiIndex.from_arrays(
                    [parts["ind"], pd.Series(network, index=parts.index), parts["per"],
                     parts["dim"], parts["sub"]])).to_numpy(dtype=np.float64)
                keep = ~np.isnan(total)
                parts = parts[keep]
                total = total[keep].astype(np.int64)
                eq = (parts["ind"] + "\x1f" + parts["per"] + "\x1f" + parts["dim"] + "\x1f"
                      + parts["sub"]).to_numpy(dtype=object)
                _, first_at = np.unique(pd.factorize(eq)[0], return_index=True)
                add(np.r_[eq, eq[first_at]], np.r_[parts["var"].to_numpy(), total[first_at]],
                    np.r_[np.ones(len(parts)), -np.ones(len(first_at))])
        else:
            member = pd.DataFrame([(g, str(a)) for g, held in atoms.items() for a in held],
                                  columns=["grp", "atom"])
            holders = member.groupby("atom")["grp"].nunique()
            groups = published[published["grp"].isin(set(member["grp"]))]
            joined = groups.merge(member, on="grp")
            joined["cell"] = (joined["atom"] + "\x1f" + joined["ind"] + "\x1f" + joined["per"]
                              + "\x1f" + joined["dim"] + "\x1f" + joined["sub"])
            per_cell = joined.groupby("cell").agg(
                holders=("grp", "size"), empty=("n", lambda v: bool((v <= 0).any())))
            exists = per_cell.index[(per_cell["holders"].to_numpy()
                                     == holders.reindex(per_cell.index.str.split("\x1f").str[0])
                                     .to_numpy()) & ~per_cell["empty"].to_numpy(dtype=bool)]
            joined = joined[joined["cell"].isin(exists)]
            atom_var = pd.Series(size + np.arange(len(exists)), index=exists)
            n_atoms = len(exists)
            # Each group: the sum of its cells of the crossing.
            eq = ("g\x1f" + joined["var"].astype(str)).to_numpy(dtype=object)
            own = joined.drop_duplicates("var")
            add(np.r_[eq, ("g\x1f" + own["var"].astype(str)).to_numpy(dtype=object)],
                np.r_[atom_var.reindex(joined["cell"]).to_numpy(), own["var"].to_numpy()],
                np.r_[np.ones(len(joined)), -np.ones(len(own))])
            crossing = joined.drop_duplicates("cell")
            if network is not None:
                net = positions.reindex(pd.MultiIndex.from_arrays(
                    [crossing["ind"], pd.Series(network, index=crossing.index), crossing["per"],
                     crossing["dim"], crossing["sub"]])).to_numpy(dtype=np.float64)
                keep = ~np.isnan(net)
                sel = crossing[keep]
                net_var = net[keep].astype(np.int64)
                eq = ("n\x1f" + pd.Series(net_var).astype(str)).to_numpy(dtype=object)
                _, first_at = np.unique(net_var, return_index=True)
                add(np.r_[eq, eq[first_at]],
                    np.r_[atom_var.reindex(sel["cell"]).to_numpy(), net_var[first_at]],
                    np.r_[np.ones(len(sel)), -np.ones(len(first_at))])
            # The cells of the crossing add up over subgroups too.
            cross = pd.DataFrame({
                "key": crossing["atom"] + "\x1f" + crossing["ind"] + "\x1f" + crossing["per"],
                "dim": crossing["dim"], "sub": crossing["sub"],
                "var": atom_var.reindex(crossing["cell"]).to_numpy()})
            lines_of(cross, pd.Series(cross["var"].to_numpy(),
                                            index=pd.MultiIndex.from_frame(
                                                cross[["key", "dim", "sub"]])))
        self.n_vars = size + n_atoms
        self.n_eqs = count
        self.eq = np.concatenate(eqs) if eqs else np.zeros(0, dtype=np.int64)
        self.var = np.concatenate(vs) if vs else np.zeros(0, dtype=np.int64)
        self.coef = np.concatenate(cs) if cs else np.zeros(0)

    def recoverable(self, hidden: np.ndarray) -> np.ndarray:
        """The withheld cells whose value follows from the shown cells."""
        unknown = np.r_[hidden, np.ones(self.n_vars - self.size, dtype=bool)]
        found = np.zeros(self.n_vars, dtype=bool)
        eq, var = self.eq, self.var
        while True:  # peeling: an equation with one unknown gives it away
            left = np.bincount(eq, weights=unknown[var], minlength=self.n_eqs)
            single = (left[eq] == 1) & unknown[var]
            if not single.any():
                break
            solved = np.unique(var[single])
            unknown[solved] = False
            found[solved] = True
        rest = (left[eq] >= 2) & unknown[var]
        if rest.any():
            rows, e_codes = np.unique(eq[rest], return_inverse=True)
            cols, v_codes = np.unique(var[rest], return_inverse=True)
            graph = coo_matrix((np.ones(len(e_codes)), (e_codes, len(rows) + v_codes)),
                               shape=(len(rows) + len(cols),) * 2)
            _, label = connected_components(graph, directed=False)
            e_label = label[:len(rows)]
            v_label = label[len(rows):]
            coef = self.coef[rest]
            # The matrices are small and many: a multi-threaded BLAS spends far longer
            # starting its threads than working (100x on a busy machine), so one thread.
            with threadpool_limits(limits=1, user_api="blas"):
                self._solve(found, cols, v_label, e_label, v_codes, e_codes, coef)
        return np.asarray(found[:self.size] & hidden, dtype=bool)

    def _solve(self, found: np.ndarray, cols: np.ndarray, v_label: np.ndarray,
               e_label: np.ndarray, v_codes: np.ndarray, e_codes: np.ndarray,
               coef: np.ndarray) -> None:
        """Mark in ``found`` the unknowns that each connected block of equations fixes."""
        for comp in np.unique(v_label[cols < self.size]):
            in_v = np.flatnonzero(v_label == comp)
            in_e = np.flatnonzero(e_label == comp)
            pick = np.isin(v_codes, in_v)
            matrix = np.zeros((len(in_e), len(in_v)))
            matrix[np.searchsorted(in_e, e_codes[pick]),
                   np.searchsorted(in_v, v_codes[pick])] = coef[pick]
            found[cols[in_v[_in_row_space(matrix)]]] = True

    def protect(self, hidden: np.ndarray) -> bool:
        """Withhold one more cell next to each recoverable one; whether anything changed."""
        exposed = np.flatnonzero(self.recoverable(hidden))
        if len(exposed) == 0:
            return False
        eq, var = self.eq, self.var
        changed = False
        touched = np.zeros(self.size, dtype=bool)
        for cell in exposed.tolist():
            near = np.isin(eq, eq[var == cell])
            around = var[near]
            atoms = around[around >= self.size]
            if len(atoms):
                around = np.r_[around, var[np.isin(eq, eq[np.isin(var, atoms)])]]
            around = np.unique(around[around < self.size])
            if touched[around].any():  # a neighbour withheld in this pass may do; check again
                continue
            shown = around[~hidden[around] & (self.n[around] > 0)]
            if len(shown) == 0:
                continue
            chosen = shown[np.lexsort((shown, self.n[shown]))[0]]
            hidden[chosen] = True
            touched[chosen] = True
            changed = True
        return changed
