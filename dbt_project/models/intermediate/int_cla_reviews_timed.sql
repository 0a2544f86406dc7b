-- int_cla_reviews_timed: every looked after child review held, judged in timescale as
-- indicators.md says: the first review of a period of care within 20 working days of its start,
-- the second within 3 months of the first, each later one within 6 months of the previous one.
--   held: a review date and not cancelled (a blank cancelled flag is unknown, so held); cancelled
--   reviews neither count nor take a place in the order
--   order: the held reviews of each period_of_care_id by review date, ties by review id; a
--   review is judged only against reviews before it, so later records cannot change a month
--   start of the period of care: int_periods_of_care
--   within 20 working days: working_days(period start, review date) <= 20; within 3 / 6 months:
--   on or before the previous review date plus 3 / 6 calendar months
-- A review that cannot be timed (indicators.md "Untimed records") has no is_timely and says why
-- in cannot_be_timed:
--   no_start       its period of care is not given or has no episode in the extract (no start
--                  to time the first review from, and no way to know which review is first)
--   starts_after   the first review of a period of care that started after the review was held
with reviews as (
    select
        reviews.cla_review_id,
        reviews.person_id,
        reviews.review_date,
        periods_of_care.period_start_date,
        row_number() over (
            partition by reviews.period_of_care_id
            order by reviews.review_date, reviews.cla_review_id
        ) as review_number,
        lag(reviews.review_date) over (
            partition by reviews.period_of_care_id
            order by reviews.review_date, reviews.cla_review_id
        ) as previous_review_date
    from {{ ref('stg_cla_reviews') }} as reviews
    left join {{ ref('int_periods_of_care') }} as periods_of_care
        on periods_of_care.period_of_care_id = reviews.period_of_care_id
    where
        reviews.review_date is not null
        and coalesce(reviews.is_cancelled, false) = false
),

judged as (
    select
        *,
        case
            when period_start_date is null then 'no_start'
            when review_number = 1 and period_start_date > review_date then 'starts_after'
        end as cannot_be_timed
    from reviews
)

select
    cla_review_id,
    person_id,
    review_date,
    period_start_date,
    review_number,
    previous_review_date,
    cannot_be_timed,
    case
        when cannot_be_timed is not null then null
        when review_number = 1 then {{ working_days('period_start_date', 'review_date') }} <= 20
        when review_number = 2 then review_date <= {{ dbt.dateadd('month', 3, 'previous_review_date') }}
        else review_date <= {{ dbt.dateadd('month', 6, 'previous_review_date') }}
    end as is_timely
from judged
