-- ssd_cla_placement: the looked after placements the data-quality suites ssd_cla_placement check (expectations/), as at the end of the
-- reporting month (base_ssd_cla_placement), with the derived columns they name (macros/data_quality_flags.sql).
-- Unended placements (indicators.md): an open placement suspected of needing an end date, for each
-- reason, as at the month end (int_placements_open_at_month_end, the one definition).
with open_at_as_at as (
    select
        open_placements.placement_id,
        open_placements.later_placement,
        open_placements.episode_ended,
        open_placements.aged_18_or_over
    from {{ ref('int_placements_open_at_month_end') }} as open_placements
    inner join {{ ref('reporting_month') }} as reporting_month
        on reporting_month.month = open_placements.month
)

select
    records.*,
    {{ flag_duplicate_key_quarantined('ssd_cla_placement', 'clap_cla_placement_id') }} as flag__duplicate_key_quarantined,
    {{ flag_unresolved('clap_cla_id', 'base_ssd_cla_episodes', 'clae_cla_id') }} as flag__clap_cla_id__unresolved,
    {{ flag_unresolved('clap_person_id', 'base_ssd_person', 'pers_person_id') }} as flag__clap_person_id__unresolved,
    {{ flag_before_birth('clap_cla_placement_start_date', 'clap_person_id') }}
        as flag__clap_cla_placement_start_date__before_birth,
    coalesce(open_at_as_at.later_placement, false) as flag__unended_placement_later_placement,
    coalesce(open_at_as_at.episode_ended, false) as flag__unended_placement_episode_ended,
    coalesce(open_at_as_at.aged_18_or_over, false) as flag__unended_placement_aged_18
from {{ ref('base_ssd_cla_placement') }} as records
left join open_at_as_at
    on open_at_as_at.placement_id = records.clap_cla_placement_id
