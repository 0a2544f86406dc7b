-- Factors identified at assessment: the JSON list of CIN census codes, one row per code
-- (an entry that is not a JSON list gives no rows).
with lists as (
    select
        cinf_table_id as assessment_factors_id,
        cinf_assessment_id as assessment_id,
        case
            when json_valid(cinf_assessment_factors_json)
                then cast(cinf_assessment_factors_json as varchar[])
        end as factor_codes
    from {{ source('ssd', 'ssd_assessment_factors') }}
)

select
    assessment_factors_id,
    assessment_id,
    upper(trim(factor_code)) as factor_code
from lists
cross join unnest(factor_codes) as factors (factor_code)
