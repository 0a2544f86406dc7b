-- ia_completed: initial assessments authorised in the month (indicators.md); the authorisation
-- date is the completion date. A count: numerator = value. The rolling 12-month rate per 10,000
-- is added in the marts from the monthly counts.
with months as (
    select * from {{ ref('util_reporting_months') }}
),

initial_assessments as (
    select assessment_id, authorised_date
    from {{ ref('stg_assessments') }}
    where assessment_type = 'initial'
)

select
    'ia_completed' as indicator_code,
    months.month,
    count(initial_assessments.assessment_id) as numerator,
    cast(null as bigint) as denominator,
    cast(count(initial_assessments.assessment_id) as double) as value
from months
left join initial_assessments
    on initial_assessments.authorised_date between months.month and months.month_end
group by months.month
