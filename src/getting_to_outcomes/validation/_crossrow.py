"""Rules across rows: unique keys, pre/post matching, evidence for milestone stages.

They run on the typed values of every input together (a pre and a post file are
matched with each other), after the cell checks of either path.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from getting_to_outcomes.definitions.models import DataSource, MilestoneMeasure
from getting_to_outcomes.validation._issues import Issues, shown
from getting_to_outcomes.validation._table import (
    CheckedTable,
    Coded,
    RowNumbers,
    TextCodes,
    floats,
)
from getting_to_outcomes.validation._validation_report import shown_files

if TYPE_CHECKING:
    from getting_to_outcomes.definitions import Framework

__all__ = ["check_across_rows", "check_evidence", "key_columns"]


def _column_codes(tables: list[CheckedTable], typed: dict[str, Any], name: str) -> np.ndarray:
    """int64 code per row of the typed values of ``name`` (-1 when missing)."""
    if len(tables) == 1 and name in tables[0].codes:
        return tables[0].codes[name]
    values = typed[name]
    if isinstance(values, TextCodes):  # key columns kept alone: already coded
        return values.codes
    codes, _ = pd.factorize(pd.Series(floats(typed[name])), use_na_sentinel=True)
    return np.asarray(codes, dtype=np.int64)


def _combined(codes: Sequence[np.ndarray]) -> np.ndarray:
    """One compact code per row for a combination of coded columns; -1 when any is -1.

    int32 when every combination has a code below 2**31 (half the memory, and sorted
    faster), int64 otherwise.
    """
    sizes = [int(c.max(initial=-1)) + 2 for c in codes]
    narrow = math.prod(sizes) < 2**31
    dtype: type[np.signedinteger[Any]] = np.int32 if narrow else np.int64
    out = codes[0].astype(dtype)  # a copy
    for more, size in zip(codes[1:], sizes[1:], strict=True):
        missing = out < 0
        missing |= more < 0
        out *= size
        out += more
        out[missing] = -1
        if not narrow and out.max(initial=0) > 2**40:
            out = _compact(out)
    return out


def _repeated(codes: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Positions of the rows whose combination of codes occurs more than once, and the key.

    The combination is one code per row (:func:`_combined`), sorted in place to put the
    repeated keys side by side; only the rows holding one of those are picked out: memory
    grows by one int32 (or int64) per row (a count per possible combination could need far
    more). The key is returned only when some key repeats (empty otherwise).
    """
    ranked = _combined(codes)
    ranked.sort()  # in place: the key is made again in the rare case of a repeat
    ranked = ranked[np.searchsorted(ranked, 0) :]  # a blank key (-1) repeats nothing
    same = ranked[1:] == ranked[:-1]
    repeats = np.unique(ranked[1:][same])
    del ranked, same
    if not len(repeats):
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    key = _combined(codes)
    return np.flatnonzero(np.isin(key, repeats)), key


def _compact(codes: np.ndarray) -> np.ndarray:
    present = codes >= 0
    out = np.full(len(codes), -1, dtype=np.int64)
    dense, _ = pd.factorize(codes[present])
    out[present] = dense
    return out


