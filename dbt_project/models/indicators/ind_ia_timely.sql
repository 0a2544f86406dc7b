-- ia_timely: % of initial assessments authorised in the month that were authorised within 10
-- working days of the referral date (indicators.md): working_days(referral_date,
-- authorised_date) <= 10, the referral found through the assessment's referral_id.
-- An assessment with no linked referral, or whose referral has no date (or, as at the month
-- end, is dated after it), cannot be timed: it is left out of the denominator, and a
-- data-quality check reports it.
with months as (
    select * from {{ ref('util_reporting_months') }}
),

initial_assessments as (
    select assessment_id, referral_id, authorised_date
    from {{ ref('stg_assessments') }}
    where assessment_type = 'initial'
),

referrals as (
    select referral_id, referral_date from {{ ref('stg_referrals') }}
),

timed_assessments as (
    select
        months.month,
        initial_assessments.assessment_id,
        {{ working_days('referrals.referral_date', 'initial_assessments.authorised_date') }}
            as working_days_taken
    from months
    inner join initial_assessments
        on initial_assessments.authorised_date between months.month and months.month_end
    inner join referrals
        on
            referrals.referral_id = initial_assessments.referral_id
            and referrals.referral_date <= months.month_end
),

monthly as (
    select
        months.month,
        count(case when timed_assessments.working_days_taken <= 10 then 1 end) as numerator,
        count(timed_assessments.assessment_id) as denominator
    from months
    left join timed_assessments
        on timed_assessments.month = months.month
    group by months.month
)

select
    'ia_timely' as indicator_code,
    month,
    numerator,
    denominator,
    -- no timed assessments in the month gives no value, not 0%
    case
        when denominator > 0 then cast(round(100.0 * numerator / denominator, 2) as double)
    end as value
from monthly
