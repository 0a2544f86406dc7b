-- The referrals (CIN episodes) extract as it would have been taken at the end of the reporting month (macro extract_as_at).
{{ extract_as_at(
    source('ssd', 'ssd_cin_episodes'),
    dated_by='cine_referral_date',
    later_dates=['cine_close_date'],
) }}
