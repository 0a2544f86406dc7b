"""The reporting month: the board pack is built per calendar month, from April 2011 on."""

import dagster as dg

FIRST_REPORTING_MONTH = "2011-04"

# end_offset=0: the newest partition is the last COMPLETE month (the current month is not
# reported on until it has ended).
reporting_months = dg.MonthlyPartitionsDefinition(
    start_date=FIRST_REPORTING_MONTH, end_offset=0, fmt="%Y-%m"
)
