"""Every asset from extract file to board pack, in one graph, for a given Settings.

pipelines/definitions.py builds it from the environment for the Dagster code location (make ui,
the nightly service); the command line builds it from its own Settings (pipelines/runner.py).
"""

from __future__ import annotations

import dagster as dg

from pipelines.alerts import build_alert_sensors
from pipelines.assets.board_pack import build_board_pack_asset, build_board_pack_job
from pipelines.assets.dbt import build_dbt_assets
from pipelines.assets.raw import build_raw_assets
from pipelines.assets.returns import RETURNS_GROUP, build_returns_assets, build_returns_job
from pipelines.operations import build_extract_freshness_checks, build_nightly_schedule
from pipelines.quality import build_quality_checks
from pipelines.resources import resources
from pipelines.settings import Settings

MONTHLY_JOB_NAME = "monthly_board_pack"


def build_definitions(settings: Settings) -> dg.Definitions:
    # Everything from the extract files to the pack for one reporting month (the job takes the
    # board pack's monthly partitions; the month reaches dbt and the checks through them).
    # The statutory returns (collection-year partitions) have their own job, run on demand.
    monthly_board_pack = dg.define_asset_job(
        MONTHLY_JOB_NAME,
        selection=dg.AssetSelection.all() - dg.AssetSelection.groups(RETURNS_GROUP),
        description="Load the extracts, rebuild the models as at the month, check them, and "
        "write the month's board pack.",
    )
    # DuckDB allows one writing process per file, so every run executes its steps one after
    # the other in the run's own process.
    return dg.Definitions(
        assets=[
            *build_raw_assets(),
            *build_dbt_assets(),
            build_quality_checks(),
            build_board_pack_asset(),
            *build_returns_assets(),
        ],
        asset_checks=build_extract_freshness_checks(),
        jobs=[monthly_board_pack, build_board_pack_job(), build_returns_job()],
        schedules=[build_nightly_schedule(monthly_board_pack)],
        sensors=build_alert_sensors(),
        resources=resources(settings),
        executor=dg.in_process_executor,
    )
