-- The looked after placements extract as it would have been taken at the end of the reporting month (macro extract_as_at).
{{ extract_as_at(
    source('ssd', 'ssd_cla_placement'),
    dated_by='clap_cla_placement_start_date',
    later_dates=['clap_cla_placement_end_date'],
) }}
