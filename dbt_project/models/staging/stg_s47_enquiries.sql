select
    s47e_s47_enquiry_id as s47_enquiry_id,
    s47e_referral_id as referral_id,
    s47e_person_id as person_id,
    s47e_s47_start_date as start_date,
    s47e_s47_end_date as end_date,
    s47e_s47_nfa as is_no_further_action,
    s47e_s47_outcome_json as outcome_json,
    s47e_s47_completed_by_team as team,
    s47e_s47_completed_by_worker_id as worker_id
from {{ ref('base_ssd_s47_enquiry') }}
