select
    icpc_icpc_id as icpc_id,
    icpc_icpc_meeting_id as meeting_id,
    icpc_s47_enquiry_id as s47_enquiry_id,
    icpc_person_id as person_id,
    icpc_cp_plan_id as cp_plan_id,
    icpc_referral_id as referral_id,
    icpc_icpc_transfer_in as is_transfer_in,
    icpc_icpc_target_date as target_date,
    icpc_icpc_date as conference_date,
    icpc_icpc_outcome_cp_flag as is_plan_outcome,
    icpc_icpc_outcome_json as outcome_json,
    icpc_icpc_team as team,
    icpc_icpc_worker_id as worker_id
from {{ ref('base_ssd_initial_cp_conference') }}
