-- The child protection review conferences extract as it would have been taken at the end of the reporting month (macro extract_as_at).
{{ extract_as_at(source('ssd', 'ssd_cp_reviews'), dated_by='cppr_cp_review_date') }}
