-- Initial, core and single assessments. The framework comes from the local extension column
-- cina_assessment_type; absent or blank means a single assessment (indicators.md).
select
    cina_assessment_id as assessment_id,
    cina_person_id as person_id,
    cina_referral_id as referral_id,
    coalesce(nullif(lower(trim(cina_assessment_type)), ''), 'single') as assessment_type,
    cina_assessment_start_date as start_date,
    cina_assessment_auth_date as authorised_date,
    cina_assessment_child_seen as is_child_seen,
    cina_assessment_outcome_json as outcome_json,
    cina_assessment_outcome_nfa as is_no_further_action,
    cina_assessment_team as team,
    cina_assessment_worker_id as worker_id
from {{ ref('base_ssd_cin_assessments') }}
