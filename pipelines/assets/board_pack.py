"""The board pack for one reporting month: the final asset of the graph.

A month's pack is rendered again only when something it shows may have changed: the models
(the dbt build's record), the quality results, the month's commentary, the pack's code or
templates, or the files themselves (see pipelines/incremental.py).
"""

import hashlib
from pathlib import Path

import dagster as dg
from dagster_duckdb import DuckDBResource

from pipelines.incremental import Recorded, StageRecords, files_digest, fingerprint, rebuild_forced
from pipelines.partitions import reporting_months
from pipelines.settings import PROJECT_ROOT, Settings, load_settings

BOARD_PACK_KEY = dg.AssetKey(["board_pack"])
STAGE = "board_pack"
PACK_CODE = (PROJECT_ROOT / "pipelines" / "pack", PROJECT_ROOT / "pipelines" / "quality")


def pack_inputs(records: StageRecords, month: str, settings: Settings) -> dict[str, object] | None:
    """What the month's pack shows depends on; None when the models or checks have no record
    of what they were built from (then the pack is always rendered)."""
    from pipelines.pack.commentary import commentary_path

    models, checks = records.get("dbt"), records.get("quality_checks")
    if models is None or checks is None:
        return None
    commentary = commentary_path(settings.commentary_dir, month)
    return {
        "month": month,
        "models": models.fingerprint,
        "checks": checks.fingerprint,
        "commentary": files_digest([commentary]) if commentary.is_file() else None,
        "code": files_digest(PACK_CODE, ["*.py", "*.html", "*.css", "*.j2", "*.md"]),
        "authority": settings.authority_name,
        "output": str(settings.month_output_dir(month)),
    }


def _sha256(path: Path) -> str | None:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None


def _still_published(current: Recorded | None) -> bool:
    files = current.details.get("files", {}) if current else {}
    return bool(files) and all(_sha256(Path(p)) == sha for p, sha in files.items())


@dg.asset(
    key=BOARD_PACK_KEY,
    group_name="board_pack",
    partitions_def=reporting_months,
    kinds={"html", "pdf", "xlsx"},
    deps=[
        dg.AssetKey(["marts", "fct_indicator_month"]),
        dg.AssetKey(["quality", "eh_cleansing_by_locality"]),
        dg.AssetKey(["quality", "unended_placements"]),
        dg.AssetKey(["quality", "unended_placements_effect"]),
    ],
    description=(
        "The Improvement Board performance pack for the reporting month, with indicators.csv, "
        "written to <output>/<YYYY-MM>/ only once every file is complete."
    ),
)
def board_pack(
    context: dg.AssetExecutionContext, warehouse: DuckDBResource
) -> dg.MaterializeResult:
    month = context.partition_key
    settings = load_settings()
    with warehouse.get_connection() as con:
        records = StageRecords(con)
        parts = pack_inputs(records, month, settings)
        inputs = fingerprint(parts) if parts else None
        current = records.matching(STAGE, inputs, scope=month) if inputs else None
        if _still_published(current) and not rebuild_forced(context.run.tags):
            context.log.info(
                f"pack for {month} not rendered again: nothing it shows has changed since run "
                f"{current.run_id}"
            )
            paths = {name: Path(p) for name, p in current.details["names"].items()}
            return _result(paths, rebuilt=False, built_by=current.run_id)
        records.forget(STAGE, scope=month)
        from pipelines.pack import build_board_pack  # WeasyPrint and matplotlib load slowly
        from pipelines.pack.commentary import CommentaryError
        from pipelines.pack.indicators_csv import MonthNotAvailableError

        try:
            written = build_board_pack(con, month, settings)
        except (CommentaryError, MonthNotAvailableError) as error:
            # the person running it can act on these: one line, no retry
            raise dg.Failure(description=str(error), allow_retries=False) from error
        for path in written.values():
            context.log.info(f"wrote {path}")
        if inputs:
            details = {
                "files": {str(p): _sha256(p) for p in written.values()},
                "names": {name: str(p) for name, p in written.items()},
            }
            records.record(STAGE, inputs, context.run.run_id, details, scope=month)
    return _result(written, rebuilt=True, built_by=context.run.run_id)


def _result(paths: dict[str, Path], rebuilt: bool, built_by: str) -> dg.MaterializeResult:
    metadata = {name: dg.MetadataValue.path(str(path)) for name, path in paths.items()}
    return dg.MaterializeResult(metadata={**metadata, "rebuilt": rebuilt, "built_by_run": built_by})
