"""Privacy that survives mistakes: under --pseudonymize no id or shifted cell shows as written.

The attacks: ids that do not read as the id type (``20O45``, ``77 123`` in an integer id
column), an unquoted ``Doe, Jane`` that shifts a row's cells to the right, and weak keys.
Each output that could show a cell is searched for what must not be there: the issues (every
format), the valid rows and their data package.
"""

from __future__ import annotations

import json
import secrets
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from getting_to_outcomes import PseudonymKey, PseudonymKeyError, load_framework, validate
from getting_to_outcomes.cli import main
from getting_to_outcomes.privacy import key_weakness

BUNDLED = Path(__file__).parents[2] / "src" / "getting_to_outcomes" / "definitions"

SOURCE_YAML = """\
sources:
  - id: numbered_survey
    name: Numbered survey
    description: One row per person per wave; ids are numbers.
    unit_of_analysis: person
    keys: [org_id, person_id, wave]
    id_column: person_id
    org_column: org_id
    time_column: wave
    period_order: [pre, post]
    columns:
      - name: org_id
        type: string
        required: true
      - name: person_id
        type: integer
        required: true
      - name: wave
        type: category
        required: true
        allowed: [pre, post]
      - name: full_name
        type: string
        personal: true
      - name: comment
        type: string
      - name: meetings
        type: integer
        min: 0
"""

ROWS = """\
org_id,person_id,wave,full_name,comment,meetings
org1,20045,pre,Ann Lee,fine,3
org1,20O45,pre,Bob Ray,fine,2
org1,77 123,pre,Cy Dee,fine,1
org1,30001,pre,Doe, Jane,fine,4
org1,30002,pre,Eve Fox,fine,5
"""

NEVER_SHOWN = ["20O45", "77 123", "Doe", "Jane", "20045", "30001", "30002"]


@pytest.fixture(scope="module")
def framework_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from getting_to_outcomes.definitions._loading import DEFAULT_FRAMEWORK, _bundled_root

    folder = tmp_path_factory.mktemp("fw") / "framework"
    shutil.copytree(_bundled_root() / DEFAULT_FRAMEWORK, folder)
    (folder / "sources" / "numbered_survey.yaml").write_text(SOURCE_YAML, encoding="utf-8")
    return folder


@pytest.fixture
def data(tmp_path: Path) -> Path:
    path = tmp_path / "numbered.csv"
    path.write_text(ROWS, encoding="utf-8")
    return path


@pytest.fixture
def key() -> PseudonymKey:
    return PseudonymKey(secrets.token_hex(32))


def test_ids_that_do_not_read_as_the_id_type_are_hashed_and_their_rows_rejected(
    framework_dir: Path, data: Path, key: PseudonymKey,
) -> None:
    report = validate(data, load_framework(framework_dir), source="numbered_survey",
                      pseudonymize=key)
    shown = report.issues.to_csv() + report.rejected_rows.to_csv() + report.valid_rows.to_csv()
    for text in ("20O45", "77 123"):
        assert text not in shown
    bad = report.issues[report.issues["column"] == "person_id"]
    assert sorted(bad["row"].tolist()) == [3, 4]
    assert set(bad["value"]) == {key.pseudonym("20O45"), key.pseudonym("77 123")}
    assert set(bad["severity"]) == {"error"}


def test_an_unreadable_id_is_worded_as_the_id_that_is_wrong_not_as_its_pseudonym(
    framework_dir: Path, data: Path, key: PseudonymKey,
) -> None:
    report = validate(data, load_framework(framework_dir), source="numbered_survey",
                      pseudonymize=key)
    bad = report.issues[(report.issues["column"] == "person_id") & (report.issues["row"] == 3)]
    pseudonym = key.pseudonym("20O45")
    assert bad["message"].tolist() == [
        "The person_id of this row is not a whole number (digits only) as written in the "
        f"file (it is shown by its pseudonym {pseudonym}, as every id is under "
        "pseudonymisation)."
    ]
    assert bad["fix"].tolist() == [
        "Correct the person_id in the original file: it must be a whole number (digits only)."
    ]


