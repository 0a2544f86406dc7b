-- The child protection visits extract as it would have been taken at the end of the reporting month (macro extract_as_at).
{{ extract_as_at(source('ssd', 'ssd_cp_visits'), dated_by='cppv_cp_visit_date') }}
