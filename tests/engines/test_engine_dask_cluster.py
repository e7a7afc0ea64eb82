"""A partitioned data set scored on a Dask cluster of two worker processes."""

from __future__ import annotations

import pytest

from getting_to_outcomes.engines import read_partitioned, write_partitioned
from getting_to_outcomes.scoring._seam import aggregate as aggregate_source
from getting_to_outcomes.scoring._tables import Window

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       dashboard_address=None)
    with distributed.Client(cluster) as connected:
        yield connected
    cluster.close()


@pytest.mark.slow
def test_a_partitioned_survey_is_aggregated_on_the_workers_as_pandas_aggregates_it(
    network, tmp_path, client, same_tables
):
    survey = network.tables["leadership_survey"]
    root = write_partitioned(survey, tmp_path / "survey",
                             partition_by=["org_id", "survey_wave"])
    framework = network.framework
    source = framework.source("leadership_survey")
    indicators = [i for i in framework.indicators if i.source == "leadership_survey"]
    window = Window(("pre", "mid", "post"))
    # Small partitions, so that the work is spread over both workers.
    data = read_partitioned(root, engine="dask", blocksize="100KiB")
    assert data.npartitions >= 2
    got = aggregate_source(data, source, indicators, framework, window=window,
                           group_column="org_id")
    expected = aggregate_source(survey, source, indicators, framework, window=window,
                                group_column="org_id")
    same_tables(expected, got)
    assert len(client.scheduler_info()["workers"]) == 2
