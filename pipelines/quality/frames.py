"""The frame each suite checks, read from the warehouse for Great Expectations.

The records and the derived columns the suites name (`<column>__lower`, `flag__*`) are dbt views:
quality.dq_<table> gives the table as at the end of the reporting month with its flags
(dbt_project/models/quality/checked/), so every rule over the warehouse has one home. A suite of
scope `as_loaded` reads the table as it was loaded (raw.<table>). Only the columns the suite names
are read, with `_source_line` to trace a failure back to its line for the worklists.

A column that the relation does not have is left out, so the expectations on it report as
broken (a fault in the check), never as failing records.
"""

from __future__ import annotations

import duckdb

from pipelines.contract import get_table
from pipelines.quality.suites import Suite


def q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def checked_relation(suite: Suite) -> tuple[str, str]:
    """(schema, table) of what the suite checks."""
    return ("raw", suite.table) if suite.as_loaded else ("quality", f"dq_{suite.table}")


def _columns(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> list[str]:
    rows = con.execute(
        "SELECT column_name FROM information_schema.columns "
        "WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position",
        [schema, table],
    ).fetchall()
    return [name for (name,) in rows]


def _select(name: str, table: str) -> str:
    # Identifiers go to GX as numbers that stand for them (equal values get equal numbers,
    # blanks stay blank): what the key and presence rules test is unchanged, and millions of
    # Python strings would cost GX's pandas engine more time and memory than the whole check.
    try:
        is_id = get_table(table).column(name).logical_type == "id"
    except KeyError:  # a derived column, not in the contract
        is_id = False
    if is_id:
        return (
            f"CASE WHEN t.{q(name)} IS NOT NULL THEN dense_rank() OVER (ORDER BY t.{q(name)}) END"
        )
    return f"t.{q(name)}"


def frame_sql(
    con: duckdb.DuckDBPyConnection, suite: Suite, columns: list[str] | None = None
) -> tuple[str, set[str]]:
    """SELECT for the suite's frame (or `columns` of the relation it checks: those of every
    suite that checks it), and the named columns the relation does not have."""
    schema, table = checked_relation(suite)
    available = set(_columns(con, schema, table))
    if not available:
        raise duckdb.CatalogException(f"{schema}.{table} does not exist: run dbt first")
    wanted = [c for c in dict.fromkeys(columns or suite.columns) if c != "_source_line"]
    unknown = {c for c in wanted if c not in available}
    selects = ["t._source_line"] + [
        f"{_select(c, suite.table)} AS {q(c)}" for c in wanted if c in available
    ]
    return f"SELECT {', '.join(selects)} FROM {q(schema)}.{q(table)} AS t", unknown
