"""The Dagster code location: every asset from extract file to board pack, in one graph."""

from __future__ import annotations

import dagster as dg

from pipelines.alerts import build_alert_sensors
from pipelines.assets.board_pack import board_pack
from pipelines.assets.dbt import build_dbt_assets
from pipelines.assets.raw import build_raw_assets
from pipelines.operations import build_extract_freshness_checks, build_nightly_schedule
from pipelines.quality import build_quality_checks
from pipelines.resources import dbt_resource, warehouse_resource

MONTHLY_JOB_NAME = "monthly_board_pack"

# Everything from the extract files to the pack for one reporting month (the job takes the
# board pack's monthly partitions).
monthly_board_pack = dg.define_asset_job(
    MONTHLY_JOB_NAME,
    selection=dg.AssetSelection.all(),
    description="Load the extracts, rebuild the models and checks, write the month's board pack.",
)

# DuckDB allows one writing process per file, so every run executes its steps one after the
# other in the run's own process.
defs = dg.Definitions(
    assets=[*build_raw_assets(), build_dbt_assets(), board_pack],
    asset_checks=[*build_quality_checks(), *build_extract_freshness_checks()],
    jobs=[monthly_board_pack],
    schedules=[build_nightly_schedule(monthly_board_pack)],
    sensors=build_alert_sensors(),
    resources={"warehouse": warehouse_resource(), "dbt": dbt_resource()},
    executor=dg.in_process_executor,
)
