"""Reading marts.indicator_spc for the pack: each indicator's statistical process control rows
up to the reporting month, and the chart overlay (charts.SpcLines) for the charted months.

The rules live in the dbt model (one home); this only reads them. Rows are "as at" their own
month, so a chart of the 24 months to the reporting month draws each month's mean and limits as
they stood then, and marks the months where a rule fired.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

import duckdb

from pipelines.pack.charts import SpcLines
from pipelines.pack.formatting import as_float

SPC_COLUMNS = (
    "indicator_code", "month", "spc_measure", "spc_value", "spc_on_rolling_figure",
    "phase_start", "limits_fixed", "process_mean", "upper_limit", "lower_limit",
    "spc_signals", "signal_direction", "spc_variation", "spc_assurance",
)  # fmt: skip

# spc_variation -> how the chart marks the point (charts.SIGNAL_STYLES)
SIGNAL_KINDS = {
    "Special cause improving": "improving",
    "Special cause concerning": "concerning",
    "Special cause neither": "neither",
}


def spc_available(con: duckdb.DuckDBPyConnection) -> bool:
    (count,) = con.execute(
        "select count(*) from information_schema.tables "
        "where table_schema = 'marts' and table_name = 'indicator_spc'"
    ).fetchone()
    return bool(count)


def spc_rows(con: duckdb.DuckDBPyConnection, month_start: dt.date) -> dict[str, dict]:
    """code -> {month (date) -> row}, every month up to and including month_start (never
    after: a past month's pack rebuilt later must not use later months). {} where the model
    has not been built."""
    if not spc_available(con):
        return {}
    cursor = con.execute(
        f"""
        select {", ".join(SPC_COLUMNS)}
        from marts.indicator_spc
        where month <= ?
        order by indicator_code, month
        """,
        [month_start],
    )
    names = [d[0] for d in cursor.description]
    out: dict[str, dict] = {}
    for values in cursor.fetchall():
        row = dict(zip(names, values, strict=True))
        out.setdefault(row["indicator_code"], {})[_as_date(row["month"])] = row
    return out


def spc_lines(rows: Mapping[dt.date, Mapping], months: Sequence[dt.date]) -> SpcLines | None:
    """The chart overlay for the given months (one entry per month, None where the model has
    no limits yet); None when no month has limits."""
    picked = [rows.get(month) or {} for month in months]
    if not any(as_float(row.get("process_mean")) is not None for row in picked):
        return None
    return SpcLines(
        mean=[as_float(row.get("process_mean")) for row in picked],
        upper=[as_float(row.get("upper_limit")) for row in picked],
        lower=[as_float(row.get("lower_limit")) for row in picked],
        signals=[SIGNAL_KINDS.get(str(row.get("spc_variation"))) for row in picked],
    )


def _as_date(value: object) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])
