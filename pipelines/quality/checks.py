"""The data-quality suites as one Dagster step: it materialises quality/check_results for the
reporting month and reports one asset check per suite on it.

The step runs after the dbt models, against the views they built as at the reporting month
(quality.dq_<table>; the suites of scope as_loaded read raw.<table>), so one run builds one GX
context, writes the worklists and Data Docs once, and every check sees the same load. Its asset,
quality/check_results, is the history the pack reads (through marts.pack_check_trend and
pack_caveats), so the Dagster graph shows the pack depending on the checks.

Every check is blocking, and its severity decides: ERROR when an error-severity expectation
failed (Dagster then fails the step and skips everything downstream, so no board pack is built),
WARN when only warnings failed or an expectation was broken (the run stays green and the pack
carries caveats; the alert sensor sends the digest).

When the models, the suites and this code are all as they were when the checks last ran in full
for the month, the suites are not run again: that run's results are reported once more, marked
as reused, and nothing is added to the history (pipelines/reuse.py).
"""

from collections.abc import Iterator
from pathlib import Path

import dagster as dg

from pipelines.partitions import reporting_months
from pipelines.quality.outcomes import CheckSummary, QualityRun
from pipelines.quality.suites import Suite, load_suites
from pipelines.resources import Warehouse
from pipelines.reuse import REUSED_FROM_RUN, StageReuse, current_record, rebuild_forced
from pipelines.settings import EXPECTATIONS_DIR, Settings
from pipelines.stage_inputs import (  # their one home, shared with `boardpack run`'s check
    CHECKS_STAGE,
    MODELS_STAGE,
    check_files_still_there,
    check_inputs,
)

CHECKS_OP_NAME = "data_quality_checks"
CHECK_RESULTS_KEY = dg.AssetKey(["quality", "check_results"])
STAGE = CHECKS_STAGE
REPORTING_MONTH_KEY = dg.AssetKey(["reference", "reporting_month"])


def checked_key(suite: Suite) -> dg.AssetKey:
    """The asset a suite reads: the dbt view of its table as at the month end, or the raw table."""
    if suite.as_loaded:
        return dg.AssetKey(["raw", suite.table])
    return dg.AssetKey(["quality", f"dq_{suite.table}"])


def _change(now: int, before: int | None) -> str:
    if before is None:
        return "first run"
    diff = now - before
    return "no change" if diff == 0 else f"{diff:+,}"


def _table_md(summary: CheckSummary) -> str:
    lines = [
        "| expectation | severity | status | failing records | change |",
        "|---|---|---|---|---|",
    ]
    for o in summary.outcome.outcomes:
        if o.status == "passed":
            continue
        before = None if summary.previous is None else summary.previous.get(o.spec.name, 0)
        change = "" if o.status == "broken" else _change(o.failing_records, before)
        count = o.message if o.status == "broken" else f"{o.failing_records:,}"
        lines.append(f"| {o.spec.name} | {o.spec.severity} | {o.status} | {count} | {change} |")
    return "\n".join(lines) if len(lines) > 2 else "Every expectation passed."


def _failed_json(summary: CheckSummary) -> list[dict]:
    # Read back by the alert sensor from the event log: counts and wording only.
    return [
        {
            "expectation": o.spec.name,
            "severity": o.spec.severity,
            "status": o.status,
            "failing_records": o.failing_records,
            "change": summary.change(o.spec.name, o.failing_records),
            "problem": o.spec.problem,
        }
        for o in summary.outcome.outcomes
        if o.status != "passed"
    ]


