"""Where everything lives, from environment variables, resolved once to absolute paths.

Dagster, dbt and the quality checks must all open the SAME DuckDB file: dbt runs with
`dbt_project/` as its working directory, so a relative path would silently create a second
database there. Every path is therefore made absolute here, and the dbt resource passes
BOARDPACK_DB on to dbt explicitly.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
EXPECTATIONS_DIR = PROJECT_ROOT / "expectations"

DEMO_MONTH = "2014-08"
DEMO_AUTHORITY_NAME = "Demo Borough Council (synthetic data)"


# Dates outside this window are not believed (a typo year, 1066-01-01 as a date of birth) and
# quarantine the row; "open" placeholders in end-date columns load as blank (still open).
DEFAULT_EARLIEST_DATE = date(1900, 1, 1)
DEFAULT_LATEST_DATE = date(2100, 12, 31)
DEFAULT_OPEN_END_DATES = (date(9999, 12, 31), date(2999, 12, 31), date(1900, 1, 1))
# A table whose accepted rows fall below this share of its last successful load is refused.
DEFAULT_SHRINK_SHARE = 0.9


class SettingsError(ValueError):
    """A BOARDPACK_* variable holds a value that cannot be used; the message names it."""


def _path_from_env(name: str, default: Path) -> Path:
    value = os.environ.get(name, "").strip()
    return Path(value).expanduser().resolve() if value else default.resolve()


def _date_from_env(name: str, default: date) -> date:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise SettingsError(f"{name}={value!r}: expected a date as YYYY-MM-DD") from None


def _dates_from_env(name: str, default: tuple[date, ...]) -> tuple[date, ...]:
    if name not in os.environ:
        return default
    values = [v for v in re.split(r"[\s,]+", os.environ[name]) if v]  # blank: no placeholders
    try:
        return tuple(sorted({date.fromisoformat(v) for v in values}))
    except ValueError:
        raise SettingsError(
            f"{name}={os.environ[name]!r}: expected dates as YYYY-MM-DD separated by commas"
        ) from None


def _share_from_env(name: str, default: float) -> float:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        share = float(value[:-1]) / 100 if value.endswith("%") else float(value)
    except ValueError:
        share = -1.0
    if not 0 <= share <= 1:
        raise SettingsError(f"{name}={value!r}: expected a share between 0 and 1, e.g. 0.9 or 90%")
    return share


def _names_from_env(name: str) -> tuple[str, ...]:
    values = re.split(r"[\s,]+", os.environ.get(name, ""))
    return tuple(sorted({v.strip().lower().removesuffix(".csv") for v in values if v.strip()}))


def _flag_from_env(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Settings:
    database: Path
    extracts_dir: Path
    output_dir: Path
    restricted_dir: Path
    commentary_dir: Path
    authority_name: str
    # Reading extracts (docs/extracts.md): the plausible date window, the "open" end dates.
    earliest_date: date = DEFAULT_EARLIEST_DATE
    latest_date: date = DEFAULT_LATEST_DATE
    open_end_dates: tuple[date, ...] = DEFAULT_OPEN_END_DATES
    # Refuse the run when a table's accepted rows fall below this share of its last load,
    # unless the table is named here (docs/operations.md, "A smaller extract").
    shrink_share: float = DEFAULT_SHRINK_SHARE
    accept_shrink: tuple[str, ...] = ()
    # Follow a symlink in the extracts folder to a file outside it.
    allow_outside_symlinks: bool = False
    # Run logs with the details (stack traces) behind a failed command's one-line messages
    # (default: logs/ beside the database).
    log_dir: Path = PROJECT_ROOT / "data" / "logs"

    def month_output_dir(self, month: str) -> Path:
        return self.output_dir / month


def load_settings() -> Settings:
    """Read the settings from the environment (call again after changing the environment)."""
    data = PROJECT_ROOT / "data"
    database = _path_from_env("BOARDPACK_DB", data / "warehouse.duckdb")
    settings = Settings(
        database=database,
        extracts_dir=_path_from_env("BOARDPACK_EXTRACTS", data / "extracts"),
        output_dir=_path_from_env("BOARDPACK_OUTPUT", data / "output"),
        restricted_dir=_path_from_env("BOARDPACK_RESTRICTED", data / "restricted"),
        commentary_dir=_path_from_env("BOARDPACK_COMMENTARY", PROJECT_ROOT / "commentary"),
        authority_name=os.environ.get("BOARDPACK_AUTHORITY_NAME", "").strip()
        or DEMO_AUTHORITY_NAME,
        earliest_date=_date_from_env("BOARDPACK_EARLIEST_DATE", DEFAULT_EARLIEST_DATE),
        latest_date=_date_from_env("BOARDPACK_LATEST_DATE", DEFAULT_LATEST_DATE),
        open_end_dates=_dates_from_env("BOARDPACK_OPEN_END_DATES", DEFAULT_OPEN_END_DATES),
        shrink_share=_share_from_env("BOARDPACK_SHRINK_SHARE", DEFAULT_SHRINK_SHARE),
        accept_shrink=_names_from_env("BOARDPACK_ACCEPT_SHRINK"),
        allow_outside_symlinks=_flag_from_env("BOARDPACK_ALLOW_OUTSIDE_SYMLINKS"),
        log_dir=_path_from_env("BOARDPACK_LOGS", database.parent / "logs"),
    )
    if settings.earliest_date > settings.latest_date:
        raise SettingsError(
            f"BOARDPACK_EARLIEST_DATE ({settings.earliest_date}) is after BOARDPACK_LATEST_DATE "
            f"({settings.latest_date}): expected a window of plausible dates"
        )
    return settings
