-- rcpc_timely: % of review child protection conferences held in the month that were in
-- timescale (indicators.md): the first review of a plan within 3 months of the plan start,
-- each later review within 6 months of the previous one. "Within 3 months" = on or before the
-- date plus 3 calendar months (2014-01-31 + 1 month = 2014-02-28).
-- Only held reviews (with a review date) count and take a place in the order; ties on the date
-- are ordered by review id. A review is judged only against reviews before it, so a review held
-- after the month end cannot change the month's figure. Reviews whose plan is not in the plan
-- extract have no start to measure from and are left out.
with months as (
    select * from {{ ref('util_reporting_months') }}
),

reviews as (
    select review_id, cp_plan_id, review_date
    from {{ ref('stg_cp_reviews') }}
    where review_date is not null
),

plans as (
    select cp_plan_id, start_date from {{ ref('stg_cp_plans') }}
),

reviews_in_order as (
    select
        reviews.review_id,
        reviews.review_date,
        plans.start_date as plan_start_date,
        lag(reviews.review_date) over (
            partition by reviews.cp_plan_id
            order by reviews.review_date, reviews.review_id
        ) as previous_review_date
    from reviews
    inner join plans
        on plans.cp_plan_id = reviews.cp_plan_id
),

reviews_assessed as (
    select
        review_id,
        review_date,
        case
            when previous_review_date is null
                then review_date <= plan_start_date + interval 3 month
            else review_date <= previous_review_date + interval 6 month
        end as is_timely
    from reviews_in_order
),

monthly_counts as (
    select
        months.month,
        count(case when reviews_assessed.is_timely then 1 end) as numerator,
        count(reviews_assessed.review_id) as denominator
    from months
    left join reviews_assessed
        on reviews_assessed.review_date between months.month and months.month_end
    group by months.month
)

select
    'rcpc_timely' as indicator_code,
    month,
    numerator,
    denominator,
    -- no reviews in the month: no value, not 0%
    cast(round(100.0 * numerator / nullif(denominator, 0), 2) as double) as value
from monthly_counts
