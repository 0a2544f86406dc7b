"""indicators.csv: the machine-readable figures for one reporting month, one row per indicator."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

from pipelines.csv_safety import safe_frame

INDICATOR_CSV_COLUMNS = [
    "code",
    "name",
    "month",
    "value",
    "numerator",
    "denominator",
    "rate_per_10k",
    "target",
    "rag",
    "direction",
    "previous_1y",
    "previous_2y",
    "unit",
]


class MonthNotAvailableError(RuntimeError):
    """The reporting month asked for is not covered by the loaded extracts."""


def month_start(month: str) -> str:
    return f"{month}-01"


def indicator_rows(con: duckdb.DuckDBPyConnection, month: str) -> pd.DataFrame:
    """All indicators for the month from marts.fct_indicator_month, in the pack's order."""
    frame = con.execute(
        """
        select *
        from marts.fct_indicator_month
        where month = cast(? as date)
        order by display_order, indicator_code
        """,
        [month_start(month)],
    ).df()
    if frame.empty:
        first, last = con.execute(
            "select min(month), max(month) from marts.fct_indicator_month"
        ).fetchone()
        raise MonthNotAvailableError(
            f"No indicators for {month}: the loaded extracts cover {first:%Y-%m} to {last:%Y-%m}"
            if first
            else f"No indicators for {month}: no indicators have been computed yet"
        )
    return frame


def _format_number(value: object, decimals: int) -> str:
    if value is None or pd.isna(value):
        return ""
    return f"{float(value):.{decimals}f}"


def indicators_csv_frame(rows: pd.DataFrame, month: str) -> pd.DataFrame:
    """The published columns, with fixed number formats so reruns give identical bytes."""
    percent = rows["unit"] == "percent"
    return pd.DataFrame(
        {
            "code": rows["indicator_code"],
            "name": rows["name"],
            "month": month,
            "value": [
                _format_number(v, 2 if is_pct else 0)
                for v, is_pct in zip(rows["value"], percent, strict=True)
            ],
            "numerator": [_format_number(v, 0) for v in rows["numerator"]],
            "denominator": [_format_number(v, 0) for v in rows["denominator"]],
            "rate_per_10k": [_format_number(v, 2) for v in rows["rate_per_10k"]],
            "target": rows["target_text"].fillna("N/A"),
            "rag": rows["rag"],
            "direction": rows["direction"],
            "previous_1y": [
                _format_number(v, 2 if is_pct else 0)
                for v, is_pct in zip(rows["previous_1y"], percent, strict=True)
            ],
            "previous_2y": [
                _format_number(v, 2 if is_pct else 0)
                for v, is_pct in zip(rows["previous_2y"], percent, strict=True)
            ],
            "unit": rows["unit"],
        },
        columns=INDICATOR_CSV_COLUMNS,
    )


def write_indicators_csv(rows: pd.DataFrame, month: str, folder: Path) -> Path:
    path = folder / "indicators.csv"
    # text cells (names, targets) that a spreadsheet would take for a formula are neutralised;
    # the figures are plain numbers and stay numbers
    frame = safe_frame(indicators_csv_frame(rows, month))
    frame.to_csv(path, index=False, lineterminator="\n")
    return path
