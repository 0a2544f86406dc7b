"""The check history in the warehouse: quality.check_results, one row per expectation per run.

Each run is kept under the reporting month it checked the records as at, with the time it ran
beside it, so the pack (marts.pack_check_trend and pack_caveats, dbt views over this table) shows
the findings of each reporting month however long after it the checks ran, and the checks say
what changed since the previous run. It holds counts only, never a record or a child.
"""

from __future__ import annotations

from datetime import date, datetime

import duckdb

from pipelines.quality.outcomes import BROKEN, FAILED, SuiteOutcome

COLUMNS = {
    "reporting_month": "DATE",  # the month the records were checked as at (its first day)
    "as_at": "DATE",  # its last day: what the checks judged against
    "run_id": "VARCHAR",  # the Dagster run (or another label for runs outside Dagster)
    "checked_at": "TIMESTAMP",  # when the run ran
    "check_name": "VARCHAR",  # the suite, and the Dagster asset check, e.g. ssd_contacts
    "table_name": "VARCHAR",
    "scope": "VARCHAR",  # table, cross_table or as_loaded (the file as loaded)
    "record_label": "VARCHAR",  # how the pack names the table's records: "contact records"
    "expectation": "VARCHAR",  # meta.name, stable across runs
    "expectation_type": "VARCHAR",
    "kind": "VARCHAR",
    "severity": "VARCHAR",  # error or warning
    "status": "VARCHAR",  # passed, failed or broken (the check itself could not run)
    "failing_records": "BIGINT",
    "checked_records": "BIGINT",
    "problem": "VARCHAR",
    # the expectation's own comma-separated indicator codes ('' = none); NULL = the indicators
    # computed from the table (dbt lineage, reference.indicator_sources)
    "indicators": "VARCHAR",
    "message": "VARCHAR",  # why a broken expectation could not be evaluated
}


def ensure_history(con: duckdb.DuckDBPyConnection) -> None:
    """Create quality.check_results, or add the columns an older warehouse lacks."""
    con.execute("CREATE SCHEMA IF NOT EXISTS quality")
    columns = ", ".join(f"{name} {kind}" for name, kind in COLUMNS.items())
    con.execute(f"CREATE TABLE IF NOT EXISTS quality.check_results ({columns})")
    for name, kind in COLUMNS.items():
        con.execute(f"ALTER TABLE quality.check_results ADD COLUMN IF NOT EXISTS {name} {kind}")
    # rows of warehouses from before the reporting month was kept: the month of their as-at date
    con.execute(
        "UPDATE quality.check_results SET reporting_month = date_trunc('month', as_at) "
        "WHERE reporting_month IS NULL AND as_at IS NOT NULL"
    )


def previous_counts(
    con: duckdb.DuckDBPyConnection, check_name: str, run_id: str, reporting_month: date
) -> dict[str, int] | None:
    """expectation -> failing records at the check's previous run as at the same reporting month
    (else the latest earlier month); None when it never ran before."""
    row = con.execute(
        """SELECT run_id FROM quality.check_results
           WHERE check_name = ? AND run_id <> ? AND reporting_month <= ?
           ORDER BY reporting_month DESC, checked_at DESC LIMIT 1""",
        [check_name, run_id, reporting_month],
    ).fetchone()
    if row is None:
        return None
    rows = con.execute(
        """SELECT expectation, CASE WHEN status = 'failed' THEN failing_records ELSE 0 END
           FROM quality.check_results WHERE check_name = ? AND run_id = ?""",
        [check_name, row[0]],
    ).fetchall()
    return dict(rows)


def record_outcome(
    con: duckdb.DuckDBPyConnection,
    outcome: SuiteOutcome,
    run_id: str,
    checked_at: datetime,
    reporting_month: date,
    as_at: date,
) -> None:
    suite = outcome.suite
    rows = [
        {
            "reporting_month": reporting_month,
            "as_at": as_at,
            "run_id": run_id,
            "checked_at": checked_at,
            "check_name": suite.name,
            "table_name": suite.table,
            "scope": suite.scope,
            "record_label": suite.records,
            "expectation": o.spec.name,
            "expectation_type": o.spec.type,
            "kind": o.spec.kind,
            "severity": o.spec.severity,
            "status": o.status,
            "failing_records": o.failing_records if o.status == FAILED else 0,
            "checked_records": o.checked_records,
            "problem": o.spec.problem,
            "indicators": None if o.spec.indicators is None else ",".join(o.spec.indicators),
            "message": o.message if o.status == BROKEN else None,
        }
        for o in outcome.outcomes
    ]
    con.execute(
        "DELETE FROM quality.check_results WHERE run_id = ? AND check_name = ?",
        [run_id, suite.name],
    )
    names = ", ".join(COLUMNS)
    marks = ", ".join("?" for _ in COLUMNS)
    con.executemany(
        f"INSERT INTO quality.check_results ({names}) VALUES ({marks})",
        [[row[name] for name in COLUMNS] for row in rows],
    )
