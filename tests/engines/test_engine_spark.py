"""Validation and scoring on a local Spark session give what pandas gives.

Spark runs in a Java virtual machine; these tests start a local session of two threads
and are skipped, saying why, where PySpark or Java is missing. They read the data as a
Spark user would: a partitioned Parquet data set read by ``spark.read.parquet``, with the
partition values kept as text.
"""

from __future__ import annotations

import os
import shutil
import sys
import warnings

import pytest

import getting_to_outcomes as gto
from getting_to_outcomes.engines import engine_of, write_partitioned

pytest.importorskip("pyspark", reason="PySpark is not installed (pip install pyspark)")
if shutil.which("java") is None:
    pytest.skip("Spark needs Java, and no `java` is on the PATH", allow_module_level=True)

from .test_engine_score import SOURCES, _assert_same_summary
from .test_validate_engines import assert_same_report

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def spark():
    from pyspark.sql import SparkSession

    # Executors run the item-moment kernel in Python: this Python, which has the library,
    # as a cluster's executors must.
    python = os.environ.get("PYSPARK_PYTHON")
    os.environ["PYSPARK_PYTHON"] = sys.executable

    with warnings.catch_warnings():
        # PySpark warns that it is not yet tested with pandas 3; the tests below are.
        warnings.simplefilter("ignore", FutureWarning)
        session = (
            SparkSession.builder.master("local[2]")
            .appName("getting-to-outcomes tests")
            .config("spark.ui.enabled", "false")
            .config("spark.sql.shuffle.partitions", "4")
            # org_id=007 is an organization, not the number 7.
            .config("spark.sql.sources.partitionColumnTypeInference.enabled", "false")
            .getOrCreate()
        )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()
    if python is None:
        del os.environ["PYSPARK_PYTHON"]
    else:
        os.environ["PYSPARK_PYTHON"] = python


def test_a_spark_dataframe_is_recognised(spark):
    assert engine_of(spark.range(3)) == "spark"


def test_scoring_a_partitioned_data_set_read_by_spark_gives_the_pandas_summary(
    network, spark, tmp_path
):
    tables = {}
    for source_id in SOURCES:
        frame = network.tables[source_id]
        partition_by = ["org_id"] if "org_id" in frame.columns else []
        root = write_partitioned(frame, tmp_path / source_id, partition_by=partition_by)
        tables[source_id] = spark.read.parquet(str(root))
    expected = gto.score({s: network.tables[s] for s in SOURCES}, network.framework,
                         targets=network.targets).to_frame()
    got = gto.score(tables, network.framework, targets=network.targets).to_frame()
    _assert_same_summary(expected, got)


def test_validating_a_spark_dataframe_gives_the_pandas_report(spark):
    import pyarrow as pa

    from getting_to_outcomes.datasets import MESSY_FILE, load_example

    cells = gto.read_table(load_example().files[MESSY_FILE]).reset_index(drop=True)
    cells.attrs = {}
    table = spark.createDataFrame(pa.Table.from_pandas(cells, preserve_index=False))
    got = gto.validate(table, source="leadership_survey")
    expected = gto.validate(table.toArrow().to_pandas(), source="leadership_survey")
    assert got.files == ("<Spark DataFrame>",)
    assert_same_report(got, expected, "<Spark DataFrame>")
    assert len(got.rejected_rows) > 0
