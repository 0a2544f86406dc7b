-- referrals_to_ia: % of referrals dated in the month that have an initial assessment linked to
-- them (indicators.md). Under the single assessment framework the first-stage assessment is a
-- single assessment, so an initial or a single assessment both count. The link is the
-- assessment's referral_id. As at the month end: only assessments started on or before the
-- month end count, so a referral whose assessment starts next month has not progressed yet.
-- Numerator and denominator are referrals (a referral with two assessments counts once).
with months as (
    select * from {{ ref('util_reporting_months') }}
),

referrals as (
    select referral_id, referral_date from {{ ref('stg_referrals') }}
),

first_stage_assessments as (
    select referral_id, start_date
    from {{ ref('stg_assessments') }}
    where assessment_type in ('initial', 'single')
),

referrals_in_month as (
    select
        months.month,
        referrals.referral_id,
        exists(
            select 1
            from first_stage_assessments
            where
                first_stage_assessments.referral_id = referrals.referral_id
                and first_stage_assessments.start_date <= months.month_end
        ) as has_assessment
    from months
    inner join referrals
        on referrals.referral_date between months.month and months.month_end
),

monthly as (
    select
        months.month,
        count(case when referrals_in_month.has_assessment then 1 end) as numerator,
        count(referrals_in_month.referral_id) as denominator
    from months
    left join referrals_in_month
        on referrals_in_month.month = months.month
    group by months.month
)

select
    'referrals_to_ia' as indicator_code,
    month,
    numerator,
    denominator,
    -- no referrals in the month gives no value, not 0%
    case
        when denominator > 0 then cast(round(100.0 * numerator / denominator, 2) as double)
    end as value
from monthly
