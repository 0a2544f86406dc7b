"""The run's parameters for the rules: the extract's "as at" date and the stale period.

"In the future" means after the date the extract was taken, not after today: a historic
extract (the demo is as at August 2014) must still flag dates after its own end. The date is
BOARDPACK_AS_AT when set (YYYY-MM-DD); otherwise the last day of the newest month holding at
least a tenth of the typical monthly volume of contacts, or today if that is earlier - the rule
dbt's reporting-month spine uses, so a few wrongly future-dated contacts cannot move it.
"""

from __future__ import annotations

import csv
import os
from datetime import date

import duckdb

from pipelines.quality.features import Params
from pipelines.settings import DBT_PROJECT_DIR

AS_AT_ENV = "BOARDPACK_AS_AT"
SETTINGS_SEED = DBT_PROJECT_DIR / "seeds" / "ref_settings.csv"
STALE_SETTING = "early_help_stale_after_months"
DEFAULT_STALE_MONTHS = 12

AS_AT_SQL = """
WITH monthly AS (
    SELECT date_trunc('month', cont_contact_date) AS month, count(*) AS n
    FROM raw.ssd_contacts WHERE cont_contact_date <= current_date GROUP BY 1
)
SELECT CAST(last_day(max(month)) AS DATE) FROM monthly
WHERE n >= 0.1 * (SELECT median(n) FROM monthly)
"""


def stale_after_months() -> int:
    """The stale period from the settings seed the team edits (one value for dbt and us)."""
    try:
        with open(SETTINGS_SEED, newline="", encoding="utf-8") as f:
            for row in csv.DictReader(f):
                if row["setting"] == STALE_SETTING:
                    return int(row["value"])
    except (OSError, ValueError, KeyError):
        pass
    return DEFAULT_STALE_MONTHS


def extract_as_at(con: duckdb.DuckDBPyConnection) -> date:
    value = os.environ.get(AS_AT_ENV, "").strip()
    if value:
        return date.fromisoformat(value)
    try:
        (latest,) = con.execute(AS_AT_SQL).fetchone()
    except duckdb.Error:  # no contacts table yet
        latest = None
    today = date.today()
    return min(latest, today) if latest else today


def resolve_params(con: duckdb.DuckDBPyConnection) -> Params:
    return Params(as_at=extract_as_at(con), stale_after_months=stale_after_months())
