"""Hypothesis strategies for hostile and careless inputs: YAML definitions and data files.

Each strategy mixes three kinds of input, because each reaches a different depth:

* near-valid documents, a real definition or table with a few parts changed, which get
  past parsing and into the checks behind it;
* text made of the characters that mean something to the parser (YAML indicators, quotes,
  separators, line breaks, control characters, byte-order marks);
* raw bytes, whatever the encoding.
"""

from __future__ import annotations

import copy
import csv
import io
import math
from collections.abc import Mapping, Sequence
from typing import Any

import yaml
from hypothesis import strategies as st

# --- YAML ---------------------------------------------------------------------------------

#: Scalars written as YAML text that readers of YAML 1.1 and 1.2 disagree on, tags that
#: ask for Python objects, anchors, aliases, merge keys and numbers past every limit.
YAML_WORDS = [
    "yes", "no", "on", "off", "y", "n", "True", "NO", "~", "null", ".nan", ".NaN", ".inf",
    "-.inf", "1e400", "-1e400", "0x1F", "0o17", "017", "1_000", "2024-03-01", "12:30:00",
    "!!python/object/apply:os.system ['true']", "!!python/name:os.system", "!!binary aGk=",
    "!!set {a, b}", "!!omap [a: 1]", "&a [1, 2]", "*a", "<<: *a", "? complex key", "|-",
    ">", "'unclosed", '"unclosed', "[unclosed", "{unclosed", "%YAML 1.1", "--- ", "...",
    "@reserved", "`reserved", "\t", "#", ": ", "- ",
]
#: Characters that carry structure in YAML, and a few that should never appear.
YAML_ALPHABET = st.sampled_from([
    *" \n\t-:?,[]{}#&*!|>'\"%@`\\abcxyz019.", "\x00", "\x1b", "\x85", "\ufeff", "\u2028",
    "\ud7ff", "é", "\U0001f600"])


def yaml_scalars() -> st.SearchStrategy[Any]:
    """Values a definition may be given where a number, flag or text is expected."""
    return st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(2**70), max_value=2**70),
        st.floats(allow_nan=True, allow_infinity=True),
        st.sampled_from([math.nan, math.inf, -math.inf, 0, -1, 1e308, 5e-324]),
        st.text(max_size=30),
        st.text(alphabet=YAML_ALPHABET, max_size=30),
        st.sampled_from(YAML_WORDS),
    )


def yaml_values() -> st.SearchStrategy[Any]:
    """Scalars, and lists and mappings of them, a few levels deep."""
    return st.recursive(
        yaml_scalars(),
        lambda inner: st.one_of(
            st.lists(inner, max_size=4),
            st.dictionaries(st.one_of(st.text(max_size=12), st.sampled_from(YAML_WORDS)),
                            inner, max_size=4),
        ),
        max_leaves=12,
    )


@st.composite
def mutated(draw: st.DrawFn, value: Any, depth: int = 0) -> Any:
    """``value`` with some of its parts replaced, removed, added to or repeated."""
    if isinstance(value, dict):
        out: dict[Any, Any] = {}
        for key, item in value.items():
            action = draw(st.sampled_from(["keep"] * 6 + ["recurse"] * 3 + ["replace", "drop"]))
            if action == "drop":
                continue
            if action == "replace":
                item = draw(yaml_values())
            elif action == "recurse" and depth < 6:
                item = draw(mutated(item, depth + 1))
            out[key] = item
        if draw(st.integers(0, 9)) == 0:
            out[draw(st.text(max_size=12))] = draw(yaml_values())
        return out
    if isinstance(value, list):
        items = [draw(mutated(v, depth + 1)) if depth < 6 and draw(st.booleans()) else v
                 for v in value]
        if items and draw(st.integers(0, 7)) == 0:
            # Many copies of one entry: repeated ids, and size the checks must cope with.
            items += [copy.deepcopy(items[0])] * draw(st.integers(1, 50))
        return items
    if draw(st.integers(0, 3)) == 0:
        return draw(yaml_values())
    return value


@st.composite
def text_edits(draw: st.DrawFn, text: str) -> str:
    """``text`` with lines or characters inserted, a line repeated, or its end cut off.

    Editing the text reaches what a round trip through a YAML dumper cannot write:
    duplicate keys, anchors and aliases, tags, tabs in indentation, unclosed quotes.
    """
    lines = text.split("\n")
    for _ in range(draw(st.integers(0, 3))):
        where = draw(st.integers(0, len(lines)))
        kind = draw(st.sampled_from(["word", "line", "repeat", "chars", "cut"]))
        if kind == "word":
            indent = " " * draw(st.sampled_from([0, 2, 4, 6]))
            key = draw(st.sampled_from(["min_n", "id", "indicators", "personal", "weight",
                                        "valid_range", "scale", "x"]))
            lines.insert(where, f"{indent}{key}: {draw(st.sampled_from(YAML_WORDS))}")
        elif kind == "line" or not lines:
            lines.insert(where, draw(st.text(alphabet=YAML_ALPHABET, max_size=40)))
        elif kind == "repeat":
            line = lines[min(where, len(lines) - 1)]
            lines.insert(where, line)
        elif kind == "chars":
            at = min(where, len(lines) - 1)
            line = lines[at]
            cut = draw(st.integers(0, len(line)))
            lines[at] = line[:cut] + draw(st.text(alphabet=YAML_ALPHABET, max_size=5)) \
                + line[cut:]
        else:
            lines = lines[:where]
    return "\n".join(lines)