def check_across_rows(
    framework: Framework,
    src: DataSource,
    tables: list[CheckedTable],
    typed: dict[str, Any],
    numbers: RowNumbers,
    files: list[str],
    issues: Issues,
) -> None:
    """Unique keys and pre/post matching over the rows of every input together.

    ``tables`` are the checked inputs (their codes are reused when there is one),
    ``typed`` the typed columns of all inputs together (the key columns are enough),
    ``numbers`` the row number and input of each position. Evidence for milestone
    stages, a rule within each row, is :func:`check_evidence`.
    """
    n = len(numbers)
    keys = [k for k in src.keys if k in typed]
    if not n or not keys or len(keys) != len(src.keys):
        return
    cache: dict[str, np.ndarray] = {}

    def coded(name: str) -> np.ndarray:
        if name not in cache:
            cache[name] = _column_codes(tables, typed, name)
        return cache[name]

    dup, key_codes = _repeated([coded(k) for k in keys])
    if len(dup):
        _duplicates(src, keys, key_codes, dup, typed, numbers, files, issues)
    del key_codes  # eight bytes a row, not needed for matching
    time, ident = src.time_column, src.id_column
    # Pre/post matching is for surveys that follow respondents over waves: the id and the
    # wave are both part of the key, waves are declared in order, and there are scale items.
    surveyed = any(c.type == "likert" for c in src.columns)
    if not (
        ident
        and src.period_order
        and surveyed
        and {ident, time} <= set(src.keys)
        and time in typed
        and ident in typed
    ):
        return
    baseline = src.period_order[0]
    person = _combined([coded(c) for c in (src.org_column, ident) if c and c in typed])
    is_baseline, has_wave = _waves(typed[time], baseline)
    at_baseline = is_baseline & (person >= 0)
    if not at_baseline.any():
        return
    lacking = _lacking_baseline(person, at_baseline, has_wave & ~is_baseline & (person >= 0))
    # A few bytes a row, let go before the notes (one for each row in ``lacking``) are worded.
    del person, is_baseline, has_wave, at_baseline
    cache.clear()
    if not len(lacking):
        return
    who = [shown(v) for v in _values_at(typed[ident], lacking)]
    wave = [shown(v) for v in _values_at(typed[time], lacking)]
    fix = (
        f"If this person answered the {baseline} survey under another id, use the same id in "
        "both; otherwise nothing to do (the row is kept, without a baseline to compare with)."
    )
    issues.frames.append(
        pd.DataFrame(
            {
                "file": np.array(files, dtype=object)[numbers.inputs_at(lacking)],
                "row": numbers.rows_at(lacking),
                "column": ident,
                "value": who,
                "reason": "no_baseline",
                "message": [
                    f"{w} has a {v} answer but no {baseline} answer."
                    for w, v in zip(who, wave, strict=True)
                ],
                "fix": fix,
                "pos": lacking,
            }
        )
    )


#: Rows matched with their baseline at a time: the temporary arrays stay this small.
_BLOCK = 1 << 20


def _lacking_baseline(person: np.ndarray, baseline: np.ndarray, later: np.ndarray) -> np.ndarray:
    """Positions of the ``later`` rows whose ``person`` code has no ``baseline`` row."""
    n = len(person)
    top = int(person.max(initial=0)) + 1
    table: np.ndarray | None = None
    known = np.zeros(0, dtype=np.int64)
    if top <= 8 * n:
        table = np.zeros(top, dtype=bool)
        for start in range(0, n, _BLOCK):
            block = slice(start, start + _BLOCK)
            table[person[block][baseline[block]]] = True
    else:
        # Sorted codes, not a table of every possible code: memory grows with the rows.
        known = np.unique(person[baseline])
    lacking = []
    for start in range(0, n, _BLOCK):
        block = slice(start, start + _BLOCK)
        at = np.flatnonzero(later[block])
        codes = person[block][at]
        if table is not None:
            found = table[codes]
        else:
            place = np.minimum(np.searchsorted(known, codes), max(len(known) - 1, 0))
            found = known[place] == codes if len(known) else np.zeros(len(codes), dtype=bool)
        lacking.append(at[~found] + start)
    return np.concatenate(lacking) if lacking else np.zeros(0, dtype=np.int64)


def _waves(values: Any, baseline: str) -> tuple[np.ndarray, np.ndarray]:
    """Rows of the baseline wave, and rows with a wave at all."""
    if isinstance(values, TextCodes):
        return values.codes == values.code_of(baseline), values.codes >= 0
    waves = pd.Series(values)
    return (waves == baseline).to_numpy(dtype=bool), waves.notna().to_numpy(dtype=bool)


def _values_at(values: Any, at: np.ndarray) -> list[Any]:
    """Python values of a typed column at some positions, fetched in one go."""
    if isinstance(values, TextCodes):
        return values.values_at(at)
    if isinstance(values, Coded):
        return list(values.floats(at))
    return list(pd.Series(values).take(at).to_numpy(dtype=object))


