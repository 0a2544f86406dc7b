"""Dagster resources: the one DuckDB warehouse and the dbt CLI, both pointed at the same file.

Both resolve the database path when a step RUNS, not when the code location loads: tests, the
CLI and the nightly service set BOARDPACK_DB after import, and a path frozen at import would
quietly load into one file and build dbt in another.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
from dagster._utils.backoff import backoff
from dagster_dbt import DbtCliResource
from dagster_duckdb import DuckDBResource
from pydantic import Field

from pipelines.settings import DBT_PROJECT_DIR, load_settings


class WarehouseResource(DuckDBResource):
    """DuckDB at BOARDPACK_DB (see pipelines/settings.py), opened for the length of a step."""

    database: str = Field(
        default="",
        description="Path to the DuckDB file; blank means BOARDPACK_DB when the step runs.",
    )

    def database_path(self) -> Path:
        return Path(self.database).resolve() if self.database else load_settings().database

    @contextmanager
    def get_connection(self) -> Iterator[duckdb.DuckDBPyConnection]:
        path = self.database_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        # Another process (a UI rerun, a validation) may hold the file for a moment: wait and
        # retry rather than fail, as dagster-duckdb's own resource does.
        connection = backoff(
            fn=duckdb.connect,
            retry_on=(RuntimeError, duckdb.IOException),
            kwargs={"database": str(path), "read_only": False, "config": self.connection_config},
            max_retries=10,
        )
        try:
            yield connection
        finally:
            connection.close()


def warehouse_resource() -> WarehouseResource:
    return WarehouseResource()


def dbt_resource() -> DbtCliResource:
    return DbtCliResource(
        project_dir=str(DBT_PROJECT_DIR),
        profiles_dir=str(DBT_PROJECT_DIR),
        # the dbt installed beside this Python, whether or not the virtualenv is activated
        dbt_executable=str(Path(sys.executable).parent / "dbt"),
    )
