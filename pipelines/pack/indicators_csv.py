"""indicators.csv: the machine-readable figures for one reporting month, one row per indicator."""

from __future__ import annotations

import csv
from pathlib import Path

from pipelines.csv_safety import safe_cell
from pipelines.pack.formatting import as_float

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


def _number(value: object, decimals: int) -> str:
    number = as_float(value)
    return "" if number is None else f"{number:.{decimals}f}"


def csv_row(row: dict, month: str) -> dict[str, str]:
    """The published columns, with fixed number formats so reruns give identical bytes."""
    places = 2 if row["unit"] == "percent" else 0
    return {
        "code": row["indicator_code"],
        "name": row["name"],
        "month": month,
        "value": _number(row["value"], places),
        "numerator": _number(row["numerator"], 0),
        "denominator": _number(row["denominator"], 0),
        "rate_per_10k": _number(row["rate_per_10k"], 2),
        "target": row["target_text"],
        "rag": row["rag"],
        "direction": row["direction"],
        "previous_1y": _number(row["previous_1y"], places),
        "previous_2y": _number(row["previous_2y"], places),
        "unit": row["unit"],
    }


def write_indicators_csv(rows: list[dict], month: str, folder: Path) -> Path:
    path = folder / "indicators.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=INDICATOR_CSV_COLUMNS, lineterminator="\n")
        writer.writeheader()
        # text cells (names, targets) that a spreadsheet would take for a formula are
        # neutralised; the figures are plain numbers and stay numbers
        writer.writerows({k: safe_cell(v) for k, v in csv_row(row, month).items()} for row in rows)
    return path
