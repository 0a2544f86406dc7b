"""One quality run: every selected suite against the warehouse as at the reporting month, then
history, worklists and Data Docs. Dagster calls it from the check step (checks.py); it needs only
a connection."""

from __future__ import annotations

import logging
from datetime import date, datetime

import duckdb

from pipelines.quality.data_docs import build_data_docs
from pipelines.quality.gx_run import Dates, GxRunner, SharedFrames, run_suite
from pipelines.quality.history import ensure_history, previous_counts, record_outcome
from pipelines.quality.outcomes import CheckSummary, QualityRun
from pipelines.quality.suites import Suite
from pipelines.quality.worklists import ensure_worklist_table, update_records, write_worklists
from pipelines.settings import Settings

log = logging.getLogger(__name__)


class NotBuiltAsAtThisMonth(RuntimeError):
    """The dbt views the checks read were built as at another reporting month."""


def reporting_dates(con: duckdb.DuckDBPyConnection, month: str | None) -> tuple[date, Dates]:
    """(the reporting month's first day, its dates) as dbt built the warehouse
    (reference.reporting_month): the one home of the as-at date. With `month`, the build must be
    as at that month, or the checks would judge another month's records."""
    built, as_at, extract_date = con.execute(
        "SELECT month, as_at, extract_date FROM reference.reporting_month"
    ).fetchone()
    if month and built.strftime("%Y-%m") != month:
        raise NotBuiltAsAtThisMonth(
            f"the models were built as at {built:%Y-%m}, not {month}: build them for {month} "
            "(the dbt step of the same run) before checking"
        )
    return built, Dates(as_at=as_at, extract_date=extract_date)


def run_label(run_id: str, now: datetime) -> str:
    return f"{now:%Y-%m-%d}_{run_id[:8]}"


def run_quality(
    con: duckdb.DuckDBPyConnection,
    suites: list[Suite],
    run_id: str,
    settings: Settings,
    month: str | None = None,
) -> QualityRun:
    now = datetime.now()
    reporting_month, dates = reporting_dates(con, month)
    ensure_history(con)
    ensure_worklist_table(con)
    # the statutory returns' DfE rule history, which the pack's views read too
    from pipelines.returns.validation import ensure_return_history

    ensure_return_history(con)
    runner = GxRunner(run_id)
    result = QualityRun(
        run_id=run_id,
        reporting_month=reporting_month,
        as_at=dates.as_at,
        extract_date=dates.extract_date,
        checked_at=now,
    )
    frames = SharedFrames(con, suites)
    for suite in suites:
        outcome = run_suite(runner, con, suite, dates, frames)
        previous = previous_counts(con, suite.name, run_id, reporting_month)
        record_outcome(con, outcome, run_id, now, reporting_month, dates.as_at)
        update_records(con, outcome, run_id, now)
        for o in outcome.outcomes:  # the rows are in quality.worklist_records now
            o.failing_lines = []
        result.checks.append(CheckSummary(outcome, previous))
        log.info(
            "%s: %d rows in %.1fs, %d failed, %d broken",
            suite.name,
            outcome.rows,
            outcome.seconds,
            len(result.checks[-1].failed()),
            len(result.checks[-1].broken),
        )
    result.worklist_folder, result.worklist_rows = write_worklists(
        con, settings.restricted_dir, run_label(run_id, now)
    )
    result.data_docs = build_data_docs(
        [c.outcome for c in result.checks], settings.output_dir, run_label(run_id, now)
    )
    return result
