"""The aggregation seam gives the same grouped tables on every engine as on pandas."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from getting_to_outcomes.datasets import ExampleDataset
from getting_to_outcomes.engines import engine_of
from getting_to_outcomes.errors import ScoringError
from getting_to_outcomes.scoring._seam import aggregate as aggregate_source
from getting_to_outcomes.scoring._tables import Window

# Between them these sources use every measure kind: scales (item moments, answers, paired
# changes), ladders and yes/no shares (transitions), counts, means, pooled ratios and rates,
# milestones (stages and the days between them), and subgroups.
SOURCES = ["leadership_survey", "leadership_tracking", "org_capacity", "wins_log",
           "system_indicators"]
# Dask builds a task graph per question, which is slow on small tables: two sources cover
# scales, ladders, shares and milestones.
DASK_SOURCES = ["leadership_tracking", "wins_log"]
CASES = [(engine, source) for engine in ("polars", "pyarrow", "duckdb") for source in SOURCES]
CASES += [("dask", source) for source in DASK_SOURCES]


def _window(network: ExampleDataset, source_id: str) -> Window:
    source = network.framework.source(source_id)
    found = set(network.tables[source_id][source.time_column].astype(str))
    return Window(tuple(p for p in source.period_order if p in found) if source.period_order
                  else tuple(sorted(found)))


def _both(network: ExampleDataset, source_id: str, data: object, **options: object):
    framework = network.framework
    source = framework.source(source_id)
    indicators = [i for i in framework.indicators if i.source == source_id]
    settings = {"window": _window(network, source_id), "group_column": source.org_column,
                **options}
    expected = aggregate_source(network.tables[source_id], source, indicators, framework,
                                **settings)
    got = aggregate_source(data, source, indicators, framework, **settings)
    return expected, got


@pytest.mark.parametrize(("engine", "source_id"), CASES)
def test_every_table_equals_the_pandas_table(network, engine, source_id, engine_table, same_tables):
    data = engine_table(network.tables[source_id], engine)
    assert engine_of(data) == engine
    expected, got = _both(network, source_id, data)
    same_tables(expected, got)


@pytest.mark.parametrize("engine", ["polars", "duckdb"])
def test_one_pooled_group_and_an_overridden_minimum_equal_pandas(
    network, engine, engine_table, same_tables
):
    data = engine_table(network.tables["leadership_survey"], engine)
    expected, got = _both(network, "leadership_survey", data, group_column=None,
                          group_label="network", min_answered=0.5)
    assert set(got.cells["group"]) == {"network"}
    same_tables(expected, got)


def test_rows_outside_the_scored_periods_are_counted_in_a_note(network, engine_table):
    source_id = "leadership_survey"
    expected, got = _both(network, source_id, engine_table(network.tables[source_id], "polars"),
                          window=Window(("mid", "post")))
    outside = int((network.tables[source_id]["survey_wave"] == "pre").sum())
    assert got.messages == expected.messages
    assert any(f"{outside} row(s) from periods outside mid, post" in n for n in got.messages)


@pytest.mark.parametrize("engine", ["polars", "duckdb"])
def test_an_answer_off_the_scale_is_refused_with_its_column_and_value(
    network, engine, engine_table
):
    survey = network.tables["leadership_survey"].copy()
    survey.loc[survey.index[3], "k2_school_budget"] = 7.0
    framework = network.framework
    source = framework.source("leadership_survey")
    indicators = [i for i in framework.indicators if i.source == "leadership_survey"]
    with pytest.raises(ScoringError, match=r"column 'k2_school_budget': 7\.0 is not a code"):
        aggregate_source(engine_table(survey, engine), source, indicators, framework,
                         window=_window(network, "leadership_survey"), group_column="org_id")


def test_a_unit_twice_in_one_period_cannot_be_matched(network, engine_table):
    survey = network.tables["leadership_survey"]
    doubled = pd.concat([survey, survey.iloc[[0]]], ignore_index=True)
    framework = network.framework
    source = framework.source("leadership_survey")
    indicators = [i for i in framework.indicators if i.source == "leadership_survey"]
    with pytest.raises(ScoringError, match="appears more than once"):
        aggregate_source(engine_table(doubled, "duckdb"), source, indicators, framework,
                         window=_window(network, "leadership_survey"), group_column="org_id")


def test_a_row_without_a_period_is_refused(network, engine_table):
    tracking = network.tables["leadership_tracking"].copy()
    tracking.loc[tracking.index[0], "period"] = np.nan
    framework = network.framework
    source = framework.source("leadership_tracking")
    indicators = [i for i in framework.indicators if i.source == "leadership_tracking"]
    with pytest.raises(ScoringError, match="1 row\\(s\\) have no period"):
        aggregate_source(engine_table(tracking, "polars"), source, indicators, framework,
                         window=Window(("2023", "2024", "2025")), group_column="org_id")
