-- ssd_cin_assessments: the assessments the data-quality suites ssd_cin_assessments check (expectations/), as at the end of the
-- reporting month (base_ssd_cin_assessments), with the derived columns they name (macros/data_quality_flags.sql).
-- Untimed (indicators.md): an authorised assessment with nothing to time it from, or timed from a
-- date after its authorisation (int_assessments_timed), is left out of the timeliness indicators.
select
    records.*,
    {{ lowercase_codes(['cina_assessment_type']) }},
    {{ flag_duplicate_key_quarantined('ssd_cin_assessments', 'cina_assessment_id') }} as flag__duplicate_key_quarantined,
    {{ flag_unresolved('cina_person_id', 'base_ssd_person', 'pers_person_id') }} as flag__cina_person_id__unresolved,
    {{ flag_unresolved('cina_referral_id', 'base_ssd_cin_episodes', 'cine_referral_id') }} as flag__cina_referral_id__unresolved,
    {{ flag_before_birth('cina_assessment_start_date', 'cina_person_id') }} as flag__cina_assessment_start_date__before_birth,
    {{ flag_before_birth('cina_assessment_auth_date', 'cina_person_id') }} as flag__cina_assessment_auth_date__before_birth,
    {{ flag_cannot_be_timed('int_assessments_timed', 'assessment_id', 'cina_assessment_id', 'no_start') }}
        as flag__untimed_no_start,
    {{ flag_cannot_be_timed('int_assessments_timed', 'assessment_id', 'cina_assessment_id', 'starts_after') }}
        as flag__untimed_starts_after
from {{ ref('base_ssd_cin_assessments') }} as records
