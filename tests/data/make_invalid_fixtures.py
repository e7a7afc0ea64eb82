"""Write the files of tests/data/invalid/ and tests/data/exports/ (run by hand, then commit them).

Each file of ``invalid/`` carries one defect, named in its file name; the tests in
``tests/validation/test_invalid_inputs.py`` assert the row, column and reason reported.
Rows are numbered as a spreadsheet shows them: the header is row 1.

    python tests/data/make_invalid_fixtures.py
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

HERE = Path(__file__).parent
INVALID = HERE / "invalid"
EXPORTS = HERE / "exports"

HEADER = [
    "Organization",
    "Respondent ID",
    "Survey wave",
    "Timestamp",
    "q1",
    "q2",
    "q3",
    "q4",
    "meetings",
]
ROWS = [
    ["org1", "P1", "pre", "2023-03-01", "Agree", "Disagree", "3", "4", "4"],
    ["org1", "P2", "pre", "2023-03-02", "5", "2", "Neither agree nor disagree", "4", "0"],
    ["org1", "P1", "post", "2023-11-20", "4 - Agree", "3", "5", "Refused", "12"],
    ["org2", "P9", "pre", "2023-03-05", "Strongly disagree", "Don't know", "1", "2", ""],
]


def lines(header: list[str], rows: list[list[str]], sep: str = ",") -> str:
    """CSV text as spreadsheets write it: quotes only where needed, one line per row."""
    out = io.StringIO()
    csv.writer(out, delimiter=sep, lineterminator="\n").writerows([header, *rows])
    return out.getvalue()


def changed(row: int, column: str, value: str) -> list[list[str]]:
    """ROWS with one cell replaced; ``row`` is the spreadsheet row (2 = first data row)."""
    rows = [list(r) for r in ROWS]
    rows[row - 2][HEADER.index(column)] = value
    return rows


def write(name: str, content: str | bytes, encoding: str = "utf-8") -> None:
    path = INVALID / name
    if isinstance(content, str):
        content = content.encode(encoding)
    path.write_bytes(content)


def main() -> None:
    INVALID.mkdir(exist_ok=True)
    EXPORTS.mkdir(exist_ok=True)
    write("wrong_delimiter.csv", lines(HEADER, changed(3, "q1", "9"), sep=";"))
    write("bom.csv", b"\xef\xbb\xbf" + lines(HEADER, changed(3, "q2", "Sometimes")).encode())
    latin = changed(2, "Respondent ID", "José")
    write("latin1.csv", lines(HEADER, latin), encoding="cp1252")
    write(
        "utf16_tab_delimited.csv",
        "\ufeff" + lines(HEADER, changed(5, "q4", "8"), sep="\t"),
        encoding="utf-16-le",
    )
    write("duplicate_header.csv", lines([*HEADER, "Respondent ID"], [[*r, r[1]] for r in ROWS]))
    no_wave = HEADER.index("Survey wave")
    write(
        "missing_required_column.csv",
        lines(
            [h for h in HEADER if h != "Survey wave"],
            [[c for k, c in enumerate(r) if k != no_wave] for r in ROWS],
        ),
    )
    write("unknown_column.csv", lines([*HEADER, "Favourite colour"], [[*r, "blue"] for r in ROWS]))
    write("text_in_numeric.csv", lines(HEADER, changed(3, "meetings", "about six")))
    out = changed(4, "q1", "7")
    out[0][HEADER.index("meetings")] = "150"
    out[1][HEADER.index("meetings")] = "55"
    write("out_of_range.csv", lines(HEADER, out))
    write("unknown_likert_label.csv", lines(HEADER, changed(2, "q2", "Somewhat agree")))
    write("duplicate_respondent.csv", lines(HEADER, changed(4, "Survey wave", "pre")))
    write("date_outside_period.csv", lines(HEADER, changed(3, "Timestamp", "2022-12-31")))
    third = changed(2, "q1", "x")[0]
    third[1] = "P5"
    blank_middle = (
        lines(HEADER, ROWS[:1])
        + "\n"
        + lines(HEADER, ROWS[1:2]).split("\n", 1)[1]
        + ",,,,,,,,\n"
        + lines(HEADER, [third]).split("\n", 1)[1]
    )
    write("blank_rows_in_middle.csv", blank_middle)
    write("trailing_blank_rows.csv", lines(HEADER, ROWS) + "\n,,,,,,,,\n\n")
    write(
        "ragged_row.csv",
        lines(HEADER, ROWS).replace(
            "2023-03-02,5,2,Neither agree nor disagree,4,0",
            "2023-03-02,5,2,Neither agree nor disagree,4,0,oops",
        ),
    )
    write("empty.csv", b"")
    write(
        "pdf_renamed.csv",
        b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n",
    )
    write("binary_garbage.csv", bytes((i * 37 + 11) % 256 for i in range(2048)))
    huge = changed(3, "q4", "x" * 40_000)
    write("huge_cell.csv", lines(HEADER, huge))
    write(
        "unclosed_quote.csv",
        lines(HEADER, ROWS[:1])
        + 'org1,P2,pre,"2023-03-02,5,2,3,4,0\n'
        + "org1,P3,pre,2023-03-03,5,2,3,4,0\n",
    )

    # Survey tool exports of the same answers, as the tools write them.
    google = [
        "Timestamp",
        "Organization",
        "Respondent ID",
        "Survey wave",
        "How much do you agree? [I understand how decisions about schools are made.]",
        "How much do you agree? [I can run a meeting so that everyone gets heard.]",
        "How much do you agree? [People like me can change school policy.]",
        "How much do you agree? [When I speak up, officials listen.]",
        "How many meetings did you attend this year?",
    ]
    stamps = [
        "2023/03/01 10:22:33 AM GMT-5",
        "2023/03/02 8:01:12 PM GMT-5",
        "2023/11/20 9:15:00 AM GMT-5",
        "2023/03/05 11:59:59 PM GMT-5",
    ]
    google_rows = [[s, r[0], r[1], r[2], *r[4:]] for s, r in zip(stamps, ROWS, strict=True)]
    google_rows[2][4] = "Agree strongly"  # seeded: row 4, q1, unknown_answer
    (EXPORTS / "google_forms.csv").write_text(lines(google, google_rows))
    monkey_1 = [
        "Respondent ID",
        "Collector ID",
        "Start Date",
        "End Date",
        "Organization",
        "Survey wave",
        "How much do you agree with each statement?",
        "",
        "",
        "",
        "How many meetings did you attend this year?",
    ]
    monkey_2 = [
        "",
        "",
        "",
        "",
        "Response",
        "Response",
        "I understand how decisions about schools are made.",
        "I can run a meeting so that everyone gets heard.",
        "People like me can change school policy.",
        "When I speak up, officials listen.",
        "Open-Ended Response",
    ]
    monkey_rows = [[r[1], "4321", "03/01/2023 10:02:11 AM", r[3], r[0], r[2], *r[4:]] for r in ROWS]
    monkey_rows[1][10] = "lots"  # seeded: row 4 (two header rows), meetings, not_a_number
    (EXPORTS / "surveymonkey.csv").write_text(lines(monkey_1, [monkey_2, *monkey_rows]))
    qualtrics_1 = [
        "StartDate",
        "EndDate",
        "Status",
        "ResponseId",
        "Q1",
        "Q2",
        "Q3_1",
        "Q3_2",
        "Q3_3",
        "Q3_4",
        "Q4",
    ]
    qualtrics_2 = [
        "Start Date",
        "End Date",
        "Response Type",
        "Response ID",
        "Organization",
        "Survey wave",
        "How much do you agree? - I understand how decisions about schools are made.",
        "How much do you agree? - I can run a meeting so that everyone gets heard.",
        "How much do you agree? - People like me can change school policy.",
        "How much do you agree? - When I speak up, officials listen.",
        "How many meetings did you attend this year?",
    ]
    qualtrics_3 = [
        json.dumps({"ImportId": k})
        for k in (
            "startDate",
            "endDate",
            "status",
            "_recordId",
            "QID1",
            "QID2",
            "QID3_1",
            "QID3_2",
            "QID3_3",
            "QID3_4",
            "QID4_TEXT",
        )
    ]
    qualtrics_rows = [
        ["2023-03-01 10:00:00", f"{r[3]} 10:20:00", "IP Address", f"R_{r[1]}x", r[0], r[2], *r[4:]]
        for r in ROWS
    ]
    qualtrics_rows[1][8] = "Agree strongly"  # seeded: row 5 (three header rows), q3, unknown_answer

    out = io.StringIO()
    csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\n").writerows(
        [qualtrics_1, qualtrics_2, qualtrics_3, *qualtrics_rows]
    )
    (INVALID / "qualtrics_header_rows.csv").write_text(out.getvalue())


if __name__ == "__main__":
    main()
