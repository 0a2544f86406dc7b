"""The suites as Dagster asset checks on the raw assets: one check per suite.

All suites run in one step after the raw tables load, so a run builds one GX context, writes
the worklists and Data Docs once, and cross-table rules see every table of the same load.
Every check is blocking, and its severity decides: ERROR when an error-severity expectation
failed (Dagster then fails the step and skips everything downstream, so no board pack is
built), WARN when only warnings failed or an expectation was broken (the run stays green and
the pack carries caveats; the alert sensor sends the digest).

When the raw tables, the suites, the rules' parameters and this code are all as they were when
the checks last ran in full, the suites are not run again: that run's results are reported
once more, marked as reused, and nothing is added to the history (pipelines/incremental.py).
"""

from collections.abc import Iterator
from pathlib import Path

import dagster as dg
from dagster_duckdb import DuckDBResource

from pipelines.incremental import (
    StageRecords,
    extract_versions,
    files_digest,
    fingerprint,
    rebuild_forced,
    today,
)
from pipelines.quality.outcomes import CheckSummary, QualityRun
from pipelines.quality.params import resolve_params
from pipelines.quality.suites import Suite, load_suites
from pipelines.settings import EXPECTATIONS_DIR, Settings, load_settings

CHECKS_OP_NAME = "data_quality_checks"
STAGE = "quality_checks"
QUALITY_CODE_DIR = Path(__file__).resolve().parent


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


def check_inputs(con, directory: Path, settings: Settings) -> dict[str, object]:
    """Everything the checks' results depend on (see pipelines/incremental.py)."""
    params = resolve_params(con)
    return {
        "extracts": extract_versions(con),
        "suites": files_digest([directory], ["*.json"]),
        "code": files_digest([QUALITY_CODE_DIR], ["*.py"]),
        "as_at": params.as_at.isoformat(),
        "stale_after_months": params.stale_after_months,
        "output": str(settings.output_dir),
        "restricted": str(settings.restricted_dir),
        "today": today(),
    }


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
        "table": result.asset_key.path[-1],
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
    values["reused_from_run"] = built_by
    kinds = {name: kind for name, (kind, _) in stored["metadata"].items()}
    metadata = {
        name: _RESTORE[kinds[name]](value) if kinds.get(name) in _RESTORE else value
        for name, value in values.items()
    }
    return dg.AssetCheckResult(
        asset_key=raw_key(stored["table"]),
        check_name=stored["check_name"],
        passed=stored["passed"],
        severity=dg.AssetCheckSeverity(stored["severity"]),
        metadata=metadata,
        description=stored["description"],
    )


def _files_still_there(stored: list[dict]) -> bool:
    """The worklists and Data Docs the reused results point to have not been cleared away."""
    paths = [
        value
        for result in stored
        for kind, value in result["metadata"].values()
        if kind == "path" and value
    ]
    return all(Path(p).exists() for p in paths)


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
    def data_quality_checks(
        context: dg.AssetCheckExecutionContext, warehouse: DuckDBResource
    ) -> Iterator[dg.AssetCheckResult]:
        settings = load_settings()
        every_check = set(context.selected_asset_check_keys) == set(by_key)
        with warehouse.get_connection() as con:
            records = StageRecords(con)
            inputs = fingerprint(check_inputs(con, directory, settings))
            current = records.matching(STAGE, inputs)
            stored = current.details.get("checks", []) if current else []
            if (
                current
                and every_check
                and len(stored) == len(by_key)
                and _files_still_there(stored)
                and not rebuild_forced(context.run.tags)
            ):
                context.log.info(
                    f"suites not rerun: raw tables, suites and parameters unchanged since run "
                    f"{current.run_id}; its results are reported again"
                )
                results = [reused_result(r, current.run_id) for r in stored]
            else:
                records.forget(STAGE)
                results = list(_run_suites(context, con, directory, by_key, settings))
                if every_check:
                    details = {"checks": [stored_result(r) for r in results]}
                    records.record(STAGE, inputs, context.run.run_id, details)
        yield from results

    return [data_quality_checks]


def _run_suites(
    context: dg.AssetCheckExecutionContext,
    con,
    directory: Path,
    by_key: dict[dg.AssetCheckKey, Suite],
    settings: Settings,
) -> Iterator[dg.AssetCheckResult]:
    # Read the files again: an edited expectation takes effect on the next run without
    # reloading the code location (a new file, i.e. a new check, does need a reload).
    current = {s.name: s for s in load_suites(directory)}
    selected = [
        _latest(suite, current)
        for key, suite in by_key.items()
        if key in context.selected_asset_check_keys
    ]
    from pipelines.quality.run import run_quality  # GX loads only when checks run

    run = run_quality(con, selected, context.run.run_id, settings)
    context.log.info(
        f"{len(run.checks)} checks as at {run.as_at}; worklists in {run.worklist_folder}; "
        f"Data Docs at {run.data_docs}"
    )
    for summary in run.checks:
        yield check_result(summary, run)
