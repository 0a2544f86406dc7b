-- ssd_cla_reviews: the looked after reviews the data-quality suites ssd_cla_reviews check (expectations/), as at the end of the
-- reporting month (base_ssd_cla_reviews), with the derived columns they name (macros/data_quality_flags.sql).
-- Untimed (indicators.md): a review whose period of care gives no start to time it from, or a
-- first review held before its period of care started (int_cla_reviews_timed).
select
    records.*,
    {{ lowercase_codes(['clar_cla_review_participation']) }},
    {{ flag_duplicate_key_quarantined('ssd_cla_reviews', 'clar_cla_review_id') }} as flag__duplicate_key_quarantined,
    {{ flag_unresolved('clar_cla_id', 'base_ssd_cla_episodes', 'clae_cla_id') }} as flag__clar_cla_id__unresolved,
    {{ flag_unresolved('clar_person_id', 'base_ssd_person', 'pers_person_id') }} as flag__clar_person_id__unresolved,
    {{ flag_before_birth('clar_cla_review_date', 'clar_person_id') }} as flag__clar_cla_review_date__before_birth,
    {{ flag_cannot_be_timed('int_cla_reviews_timed', 'cla_review_id', 'clar_cla_review_id', 'no_start') }}
        as flag__untimed_no_start,
    {{ flag_cannot_be_timed('int_cla_reviews_timed', 'cla_review_id', 'clar_cla_review_id', 'starts_after') }}
        as flag__untimed_starts_after
from {{ ref('base_ssd_cla_reviews') }} as records
