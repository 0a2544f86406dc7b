-- referrals: referrals dated in the month (indicators.md). The rolling 12-month rate per 10,000
-- is added in the marts from the monthly counts.
with referrals_in_month as (
    select
        months.month,
        referrals.referral_id
    from {{ ref('util_reporting_months') }} as months
    inner join {{ ref('stg_referrals') }} as referrals
        on {{ in_month('referrals.referral_date') }}
)

{{ count_by_month('referrals', 'referrals_in_month', 'referral_id') }}
