select
    cppv_cp_visit_id as visit_id,
    cppv_person_id as person_id,
    cppv_cp_plan_id as cp_plan_id,
    cppv_cp_visit_date as visit_date,
    cppv_cp_visit_seen as is_child_seen,
    cppv_cp_visit_seen_alone as is_child_seen_alone,
    cppv_cp_visit_bedroom as is_bedroom_seen
from {{ ref('base_ssd_cp_visits') }}
