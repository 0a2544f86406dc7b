-- The reporting-month spine every indicator is computed over: one row per month from the first
-- reporting month (ref_settings) to the reporting month the warehouse is built as at.
with months as (
    {{ month_series(
        dbt.date_trunc('month', setting_date('first_reporting_month')),
        'reporting_month.month',
        ref('reporting_month') ~ ' as reporting_month',
    ) }}
)

select
    month,
    cast({{ dbt.last_day('month', 'month') }} as date) as month_end,
    -- the 12 months ending with this month
    cast({{ dbt.dateadd('month', -11, 'month') }} as date) as rolling_12_start,
    -- financial year to date starts on 1 April
    cast(
        make_date(
            case when month(month) >= 4 then year(month) else year(month) - 1 end, 4, 1
        ) as date
    ) as financial_year_start
from months
