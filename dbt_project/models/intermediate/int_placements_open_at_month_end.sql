-- int_placements_open_at_month_end: every looked after placement open at the end of each
-- reporting month, with the reasons to suspect it should have been ended (indicators.md
-- "Unended placements"), judged as at that month end. The one definition of an unended placement:
-- the data-quality check (dq_ssd_cla_placement), the effect on the looked after count
-- (unended_placements_effect) and the pack's count by reason all read it.
--   open at the month end: started on or before it, with no end date or one after it (a later
--     end had not been recorded yet)
--   later_placement   the child has another placement starting after this one's start (and by
--                     the month end)
--   episode_ended     no looked after episode of the placement's period of care is open at the
--                     month end (period of care missing: none of the child's episodes is open)
--   aged_18_or_over   the child's 18th birthday is on or before the month end (NULL where the
--                     date of birth is unknown: not known, so not suspected)
-- Written as joins on facts computed once per placement, not as subqueries correlated with each
-- month end: over ten years of months the correlated form took twenty times as long (DuckDB
-- cannot decorrelate the OR in the episode match).
with placements as (
    select placement_id, person_id, period_of_care_id, start_date, end_date
    from {{ ref('stg_cla_placements') }}
),

next_placement as (
    -- the earliest start of the child's placements starting after this one
    select
        placement.placement_id,
        min(later.start_date) as next_start_date
    from placements as placement
    left join placements as later
        on
            later.person_id = placement.person_id
            and later.start_date > placement.start_date
    group by placement.placement_id
),

adulthood as (
    -- min: one answer even if a person were duplicated (stg_persons tests uniqueness)
    select
        person_id,
        min(cast({{ dbt.dateadd('year', 18, 'date_of_birth') }} as date)) as eighteenth_birthday
    from {{ ref('stg_persons') }}
    group by person_id
),

open_at as (
    select
        months.month,
        months.month_end,
        placement.placement_id,
        placement.person_id,
        placement.period_of_care_id,
        placement.start_date,
        -- an episode of the placement's period of care; of the child when it has none
        case when placement.period_of_care_id is null then 'person' else 'period' end as episode_match,
        coalesce(placement.period_of_care_id, placement.person_id) as episode_key
    from {{ ref('util_reporting_months') }} as months
    inner join placements as placement
        on
            placement.start_date <= months.month_end
            and (placement.end_date is null or placement.end_date > months.month_end)
),

episodes as (
    select
        'period' as episode_match,
        period_of_care_id as episode_key,
        start_date,
        ceased_date
    from {{ ref('stg_cla_episodes') }}
    where period_of_care_id is not null
    union all
    select
        'person' as episode_match,
        person_id as episode_key,
        start_date,
        ceased_date
    from {{ ref('stg_cla_episodes') }}
    where person_id is not null
),

open_episodes as (
    select
        open_at.month,
        open_at.placement_id,
        count(episodes.episode_key) as open_episodes
    from open_at
    left join episodes
        on
            episodes.episode_match = open_at.episode_match
            and episodes.episode_key = open_at.episode_key
            and episodes.start_date <= open_at.month_end
            and (episodes.ceased_date is null or episodes.ceased_date > open_at.month_end)
    group by open_at.month, open_at.placement_id
),

flagged as (
    select
        open_at.month,
        open_at.month_end,
        open_at.placement_id,
        open_at.person_id,
        open_at.period_of_care_id,
        open_at.start_date,
        coalesce(next_placement.next_start_date <= open_at.month_end, false) as later_placement,
        open_episodes.open_episodes = 0 as episode_ended,
        coalesce(adulthood.eighteenth_birthday <= open_at.month_end, false) as aged_18_or_over
    from open_at
    inner join next_placement
        on next_placement.placement_id = open_at.placement_id
    inner join open_episodes
        on
            open_episodes.month = open_at.month
            and open_episodes.placement_id = open_at.placement_id
    left join adulthood
        on adulthood.person_id = open_at.person_id
)

select
    *,
    later_placement or episode_ended or aged_18_or_over as is_suspect
from flagged
