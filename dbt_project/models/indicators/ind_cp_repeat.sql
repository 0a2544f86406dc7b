-- cp_repeat: % of child protection plans starting in the rolling 12 months where the child had an
-- earlier plan, ever (indicators.md). "Earlier" = another plan of the same child starting strictly
-- before this one, so two plans starting on the same day are not repeats of each other. Earlier
-- plans start before a plan in the window, so the figure stays "as at" the month end.
with plans as (
    select cp_plan_id, person_id, start_date from {{ ref('stg_cp_plans') }}
),

plans_in_window as (
    select
        months.month,
        plans.cp_plan_id,
        exists(
            select 1
            from plans as earlier_plans
            where
                earlier_plans.person_id = plans.person_id
                and earlier_plans.start_date < plans.start_date
        ) as is_repeat
    from {{ ref('util_reporting_months') }} as months
    inner join plans
        on plans.start_date between months.rolling_12_start and months.month_end
)

{{ percentage_by_month('cp_repeat', 'plans_in_window', 'cp_plan_id', 'is_repeat') }}
