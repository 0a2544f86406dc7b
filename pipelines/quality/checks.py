"""The suites as Dagster asset checks on the raw assets: one check per suite.

All suites run in one step after the raw tables load, so a run builds one GX context, writes
the worklists and Data Docs once, and cross-table rules see every table of the same load.
Every check is blocking, and its severity decides: ERROR when an error-severity expectation
failed (Dagster then fails the step and skips everything downstream, so no board pack is
built), WARN when only warnings failed or an expectation was broken (the run stays green and
the pack carries caveats; the alert sensor sends the digest).
"""

from pathlib import Path

import dagster as dg
from dagster_duckdb import DuckDBResource

from pipelines.quality.outcomes import CheckSummary, QualityRun
from pipelines.quality.suites import Suite, load_suites
from pipelines.settings import EXPECTATIONS_DIR, load_settings

CHECKS_OP_NAME = "data_quality_checks"


def raw_key(table: str) -> dg.AssetKey:
    return dg.AssetKey(["raw", table])


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
        "as_at": run.as_at.isoformat(),
        "results": dg.MetadataValue.md(_table_md(summary)),
        "failed_expectations": dg.MetadataValue.json(_failed_json(summary)),
    }
    if run.worklist_folder is not None:
        metadata["worklist_folder"] = dg.MetadataValue.path(str(run.worklist_folder))
    if run.data_docs is not None:
        metadata["data_docs"] = dg.MetadataValue.path(str(run.data_docs))
    return dg.AssetCheckResult(
        asset_key=raw_key(summary.suite.table),
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


def _spec(suite: Suite) -> dg.AssetCheckSpec:
    scope = "cross-table rules" if suite.scope == "cross_table" else "rules"
    return dg.AssetCheckSpec(
        name=suite.name,
        asset=raw_key(suite.table),
        blocking=True,
        description=f"Great Expectations suite expectations/{suite.path.name}: {scope} for "
        f"{suite.table} ({len(suite.expectations)} expectations). Fails with ERROR severity "
        "(blocking the board pack) when an error-severity expectation fails, WARN otherwise.",
    )


def _latest(suite: Suite, current: dict[str, Suite]) -> Suite:
    edited = current.get(suite.name)
    return edited if edited is not None and edited.table == suite.table else suite


def build_quality_checks(directory: Path = EXPECTATIONS_DIR) -> list[dg.AssetChecksDefinition]:
    """One blocking asset check per suite in `directory`, all run by one op."""
    suites = load_suites(directory)
    by_key = {dg.AssetCheckKey(raw_key(s.table), s.name): s for s in suites}

    @dg.multi_asset_check(
        name=CHECKS_OP_NAME,
        specs=[_spec(s) for s in suites],
        can_subset=True,
        description="Runs the Great Expectations suites in expectations/ against the raw tables.",
    )
    def data_quality_checks(context: dg.AssetCheckExecutionContext, warehouse: DuckDBResource):
        # Read the files again: an edited expectation takes effect on the next run without
        # reloading the code location (a new file, i.e. a new check, does need a reload).
        current = {s.name: s for s in load_suites(directory)}
        selected = [
            _latest(suite, current)
            for key, suite in by_key.items()
            if key in context.selected_asset_check_keys
        ]
        from pipelines.quality.run import run_quality  # GX loads only when checks run

        with warehouse.get_connection() as con:
            run = run_quality(con, selected, context.run.run_id, load_settings())
        context.log.info(
            f"{len(run.checks)} checks as at {run.as_at}; worklists in {run.worklist_folder}; "
            f"Data Docs at {run.data_docs}"
        )
        for summary in run.checks:
            yield check_result(summary, run)

    return [data_quality_checks]
