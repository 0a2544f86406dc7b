"""The dbt project as Dagster assets, built as at the run's reporting month.

Two steps, because the pack's views over the check results must come after the checks, which
test views built in the first:

* `dbt_models`: everything but the models tagged `reads_check_results` (staging as at the month
  end, intermediate models, indicators, marts, the data-quality views the checks read);
* `dbt_check_result_views`: the pack's views over quality.check_results.

The reporting month is the run's partition: it reaches dbt as the var `reporting_month` in the
invocation, with the warehouse file as the var `warehouse` (profiles.yml); nothing is written
into the process environment. The translator maps each dbt source onto the asset that writes it
(`ssd.<table>` onto `raw/<table>`, `quality_checks.check_results` onto `quality/check_results`),
so the lineage runs from the extract file to the pack in one graph, and names each model's asset
by its schema (`staging/stg_contacts`, `marts/pack_indicators`).

The nightly build runs the models, seeds and data tests. The dbt unit tests check the SQL, not
the night's data, so they run in CI (`make test`), as dbt recommends
(https://docs.getdbt.com/docs/build/unit-tests#before-you-begin). A build whose inputs are all
unchanged since it last succeeded is not run again (pipelines/reuse.py).
"""

import json
import os
import re
import shutil
from collections.abc import Iterator, Mapping
from functools import cache
from graphlib import TopologicalSorter
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets
from dagster_dbt.errors import DagsterDbtCliRuntimeError

from pipelines import dbt_project as project_files
from pipelines.assets.dbt_keys import TARGET_PATH, dbt_asset_key
from pipelines.plain_settings import PARTIAL_PARSE, dbt_target_dir
from pipelines.resources import Warehouse
from pipelines.reuse import StageReuse, rebuild_forced, reused_metadata
from pipelines.settings import DBT_PROJECT_DIR, Settings, mark_dbt_parent
from pipelines.stage_inputs import (  # their one home, shared with `boardpack run`'s check
    BUILD_ARGS,
    DBT_STEPS,
    MODELS_STAGE,
    MODELS_STEP,
    RELATIONS,
    VIEWS_STAGE,
    VIEWS_STEP,
    build_inputs,
    dbt_reads_data,
    dbt_step_args,
    missing_relations,
)

CHECK_RESULTS_KEY = dg.AssetKey(["quality", "check_results"])
# Tables the loads write beside the extracts (pipelines/ingest); dbt reads them as sources.
LOAD_TABLES = {"load_log": "One row per extract file per load", "quarantine": "Rows set aside"}

# dbt folders -> Dagster groups (the UI's boxes): reference data sits with the indicators.
GROUP_BY_FOLDER = {
    "staging": "staging",
    "reference": "indicators",
    "intermediate": "indicators",
    "indicators": "indicators",
    "marts": "indicators",
    "quality": "quality",
    "returns": "returns",
}
# dagster-dbt gives every dbt invocation its own folder in target/ (<op>-<run id>-<random>,
# about 11 MB each: compiled SQL, artifacts, dbt.log). Only the newest few are kept.
KEEP_DBT_TARGETS = 3
RUN_TARGET = re.compile(r"^[A-Za-z0-9_]+-[0-9a-f]{7}-[0-9a-f-]{7}$")


@cache
def dbt_project() -> DbtProject:
    project = DbtProject(
        project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR, target_path=TARGET_PATH
    )
    # under `dagster dev` the project is parsed again as it loads: the union's list of indicator
    # models first follows the folder (a model added since is picked up without `make manifest`)
    if project.preparer.using_dagster_dev():
        project_files.write_indicator_list(DBT_PROJECT_DIR)
    project.prepare_if_dev()
    return project


class BoardPackTranslator(DagsterDbtTranslator):
    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        return dbt_asset_key(dbt_resource_props)  # the rule's one home: dbt_keys.py

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        fqn = dbt_resource_props.get("fqn", [])
        folder = fqn[1] if len(fqn) > 2 else None
        if dbt_resource_props["resource_type"] == "seed":
            return "indicators"
        return GROUP_BY_FOLDER.get(folder, "indicators")


def reporting_month(context: dg.AssetExecutionContext) -> str:
    """The run's reporting month (its partition), or '' outside a partitioned run: dbt then
    takes the latest month the extracts cover (models/reference/reporting_month.sql)."""
    return context.partition_key if context.has_partition_key else ""


def dbt_vars(settings: Settings, month: str) -> list[str]:
    """The run's warehouse and month ('': the latest the extracts cover) for dbt, which
    boardpack-dbt passes on as environment variables (pipelines/dbt_child.py says why)."""
    variables = {"warehouse": str(settings.database), "reporting_month": month}
    return ["--vars", json.dumps(variables, sort_keys=True)]


def _relations(keys: set[dg.AssetKey]) -> set[tuple[str, ...]]:
    """The warehouse relations (schema, name) of the dbt assets' keys."""
    return {tuple(key.path) for key in keys}


