-- CLA reviews. The child comes from the local extension clar_person_id where the extract
-- carries it, otherwise through the period of care (clar_cla_id -> clae_cla_id).
with periods_of_care as (
    select
        clae_cla_id as period_of_care_id,
        min(clae_person_id) as person_id
    from {{ ref('base_ssd_cla_episodes') }}
    group by clae_cla_id
)

select
    reviews.clar_cla_review_id as cla_review_id,
    reviews.clar_cla_id as period_of_care_id,
    coalesce(reviews.clar_person_id, periods_of_care.person_id) as person_id,
    reviews.clar_cla_review_due_date as due_date,
    reviews.clar_cla_review_date as review_date,
    reviews.clar_cla_review_cancelled as is_cancelled,
    reviews.clar_cla_review_participation as participation
from {{ ref('base_ssd_cla_reviews') }} as reviews
left join periods_of_care
    on reviews.clar_cla_id = periods_of_care.period_of_care_id
