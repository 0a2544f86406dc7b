-- reporting_month: the one month the warehouse is built "as at" (one row). Every model and every
-- data-quality check reads the records as they stood at its end (as_at): a past month rebuilt
-- later from later extracts gives the figures and findings it gave at the time.
--   month: the var reporting_month, which the pipeline sets to the month of its run (the Dagster
--     partition). Without it (dbt run by hand), the latest month the extracts cover.
--   extract_date: the date the extract was taken, for the checks on the extract as loaded (a
--     date after it is in the future): the last day of the newest month in which contacts were
--     recorded in at least a tenth of the typical monthly volume, so a few wrongly future-dated
--     contacts cannot move it; never after today.
{#- the var is blank by default (dbt_project.yml); boardpack-dbt passes the run's month on as an
    environment variable, which dbt's partial parsing tracks (pipelines/dbt_child.py) #}
{%- set month_var = var('reporting_month') or env_var('BOARDPACK_DBT_REPORTING_MONTH', '') %}

with monthly_contacts as (
    select
        {{ dbt.date_trunc('month', 'cont_contact_date') }} as month,
        count(*) as contacts
    from {{ source('ssd', 'ssd_contacts') }}
    where cont_contact_date <= current_date
    group by 1
),

latest_full_month as (
    select cast(max(month) as date) as month
    from monthly_contacts
    where contacts >= 0.1 * (select median(contacts) from monthly_contacts)
),

chosen as (
    select
        coalesce({{ "cast('" ~ month_var ~ "-01' as date)" if month_var else 'null' }}, latest_full_month.month)
            as month,
        least(cast({{ dbt.last_day('latest_full_month.month', 'month') }} as date), current_date) as extract_date
    from latest_full_month
)

select
    chosen.month,
    cast({{ dbt.last_day('chosen.month', 'month') }} as date) as as_at,
    chosen.extract_date
from chosen
