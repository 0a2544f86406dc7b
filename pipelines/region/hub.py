"""A region's authorities run from one place (docs/region.md, "A region in Dagster"): who they
are, where each one's files go, and the environment its own pipeline runs in.

Each authority keeps its own warehouse (one DuckDB file, one writer at a time) and its own run
history, exactly as if it ran the pipeline itself; the region only ever reads what each one
publishes (suppressed monthly totals). Nothing here imports Dagster: pipelines/region/dagster.py
builds the region's code location on it.

    BOARDPACK_REGION_DIR/authorities.csv        who is in the region (code, name, ...)
    BOARDPACK_REGION_DIR/<code>/ssd_*.csv       each authority's extracts
    BOARDPACK_REGION_WORK/<code>/               its warehouse, packs, restricted files, logs,
                                                commentary and Dagster run history
    BOARDPACK_REGION_WORK/published/<month>/<code>.csv   what it published as at the month
    BOARDPACK_REGION_WORK/regional/<month>.csv  the region's comparison as at the month
"""

from __future__ import annotations

import csv
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from pipelines.plain_settings import ENVIRONMENT_VARIABLES, PlainSettings, child_environment

AUTHORITIES_FILE = "authorities.csv"
# An authority's own run, as its performance team would start it (pipelines/cli.py `run`).
RUN_COMMAND = (sys.executable, "-m", "pipelines.cli", "run")


class RegionError(ValueError):
    """The region's folder or an authority's run cannot be used: one line, naming the file."""


@dataclass(frozen=True)
class Authority:
    code: str
    name: str


def read_authorities(settings: PlainSettings) -> list[Authority]:
    """The region's authorities, in the order authorities.csv lists them."""
    from pipelines.region.publish import PublishError, valid_authority_code

    region_dir = settings.region_dir
    if region_dir is None:
        raise RegionError(
            f"{ENVIRONMENT_VARIABLES['region']} is not set: expected the region's folder "
            f"(its {AUTHORITIES_FILE} and one extracts folder per authority)"
        )
    path = region_dir / AUTHORITIES_FILE
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            rows = list(csv.DictReader(f))
    except OSError as error:
        raise RegionError(f"{path}: cannot be read ({error.strerror or error})") from None
    authorities: list[Authority] = []
    for line, row in enumerate(rows, start=2):
        code, name = (row.get("code") or "").strip(), (row.get("name") or "").strip()
        try:
            valid_authority_code(code)
        except PublishError:
            raise RegionError(
                f"{path}, row {line}, column code: {code!r} is not an ONS code (expected a letter "
                "and eight digits, e.g. E09000027)"
            ) from None
        if not name:
            raise RegionError(f"{path}, row {line}, column name: expected the authority's name")
        if code in {a.code for a in authorities}:
            raise RegionError(f"{path}, row {line}, column code: {code} is listed twice")
        authorities.append(Authority(code, name))
    if not authorities:
        raise RegionError(f"{path}: no authority listed (expected a header and a row each)")
    return authorities


def authority_name(settings: PlainSettings, code: str) -> str:
    for authority in read_authorities(settings):
        if authority.code == code:
            return authority.name
    raise RegionError(f"{code} is not in {settings.region_dir / AUTHORITIES_FILE}")


def authority_home(settings: PlainSettings, code: str) -> Path:
    return settings.region_work_dir / code


def published_file(settings: PlainSettings, code: str, month: str) -> Path:
    return settings.region_work_dir / "published" / month / f"{code}.csv"


def regional_file(settings: PlainSettings, month: str) -> Path:
    return settings.region_work_dir / "regional" / f"{month}.csv"


def authority_settings(settings: PlainSettings, authority: Authority) -> PlainSettings:
    """The region's settings with this authority's own on top: its folders, code and name, and
    no regional file. Every other setting (alerts, decimal places, thresholds) is the region's."""
    if settings.region_dir is None:
        raise RegionError(f"{ENVIRONMENT_VARIABLES['region']} is not set: no region's folder")
    home = authority_home(settings, authority.code)
    own = {
        "db": home / "warehouse.duckdb",
        "extracts": settings.region_dir / authority.code,
        "output": home / "output",
        "restricted": home / "restricted",
        "commentary": home / "commentary",
        "logs": home / "logs",
        "la_code": authority.code,
        "authority_name": authority.name,
        "dagster_home": home / "dagster_home",
        "regional_file": "",  # its pack is its own; the regional file is made from it
    }
    values = {field: getattr(settings, field) for field in PlainSettings.model_fields}
    return PlainSettings(**{**values, **{k: str(v) for k, v in own.items()}})


def run_authority_month(settings: PlainSettings, authority: Authority, month: str) -> str:
    """Run the authority's own pipeline for the month: `boardpack run`, in a child process with
    its own settings, so its warehouse is written by that process alone. Returns the run's
    console output; RegionError with the run's last error lines when it fails."""
    own = authority_settings(settings, authority)
    # every setting as a variable, so the child reads exactly these (its own and the region's)
    environment = child_environment(**own.for_child_process())
    extracts = own.extracts_dir
    if not extracts.is_dir():
        raise RegionError(f"{extracts}: no extracts folder for {authority.code} ({authority.name})")
    for folder in (own.database.parent, own.commentary_dir):
        folder.mkdir(parents=True, exist_ok=True)
    finished = subprocess.run(
        [*RUN_COMMAND, "--month", month],
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    if finished.returncode != 0:
        lines = [line for line in finished.stderr.splitlines() if line.strip()]
        raise RegionError(
            f"{authority.code} ({authority.name}): its run for {month} failed (exit "
            f"{finished.returncode}): " + " | ".join(lines[-6:] or ["no message"])
        )
    return finished.stdout


def publish_authority_month(settings: PlainSettings, authority: Authority, month: str) -> Path:
    """The authority's suppressed aggregates as at the month, from its warehouse."""
    from pipelines.region.publish import publish

    own = authority_settings(settings, authority)
    csv_path, _ = publish(
        own.database,
        published_file(settings, authority.code, month),
        authority_code=authority.code,
        authority_name=authority.name,
        threshold=settings.suppression_threshold,
    )
    return csv_path


def combine_month(settings: PlainSettings, codes: list[str], month: str) -> tuple[Path, int]:
    """The regional file as at the month, from every listed authority's published file; one
    line naming the authorities that have not published for it yet."""
    from pipelines.region.combine import combine_files, write_regional

    files = [published_file(settings, code, month) for code in codes]
    missing = [code for code, path in zip(codes, files, strict=True) if not path.is_file()]
    if missing:
        raise RegionError(
            f"not combined for {month}: no published figures yet from {', '.join(missing)} "
            f"(expected {files[0].parent}/<code>.csv: run those authorities for {month} first)"
        )
    rows = combine_files(files)
    return write_regional(rows, regional_file(settings, month)), len(rows)
