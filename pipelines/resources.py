"""Dagster resources: the settings, the one DuckDB warehouse they name, and the dbt CLI.

The settings are resolved when a run starts (Settings.from_env_vars in the code location, the
command line's own Settings in pipelines/runner.py), never frozen when the code location loads.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import dagster as dg
import duckdb
from dagster._utils.backoff import backoff

from pipelines.settings import DBT_PROJECT_DIR, Settings
from pipelines.warehouse_lock import warehouse_lock

if TYPE_CHECKING:
    from dagster_dbt import DbtCliResource

# `boardpack-dbt` (pipelines/dbt_child.py): dbt, made to die with the process that runs it
DBT_GUARD = "boardpack-dbt"


class Warehouse(dg.ConfigurableResource):
    """The DuckDB file the settings name, opened for the length of a step.

    A run that uses it holds the warehouse's run lock (pipelines/warehouse_lock.py) from the
    moment Dagster sets up its resources until it ends, so runs started by the daemon, the UI
    and `boardpack run` never interleave: a run started while another holds the lock waits,
    and says so in its log."""

    settings: Settings

    @contextmanager
    def yield_for_execution(self, context: dg.InitResourceContext):
        log = context.log
        # context.run: context.run_id reads the deprecated InitResourceContext.dagster_run
        run = context.run
        what = f"Dagster run {run.run_id}" if run is not None else "a Dagster step"
        # the lock is taken on the resolved settings (before, a setting may still be an EnvVar)
        with (
            super().yield_for_execution(context) as resource,
            warehouse_lock(resource.settings.database, what, on_wait=log.warning if log else None),
        ):
            yield resource

    @contextmanager
    def get_connection(self) -> Iterator[duckdb.DuckDBPyConnection]:
        path = self.settings.database
        path.parent.mkdir(parents=True, exist_ok=True)
        # Another process (a UI rerun, a validation) may hold the file for a moment: wait and
        # retry rather than fail, as dagster-duckdb's own resource does.
        connection = backoff(
            fn=duckdb.connect,
            retry_on=(RuntimeError, duckdb.IOException),
            kwargs={"database": str(path), "read_only": False},
            max_retries=10,
        )
        try:
            yield connection
        finally:
            connection.close()


def dbt_executable() -> Path:
    """The dbt installed beside this Python, whether or not the virtualenv is activated, run
    through `boardpack-dbt` so that it dies with the run (kill -9 included); plain dbt if the
    guard is not installed yet (an environment not reinstalled since it was added)."""
    bin_dir = Path(sys.executable).parent
    guard = bin_dir / DBT_GUARD
    return guard if guard.exists() else bin_dir / "dbt"


def dbt_resource() -> DbtCliResource:
    from pipelines.dbt_cli import BoardPackDbtCli  # imports dbt-core: only where dbt runs

    return BoardPackDbtCli(
        project_dir=str(DBT_PROJECT_DIR),
        profiles_dir=str(DBT_PROJECT_DIR),
        dbt_executable=str(dbt_executable()),
    )


def resources(settings: Settings, dbt: bool = True) -> dict[str, object]:
    """The resources every asset, check and sensor asks for by name (without dbt's for a
    definition that runs no dbt: the pack alone)."""
    found = {"settings": settings, "warehouse": Warehouse(settings=settings)}
    return found | ({"dbt": dbt_resource()} if dbt else {})
