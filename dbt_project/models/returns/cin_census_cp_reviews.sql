-- CIN census Reviews: child protection review conferences held in the census year.
select
    plans.collection_year,
    plans.cp_plan_id,
    strftime(reviews.review_date, '%Y-%m-%d') as "CPPreviewDate"
from {{ ref('stg_cp_reviews') }} as reviews
inner join {{ ref('cin_census_cp_plans') }} as plans on reviews.cp_plan_id = plans.cp_plan_id
inner join {{ ref('ret_collection_years') }} as years
    on plans.collection_year = years.collection_year
where reviews.review_date between years.year_start and years.year_end
