-- The assessments extract as it would have been taken at the end of the reporting month (macro extract_as_at).
{{ extract_as_at(
    source('ssd', 'ssd_cin_assessments'),
    dated_by='cina_assessment_start_date',
    later_dates=['cina_assessment_auth_date'],
) }}
