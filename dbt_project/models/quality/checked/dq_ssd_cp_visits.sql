-- ssd_cp_visits: the child protection visits the data-quality suites ssd_cp_visits check (expectations/), as at the end of the
-- reporting month (base_ssd_cp_visits), with the derived columns they name (macros/data_quality_flags.sql).
-- Outside a plan: no plan of the child covers the visit date (as at the month end).
select
    records.*,
    {{ flag_duplicate_key_quarantined('ssd_cp_visits', 'cppv_cp_visit_id') }} as flag__duplicate_key_quarantined,
    {{ flag_unresolved('cppv_person_id', 'base_ssd_cp_plans', 'cppl_person_id') }} as flag__cppv_person_id__unresolved,
    {{ flag_unresolved('cppv_cp_plan_id', 'base_ssd_cp_plans', 'cppl_cp_plan_id') }} as flag__cppv_cp_plan_id__unresolved,
    {{ flag_before_birth('cppv_cp_visit_date', 'cppv_person_id') }} as flag__cppv_cp_visit_date__before_birth,
    coalesce(
        not exists (
            select 1
            from {{ ref('base_ssd_cp_plans') }} as plans
            where
                plans.cppl_person_id = records.cppv_person_id
                and records.cppv_cp_visit_date >= plans.cppl_cp_plan_start_date
                and (plans.cppl_cp_plan_end_date is null or records.cppv_cp_visit_date <= plans.cppl_cp_plan_end_date)
        ),
        false
    ) as flag__visit_outside_plan
from {{ ref('base_ssd_cp_visits') }} as records
