"""The dbt resource (pipelines/dbt_cli.py) starts dbt without dagster-dbt's two preliminaries:
it knows dbt's version without running `dbt --version`, and opens no adapter in this process.
That dbt still builds, and its events still become Dagster's, every pipeline test shows."""

from __future__ import annotations

from importlib.metadata import version as installed_version

import dagster_dbt.core.resource as dagster_dbt_resource
from packaging import version

from pipelines.resources import dbt_resource


def test_the_version_is_the_installed_dbt_cores_without_running_dbt(monkeypatch):
    def ran(*args, **kwargs):
        raise AssertionError(f"ran {args[0]}")

    monkeypatch.setattr(dagster_dbt_resource, "check_output", ran)
    dbt = dbt_resource()

    assert dbt._cli_version == version.parse(installed_version("dbt-core"))
    assert dbt._cli_version.major == 1  # dbt Core, whose events dagster-dbt reads as such


def test_no_adapter_is_opened_in_the_run_process():
    assert dbt_resource()._initialize_dbt_core_adapter(["build", "--vars", "{}"]) is None
