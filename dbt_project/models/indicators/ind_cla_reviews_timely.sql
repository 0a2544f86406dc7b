-- cla_reviews_timely: % of CLA reviews held in the month that were in timescale
-- (indicators.md): the first review of a period of care within 20 working days of the start of
-- the period of care, the second within 3 months of the first, each later one within 6 months
-- of the previous one.
--   held: a review date and not cancelled (a blank cancelled flag is unknown, so held);
--     cancelled reviews neither count nor take a place in the order
--   order: the held reviews of each period_of_care_id by review date, ties by review id; a
--     review is judged only against reviews before it, so later records cannot change a month
--   start of the period of care: the earliest episode start with that period_of_care_id
--   within 20 working days: working_days(period start, review date) <= 20; within 3 / 6
--     months: on or before the previous review date plus 3 / 6 calendar months
-- Reviews whose period of care has no episode in the extract are left out (no start to
-- measure the first review from, and no way to know which review is first).
with months as (
    select * from {{ ref('util_reporting_months') }}
),

reviews as (
    select cla_review_id, period_of_care_id, review_date
    from {{ ref('stg_cla_reviews') }}
    where
        review_date is not null
        and coalesce(is_cancelled, false) = false
),

periods_of_care as (
    select period_of_care_id, min(start_date) as period_start_date
    from {{ ref('stg_cla_episodes') }}
    where period_of_care_id is not null
    group by period_of_care_id
),

reviews_in_order as (
    select
        reviews.cla_review_id,
        reviews.review_date,
        {{ working_days('periods_of_care.period_start_date', 'reviews.review_date') }}
            as working_days_from_care_start,
        row_number() over (
            partition by reviews.period_of_care_id
            order by reviews.review_date, reviews.cla_review_id
        ) as review_number,
        lag(reviews.review_date) over (
            partition by reviews.period_of_care_id
            order by reviews.review_date, reviews.cla_review_id
        ) as previous_review_date
    from reviews
    inner join periods_of_care
        on periods_of_care.period_of_care_id = reviews.period_of_care_id
),

reviews_assessed as (
    select
        cla_review_id,
        review_date,
        case
            when review_number = 1
                then working_days_from_care_start <= 20
            when review_number = 2
                then review_date <= previous_review_date + interval 3 month
            else review_date <= previous_review_date + interval 6 month
        end as is_timely
    from reviews_in_order
),

monthly_counts as (
    select
        months.month,
        count(case when reviews_assessed.is_timely then 1 end) as numerator,
        count(reviews_assessed.cla_review_id) as denominator
    from months
    left join reviews_assessed
        on reviews_assessed.review_date between months.month and months.month_end
    group by months.month
)

select
    'cla_reviews_timely' as indicator_code,
    month,
    numerator,
    denominator,
    -- no reviews in the month: no value, not 0%
    cast(round(100.0 * numerator / nullif(denominator, 0), 2) as double) as value
from monthly_counts
