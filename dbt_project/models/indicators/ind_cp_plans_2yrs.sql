-- cp_plans_2yrs: % of child protection plans ended in the rolling 12 months that had lasted
-- 2 years or more (indicators.md): end date on or after the start date plus 2 calendar years,
-- so a plan ending on the second anniversary of its start counts (a plan started on 29 February
-- reaches 2 years on 28 February). Plans ending after the month end have not ended as at it.
with months as (
    select * from {{ ref('util_reporting_months') }}
),

ended_plans as (
    select cp_plan_id, start_date, end_date
    from {{ ref('stg_cp_plans') }}
    where end_date is not null
),

monthly_counts as (
    select
        months.month,
        count(
            case when ended_plans.end_date >= ended_plans.start_date + interval 2 year then 1 end
        ) as numerator,
        count(ended_plans.cp_plan_id) as denominator
    from months
    left join ended_plans
        on ended_plans.end_date between months.rolling_12_start and months.month_end
    group by months.month
)

select
    'cp_plans_2yrs' as indicator_code,
    month,
    numerator,
    denominator,
    -- no plans ended in the window: no value, not 0%
    cast(round(100.0 * numerator / nullif(denominator, 0), 2) as double) as value
from monthly_counts
