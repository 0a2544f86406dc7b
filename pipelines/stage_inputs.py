"""What each stage's result depends on: the one home of the inputs its fingerprint hashes.

The Dagster assets (pipelines/assets/dbt.py, pipelines/quality/checks.py,
pipelines/assets/board_pack.py) decide whether to reuse an earlier run's work with these
functions (pipelines/reuse.py), and so does `boardpack run`'s check that nothing at all needs
doing (pipelines/up_to_date.py), before it imports Dagster or dbt: the same function computes
each fingerprint in both places, so the two can never disagree. This module imports neither
Dagster nor dbt (a test keeps it so).
"""

from __future__ import annotations

import hashlib
from importlib.metadata import version
from pathlib import Path

import duckdb

from pipelines.plain_settings import DBT_PROJECT_DIR, PROJECT_ROOT, PlainSettings
from pipelines.reuse import Recorded, StageRecords, extract_versions, files_digest

# The stages' names in pipeline.stage_inputs: the two dbt steps, the checks and the pack.
MODELS_STAGE = "dbt"
# The Dagster steps of the two dbt stages
MODELS_STEP = "dbt_models"
VIEWS_STEP = "dbt_check_result_views"
VIEWS_STAGE = "dbt_check_result_views"
CHECKS_STAGE = "quality_checks"
PACK_STAGE = "board_pack"

BUILD_ARGS = ["build", "--exclude-resource-type", "unit_test"]
AFTER_CHECKS_TAG = "reads_check_results"
RETURNS_MODELS = "path:models/returns"
# Each dbt step's stage -> (dbt's --select, --exclude). The models first: everything but the
# views over the check results (and the statutory returns, built by `boardpack returns`); the
# views after the checks. Only the models' build reads data (the views read nothing when built).
DBT_STEPS: dict[str, tuple[str, str | None]] = {
    MODELS_STAGE: ("fqn:*", f"tag:{AFTER_CHECKS_TAG} {RETURNS_MODELS}"),
    VIEWS_STAGE: (f"tag:{AFTER_CHECKS_TAG}", None),
}
# What a build's result depends on inside the dbt project (target/ and logs/ are its output).
PROJECT_INPUTS = ("models", "macros", "seeds", "tests", "dbt_project.yml", "profiles.yml")
# The code whose results the checks and the pack record.
QUALITY_CODE_DIR = PROJECT_ROOT / "pipelines" / "quality"
PACK_CODE = PROJECT_ROOT / "pipelines" / "pack"
REGIONAL_FORMAT = PROJECT_ROOT / "pipelines" / "region" / "files.py"
# The key of the relations a dbt step built, in its stage record's details.
RELATIONS = "relations"


# --- the dbt build --------------------------------------------------------------------------


def dbt_step_args(stage: str) -> list[str]:
    """The dbt command line of a dbt step (without its --vars)."""
    select, exclude = DBT_STEPS[stage]
    return [*BUILD_ARGS, "--select", select] + (["--exclude", exclude] if exclude else [])


def dbt_reads_data(stage: str) -> bool:
    return DBT_STEPS[stage][1] is not None


def build_inputs(con, month: str, args: list[str], reads_data: bool) -> dict[str, object]:
    """Everything a build's result depends on (see pipelines/reuse.py). The views over the
    check results read nothing when they are built: only their definitions count."""
    parts: dict[str, object] = {
        "dbt_project": files_digest(DBT_PROJECT_DIR / name for name in PROJECT_INPUTS),
        "command": args,
        "dbt": version("dbt-core") + "/" + version("dbt-duckdb"),
    }
    if not reads_data:
        return parts
    parts["extracts"] = extract_versions(con)
    parts["reporting_month"] = month
    if not month:  # the month then follows the data and today's date
        from datetime import date

        parts["today"] = date.today().isoformat()
    return parts


def missing_relations(con, relations: set[tuple[str, ...]]) -> list[str]:
    """The (schema, name) relations that are not in the warehouse, as schema/name."""
    present = {
        (schema, name)
        for schema, name in con.execute(
            "SELECT table_schema, table_name FROM information_schema.tables"
        ).fetchall()
    }
    return sorted("/".join(r) for r in relations if tuple(r) not in present)


# --- the quality checks ---------------------------------------------------------------------


def check_inputs(
    models: str | None, month: str, directory: Path, settings: PlainSettings
) -> dict[str, object] | None:
    """Everything the checks' results depend on (see pipelines/reuse.py); None when the models
    have no record of what they were built from (then the checks always run)."""
    if models is None:
        return None
    return {
        "models": models,  # the dbt build's fingerprint: extracts, month and dbt project
        "reporting_month": month,
        "suites": files_digest([directory], ["*.json"]),
        "code": files_digest([QUALITY_CODE_DIR], ["*.py"]),
        "output": str(settings.output_dir),
        "restricted": str(settings.restricted_dir),
    }


def check_files_still_there(stored: list[dict]) -> bool:
    """The worklists and Data Docs the stored check results point to have not been cleared
    away (each result as pipelines/quality/checks.py stores it: metadata as [kind, value])."""
    paths = [
        value
        for result in stored
        for kind, value in result["metadata"].values()
        if kind == "path" and value
    ]
    return all(Path(p).exists() for p in paths)


# --- the board pack -------------------------------------------------------------------------


def pack_inputs(
    con: duckdb.DuckDBPyConnection, month: str, settings: PlainSettings
) -> dict[str, object] | None:
    """What the month's pack shows depends on; None when the models have no record of what they
    were built from (then the pack is always rendered)."""
    from pipelines.pack.commentary import commentary_path

    records = StageRecords(con)
    models = records.get(MODELS_STAGE)
    views = records.get(VIEWS_STAGE)
    checks = records.get(CHECKS_STAGE, scope=month)
    if models is None or views is None:
        return None
    commentary = commentary_path(settings.commentary_dir, month)
    return {
        "month": month,
        "models": models.fingerprint,
        "views": views.fingerprint,
        "checks": checks.fingerprint if checks else None,  # None: not checked as at the month
        "commentary": files_digest([commentary]) if commentary.is_file() else None,
        "code": files_digest([PACK_CODE], ["*.py", "*.html", "*.css", "*.j2", "*.md"]),
        "authority": settings.authority,
        "commentary_blocks": settings.commentary_blocks_publication,
        "output": str(settings.month_output_dir(month)),
    } | regional_inputs(settings)


def regional_inputs(settings: PlainSettings) -> dict[str, object]:
    """The regional file the pack compares with (BOARDPACK_REGIONAL_FILE), by content, and the
    authority it is read for: supplying, changing or removing it renders the pack again. Nothing
    without the setting, so the fingerprint of a pack without one is as it always was."""
    path = settings.regional_file_path
    if path is None:
        return {}
    return {
        "regional_file": str(path),
        "regional_digest": files_digest([path]) if path.is_file() else None,
        "authority_code": settings.authority_code,
        "regional_reader": files_digest([REGIONAL_FORMAT]),  # its checks (not pipelines/pack)
    }


def file_sha256(path: Path) -> str | None:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None


def still_published(earlier: Recorded | None) -> bool:
    """Every file the pack's record lists is still there, byte for byte."""
    details = earlier.details if earlier else {}
    files = details.get("files", {})
    return (
        bool(files)
        and "commentary" in details  # a record from before the review: render again
        and all(file_sha256(Path(p)) == sha for p, sha in files.items())
    )
