-- rereferrals_12m: % of referrals dated in the month where the child had a previous referral
-- dated within the 12 months before (indicators.md). "Within the 12 months before" is another
-- referral of the same child (person_id) dated on or after referral_date - 12 months (calendar
-- date arithmetic, so exactly 12 months earlier counts) and strictly before this referral's
-- date (so two referrals on the same day are not re-referrals of each other). Numerator and
-- denominator are referrals, not children: a child referred twice in the month is in the
-- denominator twice, and the second referral is a re-referral. The earlier referral is always
-- before this one, so it is known as at the month end.
with months as (
    select * from {{ ref('util_reporting_months') }}
),

referrals as (
    select referral_id, person_id, referral_date from {{ ref('stg_referrals') }}
),

referrals_in_month as (
    select
        months.month,
        referrals.referral_id,
        exists(
            select 1
            from referrals as previous_referrals
            where
                previous_referrals.person_id = referrals.person_id
                and previous_referrals.referral_id <> referrals.referral_id
                and previous_referrals.referral_date
                >= cast(referrals.referral_date - interval 12 month as date)
                and previous_referrals.referral_date < referrals.referral_date
        ) as is_rereferral
    from months
    inner join referrals
        on referrals.referral_date between months.month and months.month_end
),

monthly as (
    select
        months.month,
        count(case when referrals_in_month.is_rereferral then 1 end) as numerator,
        count(referrals_in_month.referral_id) as denominator
    from months
    left join referrals_in_month
        on referrals_in_month.month = months.month
    group by months.month
)

select
    'rereferrals_12m' as indicator_code,
    month,
    numerator,
    denominator,
    -- no referrals in the month gives no value, not 0%
    case
        when denominator > 0 then cast(round(100.0 * numerator / denominator, 2) as double)
    end as value
from monthly
