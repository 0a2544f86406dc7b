-- The child protection plans extract as it would have been taken at the end of the reporting month (macro extract_as_at).
{{ extract_as_at(
    source('ssd', 'ssd_cp_plans'),
    dated_by='cppl_cp_plan_start_date',
    later_dates=['cppl_cp_plan_end_date'],
) }}
