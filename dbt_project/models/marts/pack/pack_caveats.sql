-- pack_caveats: the data-quality caveats beside each indicator for a reporting month: every
-- warning-severity expectation that failed at the latest run of the checks as at that month
-- (latest_check_results), beside the indicators it can distort: the expectation's own list where
-- it gives one (meta.indicators; '' = none), otherwise every indicator computed from the table
-- (indicator_sources, from dbt's lineage).
{{ config(tags=['reads_check_results']) }}

with warnings as (
    select *
    from {{ ref('latest_check_results') }}
    where status = 'failed' and severity = 'warning'
),

caveats as (
    select
        warnings.reporting_month,
        trim(listed.indicator_code) as indicator_code,
        warnings.table_name,
        warnings.record_label,
        warnings.problem,
        warnings.failing_records,
        warnings.as_at
    from warnings
    cross join unnest(string_split(warnings.indicators, ',')) as listed (indicator_code)
    where warnings.indicators is not null
    union all
    select
        warnings.reporting_month,
        sources.indicator_code,
        warnings.table_name,
        warnings.record_label,
        warnings.problem,
        warnings.failing_records,
        warnings.as_at
    from warnings
    inner join {{ ref('indicator_sources') }} as sources
        on sources.table_name = warnings.table_name
    where warnings.indicators is null
)

select
    cast(reporting_month as date) as reporting_month,
    cast(indicator_code as varchar) as indicator_code,
    cast(table_name as varchar) as table_name,
    cast(record_label as varchar) as record_label,
    cast(problem as varchar) as problem,
    cast(failing_records as bigint) as failing_records,
    cast(as_at as date) as as_at
from caveats
where indicator_code <> ''
