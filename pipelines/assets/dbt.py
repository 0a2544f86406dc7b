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

import json
import os
import re
import shutil
from collections.abc import Iterator, Mapping
from functools import cache
from graphlib import TopologicalSorter
from importlib.metadata import version
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets
from dagster_dbt.errors import DagsterDbtCliRuntimeError
from dagster_duckdb import DuckDBResource

from pipelines.dbt_child import PARENT_ENV
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
}
# What a build's result depends on inside the dbt project (target/ and logs/ are its output).
PROJECT_INPUTS = ("models", "macros", "seeds", "tests", "dbt_project.yml", "profiles.yml")
# dagster-dbt gives every dbt invocation its own folder in target/ (<op>-<run id>-<random>,
# about 11 MB each: compiled SQL, artifacts, dbt.log). Only the newest few are kept.
KEEP_DBT_TARGETS = 3
RUN_TARGET = re.compile(r"^[A-Za-z0-9_]+-[0-9a-f]{7}-[0-9a-f-]{7}$")


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
        # boardpack-dbt (pipelines/dbt_child.py) checks that this process is still its parent
        os.environ[PARENT_ENV] = str(os.getpid())
        prune_dbt_targets(KEEP_DBT_TARGETS - 1)
        # The op context, which dbt.cli accepts as well: given the asset context, dagster-dbt
        # reads its deprecated `.op` (AssetExecutionContext.op, deprecated in Dagster 1.13).
        invocation = dbt.cli(NIGHTLY_BUILD_ARGS, context=context.op_execution_context)
        try:
            yield from invocation.stream()
        except DagsterDbtCliRuntimeError as error:
            causes = dbt_failures(invocation.target_path) or [str(error).strip().splitlines()[0]]
            raise dg.Failure(description="\n".join(causes), allow_retries=False) from error
        finally:
            prune_dbt_targets(KEEP_DBT_TARGETS)
        if full_build:
            with warehouse.get_connection() as con:
                StageRecords(con).record(STAGE, inputs, context.run.run_id)

    return dbt_models


def dbt_target_dir() -> Path:
    configured = Path(os.environ.get("DBT_TARGET_PATH", "target"))
    return configured if configured.is_absolute() else DBT_PROJECT_DIR / configured


def prune_dbt_targets(keep: int) -> list[Path]:
    """Delete all but the newest `keep` per-invocation folders in dbt's target/; the deleted."""
    target = dbt_target_dir()
    if not target.is_dir():
        return []
    runs = sorted(
        (p for p in target.iterdir() if p.is_dir() and RUN_TARGET.match(p.name)),
        key=lambda p: p.stat().st_mtime_ns,
    )
    old = runs[: max(len(runs) - keep, 0)]
    for path in old:
        shutil.rmtree(path, ignore_errors=True)
    return old


def dbt_failures(target_path: Path) -> list[str]:
    """One line per model, seed or test that failed, from the invocation's run_results.json."""
    try:
        results = json.loads((Path(target_path) / "run_results.json").read_text())["results"]
    except (OSError, ValueError, KeyError):
        return []
    lines = []
    for result in results:
        status = str(result.get("status", ""))
        if status not in ("error", "fail", "runtime error"):
            continue
        kind, _, rest = str(result.get("unique_id", "")).partition(".")
        name = rest.split(".")[1] if "." in rest else rest
        message = (str(result.get("message") or status).strip().splitlines() or [status])[0]
        lines.append(f"dbt {kind} {name} {'failed' if status == 'fail' else status}: {message}")
    return lines


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
