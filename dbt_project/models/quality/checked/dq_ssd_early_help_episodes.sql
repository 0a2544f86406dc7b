-- ssd_early_help_episodes: the early help episodes the data-quality suites ssd_early_help_episodes check (expectations/), as at the end of the
-- reporting month (base_ssd_early_help_episodes), with the derived columns they name (macros/data_quality_flags.sql).
-- Stale (indicators.md "Stale early help episodes"): open with no end date, started more than the
-- stale period (ref_settings early_help_stale_after_months) before the as-at date.
select
    records.*,
    {{ flag_duplicate_key_quarantined('ssd_early_help_episodes', 'earl_episode_id') }} as flag__duplicate_key_quarantined,
    {{ flag_unresolved('earl_person_id', 'base_ssd_person', 'pers_person_id') }} as flag__earl_person_id__unresolved,
    {{ flag_before_birth('earl_episode_start_date', 'earl_person_id') }} as flag__earl_episode_start_date__before_birth,
    coalesce(
        records.earl_episode_end_date is null
        and records.earl_episode_start_date
        < cast(
            reporting_month.as_at - {{ setting_int('early_help_stale_after_months') }} * interval 1 month as date
        ),
        false
    ) as flag__stale_early_help
from {{ ref('base_ssd_early_help_episodes') }} as records
cross join {{ ref('reporting_month') }} as reporting_month
