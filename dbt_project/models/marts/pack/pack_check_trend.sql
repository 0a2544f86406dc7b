-- pack_check_trend: the records failing each data-quality check per reporting month, at its
-- latest run as at that month (latest_check_results).
{{ config(tags=['reads_check_results']) }}

select
    cast(reporting_month as date) as reporting_month,
    cast(check_name as varchar) as check_name,
    cast(table_name as varchar) as table_name,
    cast(run_checked_at as timestamp) as checked_at,
    cast(coalesce(sum(case when status = 'failed' then failing_records end), 0) as bigint) as failing_records,
    cast(count(case when status = 'failed' then 1 end) as bigint) as expectations_failed,
    cast(count(case when status = 'broken' then 1 end) as bigint) as expectations_broken,
    cast(coalesce(max(case when status = 'failed' and severity = 'error' then 1 end), 0) = 1 as boolean)
        as error_failed
from {{ ref('latest_check_results') }}
group by reporting_month, check_name, table_name, run_checked_at
