-- ssd_s47_enquiry: the section 47 enquiries the data-quality suites ssd_s47_enquiry check (expectations/), as at the end of the
-- reporting month (base_ssd_s47_enquiry), with the derived columns they name (macros/data_quality_flags.sql).
select
    records.*,
    {{ flag_duplicate_key_quarantined('ssd_s47_enquiry', 's47e_s47_enquiry_id') }} as flag__duplicate_key_quarantined,
    {{ flag_unresolved('s47e_referral_id', 'base_ssd_cin_episodes', 'cine_referral_id') }} as flag__s47e_referral_id__unresolved,
    {{ flag_unresolved('s47e_person_id', 'base_ssd_person', 'pers_person_id') }} as flag__s47e_person_id__unresolved,
    {{ flag_before_birth('s47e_s47_start_date', 's47e_person_id') }} as flag__s47e_s47_start_date__before_birth
from {{ ref('base_ssd_s47_enquiry') }} as records
