-- rcpc_timely: % of review child protection conferences held in the month that were in timescale
-- (indicators.md: the first review within 3 months of the plan start, each later one within 6
-- months of the previous one; int_cp_reviews_timed judges them). A review that cannot be timed
-- is left out of the denominator (the checks report it).
{{ timely_by_month('rcpc_timely', 'int_cp_reviews_timed', 'review_date', 'review_id', 'timed.is_timely') }}