def check_result(summary: CheckSummary, run: QualityRun) -> dg.AssetCheckResult:
    errors, warnings, broken = summary.failed("error"), summary.failed("warning"), summary.broken
    passed = not (errors or warnings or broken)
    severity = dg.AssetCheckSeverity.ERROR if errors else dg.AssetCheckSeverity.WARN
    change = None
    if summary.previous_failing_records is not None:
        change = summary.failing_records - summary.previous_failing_records
    metadata = {
        "expectations": len(summary.outcome.outcomes),
        "expectations_failed": len(errors) + len(warnings),
        "error_expectations_failed": len(errors),
        "expectations_broken": len(broken),
        "failing_records": summary.failing_records,
        "failing_records_previous_run": summary.previous_failing_records,
        "change_since_last_run": change,
        "rows_checked": summary.outcome.rows,
        "seconds": round(summary.outcome.seconds, 2),
        "reporting_month": run.reporting_month.strftime("%Y-%m"),
        "as_at": run.as_at.isoformat(),
        "checked_at": run.checked_at.isoformat(timespec="seconds"),
        "results": dg.MetadataValue.md(_table_md(summary)),
        "failed_expectations": dg.MetadataValue.json(_failed_json(summary)),
    }
    if run.worklist_folder is not None:
        metadata["worklist_folder"] = dg.MetadataValue.path(str(run.worklist_folder))
    if run.data_docs is not None:
        metadata["data_docs"] = dg.MetadataValue.path(str(run.data_docs))
    return dg.AssetCheckResult(
        asset_key=CHECK_RESULTS_KEY,
        check_name=summary.suite.name,
        passed=passed,
        severity=severity,
        metadata=metadata,
        description=_description(summary, passed),
    )


def _description(summary: CheckSummary, passed: bool) -> str | None:
    if passed:
        return None
    parts = []
    if summary.failed():
        parts.append(f"{summary.failing_records:,} failing records")
    if summary.broken:
        parts.append(f"{len(summary.broken)} expectations broken (a fault in the check)")
    return "; ".join(parts)


_SCOPES = {
    "table": "rules for {table} as at the end of the reporting month",
    "cross_table": "rules for {table} against other tables, as at the end of the reporting month",
    "as_loaded": "rules for the {table} file as loaded",
}


def _spec(suite: Suite) -> dg.AssetCheckSpec:
    scope = _SCOPES[suite.scope].format(table=suite.table)
    schema, name = checked_key(suite).path
    return dg.AssetCheckSpec(
        name=suite.name,
        asset=CHECK_RESULTS_KEY,
        blocking=True,
        additional_deps=[checked_key(suite)],
        description=f"Great Expectations suite expectations/{suite.path.name}: {scope} "
        f"({schema}.{name}, {len(suite.expectations)} expectations). Fails with ERROR severity "
        "(blocking the board pack) when an error-severity expectation fails, WARN otherwise.",
    )


def _latest(suite: Suite, current: dict[str, Suite]) -> Suite:
    edited = current.get(suite.name)
    return edited if edited is not None and edited.table == suite.table else suite


# The metadata values check_result writes, by how they are stored for reuse.
_STORED_KINDS = {
    dg.MarkdownMetadataValue: "md",
    dg.JsonMetadataValue: "json",
    dg.PathMetadataValue: "path",
}
_RESTORE = {"md": dg.MetadataValue.md, "json": dg.MetadataValue.json, "path": dg.MetadataValue.path}


def stored_result(result: dg.AssetCheckResult) -> dict:
    """A check result as plain JSON, to report again when the inputs have not changed."""
    metadata = {}
    for name, value in result.metadata.items():
        kind = _STORED_KINDS.get(type(value))
        metadata[name] = [kind, value.value] if kind else ["value", getattr(value, "value", value)]
    return {
        "check_name": result.check_name,
        "passed": result.passed,
        "severity": result.severity.value,
        "description": result.description,
        "metadata": metadata,
    }


def reused_result(stored: dict, built_by: str) -> dg.AssetCheckResult:
    """The stored result, reported again: the same records fail as in the run that checked
    them, so compared with that (the previous) run nothing has changed."""
    values = {name: value for name, (_, value) in stored["metadata"].items()}
    values["failing_records_previous_run"] = values["failing_records"]
    values["change_since_last_run"] = 0
    values["failed_expectations"] = [
        {**e, "change": None if e["status"] == "broken" else 0}
        for e in values["failed_expectations"]
    ]
    values["results"] = (
        f"Reused from run {built_by}: the raw tables, suites and parameters are unchanged "
        f"since it checked them.\n\n{values['results']}"
    )
    values[REUSED_FROM_RUN] = built_by
    kinds = {name: kind for name, (kind, _) in stored["metadata"].items()}
    metadata = {
        name: _RESTORE[kinds[name]](value) if kinds.get(name) in _RESTORE else value
        for name, value in values.items()
    }
    return dg.AssetCheckResult(
        asset_key=CHECK_RESULTS_KEY,
        check_name=stored["check_name"],
        passed=stored["passed"],
        severity=dg.AssetCheckSeverity(stored["severity"]),
        metadata=metadata,
        description=stored["description"],
    )


