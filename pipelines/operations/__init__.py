"""Running the pipeline unattended: the nightly schedule, the extract freshness checks and the
Dagster instance settings (run queue, retries) that `make ui` and the nightly service use.

See docs/operations.md for how the performance team runs, reruns and monitors it.
"""

from pipelines.operations.freshness import (
    DEFAULT_MAX_AGE_HOURS,
    FRESHNESS_CHECK_NAME,
    MAX_AGE_ENV,
    build_extract_freshness_checks,
    extract_freshness,
)
from pipelines.operations.instance import DAGSTER_YAML_TEMPLATE, prepare_dagster_home
from pipelines.operations.schedule import (
    NIGHTLY_CRON,
    NIGHTLY_SCHEDULE_NAME,
    NIGHTLY_TIMEZONE,
    build_nightly_schedule,
    latest_complete_month,
)

__all__ = [
    "DAGSTER_YAML_TEMPLATE",
    "DEFAULT_MAX_AGE_HOURS",
    "FRESHNESS_CHECK_NAME",
    "MAX_AGE_ENV",
    "NIGHTLY_CRON",
    "NIGHTLY_SCHEDULE_NAME",
    "NIGHTLY_TIMEZONE",
    "build_extract_freshness_checks",
    "build_nightly_schedule",
    "extract_freshness",
    "latest_complete_month",
    "prepare_dagster_home",
]
