"""The dbt models on Apache Spark (docs/scaling.md "dbt on Spark").

The same dbt project builds on DuckDB (the pipeline's warehouse, target ``main``) and on Spark
(target ``spark``: dbt-spark's session method, pyspark in local mode in the dbt process). The
raw layer reaches Spark as Parquet: each table of the DuckDB warehouse's schema ``raw`` (as
pipelines/ingest loaded it) is exported with DuckDB's ``COPY ... (FORMAT parquet)`` to
``<spark_dir>/raw/<table>.parquet``, and the dbt macro ``register_raw_parquet_tables``
(``dbt run-operation``, a step before the build) declares those files as Spark's
``raw.<table>``. Spark keeps its
warehouse, its Derby metastore and its scratch files under the same ``spark_dir``.

    export_raw(database, spark_dir) -> list[str]       # the raw tables, as Parquet
    build(database, spark_dir, reporting_month) -> SparkBuild
        # export, declare the raw tables on Spark, then dbt build

``python -m pipelines.spark`` (``make spark``) does both for the warehouse the settings name.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipelines.plain_settings import DATA_DIR, DBT_PROJECT_DIR, child_environment

DEFAULT_SPARK_DIR = DATA_DIR / "spark"
DBT = Path(sys.executable).parent / "dbt"


def raw_dir(spark_dir: Path) -> Path:
    """Where the raw tables' Parquet files are (macros/spark_sources.sql reads the same)."""
    return Path(spark_dir) / "raw"


def warehouse_dir(spark_dir: Path) -> Path:
    """Spark's warehouse: one folder per schema (``marts.db``), one per table in it."""
    return Path(spark_dir) / "warehouse"


def table_dir(spark_dir: Path, schema: str, table: str) -> Path:
    """The Parquet files of a table dbt built on Spark (readable by DuckDB's read_parquet)."""
    return warehouse_dir(spark_dir) / f"{schema}.db" / table


def export_raw(database: Path, spark_dir: Path) -> list[str]:
    """Each table of the warehouse's schema raw to <spark_dir>/raw/<table>.parquet; the names.

    Read-only on the warehouse. Each file is written beside its final name and then renamed, so
    a reader never sees half a file; files of tables no longer in raw are removed."""
    out = raw_dir(spark_dir)
    out.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(database), read_only=True)
    try:
        tables = [
            name
            for (name,) in con.execute(
                "select table_name from information_schema.tables "
                "where table_schema = 'raw' and table_type = 'BASE TABLE' order by table_name"
            ).fetchall()
        ]
        for table in tables:
            partial = out / f"{table}.parquet.partial"
            path = str(partial).replace("'", "''")
            con.execute(f"copy raw.\"{table}\" to '{path}' (format parquet)")
            partial.replace(out / f"{table}.parquet")
    finally:
        con.close()
    for stale in out.glob("*.parquet"):
        if stale.stem not in tables:
            stale.unlink()
    return tables


@dataclass(frozen=True)
class SparkBuild:
    """The raw tables declared on Spark, then `dbt build --target spark`: the exit code of the
    first that failed (0 when both succeeded), their output, and the wall time of each step."""

    returncode: int
    output: str
    export_seconds: float
    register_seconds: float
    build_seconds: float
    target_path: Path

    @property
    def success(self) -> bool:
        return self.returncode == 0


def dbt_command(
    spark_dir: Path,
    target_path: Path,
    command: list[str],
    reporting_month: str | None = None,
) -> list[str]:
    """A dbt invocation on the spark target, with Spark's folder (and the month) as vars."""
    variables = {"spark_dir": str(Path(spark_dir).resolve())}
    if reporting_month:
        variables["reporting_month"] = reporting_month
    return [
        str(DBT),
        *command,
        "--target",
        "spark",
        "--profiles-dir",
        str(DBT_PROJECT_DIR),
        "--project-dir",
        str(DBT_PROJECT_DIR),
        "--target-path",
        str(target_path),
        "--vars",
        json.dumps(variables),
    ]


def build(
    database: Path,
    spark_dir: Path = DEFAULT_SPARK_DIR,
    reporting_month: str | None = None,
    target_path: Path | None = None,
    extra_args: list[str] | None = None,
    timeout: float = 1800,
) -> SparkBuild:
    """Export the raw tables, declare them on Spark, then `dbt build --target spark` (the
    `spark` selector: the models upstream of fct_indicator_month and indicator_spc, their
    seeds, data tests and unit tests)."""
    spark_dir = Path(spark_dir).resolve()
    target_path = Path(target_path) if target_path else spark_dir / "target"
    started = time.monotonic()
    tables = export_raw(database, spark_dir)
    exported = time.monotonic()
    steps = [
        [
            "run-operation",
            "register_raw_parquet_tables",
            "--args",
            json.dumps({"tables": tables}),
        ],
        ["build", *(extra_args or [])],
    ]
    output, times, returncode = [], [], 0
    for step in steps:
        step_started = time.monotonic()
        # Spark's JVM and its Hive client write their own files (derby.log, scratch) where
        # profiles.yml tells them or else in the working directory: run in Spark's folder.
        done = subprocess.run(
            dbt_command(spark_dir, target_path, step, reporting_month),
            cwd=spark_dir,
            # Spark in local mode listens on this machine only, whatever the hostname says
            env=child_environment(SPARK_LOCAL_IP="127.0.0.1", BOARDPACK_SPARK_DIR=str(spark_dir)),
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        times.append(time.monotonic() - step_started)
        output.append(done.stdout + done.stderr)
        if done.returncode != 0:
            returncode = done.returncode
            break
    return SparkBuild(
        returncode=returncode,
        output="".join(output),
        export_seconds=exported - started,
        register_seconds=times[0],
        build_seconds=times[1] if len(times) > 1 else 0.0,
        target_path=target_path,
    )
