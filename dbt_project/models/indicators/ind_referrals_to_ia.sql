-- referrals_to_ia: % of referrals dated in the month that have an initial assessment linked to
-- them (through the assessment's referral_id) and started by the end of the month
-- (indicators.md: type initial only; single and core assessments do not count). A referral whose
-- assessment starts next month has not progressed as at this month. Numerator and denominator
-- are referrals: a referral with two initial assessments counts once.
with initial_assessments as (
    select referral_id, start_date
    from {{ ref('stg_assessments') }}
    where assessment_type = 'initial'
),

referrals_in_month as (
    select
        months.month,
        referrals.referral_id,
        exists(
            select 1
            from initial_assessments
            where
                initial_assessments.referral_id = referrals.referral_id
                and initial_assessments.start_date <= months.month_end
        ) as has_initial_assessment
    from {{ ref('util_reporting_months') }} as months
    inner join {{ ref('stg_referrals') }} as referrals
        on {{ in_month('referrals.referral_date') }}
)

{{ percentage_by_month('referrals_to_ia', 'referrals_in_month', 'referral_id', 'has_initial_assessment') }}
