"""The bundled synthetic example network: shape, realism, agreement with the YAML, determinism."""

from __future__ import annotations

import csv
import hashlib
import json
import operator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import getting_to_outcomes as gto
from getting_to_outcomes.cli import main
from getting_to_outcomes.datasets import (
    DEFECTS_FILE,
    MANIFEST_FILE,
    MESSY_FILE,
    export_example,
    write_example,
)
from getting_to_outcomes.definitions.models import DataSource, ScaleMeasure

SOURCES = [
    "leadership_survey",
    "leadership_tracking",
    "org_capacity",
    "actions_log",
    "contacts_log",
    "media_log",
    "wins_log",
    "system_indicators",
]
REGIONS = {
    "California",
    "Chicago",
    "Colorado",
    "Mississippi",
    "New Jersey",
    "Southeastern Pennsylvania",
}
# The groups the generator was told not to improve (see _ORGS in datasets.py).
NOT_IMPROVING = {"CHI-02", "MS-02", "PA-02"}


@pytest.fixture(scope="module")
def network() -> gto.ExampleDataset:
    return gto.load_example("cper-network")


def scale_scores(frame: pd.DataFrame, measure: ScaleMeasure, top: int) -> pd.Series:
    items = frame[measure.items].astype(float).copy()
    for item in measure.reverse:
        items[item] = top + 1 - items[item]
    return items.mean(axis=1)


# --- what the data set is ---------------------------------------------------------------


def test_the_network_is_listed_and_says_it_is_synthetic(network: gto.ExampleDataset) -> None:
    assert "cper-network" in gto.list_examples()
    assert network.synthetic is True
    assert "synthetic" in network.description.lower()
    manifest = json.loads(network.files[MANIFEST_FILE].read_text())
    assert manifest["synthetic"] is True
    assert "SYNTHETIC DATA" in network.files["README.md"].read_text()
    assert "SYNTHETIC DATA" in json.loads(network.files[DEFECTS_FILE].read_text())["note"]
    assert "synthetic" in repr(network)
    assert "Synthetic data" in network._repr_html_()


def test_twelve_grantees_two_in_each_cper_region(network: gto.ExampleDataset) -> None:
    orgs = network.orgs
    assert list(orgs.columns) == ["org_id", "name", "region", "type"]
    assert len(orgs) == 12
    assert orgs["org_id"].is_unique
    assert set(orgs["region"]) == REGIONS
    assert orgs["region"].value_counts().eq(2).all()
    assert set(orgs["type"]) <= {"parent", "youth", "intergenerational"}


def test_every_table_is_present_and_every_org_appears_in_it(network: gto.ExampleDataset) -> None:
    assert list(network.tables) == SOURCES
    for source_id, table in network.tables.items():
        assert set(table["org_id"]) == set(network.orgs["org_id"]), source_id


def test_unknown_example_names_get_a_suggestion() -> None:
    with pytest.raises(gto.UnknownIndicatorError, match="did you mean 'cper-network'"):
        gto.load_example("cper-netwrok")


