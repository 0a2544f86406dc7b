"""The board pack for one reporting month: the final asset of the graph.

It reads the dbt models of the `board_pack` exposure (marts.pack_*, nothing else), so its
dependencies are read from that exposure: the Dagster graph shows everything the pack reads,
the data-quality check results included (marts.pack_check_trend and pack_caveats read
quality/check_results). A month's pack is rendered again only when something it shows may have
changed: the models, the month's check results, its commentary, the pack's code or templates,
or the files themselves (pipelines/reuse.py).

Each build checks the month's commentary against its figures (pipelines/pack/review.py): the
materialization records the number of contradictions and of indicators without a comment, and
their lines (wording only), and points to the internal review page beside the pack. With
BOARDPACK_COMMENTARY_BLOCKS on, a contradiction fails the step with one line per contradiction
and nothing is written: the month's folder stays as it was. So does a regional file
(BOARDPACK_REGIONAL_FILE) that cannot be used: one line naming it (pipelines/pack/regional.py).
"""

from pathlib import Path

import dagster as dg

from pipelines.assets.dbt_keys import exposure_keys
from pipelines.partitions import reporting_months
from pipelines.quality import CHECK_RESULTS_KEY
from pipelines.resources import Warehouse, resources
from pipelines.reuse import StageReuse, rebuild_forced, reused_metadata
from pipelines.settings import Settings
from pipelines.stage_inputs import (  # their one home, shared with `boardpack run`'s check
    PACK_STAGE,
    file_sha256,
    pack_inputs,
    still_published,
)

BOARD_PACK_KEY = dg.AssetKey(["board_pack"])
EXPOSURE = "board_pack"
STAGE = PACK_STAGE
# The month's pack alone, from the models and checks as they are (after a commentary edit).
PACK_JOB_NAME = "board_pack_only"


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
        with warehouse.get_connection() as con:
            inputs = pack_inputs(con, month, settings)
        reuse = StageReuse(
            warehouse,
            STAGE,
            inputs,
            scope=month,
            forced=rebuild_forced(context.run.tags, settings),
        )
        earlier = reuse.earlier()
        if still_published(earlier):
            context.log.info(
                f"pack for {month} not rendered again: nothing it shows has changed since run "
                f"{earlier.run_id}"
            )
            details = earlier.details
            paths = {name: Path(p) for name, p in details["names"].items()}
            return _result(
                paths,
                Path(details["review_page"]),
                details["commentary"],
                reused_metadata(earlier),
            )
        reuse.starting()
        from pipelines.pack import build_pack  # slow to import: pipelines/runner.py does it ahead
        from pipelines.pack.commentary import CommentaryError
        from pipelines.pack.data import MonthNotAvailableError
        from pipelines.pack.pdf import PdfError
        from pipelines.pack.regional import RegionalFileError
        from pipelines.pack.review import CommentaryContradictsFiguresError

        try:
            with warehouse.get_connection() as con:
                built = build_pack(con, month, settings)
        except CommentaryContradictsFiguresError as error:
            context.log.warning(
                f"pack for {month} not published: {len(error.contradictions)} claims in the "
                "comments contradict the figures and BOARDPACK_COMMENTARY_BLOCKS is on; correct "
                "the comments (or the figures) and run again. Nothing was written."
            )
            raise dg.Failure(
                description=str(error),
                metadata={"commentary_contradictions": len(error.contradictions)},
                allow_retries=False,
            ) from error
        except (CommentaryError, MonthNotAvailableError, PdfError, RegionalFileError) as error:
            # the person running it can act on these: one line, no retry
            raise dg.Failure(description=str(error), allow_retries=False) from error
        for path in built.files.values():
            context.log.info(f"wrote {path}")
        review = built.review
        context.log.info(
            f"commentary: {len(review.contradictions)} contradicting the figures, "
            f"{review.indicators_due} indicators without a comment; review page (internal, "
            f"not published) {built.review_page}"
        )
        everything = [*built.files.values(), built.review_page]
        reuse.succeeded(
            context.run.run_id,
            {
                "files": {str(p): file_sha256(p) for p in everything},
                "names": {name: str(p) for name, p in built.files.items()},
                "review_page": str(built.review_page),
                "commentary": review.as_record(),
            },
        )
        return _result(built.files, built.review_page, review.as_record(), {})

    return board_pack


def build_board_pack_job():  # an unresolved asset job
    """The pack on its own: what `boardpack run` runs when only the pack's inputs changed (the
    month's commentary, the pack's code), and what the UI offers to write a month's pack again
    without rebuilding anything upstream."""
    return dg.define_asset_job(
        PACK_JOB_NAME,
        selection=[BOARD_PACK_KEY],  # monthly partitions: the asset's own
        description="Write the month's board pack again from the models and check results as "
        "they are (after a commentary edit): nothing upstream is rebuilt or checked again.",
    )


def build_pack_only_definitions(settings: Settings) -> dg.Definitions:
    """Just the pack asset and its job, with the models it reads as upstream keys only: loading
    them imports neither dagster-dbt nor dbt-core (the full graph does, about 1.5 s), for the
    run that writes only the pack. The runs are the same job as the code location's."""
    return dg.Definitions(
        assets=[build_board_pack_asset()],
        jobs=[build_board_pack_job()],
        resources=resources(settings, dbt=False),
        executor=dg.in_process_executor,
    )


# Metadata keys runner.py reads; "review_page" is a path but not one of the pack's files.
REVIEW_PAGE = "review_page"
COMMENTARY_CHECK = "commentary_check"
COMMENTARY_DUE = "commentary_due"


def _result(
    paths: dict[str, Path],
    review_page: Path,
    commentary: dict[str, object],
    marker: dict[str, str],
) -> dg.MaterializeResult:
    """The pack's files, and the commentary review in counts and lines (wording only)."""
    check, due = commentary["check"], commentary["due"]
    metadata = {name: dg.MetadataValue.path(str(path)) for name, path in paths.items()}
    metadata |= {
        REVIEW_PAGE: dg.MetadataValue.path(str(review_page)),
        "commentary_contradictions": dg.MetadataValue.int(len(check)),
        "commentary_due_indicators": dg.MetadataValue.int(int(commentary["indicators_due"])),
        "commentary_due_officers": dg.MetadataValue.int(len(due)),
        COMMENTARY_CHECK: dg.MetadataValue.json(check),
        COMMENTARY_DUE: dg.MetadataValue.json(due),
    }
    return dg.MaterializeResult(metadata={**metadata, **marker})
