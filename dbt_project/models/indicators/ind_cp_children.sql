-- cp_children: distinct children with a child protection plan open on the last day of the
-- month: started on or before it, and no end date or an end date after it (indicators.md).
-- A count: numerator = value; the marts add the rate per 10,000.
with months as (
    select * from {{ ref('util_reporting_months') }}
),

plans as (
    select person_id, start_date, end_date from {{ ref('stg_cp_plans') }}
)

select
    'cp_children' as indicator_code,
    months.month,
    count(distinct plans.person_id) as numerator,
    cast(null as bigint) as denominator,
    cast(count(distinct plans.person_id) as double) as value
from months
left join plans
    on plans.start_date <= months.month_end
    -- a plan ending after the month end was still open at it ("as at" the month end)
    and (plans.end_date is null or plans.end_date > months.month_end)
group by months.month
