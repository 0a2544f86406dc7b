-- A referral opens a children-in-need (CIN) episode: one row per referral.
select
    cine_referral_id as referral_id,
    cine_person_id as person_id,
    cine_referral_date as referral_date,
    cine_cin_primary_need_code as primary_need_code,
    cine_referral_source_code as referral_source_code,
    cine_referral_source_desc as referral_source,
    cine_referral_outcome_json as referral_outcome_json,
    cine_referral_nfa as is_no_further_action,
    cine_close_reason as close_reason,
    cine_close_date as close_date,
    cine_referral_team as team,
    cine_referral_worker_id as worker_id
from {{ ref('base_ssd_cin_episodes') }}
