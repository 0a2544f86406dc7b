-- SSDA903 Reviews: statutory reviews held in the collection year (cancelled ones left out).
select
    header.collection_year,
    header."CHILD",
    header."DOB",
    strftime(reviews.review_date, '%d/%m/%Y') as "REVIEW",
    upper(trim(reviews.participation)) as "REVIEW_CODE"
from {{ ref('stg_cla_reviews') }} as reviews
inner join {{ ref('ret_collection_years') }} as years
    on reviews.review_date between years.year_start and years.year_end
inner join {{ ref('ssda903_header') }} as header
    on
        reviews.person_id = header."CHILD"
        and years.collection_year = header.collection_year
where not coalesce(reviews.is_cancelled, false)
