"""Key columns of a file read in parts are numbered against one sorted dictionary."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from getting_to_outcomes.validation._table import TextCodes

# Short ids are kept as UTF-8 bytes of one width; a long one, or one ending with NUL (which
# bytes of a fixed width would drop), keeps its part as variable-width text.
ids = st.lists(
    st.sampled_from(["P1", "P2", "P10", "p1", "é", "", "P1 ", "P" * 40, "P1\0"]), max_size=12
)


@given(parts=st.lists(ids, min_size=1, max_size=4), block=st.integers(1, 5))
def test_parts_coded_alone_are_numbered_as_sorting_them_together_numbers_them(
    parts: list[list[str]], block: int
) -> None:
    coded = [TextCodes.encode(np.array(part, dtype=object)) for part in parts]
    joined = TextCodes.union(coded, block=block)

    everything = [value for part in parts for value in part]
    # Python sorts text by code point, as numpy sorts its strings and UTF-8 bytes.
    distinct = sorted(set(everything))
    assert joined.values_at(np.arange(len(everything))) == everything
    assert joined.codes.tolist() == [distinct.index(value) for value in everything]
    assert len(joined.labels) == len(distinct)


def test_ids_of_one_length_are_kept_as_bytes_and_read_back_as_text() -> None:
    coded = TextCodes.encode(np.array(["CA-01-P0003-12", "CA-01-P0004-12", None], dtype=object))

    assert coded.labels.dtype == np.dtype("S14")
    assert coded.values_at(np.array([1, 2, 0])) == ["CA-01-P0004-12", None, "CA-01-P0003-12"]
    assert coded.code_of("CA-01-P0004-12") == 1
    assert coded.code_of("CA-01-P0005-12") == -1


def test_one_long_id_keeps_its_part_as_variable_width_text() -> None:
    coded = TextCodes.encode(np.array(["P1", "P2", "x" * 10_000], dtype=object))

    assert coded.labels.dtype.kind != "S"
    assert coded.values_at(np.array([2])) == ["x" * 10_000]
