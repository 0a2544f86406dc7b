-- Periods of care: from the first episode's start to the last episode's end (open: NULL),
-- with what the SSDA903 repeats on every episode of the period.
with episodes as (
    select
        *,
        row_number() over (partition by period_of_care_id order by start_date, cla_episode_id)
            as n_first,
        row_number() over (
            partition by period_of_care_id
            order by coalesce(ceased_date, date '9999-12-31') desc, start_date desc
        ) as n_last
    from {{ ref('stg_cla_episodes') }}
)

select
    first_episode.period_of_care_id,
    first_episode.person_id,
    first_episode.start_date,
    last_episode.ceased_date as end_date,
    last_episode.ceased_reason as end_reason,
    upper(trim(first_episode.primary_need_code)) as primary_need_code
from episodes as first_episode
inner join episodes as last_episode
    on
        first_episode.period_of_care_id = last_episode.period_of_care_id
        and last_episode.n_last = 1
where first_episode.n_first = 1
