"""Running the whole graph for one reporting month in this process, through Dagster."""

from __future__ import annotations

from dataclasses import dataclass, field

import dagster as dg

from pipelines.assets.dbt import ensure_dbt_manifest
from pipelines.reuse import REBUILD_TAG, REUSED_FROM_RUN
from pipelines.settings import Settings


@dataclass(frozen=True)
class CheckOutcome:
    """One data-quality check's verdict, aggregates only (safe to print or alert)."""

    name: str
    passed: bool
    severity: str
    failing_records: int | None  # None where the check does not count records (dbt tests)


@dataclass
class MonthRunResult:
    success: bool
    run_id: str
    failures: list[str] = field(default_factory=list)
    checks: list[CheckOutcome] = field(default_factory=list)
    # steps that found their inputs unchanged and reused what an earlier run built
    reused: list[str] = field(default_factory=list)


def _check_outcomes(result: dg.ExecuteInProcessResult) -> list[CheckOutcome]:
    outcomes = []
    for evaluation in result.get_asset_check_evaluations():
        records = evaluation.metadata.get("failing_records") or evaluation.metadata.get(
            "dagster_dbt/failed_row_count"
        )
        outcomes.append(
            CheckOutcome(
                name=evaluation.check_name,
                passed=evaluation.passed,
                severity=evaluation.severity.value,
                failing_records=int(records.value) if records is not None else None,
            )
        )
    return sorted(outcomes, key=lambda outcome: outcome.name)


def _reused_steps(result: dg.ExecuteInProcessResult) -> list[str]:
    steps = set()
    for event in result.all_events:
        if event.event_type_value == "ASSET_MATERIALIZATION":
            metadata = event.event_specific_data.materialization.metadata
        elif event.event_type_value == "ASSET_CHECK_EVALUATION":
            metadata = event.event_specific_data.metadata
        else:
            continue
        if REUSED_FROM_RUN in metadata:
            steps.add(event.step_key)
    return sorted(steps)


def _instance(settings: Settings) -> dg.DagsterInstance:
    # With DAGSTER_HOME set (make ui, the nightly service) runs are recorded where the UI reads
    # them; otherwise (tests, one-off runs) an ephemeral instance keeps nothing behind.
    home = settings.dagster_home_dir
    if home is not None:
        home.mkdir(parents=True, exist_ok=True)
        return dg.DagsterInstance.from_config(str(home))
    return dg.DagsterInstance.ephemeral()


def run_month(month: str, settings: Settings, rebuild: bool = False) -> MonthRunResult:
    """Run the monthly job for one month with these settings; `rebuild` redoes every stage even
    where its inputs are unchanged since it last succeeded (pipelines/reuse.py)."""
    ensure_dbt_manifest()
    from pipelines.code_location import MONTHLY_JOB_NAME, build_definitions

    job = build_definitions(settings).resolve_job_def(MONTHLY_JOB_NAME)
    with _instance(settings) as instance:
        result = job.execute_in_process(
            partition_key=month,
            instance=instance,
            raise_on_error=False,
            tags={REBUILD_TAG: "true"} if rebuild else None,
            # step-by-step progress without Dagster's debug chatter on the terminal
            run_config={"loggers": {"console": {"config": {"log_level": "INFO"}}}},
        )
    failures = [
        f"{event.step_key}: {event.event_specific_data.error.message.strip()}"
        for event in result.all_events
        if event.is_step_failure and event.event_specific_data is not None
    ]
    return MonthRunResult(
        success=result.success,
        run_id=result.run_id,
        failures=failures,
        checks=_check_outcomes(result),
        reused=_reused_steps(result),
    )
