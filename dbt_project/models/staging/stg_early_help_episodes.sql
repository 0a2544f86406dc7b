-- Early help (CAF) episodes.
select
    earl_episode_id as episode_id,
    earl_person_id as person_id,
    earl_episode_start_date as start_date,
    earl_episode_end_date as end_date,
    earl_episode_reason as reason,
    earl_episode_end_reason as end_reason,
    earl_episode_organisation as organisation,
    earl_episode_worker_id as worker_id,
    earl_episode_locality as locality
from {{ ref('base_ssd_early_help_episodes') }}
