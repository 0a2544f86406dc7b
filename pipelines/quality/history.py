"""The check history in the warehouse: quality.check_results, one row per expectation per run.

The board pack reads it (latest_caveats, check_trend) to put caveats beside the indicators a
problem distorts and to show whether each problem is shrinking; the checks read it to say
what changed since the previous run. It holds counts only, never a record or a child.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

import duckdb

if TYPE_CHECKING:  # pandas takes seconds to import; the code location loads this module
    import pandas as pd
from pipelines.quality.outcomes import BROKEN, FAILED, SuiteOutcome
from pipelines.quality.specs import TABLE_LABELS

SCHEMA_SQL = """
CREATE SCHEMA IF NOT EXISTS quality;
CREATE TABLE IF NOT EXISTS quality.check_results (
    run_id VARCHAR,            -- the Dagster run (or another label for runs outside Dagster)
    checked_at TIMESTAMP,
    as_at DATE,                -- the extract's date the rules were judged against
    check_name VARCHAR,        -- the suite, and the Dagster asset check, e.g. ssd_contacts
    table_name VARCHAR,
    expectation VARCHAR,       -- meta.name, stable across runs
    expectation_type VARCHAR,
    kind VARCHAR,
    severity VARCHAR,          -- error or warning
    status VARCHAR,            -- passed, failed or broken (the check itself could not run)
    failing_records BIGINT,
    checked_records BIGINT,
    problem VARCHAR,
    indicators VARCHAR,        -- comma-separated indicator codes
    message VARCHAR            -- why a broken expectation could not be evaluated
);
"""

TREND_COLUMNS = [
    "run_id",
    "checked_at",
    "check_name",
    "table_name",
    "failing_records",
    "expectations_failed",
    "expectations_broken",
    "error_failed",
]


def ensure_history(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(SCHEMA_SQL)


def _has_history(con: duckdb.DuckDBPyConnection) -> bool:
    (n,) = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'quality' "
        "AND table_name = 'check_results' AND database_name = current_database()"
    ).fetchone()
    return n > 0


def previous_counts(
    con: duckdb.DuckDBPyConnection, check_name: str, run_id: str
) -> dict[str, int] | None:
    """expectation -> failing records in the check's previous run (None: never run before)."""
    row = con.execute(
        """SELECT run_id FROM quality.check_results WHERE check_name = ? AND run_id <> ?
           ORDER BY checked_at DESC LIMIT 1""",
        [check_name, run_id],
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
    as_at: date,
) -> None:
    rows = [
        (
            run_id,
            checked_at,
            as_at,
            outcome.suite.name,
            outcome.suite.table,
            o.spec.name,
            o.spec.type,
            o.spec.kind,
            o.spec.severity,
            o.status,
            o.failing_records if o.status == FAILED else 0,
            o.checked_records,
            o.spec.problem,
            ",".join(o.spec.indicators),
            o.message if o.status == BROKEN else None,
        )
        for o in outcome.outcomes
    ]
    con.execute(
        "DELETE FROM quality.check_results WHERE run_id = ? AND check_name = ?",
        [run_id, outcome.suite.name],
    )
    con.executemany(
        "INSERT INTO quality.check_results VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )


LATEST_SQL = """
WITH latest AS (
    SELECT check_name, arg_max(run_id, checked_at) AS run_id
    FROM quality.check_results GROUP BY check_name
)
SELECT r.* FROM quality.check_results r JOIN latest USING (check_name, run_id)
"""


def latest_caveats(con: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    """indicator code -> caveat sentences, from each check's latest warning-severity failures.

    E.g. {"cla_children": ["12 CLA placement records: placement has no end date but the
    child has a later placement (as at 31 August 2014)."]}. Empty before any check has run.
    """
    if not _has_history(con):
        return {}
    rows = con.execute(
        f"""SELECT table_name, problem, failing_records, indicators, as_at FROM ({LATEST_SQL})
            WHERE status = 'failed' AND severity = 'warning' AND indicators <> ''
            ORDER BY table_name, failing_records DESC, problem"""
    ).fetchall()
    caveats: dict[str, list[str]] = {}
    for table, problem, failing, indicators, as_at in rows:
        label = TABLE_LABELS.get(table, table)
        noun = label if failing != 1 else label.removesuffix("s")
        when = f" (as at {as_at:%-d %B %Y})" if as_at else ""
        sentence = f"{failing:,} {noun}: {problem}{when}."
        for code in indicators.split(","):
            caveats.setdefault(code.strip(), []).append(sentence)
    return caveats


def check_trend(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Per check per run: failing records (summed over its failed expectations), how many
    expectations failed or were broken, and whether an error-severity one failed."""
    import pandas as pd

    if not _has_history(con):
        return pd.DataFrame(columns=TREND_COLUMNS)
    return con.execute(
        """
        SELECT run_id, min(checked_at) AS checked_at, check_name, table_name,
               CAST(coalesce(sum(failing_records) FILTER (WHERE status = 'failed'), 0)
                   AS BIGINT) AS failing_records,
               count(*) FILTER (WHERE status = 'failed') AS expectations_failed,
               count(*) FILTER (WHERE status = 'broken') AS expectations_broken,
               bool_or(status = 'failed' AND severity = 'error') AS error_failed
        FROM quality.check_results
        GROUP BY run_id, check_name, table_name
        ORDER BY checked_at, check_name
        """
    ).df()
