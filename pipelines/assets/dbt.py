"""The dbt project as Dagster assets: staging, reference, indicators and marts.

The translator maps each dbt source `ssd.<table>` onto the raw asset `raw/<table>`, so the
lineage runs from the extract file to the pack in one graph, and names each model's asset by
its schema (`staging/stg_contacts`, `indicators/ind_contacts`, `marts/fct_indicator_month`).
"""

import os
from collections.abc import Mapping
from functools import cache
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets

from pipelines.settings import DBT_PROJECT_DIR, load_settings

# dbt folders -> Dagster groups (the UI's boxes): reference data sits with the indicators.
GROUP_BY_FOLDER = {
    "staging": "staging",
    "reference": "indicators",
    "indicators": "indicators",
    "marts": "indicators",
    "quality": "quality",
}


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


def build_dbt_assets() -> dg.AssetsDefinition:
    project = dbt_project()

    @dbt_assets(
        manifest=project.manifest_path,
        project=project,
        dagster_dbt_translator=BoardPackTranslator(),
        name="dbt_models",
    )
    def dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource):
        # dbt (profiles.yml) opens BOARDPACK_DB: hand it the same absolute path the other
        # steps of this run use, resolved now rather than when the code location loaded.
        os.environ["BOARDPACK_DB"] = str(load_settings().database)
        yield from dbt.cli(["build"], context=context).stream()

    return dbt_models


def ensure_dbt_manifest() -> None:
    """dagster-dbt reads target/manifest.json when the definitions load; `dagster dev` makes it,
    but a plain run or a test must parse the project first."""
    project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
    if not project.manifest_path.exists():
        project.preparer.prepare(project)
