"""Reading what the pack needs from DuckDB: the month's indicators, their series, load times.

Every query names its columns. The pack never does `select *` on anything that could hold
child-level data, and nothing here reads a person or record identifier: marts and quality
aggregates only.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

import duckdb

from pipelines.pack.formatting import add_months

log = logging.getLogger(__name__)

# The columns of marts.fct_indicator_month the pack reads (the mart's published interface).
MART_COLUMNS = [
    "indicator_code",
    "display_order",
    "name",
    "month",
    "month_end",
    "value",
    "numerator",
    "denominator",
    "unit",
    "rate_per_10k",
    "rate_basis",
    "target_measure",
    "target_value",
    "target_low",
    "target_high",
    "target_text",
    "rag",
    "previous_1y",
    "previous_2y",
    "previous_1y_rate",
    "direction",
    "small_numbers",
    "england_value",
    "england_year",
    "statistical_neighbours_value",
    "statistical_neighbours_year",
    "region_name",
    "region_value",
    "region_year",
    "comparators_illustrative",
    "responsible_officer",
    "description",
    "measure",
    "guide_text",
    "measure_period",
    "indicator_guide",
    "is_illustrative_target",
]
# Without these the pack cannot say anything meaningful: fail loudly rather than print blanks.
REQUIRED_COLUMNS = {"indicator_code", "name", "month", "value", "unit"}

# The trend chart shows 24 months plus the same months a year earlier: 36 months in all.
SERIES_MONTHS = 36


def table_columns(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> list[str]:
    """Column names of schema.table in order; [] when the table does not exist (yet)."""
    rows = con.execute(
        """
        select column_name
        from information_schema.columns
        where table_schema = ? and table_name = ?
        order by ordinal_position
        """,
        [schema, table],
    ).fetchall()
    return [name for (name,) in rows]


def fetch_dicts(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[dict]:
    """Rows as plain dicts of Python values (None for NULL): simpler to format than pandas
    NaN/NA, and identical from run to run."""
    cursor = con.execute(sql, params or [])
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _mart_select(con: duckdb.DuckDBPyConnection) -> str:
    """The select list: each interface column, or NULL where the mart does not have it yet
    (the mart is built by another part of the project; a missing optional column should cost
    a field, not the whole pack)."""
    present = set(table_columns(con, "marts", "fct_indicator_month"))
    if not present:
        raise RuntimeError("marts.fct_indicator_month does not exist: run dbt before the pack")
    missing_required = REQUIRED_COLUMNS - present
    if missing_required:
        raise RuntimeError(
            f"marts.fct_indicator_month lacks required columns: {sorted(missing_required)}"
        )
    missing = [c for c in MART_COLUMNS if c not in present]
    if missing:
        log.warning("marts.fct_indicator_month lacks %s; shown as N/A in the pack", missing)
    return ", ".join(c if c in present else f"null as {c}" for c in MART_COLUMNS)


def month_indicators(con: duckdb.DuckDBPyConnection, month_start: dt.date) -> list[dict]:
    """One dict per indicator for the reporting month, in the pack's order."""
    return fetch_dicts(
        con,
        f"""
        select {_mart_select(con)}
        from marts.fct_indicator_month
        where month = ?
        order by display_order nulls last, indicator_code
        """,
        [month_start],
    )


def indicator_series(con: duckdb.DuckDBPyConnection, month_start: dt.date) -> dict[str, list]:
    """Every indicator's monthly rows up to and including the reporting month (never after:
    a past month's pack rebuilt later must not show later months), oldest first."""
    rows = fetch_dicts(
        con,
        f"""
        select {_mart_select(con)}
        from marts.fct_indicator_month
        where month <= ?
        order by indicator_code, month
        """,
        [month_start],
    )
    series: dict[str, list] = {}
    for row in rows:
        series.setdefault(row["indicator_code"], []).append(row)
    return series


def window(series: list[dict], month_start: dt.date, months: int) -> list[dict | None]:
    """The `months` months ending with month_start, one slot per month (None where the mart
    has no row), so charts keep their x positions even with gaps."""
    by_month = {_as_date(row["month"]): row for row in series}
    first = add_months(month_start, -(months - 1))
    return [by_month.get(add_months(first, i)) for i in range(months)]


def _as_date(value: object) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


# --- raw.load_log: when the extracts behind the figures were loaded ----------------------

# raw.load_log is written by the ingest step. Its exact column names are the ingest's
# business, so the pack looks for the first of these candidates that exists.
_FILE_COLUMNS = ("file_name", "file", "source_file", "table_name", "extract")
_TIME_COLUMNS = ("finished_at", "loaded_at", "load_finished_at", "completed_at", "load_time")
_STATUS_COLUMNS = ("status", "outcome", "result")
# 'loaded' is the ingest's word for a successful load. 'unchanged' is not counted: the data in
# the warehouse is then still that of the earlier load, which is the time to state.
_SUCCESS = ("loaded", "success", "succeeded")


@dataclass(frozen=True)
class ExtractLoad:
    file_name: str
    loaded_at: dt.datetime


def latest_loads(con: duckdb.DuckDBPyConnection) -> list[ExtractLoad]:
    """The latest successful load per extract file; [] when there is no load log."""
    columns = table_columns(con, "raw", "load_log")
    file_col = next((c for c in _FILE_COLUMNS if c in columns), None)
    time_col = next((c for c in _TIME_COLUMNS if c in columns), None)
    if not (file_col and time_col):
        if columns:
            log.warning("raw.load_log has no recognised file/time columns: %s", columns)
        return []
    status_col = next((c for c in _STATUS_COLUMNS if c in columns), None)
    where = ""
    if status_col:
        ok = ", ".join(f"'{s}'" for s in _SUCCESS)
        where = f"where lower(cast({status_col} as varchar)) in ({ok})"
    rows = con.execute(
        f"""
        select cast({file_col} as varchar) as file_name, max({time_col}) as loaded_at
        from raw.load_log
        {where}
        group by 1
        order by 1
        """
    ).fetchall()
    return [ExtractLoad(name, _as_datetime(at)) for name, at in rows if name and at]


def _as_datetime(value: object) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value.replace(microsecond=0)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    return dt.datetime.fromisoformat(str(value)).replace(microsecond=0)
