-- CIN census CINdetails: every referral (CIN episode) open at any time in the census year.
-- A closure after 31 March is left blank. ReferralNFA 1/0. DateOfInitialCPC here only for a
-- conference with no section 47 enquiry on the episode (a transfer-in); otherwise it belongs
-- to the Section47 block.
select
    years.collection_year,
    referrals.person_id as "LAchildID",
    referrals.referral_id,
    strftime(referrals.referral_date, '%Y-%m-%d') as "CINreferralDate",
    upper(trim(referrals.referral_source_code)) as "ReferralSource",
    upper(trim(referrals.primary_need_code)) as "PrimaryNeedCode",
    case
        when referrals.close_date <= years.year_end
            then strftime(referrals.close_date, '%Y-%m-%d')
    end as "CINclosureDate",
    case
        when referrals.close_date <= years.year_end then upper(trim(referrals.close_reason))
    end as "ReasonForClosure",
    (
        select strftime(min(icpc.conference_date), '%Y-%m-%d')
        from {{ ref('stg_initial_cp_conferences') }} as icpc
        where
            icpc.referral_id = referrals.referral_id
            and (icpc.s47_enquiry_id is null or icpc.s47_enquiry_id = '')
            and icpc.conference_date between years.year_start and years.year_end
    ) as "DateOfInitialCPC",
    case when referrals.is_no_further_action then '1' else '0' end as "ReferralNFA"
from {{ ref('stg_referrals') }} as referrals
inner join {{ ref('ret_collection_years') }} as years
    on
        referrals.referral_date <= years.year_end
        and (referrals.close_date is null or referrals.close_date >= years.year_start)
