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

import dagster as dg
import duckdb
from dagster._utils.backoff import backoff
from dagster_dbt import DbtCliResource
from dagster_duckdb import DuckDBResource
from pydantic import Field

from pipelines.settings import DBT_PROJECT_DIR, load_settings
from pipelines.warehouse_lock import warehouse_lock

# `boardpack-dbt` (pipelines/dbt_child.py): dbt, made to die with the process that runs it
DBT_GUARD = "boardpack-dbt"


class WarehouseResource(DuckDBResource):
    """DuckDB at BOARDPACK_DB (see pipelines/settings.py), opened for the length of a step.

    A run that uses it holds the warehouse's run lock (pipelines/warehouse_lock.py) from the
    moment Dagster sets up its resources until it ends, so runs started by the daemon, the UI
    and `boardpack run` never interleave: a run started while another holds the lock waits,
    and says so in its log."""

    database: str = Field(
        default="",
        description="Path to the DuckDB file; blank means BOARDPACK_DB when the step runs.",
    )

    def database_path(self) -> Path:
        return Path(self.database).resolve() if self.database else load_settings().database

    @contextmanager
    def yield_for_execution(self, context: dg.InitResourceContext):
        log = context.log
        what = f"Dagster run {context.run_id}" if context.run_id else "a Dagster step"
        with (
            warehouse_lock(self.database_path(), what, on_wait=log.warning if log else None),
            super().yield_for_execution(context) as resource,
        ):
            yield resource

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


def dbt_executable() -> Path:
    """The dbt installed beside this Python, whether or not the virtualenv is activated, run
    through `boardpack-dbt` so that it dies with the run (kill -9 included); plain dbt if the
    guard is not installed yet (an environment not reinstalled since it was added)."""
    bin_dir = Path(sys.executable).parent
    guard = bin_dir / DBT_GUARD
    return guard if guard.exists() else bin_dir / "dbt"


def dbt_resource() -> DbtCliResource:
    return DbtCliResource(
        project_dir=str(DBT_PROJECT_DIR),
        profiles_dir=str(DBT_PROJECT_DIR),
        dbt_executable=str(dbt_executable()),
    )
