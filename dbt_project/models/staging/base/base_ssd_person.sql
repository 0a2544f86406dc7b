-- The person extract as it would have been taken at the end of the reporting month (macro extract_as_at).
{{ extract_as_at(source('ssd', 'ssd_person'), later_dates=['pers_death_date']) }}
