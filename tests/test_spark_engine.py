"""The same dbt models on Apache Spark (issue 14, docs/scaling.md "dbt on Spark").

The demo authority is loaded once into a DuckDB warehouse and built there (target main), then
its raw tables are exported to Parquet and the same dbt project is built on Spark (target
spark: dbt-spark's session method, pyspark in local mode) with the `spark` selector: the
models upstream of fct_indicator_month and indicator_spc, the seeds and their unit tests. The
monthly fact table must be the same on both, every row and every column. Spark's build is slow
to start (a JVM, a Derby metastore) and slow per query, so it runs once, in one module-scoped
fixture.

    pytest -m spark -s     # -s prints the two build times
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import duckdb
import pytest

from pipelines.defaults import DEMO_MONTH
from pipelines.ingest import load_extracts
from pipelines.plain_settings import DBT_PROJECT_DIR
from pipelines.spark import build, table_dir

pytestmark = pytest.mark.spark

DBT = Path(sys.executable).parent / "dbt"
# The spark selector (dbt_project/selectors.yml) less its data tests: Spark takes a second or
# more per query however small, and the data tests add three minutes to the five the models,
# seeds and unit tests take; `make spark` runs them all (docs/scaling.md).
SPARK_BUILD_ARGS = [
    "--selector",
    "spark",
    "--resource-type",
    "model",
    "--resource-type",
    "seed",
    "--resource-type",
    "unit_test",
]
# The pack publishes figures to 2 decimal places (values, rates, targets, comparators).
PUBLISHED_DECIMALS = 2


def _dbt_build_on_duckdb(database: Path, target_path: Path) -> float:
    started = time.monotonic()
    done = subprocess.run(
        [
            str(DBT),
            "build",
            "--select",
            "+fct_indicator_month",
            "+indicator_spc",
            "--exclude",
            "test_type:unit",
            "--profiles-dir",
            str(DBT_PROJECT_DIR),
            "--target-path",
            str(target_path),
            "--vars",
            json.dumps({"warehouse": str(database), "reporting_month": DEMO_MONTH}),
        ],
        cwd=DBT_PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout[-4000:]
    return time.monotonic() - started


@pytest.fixture(scope="module")
def duckdb_build(demo_extracts, tmp_path_factory):
    """The demo's raw tables (the DuckDB warehouse Spark reads) and its DuckDB build."""
    root = tmp_path_factory.mktemp("engines")
    database = root / "warehouse.duckdb"
    con = duckdb.connect(str(database))
    try:
        results = load_extracts(con, demo_extracts)
    finally:
        con.close()
    assert all(r.status == "loaded" for r in results), [r.message for r in results]
    seconds = _dbt_build_on_duckdb(database, root / "target_duckdb")
    return database, seconds


@pytest.fixture(scope="module")
def spark_build(duckdb_build, tmp_path_factory):
    """`dbt build --target spark` of the demo, once: export, declare, build."""
    # a missing Java fails here, never skips (make system-deps installs it)
    assert shutil.which("java"), "Spark needs Java: openjdk-17-jre-headless (make system-deps)"
    database, _ = duckdb_build
    spark_dir = tmp_path_factory.mktemp("spark")
    result = build(database, spark_dir, DEMO_MONTH, extra_args=SPARK_BUILD_ARGS, timeout=900)
    assert result.success, result.output[-6000:]
    return spark_dir, result


def test_the_spark_build_runs_the_models_seeds_and_tests(duckdb_build, spark_build):
    _, duckdb_seconds = duckdb_build
    spark_dir, result = spark_build
    results = json.loads((result.target_path / "run_results.json").read_text())["results"]
    by_type: dict[str, list[str]] = {}
    for r in results:
        by_type.setdefault(r["unique_id"].split(".")[0], []).append(r["status"])
    # every model upstream of the fact table and the SPC, the six seeds, and the unit tests of
    # those models: none failed or was skipped
    assert len(by_type["model"]) >= 55 and set(by_type["model"]) == {"success"}
    assert len(by_type["seed"]) == 6 and set(by_type["seed"]) == {"success"}
    assert len(by_type["unit_test"]) >= 30 and set(by_type["unit_test"]) == {"pass"}
    # Spark's files stay in its folder: nothing in the working directory or the project
    assert not (DBT_PROJECT_DIR / "metastore_db").exists()
    assert not (DBT_PROJECT_DIR / "spark-warehouse").exists()
    assert (spark_dir / "metastore_db").is_dir()
    print(
        f"\nDuckDB: dbt build (models, seeds, data tests) {duckdb_seconds:.1f} s; "
        f"Spark: export {result.export_seconds:.1f} s, declare the raw tables "
        f"{result.register_seconds:.1f} s, dbt build (models, seeds, unit tests) "
        f"{result.build_seconds:.1f} s"
    )


def _published(value):
    """A value as the pack publishes it: numbers to 2 decimal places (halves away from zero, as
    the models and the pack round), the rest as they are."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, (int, float, Decimal)):
        return Decimal(str(value)).quantize(Decimal(1).scaleb(-PUBLISHED_DECIMALS), ROUND_HALF_UP)
    return value


def _published_rows(relation: duckdb.DuckDBPyRelation) -> tuple[list[str], list[tuple]]:
    ordered = relation.order("indicator_code, month")
    return ordered.columns, [tuple(_published(v) for v in row) for row in ordered.fetchall()]


def _same_on_both(database: Path, spark_dir: Path, schema: str, table: str) -> int:
    """Assert a table is the same on DuckDB and on Spark, row by row and column by column, at
    the published decimals; the number of rows."""
    on_duckdb = duckdb.connect(str(database), read_only=True)
    on_spark = duckdb.connect()
    try:
        duckdb_columns, duckdb_rows = _published_rows(on_duckdb.table(f"{schema}.{table}"))
        spark_parquet = table_dir(spark_dir, schema, table) / "*.parquet"
        spark_columns, spark_rows = _published_rows(on_spark.read_parquet(str(spark_parquet)))
    finally:
        on_duckdb.close()
        on_spark.close()
    assert spark_columns == duckdb_columns
    assert len(spark_rows) == len(duckdb_rows)
    for duckdb_row, spark_row in zip(duckdb_rows, spark_rows, strict=True):
        differs = {
            column: (a, b)
            for column, a, b in zip(duckdb_columns, duckdb_row, spark_row, strict=True)
            if a != b
        }
        assert not differs, f"{table} {duckdb_row[:1] + duckdb_row[3:4]}: {differs}"
    return len(duckdb_rows)


def test_fct_indicator_month_is_the_same_on_spark(duckdb_build, spark_build):
    database, _ = duckdb_build
    spark_dir, _ = spark_build
    rows = _same_on_both(database, spark_dir, "marts", "fct_indicator_month")
    assert rows == 23 * 41  # 23 indicators, April 2011 to August 2014


def test_indicator_spc_is_the_same_on_spark(duckdb_build, spark_build):
    """The SPC on the fact table: the same signals, icons and limits to the published decimals.
    (DuckDB works the means and limits in binary floating point, Spark in decimals: a limit
    may differ in its fourth decimal place, never at the second.)"""
    database, _ = duckdb_build
    spark_dir, _ = spark_build
    assert _same_on_both(database, spark_dir, "marts", "indicator_spc") == 23 * 41
