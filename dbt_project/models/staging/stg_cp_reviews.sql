-- Review child protection conferences.
select
    cppr_cp_review_id as review_id,
    cppr_person_id as person_id,
    cppr_cp_plan_id as cp_plan_id,
    cppr_cp_review_due as due_date,
    cppr_cp_review_date as review_date,
    cppr_cp_review_meeting_id as meeting_id,
    cppr_cp_review_outcome_continue_cp as is_plan_continued,
    cppr_cp_review_quorate as is_quorate,
    cppr_cp_review_participation as participation
from {{ ref('base_ssd_cp_reviews') }}