def test_readable_integer_ids_become_pseudonyms_and_their_rows_stay_valid(
    framework_dir: Path, data: Path, key: PseudonymKey,
) -> None:
    report = validate(data, load_framework(framework_dir), source="numbered_survey",
                      pseudonymize=key)
    assert report.valid_rows.index.tolist() == [2, 6]
    # 20045 and 20045.0 are one id: the pseudonym is that of its digits.
    assert report.valid_rows["person_id"].tolist() == [key.pseudonym("20045"),
                                                       key.pseudonym("30002")]


def test_a_row_shifted_by_an_unquoted_separator_is_rejected_without_its_cells(
    framework_dir: Path, data: Path, key: PseudonymKey,
) -> None:
    report = validate(data, load_framework(framework_dir), source="numbered_survey",
                      pseudonymize=key)
    shifted = report.issues[report.issues["reason"] == "shifted_row"]
    assert shifted["row"].tolist() == [5]
    assert shifted["severity"].tolist() == ["error"]
    assert 5 in report.rejected_rows.index
    assert 5 not in report.valid_rows.index
    row_5 = report.issues[report.issues["row"] == 5]
    assert set(row_5["reason"]) == {"shifted_row", "extra_cells"}
    for text in ("Doe", "Jane", "fine,4", "4"):
        assert text not in " ".join(map(str, row_5["value"].dropna()))
    cells = report.rejected_rows.loc[5].drop("reasons")
    assert cells.isna().all(), cells


def test_without_pseudonymize_a_shifted_row_is_only_warned_about(
    framework_dir: Path, data: Path,
) -> None:
    report = validate(data, load_framework(framework_dir), source="numbered_survey")
    assert "shifted_row" not in set(report.issues["reason"])
    assert "extra_cells" in set(report.issues["reason"])


@pytest.mark.parametrize("output", ["table", "json", "csv"])
def test_no_command_line_output_shows_an_id_or_a_shifted_cell(
    framework_dir: Path, data: Path, tmp_path: Path, output: str,
) -> None:
    out = tmp_path / "valid.csv"
    result = CliRunner().invoke(main, [
        "validate", str(data), "--framework", str(framework_dir), "--source", "numbered_survey",
        "--pseudonymize", "--format", output, "--out-valid", str(out),
    ], env={"GTO_PSEUDONYM_KEY": secrets.token_hex(32)})
    assert result.exit_code == 1, result.output
    written = out.read_text(encoding="utf-8")
    package = (tmp_path / "valid.datapackage.json").read_text(encoding="utf-8")
    for text in NEVER_SHOWN:
        assert text not in result.output, text
        assert text not in written, text
    person = next(f for f in json.loads(package)["resources"][0]["schema"]["fields"]
                  if f["name"] == "person_id")
    assert person["type"] == "string"


@pytest.mark.parametrize(("secret", "why"), [
    ("x" * 31, "too short"),
    ("a" * 16, "too short"),
    ("a" * 64, "a pattern of 1 character"),
    ("ab" * 20, "a pattern of 2 character"),
    ("0123456789abcdef" * 2, "a pattern of 16 character"),
    ("a" * 60 + "bcde", "low in entropy"),
])
def test_weak_keys_are_refused_with_the_command_that_makes_a_good_one(
    secret: str, why: str,
) -> None:
    with pytest.raises(PseudonymKeyError, match=why) as caught:
        PseudonymKey(secret)
    assert 'python -c "import secrets; print(secrets.token_hex(32))"' in str(caught.value)
    assert secret not in str(caught.value)


def test_a_weak_key_from_the_environment_stops_the_command(data: Path,
                                                            framework_dir: Path) -> None:
    result = CliRunner().invoke(main, [
        "validate", str(data), "--framework", str(framework_dir), "--source", "numbered_survey",
        "--pseudonymize"], env={"GTO_PSEUDONYM_KEY": "a" * 16})
    assert result.exit_code == 2
    assert "secrets.token_hex(32)" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("make", [lambda: secrets.token_hex(16), lambda: secrets.token_hex(32),
                                  lambda: secrets.token_urlsafe(32)],
                         ids=["token_hex_16", "token_hex_32", "token_urlsafe_32"])
def test_random_keys_are_accepted(make: Callable[[], str]) -> None:
    for _ in range(200):
        secret = make()
        assert key_weakness(secret.encode()) is None, secret
