-- ssd_initial_cp_conference: the initial child protection conferences the data-quality suites ssd_initial_cp_conference check (expectations/), as at the end of the
-- reporting month (base_ssd_initial_cp_conference), with the derived columns they name (macros/data_quality_flags.sql).
-- Untimed (indicators.md): a conference icpc_timely measures with no section 47 enquiry to time
-- it from, or one that started after it (int_initial_conferences_timed).
select
    records.*,
    {{ flag_duplicate_key_quarantined('ssd_initial_cp_conference', 'icpc_icpc_id') }} as flag__duplicate_key_quarantined,
    {{ flag_unresolved('icpc_s47_enquiry_id', 'base_ssd_s47_enquiry', 's47e_s47_enquiry_id') }}
        as flag__icpc_s47_enquiry_id__unresolved,
    {{ flag_unresolved('icpc_person_id', 'base_ssd_person', 'pers_person_id') }} as flag__icpc_person_id__unresolved,
    {{ flag_unresolved('icpc_cp_plan_id', 'base_ssd_cp_plans', 'cppl_cp_plan_id') }} as flag__icpc_cp_plan_id__unresolved,
    {{ flag_unresolved('icpc_referral_id', 'base_ssd_cin_episodes', 'cine_referral_id') }} as flag__icpc_referral_id__unresolved,
    {{ flag_before_birth('icpc_icpc_date', 'icpc_person_id') }} as flag__icpc_icpc_date__before_birth,
    {{ flag_cannot_be_timed('int_initial_conferences_timed', 'icpc_id', 'icpc_icpc_id', 'no_start') }}
        as flag__untimed_no_start,
    {{ flag_cannot_be_timed('int_initial_conferences_timed', 'icpc_id', 'icpc_icpc_id', 'starts_after') }}
        as flag__untimed_starts_after
from {{ ref('base_ssd_initial_cp_conference') }} as records
