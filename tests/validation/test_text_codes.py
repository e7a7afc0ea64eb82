"""Key columns of a file read in parts are numbered against one sorted dictionary."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from getting_to_outcomes.validation._table import TextCodes

ids = st.lists(st.sampled_from(["P1", "P2", "P10", "p1", "é", "", "P1 "]), max_size=12)


@given(parts=st.lists(ids, min_size=1, max_size=4), block=st.integers(1, 5))
def test_parts_coded_alone_are_numbered_as_numpy_unique_numbers_them_together(
    parts: list[list[str]], block: int
) -> None:
    coded = [TextCodes.encode(np.array(part, dtype=object)) for part in parts]
    joined = TextCodes.union(coded, block=block)

    everything = [value for part in parts for value in part]
    distinct, positions = np.unique(np.array(everything, dtype=str), return_inverse=True)
    assert [str(label) for label in joined.labels] == distinct.tolist()
    assert joined.codes.tolist() == positions.ravel().tolist()
