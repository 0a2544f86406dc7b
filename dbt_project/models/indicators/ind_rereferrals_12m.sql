-- rereferrals_12m: % of referrals dated in the month where the child had a previous referral
-- dated within the 12 months before (indicators.md): another referral of the same child dated on
-- or after referral_date - 12 months (calendar arithmetic, so exactly 12 months earlier counts)
-- and strictly before this referral's date (two referrals on the same day are not re-referrals
-- of each other). Referrals, not children: a child referred twice in the month is in the
-- denominator twice. The earlier referral is before this one, so it is known as at the month end.
with referrals as (
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
                >= cast({{ dbt.dateadd('month', -12, 'referrals.referral_date') }} as date)
                and previous_referrals.referral_date < referrals.referral_date
        ) as is_rereferral
    from {{ ref('util_reporting_months') }} as months
    inner join referrals
        on {{ in_month('referrals.referral_date') }}
)

{{ percentage_by_month('rereferrals_12m', 'referrals_in_month', 'referral_id', 'is_rereferral') }}
