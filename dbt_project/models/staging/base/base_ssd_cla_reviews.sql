-- The looked after reviews extract as it would have been taken at the end of the reporting month (macro extract_as_at).
{{ extract_as_at(source('ssd', 'ssd_cla_reviews'), dated_by='clar_cla_review_date') }}
