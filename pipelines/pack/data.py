"""Reading what the pack needs: the dbt models marts.pack_* and nothing else.

Each model's columns are fixed by its enforced dbt contract (dbt_project/models/marts/pack/
_pack.yml); the lists below are the pack's half of that contract, and a test holds the two
together (tests/test_pack_contract.py), so a column renamed in dbt fails a test rather than
printing "N/A". Every query names its columns; none of these models holds a person or record
identifier.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb

from pipelines.pack.formatting import add_months

# What the pack reads from each model (its contract's columns, in order).
PACK_COLUMNS: dict[str, list[str]] = {
    "pack_indicators": [
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
        "amber_tolerance",
        "counted_singular",
        "counted_plural",
        "counted_verb",
        "met_phrase",
    ],
    "pack_indicator_spc": [
        "indicator_code",
        "month",
        "spc_measure",
        "spc_value",
        "spc_on_rolling_figure",
        "phase_start",
        "limits_fixed",
        "process_mean",
        "upper_limit",
        "lower_limit",
        "spc_signals",
        "signal_direction",
        "spc_variation",
        "spc_assurance",
    ],
    "pack_extract_loads": [
        "file_name",
        "loaded_at",
        "rows_loaded",
        "rows_quarantined",
        "open_end_dates",
    ],
    "pack_cleansing_by_locality": [
        "month",
        "locality",
        "stale_backlog",
        "closed_since",
        "closed_by_cleansing",
        "pct_complete",
        "is_complete",
        "cleansing_start",
    ],
    "pack_unended_placements": ["month", "reason", "placements"],
    "pack_unended_placements_effect": [
        "month",
        "children_looked_after",
        "looked_after_only_suspect_placements",
        "looked_after_excluding_suspects",
        "suspect_placements",
    ],
    "pack_check_trend": [
        "reporting_month",
        "check_name",
        "table_name",
        "checked_at",
        "failing_records",
        "expectations_failed",
        "expectations_broken",
        "error_failed",
    ],
    "pack_caveats": [
        "reporting_month",
        "indicator_code",
        "table_name",
        "record_label",
        "problem",
        "failing_records",
        "as_at",
    ],
    "pack_return_validation": [
        "return_name",
        "collection_year",
        "ruleset",
        "validated_at",
        "errors",
        "error_rules",
        "queries",
    ],
}

# The trend chart shows 24 months plus the same months a year earlier: 36 months in all.
SERIES_MONTHS = 36


class MonthNotAvailableError(RuntimeError):
    """The reporting month asked for is not one the warehouse was built for."""


def fetch_dicts(
    con: duckdb.DuckDBPyConnection,
    model: str,
    where: str = "",
    params: list | None = None,
    order_by: str = "",
) -> list[dict]:
    """Rows of marts.<model> as plain dicts of Python values (None for NULL): simpler to format
    than pandas NaN/NA, and identical from run to run."""
    columns = ", ".join(PACK_COLUMNS[model])
    sql = f"select {columns} from marts.{model}"
    sql += f" where {where}" if where else ""
    sql += f" order by {order_by}" if order_by else ""
    cursor = con.execute(sql, params or [])
    return [dict(zip(PACK_COLUMNS[model], row, strict=True)) for row in cursor.fetchall()]


def month_indicators(con: duckdb.DuckDBPyConnection, month_start: dt.date) -> list[dict]:
    """One dict per indicator for the reporting month, in the pack's order; raises
    MonthNotAvailableError (naming the months there are) when the month has none."""
    rows = fetch_dicts(
        con, "pack_indicators", "month = ?", [month_start], "display_order, indicator_code"
    )
    if not rows:
        first, last = con.execute(
            "select min(month), max(month) from marts.pack_indicators"
        ).fetchone()
        raise MonthNotAvailableError(
            f"No indicators for {month_start:%Y-%m}: the models were built for {first:%Y-%m} to "
            f"{last:%Y-%m} (run the whole pipeline for {month_start:%Y-%m})"
            if first
            else f"No indicators for {month_start:%Y-%m}: no indicators have been computed yet"
        )
    return rows


def indicator_series(con: duckdb.DuckDBPyConnection, month_start: dt.date) -> dict[str, list]:
    """Every indicator's monthly rows up to and including the reporting month (never after:
    a past month's pack rebuilt later must not show later months), oldest first."""
    series: dict[str, list] = {}
    rows = fetch_dicts(con, "pack_indicators", "month <= ?", [month_start], "indicator_code, month")
    for row in rows:
        series.setdefault(row["indicator_code"], []).append(row)
    return series


def window(series: list[dict], month_start: dt.date, months: int) -> list[dict | None]:
    """The `months` months ending with month_start, one slot per month (None where there is no
    row), so charts keep their x positions even with gaps."""
    by_month = {row["month"]: row for row in series}
    first = add_months(month_start, -(months - 1))
    return [by_month.get(add_months(first, i)) for i in range(months)]


@dataclass(frozen=True)
class ExtractLoad:
    file_name: str
    loaded_at: dt.datetime


def extract_loads(con: duckdb.DuckDBPyConnection) -> list[ExtractLoad]:
    """The latest successful load of each extract file."""
    rows = fetch_dicts(con, "pack_extract_loads", order_by="file_name")
    return [ExtractLoad(r["file_name"], r["loaded_at"].replace(microsecond=0)) for r in rows]
