-- int_cp_reviews_timed: every review child protection conference held, judged in timescale as
-- indicators.md says: the first review of a plan within 3 months of the plan start, each later
-- review within 6 months of the previous one ("within 3 months" = on or before the date plus 3
-- calendar months, 2014-01-31 + 1 month = 2014-02-28).
--   held: a review date. Held reviews take their place in the plan's order by date, ties by review
--   id; a review is judged only against reviews before it, so later records cannot change it.
-- A review that cannot be timed (indicators.md "Untimed records") has no is_timely and says why
-- in cannot_be_timed (a later review is timed from the previous one, which is always earlier):
--   no_start       a review of a plan that is not linked, not in the extract or undated (no
--                  start to time the first review from, and no way to know which is first)
--   starts_after   the first review of a plan that started after the review was held
with reviews as (
    select
        reviews.review_id,
        reviews.person_id,
        reviews.cp_plan_id,
        reviews.review_date,
        plans.start_date as plan_start_date,
        lag(reviews.review_date) over (
            partition by reviews.cp_plan_id
            order by reviews.review_date, reviews.review_id
        ) as previous_review_date
    from {{ ref('stg_cp_reviews') }} as reviews
    left join {{ ref('stg_cp_plans') }} as plans
        on plans.cp_plan_id = reviews.cp_plan_id
    where reviews.review_date is not null
),

judged as (
    select
        *,
        case
            when plan_start_date is null then 'no_start'
            when previous_review_date is null and plan_start_date > review_date then 'starts_after'
        end as cannot_be_timed
    from reviews
)

select
    review_id,
    person_id,
    review_date,
    plan_start_date,
    previous_review_date,
    cannot_be_timed,
    case
        when cannot_be_timed is not null then null
        when previous_review_date is null then review_date <= {{ dbt.dateadd('month', 3, 'plan_start_date') }}
        else review_date <= {{ dbt.dateadd('month', 6, 'previous_review_date') }}
    end as is_timely
from judged
