"""The settings that decide what the loader believes, gathered once per load or validation.

They come from pipelines/plain_settings.py (BOARDPACK_* variables); docs/extracts.md explains them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from pipelines.plain_settings import (
    DEFAULT_EARLIEST_DATE,
    DEFAULT_LATEST_DATE,
    DEFAULT_OPEN_END_DATES,
    DEFAULT_SHRINK_SHARE,
    PlainSettings,
)

# DuckDB's CSV reader refuses a line longer than this (its default is 2,000,000 bytes); set
# here so the message can name the limit. Longer lines are corrupt exports in practice.
MAX_LINE_BYTES = 2_000_000


@dataclass(frozen=True)
class ReadRules:
    earliest_date: date = DEFAULT_EARLIEST_DATE
    latest_date: date = DEFAULT_LATEST_DATE
    # placeholders for "still open", read as blank in the contract's open end-date columns
    open_end_dates: tuple[date, ...] = DEFAULT_OPEN_END_DATES
    allow_outside_symlinks: bool = False
    shrink_share: float = DEFAULT_SHRINK_SHARE
    accept_shrink: tuple[str, ...] = ()  # tables whose smaller extract is accepted
    # Set per file by the loader: values are checked for NUL bytes only in a file that has
    # one (the scan of its bytes says so), which spares every other file the check.
    check_nul_bytes: bool = True
    # Likewise: values are trimmed of whitespace other than spaces (tabs, no-break spaces, line
    # breaks) only in a file that holds such characters.
    trim_all_whitespace: bool = True

    @classmethod
    def from_settings(cls, settings: PlainSettings | None = None) -> ReadRules:
        s = settings or PlainSettings.from_environment()
        return cls(
            earliest_date=s.earliest_date,
            latest_date=s.latest_date,
            open_end_dates=tuple(s.open_end_dates),
            allow_outside_symlinks=s.allow_outside_symlinks,
            shrink_share=s.shrink_share,
            accept_shrink=tuple(s.accept_shrink),
        )

    @property
    def open_end_text(self) -> str:
        return ", ".join(d.isoformat() for d in sorted(self.open_end_dates)) or "none"
