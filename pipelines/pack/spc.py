"""Reading marts.pack_indicator_spc for the pack: each indicator's statistical process control rows
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
from pipelines.pack.data import fetch_dicts
from pipelines.pack.formatting import as_float

# spc_variation -> how the chart marks the point (charts.SIGNAL_STYLES)
SIGNAL_KINDS = {
    "Special cause improving": "improving",
    "Special cause concerning": "concerning",
    "Special cause neither": "neither",
}


def spc_rows(con: duckdb.DuckDBPyConnection, month_start: dt.date) -> dict[str, dict]:
    """code -> {month (date) -> row}, every month up to and including month_start (never
    after: a past month's pack rebuilt later must not use later months)."""
    out: dict[str, dict] = {}
    rows = fetch_dicts(
        con,
        "pack_indicator_spc",
        where="month <= ?",
        params=[month_start],
        order_by="indicator_code, month",
    )
    for row in rows:
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