def yaml_documents(originals: Sequence[str]) -> st.SearchStrategy[bytes]:
    """YAML definition files: real ones changed, text of YAML's own characters, bytes.

    Parameters
    ----------
    originals : sequence of str
        Valid definition files (their text) to start from.
    """
    parsed = [yaml.safe_load(text) for text in originals]

    @st.composite
    def changed_values(draw: st.DrawFn) -> bytes:
        document = draw(mutated(copy.deepcopy(draw(st.sampled_from(parsed)))))
        text = yaml.safe_dump(document, sort_keys=False, allow_unicode=True)
        return text.encode("utf-8")

    @st.composite
    def changed_text(draw: st.DrawFn) -> bytes:
        return str(draw(text_edits(draw(st.sampled_from(list(originals)))))).encode(
            "utf-8", "surrogatepass")

    return st.one_of(
        changed_values(),
        changed_text(),
        st.text(alphabet=YAML_ALPHABET, max_size=200).map(
            lambda t: t.encode("utf-8", "surrogatepass")),
        st.binary(max_size=200),
    )


# --- data files -----------------------------------------------------------------------------

#: Cells that mean something to a CSV reader, a spreadsheet or a type check.
CELL_WORDS = [
    "", " ", "NA", "N/A", "nan", "NaN", "inf", "-inf", "1e308", "-1e308", "1e999", "0x10",
    "1,5", "1.5", "٣", "5 - Strongly agree", "Agree", "TRUE", "yes", "2024-03-01",
    "13/03/2024", "04/03/2024", "=1+1", '=HYPERLINK("http://x","y")', "+cmd", "@SUM(A1)",
    "-", "missing", '"', '""', "'", "\\", "\x00", "\x1b", "\r", "\n", "\r\n", "\t", "\ufeff",
    "a" * 300, "Smith, John", "é", "\U0001f600",
]


def cells(known: Sequence[str]) -> st.SearchStrategy[str]:
    """One cell: a good value of the data source, a troublesome word, a number, any text."""
    return st.one_of(
        st.sampled_from(list(known) or ["1"]),
        st.sampled_from(CELL_WORDS),
        st.integers(min_value=-(2**70), max_value=2**70).map(str),
        st.floats(allow_nan=True, allow_infinity=True).map(repr),
        st.text(max_size=20),
    )


@st.composite
def near_valid(draw: st.DrawFn, good: Mapping[str, Sequence[str]],
               required: Sequence[str]) -> tuple[list[str], list[list[str]]]:
    """A table of the data source with most cells right and a few of any kind."""
    optional = [c for c in good if c not in required]
    columns = [*required, *draw(st.lists(st.sampled_from(optional), unique=True, max_size=8))]
    columns = draw(st.permutations(columns))
    n = draw(st.integers(0, 30))
    rows = []
    for _ in range(n):
        row = []
        for column in columns:
            if draw(st.integers(0, 9)) == 0:
                row.append(draw(cells(good[column])))
            elif column == "person_id":
                row.append(f"p{draw(st.integers(0, n))}")  # repeats: keys across rows
            else:
                row.append(draw(st.sampled_from(list(good[column]))))
        rows.append(row)
    return columns, rows


@st.composite
def any_table(draw: st.DrawFn, headers: Sequence[str],
              known: Sequence[str]) -> tuple[list[str], list[list[str]]]:
    """A header of real columns, their aliases or anything, and rows of any cells."""
    columns = draw(st.lists(st.one_of(st.sampled_from(list(headers)), st.text(max_size=15)),
                            min_size=0, max_size=12))
    rows = draw(st.lists(st.lists(cells(known), min_size=0, max_size=len(columns) + 2),
                         max_size=25))
    return columns, rows


@st.composite
def delimited(draw: st.DrawFn, tables: st.SearchStrategy[tuple[list[str], list[list[str]]]]
              ) -> bytes:
    """A table written as delimited text, perhaps damaged.

    Written properly quoted or naively joined (stray separators and quotes), with any
    separator, line ending and encoding, then perhaps cut or edited byte by byte.
    """
    columns, rows = draw(tables)
    separator = draw(st.sampled_from([",", ";", "\t", "|", " "]))
    ending = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    if draw(st.booleans()):
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=separator, lineterminator=ending)
        writer.writerow(columns)
        writer.writerows(rows)
        text = buffer.getvalue()
    else:
        text = ending.join(separator.join(r) for r in [columns, *rows])
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "latin-1", "cp1252"]))
    raw = text.encode(encoding, "replace") if encoding != "utf-8" else text.encode(
        "utf-8", "surrogatepass")
    for _ in range(draw(st.sampled_from([0, 0, 0, 1, 2]))):
        at = draw(st.integers(0, len(raw)))
        if draw(st.booleans()):
            raw = raw[:at] + draw(st.binary(min_size=1, max_size=4)) + raw[at:]
        else:
            raw = raw[:at]
    return raw


def data_files(good: Mapping[str, Sequence[str]], required: Sequence[str],
               aliases: Sequence[str] = ()) -> st.SearchStrategy[bytes]:
    """Bytes of a data file named .csv: tables of a data source, mostly, and raw bytes.

    Parameters
    ----------
    good : mapping of str to sequence of str
        Each column of the data source and good values of it.
    required : sequence of str
        The columns every table of the source must have.
    aliases : sequence of str
        Other headers the source recognises.
    """
    known = sorted({v for values in good.values() for v in values})
    return st.one_of(delimited(near_valid(good, required)),
                     delimited(near_valid(good, required)),
                     delimited(any_table([*good, *aliases], known)),
                     st.binary(max_size=300))
