-- ssd_cla_episodes: the looked after (CLA) episodes the data-quality suites ssd_cla_episodes check (expectations/), as at the end of the
-- reporting month (base_ssd_cla_episodes), with the derived columns they name (macros/data_quality_flags.sql).
select
    records.*,
    {{ lowercase_codes(['clae_cla_primary_need_code']) }},
    {{ flag_duplicate_key_quarantined('ssd_cla_episodes', 'clae_cla_episode_id') }} as flag__duplicate_key_quarantined,
    {{ flag_unresolved('clae_person_id', 'base_ssd_person', 'pers_person_id') }} as flag__clae_person_id__unresolved,
    {{ flag_unresolved('clae_referral_id', 'base_ssd_cin_episodes', 'cine_referral_id') }} as flag__clae_referral_id__unresolved,
    {{ flag_unresolved('clae_cla_placement_id', 'base_ssd_cla_placement', 'clap_cla_placement_id') }}
        as flag__clae_cla_placement_id__unresolved,
    {{ flag_before_birth('clae_cla_episode_start_date', 'clae_person_id') }} as flag__clae_cla_episode_start_date__before_birth,
    {{ flag_overlaps_another(ref('base_ssd_cla_episodes'), 'clae_person_id', 'clae_cla_episode_start_date', 'clae_cla_episode_ceased_date') }}
        as flag__overlapping_cla_episode
from {{ ref('base_ssd_cla_episodes') }} as records
