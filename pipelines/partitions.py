"""The reporting month: the board pack is built per calendar month, from April 2011 on; the
statutory returns per collection year."""

import datetime as dt

import dagster as dg

FIRST_REPORTING_MONTH = "2011-04"

# end_offset=0: the newest partition is the last COMPLETE month (the current month is not
# reported on until it has ended).
reporting_months = dg.MonthlyPartitionsDefinition(
    start_date=FIRST_REPORTING_MONTH, end_offset=0, fmt="%Y-%m"
)


# The statutory returns are built per collection year, 1 April to 31 March, keyed as the DfE
# names them ("2024-25"): from the first year the synthetic authority's recent demo covers to
# the year in progress (the DfE's rulesets start at 2022-23; an earlier year is checked with
# the nearest, pipelines/returns/validation.py).
FIRST_COLLECTION_YEAR = 2021


def collection_year_of(day) -> str:
    """'2024-25' for any day from 1 April 2024 to 31 March 2025."""
    start = day.year if day.month >= 4 else day.year - 1
    return f"{start}-{(start + 1) % 100:02d}"


def collection_year_keys(today) -> list[str]:
    last = int(collection_year_of(today)[:4])
    return [f"{y}-{(y + 1) % 100:02d}" for y in range(FIRST_COLLECTION_YEAR, last + 1)]


collection_years = dg.StaticPartitionsDefinition(collection_year_keys(dt.date.today()))
