-- Looked after (CLA) episodes. clae_cla_id groups the episodes of one period of care.
select
    clae_cla_episode_id as cla_episode_id,
    clae_person_id as person_id,
    clae_cla_id as period_of_care_id,
    clae_cla_episode_start_date as start_date,
    clae_cla_episode_start_reason as start_reason,
    clae_cla_primary_need_code as primary_need_code,
    clae_cla_episode_ceased_date as ceased_date,
    clae_cla_episode_ceased_reason as ceased_reason,
    clae_referral_id as referral_id,
    clae_cla_placement_id as placement_id,
    clae_entered_care_date as entered_care_date,
    clae_cla_last_iro_contact_date as last_iro_contact_date
from {{ ref('base_ssd_cla_episodes') }}
