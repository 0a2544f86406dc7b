-- ca_over_61: core assessments authorised in the month that took more than 60 working days
-- from their start (indicators.md), i.e. working_days(start_date, authorised_date) > 60, so
-- 61 or more. A count: numerator = value. An assessment with no start date cannot be shown to
-- have taken 61+ days and is not counted (a data-quality check reports it).
with months as (
    select * from {{ ref('util_reporting_months') }}
),

core_assessments as (
    select
        assessment_id,
        authorised_date,
        {{ working_days('start_date', 'authorised_date') }} as working_days_taken
    from {{ ref('stg_assessments') }}
    where assessment_type = 'core'
),

late_assessments as (
    select assessment_id, authorised_date
    from core_assessments
    where working_days_taken > 60
)

select
    'ca_over_61' as indicator_code,
    months.month,
    count(late_assessments.assessment_id) as numerator,
    cast(null as bigint) as denominator,
    cast(count(late_assessments.assessment_id) as double) as value
from months
left join late_assessments
    on late_assessments.authorised_date between months.month and months.month_end
group by months.month
