"""Dagster resources: the one DuckDB warehouse and the dbt CLI, both pointed at the same file."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from dagster_dbt import DbtCliResource
from dagster_duckdb import DuckDBResource

from pipelines.settings import DBT_PROJECT_DIR, load_settings


def warehouse_resource() -> DuckDBResource:
    return DuckDBResource(database=str(load_settings().database))


def dbt_resource() -> DbtCliResource:
    # dbt reads BOARDPACK_DB from its environment (dbt_project/profiles.yml); export the same
    # absolute path Dagster uses so dbt, running inside dbt_project/, cannot open another file.
    os.environ["BOARDPACK_DB"] = str(load_settings().database)
    return DbtCliResource(
        project_dir=str(DBT_PROJECT_DIR),
        profiles_dir=str(DBT_PROJECT_DIR),
        # the dbt installed beside this Python, whether or not the virtualenv is activated
        dbt_executable=str(Path(sys.executable).parent / "dbt"),
    )
