"""Dagster resources: the settings, the one DuckDB warehouse they name, and the dbt CLI.

The settings are resolved when a run starts (Settings.from_env_vars in the code location, the
command line's own Settings in pipelines/runner.py), never frozen when the code location loads.
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

from pipelines.settings import DBT_PROJECT_DIR, Settings


class Warehouse(dg.ConfigurableResource):
    """The DuckDB file the settings name, opened for the length of a step."""

    settings: Settings

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


def dbt_resource() -> DbtCliResource:
    return DbtCliResource(
        project_dir=str(DBT_PROJECT_DIR),
        profiles_dir=str(DBT_PROJECT_DIR),
        # the dbt installed beside this Python, whether or not the virtualenv is activated
        dbt_executable=str(Path(sys.executable).parent / "dbt"),
    )


def resources(settings: Settings) -> dict[str, object]:
    """The resources every asset, check and sensor asks for by name."""
    return {"settings": settings, "warehouse": Warehouse(settings=settings), "dbt": dbt_resource()}
