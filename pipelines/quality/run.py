"""One quality run: every selected suite against the warehouse, then history, worklists and
Data Docs. Dagster calls it from the asset check (checks.py); it needs only a connection."""

from __future__ import annotations

import logging
from datetime import datetime

import duckdb

from pipelines.quality.data_docs import build_data_docs
from pipelines.quality.gx_run import GxRunner, run_suite
from pipelines.quality.history import ensure_history, previous_counts, record_outcome
from pipelines.quality.outcomes import CheckSummary, QualityRun
from pipelines.quality.params import resolve_params
from pipelines.quality.suites import Suite
from pipelines.quality.worklists import ensure_worklist_table, update_records, write_worklists
from pipelines.settings import Settings

log = logging.getLogger(__name__)


def run_label(run_id: str, now: datetime) -> str:
    return f"{now:%Y-%m-%d}_{run_id[:8]}"


def run_quality(
    con: duckdb.DuckDBPyConnection, suites: list[Suite], run_id: str, settings: Settings
) -> QualityRun:
    now = datetime.now()
    params = resolve_params(con)
    ensure_history(con)
    ensure_worklist_table(con)
    runner = GxRunner(run_id)
    result = QualityRun(run_id=run_id, as_at=params.as_at)
    for suite in suites:
        outcome = run_suite(runner, con, suite, params)
        previous = previous_counts(con, suite.name, run_id)
        record_outcome(con, outcome, run_id, now, params.as_at)
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
