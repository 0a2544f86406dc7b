"""The dbt project as Dagster assets: staging, reference, indicators and marts.

The translator maps each dbt source `ssd.<table>` onto the raw asset `raw/<table>`, so the
lineage runs from the extract file to the pack in one graph, and names each model's asset by
its schema (`staging/stg_contacts`, `indicators/ind_contacts`, `marts/fct_indicator_month`).

The nightly build runs the models, seeds and data tests. The dbt unit tests check the SQL, not
the night's data, so they run in CI (`make test`) and not every night, as dbt recommends
(https://docs.getdbt.com/docs/build/unit-tests#before-you-begin). When neither the extracts nor
the dbt project changed since the last successful build of every model, the build is skipped
and the models are reported as current (see pipelines/incremental.py).
"""

import os
from collections.abc import Iterator, Mapping
from functools import cache
from graphlib import TopologicalSorter
from importlib.metadata import version
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets
from dagster_duckdb import DuckDBResource

from pipelines.incremental import (
    StageRecords,
    extract_versions,
    files_digest,
    fingerprint,
    rebuild_forced,
    today,
)
from pipelines.settings import DBT_PROJECT_DIR, load_settings

NIGHTLY_BUILD_ARGS = ["build", "--exclude-resource-type", "unit_test"]
STAGE = "dbt"

# dbt folders -> Dagster groups (the UI's boxes): reference data sits with the indicators.
GROUP_BY_FOLDER = {
    "staging": "staging",
    "reference": "indicators",
    "indicators": "indicators",
    "marts": "indicators",
    "quality": "quality",
    "returns": "returns",
}
# What a build's result depends on inside the dbt project (target/ and logs/ are its output).
PROJECT_INPUTS = ("models", "macros", "seeds", "tests", "dbt_project.yml", "profiles.yml")


@cache
def dbt_project() -> DbtProject:
    project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
    project.prepare_if_dev()
    return project


class BoardPackTranslator(DagsterDbtTranslator):
    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return dg.AssetKey(["raw", dbt_resource_props["name"]])
        return dg.AssetKey([dbt_resource_props["schema"], dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        fqn = dbt_resource_props.get("fqn", [])
        folder = fqn[1] if len(fqn) > 2 else None
        if dbt_resource_props["resource_type"] == "seed":
            return "indicators"
        return GROUP_BY_FOLDER.get(folder, "indicators")


def build_inputs(con) -> dict[str, object]:
    """Everything a full build's result depends on (see pipelines/incremental.py)."""
    return {
        "extracts": extract_versions(con),
        "dbt_project": files_digest(DBT_PROJECT_DIR / name for name in PROJECT_INPUTS),
        "command": NIGHTLY_BUILD_ARGS,
        "dbt": version("dbt-core") + "/" + version("dbt-duckdb"),
        "today": today(),  # util_reporting_months ignores contacts dated after today
    }


def _missing_relations(con, keys: set[dg.AssetKey]) -> list[str]:
    present = {
        (schema, name)
        for schema, name in con.execute(
            "SELECT table_schema, table_name FROM information_schema.tables"
        ).fetchall()
    }
    return sorted(k.to_user_string() for k in keys if tuple(k.path) not in present)


def build_dbt_assets() -> dg.AssetsDefinition:
    project = dbt_project()

    @dbt_assets(
        manifest=project.manifest_path,
        project=project,
        dagster_dbt_translator=BoardPackTranslator(),
        name="dbt_models",
    )
    def dbt_models(
        context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: DuckDBResource
    ) -> Iterator:
        full_build = context.selected_asset_keys == set(context.assets_def.keys)
        with warehouse.get_connection() as con:
            records = StageRecords(con)
            inputs = fingerprint(build_inputs(con))
            current = records.matching(STAGE, inputs)
            if current and full_build and not rebuild_forced(context.run.tags):
                missing = _missing_relations(con, context.selected_asset_keys)
                if not missing:
                    yield from _unchanged(context, current.run_id, inputs)
                    return
                context.log.info(f"rebuilding: {len(missing)} relations missing ({missing[0]})")
            # From here the tables may be half rebuilt until dbt finishes: no record vouches
            # for them (a killed or failed build is rebuilt by the next run).
            records.forget(STAGE)
        # dbt (profiles.yml) opens BOARDPACK_DB: hand it the same absolute path the other
        # steps of this run use, resolved now rather than when the code location loaded.
        # The connection above is closed: DuckDB allows one writing process per file.
        os.environ["BOARDPACK_DB"] = str(load_settings().database)
        yield from dbt.cli(NIGHTLY_BUILD_ARGS, context=context).stream()
        if full_build:
            with warehouse.get_connection() as con:
                StageRecords(con).record(STAGE, inputs, context.run.run_id)

    return dbt_models


def _unchanged(context: dg.AssetExecutionContext, built_by: str, inputs: str) -> Iterator:
    context.log.info(
        f"dbt build skipped: extracts and dbt project unchanged since run {built_by}; "
        "set BOARDPACK_REBUILD=1 to rebuild anyway"
    )
    # Dagster wants a multi-asset's outputs in dependency order
    deps = context.assets_def.asset_deps
    selected = context.selected_asset_keys
    order = TopologicalSorter({k: deps.get(k, set()) & selected for k in selected})
    for key in order.static_order():
        yield dg.MaterializeResult(
            asset_key=key,
            metadata={"rebuilt": False, "built_by_run": built_by, "inputs": inputs[:12]},
        )


def ensure_dbt_manifest() -> None:
    """dagster-dbt reads target/manifest.json when the definitions load; `dagster dev` makes it,
    but a plain run or a test must parse the project first."""
    project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
    if not project.manifest_path.exists():
        project.preparer.prepare(project)
