-- latest_check_results: the results of each data-quality check at its latest run as at each
-- reporting month (quality.check_results keeps every run; a month checked again, say when it is
-- rebuilt later, has its newest findings here). Checks on the extract as loaded (scope
-- as_loaded: an empty file, dates after the extract was taken) are left out: they judge the
-- file delivered, not the records as at a month end, so a month's pack rebuilt later from later
-- extracts must not show them. A view: it reads the results written after it is built.
{{ config(materialized='view', tags=['reads_check_results']) }}

with runs as (
    select
        reporting_month,
        check_name,
        run_id,
        max(checked_at) as checked_at
    from {{ source('quality_checks', 'check_results') }}
    where scope <> 'as_loaded'
    group by reporting_month, check_name, run_id
),

latest_runs as (
    select reporting_month, check_name, run_id, checked_at
    from (
        select
            *,
            row_number() over (
                partition by reporting_month, check_name
                order by checked_at desc, run_id desc
            ) as newest_first
        from runs
    ) as ranked
    where newest_first = 1
)

select
    results.*,
    latest_runs.checked_at as run_checked_at
from {{ source('quality_checks', 'check_results') }} as results
inner join latest_runs
    on
        latest_runs.reporting_month = results.reporting_month
        and latest_runs.check_name = results.check_name
        and latest_runs.run_id = results.run_id
