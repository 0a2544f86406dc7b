-- ca_timely: % of core assessments authorised in the month that were authorised within 35
-- working days of their start (indicators.md): working_days(start_date, authorised_date) <= 35.
-- A core assessment with no start date (or, as at the month end, a start dated after it) cannot
-- be timed: like an initial assessment with no linked referral in ia_timely, it is left out of
-- the denominator, and a data-quality check reports it.
with months as (
    select * from {{ ref('util_reporting_months') }}
),

core_assessments as (
    select
        assessment_id,
        start_date,
        authorised_date,
        {{ working_days('start_date', 'authorised_date') }} as working_days_taken
    from {{ ref('stg_assessments') }}
    where assessment_type = 'core'
),

timed_assessments as (
    select months.month, core_assessments.assessment_id, core_assessments.working_days_taken
    from months
    inner join core_assessments
        on
            core_assessments.authorised_date between months.month and months.month_end
            and core_assessments.start_date <= months.month_end
),

monthly as (
    select
        months.month,
        count(case when timed_assessments.working_days_taken <= 35 then 1 end) as numerator,
        count(timed_assessments.assessment_id) as denominator
    from months
    left join timed_assessments
        on timed_assessments.month = months.month
    group by months.month
)

select
    'ca_timely' as indicator_code,
    month,
    numerator,
    denominator,
    -- no timed assessments in the month gives no value, not 0%
    case
        when denominator > 0 then cast(round(100.0 * numerator / denominator, 2) as double)
    end as value
from monthly
