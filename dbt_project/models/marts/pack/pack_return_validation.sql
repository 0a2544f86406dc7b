-- pack_return_validation: each statutory return's check by the DfE's own rules, one row per
-- return per validation run (quality.return_validation_runs), with its queries counted from
-- the failing rules. The pack shows, per return and collection year, the latest run on or
-- before the end of its reporting month. Counts only.
{{ config(tags=['reads_check_results']) }}

with queries as (
    select
        run_id,
        return_name,
        sum(locations) as queries
    from {{ source('quality_checks', 'return_validation') }}
    where severity = 'query'
    group by run_id, return_name
)

select
    cast(runs.return_name as varchar) as return_name,
    cast(runs.collection_year as varchar) as collection_year,
    cast(runs.ruleset as varchar) as ruleset,
    cast(runs.validated_at as timestamp) as validated_at,
    cast(runs.errors as bigint) as errors,
    cast(runs.rules_failed as bigint) as error_rules,
    cast(coalesce(queries.queries, 0) as bigint) as queries
from {{ source('quality_checks', 'return_validation_runs') }} as runs
left join queries
    on runs.run_id = queries.run_id and runs.return_name = queries.return_name
