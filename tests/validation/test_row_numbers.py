"""Row numbers kept per part give each position's row and input as the joined arrays do."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from getting_to_outcomes.validation._table import RowNumbers

# A part: its first row, and the rows it skips (blank rows left out) among the next ones.
part = st.tuples(st.integers(2, 10**6), st.lists(st.booleans(), max_size=8))


@given(parts=st.lists(part, min_size=1, max_size=5), data=st.data())
def test_rows_and_inputs_at_positions_are_those_of_the_joined_part_arrays(
    parts: list[tuple[int, list[bool]]], data: st.DataObject
) -> None:
    numbers = RowNumbers()
    all_rows, all_inputs = [], []
    for number, (first, kept) in enumerate(parts):
        rows = first + np.flatnonzero(np.array(kept, dtype=bool))
        numbers.add(rows, number)
        all_rows += rows.tolist()
        all_inputs += [number] * len(rows)
    at = np.array(
        data.draw(st.lists(st.integers(0, max(len(all_rows) - 1, 0)), max_size=10))
        if all_rows
        else [],
        dtype=np.int64,
    )

    assert len(numbers) == len(all_rows)
    assert numbers.rows_at(at).tolist() == [all_rows[k] for k in at]
    assert numbers.inputs_at(at).tolist() == [all_inputs[k] for k in at]


def test_a_part_without_gaps_keeps_only_its_first_row() -> None:
    numbers = RowNumbers()
    numbers.add(np.arange(2, 1_000_002), 0)
    numbers.add(np.array([5, 6, 9]), 1)

    assert numbers.rows_at(np.array([999_999, 1_000_002])).tolist() == [1_000_001, 9]
    assert list(numbers._steps) == [1]  # only the part with a gap keeps a number per row
