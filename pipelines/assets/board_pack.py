"""The board pack for one reporting month: the final asset of the graph.

It reads the dbt models of the `board_pack` exposure (marts.pack_*, nothing else), so its
dependencies are read from that exposure: the Dagster graph shows everything the pack reads,
the data-quality check results included (marts.pack_check_trend and pack_caveats read
quality/check_results). A month's pack is rendered again only when something it shows may have
changed: the models, the month's check results, its commentary, the pack's code or templates,
or the files themselves (pipelines/reuse.py).
"""

import hashlib
from pathlib import Path

import dagster as dg

from pipelines.assets.dbt import exposure_keys
from pipelines.partitions import reporting_months
from pipelines.quality import CHECK_RESULTS_KEY
from pipelines.resources import Warehouse
from pipelines.reuse import (
    Recorded,
    StageReuse,
    current_record,
    files_digest,
    rebuild_forced,
    reused_metadata,
)
from pipelines.settings import PROJECT_ROOT, Settings

BOARD_PACK_KEY = dg.AssetKey(["board_pack"])
EXPOSURE = "board_pack"
STAGE = "board_pack"
PACK_CODE = PROJECT_ROOT / "pipelines" / "pack"


def pack_inputs(warehouse: Warehouse, month: str, settings: Settings) -> dict[str, object] | None:
    """What the month's pack shows depends on; None when the models have no record of what they
    were built from (then the pack is always rendered)."""
    from pipelines.pack.commentary import commentary_path

    models = current_record(warehouse, "dbt")
    views = current_record(warehouse, "dbt_check_result_views")
    checks = current_record(warehouse, "quality_checks", scope=month)
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
        "output": str(settings.month_output_dir(month)),
    }


def _sha256(path: Path) -> str | None:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None


def _still_published(earlier: Recorded | None) -> bool:
    files = earlier.details.get("files", {}) if earlier else {}
    return bool(files) and all(_sha256(Path(p)) == sha for p, sha in files.items())


def build_board_pack_asset() -> dg.AssetsDefinition:
    @dg.asset(
        key=BOARD_PACK_KEY,
        group_name="board_pack",
        partitions_def=reporting_months,
        kinds={"html", "pdf", "xlsx"},
        # the dbt exposure board_pack names what the pack reads; the month's check results
        # are named as well, so the graph ties each month's pack to that month's checks
        deps=[*exposure_keys(EXPOSURE), CHECK_RESULTS_KEY],
        description=(
            "The Improvement Board performance pack for the reporting month, with indicators.csv, "
            "written to <output>/<YYYY-MM>/ only once every file is complete."
        ),
    )
    def board_pack(
        context: dg.AssetExecutionContext, warehouse: Warehouse, settings: Settings
    ) -> dg.MaterializeResult:
        month = context.partition_key
        reuse = StageReuse(
            warehouse,
            STAGE,
            pack_inputs(warehouse, month, settings),
            scope=month,
            forced=rebuild_forced(context.run.tags, settings),
        )
        earlier = reuse.earlier()
        if _still_published(earlier):
            context.log.info(
                f"pack for {month} not rendered again: nothing it shows has changed since run "
                f"{earlier.run_id}"
            )
            paths = {name: Path(p) for name, p in earlier.details["names"].items()}
            return _result(paths, reused_metadata(earlier))
        reuse.starting()
        from pipelines.pack import build_board_pack  # WeasyPrint and matplotlib load slowly
        from pipelines.pack.commentary import CommentaryError
        from pipelines.pack.data import MonthNotAvailableError

        try:
            with warehouse.get_connection() as con:
                written = build_board_pack(con, month, settings)
        except (CommentaryError, MonthNotAvailableError) as error:
            # the person running it can act on these: one line, no retry
            raise dg.Failure(description=str(error), allow_retries=False) from error
        for path in written.values():
            context.log.info(f"wrote {path}")
        reuse.succeeded(
            context.run.run_id,
            {
                "files": {str(p): _sha256(p) for p in written.values()},
                "names": {name: str(p) for name, p in written.items()},
            },
        )
        return _result(written, {})

    return board_pack


def _result(paths: dict[str, Path], marker: dict[str, str]) -> dg.MaterializeResult:
    metadata = {name: dg.MetadataValue.path(str(path)) for name, path in paths.items()}
    return dg.MaterializeResult(metadata={**metadata, **marker})
