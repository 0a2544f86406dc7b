-- referrals: referrals dated in the month (indicators.md). The rolling 12-month rate per
-- 10,000 is added in the marts from the monthly counts.
with months as (
    select * from {{ ref('util_reporting_months') }}
),

referrals as (
    select referral_date from {{ ref('stg_referrals') }}
)

select
    'referrals' as indicator_code,
    months.month,
    count(referrals.referral_date) as numerator,
    cast(null as bigint) as denominator,
    cast(count(referrals.referral_date) as double) as value
from months
left join referrals
    on referrals.referral_date between months.month and months.month_end
group by months.month
