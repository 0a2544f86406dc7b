"""The nightly run: at 02:00 UK time, refresh everything and write the latest complete month's pack.

A schedule built with `build_schedule_from_partitioned_job` would follow the partitions' own
cadence (once a month). The extracts change every night, so the schedule runs daily and always
targets the last COMPLETE month: on 1-30 September that is August, whose pack is rewritten each
night as late-recorded August events arrive in the extracts.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import dagster as dg

from pipelines.partitions import reporting_months

NIGHTLY_SCHEDULE_NAME = "nightly_board_pack"
NIGHTLY_CRON = "0 2 * * *"
# Europe/London, not UTC: the run stays at 02:00 on the council's clock across BST changes.
NIGHTLY_TIMEZONE = "Europe/London"


def latest_complete_month(now: datetime | date) -> str:
    """The reporting month (YYYY-MM) before the month that `now` falls in."""
    day = now.date() if isinstance(now, datetime) else now
    return (day.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")


def build_nightly_schedule(job: dg.UnresolvedAssetJobDefinition) -> dg.ScheduleDefinition:
    """The nightly schedule for the partitioned `monthly_board_pack` job (passed in, so this
    module does not import the definitions it belongs to)."""

    @dg.schedule(
        name=NIGHTLY_SCHEDULE_NAME,
        cron_schedule=NIGHTLY_CRON,
        execution_timezone=NIGHTLY_TIMEZONE,
        job=job,
        # Unattended from the first start of the daemon: nobody has to switch it on in the UI.
        default_status=dg.DefaultScheduleStatus.RUNNING,
        description=(
            "Every night at 02:00 (UK time): load the extracts, rebuild the models and checks, "
            "and write the board pack for the latest complete month."
        ),
    )
    def nightly_board_pack(context: dg.ScheduleEvaluationContext):
        now = context.scheduled_execution_time or datetime.now(ZoneInfo(NIGHTLY_TIMEZONE))
        month = latest_complete_month(now.astimezone(ZoneInfo(NIGHTLY_TIMEZONE)))
        if not reporting_months.has_partition_key(month):
            return dg.SkipReason(f"{month} is not a reporting month")
        return dg.RunRequest(partition_key=month, tags={"boardpack/trigger": "nightly"})

    return nightly_board_pack
