"""Flags the pack prints beside a figure, worked out once for every output (pages, xlsx, CSV)."""

from __future__ import annotations

from collections.abc import Mapping

from pipelines.pack.formatting import as_float


def small_numbers(row: Mapping) -> bool:
    """The small-numbers warning: a percentage whose denominator is under the setting
    small_numbers_threshold (the mart's small_numbers flag). A count never carries it."""
    return bool(row["small_numbers"]) and row["unit"] == "percent"


def has_target(row: Mapping) -> bool:
    """The indicator has a target this month: a single value or a band."""
    return as_float(row["target_value"]) is not None or (
        as_float(row["target_low"]) is not None and as_float(row["target_high"]) is not None
    )
