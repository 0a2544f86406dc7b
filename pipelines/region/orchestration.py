"""The region's Dagster code location (docs/region.md, "A region in Dagster"): every authority
of a region run month by month from one Dagster, partitioned authority x month.

- `region/authority_aggregates` (partitions authority x month): the authority's own pipeline
  for the month, in its own warehouse (pipelines/region/hub.py), then its suppressed aggregates
  published as at the month. Only that file leaves the authority's folder.
- `region/regional_comparison` (partitions month): every authority's published file for the
  month combined into the regional file (values, ranks, quartiles). It materializes by itself
  once every authority of the month has published, and again when any of them republishes
  (its automation condition, below).
- `region_authorities`: enrols authorities.csv's codes as the authority partitions.
- `region_nightly`: every night, each authority's run for the latest complete month.
- `region_combine_when_published`: starts the regional comparison when its condition holds.

One writer per authority: each authority's warehouse is one DuckDB file, which takes one
writing process at a time, so the region's Dagster instance queues runs with a tag limit of one
per authority (pipelines/region/dagster.yaml: Dagster tags a run of a multi-partitioned job with
each dimension's key, `dagster/partition/authority`); different authorities run side by side.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

import dagster as dg

from pipelines.operations.schedule import NIGHTLY_TIMEZONE, latest_complete_month
from pipelines.partitions import reporting_months
from pipelines.region import hub
from pipelines.region.files import RegionInputError, read_aggregates
from pipelines.region.publish import PublishError
from pipelines.settings import Settings

AUTHORITY = "authority"
MONTH = "month"
authorities = dg.DynamicPartitionsDefinition(name="region_authority")
authority_months = dg.MultiPartitionsDefinition({AUTHORITY: authorities, MONTH: reporting_months})
# The tag Dagster puts on every run of an authority x month partition (its authority's code).
AUTHORITY_TAG = f"dagster/partition/{AUTHORITY}"

AUTHORITY_JOB = "region_authority_month"
COMBINE_JOB = "region_combine"
REGION_NIGHTLY_CRON = "0 3 * * *"  # an hour after one authority's own nightly run would be

AUTHORITY_AGGREGATES = dg.AssetKey(["region", "authority_aggregates"])
REGIONAL_COMPARISON = dg.AssetKey(["region", "regional_comparison"])


def _failure(error: Exception) -> dg.Failure:
    return dg.Failure(description=str(error), allow_retries=False)


@dg.asset(
    key=AUTHORITY_AGGREGATES,
    partitions_def=authority_months,
    group_name="region",
    description="One authority's own pipeline for the month, in its own warehouse, then its "
    "suppressed monthly aggregates as at the month (docs/region.md).",
)
def authority_aggregates(context: dg.AssetExecutionContext, settings: Settings):
    keys = context.partition_key.keys_by_dimension
    code, month = keys[AUTHORITY], keys[MONTH]
    try:
        authority = hub.Authority(code, hub.authority_name(settings, code))
        console = hub.run_authority_month(settings, authority, month)
        context.log.info(console.strip())
        path = hub.publish_authority_month(settings, authority, month)
    except (hub.RegionError, PublishError) as error:
        raise _failure(error) from None

    rows = read_aggregates(path).rows
    return dg.MaterializeResult(
        metadata={
            "authority": f"{code} ({authority.name})",
            "published file": dg.MetadataValue.path(str(path)),
            "rows": len(rows),
            "suppressed cells (c)": sum(
                (row.numerator == "c") + (row.denominator == "c") for row in rows
            ),
        }
    )


# Combine when every authority has published for the month (none missing, none running) and
# any of them has published since the last combination: any month, not only the latest, so a
# month rerun for one authority is recombined.
_COMBINE_WHEN = (
    dg.AutomationCondition.eager()
    .without(dg.AutomationCondition.in_latest_time_window())
    .with_label("every authority published; one has since")
)


@dg.asset(
    key=REGIONAL_COMPARISON,
    partitions_def=reporting_months,
    # each month depends on every authority's partition of that month (Dagster's default
    # mapping from authority x month to month)
    deps=[AUTHORITY_AGGREGATES],
    group_name="region",
    automation_condition=_COMBINE_WHEN,
    description="Every authority's published aggregates for the month combined: each value, "
    "its rank, the region's median and quartiles (docs/region.md).",
)
def regional_comparison(context: dg.AssetExecutionContext, settings: Settings):
    month = context.partition_key
    try:
        codes = [authority.code for authority in hub.read_authorities(settings)]
        path, rows = hub.combine_month(settings, codes, month)
    except (hub.RegionError, RegionInputError) as error:
        raise _failure(error) from None
    return dg.MaterializeResult(
        metadata={
            "regional file": dg.MetadataValue.path(str(path)),
            "authorities": len(codes),
            "rows": rows,
        }
    )


@dg.sensor(
    name="region_authorities",
    minimum_interval_seconds=300,
    # Only adds partitions (it launches nothing): on from the start, so the UI lists the region.
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Enrols each authority in BOARDPACK_REGION_DIR/authorities.csv as a partition.",
)
def region_authorities(context: dg.SensorEvaluationContext, settings: Settings):
    try:
        listed = [authority.code for authority in hub.read_authorities(settings)]
    except hub.RegionError as error:
        return dg.SkipReason(str(error))
    enrolled = set(context.instance.get_dynamic_partitions(authorities.name))
    new = [code for code in listed if code not in enrolled]
    if not new:
        return dg.SkipReason(f"all {len(listed)} authorities already enrolled")
    return dg.SensorResult(dynamic_partitions_requests=[authorities.build_add_request(new)])


def _nightly(job) -> dg.ScheduleDefinition:
    @dg.schedule(
        name="region_nightly",
        cron_schedule=REGION_NIGHTLY_CRON,
        execution_timezone=NIGHTLY_TIMEZONE,
        job=job,
        # unattended, like the authority's own nightly schedule (pipelines/operations)
        default_status=dg.DefaultScheduleStatus.RUNNING,
        description="Every night at 03:00 (UK time): each authority's run for the latest "
        "complete month; the regional comparison follows once all have published.",
    )
    def region_nightly(context: dg.ScheduleEvaluationContext):
        now = context.scheduled_execution_time or datetime.now(ZoneInfo(NIGHTLY_TIMEZONE))
        month = latest_complete_month(now.astimezone(ZoneInfo(NIGHTLY_TIMEZONE)))
        codes = context.instance.get_dynamic_partitions(authorities.name)
        if not codes:
            return dg.SkipReason("no authority enrolled yet (the region_authorities sensor)")
        return [
            dg.RunRequest(
                # one run per authority and night (a tick retried after a crash adds none)
                run_key=f"{code}|{month}|{now:%Y-%m-%d}",
                partition_key=dg.MultiPartitionKey({AUTHORITY: code, MONTH: month}),
                tags={"boardpack/trigger": "region-nightly"},
            )
            for code in codes
        ]

    return region_nightly


def build_region_definitions(settings: Settings) -> dg.Definitions:
    authority_job = dg.define_asset_job(
        AUTHORITY_JOB,
        selection=[AUTHORITY_AGGREGATES],
        description="One authority's run for one month, and what it publishes.",
    )
    combine_job = dg.define_asset_job(
        COMBINE_JOB,
        selection=[REGIONAL_COMPARISON],
        description="The month's regional comparison from every authority's published file.",
    )
    return dg.Definitions(
        assets=[authority_aggregates, regional_comparison],
        jobs=[authority_job, combine_job],
        schedules=[_nightly(authority_job)],
        sensors=[
            region_authorities,
            # what starts the regional comparison when its condition holds (_COMBINE_WHEN)
            dg.AutomationConditionSensorDefinition(
                "region_combine_when_published",
                target=[REGIONAL_COMPARISON],
                default_status=dg.DefaultSensorStatus.RUNNING,
                description="Combines a month once every authority has published for it.",
            ),
        ],
        resources={"settings": settings},
        executor=dg.in_process_executor,
    )
