-- The section 47 enquiries extract as it would have been taken at the end of the reporting month (macro extract_as_at).
{{ extract_as_at(
    source('ssd', 'ssd_s47_enquiry'),
    dated_by='s47e_s47_start_date',
    later_dates=['s47e_s47_end_date'],
) }}