def build_quality_checks(directory: Path = EXPECTATIONS_DIR) -> dg.AssetsDefinition:
    """The check step: quality/check_results for the reporting month, one blocking asset check
    per suite in `directory`."""
    suites = load_suites(directory)
    by_name = {s.name: s for s in suites}
    deps = sorted({checked_key(s) for s in suites} | {REPORTING_MONTH_KEY}, key=str)

    @dg.multi_asset(
        name=CHECKS_OP_NAME,
        specs=[
            dg.AssetSpec(
                CHECK_RESULTS_KEY,
                deps=deps,
                group_name="quality",
                kinds={"duckdb"},
                description="The data-quality suites' results for the reporting month "
                "(quality.check_results, counts only), with worklists and Data Docs.",
            )
        ],
        check_specs=[_spec(s) for s in suites],
        partitions_def=reporting_months,
        can_subset=True,
    )
    def data_quality_checks(
        context: dg.AssetExecutionContext, warehouse: Warehouse, settings: Settings
    ) -> Iterator:
        month = context.partition_key
        selected = {key.name for key in context.selected_asset_check_keys}
        every_check = selected == set(by_name)
        models = current_record(warehouse, MODELS_STAGE)
        reuse = StageReuse(
            warehouse,
            STAGE,
            check_inputs(models.fingerprint if models else None, month, directory, settings)
            if every_check
            else None,
            scope=month,
            forced=rebuild_forced(context.run.tags, settings),
        )
        earlier = reuse.earlier()
        stored = earlier.details.get("checks", []) if earlier else []
        if earlier and len(stored) == len(by_name) and check_files_still_there(stored):
            context.log.info(
                f"suites not rerun: models, suites and parameters unchanged since run "
                f"{earlier.run_id}; its results are reported again"
            )
            results = [reused_result(r, earlier.run_id) for r in stored]
            metadata = {**earlier.details.get("summary", {}), REUSED_FROM_RUN: earlier.run_id}
        else:
            reuse.starting()
            run = _run_suites(context, warehouse, directory, by_name, selected, settings, month)
            results = [check_result(summary, run) for summary in run.checks]
            metadata = _summary(run)
            reuse.succeeded(
                context.run.run_id,
                {"checks": [stored_result(r) for r in results], "summary": metadata},
            )
        yield dg.MaterializeResult(asset_key=CHECK_RESULTS_KEY, metadata=metadata)
        yield from results

    return data_quality_checks


def _summary(run: QualityRun) -> dict[str, object]:
    """The materialisation's metadata: the month it is as at, and the run time beside it."""
    failed = [c for c in run.checks if c.failed() or c.broken]
    return {
        "reporting_month": run.reporting_month.strftime("%Y-%m"),
        "as_at": run.as_at.isoformat(),
        "extract_date": run.extract_date.isoformat(),
        "checked_at": run.checked_at.isoformat(timespec="seconds"),
        "checks": len(run.checks),
        "checks_failed": len(failed),
        "failing_records": sum(c.failing_records for c in run.checks),
    }


def _run_suites(
    context: dg.AssetExecutionContext,
    warehouse: Warehouse,
    directory: Path,
    by_name: dict[str, Suite],
    selected: set[str],
    settings: Settings,
    month: str,
) -> QualityRun:
    # Read the files again: an edited expectation takes effect on the next run without
    # reloading the code location (a new file, i.e. a new check, does need a reload).
    current = {s.name: s for s in load_suites(directory)}
    chosen = [_latest(by_name[name], current) for name in by_name if name in selected]
    from pipelines.quality.run import run_quality  # GX loads only when checks run

    with warehouse.get_connection() as con:
        run = run_quality(con, chosen, context.run.run_id, settings, month)
    context.log.info(
        f"{len(run.checks)} checks as at {run.as_at} (run {run.checked_at:%Y-%m-%d %H:%M}); "
        f"worklists in {run.worklist_folder}; Data Docs at {run.data_docs}"
    )
    return run
