"""The Dagster sensors that send one digest per run.

A failed blocking check (error severity) fails the run, so the failure sensor sees it; a
warning leaves the run green, so the success sensor reads the run's check evaluations from
the event log. Both build the same report (report_for_run) and send nothing when nothing
failed. The sensors never open the warehouse: DuckDB allows one writing process, and the
daemon must not contend with a running pipeline; everything they need is in the checks'
metadata.
"""

from __future__ import annotations

import dagster as dg
from dagster import DagsterEventType

from pipelines.alerts.digest import (
    ERROR,
    WARNING,
    ExpectationLine,
    FailedCheck,
    RunReport,
    compose,
)
from pipelines.alerts.send import EMAIL_ENV, WEBHOOK_ENV, send
from pipelines.settings import Settings

SUCCESS_SENSOR = "quality_digest_on_success"
FAILURE_SENSOR = "quality_digest_on_failure"
WILL_RETRY_TAG = "dagster/will_retry"


def _value(metadata, key):
    entry = metadata.get(key)
    return None if entry is None else getattr(entry, "value", entry)


def _failed_check(evaluation) -> FailedCheck:
    meta = evaluation.metadata or {}
    lines = [
        ExpectationLine(
            expectation=str(item.get("expectation")),
            severity=str(item.get("severity")),
            status=str(item.get("status")),
            failing_records=int(item.get("failing_records") or 0),
            change=item.get("change"),
            problem=str(item.get("problem") or ""),
        )
        for item in (_value(meta, "failed_expectations") or [])
    ]
    is_error = evaluation.severity == dg.AssetCheckSeverity.ERROR
    summary = _value(meta, "dfe_summary")  # a statutory return: its aggregate line
    return FailedCheck(
        asset=evaluation.asset_key.to_user_string(),
        check_name=evaluation.check_name,
        severity=ERROR if is_error else WARNING,
        failing_records=_value(meta, "failing_records"),
        change=_value(meta, "change_since_last_run"),
        expectations=lines,
        # only our suites' wording is trusted to be free of records; other checks'
        # descriptions are left out
        description=None if lines or summary else "failed (see the check in Dagster)",
        return_summary=str(summary) if summary else None,
    )


def report_for_run(
    instance: dg.DagsterInstance, run: dg.DagsterRun, failed: bool, dagster_url: str = ""
) -> RunReport:
    """What the run's event log says about its checks and failed steps."""
    report = RunReport(run_id=run.run_id, job_name=run.job_name, run_failed=failed)
    evaluations = instance.get_records_for_run(
        run.run_id, of_type=DagsterEventType.ASSET_CHECK_EVALUATION
    ).records
    for record in evaluations:
        evaluation = record.event_log_entry.dagster_event.event_specific_data
        meta = evaluation.metadata or {}
        report.worklist_folder = report.worklist_folder or _value(meta, "worklist_folder")
        report.data_docs = report.data_docs or _value(meta, "data_docs")
        report.as_at = report.as_at or _value(meta, "as_at")
        if not evaluation.passed:
            report.failed_checks.append(_failed_check(evaluation))
    if failed:
        failures = instance.get_records_for_run(
            run.run_id, of_type=DagsterEventType.STEP_FAILURE
        ).records
        for record in failures:
            event = record.event_log_entry.dagster_event
            error = getattr(event.event_specific_data, "error", None)
            while error is not None and error.cause is not None:  # the user code's error
                error = error.cause
            # the error's class only: a message can quote a line of an extract
            cls = f" ({error.cls_name})" if error is not None and error.cls_name else ""
            report.failed_steps.append(f"{record.event_log_entry.step_key}{cls}")
    base = dagster_url.strip().rstrip("/")  # BOARDPACK_DAGSTER_URL, e.g. http://host:3000
    if base:
        report.run_url = f"{base}/runs/{run.run_id}"
    return report


def notify_for_run(context, failed: bool, settings: Settings) -> dg.SkipReason | None:
    if failed and context.dagster_run.tags.get(WILL_RETRY_TAG) == "true":
        # the worker died and Dagster re-runs it: the retry's outcome gets the one digest
        return dg.SkipReason(f"run {context.dagster_run.run_id[:8]} will be retried")
    report = report_for_run(context.instance, context.dagster_run, failed, settings.dagster_url)
    message = compose(report)
    if message is None:
        return dg.SkipReason(f"run {report.run_id[:8]}: every check passed; no digest")
    title, body = message
    if not settings.alert_urls:
        context.log.warning(
            f"no alert destination configured ({EMAIL_ENV}, {WEBHOOK_ENV}); digest:\n{body}"
        )
        return None
    sent = send(title, body, settings.alert_urls)
    # Not raised on failure: a sensor that raises is evaluated again, which would send the
    # digest twice to the destinations that did accept it.
    log = context.log.info if sent else context.log.error
    log(f"digest for run {report.run_id[:8]}: {title} (sent: {sent})")
    return None


def build_alert_sensors() -> list[dg.SensorDefinition]:
    @dg.run_status_sensor(
        name=SUCCESS_SENSOR,
        run_status=dg.DagsterRunStatus.SUCCESS,
        default_status=dg.DefaultSensorStatus.RUNNING,
        description="After a successful run: a digest when any data-quality check failed "
        "(warnings), nothing otherwise.",
    )
    def quality_digest_on_success(context: dg.RunStatusSensorContext, settings: Settings):
        return notify_for_run(context, failed=False, settings=settings)

    @dg.run_failure_sensor(
        name=FAILURE_SENSOR,
        default_status=dg.DefaultSensorStatus.RUNNING,
        description="After a failed run: one digest with the failed checks and steps.",
    )
    def quality_digest_on_failure(context: dg.RunFailureSensorContext, settings: Settings):
        return notify_for_run(context, failed=True, settings=settings)

    return [quality_digest_on_success, quality_digest_on_failure]
