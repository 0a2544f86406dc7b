"""Every setting the pipeline reads, in one object, from environment variables: without Dagster.

`PlainSettings` holds the values and what they resolve to; pipelines/settings.py makes it the
Dagster resource `Settings` (a subclass: the same fields and properties). This module imports
neither Dagster nor dbt, so `boardpack run` can decide that nothing needs doing (pipelines/
up_to_date.py) before it pays for importing them. See pipelines/settings.py for the rest.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Self

from pydantic import BaseModel, Field

from pipelines.defaults import DEMO_LA_CODE
from pipelines.defaults import DEMO_MONTH as DEMO_MONTH  # its home is light to import

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
EXPECTATIONS_DIR = PROJECT_ROOT / "expectations"
DATA_DIR = PROJECT_ROOT / "data"

DEMO_AUTHORITY_NAME = "Demo Borough Council (synthetic data)"
DEFAULT_MAX_EXTRACT_AGE_HOURS = 36.0
# Percentages and rates in the pack: 1 decimal place, the government's convention.
DEFAULT_DECIMAL_PLACES = 1
# Dates outside this window are not believed (a typo year, 1066-01-01 as a date of birth) and
# quarantine the row; "open" placeholders in end-date columns load as blank (still open).
DEFAULT_EARLIEST_DATE = date(1900, 1, 1)
DEFAULT_LATEST_DATE = date(2100, 12, 31)
DEFAULT_OPEN_END_DATES = (date(9999, 12, 31), date(2999, 12, 31), date(1900, 1, 1))
# A table whose accepted rows fall below this share of its last successful load is refused.
DEFAULT_SHRINK_SHARE = 0.9
# The regional comparison (docs/region.md): a published count from 1 to this minus 1 is shown
# as `c`. 5 is the DfE's usual threshold; below 3 a suppressed cell could be worked out from
# the rule itself (a total of 2 with a hidden part of 1), so 3 is the least accepted.
DEFAULT_SUPPRESSION_THRESHOLD = 5
MIN_SUPPRESSION_THRESHOLD = 3
# Set by the dbt step for `boardpack-dbt` (pipelines/dbt_child.py): the pid dbt must die with.
DBT_PARENT_VARIABLE = "BOARDPACK_DBT_PARENT_PID"
# dbt's parsed project, kept in its target folder between runs (docs: partial parsing)
PARTIAL_PARSE = "partial_parse.msgpack"

# field -> environment variable (every field is one; DAGSTER_HOME is Dagster's own name)
ENVIRONMENT_VARIABLES = {
    "db": "BOARDPACK_DB",
    "extracts": "BOARDPACK_EXTRACTS",
    "output": "BOARDPACK_OUTPUT",
    "restricted": "BOARDPACK_RESTRICTED",
    "commentary": "BOARDPACK_COMMENTARY",
    "authority_name": "BOARDPACK_AUTHORITY_NAME",
    "decimals": "BOARDPACK_DECIMAL_PLACES",
    "rebuild": "BOARDPACK_REBUILD",
    "commentary_blocks": "BOARDPACK_COMMENTARY_BLOCKS",
    "extract_max_age_hours": "BOARDPACK_EXTRACT_MAX_AGE_HOURS",
    "alert_email_url": "BOARDPACK_ALERT_EMAIL_URL",
    "alert_webhook_urls": "BOARDPACK_ALERT_WEBHOOK_URLS",
    "dagster_url": "BOARDPACK_DAGSTER_URL",
    "dagster_home": "DAGSTER_HOME",
    "earliest": "BOARDPACK_EARLIEST_DATE",
    "latest": "BOARDPACK_LATEST_DATE",
    "open_end": "BOARDPACK_OPEN_END_DATES",
    "shrink": "BOARDPACK_SHRINK_SHARE",
    "accept_smaller": "BOARDPACK_ACCEPT_SHRINK",
    "outside_symlinks": "BOARDPACK_ALLOW_OUTSIDE_SYMLINKS",
    "logs": "BOARDPACK_LOGS",
    "la_code": "BOARDPACK_LA_CODE",
    "la_number": "BOARDPACK_LA_NUMBER",
    "validators_python": "BOARDPACK_VALIDATORS_PYTHON",
    "suppression": "BOARDPACK_SUPPRESSION_THRESHOLD",
    "regional_file": "BOARDPACK_REGIONAL_FILE",
    "region": "BOARDPACK_REGION_DIR",
    "region_work": "BOARDPACK_REGION_WORK",
}


_ON = {"1", "true", "yes", "on"}
_OFF = {"", "0", "false", "no", "off"}


class SettingsError(ValueError):
    """A setting holds a value that cannot be used; the message names its variable."""


def _path(value: str, default: Path) -> Path:
    value = value.strip()
    return Path(value).expanduser().resolve() if value else default.resolve()


class PlainSettings(BaseModel):
    """Where everything lives and how the pipeline behaves. Blank means the default."""

    db: str = Field("", description="BOARDPACK_DB: the DuckDB file (default data/warehouse.duckdb)")
    extracts: str = Field("", description="BOARDPACK_EXTRACTS: the folder of ssd_*.csv files")
    output: str = Field("", description="BOARDPACK_OUTPUT: board packs, one folder per month")
    restricted: str = Field("", description="BOARDPACK_RESTRICTED: child-level worklists")
    commentary: str = Field("", description="BOARDPACK_COMMENTARY: the team's commentary")
    authority_name: str = Field("", description="BOARDPACK_AUTHORITY_NAME: named on the cover")
    decimals: str = Field(
        "", description="BOARDPACK_DECIMAL_PLACES: decimal places of percentages and rates"
    )
    rebuild: str = Field("", description="BOARDPACK_REBUILD: 1 rebuilds every stage every run")
    commentary_blocks: str = Field(
        "",
        description="BOARDPACK_COMMENTARY_BLOCKS: 1 stops a pack whose commentary contradicts it",
    )
    extract_max_age_hours: str = Field(
        "", description="BOARDPACK_EXTRACT_MAX_AGE_HOURS: an older extract file gets a warning"
    )
    alert_email_url: str = Field("", description="BOARDPACK_ALERT_EMAIL_URL: apprise mail URLs")
    alert_webhook_urls: str = Field(
        "", description="BOARDPACK_ALERT_WEBHOOK_URLS: apprise webhook URLs"
    )
    dagster_url: str = Field("", description="BOARDPACK_DAGSTER_URL: for links in the alerts")
    dagster_home: str = Field("", description="DAGSTER_HOME: where Dagster keeps run history")
    # Reading extracts (docs/extracts.md): the plausible date window, the "open" end dates,
    # the shrink guard (docs/operations.md, "A smaller extract"), symlinks, the command logs.
    earliest: str = Field("", description="BOARDPACK_EARLIEST_DATE: earliest plausible date")
    latest: str = Field("", description="BOARDPACK_LATEST_DATE: latest plausible date")
    open_end: str | None = Field(
        None, description="BOARDPACK_OPEN_END_DATES: end-date placeholders meaning still open"
    )
    shrink: str = Field("", description="BOARDPACK_SHRINK_SHARE: refuse a load below this share")
    accept_smaller: str = Field("", description="BOARDPACK_ACCEPT_SHRINK: tables allowed to shrink")
    outside_symlinks: str = Field(
        "", description="BOARDPACK_ALLOW_OUTSIDE_SYMLINKS: 1 follows links out of the folder"
    )
    logs: str = Field("", description="BOARDPACK_LOGS: owner-only command logs")
    # The statutory returns (docs/returns.md)
    la_code: str = Field("", description="BOARDPACK_LA_CODE: the authority's ONS code")
    la_number: str = Field("", description="BOARDPACK_LA_NUMBER: the authority's DfE number")
    validators_python: str = Field(
        "", description="BOARDPACK_VALIDATORS_PYTHON: the DfE validators' Python"
    )
    # The regional comparison (docs/region.md)
    suppression: str = Field(
        "", description="BOARDPACK_SUPPRESSION_THRESHOLD: published counts below it are `c`"
    )
    regional_file: str = Field(
        "", description="BOARDPACK_REGIONAL_FILE: a regional CSV for the pack's comparison"
    )
    # A region of authorities run from one Dagster (docs/region.md, "A region in Dagster")
    region: str = Field(
        "", description="BOARDPACK_REGION_DIR: authorities.csv and one extracts folder each"
    )
    region_work: str = Field(
        "", description="BOARDPACK_REGION_WORK: each authority's warehouse; the region's files"
    )

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None, **overrides) -> Self:
        """The values in the environment now (the command line, tests), with overrides on top
        (None leaves a setting as the environment has it)."""
        environ = _environment() if environ is None else environ
        values = {
            field: environ[name] for field, name in ENVIRONMENT_VARIABLES.items() if name in environ
        }
        values.update({k: str(v) for k, v in overrides.items() if v is not None})
        settings = cls(**values)
        settings.check()
        return settings

    def check(self) -> None:
        """Raise SettingsError, naming the variable, for a value that cannot be used."""
        for name in (
            "earliest_date",
            "latest_date",
            "open_end_dates",
            "shrink_share",
            "max_extract_age_hours",
            "commentary_blocks_publication",
            "decimal_places",
            "suppression_threshold",
        ):
            getattr(self, name)
        if self.earliest_date > self.latest_date:
            raise SettingsError(
                f"BOARDPACK_EARLIEST_DATE ({self.earliest_date}) is after BOARDPACK_LATEST_DATE "
                f"({self.latest_date}): expected a window of plausible dates"
            )

    # --- resolved values --------------------------------------------------------------------

    @property
    def database(self) -> Path:
        return _path(self.db, DATA_DIR / "warehouse.duckdb")

    @property
    def extracts_dir(self) -> Path:
        return _path(self.extracts, DATA_DIR / "extracts")

    @property
    def output_dir(self) -> Path:
        return _path(self.output, DATA_DIR / "output")

    @property
    def restricted_dir(self) -> Path:
        return _path(self.restricted, DATA_DIR / "restricted")

    @property
    def commentary_dir(self) -> Path:
        return _path(self.commentary, PROJECT_ROOT / "commentary")

    @property
    def authority(self) -> str:
        return self.authority_name.strip() or DEMO_AUTHORITY_NAME

    @property
    def decimal_places(self) -> int:
        """Decimal places of the pack's percentages and rates (pipelines/pack/formatting.py):
        0 to 3; blank is the government convention of 1."""
        raw = self.decimals.strip()
        if not raw:
            return DEFAULT_DECIMAL_PLACES
        if not raw.isdigit() or int(raw) > 3:
            raise SettingsError(
                f"{ENVIRONMENT_VARIABLES['decimals']}={self.decimals!r}: expected a whole number "
                "of decimal places from 0 to 3 (1 is the government convention)"
            )
        return int(raw)

    @property
    def suppression_threshold(self) -> int:
        """The regional comparison's suppression threshold (pipelines/region/suppression.py):
        a whole number from 3; blank is the DfE's usual 5."""
        raw = self.suppression.strip()
        if not raw:
            return DEFAULT_SUPPRESSION_THRESHOLD
        if not raw.isdigit() or int(raw) < MIN_SUPPRESSION_THRESHOLD:
            raise SettingsError(
                f"{ENVIRONMENT_VARIABLES['suppression']}={self.suppression!r}: expected a whole "
                f"number of at least {MIN_SUPPRESSION_THRESHOLD} (5 is the DfE's usual threshold)"
            )
        return int(raw)

    @property
    def regional_file_path(self) -> Path | None:
        """The regional file (`boardpack region combine`'s CSV, docs/region.md) the pack compares
        this authority with; None (blank) for a pack without the regional comparison."""
        value = self.regional_file.strip()
        return Path(value).expanduser().resolve() if value else None

    @property
    def region_dir(self) -> Path | None:
        """The region's folder (`boardpack generate --authorities N` writes one): authorities.csv
        and one folder of extracts per authority, named by its code; None when unset."""
        value = self.region.strip()
        return Path(value).expanduser().resolve() if value else None

    @property
    def region_work_dir(self) -> Path:
        """Where the region's runs keep each authority's warehouse, packs, restricted files and
        run history (one folder per code) and the published and regional files."""
        return _path(self.region_work, DATA_DIR / "region")

    @property
    def authority_code(self) -> str:
        """This authority's ONS code (BOARDPACK_LA_CODE; blank is the demo's): how the regional
        aggregates name it, and how the pack finds its rows in a regional file."""
        return self.la_code.strip() or DEMO_LA_CODE

    @property
    def rebuild_every_stage(self) -> bool:
        return self.rebuild.strip().lower() in {"1", "true", "yes"}

    @property
    def commentary_blocks_publication(self) -> bool:
        """A contradiction between a comment and its figures stops the pack being published.
        Anything but a clear on or off is refused: a typo must not silently publish."""
        value = self.commentary_blocks.strip().lower()
        if value in _ON:
            return True
        if value in _OFF:
            return False
        raise SettingsError(
            f"{ENVIRONMENT_VARIABLES['commentary_blocks']}={self.commentary_blocks!r}: "
            "expected 1 (a contradiction blocks the pack) or 0 (it is reported only)"
        )

    @property
    def max_extract_age_hours(self) -> float:
        raw = self.extract_max_age_hours.strip()
        if not raw:
            return DEFAULT_MAX_EXTRACT_AGE_HOURS
        name = ENVIRONMENT_VARIABLES["extract_max_age_hours"]
        try:
            hours = float(raw)
        except ValueError as error:
            raise SettingsError(f"{name} must be a number of hours, not {raw!r}") from error
        if hours <= 0:
            raise SettingsError(f"{name} must be more than 0 hours, not {raw!r}")
        return hours

    @property
    def earliest_date(self) -> date:
        return _date(self.earliest, DEFAULT_EARLIEST_DATE, "earliest")

    @property
    def latest_date(self) -> date:
        return _date(self.latest, DEFAULT_LATEST_DATE, "latest")

    @property
    def open_end_dates(self) -> tuple[date, ...]:
        if self.open_end is None:  # unset; set but blank means no placeholders
            return DEFAULT_OPEN_END_DATES
        values = [v for v in re.split(r"[\s,]+", self.open_end) if v]
        try:
            return tuple(sorted({date.fromisoformat(v) for v in values}))
        except ValueError:
            raise SettingsError(
                f"{ENVIRONMENT_VARIABLES['open_end']}={self.open_end!r}: "
                "expected dates as YYYY-MM-DD separated by commas"
            ) from None

    @property
    def shrink_share(self) -> float:
        value = self.shrink.strip()
        if not value:
            return DEFAULT_SHRINK_SHARE
        try:
            share = float(value[:-1]) / 100 if value.endswith("%") else float(value)
        except ValueError:
            share = -1.0
        if not 0 <= share <= 1:
            raise SettingsError(
                f"{ENVIRONMENT_VARIABLES['shrink']}={value!r}: "
                "expected a share between 0 and 1, e.g. 0.9 or 90%"
            )
        return share

    @property
    def accept_shrink(self) -> tuple[str, ...]:
        values = re.split(r"[\s,]+", self.accept_smaller)
        return tuple(sorted({v.strip().lower().removesuffix(".csv") for v in values if v.strip()}))

    @property
    def allow_outside_symlinks(self) -> bool:
        return self.outside_symlinks.strip().lower() in {"1", "true", "yes", "on"}

    @property
    def log_dir(self) -> Path:
        return _path(self.logs, self.database.parent / "logs")

    @property
    def chart_cache_dir(self) -> Path:
        """Charts already drawn, by what they show (pipelines/pack/chart_cache.py): beside the
        warehouse, like the logs, never in the published output folder."""
        return self.database.parent / "chart_cache"

    @property
    def alert_urls(self) -> list[str]:
        # apprise URLs may contain commas (to=a@x,b@y), so only whitespace separates them
        return self.alert_email_url.split() + self.alert_webhook_urls.split()

    @property
    def dagster_home_dir(self) -> Path | None:
        return Path(self.dagster_home).expanduser().resolve() if self.dagster_home.strip() else None

    @property
    def validators_python_path(self) -> Path:
        # Absolute, but never resolve()d: a virtualenv's python is a symlink to the base
        # interpreter, and only the link's own path finds the venv (pyvenv.cfg beside it) and
        # so its packages; the resolved path would run the validators without them.
        value = self.validators_python.strip()
        default = PROJECT_ROOT / ".venv-validators" / "bin" / "python"
        return Path(os.path.abspath(Path(value).expanduser() if value else default))

    def month_output_dir(self, month: str) -> Path:
        return self.output_dir / month

    def for_child_process(self) -> dict[str, str]:
        """The settings as environment variables, for a process this one starts: every one that
        is set, blank ones too, so the child reads exactly these and inherits none of its own."""
        return {
            name: getattr(self, field)
            for field, name in ENVIRONMENT_VARIABLES.items()
            if getattr(self, field) is not None  # None: unset (open_end's default)
        }


