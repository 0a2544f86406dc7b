-- The looked after (CLA) episodes extract as it would have been taken at the end of the reporting month (macro extract_as_at).
{{ extract_as_at(
    source('ssd', 'ssd_cla_episodes'),
    dated_by='clae_cla_episode_start_date',
    later_dates=['clae_cla_episode_ceased_date', 'clae_cla_last_iro_contact_date'],
) }}
