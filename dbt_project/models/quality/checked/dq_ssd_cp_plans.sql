-- ssd_cp_plans: the child protection plans the data-quality suites ssd_cp_plans check (expectations/), as at the end of the
-- reporting month (base_ssd_cp_plans), with the derived columns they name (macros/data_quality_flags.sql).
select
    records.*,
    {{ flag_duplicate_key_quarantined('ssd_cp_plans', 'cppl_cp_plan_id') }} as flag__duplicate_key_quarantined,
    {{ flag_unresolved('cppl_referral_id', 'base_ssd_cin_episodes', 'cine_referral_id') }} as flag__cppl_referral_id__unresolved,
    {{ flag_unresolved('cppl_icpc_id', 'base_ssd_initial_cp_conference', 'icpc_icpc_id') }} as flag__cppl_icpc_id__unresolved,
    {{ flag_unresolved('cppl_person_id', 'base_ssd_person', 'pers_person_id') }} as flag__cppl_person_id__unresolved,
    {{ flag_before_birth('cppl_cp_plan_start_date', 'cppl_person_id') }} as flag__cppl_cp_plan_start_date__before_birth,
    {{ flag_overlaps_another(ref('base_ssd_cp_plans'), 'cppl_person_id', 'cppl_cp_plan_start_date', 'cppl_cp_plan_end_date') }}
        as flag__overlapping_cp_plan
from {{ ref('base_ssd_cp_plans') }} as records