def _date(value: str, default: date, field: str) -> date:
    value = value.strip()
    if not value:
        return default
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise SettingsError(
            f"{ENVIRONMENT_VARIABLES[field]}={value!r}: expected a date as YYYY-MM-DD"
        ) from None


def dbt_parent_pid() -> str:
    """The pid `boardpack-dbt` must die with (set by the dbt step before it starts dbt)."""
    return _environment().get(DBT_PARENT_VARIABLE, "")


def mark_dbt_parent(pid: int) -> None:
    """Tell the dbt this process starts next which process it must die with."""
    os.environ[DBT_PARENT_VARIABLE] = str(pid)


# Dagster stores the events it marks as one batch (a run's planned materializations and checks,
# about 320 a night, written before the first step starts) with one store_event_batch call only
# when this is above 0; its default, 0, stores them one commit each (2.0-2.2 s here).
# pipelines/operations/event_log.py stores a batch in one transaction per database.
DAGSTER_EVENT_BATCH_VARIABLE = "DAGSTER_EVENT_BATCH_SIZE"
DAGSTER_EVENT_BATCH_SIZE = 1000


def batch_dagster_events() -> None:
    """Have this process's Dagster store batched events together (unless set otherwise)."""
    os.environ.setdefault(DAGSTER_EVENT_BATCH_VARIABLE, str(DAGSTER_EVENT_BATCH_SIZE))


def dbt_target_path() -> str:
    """dbt's target folder as dbt itself reads it (DBT_TARGET_PATH, relative to the project)."""
    return _environment().get("DBT_TARGET_PATH", "target")


def dbt_target_dir() -> Path:
    """dbt's target folder, absolute."""
    configured = Path(dbt_target_path())
    return configured if configured.is_absolute() else DBT_PROJECT_DIR / configured


def child_environment(**extra: str) -> dict[str, str]:
    """The environment for a process this one starts (the benchmark's children), with `extra`
    variables on top."""
    return {**_environment(), **extra}


def _environment() -> Mapping[str, str]:
    # The one place the process environment is read.
    return os.environ