def test_any_folder_with_a_minimal_manifest_is_an_example(
    network: gto.ExampleDataset, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "tiny"
    folder.mkdir()
    (folder / MANIFEST_FILE).write_text('{"synthetic": true, "tables": ["org_capacity"]}')
    (folder / "org_capacity.csv").write_bytes(network.files["org_capacity.csv"].read_bytes())
    monkeypatch.setattr("getting_to_outcomes.datasets._examples._data_root", lambda: tmp_path)
    tiny = gto.load_example("tiny")
    assert tiny.seed is None
    assert list(tiny.orgs.columns) == ["org_id", "name", "region", "type"]
    assert tiny.targets.empty
    pd.testing.assert_frame_equal(tiny.tables["org_capacity"], network.tables["org_capacity"])


def test_a_manifest_without_its_tables_is_refused_naming_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "broken"
    folder.mkdir()
    (folder / MANIFEST_FILE).write_text('{"synthetic": true}')
    monkeypatch.setattr("getting_to_outcomes.datasets._examples._data_root", lambda: tmp_path)
    with pytest.raises(gto.DataReadError, match=r"MANIFEST\.json: the manifest needs 'tables'"):
        gto.load_example("broken")


def test_files_are_small_enough_to_ship_in_a_wheel(network: gto.ExampleDataset) -> None:
    total = sum(path.stat().st_size for path in network.files.values())
    assert total < 4_000_000


# --- agreement with the source YAML ----------------------------------------------------------


@pytest.mark.parametrize("source_id", SOURCES)
def test_columns_are_those_of_the_source_yaml_in_order(
    network: gto.ExampleDataset, source_id: str
) -> None:
    source = network.framework.source(source_id)
    assert list(network.tables[source_id].columns) == [c.name for c in source.columns]
    header = network.files[f"{source_id}.csv"].read_text().splitlines()[0]
    assert header.split(",") == [c.name for c in source.columns]


def declared_problems(table: pd.DataFrame, source: DataSource, fw: gto.Framework) -> list[str]:
    """Every breach of an error-level rule of the source: required, type, range, allowed."""
    problems = []
    for column in source.columns:
        values = table[column.name]
        present = values.dropna()
        if column.required and values.isna().any():
            problems.append(f"{column.name}: required but missing")
        numeric = column.type in ("integer", "likert")
        if numeric and not np.allclose(present.astype(float), np.round(present.astype(float))):
            problems.append(f"{column.name}: not whole numbers")
        if column.type == "likert":
            codes = {c.code for c in fw.scale(column.scale or "").codes}
            if not set(present.astype(int)) <= codes:
                problems.append(f"{column.name}: codes outside {sorted(codes)}")
        if column.type == "category" and not set(present) <= {str(a) for a in column.allowed or []}:
            problems.append(f"{column.name}: {sorted(set(present) - set(column.allowed or []))}")
        if column.type == "date" and len(present):
            low, high = column.min, column.max
            if low is not None and present.min() < pd.Timestamp(low):  # type: ignore[arg-type]
                problems.append(f"{column.name}: before {low}")
            if high is not None and present.max() > pd.Timestamp(high):  # type: ignore[arg-type]
                problems.append(f"{column.name}: after {high}")
        elif column.type in ("integer", "number") and len(present):
            if column.min is not None and present.min() < column.min:
                problems.append(f"{column.name}: below min {column.min}")
            if column.max is not None and present.max() > column.max:
                problems.append(f"{column.name}: above max {column.max}")
    if table.duplicated(subset=source.keys).any():
        problems.append(f"duplicate keys {source.keys}")
    ops = {
        "lt": operator.lt,
        "le": operator.le,
        "eq": operator.eq,
        "ge": operator.ge,
        "gt": operator.gt,
    }
    for rule in source.comparisons:
        both = table[[rule.left, rule.right]].dropna()
        broken = ~ops[rule.op](both[rule.left], both[rule.right])
        if broken.any():
            problems.append(f"{rule.left} {rule.op} {rule.right}: {int(broken.sum())} rows")
    return problems


@pytest.mark.parametrize("source_id", SOURCES)
def test_values_keep_every_rule_the_source_declares(
    network: gto.ExampleDataset, source_id: str
) -> None:
    source = network.framework.source(source_id)
    assert declared_problems(network.tables[source_id], source, network.framework) == []


@pytest.mark.parametrize("source_id", SOURCES)
def test_values_lie_within_the_plausible_ranges(
    network: gto.ExampleDataset, source_id: str
) -> None:
    table = network.tables[source_id]
    outside = {}
    for column in network.framework.source(source_id).columns:
        values = table[column.name].dropna()
        if column.plausible_min is not None and (values < column.plausible_min).any():
            outside[column.name] = float(values.min())
        if column.plausible_max is not None and (values > column.plausible_max).any():
            outside[column.name] = float(values.max())
    assert outside == {}


def test_pandas_types_are_what_a_notebook_expects(network: gto.ExampleDataset) -> None:
    survey = network.tables["leadership_survey"]
    assert survey["k1_district_decisions"].dtype == np.float64
    assert survey["k1_district_decisions"].isna().any()
    assert pd.api.types.is_datetime64_any_dtype(survey["survey_date"])
    tracking = network.tables["leadership_tracking"]
    assert tracking["period"].map(type).eq(str).all()
    assert tracking["retained"].dtype == "boolean"
    assert tracking.loc[tracking["period"] == "2025", "retained"].isna().all()


# --- realism of the leadership survey --------------------------------------------------------


def test_about_1500_people_answered_in_three_waves(network: gto.ExampleDataset) -> None:
    survey = network.tables["leadership_survey"]
    assert list(survey["survey_wave"].unique()) == ["pre", "mid", "post"]
    assert 1400 <= survey["person_id"].nunique() <= 1700


def test_attrition_by_the_post_wave_is_near_30_percent(network: gto.ExampleDataset) -> None:
    survey = network.tables["leadership_survey"]
    pre = set(survey.loc[survey["survey_wave"] == "pre", "person_id"])
    post = set(survey.loc[survey["survey_wave"] == "post", "person_id"])
    attrition = 1 - len(pre & post) / len(pre)
    assert 0.25 <= attrition <= 0.35


def test_most_groups_improve_by_a_realistic_amount_and_three_do_not(
    network: gto.ExampleDataset,
) -> None:
    survey = network.tables["leadership_survey"]
    measure = network.framework.indicators["leadership.civic_efficacy"].measure
    assert isinstance(measure, ScaleMeasure)
    scored = survey.assign(score=scale_scores(survey, measure, 5))
    wide = scored.pivot_table(index=["org_id", "person_id"], columns="survey_wave", values="score")
    change = (wide["post"] - wide["pre"]).groupby("org_id").mean()
    improving = change.drop(sorted(NOT_IMPROVING))
    assert improving.between(0.2, 0.8).all(), improving.to_dict()
    assert change[sorted(NOT_IMPROVING)].abs().lt(0.15).all(), change.to_dict()


def test_reverse_keyed_items_run_against_the_latent_trait(network: gto.ExampleDataset) -> None:
    survey = network.tables["leadership_survey"]
    assert survey["s1_one_on_ones"].corr(survey["s4_hard_to_lead"]) < -0.3
    assert survey["c2_people_like_me"].corr(survey["c4_no_difference"]) < -0.3


@pytest.mark.parametrize(
    "indicator_id",
    [
        "leadership.knowledge_of_system",
        "leadership.organizing_skills",
        "leadership.civic_efficacy",
        "leadership.school_engagement",
        "leadership.public_role_confidence",
        "relationships.member_trust",
    ],
)
def test_scales_are_reliable_enough_to_report(
    network: gto.ExampleDataset, indicator_id: str
) -> None:
    indicator = network.framework.indicators[indicator_id]
    measure = indicator.measure
    assert isinstance(measure, ScaleMeasure)
    top = max(c.code for c in network.framework.scale(measure.scale).codes)
    survey = network.tables["leadership_survey"]
    items = survey.loc[survey["survey_wave"] == "pre", measure.items].astype(float).dropna()
    for item in measure.reverse:
        items[item] = top + 1 - items[item]
    # Cronbach's alpha, k/(k-1) * (1 - sum of item variances / variance of the total).
    k = items.shape[1]
    alpha = k / (k - 1) * (1 - items.var(ddof=1).sum() / items.sum(axis=1).var(ddof=1))
    assert indicator.reliability_threshold is not None
    assert indicator.reliability_threshold <= alpha < 0.95


def test_some_items_are_left_unanswered_but_not_many(network: gto.ExampleDataset) -> None:
    survey = network.tables["leadership_survey"]
    likert = [
        c.name for c in network.framework.source("leadership_survey").columns if c.type == "likert"
    ]
    missing = survey[likert].isna().mean()
    assert missing.between(0.005, 0.1).all(), missing.to_dict()


def test_leaders_climb_the_ladder_and_stay_at_typical_rates(network: gto.ExampleDataset) -> None:
    tracking = network.tables["leadership_tracking"]
    share = tracking.groupby("period")["leadership_level"].apply(lambda x: (x >= 3).mean())
    assert share["2025"] > share["2023"]
    retention = tracking.groupby("period")["retained"].mean().dropna()
    assert retention.between(0.4, 0.7).all()


# --- wins, systems, targets ----------------------------------------------------------------------


def test_win_stages_have_dates_in_order_up_to_the_stage_reached(
    network: gto.ExampleDataset,
) -> None:
    wins = network.tables["wins_log"]
    order = ["proposed", "under_consideration", "adopted", "implemented", "sustained"]
    for row in wins.itertuples():
        if row.status in order:
            reached = order[: order.index(row.status) + 1]
            for stage in order:
                date = getattr(row, f"date_{stage}")
                assert pd.isna(date) == (stage not in reached), (row.win_id, row.period, stage)
                assert pd.isna(date) or date.year <= int(row.period)
        else:
            assert pd.notna(row.date_setback)
    assert {"defeated", "adopted", "implemented", "sustained"} <= set(wins["status"])


def test_adopted_wins_lack_evidence_only_where_the_defect_list_says(
    network: gto.ExampleDataset,
) -> None:
    wins = network.tables["wins_log"]
    adopted = wins["status"].isin(["adopted", "implemented", "sustained"])
    without = wins[adopted & wins["evidence"].isna()]
    listed = json.loads(network.files[DEFECTS_FILE].read_text())["wins_log.csv"]
    assert sorted(zip(without["win_id"], without["period"], strict=True)) == sorted(
        (d["win_id"], d["period"]) for d in listed
    )
    assert without["win_id"].nunique() == 3
    for defect in listed:  # the row as a spreadsheet shows it, header = row 1
        assert wins.iloc[defect["row"] - 2]["win_id"] == defect["win_id"]


def test_district_series_cover_three_years_and_every_subgroup(network: gto.ExampleDataset) -> None:
    system = network.tables["system_indicators"]
    assert sorted(system["period"].unique()) == ["2023", "2024", "2025"]
    allowed = network.framework.source("system_indicators").columns
    subgroups = next(c.allowed for c in allowed if c.name == "subgroup")
    assert set(system["subgroup"]) == set(subgroups or [])
    everyone = system[system["subgroup"] == "all_students"]
    black = system[system["subgroup"] == "black"]
    # Discipline gaps by race, as in the Civil Rights Data Collection.
    assert black["suspension_rate"].mean() > everyone["suspension_rate"].mean()
    staffing = system.loc[system["subgroup"] != "all_students", "teacher_turnover_rate"]
    assert staffing.isna().all()


def test_grantee_targets_agree_with_each_indicator(network: gto.ExampleDataset) -> None:
    targets = network.targets
    assert list(targets.columns) == ["org_id", "indicator_id", "baseline", "target", "period"]
    # Every grantee sets targets; so does the funder for the pooled network.
    assert set(targets["org_id"]) == {*network.orgs["org_id"], "network"}
    for row in targets.itertuples():
        indicator = network.framework.indicators[row.indicator_id]
        low, high = indicator.valid_range or (-np.inf, np.inf)
        assert low <= row.baseline <= high
        assert low <= row.target <= high
        sign = {"increase": 1, "decrease": -1, "maintain": 0}[indicator.direction]
        assert sign * (row.target - row.baseline) > 0
        source = network.framework.source(indicator.source or "")
        assert not source.period_order or row.period in source.period_order


# --- the messy export and its defects ----------------------------------------------------------


def read_sheet(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def test_every_messy_header_is_a_declared_alias(network: gto.ExampleDataset) -> None:
    header = read_sheet(network.files[MESSY_FILE])[0]
    columns = network.framework.source("leadership_survey").columns
    known = {c.name: c.name for c in columns} | {a: c.name for c in columns for a in c.aliases}
    assert all(h in known for h in header), [h for h in header if h not in known]
    assert len({known[h] for h in header}) == len(header)


def test_each_seeded_defect_is_where_the_list_says(network: gto.ExampleDataset) -> None:
    sheet = read_sheet(network.files[MESSY_FILE])
    header = sheet[0]
    defects = json.loads(network.files[DEFECTS_FILE].read_text())[MESSY_FILE]
    kinds = {d["defect"] for d in defects}
    assert kinds == {
        "duplicate_key",
        "out_of_range",
        "unknown_label",
        "not_a_number",
        "date_out_of_range",
        "blank_row",
        "not_allowed",
        "missing_required",
    }
    for defect in defects:
        cells = sheet[defect["row"] - 1]  # rows as a spreadsheet numbers them
        if defect["defect"] == "blank_row":
            assert not any(cells)
            continue
        assert cells[header.index(defect["column"])] == defect["value"]
        if defect["defect"] == "duplicate_key":
            key = [header.index(h) for h in ("Organization", "Respondent ID", "Survey wave")]
            wanted = [cells[i] for i in key]
            same = [r for r in sheet[1:] if any(r) and [r[i] for i in key] == wanted]
            assert len(same) == 2


def test_apart_from_the_seeded_defects_every_answer_resolves(network: gto.ExampleDataset) -> None:
    fw = network.framework
    sheet = read_sheet(network.files[MESSY_FILE])
    header, rows = sheet[0], sheet[1:]
    seeded = {
        (d["row"], d["column"])
        for d in json.loads(network.files[DEFECTS_FILE].read_text())[MESSY_FILE]
    }
    columns = fw.source("leadership_survey").columns
    by_header = {a: c for c in columns for a in [c.name, *c.aliases]}
    for offset, cells in enumerate(rows):
        for head, cell in zip(header, cells, strict=True):
            column = by_header[head]
            if column.type != "likert" or not cell or (offset + 2, head) in seeded:
                continue
            scale = fw.scale(column.scale or "")
            spellings = (
                {str(c.code) for c in scale.codes}
                | {s for c in scale.codes for s in [c.label, *c.aliases]}
                | {str(m.value) for m in scale.missing}
            )
            assert cell in spellings, (offset + 2, head, cell)


def test_the_messy_export_shows_labels_numbered_labels_spanish_and_codes(
    network: gto.ExampleDataset,
) -> None:
    sheet = read_sheet(network.files[MESSY_FILE])
    column = sheet[0].index("People like me can change school policy.")
    answers = {r[column] for r in sheet[1:] if any(r)}
    assert {"Agree", "4 - Agree", "De acuerdo", "4"} <= answers


# --- determinism, regeneration and export ------------------------------------------------------


def test_regenerating_with_the_same_seed_gives_byte_identical_files(
    network: gto.ExampleDataset, tmp_path: Path
) -> None:
    written = write_example("cper-network", tmp_path)
    assert sorted(p.name for p in written) == sorted(network.files)
    for path in written:
        assert path.read_bytes() == network.files[path.name].read_bytes(), path.name


def test_another_seed_gives_other_data(tmp_path: Path) -> None:
    write_example("cper-network", tmp_path, seed=7)
    shipped = gto.load_example().files["leadership_survey.csv"].read_bytes()
    assert (tmp_path / "leadership_survey.csv").read_bytes() != shipped
    assert json.loads((tmp_path / MANIFEST_FILE).read_text())["seed"] == 7


def test_the_manifest_records_each_file_and_its_hash(network: gto.ExampleDataset) -> None:
    manifest = json.loads(network.files[MANIFEST_FILE].read_text())
    assert set(manifest["files"]) == set(network.files) - {MANIFEST_FILE}
    for name, facts in manifest["files"].items():
        data = network.files[name].read_bytes()
        assert facts == {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}


def test_export_copies_every_file(network: gto.ExampleDataset, tmp_path: Path) -> None:
    copied = export_example("cper-network", tmp_path / "try")
    assert sorted(p.name for p in copied) == sorted(network.files)
    assert (tmp_path / "try" / MESSY_FILE).read_bytes() == network.files[MESSY_FILE].read_bytes()


def test_command_line_lists_exports_and_regenerates(tmp_path: Path) -> None:
    runner = CliRunner()
    listed = runner.invoke(main, ["example", "list", "--format", "json"])
    assert listed.exit_code == 0, listed.output
    assert json.loads(listed.output)[0]["synthetic"] is True
    out = str(tmp_path / "a")
    exported = runner.invoke(main, ["example", "export", "cper-network", "--out", out])
    assert exported.exit_code == 0, exported.output
    assert (tmp_path / "a" / MESSY_FILE).is_file()
    regenerated = runner.invoke(main, ["example", "regenerate", "--out", str(tmp_path / "b")])
    assert regenerated.exit_code == 0, regenerated.output
    for path in (tmp_path / "a").iterdir():
        assert (tmp_path / "b" / path.name).read_bytes() == path.read_bytes()
    unknown = runner.invoke(main, ["example", "export", "nope", "--out", str(tmp_path / "c")])
    assert unknown.exit_code == 1
    assert "unknown example data set 'nope'" in unknown.output


def test_the_command_line_takes_the_libraries_default_example() -> None:
    from getting_to_outcomes.cli import _example
    from getting_to_outcomes.datasets import DEFAULT_EXAMPLE

    assert _example.DEFAULT_EXAMPLE == DEFAULT_EXAMPLE


def test_regenerating_without_the_generator_says_where_it_lives(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # An installed library has no examples/ folder next to it.
    monkeypatch.setattr("getting_to_outcomes.datasets._examples._REPOSITORY", tmp_path)
    with pytest.raises(gto.GTOError, match=r"examples/data_generators/make_cper_network\.py"):
        write_example("cper-network", tmp_path / "out")
    assert not (tmp_path / "out").exists()


# --- the bundled framework content these data follow ------------------------------------------


def test_the_bundled_framework_covers_every_stop_with_every_kind() -> None:
    fw = gto.load_framework()
    assert len(fw.indicators) >= 40
    for stop in fw.stops:
        assert len(fw.indicators.filter(stop=stop.id)) >= 2, stop.id
    kinds = {i.measure.kind for i in fw.indicators}
    assert kinds == {"scale", "count", "proportion", "rate", "mean", "level", "milestone"}
    assert [p for p in gto.check_framework() if p.severity in ("error", "warning")] == []


def test_lower_is_better_where_it_should_be_and_system_series_are_context() -> None:
    fw = gto.load_framework()
    for indicator_id in (
        "system.suspension_rate",
        "system.chronic_absenteeism",
        "system.teacher_turnover",
        "system.novice_teacher_share",
        "system.counselor_ratio",
        "system.expulsions_per_1000",
    ):
        assert fw.indicators[indicator_id].direction == "decrease"
    system = fw.indicators.filter(source="system_indicators")
    assert len(system) > 0
    assert all(i.contribution_only for i in system)
    assert all(i.reliability_threshold for i in fw.indicators.filter(kind="scale"))
