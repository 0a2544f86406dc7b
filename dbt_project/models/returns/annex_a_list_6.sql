-- Annex A List 6: children in need (CIN episodes open at any time in the window).
select
    children.person_id as "Child Unique ID",
    children.gender as "Gender",
    children.ethnicity as "Ethnicity",
    strftime(children.date_of_birth, '%d/%m/%Y') as "Date of Birth",
    children.date_of_birth as age_from_date_of_birth,
    children.has_disability as "Does the Child have a Disability",
    strftime(referrals.referral_date, '%d/%m/%Y') as "CIN Start Date",
    referrals.primary_need_code as "Primary Need Code",
    cast(null as varchar) as "Date Child Was Last Seen",
    strftime(referrals.close_date, '%d/%m/%Y') as "CIN Closure Date",
    referrals.close_reason as "Reason for Closure",
    case when referrals.close_date is null then 'Open' else 'Closed' end as "Case Status",
    referrals.team as "Allocated Team",
    referrals.worker_id as "Allocated Worker",
    referrals.referral_date as window_from,
    referrals.close_date as window_to
from {{ ref('stg_referrals') }} as referrals
inner join {{ ref('ret_annex_a_children') }} as children
    on referrals.person_id = children.person_id
