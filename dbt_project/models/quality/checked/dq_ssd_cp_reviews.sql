-- ssd_cp_reviews: the child protection review conferences the data-quality suites ssd_cp_reviews check (expectations/), as at the end of the
-- reporting month (base_ssd_cp_reviews), with the derived columns they name (macros/data_quality_flags.sql).
-- Untimed (indicators.md): a review whose plan gives no start to time it from, or a first review
-- held before its plan started (int_cp_reviews_timed).
select
    records.*,
    {{ flag_duplicate_key_quarantined('ssd_cp_reviews', 'cppr_cp_review_id') }} as flag__duplicate_key_quarantined,
    {{ flag_unresolved('cppr_person_id', 'base_ssd_cp_plans', 'cppl_person_id') }} as flag__cppr_person_id__unresolved,
    {{ flag_unresolved('cppr_cp_plan_id', 'base_ssd_cp_plans', 'cppl_cp_plan_id') }} as flag__cppr_cp_plan_id__unresolved,
    {{ flag_before_birth('cppr_cp_review_date', 'cppr_person_id') }} as flag__cppr_cp_review_date__before_birth,
    {{ flag_cannot_be_timed('int_cp_reviews_timed', 'review_id', 'cppr_cp_review_id', 'no_start') }}
        as flag__untimed_no_start,
    {{ flag_cannot_be_timed('int_cp_reviews_timed', 'review_id', 'cppr_cp_review_id', 'starts_after') }}
        as flag__untimed_starts_after
from {{ ref('base_ssd_cp_reviews') }} as records
