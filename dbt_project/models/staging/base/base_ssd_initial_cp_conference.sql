-- The initial child protection conferences extract as it would have been taken at the end of the reporting month (macro extract_as_at).
{{ extract_as_at(source('ssd', 'ssd_initial_cp_conference'), dated_by='icpc_icpc_date') }}
