-- ssd_cin_episodes: the referrals (CIN episodes) the data-quality suites ssd_cin_episodes check (expectations/), as at the end of the
-- reporting month (base_ssd_cin_episodes), with the derived columns they name (macros/data_quality_flags.sql).
select
    records.*,
    {{ lowercase_codes(['cine_cin_primary_need_code']) }},
    {{ flag_duplicate_key_quarantined('ssd_cin_episodes', 'cine_referral_id') }} as flag__duplicate_key_quarantined,
    {{ flag_unresolved('cine_person_id', 'base_ssd_person', 'pers_person_id') }} as flag__cine_person_id__unresolved,
    {{ flag_before_birth('cine_referral_date', 'cine_person_id') }} as flag__cine_referral_date__before_birth
from {{ ref('base_ssd_cin_episodes') }} as records
