-- cp_repeat: % of child protection plans starting in the rolling 12 months where the child had
-- an earlier plan, ever (indicators.md). "Earlier" = another plan of the same child with a
-- start date strictly before this plan's start, so two plans starting on the same day are not
-- repeats of each other. Earlier plans start before a plan in the window, so they are always on
-- or before the month end and the figure stays "as at" the month end.
with months as (
    select * from {{ ref('util_reporting_months') }}
),

plans as (
    select cp_plan_id, person_id, start_date from {{ ref('stg_cp_plans') }}
),

plans_flagged as (
    select
        plans.cp_plan_id,
        plans.start_date,
        exists(
            select 1
            from plans as earlier_plans
            where
                earlier_plans.person_id = plans.person_id
                and earlier_plans.start_date < plans.start_date
        ) as is_repeat
    from plans
),

monthly_counts as (
    select
        months.month,
        count(case when plans_flagged.is_repeat then 1 end) as numerator,
        count(plans_flagged.cp_plan_id) as denominator
    from months
    left join plans_flagged
        on plans_flagged.start_date between months.rolling_12_start and months.month_end
    group by months.month
)

select
    'cp_repeat' as indicator_code,
    month,
    numerator,
    denominator,
    -- no plans started in the window: no value, not 0%
    cast(round(100.0 * numerator / nullif(denominator, 0), 2) as double) as value
from monthly_counts
