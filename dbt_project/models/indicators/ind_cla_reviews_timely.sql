-- cla_reviews_timely: % of looked after children reviews held in the month that were in timescale
-- (indicators.md: the first within 20 working days of the start of the period of care, the second
-- within 3 months of the first, each later one within 6 months of the previous one;
-- int_cla_reviews_timed judges them). A review that cannot be timed is left out of the
-- denominator (the checks report it).
{{ timely_by_month(
    'cla_reviews_timely',
    'int_cla_reviews_timed',
    'review_date',
    'cla_review_id',
    'timed.is_timely',
) }}
