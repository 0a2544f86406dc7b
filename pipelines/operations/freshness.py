"""A warning when the extract files have stopped arriving.

Dagster's own freshness checks (`build_last_update_freshness_checks`) measure when an ASSET was
last materialised. The raw assets are materialised every night whether or not the
case-management system wrote new files, so they would never notice a stalled export. This check
reads the files' modification times instead. It warns (severity WARN, not blocking): a stale
extract still produces a pack, but the performance team must know it is out of date.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import dagster as dg

from pipelines.assets.raw import raw_asset_key
from pipelines.contract import load_contract
from pipelines.ingest.errors import ExtractFileError
from pipelines.ingest.files import find_extract
from pipelines.settings import (
    DEFAULT_MAX_EXTRACT_AGE_HOURS,
    ENVIRONMENT_VARIABLES,
    Settings,
)

FRESHNESS_CHECK_NAME = "extract_file_fresh"
MAX_AGE_ENV = ENVIRONMENT_VARIABLES["extract_max_age_hours"]
# A nightly export plus a working day's grace: a file older than this missed at least one night
# (settings.py's default).
DEFAULT_MAX_AGE_HOURS = DEFAULT_MAX_EXTRACT_AGE_HOURS


def extract_freshness(
    file_name: str, extracts_dir: Path, max_age_hours: float, now: datetime | None = None
) -> dg.AssetCheckResult:
    """Pass when the extract was modified within `max_age_hours` of `now`; WARN otherwise."""
    now = now or datetime.now(UTC)
    try:
        path = find_extract(extracts_dir, file_name)
    except ExtractFileError:
        return dg.AssetCheckResult(
            passed=False,
            severity=dg.AssetCheckSeverity.WARN,
            description=f"{file_name} is not in {extracts_dir}",
            metadata={"file": str(Path(extracts_dir) / file_name)},
        )
    modified = datetime.fromtimestamp(path.stat().st_mtime, UTC)
    age_hours = (now - modified).total_seconds() / 3600
    passed = age_hours <= max_age_hours
    return dg.AssetCheckResult(
        passed=passed,
        severity=dg.AssetCheckSeverity.WARN,
        description=(
            f"{path.name} was last changed {age_hours:.1f} hours ago"
            + ("" if passed else f", more than the {max_age_hours:g} hours allowed")
        ),
        metadata={
            "file": dg.MetadataValue.path(str(path)),
            "modified_at": modified.isoformat(timespec="seconds"),
            "age_hours": round(age_hours, 2),
            "max_age_hours": max_age_hours,
        },
    )


def _build_check(table_name: str, file_name: str) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=raw_asset_key(table_name),
        name=FRESHNESS_CHECK_NAME,
        blocking=False,
        description=(
            f"Warns when {file_name} has not changed for longer than {MAX_AGE_ENV} hours "
            f"(default {DEFAULT_MAX_AGE_HOURS:g}): the nightly export may have stopped."
        ),
    )
    def _check(settings: Settings) -> dg.AssetCheckResult:
        return extract_freshness(file_name, settings.extracts_dir, settings.max_extract_age_hours)

    return _check


def build_extract_freshness_checks() -> list[dg.AssetChecksDefinition]:
    """One freshness check per raw asset, i.e. per extract file of the contract."""
    # optional files (statutory returns only) may be absent by design: no freshness check
    return [_build_check(table.name, table.file_name) for table in load_contract().required_tables]
