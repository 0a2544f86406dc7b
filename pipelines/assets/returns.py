"""The statutory returns as Dagster assets: group `returns`, one partition per collection year.

Two steps, in their own job (`statutory_returns`), never in the nightly board pack's:

* `dbt_returns_models`: the dbt models of `models/returns` (one per return table, every year,
  with a `collection_year` column), built over staging as the nightly last built it, so a
  year's returns hold what the warehouse holds as at the latest reporting month it was built
  for;
* `returns/statutory_returns`: the year's files (SSDA903 CSVs, the CIN census XML, the Annex A
  workbook) and the DfE's rule engines' verdicts, written by the same function as
  `boardpack returns` (pipelines/returns/build.py produce_returns) into the restricted folder.

Each return's DfE rules are an asset check (`ssda903_dfe_rules`, `cin_census_dfe_rules`,
warning severity: the files are still written). A failing check carries its one aggregate line
("SSDA903 return 2024-25: 26 errors across 7 rules") for the alert digest; the rows go to
quality.return_validation and the children to the restricted folder only.
"""

import json
from collections.abc import Iterator

import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets

from pipelines.assets.dbt import BoardPackTranslator, dbt_project
from pipelines.partitions import collection_years
from pipelines.resources import Warehouse
from pipelines.settings import Settings, mark_dbt_parent
from pipelines.stage_inputs import BUILD_ARGS, RETURNS_MODELS

RETURNS_GROUP = "returns"
RETURNS_JOB_NAME = "statutory_returns"
STATUTORY_RETURNS_KEY = dg.AssetKey(["returns", "statutory_returns"])
# the return's name in produce_returns -> its asset check
RETURN_CHECKS = {"SSDA903": "ssda903_dfe_rules", "CIN": "cin_census_dfe_rules"}


def _dbt_returns_step() -> dg.AssetsDefinition:
    project = dbt_project()

    @dbt_assets(
        manifest=project.manifest_path,
        project=project,
        dagster_dbt_translator=BoardPackTranslator(),
        name="dbt_returns_models",
        select=RETURNS_MODELS,
        partitions_def=collection_years,
    )
    def _build(
        context: dg.AssetExecutionContext,
        dbt: DbtCliResource,
        warehouse: Warehouse,  # holds the warehouse's run lock while dbt writes
        settings: Settings,
    ) -> Iterator:
        import os

        mark_dbt_parent(os.getpid())
        variables = json.dumps({"warehouse": str(settings.database)})
        invocation = dbt.cli(
            [*BUILD_ARGS, "--vars", variables], context=context.op_execution_context
        )
        yield from invocation.stream()

    return _build


def _returns_model_keys(dbt_step: dg.AssetsDefinition) -> list[dg.AssetKey]:
    return sorted(dbt_step.keys, key=lambda k: k.to_user_string())


def _statutory_returns(deps: list[dg.AssetKey]) -> dg.AssetsDefinition:
    @dg.asset(
        key=STATUTORY_RETURNS_KEY,
        group_name=RETURNS_GROUP,
        partitions_def=collection_years,
        deps=deps,
        kinds={"python"},
        check_specs=[
            dg.AssetCheckSpec(name, asset=STATUTORY_RETURNS_KEY, description=text)
            for name, text in (
                ("ssda903_dfe_rules", "The SSDA903 files pass the DfE's rules for the year."),
                ("cin_census_dfe_rules", "The CIN census passes the DfE's rules for the year."),
            )
        ],
        description="The collection year's SSDA903 CSVs, CIN census XML and Annex A workbook, "
        "checked by the DfE's own rule engines (restricted folder, owner-only; docs/returns.md).",
    )
    def statutory_returns(
        context: dg.AssetExecutionContext, warehouse: Warehouse, settings: Settings
    ) -> Iterator:
        from pipelines.returns.build import produce_returns, year_not_covered
        from pipelines.returns.validation import ValidatorsUnavailable

        year = context.partition_key
        with warehouse.get_connection() as con:
            refusal = year_not_covered(con, year)
            if refusal:
                raise dg.Failure(description=refusal, allow_retries=False)
            try:
                run = produce_returns(con, year, settings.restricted_dir, run_id=context.run.run_id)
            except ValidatorsUnavailable as error:
                raise dg.Failure(description=str(error), allow_retries=False) from error
        yield dg.MaterializeResult(
            metadata={
                "collection_year": year,
                "folder": dg.MetadataValue.path(str(run.folder)),
                "files": len(run.files),
                "rows": dg.MetadataValue.json(run.counts),
                "dfe_rules": dg.MetadataValue.md(
                    "\n".join(f"- {r.summary()} ({r.ruleset})" for r in run.validations)
                ),
                "seconds": round(run.seconds, 1),
            }
        )
        for result in run.validations:
            yield dg.AssetCheckResult(
                check_name=RETURN_CHECKS[result.return_name],
                passed=result.errors == 0,
                severity=dg.AssetCheckSeverity.WARN,
                metadata={
                    # aggregates only: the digest quotes this line (pipelines/alerts)
                    "dfe_summary": result.summary(),
                    "errors": result.errors,
                    "error_rules": result.error_rules,
                    "queries": result.queries,
                    "ruleset": result.ruleset,
                    "rules": dg.MetadataValue.json(
                        [
                            {"rule": f.rule_code, "severity": f.severity, "children": f.children}
                            for f in result.failures
                        ]
                    ),
                    "worklist_folder": str(run.folder),
                },
            )

    return statutory_returns


def build_returns_assets() -> list[dg.AssetsDefinition]:
    dbt_step = _dbt_returns_step()
    return [dbt_step, _statutory_returns(_returns_model_keys(dbt_step))]


def build_returns_job():
    return dg.define_asset_job(
        RETURNS_JOB_NAME,
        selection=dg.AssetSelection.groups(RETURNS_GROUP),  # partitioned by collection year
        description="Build one collection year's statutory returns (SSDA903, CIN census, "
        "Annex A) from the warehouse and check them with the DfE's rules.",
    )
