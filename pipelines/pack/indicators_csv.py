"""indicators.csv: the machine-readable figures for one reporting month, one row per indicator.

The columns are documented in docs/outputs.md. New columns go at the end, so a reader that
picks columns by position keeps working.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from pathlib import Path

from pipelines.csv_safety import safe_cell
from pipelines.pack import flags
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
    "target_is_illustrative",
    "small_numbers",
    "spc_variation",
    "spc_assurance",
]


def _number(value: object, decimals: int) -> str:
    number = as_float(value)
    return "" if number is None else f"{number:.{decimals}f}"


def _flag(value: bool | None) -> str:
    return "" if value is None else ("true" if value else "false")


def csv_row(row: Mapping, month: str, spc: Mapping | None) -> dict[str, str]:
    """The published columns, with fixed number formats so reruns give identical bytes.
    spc: the indicator's marts.pack_indicator_spc row for the reporting month (None: none)."""
    places = 2 if row["unit"] == "percent" else 0
    spc = spc or {}
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
        # blank when the indicator has no target, rather than "false" about a target not there
        "target_is_illustrative": _flag(
            bool(row["is_illustrative_target"]) if flags.has_target(row) else None
        ),
        "small_numbers": _flag(flags.small_numbers(row)),
        "spc_variation": spc.get("spc_variation") or "",
        "spc_assurance": spc.get("spc_assurance") or "",
    }


def write_indicators_csv(
    rows: list[dict], month: str, folder: Path, spc: Mapping[str, Mapping]
) -> Path:
    """spc: indicator code -> its marts.pack_indicator_spc row for the reporting month
    (as pipelines/pack/spc.py's spc_rows gives it)."""
    path = folder / "indicators.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=INDICATOR_CSV_COLUMNS, lineterminator="\n")
        writer.writeheader()
        # text cells (names, targets) that a spreadsheet would take for a formula are
        # neutralised; the figures are plain numbers and stay numbers
        for row in rows:
            cells = csv_row(row, month, spc.get(row["indicator_code"]))
            writer.writerow({k: safe_cell(v) for k, v in cells.items()})
    return path