def _duplicates(
    src: DataSource,
    keys: list[str],
    key_codes: np.ndarray,
    dup: np.ndarray,
    typed: dict[str, Any],
    numbers: RowNumbers,
    files: list[str],
    issues: Issues,
) -> None:
    column = next((k for k in keys if k not in (src.org_column, src.time_column)), keys[0])
    order = dup[np.argsort(key_codes[dup], kind="stable")]
    starts = np.r_[0, np.flatnonzero(np.diff(key_codes[order])) + 1]
    rows, inputs = numbers.rows_at(order), numbers.inputs_at(order)
    groups = np.split(np.arange(len(order)), starts[1:])
    # The key is the same for every member of a group: show it once per group.
    shown_keys = [[shown(v) for v in _values_at(typed[k], order[starts])] for k in keys]
    many = len(files) > 1
    names = shown_files(files)
    fix = (
        f"Keep one row per {', '.join(keys)}: delete the repeated row, or correct the id "
        "or the wave."
    )
    values, messages = [], []
    for g, members in enumerate(groups):
        value = " / ".join(shown_keys[j][g] for j in range(len(keys)))
        where = ", ".join(
            (f"{names[files[inputs[k]]]} row {rows[k]}" if many else str(rows[k]))
            for k in members
        )
        message = f"{' / '.join(keys)} = {value} appears {len(members)} times (rows {where})."
        values += [value] * len(members)
        messages += [message] * len(members)
    issues.frames.append(
        pd.DataFrame(
            {
                "file": np.array(files, dtype=object)[inputs],
                "row": rows,
                "column": column,
                "value": values,
                "reason": "duplicate_key",
                "message": messages,
                "fix": fix,
                "pos": order,
            }
        )
    )


def key_columns(src: DataSource) -> list[str]:
    """The columns :func:`check_across_rows` reads: keys, id, period and organization."""
    names = [*src.keys, src.id_column, src.time_column, src.org_column]
    return list(dict.fromkeys(n for n in names if n))


def check_evidence(
    framework: Framework,
    src: DataSource,
    typed: dict[str, Any],
    rows: np.ndarray,
    file: str,
    offset: int,
    issues: Issues,
) -> None:
    """Rows at or past a milestone stage that needs evidence, with the evidence blank.

    The rule comes from the milestone indicators that read this source
    (``evidence_field`` and ``evidence_required_from``); it is a warning. It looks at
    one row at a time, so it runs on each table or part as it is checked (``offset``:
    the position of its first row among all rows).
    """
    rules = {}
    for indicator in framework.indicators.filter(source=src.id, kind="milestone"):
        measure = indicator.measure
        assert isinstance(measure, MilestoneMeasure)
        if not (measure.evidence_field and measure.evidence_required_from):
            continue
        stages = [s.id for s in measure.stages]
        needing = stages[stages.index(measure.evidence_required_from) :]
        rules[(measure.stage_field, measure.evidence_field)] = (
            needing,
            measure.evidence_required_from,
        )
    for (stage_field, evidence_field), (needing, first) in rules.items():
        if stage_field not in typed:
            continue  # no stage is reached
        stage = pd.Series(typed[stage_field])
        reached = stage.isin(needing).to_numpy(dtype=bool)
        if evidence_field in typed:
            reached = reached & pd.isna(pd.Series(typed[evidence_field])).to_numpy()
        lacking = np.flatnonzero(reached)
        if not len(lacking):
            continue
        stages = [shown(v) for v in _values_at(typed[stage_field], lacking)]
        issues.frames.append(
            pd.DataFrame(
                {
                    "file": file,
                    "row": rows[lacking],
                    "column": evidence_field,
                    "value": "",
                    "reason": "missing_evidence",
                    "message": [
                        f"The {stage_field} is {r}, but {evidence_field} is blank: from {first} "
                        "on, a stage needs evidence."
                        for r in stages
                    ],
                    "fix": f"Add in {evidence_field} the document that shows the stage was reached "
                    "(board resolution, bill number, budget line, minutes or news report).",
                    "pos": lacking + offset,
                }
            )
        )
