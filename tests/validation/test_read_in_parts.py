"""A large CSV file is read and checked a part at a time, and the report is the whole file's.

``validate(chunk_bytes=...)`` sets the size of the parts; here it is made tiny so that the
bundled files (a few hundred kilobytes) are cut into hundreds of parts, and every part
boundary that matters is tried: a duplicate key or a baseline in another part, a blank row
or a quoted line break at a cut, a byte that is not UTF-8 or a quote never closed far from
the start. Each gives the issues, rows and missing-value codes of the file read whole, row
numbers counted from the file's first line.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from getting_to_outcomes import DataReadError, ReadLimits, load_example, validate
from getting_to_outcomes.io import read_raw, read_raw_chunks
from getting_to_outcomes.validation import ValidationReport

SURVEY = "leadership_survey"
HEADER = "org_id,person_id,survey_wave,survey_date,role_type,k1_district_decisions\n"


def _example(name: str) -> Path:
    return Path(load_example("cper-network").files[name])


def _same(parts: ValidationReport, whole: ValidationReport, *, rows_kept: bool) -> None:
    pd.testing.assert_frame_equal(parts.issues, whole.issues)
    pd.testing.assert_frame_equal(parts.missing_counts, whole.missing_counts)
    assert int(whole.missing_counts["count"].sum()) == len(whole.missing)
    assert (parts.rows_read, parts.rows_valid, parts.rows_rejected) == (
        whole.rows_read, whole.rows_valid, whole.rows_rejected)
    assert parts.rows_valid + parts.rows_rejected == parts.rows_read
    if rows_kept:
        pd.testing.assert_frame_equal(parts.missing, whole.missing)
        pd.testing.assert_frame_equal(parts.valid_rows, whole.valid_rows)
        pd.testing.assert_frame_equal(parts.rejected_rows, whole.rejected_rows)
    else:
        assert parts.valid_rows.empty
        assert parts.rejected_rows.empty
        assert parts.missing.empty
        assert list(parts.missing.dtypes) == list(whole.missing.dtypes)
        assert list(parts.valid_rows.columns) == list(whole.valid_rows.columns)
        assert list(parts.valid_rows.dtypes) == list(whole.valid_rows.dtypes)


@pytest.mark.parametrize(
    ("name", "source"),
    [
        pytest.param("leadership_survey.csv", SURVEY, id="survey: no_baseline, personal data"),
        pytest.param("leadership_survey_export_messy.csv", SURVEY,
                     id="messy export: header rows, blank rows, every cell defect"),
        pytest.param("wins_log.csv", "wins_log", id="wins: evidence for milestone stages"),
    ],
)
@pytest.mark.parametrize("chunk_bytes", [5_000, 9_000])
@pytest.mark.parametrize("keep_rows", [True, False], ids=["rows kept", "rows counted"])
def test_a_file_checked_in_parts_reports_what_the_whole_file_does(
    name: str, source: str, chunk_bytes: int, keep_rows: bool
) -> None:
    path = _example(name)
    whole = validate(path, source=source)
    assert len(list(read_raw_chunks(path, chunk_bytes=chunk_bytes))) > 1
    parts = validate(path, source=source, chunk_bytes=chunk_bytes, keep_rows=keep_rows)
    _same(parts, whole, rows_kept=keep_rows)


def test_the_messy_export_keeps_its_defects_when_read_in_parts() -> None:
    # The file's own account of what it holds: its defects are found in any case.
    parts = validate(_example("leadership_survey_export_messy.csv"), source=SURVEY,
                     chunk_bytes=2_000, keep_rows=False)
    assert parts.rows_rejected > 0
    assert {"blank_row", "not_allowed", "out_of_range"} <= set(parts.issues["reason"])


def _write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def _rows(count: int, start: int = 0, wave: str = "pre") -> str:
    return "".join(f"CA-01,P{k:05d},{wave},2024-03-01,parent,3\n" for k in range(start, count))


def test_a_duplicate_key_in_the_first_and_last_part_is_found(tmp_path: Path) -> None:
    survey = _write(tmp_path / "survey.csv", HEADER + _rows(300) + "CA-01,P00000,pre,2024-03-02,"
                    "parent,4\n")
    parts = validate(survey, source=SURVEY, chunk_bytes=1_000, keep_rows=False)
    duplicates = parts.issues[parts.issues["reason"] == "duplicate_key"]
    # Row 2 is the first data row; the repeat is the last of 301 data rows, row 302.
    assert duplicates["row"].tolist() == [2, 302]
    assert "appears 2 times (rows 2, 302)" in duplicates["message"].iloc[0]
    assert parts.rows_rejected == 2
    _same(parts, validate(survey, source=SURVEY), rows_kept=False)


def test_a_baseline_in_an_earlier_part_is_matched(tmp_path: Path) -> None:
    survey = _write(tmp_path / "survey.csv",
                    HEADER + _rows(200) + _rows(201, wave="post"))  # P00200 has no baseline
    parts = validate(survey, source=SURVEY, chunk_bytes=1_000, keep_rows=False)
    lacking = parts.issues[parts.issues["reason"] == "no_baseline"]
    assert lacking["row"].tolist() == [2 + 200 + 200]
    assert lacking["value"].tolist() == ["P00200"]
    _same(parts, validate(survey, source=SURVEY), rows_kept=False)


def test_blank_rows_at_a_cut_are_inside_the_table_and_at_the_end_trailing(
    tmp_path: Path,
) -> None:
    text = HEADER + _rows(40) + "\n" * 30 + _rows(80, 40) + ",,,,,\n" * 25
    survey = _write(tmp_path / "survey.csv", text)
    whole = read_raw(survey)
    parts = list(read_raw_chunks(survey, chunk_bytes=300))
    assert len(parts) > 10
    notes = [n for p in parts for n in p.notes]
    assert sorted(map(repr, notes)) == sorted(map(repr, whole.notes))
    inside = [n.row for n in notes if n.reason == "blank_row"]
    assert inside == list(range(42, 72))  # data rows 2-41, then 30 blank lines
    assert [n.message for n in notes if n.reason == "blank_rows"] == [
        "25 blank row(s) at the end of the table were ignored."]
    assert np.concatenate([p.rows for p in parts]).tolist() == whole.rows.tolist()


def test_a_quoted_cell_with_line_breaks_and_quotes_stays_whole_across_cuts(
    tmp_path: Path,
) -> None:
    cell = '"first line\nsecond, with a ""quote""\nthird"'
    text = "id,note\n" + "".join(f"P{k},{cell}\n" for k in range(60))
    path = _write(tmp_path / "notes.csv", text)
    whole = read_raw(path)
    for size in (17, 50, 333):
        parts = list(read_raw_chunks(path, chunk_bytes=size))
        frame = pd.concat([p.frame for p in parts], ignore_index=True)
        pd.testing.assert_frame_equal(frame, whole.frame)
        assert frame.iloc[59, 1] == 'first line\nsecond, with a "quote"\nthird'
        assert np.concatenate([p.rows for p in parts]).tolist() == list(range(2, 62))


def test_a_byte_that_is_not_utf8_near_the_end_decides_the_encoding_of_the_whole_file(
    tmp_path: Path,
) -> None:
    text = HEADER + _rows(300) + "CA-01,P\u00e9300,pre,2024-03-01,parent,3\n"
    survey = _write(tmp_path / "survey.csv", text, encoding="cp1252")
    whole = validate(survey, source=SURVEY)
    parts = validate(survey, source=SURVEY, chunk_bytes=1_000, keep_rows=False)
    encoding = parts.issues[parts.issues["reason"] == "encoding"]["message"].tolist()
    assert encoding == ["The file is not UTF-8 (byte b'\\xe9' on line 302); it was read as "
                        "Windows-1252 (Western European)."]
    _same(parts, whole, rows_kept=False)


def test_a_quote_never_closed_far_from_the_start_is_located(tmp_path: Path) -> None:
    survey = _write(tmp_path / "survey.csv", HEADER + _rows(250) + 'CA-01,"P9,pre\n' + _rows(20))
    with pytest.raises(DataReadError) as whole:
        read_raw(survey)
    with pytest.raises(DataReadError) as parts:
        list(read_raw_chunks(survey, chunk_bytes=500))
    assert str(parts.value) == str(whole.value)
    assert 'a quote (") opened in row 252 is never closed' in str(parts.value)


def test_a_wide_line_far_from_the_start_is_refused_with_its_line(tmp_path: Path) -> None:
    survey = _write(tmp_path / "survey.csv", HEADER + _rows(250) + "x," * 99 + "x\n")
    with pytest.raises(DataReadError, match="line 252 has 100 columns"):
        list(read_raw_chunks(survey, chunk_bytes=500, limits=ReadLimits(max_columns=50)))


def test_other_formats_and_small_files_come_whole(tmp_path: Path) -> None:
    survey = _write(tmp_path / "survey.csv", HEADER + _rows(5))
    assert len(list(read_raw_chunks(survey))) == 1
    table = tmp_path / "survey.parquet"
    pd.DataFrame({"id": [f"P{k}" for k in range(500)]}).to_parquet(table)
    assert len(list(read_raw_chunks(table, chunk_bytes=100))) == 1
    with pytest.raises(ValueError, match="chunk_bytes must be positive"):
        list(read_raw_chunks(survey, chunk_bytes=0))


def test_a_file_without_answers_is_judged_over_all_its_parts(tmp_path: Path) -> None:
    ids_only = "".join(f"CA-01,P{k:05d},pre,2024-03-01,parent,\n" for k in range(300))
    survey = _write(tmp_path / "no_answers.csv", HEADER + ids_only)
    whole = validate(survey, source=SURVEY)
    assert "no_answers" in set(whole.issues["reason"])
    parts = validate(survey, source=SURVEY, chunk_bytes=1_000, keep_rows=False)
    _same(parts, whole, rows_kept=False)
    assert parts.rows_rejected == 300
    # One part with an answer makes the file answered.
    answered = _write(tmp_path / "one_answer.csv",
                      HEADER + ids_only + "CA-01,P99999,pre,2024-03-01,parent,4\n")
    parts = validate(answered, source=SURVEY, chunk_bytes=1_000, keep_rows=False)
    assert "no_answers" not in set(parts.issues["reason"])
    _same(parts, validate(answered, source=SURVEY), rows_kept=False)


def test_keys_coded_part_by_part_are_matched_across_parts(tmp_path: Path) -> None:
    # Each part numbers its own ids in the order it meets them (here, reversed in every
    # other block), so the same id has different codes in different parts; a blank id,
    # a repeat far from its first row and later waves of people met in other parts must
    # all be judged as in the file read whole.
    blocks = []
    for k in range(6):  # each block its own organization and wave
        ids = [f"P{j:03d}" for j in range(40)]
        if k % 2:
            ids.reverse()
        wave = ("pre", "mid", "post")[k % 3]
        org = f"CA-0{k % 2 + 1}"
        blocks += [f"{org},{i},{wave},2024-03-01,parent,3\n" for i in ids]
    blocks[100] = "CA-01,,pre,2024-03-01,parent,3\n"  # a blank id
    blocks.append(blocks[7])  # a repeat of a row of the first block, at the end
    blocks.append("CA-02,P999,post,2024-03-01,parent,3\n")  # no baseline anywhere
    survey = _write(tmp_path / "survey.csv", HEADER + "".join(blocks))
    whole = validate(survey, source=SURVEY)
    parts = validate(survey, source=SURVEY, chunk_bytes=700, keep_rows=False)
    assert len(list(read_raw_chunks(survey, chunk_bytes=700))) > 10
    _same(parts, whole, rows_kept=False)
    reasons = set(whole.issues["reason"])
    assert {"duplicate_key", "no_baseline", "missing_required"} <= reasons
    repeated = whole.issues[whole.issues["reason"] == "duplicate_key"]
    assert repeated["row"].tolist() == [9, 2 + len(blocks) - 2]
