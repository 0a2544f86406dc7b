-- Annex A List 3: referrals (window: the referral date).
select
    children.person_id as "Child Unique ID",
    children.gender as "Gender",
    children.ethnicity as "Ethnicity",
    strftime(children.date_of_birth, '%d/%m/%Y') as "Date of Birth",
    children.date_of_birth as age_from_date_of_birth,
    strftime(referrals.referral_date, '%d/%m/%Y') as "Date of referral",
    referrals.referral_source_code as "Referral Source",
    case when referrals.is_no_further_action then 'a) Yes' else 'b) No' end as "Referral NFA?",
    (
        select count(*) from {{ ref('stg_referrals') }} as earlier
        where
            earlier.person_id = referrals.person_id
            and earlier.referral_date < referrals.referral_date
            and earlier.referral_date >= referrals.referral_date - interval 12 month
    ) as "Number of Referrals in Last 12 Months",
    referrals.team as "Allocated Team",
    referrals.worker_id as "Allocated Worker",
    referrals.referral_date as window_from,
    referrals.referral_date as window_to
from {{ ref('stg_referrals') }} as referrals
inner join {{ ref('ret_annex_a_children') }} as children
    on referrals.person_id = children.person_id
