-- The early help episodes extract as it would have been taken at the end of the reporting month (macro extract_as_at).
{{ extract_as_at(
    source('ssd', 'ssd_early_help_episodes'),
    dated_by='earl_episode_start_date',
    later_dates=['earl_episode_end_date'],
) }}
