-- The reporting-month spine every indicator is computed over: one row per month from the
-- first reporting month (ref_settings) to the last month the extracts cover.
--
-- The last month is the dbt var last_reporting_month when given (the pipeline passes the month
-- being reported on); otherwise the latest month in which contacts were recorded in at least
-- a tenth of the typical monthly volume, so a handful of wrongly future-dated records cannot
-- stretch the spine into months with no real data.
{% set last_month_var = var('last_reporting_month', '') %}

with monthly_contacts as (
    select
        date_trunc('month', contact_date) as month,
        count(*) as contacts
    from {{ ref('stg_contacts') }}
    where contact_date <= current_date
    group by 1
),

last_month as (
    {% if last_month_var %}
        select cast('{{ last_month_var }}-01' as date) as month
    {% else %}
        select max(month) as month
        from monthly_contacts
        where contacts >= 0.1 * (select median(contacts) from monthly_contacts)
    {% endif %}
),

months as (
    select cast(month_start as date) as month
    from last_month,
        generate_series(
            cast(date_trunc('month', {{ setting_date('first_reporting_month') }}) as timestamp),
            cast(last_month.month as timestamp),
            interval 1 month
        ) as spine (month_start)
)

select
    month,
    cast(last_day(month) as date) as month_end,
    -- the 12 months ending with this month
    cast(month - interval 11 month as date) as rolling_12_start,
    -- financial year to date starts on 1 April
    cast(
        make_date(
            case when month(month) >= 4 then year(month) else year(month) - 1 end, 4, 1
        ) as date
    ) as financial_year_start
from months
