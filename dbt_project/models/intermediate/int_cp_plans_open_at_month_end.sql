-- int_cp_plans_open_at_month_end: the children subject to a child protection plan at the end of
-- each reporting month, one row per child per month (indicators.md: a plan open on the last day
-- of the month, start <= month end and end blank or after it). earliest_plan_start is the start
-- of the earliest of the child's open plans.
select
    months.month,
    months.month_end,
    plans.person_id,
    min(plans.start_date) as earliest_plan_start
from {{ ref('util_reporting_months') }} as months
inner join {{ ref('stg_cp_plans') }} as plans
    on
        plans.start_date <= months.month_end
        and (plans.end_date is null or plans.end_date > months.month_end)
where plans.person_id is not null
group by months.month, months.month_end, plans.person_id