def _dbt_step(name: str, stage: str) -> dg.AssetsDefinition:
    project = dbt_project()
    select, exclude = DBT_STEPS[stage]
    args = dbt_step_args(stage)

    @dbt_assets(
        manifest=project.manifest_path,
        project=project,
        dagster_dbt_translator=BoardPackTranslator(),
        name=name,
        select=select,
        exclude=exclude or "",
    )
    def _dbt_build(
        context: dg.AssetExecutionContext,
        dbt: DbtCliResource,
        warehouse: Warehouse,
        settings: Settings,
    ) -> Iterator:
        month = reporting_month(context)
        whole = context.selected_asset_keys == set(context.assets_def.keys)
        with warehouse.get_connection() as con:
            inputs = build_inputs(con, month, args, reads_data=dbt_reads_data(stage))
        reuse = StageReuse(
            warehouse,
            stage,
            inputs if whole else None,
            forced=rebuild_forced(context.run.tags, settings),
        )
        # the relations the step builds, recorded for `boardpack run`'s check (up_to_date.py)
        relations = sorted(_relations(context.selected_asset_keys))
        earlier = reuse.earlier()
        if earlier is not None:
            with warehouse.get_connection() as con:
                missing = missing_relations(con, set(relations))
            if not missing:
                if RELATIONS not in earlier.details:  # recorded before the relations were
                    reuse.succeeded(earlier.run_id, {**earlier.details, RELATIONS: relations})
                yield from _reused(context, earlier, month)
                return
            context.log.info(f"rebuilding: {len(missing)} relations missing ({missing[0]})")
        # From here the tables may be half rebuilt until dbt finishes: no record vouches for them
        # (a killed or failed build is rebuilt by the next run). The connection is closed while
        # dbt, another process, writes: DuckDB allows one writer per file.
        reuse.starting()
        # boardpack-dbt (pipelines/dbt_child.py) checks that this process is still its parent
        mark_dbt_parent(os.getpid())
        prune_dbt_targets(KEEP_DBT_TARGETS - 1)
        # The op context, which dbt.cli accepts as well: given the asset context, dagster-dbt
        # reads its deprecated `.op` (AssetExecutionContext.op, deprecated in Dagster 1.13).
        invocation = dbt.cli(
            [*BUILD_ARGS, *dbt_vars(settings, month)], context=context.op_execution_context
        )
        try:
            yield from invocation.stream()
        except DagsterDbtCliRuntimeError as error:
            causes = dbt_failures(invocation.target_path) or dbt_log_errors(str(error))
            raise dg.Failure(description="\n".join(causes), allow_retries=False) from error
        finally:
            prune_dbt_targets(KEEP_DBT_TARGETS)
        keep_partial_parse(Path(invocation.target_path))
        reuse.succeeded(context.run.run_id, {RELATIONS: relations})

    return _dbt_build


def keep_partial_parse(invocation_target: Path) -> bool:
    """Keep this build's parsed project for the next dbt invocation.

    dagster-dbt gives every invocation its own target folder and seeds it with
    target/partial_parse.msgpack, but never copies the invocation's back. Copied back after a
    successful build, the next invocation parses only what changed: dbt's own partial parsing,
    which checks every file's hash. With boardpack-dbt (pipelines/dbt_child.py) that holds for
    another warehouse and another month too; before it, each parsed the whole project again
    (12 s against 6 s for `dbt parse`). Written whole (a temporary file, renamed): a dbt
    starting meanwhile reads the old file or the new."""
    built = invocation_target / PARTIAL_PARSE
    if not built.is_file():
        return False
    kept = dbt_target_dir() / PARTIAL_PARSE
    partial = kept.with_name(f".{PARTIAL_PARSE}.{os.getpid()}")
    shutil.copyfile(built, partial)
    partial.replace(kept)
    return True


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


def dbt_log_errors(message: str) -> list[str]:
    """The errors dagster-dbt parsed from dbt's log (a parse error leaves no run_results.json):
    the first few lines, else the message's first line."""
    head, _, parsed = message.partition("Errors parsed from dbt logs:")
    lines = [line.strip() for line in parsed.splitlines() if line.strip()]
    lines = [line for line in lines if not set(line) <= {"-"}][:4]
    return [f"dbt: {line}" for line in lines] or [(head.strip().splitlines() or ["dbt failed"])[0]]


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


def _reused(context: dg.AssetExecutionContext, earlier, month: str) -> Iterator:
    context.log.info(
        f"dbt build skipped: extracts, month and dbt project unchanged since run "
        f"{earlier.run_id}; set BOARDPACK_REBUILD=1 to rebuild anyway"
    )
    # Dagster wants a multi-asset's outputs in dependency order
    deps = context.assets_def.asset_deps
    selected = context.selected_asset_keys
    order = TopologicalSorter({k: deps.get(k, set()) & selected for k in selected})
    for key in order.static_order():
        yield dg.MaterializeResult(
            asset_key=key, metadata={**reused_metadata(earlier), "reporting_month": month}
        )


def build_dbt_assets() -> list[dg.AssetsDefinition | dg.AssetSpec]:
    """The two dbt steps, and the load tables dbt reads that the raw assets write."""
    load_tables = [
        dg.AssetSpec(
            ["raw", table],
            group_name="raw",
            kinds={"duckdb"},
            description=f"raw.{table}: {text}, written by each raw table's load "
            "(pipelines/ingest).",
        )
        for table, text in LOAD_TABLES.items()
    ]
    return [
        # the statutory returns are built by `boardpack returns` for a collection year, not
        # nightly (docs/returns.md)
        _dbt_step(MODELS_STEP, MODELS_STAGE),
        _dbt_step(VIEWS_STEP, VIEWS_STAGE),
        *load_tables,
    ]


def ensure_dbt_manifest() -> None:
    """dagster-dbt reads target/manifest.json when the definitions load; `make manifest` writes
    it, but a plain run or a test may come first. Parsed again when the indicator list is stale
    (an indicator model added or removed since)."""
    stale = project_files.write_indicator_list(DBT_PROJECT_DIR)
    if stale or not dbt_project().manifest_path.exists():
        project_files.parse(DBT_PROJECT_DIR)
