-- cp_plans_2yrs: % of child protection plans ended in the rolling 12 months that had lasted 2
-- years or more (indicators.md): end date on or after the start plus 2 calendar years, so a plan
-- ending on the second anniversary of its start counts (one started on 29 February reaches 2
-- years on 28 February). Plans ending after the month end have not ended as at it. A plan whose
-- length cannot be measured (no start date, or an end before its start: indicators.md "Untimed
-- records") is left out of the denominator; the end-before-start check reports it.
with plans_ended_in_window as (
    select
        months.month,
        plans.cp_plan_id,
        plans.end_date >= {{ dbt.dateadd('year', 2, 'plans.start_date') }} as lasted_2_years
    from {{ ref('util_reporting_months') }} as months
    inner join {{ ref('stg_cp_plans') }} as plans
        on plans.end_date between months.rolling_12_start and months.month_end
    where plans.start_date <= plans.end_date
)

{{ percentage_by_month('cp_plans_2yrs', 'plans_ended_in_window', 'cp_plan_id', 'lasted_2_years') }}
